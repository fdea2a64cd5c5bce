// The fault proxy: an HTTP/JSON-RPC and WebSocket proxy between the edges and the target, one
// listener per edge and kind of connection (rpc, ws, feed), so a fault can hit some edges and
// not others and a partition can refuse an edge's connections outright. With no fault in force
// it forwards every request and message unchanged; the faults in force (proxy-faults.ts) decide
// what to delay, throttle, drop, reset or answer with an error. It needs no privileges.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Pool } from 'undici';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { userAgent } from '../../util/build-info.js';
import { ProxyFaultSet, type ProxyFault, type RouteKind } from './proxy-faults.js';

/** The endpoints of a target as an edge reaches them. */
export interface EdgeEndpoints {
  readonly rpcUrl: string;
  readonly wsUrl?: string;
  readonly feedUrl?: string;
}

export interface FaultProxyOptions {
  /** Address the listeners bind to; default 127.0.0.1. */
  readonly host?: string;
  /** Host put in the URLs handed to edges; default: `host` (127.0.0.1 when host is 0.0.0.0). */
  readonly advertiseHost?: string;
  /** Random source of rates and jitter; default Math.random. */
  readonly random?: () => number;
  /** Upstream connections per HTTP route (the edges' own pools are larger; the proxy must not be the bottleneck). */
  readonly upstreamConnections?: number;
}

/** What the proxy did on one route, for tests, benchmarks and logs. */
export interface RouteStats {
  requests: number;
  forwarded: number;
  /** JSON-RPC calls answered with a made-up error, and HTTP answers with a made-up status. */
  injectedErrors: number;
  dropped: number;
  resets: number;
  /** WebSocket messages relayed (both directions). */
  messages: number;
}

interface Route {
  readonly edgeIndex: number;
  readonly kind: RouteKind;
  readonly upstream: URL;
  readonly server: Server;
  readonly sockets: Set<Socket>;
  readonly webSockets: Set<{ client: WebSocket; upstream: WebSocket }>;
  /** Requests swallowed by packet loss, answered (with a reset) when the proxy closes. */
  readonly held: Set<ServerResponse>;
  readonly pool: Pool | undefined;
  /** When the route's capped link is free again (ms, performance.now()), for the bandwidth fault. */
  linkFreeAt: number;
  readonly stats: RouteStats;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The Authorization a URL's user:password stands for (undici pools by origin and drops them). */
function basicAuth(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  return `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
}

function withoutCredentials(url: URL): URL {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy;
}

export class FaultProxy {
  private readonly faults: ProxyFaultSet;
  private readonly routes: Route[] = [];
  private readonly host: string;
  private readonly advertiseHost: string;
  private readonly wss = new WebSocketServer({ noServer: true });
  private closed = false;

  constructor(private readonly options: FaultProxyOptions = {}) {
    this.faults = new ProxyFaultSet(options.random);
    this.host = options.host ?? '127.0.0.1';
    this.advertiseHost = options.advertiseHost ?? (this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host);
  }

  /** Opens the listeners of one edge; returns the URLs the edge uses instead of the target's. */
  async addEdge(edgeIndex: number, target: EdgeEndpoints): Promise<EdgeEndpoints> {
    const rpcUrl = await this.addRoute(edgeIndex, 'rpc', target.rpcUrl);
    const wsUrl = target.wsUrl ? await this.addRoute(edgeIndex, 'ws', target.wsUrl) : undefined;
    const feedUrl = target.feedUrl ? await this.addRoute(edgeIndex, 'feed', target.feedUrl) : undefined;
    return { rpcUrl, ...(wsUrl ? { wsUrl } : {}), ...(feedUrl ? { feedUrl } : {}) };
  }

  /** Whether some edge's connections of this kind pass through the proxy (a feed fault needs a feed). */
  hasRoutes(kind: RouteKind): boolean {
    return this.routes.some((r) => r.kind === kind);
  }

  /** Puts a fault in force now; refusing faults also cut the connections already open. */
  addFault(fault: ProxyFault): void {
    this.faults.add(fault);
    for (const route of this.routes) {
      if (!this.faults.refusesConnections(route.edgeIndex, route.kind)) continue;
      for (const pair of route.webSockets) {
        pair.client.terminate();
        pair.upstream.terminate();
      }
      for (const socket of route.sockets) {
        route.stats.resets++;
        socket.resetAndDestroy();
      }
    }
  }

  removeFault(id: string): boolean {
    return this.faults.remove(id) !== undefined;
  }

  activeFaults(): readonly ProxyFault[] {
    return this.faults.list();
  }

  /** Per route: `<edge>/<kind>` -> counters. */
  stats(): Record<string, RouteStats> {
    return Object.fromEntries(this.routes.map((r) => [`${r.edgeIndex}/${r.kind}`, { ...r.stats }]));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const id of this.faults.list().map((f) => f.id)) this.faults.remove(id);
    await Promise.all(
      this.routes.map(async (route) => {
        for (const res of route.held) res.socket?.resetAndDestroy();
        for (const pair of route.webSockets) {
          pair.client.terminate();
          pair.upstream.terminate();
        }
        await new Promise<void>((resolve) => {
          route.server.close(() => resolve());
          route.server.closeAllConnections();
        });
        await route.pool?.close();
      }),
    );
    this.wss.close();
  }

  private async addRoute(edgeIndex: number, kind: RouteKind, upstreamUrl: string): Promise<string> {
    const upstream = new URL(upstreamUrl);
    const server = createServer({ keepAliveTimeout: 60_000 });
    const isHttp = kind === 'rpc';
    const route: Route = {
      edgeIndex,
      kind,
      upstream,
      server,
      sockets: new Set(),
      webSockets: new Set(),
      held: new Set(),
      pool: isHttp ? new Pool(upstream.origin, { connections: this.options.upstreamConnections ?? 128, pipelining: 1 }) : undefined,
      linkFreeAt: 0,
      stats: { requests: 0, forwarded: 0, injectedErrors: 0, dropped: 0, resets: 0, messages: 0 },
    };
    server.on('connection', (socket: Socket) => {
      if (this.faults.resetsConnections(edgeIndex, kind)) {
        route.stats.resets++;
        socket.resetAndDestroy();
        return;
      }
      socket.setNoDelay(true);
      route.sockets.add(socket);
      socket.on('close', () => route.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(route, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(502, JSON_HEADERS).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'fault proxy: upstream unreachable' } }));
        else res.destroy();
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(route, req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const shown = new URL(withoutCredentials(upstream).href);
    shown.protocol = upstream.protocol.startsWith('ws') ? 'ws:' : 'http:';
    shown.hostname = this.advertiseHost;
    shown.port = String(port);
    this.routes.push(route);
    return shown.href;
  }

  /** Waits until the capped link has carried `bytes` after what is queued on it already. */
  private async throttle(route: Route, rateKbps: number | undefined, bytes: number): Promise<void> {
    if (rateKbps === undefined || bytes === 0) return;
    const now = performance.now();
    const start = Math.max(now, route.linkFreeAt);
    // kbit/s = bits per ms: bytes * 8 / rate is the transfer time in ms.
    route.linkFreeAt = start + (bytes * 8) / rateKbps;
    await sleep(route.linkFreeAt - now);
  }

  private async onRequest(route: Route, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    route.stats.requests++;
    const plan = this.faults.plan(route.edgeIndex, route.kind);
    if (plan.reset) {
      route.stats.resets++;
      req.socket.resetAndDestroy();
      return;
    }
    if (plan.drop) {
      // Request-level packet loss: the request vanishes and the client times out, as on a lossy
      // link that loses the request for good.
      route.stats.dropped++;
      route.held.add(res);
      res.on('close', () => route.held.delete(res));
      return;
    }
    await sleep(plan.delayBeforeMs);
    await this.throttle(route, plan.rateKbps, body.length);
    if (plan.httpStatus !== undefined) {
      route.stats.injectedErrors++;
      await sleep(plan.delayAfterMs);
      res.writeHead(plan.httpStatus, JSON_HEADERS).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: `GasHammer injected HTTP ${plan.httpStatus}` } }));
      return;
    }
    const answer = this.faults.injectsRpcErrors(route.edgeIndex, route.kind) ? await this.forwardWithErrors(route, req, body) : await this.forward(route, req, body);
    await sleep(plan.delayAfterMs);
    await this.throttle(route, plan.rateKbps, answer.body.length);
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
  }

  private async forward(route: Route, req: IncomingMessage, body: Buffer): Promise<{ status: number; contentType: string; body: Buffer }> {
    const auth = basicAuth(route.upstream);
    const response = await route.pool!.request({
      method: (req.method ?? 'POST') as 'POST',
      path: req.url ?? '/',
      headers: {
        'content-type': req.headers['content-type'] ?? 'application/json',
        'user-agent': req.headers['user-agent'] ?? userAgent(),
        ...(auth ? { authorization: auth } : {}),
      },
      ...(body.length > 0 ? { body } : {}),
    });
    const answer = Buffer.from(await response.body.arrayBuffer());
    route.stats.forwarded++;
    const type = response.headers['content-type'];
    return { status: response.statusCode, contentType: typeof type === 'string' ? type : 'application/json', body: answer };
  }

  /**
   * rpc-error in force: each JSON-RPC call of the body (one, or a batch) gets a made-up error at
   * the fault's rate; the others go to the node as a batch and the answers are put back in order.
   */
  private async forwardWithErrors(route: Route, req: IncomingMessage, body: Buffer): Promise<{ status: number; contentType: string; body: Buffer }> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return this.forward(route, req, body);
    }
    const batch = Array.isArray(parsed);
    const calls = (batch ? parsed : [parsed]) as Array<{ id?: unknown }>;
    const answers: unknown[] = new Array(calls.length);
    const passOn: number[] = [];
    calls.forEach((call, i) => {
      const error = this.faults.rpcErrorFor(route.edgeIndex, route.kind);
      if (error) {
        route.stats.injectedErrors++;
        answers[i] = { jsonrpc: '2.0', id: call?.id ?? null, error };
      } else passOn.push(i);
    });
    if (passOn.length > 0) {
      const sent = batch ? passOn.map((i) => calls[i]) : calls[0];
      const upstream = await this.forward(route, req, Buffer.from(JSON.stringify(sent)));
      if (!batch) return upstream;
      let replies: unknown;
      try {
        replies = JSON.parse(upstream.body.toString('utf8'));
      } catch {
        return upstream;
      }
      if (!Array.isArray(replies)) return upstream;
      // A batch's answers may come in any order: match them by id.
      const byId = new Map<unknown, unknown>();
      for (const r of replies as Array<{ id?: unknown }>) byId.set(r?.id, r);
      for (const i of passOn) answers[i] = byId.get(calls[i]?.id) ?? { jsonrpc: '2.0', id: calls[i]?.id ?? null, error: { code: -32603, message: 'no answer from the node' } };
    }
    return { status: 200, contentType: 'application/json', body: Buffer.from(JSON.stringify(batch ? answers : answers[0])) };
  }

  private onUpgrade(route: Route, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (route.kind === 'rpc' || this.faults.refusesConnections(route.edgeIndex, route.kind)) {
      route.stats.resets++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (client) => this.relay(route, req, client));
  }

  /** Relays one WebSocket connection through the faults of its route, each direction in order. */
  private relay(route: Route, req: IncomingMessage, client: WebSocket): void {
    const target = new URL(req.url ?? '/', route.upstream);
    const auth = basicAuth(route.upstream);
    const upstream = new WebSocket(withoutCredentials(target).href, { headers: { 'user-agent': userAgent(), ...(auth ? { authorization: auth } : {}) } });
    const pair = { client, upstream };
    route.webSockets.add(pair);
    const pending: Array<{ data: RawData; binary: boolean }> = [];
    // Latency delays a message per direction it travels: half each way keeps a JSON-RPC round
    // trip over WebSocket at the fault's latency, as on the HTTP route; the feed flows one way.
    const oneWayShare = route.kind === 'feed' ? 1 : 0.5;
    // Each direction delivers in arrival order: a message is sent no earlier than the one before it.
    let toUpstreamChain = Promise.resolve();
    let toClientChain = Promise.resolve();
    let upDueAt = 0;
    let downDueAt = 0;
    const close = () => {
      route.webSockets.delete(pair);
      if (client.readyState === WebSocket.OPEN) client.close();
      if (upstream.readyState === WebSocket.OPEN) upstream.close();
      if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);

    const sendUp = (data: RawData, binary: boolean) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
      else pending.push({ data, binary });
    };
    upstream.on('open', () => {
      for (const m of pending.splice(0)) upstream.send(m.data, { binary: m.binary });
    });

    client.on('message', (data, binary) => {
      route.stats.messages++;
      const plan = this.faults.plan(route.edgeIndex, route.kind);
      if (plan.drop) {
        route.stats.dropped++;
        return;
      }
      const error = route.kind === 'ws' && !binary ? this.rpcErrorReply(route, data) : undefined;
      // Due when it arrived plus its delay, never before the message ahead of it: messages that
      // arrive close together are delayed together, not one after another.
      const due = (upDueAt = Math.max(performance.now() + plan.delayBeforeMs * oneWayShare, upDueAt));
      toUpstreamChain = toUpstreamChain.then(async () => {
        await sleep(due - performance.now());
        await this.throttle(route, plan.rateKbps, byteLength(data));
        if (error !== undefined) {
          if (client.readyState === WebSocket.OPEN) client.send(error);
        } else sendUp(data, binary);
      });
    });
    upstream.on('message', (data, binary) => {
      route.stats.messages++;
      const plan = this.faults.plan(route.edgeIndex, route.kind);
      if (plan.drop) {
        route.stats.dropped++;
        return;
      }
      const due = (downDueAt = Math.max(performance.now() + plan.delayBeforeMs * oneWayShare + plan.delayAfterMs, downDueAt));
      toClientChain = toClientChain.then(async () => {
        await sleep(due - performance.now());
        await this.throttle(route, plan.rateKbps, byteLength(data));
        if (client.readyState === WebSocket.OPEN) client.send(data, { binary });
      });
    });
  }

  /** A made-up error answer for a JSON-RPC call sent over WebSocket, or undefined to forward it. */
  private rpcErrorReply(route: Route, data: RawData): string | undefined {
    if (!this.faults.injectsRpcErrors(route.edgeIndex, route.kind)) return undefined;
    let call: { id?: unknown; method?: unknown };
    try {
      call = JSON.parse(data.toString()) as { id?: unknown; method?: unknown };
    } catch {
      return undefined;
    }
    if (typeof call?.method !== 'string') return undefined;
    const error = this.faults.rpcErrorFor(route.edgeIndex, route.kind);
    if (!error) return undefined;
    route.stats.injectedErrors++;
    return JSON.stringify({ jsonrpc: '2.0', id: call.id ?? null, error });
  }
}

function byteLength(data: RawData): number {
  if (Buffer.isBuffer(data)) return data.length;
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}
