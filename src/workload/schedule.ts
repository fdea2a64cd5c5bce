// The send schedule of one edge in one phase: turns the edge's share of the phase's gas/s curve
// and the gas of each transaction, as the engine picks it, into the transaction's intended send
// time. Pure and deterministic (no clock, no randomness): the same curve and the same gas
// amounts give the same offsets on every machine. Firing at those times is the dispatcher's job.

import { timeForGas, type PhaseCurve } from './gas-curve.js';

/**
 * Intended send offsets for one phase. Transaction k, of g_k compute gas, is intended at
 * timeForGas(G_k + g_k / 2), G_k being the gas of every transaction before it: the midpoint
 * rule. Placing a transaction where the curve has offered half of its gas (rather than all of
 * it, or none) makes the gas scheduled by any instant t lie within half a transaction of
 * cumulativeGas(t) either way, so the offered load carries no one-transaction bias, whatever
 * mix of small and large transactions the engine picks.
 *
 * The schedule ends, for good, at the first transaction whose intended time is at or beyond
 * the end of the phase.
 */
export class SendSchedule {
  readonly #curve: PhaseCurve;
  #scheduledGas = 0;
  #count = 0;
  #lastOffsetSecs = 0;
  #ended = false;

  constructor(curve: PhaseCurve) {
    if (!(Number.isFinite(curve.durationSecs) && curve.durationSecs >= 0)) {
      throw new RangeError(`SendSchedule: durationSecs must be finite and >= 0, got ${curve.durationSecs}`);
    }
    this.#curve = curve;
  }

  /**
   * The intended offset, in seconds from the start of the phase, of the next transaction, which
   * carries `gas` compute gas; undefined once the phase has no room for it (and from then on).
   * Offsets never decrease.
   */
  next(gas: number): number | undefined {
    // Zero-gas transactions would all land on the same instant, without end.
    if (!(Number.isFinite(gas) && gas > 0)) throw new RangeError(`SendSchedule: a transaction's gas must be finite and > 0, got ${gas}`);
    if (this.#ended) return undefined;
    const t = timeForGas(this.#curve, this.#scheduledGas + gas / 2);
    if (!(t < this.#curve.durationSecs)) {
      this.#ended = true;
      return undefined;
    }
    // timeForGas is monotonic up to rounding; the schedule promises it outright.
    const offset = Math.max(t, this.#lastOffsetSecs);
    this.#lastOffsetSecs = offset;
    this.#scheduledGas += gas;
    this.#count += 1;
    return offset;
  }

  /** Gas of every transaction scheduled so far. */
  get scheduledGas(): number {
    return this.#scheduledGas;
  }

  /** Transactions scheduled so far. */
  get count(): number {
    return this.#count;
  }

  /** True once a transaction did not fit before the end of the phase. */
  get ended(): boolean {
    return this.#ended;
  }
}

/** Offsets of a whole stream of transactions, for as long as the phase has room (lazily). */
export function* sendOffsets(curve: PhaseCurve, gasPerTx: Iterable<number>): Generator<number, void, undefined> {
  const schedule = new SendSchedule(curve);
  for (const gas of gasPerTx) {
    const offset = schedule.next(gas);
    if (offset === undefined) return;
    yield offset;
  }
}

/**
 * An offset in seconds as whole nanoseconds, to add to the phase's start on the monotonic clock.
 * Exact to the nanosecond for any phase up to a week long (offsets below 2^53 ns are integers
 * a double holds exactly); rounding is monotonic, so ordered offsets stay ordered.
 */
export function offsetNs(offsetSecs: number): bigint {
  if (!(Number.isFinite(offsetSecs) && offsetSecs >= 0)) throw new RangeError(`offsetNs: offset must be finite and >= 0, got ${offsetSecs}`);
  return BigInt(Math.round(offsetSecs * 1e9));
}
