// The sequencer-feed consumer: one WebSocket client of a Nitro feed (or the devnet relay) that
// delivers each feed message once and in order, with the time it arrived. Owns the handshake
// (client headers, chain-id check), resuming from the next sequence number after a reconnect,
// dedupe and gap detection, the dead-connection watchdog, reconnect backoff, and its counters.
// Every timer and clock reading goes through an injectable FeedClock so tests can drive time.
//
// Protocol facts (shared/NITRO.md, Nitro broadcastclient): the client sends
// `Arbitrum-Feed-Client-Version: 2` and `Arbitrum-Requested-Sequence-Number: n`; the server
// answers with `Arbitrum-Feed-Server-Version` and `Arbitrum-Chain-Id`, pings every 5 s, and
// replays its backlog from n. A chain-id mismatch is fatal, as in Nitro's own client.

import type { IncomingMessage } from 'node:http';
import type { Hex } from 'viem';
import WebSocket from 'ws';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError, isGasHammerError } from '../errors/gashammer-error.js';
import { userAgent } from '../util/build-info.js';
import { redact, redactUrl } from '../util/redact.js';
import {
  FEED_MESSAGE_VERSION,
  feedTransactions,
  parseBroadcastMessage,
  type BroadcastFeedMessage,
  type BroadcastMessage,
  type FeedTransaction,
} from './broadcast-message.js';

/** The feed protocol version this client speaks (Nitro's FeedClientVersion). */
export const FEED_CLIENT_VERSION = 2;
/** The server version Nitro's client expects; another one is reported, not refused. */
export const EXPECTED_FEED_SERVER_VERSION = 2;

export const HEADER_CLIENT_VERSION = 'Arbitrum-Feed-Client-Version';
export const HEADER_REQUESTED_SEQUENCE_NUMBER = 'Arbitrum-Requested-Sequence-Number';
/** Response headers, lowercase as Node presents them. */
const RESPONSE_CHAIN_ID = 'arbitrum-chain-id';
const RESPONSE_SERVER_VERSION = 'arbitrum-feed-server-version';

/** The server pings every 5 s; 20 s without a byte (not even a ping) means the link is dead. */
export const DEFAULT_STALL_THRESHOLD_MS = 20_000;
/** How long the WebSocket handshake may take before the attempt counts as failed. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay. */
  readonly initialMs: number;
  /** The ceiling never grows beyond this. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry after a connection was
 * lost or refused), with "equal jitter":
 *
 *   ceiling = min(maxMs, initialMs × 2^attempt)
 *   delay   = floor(ceiling / 2 + random × ceiling / 2)
 *
 * so the ceiling doubles 1 s, 2 s, 4 s, … up to 30 s, and each delay lies in [ceiling/2, ceiling]
 * (the top only through float rounding of a draw just under 1), never above maxMs.
 * Equal rather than full jitter: a retry is never near-immediate (at least 500 ms), so a feed
 * that refuses at once is not hammered, while clients dropped together still spread out over
 * half the window. `random` is a draw from [0, 1) (Math.random); values outside are clamped.
 */
export function reconnectDelayMs(attempt: number, random: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  // 2^attempt overflows to Infinity for huge attempts, which min() turns into maxMs.
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt));
  const r = Number.isFinite(random) ? Math.min(Math.max(random, 0), 1) : 0;
  return Math.min(Math.floor(ceiling / 2 + (r * ceiling) / 2), policy.maxMs);
}

/** A scheduled callback that can be cancelled; cancelling twice or after it ran is harmless. */
export interface TimerHandle {
  cancel(): void;
}

/** Time as the consumer sees it. Inject a manual one in tests; systemClock otherwise. */
export interface FeedClock {
  /** Wall-clock time, ms since the Unix epoch. */
  nowMs(): number;
  /** Monotonic time in ms from an arbitrary origin: for intervals, immune to clock steps. */
  monotonicMs(): number;
  /** Runs `callback` once after `delayMs`. */
  setTimer(callback: () => void, delayMs: number): TimerHandle;
}

/**
 * The real clock. Globals are looked up at call time, so vitest's fake timers apply to it too.
 * Timers are not unref'd: while reconnecting, the pending retry is what keeps `feed tail` alive.
 */
export const systemClock: FeedClock = {
  nowMs: () => Date.now(),
  monotonicMs: () => globalThis.performance.now(),
  setTimer: (callback, delayMs) => {
    const t = setTimeout(callback, delayMs);
    return { cancel: () => clearTimeout(t) };
  },
};

export interface FeedConsumerOptions {
  /** ws:// or wss:// URL of the feed. */
  readonly url: string;
  /** When set, a server announcing another chain id is refused and the consumer stops (GH-E110). */
  readonly expectedChainId?: number;
  /**
   * First sequence number wanted. When set it is requested from the first connection on and
   * anything below it is dropped; when not, the first connection sends no request and takes
   * whatever the server replays first (its whole backlog, on Nitro).
   */
  readonly fromSequenceNumber?: number;
  /** Silence (no message, ping or pong) after which the connection is declared dead. */
  readonly stallThresholdMs?: number;
  readonly handshakeTimeoutMs?: number;
  readonly backoff?: Partial<BackoffPolicy>;
  /** Jitter source, a draw from [0, 1); default Math.random. */
  readonly random?: () => number;
  readonly clock?: FeedClock;
  /** Default: GasHammer's userAgent(). */
  readonly userAgent?: string;
}

export interface FeedConnectedEvent {
  /** Redacted. */
  readonly url: string;
  /** Arbitrum-Feed-Server-Version, or null if the server did not send it. */
  readonly serverVersion: number | null;
  /** Arbitrum-Chain-Id, or null if the server did not send it (then nothing was checked). */
  readonly chainId: number | null;
  /** What was sent as Arbitrum-Requested-Sequence-Number, or null if nothing was. */
  readonly requestedSequenceNumber: number | null;
}

export interface FeedDisconnectedEvent {
  /** Why, in words (redacted). */
  readonly reason: string;
  /** False when the attempt failed before the connection opened. */
  readonly wasConnected: boolean;
  /** When the next attempt starts, or null when there is none (the consumer was closed). */
  readonly reconnectInMs: number | null;
  /** GH-E112 when the cause was a transport failure, refusal or timeout. */
  readonly error?: GasHammerError;
}

export interface FeedMessageEvent {
  readonly sequenceNumber: number;
  readonly blockHash: Hex | null;
  /** The signed transactions of the message, in order, with their hashes. */
  readonly txs: readonly FeedTransaction[];
  /** Wall-clock time the frame carrying the message arrived, ms since the epoch. */
  readonly receivedAtMs: number;
  /** Monotonic time (FeedClock.monotonicMs) the frame arrived: subtract these for intervals. */
  readonly receivedAtMonotonicMs: number;
  /** The message as parsed, for fields beyond the transactions (header, signature, ...). */
  readonly message: BroadcastFeedMessage;
}

export interface FeedConfirmedEvent {
  readonly sequenceNumber: number;
}

export interface FeedGapEvent {
  /** The sequence number that should have come next. */
  readonly expected: number;
  /** The one that came. */
  readonly actual: number;
  /** actual - expected. */
  readonly missing: number;
}

export interface FeedStallEvent {
  readonly silentForMs: number;
}

export interface FeedErrorEvent {
  /** GH-E111 for a malformed frame or message, GH-E110 for a chain-id mismatch, GH-E112 otherwise. */
  readonly error: GasHammerError;
  /** True when the consumer stopped because of it (a `closed` event follows). */
  readonly fatal: boolean;
}

export interface FeedClosedEvent {
  readonly reason: string;
  /** The fatal error, or null when close() was called. */
  readonly error: GasHammerError | null;
}

export interface FeedConsumerEvents {
  connected: FeedConnectedEvent;
  disconnected: FeedDisconnectedEvent;
  message: FeedMessageEvent;
  confirmed: FeedConfirmedEvent;
  gap: FeedGapEvent;
  stall: FeedStallEvent;
  error: FeedErrorEvent;
  closed: FeedClosedEvent;
}

export type FeedConsumerEventName = keyof FeedConsumerEvents;
export type FeedListener<K extends FeedConsumerEventName> = (event: FeedConsumerEvents[K]) => void;

export interface FeedConsumerStats {
  /** New feed messages delivered as `message` events. */
  readonly messagesReceived: number;
  /** Transactions in those messages. */
  readonly transactionsReceived: number;
  /** Messages at or below the last delivered sequence number, dropped (replay overlap). */
  readonly duplicatesDropped: number;
  /** Forward jumps of the sequence number, and the messages they skipped in total. */
  readonly gaps: number;
  readonly missingMessages: number;
  /** Connection attempts after the first one. */
  readonly reconnects: number;
  /** Frames that were not a valid BroadcastMessage (bad JSON, bad shape): skipped whole. */
  readonly malformedFrames: number;
  /** Messages in a valid frame whose L2 message did not decode: skipped, not re-requested. */
  readonly malformedMessages: number;
  readonly stalls: number;
  readonly framesReceived: number;
  /** The last sequence number delivered (or skipped as malformed), or null. */
  readonly lastSequenceNumber: number | null;
  readonly confirmedSequenceNumber: number | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

type State = 'new' | 'connecting' | 'open' | 'waiting' | 'closed';

/** Why a URL cannot be a feed URL, or undefined if it can. */
export function feedUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `'${redact(url)}' is not a URL; a feed URL looks like ws://host:9642`;
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    return `'${redactUrl(url)}' is not a ws:// or wss:// URL`;
  }
  return undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A uint64 header as Nitro's strconv.ParseUint(value, 0, 64) reads it (decimal or 0x-hex). */
function headerNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^(?:[0-9]+|0[xX][0-9a-fA-F]+)$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

function frameText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function asFeedInvalid(e: unknown, prefix: string): GasHammerError {
  if (isGasHammerError(e) && e.info === ErrorCodes.FeedMessageInvalid) {
    if (prefix === '') return e;
    // The message was decoded on its own, as messages[0]; its path within the frame is moot.
    return new GasHammerError(ErrorCodes.FeedMessageInvalid, `${prefix}${e.shortMessage.replace(/^messages\[0\]\./, '')}`, { cause: e });
  }
  // Anything else the parser threw still means this input could not be read; never a crash.
  const message = e instanceof Error ? e.message : String(e);
  return new GasHammerError(ErrorCodes.FeedMessageInvalid, `${prefix}${message}`, { cause: e });
}

function pick<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

/**
 * Follows one sequencer feed until close(). Create it, attach listeners with on(), then start().
 * Listeners run synchronously; one that throws propagates like an EventEmitter listener would.
 */
export class FeedConsumer {
  private readonly url: string;
  private readonly clock: FeedClock;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly stallThresholdMs: number;
  private readonly handshakeTimeoutMs: number;
  private readonly userAgent: string;
  private readonly expectedChainId: number | undefined;
  private readonly listeners = new Map<FeedConsumerEventName, Set<(event: never) => void>>();

  private state: State = 'new';
  private socket: WebSocket | undefined;
  /** Set while a retry is scheduled. */
  private retry: TimerHandle | undefined;
  /** Handshake timeout while connecting, stall check while open. */
  private watchdog: TimerHandle | undefined;
  private lastActivityMs = 0;
  /** Consecutive attempts that ended without an open connection, or since the last open one. */
  private attempt = 0;
  private attemptsStarted = 0;
  private handshake: { serverVersion: number | null; chainId: number | null; requested: number | null } | undefined;
  private lastSocketError: Error | undefined;
  /** The next sequence number to deliver; undefined until known. */
  private nextExpected: number | undefined;
  private readonly counters: Mutable<FeedConsumerStats> = {
    messagesReceived: 0,
    transactionsReceived: 0,
    duplicatesDropped: 0,
    gaps: 0,
    missingMessages: 0,
    reconnects: 0,
    malformedFrames: 0,
    malformedMessages: 0,
    stalls: 0,
    framesReceived: 0,
    lastSequenceNumber: null,
    confirmedSequenceNumber: null,
  };

  /** @throws GasHammerError GH-E112 when the URL is not ws:// or wss://. */
  constructor(options: FeedConsumerOptions) {
    const problem = feedUrlProblem(options.url);
    if (problem !== undefined) throw new GasHammerError(ErrorCodes.FeedConnection, problem);
    const from = options.fromSequenceNumber;
    if (from !== undefined && (!Number.isSafeInteger(from) || from < 0)) {
      throw new RangeError(`FeedConsumer: fromSequenceNumber must be a non-negative integer, got ${from}`);
    }
    this.url = options.url;
    this.nextExpected = from;
    this.expectedChainId = options.expectedChainId;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.backoff = {
      initialMs: pick(options.backoff?.initialMs, DEFAULT_BACKOFF.initialMs),
      maxMs: pick(options.backoff?.maxMs, DEFAULT_BACKOFF.maxMs),
    };
    this.stallThresholdMs = pick(options.stallThresholdMs, DEFAULT_STALL_THRESHOLD_MS);
    this.handshakeTimeoutMs = pick(options.handshakeTimeoutMs, DEFAULT_HANDSHAKE_TIMEOUT_MS);
    this.userAgent = options.userAgent ?? userAgent();
    for (const [name, value] of [
      ['backoff.initialMs', this.backoff.initialMs],
      ['backoff.maxMs', this.backoff.maxMs],
      ['stallThresholdMs', this.stallThresholdMs],
      ['handshakeTimeoutMs', this.handshakeTimeoutMs],
    ] as const) {
      if (!Number.isFinite(value) || value <= 0) throw new RangeError(`FeedConsumer: ${name} must be a positive number of ms, got ${value}`);
    }
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends FeedConsumerEventName>(event: K, listener: FeedListener<K>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (event: never) => void);
    return () => this.off(event, listener);
  }

  off<K extends FeedConsumerEventName>(event: K, listener: FeedListener<K>): void {
    this.listeners.get(event)?.delete(listener as (event: never) => void);
  }

  /** Connects (once; later calls do nothing). */
  start(): this {
    if (this.state === 'new') this.connect();
    return this;
  }

  /** Stops for good: closes the connection, cancels every timer, emits `closed`. Idempotent. */
  close(): void {
    if (this.state === 'closed') return;
    const wasConnected = this.state === 'open';
    this.detach();
    this.state = 'closed';
    if (wasConnected) this.emit('disconnected', { reason: 'closed by the caller', wasConnected, reconnectInMs: null });
    this.emit('closed', { reason: 'closed by the caller', error: null });
  }

  /** The feed URL, safe to print. */
  get redactedUrl(): string {
    return redactUrl(this.url);
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  /** The sequence number the next connection asks for; undefined until one is known. */
  get nextSequenceNumber(): number | undefined {
    return this.nextExpected;
  }

  get stats(): FeedConsumerStats {
    return { ...this.counters };
  }

  private emit<K extends FeedConsumerEventName>(event: K, payload: FeedConsumerEvents[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) (listener as FeedListener<K>)(payload);
  }

  // -------------------------------------------------------------------------------------------
  // Connection lifecycle.

  private connect(): void {
    this.retry = undefined;
    if (this.state === 'closed') return;
    if (this.attemptsStarted > 0) this.counters.reconnects++;
    this.attemptsStarted++;
    this.state = 'connecting';
    this.lastSocketError = undefined;

    const requested = this.nextExpected ?? null;
    const headers: Record<string, string> = {
      [HEADER_CLIENT_VERSION]: String(FEED_CLIENT_VERSION),
      'User-Agent': this.userAgent,
    };
    if (requested !== null) headers[HEADER_REQUESTED_SEQUENCE_NUMBER] = String(requested);
    this.handshake = { serverVersion: null, chainId: null, requested };

    let socket: WebSocket;
    try {
      // Redirects are not followed: a feed that moves should be reconfigured, not chased.
      socket = new WebSocket(this.url, { headers, followRedirects: false });
    } catch (e) {
      // Only a URL ws rejects throws here, and the constructor checked it; keep retrying anyway.
      this.lastSocketError = e instanceof Error ? e : new Error(String(e));
      this.scheduleRetry(false, `could not open a connection: ${this.lastSocketError.message}`, this.connectionError(this.lastSocketError.message));
      return;
    }
    this.socket = socket;
    this.lastActivityMs = this.clock.monotonicMs();
    this.armWatchdog(socket, this.handshakeTimeoutMs);

    socket.on('upgrade', (response) => this.onUpgrade(socket, response));
    socket.on('open', () => this.onOpen(socket));
    socket.on('message', (data) => this.onFrame(socket, data));
    socket.on('ping', () => this.touch(socket));
    socket.on('pong', () => this.touch(socket));
    // ws always follows 'error' with 'close'; the reason is reported there, once.
    socket.on('error', (e) => {
      if (socket === this.socket) this.lastSocketError = e;
    });
    socket.on('close', (code, reason) => this.onClose(socket, code, reason.toString('utf8')));
  }

  private onUpgrade(socket: WebSocket, response: IncomingMessage): void {
    if (socket !== this.socket || this.handshake === undefined) return;
    this.touch(socket);
    const rawChainId = headerValue(response.headers[RESPONSE_CHAIN_ID]);
    const rawVersion = headerValue(response.headers[RESPONSE_SERVER_VERSION]);
    const chainId = headerNumber(rawChainId);
    const serverVersion = headerNumber(rawVersion);
    this.handshake = { ...this.handshake, chainId: chainId ?? null, serverVersion: serverVersion ?? null };

    // A server that names no chain id is accepted, as Nitro's client does by default
    // (RequireChainId is off); one that names another chain, or an unreadable one, is not.
    if (this.expectedChainId !== undefined && rawChainId !== undefined && chainId !== this.expectedChainId) {
      const error = new GasHammerError(
        ErrorCodes.ChainIdMismatch,
        `the feed at ${redactUrl(this.url)} serves chain ${redact(rawChainId)}, expected ${this.expectedChainId}`,
      );
      this.fail(error);
      return;
    }
    if (rawVersion !== undefined && serverVersion !== EXPECTED_FEED_SERVER_VERSION) {
      // Reported, not refused: every frame is validated strictly anyway, so an incompatible
      // server shows up as malformed frames, while a compatible newer one keeps working.
      this.emit('error', {
        error: new GasHammerError(
          ErrorCodes.FeedConnection,
          `the feed at ${redactUrl(this.url)} announces feed server version ${redact(rawVersion)}; this client speaks version ${EXPECTED_FEED_SERVER_VERSION}`,
        ),
        fatal: false,
      });
    }
  }

  private onOpen(socket: WebSocket): void {
    if (socket !== this.socket || this.state !== 'connecting') return;
    this.state = 'open';
    this.attempt = 0;
    this.touch(socket);
    this.armWatchdog(socket, this.stallThresholdMs);
    const h = this.handshake;
    this.emit('connected', {
      url: redactUrl(this.url),
      serverVersion: h?.serverVersion ?? null,
      chainId: h?.chainId ?? null,
      requestedSequenceNumber: h?.requested ?? null,
    });
  }

  private onClose(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.socket) return;
    const wasConnected = this.state === 'open';
    const err = this.lastSocketError;
    let why: string;
    if (err !== undefined) why = wasConnected ? `connection lost: ${err.message}` : `could not connect: ${err.message}`;
    else why = `closed by the server (code ${code}${reason === '' ? '' : `: ${reason}`})`;
    this.lost(socket, why, err === undefined ? undefined : this.connectionError(why));
  }

  private connectionError(reason: string): GasHammerError {
    return new GasHammerError(ErrorCodes.FeedConnection, `feed ${redactUrl(this.url)}: ${redact(reason)}`);
  }

  /** The current connection is gone (or never came up): drop it and schedule a retry. */
  private lost(socket: WebSocket, reason: string, error?: GasHammerError): void {
    if (socket !== this.socket || this.state === 'closed') return;
    const wasConnected = this.state === 'open';
    this.detach();
    this.scheduleRetry(wasConnected, reason, error);
  }

  private scheduleRetry(wasConnected: boolean, reason: string, error?: GasHammerError): void {
    const delay = reconnectDelayMs(this.attempt, this.random(), this.backoff);
    this.attempt++;
    this.state = 'waiting';
    this.retry = this.clock.setTimer(() => this.connect(), delay);
    this.emit('disconnected', {
      reason: redact(reason),
      wasConnected,
      reconnectInMs: delay,
      ...(error === undefined ? {} : { error }),
    });
  }

  /** A fatal error: stop for good, without retrying. */
  private fail(error: GasHammerError): void {
    if (this.state === 'closed') return;
    const wasConnected = this.state === 'open';
    this.detach();
    this.state = 'closed';
    this.emit('error', { error, fatal: true });
    if (wasConnected) this.emit('disconnected', { reason: redact(error.message), wasConnected, reconnectInMs: null, error });
    this.emit('closed', { reason: redact(error.message), error });
  }

  /** Forgets the current socket and cancels every timer; the socket's late events are ignored. */
  private detach(): void {
    this.watchdog?.cancel();
    this.watchdog = undefined;
    this.retry?.cancel();
    this.retry = undefined;
    const socket = this.socket;
    this.socket = undefined;
    // Its 'error' listener stays attached, so a late error cannot become an uncaught one.
    socket?.terminate();
  }

  // -------------------------------------------------------------------------------------------
  // The watchdog: one timer, re-armed lazily, so a busy feed costs no timer churn per frame.

  private touch(socket: WebSocket): void {
    if (socket === this.socket) this.lastActivityMs = this.clock.monotonicMs();
  }

  private armWatchdog(socket: WebSocket, delayMs: number): void {
    this.watchdog?.cancel();
    this.watchdog = this.clock.setTimer(() => this.checkWatchdog(socket), delayMs);
  }

  private checkWatchdog(socket: WebSocket): void {
    this.watchdog = undefined;
    if (socket !== this.socket) return;
    if (this.state === 'connecting') {
      const why = `no WebSocket handshake within ${this.handshakeTimeoutMs} ms`;
      this.lost(socket, why, this.connectionError(why));
      return;
    }
    const silentForMs = Math.round(this.clock.monotonicMs() - this.lastActivityMs);
    if (silentForMs < this.stallThresholdMs) {
      this.armWatchdog(socket, Math.max(1, this.stallThresholdMs - silentForMs));
      return;
    }
    this.counters.stalls++;
    this.emit('stall', { silentForMs });
    this.lost(socket, `stalled: nothing received for ${silentForMs} ms`);
  }

  // -------------------------------------------------------------------------------------------
  // Frames and messages.

  private onFrame(socket: WebSocket, data: WebSocket.RawData): void {
    if (socket !== this.socket) return;
    const receivedAtMs = this.clock.nowMs();
    const receivedAtMonotonicMs = this.clock.monotonicMs();
    this.lastActivityMs = receivedAtMonotonicMs;
    this.counters.framesReceived++;

    let frame: BroadcastMessage;
    try {
      frame = parseBroadcastMessage(frameText(data));
    } catch (e) {
      // A bad frame is skipped whole; the connection goes on (the next frame may be fine).
      this.counters.malformedFrames++;
      this.emit('error', { error: asFeedInvalid(e, ''), fatal: false });
      return;
    }
    for (const m of frame.messages ?? []) {
      // A listener may have closed us, or a stall handler replaced the socket, mid-frame.
      if (socket !== this.socket) return;
      this.onFeedMessage(m, receivedAtMs, receivedAtMonotonicMs);
    }
    const confirmed = frame.confirmedSequenceNumberMessage?.sequenceNumber;
    if (socket === this.socket && confirmed !== undefined && confirmed > (this.counters.confirmedSequenceNumber ?? -1)) {
      this.counters.confirmedSequenceNumber = confirmed;
      this.emit('confirmed', { sequenceNumber: confirmed });
    }
  }

  private onFeedMessage(m: BroadcastFeedMessage, receivedAtMs: number, receivedAtMonotonicMs: number): void {
    const seq = m.sequenceNumber;
    const expected = this.nextExpected;
    if (expected !== undefined && seq < expected) {
      // The backlog replay after a reconnect overlaps what was delivered: expected, not an error.
      this.counters.duplicatesDropped++;
      return;
    }
    // Advanced before any event: whatever a listener does, this number is never delivered twice.
    this.nextExpected = seq + 1;
    this.counters.lastSequenceNumber = seq;
    if (expected !== undefined && seq > expected) {
      this.counters.gaps++;
      this.counters.missingMessages += seq - expected;
      this.emit('gap', { expected, actual: seq, missing: seq - expected });
      if (this.state === 'closed') return;
    }

    let txs: FeedTransaction[];
    try {
      txs = feedTransactions({ version: FEED_MESSAGE_VERSION, messages: [m] });
    } catch (e) {
      // The message arrived but cannot be read. It is not re-requested: the server would send
      // the same bytes again. Reported, counted, and the sequence moves past it.
      this.counters.malformedMessages++;
      this.emit('error', { error: asFeedInvalid(e, `feed message ${seq}: `), fatal: false });
      return;
    }
    this.counters.messagesReceived++;
    this.counters.transactionsReceived += txs.length;
    this.emit('message', {
      sequenceNumber: seq,
      blockHash: m.blockHash ?? null,
      txs,
      receivedAtMs,
      receivedAtMonotonicMs,
      message: m,
    });
  }
}
