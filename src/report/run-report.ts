// The run record (run.json): what the hive knew when a run ended — what ran, how it ended, the
// raw counts per phase and per edge, how many telemetry events the hive received and how many
// the edges dropped. The report engine (report-engine.ts) reads it with the Parquet files to
// make the full report; `schemaVersion` changes when a field changes meaning.

import type { Verdict } from '../hive/run-state.js';

export interface PhaseCounts {
  readonly index: number;
  readonly name: string;
  readonly durationSecs: number;
  /** What the scenario asked for, all edges together. */
  readonly offeredGasPerSec: number;
  readonly txSubmitted: number;
  readonly txAccepted: number;
  readonly txIncluded: number;
  readonly txReverted: number;
  readonly txFailed: number;
  readonly txTimeout: number;
  /** Compute gas the edges scheduled (calibrated estimates of what they sent). */
  readonly gasSubmitted: number;
  /** gasUsed of included transactions. */
  readonly gasIncluded: number;
  /** gasIncluded / durationSecs. */
  readonly achievedGasPerSec: number;
  readonly sendsLate: number;
}

export type RunEdgeOutcome = 'finished' | 'stale' | 'failed' | 'aborted';

export interface EdgeCounts {
  readonly edgeIndex: number;
  readonly edgeId: string;
  readonly name: string;
  readonly outcome: RunEdgeOutcome;
  /** Why the edge is stale or failed. */
  readonly reason?: string;
  readonly eventsReceived: number;
  /** Events the edge recorded, as it reported at the end (absent if it never finished). */
  readonly eventsRecorded?: number;
  /** Events the edge's ring buffer dropped before shipping (as the edge reported). */
  readonly eventsDropped: number;
  readonly txSubmitted: number;
  readonly txIncluded: number;
}

export interface RunReport {
  readonly schemaVersion: 1;
  readonly runId: string;
  readonly scenario: { readonly name: string; readonly hash: string };
  readonly gashammer: { readonly version: string; readonly build: string };
  readonly target: { readonly kind: 'devnet' | 'remote'; readonly chainId: number; readonly rpcUrl: string };
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationSecs: number;
  readonly outcome:
    | { readonly state: 'done'; readonly verdict: Verdict; readonly reasons: readonly string[] }
    | { readonly state: 'aborted'; readonly reason: string };
  readonly telemetry: {
    readonly eventsReceived: number;
    readonly eventsDropped: number;
    readonly batchesReceived: number;
    /** Parquet files, relative to the run's output folder. */
    readonly files: readonly string[];
  };
  readonly phases: readonly PhaseCounts[];
  readonly edges: readonly EdgeCounts[];
  /** Things a reader must know: stale edges, dropped events, aborted phases. */
  readonly notes: readonly string[];
}
