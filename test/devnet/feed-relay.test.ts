// The embedded feed relay as a Nitro feed server: headers, backlog from the requested sequence
// number, bounded backlog, pings, confirmations, gaps and refusals. Blocks are synthetic (the
// relay does not read them), so these run without a chain.

import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Hex } from 'viem';
import { FeedRelay } from '../../src/devnet/feed-relay.js';
import type { SourceBlock } from '../../src/devnet/block-source.js';
import { feedTransactions, parseBroadcastMessage, type BroadcastMessage } from '../../src/feed/broadcast-message.js';
import { transactionHash } from '../../src/feed/l2-message.js';

const relays: FeedRelay[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const r of relays.splice(0)) await r.stop();
});

async function relay(options: Partial<Parameters<typeof FeedRelay.start>[0]> = {}): Promise<FeedRelay> {
  const r = await FeedRelay.start({ chainId: 412346, ...options });
  relays.push(r);
  return r;
}

function block(n: number, txCount = 1): SourceBlock {
  const txs = Array.from({ length: txCount }, (_, i) => Uint8Array.from([0x02, n & 0xff, i, 0xab, 0xcd]));
  return { number: n, hash: `0x${n.toString(16).padStart(64, '0')}` as Hex, timestamp: 1_700_000_000 + n, txs, seenAtMs: Date.now() };
}

interface Session {
  socket: WebSocket;
  headers: Record<string, string | string[] | undefined>;
  messages: BroadcastMessage[];
  /** Resolves once `count` BroadcastMessages (frames) have arrived. */
  frames(count: number): Promise<BroadcastMessage[]>;
}

async function connect(url: string, requested?: number): Promise<Session> {
  const socket = new WebSocket(url, {
    headers: { 'Arbitrum-Feed-Client-Version': '2', ...(requested === undefined ? {} : { 'Arbitrum-Requested-Sequence-Number': String(requested) }) },
  });
  sockets.push(socket);
  socket.on('error', () => {}); // failures show up as missing frames or a close
  const messages: BroadcastMessage[] = [];
  const waiters: Array<{ count: number; resolve: (m: BroadcastMessage[]) => void }> = [];
  socket.on('message', (data) => {
    messages.push(parseBroadcastMessage(data.toString()));
    for (const w of waiters.filter((x) => messages.length >= x.count)) w.resolve(messages.slice(0, w.count));
  });
  const headers = await new Promise<Session['headers']>((resolve, reject) => {
    socket.once('upgrade', (res) => resolve(res.headers));
    socket.once('error', reject);
  });
  await new Promise<void>((resolve) => (socket.readyState === WebSocket.OPEN ? resolve() : socket.once('open', () => resolve())));
  return {
    socket,
    headers,
    messages,
    frames: (count) => new Promise((resolve) => (messages.length >= count ? resolve(messages.slice(0, count)) : waiters.push({ count, resolve }))),
  };
}

const seqs = (frames: BroadcastMessage[]) => frames.flatMap((f) => (f.messages ?? []).map((m) => m.sequenceNumber));

describe('FeedRelay', () => {
  it('answers with the feed server version and chain id headers', async () => {
    const r = await relay({ chainId: 412346 });
    const s = await connect(r.url);
    expect(s.headers['arbitrum-chain-id']).toBe('412346');
    expect(s.headers['arbitrum-feed-server-version']).toBe('2');
  });

  it('publishes each block as one message whose sequence number is the block number', async () => {
    const r = await relay();
    const s = await connect(r.url);
    const published = [block(1, 1), block(2, 3), block(3, 0)];
    for (const b of published) r.publish(b);
    const frames = await s.frames(3);
    expect(seqs(frames)).toEqual([1, 2, 3]);
    const hashes = frames.flatMap((f) => feedTransactions(f).map((t) => t.txHash));
    expect(hashes).toEqual(published.flatMap((b) => b.txs.map(transactionHash)));
    expect(frames[1]!.messages![0]!.blockHash).toBe(published[1]!.hash);
  });

  it('replays the backlog from the requested sequence number', async () => {
    const r = await relay();
    for (let n = 1; n <= 10; n++) r.publish(block(n));
    const s = await connect(r.url, 7);
    const [replay] = await s.frames(1);
    expect(seqs([replay!])).toEqual([7, 8, 9, 10]);
    r.publish(block(11));
    expect(seqs(await s.frames(2))).toEqual([7, 8, 9, 10, 11]);
  });

  it('replays the whole backlog to a client that asks for no sequence number', async () => {
    const r = await relay();
    for (let n = 1; n <= 5; n++) r.publish(block(n));
    const s = await connect(r.url);
    expect(seqs(await s.frames(1))).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps a bounded backlog and replays it in chunks', async () => {
    const r = await relay({ backlogSize: 5, backlogChunk: 2 });
    for (let n = 1; n <= 12; n++) r.publish(block(n));
    const s = await connect(r.url, 1);
    const frames = await s.frames(3);
    expect(frames.map((f) => f.messages?.length)).toEqual([2, 2, 1]);
    expect(seqs(frames)).toEqual([8, 9, 10, 11, 12]);
  });

  it('sends nothing old to a client that asks for a future sequence number', async () => {
    const r = await relay();
    for (let n = 1; n <= 3; n++) r.publish(block(n));
    const s = await connect(r.url, 5);
    r.publish(block(4));
    r.publish(block(5));
    const frames = await s.frames(2);
    expect(seqs(frames)).toEqual([4, 5]);
  });

  it('confirms sequence numbers a fixed lag behind the head, in the same frame', async () => {
    const r = await relay({ confirmLagBlocks: 2 });
    const s = await connect(r.url);
    for (let n = 1; n <= 4; n++) r.publish(block(n));
    const frames = await s.frames(4);
    expect(frames.map((f) => f.confirmedSequenceNumberMessage?.sequenceNumber)).toEqual([undefined, undefined, 1, 2]);
  });

  it('pings connected clients on its interval', async () => {
    const r = await relay({ pingIntervalMs: 20 });
    const s = await connect(r.url);
    await new Promise<void>((resolve) => s.socket.once('ping', () => resolve()));
    expect(r.clientCount).toBe(1);
  });

  it('leaves skipped blocks out, producing a sequence gap', async () => {
    const r = await relay();
    const s = await connect(r.url);
    r.publish(block(1));
    r.skipBlocks(2);
    for (let n = 2; n <= 5; n++) r.publish(block(n));
    expect(seqs(await s.frames(3))).toEqual([1, 4, 5]);
    expect(r.publishedCount).toBe(3);
  });

  it('disconnects every client, and refuses new ones with 503 while told to', async () => {
    const r = await relay();
    const s = await connect(r.url);
    const closed = new Promise<void>((resolve) => s.socket.once('close', () => resolve()));
    r.disconnectAll();
    await closed;
    r.refuseConnectionsFor(60_000);
    const refused = new WebSocket(r.url);
    refused.on('error', () => {}); // the refusal itself is what we wait for
    sockets.push(refused);
    const status = await new Promise<number>((resolve) => refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(503);
  });

  it('drops a client that lets too much unsent data pile up', async () => {
    const r = await relay({ maxClientBufferBytes: 1024 * 1024 });
    const s = await connect(r.url);
    const closed = new Promise<void>((resolve) => s.socket.once('close', () => resolve()));
    // A reader that stops reading: the kernel buffers fill, then the relay's own queue grows.
    s.socket.pause();
    const big = (n: number): SourceBlock => ({ ...block(n), txs: Array.from({ length: 16 }, () => new Uint8Array(64 * 1024).fill(n & 0xff)) });
    for (let n = 1; n <= 400 && r.clientCount > 0; n++) r.publish(big(n));
    expect(r.clientCount).toBe(0);
    s.socket.resume();
    await closed;
  });
});
