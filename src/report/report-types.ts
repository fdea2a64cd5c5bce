// The shape of report.json, version 2: what a run was (the run record the hive wrote), what the
// telemetry says happened (analysis of the Parquet files), whether the chain stayed correct
// (oracle), how it compares with a baseline (regressions), and the gate verdict drawn from all
// of them. Renderers (Markdown, HTML), baselines and the GitHub Action read only this. Every
// duration is in milliseconds unless its name says otherwise; gas rates are compute gas per
// second; `null` means "no samples", never zero. docs/report.schema.json describes it and
// docs/report.md says how each figure is computed.

import type { RunEdgeOutcome } from './run-report.js';

export const REPORT_SCHEMA_VERSION = 2;

/** Percentiles of one latency, in ms; null when there were no samples. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly p999: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

/** Corrected: from the intended send instant (no coordinated omission); uncorrected: from the actual send. */
export interface LatencyPair {
  readonly corrected: LatencySummary;
  readonly uncorrected: LatencySummary;
}

/**
 * submission: until eth_sendRawTransaction was handed to the node (corrected only: uncorrected is 0);
 * acceptance: until the node returned the hash; inclusion: until the edge saw the block;
 * feedInclusion: until the transaction appeared in the sequencer feed.
 */
export interface LatencySet {
  readonly submission: LatencyPair;
  readonly acceptance: LatencyPair;
  readonly inclusion: LatencyPair;
  readonly feedInclusion: LatencyPair;
}

/** One second of the run, all edges together; `t` is seconds since the run's first phase began. */
export interface SecondSample {
  readonly t: number;
  readonly phaseIndex: number;
  /** Compute gas scheduled for this second (by intended send time). */
  readonly offeredGasPerSec: number;
  readonly acceptedGasPerSec: number;
  /** Compute gas (gasUsed minus gasUsedForL1) of transactions seen included in this second. */
  readonly includedGasPerSec: number;
  readonly offeredTxPerSec: number;
  readonly acceptedTxPerSec: number;
  readonly includedTxPerSec: number;
  /** TxFailed and TxTimeout recorded in this second. */
  readonly errors: number;
  /** Inclusion latency (corrected) of transactions included in this second; null when none. */
  readonly p50InclusionMs: number | null;
  readonly p99InclusionMs: number | null;
  /** Highest block base fee (wei) among transactions included in this second; null when none. */
  readonly baseFeeWei: number | null;
}

export interface TrafficCounts {
  readonly txSubmitted: number;
  readonly txAccepted: number;
  readonly txIncluded: number;
  /** Included with status 0. */
  readonly txReverted: number;
  readonly txFailed: number;
  readonly txTimeout: number;
  readonly sendsLate: number;
  /** Sends the edges could not make at all. */
  readonly sendsDropped: number;
  /** Compute gas the edges scheduled. */
  readonly gasOffered: number;
  /** Compute gas of included transactions. */
  readonly gasIncluded: number;
  readonly errorsByClass: Readonly<Record<string, number>>;
}

export interface PhaseReport extends TrafficCounts {
  readonly index: number;
  readonly name: string;
  readonly durationSecs: number;
  /** What the scenario asked for, all edges together (mean over the phase). */
  readonly offeredGasPerSec: number;
  /** gasIncluded / durationSecs. */
  readonly achievedGasPerSec: number;
  readonly achievedTxPerSec: number;
  readonly latency: LatencySet;
}

export interface EdgeReport extends TrafficCounts {
  readonly edgeIndex: number;
  readonly edgeId: string;
  readonly name: string;
  readonly outcome: RunEdgeOutcome;
  readonly reason?: string;
  readonly eventsReceived: number;
  readonly eventsRecorded?: number;
  readonly eventsDropped: number;
  readonly latency: LatencySet;
}

/** One step of a ramp: a phase at a steady offered rate, or a window of a ramp phase. */
export interface EnvelopeStep {
  readonly label: string;
  readonly phaseIndex: number;
  readonly fromSecs: number;
  readonly toSecs: number;
  readonly offeredGasPerSec: number;
  readonly achievedGasPerSec: number;
  readonly p99InclusionMs: number | null;
  readonly errorRate: number;
  /** Base fee at the end of the step over its start (1 = no rise); null when unknown. */
  readonly baseFeeRise: number | null;
  readonly state: 'healthy' | 'degraded' | 'unstable';
  /** Why the step is degraded or unstable, in words. */
  readonly why: readonly string[];
}

export type BottleneckSignal = 'latency' | 'errors' | 'base-fee' | 'gas-backlog' | 'throughput';

export interface CapacityEnvelope {
  /** 'steps' when the run had at least two load levels to compare, else 'none' (see `note`). */
  readonly method: 'steps' | 'none';
  readonly steps: readonly EnvelopeStep[];
  /** Highest healthy step's offered rate below the first degraded one. */
  readonly safeSustainedGasPerSec: number | null;
  readonly degradationOnsetGasPerSec: number | null;
  readonly instabilityThresholdGasPerSec: number | null;
  readonly firstBottleneck: { readonly signal: BottleneckSignal; readonly confidence: number; readonly evidence: string } | null;
  /** Seconds for excess p99 inclusion latency to halve once the load dropped; null if it never dropped. */
  readonly recoveryHalfLifeSecs: number | null;
  readonly note?: string;
}

/**
 * Figures of one span of seconds around a fault window (before, during or after it): every fact
 * in the second it happened, as in the per-second series.
 */
export interface FaultSpanFigures {
  /** Seconds of the series in the span (0: the span is empty and its rates and latencies null). */
  readonly seconds: number;
  readonly txSubmitted: number;
  /** TxFailed and TxTimeout recorded in the span. */
  readonly errors: number;
  /** errors / txSubmitted; null when nothing was submitted. */
  readonly errorRate: number | null;
  /** Corrected acceptance latency (until eth_sendRawTransaction returned) of transactions accepted in the span. */
  readonly p50AcceptanceMs: number | null;
  readonly p99AcceptanceMs: number | null;
  /** Corrected inclusion latency of transactions included in the span. */
  readonly p50InclusionMs: number | null;
  readonly p99InclusionMs: number | null;
  /** Mean included compute gas per second over the span's seconds. */
  readonly includedGasPerSec: number | null;
}

/** One fault the hive put in force, from its FaultInjected to its FaultCleared (fault-windows.ts). */
export interface FaultWindow {
  readonly name: string;
  /** The scenario's fault type: latency, rpc-error, partition, ... */
  readonly type: string;
  /** sequencer-rpc, gateway-rpc or feed-relay. */
  readonly target: string;
  /** proxy, netem or iptables. */
  readonly adapter: string;
  /** Edge indexes the fault applied to. */
  readonly edges: readonly number[];
  /** The fault's parameters, as the scenario gave them. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Seconds since the first phase began (the series' `t`), to the millisecond. */
  readonly injectedAtSecs: number;
  /** null when no FaultCleared was recorded: the window is open to the end of the data. */
  readonly clearedAtSecs: number | null;
  /** schedule, duration, run-end, abort or shutdown; null when not cleared. */
  readonly clearReason: string | null;
  /** Up to 30 s before the inject, leaving out seconds in another fault's window. */
  readonly before: FaultSpanFigures;
  readonly during: FaultSpanFigures;
  /** From the clear to the next inject or the end of the data, at most 30 s. */
  readonly after: FaultSpanFigures;
  /**
   * Seconds from the clear until acceptance p50 and error rate were back at the `before` level
   * for 3 seconds in a row (docs/report.md); null when that never happened (see `notes`).
   */
  readonly recoverySecs: number | null;
  /** Why a figure is missing or to be read with care, in words. */
  readonly notes: readonly string[];
}

export interface Violation {
  readonly description: string;
  readonly expected: string;
  readonly actual: string;
  readonly txHash?: string;
  readonly blockNumber?: string;
  readonly account?: string;
}

export type InvariantMode = 'live' | 'post-run' | 'both';

export interface InvariantVerdict {
  readonly name: string;
  readonly mode: InvariantMode;
  /** 'skipped' when it could not run (say why in `note`): never counted as a pass. */
  readonly status: 'pass' | 'fail' | 'skipped';
  /** Things checked (accounts, transactions). */
  readonly checked: number;
  /** True total of violations; at most 100 are listed. */
  readonly violationCount: number;
  readonly violations: readonly Violation[];
  readonly note?: string;
}

export interface OracleReport {
  readonly invariants: readonly InvariantVerdict[];
  readonly violationCount: number;
  /** Zero failures and nothing skipped. */
  readonly passed: boolean;
}

export type GateVerdict = 'pass' | 'warn' | 'fail' | 'inconclusive';

export interface ThresholdResult {
  /** As written in the scenario. */
  readonly source: string;
  readonly metric: string;
  readonly level: 'warn' | 'error';
  readonly actual: number | null;
  readonly passed: boolean;
}

export interface RegressionResult {
  readonly metric: string;
  readonly baseline: number | null;
  readonly current: number | null;
  /** Relative change in percent, signed (current over baseline); null when either is missing. */
  readonly deltaPct: number | null;
  /** p-value of the rank test on per-second samples; null when it could not run. */
  readonly pValue: number | null;
  readonly decision: 'ok' | 'warn' | 'fail' | 'noise' | 'too-few-samples' | 'no-data';
  readonly why: string;
}

export interface BaselineRef {
  readonly branch: string;
  readonly source: string;
  readonly runs: number;
  readonly savedAt: string;
  readonly commit?: string;
}

export interface GateReason {
  readonly level: 'fail' | 'warn' | 'inconclusive' | 'info';
  readonly text: string;
}

export interface GateReport {
  readonly verdict: GateVerdict;
  readonly reasons: readonly GateReason[];
  readonly thresholds: readonly ThresholdResult[];
  readonly regressions: readonly RegressionResult[];
  readonly baseline: BaselineRef | null;
}

/** Per-second samples kept for baselines' rank tests, keyed by regression metric. */
export type SampleSeries = Readonly<Record<string, readonly number[]>>;

export interface RunReportV2 {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly runId: string;
  readonly scenario: { readonly name: string; readonly hash: string };
  readonly gashammer: { readonly version: string; readonly build: string };
  readonly target: { readonly kind: 'devnet' | 'remote'; readonly chainId: number; readonly rpcUrl: string };
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationSecs: number;
  /** How the run ended (the hive's state machine), before the gate looked at the figures. */
  readonly completion: { readonly state: 'done'; readonly reasons: readonly string[] } | { readonly state: 'aborted'; readonly reason: string };
  readonly telemetry: {
    readonly eventsReceived: number;
    readonly eventsRead: number;
    readonly eventsDropped: number;
    /** Events the edges recorded that never reached the hive. */
    readonly eventsMissing: number;
    readonly lossRatio: number;
    readonly files: readonly string[];
  };
  readonly totals: TrafficCounts;
  readonly latency: LatencySet;
  readonly series: readonly SecondSample[];
  readonly phases: readonly PhaseReport[];
  readonly edges: readonly EdgeReport[];
  readonly envelope: CapacityEnvelope;
  readonly oracle: OracleReport;
  /** Every gate metric (src/gate/metrics.ts) by name; null when it has no value in this run. */
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly samples: SampleSeries;
  /**
   * The faults the hive injected, in inject order; empty when none. Always written by the
   * report engine; absent only in reports made before faults were reported (read: none).
   */
  readonly faults?: readonly FaultWindow[];
  readonly gate: GateReport;
  readonly notes: readonly string[];
}
