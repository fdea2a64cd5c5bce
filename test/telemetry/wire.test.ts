// The telemetry wire mapping: every event kind survives toWireEvent/fromWireEvent exactly, also
// through real protobuf bytes (TelemetryBatch.encode/decode), including 64-bit values beyond 2^53,
// wei beyond 2^64 and optional fields that are absent or zero; random events (fast-check) do too;
// and a wire event without a payload (a kind this hive does not know) is refused.

import { BinaryWriter } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { TelemetryBatch, TelemetryEvent as WireEvent } from '../../src/proto/gashammer/v1/telemetry.js';
import type { EventHeader, EventKind, EventPayload, TelemetryEvent } from '../../src/telemetry/events.js';
import { UnknownEventKindError, fromWireEvent, toWireEvent } from '../../src/telemetry/wire.js';

const U64_MAX = 2n ** 64n - 1n;
const I64_MAX = 2n ** 63n - 1n;
const I64_MIN = -(2n ** 63n);
const ABOVE_2_53 = 2n ** 53n + 1n; // the first integer a double cannot hold
const WEI_BEYOND_2_64 = 2n ** 200n + 123_456_789n;
const HASH = `0x${'9f'.repeat(32)}` as Hex;
const FROM = `0x${'a1'.repeat(20)}` as Hex;
const TO = `0x${'b2'.repeat(20)}` as Hex;

const RUN = 'run-0b7c';
const EDGE = 'edge-5e1d';

const HEADER: EventHeader = { runId: RUN, edgeId: EDGE, seq: U64_MAX, phaseIndex: 2 ** 32 - 1, monoNs: I64_MAX, wallNs: ABOVE_2_53 };

/** One payload of every kind, with values at the edges of their wire types. */
const PAYLOADS: Readonly<Record<EventKind, EventPayload>> = {
  TxSubmitted: { kind: 'TxSubmitted', txHash: HASH, template: 'erc20-transfer', estimatedGas: U64_MAX, gasLimit: ABOVE_2_53, account: FROM, nonce: Number.MAX_SAFE_INTEGER, intendedNs: I64_MIN, sentNs: I64_MAX, valueWei: WEI_BEYOND_2_64 },
  TxAccepted: { kind: 'TxAccepted', txHash: HASH, acceptedNs: ABOVE_2_53 + 2n },
  TxIncluded: {
    kind: 'TxIncluded',
    txHash: HASH,
    blockNumber: U64_MAX,
    seenNs: I64_MAX,
    gasUsed: 2n ** 60n + 7n,
    gasUsedForL1: U64_MAX,
    effectiveGasPrice: 2n ** 70n + 1n,
    baseFeePerGas: 2n ** 65n + 3n,
    success: false,
    from: FROM,
    to: TO,
    nonce: 2 ** 40,
    valueWei: WEI_BEYOND_2_64,
  },
  TxFeedSeen: { kind: 'TxFeedSeen', txHash: HASH, sequenceNumber: Number.MAX_SAFE_INTEGER, seenNs: I64_MIN },
  TxFailed: { kind: 'TxFailed', txHash: HASH, errorClass: 'nonce-too-low', stage: 'track', message: 'receipt: ✓ ünïcödé 🚀', account: FROM, nonce: 77 },
  TxTimeout: { kind: 'TxTimeout', txHash: HASH, waitedNs: I64_MAX },
  FeedConnected: { kind: 'FeedConnected', url: 'wss://feed.example/?key=<redacted>' },
  FeedDisconnected: { kind: 'FeedDisconnected', url: 'wss://feed.example', reason: 'read ECONNRESET' },
  FeedGap: { kind: 'FeedGap', expectedSequence: Number.MAX_SAFE_INTEGER - 1, actualSequence: Number.MAX_SAFE_INTEGER },
  FeedStall: { kind: 'FeedStall', silentForNs: ABOVE_2_53 },
  SendLate: { kind: 'SendLate', count: 2 ** 32 - 1, maxLatenessNs: I64_MAX },
  PhaseStarted: { kind: 'PhaseStarted', phaseName: 'ramp ✓', offeredGasPerSec: 12_345_678.875 },
  PhaseEnded: { kind: 'PhaseEnded', phaseName: 'ramp', sent: 2 ** 32 - 1, late: 12, dropped: 3 },
  FaultInjected: { kind: 'FaultInjected', faultName: 'rpc-latency', faultType: 'latency', faultTarget: 'sequencer-rpc', adapter: 'proxy', edgeIndexes: '0,2', params: '{"latency_ms":200}' },
  FaultCleared: { kind: 'FaultCleared', faultName: 'rpc-latency', faultType: 'latency', faultTarget: 'sequencer-rpc', adapter: 'proxy', edgeIndexes: '0,2', reason: 'schedule', activeNs: I64_MAX },
};

const KINDS = Object.keys(PAYLOADS) as EventKind[];

/** The same kinds with every field at its zero value (which proto3 does not put on the wire). */
const ZERO_PAYLOADS: readonly EventPayload[] = [
  { kind: 'TxSubmitted', txHash: '0x', template: '', estimatedGas: 0n, gasLimit: 0n, account: '0x', nonce: 0, intendedNs: 0n, sentNs: 0n, valueWei: 0n },
  { kind: 'TxAccepted', txHash: '0x', acceptedNs: 0n },
  // Present but zero is not the same as absent: the optional fields must keep the difference.
  { kind: 'TxIncluded', txHash: '0x', blockNumber: 0n, seenNs: 0n, gasUsed: 0n, gasUsedForL1: 0n, effectiveGasPrice: 0n, baseFeePerGas: 0n, success: false, from: '0x', to: '0x', nonce: 0, valueWei: 0n },
  { kind: 'TxIncluded', txHash: HASH, blockNumber: 1n, seenNs: 1n, gasUsed: 21_000n, gasUsedForL1: undefined, effectiveGasPrice: 1n, baseFeePerGas: undefined, success: true, from: FROM, to: undefined, nonce: 1, valueWei: 0n },
  { kind: 'TxFeedSeen', txHash: '0x', sequenceNumber: 0, seenNs: 0n },
  { kind: 'TxFailed', txHash: undefined, errorClass: '', stage: 'submit', message: '', account: '0x', nonce: 0 },
  { kind: 'TxFailed', txHash: '0x', errorClass: 'x', stage: 'submit', message: 'y', account: FROM, nonce: 1 },
  { kind: 'TxTimeout', txHash: '0x', waitedNs: 0n },
  { kind: 'FeedConnected', url: '' },
  { kind: 'FeedDisconnected', url: '', reason: '' },
  { kind: 'FeedGap', expectedSequence: 0, actualSequence: 0 },
  { kind: 'FeedStall', silentForNs: 0n },
  { kind: 'SendLate', count: 0, maxLatenessNs: 0n },
  { kind: 'PhaseStarted', phaseName: '', offeredGasPerSec: 0 },
  { kind: 'PhaseEnded', phaseName: '', sent: 0, late: 0, dropped: 0 },
  { kind: 'FaultInjected', faultName: '', faultType: '', faultTarget: '', adapter: '', edgeIndexes: '', params: '' },
  { kind: 'FaultCleared', faultName: '', faultType: '', faultTarget: '', adapter: '', edgeIndexes: '', reason: '', activeNs: 0n },
];
const ZERO_HEADER: EventHeader = { runId: RUN, edgeId: EDGE, seq: 0n, phaseIndex: 0, monoNs: 0n, wallNs: 0n };

function sample(kind: EventKind): TelemetryEvent {
  return { ...HEADER, ...PAYLOADS[kind] } as TelemetryEvent;
}

/** toWireEvent -> TelemetryBatch bytes -> decode -> fromWireEvent. */
function throughProtobuf(events: readonly TelemetryEvent[], runId = RUN, edgeId = EDGE): { batch: TelemetryBatch; events: TelemetryEvent[] } {
  const bytes = TelemetryBatch.encode({ runId, edgeId, batchSeq: U64_MAX, events: events.map(toWireEvent), droppedTotal: ABOVE_2_53 }).finish();
  const batch = TelemetryBatch.decode(bytes);
  return { batch, events: batch.events.map((w) => fromWireEvent(w, batch.runId, batch.edgeId)) };
}

describe('wire mapping: every event kind', () => {
  it('covers all 15 kinds', () => {
    expect(KINDS).toHaveLength(15);
    const cases = new Set(KINDS.map((k) => toWireEvent(sample(k)).payload?.$case));
    expect(cases.size).toBe(15);
  });

  it.each(KINDS)('%s round-trips toWireEvent/fromWireEvent exactly', (kind) => {
    const event = sample(kind);
    expect(fromWireEvent(toWireEvent(event), RUN, EDGE)).toStrictEqual(event);
  });

  it.each(KINDS)('%s round-trips through protobuf bytes exactly', (kind) => {
    const event = sample(kind);
    const { batch, events } = throughProtobuf([event]);
    expect(events).toStrictEqual([event]);
    expect(batch.batchSeq).toBe(U64_MAX);
    expect(batch.droppedTotal).toBe(ABOVE_2_53);
  });

  it.each(ZERO_PAYLOADS.map((p, i) => ({ i, kind: p.kind, p })))('zero values and absent optionals survive: #$i $kind', ({ p }) => {
    const event = { ...ZERO_HEADER, ...p } as TelemetryEvent;
    expect(fromWireEvent(toWireEvent(event), RUN, EDGE)).toStrictEqual(event);
    expect(throughProtobuf([event]).events).toStrictEqual([event]);
  });

  it('keeps all kinds, in order, in one batch', () => {
    const events = KINDS.map((k, i) => ({ ...sample(k), seq: BigInt(i) }) as TelemetryEvent);
    expect(throughProtobuf(events).events).toStrictEqual(events);
  });

  it('takes run and edge ids from the caller (the batch header), not from the event', () => {
    const event = sample('TxAccepted');
    const wire = toWireEvent(event);
    expect(Object.keys(wire).sort()).toEqual(['monoNs', 'payload', 'phaseIndex', 'seq', 'wallNs']);
    expect(fromWireEvent(wire, 'other-run', 'other-edge')).toStrictEqual({ ...event, runId: 'other-run', edgeId: 'other-edge' });
  });
});

describe('wire form', () => {
  it('sends wei amounts as decimal strings and numbers as 64-bit integers', () => {
    expect(toWireEvent(sample('TxSubmitted'))).toEqual({
      seq: U64_MAX,
      phaseIndex: 2 ** 32 - 1,
      monoNs: I64_MAX,
      wallNs: ABOVE_2_53,
      payload: {
        $case: 'txSubmitted',
        value: { txHash: HASH, template: 'erc20-transfer', estimatedGas: U64_MAX, gasLimit: ABOVE_2_53, account: FROM, nonce: BigInt(Number.MAX_SAFE_INTEGER), intendedNs: I64_MIN, sentNs: I64_MAX, valueWei: WEI_BEYOND_2_64.toString() },
      },
    });
    expect(WEI_BEYOND_2_64.toString()).toMatch(/^[1-9][0-9]{60}$/); // decimal, 61 digits: far past uint64's 20
    expect(toWireEvent(sample('TxIncluded')).payload).toEqual({
      $case: 'txIncluded',
      value: {
        txHash: HASH,
        blockNumber: U64_MAX,
        seenNs: I64_MAX,
        gasUsed: 2n ** 60n + 7n,
        gasUsedForL1: U64_MAX,
        effectiveGasPrice: (2n ** 70n + 1n).toString(),
        baseFeePerGas: (2n ** 65n + 3n).toString(),
        success: false,
        from: FROM,
        to: TO,
        nonce: 2n ** 40n,
        valueWei: WEI_BEYOND_2_64.toString(),
      },
    });
  });

  it('leaves absent optionals absent on the wire (not zero)', () => {
    const wire = toWireEvent({ ...ZERO_HEADER, ...ZERO_PAYLOADS[3]! } as TelemetryEvent);
    expect(wire.payload?.$case).toBe('txIncluded');
    const v = wire.payload?.$case === 'txIncluded' ? wire.payload.value : undefined;
    expect([v?.gasUsedForL1, v?.baseFeePerGas, v?.to]).toEqual([undefined, undefined, undefined]);
    const decoded = WireEvent.decode(WireEvent.encode(wire).finish());
    const d = decoded.payload?.$case === 'txIncluded' ? decoded.payload.value : undefined;
    expect([d?.gasUsedForL1, d?.baseFeePerGas, d?.to]).toEqual([undefined, undefined, undefined]);
  });

  it('refuses to put a uint64 value beyond 2^64 on the wire rather than truncate it', () => {
    const event = { ...sample('TxIncluded'), gasUsed: 2n ** 64n } as TelemetryEvent;
    expect(() => TelemetryBatch.encode({ runId: RUN, edgeId: EDGE, batchSeq: 0n, events: [toWireEvent(event)], droppedTotal: 0n })).toThrow(/too large/);
  });

  it('reads a TxFailed stage it does not know as submit', () => {
    const wire = toWireEvent(sample('TxFailed'));
    if (wire.payload?.$case !== 'txFailed') throw new Error('expected txFailed');
    wire.payload.value.stage = 'sign';
    expect(fromWireEvent(wire, RUN, EDGE)).toMatchObject({ kind: 'TxFailed', stage: 'submit' });
    wire.payload.value.stage = 'track';
    expect(fromWireEvent(wire, RUN, EDGE)).toMatchObject({ stage: 'track' });
  });
});

describe('UnknownEventKindError', () => {
  it('is thrown for a wire event without a payload, naming its sequence number', () => {
    const wire: WireEvent = { seq: 4_242n, phaseIndex: 1, monoNs: 5n, wallNs: 6n, payload: undefined };
    let caught: unknown;
    try {
      fromWireEvent(wire, RUN, EDGE);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnknownEventKindError);
    expect(caught).toBeInstanceOf(Error);
    const e = caught as UnknownEventKindError;
    expect(e.name).toBe('UnknownEventKindError');
    expect(e.seq).toBe(4_242n);
    expect(e.message).toBe('telemetry event 4242 has no payload this hive understands');
  });

  it('is thrown for an event of a kind a newer edge added (an unknown oneof field on the wire)', () => {
    // seq = 9 (field 1, varint), phase_index = 1 (field 2), then field 30: a message this hive does not know.
    const newer = new BinaryWriter().uint32(8).uint64(9n).uint32(16).uint32(1).uint32((30 << 3) | 2).bytes(Uint8Array.of(8, 1)).finish();
    const decoded = WireEvent.decode(newer);
    expect(decoded).toEqual({ seq: 9n, phaseIndex: 1, monoNs: 0n, wallNs: 0n, payload: undefined });
    expect(() => fromWireEvent(decoded, RUN, EDGE)).toThrow(UnknownEventKindError);
    expect(() => fromWireEvent(decoded, RUN, EDGE)).toThrow('telemetry event 9 has no payload');
  });
});

// ---- random events --------------------------------------------------------------------------

const u64 = fc.bigInt({ min: 0n, max: U64_MAX });
const i64 = fc.bigInt({ min: I64_MIN, max: I64_MAX });
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const safeNat = fc.maxSafeNat();
const wei = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n });
const text = fc.string({ unit: 'grapheme', maxLength: 24 });
const hexOf = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => `0x${Buffer.from(b).toString('hex')}` as Hex);
const hash = hexOf(32);
const address = hexOf(20);
// -0 is excluded: proto3 does not send a double equal to 0, so it comes back as +0.
const double = fc.double().filter((d) => !Object.is(d, -0));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const headerArb: fc.Arbitrary<EventHeader> = fc.record({ runId: text, edgeId: text, seq: u64, phaseIndex: u32, monoNs: i64, wallNs: i64 });

const payloadArb: fc.Arbitrary<EventPayload> = fc.oneof(
  fc.record({ kind: fc.constant('TxSubmitted' as const), txHash: hash, template: text, estimatedGas: u64, gasLimit: u64, account: address, nonce: safeNat, intendedNs: i64, sentNs: i64, valueWei: wei }),
  fc.record({ kind: fc.constant('TxAccepted' as const), txHash: hash, acceptedNs: i64 }),
  fc.record({
    kind: fc.constant('TxIncluded' as const),
    txHash: hash,
    blockNumber: u64,
    seenNs: i64,
    gasUsed: u64,
    gasUsedForL1: optional(u64),
    effectiveGasPrice: wei,
    baseFeePerGas: optional(wei),
    success: fc.boolean(),
    from: address,
    to: optional(address),
    nonce: safeNat,
    valueWei: wei,
  }),
  fc.record({ kind: fc.constant('TxFeedSeen' as const), txHash: hash, sequenceNumber: safeNat, seenNs: i64 }),
  fc.record({ kind: fc.constant('TxFailed' as const), txHash: optional(hash), errorClass: text, stage: fc.constantFrom('submit' as const, 'track' as const), message: text, account: address, nonce: safeNat }),
  fc.record({ kind: fc.constant('TxTimeout' as const), txHash: hash, waitedNs: i64 }),
  fc.record({ kind: fc.constant('FeedConnected' as const), url: text }),
  fc.record({ kind: fc.constant('FeedDisconnected' as const), url: text, reason: text }),
  fc.record({ kind: fc.constant('FeedGap' as const), expectedSequence: safeNat, actualSequence: safeNat }),
  fc.record({ kind: fc.constant('FeedStall' as const), silentForNs: i64 }),
  fc.record({ kind: fc.constant('SendLate' as const), count: u32, maxLatenessNs: i64 }),
  fc.record({ kind: fc.constant('PhaseStarted' as const), phaseName: text, offeredGasPerSec: double }),
  fc.record({ kind: fc.constant('PhaseEnded' as const), phaseName: text, sent: u32, late: u32, dropped: u32 }),
  fc.record({ kind: fc.constant('FaultInjected' as const), faultName: text, faultType: text, faultTarget: text, adapter: text, edgeIndexes: text, params: text }),
  fc.record({ kind: fc.constant('FaultCleared' as const), faultName: text, faultType: text, faultTarget: text, adapter: text, edgeIndexes: text, reason: text, activeNs: i64 }),
);

const eventArb: fc.Arbitrary<TelemetryEvent> = fc.tuple(headerArb, payloadArb).map(([h, p]) => ({ ...h, ...p }) as TelemetryEvent);

describe('wire mapping: random events (fast-check)', () => {
  it('round-trips any event through toWireEvent/fromWireEvent', () => {
    fc.assert(
      fc.property(eventArb, (event) => {
        expect(fromWireEvent(toWireEvent(event), event.runId, event.edgeId)).toStrictEqual(event);
      }),
      { numRuns: 1_000 },
    );
  });

  it('round-trips any batch of events through protobuf bytes', () => {
    fc.assert(
      fc.property(text, text, fc.array(payloadArb, { maxLength: 12 }), fc.array(fc.tuple(u64, u32, i64, i64), { minLength: 12, maxLength: 12 }), (runId, edgeId, payloads, headers) => {
        const events = payloads.map((p, i) => {
          const [seq, phaseIndex, monoNs, wallNs] = headers[i]!;
          return { runId, edgeId, seq, phaseIndex, monoNs, wallNs, ...p } as TelemetryEvent;
        });
        const { batch, events: back } = throughProtobuf(events, runId, edgeId);
        expect(batch.runId).toBe(runId);
        expect(batch.edgeId).toBe(edgeId);
        expect(back).toStrictEqual(events);
      }),
      { numRuns: 500 },
    );
  });
});
