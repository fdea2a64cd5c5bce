// Lines up the sequencer feed with what the edge submitted: a transaction the edge expects that
// shows up in a feed message gets a TxFeedSeen (with the instant the frame arrived), and one the
// chain included but the feed never showed within missTimeoutMs counts as a correlation miss.
// It also turns the consumer's connection events into telemetry (FeedConnected, FeedDisconnected,
// FeedGap, FeedStall), URLs and reasons redacted. Feed messages can arrive before
// eth_sendRawTransaction returns (Nitro broadcasts on sequencing), so recent feed transactions
// are remembered for a late expect().

import type { Hash } from 'viem';
import { systemClock as feedSystemClock, type FeedClock, type FeedConsumer, type FeedMessageEvent } from '../feed/consumer.js';
import type { Clock } from '../telemetry/clock.js';
import type { TelemetryRecorder } from '../telemetry/recorder.js';
import { redact, redactUrl } from '../util/redact.js';

/** Feed messages whose transactions are remembered for expect() calls that come late. */
export const DEFAULT_RECENT_MESSAGES = 256;
/** Expected transactions never included nor seen are dropped after this long (they timed out). */
export const DEFAULT_EXPECT_TTL_MS = 600_000;

/** The part of a FeedConsumer the correlator uses. */
export type FeedEventSource = Pick<FeedConsumer, 'on' | 'redactedUrl'>;

export interface FeedCorrelatorOptions {
  readonly consumer: FeedEventSource;
  readonly recorder: TelemetryRecorder;
  readonly clock: Clock;
  /** After inclusion, how long the feed may take to show a transaction before it is a miss. */
  readonly missTimeoutMs: number;
  /** The consumer's clock (its default is the feed module's system clock): used to convert a
   *  message's monotonic receive time into this edge clock's nanoseconds. */
  readonly feedClock?: FeedClock;
  readonly recentMessages?: number;
  readonly expectTtlMs?: number;
  /** How often misses are checked; default min(1 s, missTimeoutMs / 4). */
  readonly checkIntervalMs?: number;
}

export interface FeedCorrelatorStats {
  readonly expected: number;
  readonly seen: number;
  /** Included but not seen in the feed within missTimeoutMs. */
  readonly misses: number;
  /** Seen in a message that arrived before expect() was called. */
  readonly seenBeforeExpect: number;
  /** Dropped after expectTtlMs without being included or seen. */
  readonly expired: number;
  readonly forgotten: number;
  /** Expected and not yet settled. */
  readonly outstanding: number;
  readonly messages: number;
}

interface Expected {
  readonly hash: Hash;
  readonly phaseIndex: number;
  readonly expectedNs: bigint;
  /** Set by included(): from then on the miss clock runs. */
  includedNs: bigint | undefined;
}

interface Sighting {
  readonly sequenceNumber: number;
  readonly seenNs: bigint;
}

/** A recent feed transaction whose TxFeedSeen is already recorded: a repeated expect() is ignored. */
const CLAIMED = 'claimed';

function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

export class FeedCorrelator {
  private readonly recorder: TelemetryRecorder;
  private readonly clock: Clock;
  private readonly feedClock: FeedClock;
  private readonly missNs: bigint;
  private readonly ttlNs: bigint;
  private readonly recentCapacity: number;
  private readonly url: string;

  /** Insertion (expect) order, for the TTL sweep. */
  private readonly expected = new Map<string, Expected>();
  /** Inclusion order, for the miss sweep. */
  private readonly awaitingFeed = new Map<string, Expected>();
  private readonly recentMessages: string[][] = [];
  /** Recent feed transactions: a sighting waiting for expect(), or CLAIMED once recorded. */
  private readonly recentByKey = new Map<string, Sighting | typeof CLAIMED>();
  private readonly unsubscribe: (() => void)[];
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  private readonly counters = { expected: 0, seen: 0, misses: 0, seenBeforeExpect: 0, expired: 0, forgotten: 0, messages: 0 };

  constructor(options: FeedCorrelatorOptions) {
    if (!Number.isFinite(options.missTimeoutMs) || options.missTimeoutMs <= 0) {
      throw new RangeError(`FeedCorrelator: missTimeoutMs must be a positive number, got ${options.missTimeoutMs}`);
    }
    this.recorder = options.recorder;
    this.clock = options.clock;
    this.feedClock = options.feedClock ?? feedSystemClock;
    this.missNs = msToNs(options.missTimeoutMs);
    this.ttlNs = msToNs(options.expectTtlMs ?? DEFAULT_EXPECT_TTL_MS);
    this.recentCapacity = Math.max(1, Math.floor(options.recentMessages ?? DEFAULT_RECENT_MESSAGES));
    const consumer = options.consumer;
    this.url = redactUrl(consumer.redactedUrl);
    this.unsubscribe = [
      consumer.on('message', (m) => this.onMessage(m)),
      consumer.on('connected', (e) => this.recorder.record({ kind: 'FeedConnected', url: redactUrl(e.url) })),
      consumer.on('disconnected', (e) => this.recorder.record({ kind: 'FeedDisconnected', url: this.url, reason: redact(e.reason) })),
      consumer.on('gap', (e) => this.recorder.record({ kind: 'FeedGap', expectedSequence: e.expected, actualSequence: e.actual })),
      consumer.on('stall', (e) => this.recorder.record({ kind: 'FeedStall', silentForNs: msToNs(e.silentForMs) })),
    ];
    this.timer = setInterval(() => this.checkMisses(), options.checkIntervalMs ?? Math.min(1_000, Math.max(10, options.missTimeoutMs / 4)));
    this.timer.unref();
  }

  /** Registers a submitted transaction. Records TxFeedSeen at once if the feed already showed it. */
  expect(hash: Hash, phaseIndex: number = this.recorder.phase): void {
    if (this.stopped) return;
    const key = hash.toLowerCase();
    if (this.expected.has(key)) return;
    if (this.recentByKey.get(key) === CLAIMED) return;
    this.counters.expected++;
    const sighting = this.recentByKey.get(key);
    if (sighting === CLAIMED) return;
    if (sighting !== undefined) {
      this.recentByKey.set(key, CLAIMED);
      this.counters.seenBeforeExpect++;
      this.seen(hash, sighting, phaseIndex);
      return;
    }
    this.expected.set(key, { hash, phaseIndex, expectedNs: this.clock.monoNs(), includedNs: undefined });
  }

  /** The tracker saw it included: the feed now has missTimeoutMs to show it. */
  included(hash: Hash): void {
    const key = hash.toLowerCase();
    const entry = this.expected.get(key);
    if (entry === undefined || entry.includedNs !== undefined) return;
    entry.includedNs = this.clock.monoNs();
    this.awaitingFeed.set(key, entry);
  }

  /** Stops expecting a transaction (its send failed, or it timed out unincluded). */
  forget(hash: Hash): void {
    const key = hash.toLowerCase();
    if (this.expected.delete(key)) this.counters.forgotten++;
    this.awaitingFeed.delete(key);
  }

  /**
   * Counts misses (included, unseen for missTimeoutMs) and drops expectations older than the TTL.
   * Runs on a timer; tests driving a manual clock call it directly. Returns the new misses.
   */
  checkMisses(): number {
    const now = this.clock.monoNs();
    let misses = 0;
    for (const [key, entry] of this.awaitingFeed) {
      if (now - (entry.includedNs ?? now) < this.missNs) break;
      this.awaitingFeed.delete(key);
      this.expected.delete(key);
      misses++;
    }
    this.counters.misses += misses;
    for (const [key, entry] of this.expected) {
      if (now - entry.expectedNs < this.ttlNs) break;
      if (entry.includedNs !== undefined) continue;
      this.expected.delete(key);
      this.counters.expired++;
    }
    return misses;
  }

  /** Detaches from the consumer (which the caller owns and closes) and stops the timer. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    for (const off of this.unsubscribe) off();
  }

  get misses(): number {
    return this.counters.misses;
  }

  get stats(): FeedCorrelatorStats {
    return { ...this.counters, outstanding: this.expected.size };
  }

  private onMessage(m: FeedMessageEvent): void {
    // The consumer emits synchronously on arrival, so "now minus the message's age on the
    // consumer's clock" puts its arrival on this edge's clock whatever the two clocks' origins.
    const ageNs = msToNs(Math.max(0, this.feedClock.monotonicMs() - m.receivedAtMonotonicMs));
    const seenNs = this.clock.monoNs() - ageNs;
    this.counters.messages++;
    const sighting: Sighting = { sequenceNumber: m.sequenceNumber, seenNs };
    const keys: string[] = [];
    for (const tx of m.txs) {
      const key = tx.txHash.toLowerCase();
      keys.push(key);
      const entry = this.expected.get(key);
      if (entry !== undefined) {
        this.expected.delete(key);
        this.awaitingFeed.delete(key);
        this.seen(entry.hash, sighting, entry.phaseIndex);
        this.recentByKey.set(key, CLAIMED);
      } else {
        this.recentByKey.set(key, sighting);
      }
    }
    this.recentMessages.push(keys);
    while (this.recentMessages.length > this.recentCapacity) {
      for (const key of this.recentMessages.shift()!) this.recentByKey.delete(key);
    }
  }

  private seen(hash: Hash, sighting: Sighting, phaseIndex: number): void {
    this.counters.seen++;
    this.recorder.record({ kind: 'TxFeedSeen', txHash: hash, sequenceNumber: sighting.sequenceNumber, seenNs: sighting.seenNs }, phaseIndex);
  }
}
