// Signing ahead of send time without delaying the sends. SignAhead is a FIFO of items (signed
// transactions) made before they are due; it fills itself in slices of at most ~2 ms of work
// with a setImmediate yield between slices, so a timer that fires a send waits at most one slice
// for the signer.
//
// Why not a worker thread: measured on the 2-core machine (20k native transfers), a worker_threads
// pool of 1 signs no faster than this (14.8-16.9k vs 14.4-17.3k tx/s: one core either way). What
// it buys is main-thread time, ~5 us a transaction for messaging (batches of 200; 7-11 us with
// batches of 50) against ~58 us to sign here, and 1 ms timers late by ~0.1 ms instead of ~1 ms.
// That is worth its complexity only once the send loop itself needs more than about 40% of the
// main thread (several thousand tx/s on one edge).

import { performance } from 'node:perf_hooks';

/** Default longest stretch of signing between two yields to the event loop, in milliseconds. */
export const DEFAULT_SLICE_MS = 2;

export interface SignAheadOptions {
  /** Longest stretch of work between yields, in ms; one item always runs even if it is longer. */
  readonly sliceMs?: number;
  /** Milliseconds on a monotonic clock; performance.now unless a test drives time itself. */
  readonly now?: () => number;
}

/** Makes the next item, or undefined when there is nothing more to make (no nonce left, stop). */
export type SignAheadProducer<T> = () => T | undefined;

export class SignAhead<T> {
  readonly sliceMs: number;
  private readonly now: () => number;
  // A growable array with a moving head: take() is O(1) and the array is compacted now and then.
  private items: T[] = [];
  private head = 0;
  // Fills run one after another, so items keep the order of the fill calls.
  private pending: Promise<unknown> = Promise.resolve();
  private yields = 0;

  constructor(options: SignAheadOptions = {}) {
    const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    if (!(sliceMs > 0) || !Number.isFinite(sliceMs)) throw new RangeError(`SignAhead sliceMs must be > 0, got ${sliceMs}`);
    this.sliceMs = sliceMs;
    this.now = options.now ?? (() => performance.now());
  }

  /** Items ready to take. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** How many times fills have yielded to the event loop so far (for tests and telemetry). */
  get yieldCount(): number {
    return this.yields;
  }

  /** The oldest item, or undefined when empty. */
  take(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    // Drop the reference so a taken transaction can be collected.
    (this.items as (T | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Up to `count` of the oldest items, oldest first (e.g. one JSON-RPC batch). */
  takeUpTo(count: number): T[] {
    const n = Math.min(Math.max(0, Math.floor(count)), this.size);
    const out = this.items.slice(this.head, this.head + n);
    for (let i = 0; i < n; i++) this.take();
    return out;
  }

  /**
   * Calls `producer` until `upToCount` items are queued or it returns undefined, yielding to the
   * event loop every `sliceMs` of work. Items taken meanwhile are made up for. Resolves to the
   * number of items added; rejects with the producer's error (items already made stay queued).
   * A fill called while another runs starts when that one ends.
   */
  fill(upToCount: number, producer: SignAheadProducer<T>): Promise<number> {
    if (!Number.isSafeInteger(upToCount) || upToCount < 0) {
      throw new RangeError(`SignAhead.fill upToCount must be a non-negative integer, got ${upToCount}`);
    }
    const run = this.pending.then(() => this.fillNow(upToCount, producer));
    this.pending = run.catch(() => undefined);
    return run;
  }

  private async fillNow(upToCount: number, producer: SignAheadProducer<T>): Promise<number> {
    let added = 0;
    for (;;) {
      const deadline = this.now() + this.sliceMs;
      do {
        if (this.size >= upToCount) return added;
        const item = producer();
        if (item === undefined) return added;
        this.items.push(item);
        added++;
      } while (this.now() < deadline);
      this.yields++;
      // setImmediate, not a resolved promise: microtasks would run before timers and I/O.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
