// Gas curves with hand-computed values: the rate at an instant, the gas offered up to an
// instant, the phase total and the peak, for each rate type; clamping outside the phase; and
// the cumulative curve never going down.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { GasRate } from '../../src/scenario/types.js';
import { cumulativeGas, describeGasRate, peakRate, rateAt, totalGas, type PhaseCurve } from '../../src/workload/gas-curve.js';

function curve(rate: GasRate, durationSecs: number): PhaseCurve {
  return { rate, durationSecs };
}

describe('sustained', () => {
  const c = curve({ type: 'sustained', gasPerSec: 2_000_000 }, 60);

  it('is constant', () => {
    for (const t of [0, 0.5, 30, 59.999, 60]) expect(rateAt(c, t)).toBe(2_000_000);
  });

  it('accumulates linearly', () => {
    expect(cumulativeGas(c, 0)).toBe(0);
    expect(cumulativeGas(c, 1)).toBe(2_000_000);
    expect(cumulativeGas(c, 12.5)).toBe(25_000_000);
    expect(totalGas(c)).toBe(120_000_000);
    expect(peakRate(c)).toBe(2_000_000);
  });

  it('handles a zero rate', () => {
    const zero = curve({ type: 'sustained', gasPerSec: 0 }, 10);
    expect(totalGas(zero)).toBe(0);
    expect(peakRate(zero)).toBe(0);
  });
});

describe('ramp', () => {
  const up = curve({ type: 'ramp', startGasPerSec: 0, endGasPerSec: 1_000 }, 10);
  const down = curve({ type: 'ramp', startGasPerSec: 1_000, endGasPerSec: 0 }, 10);
  const offset = curve({ type: 'ramp', startGasPerSec: 500_000, endGasPerSec: 5_000_000 }, 30);

  it('rises linearly from start to end', () => {
    expect(rateAt(up, 0)).toBe(0);
    expect(rateAt(up, 2.5)).toBe(250);
    expect(rateAt(up, 5)).toBe(500);
    expect(rateAt(up, 10)).toBe(1_000);
    // gas(t) = 1000 t^2 / 20
    expect(cumulativeGas(up, 4)).toBe(800);
    expect(cumulativeGas(up, 5)).toBe(1_250);
    expect(totalGas(up)).toBe(5_000);
    expect(peakRate(up)).toBe(1_000);
  });

  it('falls linearly from start to end', () => {
    expect(rateAt(down, 0)).toBe(1_000);
    expect(rateAt(down, 7.5)).toBe(250);
    expect(rateAt(down, 10)).toBe(0);
    // gas(t) = 1000 t - 1000 t^2 / 20
    expect(cumulativeGas(down, 4)).toBe(3_200);
    expect(cumulativeGas(down, 5)).toBe(3_750);
    expect(totalGas(down)).toBe(5_000);
    expect(peakRate(down)).toBe(1_000);
  });

  it('integrates a ramp that does not start at zero', () => {
    expect(rateAt(offset, 10)).toBe(2_000_000);
    // (0.5M + 5M) / 2 * 30
    expect(totalGas(offset)).toBe(82_500_000);
    // 0.5M * 10 + 4.5M * 100 / 60
    expect(cumulativeGas(offset, 10)).toBe(12_500_000);
    expect(peakRate(offset)).toBe(5_000_000);
  });

  it('is flat when start equals end', () => {
    const flat = curve({ type: 'ramp', startGasPerSec: 700, endGasPerSec: 700 }, 9);
    expect(rateAt(flat, 4)).toBe(700);
    expect(totalGas(flat)).toBe(6_300);
  });
});

describe('burst', () => {
  // 1000 gas/s for the first 2 s of every 5 s, 100 gas/s otherwise; 12 s long.
  const c = curve({ type: 'burst', baselineGasPerSec: 100, peakGasPerSec: 1_000, burstDurationSecs: 2, intervalSecs: 5 }, 12);

  it('bursts at the start of every interval', () => {
    expect(rateAt(c, 0)).toBe(1_000);
    expect(rateAt(c, 1.999)).toBe(1_000);
    expect(rateAt(c, 2)).toBe(100);
    expect(rateAt(c, 4.999)).toBe(100);
    expect(rateAt(c, 5)).toBe(1_000);
    expect(rateAt(c, 6.5)).toBe(1_000);
    expect(rateAt(c, 7)).toBe(100);
    expect(rateAt(c, 10)).toBe(1_000);
    expect(rateAt(c, 11.5)).toBe(1_000);
  });

  it('accumulates across period boundaries', () => {
    // One whole period: 1000*2 + 100*3 = 2300.
    expect(cumulativeGas(c, 1)).toBe(1_000);
    expect(cumulativeGas(c, 2)).toBe(2_000);
    expect(cumulativeGas(c, 3)).toBe(2_100);
    expect(cumulativeGas(c, 5)).toBe(2_300);
    expect(cumulativeGas(c, 6)).toBe(3_300);
    expect(cumulativeGas(c, 8.5)).toBe(4_450);
    expect(cumulativeGas(c, 10)).toBe(4_600);
    // Two periods and a burst cut off by the end of the phase at 12 s.
    expect(totalGas(c)).toBe(6_600);
    expect(peakRate(c)).toBe(1_000);
  });

  it('ends in the baseline part of a period', () => {
    const d = curve({ type: 'burst', baselineGasPerSec: 100, peakGasPerSec: 1_000, burstDurationSecs: 2, intervalSecs: 5 }, 14);
    expect(totalGas(d)).toBe(4_600 + 2_000 + 200);
  });

  it('has its peak even when the peak equals the baseline', () => {
    const level = curve({ type: 'burst', baselineGasPerSec: 300, peakGasPerSec: 300, burstDurationSecs: 1, intervalSecs: 4 }, 8);
    expect(totalGas(level)).toBe(2_400);
    expect(peakRate(level)).toBe(300);
  });
});

describe('custom', () => {
  // 100 -> 300 over 0..10 s, 300 -> 200 over 10..15 s, then held at 200 until 30 s.
  const points = [
    { atSecs: 0, gasPerSec: 100 },
    { atSecs: 10, gasPerSec: 300 },
    { atSecs: 15, gasPerSec: 200 },
  ];
  const c = curve({ type: 'custom', points }, 30);

  it('interpolates between points', () => {
    expect(rateAt(c, 0)).toBe(100);
    expect(rateAt(c, 5)).toBe(200);
    expect(rateAt(c, 10)).toBe(300);
    expect(rateAt(c, 12)).toBe(260);
    expect(rateAt(c, 15)).toBe(200);
  });

  it('holds the last rate after the last point', () => {
    expect(rateAt(c, 16)).toBe(200);
    expect(rateAt(c, 29.5)).toBe(200);
    expect(rateAt(c, 30)).toBe(200);
  });

  it('integrates the trapezoids and the hold', () => {
    expect(cumulativeGas(c, 5)).toBe(750);
    expect(cumulativeGas(c, 10)).toBe(2_000);
    expect(cumulativeGas(c, 12)).toBe(2_560);
    expect(cumulativeGas(c, 15)).toBe(3_250);
    expect(cumulativeGas(c, 20)).toBe(4_250);
    expect(totalGas(c)).toBe(6_250);
    expect(peakRate(c)).toBe(300);
  });

  it('is constant with a single point', () => {
    const one = curve({ type: 'custom', points: [{ atSecs: 0, gasPerSec: 500 }] }, 10);
    expect(rateAt(one, 7)).toBe(500);
    expect(cumulativeGas(one, 3)).toBe(1_500);
    expect(totalGas(one)).toBe(5_000);
    expect(peakRate(one)).toBe(500);
  });

  it('can step down to zero and stay there', () => {
    const stop = curve(
      {
        type: 'custom',
        points: [
          { atSecs: 0, gasPerSec: 1_000 },
          { atSecs: 4, gasPerSec: 0 },
        ],
      },
      10,
    );
    expect(rateAt(stop, 2)).toBe(500);
    expect(rateAt(stop, 9)).toBe(0);
    expect(totalGas(stop)).toBe(2_000);
    expect(peakRate(stop)).toBe(1_000);
  });

  it('finds its peak between the start and the end', () => {
    const hump = curve(
      {
        type: 'custom',
        points: [
          { atSecs: 0, gasPerSec: 10 },
          { atSecs: 3, gasPerSec: 90 },
          { atSecs: 6, gasPerSec: 20 },
        ],
      },
      8,
    );
    expect(peakRate(hump)).toBe(90);
    // 150 + 165 + 40
    expect(totalGas(hump)).toBe(355);
  });
});

describe('clamping outside the phase', () => {
  const rates: Array<[string, PhaseCurve]> = [
    ['sustained', curve({ type: 'sustained', gasPerSec: 10 }, 20)],
    ['ramp', curve({ type: 'ramp', startGasPerSec: 10, endGasPerSec: 50 }, 20)],
    ['burst', curve({ type: 'burst', baselineGasPerSec: 1, peakGasPerSec: 9, burstDurationSecs: 3, intervalSecs: 7 }, 20)],
    [
      'custom',
      curve(
        {
          type: 'custom',
          points: [
            { atSecs: 0, gasPerSec: 40 },
            { atSecs: 5, gasPerSec: 4 },
          ],
        },
        20,
      ),
    ],
  ];

  it.each(rates)('%s: the rate before 0 is the rate at 0, after the end the rate at the end', (_name, c) => {
    expect(rateAt(c, -1)).toBe(rateAt(c, 0));
    expect(rateAt(c, -1e9)).toBe(rateAt(c, 0));
    expect(rateAt(c, 21)).toBe(rateAt(c, 20));
    expect(rateAt(c, 1e9)).toBe(rateAt(c, 20));
  });

  it.each(rates)('%s: no gas before 0, the total after the end', (_name, c) => {
    expect(cumulativeGas(c, -5)).toBe(0);
    expect(cumulativeGas(c, 0)).toBe(0);
    expect(cumulativeGas(c, 25)).toBe(totalGas(c));
    expect(cumulativeGas(c, Number.MAX_SAFE_INTEGER)).toBe(totalGas(c));
  });

  it('ramps do not extrapolate past their end', () => {
    const c = curve({ type: 'ramp', startGasPerSec: 10, endGasPerSec: 50 }, 20);
    expect(rateAt(c, 40)).toBe(50);
    expect(rateAt(c, -20)).toBe(10);
    expect(totalGas(c)).toBe(600);
  });
});

describe('cumulativeGas is monotonic non-decreasing', () => {
  const gas = fc.integer({ min: 0, max: 1_000_000_000 });
  const duration = fc.integer({ min: 1, max: 10_000 });
  const rateArb: fc.Arbitrary<[GasRate, number]> = fc.oneof(
    fc.tuple(gas, duration).map(([g, d]): [GasRate, number] => [{ type: 'sustained', gasPerSec: g }, d]),
    fc.tuple(gas, gas, duration).map(([a, b, d]): [GasRate, number] => [{ type: 'ramp', startGasPerSec: a, endGasPerSec: b }, d]),
    fc
      .tuple(gas, gas, fc.integer({ min: 2, max: 500 }), duration)
      .chain(([a, b, interval, d]) =>
        fc.integer({ min: 1, max: interval - 1 }).map((burst): [GasRate, number] => [
          { type: 'burst', baselineGasPerSec: Math.min(a, b), peakGasPerSec: Math.max(a, b), burstDurationSecs: burst, intervalSecs: interval },
          d,
        ]),
      ),
    duration.chain((d) =>
      fc
        .uniqueArray(fc.integer({ min: 1, max: Math.max(1, d - 1) }), { maxLength: 10 })
        .chain((later) => {
          const times = [0, ...later.filter((t) => t < d).sort((x, y) => x - y)];
          return fc.array(gas, { minLength: times.length, maxLength: times.length }).map((rates): [GasRate, number] => [
            { type: 'custom', points: times.map((atSecs, i) => ({ atSecs, gasPerSec: rates[i]! })) },
            d,
          ]);
        }),
    ),
  );

  it('for random curves and random times', () => {
    fc.assert(
      fc.property(rateArb, fc.array(fc.double({ min: -10, max: 11_000, noNaN: true }), { minLength: 2, maxLength: 30 }), ([rate, d], times) => {
        const c = curve(rate, d);
        const sorted = [...times].sort((x, y) => x - y);
        let previous = -Infinity;
        for (const t of sorted) {
          const g = cumulativeGas(c, t);
          // A relative slack absorbs floating-point rounding in the closed forms.
          expect(g).toBeGreaterThanOrEqual(previous - 1e-9 * Math.abs(previous));
          previous = g;
        }
        expect(cumulativeGas(c, d)).toBe(totalGas(c));
        expect(totalGas(c)).toBeLessThanOrEqual(peakRate(c) * d * (1 + 1e-12));
      }),
      { numRuns: 300 },
    );
  });

  it('matches the rate: gas(t + h) - gas(t) lies between h times the lowest and highest rate seen', () => {
    fc.assert(
      fc.property(rateArb, fc.double({ min: 0, max: 1, noNaN: true }), ([rate, d], frac) => {
        const c = curve(rate, d);
        const t = frac * d;
        const h = Math.min(0.25, d - t);
        if (h <= 0) return;
        const samples = Array.from({ length: 11 }, (_, i) => rateAt(c, t + (h * i) / 10));
        const added = cumulativeGas(c, t + h) - cumulativeGas(c, t);
        // Bursts can switch inside the window at a point no sample lands on; allow for it.
        const low = rate.type === 'burst' ? Math.min(rate.baselineGasPerSec, ...samples) : Math.min(...samples);
        const high = rate.type === 'burst' ? Math.max(rate.peakGasPerSec, ...samples) : Math.max(...samples);
        const slack = 1e-6 * Math.max(1, high) + 1e-9 * cumulativeGas(c, t + h);
        expect(added).toBeGreaterThanOrEqual(low * h - slack);
        expect(added).toBeLessThanOrEqual(high * h + slack);
      }),
      { numRuns: 300 },
    );
  });
});

describe('describeGasRate', () => {
  it('says each curve in one line', () => {
    expect(describeGasRate({ type: 'sustained', gasPerSec: 5_000_000 })).toBe('sustained 5,000,000 gas/s');
    expect(describeGasRate({ type: 'ramp', startGasPerSec: 1_000_000, endGasPerSec: 10_000_000 })).toBe('ramp 1,000,000 -> 10,000,000 gas/s');
    expect(describeGasRate({ type: 'burst', baselineGasPerSec: 1_000, peakGasPerSec: 9_000, burstDurationSecs: 5, intervalSecs: 30 })).toBe(
      'burst 1,000 gas/s, 9,000 gas/s for 5s every 30s',
    );
  });
});
