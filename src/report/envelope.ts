// The capacity envelope of a run: which load steps the chain held, where it began to degrade,
// where it became unstable, which signal gave way first, and how fast latency recovered once
// the load dropped. Pure and deterministic: the same plan, phase reports and per-second series
// give the same envelope on every machine. docs/report.md (Capacity envelope) states every rule in words.

import type { PhasePlan } from '../scenario/compile.js';
import { cumulativeGas } from '../workload/gas-curve.js';
import type { BottleneckSignal, CapacityEnvelope, EnvelopeStep, PhaseReport, SecondSample } from './report-types.js';

// ---- Thresholds -------------------------------------------------------------------------

/**
 * Length of the windows a ramp (or custom) phase is cut into. Ten per-second samples are the
 * fewest that give a usable p99 estimate and a slope, while a 5-minute ramp still yields 30
 * steps, fine enough to place the knee within a few percent of the rate.
 */
export const RAMP_WINDOW_SECS = 10;

/**
 * A step's p99 inclusion must exceed the reference's by this fraction to count as degraded. A
 * healthy chain's p99 moves by 20-30% between steps from block timing alone; a queue that has
 * started to build pushes it well past half again within seconds.
 */
export const LATENCY_MARGIN = 0.5;

/**
 * ... and by at least this many milliseconds: one Nitro block (250 ms by default), the
 * resolution at which inclusion is observed. A 20 ms -> 30 ms rise is +50% but not degradation.
 */
export const LATENCY_FLOOR_MS = 250;

/**
 * Per-second p99 must stay above the degradation threshold for this many consecutive seconds
 * in the step, so one bad second (a GC pause, a slow block) does not mark a step degraded.
 * Seconds, not whole steps: requiring two degraded steps would put the onset one step late.
 */
export const LATENCY_PERSISTENCE_SECS = 2;

/** Degraded below this share of the offered gas included: 5% covers calibration error of gas estimates. */
export const THROUGHPUT_DEGRADED_RATIO = 0.95;

/** Unstable below this share: a fifth of the load left behind is a queue that can only grow. */
export const THROUGHPUT_UNSTABLE_RATIO = 0.8;

/**
 * Degraded when the error rate (failed sends and timeouts over submitted) exceeds the
 * reference step's by this much: errors the chain already had at the lowest load are not
 * caused by load; one transaction in a hundred more is.
 */
export const ERROR_RATE_DEGRADED = 0.01;

/** Unstable when the error rate exceeds the reference's by this much: users would see it. */
export const ERROR_RATE_UNSTABLE = 0.05;

/** Fewest per-second p99 samples in a step's second half for the growth test: a slope from fewer is noise. */
export const GROWTH_MIN_SECONDS = 5;

/**
 * Smallest r² of the growth fit: latency that climbs steadily fits a line (r² near 1), random
 * noise or one late spike does not (r² near 1/n).
 */
export const GROWTH_MIN_R2 = 0.5;

/**
 * Offered rates within this fraction of each other are one load level: a run needs two levels
 * further apart than this for an envelope. Also how far the load must rise again to end a
 * recovery window.
 */
export const LEVEL_TOLERANCE = 0.05;

/**
 * Base fee rising by this factor within a step is a pricing signal. Nitro's L2 base fee stays
 * at its floor until the gas backlog exceeds its tolerance; any clear rise means the chain is
 * above its speed limit. 10% is beyond the drift of an EIP-1559 devnet at light load.
 */
export const BASE_FEE_RISE_SIGNAL = 1.1;

/**
 * Gas backlog (ArbGasInfo.getGasBacklog) growing within a step by this many seconds of the
 * step's offered gas is a pricing signal: a block's worth of jitter is a quarter of a second,
 * a whole second more means gas arrives faster than the speed limit drains it.
 */
export const BACKLOG_GROWTH_SIGNAL_SECS = 1;

/** A signal at this multiple of its own threshold counts as fully convincing in the confidence. */
export const STRONG_SIGNAL_MULTIPLE = 2;

/**
 * The load has dropped when the offered gas of one second is at most this share of the
 * second before. Smaller cuts leave a loaded chain near its limit, where latency falls slowly
 * because of the new load, not because the chain is recovering.
 */
export const RECOVERY_DROP_RATIO = 0.5;

/**
 * The excess must stay at or below half for this many consecutive seconds to count as the
 * crossing, so one lucky second does not end the recovery early.
 */
export const RECOVERY_HOLD_SECS = 2;

/** The excess the recovery starts from is the highest per-second excess this many seconds before the drop... */
export const RECOVERY_PEAK_LOOKBACK_SECS = 5;

/** ...to this many seconds after it: transactions queued before the drop are included after it. */
export const RECOVERY_PEAK_LOOKAHEAD_SECS = 10;

// ---- Input --------------------------------------------------------------------------------

/** A phase as the plan gives it; RunPlan.phases fit as they are. Phases follow each other from t = 0. */
export type EnvelopePhase = Pick<PhasePlan, 'index' | 'name' | 'durationSecs' | 'gasRate'>;

/** Nitro's ArbGasInfo.getGasBacklog read once a second; `t` as in SecondSample. */
export interface GasBacklogSample {
  readonly t: number;
  readonly backlogGas: number;
}

export interface EnvelopeInput {
  /** In run order. */
  readonly phases: readonly EnvelopePhase[];
  /** One per phase, matched by `index`. */
  readonly phaseReports: readonly PhaseReport[];
  readonly series: readonly SecondSample[];
  /** Absent on targets without ArbGasInfo (the embedded devnet). */
  readonly gasBacklog?: readonly GasBacklogSample[];
}

// ---- Steps --------------------------------------------------------------------------------

interface PhaseSpan extends EnvelopePhase {
  readonly startSecs: number;
}

interface StepDraft {
  readonly label: string;
  readonly phaseIndex: number;
  readonly fromSecs: number;
  readonly toSecs: number;
  readonly offeredGasPerSec: number;
  readonly achievedGasPerSec: number;
  readonly p99InclusionMs: number | null;
  readonly p50InclusionMs: number | null;
  readonly errorRate: number;
  readonly baseFeeRise: number | null;
  /** The step's per-second samples, by t. */
  readonly seconds: readonly SecondSample[];
  /**
   * 'phase': gas is counted by the phase of its send, so achieved / offered is exact.
   * 'window': gas is counted by the second it was included, which lags the send.
   */
  readonly kind: 'phase' | 'window';
}

/** Gas offered by the plan from the start of the run to `t` seconds. */
function offeredGasUntil(phases: readonly PhaseSpan[], t: number): number {
  let gas = 0;
  for (const p of phases) {
    if (t <= p.startSecs) break;
    gas += cumulativeGas({ rate: p.gasRate, durationSecs: p.durationSecs }, t - p.startSecs);
  }
  return gas;
}

/** Weighted by transactions included in each second, so a near-empty second weighs little. */
function weightedMean(seconds: readonly SecondSample[], value: (s: SecondSample) => number | null): number | null {
  let sum = 0;
  let weight = 0;
  let plainSum = 0;
  let plainCount = 0;
  for (const s of seconds) {
    const v = value(s);
    if (v === null) continue;
    sum += v * s.includedTxPerSec;
    weight += s.includedTxPerSec;
    plainSum += v;
    plainCount++;
  }
  if (weight > 0) return sum / weight;
  return plainCount > 0 ? plainSum / plainCount : null;
}

function baseFeeRiseOf(seconds: readonly SecondSample[]): number | null {
  const fees = seconds.map((s) => s.baseFeeWei).filter((f): f is number => f !== null);
  if (fees.length < 2 || fees[0]! <= 0) return null;
  return fees[fees.length - 1]! / fees[0]!;
}

function roundTenth(x: number | null): number | null {
  return x === null ? null : Math.round(x * 10) / 10;
}

function phaseStep(p: PhaseSpan, report: PhaseReport, seconds: readonly SecondSample[], offered: number): StepDraft {
  const errors = report.txFailed + report.txTimeout;
  return {
    label: p.name,
    phaseIndex: p.index,
    fromSecs: p.startSecs,
    toSecs: p.startSecs + p.durationSecs,
    offeredGasPerSec: offered,
    achievedGasPerSec: report.achievedGasPerSec,
    p99InclusionMs: report.latency.inclusion.corrected.p99,
    p50InclusionMs: report.latency.inclusion.corrected.p50,
    errorRate: report.txSubmitted > 0 ? errors / report.txSubmitted : 0,
    baseFeeRise: baseFeeRiseOf(seconds),
    seconds,
    kind: 'phase',
  };
}

/**
 * A ramp or custom phase cut into windows of about RAMP_WINDOW_SECS. A window's p99 is the
 * mean of its per-second p99s weighted by transactions included: the window's true p99 lies
 * between the lowest and highest per-second p99, the maximum would let one bad second speak for
 * ten, and weighting keeps a near-empty second from counting as much as a full one. Persistence
 * and growth are judged on the per-second values themselves.
 */
function windowSteps(p: PhaseSpan, seconds: readonly SecondSample[], notes: string[]): StepDraft[] {
  const curve = { rate: p.gasRate, durationSecs: p.durationSecs };
  const count = Math.max(1, Math.floor(p.durationSecs / RAMP_WINDOW_SECS));
  const bounds = Array.from({ length: count + 1 }, (_, i) => Math.round((i * p.durationSecs) / count));
  const steps: StepDraft[] = [];
  let empty = 0;
  for (let i = 0; i < count; i++) {
    const from = bounds[i]!;
    const to = bounds[i + 1]!;
    if (to <= from) continue;
    const offered = (cumulativeGas(curve, to) - cumulativeGas(curve, from)) / (to - from);
    if (offered <= 0) continue;
    const inWindow = seconds.filter((s) => s.t >= p.startSecs + from && s.t < p.startSecs + to);
    if (inWindow.length === 0) {
      empty++;
      continue;
    }
    const included = inWindow.reduce((sum, s) => sum + s.includedGasPerSec, 0);
    const offeredTx = inWindow.reduce((sum, s) => sum + s.offeredTxPerSec, 0);
    const errors = inWindow.reduce((sum, s) => sum + s.errors, 0);
    steps.push({
      label: `${p.name} ${from}-${to}s`,
      phaseIndex: p.index,
      fromSecs: p.startSecs + from,
      toSecs: p.startSecs + to,
      offeredGasPerSec: Math.round(offered),
      achievedGasPerSec: Math.round(included / (to - from)),
      p99InclusionMs: roundTenth(weightedMean(inWindow, (s) => s.p99InclusionMs)),
      p50InclusionMs: roundTenth(weightedMean(inWindow, (s) => s.p50InclusionMs)),
      errorRate: offeredTx > 0 ? errors / offeredTx : 0,
      baseFeeRise: baseFeeRiseOf(inWindow),
      seconds: inWindow,
      kind: 'window',
    });
  }
  if (empty > 0) notes.push(`${empty} window(s) of phase '${p.name}' have no per-second samples (did the run end early?) and are not steps.`);
  return steps;
}

function buildSteps(spans: readonly PhaseSpan[], input: EnvelopeInput, series: readonly SecondSample[], notes: string[]): StepDraft[] {
  const reports = new Map(input.phaseReports.map((r) => [r.index, r]));
  const steps: StepDraft[] = [];
  for (const p of spans) {
    if (p.durationSecs <= 0) continue;
    const seconds = series.filter((s) => s.phaseIndex === p.index);
    const rate = p.gasRate;
    switch (rate.type) {
      case 'sustained': {
        // A phase with no load is not a step: it serves the recovery half-life.
        if (rate.gasPerSec <= 0) break;
        const report = reports.get(p.index);
        if (report === undefined) {
          notes.push(`Phase '${p.name}' has no phase report and is not a step.`);
        } else if (report.txSubmitted === 0 && seconds.length === 0) {
          notes.push(`Phase '${p.name}' sent nothing (did the run end before it?) and is not a step.`);
        } else {
          steps.push(phaseStep(p, report, seconds, rate.gasPerSec));
        }
        break;
      }
      case 'ramp':
      case 'custom':
        steps.push(...windowSteps(p, seconds, notes));
        break;
      case 'burst':
        notes.push(`Phase '${p.name}' is a burst, not a step: its rate alternates, so it counts only for the recovery half-life.`);
        break;
    }
  }
  return steps;
}

// ---- Judging a step -----------------------------------------------------------------------

interface Reference {
  readonly step: StepDraft;
  readonly p99: number | null;
  readonly errorRate: number;
  /** Median inclusion latency of the reference, in seconds: how far included gas lags its send when healthy. */
  readonly lagSecs: number;
}

/** The per-step reading of each signal, as a multiple of its own threshold (>= 1: crossed). */
interface SignalReading {
  readonly strength: number;
  readonly crossed: boolean;
  readonly words: string;
}

interface Judgement {
  readonly state: EnvelopeStep['state'];
  readonly why: string[];
  readonly signals: Partial<Record<BottleneckSignal, SignalReading>>;
}

interface LatencyLimits {
  /** Excess over the reference p99 that counts as degradation. */
  readonly excessMs: number;
  readonly thresholdMs: number;
}

function latencyLimits(ref: Reference): LatencyLimits | null {
  if (ref.p99 === null) return null;
  const excessMs = Math.max(ref.p99 * LATENCY_MARGIN, LATENCY_FLOOR_MS);
  return { excessMs, thresholdMs: ref.p99 + excessMs };
}

/** Longest run of consecutive seconds whose p99 is above `limit` (a gap in the series breaks a run). */
function longestRunAbove(seconds: readonly SecondSample[], limit: number): number {
  let best = 0;
  let run = 0;
  let previousT = Number.NaN;
  for (const s of seconds) {
    if (s.p99InclusionMs !== null && s.p99InclusionMs > limit) {
      run = s.t === previousT + 1 ? run + 1 : 1;
      previousT = s.t;
      best = Math.max(best, run);
    } else {
      run = 0;
      previousT = Number.NaN;
    }
  }
  return best;
}

interface Fit {
  readonly slope: number;
  readonly r2: number;
  readonly span: number;
}

function linearFit(points: readonly (readonly [number, number])[]): Fit | null {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  return { slope: sxy / sxx, r2: (sxy * sxy) / (sxx * syy), span: points[n - 1]![0] - points[0]![0] };
}

/**
 * Latency still climbing through the step: a line fitted to the per-second p99 of the step's
 * second half (the first half may hold the climb to a new plateau after the step began) that
 * fits well and rises by at least the degradation excess. A step that settles on a higher
 * plateau is degraded; one whose latency is still climbing is past capacity.
 */
function latencyGrowth(step: StepDraft, limits: LatencyLimits): Fit | null {
  const half = step.fromSecs + (step.toSecs - step.fromSecs) / 2;
  const points = step.seconds
    .filter((s) => s.t >= half && s.p99InclusionMs !== null)
    .map((s) => [s.t, s.p99InclusionMs!] as const);
  if (points.length < GROWTH_MIN_SECONDS) return null;
  const fit = linearFit(points);
  if (fit === null || fit.slope <= 0 || fit.r2 < GROWTH_MIN_R2 || fit.slope * fit.span < limits.excessMs) return null;
  return fit;
}

/**
 * Included over offered. Phase steps count gas by the phase of its send, so the ratio is
 * direct. A window counts gas by the second it was included, which trails the send by the
 * inclusion latency: on a rising ramp that alone would read as a shortfall, so the window's
 * included gas is set against the gas offered one healthy (reference) median latency earlier.
 */
function deliveryRatio(step: StepDraft, ref: Reference, spans: readonly PhaseSpan[]): number | null {
  if (step.kind === 'phase') return step.offeredGasPerSec > 0 ? step.achievedGasPerSec / step.offeredGasPerSec : null;
  const length = step.toSecs - step.fromSecs;
  const included = step.achievedGasPerSec * length;
  const shifted = offeredGasUntil(spans, step.toSecs - ref.lagSecs) - offeredGasUntil(spans, step.fromSecs - ref.lagSecs);
  const offered = shifted > 0 ? shifted : step.offeredGasPerSec * length;
  return offered > 0 ? included / offered : null;
}

function judge(step: StepDraft, ref: Reference, spans: readonly PhaseSpan[], backlog: readonly GasBacklogSample[] | undefined): Judgement {
  const why: string[] = [];
  let degraded = false;
  let unstable = false;
  const signals: Partial<Record<BottleneckSignal, SignalReading>> = {};

  const limits = latencyLimits(ref);
  if (limits !== null && step.p99InclusionMs !== null) {
    const p99 = step.p99InclusionMs;
    const withSeconds = step.seconds.filter((s) => s.p99InclusionMs !== null).length;
    const run = longestRunAbove(step.seconds, limits.thresholdMs);
    // Without a per-second series there is nothing to test persistence on: the step's p99 decides.
    const persistent = withSeconds === 0 || run >= Math.min(LATENCY_PERSISTENCE_SECS, withSeconds);
    const high = p99 > limits.thresholdMs && persistent;
    if (high) {
      degraded = true;
      why.push(`p99 inclusion ${ms(p99)} above ${ms(limits.thresholdMs)} (reference ${ms(ref.p99!)} + ${ms(limits.excessMs)})${withSeconds > 0 ? `, ${run} consecutive seconds above it` : ''}`);
    }
    const growth = latencyGrowth(step, limits);
    if (growth !== null) {
      unstable = true;
      why.push(`p99 inclusion still rising through the step: +${ms(growth.slope)}/s over its second half (r² ${growth.r2.toFixed(2)}), unstable`);
    }
    const levelStrength = (p99 - ref.p99!) / limits.excessMs;
    const growthStrength = growth === null ? 0 : (growth.slope * growth.span) / limits.excessMs;
    signals.latency = {
      strength: Math.max(levelStrength, growthStrength),
      crossed: high || growth !== null,
      words: `p99 inclusion ${ms(p99)} against ${ms(ref.p99!)} at the reference, threshold ${ms(limits.thresholdMs)}`,
    };
  }

  const errorExcess = step.errorRate - ref.errorRate;
  if (errorExcess > ERROR_RATE_UNSTABLE) {
    unstable = true;
    why.push(`error rate ${pct(step.errorRate)}, more than ${pct(ERROR_RATE_UNSTABLE)} above the reference's ${pct(ref.errorRate)}, unstable`);
  } else if (errorExcess > ERROR_RATE_DEGRADED) {
    degraded = true;
    why.push(`error rate ${pct(step.errorRate)}, more than ${pct(ERROR_RATE_DEGRADED)} above the reference's ${pct(ref.errorRate)}`);
  }
  signals.errors = {
    strength: errorExcess / ERROR_RATE_DEGRADED,
    crossed: errorExcess > ERROR_RATE_DEGRADED,
    words: `error rate ${pct(step.errorRate)}, reference ${pct(ref.errorRate)}`,
  };

  const ratio = deliveryRatio(step, ref, spans);
  if (ratio !== null) {
    const offeredWords = step.kind === 'window' ? 'of the gas offered one reference median latency earlier' : 'of offered';
    if (ratio < THROUGHPUT_UNSTABLE_RATIO) {
      unstable = true;
      why.push(`achieved ${pct(ratio)} ${offeredWords} (< ${pct(THROUGHPUT_UNSTABLE_RATIO)}), unstable`);
    } else if (ratio < THROUGHPUT_DEGRADED_RATIO) {
      degraded = true;
      why.push(`achieved ${pct(ratio)} ${offeredWords} (< ${pct(THROUGHPUT_DEGRADED_RATIO)})`);
    }
    signals.throughput = {
      strength: (1 - ratio) / (1 - THROUGHPUT_DEGRADED_RATIO),
      crossed: ratio < THROUGHPUT_DEGRADED_RATIO,
      words: `achieved ${pct(ratio)} of offered`,
    };
  }

  if (step.baseFeeRise !== null) {
    signals['base-fee'] = {
      strength: (step.baseFeeRise - 1) / (BASE_FEE_RISE_SIGNAL - 1),
      crossed: step.baseFeeRise >= BASE_FEE_RISE_SIGNAL,
      words: `base fee x${step.baseFeeRise.toFixed(2)} over the step`,
    };
  }

  const inStep = (backlog ?? []).filter((b) => b.t >= step.fromSecs && b.t < step.toSecs);
  if (inStep.length >= 2 && step.offeredGasPerSec > 0) {
    const growthGas = inStep[inStep.length - 1]!.backlogGas - inStep[0]!.backlogGas;
    const growthSecs = growthGas / step.offeredGasPerSec;
    signals['gas-backlog'] = {
      strength: growthSecs / BACKLOG_GROWTH_SIGNAL_SECS,
      crossed: growthSecs >= BACKLOG_GROWTH_SIGNAL_SECS,
      words: `gas backlog grew by ${int(growthGas)} gas (${growthSecs.toFixed(1)} s of offered load)`,
    };
  }

  return { state: unstable ? 'unstable' : degraded ? 'degraded' : 'healthy', why, signals };
}

// ---- First bottleneck ---------------------------------------------------------------------

const SIGNAL_ORDER: readonly BottleneckSignal[] = ['latency', 'errors', 'throughput', 'base-fee', 'gas-backlog'];

/** Base fee and backlog are one mechanism (Nitro prices the backlog): they agree as one voice. */
const SIGNAL_GROUP: Readonly<Record<BottleneckSignal, string>> = {
  latency: 'latency',
  errors: 'errors',
  throughput: 'throughput',
  'base-fee': 'pricing',
  'gas-backlog': 'pricing',
};

const SIGNAL_NAME: Readonly<Record<BottleneckSignal, string>> = {
  latency: 'latency',
  errors: 'errors',
  throughput: 'throughput',
  'base-fee': 'base fee',
  'gas-backlog': 'gas backlog',
};

interface Judged {
  readonly step: StepDraft;
  readonly judgement: Judgement;
}

/**
 * The signal that crossed its threshold first on the way up to the onset step (climbing by
 * offered rate); of several crossing at the same step, the strongest. Confidence multiplies
 * three terms in [0, 1]: strength (the winner's multiple of its threshold over
 * STRONG_SIGNAL_MULTIPLE), lead (how far it stood above the strongest other signal at that
 * step) and agreement (the share of the other independent signal groups with data that also
 * crossed by the onset), the last two mapped to [0.5, 1] so neither alone can zero it.
 */
function firstBottleneck(upToOnset: readonly Judged[]): CapacityEnvelope['firstBottleneck'] {
  const firstCross = new Map<BottleneckSignal, number>();
  const available = new Set<BottleneckSignal>();
  upToOnset.forEach(({ judgement }, pos) => {
    for (const signal of SIGNAL_ORDER) {
      const reading = judgement.signals[signal];
      if (reading === undefined) continue;
      available.add(signal);
      if (reading.crossed && !firstCross.has(signal)) firstCross.set(signal, pos);
    }
  });
  if (firstCross.size === 0) return null;

  let winner: BottleneckSignal | undefined;
  for (const signal of SIGNAL_ORDER) {
    const pos = firstCross.get(signal);
    if (pos === undefined) continue;
    if (winner === undefined) {
      winner = signal;
      continue;
    }
    const best = firstCross.get(winner)!;
    const strongerAtSameStep = pos === best && upToOnset[pos]!.judgement.signals[signal]!.strength > upToOnset[pos]!.judgement.signals[winner]!.strength;
    if (pos < best || strongerAtSameStep) winner = signal;
  }
  const w = winner!;
  const crossAt = upToOnset[firstCross.get(w)!]!;
  const onset = upToOnset[upToOnset.length - 1]!;
  const winnerReading = crossAt.judgement.signals[w]!;

  const runnerUp = Math.max(0, ...SIGNAL_ORDER.filter((s) => s !== w).map((s) => crossAt.judgement.signals[s]?.strength ?? 0));
  const strength = Math.min(1, winnerReading.strength / STRONG_SIGNAL_MULTIPLE);
  const lead = Math.max(0, (winnerReading.strength - runnerUp) / winnerReading.strength);
  const otherGroups = new Set([...available].map((s) => SIGNAL_GROUP[s]).filter((g) => g !== SIGNAL_GROUP[w]));
  const agreeingGroups = new Set([...firstCross.keys()].map((s) => SIGNAL_GROUP[s]).filter((g) => g !== SIGNAL_GROUP[w]));
  const agreement = otherGroups.size > 0 ? agreeingGroups.size / otherGroups.size : 0;
  const confidence = Math.round(strength * (0.5 + 0.5 * lead) * (0.5 + 0.5 * agreement) * 100) / 100;

  const alsoMoved = SIGNAL_ORDER.filter((s) => s !== w && firstCross.has(s)).map((s) => `${SIGNAL_NAME[s]} (${latestWords(upToOnset, s)})`);
  const notMoved = SIGNAL_ORDER.filter((s) => available.has(s) && !firstCross.has(s)).map((s) => `${SIGNAL_NAME[s]} (${onset.judgement.signals[s]?.words ?? 'no data at the onset'})`);
  const noData = SIGNAL_ORDER.filter((s) => !available.has(s)).map((s) => SIGNAL_NAME[s]);
  const parts = [
    `${SIGNAL_NAME[w]} moved first: at ${int(crossAt.step.offeredGasPerSec)} gas/s (${crossAt.step.label}) ${winnerReading.words}.`,
    `By the onset at ${int(onset.step.offeredGasPerSec)} gas/s also moved: ${alsoMoved.length > 0 ? alsoMoved.join('; ') : 'nothing else'}.`,
  ];
  if (notMoved.length > 0) parts.push(`Did not move: ${notMoved.join('; ')}.`);
  if (noData.length > 0) parts.push(`No data: ${noData.join(', ')}.`);
  return { signal: w, confidence, evidence: parts.join(' ') };
}

/** The signal's words at the onset step, or at the last step that read it. */
function latestWords(judged: readonly Judged[], signal: BottleneckSignal): string {
  for (let i = judged.length - 1; i >= 0; i--) {
    const reading = judged[i]!.judgement.signals[signal];
    if (reading !== undefined) return reading.words;
  }
  return 'no data';
}

// ---- Recovery half-life -------------------------------------------------------------------

interface Recovery {
  readonly halfLifeSecs: number | null;
  readonly note: string;
}

/**
 * After each drop in the planned load, the excess p99 over the reference starts from its
 * highest per-second value around the drop (RECOVERY_PEAK_LOOKBACK/LOOKAHEAD), and the
 * half-life is the seconds from the drop to the first second, after that peak, from which the
 * excess stays at or below half of it for RECOVERY_HOLD_SECS. First crossing rather than an exponential fit: a queue
 * drains at a constant rate, so latency often falls linearly, and a fit would misreport it.
 * With no load after the drop a second that includes nothing counts as recovered (the backlog
 * is gone); with load, it counts as not recovered (the chain stalled). Of several drops, the
 * one from the highest offered rate is reported: that is where the chain was pushed hardest.
 */
function recoveryHalfLife(spans: readonly PhaseSpan[], bySecond: ReadonlyMap<number, SecondSample>, refP99: number, excessMs: number): Recovery | null {
  // The series may run past the last phase while the edges wait for their last receipts: the
  // end of the run is then a drop to zero like any other.
  let lastSecond = -1;
  for (const t of bySecond.keys()) lastSecond = Math.max(lastSecond, t);
  const totalSecs = Math.max(Math.ceil(spans.reduce((s, p) => s + p.durationSecs, 0)), lastSecond + 1);
  const rate = Array.from({ length: totalSecs }, (_, s) => offeredGasUntil(spans, s + 1) - offeredGasUntil(spans, s));
  const drops: number[] = [];
  for (let s = 1; s < totalSecs; s++) {
    if (rate[s - 1]! > 0 && rate[s]! <= RECOVERY_DROP_RATIO * rate[s - 1]!) drops.push(s);
  }
  if (drops.length === 0) return null;
  // Heaviest first; ties keep time order.
  const ordered = [...drops].sort((a, b) => rate[b - 1]! - rate[a - 1]! || a - b);
  for (const drop of ordered) {
    let end = drop + 1;
    while (end < totalSecs && rate[end]! <= rate[drop]! * (1 + LEVEL_TOLERANCE)) end++;
    const excessAt = (s: number): number | null => {
      const p99 = bySecond.get(s)?.p99InclusionMs;
      return p99 === undefined || p99 === null ? null : p99 - refP99;
    };
    let peak = Number.NEGATIVE_INFINITY;
    let peakAt = -1;
    for (let s = drop - RECOVERY_PEAK_LOOKBACK_SECS; s < Math.min(end, drop + RECOVERY_PEAK_LOOKAHEAD_SECS); s++) {
      const e = excessAt(s);
      if (e !== null && e >= peak) {
        peak = e;
        peakAt = s;
      }
    }
    if (peakAt < 0) continue;
    const what = `after the drop from ${int(rate[drop - 1]!)} to ${int(rate[drop]!)} gas/s at ${drop} s`;
    if (peak < excessMs) {
      return { halfLifeSecs: 0, note: `Recovery: ${what}, p99 inclusion was at most ${ms(peak)} over the reference (${ms(refP99)}), below the degradation excess of ${ms(excessMs)}: nothing to recover from, half-life 0 s.` };
    }
    const recovered = (s: number): boolean => {
      const e = excessAt(s);
      if (e !== null) return e <= peak / 2;
      return rate[s] === 0;
    };
    // The excess cannot have halved before it peaked; the clock runs from the drop.
    for (let s = Math.max(drop, peakAt + 1); s + RECOVERY_HOLD_SECS <= end; s++) {
      let held = true;
      for (let k = 0; k < RECOVERY_HOLD_SECS && held; k++) held = recovered(s + k);
      if (held) {
        const halfLife = s - drop;
        return {
          halfLifeSecs: halfLife,
          note: `Recovery: ${what}, the excess p99 inclusion peaked at ${ms(peak)} over the reference (${ms(refP99)}) at ${peakAt} s and was at most half of it from ${s} s: half-life ${halfLife} s (first crossing held ${RECOVERY_HOLD_SECS} s).`,
        };
      }
    }
    return { halfLifeSecs: null, note: `Recovery: ${what}, the excess p99 inclusion peaked at ${ms(peak)} at ${peakAt} s and had not halved by ${end} s, when the window ended: no half-life.` };
  }
  return { halfLifeSecs: null, note: 'Recovery: the load dropped, but no second around the drop had a p99 inclusion to measure from.' };
}

/** Without steps (bursts only): the median per-second p99 over the seconds at the lowest offered rate. */
function fallbackReferenceP99(spans: readonly PhaseSpan[], series: readonly SecondSample[]): number | null {
  const rateOf = (t: number) => offeredGasUntil(spans, t + 1) - offeredGasUntil(spans, t);
  const rates = series.map((s) => rateOf(s.t));
  const lowest = rates.reduce((min, r) => (r > 0 ? Math.min(min, r) : min), Number.POSITIVE_INFINITY);
  if (!Number.isFinite(lowest)) return null;
  const values = series
    .filter((s, i) => rates[i]! > 0 && rates[i]! <= lowest * (1 + LEVEL_TOLERANCE) && s.p99InclusionMs !== null)
    .map((s) => s.p99InclusionMs!)
    .sort((a, b) => a - b);
  if (values.length === 0) return null;
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

// ---- The envelope -------------------------------------------------------------------------

function toStep({ step, judgement }: Judged): EnvelopeStep {
  return {
    label: step.label,
    phaseIndex: step.phaseIndex,
    fromSecs: step.fromSecs,
    toSecs: step.toSecs,
    offeredGasPerSec: step.offeredGasPerSec,
    achievedGasPerSec: step.achievedGasPerSec,
    p99InclusionMs: step.p99InclusionMs,
    errorRate: step.errorRate,
    baseFeeRise: step.baseFeeRise,
    state: judgement.state,
    why: judgement.why,
  };
}

export function computeEnvelope(input: EnvelopeInput): CapacityEnvelope {
  const notes: string[] = [];
  let start = 0;
  const spans: PhaseSpan[] = input.phases.map((p) => {
    const span = { ...p, startSecs: start };
    start += p.durationSecs;
    return span;
  });
  const series = [...input.series].sort((a, b) => a.t - b.t);
  const backlog = input.gasBacklog === undefined ? undefined : [...input.gasBacklog].sort((a, b) => a.t - b.t);
  const bySecond = new Map(series.map((s) => [s.t, s]));
  const drafts = buildSteps(spans, input, series, notes);

  // The climb: steps up to the first at the run's highest offered rate. Later steps carry the
  // backlog the peak left, so they are judged and shown but do not define the envelope.
  const peakRate = drafts.reduce((max, d) => Math.max(max, d.offeredGasPerSec), Number.NEGATIVE_INFINITY);
  const climb = drafts.slice(0, drafts.findIndex((d) => d.offeredGasPerSec === peakRate) + 1);
  const refStep = climb.reduce<StepDraft | undefined>((low, d) => (low === undefined || d.offeredGasPerSec < low.offeredGasPerSec ? d : low), undefined);
  const ref: Reference | undefined = refStep && {
    step: refStep,
    p99: refStep.p99InclusionMs,
    errorRate: refStep.errorRate,
    lagSecs: (refStep.p50InclusionMs ?? 0) / 1000,
  };

  const judged: Judged[] = ref === undefined ? [] : drafts.map((step) => ({ step, judgement: judge(step, ref, spans, backlog) }));
  const steps = judged.map(toStep);

  const limits = ref && latencyLimits(ref);
  const recoveryRef = ref?.p99 ?? fallbackReferenceP99(spans, series);
  const recoveryExcess = limits?.excessMs ?? (recoveryRef === null ? 0 : Math.max(recoveryRef * LATENCY_MARGIN, LATENCY_FLOOR_MS));
  const recovery = recoveryRef === null ? null : recoveryHalfLife(spans, bySecond, recoveryRef, recoveryExcess);
  const recoveryHalfLifeSecs = recovery?.halfLifeSecs ?? null;
  let recoveryNote: string;
  if (recoveryRef === null) recoveryNote = 'Recovery: no p99 inclusion at the lowest offered rate to measure the excess from: no half-life.';
  else if (recovery === null) recoveryNote = 'Recovery: the load never dropped to half or less from one second to the next: no half-life.';
  else if (ref === undefined || ref.p99 === null) {
    recoveryNote = `${recovery.note} With no step to take it from, the reference p99 is the median per-second p99 at the lowest offered rate (${ms(recoveryRef)}).`;
  } else recoveryNote = recovery.note;

  if (ref === undefined || peakRate < ref.step.offeredGasPerSec * (1 + LEVEL_TOLERANCE)) {
    const why =
      ref === undefined
        ? 'The run has no load steps (sustained phases or windows of ramp and custom phases)'
        : `The run offered a single load level (${int(ref.step.offeredGasPerSec)} gas/s)`;
    notes.unshift(`${why}: an envelope needs at least two load levels more than ${pct(LEVEL_TOLERANCE)} apart, such as steps of at least 30 s each (see scenarios/ramp-to-saturation.yaml).`);
    notes.push(recoveryNote);
    return {
      method: 'none',
      steps,
      safeSustainedGasPerSec: null,
      degradationOnsetGasPerSec: null,
      instabilityThresholdGasPerSec: null,
      firstBottleneck: null,
      recoveryHalfLifeSecs,
      note: notes.join(' '),
    };
  }

  if (ref.p99 === null) notes.push(`The reference step '${ref.step.label}' included nothing: latency rules were not applied.`);
  if (ref.errorRate > ERROR_RATE_DEGRADED) {
    notes.push(`The reference step '${ref.step.label}' already had ${pct(ref.errorRate)} errors: error rules count only errors above that.`);
  }
  const afterPeak = drafts.length - climb.length;
  if (afterPeak > 0) notes.push(`${afterPeak} step(s) after the peak offered rate are judged but do not define the envelope: the backlog the peak left would make them look worse than they are.`);

  // Climbing by offered rate; equal rates keep run order.
  const byRate = judged.slice(0, climb.length).sort((a, b) => a.step.offeredGasPerSec - b.step.offeredGasPerSec || a.step.fromSecs - b.step.fromSecs);
  const onsetPos = byRate.findIndex((j) => j.judgement.state !== 'healthy');
  const onset = onsetPos < 0 ? undefined : byRate[onsetPos]!;
  const instability = byRate.find((j) => j.judgement.state === 'unstable');
  const safe = byRate.filter((j) => j.judgement.state === 'healthy' && (onset === undefined || j.step.offeredGasPerSec < onset.step.offeredGasPerSec)).at(-1);

  if (onset === undefined) notes.push(`No step degraded up to ${int(peakRate)} gas/s: the degradation onset lies above the tested range.`);
  if (instability === undefined) notes.push(`No step was unstable: the instability threshold lies above ${int(peakRate)} gas/s.`);
  if (onset !== undefined && safe === undefined) notes.push(`The lowest step (${int(ref.step.offeredGasPerSec)} gas/s) was already degraded: the safe rate lies below the tested range.`);
  const bottleneck = onset === undefined ? null : firstBottleneck(byRate.slice(0, onsetPos + 1));
  notes.push(recoveryNote);

  return {
    method: 'steps',
    steps,
    safeSustainedGasPerSec: safe?.step.offeredGasPerSec ?? null,
    degradationOnsetGasPerSec: onset?.step.offeredGasPerSec ?? null,
    instabilityThresholdGasPerSec: instability?.step.offeredGasPerSec ?? null,
    firstBottleneck: bottleneck,
    recoveryHalfLifeSecs,
    note: notes.join(' '),
  };
}

// ---- Words --------------------------------------------------------------------------------

function int(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function ms(x: number): string {
  return `${int(x)} ms`;
}

/** At most two decimals, none when whole: 95%, 91.23%. */
function pct(ratio: number): string {
  return `${Math.round(ratio * 10000) / 100}%`;
}
