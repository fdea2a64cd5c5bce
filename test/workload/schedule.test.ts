// From gas curves to intended send times: timeForGas as the exact inverse of cumulativeGas for
// every rate type (hand-computed values, the earliest instant across zero-rate stretches, and a
// property test over random curves), scaleGasRate as an edge's share, and SendSchedule keeping
// the gas it schedules within half a transaction of the curve at every instant.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { GasRate } from '../../src/scenario/types.js';
import { cumulativeGas, peakRate, rateAt, scaleGasRate, timeForGas, totalGas, type PhaseCurve } from '../../src/workload/gas-curve.js';
import { offsetNs, SendSchedule, sendOffsets } from '../../src/workload/schedule.js';

function curve(rate: GasRate, durationSecs: number): PhaseCurve {
  return { rate, durationSecs };
}

const WEEK = 604_800;
const MAX_GAS_PER_SEC = 10_000_000_000;

describe('timeForGas, hand-computed', () => {
  it('sustained: gas divided by the rate', () => {
    const c = curve({ type: 'sustained', gasPerSec: 2_000_000 }, 60);
    expect(timeForGas(c, 0)).toBe(0);
    expect(timeForGas(c, -5)).toBe(0);
    expect(timeForGas(c, 2_000_000)).toBe(1);
    expect(timeForGas(c, 25_000_000)).toBe(12.5);
    expect(timeForGas(c, 120_000_000)).toBe(60);
    expect(timeForGas(c, 120_000_001)).toBe(Infinity);
  });

  it('a zero rate never offers any gas', () => {
    const zero = curve({ type: 'sustained', gasPerSec: 0 }, 10);
    expect(timeForGas(zero, 0)).toBe(0);
    expect(timeForGas(zero, 1)).toBe(Infinity);
  });

  it('ramp: the root of the quadratic, up, down, from zero, flat', () => {
    // gas(t) = 50 t^2
    const up = curve({ type: 'ramp', startGasPerSec: 0, endGasPerSec: 1_000 }, 10);
    expect(timeForGas(up, 800)).toBe(4);
    expect(timeForGas(up, 1_250)).toBe(5);
    expect(timeForGas(up, 5_000)).toBe(10);
    expect(timeForGas(up, 0.005)).toBeCloseTo(0.01, 15);
    expect(timeForGas(up, 5_000.001)).toBe(Infinity);
    // gas(t) = 1000 t - 50 t^2: the first crossing, and the end where the rate reaches zero.
    const down = curve({ type: 'ramp', startGasPerSec: 1_000, endGasPerSec: 0 }, 10);
    expect(timeForGas(down, 3_200)).toBe(4);
    expect(timeForGas(down, 3_750)).toBe(5);
    expect(timeForGas(down, 5_000)).toBe(10);
    const offset = curve({ type: 'ramp', startGasPerSec: 500_000, endGasPerSec: 5_000_000 }, 30);
    expect(timeForGas(offset, 12_500_000)).toBeCloseTo(10, 12);
    expect(timeForGas(offset, 82_500_000)).toBe(30);
    const flat = curve({ type: 'ramp', startGasPerSec: 700, endGasPerSec: 700 }, 9);
    expect(timeForGas(flat, 700)).toBe(1);
    expect(timeForGas(flat, 6_300)).toBe(9);
    // Almost flat: no cancellation between the two terms of the quadratic formula.
    // gas(50) = 5e10 + 1e-3 * 50^2 / 200 = 5e10 + 0.0125, so 5e10 is reached 1.25e-11 s earlier.
    const nearlyFlat = curve({ type: 'ramp', startGasPerSec: 1e9, endGasPerSec: 1e9 + 1e-3 }, 100);
    expect(timeForGas(nearlyFlat, 5e10)).toBeCloseTo(50 - 1.25e-11, 13);
  });

  it('burst: whole periods plus the place inside the period', () => {
    // 1000 gas/s for the first 2 s of every 5 s, 100 gas/s otherwise; 2300 gas per period.
    const c = curve({ type: 'burst', baselineGasPerSec: 100, peakGasPerSec: 1_000, burstDurationSecs: 2, intervalSecs: 5 }, 12);
    expect(timeForGas(c, 1_000)).toBe(1);
    expect(timeForGas(c, 2_000)).toBe(2);
    expect(timeForGas(c, 2_100)).toBe(3);
    expect(timeForGas(c, 2_300)).toBe(5);
    expect(timeForGas(c, 3_300)).toBe(6);
    expect(timeForGas(c, 4_450)).toBe(8.5);
    expect(timeForGas(c, 4_600)).toBe(10);
    expect(timeForGas(c, 6_600)).toBe(12);
    expect(timeForGas(c, 6_601)).toBe(Infinity);
  });

  it('burst with a zero baseline: time jumps over the silent part of each period', () => {
    // 1000 gas/s for 2 s of every 5 s, nothing otherwise: 2000 gas per period.
    const c = curve({ type: 'burst', baselineGasPerSec: 0, peakGasPerSec: 1_000, burstDurationSecs: 2, intervalSecs: 5 }, 14);
    expect(timeForGas(c, 1_000)).toBe(1);
    // Reached at the end of the first burst, not at the start of the second.
    expect(timeForGas(c, 2_000)).toBe(2);
    expect(timeForGas(c, 2_000.5)).toBeCloseTo(5.0005, 12);
    expect(timeForGas(c, 4_000)).toBe(7);
    expect(timeForGas(c, 5_000)).toBe(11);
    // The phase ends two seconds into its third period's silence: all 6000 gas by 12 s.
    expect(totalGas(c)).toBe(6_000);
    expect(timeForGas(c, 6_000)).toBe(12);
    expect(timeForGas(c, 6_000.001)).toBe(Infinity);
  });

  it('custom: the trapezoids, then the hold', () => {
    const c = curve(
      {
        type: 'custom',
        points: [
          { atSecs: 0, gasPerSec: 100 },
          { atSecs: 10, gasPerSec: 300 },
          { atSecs: 15, gasPerSec: 200 },
        ],
      },
      30,
    );
    for (const [gas, t] of [
      [750, 5],
      [2_000, 10],
      [2_560, 12],
      [3_250, 15],
      [4_250, 20],
      [6_250, 30],
    ] as const) {
      expect(timeForGas(c, gas)).toBeCloseTo(t, 12);
    }
    expect(timeForGas(c, 6_251)).toBe(Infinity);
  });

  it('custom with a zero stretch: the earliest instant, then past the silence', () => {
    // 1000 -> 0 over 0..4 s (2000 gas), silent 4..6 s, 0 -> 1000 over 6..8 s (1000 gas), 1000 held to 10 s.
    const c = curve(
      {
        type: 'custom',
        points: [
          { atSecs: 0, gasPerSec: 1_000 },
          { atSecs: 4, gasPerSec: 0 },
          { atSecs: 6, gasPerSec: 0 },
          { atSecs: 8, gasPerSec: 1_000 },
        ],
      },
      10,
    );
    expect(totalGas(c)).toBe(5_000);
    expect(timeForGas(c, 1_500)).toBe(2);
    expect(timeForGas(c, 2_000)).toBe(4);
    // 250 gas into 0 -> 1000 over 2 s: 250 t^2 = 250.
    expect(timeForGas(c, 2_250)).toBeCloseTo(7, 12);
    expect(timeForGas(c, 3_000)).toBe(8);
    expect(timeForGas(c, 4_000)).toBe(9);
    expect(timeForGas(c, 5_000)).toBe(10);
  });

  it('custom that steps down to zero for good', () => {
    const c = curve(
      {
        type: 'custom',
        points: [
          { atSecs: 0, gasPerSec: 1_000 },
          { atSecs: 4, gasPerSec: 0 },
        ],
      },
      10,
    );
    expect(timeForGas(c, 2_000)).toBe(4);
    expect(timeForGas(c, 2_000.001)).toBe(Infinity);
  });

  it('custom flat segments divide', () => {
    const c = curve(
      {
        type: 'custom',
        points: [
          { atSecs: 0, gasPerSec: 500 },
          { atSecs: 5, gasPerSec: 500 },
        ],
      },
      10,
    );
    expect(timeForGas(c, 1_000)).toBe(2);
    expect(timeForGas(c, 3_500)).toBe(7);
  });

  it('rejects NaN', () => {
    expect(() => timeForGas(curve({ type: 'sustained', gasPerSec: 1 }, 1), Number.NaN)).toThrow(RangeError);
  });
});

// Random curves of every type, with zeros and repeats drawn often: zero rates, ramps to and
// from 0, bursts with a zero baseline, custom curves with flat and silent segments.
const rateValue = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 5_000_000) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: MAX_GAS_PER_SEC }) },
  { weight: 2, arbitrary: fc.double({ min: 1e-3, max: MAX_GAS_PER_SEC, noNaN: true }) },
);
const durationArb = fc.oneof(fc.integer({ min: 1, max: 3_600 }), fc.integer({ min: 1, max: WEEK }));

function curveArb(rates: fc.Arbitrary<number>, durations: fc.Arbitrary<number>): fc.Arbitrary<PhaseCurve> {
  return fc.oneof(
    fc.tuple(rates, durations).map(([g, d]) => curve({ type: 'sustained', gasPerSec: g }, d)),
    fc.tuple(rates, rates, durations).map(([a, b, d]) => curve({ type: 'ramp', startGasPerSec: a, endGasPerSec: b }, d)),
    fc
      .tuple(rates, rates, fc.integer({ min: 2, max: 1_000 }), durations)
      .chain(([a, b, interval, d]) =>
        fc.integer({ min: 1, max: interval - 1 }).map((burst) =>
          curve({ type: 'burst', baselineGasPerSec: Math.min(a, b), peakGasPerSec: Math.max(a, b), burstDurationSecs: burst, intervalSecs: interval }, d),
        ),
      ),
    durations.chain((d) =>
      fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, d - 1) }), { maxLength: 12 }).chain((later) => {
        const times = [0, ...later.filter((t) => t < d).sort((x, y) => x - y)];
        return fc
          .array(rates, { minLength: times.length, maxLength: times.length })
          .map((rs) => curve({ type: 'custom', points: times.map((atSecs, i) => ({ atSecs, gasPerSec: rs[i]! })) }, d));
      }),
    ),
  );
}

describe('timeForGas inverts cumulativeGas, for random curves', () => {
  // Relative to the phase total: the closed forms round at the size of the gas they carry.
  const TOLERANCE = 1e-12;

  it('cumulativeGas(timeForGas(g)) = g, within the phase, monotonic in g', () => {
    fc.assert(
      fc.property(curveArb(rateValue, durationArb), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), (c, fractions) => {
        const total = totalGas(c);
        const gases = [...fractions, 0, 1].map((f) => f * total).sort((x, y) => x - y);
        let previous = 0;
        for (const g of gases) {
          const t = timeForGas(c, g);
          expect(t).toBeGreaterThanOrEqual(0);
          expect(t).toBeLessThanOrEqual(c.durationSecs);
          expect(Math.abs(cumulativeGas(c, t) - g)).toBeLessThanOrEqual(TOLERANCE * total);
          // Monotonic to the last few bits: two gas amounts an ulp apart can round the other
          // way through the square root (SendSchedule never lets its offsets go back).
          expect(t).toBeGreaterThanOrEqual(previous - 4 * Number.EPSILON * c.durationSecs);
          previous = t;
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('is Infinity for more gas than the phase offers, and no later than the end for all of it', () => {
    fc.assert(
      fc.property(curveArb(rateValue, durationArb), (c) => {
        const total = totalGas(c);
        expect(timeForGas(c, total * (1 + 1e-9) + 1)).toBe(Infinity);
        expect(timeForGas(c, Number.MAX_VALUE)).toBe(Infinity);
        expect(timeForGas(c, total)).toBeLessThanOrEqual(c.durationSecs);
      }),
      { numRuns: 1_000 },
    );
  });

  it('is the earliest instant: never past a stretch of zero rate (burst with zero baseline, custom)', () => {
    fc.assert(
      fc.property(curveArb(rateValue, durationArb), fc.double({ min: 1e-9, max: 1, noNaN: true }), (c, u) => {
        // The gas offered by a random instant: whenever that instant lies in a silent stretch,
        // the same gas was reached earlier, where the stretch began. (Rounding can make the
        // integral a hair larger just before the end than at it: such gas is past the total.)
        const g = cumulativeGas(c, u * c.durationSecs);
        if (g <= 0 || g > totalGas(c)) return;
        const t = timeForGas(c, g);
        // Just before t the curve was still offering gas: a positive rate half a second earlier
        // (silent stretches here last a whole second or more), or gas offered since then.
        const before = t - 0.5;
        expect(rateAt(c, before) > 0 || cumulativeGas(c, t) - cumulativeGas(c, before) > 0).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('precision at the limits: a week at 10 billion gas/s', () => {
  it('keeps 21,000-gas transactions 2.1 microseconds apart at the end of the phase', () => {
    const sustained = curve({ type: 'sustained', gasPerSec: MAX_GAS_PER_SEC }, WEEK);
    const total = totalGas(sustained);
    expect(total).toBeLessThan(Number.MAX_SAFE_INTEGER);
    const g = total - 1_000_000 * 21_000 + 10_500;
    const a = offsetNs(timeForGas(sustained, g));
    const b = offsetNs(timeForGas(sustained, g + 21_000));
    expect(b - a).toBe(2_100n);
    expect(Math.abs(cumulativeGas(sustained, timeForGas(sustained, g)) - g)).toBeLessThanOrEqual(1);
  });

  it('on a ramp from zero, near the start and near the end', () => {
    const ramp = curve({ type: 'ramp', startGasPerSec: 0, endGasPerSec: MAX_GAS_PER_SEC }, WEEK);
    const total = totalGas(ramp);
    for (const g of [10_500, 31_500, total / 2, total - 10_500]) {
      expect(Math.abs(cumulativeGas(ramp, timeForGas(ramp, g)) - g)).toBeLessThanOrEqual(1e-15 * total + 1e-9);
    }
    // Near the end the rate is 10^10 gas/s: consecutive transactions stay distinct to the ns.
    const a = offsetNs(timeForGas(ramp, total - 52_500));
    const b = offsetNs(timeForGas(ramp, total - 31_500));
    expect(Number(b - a)).toBeGreaterThanOrEqual(2_099);
    expect(Number(b - a)).toBeLessThanOrEqual(2_101);
  });
});

describe('scaleGasRate', () => {
  it('multiplies every rate and keeps the times', () => {
    expect(scaleGasRate({ type: 'sustained', gasPerSec: 900 }, 1 / 3)).toEqual({ type: 'sustained', gasPerSec: 300 });
    expect(scaleGasRate({ type: 'ramp', startGasPerSec: 10, endGasPerSec: 40 }, 0.5)).toEqual({ type: 'ramp', startGasPerSec: 5, endGasPerSec: 20 });
    expect(scaleGasRate({ type: 'burst', baselineGasPerSec: 100, peakGasPerSec: 1_000, burstDurationSecs: 2, intervalSecs: 5 }, 0.1)).toEqual({
      type: 'burst',
      baselineGasPerSec: 10,
      peakGasPerSec: 100,
      burstDurationSecs: 2,
      intervalSecs: 5,
    });
    expect(
      scaleGasRate(
        {
          type: 'custom',
          points: [
            { atSecs: 0, gasPerSec: 0 },
            { atSecs: 3, gasPerSec: 80 },
          ],
        },
        0.25,
      ),
    ).toEqual({
      type: 'custom',
      points: [
        { atSecs: 0, gasPerSec: 0 },
        { atSecs: 3, gasPerSec: 20 },
      ],
    });
  });

  it('rejects negative and non-finite factors', () => {
    const r: GasRate = { type: 'sustained', gasPerSec: 1 };
    expect(() => scaleGasRate(r, -1)).toThrow(RangeError);
    expect(() => scaleGasRate(r, Number.NaN)).toThrow(RangeError);
    expect(() => scaleGasRate(r, Infinity)).toThrow(RangeError);
  });

  it('N edge shares of 1/N add back up to the curve', () => {
    fc.assert(
      fc.property(curveArb(rateValue, durationArb), fc.integer({ min: 1, max: 256 }), fc.double({ min: 0, max: 1, noNaN: true }), (c, n, f) => {
        const share = curve(scaleGasRate(c.rate, 1 / n), c.durationSecs);
        const t = f * c.durationSecs;
        expect(Math.abs(n * totalGas(share) - totalGas(c))).toBeLessThanOrEqual(1e-12 * Math.max(1, totalGas(c)));
        expect(Math.abs(n * cumulativeGas(share, t) - cumulativeGas(c, t))).toBeLessThanOrEqual(1e-12 * Math.max(1, totalGas(c)));
        // rateAt interpolates, so it rounds at the size of the rates it interpolates between.
        expect(Math.abs(n * rateAt(share, t) - rateAt(c, t))).toBeLessThanOrEqual(1e-12 * Math.max(1, peakRate(c)));
      }),
      { numRuns: 500 },
    );
  });
});

/** Offsets and gas of every transaction a schedule takes from a (finite or endless) gas stream. */
function scheduleAll(c: PhaseCurve, gasOf: (k: number) => number): { offsets: number[]; gas: number[]; rejectedGas: number } {
  const schedule = new SendSchedule(c);
  const offsets: number[] = [];
  const gas: number[] = [];
  for (let k = 0; ; k++) {
    const g = gasOf(k);
    const t = schedule.next(g);
    if (t === undefined) return { offsets, gas, rejectedGas: g };
    offsets.push(t);
    gas.push(g);
  }
}

/**
 * The scheduled gas tracks the curve: at every send time and at random instants, the gas of the
 * transactions intended by t is within half of the largest transaction of cumulativeGas(t) (the
 * midpoint rule; the brief asks for one whole transaction), and the total within as much of
 * the phase total.
 */
function expectTracksCurve(c: PhaseCurve, gasOf: (k: number) => number, sampleFractions: readonly number[] = []): number {
  const { offsets, gas, rejectedGas } = scheduleAll(c, gasOf);
  const total = totalGas(c);
  const maxGas = Math.max(rejectedGas, ...gas);
  const slack = 1e-9 * total + 1e-6;
  const prefix: number[] = [0];
  for (const g of gas) prefix.push(prefix[prefix.length - 1]! + g);
  const scheduledBy = (t: number): number => {
    // Number of offsets <= t (offsets are sorted).
    let lo = 0;
    let hi = offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (offsets[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return prefix[lo]!;
  };
  const times = [...offsets, ...sampleFractions.map((f) => f * c.durationSecs), 0, c.durationSecs];
  for (const t of times) {
    expect(Math.abs(scheduledBy(t) - cumulativeGas(c, t))).toBeLessThanOrEqual(maxGas / 2 + slack);
  }
  for (let k = 1; k < offsets.length; k++) expect(offsets[k]!).toBeGreaterThanOrEqual(offsets[k - 1]!);
  for (const t of offsets) {
    expect(t).toBeGreaterThanOrEqual(0);
    expect(t).toBeLessThan(c.durationSecs);
  }
  const scheduled = prefix[prefix.length - 1]!;
  expect(Math.abs(scheduled - total)).toBeLessThanOrEqual(maxGas / 2 + slack);
  return offsets.length;
}

const TRANSFER = 21_000;
const HEAVY = 200_000;
const alternating = (k: number) => (k % 2 === 0 ? TRANSFER : HEAVY);
const constant = () => TRANSFER;

describe('SendSchedule', () => {
  it('sends 21,000-gas transactions at 21,000 gas/s half a second into each second', () => {
    const c = curve({ type: 'sustained', gasPerSec: TRANSFER }, 10);
    const schedule = new SendSchedule(c);
    const offsets: number[] = [];
    for (let t = schedule.next(TRANSFER); t !== undefined; t = schedule.next(TRANSFER)) offsets.push(t);
    expect(offsets).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5]);
    expect(schedule.count).toBe(10);
    expect(schedule.scheduledGas).toBe(210_000);
    expect(schedule.ended).toBe(true);
    // Ended for good, even for a transaction that would have fitted.
    expect(schedule.next(1)).toBeUndefined();
    expect(schedule.count).toBe(10);
  });

  it('places a large transaction later than a small one at the same point of the curve', () => {
    const c = curve({ type: 'sustained', gasPerSec: 100_000 }, 60);
    expect([...sendOffsets(c, [TRANSFER, HEAVY, TRANSFER])]).toEqual([0.105, 1.21, 2.315]);
  });

  const curves: Array<[string, PhaseCurve]> = [
    ['sustained', curve({ type: 'sustained', gasPerSec: 5_000_000 }, 60)],
    ['ramp up from 0', curve({ type: 'ramp', startGasPerSec: 0, endGasPerSec: 10_000_000 }, 30)],
    ['ramp down to 0', curve({ type: 'ramp', startGasPerSec: 10_000_000, endGasPerSec: 0 }, 30)],
    ['ramp with an offset', curve({ type: 'ramp', startGasPerSec: 500_000, endGasPerSec: 5_000_000 }, 45)],
    ['burst', curve({ type: 'burst', baselineGasPerSec: 1_000_000, peakGasPerSec: 9_000_000, burstDurationSecs: 5, intervalSecs: 30 }, 100)],
    ['burst with a zero baseline', curve({ type: 'burst', baselineGasPerSec: 0, peakGasPerSec: 9_000_000, burstDurationSecs: 3, intervalSecs: 10 }, 95)],
    [
      'custom with flat and silent segments',
      curve(
        {
          type: 'custom',
          points: [
            { atSecs: 0, gasPerSec: 0 },
            { atSecs: 10, gasPerSec: 4_000_000 },
            { atSecs: 20, gasPerSec: 4_000_000 },
            { atSecs: 25, gasPerSec: 0 },
            { atSecs: 40, gasPerSec: 0 },
            { atSecs: 45, gasPerSec: 2_000_000 },
          ],
        },
        60,
      ),
    ],
  ];
  const samples = Array.from({ length: 200 }, (_, i) => (i + 0.37) / 200);

  it.each(curves)('%s: 21,000-gas transactions track the curve', (_name, c) => {
    expect(expectTracksCurve(c, constant, samples)).toBeGreaterThan(100);
  });

  it.each(curves)('%s: 21,000 and 200,000 gas alternating track the curve', (_name, c) => {
    expect(expectTracksCurve(c, alternating, samples)).toBeGreaterThan(100);
  });

  it('random curves and random transaction mixes track the curve', () => {
    // Rates and durations small enough to keep a run to thousands of transactions.
    const smallRates = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2_000_000 }), fc.double({ min: 1, max: 2_000_000, noNaN: true }));
    fc.assert(
      fc.property(
        curveArb(smallRates, fc.integer({ min: 1, max: 60 })),
        fc.array(fc.integer({ min: TRANSFER, max: 1_000_000 }), { minLength: 1, maxLength: 16 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
        (c, mix, fractions) => {
          expectTracksCurve(c, (k) => mix[k % mix.length]!, fractions);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each<[string, GasRate]>([
    ['sustained', { type: 'sustained', gasPerSec: 0 }],
    ['ramp', { type: 'ramp', startGasPerSec: 0, endGasPerSec: 0 }],
    ['burst', { type: 'burst', baselineGasPerSec: 0, peakGasPerSec: 0, burstDurationSecs: 1, intervalSecs: 2 }],
    [
      'custom',
      {
        type: 'custom',
        points: [
          { atSecs: 0, gasPerSec: 0 },
          { atSecs: 5, gasPerSec: 0 },
        ],
      },
    ],
  ])('a zero-rate %s phase schedules nothing', (_name, rate) => {
    const schedule = new SendSchedule(curve(rate, 60));
    expect(schedule.next(TRANSFER)).toBeUndefined();
    expect(schedule.count).toBe(0);
    expect(schedule.scheduledGas).toBe(0);
    expect(schedule.ended).toBe(true);
  });

  it('schedules nothing in a phase too short for one transaction', () => {
    // 1000 gas/s for 10 s: a 21,000-gas transaction would be intended at 10.5 s.
    expect([...sendOffsets(curve({ type: 'sustained', gasPerSec: 1_000 }, 10), [TRANSFER])]).toEqual([]);
  });

  it('N edges with a 1/N share each offer the gas of the whole curve between them', () => {
    for (const [, c] of curves) {
      for (const n of [1, 3, 7, 16]) {
        const share = curve(scaleGasRate(c.rate, 1 / n), c.durationSecs);
        let offered = 0;
        for (let edge = 0; edge < n; edge++) {
          const schedule = new SendSchedule(share);
          // Each edge picks its own mix, as its own PRNG stream would.
          for (let k = 0; schedule.next(alternating(k + edge)) !== undefined; k++);
          offered += schedule.scheduledGas;
        }
        expect(Math.abs(offered - totalGas(c))).toBeLessThanOrEqual((n * HEAVY) / 2 + 1e-9 * totalGas(c));
      }
    }
  });

  it('is deterministic: the same curve and gas amounts give the same offsets', () => {
    const c = curves[6]![1];
    const a = [...sendOffsets(c, Array.from({ length: 5_000 }, (_, k) => alternating(k)))];
    const b = [...sendOffsets(c, Array.from({ length: 5_000 }, (_, k) => alternating(k)))];
    expect(a.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
  });

  it('rejects transactions without gas', () => {
    const schedule = new SendSchedule(curve({ type: 'sustained', gasPerSec: 1_000 }, 10));
    expect(() => schedule.next(0)).toThrow(RangeError);
    expect(() => schedule.next(-1)).toThrow(RangeError);
    expect(() => schedule.next(Number.NaN)).toThrow(RangeError);
    expect(() => schedule.next(Infinity)).toThrow(RangeError);
  });
});

describe('offsetNs', () => {
  it('rounds seconds to whole nanoseconds, exactly for a week', () => {
    expect(offsetNs(0)).toBe(0n);
    expect(offsetNs(0.5)).toBe(500_000_000n);
    expect(offsetNs(1.0000000004)).toBe(1_000_000_000n);
    expect(offsetNs(WEEK)).toBe(604_800_000_000_000n);
    expect(offsetNs(WEEK - 1e-9)).toBe(604_799_999_999_999n);
    expect(() => offsetNs(-1)).toThrow(RangeError);
    expect(() => offsetNs(Number.NaN)).toThrow(RangeError);
  });
});
