// Telemetry events for the hive tests: one factory per kind, with a header that says which run,
// edge, sequence number and phase the event belongs to.

import type { Hex } from 'viem';
import type { EventHeader, TelemetryEvent } from '../../src/telemetry/events.js';

export const TX_HASH = `0x${'ab'.repeat(32)}` as Hex;
export const ACCOUNT = `0x${'11'.repeat(20)}` as Hex;
export const TO = `0x${'22'.repeat(20)}` as Hex;

export interface Where {
  readonly runId?: string;
  readonly edgeId?: string;
  readonly seq?: bigint;
  readonly phaseIndex?: number;
}

export function header(w: Where = {}): EventHeader {
  const seq = w.seq ?? 0n;
  return { runId: w.runId ?? 'run-1', edgeId: w.edgeId ?? 'edge', seq, phaseIndex: w.phaseIndex ?? 0, monoNs: 5_000_000n + seq, wallNs: 1_700_000_000_000_000_000n + seq };
}

export function txSubmitted(w: Where = {}, estimatedGas = 21_000n): TelemetryEvent {
  return { ...header(w), kind: 'TxSubmitted', txHash: TX_HASH, template: 'simple-transfer', estimatedGas, gasLimit: 30_000n, account: ACCOUNT, nonce: 3, intendedNs: 10n, sentNs: 12n, valueWei: 1n };
}

export function txAccepted(w: Where = {}): TelemetryEvent {
  return { ...header(w), kind: 'TxAccepted', txHash: TX_HASH, acceptedNs: 20n };
}

export function txIncluded(w: Where = {}, gasUsed = 21_000n, success = true): TelemetryEvent {
  return {
    ...header(w),
    kind: 'TxIncluded',
    txHash: TX_HASH,
    blockNumber: 7n,
    seenNs: 30n,
    gasUsed,
    gasUsedForL1: undefined,
    effectiveGasPrice: 100_000_000n,
    baseFeePerGas: 100_000_000n,
    success,
    from: ACCOUNT,
    to: TO,
    nonce: 3,
    valueWei: 1n,
  };
}

export function txFailed(w: Where = {}): TelemetryEvent {
  return { ...header(w), kind: 'TxFailed', txHash: undefined, errorClass: 'nonce-too-low', stage: 'submit', message: 'nonce too low', account: ACCOUNT, nonce: 4 };
}

export function txTimeout(w: Where = {}): TelemetryEvent {
  return { ...header(w), kind: 'TxTimeout', txHash: TX_HASH, waitedNs: 60_000_000_000n };
}

export function sendLate(w: Where = {}, count = 1): TelemetryEvent {
  return { ...header(w), kind: 'SendLate', count, maxLatenessNs: 5_000_000n };
}

/** One event of every kind that does not feed a tally counter. */
export function uncountedKinds(w: Where = {}): TelemetryEvent[] {
  return [
    { ...header(w), kind: 'TxFeedSeen', txHash: TX_HASH, sequenceNumber: 9, seenNs: 25n },
    { ...header(w), kind: 'FeedConnected', url: 'ws://feed' },
    { ...header(w), kind: 'FeedDisconnected', url: 'ws://feed', reason: 'eof' },
    { ...header(w), kind: 'FeedGap', expectedSequence: 10, actualSequence: 12 },
    { ...header(w), kind: 'FeedStall', silentForNs: 1_000n },
    { ...header(w), kind: 'PhaseStarted', phaseName: 'p', offeredGasPerSec: 1e6 },
    { ...header(w), kind: 'PhaseEnded', phaseName: 'p', sent: 1, late: 0, dropped: 0 },
  ];
}
