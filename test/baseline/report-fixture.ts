// Run reports for baseline and gate tests, until the report engine writes real ones: a valid
// RunReportV2 with the metrics and per-second samples a test gives, everything else plausible.

import { METRIC_NAMES } from '../../src/gate/metrics.js';
import type { LatencySet, OracleReport, RunReportV2, SampleSeries, ThresholdResult } from '../../src/report/report-types.js';

export const SCENARIO_HASH = 'a8fcbb5cccb5be22b2a989181affa7cf8b4822f95baebf427427d6e7b3f6dda5';
export const OTHER_SCENARIO_HASH = '1c58626d4c53f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829';

/** A deterministic PRNG (mulberry32), so noisy samples are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` samples around `mean`, spread roughly uniformly over mean ± spread. */
export function noisySamples(mean: number, spread: number, n: number, seed: number): number[] {
  const next = prng(seed);
  return Array.from({ length: n }, () => mean + (next() * 2 - 1) * spread);
}

/** Regression metrics' values of a healthy run. */
export const BASE_METRICS = {
  p50_inclusion_ms: 250,
  p99_inclusion_ms: 900,
  achieved_gas_per_sec: 1_000_000,
  error_rate: 0,
  safe_sustained_gas_per_sec: 2_000_000,
} as const;

/** 60 per-second samples per sampled regression metric, tight around BASE_METRICS. */
export function baseSamples(seed = 1, n = 60): Record<string, number[]> {
  return {
    p50_inclusion_ms: noisySamples(250, 10, n, seed),
    p99_inclusion_ms: noisySamples(900, 30, n, seed + 1),
    achieved_gas_per_sec: noisySamples(1_000_000, 20_000, n, seed + 2),
    error_rate: Array.from({ length: n }, () => 0),
  };
}

const NO_LATENCY = { count: 0, p50: null, p90: null, p95: null, p99: null, p999: null, max: null, mean: null };
const PAIR = { corrected: NO_LATENCY, uncorrected: NO_LATENCY };
const LATENCY: LatencySet = { submission: PAIR, acceptance: PAIR, inclusion: PAIR, feedInclusion: PAIR };

export const PASSING_ORACLE: OracleReport = {
  invariants: [
    { name: 'balance-conservation', mode: 'post-run', status: 'pass', checked: 100, violationCount: 0, violations: [] },
    { name: 'nonce-monotonicity', mode: 'both', status: 'pass', checked: 1000, violationCount: 0, violations: [] },
  ],
  violationCount: 0,
  passed: true,
};

export interface ReportFixtureOptions {
  readonly runId?: string;
  readonly scenarioName?: string;
  readonly scenarioHash?: string;
  /** Merged over every gate metric (null) and BASE_METRICS. */
  readonly metrics?: Readonly<Record<string, number | null>>;
  /** Replaces baseSamples() when given. */
  readonly samples?: SampleSeries;
  readonly completion?: RunReportV2['completion'];
  readonly lossRatio?: number;
  readonly oracle?: OracleReport;
  readonly txIncluded?: number;
  readonly thresholds?: readonly ThresholdResult[];
  readonly verdict?: RunReportV2['gate']['verdict'];
  readonly seriesLength?: number;
}

export function reportFixture(o: ReportFixtureOptions = {}): RunReportV2 {
  const metrics: Record<string, number | null> = Object.fromEntries(METRIC_NAMES.map((m) => [m, null]));
  Object.assign(metrics, BASE_METRICS, { tx_included: o.txIncluded ?? 5_000 }, o.metrics ?? {});
  const txIncluded = o.txIncluded ?? 5_000;
  const totals = {
    txSubmitted: txIncluded,
    txAccepted: txIncluded,
    txIncluded,
    txReverted: 0,
    txFailed: 0,
    txTimeout: 0,
    sendsLate: 0,
    sendsDropped: 0,
    gasOffered: txIncluded * 21_000,
    gasIncluded: txIncluded * 21_000,
    errorsByClass: {},
  };
  const seriesLength = o.seriesLength ?? 60;
  return {
    schemaVersion: 2,
    runId: o.runId ?? 'run-0001',
    scenario: { name: o.scenarioName ?? 'mixed-workload', hash: o.scenarioHash ?? SCENARIO_HASH },
    gashammer: { version: '0.1.0', build: 'unknown' },
    target: { kind: 'devnet', chainId: 412_346, rpcUrl: 'http://127.0.0.1:8547' },
    startedAt: '2026-01-31T12:00:00.000Z',
    endedAt: '2026-01-31T12:01:00.000Z',
    durationSecs: seriesLength,
    completion: o.completion ?? { state: 'done', reasons: [] },
    telemetry: { eventsReceived: txIncluded * 4, eventsRead: txIncluded * 4, eventsDropped: 0, eventsMissing: 0, lossRatio: o.lossRatio ?? 0, files: ['2026-01-31T12.parquet'] },
    totals,
    latency: LATENCY,
    series: Array.from({ length: seriesLength }, (_, t) => ({
      t,
      phaseIndex: 0,
      offeredGasPerSec: 1_000_000,
      acceptedGasPerSec: 1_000_000,
      includedGasPerSec: 1_000_000,
      offeredTxPerSec: 48,
      acceptedTxPerSec: 48,
      includedTxPerSec: 48,
      errors: 0,
      p50InclusionMs: 250,
      p99InclusionMs: 900,
      baseFeeWei: 100_000_000,
    })),
    phases: [],
    edges: [],
    envelope: {
      method: 'none',
      steps: [],
      safeSustainedGasPerSec: null,
      degradationOnsetGasPerSec: null,
      instabilityThresholdGasPerSec: null,
      firstBottleneck: null,
      recoveryHalfLifeSecs: null,
    },
    oracle: o.oracle ?? PASSING_ORACLE,
    metrics,
    samples: o.samples ?? baseSamples(),
    gate: { verdict: o.verdict ?? 'pass', reasons: [], thresholds: o.thresholds ?? [], regressions: [], baseline: null },
    notes: [],
  };
}
