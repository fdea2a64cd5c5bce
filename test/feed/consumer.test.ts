// The sequencer-feed consumer against real servers on loopback: the devnet's FeedRelay (order,
// hashes, resume across disconnects and a relay restart, gaps, stalls, chain-id refusal), tiny
// raw `ws` servers that misbehave on purpose (garbage frames, overlapping replays), the backoff
// schedule, and end to end on the embedded devnet with real transfers. Time-dependent paths run
// on an injected manual clock; nothing sleeps to synchronise, every wait is on an event.

import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Socket } from 'node:net';
import fc from 'fast-check';
import { keccak256, numberToHex, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { freeLoopbackPort } from '../../src/devnet/anvil.js';
import type { SourceBlock } from '../../src/devnet/block-source.js';
import { createDevnetClients } from '../../src/devnet/contracts.js';
import { startEmbeddedDevnet, type EmbeddedDevnet } from '../../src/devnet/embedded-devnet.js';
import { FeedRelay } from '../../src/devnet/feed-relay.js';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { blockBroadcastMessage, serializeBroadcastMessage } from '../../src/feed/broadcast-message.js';
import {
  DEFAULT_BACKOFF,
  FeedConsumer,
  reconnectDelayMs,
  type FeedClock,
  type FeedConsumerEventName,
  type FeedConsumerEvents,
  type FeedConsumerOptions,
  type TimerHandle,
} from '../../src/feed/consumer.js';
import { userAgent } from '../../src/util/build-info.js';
import { signAll, transfer, type SignedTx } from './support.js';

const CHAIN_ID = 412_346;
/** Small real backoff for tests on the system clock: reconnects within tens of ms. */
const FAST_BACKOFF = { initialMs: 20, maxMs: 80 } as const;
const WAIT_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// Helpers.

/** A clock that moves only when told to: timers fire in due order inside advance(). */
class ManualClock implements FeedClock {
  private mono = 0;
  private seq = 0;
  private timers: { due: number; seq: number; callback: () => void }[] = [];

  nowMs(): number {
    return 1_700_000_000_000 + this.mono;
  }

  monotonicMs(): number {
    return this.mono;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer = { due: this.mono + delayMs, seq: this.seq++, callback };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter((t) => t !== timer)) };
  }

  /** Remaining delays of the pending timers, soonest first. */
  pending(): number[] {
    return this.timers.map((t) => t.due - this.mono).sort((a, b) => a - b);
  }

  advance(ms: number): void {
    const target = this.mono + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.mono = due.due;
      due.callback();
    }
    this.mono = target;
  }
}

const EVENT_NAMES: readonly FeedConsumerEventName[] = ['connected', 'disconnected', 'message', 'confirmed', 'gap', 'stall', 'error', 'closed'];

type LogEntry = { [K in FeedConsumerEventName]: { name: K; event: FeedConsumerEvents[K] } }[FeedConsumerEventName];

/** Records every event of a consumer, in order, and waits for ones to come. */
class Recorder {
  readonly log: LogEntry[] = [];
  private readonly waiters = new Set<() => boolean>();

  constructor(consumer: FeedConsumer) {
    for (const name of EVENT_NAMES) {
      consumer.on(name, (event) => {
        this.log.push({ name, event } as LogEntry);
        for (const check of [...this.waiters]) check();
      });
    }
  }

  of<K extends FeedConsumerEventName>(name: K): FeedConsumerEvents[K][] {
    return this.log.filter((e) => e.name === name).map((e) => e.event as FeedConsumerEvents[K]);
  }

  sequenceNumbers(): number[] {
    return this.of('message').map((m) => m.sequenceNumber);
  }

  /** The first recorded `name` event (past or future) matching `predicate(event, index)`. */
  waitFor<K extends FeedConsumerEventName>(
    name: K,
    predicate: (event: FeedConsumerEvents[K], index: number) => boolean = () => true,
    timeoutMs = WAIT_MS,
  ): Promise<FeedConsumerEvents[K]> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      const check = (): boolean => {
        const found = this.of(name).find(predicate);
        if (found === undefined) return false;
        done();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching '${name}' event within ${timeoutMs} ms; events so far: ${this.log.map((e) => e.name).join(', ')}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  /** The n-th (1-based) `name` event. */
  nth<K extends FeedConsumerEventName>(name: K, n: number): Promise<FeedConsumerEvents[K]> {
    return this.waitFor(name, (_e, i) => i === n - 1);
  }

  message(sequenceNumber: number): Promise<FeedConsumerEvents['message']> {
    return this.waitFor('message', (m) => m.sequenceNumber === sequenceNumber);
  }
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function consumer(options: FeedConsumerOptions): { consumer: FeedConsumer; events: Recorder } {
  const c = new FeedConsumer(options);
  cleanups.push(() => c.close());
  return { consumer: c, events: new Recorder(c) };
}

async function relay(options: { port?: number; pingIntervalMs?: number; chainId?: number } = {}): Promise<FeedRelay> {
  const r = await FeedRelay.start({ chainId: options.chainId ?? CHAIN_ID, ...options });
  cleanups.push(() => r.stop());
  return r;
}

interface RawServer {
  readonly url: string;
  readonly port: number;
  /** Request headers of each connection, in order. */
  readonly requests: IncomingHttpHeaders[];
  /** Resolves with the n-th (1-based) connection's socket. */
  connection(n: number): Promise<WebSocket>;
}

/** A bare `ws` server that does whatever the test tells each connection to do. */
async function rawServer(): Promise<RawServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const requests: IncomingHttpHeaders[] = [];
  const sockets: WebSocket[] = [];
  const waiting = new Map<number, (s: WebSocket) => void>();
  server.on('connection', (socket, request) => {
    requests.push(request.headers);
    sockets.push(socket);
    waiting.get(sockets.length)?.(socket);
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.terminate();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : -1;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    requests,
    connection: (n) =>
      new Promise((resolve, reject) => {
        const existing = sockets[n - 1];
        if (existing !== undefined) return resolve(existing);
        const timer = setTimeout(() => reject(new Error(`no connection #${n} within ${WAIT_MS} ms`)), WAIT_MS);
        waiting.set(n, (s) => {
          clearTimeout(timer);
          resolve(s);
        });
      }),
  };
}

let pool: SignedTx[] = [];

beforeAll(async () => {
  pool = await signAll(Array.from({ length: 60 }, (_, i) => transfer(i)));
});

/** Block n carries n % 3 transactions (none, a single kind-4 message, or a batch), distinct per block. */
function txsOf(n: number): SignedTx[] {
  return Array.from({ length: n % 3 }, (_, i) => pool[(n * 2 + i) % pool.length] as SignedTx);
}

function block(n: number): SourceBlock {
  return { number: n, hash: keccak256(numberToHex(n, { size: 32 })), timestamp: 1_700_000_000 + n, txs: txsOf(n).map((t) => t.raw), seenAtMs: Date.now() };
}

function publish(r: FeedRelay, from: number, to: number): void {
  for (let n = from; n <= to; n++) r.publish(block(n));
}

/** A feed frame as the relay would send it, for raw servers. */
function frame(n: number, confirmed?: number): string {
  return serializeBroadcastMessage(
    blockBroadcastMessage({
      sequenceNumber: n,
      blockHash: keccak256(numberToHex(n, { size: 32 })),
      txs: txsOf(n).map((t) => t.raw),
      timestamp: 1_700_000_000 + n,
      ...(confirmed === undefined ? {} : { confirmedSequenceNumber: confirmed }),
    }),
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Every message delivered has exactly the hashes of its block's transactions. */
function expectRightHashes(events: Recorder): void {
  for (const m of events.of('message')) {
    expect(m.txs.map((t) => t.txHash), `hashes of message ${m.sequenceNumber}`).toEqual(txsOf(m.sequenceNumber).map((t) => t.hash));
    for (const t of m.txs) expect(t.sequenceNumber).toBe(m.sequenceNumber);
  }
}

// ---------------------------------------------------------------------------------------------

describe('FeedConsumer against the devnet FeedRelay', () => {
  it('receives every message, backlog then live, in order with the right tx hashes and arrival times', async () => {
    const r = await relay();
    publish(r, 1, 5);
    const { consumer: c, events } = consumer({ url: r.url, expectedChainId: CHAIN_ID });
    const before = Date.now();
    c.start();
    const connected = await events.waitFor('connected');
    expect(connected).toEqual({ url: r.url, serverVersion: 2, chainId: CHAIN_ID, requestedSequenceNumber: null });
    await events.message(5);
    publish(r, 6, 12);
    await events.message(12);
    const after = Date.now();

    expect(events.sequenceNumbers()).toEqual(range(1, 12));
    expectRightHashes(events);
    expect(events.of('message').flatMap((m) => m.txs)).toHaveLength(range(1, 12).reduce((n, i) => n + (i % 3), 0));
    const messages = events.of('message');
    for (const [i, m] of messages.entries()) {
      expect(m.receivedAtMs).toBeGreaterThanOrEqual(before);
      expect(m.receivedAtMs).toBeLessThanOrEqual(after);
      expect(m.blockHash).toBe(keccak256(numberToHex(m.sequenceNumber, { size: 32 })));
      if (i > 0) expect(m.receivedAtMonotonicMs).toBeGreaterThanOrEqual((messages[i - 1] as (typeof messages)[number]).receivedAtMonotonicMs);
    }
    // The relay confirms head - 4 with each live block; the backlog replay carries none.
    expect(events.of('confirmed').map((e) => e.sequenceNumber)).toEqual(range(2, 8));
    expect(c.stats).toMatchObject({
      messagesReceived: 12,
      duplicatesDropped: 0,
      gaps: 0,
      reconnects: 0,
      malformedFrames: 0,
      malformedMessages: 0,
      stalls: 0,
      lastSequenceNumber: 12,
      confirmedSequenceNumber: 8,
    });
    expect(events.of('error')).toEqual([]);
    expect(events.of('disconnected')).toEqual([]);
  });

  it('starts at --from: requests it and the relay replays its backlog from there', async () => {
    const r = await relay();
    publish(r, 1, 6);
    const { consumer: c, events } = consumer({ url: r.url, fromSequenceNumber: 4 });
    c.start();
    expect((await events.waitFor('connected')).requestedSequenceNumber).toBe(4);
    await events.message(6);
    publish(r, 7, 7);
    await events.message(7);
    // Had the header not reached the relay, it would have replayed 1..3 too (dropped, counted).
    expect(events.sequenceNumbers()).toEqual([4, 5, 6, 7]);
    expect(c.stats).toMatchObject({ duplicatesDropped: 0, gaps: 0 });
    expectRightHashes(events);
  });

  it('resumes across disconnectAll() with the requested sequence number: no duplicates, none missing', async () => {
    const r = await relay();
    const { consumer: c, events } = consumer({ url: r.url, backoff: FAST_BACKOFF });
    c.start();
    await events.waitFor('connected');
    publish(r, 1, 3);
    await events.message(3);

    r.disconnectAll();
    const lost = await events.nth('disconnected', 1);
    expect(lost).toMatchObject({ wasConnected: true });
    expect(lost.reconnectInMs).toBeGreaterThanOrEqual(FAST_BACKOFF.initialMs / 2);
    expect(lost.reconnectInMs).toBeLessThan(FAST_BACKOFF.initialMs);
    publish(r, 4, 6); // while the consumer is away: only the backlog has them
    const again = await events.nth('connected', 2);
    expect(again.requestedSequenceNumber).toBe(4);
    await events.message(6);
    publish(r, 7, 8);
    await events.message(8);

    expect(events.sequenceNumbers()).toEqual(range(1, 8));
    expectRightHashes(events);
    // No duplicate arrived at all: the relay honoured Arbitrum-Requested-Sequence-Number.
    expect(c.stats).toMatchObject({ messagesReceived: 8, duplicatesDropped: 0, gaps: 0, reconnects: 1 });
  });

  it('survives a relay restart on the same port and resumes where it left off', async () => {
    const first = await FeedRelay.start({ chainId: CHAIN_ID });
    let firstStopped = false;
    cleanups.push(() => (firstStopped ? undefined : first.stop()));
    const port = first.port;
    const { consumer: c, events } = consumer({ url: first.url, backoff: FAST_BACKOFF, expectedChainId: CHAIN_ID });
    c.start();
    await events.waitFor('connected');
    publish(first, 1, 3);
    await events.message(3);

    await first.stop();
    firstStopped = true;
    await events.nth('disconnected', 1);
    // While nothing listens, attempts fail and are retried.
    const second = await relay({ port });
    publish(second, 4, 6);
    await events.message(6);
    publish(second, 7, 7);
    await events.message(7);

    expect(events.sequenceNumbers()).toEqual(range(1, 7));
    expectRightHashes(events);
    expect(c.stats).toMatchObject({ messagesReceived: 7, duplicatesDropped: 0, gaps: 0 });
    expect(c.stats.reconnects).toBeGreaterThanOrEqual(1);
    const reconnected = events.of('connected').at(-1);
    expect(reconnected).toMatchObject({ requestedSequenceNumber: 4, chainId: CHAIN_ID });
  });

  it('rides out a relay that refuses connections for a while (HTTP 503) and resumes', async () => {
    const r = await relay();
    const { consumer: c, events } = consumer({ url: r.url, backoff: FAST_BACKOFF });
    c.start();
    await events.waitFor('connected');
    publish(r, 1, 2);
    await events.message(2);
    r.refuseConnectionsFor(150);
    r.disconnectAll();
    publish(r, 3, 4);
    const refused = await events.waitFor('disconnected', (e) => !e.wasConnected);
    expect(refused.reason).toMatch(/^could not connect: Unexpected server response: 503/);
    expect(refused.error?.code).toBe('GH-E112');
    expect((await events.nth('connected', 2)).requestedSequenceNumber).toBe(3);
    await events.message(4);
    expect(events.sequenceNumbers()).toEqual(range(1, 4));
    expect(c.stats).toMatchObject({ duplicatesDropped: 0, gaps: 0 });
    expect(c.stats.reconnects).toBeGreaterThanOrEqual(2);
  });

  it('reports a gap from skipBlocks(n) with the right expected and actual, once', async () => {
    const r = await relay();
    const { consumer: c, events } = consumer({ url: r.url, backoff: FAST_BACKOFF });
    c.start();
    await events.waitFor('connected');
    publish(r, 1, 3);
    r.skipBlocks(2);
    publish(r, 4, 6); // 4 and 5 never reach the feed
    await events.message(6);
    expect(events.of('gap')).toEqual([{ expected: 4, actual: 6, missing: 2 }]);
    expect(events.sequenceNumbers()).toEqual([1, 2, 3, 6]);

    // A reconnect asks for 7, so the hole in the backlog is not reported again.
    r.disconnectAll();
    expect((await events.nth('connected', 2)).requestedSequenceNumber).toBe(7);
    publish(r, 7, 7);
    await events.message(7);
    expect(events.of('gap')).toHaveLength(1);
    expect(c.stats).toMatchObject({ gaps: 1, missingMessages: 2, messagesReceived: 5, duplicatesDropped: 0 });
  });

  it('detects a stall on an injected clock, drops the connection and reconnects', async () => {
    // The relay's own pings are pushed out of the way: only published blocks are activity here.
    const r = await relay({ pingIntervalMs: 2_000_000_000 });
    const clock = new ManualClock();
    const { consumer: c, events } = consumer({ url: r.url, clock, random: () => 0.5 });
    c.start();
    await events.waitFor('connected');

    clock.advance(19_999);
    publish(r, 1, 1);
    await events.message(1); // arrives at t = 19 999: the silence starts again
    clock.advance(19_999);
    expect(events.of('stall')).toEqual([]);
    expect(c.connected).toBe(true);
    clock.advance(1);
    expect(events.of('stall')).toEqual([{ silentForMs: 20_000 }]);
    const lost = await events.nth('disconnected', 1);
    expect(lost).toMatchObject({ wasConnected: true, reconnectInMs: 750 });
    expect(lost.reason).toMatch(/^stalled: nothing received for 20000 ms/);
    expect(c.stats.stalls).toBe(1);
    expect(clock.pending()).toEqual([750]);

    clock.advance(750);
    expect((await events.nth('connected', 2)).requestedSequenceNumber).toBe(2);
    publish(r, 2, 2);
    await events.message(2);
    expect(c.stats).toMatchObject({ stalls: 1, reconnects: 1, messagesReceived: 2, duplicatesDropped: 0 });
  });

  it('refuses a chain-id mismatch with GH-E110 and stops without retrying', async () => {
    const r = await relay();
    const clock = new ManualClock();
    const { consumer: c, events } = consumer({ url: r.url, expectedChainId: 42_161, clock });
    c.start();
    const closed = await events.waitFor('closed');
    expect(closed.error).toBeInstanceOf(GasHammerError);
    expect(closed.error?.code).toBe('GH-E110');
    expect(closed.error?.shortMessage).toBe(`the feed at ${r.url} serves chain ${CHAIN_ID}, expected 42161`);
    expect(events.of('error')).toEqual([{ error: closed.error, fatal: true }]);
    expect(events.of('connected')).toEqual([]);
    expect(c.closed).toBe(true);
    // Nothing scheduled, so nothing can ever retry: no reconnect storm.
    expect(clock.pending()).toEqual([]);
    clock.advance(10 * 60_000);
    expect(c.stats.reconnects).toBe(0);
    expect(events.log.map((e) => e.name)).toEqual(['error', 'closed']);
  });

  it('close() stops for good: one closed event, no timer left, later frames ignored', async () => {
    const r = await relay();
    const clock = new ManualClock();
    const { consumer: c, events } = consumer({ url: r.url, clock });
    c.start();
    await events.waitFor('connected');
    publish(r, 1, 1);
    await events.message(1);
    c.close();
    c.close();
    expect(events.of('closed')).toEqual([{ reason: 'closed by the caller', error: null }]);
    expect(events.of('disconnected')).toEqual([{ reason: 'closed by the caller', wasConnected: true, reconnectInMs: null }]);
    expect(clock.pending()).toEqual([]);
    publish(r, 2, 2);
    clock.advance(60_000);
    expect(events.sequenceNumbers()).toEqual([1]);
    expect(c.stats.reconnects).toBe(0);
  });

  it('rejects a URL that is not ws:// or wss:// with GH-E112', () => {
    expect(() => new FeedConsumer({ url: 'http://127.0.0.1:9642' })).toThrow(/^GH-E112 'http:\/\/127\.0\.0\.1:9642' is not a ws:\/\/ or wss:\/\/ URL$/);
    expect(() => new FeedConsumer({ url: 'not a url' })).toThrow(/GH-E112/);
  });
});

describe('FeedConsumer against raw ws servers', () => {
  it('sends the client headers, counts malformed frames and goes on (raw ws server sending garbage)', async () => {
    const server = await rawServer();
    const { consumer: c, events } = consumer({ url: server.url });
    c.start();
    const socket = await server.connection(1);
    await events.waitFor('connected');
    expect(server.requests[0]).toMatchObject({ 'arbitrum-feed-client-version': '2', 'user-agent': userAgent() });
    expect(server.requests[0]).not.toHaveProperty('arbitrum-requested-sequence-number');

    socket.send('this is not json');
    socket.send(frame(1));
    socket.send('{"version":2,"messages":[]}');
    socket.send(frame(2).replace(/"l2Msg":"[^"]*"/, `"l2Msg":"${Buffer.from([3, 0, 0, 0, 0, 0, 0, 0, 9, 4]).toString('base64')}"`));
    socket.send(Buffer.from([0xff, 0xfe, 0x00]));
    socket.send('{"version":1,"messages":[{"sequenceNumber":-1}]}');
    socket.send(frame(3));
    await events.message(3);

    expect(events.sequenceNumbers()).toEqual([1, 3]);
    expectRightHashes(events);
    const errors = events.of('error');
    expect(errors.map((e) => [e.error.code, e.fatal])).toEqual(Array.from({ length: 5 }, () => ['GH-E111', false]));
    expect(errors.map((e) => e.error.shortMessage)).toEqual([
      "not JSON: unexpected character 't' at column 1",
      'version: expected 1, got 2',
      'feed message 2: message.message.l2Msg: segment length 9 at byte 1 exceeds the 1 bytes that remain',
      'not JSON: unexpected character U+FFFD at column 1',
      'messages[0].sequenceNumber: expected a non-negative integer, got -1',
    ]);
    expect(c.stats).toMatchObject({ malformedFrames: 4, malformedMessages: 1, messagesReceived: 2, framesReceived: 7, gaps: 0, lastSequenceNumber: 3 });
    // The connection survived all of it.
    expect(events.of('disconnected')).toEqual([]);
    expect(c.connected).toBe(true);
  });

  it('drops the overlap of a replay after a reconnect and asks for the next sequence number (raw ws server)', async () => {
    const server = await rawServer();
    const clock = new ManualClock();
    const { consumer: c, events } = consumer({ url: server.url, clock, random: () => 0 });
    c.start();
    const first = await server.connection(1);
    first.send(frame(1));
    first.send(frame(2));
    first.send(frame(3));
    await events.message(3);
    first.terminate();
    const lost = await events.nth('disconnected', 1);
    expect(lost).toMatchObject({ wasConnected: true, reconnectInMs: 500 });
    expect(lost.reason).toMatch(/^closed by the server \(code 1006\)/);

    clock.advance(500);
    const second = await server.connection(2);
    expect(server.requests[1]).toMatchObject({ 'arbitrum-feed-client-version': '2', 'arbitrum-requested-sequence-number': '4' });
    // A server that replays from further back than asked, in one frame: 2 and 3 are old news.
    second.send(
      serializeBroadcastMessage({
        version: 1,
        messages: [2, 3, 4, 5].map((n) => blockBroadcastMessage({ sequenceNumber: n, blockHash: keccak256(numberToHex(n, { size: 32 })), txs: txsOf(n).map((t) => t.raw), timestamp: 1 }).messages?.[0]).filter((m) => m !== undefined),
      }),
    );
    await events.message(5);
    expect(events.sequenceNumbers()).toEqual([1, 2, 3, 4, 5]);
    expectRightHashes(events);
    expect(c.stats).toMatchObject({ duplicatesDropped: 2, gaps: 0, reconnects: 1, messagesReceived: 5 });
  });

  it('counts a ping as activity: no stall while the server pings (raw ws server)', async () => {
    const server = await rawServer();
    const clock = new ManualClock();
    const { consumer: c, events } = consumer({ url: server.url, clock, stallThresholdMs: 20_000 });
    c.start();
    const socket = await server.connection(1);
    await events.waitFor('connected');
    clock.advance(15_000);
    const pong = new Promise<void>((resolve) => socket.once('pong', () => resolve()));
    socket.ping();
    await pong; // the client saw the ping before it answered
    clock.advance(19_999);
    expect(events.of('stall')).toEqual([]);
    clock.advance(1);
    expect(events.of('stall')).toEqual([{ silentForMs: 20_000 }]);
    expect(c.stats.stalls).toBe(1);
  });

  it('gives up a handshake that never completes and retries', async () => {
    // A TCP listener that accepts and never answers the HTTP upgrade.
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      silent.close(() => resolve());
    }));
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : -1;
    const clock = new ManualClock();
    const { consumer: c, events } = consumer({ url: `ws://127.0.0.1:${port}`, clock, random: () => 0, handshakeTimeoutMs: 5_000 });
    c.start();
    expect(clock.pending()).toEqual([5_000]);
    clock.advance(5_000);
    const lost = await events.nth('disconnected', 1);
    expect(lost).toMatchObject({ wasConnected: false, reason: 'no WebSocket handshake within 5000 ms', reconnectInMs: 500 });
    expect(lost.error?.code).toBe('GH-E112');
  });
});

describe('reconnect backoff', () => {
  it('doubles the ceiling from 1 s to 30 s with equal jitter: floor(c/2 + r·c/2)', () => {
    const delays = (r: number) => range(0, 8).map((attempt) => reconnectDelayMs(attempt, r));
    expect(delays(0)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000, 15_000]);
    expect(delays(0.5)).toEqual([750, 1_500, 3_000, 6_000, 12_000, 22_500, 22_500, 22_500, 22_500]);
    expect(delays(0.999)).toEqual([999, 1_999, 3_998, 7_996, 15_992, 29_985, 29_985, 29_985, 29_985]);
    // The top of the range can be reached through float rounding, never passed.
    expect(delays(1 - 2 ** -53)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 1_000, maxMs: 30_000 });
  });

  it('stays within [ceiling/2, ceiling] and never above 30 s for any attempt and draw', () => {
    fc.assert(
      fc.property(fc.nat({ max: 5_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const ceiling = Math.min(30_000, 1_000 * 2 ** attempt);
        const d = reconnectDelayMs(attempt, r);
        return Number.isInteger(d) && d >= ceiling / 2 && d <= ceiling && d <= 30_000;
      }),
    );
    // A broken random source cannot push it out of range either.
    expect(reconnectDelayMs(3, 7)).toBe(8_000);
    expect(reconnectDelayMs(3, -1)).toBe(4_000);
    expect(reconnectDelayMs(3, Number.NaN)).toBe(4_000);
  });

  it('follows that schedule against an unreachable feed and resets after a successful connection', async () => {
    const port = await freeLoopbackPort();
    const clock = new ManualClock();
    const { consumer: c, events } = consumer({ url: `ws://127.0.0.1:${port}`, clock, random: () => 0.5 });
    c.start();
    const expected = [750, 1_500, 3_000, 6_000, 12_000, 22_500, 22_500, 22_500];
    for (const [i, delay] of expected.entries()) {
      const failed = await events.nth('disconnected', i + 1);
      expect(failed).toMatchObject({ wasConnected: false, reconnectInMs: delay });
      expect(failed.reason).toMatch(/^could not connect: .*ECONNREFUSED/);
      expect(failed.error?.code).toBe('GH-E112');
      expect(clock.pending()).toEqual([delay]);
      if (i < expected.length - 1) clock.advance(delay);
    }
    expect(c.stats.reconnects).toBe(expected.length - 1);

    const r = await relay({ port });
    clock.advance(22_500);
    await events.waitFor('connected');
    r.disconnectAll();
    const after = await events.waitFor('disconnected', (e) => e.wasConnected);
    expect(after.reconnectInMs).toBe(750);
  });
});

describe('FeedConsumer end to end on the embedded devnet', () => {
  let devnet: EmbeddedDevnet | undefined;

  beforeAll(async () => {
    devnet = await startEmbeddedDevnet();
  }, 120_000);

  afterAll(async () => {
    await devnet?.stop();
  });

  it('sees the hashes of real transfers arrive through the feed, in their blocks', async () => {
    if (devnet === undefined) throw new Error('devnet did not start');
    const d = devnet;
    const { consumer: c, events } = consumer({ url: d.feedUrl, expectedChainId: d.chainId });
    c.start();
    expect((await events.waitFor('connected')).chainId).toBe(d.chainId);

    const { walletClient, publicClient } = createDevnetClients({ rpcUrl: d.rpcUrl, chainId: d.chainId });
    const account = privateKeyToAccount(d.faucet.privateKey);
    const nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' });
    const recipient = privateKeyToAccount(keccak256('0x01')).address;
    const hashes: Hex[] = [];
    for (let i = 0; i < 3; i++) {
      hashes.push(await walletClient.sendTransaction({ account, to: recipient, value: BigInt(i + 1), nonce: nonce + i }));
    }

    const seenIn = () => new Map(events.of('message').flatMap((m) => m.txs.map((t) => [t.txHash, m.sequenceNumber] as const)));
    await events.waitFor('message', () => hashes.every((h) => seenIn().has(h)), 20_000);
    const seen = seenIn();
    for (const h of hashes) {
      const receipt = await publicClient.getTransactionReceipt({ hash: h });
      expect(receipt.status).toBe('success');
      // On the devnet the feed's sequence number is the block number.
      expect(seen.get(h)).toBe(Number(receipt.blockNumber));
    }
    const all = events.of('message').flatMap((m) => m.txs.map((t) => t.txHash));
    for (const h of hashes) expect(all.filter((x) => x === h)).toHaveLength(1);
    // The relay publishes every block from 1: contiguous, nothing dropped or malformed.
    const seqs = events.sequenceNumbers();
    expect(seqs[0]).toBe(1);
    expect(seqs).toEqual(range(1, seqs.length));
    expect(c.stats).toMatchObject({ gaps: 0, duplicatesDropped: 0, malformedFrames: 0, malformedMessages: 0 });
  }, 60_000);
});
