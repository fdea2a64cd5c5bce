// Fault windows and recovery: the hive's FaultInjected and FaultCleared events, paired by fault
// name, become windows on the run's clock; each window gets the figures of three spans of the
// per-second data (before the inject, during the fault, after the clear) and the seconds the
// chain took, after the clear, to be back where it was before. Only figures live here; the
// events and the per-second histograms come from analyze-telemetry.ts, and docs/report.md
// says how each figure is defined.
//
// Seconds: a window covers every second of the series it overlaps, so the second holding the
// inject or the clear counts as `during`; `before` and `after` hold only whole seconds without
// this fault, and leave out every second another fault's window covers.

import { SECOND_HISTOGRAM_BITS, type FaultEventRow, type SecondFigures } from './analyze-telemetry.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { FaultSpanFigures, FaultWindow } from './report-types.js';

/**
 * Longest `before` and `after` span, in seconds. Long enough for steady percentiles at a few
 * transactions a second (a p99 wants about a hundred samples), short enough that the load the
 * span saw is the load the fault met: a ramp has moved on a minute later.
 */
export const SPAN_SECS = 30;

/**
 * Recovered latency: a second's p50 acceptance latency at most this fraction above the `before`
 * p50. A steady p50 moves a few percent from second to second (and the per-second histograms
 * are within 1.6%), so a tighter bound would call noise a fault's tail; any fault worth
 * injecting moves the round trip far more than 10%. Below the before level counts as recovered.
 */
export const RECOVERY_LATENCY_TOLERANCE = 0.1;

/**
 * Recovered latency, in absolute terms: a second's p50 acceptance latency within this many ms
 * of the `before` p50 also counts. On loopback a p50 of 3 ms moves by a millisecond from second
 * to second (and grows by one with a node's fuller pool), which is 30%; a fault worth injecting
 * moves it by tens or hundreds of ms.
 */
export const RECOVERY_LATENCY_FLOOR_MS = 2;

/**
 * Recovered errors: a second's error rate at most this much (a ratio: 1 point) above the
 * `before` rate. Errors the chain had before the fault are not the fault's; one point is also
 * where the capacity envelope starts calling a step degraded (ERROR_RATE_DEGRADED).
 */
export const RECOVERY_ERROR_MARGIN = 0.01;

/**
 * Consecutive recovered seconds that end a recovery. A backlog drains unevenly (a block takes a
 * burst, the next is thin), so one or two good seconds can come before it is gone; three in a
 * row is past that, and short enough not to pad the figure.
 */
export const RECOVERY_HOLD_SECS = 3;

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** A window while it is being measured: the seconds it covers are [firstSec, endSec). */
interface Interval {
  readonly inject: FaultEventRow;
  readonly clear: FaultEventRow | undefined;
  readonly from: number;
  readonly to: number;
  readonly firstSec: number;
  readonly endSec: number;
}

/** Each FaultInjected with the FaultCleared of the same name that follows it (the earliest still open). */
function pairEvents(events: readonly FaultEventRow[]): { inject: FaultEventRow; clear: FaultEventRow | undefined }[] {
  const sorted = [...events].sort((a, b) => a.atSecs - b.atSecs);
  const pairs: { inject: FaultEventRow; clear: FaultEventRow | undefined }[] = [];
  const open = new Map<string, number[]>();
  for (const e of sorted) {
    if (e.kind === 'FaultInjected') {
      const queue = open.get(e.name) ?? [];
      queue.push(pairs.length);
      open.set(e.name, queue);
      pairs.push({ inject: e, clear: undefined });
    } else {
      // A clear with nothing open (its inject lost) has no window to close.
      const index = open.get(e.name)?.shift();
      if (index !== undefined) pairs[index]!.clear = e;
    }
  }
  return pairs;
}

/** The figures of a set of seconds: their histograms merged, their counts added. */
function spanFigures(seconds: readonly (SecondFigures | undefined)[], span: readonly number[]): FaultSpanFigures {
  const acceptance = new LatencyHistogram(SECOND_HISTOGRAM_BITS);
  const inclusion = new LatencyHistogram(SECOND_HISTOGRAM_BITS);
  let txSubmitted = 0;
  let errors = 0;
  let includedGas = 0;
  for (const t of span) {
    const s = seconds[t];
    if (s === undefined) continue;
    txSubmitted += s.submittedTx;
    errors += s.errors;
    includedGas += s.includedGas;
    acceptance.merge(s.acceptance);
    inclusion.merge(s.inclusion);
  }
  return {
    seconds: span.length,
    txSubmitted,
    errors,
    errorRate: txSubmitted > 0 ? errors / txSubmitted : null,
    p50AcceptanceMs: acceptance.percentileMs(50),
    p99AcceptanceMs: acceptance.percentileMs(99),
    p50InclusionMs: inclusion.percentileMs(50),
    p99InclusionMs: inclusion.percentileMs(99),
    includedGasPerSec: span.length > 0 ? includedGas / span.length : null,
  };
}

/** A second's error rate for the recovery test: with nothing submitted, any error is too many. */
function secondErrorRate(s: SecondFigures | undefined): number {
  if (s === undefined) return 0;
  if (s.submittedTx > 0) return s.errors / s.submittedTx;
  return s.errors > 0 ? Infinity : 0;
}

function parseParams(text: string | undefined, notes: string[]): Readonly<Record<string, unknown>> {
  if (text === undefined || text === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // said below
  }
  notes.push(`its parameters were recorded as ${text}, not a JSON object`);
  return {};
}

function parseEdges(text: string): number[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number)
    .filter((n) => Number.isSafeInteger(n) && n >= 0);
}

const secs = (n: number): string => `${round3(n)} s`;

/**
 * The fault windows of a run, in inject order: `events` are the hive's fault rows (any order),
 * `seconds` the raw figures of each second of the series (index = `t`).
 */
export function computeFaultWindows(events: readonly FaultEventRow[], seconds: readonly (SecondFigures | undefined)[]): FaultWindow[] {
  const end = seconds.length;
  const intervals: Interval[] = pairEvents(events).map(({ inject, clear }) => {
    const from = inject.atSecs;
    // Not cleared (the hive stopped first): open until the end of the data.
    const to = Math.max(from, clear?.atSecs ?? end);
    const firstSec = Math.floor(from);
    // A window of no length still covers the second it happened in.
    const endSec = Math.max(Math.ceil(to), firstSec + 1);
    return { inject, clear, from, to, firstSec, endSec };
  });
  const covers = (w: Interval, t: number): boolean => t >= w.firstSec && t < w.endSec;
  const otherAt = (self: Interval, t: number): Interval | undefined => intervals.find((w) => w !== self && covers(w, t));
  const inData = (t: number): boolean => t >= 0 && t < end;

  return intervals.map((w) => {
    const notes: string[] = [];
    const params = parseParams(w.inject.params, notes);

    const before: number[] = [];
    for (let t = w.firstSec - SPAN_SECS; t < w.firstSec; t++) if (inData(t) && otherAt(w, t) === undefined) before.push(t);
    const during: number[] = [];
    for (let t = Math.max(0, w.firstSec); t < Math.min(end, w.endSec); t++) during.push(t);
    const after: number[] = [];
    if (w.clear !== undefined) {
      // Up to the next inject (of any fault) after the clear, the end of the data, or SPAN_SECS.
      let stop = Math.min(end, w.endSec + SPAN_SECS);
      for (const o of intervals) if (o !== w && o.from >= w.to) stop = Math.min(stop, o.firstSec);
      for (let t = w.endSec; t < stop; t++) if (inData(t) && otherAt(w, t) === undefined) after.push(t);
    }
    const figures = { before: spanFigures(seconds, before), during: spanFigures(seconds, during), after: spanFigures(seconds, after) };

    let recoverySecs: number | null = null;
    if (w.clear === undefined) {
      notes.push('no FaultCleared was recorded (the hive stopped before clearing it), so the window is taken as open to the end of the data: no after span, no recovery');
    } else {
      const levelP50 = figures.before.p50AcceptanceMs;
      const levelRate = figures.before.errorRate;
      if (levelP50 === null || levelRate === null) {
        const why =
          before.length === 0
            ? 'no second of data before the inject outside other faults'
            : levelP50 === null
              ? 'no transaction was accepted in the seconds before the inject'
              : 'no transaction was submitted in the seconds before the inject';
        notes.push(`no recovery figure: there is no before level to recover to (${why})`);
      } else {
        const result = recovery(w, seconds, levelP50, levelRate, end, otherAt);
        recoverySecs = result.secs;
        if (result.secs === null) notes.push(result.why);
      }
    }

    return {
      name: w.inject.name,
      type: w.inject.type,
      target: w.inject.target,
      adapter: w.inject.adapter,
      edges: parseEdges(w.inject.edges),
      params,
      injectedAtSecs: round3(w.from),
      clearedAtSecs: w.clear === undefined ? null : round3(w.to),
      clearReason: w.clear === undefined ? null : (w.clear.reason ?? null),
      ...figures,
      recoverySecs,
      notes,
    };
  });
}

/**
 * Seconds from the clear to the first of RECOVERY_HOLD_SECS consecutive seconds whose p50
 * acceptance latency and error rate are back at the before level; the scan stops at the end
 * of the data or at the first second of another fault's window.
 */
function recovery(
  w: Interval,
  seconds: readonly (SecondFigures | undefined)[],
  levelP50: number,
  levelRate: number,
  end: number,
  otherAt: (self: Interval, t: number) => Interval | undefined,
): { secs: number; why?: undefined } | { secs: null; why: string } {
  const latencyLimit = Math.max(levelP50 * (1 + RECOVERY_LATENCY_TOLERANCE), levelP50 + RECOVERY_LATENCY_FLOOR_MS);
  const rateLimit = levelRate + RECOVERY_ERROR_MARGIN;
  let streakStart = -1;
  let t = w.endSec;
  for (; t < end; t++) {
    const other = otherAt(w, t);
    if (other !== undefined) {
      const words = other.from < w.to ? `while fault '${other.inject.name}' was still in force` : `before fault '${other.inject.name}' was injected at ${secs(other.from)}`;
      return { secs: null, why: `did not recover ${words}: the recovery test stops there` };
    }
    const s = seconds[t];
    const p50 = s === undefined ? null : s.acceptance.percentileMs(50);
    // A second with nothing accepted shows no recovered latency: it breaks the run.
    const recovered = p50 !== null && p50 <= latencyLimit && secondErrorRate(s) <= rateLimit;
    if (!recovered) {
      streakStart = -1;
      continue;
    }
    if (streakStart < 0) streakStart = t;
    if (t - streakStart + 1 >= RECOVERY_HOLD_SECS) return { secs: round3(Math.max(0, streakStart - w.to)) };
  }
  const scanned = Math.max(0, t - w.endSec);
  if (scanned === 0) return { secs: null, why: 'did not recover within the data: the data ends at the clear' };
  return {
    secs: null,
    why:
      `did not recover within the data: p50 acceptance at most ${Math.round(RECOVERY_LATENCY_TOLERANCE * 100)}% (or ${RECOVERY_LATENCY_FLOOR_MS} ms) above the before level and error rate at most ` +
      `${Math.round(RECOVERY_ERROR_MARGIN * 100)} point above it never held for ${RECOVERY_HOLD_SECS} seconds in a row in the ${scanned} s after the clear`,
  };
}
