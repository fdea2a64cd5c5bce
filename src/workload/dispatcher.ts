// Fires sends at their intended times: the open-model half of the workload engine. It owns the
// timing loop (wake, fire everything due, sleep until the next intended time) and the lateness
// counters behind SendLate and PhaseEnded. It never waits for a send's outcome: the callback
// starts a send and returns, so a slow chain makes sends pile up in flight rather than pushing
// later sends back (no coordinated omission). The clock and timers are injectable; tests drive
// a manual pair and never sleep.

import { manualClock, systemClock, type Clock } from '../telemetry/clock.js';

/** Time and timers as the dispatcher sees them. */
export interface DispatchTimers {
  /** Monotonic nanoseconds, the clock intended times are on. */
  monoNs(): bigint;
  /** Runs `fn` once, `delayMs` (fractional, >= 0) from now; returns a handle for clearTimer. */
  setTimer(fn: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Where intended send times come from, one at a time, in non-decreasing order. */
export interface IntendedTimeSource {
  /** The next intended send time (monotonic ns), or undefined when there are no more. */
  next(): bigint | undefined;
}

/** One send handed to the callback. */
export interface Fire {
  /** Position in the source, from 0. */
  readonly seq: number;
  /** When the schedule wanted the send: latencies are timed from here. */
  readonly intendedNs: bigint;
  /** When the dispatcher fired it (>= intendedNs). */
  readonly firedNs: bigint;
}

export interface DispatchCounters {
  readonly fired: number;
  /** Sends fired more than the lateness tolerance after their intended time. */
  readonly late: number;
  /** Largest firedNs - intendedNs of any fired send (0 when every send was on time). */
  readonly maxLatenessNs: bigint;
}

export interface DispatchEnd {
  /** `exhausted`: the source ran out and every send was fired; `stopped`: stop() was called. */
  readonly reason: 'exhausted' | 'stopped';
  readonly counters: DispatchCounters;
}

export const DEFAULT_LATENESS_TOLERANCE_MS = 10;
/**
 * Sends fired in one wake before the dispatcher yields to the event loop and carries on. Catching
 * up after a long stall at a high rate could otherwise keep the loop busy firing for seconds,
 * and the sends it starts could not get their requests out meanwhile. Nothing is skipped.
 */
export const DEFAULT_MAX_FIRES_PER_WAKE = 10_000;

export interface DispatcherOptions {
  readonly timers: DispatchTimers;
  readonly source: IntendedTimeSource;
  /**
   * Starts one send. Called in intended-time order; must not block on the send's outcome (a
   * promise it returns is ignored). A throw stops the dispatcher and rejects `done`.
   */
  readonly onFire: (fire: Fire) => void;
  /** A send fired more than this after its intended time counts as late. */
  readonly latenessToleranceMs?: number;
  readonly maxFiresPerWake?: number;
}

export class Dispatcher {
  readonly #timers: DispatchTimers;
  readonly #source: IntendedTimeSource;
  readonly #onFire: (fire: Fire) => void;
  readonly #toleranceNs: bigint;
  readonly #maxFiresPerWake: number;

  /** The next intended time, pulled from the source only once the one before it was fired. */
  #head: bigint | undefined;
  #lastIntendedNs: bigint | undefined;
  #timer: unknown;
  #timerSet = false;
  #state: 'idle' | 'running' | 'finished' = 'idle';

  #fired = 0;
  #late = 0;
  #maxLatenessNs = 0n;

  readonly #done: Promise<DispatchEnd>;
  #resolve!: (end: DispatchEnd) => void;
  #reject!: (err: unknown) => void;

  constructor(options: DispatcherOptions) {
    const toleranceMs = options.latenessToleranceMs ?? DEFAULT_LATENESS_TOLERANCE_MS;
    if (!(Number.isFinite(toleranceMs) && toleranceMs >= 0)) throw new RangeError(`Dispatcher: latenessToleranceMs must be finite and >= 0, got ${toleranceMs}`);
    const maxFires = options.maxFiresPerWake ?? DEFAULT_MAX_FIRES_PER_WAKE;
    if (!(Number.isInteger(maxFires) && maxFires >= 1)) throw new RangeError(`Dispatcher: maxFiresPerWake must be an integer >= 1, got ${maxFires}`);
    this.#timers = options.timers;
    this.#source = options.source;
    this.#onFire = options.onFire;
    this.#toleranceNs = BigInt(Math.round(toleranceMs * 1e6));
    this.#maxFiresPerWake = maxFires;
    this.#done = new Promise<DispatchEnd>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /**
   * Starts firing. Sends already due fire before start() returns; the rest on their timers.
   * May be called once.
   */
  start(): void {
    if (this.#state !== 'idle') throw new Error('Dispatcher: start() may be called once');
    this.#state = 'running';
    this.#wake();
  }

  /** Stops at once: no further send fires, even one already due, and the timer is cleared. */
  stop(): void {
    if (this.#state === 'finished') return;
    this.#finish();
    this.#resolve({ reason: 'stopped', counters: this.counters });
  }

  /** Settles when the source is exhausted or stop() is called; rejects if the source or onFire throws. */
  get done(): Promise<DispatchEnd> {
    return this.#done;
  }

  get counters(): DispatchCounters {
    return { fired: this.#fired, late: this.#late, maxLatenessNs: this.#maxLatenessNs };
  }

  #wake = (): void => {
    this.#timerSet = false;
    try {
      let firedThisWake = 0;
      while (this.#state === 'running') {
        const intendedNs = this.#head ?? this.#pull();
        if (intendedNs === undefined) {
          this.#finish();
          this.#resolve({ reason: 'exhausted', counters: this.counters });
          return;
        }
        const now = this.#timers.monoNs();
        if (intendedNs > now) {
          // Under a millisecond the real timers switch to setImmediate: a setTimeout would
          // round the wait up to at least a millisecond and make every such send late.
          this.#sleep(Number(intendedNs - now) / 1e6);
          return;
        }
        if (firedThisWake >= this.#maxFiresPerWake) {
          this.#sleep(0);
          return;
        }
        this.#head = undefined;
        firedThisWake += 1;
        this.#fire(intendedNs, now);
      }
    } catch (err) {
      this.#finish();
      this.#reject(err);
    }
  };

  #pull(): bigint | undefined {
    const next = this.#source.next();
    if (next === undefined) return undefined;
    if (this.#lastIntendedNs !== undefined && next < this.#lastIntendedNs) {
      throw new RangeError(`Dispatcher: intended times must not decrease (${next} ns after ${this.#lastIntendedNs} ns)`);
    }
    this.#lastIntendedNs = next;
    this.#head = next;
    return next;
  }

  #fire(intendedNs: bigint, firedNs: bigint): void {
    const latenessNs = firedNs - intendedNs;
    if (latenessNs > this.#maxLatenessNs) this.#maxLatenessNs = latenessNs;
    if (latenessNs > this.#toleranceNs) this.#late += 1;
    const seq = this.#fired;
    this.#fired += 1;
    this.#onFire({ seq, intendedNs, firedNs });
  }

  #sleep(delayMs: number): void {
    this.#timer = this.#timers.setTimer(this.#wake, delayMs);
    this.#timerSet = true;
  }

  #finish(): void {
    this.#state = 'finished';
    if (this.#timerSet) {
      this.#timers.clearTimer(this.#timer);
      this.#timerSet = false;
      this.#timer = undefined;
    }
  }
}

type RealTimer = { readonly kind: 'immediate'; readonly handle: ReturnType<typeof setImmediate> } | { readonly kind: 'timeout'; readonly handle: ReturnType<typeof setTimeout> };

/**
 * The real timers: hrtime for the clock, setImmediate for waits under a millisecond (it comes
 * back after one turn of the event loop, I/O included), setTimeout for longer ones, rounded
 * down to whole milliseconds so the wake comes early rather than late; the dispatcher covers
 * the remainder with setImmediate. Globals are looked up at call time.
 */
export function systemTimers(clock: Pick<Clock, 'monoNs'> = systemClock()): DispatchTimers {
  return {
    monoNs: () => clock.monoNs(),
    setTimer: (fn, delayMs): RealTimer => (delayMs < 1 ? { kind: 'immediate', handle: setImmediate(fn) } : { kind: 'timeout', handle: setTimeout(fn, Math.floor(delayMs)) }),
    clearTimer: (timer) => {
      const t = timer as RealTimer;
      if (t.kind === 'immediate') clearImmediate(t.handle);
      else clearTimeout(t.handle);
    },
  };
}

/** Timers that tests move by hand, on a manual clock. */
export interface ManualTimers extends DispatchTimers {
  /** Moves time forward, running each timer at its due instant, in due order (on time). */
  advanceNs(ns: bigint): void;
  advanceMs(ms: number): void;
  /**
   * Moves time forward with the event loop blocked: no timer runs until the next advance or
   * runDue(), and then late, at the time reached.
   */
  stallMs(ms: number): void;
  /** Runs every timer due by now. */
  runDue(): void;
  /** Timers set and not yet run or cleared. */
  readonly pending: number;
  /** The delays timers were set with, in order. */
  readonly delaysMs: readonly number[];
}

/** Upper bound on timer runs per advance, against a callback that keeps re-arming at 0 ms. */
const MANUAL_MAX_RUNS = 10_000_000;

export function manualTimers(clock: ReturnType<typeof manualClock> = manualClock()): ManualTimers {
  interface Entry {
    readonly id: number;
    readonly dueNs: bigint;
    readonly fn: () => void;
  }
  let nextId = 0;
  const timers = new Map<number, Entry>();
  const delaysMs: number[] = [];

  const earliestDueBy = (limitNs: bigint): Entry | undefined => {
    let best: Entry | undefined;
    for (const e of timers.values()) {
      if (e.dueNs <= limitNs && (best === undefined || e.dueNs < best.dueNs || (e.dueNs === best.dueNs && e.id < best.id))) best = e;
    }
    return best;
  };

  const advanceNs = (ns: bigint): void => {
    if (ns < 0n) throw new RangeError('manualTimers: time only moves forward');
    const target = clock.monoNs() + ns;
    for (let runs = 0; ; runs++) {
      if (runs >= MANUAL_MAX_RUNS) throw new Error('manualTimers: timers keep re-arming without time passing');
      const e = earliestDueBy(target);
      if (e === undefined) break;
      if (e.dueNs > clock.monoNs()) clock.advanceNs(e.dueNs - clock.monoNs());
      timers.delete(e.id);
      e.fn();
    }
    clock.advanceNs(target - clock.monoNs());
  };

  return {
    monoNs: () => clock.monoNs(),
    setTimer: (fn, delayMs) => {
      const id = nextId++;
      delaysMs.push(delayMs);
      timers.set(id, { id, dueNs: clock.monoNs() + BigInt(Math.max(0, Math.round(delayMs * 1e6))), fn });
      return id;
    },
    clearTimer: (handle) => {
      timers.delete(handle as number);
    },
    advanceNs,
    advanceMs: (ms) => advanceNs(BigInt(Math.round(ms * 1e6))),
    stallMs: (ms) => clock.advanceMs(ms),
    runDue: () => advanceNs(0n),
    get pending() {
      return timers.size;
    },
    delaysMs,
  };
}
