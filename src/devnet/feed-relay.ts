// The embedded devnet's sequencer-feed relay: a WebSocket server that speaks Nitro's feed
// protocol, so GasHammer's feed consumer reads the same bytes it would read from Nitro. Each
// block becomes one BroadcastMessage (sequenceNumber = block number); clients get the backlog
// from the sequence number they ask for, pings every 5 s, and confirmed sequence numbers.

import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { blockBroadcastMessage, serializeBroadcastMessage, type BroadcastFeedMessage } from '../feed/broadcast-message.js';
import type { SourceBlock } from './block-source.js';

/** The feed protocol version this relay speaks (as Nitro's broadcaster does). */
export const FEED_SERVER_VERSION = 2;
export const HEADER_REQUESTED_SEQUENCE = 'arbitrum-requested-sequence-number';
export const HEADER_CHAIN_ID = 'Arbitrum-Chain-Id';
export const HEADER_SERVER_VERSION = 'Arbitrum-Feed-Server-Version';

export interface FeedRelayOptions {
  readonly chainId: number;
  /** Loopback port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Messages kept for clients that connect late or reconnect (default 4096 blocks, ~17 min at 250 ms). */
  readonly backlogSize?: number;
  readonly pingIntervalMs?: number;
  /** The confirmed sequence number trails the head by this many blocks (there is no L1 here). */
  readonly confirmLagBlocks?: number;
  /** A client that lets this much unsent data pile up is dropped, as Nitro drops slow clients. */
  readonly maxClientBufferBytes?: number;
  /** Most messages sent in one BroadcastMessage when replaying the backlog. */
  readonly backlogChunk?: number;
}

interface Client {
  readonly socket: WebSocket;
}

export class FeedRelay {
  private readonly backlog: BroadcastFeedMessage[] = [];
  private readonly clients = new Set<Client>();
  private readonly pinger: NodeJS.Timeout;
  private skipNext = 0;
  private lastConfirmed = -1;
  /** Sequence number of the first block published; nothing before it is ever confirmed. */
  private firstSequence: number | undefined;
  private published = 0;

  private constructor(
    private readonly server: WebSocketServer,
    private readonly options: Required<FeedRelayOptions>,
    /** Shared with the server's verifyClient, which runs before a connection reaches us. */
    private readonly admission: { refuseUntilMs: number },
  ) {
    this.pinger = setInterval(() => {
      for (const c of this.clients) c.socket.ping();
    }, options.pingIntervalMs);
    this.pinger.unref();
  }

  static async start(options: FeedRelayOptions): Promise<FeedRelay> {
    const o: Required<FeedRelayOptions> = {
      chainId: options.chainId,
      port: options.port ?? 0,
      backlogSize: options.backlogSize ?? 4_096,
      pingIntervalMs: options.pingIntervalMs ?? 5_000,
      confirmLagBlocks: options.confirmLagBlocks ?? 4,
      maxClientBufferBytes: options.maxClientBufferBytes ?? 64 * 1024 * 1024,
      backlogChunk: options.backlogChunk ?? 256,
    };
    const admission = { refuseUntilMs: 0 };
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: o.port,
      verifyClient: (_info, done) => done(Date.now() >= admission.refuseUntilMs, 503, 'feed unavailable'),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', reject);
    });
    const relay = new FeedRelay(server, o, admission);
    server.on('headers', (headers) => {
      headers.push(`${HEADER_SERVER_VERSION}: ${FEED_SERVER_VERSION}`, `${HEADER_CHAIN_ID}: ${o.chainId}`);
    });
    server.on('connection', (socket, request) => relay.accept(socket, request));
    return relay;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : -1;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Blocks published so far (skipped ones not counted). */
  get publishedCount(): number {
    return this.published;
  }

  /** Publishes one block as the next feed message. Blocks must arrive in order. */
  publish(block: SourceBlock): void {
    if (this.skipNext > 0) {
      // A deliberate gap (fault injection, tests): the block is never sent.
      this.skipNext--;
      return;
    }
    this.firstSequence ??= block.number;
    const confirmed = block.number - this.options.confirmLagBlocks;
    const withConfirmation = confirmed > this.lastConfirmed && confirmed >= this.firstSequence;
    if (withConfirmation) this.lastConfirmed = confirmed;
    const message = blockBroadcastMessage({
      sequenceNumber: block.number,
      blockHash: block.hash,
      txs: block.txs,
      timestamp: block.timestamp,
      ...(withConfirmation ? { confirmedSequenceNumber: confirmed } : {}),
    });
    const feedMessage = message.messages?.[0];
    if (feedMessage) {
      this.backlog.push(feedMessage);
      if (this.backlog.length > this.options.backlogSize) this.backlog.splice(0, this.backlog.length - this.options.backlogSize);
    }
    this.published++;
    const text = serializeBroadcastMessage(message);
    for (const c of this.clients) this.send(c, text);
  }

  /** Closes every client connection, as a feed restart would. */
  disconnectAll(): void {
    for (const c of this.clients) c.socket.terminate();
  }

  /** Refuses new connections (HTTP 503) for a while; used by feed-disconnect faults. */
  refuseConnectionsFor(ms: number): void {
    this.admission.refuseUntilMs = Date.now() + ms;
  }

  /** Leaves the next `count` blocks out of the feed, producing a sequence gap. */
  skipBlocks(count: number): void {
    this.skipNext += count;
  }

  async stop(): Promise<void> {
    clearInterval(this.pinger);
    this.disconnectAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const client: Client = { socket };
    this.clients.add(client);
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => this.clients.delete(client));
    const requested = Number(request.headers[HEADER_REQUESTED_SEQUENCE]);
    // Without a requested sequence number the whole backlog is replayed, as Nitro does.
    const from = Number.isSafeInteger(requested) && requested >= 0 ? requested : 0;
    const replay = this.backlog.filter((m) => m.sequenceNumber >= from);
    for (let i = 0; i < replay.length; i += this.options.backlogChunk) {
      this.send(client, serializeBroadcastMessage({ version: 1, messages: replay.slice(i, i + this.options.backlogChunk) }));
    }
  }

  private send(client: Client, text: string): void {
    if (client.socket.bufferedAmount > this.options.maxClientBufferBytes) {
      client.socket.terminate();
      this.clients.delete(client);
      return;
    }
    client.socket.send(text);
  }
}

