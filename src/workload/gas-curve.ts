// Gas/s curves as functions of time within a phase: the rate at an instant and the gas
// offered up to an instant (the curve's integral), exactly and in O(1) or O(log n) per call.
// The planner uses them for totals; the edge's scheduler inverts the integral to place sends.

import type { GasRate } from '../scenario/types.js';

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

function customRateAt(points: readonly { atSecs: number; gasPerSec: number }[], t: number): number {
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

function customCumulative(points: readonly { atSecs: number; gasPerSec: number }[], t: number): number {
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (p.atSecs >= t) break;
    const next = points[i + 1];
    const end = next === undefined ? t : Math.min(next.atSecs, t);
    const rateAtEnd = next === undefined ? p.gasPerSec : customRateAt(points, end);
    total += ((p.gasPerSec + rateAtEnd) / 2) * (end - p.atSecs);
  }
  return total;
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
