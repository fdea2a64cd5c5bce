// The telemetry event model: everything an edge records about a run, one typed event per fact.
// Events flow edge -> ring buffer -> hive (gRPC) -> Parquet, and reports are computed from
// them, so every field a report needs is here. Times are nanoseconds: `monoNs` orders events
// within one edge, `wallNs` lines them up across edges; latencies are differences of monotonic
// readings on the edge that measured them.

import type { Hex } from 'viem';

/** Where every event comes from and when it happened. */
export interface EventHeader {
  readonly runId: string;
  readonly edgeId: string;
  /** Per-edge sequence number, from 0: (edgeId, seq) identifies an event. */
  readonly seq: bigint;
  readonly phaseIndex: number;
  readonly monoNs: bigint;
  readonly wallNs: bigint;
}

/** A transaction was handed to the node (eth_sendRawTransaction started). */
export interface TxSubmitted {
  readonly kind: 'TxSubmitted';
  readonly txHash: Hex;
  readonly template: string;
  /** Compute gas the workload engine counted for this transaction (the calibrated estimate). */
  readonly estimatedGas: bigint;
  readonly gasLimit: bigint;
  readonly account: Hex;
  readonly nonce: number;
  /** When the schedule wanted it sent (monotonic ns); latencies are corrected from here. */
  readonly intendedNs: bigint;
  /** When it was actually sent (monotonic ns). */
  readonly sentNs: bigint;
  readonly valueWei: bigint;
}

/** The node accepted the transaction (eth_sendRawTransaction returned its hash). */
export interface TxAccepted {
  readonly kind: 'TxAccepted';
  readonly txHash: Hex;
  readonly acceptedNs: bigint;
}

/** The edge saw the transaction in a block (client-side time, never block.timestamp). */
export interface TxIncluded {
  readonly kind: 'TxIncluded';
  readonly txHash: Hex;
  readonly blockNumber: bigint;
  readonly seenNs: bigint;
  readonly gasUsed: bigint;
  /** Nitro's L1 (poster) gas; undefined where the chain reports none (e.g. anvil). */
  readonly gasUsedForL1: bigint | undefined;
  readonly effectiveGasPrice: bigint;
  /** Block base fee, for the gas-accounting invariant. */
  readonly baseFeePerGas: bigint | undefined;
  readonly success: boolean;
  readonly from: Hex;
  readonly to: Hex | undefined;
  readonly nonce: number;
  readonly valueWei: bigint;
}

/** The transaction appeared in the sequencer feed. */
export interface TxFeedSeen {
  readonly kind: 'TxFeedSeen';
  readonly txHash: Hex;
  readonly sequenceNumber: number;
  readonly seenNs: bigint;
}

/** Submission or tracking failed; `errorClass` is the RPC error class (rpc-errors.ts). */
export interface TxFailed {
  readonly kind: 'TxFailed';
  readonly txHash: Hex | undefined;
  readonly errorClass: string;
  readonly stage: 'submit' | 'track';
  readonly message: string;
  readonly account: Hex;
  readonly nonce: number;
}

/** The transaction was never seen included within the receipt timeout. */
export interface TxTimeout {
  readonly kind: 'TxTimeout';
  readonly txHash: Hex;
  readonly waitedNs: bigint;
}

export interface FeedConnected {
  readonly kind: 'FeedConnected';
  /** Redacted. */
  readonly url: string;
}

export interface FeedDisconnected {
  readonly kind: 'FeedDisconnected';
  readonly url: string;
  readonly reason: string;
}

export interface FeedGap {
  readonly kind: 'FeedGap';
  readonly expectedSequence: number;
  readonly actualSequence: number;
}

export interface FeedStall {
  readonly kind: 'FeedStall';
  readonly silentForNs: bigint;
}

/** The schedule could not keep up: a send left later than the lateness tolerance. */
export interface SendLate {
  readonly kind: 'SendLate';
  readonly count: number;
  readonly maxLatenessNs: bigint;
}

export interface PhaseStarted {
  readonly kind: 'PhaseStarted';
  readonly phaseName: string;
  /** Offered gas/s of this edge's share of the curve at the start. */
  readonly offeredGasPerSec: number;
}

export interface PhaseEnded {
  readonly kind: 'PhaseEnded';
  readonly phaseName: string;
  readonly sent: number;
  readonly late: number;
  /** Sends the edge could not make at all (no account free, pool exhausted). */
  readonly dropped: number;
}

/**
 * The edge id under which the hive records its own events (the fault timeline). Never an
 * edge's name: edges are named edge-<n> or by their config, and a label cannot hold '@'.
 */
export const HIVE_SOURCE_ID = '@hive';

/** The hive put a fault in force (recorded by the hive, edge id HIVE_SOURCE_ID). */
export interface FaultInjected {
  readonly kind: 'FaultInjected';
  readonly faultName: string;
  /** The scenario's fault type: latency, rpc-error, ... */
  readonly faultType: string;
  /** sequencer-rpc, gateway-rpc or feed-relay. */
  readonly faultTarget: string;
  /** proxy, netem or iptables. */
  readonly adapter: string;
  /** Edge indexes the fault applies to, ascending, comma-separated ("0,1"). */
  readonly edgeIndexes: string;
  /** The fault's parameters as JSON ({"latency_ms":200}). */
  readonly params: string;
}

/** The hive took a fault out of force. */
export interface FaultCleared {
  readonly kind: 'FaultCleared';
  readonly faultName: string;
  readonly faultType: string;
  readonly faultTarget: string;
  readonly adapter: string;
  readonly edgeIndexes: string;
  /** Why: schedule, duration, run-end, abort or shutdown. */
  readonly reason: string;
  /** How long the fault was in force, ns. */
  readonly activeNs: bigint;
}

export type EventPayload =
  | TxSubmitted
  | TxAccepted
  | TxIncluded
  | TxFeedSeen
  | TxFailed
  | TxTimeout
  | FeedConnected
  | FeedDisconnected
  | FeedGap
  | FeedStall
  | SendLate
  | PhaseStarted
  | PhaseEnded
  | FaultInjected
  | FaultCleared;

export type EventKind = EventPayload['kind'];

export type TelemetryEvent = EventHeader & EventPayload;
