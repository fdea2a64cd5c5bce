// Telemetry events for the Parquet tests: one of every kind with values past 2^53 (and past
// 64 bits where the model allows), and fast-check arbitraries for random events of every kind.

import fc from 'fast-check';
import type { Hex } from 'viem';
import type { EventHeader, EventPayload, TelemetryEvent } from '../../src/telemetry/events.js';

export const RUN_ID = 'run-7f3a';
export const WALL_NS = 1_763_000_000_000_000_000n;
const HASH = `0x${'ab'.repeat(32)}` as Hex;
const ACCOUNT = `0x${'cd'.repeat(20)}` as Hex;
const UINT64_MAX = 2n ** 64n - 1n;

function header(seq: number, edgeId = 'edge-0'): EventHeader {
  return { runId: RUN_ID, edgeId, seq: BigInt(seq), phaseIndex: seq % 3, monoNs: 9_007_199_254_740_993n + BigInt(seq), wallNs: WALL_NS + BigInt(seq) };
}

/** One event of every kind (two where a field may be undefined), with extreme values. */
export function everyKind(): TelemetryEvent[] {
  const payloads: EventPayload[] = [
    {
      kind: 'TxSubmitted',
      txHash: HASH,
      template: 'erc20-transfer',
      estimatedGas: 2n ** 63n + 5n, // above int64: stored as UINT_64
      gasLimit: UINT64_MAX,
      account: ACCOUNT,
      nonce: Number.MAX_SAFE_INTEGER,
      intendedNs: -(2n ** 63n), // int64 extremes
      sentNs: 2n ** 63n - 1n,
      valueWei: 10n ** 30n,
    },
    { kind: 'TxAccepted', txHash: HASH, acceptedNs: 1_763_000_000_123_456_789n },
    {
      kind: 'TxIncluded',
      txHash: HASH,
      blockNumber: 9_007_199_254_740_993n,
      seenNs: 1_763_000_000_999_999_999n,
      gasUsed: 21_000n,
      gasUsedForL1: 2n ** 64n - 2n,
      effectiveGasPrice: 2n ** 200n + 1n,
      baseFeePerGas: 100_000_000n,
      success: true,
      from: ACCOUNT,
      to: HASH.slice(0, 42) as Hex,
      nonce: 0,
      valueWei: 0n,
    },
    {
      kind: 'TxIncluded',
      txHash: HASH,
      blockNumber: 1n,
      seenNs: 2n,
      gasUsed: 0n,
      gasUsedForL1: undefined,
      effectiveGasPrice: 0n,
      baseFeePerGas: undefined,
      success: false,
      from: ACCOUNT,
      to: undefined,
      nonce: 7,
      valueWei: -(10n ** 40n),
    },
    { kind: 'TxFeedSeen', txHash: HASH, sequenceNumber: 2 ** 40, seenNs: 1_763_000_001_000_000_001n },
    { kind: 'TxFailed', txHash: HASH, errorClass: 'nonce-too-low', stage: 'submit', message: 'nonce too low: 41 < 42 — ünïcödé 🚀', account: ACCOUNT, nonce: 42 },
    { kind: 'TxFailed', txHash: undefined, errorClass: 'timeout', stage: 'track', message: '', account: ACCOUNT, nonce: -1 },
    { kind: 'TxTimeout', txHash: HASH, waitedNs: 30_000_000_000n },
    { kind: 'FeedConnected', url: 'wss://feed.example/***' },
    { kind: 'FeedDisconnected', url: 'wss://feed.example/***', reason: 'close 1006' },
    { kind: 'FeedGap', expectedSequence: 2 ** 53 - 1, actualSequence: 0 },
    { kind: 'FeedStall', silentForNs: 5_000_000_000n },
    { kind: 'SendLate', count: 3, maxLatenessNs: 12_345_678n },
    { kind: 'PhaseStarted', phaseName: 'ramp', offeredGasPerSec: 12_500_000.25 },
    { kind: 'PhaseEnded', phaseName: 'ramp', sent: 1_000_000, late: 12, dropped: 0 },
    { kind: 'FaultInjected', faultName: 'rpc-latency', faultType: 'latency', faultTarget: 'sequencer-rpc', adapter: 'proxy', edgeIndexes: '0,1', params: '{"latency_ms":200,"jitter_ms":20}' },
    { kind: 'FaultCleared', faultName: 'rpc-latency', faultType: 'latency', faultTarget: 'sequencer-rpc', adapter: 'proxy', edgeIndexes: '0,1', reason: 'schedule', activeNs: 30_000_000_123n },
  ];
  return payloads.map((p, i) => ({ ...header(i), ...p }) as TelemetryEvent);
}

/** `count` events of the busy kinds from `edges` edges, in per-edge batches like the hive receives. */
export function busyEvents(count: number, options: { edges?: number; startSeq?: number; wallNs?: bigint } = {}): TelemetryEvent[] {
  const edges = options.edges ?? 2;
  const out: TelemetryEvent[] = [];
  for (let i = 0; i < count; i++) {
    const seq = (options.startSeq ?? 0) + i;
    const edgeId = `edge-${Math.floor(seq / 10) % edges}`;
    const h = { ...header(seq, edgeId), wallNs: (options.wallNs ?? WALL_NS) + BigInt(seq) * 1000n };
    const hash = `0x${seq.toString(16).padStart(64, '0')}` as Hex;
    const kind = seq % 3;
    if (kind === 0) out.push({ ...h, kind: 'TxSubmitted', txHash: hash, template: 'simple-transfer', estimatedGas: 21_000n, gasLimit: 50_000n, account: ACCOUNT, nonce: seq, intendedNs: h.monoNs - 10n, sentNs: h.monoNs, valueWei: 10n ** 18n });
    else if (kind === 1) out.push({ ...h, kind: 'TxAccepted', txHash: hash, acceptedNs: h.monoNs + 1_000n });
    else out.push({ ...h, kind: 'TxIncluded', txHash: hash, blockNumber: 1000n + BigInt(seq >> 4), seenNs: h.monoNs, gasUsed: 21_000n, gasUsedForL1: 300n, effectiveGasPrice: 10_000_000n, baseFeePerGas: 10_000_000n, success: true, from: ACCOUNT, to: ACCOUNT, nonce: seq, valueWei: 0n });
  }
  return out;
}

// ---- fast-check arbitraries -------------------------------------------------------------------

const int64 = fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);
const uint64 = fc.bigInt(0n, UINT64_MAX);
const wei = fc.bigInt(-(2n ** 256n), 2n ** 256n);
const safeInt = fc.maxSafeInteger();
const text = fc.string({ unit: 'binary', maxLength: 40 });
const hexDigits = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 0, maxLength: 64 });
const hex = hexDigits.map((d) => `0x${d}` as Hex);
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const payload: fc.Arbitrary<EventPayload> = fc.oneof(
  fc.record({ kind: fc.constant('TxSubmitted' as const), txHash: hex, template: text, estimatedGas: uint64, gasLimit: uint64, account: hex, nonce: safeInt, intendedNs: int64, sentNs: int64, valueWei: wei }),
  fc.record({ kind: fc.constant('TxAccepted' as const), txHash: hex, acceptedNs: int64 }),
  fc.record({
    kind: fc.constant('TxIncluded' as const),
    txHash: hex,
    blockNumber: uint64,
    seenNs: int64,
    gasUsed: uint64,
    gasUsedForL1: optional(uint64),
    effectiveGasPrice: wei,
    baseFeePerGas: optional(wei),
    success: fc.boolean(),
    from: hex,
    to: optional(hex),
    nonce: safeInt,
    valueWei: wei,
  }),
  fc.record({ kind: fc.constant('TxFeedSeen' as const), txHash: hex, sequenceNumber: safeInt, seenNs: int64 }),
  fc.record({ kind: fc.constant('TxFailed' as const), txHash: optional(hex), errorClass: text, stage: fc.constantFrom('submit' as const, 'track' as const), message: text, account: hex, nonce: safeInt }),
  fc.record({ kind: fc.constant('TxTimeout' as const), txHash: hex, waitedNs: int64 }),
  fc.record({ kind: fc.constant('FeedConnected' as const), url: text }),
  fc.record({ kind: fc.constant('FeedDisconnected' as const), url: text, reason: text }),
  fc.record({ kind: fc.constant('FeedGap' as const), expectedSequence: safeInt, actualSequence: safeInt }),
  fc.record({ kind: fc.constant('FeedStall' as const), silentForNs: int64 }),
  fc.record({ kind: fc.constant('SendLate' as const), count: safeInt, maxLatenessNs: int64 }),
  fc.record({ kind: fc.constant('PhaseStarted' as const), phaseName: text, offeredGasPerSec: fc.double() }),
  fc.record({ kind: fc.constant('PhaseEnded' as const), phaseName: text, sent: safeInt, late: safeInt, dropped: safeInt }),
  fc.record({ kind: fc.constant('FaultInjected' as const), faultName: text, faultType: text, faultTarget: text, adapter: text, edgeIndexes: text, params: text }),
  fc.record({ kind: fc.constant('FaultCleared' as const), faultName: text, faultType: text, faultTarget: text, adapter: text, edgeIndexes: text, reason: text, activeNs: int64 }),
);

/** A random event of any kind, of run RUN_ID, with any values the model allows. */
export const anyEvent: fc.Arbitrary<TelemetryEvent> = fc
  .record({
    edgeId: text,
    seq: int64,
    phaseIndex: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    monoNs: int64,
    wallNs: int64,
    payload,
  })
  .map(({ payload: p, ...h }) => ({ runId: RUN_ID, ...h, ...p }) as TelemetryEvent);
