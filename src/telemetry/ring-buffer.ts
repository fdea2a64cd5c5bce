// A fixed-size ring buffer between the edge's hot path and the telemetry shipper. Pushing never
// blocks and never grows memory: when the shipper falls behind, the OLDEST events are dropped
// and counted, because a load generator that stalls on its own telemetry would distort the very
// load it measures. The reader drains oldest first.

export class RingBuffer<T> {
  readonly capacity: number;
  /** Preallocated slots; a drained or never-used slot holds undefined so items can be collected. */
  private readonly slots: (T | undefined)[];
  /** Index of the oldest item. */
  private head = 0;
  private count = 0;
  private droppedCount = 0;
  private pushedCount = 0;
  private drainedCount = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`RingBuffer: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    // fill() makes the array dense from the start, so V8 never re-shapes it on the hot path.
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Adds an item in O(1); when full, the oldest item is overwritten and counted as dropped. */
  push(item: T): void {
    this.pushedCount++;
    if (this.count === this.capacity) {
      this.slots[this.head] = item;
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
      this.droppedCount++;
      return;
    }
    let tail = this.head + this.count;
    if (tail >= this.capacity) tail -= this.capacity;
    this.slots[tail] = item;
    this.count++;
  }

  /** Removes and returns up to `max` items, oldest first. */
  drain(max: number = this.capacity): T[] {
    const n = Math.min(this.count, Math.max(0, Math.floor(max)));
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.slots[this.head] as T;
      this.slots[this.head] = undefined;
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    }
    this.count -= n;
    this.drainedCount += n;
    return out;
  }

  /** Items held now. */
  get size(): number {
    return this.count;
  }

  /** Items overwritten before anyone drained them. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Items ever pushed: pushed = drained + dropped + size. */
  get pushed(): number {
    return this.pushedCount;
  }

  /** Items ever handed out by drain(). */
  get drained(): number {
    return this.drainedCount;
  }
}
