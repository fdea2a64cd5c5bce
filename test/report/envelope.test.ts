// The capacity envelope from synthetic runs built second by second: where a ramp of steps
// degrades and becomes unstable, which signal gave way first, how fast latency recovers after
// the load drops, and that noise and single-level runs do not produce a false envelope. Each
// rule has a run that passes it and one that trips it.

import { describe, expect, it } from 'vitest';
import {
  BASE_FEE_RISE_SIGNAL,
  computeEnvelope,
  ERROR_RATE_DEGRADED,
  ERROR_RATE_UNSTABLE,
  LATENCY_FLOOR_MS,
  LATENCY_MARGIN,
  RAMP_WINDOW_SECS,
  THROUGHPUT_DEGRADED_RATIO,
  THROUGHPUT_UNSTABLE_RATIO,
  type EnvelopeInput,
  type GasBacklogSample,
} from '../../src/report/envelope.js';
import type { LatencyPair, LatencySet, LatencySummary, PhaseReport, SecondSample } from '../../src/report/report-types.js';
import type { GasRate } from '../../src/scenario/types.js';
import { cumulativeGas } from '../../src/workload/gas-curve.js';

const M = 1_000_000;
const TX_GAS = 21_000;
const BASE_FEE = 100_000_000;

/** How one phase of a synthetic run behaves, second by second (k: second in the phase, t: in the run). */
interface PhaseSpec {
  readonly name?: string;
  readonly durationSecs?: number;
  readonly rate: GasRate;
  readonly p99?: (k: number, t: number) => number | null;
  readonly p50?: (k: number, t: number) => number | null;
  /** Share of the offered gas that is included. */
  readonly delivery?: (k: number, t: number) => number;
  readonly errorRate?: number;
  readonly baseFee?: (k: number, t: number) => number | null;
}

interface RunOptions {
  /** Included gas trails its send by this much (seconds), as in a real series. */
  readonly inclusionLagSecs?: number;
  /** Per-second series after the last phase (the edges waiting for their last receipts). */
  readonly drain?: readonly { readonly p99: number | null; readonly includedTx: number }[];
}

const sustained = (gasPerSec: number): GasRate => ({ type: 'sustained', gasPerSec });

function summary(p50: number | null, p99: number | null, count: number): LatencySummary {
  return { count, p50, p90: p99, p95: p99, p99, p999: p99, max: p99, mean: p50 };
}

function latencySet(p50: number | null, p99: number | null, count: number): LatencySet {
  const pair: LatencyPair = { corrected: summary(p50, p99, count), uncorrected: summary(p50, p99, count) };
  return { submission: pair, acceptance: pair, inclusion: pair, feedInclusion: pair };
}

/** Nearest-rank percentile: the phase's exact p99 stands in as the 99th percentile of its seconds' p99. */
function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

function buildRun(specs: readonly PhaseSpec[], options: RunOptions = {}): EnvelopeInput {
  const lag = options.inclusionLagSecs ?? 0;
  let start = 0;
  const phases = specs.map((s, index) => {
    const phase = { index, name: s.name ?? `phase-${index}`, durationSecs: s.durationSecs ?? 60, gasRate: s.rate };
    const startSecs = start;
    start += phase.durationSecs;
    return { ...phase, startSecs };
  });
  const offeredUntil = (t: number): number =>
    phases.reduce((gas, p) => (t <= p.startSecs ? gas : gas + cumulativeGas({ rate: p.gasRate, durationSecs: p.durationSecs }, t - p.startSecs)), 0);

  const series: SecondSample[] = [];
  const phaseReports: PhaseReport[] = phases.map((p, index) => {
    const spec = specs[index]!;
    const seconds: SecondSample[] = [];
    let achieved = 0;
    for (let k = 0; k < p.durationSecs; k++) {
      const t = p.startSecs + k;
      const offered = offeredUntil(t + 1) - offeredUntil(t);
      const delivery = spec.delivery?.(k, t) ?? 1;
      achieved += offered * delivery;
      const included = (offeredUntil(t + 1 - lag) - offeredUntil(t - lag)) * delivery;
      const p99 = spec.p99 ? spec.p99(k, t) : 400;
      seconds.push({
        t,
        phaseIndex: index,
        offeredGasPerSec: offered,
        acceptedGasPerSec: offered,
        includedGasPerSec: included,
        offeredTxPerSec: offered / TX_GAS,
        acceptedTxPerSec: offered / TX_GAS,
        includedTxPerSec: included / TX_GAS,
        errors: (offered / TX_GAS) * (spec.errorRate ?? 0),
        p50InclusionMs: p99 === null ? null : spec.p50 ? spec.p50(k, t) : 300,
        p99InclusionMs: p99,
        baseFeeWei: spec.baseFee ? spec.baseFee(k, t) : BASE_FEE,
      });
    }
    series.push(...seconds);
    const submitted = seconds.reduce((s, x) => s + x.offeredTxPerSec, 0);
    const errors = seconds.reduce((s, x) => s + x.errors, 0);
    const p99s = seconds.map((s) => s.p99InclusionMs).filter((v): v is number => v !== null);
    const p50s = seconds.map((s) => s.p50InclusionMs).filter((v): v is number => v !== null);
    return {
      index,
      name: p.name,
      durationSecs: p.durationSecs,
      offeredGasPerSec: offeredUntil(p.startSecs + p.durationSecs) - offeredUntil(p.startSecs),
      achievedGasPerSec: achieved / p.durationSecs,
      achievedTxPerSec: achieved / TX_GAS / p.durationSecs,
      latency: latencySet(percentile(p50s, 0.5), percentile(p99s, 0.99), p99s.length),
      txSubmitted: submitted,
      txAccepted: submitted,
      txIncluded: achieved / TX_GAS,
      txReverted: 0,
      txFailed: errors,
      txTimeout: 0,
      sendsLate: 0,
      sendsDropped: 0,
      gasOffered: offeredUntil(p.startSecs + p.durationSecs) - offeredUntil(p.startSecs),
      gasIncluded: achieved,
      errorsByClass: {},
    };
  });
  (options.drain ?? []).forEach((d, i) => {
    series.push({
      t: start + i,
      phaseIndex: phases.length - 1,
      offeredGasPerSec: 0,
      acceptedGasPerSec: 0,
      includedGasPerSec: d.includedTx * TX_GAS,
      offeredTxPerSec: 0,
      acceptedTxPerSec: 0,
      includedTxPerSec: d.includedTx,
      errors: 0,
      p50InclusionMs: d.p99,
      p99InclusionMs: d.p99,
      baseFeeWei: BASE_FEE,
    });
  });
  return { phases: phases.map(({ startSecs: _start, ...p }) => p), phaseReports, series };
}

/** Small, fixed wobble (no randomness): +-30 ms around a level, never two seconds alike in a row. */
function wobble(t: number): number {
  return [0, 25, -20, 10, -30, 15, -5, 30, -15, 5][t % 10]!;
}

/** Five one-minute steps as in scenarios/ramp-to-saturation.yaml, each behaving as `at(rate)` says. */
function rampOfSteps(at: (gasPerSec: number) => Omit<PhaseSpec, 'rate'>, rates = [1, 5, 10, 25, 50]): EnvelopeInput {
  return buildRun(rates.map((r) => ({ name: `step-${r}mgas`, rate: sustained(r * M), ...at(r * M) })));
}

const flat = (level = 400) => (_k: number, t: number) => level + wobble(t);

/** Latency that climbs to `plateau` over the first 10 s of the step and stays there. */
const knee = (plateau: number) => (k: number, t: number) => (k < 10 ? 400 + ((plateau - 400) * (k + 1)) / 10 : plateau) + wobble(t);

/** Latency that climbs without stopping: a queue that only grows. */
const runaway = (from: number, perSec: number) => (k: number) => from + perSec * k;

/** The knee at 25 Mgas/s, latency running away at 50. */
const kneeAt25 = (rate: number): Omit<PhaseSpec, 'rate'> =>
  rate < 25 * M ? { p99: flat() } : rate === 25 * M ? { p99: knee(1500) } : { p99: runaway(1500, 80) };

describe('a ramp of steps', () => {
  it('finds the safe rate, the onset and the instability threshold of a clean knee at 25 Mgas/s', () => {
    const env = computeEnvelope(rampOfSteps(kneeAt25));
    expect(env.method).toBe('steps');
    expect(env.steps.map((s) => [s.label, s.offeredGasPerSec, s.state])).toEqual([
      ['step-1mgas', 1 * M, 'healthy'],
      ['step-5mgas', 5 * M, 'healthy'],
      ['step-10mgas', 10 * M, 'healthy'],
      ['step-25mgas', 25 * M, 'degraded'],
      ['step-50mgas', 50 * M, 'unstable'],
    ]);
    expect(env.safeSustainedGasPerSec).toBe(10 * M);
    expect(env.degradationOnsetGasPerSec).toBe(25 * M);
    expect(env.instabilityThresholdGasPerSec).toBe(50 * M);
    expect(env.steps[3]!.why.join()).toBe('p99 inclusion 1,530 ms above 680 ms (reference 430 ms + 250 ms), 58 consecutive seconds above it');
    expect(env.steps[4]!.why.join()).toContain('still rising through the step: +80 ms/s');
    expect(env.steps[0]).toMatchObject({ phaseIndex: 0, fromSecs: 0, toSecs: 60, errorRate: 0, baseFeeRise: 1, achievedGasPerSec: 1 * M, why: [] });
  });

  it('takes the lowest-offered step as the reference, wherever it comes in the run', () => {
    // 10 Mgas/s first at 600 ms, then 1 Mgas/s at 300 ms: against 300 ms, 600 ms is degraded.
    const input = buildRun([
      { rate: sustained(10 * M), p99: () => 600 },
      { rate: sustained(1 * M), p99: () => 300 },
      { rate: sustained(25 * M), p99: () => 600 },
    ]);
    const env = computeEnvelope(input);
    expect(env.degradationOnsetGasPerSec).toBe(10 * M);
    expect(env.safeSustainedGasPerSec).toBe(1 * M);
    expect(env.steps[0]!.why[0]).toContain('reference 300 ms');
  });

  it('needs p99 above the reference by the margin and by the absolute floor', () => {
    const at = (reference: number, step: number) =>
      computeEnvelope(buildRun([{ rate: sustained(1 * M), p99: () => reference }, { rate: sustained(10 * M), p99: () => step }])).steps[1]!.state;
    // 20 ms -> 30 ms is +50% but 10 ms: no degradation.
    expect(at(20, 30.1)).toBe('healthy');
    expect(at(20, 20 + LATENCY_FLOOR_MS + 1)).toBe('degraded');
    // 1,000 ms -> 1,300 ms is past the floor but not +50%.
    expect(at(1000, 1300)).toBe('healthy');
    expect(at(1000, 1000 * (1 + LATENCY_MARGIN) + 1)).toBe('degraded');
  });

  it('reports errors appearing at 50 Mgas/s as the onset, and as instability once above the larger bound', () => {
    const errorsAt50 = (errorRate: number) => rampOfSteps((r) => ({ p99: flat(), errorRate: r === 50 * M ? errorRate : 0 }));

    const degraded = computeEnvelope(errorsAt50(0.03));
    expect(degraded.degradationOnsetGasPerSec).toBe(50 * M);
    expect(degraded.safeSustainedGasPerSec).toBe(25 * M);
    expect(degraded.instabilityThresholdGasPerSec).toBeNull();
    expect(degraded.steps[4]!.why).toEqual([`error rate 3%, more than 1% above the reference's 0%`]);
    expect(degraded.firstBottleneck?.signal).toBe('errors');

    const unstable = computeEnvelope(errorsAt50(ERROR_RATE_UNSTABLE + 0.02));
    expect(unstable.steps[4]!.state).toBe('unstable');
    expect(unstable.instabilityThresholdGasPerSec).toBe(50 * M);

    const below = computeEnvelope(errorsAt50(ERROR_RATE_DEGRADED * 0.9));
    expect(below.degradationOnsetGasPerSec).toBeNull();
  });

  it('counts only the errors above those the reference step already had', () => {
    const env = computeEnvelope(rampOfSteps(() => ({ p99: flat(), errorRate: 0.02 })));
    expect(env.degradationOnsetGasPerSec).toBeNull();
    expect(env.note).toContain("The reference step 'step-1mgas' already had 2% errors");
    const worse = computeEnvelope(rampOfSteps((r) => ({ p99: flat(), errorRate: r >= 25 * M ? 0.035 : 0.02 })));
    expect(worse.degradationOnsetGasPerSec).toBe(25 * M);
  });

  it('marks a step that includes less than 95% of its offer degraded, and less than 80% unstable', () => {
    const shortfall = (ratio: number) => computeEnvelope(rampOfSteps((r) => ({ p99: flat(), delivery: () => (r === 25 * M ? ratio : 1) }))).steps[3]!;
    expect(shortfall(0.96).state).toBe('healthy');
    expect(shortfall(THROUGHPUT_DEGRADED_RATIO - 0.01)).toMatchObject({ state: 'degraded', why: ['achieved 94% of offered (< 95%)'] });
    expect(shortfall(THROUGHPUT_UNSTABLE_RATIO - 0.01)).toMatchObject({ state: 'unstable', why: ['achieved 79% of offered (< 80%), unstable'] });
  });

  it('tells a step whose latency settled on a higher plateau (degraded) from one still climbing (unstable)', () => {
    const plateau = computeEnvelope(rampOfSteps((r) => ({ p99: r >= 25 * M ? knee(3000) : flat() })));
    expect(plateau.steps[3]!.state).toBe('degraded');
    expect(plateau.instabilityThresholdGasPerSec).toBeNull();
    // Climbing 20 ms/s: 600 ms over the second half, more than the 250 ms excess.
    const climbing = computeEnvelope(rampOfSteps((r) => ({ p99: r >= 25 * M ? runaway(400, 20) : flat() })));
    expect(climbing.steps[3]!.state).toBe('unstable');
    expect(climbing.instabilityThresholdGasPerSec).toBe(25 * M);
    // Climbing 5 ms/s: 150 ms over the second half, within the excess: not yet a runaway.
    const slow = computeEnvelope(rampOfSteps((r) => ({ p99: r >= 25 * M ? runaway(400, 5) : flat() })));
    expect(slow.steps[3]!.why.join()).not.toContain('still rising');
  });

  it('does not read a late jump in latency as a steady climb', () => {
    // The last 4 s at 2,000 ms: a line through the second half rises 1,000 ms but fits badly (r² 0.35).
    const env = computeEnvelope(rampOfSteps((r) => ({ p99: (k, t) => (r === 25 * M && k >= 56 ? 2000 : flat()(k, t)) })));
    expect(env.steps[3]!.state).toBe('degraded');
    expect(env.instabilityThresholdGasPerSec).toBeNull();
  });

  it('keeps the safe rate below the onset even when a higher step looked healthy', () => {
    const env = computeEnvelope(rampOfSteps((r) => ({ p99: r === 25 * M ? knee(1500) : flat() })));
    expect(env.steps[4]!.state).toBe('healthy');
    expect(env.degradationOnsetGasPerSec).toBe(25 * M);
    expect(env.safeSustainedGasPerSec).toBe(10 * M);
  });

  it('never degrading: safe sustained is the highest step, onset and instability are null', () => {
    const env = computeEnvelope(rampOfSteps(() => ({ p99: flat() })));
    expect(env.method).toBe('steps');
    expect(env.steps.every((s) => s.state === 'healthy')).toBe(true);
    expect(env.safeSustainedGasPerSec).toBe(50 * M);
    expect(env.degradationOnsetGasPerSec).toBeNull();
    expect(env.instabilityThresholdGasPerSec).toBeNull();
    expect(env.firstBottleneck).toBeNull();
    expect(env.note).toContain('No step degraded up to 50,000,000 gas/s: the degradation onset lies above the tested range.');
  });

  it('has no safe rate when the lowest step is already degraded', () => {
    const env = computeEnvelope(rampOfSteps(() => ({ p99: flat(), delivery: () => 0.9 })));
    expect(env.degradationOnsetGasPerSec).toBe(1 * M);
    expect(env.safeSustainedGasPerSec).toBeNull();
    expect(env.note).toContain('the safe rate lies below the tested range');
  });

  it('judges steps after the peak but keeps them out of the envelope', () => {
    // Back down to 5 Mgas/s after 50: latency there is still high from the backlog.
    const input = buildRun([
      ...[1, 5, 10, 25, 50].map((r) => ({ rate: sustained(r * M), p99: flat() })),
      { rate: sustained(5 * M), p99: (k: number) => (k < 30 ? 3000 : 400) },
    ]);
    const env = computeEnvelope(input);
    expect(env.steps[5]!.state).not.toBe('healthy');
    expect(env.degradationOnsetGasPerSec).toBeNull();
    expect(env.safeSustainedGasPerSec).toBe(50 * M);
    expect(env.note).toContain('1 step(s) after the peak offered rate are judged but do not define the envelope');
  });
});

describe('noise', () => {
  it('one bad second does not trip the onset, even when it sets the phase p99', () => {
    const spike = (at: number, seconds: number) => (rate: number): Omit<PhaseSpec, 'rate'> => ({
      p99: (k, t) => (rate === 10 * M && k >= at && k < at + seconds ? 5000 : flat()(k, t)),
    });
    const input = rampOfSteps(spike(45, 1));
    expect(input.phaseReports[2]!.latency.inclusion.corrected.p99).toBe(5000);
    const env = computeEnvelope(input);
    expect(env.steps[2]!.state).toBe('healthy');
    expect(env.degradationOnsetGasPerSec).toBeNull();
    // Two bad seconds in a row are a persistent rise.
    const twice = computeEnvelope(rampOfSteps(spike(45, 2)));
    expect(twice.steps[2]).toMatchObject({ state: 'degraded' });
    expect(twice.steps[2]!.why[0]).toContain('2 consecutive seconds above it');
  });

  it('two bad seconds apart are not two in a row', () => {
    const input = rampOfSteps((rate) => ({ p99: (k, t) => (rate === 10 * M && (k === 20 || k === 40) ? 5000 : flat()(k, t)) }));
    expect(computeEnvelope(input).steps[2]!.state).toBe('healthy');
  });
});

describe('a ramp phase', () => {
  // 1 -> 61 Mgas/s over 120 s: 0.5 Mgas/s more each second; latency knees above 30 Mgas/s.
  const rate: GasRate = { type: 'ramp', startGasPerSec: 1 * M, endGasPerSec: 61 * M };
  const rateAt = (t: number) => 1 * M + 0.5 * M * (t + 0.5);
  const kneeAt30 = (_k: number, t: number) => 400 + Math.max(0, (rateAt(t) - 30 * M) / M) * 100;

  it('is cut into windows of RAMP_WINDOW_SECS, each a step at its mean offered rate', () => {
    const env = computeEnvelope(buildRun([{ name: 'ramp-up', durationSecs: 120, rate, p99: kneeAt30 }], { inclusionLagSecs: 0.3 }));
    expect(env.steps).toHaveLength(120 / RAMP_WINDOW_SECS);
    expect(env.steps.slice(0, 2).map((s) => [s.label, s.fromSecs, s.toSecs, s.offeredGasPerSec])).toEqual([
      ['ramp-up 0-10s', 0, 10, 3.5 * M],
      ['ramp-up 10-20s', 10, 20, 8.5 * M],
    ]);
    expect(env.method).toBe('steps');
  });

  it('places the onset at the first window whose p99 crosses, the safe rate at the window before', () => {
    const env = computeEnvelope(buildRun([{ name: 'ramp-up', durationSecs: 120, rate, p99: kneeAt30 }], { inclusionLagSecs: 0.3 }));
    // Window 60-70 s: per-second excess 125..575 ms; weighted toward the fuller later seconds,
    // 356 ms over 400 ms: 756 ms > 650 ms.
    expect(env.steps[6]!.p99InclusionMs).toBe(756.2);
    expect(env.degradationOnsetGasPerSec).toBe(33.5 * M);
    expect(env.safeSustainedGasPerSec).toBe(28.5 * M);
    expect(env.steps.slice(0, 6).every((s) => s.state === 'healthy')).toBe(true);
  });

  it('sets a window\'s included gas against the gas offered one reference median latency earlier', () => {
    // Included gas trails the ramp by 300 ms: against the unshifted offer the first window would
    // read 94.9% delivered and count as degraded.
    const env = computeEnvelope(buildRun([{ name: 'ramp-up', durationSecs: 120, rate, p99: kneeAt30, p50: () => 300 }], { inclusionLagSecs: 0.3 }));
    expect(env.steps[0]!.achievedGasPerSec / env.steps[0]!.offeredGasPerSec).toBeLessThan(THROUGHPUT_DEGRADED_RATIO);
    expect(env.steps[0]!.state).toBe('healthy');
    // With no latency to explain it, the same shortfall is one.
    const instant = computeEnvelope(buildRun([{ name: 'ramp-up', durationSecs: 120, rate, p99: kneeAt30, p50: () => 0 }], { inclusionLagSecs: 0.3 }));
    expect(instant.steps[0]!.state).toBe('degraded');
  });

  it('weights a window\'s p99 by the transactions included in each second', () => {
    // A second that includes almost nothing cannot drag the window's p99 up.
    const input = buildRun([
      { durationSecs: 10, rate: sustained(1 * M) },
      { durationSecs: 10, rate: { type: 'ramp', startGasPerSec: 5 * M, endGasPerSec: 5 * M }, p99: (k) => (k === 0 ? 10_000 : 400) },
    ]);
    const series = input.series.map((s) => (s.t === 10 ? { ...s, includedTxPerSec: 0.001 } : s));
    const env = computeEnvelope({ ...input, series });
    expect(env.steps[1]!.p99InclusionMs).toBeCloseTo(400, 0);
  });
});

describe('fewer than two load levels', () => {
  it('a single sustained phase has method none and says why', () => {
    const env = computeEnvelope(buildRun([{ name: 'main', rate: sustained(2 * M), p99: flat() }]));
    expect(env.method).toBe('none');
    expect(env.safeSustainedGasPerSec).toBeNull();
    expect(env.degradationOnsetGasPerSec).toBeNull();
    expect(env.instabilityThresholdGasPerSec).toBeNull();
    expect(env.firstBottleneck).toBeNull();
    expect(env.steps).toHaveLength(1);
    expect(env.note).toMatch(/^The run offered a single load level \(2,000,000 gas\/s\): an envelope needs at least two load levels/);
  });

  it('two phases within 5% of each other are one level; 6% apart are two', () => {
    const two = (second: number) => computeEnvelope(buildRun([{ rate: sustained(10 * M) }, { rate: sustained(second) }])).method;
    expect(two(10.4 * M)).toBe('none');
    expect(two(10.6 * M)).toBe('steps');
  });

  it('a run of bursts and idle phases has no steps', () => {
    const env = computeEnvelope(buildRun([
      { rate: { type: 'burst', baselineGasPerSec: 1 * M, peakGasPerSec: 20 * M, burstDurationSecs: 10, intervalSecs: 30 } },
      { rate: sustained(0), p99: () => null },
    ]));
    expect(env.method).toBe('none');
    expect(env.steps).toEqual([]);
    expect(env.note).toContain('The run has no load steps');
    expect(env.note).toContain("Phase 'phase-0' is a burst, not a step");
  });
});

describe('recovery half-life', () => {
  // 30 s at 2 Mgas/s, then a burst to 40 Mgas/s for 10 s (t = 30..39); the load drops at 40 s.
  const burstRun = (afterDrop: (j: number) => number) =>
    buildRun([
      { rate: sustained(2 * M), durationSecs: 30, p99: () => 400 },
      {
        rate: { type: 'burst', baselineGasPerSec: 2 * M, peakGasPerSec: 40 * M, burstDurationSecs: 10, intervalSecs: 60 },
        durationSecs: 60,
        p99: (k) => (k < 10 ? 400 + (1600 * (k + 1)) / 10 : afterDrop(k - 10)),
      },
    ]);
  const halving = (halfLife: number) => (j: number) => 400 + 1600 * 2 ** (-j / halfLife);

  it('is the seconds from the end of a burst until the excess p99 has halved, known by construction', () => {
    for (const h of [2, 4, 7]) expect(computeEnvelope(burstRun(halving(h))).recoveryHalfLifeSecs).toBe(h);
    const env = computeEnvelope(burstRun(halving(4)));
    expect(env.method).toBe('none');
    expect(env.note).toContain('after the drop from 40,000,000 to 2,000,000 gas/s at 40 s, the excess p99 inclusion peaked at 1,600 ms');
  });

  it('needs the excess to stay halved: one low second is not the crossing', () => {
    const dip = (j: number) => (j === 1 ? 400 : halving(4)(j));
    expect(computeEnvelope(burstRun(dip)).recoveryHalfLifeSecs).toBe(4);
  });

  it('runs the clock from the drop, taking the excess at its peak even when that comes after it', () => {
    // Queued transactions keep arriving late: the peak is 2 s after the drop, then halves 3 s later.
    const late = (j: number) => (j < 2 ? 400 + 1400 + 100 * j : j === 2 ? 2400 : 400 + 2000 * 2 ** (-(j - 2) / 3));
    expect(computeEnvelope(burstRun(late)).recoveryHalfLifeSecs).toBe(5);
  });

  it('is null, with a note, when the excess never halves before the load rises again', () => {
    const env = computeEnvelope(burstRun(() => 1900));
    expect(env.recoveryHalfLifeSecs).toBeNull();
    expect(env.note).toContain('had not halved by 90 s');
  });

  it('is 0 when there was no excess to recover from', () => {
    const calm = buildRun([
      { rate: sustained(2 * M), durationSecs: 30, p99: () => 400 },
      { rate: { type: 'burst', baselineGasPerSec: 2 * M, peakGasPerSec: 40 * M, burstDurationSecs: 10, intervalSecs: 60 }, durationSecs: 60, p99: () => 500 },
    ]);
    expect(computeEnvelope(calm).recoveryHalfLifeSecs).toBe(0);
  });

  it('is null when the load never dropped', () => {
    const env = computeEnvelope(rampOfSteps(kneeAt25));
    expect(env.recoveryHalfLifeSecs).toBeNull();
    expect(env.note).toContain('the load never dropped to half or less');
  });

  it('after a step down from the peak: linear drain, from the heaviest drop', () => {
    // 4,000 ms at 50 Mgas/s, then at 1 Mgas/s the excess falls by 180 ms/s: half of 3,600 at 10 s.
    const input = buildRun([
      { rate: sustained(1 * M), p99: () => 400 },
      { rate: sustained(10 * M), p99: () => 400 },
      { rate: sustained(50 * M), p99: (k) => (k < 50 ? 400 : 4000) },
      { rate: sustained(1 * M), p99: (k) => Math.max(400, 4000 - 180 * k) },
    ]);
    const env = computeEnvelope(input);
    expect(env.recoveryHalfLifeSecs).toBe(10);
    expect(env.degradationOnsetGasPerSec).toBe(50 * M);
  });

  it('with bursts only, measures the excess from the median p99 at the lowest offered rate', () => {
    // One burst phase: 20 s at 40 Mgas/s every 60 s over 2 Mgas/s; after each burst the excess halves in 3 s.
    const p99 = (k: number) => {
      const inPeriod = k % 60;
      return inPeriod < 20 ? 400 + 80 * inPeriod : 400 + 1600 * 2 ** (-(inPeriod - 20) / 3);
    };
    const env = computeEnvelope(buildRun([{ rate: { type: 'burst', baselineGasPerSec: 2 * M, peakGasPerSec: 40 * M, burstDurationSecs: 20, intervalSecs: 60 }, durationSecs: 120, p99 }]));
    expect(env.method).toBe('none');
    expect(env.recoveryHalfLifeSecs).toBe(3);
    expect(env.note).toContain('the reference p99 is the median per-second p99 at the lowest offered rate (4');
  });

  it('of several drops, reports the one from the highest offered rate', () => {
    // Down from 20 Mgas/s at 60 s (recovers in 2 s), later down from 50 Mgas/s at 120 s (in 6 s).
    const decay = (halfLife: number) => (k: number) => 400 + 1600 * 2 ** (-k / halfLife);
    const input = buildRun([
      { rate: sustained(1 * M), durationSecs: 30, p99: () => 400 },
      { rate: sustained(20 * M), durationSecs: 30, p99: () => 2000 },
      { rate: sustained(1 * M), durationSecs: 30, p99: decay(2) },
      { rate: sustained(50 * M), durationSecs: 30, p99: () => 2000 },
      { rate: sustained(1 * M), durationSecs: 30, p99: decay(6) },
    ]);
    const env = computeEnvelope(input);
    expect(env.recoveryHalfLifeSecs).toBe(6);
    expect(env.note).toContain('after the drop from 50,000,000 to 1,000,000 gas/s at 120 s');
  });

  it('with no load after the drop, a second that includes nothing counts as recovered', () => {
    // Three seconds of queued transactions at 4,000 ms, then nothing left to include.
    const input = buildRun([
      { rate: sustained(1 * M), p99: () => 400 },
      { rate: sustained(50 * M), p99: () => 4000 },
      { rate: sustained(0), durationSecs: 20, p99: (k) => (k < 3 ? 4000 : null) },
    ]);
    const series = input.series.map((s) => (s.p99InclusionMs === null ? { ...s, includedTxPerSec: 0 } : s));
    expect(computeEnvelope({ ...input, series }).recoveryHalfLifeSecs).toBe(3);
  });

  it('counts the end of the run as a drop when the series runs on past it', () => {
    const input = buildRun([{ rate: sustained(1 * M), p99: () => 400 }, { rate: sustained(50 * M), p99: () => 4000 }], {
      drain: [
        { p99: 4000, includedTx: 500 },
        { p99: 2000, includedTx: 100 },
        { p99: 1000, includedTx: 20 },
        { p99: null, includedTx: 0 },
        { p99: null, includedTx: 0 },
      ],
    });
    expect(computeEnvelope(input).recoveryHalfLifeSecs).toBe(1);
  });
});

describe('first bottleneck', () => {
  /** Base fee rising from the start of the 10 Mgas/s step onward. */
  const feeFrom = (fromRate: number, perSec: number) => (rate: number) => (rate >= fromRate ? (k: number) => BASE_FEE * (1 + perSec * k) : () => BASE_FEE);

  it('latency first: latency crossed at the onset while the base fee stayed flat', () => {
    const env = computeEnvelope(rampOfSteps(kneeAt25));
    expect(env.firstBottleneck?.signal).toBe('latency');
    expect(env.firstBottleneck!.evidence).toMatch(/^latency moved first: at 25,000,000 gas\/s \(step-25mgas\) p99 inclusion 1,530 ms against 430 ms at the reference, threshold 680 ms\./);
    expect(env.firstBottleneck!.evidence).toContain('Did not move: errors (error rate 0%, reference 0%); throughput (achieved 100% of offered);');
    expect(env.firstBottleneck!.evidence).toContain('base fee (base fee x1.00 over the step)');
    expect(env.firstBottleneck!.evidence).toContain('No data: gas backlog.');
  });

  it('base fee first: it rose at 10 Mgas/s, before latency degraded at 25', () => {
    const fee = feeFrom(10 * M, 0.3 / 59);
    const env = computeEnvelope(rampOfSteps((r) => ({ ...kneeAt25(r), baseFee: fee(r) })));
    expect(env.degradationOnsetGasPerSec).toBe(25 * M);
    expect(env.firstBottleneck?.signal).toBe('base-fee');
    expect(env.firstBottleneck!.evidence).toMatch(/^base fee moved first: at 10,000,000 gas\/s \(step-10mgas\) base fee x1\.30 over the step\./);
    expect(env.firstBottleneck!.evidence).toContain('also moved: latency (p99 inclusion');
  });

  it('a base fee rise below BASE_FEE_RISE_SIGNAL does not count', () => {
    const small = (BASE_FEE_RISE_SIGNAL - 1) / 2 / 59;
    const env = computeEnvelope(rampOfSteps((r) => ({ ...kneeAt25(r), baseFee: feeFrom(10 * M, small)(r) })));
    expect(env.firstBottleneck?.signal).toBe('latency');
  });

  it('gas backlog first: on Nitro the backlog grows before the base fee moves', () => {
    const input = rampOfSteps((r) => ({ ...kneeAt25(r), baseFee: feeFrom(10 * M, 0.005)(r) }));
    // From the 5 Mgas/s step (t = 60..119) the backlog grows by 0.5 Mgas each second: 6 s of load by the end of the step.
    const gasBacklog: GasBacklogSample[] = Array.from({ length: 300 }, (_, t) => ({ t, backlogGas: t < 60 ? 0 : (t - 60) * 0.5 * M }));
    const env = computeEnvelope({ ...input, gasBacklog });
    expect(env.firstBottleneck?.signal).toBe('gas-backlog');
    expect(env.firstBottleneck!.evidence).toMatch(/^gas backlog moved first: at 5,000,000 gas\/s \(step-5mgas\) gas backlog grew by 29,500,000 gas \(5\.9 s of offered load\)/);
    expect(env.firstBottleneck!.evidence).not.toContain('No data');
  });

  it('confidence is in [0, 1] and grows when other signals agree at the onset', () => {
    const alone = computeEnvelope(rampOfSteps(kneeAt25)).firstBottleneck!;
    const withThroughput = computeEnvelope(rampOfSteps((r) => ({ ...kneeAt25(r), delivery: () => (r >= 25 * M ? 0.93 : 1) }))).firstBottleneck!;
    expect(withThroughput.signal).toBe('latency');
    expect(alone.confidence).toBeGreaterThan(0);
    expect(withThroughput.confidence).toBeLessThanOrEqual(1);
    expect(withThroughput.confidence).toBeGreaterThan(alone.confidence);
  });

  it('confidence falls when another signal nearly tied at the same step', () => {
    const clear = computeEnvelope(rampOfSteps((r) => ({ p99: r >= 25 * M ? knee(2000) : flat() }))).firstBottleneck!;
    // Throughput at 95.5%: not crossed, but 0.9 of its threshold at the same step.
    const close = computeEnvelope(rampOfSteps((r) => ({ p99: r >= 25 * M ? knee(2000) : flat(), delivery: () => (r >= 25 * M ? 0.9545 : 1) }))).firstBottleneck!;
    expect(close.signal).toBe('latency');
    expect(close.confidence).toBeLessThan(clear.confidence);
  });

  it('is null when nothing degraded', () => {
    expect(computeEnvelope(rampOfSteps((r) => ({ p99: flat(), baseFee: feeFrom(5 * M, 0.01)(r) }))).firstBottleneck).toBeNull();
  });
});

describe('determinism', () => {
  it('gives the same envelope for the same input, in any series order', () => {
    const input = rampOfSteps(kneeAt25);
    const shuffled = { ...input, series: [...input.series].reverse() };
    expect(computeEnvelope(shuffled)).toEqual(computeEnvelope(input));
  });
});

