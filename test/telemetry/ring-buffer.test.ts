// The telemetry ring buffer (drop-oldest, never blocking, drain oldest first; checked against a
// plain array model with random operation sequences) and the recorder that stamps events into it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/telemetry/clock.js';
import type { TelemetryEvent } from '../../src/telemetry/events.js';
import { TelemetryRecorder } from '../../src/telemetry/recorder.js';
import { RingBuffer } from '../../src/telemetry/ring-buffer.js';

describe('RingBuffer', () => {
  it('refuses a capacity that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new RingBuffer(bad), String(bad)).toThrow(RangeError);
  });

  it('drains what was pushed, oldest first, and can be drained partially', () => {
    const buffer = new RingBuffer<number>(4);
    buffer.push(1);
    buffer.push(2);
    buffer.push(3);
    expect(buffer.size).toBe(3);
    expect(buffer.drain(2)).toEqual([1, 2]);
    expect(buffer.size).toBe(1);
    buffer.push(4);
    buffer.push(5);
    expect(buffer.drain(10)).toEqual([3, 4, 5]);
    expect(buffer.drain(10)).toEqual([]);
    expect(buffer.drain(0)).toEqual([]);
    expect(buffer.drain(-3)).toEqual([]);
    expect({ pushed: buffer.pushed, dropped: buffer.dropped, drained: buffer.drained, size: buffer.size }).toEqual({ pushed: 5, dropped: 0, drained: 5, size: 0 });
  });

  it('when full, drops the oldest item, counts it, and keeps the newest', () => {
    const buffer = new RingBuffer<string>(3);
    for (const item of ['a', 'b', 'c', 'd', 'e']) buffer.push(item);
    expect(buffer.size).toBe(3);
    expect(buffer.dropped).toBe(2);
    expect(buffer.pushed).toBe(5);
    expect(buffer.drain(3)).toEqual(['c', 'd', 'e']);
  });

  it('with capacity 1 holds only the latest item', () => {
    const buffer = new RingBuffer<number>(1);
    for (let i = 0; i < 10; i++) buffer.push(i);
    expect(buffer.drain()).toEqual([9]);
    expect(buffer.dropped).toBe(9);
  });

  it('does not keep drained items reachable', () => {
    const buffer = new RingBuffer<{ n: number }>(2);
    buffer.push({ n: 1 });
    buffer.drain(1);
    // The slot is cleared: nothing but the preallocated holes remains.
    expect((buffer as unknown as { slots: unknown[] }).slots.every((s) => s === undefined)).toBe(true);
  });

  it('behaves like an array that drops from the front (random operation sequences)', () => {
    type Op = { push: number } | { drain: number };
    const op: fc.Arbitrary<Op> = fc.oneof({ arbitrary: fc.integer().map((push) => ({ push })), weight: 3 }, { arbitrary: fc.integer({ min: -1, max: 20 }).map((drain) => ({ drain })), weight: 1 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.array(op, { maxLength: 200 }), (capacity, ops) => {
        const buffer = new RingBuffer<number>(capacity);
        let model: number[] = [];
        let dropped = 0;
        let pushed = 0;
        for (const o of ops) {
          if ('push' in o) {
            buffer.push(o.push);
            pushed++;
            model.push(o.push);
            if (model.length > capacity) {
              model = model.slice(1);
              dropped++;
            }
          } else {
            const n = Math.max(0, o.drain);
            expect(buffer.drain(o.drain)).toEqual(model.slice(0, n));
            model = model.slice(n);
          }
          expect(buffer.size).toBe(model.length);
          expect(buffer.dropped).toBe(dropped);
          expect(buffer.pushed).toBe(pushed);
          expect(buffer.pushed).toBe(buffer.drained + buffer.dropped + buffer.size);
        }
        expect(buffer.drain(capacity)).toEqual(model);
      }),
    );
  });
});

describe('TelemetryRecorder', () => {
  function setup(capacity = 16) {
    const clock = manualClock(1_700_000_000_000);
    const buffer = new RingBuffer<TelemetryEvent>(capacity);
    const recorder = new TelemetryRecorder({ runId: 'run-1', edgeId: 'edge-a', clock, buffer });
    return { clock, buffer, recorder };
  }

  it('stamps run, edge, a sequence number from 0, the phase and both clocks', () => {
    const { clock, buffer, recorder } = setup();
    clock.advanceMs(5);
    recorder.record({ kind: 'TxTimeout', txHash: '0x01', waitedNs: 7n });
    recorder.setPhase(2);
    clock.advanceMs(1);
    recorder.record({ kind: 'FeedStall', silentForNs: 1n });
    recorder.record({ kind: 'FeedGap', expectedSequence: 3, actualSequence: 5 }, 1);
    const events = buffer.drain(10);
    expect(events.map((e) => [e.seq, e.phaseIndex, e.monoNs, e.kind])).toEqual([
      [0n, 0, 5_000_000n, 'TxTimeout'],
      [1n, 2, 6_000_000n, 'FeedStall'],
      [2n, 1, 6_000_000n, 'FeedGap'],
    ]);
    for (const e of events) {
      expect(e.runId).toBe('run-1');
      expect(e.edgeId).toBe('edge-a');
      expect(e.wallNs).toBe(1_700_000_000_000n * 1_000_000n + e.monoNs);
    }
    expect(events[0]).toMatchObject({ txHash: '0x01', waitedNs: 7n });
  });

  it('counts events by kind, and keeps counting and numbering when the buffer drops', () => {
    const { buffer, recorder } = setup(2);
    for (let i = 0; i < 5; i++) recorder.record({ kind: 'TxAccepted', txHash: '0x02', acceptedNs: BigInt(i) });
    recorder.record({ kind: 'FeedConnected', url: 'ws://x' });
    expect(recorder.count('TxAccepted')).toBe(5);
    expect(recorder.countsByKind()).toMatchObject({ TxAccepted: 5, FeedConnected: 1, TxIncluded: 0 });
    expect(recorder.recorded).toBe(6n);
    expect(recorder.dropped).toBe(4);
    // The two newest survive, with their original sequence numbers: the gap shows the loss.
    expect(buffer.drain().map((e) => e.seq)).toEqual([4n, 5n]);
  });

  it('refuses bad phases and empty ids', () => {
    const { recorder, clock, buffer } = setup();
    expect(() => recorder.setPhase(-1)).toThrow(RangeError);
    expect(() => recorder.setPhase(1.5)).toThrow(RangeError);
    expect(() => new TelemetryRecorder({ runId: '', edgeId: 'e', clock, buffer })).toThrow(RangeError);
  });
});
