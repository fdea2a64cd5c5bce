// Gas/s curves as functions of time within a phase: the rate at an instant, the gas offered up
// to an instant (the curve's integral) and its inverse, the instant by which a given amount of
// gas has been offered, exactly and in O(1) or O(log n) per call. The planner uses them for
// totals; the edge's send schedule uses the inverse to place sends.

import type { CustomRatePoint, GasRate } from '../scenario/types.js';

export interface PhaseCurve {
  readonly rate: GasRate;
  readonly durationSecs: number;
}

function clampTime(curve: PhaseCurve, t: number): number {
  return Math.min(Math.max(t, 0), curve.durationSecs);
}

/** Target gas/s at `t` seconds into the phase. */
export function rateAt(curve: PhaseCurve, t: number): number {
  const time = clampTime(curve, t);
  const r = curve.rate;
  switch (r.type) {
    case 'sustained':
      return r.gasPerSec;
    case 'ramp':
      return r.startGasPerSec + ((r.endGasPerSec - r.startGasPerSec) * time) / curve.durationSecs;
    case 'burst': {
      const inPeriod = time % r.intervalSecs;
      return inPeriod < r.burstDurationSecs ? r.peakGasPerSec : r.baselineGasPerSec;
    }
    case 'custom':
      return customRateAt(r.points, time);
  }
}

function customRateAt(points: readonly CustomRatePoint[], t: number): number {
  const i = lastPointAtOrBefore(points, t);
  const p = points[i]!;
  const next = points[i + 1];
  if (next === undefined) return p.gasPerSec;
  return p.gasPerSec + ((next.gasPerSec - p.gasPerSec) * (t - p.atSecs)) / (next.atSecs - p.atSecs);
}

/** Index of the last point with atSecs <= t (points are sorted, the first is at 0). */
function lastPointAtOrBefore(points: readonly { atSecs: number }[], t: number): number {
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid]!.atSecs <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Gas offered from the start of the phase up to `t` seconds: the integral of rateAt. */
export function cumulativeGas(curve: PhaseCurve, t: number): number {
  const time = clampTime(curve, t);
  const r = curve.rate;
  switch (r.type) {
    case 'sustained':
      return r.gasPerSec * time;
    case 'ramp':
      return r.startGasPerSec * time + ((r.endGasPerSec - r.startGasPerSec) * time * time) / (2 * curve.durationSecs);
    case 'burst': {
      const burst = Math.min(r.burstDurationSecs, r.intervalSecs);
      const perPeriod = r.peakGasPerSec * burst + r.baselineGasPerSec * (r.intervalSecs - burst);
      const periods = Math.floor(time / r.intervalSecs);
      const rest = time - periods * r.intervalSecs;
      return periods * perPeriod + r.peakGasPerSec * Math.min(rest, burst) + r.baselineGasPerSec * Math.max(0, rest - burst);
    }
    case 'custom':
      return customCumulative(r.points, time);
  }
}

function customCumulative(points: readonly CustomRatePoint[], t: number): number {
  // The last point before t opens the segment t lies in; the whole segments before it are summed
  // once per curve. The result is the left-to-right sum of trapezoids, the same floating-point
  // operations in the same order as a walk over every segment would make.
  const i = lastPointBefore(points, t);
  if (i < 0) return 0;
  const p = points[i]!;
  const next = points[i + 1];
  const end = next === undefined ? t : Math.min(next.atSecs, t);
  const rateAtEnd = next === undefined ? p.gasPerSec : customRateAt(points, end);
  return gasAtPoints(points)[i]! + ((p.gasPerSec + rateAtEnd) / 2) * (end - p.atSecs);
}

/** Index of the last point with atSecs < t, or -1. */
function lastPointBefore(points: readonly { atSecs: number }[], t: number): number {
  let lo = -1;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid]!.atSecs < t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Gas offered from 0 to each point's atSecs, computed once per points array (scenario values
 * are immutable, so the array identifies the curve). Entry i is exactly customCumulative at
 * points[i].atSecs, which keeps timeForGas and cumulativeGas consistent to the last bit.
 */
const gasAtPointsCache = new WeakMap<readonly CustomRatePoint[], Float64Array>();

function gasAtPoints(points: readonly CustomRatePoint[]): Float64Array {
  let gas = gasAtPointsCache.get(points);
  if (gas === undefined) {
    gas = new Float64Array(points.length);
    let total = 0;
    for (let i = 0; i + 1 < points.length; i++) {
      const p = points[i]!;
      const end = points[i + 1]!.atSecs;
      total += ((p.gasPerSec + customRateAt(points, end)) / 2) * (end - p.atSecs);
      gas[i + 1] = total;
    }
    gasAtPointsCache.set(points, gas);
  }
  return gas;
}

export function totalGas(curve: PhaseCurve): number {
  return cumulativeGas(curve, curve.durationSecs);
}

/** Highest gas/s the curve reaches in the phase. */
export function peakRate(curve: PhaseCurve): number {
  const r = curve.rate;
  switch (r.type) {
    case 'sustained':
      return r.gasPerSec;
    case 'ramp':
      return Math.max(r.startGasPerSec, r.endGasPerSec);
    case 'burst':
      return Math.max(r.baselineGasPerSec, r.peakGasPerSec);
    case 'custom': {
      const inPhase = r.points.filter((p) => p.atSecs <= curve.durationSecs).map((p) => p.gasPerSec);
      return Math.max(...inPhase, rateAt(curve, curve.durationSecs));
    }
  }
}

/**
 * The inverse of cumulativeGas: the earliest t in [0, durationSecs] with
 * cumulativeGas(curve, t) >= gas; 0 for gas <= 0, Infinity when the phase never offers that
 * much (gas > totalGas). "Earliest" matters where the rate is zero: the answer is where the
 * gas was reached, never somewhere along the flat stretch after it.
 */
export function timeForGas(curve: PhaseCurve, gas: number): number {
  if (Number.isNaN(gas)) throw new RangeError('timeForGas: gas is NaN');
  if (gas <= 0) return 0;
  if (gas > totalGas(curve)) return Infinity;
  const r = curve.rate;
  let t: number;
  switch (r.type) {
    case 'sustained':
      t = gas / r.gasPerSec;
      break;
    case 'ramp':
      t = linearSegmentTime(r.startGasPerSec, (r.endGasPerSec - r.startGasPerSec) / curve.durationSecs, gas);
      break;
    case 'burst':
      t = burstTime(r, gas);
      break;
    case 'custom':
      t = customTime(r.points, gas);
      break;
  }
  // Rounding can put the root a hair past the end of the phase; the gas is offered by then.
  return Math.min(Math.max(t, 0), curve.durationSecs);
}

/**
 * Time for a rate that starts at `rate0` and changes by `slope` gas/s per second to offer `gas`:
 * the smaller root of slope/2 t^2 + rate0 t - gas = 0. Written as gas / mean rate, with the rate
 * reached at the root being sqrt(rate0^2 + 2 slope gas), so there is no cancellation: exact
 * when the slope is zero (gas / rate0) and when rate0 is zero (sqrt(2 gas / slope)), and the
 * earlier crossing on a falling rate.
 */
function linearSegmentTime(rate0: number, slope: number, gas: number): number {
  // From zero, directly: the product under the root could underflow for tiny amounts of gas.
  if (rate0 === 0) return Math.sqrt((2 * gas) / slope);
  // Below zero only by rounding, where a rate falling to zero offers its last gas.
  const rateAtRoot = Math.sqrt(Math.max(0, rate0 * rate0 + 2 * slope * gas));
  return (2 * gas) / (rate0 + rateAtRoot);
}

function burstTime(r: Extract<GasRate, { type: 'burst' }>, gas: number): number {
  const burst = Math.min(r.burstDurationSecs, r.intervalSecs);
  const burstGas = r.peakGasPerSec * burst;
  const perPeriod = burstGas + r.baselineGasPerSec * (r.intervalSecs - burst);
  // Whole periods before the one the gas is reached in, leaving 0 < rest <= perPeriod: a gas
  // amount that completes a period is reached inside it (at the end of its burst when the
  // baseline is zero), not at the start of the next. Rests within rounding of 0 or of a whole
  // period are read as a whole period, or a zero baseline would send them a silent stretch late.
  let periods = Math.max(0, Math.ceil(gas / perPeriod) - 1);
  let rest = gas - periods * perPeriod;
  const rounding = 4 * Number.EPSILON * gas;
  if (periods > 0 && rest <= rounding) {
    periods -= 1;
    rest += perPeriod;
  } else if (rest > perPeriod + rounding) {
    periods += 1;
    rest -= perPeriod;
  }
  rest = Math.min(rest, perPeriod);
  let inPeriod: number;
  if (rest <= burstGas) inPeriod = rest / r.peakGasPerSec;
  else if (r.baselineGasPerSec > 0) inPeriod = burst + (rest - burstGas) / r.baselineGasPerSec;
  // A zero baseline offers nothing after the burst: only rounding of rest lands here.
  else inPeriod = burst;
  return periods * r.intervalSecs + inPeriod;
}

function customTime(points: readonly CustomRatePoint[], gas: number): number {
  const gasAt = gasAtPoints(points);
  // The segment the gas is reached in opens at the last point offering less than `gas` by its
  // start. Segments with a zero rate add nothing, so the search steps over them.
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (gasAt[mid]! < gas) lo = mid;
    else hi = mid - 1;
  }
  const p = points[lo]!;
  const rest = gas - gasAt[lo]!;
  const next = points[lo + 1];
  // After the last point the rate holds (a zero hold offers nothing: the caller clamps).
  if (next === undefined) return p.atSecs + rest / p.gasPerSec;
  const length = next.atSecs - p.atSecs;
  const inSegment = linearSegmentTime(p.gasPerSec, (next.gasPerSec - p.gasPerSec) / length, rest);
  return p.atSecs + Math.min(inSegment, length);
}

/**
 * The same curve with every rate multiplied by `factor`: an edge's share of a phase is
 * scaleGasRate(rate, 1 / edgeCount). Times (burst lengths, custom points) are unchanged.
 */
export function scaleGasRate(rate: GasRate, factor: number): GasRate {
  if (!(Number.isFinite(factor) && factor >= 0)) throw new RangeError(`scaleGasRate: factor must be finite and >= 0, got ${factor}`);
  switch (rate.type) {
    case 'sustained':
      return { type: 'sustained', gasPerSec: rate.gasPerSec * factor };
    case 'ramp':
      return { type: 'ramp', startGasPerSec: rate.startGasPerSec * factor, endGasPerSec: rate.endGasPerSec * factor };
    case 'burst':
      return {
        type: 'burst',
        baselineGasPerSec: rate.baselineGasPerSec * factor,
        peakGasPerSec: rate.peakGasPerSec * factor,
        burstDurationSecs: rate.burstDurationSecs,
        intervalSecs: rate.intervalSecs,
      };
    case 'custom':
      return { type: 'custom', points: rate.points.map((p) => ({ atSecs: p.atSecs, gasPerSec: p.gasPerSec * factor })) };
  }
}

/** One line for people: "sustained 5,000,000 gas/s", "ramp 1,000,000 -> 10,000,000 gas/s". */
export function describeGasRate(rate: GasRate): string {
  const n = (x: number) => x.toLocaleString('en-US');
  switch (rate.type) {
    case 'sustained':
      return `sustained ${n(rate.gasPerSec)} gas/s`;
    case 'ramp':
      return `ramp ${n(rate.startGasPerSec)} -> ${n(rate.endGasPerSec)} gas/s`;
    case 'burst':
      return `burst ${n(rate.baselineGasPerSec)} gas/s, ${n(rate.peakGasPerSec)} gas/s for ${rate.burstDurationSecs}s every ${rate.intervalSecs}s`;
    case 'custom':
      return `custom, ${rate.points.length} point(s), ${n(Math.min(...rate.points.map((p) => p.gasPerSec)))}-${n(Math.max(...rate.points.map((p) => p.gasPerSec)))} gas/s`;
  }
}
