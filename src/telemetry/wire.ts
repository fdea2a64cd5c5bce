// Conversion between the telemetry event model (events.ts) and its protobuf form
// (proto/gashammer/v1/telemetry.proto). The batch header carries run and edge ids once, so the
// wire events hold only the per-event header. Every field maps one for one; wei amounts travel
// as decimal strings because they can exceed 64 bits.

import type { Hex } from 'viem';
import type { TelemetryEvent as WireEvent } from '../proto/gashammer/v1/telemetry.js';
import type { EventPayload, TelemetryEvent } from './events.js';

type WirePayload = NonNullable<WireEvent['payload']>;

function toWirePayload(e: EventPayload): WirePayload {
  switch (e.kind) {
    case 'TxSubmitted':
      return {
        $case: 'txSubmitted',
        value: {
          txHash: e.txHash,
          template: e.template,
          estimatedGas: e.estimatedGas,
          gasLimit: e.gasLimit,
          account: e.account,
          nonce: BigInt(e.nonce),
          intendedNs: e.intendedNs,
          sentNs: e.sentNs,
          valueWei: e.valueWei.toString(),
        },
      };
    case 'TxAccepted':
      return { $case: 'txAccepted', value: { txHash: e.txHash, acceptedNs: e.acceptedNs } };
    case 'TxIncluded':
      return {
        $case: 'txIncluded',
        value: {
          txHash: e.txHash,
          blockNumber: e.blockNumber,
          seenNs: e.seenNs,
          gasUsed: e.gasUsed,
          gasUsedForL1: e.gasUsedForL1,
          effectiveGasPrice: e.effectiveGasPrice.toString(),
          baseFeePerGas: e.baseFeePerGas?.toString(),
          success: e.success,
          from: e.from,
          to: e.to,
          nonce: BigInt(e.nonce),
          valueWei: e.valueWei.toString(),
        },
      };
    case 'TxFeedSeen':
      return { $case: 'txFeedSeen', value: { txHash: e.txHash, sequenceNumber: BigInt(e.sequenceNumber), seenNs: e.seenNs } };
    case 'TxFailed':
      return { $case: 'txFailed', value: { txHash: e.txHash, errorClass: e.errorClass, stage: e.stage, message: e.message, account: e.account, nonce: BigInt(e.nonce) } };
    case 'TxTimeout':
      return { $case: 'txTimeout', value: { txHash: e.txHash, waitedNs: e.waitedNs } };
    case 'FeedConnected':
      return { $case: 'feedConnected', value: { url: e.url } };
    case 'FeedDisconnected':
      return { $case: 'feedDisconnected', value: { url: e.url, reason: e.reason } };
    case 'FeedGap':
      return { $case: 'feedGap', value: { expectedSequence: BigInt(e.expectedSequence), actualSequence: BigInt(e.actualSequence) } };
    case 'FeedStall':
      return { $case: 'feedStall', value: { silentForNs: e.silentForNs } };
    case 'SendLate':
      return { $case: 'sendLate', value: { count: e.count, maxLatenessNs: e.maxLatenessNs } };
    case 'PhaseStarted':
      return { $case: 'phaseStarted', value: { phaseName: e.phaseName, offeredGasPerSec: e.offeredGasPerSec } };
    case 'PhaseEnded':
      return { $case: 'phaseEnded', value: { phaseName: e.phaseName, sent: e.sent, late: e.late, dropped: e.dropped } };
    case 'FaultInjected':
      return {
        $case: 'faultInjected',
        value: { faultName: e.faultName, faultType: e.faultType, faultTarget: e.faultTarget, adapter: e.adapter, edgeIndexes: e.edgeIndexes, params: e.params },
      };
    case 'FaultCleared':
      return {
        $case: 'faultCleared',
        value: { faultName: e.faultName, faultType: e.faultType, faultTarget: e.faultTarget, adapter: e.adapter, edgeIndexes: e.edgeIndexes, reason: e.reason, activeNs: e.activeNs },
      };
  }
}

export function toWireEvent(e: TelemetryEvent): WireEvent {
  return { seq: e.seq, phaseIndex: e.phaseIndex, monoNs: e.monoNs, wallNs: e.wallNs, payload: toWirePayload(e) };
}

/** A wire event had no payload: a newer edge sent a kind this hive does not know. */
export class UnknownEventKindError extends Error {
  constructor(readonly seq: bigint) {
    super(`telemetry event ${seq} has no payload this hive understands`);
    this.name = 'UnknownEventKindError';
  }
}

function fromWirePayload(p: WirePayload): EventPayload {
  switch (p.$case) {
    case 'txSubmitted': {
      const v = p.value;
      return {
        kind: 'TxSubmitted',
        txHash: v.txHash as Hex,
        template: v.template,
        estimatedGas: v.estimatedGas,
        gasLimit: v.gasLimit,
        account: v.account as Hex,
        nonce: Number(v.nonce),
        intendedNs: v.intendedNs,
        sentNs: v.sentNs,
        valueWei: BigInt(v.valueWei),
      };
    }
    case 'txAccepted':
      return { kind: 'TxAccepted', txHash: p.value.txHash as Hex, acceptedNs: p.value.acceptedNs };
    case 'txIncluded': {
      const v = p.value;
      return {
        kind: 'TxIncluded',
        txHash: v.txHash as Hex,
        blockNumber: v.blockNumber,
        seenNs: v.seenNs,
        gasUsed: v.gasUsed,
        gasUsedForL1: v.gasUsedForL1,
        effectiveGasPrice: BigInt(v.effectiveGasPrice),
        baseFeePerGas: v.baseFeePerGas === undefined ? undefined : BigInt(v.baseFeePerGas),
        success: v.success,
        from: v.from as Hex,
        to: v.to as Hex | undefined,
        nonce: Number(v.nonce),
        valueWei: BigInt(v.valueWei),
      };
    }
    case 'txFeedSeen':
      return { kind: 'TxFeedSeen', txHash: p.value.txHash as Hex, sequenceNumber: Number(p.value.sequenceNumber), seenNs: p.value.seenNs };
    case 'txFailed': {
      const v = p.value;
      return { kind: 'TxFailed', txHash: v.txHash as Hex | undefined, errorClass: v.errorClass, stage: v.stage === 'track' ? 'track' : 'submit', message: v.message, account: v.account as Hex, nonce: Number(v.nonce) };
    }
    case 'txTimeout':
      return { kind: 'TxTimeout', txHash: p.value.txHash as Hex, waitedNs: p.value.waitedNs };
    case 'feedConnected':
      return { kind: 'FeedConnected', url: p.value.url };
    case 'feedDisconnected':
      return { kind: 'FeedDisconnected', url: p.value.url, reason: p.value.reason };
    case 'feedGap':
      return { kind: 'FeedGap', expectedSequence: Number(p.value.expectedSequence), actualSequence: Number(p.value.actualSequence) };
    case 'feedStall':
      return { kind: 'FeedStall', silentForNs: p.value.silentForNs };
    case 'sendLate':
      return { kind: 'SendLate', count: p.value.count, maxLatenessNs: p.value.maxLatenessNs };
    case 'phaseStarted':
      return { kind: 'PhaseStarted', phaseName: p.value.phaseName, offeredGasPerSec: p.value.offeredGasPerSec };
    case 'phaseEnded':
      return { kind: 'PhaseEnded', phaseName: p.value.phaseName, sent: p.value.sent, late: p.value.late, dropped: p.value.dropped };
    case 'faultInjected':
      return { kind: 'FaultInjected', ...p.value };
    case 'faultCleared':
      return { kind: 'FaultCleared', ...p.value };
  }
}

export function fromWireEvent(w: WireEvent, runId: string, edgeId: string): TelemetryEvent {
  if (!w.payload) throw new UnknownEventKindError(w.seq);
  return { runId, edgeId, seq: w.seq, phaseIndex: w.phaseIndex, monoNs: w.monoNs, wallNs: w.wallNs, ...fromWirePayload(w.payload) };
}
