// Watches Nitro's L1 contracts by polling: each poll reads the L1 head and fetches the batch and
// assertion events of the blocks not yet scanned, emitting them as `batches` and `assertions`.
// It owns the scan cursor: every block from the first poll's lookback on is scanned exactly once
// (never twice, never skipped), and a failed poll is reported as `pollError` and retried from the
// same block on the next one. Timers and the clock are injectable so tests drive it directly.

import { EventEmitter } from 'node:events';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { AssertionEvent, BatchDeliveredEvent, L1EventSource } from './l1-reader.js';

/** l1.poll_interval_ms: about one L1 block (12 s) plus a margin. */
export const DEFAULT_L1_POLL_INTERVAL_MS = 15_000;
/** l1.lookback_blocks: blocks the first poll scans, the head included (about 20 minutes of L1). */
export const DEFAULT_L1_LOOKBACK_BLOCKS = 100;
/**
 * Most blocks one poll (one eth_getLogs request) covers. Providers cap eth_getLogs ranges
 * (often between 500 and 10,000 blocks); after an outage the monitor catches up in steps this big.
 */
export const DEFAULT_L1_BLOCKS_PER_POLL = 1_000;

export interface L1BatchesUpdate {
  readonly events: readonly BatchDeliveredEvent[];
  /** The last block the poll scanned (its range's end). */
  readonly l1Block: bigint;
}

export interface L1AssertionsUpdate {
  readonly events: readonly AssertionEvent[];
  /** The last block the poll scanned (its range's end). */
  readonly l1Block: bigint;
}

export interface L1PollError {
  /** GH-E113 (or whatever GasHammerError the source raised). Non-fatal: the next poll retries. */
  readonly error: GasHammerError;
}

export interface L1MonitorEvents {
  batches: [L1BatchesUpdate];
  assertions: [L1AssertionsUpdate];
  pollError: [L1PollError];
}

/** The monitor's timers; the global ones by default. */
export interface L1MonitorTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface L1MonitorOptions {
  readonly pollIntervalMs?: number;
  /** Blocks the first poll scans back from the head, the head included; 0 starts at the next block. */
  readonly lookbackBlocks?: number;
  /** Most blocks one poll scans. */
  readonly blocksPerPoll?: number;
  readonly timers?: L1MonitorTimers;
  /** Milliseconds since the epoch; Date.now by default. */
  readonly now?: () => number;
}

export interface L1BlockRange {
  readonly fromBlock: bigint;
  readonly toBlock: bigint;
}

/** What one poll did. */
export interface L1PollResult {
  /** The head the poll saw; undefined when reading it failed. */
  readonly head: bigint | undefined;
  /** The blocks scanned; undefined when there was nothing new or the poll failed. */
  readonly range: L1BlockRange | undefined;
  readonly batches: readonly BatchDeliveredEvent[];
  readonly assertions: readonly AssertionEvent[];
  /** The poll scanned up to the head it saw (false after a capped range or a failure). */
  readonly caughtUp: boolean;
  readonly error: GasHammerError | undefined;
}

export interface L1MonitorStats {
  /** Polls run, failed ones included. */
  readonly polls: number;
  readonly batchesSeen: number;
  readonly assertionsSeen: number;
  readonly pollErrors: number;
  /** The next block to scan; undefined until the first poll has read the head. */
  readonly nextBlock: bigint | undefined;
  /** When the last poll ended, and the last successful one (ms since the epoch). */
  readonly lastPollAtMs: number | undefined;
  readonly lastSuccessAtMs: number | undefined;
}

function integerAtLeast(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`L1Monitor ${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

function asPollError(error: unknown): GasHammerError {
  if (error instanceof GasHammerError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GasHammerError(ErrorCodes.L1Read, `polling L1 failed: ${message}`, { cause: error });
}

export class L1Monitor extends EventEmitter<L1MonitorEvents> {
  readonly pollIntervalMs: number;
  readonly lookbackBlocks: number;
  readonly blocksPerPoll: number;
  readonly #source: L1EventSource;
  readonly #timers: L1MonitorTimers;
  readonly #now: () => number;

  #nextBlock: bigint | undefined;
  #polls = 0;
  #batchesSeen = 0;
  #assertionsSeen = 0;
  #pollErrors = 0;
  #lastPollAtMs: number | undefined;
  #lastSuccessAtMs: number | undefined;

  #running = false;
  #timer: unknown;
  #inFlight: Promise<L1PollResult> | undefined;

  constructor(source: L1EventSource, options: L1MonitorOptions = {}) {
    super();
    this.#source = source;
    this.pollIntervalMs = integerAtLeast('pollIntervalMs', options.pollIntervalMs ?? DEFAULT_L1_POLL_INTERVAL_MS, 1);
    this.lookbackBlocks = integerAtLeast('lookbackBlocks', options.lookbackBlocks ?? DEFAULT_L1_LOOKBACK_BLOCKS, 0);
    this.blocksPerPoll = integerAtLeast('blocksPerPoll', options.blocksPerPoll ?? DEFAULT_L1_BLOCKS_PER_POLL, 1);
    this.#timers = options.timers ?? { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) };
    this.#now = options.now ?? Date.now;
  }

  get stats(): L1MonitorStats {
    return {
      polls: this.#polls,
      batchesSeen: this.#batchesSeen,
      assertionsSeen: this.#assertionsSeen,
      pollErrors: this.#pollErrors,
      nextBlock: this.#nextBlock,
      lastPollAtMs: this.#lastPollAtMs,
      lastSuccessAtMs: this.#lastSuccessAtMs,
    };
  }

  get running(): boolean {
    return this.#running;
  }

  /**
   * Starts polling: the first poll right away (on the next timer turn, so listeners added just
   * after start() see it), each next one pollIntervalMs after the previous ended — at once while
   * blocksPerPoll left it behind the head. No-op when already running.
   */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops polling; resolves once a poll in flight has ended (and emitted). */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) {
      this.#timers.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    await this.#inFlight?.catch(() => undefined);
  }

  /**
   * One poll. Never rejects for an L1 failure (that becomes `pollError` and the result's error);
   * rejects only when a listener throws. A call while a poll is in flight joins that poll.
   */
  pollOnce(): Promise<L1PollResult> {
    if (!this.#inFlight) {
      this.#inFlight = this.#poll().finally(() => {
        this.#inFlight = undefined;
      });
    }
    return this.#inFlight;
  }

  #schedule(ms: number): void {
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running) return;
      this.pollOnce().then(
        (result) => {
          if (this.#running) this.#schedule(result.caughtUp || result.error ? this.pollIntervalMs : 0);
        },
        (listenerError: unknown) => {
          // A listener threw: its bug, not L1's. Keep polling, and let it surface as Node
          // surfaces a throwing listener anywhere else.
          if (this.#running) this.#schedule(this.pollIntervalMs);
          throw listenerError;
        },
      );
    }, ms);
  }

  async #poll(): Promise<L1PollResult> {
    this.#polls++;
    let head: bigint | undefined;
    let range: L1BlockRange | undefined;
    let scanned: Awaited<ReturnType<L1EventSource['getEvents']>>;
    try {
      head = await this.#source.blockNumber();
      // The first poll fixes where scanning starts; a failed first scan is retried from there.
      const lookback = BigInt(this.lookbackBlocks);
      this.#nextBlock ??= head >= lookback ? head - lookback + 1n : 0n;
      const from = this.#nextBlock;
      // The head has not moved past what was scanned (or went back: a reorg, or a lagging node
      // behind a load balancer). Nothing to do until it moves on.
      if (from > head) return this.#finish({ head, range: undefined, batches: [], assertions: [], caughtUp: true, error: undefined });
      const capped = from + BigInt(this.blocksPerPoll) - 1n;
      range = { fromBlock: from, toBlock: capped < head ? capped : head };
      scanned = await this.#source.getEvents(range.fromBlock, range.toBlock);
    } catch (cause) {
      const error = asPollError(cause);
      this.#pollErrors++;
      this.#lastPollAtMs = this.#now();
      this.emit('pollError', { error });
      return { head, range: undefined, batches: [], assertions: [], caughtUp: false, error };
    }
    // The cursor moves before anything is emitted: a throwing listener cannot cause a rescan.
    this.#nextBlock = range.toBlock + 1n;
    this.#batchesSeen += scanned.batches.length;
    this.#assertionsSeen += scanned.assertions.length;
    const result = this.#finish({ head, range, batches: scanned.batches, assertions: scanned.assertions, caughtUp: range.toBlock === head, error: undefined });
    if (scanned.batches.length > 0) this.emit('batches', { events: scanned.batches, l1Block: range.toBlock });
    if (scanned.assertions.length > 0) this.emit('assertions', { events: scanned.assertions, l1Block: range.toBlock });
    return result;
  }

  #finish(result: L1PollResult): L1PollResult {
    this.#lastPollAtMs = this.#now();
    this.#lastSuccessAtMs = this.#lastPollAtMs;
    return result;
  }
}
