// Joins the events of one transaction (submitted, accepted, included, seen in the feed, failed,
// timed out) by its hash, without a string per transaction: an open-addressing table keyed by
// the hash's first 64 bits (two uint32 words) hands out a dense slot number, and the per-slot
// facts the report needs live in typed arrays indexed by it. Collisions of 64-bit prefixes
// among a run's transactions are astronomically unlikely (about 2^-25 at 10 million); the table
// still compares both words, so a collision could only merge two transactions, never crash.

// The table keeps each entry's two key words and slot together (four uint32 a entry, the
// fourth unused), so a probe touches one cache line instead of three arrays. A caller releases
// a key once no more events can come for it (release()): the slot and its facts stay, the
// table entry goes, so the table holds the transactions in flight (thousands), stays in the
// CPU's cache, and a lookup costs nanoseconds instead of a miss to memory at 10 million events.

const EMPTY = 0; // slot words hold slot + 1
const STRIDE = 4;

export class TxJoin {
  private table: Uint32Array;
  private mask: number;
  private used = 0;
  private live = 0;

  /** Per slot: intended and actual send instants (edge ns, as doubles), NaN when unknown. */
  intendedNs: Float64Array;
  sentNs: Float64Array;
  estimatedGas: Float64Array;
  gasLimit: Float64Array;
  /** Interned ids (the (phase, edge) scope of the analysis, template, account); -1 when unknown. */
  scope: Int32Array;
  template: Int32Array;
  account: Int32Array;
  /** Outcome bits: see the OUTCOME_* constants. */
  outcome: Uint8Array;

  /**
   * `expectedTxs` sizes the per-slot facts up front (growing them costs a copy each time);
   * `inFlight` the table: the keys not yet released at any one time.
   */
  constructor(expectedTxs = 1 << 16, inFlight = 1 << 14) {
    const entries = 1 << Math.ceil(Math.log2(Math.max(16, (inFlight * 4) / 3)));
    this.table = new Uint32Array(entries * STRIDE);
    this.mask = entries - 1;
    const facts = Math.max(1024, expectedTxs);
    this.intendedNs = new Float64Array(facts);
    this.sentNs = new Float64Array(facts);
    this.estimatedGas = new Float64Array(facts);
    this.gasLimit = new Float64Array(facts);
    this.scope = new Int32Array(facts);
    this.template = new Int32Array(facts);
    this.account = new Int32Array(facts);
    this.outcome = new Uint8Array(facts);
  }

  /** Slots handed out (released keys included). */
  get size(): number {
    return this.used;
  }

  /** Keys in the table (not released). */
  get inTable(): number {
    return this.live;
  }

  /** The slot of a key, or -1. */
  find(hi: number, lo: number): number {
    const table = this.table;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const at = i * STRIDE;
      const s = table[at + 2]!;
      if (s === EMPTY) return -1;
      if (table[at] === hi && table[at + 1] === lo) return s - 1;
      i = (i + 1) & this.mask;
    }
  }

  /** The slot of a key, made (with its facts unknown) if new. */
  add(hi: number, lo: number): number {
    // Linear probing stays short up to three quarters full (four entries share a cache line).
    if ((this.live + 1) * 4 > (this.mask + 1) * 3) this.rehash();
    const table = this.table;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const at = i * STRIDE;
      const s = table[at + 2]!;
      if (s === EMPTY) break;
      if (table[at] === hi && table[at + 1] === lo) return s - 1;
      i = (i + 1) & this.mask;
    }
    const slot = this.used++;
    this.live++;
    const at = i * STRIDE;
    table[at] = hi;
    table[at + 1] = lo;
    table[at + 2] = slot + 1;
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

  /**
   * Forgets a key (its slot and facts stay): find() gives -1 for it from now on, and an add()
   * would give it a new slot. Backward-shift deletion keeps every other key findable.
   */
  release(hi: number, lo: number): void {
    const table = this.table;
    const mask = this.mask;
    let hole = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const at = hole * STRIDE;
      if (table[at + 2] === EMPTY) return;
      if (table[at] === hi && table[at + 1] === lo) break;
      hole = (hole + 1) & mask;
    }
    this.live--;
    // Move back each following entry whose home lies at or before the hole (cyclically), so
    // no probe sequence crosses an empty entry before reaching its key.
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      const at = j * STRIDE;
      if (table[at + 2] === EMPTY) break;
      const home = (table[at + 1]! ^ Math.imul(table[at]!, 0x9e3779b1)) & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        table.copyWithin(hole * STRIDE, at, at + STRIDE);
        hole = j;
      }
    }
    table[hole * STRIDE + 2] = EMPTY;
  }

  /** Adds outcome bits to a slot. */
  mark(slot: number, bits: number): void {
    this.outcome[slot] = this.outcome[slot]! | bits;
  }

  private rehash(): void {
    const old = this.table;
    const entries = (this.mask + 1) * 2;
    const table = new Uint32Array(entries * STRIDE);
    const mask = entries - 1;
    for (let at = 0; at < old.length; at += STRIDE) {
      if (old[at + 2] === EMPTY) continue;
      const hi = old[at]!;
      const lo = old[at + 1]!;
      let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
      while (table[i * STRIDE + 2] !== EMPTY) i = (i + 1) & mask;
      table.set(old.subarray(at, at + STRIDE), i * STRIDE);
    }
    this.table = table;
    this.mask = mask;
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
