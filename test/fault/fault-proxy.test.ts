// The fault proxy between an edge and a real anvil (HTTP JSON-RPC and WebSocket) and a local
// feed server: it forwards unchanged with no fault in force, and each fault does what it says —
// latency, rpc-slow, JSON-RPC errors per call at a rate (batches too), HTTP statuses, request
// loss, bandwidth caps, connection resets, partitions, feed disconnects — on the edges it names
// only, and it is gone when cleared.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startAnvil, type AnvilProcess } from '../../src/devnet/anvil.js';
import { FaultProxy, type EdgeEndpoints } from '../../src/fault/proxy/fault-proxy.js';
import { INJECTED_ERROR_CODE, type ProxyFault } from '../../src/fault/proxy/proxy-faults.js';
import { createPrng } from '../../src/workload/prng.js';

let anvil: AnvilProcess;
let feedServer: WebSocketServer;
let feedUrl: string;
let proxy: FaultProxy;
let edge0: EdgeEndpoints;
let edge1: EdgeEndpoints;

beforeAll(async () => {
  anvil = await startAnvil();
  feedServer = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(feedServer, 'listening');
  feedUrl = `ws://127.0.0.1:${(feedServer.address() as AddressInfo).port}/feed`;
  // The feed says hello to every subscriber, then echoes what it is sent.
  feedServer.on('connection', (ws) => {
    ws.send(JSON.stringify({ version: 2, messages: [{ sequenceNumber: 1 }] }));
    ws.on('message', (data) => ws.send(data.toString()));
  });
  const prng = createPrng('00000000000000000000000000000001');
  proxy = new FaultProxy({ random: () => prng.nextFloat() });
  edge0 = await proxy.addEdge(0, { rpcUrl: anvil.rpcUrl, wsUrl: anvil.wsUrl, feedUrl });
  edge1 = await proxy.addEdge(1, { rpcUrl: anvil.rpcUrl, wsUrl: anvil.wsUrl, feedUrl });
});

afterAll(async () => {
  await proxy?.close();
  feedServer?.close();
  await anvil?.stop();
});

afterEach(() => {
  // Every case leaves no fault behind.
  for (const f of proxy.activeFaults()) proxy.removeFault(f.id);
});

let nextFault = 0;
function fault(type: ProxyFault['type'], params: ProxyFault['params'], options: { target?: ProxyFault['target']; edges?: number[] } = {}): string {
  const id = `test-${++nextFault}`;
  proxy.addFault({ id, type, target: options.target ?? 'sequencer-rpc', edgeIndexes: new Set(options.edges ?? [0, 1]), params });
  return id;
}

async function rpc(url: string, body: unknown, timeoutMs = 10_000): Promise<{ status: number; json: unknown; ms: number }> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  const json: unknown = await res.json();
  return { status: res.status, json, ms: performance.now() - started };
}

const chainIdCall = (id: number) => ({ jsonrpc: '2.0', id, method: 'eth_chainId', params: [] });
const CHAIN_ID_HEX = '0x64aba'; // 412346

function openWs(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(d.toString())));
}

describe('with no fault in force', () => {
  it('forwards single calls, batches and WebSocket calls unchanged, and its URLs differ per edge', async () => {
    expect(edge0.rpcUrl).not.toBe(edge1.rpcUrl);
    expect(edge0.rpcUrl).not.toBe(anvil.rpcUrl);
    expect((await rpc(edge0.rpcUrl, chainIdCall(1))).json).toEqual({ jsonrpc: '2.0', id: 1, result: CHAIN_ID_HEX });
    const batch = (await rpc(edge1.rpcUrl, [chainIdCall(1), chainIdCall(2)])).json as Array<{ id: number; result: string }>;
    expect(batch.map((a) => [a.id, a.result]).sort()).toEqual([
      [1, CHAIN_ID_HEX],
      [2, CHAIN_ID_HEX],
    ]);
    const ws = await openWs(edge0.wsUrl!);
    const answer = nextMessage(ws);
    ws.send(JSON.stringify(chainIdCall(7)));
    expect(JSON.parse(await answer)).toEqual({ jsonrpc: '2.0', id: 7, result: CHAIN_ID_HEX });
    ws.close();
  });

  it('relays the feed', async () => {
    const ws = await openWs(edge0.feedUrl!);
    expect(JSON.parse(await nextMessage(ws))).toEqual({ version: 2, messages: [{ sequenceNumber: 1 }] });
    ws.close();
  });
});

describe('delays', () => {
  it('latency adds its delay to every request of the edges it names, and only theirs', async () => {
    const id = fault('latency', { latency_ms: 200 }, { edges: [0] });
    const slow = await rpc(edge0.rpcUrl, chainIdCall(1));
    const fast = await rpc(edge1.rpcUrl, chainIdCall(1));
    expect(slow.ms).toBeGreaterThanOrEqual(200);
    expect(fast.ms).toBeLessThan(200);
    proxy.removeFault(id);
    expect((await rpc(edge0.rpcUrl, chainIdCall(1))).ms).toBeLessThan(200);
  });

  it('rpc-slow delays the answer, which is still the node\'s', async () => {
    fault('rpc-slow', { delay_ms: 150 });
    const r = await rpc(edge0.rpcUrl, chainIdCall(3));
    expect(r.ms).toBeGreaterThanOrEqual(150);
    expect(r.json).toEqual({ jsonrpc: '2.0', id: 3, result: CHAIN_ID_HEX });
  });

  it('latency on the feed delays its messages', async () => {
    fault('latency', { latency_ms: 120 }, { target: 'feed-relay' });
    const ws = await openWs(edge0.feedUrl!);
    await nextMessage(ws); // the hello
    const started = performance.now();
    const echo = nextMessage(ws);
    ws.send('ping');
    expect(await echo).toBe('ping');
    expect(performance.now() - started).toBeGreaterThanOrEqual(120);
    ws.close();
  });

  it('messages that arrive together on a delayed WebSocket are delayed together, not one after another', async () => {
    fault('latency', { latency_ms: 150 }, { target: 'feed-relay' });
    const ws = await openWs(edge1.feedUrl!);
    await nextMessage(ws);
    const echoes: string[] = [];
    const allBack = new Promise<void>((resolve) => {
      ws.on('message', (d) => {
        echoes.push(d.toString());
        if (echoes.length === 5) resolve();
      });
    });
    const started = performance.now();
    for (let i = 0; i < 5; i++) ws.send(`m${i}`);
    await allBack;
    const elapsed = performance.now() - started;
    expect(echoes).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    // 150 ms each way; one after another the five would take 1.5 s.
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(900);
    ws.close();
  });

  it('a bandwidth cap makes a large request take its transfer time', async () => {
    // 80 kbit/s = 10 bytes per ms: ~4 kB of calls take at least ~400 ms on the capped link.
    fault('bandwidth', { rate_kbps: 80 }, { edges: [1] });
    const calls = Array.from({ length: 60 }, (_, i) => chainIdCall(i));
    const bytes = JSON.stringify(calls).length;
    const r = await rpc(edge1.rpcUrl, calls);
    expect(r.ms).toBeGreaterThanOrEqual((bytes * 8) / 80);
    expect((r.json as unknown[]).length).toBe(60);
  });
});

describe('errors', () => {
  it('rpc-error answers each call of a batch with an error at its rate, the rest from the node, ids kept', async () => {
    fault('rpc-error', { error_pct: 10 });
    const calls = Array.from({ length: 2_000 }, (_, i) => chainIdCall(i));
    const answers = (await rpc(edge0.rpcUrl, calls)).json as Array<{ id: number; result?: string; error?: { code: number; message: string } }>;
    expect(answers.map((a) => a.id)).toEqual(calls.map((c) => c.id));
    const errors = answers.filter((a) => a.error);
    // Binomial(2000, 0.1): mean 200, sd 13.4; a seeded stream, so this bound (4.5 sd) never flakes.
    expect(errors.length).toBeGreaterThan(140);
    expect(errors.length).toBeLessThan(260);
    expect(errors[0]!.error!.code).toBe(INJECTED_ERROR_CODE);
    expect(answers.filter((a) => !a.error).every((a) => a.result === CHAIN_ID_HEX)).toBe(true);
  });

  it('rpc-error with a code and message answers every call with them at 100%', async () => {
    fault('rpc-error', { error_pct: 100, rpc_code: -32005, message: 'limit exceeded' });
    expect((await rpc(edge0.rpcUrl, chainIdCall(9))).json).toEqual({ jsonrpc: '2.0', id: 9, error: { code: -32005, message: 'limit exceeded' } });
    const ws = await openWs(edge0.wsUrl!);
    const answer = nextMessage(ws);
    ws.send(JSON.stringify(chainIdCall(10)));
    expect(JSON.parse(await answer)).toEqual({ jsonrpc: '2.0', id: 10, error: { code: -32005, message: 'limit exceeded' } });
    ws.close();
  });

  it('rpc-error with http_status answers with that status', async () => {
    fault('rpc-error', { error_pct: 100, http_status: 429 });
    expect((await rpc(edge1.rpcUrl, chainIdCall(1))).status).toBe(429);
  });

  it('packet-loss swallows requests: the client times out, the proxy counts the drop', async () => {
    fault('packet-loss', { loss_pct: 100 }, { edges: [1] });
    const before = proxy.stats()['1/rpc']!.dropped;
    await expect(rpc(edge1.rpcUrl, chainIdCall(1), 300)).rejects.toThrow(/timeout|aborted/i);
    expect(proxy.stats()['1/rpc']!.dropped).toBe(before + 1);
    expect((await rpc(edge0.rpcUrl, chainIdCall(1))).status).toBe(200);
  });
});

describe('connections', () => {
  it('a partition refuses the edge\'s requests and cuts its open WebSockets until cleared', async () => {
    const ws = await openWs(edge0.wsUrl!);
    const closed = once(ws, 'close');
    const id = fault('partition', {}, { edges: [0] });
    await closed;
    await expect(rpc(edge0.rpcUrl, chainIdCall(1))).rejects.toThrow();
    await expect(openWs(edge0.wsUrl!)).rejects.toThrow();
    expect((await rpc(edge1.rpcUrl, chainIdCall(1))).status).toBe(200);
    proxy.removeFault(id);
    expect((await rpc(edge0.rpcUrl, chainIdCall(1))).status).toBe(200);
  });

  it('connection-reset resets every request while in force', async () => {
    const id = fault('connection-reset', {});
    await expect(rpc(edge1.rpcUrl, chainIdCall(1))).rejects.toThrow();
    proxy.removeFault(id);
    expect((await rpc(edge1.rpcUrl, chainIdCall(1))).status).toBe(200);
  });

  it('feed-disconnect closes the feed and refuses reconnects, and leaves the RPC alone', async () => {
    const ws = await openWs(edge1.feedUrl!);
    await nextMessage(ws);
    const closed = once(ws, 'close');
    const id = fault('feed-disconnect', {}, { target: 'feed-relay' });
    await closed;
    await expect(openWs(edge1.feedUrl!)).rejects.toThrow(/503/);
    expect((await rpc(edge1.rpcUrl, chainIdCall(1))).status).toBe(200);
    proxy.removeFault(id);
    const again = await openWs(edge1.feedUrl!);
    expect(JSON.parse(await nextMessage(again))).toMatchObject({ version: 2 });
    again.close();
  });
});

describe('URLs handed to edges', () => {
  it('carry the advertised host, or 127.0.0.1 for a proxy bound to every interface, and never the upstream\'s credentials', async () => {
    const advertised = new FaultProxy({ advertiseHost: 'hive.internal' });
    const everywhere = new FaultProxy({ host: '0.0.0.0' });
    try {
      const upstream = anvil.rpcUrl.replace('http://', 'http://user:secret@');
      expect(new URL((await advertised.addEdge(0, { rpcUrl: upstream })).rpcUrl).hostname).toBe('hive.internal');
      const url = (await everywhere.addEdge(0, { rpcUrl: upstream })).rpcUrl;
      expect(new URL(url).hostname).toBe('127.0.0.1');
      expect(url).not.toContain('secret');
      // The credentials still reach the node, as an Authorization header.
      expect((await rpc(url, chainIdCall(1))).json).toEqual({ jsonrpc: '2.0', id: 1, result: CHAIN_ID_HEX });
    } finally {
      await advertised.close();
      await everywhere.close();
    }
  });
});

describe('close', () => {
  it('closes every listener and forgets every fault', async () => {
    const own = new FaultProxy();
    const urls = await own.addEdge(0, { rpcUrl: anvil.rpcUrl });
    own.addFault({ id: 'x', type: 'latency', target: 'sequencer-rpc', edgeIndexes: new Set([0]), params: { latency_ms: 1 } });
    await own.close();
    expect(own.activeFaults()).toEqual([]);
    await expect(rpc(urls.rpcUrl, chainIdCall(1), 2_000)).rejects.toThrow();
  });
});
