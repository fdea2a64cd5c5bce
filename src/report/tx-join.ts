// Joins the events of one transaction (submitted, accepted, included, seen in the feed, failed,
// timed out) by its hash, without a string per transaction: an open-addressing table keyed by
// the hash's first 64 bits (two uint32 words) hands out a dense slot number, and the per-slot
// facts the report needs live in typed arrays indexed by it. Collisions of 64-bit prefixes
// among a run's transactions are astronomically unlikely (about 2^-25 at 10 million); the table
// still compares both words, so a collision could only merge two transactions, never crash.

const EMPTY = -1;

export class TxJoin {
  private keysHi: Uint32Array;
  private keysLo: Uint32Array;
  private slots: Int32Array;
  private mask: number;
  private used = 0;

  /** Per slot: intended and actual send instants (edge ns, as doubles), NaN when unknown. */
  intendedNs = new Float64Array(1024);
  sentNs = new Float64Array(1024);
  estimatedGas = new Float64Array(1024);
  gasLimit = new Float64Array(1024);
  /** Interned ids (the (phase, edge) scope of the analysis, template, account); -1 when unknown. */
  scope = new Int32Array(1024);
  template = new Int32Array(1024);
  account = new Int32Array(1024);
  /** Outcome bits: see the OUTCOME_* constants. */
  outcome = new Uint8Array(1024);

  constructor(initialCapacity = 1 << 16) {
    const size = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity * 2)));
    this.keysHi = new Uint32Array(size);
    this.keysLo = new Uint32Array(size);
    this.slots = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
  }

  get size(): number {
    return this.used;
  }

  /** The slot of a key, or -1. */
  find(hi: number, lo: number): number {
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const s = this.slots[i]!;
      if (s === EMPTY) return EMPTY;
      if (this.keysHi[i] === hi && this.keysLo[i] === lo) return s;
      i = (i + 1) & this.mask;
    }
  }

  /** The slot of a key, made (with its facts unknown) if new. */
  add(hi: number, lo: number): number {
    const found = this.find(hi, lo);
    if (found !== EMPTY) return found;
    if ((this.used + 1) * 2 > this.slots.length) this.rehash();
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    while (this.slots[i] !== EMPTY) i = (i + 1) & this.mask;
    const slot = this.used++;
    this.keysHi[i] = hi;
    this.keysLo[i] = lo;
    this.slots[i] = slot;
    if (slot >= this.intendedNs.length) this.growFacts();
    this.intendedNs[slot] = NaN;
    this.sentNs[slot] = NaN;
    this.estimatedGas[slot] = 0;
    this.gasLimit[slot] = NaN;
    this.scope[slot] = -1;
    this.template[slot] = -1;
    this.account[slot] = -1;
    this.outcome[slot] = 0;
    return slot;
  }

  /** Adds outcome bits to a slot. */
  mark(slot: number, bits: number): void {
    this.outcome[slot] = this.outcome[slot]! | bits;
  }

  private rehash(): void {
    const oldHi = this.keysHi;
    const oldLo = this.keysLo;
    const oldSlots = this.slots;
    const size = oldSlots.length * 2;
    this.keysHi = new Uint32Array(size);
    this.keysLo = new Uint32Array(size);
    this.slots = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    for (let j = 0; j < oldSlots.length; j++) {
      const s = oldSlots[j]!;
      if (s === EMPTY) continue;
      let i = (oldLo[j]! ^ Math.imul(oldHi[j]!, 0x9e3779b1)) & this.mask;
      while (this.slots[i] !== EMPTY) i = (i + 1) & this.mask;
      this.keysHi[i] = oldHi[j]!;
      this.keysLo[i] = oldLo[j]!;
      this.slots[i] = s;
    }
  }

  private growFacts(): void {
    const n = this.intendedNs.length * 2;
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.intendedNs = grow(this.intendedNs, (k) => new Float64Array(k));
    this.sentNs = grow(this.sentNs, (k) => new Float64Array(k));
    this.estimatedGas = grow(this.estimatedGas, (k) => new Float64Array(k));
    this.gasLimit = grow(this.gasLimit, (k) => new Float64Array(k));
    this.scope = grow(this.scope, (k) => new Int32Array(k));
    this.template = grow(this.template, (k) => new Int32Array(k));
    this.account = grow(this.account, (k) => new Int32Array(k));
    this.outcome = grow(this.outcome, (k) => new Uint8Array(k));
  }
}

export const OUTCOME_SUBMITTED = 1;
export const OUTCOME_ACCEPTED = 2;
export const OUTCOME_INCLUDED = 4;
export const OUTCOME_FEED_SEEN = 8;
export const OUTCOME_FAILED = 16;
export const OUTCOME_TIMEOUT = 32;
