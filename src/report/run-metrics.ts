// The gate metrics of a run (the catalogue in src/gate/metrics.ts), computed from the analysed
// telemetry, the envelope and the oracle, and the per-second samples a baseline keeps for its
// rank tests. A metric the run cannot give (no feed followed, no envelope) is null, never 0.

import { LATENCY_KINDS, METRICS, PERCENTILES } from '../gate/metrics.js';
import { RECOVERY_HOLD_SECS } from './fault-windows.js';
import type { CapacityEnvelope, FaultWindow, LatencySet, LatencySummary, OracleReport, PhaseReport, SampleSeries, SecondSample, TrafficCounts } from './report-types.js';

export interface MetricInputs {
  readonly totals: TrafficCounts;
  readonly latency: LatencySet;
  readonly phases: readonly PhaseReport[];
  readonly series: readonly SecondSample[];
  readonly envelope: CapacityEnvelope;
  readonly oracle: OracleReport;
  readonly telemetryLossRatio: number;
  readonly feed: { readonly followed: boolean; readonly misses: number };
  readonly faults?: readonly FaultWindow[];
}

/**
 * The longest recovery of the cleared faults. One that never recovered counts as the seconds
 * watched after its clear (it took at least that long), unless too few were watched to tell.
 */
export function faultRecoverySecs(faults: readonly FaultWindow[]): number | null {
  let longest: number | null = null;
  for (const f of faults) {
    if (f.clearedAtSecs === null) continue;
    const secs = f.recoverySecs ?? (f.after.seconds >= RECOVERY_HOLD_SECS ? f.after.seconds : null);
    if (secs === null) return null;
    longest = Math.max(longest ?? 0, secs);
  }
  return longest;
}

const LATENCY_FIELD: Record<(typeof LATENCY_KINDS)[number], keyof LatencySet> = {
  submission: 'submission',
  acceptance: 'acceptance',
  inclusion: 'inclusion',
  feed_inclusion: 'feedInclusion',
};

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

export function computeMetrics(input: MetricInputs): Record<string, number | null> {
  const m: Record<string, number | null> = {};
  for (const kind of LATENCY_KINDS) {
    const pair = input.latency[LATENCY_FIELD[kind]];
    for (const p of PERCENTILES) {
      m[`${p}_${kind}_ms`] = pair.corrected[p as keyof LatencySummary] as number | null;
      // Submission is timed from the intended send; from the actual send it is zero by definition.
      m[`${p}_${kind}_uncorrected_ms`] = kind === 'submission' ? null : (pair.uncorrected[p as keyof LatencySummary] as number | null);
    }
  }
  const t = input.totals;
  m.error_rate = ratio(t.txFailed + t.txTimeout, t.txSubmitted);
  m.revert_rate = ratio(t.txReverted, t.txIncluded);
  m.timeout_rate = ratio(t.txTimeout, t.txSubmitted);
  m.late_send_ratio = ratio(t.sendsLate, t.txSubmitted + t.sendsDropped);
  m.feed_miss_rate = input.feed.followed ? ratio(input.feed.misses, t.txIncluded) : null;
  m.telemetry_loss_ratio = input.telemetryLossRatio;
  const loaded = input.phases.filter((p) => p.offeredGasPerSec > 0);
  const loadedSecs = loaded.reduce((s, p) => s + p.durationSecs, 0);
  m.achieved_gas_per_sec = loadedSecs > 0 ? loaded.reduce((s, p) => s + p.gasIncluded, 0) / loadedSecs : null;
  m.achieved_tx_per_sec = loadedSecs > 0 ? loaded.reduce((s, p) => s + p.txIncluded, 0) / loadedSecs : null;
  m.achieved_ratio = ratio(t.gasIncluded, t.gasOffered);
  m.safe_sustained_gas_per_sec = input.envelope.safeSustainedGasPerSec;
  m.degradation_onset_gas_per_sec = input.envelope.degradationOnsetGasPerSec;
  m.instability_threshold_gas_per_sec = input.envelope.instabilityThresholdGasPerSec;
  m.recovery_half_life_secs = input.envelope.recoveryHalfLifeSecs;
  m.fault_recovery_secs = faultRecoverySecs(input.faults ?? []);
  m.oracle_violations = input.oracle.violationCount;
  m.tx_included = t.txIncluded;
  // Every catalogue metric has a key, so a threshold on any of them finds null rather than nothing.
  for (const info of METRICS) if (!(info.name in m)) m[info.name] = null;
  return m;
}

/**
 * Per-second samples for the baseline's rank tests, over the seconds of loaded phases: p50 and
 * p99 inclusion latency (seconds with inclusions), included compute gas/s, and the error rate
 * (seconds with offered transactions).
 */
export function computeSamples(series: readonly SecondSample[], phases: readonly PhaseReport[]): SampleSeries {
  const loaded = new Set(phases.filter((p) => p.offeredGasPerSec > 0).map((p) => p.index));
  const p50: number[] = [];
  const p99: number[] = [];
  const gas: number[] = [];
  const errors: number[] = [];
  for (const s of series) {
    if (!loaded.has(s.phaseIndex)) continue;
    if (s.p50InclusionMs !== null) p50.push(s.p50InclusionMs);
    if (s.p99InclusionMs !== null) p99.push(s.p99InclusionMs);
    gas.push(s.includedGasPerSec);
    if (s.offeredTxPerSec > 0) errors.push(s.errors / s.offeredTxPerSec);
  }
  return { p50_inclusion_ms: p50, p99_inclusion_ms: p99, achieved_gas_per_sec: gas, error_rate: errors };
}
