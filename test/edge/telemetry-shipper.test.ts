// The telemetry shipper over a fake StreamTelemetry stream: the window of unacknowledged
// batches, batch size and order, acks releasing the next batch, flush (all acked, timeout, stream
// closed), events lost when the stream breaks, and the ring buffer's drop count in each batch.

import fc from 'fast-check';
import type { Hex } from 'viem';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TelemetryShipper, type TelemetryShipperOptions, type TelemetryStream } from '../../src/edge/telemetry-shipper.js';
import type { TelemetryAck, TelemetryBatch } from '../../src/proto/gashammer/v1/telemetry.js';
import type { TelemetryEvent } from '../../src/telemetry/events.js';
import { RingBuffer } from '../../src/telemetry/ring-buffer.js';
import { fromWireEvent, toWireEvent } from '../../src/telemetry/wire.js';

const RUN = 'run-7';
const EDGE = 'edge-3';
const HASH = `0x${'cd'.repeat(32)}` as Hex;

function event(seq: number): TelemetryEvent {
  return { runId: RUN, edgeId: EDGE, seq: BigInt(seq), phaseIndex: 0, monoNs: BigInt(1_000 + seq), wallNs: BigInt(2_000 + seq), kind: 'TxAccepted', txHash: HASH, acceptedNs: BigInt(seq) };
}

class FakeStream implements TelemetryStream {
  readonly writes: TelemetryBatch[] = [];
  endCalls = 0;
  private readonly ackListeners: ((ack: TelemetryAck) => void)[] = [];
  private readonly closeListeners: ((error: Error | undefined) => void)[] = [];

  write(batch: TelemetryBatch): void {
    this.writes.push(batch);
  }
  onAck(listener: (ack: TelemetryAck) => void): void {
    this.ackListeners.push(listener);
  }
  onClose(listener: (error: Error | undefined) => void): void {
    this.closeListeners.push(listener);
  }
  end(): void {
    this.endCalls++;
  }

  /** The hive acknowledges batch `seq`. */
  ack(seq: bigint | number): void {
    for (const l of this.ackListeners) l({ batchSeq: BigInt(seq), eventsAccepted: 0n });
  }
  /** The stream fails (or, with no error, the hive ends it). */
  close(error?: Error): void {
    for (const l of this.closeListeners) l(error);
  }
  /** Event seqs of each written batch. */
  seqs(): number[][] {
    return this.writes.map((b) => b.events.map((e) => Number(e.seq)));
  }
}

function fixture(options: Partial<Omit<TelemetryShipperOptions, 'stream' | 'buffer'>> & { capacity?: number } = {}) {
  const stream = new FakeStream();
  const buffer = new RingBuffer<TelemetryEvent>(options.capacity ?? 1_000);
  const shipper = new TelemetryShipper({ runId: RUN, edgeId: EDGE, buffer, stream, batchSize: 10, window: 2, flushIntervalMs: 100, ...options });
  let next = 0;
  const push = (n: number) => {
    for (let i = 0; i < n; i++) buffer.push(event(next++));
  };
  return { stream, buffer, shipper, push };
}

/** Tracks whether a promise settled, and with what. */
function track<T>(promise: Promise<T>): { settled: boolean; value: T | undefined } {
  const state: { settled: boolean; value: T | undefined } = { settled: false, value: undefined };
  void promise.then((v) => {
    state.settled = true;
    state.value = v;
  });
  return state;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('TelemetryShipper: batches and the window', () => {
  it('refuses a batch size or window below 1', () => {
    const stream = new FakeStream();
    const buffer = new RingBuffer<TelemetryEvent>(4);
    const base = { runId: RUN, edgeId: EDGE, buffer, stream, flushIntervalMs: 10 };
    expect(() => new TelemetryShipper({ ...base, batchSize: 0, window: 1 })).toThrow(RangeError);
    expect(() => new TelemetryShipper({ ...base, batchSize: 1, window: 0 })).toThrow(RangeError);
    expect(() => new TelemetryShipper({ ...base, batchSize: -5, window: 3 })).toThrow('batchSize and window must be at least 1');
    expect(() => new TelemetryShipper({ ...base, batchSize: 1, window: 1 })).not.toThrow();
  });

  it('sends at most `window` unacknowledged batches of at most batchSize events, in order', () => {
    const { stream, buffer, shipper, push } = fixture({ batchSize: 10, window: 2 });
    push(25);
    shipper.pump();
    expect(stream.seqs()).toEqual([range(0, 10), range(10, 20)]);
    expect(stream.writes.map((b) => b.batchSeq)).toEqual([0n, 1n]);
    expect(buffer.size).toBe(5);
    shipper.pump(); // window full: nothing more
    expect(stream.writes).toHaveLength(2);
    expect(shipper.stats).toEqual({ batchesSent: 2, batchesAcked: 0, eventsShipped: 0, eventsLost: 0 });
  });

  it('sends the next batch as soon as an ack frees the window', () => {
    const { stream, buffer, shipper, push } = fixture({ batchSize: 10, window: 2 });
    push(25);
    shipper.pump();
    stream.ack(0);
    expect(stream.seqs()).toEqual([range(0, 10), range(10, 20), range(20, 25)]);
    expect(stream.writes[2]!.batchSeq).toBe(2n);
    expect(buffer.size).toBe(0);
    stream.ack(1);
    stream.ack(2);
    expect(stream.writes).toHaveLength(3);
    expect(shipper.stats).toEqual({ batchesSent: 3, batchesAcked: 3, eventsShipped: 25, eventsLost: 0 });
  });

  it('accepts acks out of order', () => {
    const { stream, shipper, push } = fixture({ batchSize: 1, window: 2 });
    push(3);
    shipper.pump();
    stream.ack(1);
    expect(stream.writes.map((b) => b.batchSeq)).toEqual([0n, 1n, 2n]);
    expect(shipper.stats.batchesAcked).toBe(1);
  });

  it('ignores an ack for a batch it never sent or already had acknowledged', () => {
    const onAck = vi.fn();
    const { stream, shipper, push } = fixture({ batchSize: 5, window: 1, onAck });
    push(12);
    shipper.pump();
    stream.ack(7);
    expect(stream.writes).toHaveLength(1);
    stream.ack(0);
    stream.ack(0);
    expect(stream.writes).toHaveLength(2); // the duplicate released nothing more
    expect(shipper.stats).toEqual({ batchesSent: 2, batchesAcked: 1, eventsShipped: 5, eventsLost: 0 });
    expect(onAck.mock.calls).toEqual([[5]]);
  });

  it('writes the run and edge ids and the events in wire form', () => {
    const { stream, shipper, push } = fixture({ batchSize: 3 });
    push(3);
    shipper.pump();
    const batch = stream.writes[0]!;
    expect(batch).toEqual({ runId: RUN, edgeId: EDGE, batchSeq: 0n, events: [0, 1, 2].map((i) => toWireEvent(event(i))), droppedTotal: 0n });
    expect(batch.events.map((w) => fromWireEvent(w, RUN, EDGE))).toStrictEqual([0, 1, 2].map(event));
  });

  it('sends nothing while the buffer is empty', () => {
    const { stream, shipper } = fixture();
    shipper.pump();
    expect(stream.writes).toEqual([]);
    expect(shipper.stats.batchesSent).toBe(0);
  });

  it('keeps the window and the order under any interleaving of pushes, pumps and acks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.oneof(fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 0, max: 15 }) }), fc.record({ op: fc.constant('pump' as const) }), fc.record({ op: fc.constant('ack' as const), pick: fc.nat() })), { maxLength: 60 }),
        (batchSize, window, capacity, ops) => {
          const { stream, buffer, shipper, push } = fixture({ batchSize, window, capacity });
          const acked = new Set<bigint>();
          let pushed = 0;
          for (const step of ops) {
            const before = stream.writes.length;
            if (step.op === 'push') {
              push(step.n);
              pushed += step.n;
            } else if (step.op === 'pump') {
              shipper.pump();
            } else {
              const open = stream.writes.map((b) => b.batchSeq).filter((s) => !acked.has(s));
              const seq = open.length > 0 ? open[step.pick % open.length]! : BigInt(stream.writes.length + step.pick); // else an unknown seq
              if (open.length > 0) acked.add(seq);
              stream.ack(seq);
            }
            const unacked = stream.writes.length - acked.size;
            expect(unacked).toBeLessThanOrEqual(window);
            if (step.op !== 'push' && stream.writes.length > before) {
              // A pump (direct or after an ack) fills the window or empties the buffer.
              expect(unacked === window || buffer.size === 0).toBe(true);
            }
          }
          const seqs = stream.writes.flatMap((b) => b.events.map((e) => e.seq));
          for (const b of stream.writes) {
            expect(b.events.length).toBeGreaterThanOrEqual(1);
            expect(b.events.length).toBeLessThanOrEqual(batchSize);
          }
          expect(stream.writes.map((b) => b.batchSeq)).toEqual(stream.writes.map((_, i) => BigInt(i)));
          for (let i = 1; i < seqs.length; i++) expect(seqs[i]! > seqs[i - 1]!).toBe(true); // oldest first, never twice
          for (let i = 1; i < stream.writes.length; i++) expect(stream.writes[i]!.droppedTotal >= stream.writes[i - 1]!.droppedTotal).toBe(true);
          expect(seqs.length + buffer.dropped + buffer.size).toBe(pushed); // nothing vanishes
          expect(shipper.stats.batchesSent).toBe(stream.writes.length);
          expect(shipper.stats.batchesAcked).toBe(acked.size);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('TelemetryShipper: the timer', () => {
  it('pumps every flushIntervalMs once started, with one timer however often started', () => {
    const { stream, shipper, push } = fixture({ batchSize: 100, window: 100, flushIntervalMs: 100 });
    shipper.start();
    shipper.start();
    expect(vi.getTimerCount()).toBe(1);
    push(3);
    vi.advanceTimersByTime(99);
    expect(stream.writes).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(stream.seqs()).toEqual([[0, 1, 2]]);
    push(2);
    vi.advanceTimersByTime(100);
    expect(stream.seqs()).toEqual([[0, 1, 2], [3, 4]]);
    vi.advanceTimersByTime(1_000);
    expect(stream.writes).toHaveLength(2);
    shipper.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('TelemetryShipper.flush', () => {
  it('resolves true at once when there is nothing to ship', async () => {
    const { shipper } = fixture();
    await expect(shipper.flush(1_000)).resolves.toBe(true);
  });

  it('ships everything and resolves true only once every batch is acknowledged', async () => {
    const { stream, shipper, push } = fixture({ batchSize: 10, window: 1 });
    push(15);
    const result = track(shipper.flush(60_000));
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.seqs()).toEqual([range(0, 10)]);
    stream.ack(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.seqs()).toEqual([range(0, 10), range(10, 15)]);
    expect(result.settled).toBe(false);
    stream.ack(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(result).toEqual({ settled: true, value: true });
    expect(shipper.stats).toEqual({ batchesSent: 2, batchesAcked: 2, eventsShipped: 15, eventsLost: 0 });
    expect(vi.getTimerCount()).toBe(0); // its timeout timer was cleared
  });

  it('resolves false when the timeout passes first (not 1 ms earlier)', async () => {
    const { stream, shipper, push } = fixture();
    push(3);
    const result = track(shipper.flush(1_000));
    await vi.advanceTimersByTimeAsync(999);
    expect(result.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toEqual({ settled: true, value: false });
    expect(stream.writes).toHaveLength(1);
    expect(shipper.stats).toEqual({ batchesSent: 1, batchesAcked: 0, eventsShipped: 0, eventsLost: 0 });
  });

  it('ends at once when the stream breaks, keeping the error and counting the lost events', async () => {
    const { stream, shipper, push } = fixture();
    push(3);
    const result = track(shipper.flush(60_000));
    await vi.advanceTimersByTimeAsync(0);
    const error = new Error('RST_STREAM with code 2');
    stream.close(error);
    await vi.advanceTimersByTimeAsync(0); // no time passes: it does not wait for its timeout
    expect(result.settled).toBe(true);
    expect(shipper.failure).toBe(error);
    expect(shipper.stats).toEqual({ batchesSent: 1, batchesAcked: 0, eventsShipped: 0, eventsLost: 3 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves false when the stream is already broken and events are still buffered', async () => {
    const { stream, shipper, push } = fixture({ batchSize: 2, window: 1 });
    push(5);
    shipper.pump();
    stream.close(new Error('gone'));
    await expect(shipper.flush(60_000)).resolves.toBe(false);
  });

  // A broken stream clears its unacknowledged batches as lost: flush must not call that drained.
  it('resolves false when the stream breaks with batches unacknowledged', async () => {
    const { stream, shipper, push } = fixture();
    push(3);
    const result = track(shipper.flush(60_000));
    await vi.advanceTimersByTimeAsync(0);
    stream.close(new Error('RST_STREAM with code 2'));
    await vi.advanceTimersByTimeAsync(0);
    expect(result).toEqual({ settled: true, value: false });
  });

  // Same bug, when the hive ends the stream instead, and when flush is called after the break.
  it('resolves false when the hive ended the stream before the batch was acknowledged', async () => {
    const { stream, shipper, push } = fixture();
    push(1);
    shipper.pump();
    stream.close();
    await expect(shipper.flush(60_000)).resolves.toBe(false);
  });

  it('says the hive ended the stream when it closes without an error', () => {
    const { stream, shipper, push } = fixture();
    push(1);
    shipper.pump();
    stream.close();
    expect(shipper.failure).toBeInstanceOf(Error);
    expect(shipper.failure?.message).toBe('the hive ended the telemetry stream');
    expect(shipper.stats.eventsLost).toBe(1);
  });

  it('resolves false when the shipper is closed while it waits', async () => {
    const { shipper, push } = fixture();
    push(1);
    const result = track(shipper.flush(60_000));
    await vi.advanceTimersByTimeAsync(0);
    shipper.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(result).toEqual({ settled: true, value: false });
    expect(shipper.failure).toBeUndefined();
  });
});

describe('TelemetryShipper: a broken stream', () => {
  it('counts the unacknowledged events as lost and sends nothing more', () => {
    const { stream, buffer, shipper, push } = fixture({ batchSize: 10, window: 2 });
    push(27);
    shipper.pump();
    stream.ack(0); // releases batch 2 (20..26)
    expect(stream.writes).toHaveLength(3);
    stream.close(new Error('connection reset'));
    expect(shipper.stats).toEqual({ batchesSent: 3, batchesAcked: 1, eventsShipped: 10, eventsLost: 17 });
    push(4);
    shipper.pump();
    expect(stream.writes).toHaveLength(3);
    expect(buffer.size).toBe(4); // still buffered: not sent, so not lost
    stream.ack(1); // a late ack for a batch already counted lost changes nothing
    expect(shipper.stats).toEqual({ batchesSent: 3, batchesAcked: 1, eventsShipped: 10, eventsLost: 17 });
  });

  it('stops its timer when the stream breaks', () => {
    const { stream, shipper, push } = fixture();
    shipper.start();
    stream.close(new Error('gone'));
    expect(vi.getTimerCount()).toBe(0);
    push(5);
    vi.advanceTimersByTime(1_000);
    expect(stream.writes).toEqual([]);
  });
});

describe('TelemetryShipper: drops', () => {
  it('carries the ring buffer’s cumulative drop count in every batch, and tells onSend what is new', () => {
    const onSend = vi.fn<NonNullable<TelemetryShipperOptions['onSend']>>();
    const { stream, buffer, shipper, push } = fixture({ capacity: 4, batchSize: 10, window: 5, onSend });
    push(7); // 0..2 dropped
    expect(buffer.dropped).toBe(3);
    shipper.pump();
    expect(stream.writes[0]!.droppedTotal).toBe(3n);
    expect(stream.seqs()[0]).toEqual([3, 4, 5, 6]);
    push(6); // 7, 8 dropped
    shipper.pump();
    expect(stream.writes[1]!.droppedTotal).toBe(5n);
    expect(stream.seqs()[1]).toEqual([9, 10, 11, 12]);
    push(1);
    shipper.pump();
    expect(stream.writes[2]!.droppedTotal).toBe(5n); // cumulative, not per batch
    expect(onSend.mock.calls.map(([events, newlyDropped]) => [events.map((e) => Number(e.seq)), newlyDropped])).toEqual([
      [[3, 4, 5, 6], 3],
      [[9, 10, 11, 12], 2],
      [[13], 0],
    ]);
  });
});

describe('TelemetryShipper.close', () => {
  it('ends the stream once, stops the timer and sends nothing more; buffered events stay', () => {
    const { stream, buffer, shipper, push } = fixture();
    shipper.start();
    push(2);
    shipper.close();
    shipper.close();
    expect(stream.endCalls).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    shipper.pump();
    vi.advanceTimersByTime(1_000);
    expect(stream.writes).toEqual([]);
    expect(buffer.size).toBe(2);
    expect(shipper.failure).toBeUndefined();
  });

  it('does not end a stream that already broke', () => {
    const { stream, shipper } = fixture();
    stream.close(new Error('broken'));
    shipper.close();
    expect(stream.endCalls).toBe(0);
    expect(shipper.failure?.message).toBe('broken');
  });

  it('counts batches still unacknowledged when the stream then closes as lost', () => {
    const { stream, shipper, push } = fixture({ batchSize: 4 });
    push(6);
    shipper.pump();
    stream.ack(0);
    shipper.close();
    stream.close(undefined); // the stream's end after ours
    expect(shipper.stats).toEqual({ batchesSent: 2, batchesAcked: 1, eventsShipped: 4, eventsLost: 2 });
    expect(shipper.failure).toBeUndefined(); // we ended it: not a failure
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
