// Finds out when and how each submitted transaction was included, cheaply: it follows new heads
// (eth_subscribe newHeads over WebSocket; eth_blockNumber polling when there is no socket), reads
// every new block once and in order with transaction hashes only, matches them against the
// pending set, and fetches receipts only for the matches, 100 to a JSON-RPC batch. Never a
// receipt poll per transaction, never eth_getBlockReceipts (it grows badly with block size; see
// shared/DEPENDENCIES.md). Inclusion time is the client-side instant the edge learned of the
// block (shared/NITRO.md: block timestamps have 1 s resolution), and a pending transaction not
// seen within the receipt timeout becomes a TxTimeout.

import type { Address, Hash } from 'viem';
import WebSocket from 'ws';
import { createRpcClient, DEFAULT_RECEIPT_BATCH_SIZE, type BlockSummary, type RpcClient, type TxReceipt } from '../chain/rpc-client.js';
import { DEFAULT_BACKOFF, reconnectDelayMs, type BackoffPolicy } from '../feed/consumer.js';
import type { Clock } from '../telemetry/clock.js';
import type { TelemetryRecorder } from '../telemetry/recorder.js';
import { redact, redactUrl } from '../util/redact.js';

/** Nitro's ArbOS internal transaction (first in every block, gasUsed 0): never ours. */
export const ARBOS_INTERNAL_TX_TYPE = 0x6a;
/** Receipts per JSON-RPC batch (shared/DEPENDENCIES.md: 120 us per tx batched vs 188 us single). */
export const RECEIPT_BATCH_SIZE = DEFAULT_RECEIPT_BATCH_SIZE;
/** Blocks whose hashes are kept for transactions watched after their block was read. */
export const DEFAULT_RECENT_BLOCKS = 64;
/** How long the WebSocket handshake may take before the tracker polls instead. */
const WS_HANDSHAKE_TIMEOUT_MS = 5_000;
const SUBSCRIBE_REQUEST_ID = 1;
/**
 * Late watches are gathered this long before their receipts are fetched, so a burst of sends
 * that all returned after their block was read still costs one batch, not one request each.
 */
const LATE_FLUSH_MS = 10;
/**
 * Receipt batches in flight at once. Receipts cost the node far more than blocks of hashes
 * (about 120 us per transaction on anvil), so at saturation fetching them eagerly takes
 * capacity from the chain under test. They are fetched by one worker, in the background, one
 * batch at a time: inclusion itself is known (and timed) from the block's hashes, and the
 * receipts catch up when the load drops. drain() waits for them.
 */
const RECEIPT_CONCURRENCY = 1;
/**
 * Transactions whose receipts may wait while the node is behind (see `nodeIsBehind`). Past this
 * the receipts are read anyway, one batch at a time, so a long saturated phase cannot grow the
 * pending set without bound (about 20 s of anvil's saturated rate).
 */
export const MAX_DEFERRED_RECEIPTS = 50_000;

/** What the tracker needs to know about a pending transaction. */
export interface WatchMeta {
  readonly account: Address;
  readonly nonce: number;
  readonly valueWei: bigint;
  /** Monotonic ns it was sent (TxSubmitted.sentNs): latencies and the timeout count from here. */
  readonly submittedNs: bigint;
  /** Phase the transaction was sent in; its events carry it. Default: the recorder's current one. */
  readonly phaseIndex?: number;
}

export type InclusionOutcome =
  | {
      readonly status: 'included';
      readonly hash: Hash;
      readonly blockNumber: bigint;
      /** Monotonic ns the edge learned of the block. */
      readonly seenNs: bigint;
      /** seenNs - submittedNs. */
      readonly latencyNs: bigint;
      readonly success: boolean;
      readonly gasUsed: bigint;
      readonly gasUsedForL1: bigint | undefined;
      readonly effectiveGasPrice: bigint;
    }
  | { readonly status: 'timeout'; readonly hash: Hash; readonly waitedNs: bigint }
  /** The tracker was stopped first: nothing was recorded for it. */
  | { readonly status: 'stopped'; readonly hash: Hash };

export type OutcomeListener = (outcome: InclusionOutcome) => void;

/** One block the tracker has read, for observers. */
export interface TrackedBlock {
  readonly number: bigint;
  readonly hash: Hash;
  /** Monotonic ns the edge learned of it (head notification or poll answer). */
  readonly seenNs: bigint;
  readonly txCount: number;
  /** Pending transactions found in it (late watches not included). */
  readonly matched: number;
}

export interface InclusionTrackerOptions {
  /** The node's HTTP endpoint; the tracker builds its own client from it unless `client` is given. */
  readonly rpcUrl: string;
  /** WebSocket endpoint for newHeads; without it (or while the socket is down) the tracker polls. */
  readonly wsUrl?: string;
  readonly client?: RpcClient;
  readonly recorder: TelemetryRecorder;
  readonly clock: Clock;
  /** A transaction not seen included this long after it was sent becomes a TxTimeout. */
  readonly receiptTimeoutMs: number;
  /** eth_blockNumber cadence without a socket: the chain's block time. Also the retry delay after a failed read. */
  readonly pollIntervalMs: number;
  /**
   * eth_blockNumber cadence while subscribed, to notice heads a half-dead socket never delivers.
   * Default: max(2 s, 8 × pollIntervalMs).
   */
  readonly safetyPollIntervalMs?: number;
  /** First block to read; default the block after the head at start(). */
  readonly fromBlock?: bigint;
  /** Blocks remembered for transactions watched after their block was read (Nitro can sequence a
   *  transaction into a block before eth_sendRawTransaction returns). Default 64. */
  readonly recentBlocks?: number;
  readonly wsBackoff?: Partial<BackoffPolicy>;
  /** Every outcome, after the transaction's own listener: e.g. tell the feed correlator. */
  readonly onOutcome?: OutcomeListener;
  /** Each block once read, in order. */
  readonly onBlock?: (block: TrackedBlock) => void;
  /**
   * A watched transaction was found in a block (before its receipt is fetched): its nonce is
   * used, so an account pool can take the account back into rotation without waiting for the
   * receipt. Called once per transaction.
   */
  readonly onSeen?: (hash: Hash, blockNumber: bigint) => void;
  /** Failed reads (retried) and WebSocket trouble (polling covers it); redacted. */
  readonly onError?: (error: Error) => void;
  /**
   * True while the node is behind the offered load (e.g. sends wait for the edge's in-flight
   * cap). Receipt reads then wait, up to MAX_DEFERRED_RECEIPTS transactions: at saturation a
   * receipt costs the node about as much as a send, and inclusion is already known and timed
   * from the block's hashes. Default: never behind.
   */
  readonly nodeIsBehind?: () => boolean;
  /** Transactions whose receipts may wait while the node is behind. Default MAX_DEFERRED_RECEIPTS. */
  readonly maxDeferredReceipts?: number;
}

export interface InclusionTrackerStats {
  readonly blocksSeen: number;
  readonly matched: number;
  readonly timeouts: number;
  /** JSON-RPC receipt batches requested (one HTTP request each). */
  readonly receiptBatches: number;
  readonly receiptsFetched: number;
  /** Times a receipt batch waited because the node was behind. */
  readonly receiptDeferrals: number;
  readonly pending: number;
  /** Transactions found in a block read before they were watched. */
  readonly lateMatches: number;
  readonly headNotifications: number;
  readonly polls: number;
  readonly wsDrops: number;
  /** Read failures; the block was retried, never skipped. */
  readonly errors: number;
  /** Blocks whose parent was not the block read before them (a reorg; counted, not handled). */
  readonly parentMismatches: number;
  /** The last block read, or undefined. */
  readonly lastBlock: bigint | undefined;
  readonly mode: 'websocket' | 'polling' | 'stopped' | 'new';
}

export interface DrainResult {
  /** Pending transactions that were resolved while draining. */
  readonly resolved: number;
  /** Still pending at the deadline: recorded as TxTimeout. */
  readonly timedOut: number;
}

interface Pending {
  readonly hash: Hash;
  readonly meta: WatchMeta;
  readonly phaseIndex: number;
  readonly deadlineNs: bigint;
  listener: OutcomeListener | undefined;
  /** Receipts for it are being fetched (or queued for a late fetch): the timeout sweep waits. */
  busy: boolean;
  /** onSeen was called for it. */
  seen?: boolean;
  /**
   * Its send failed ambiguously (timed out: the node may have it). Its TxFailed already ended
   * it, so it ends without a TxTimeout and nothing waits for it; but if it lands, its TxIncluded
   * is recorded, or the oracle would count its nonce and fee as missing.
   */
  quiet?: boolean;
}

interface BlockRef {
  readonly number: bigint;
  readonly hash: Hash;
  readonly seenNs: bigint;
  readonly baseFeePerGas: bigint | undefined;
  readonly txKeys: readonly string[];
}

/** Up to which block a head notification (or poll) told us, and when. */
interface HeadMark {
  readonly upTo: bigint;
  readonly seenNs: bigint;
}

class ReceiptNotYetAvailable extends Error {
  override readonly name = 'ReceiptNotYetAvailable';
}

function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`InclusionTracker: ${name} must be a positive number, got ${value}`);
  return value;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

export class InclusionTracker {
  private readonly client: RpcClient;
  private readonly wsUrl: string | undefined;
  private readonly recorder: TelemetryRecorder;
  private readonly clock: Clock;
  private readonly timeoutNs: bigint;
  private readonly pollIntervalMs: number;
  private readonly safetyPollIntervalMs: number;
  private readonly recentCapacity: number;
  private readonly backoff: BackoffPolicy;
  private readonly options: InclusionTrackerOptions;

  private readonly pending = new Map<string, Pending>();
  private readonly recent: BlockRef[] = [];
  private readonly recentByKey = new Map<string, BlockRef>();
  /** Pending transactions found in a block already read, waiting for their receipts. */
  private late: { entry: Pending; block: BlockRef }[] = [];
  private readonly marks: HeadMark[] = [];

  private state: 'new' | 'running' | 'stopped' = 'new';
  private nextBlock = 0n;
  private knownHead = -1n;
  private lastHash: Hash | undefined;
  private lastNumber: bigint | undefined;
  private working = false;

  private socket: WebSocket | undefined;
  private subscribed = false;
  private wsUnsupported = false;
  private wsAttempt = 0;
  private wsReady: (() => void) | undefined;
  private polling = false;

  private pollTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lateTimer: NodeJS.Timeout | undefined;
  private drainWaiters: (() => void)[] = [];

  private readonly counters = {
    blocksSeen: 0,
    matched: 0,
    timeouts: 0,
    receiptBatches: 0,
    receiptsFetched: 0,
    receiptDeferrals: 0,
    lateMatches: 0,
    headNotifications: 0,
    polls: 0,
    wsDrops: 0,
    errors: 0,
    parentMismatches: 0,
  };

  constructor(options: InclusionTrackerOptions) {
    this.options = options;
    this.client = options.client ?? createRpcClient({ url: options.rpcUrl });
    this.wsUrl = options.wsUrl;
    this.recorder = options.recorder;
    this.clock = options.clock;
    this.timeoutNs = msToNs(positive(options.receiptTimeoutMs, 'receiptTimeoutMs'));
    this.pollIntervalMs = positive(options.pollIntervalMs, 'pollIntervalMs');
    this.safetyPollIntervalMs = positive(options.safetyPollIntervalMs ?? Math.max(2_000, 8 * this.pollIntervalMs), 'safetyPollIntervalMs');
    this.recentCapacity = Math.floor(positive(options.recentBlocks ?? DEFAULT_RECENT_BLOCKS, 'recentBlocks'));
    this.backoff = { ...DEFAULT_BACKOFF, ...options.wsBackoff };
  }

  /**
   * Reads the current head and starts following. Resolves once the newHeads subscription is
   * up, or polling has taken over.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('InclusionTracker: start() may be called once');
    const head = await this.client.blockNumber();
    const now = this.clock.monoNs();
    if (this.state !== 'new') return;
    this.state = 'running';
    this.nextBlock = this.options.fromBlock ?? head + 1n;
    this.headSeen(head, now);
    // The sweep is cheap when nothing expired: it stops at the first pending transaction still in time.
    this.sweepTimer = setInterval(() => {
      this.checkTimeouts();
      // Receipts deferred while the node was behind start again once it has caught up.
      this.pumpReceipts();
    }, Math.min(1_000, this.pollIntervalMs));
    this.sweepTimer.unref();
    if (this.wsUrl === undefined) {
      this.schedulePoll(this.pollIntervalMs);
      return;
    }
    await new Promise<void>((resolve) => {
      this.wsReady = resolve;
      this.connectWs();
    });
  }

  /**
   * Adds a pending transaction. Safe before or after the send returns: a transaction already in
   * a recently read block is matched at once. `onOutcome` is called exactly once.
   */
  watch(hash: Hash, meta: WatchMeta, onOutcome?: OutcomeListener): void {
    if (this.state === 'stopped') {
      onOutcome?.({ status: 'stopped', hash });
      return;
    }
    const key = hash.toLowerCase();
    const existing = this.pending.get(key);
    if (existing !== undefined) {
      // Watched twice: one outcome, both listeners told.
      if (onOutcome !== undefined) {
        const first = existing.listener;
        existing.listener = first === undefined ? onOutcome : (o) => (first(o), onOutcome(o));
      }
      return;
    }
    const entry: Pending = {
      hash,
      meta,
      phaseIndex: meta.phaseIndex ?? this.recorder.phase,
      deadlineNs: meta.submittedNs + this.timeoutNs,
      listener: onOutcome,
      busy: false,
    };
    this.pending.set(key, entry);
    const block = this.recentByKey.get(key);
    if (block !== undefined) {
      entry.busy = true;
      this.counters.lateMatches++;
      this.notifySeen(entry, block);
      this.late.push({ entry, block });
      // The next block read picks them up too, whichever comes first.
      this.lateTimer ??= setTimeout(() => {
        this.lateTimer = undefined;
        this.kick();
      }, LATE_FLUSH_MS);
    }
  }

  /** Stops tracking a transaction without an event (e.g. its send failed after watch()). */
  forget(hash: Hash): boolean {
    const key = hash.toLowerCase();
    const entry = this.pending.get(key);
    if (entry === undefined) return false;
    this.drop(key, entry);
    this.wakeDrainersIfIdle();
    return true;
  }

  /**
   * The send of a watched transaction timed out, so the node may have it after all: keep
   * looking for it in blocks, quietly (no TxTimeout, and drain() does not wait for it). Returns
   * whether it was being watched.
   */
  watchQuietly(hash: Hash): boolean {
    const entry = this.pending.get(hash.toLowerCase());
    if (entry === undefined) return false;
    if (entry.quiet !== true) {
      entry.quiet = true;
      this.quietCount++;
    }
    this.wakeDrainersIfIdle();
    return true;
  }

  /** Watched transactions whose send timed out (see watchQuietly). */
  private quietCount = 0;

  private drop(key: string, entry: Pending): void {
    this.pending.delete(key);
    if (entry.quiet === true) this.quietCount--;
  }

  /**
   * Times out pending transactions whose deadline passed, if every block the edge learned of
   * before that deadline has been read (a transaction in a block still being read is not late).
   * Runs on a timer; tests driving a manual clock call it directly. Returns how many timed out.
   */
  checkTimeouts(): number {
    if (this.state !== 'running') return 0;
    const now = this.clock.monoNs();
    const oldestUnread = this.oldestUnreadSeenNs();
    let count = 0;
    // Map order is watch order, about deadline order: stop at the first one still in time.
    for (const [key, entry] of this.pending) {
      if (entry.busy) continue;
      if (now < entry.deadlineNs) break;
      if (oldestUnread !== undefined && oldestUnread <= entry.deadlineNs) break;
      const waitedNs = now - entry.meta.submittedNs;
      this.drop(key, entry);
      if (entry.quiet === true) continue;
      this.counters.timeouts++;
      count++;
      this.recorder.record({ kind: 'TxTimeout', txHash: entry.hash, waitedNs }, entry.phaseIndex);
      this.notify(entry, { status: 'timeout', hash: entry.hash, waitedNs });
    }
    if (count > 0) this.wakeDrainersIfIdle();
    return count;
  }

  /**
   * At shutdown: waits up to `timeoutMs` for every pending transaction to resolve; whatever is
   * still pending then is recorded as TxTimeout, so every sent transaction ends in an event.
   */
  async drain(timeoutMs: number): Promise<DrainResult> {
    const before = this.pending.size - this.quietCount;
    // Nothing more will be sent: deferred receipts are read now.
    this.draining = true;
    this.pumpReceipts();
    if (before > 0 && this.state === 'running') {
      // A head may be waiting for the next safety poll: look now.
      if (this.subscribed) this.schedulePoll(0);
      await this.idleOrTimeout(timeoutMs);
      // Transactions already seen in a block only wait for their receipts, which the background
      // worker fetches a batch at a time: keep waiting while it makes progress, so that none of
      // them is mistaken for a timeout after a saturating phase.
      let seenLeft = this.seenPending();
      while (seenLeft > 0 && this.state === 'running') {
        await this.idleOrTimeout(timeoutMs);
        const now = this.seenPending();
        if (now >= seenLeft) break;
        seenLeft = now;
      }
    }
    const now = this.clock.monoNs();
    let timedOut = 0;
    for (const [key, entry] of this.pending) {
      this.drop(key, entry);
      if (entry.quiet === true) continue;
      const waitedNs = now - entry.meta.submittedNs;
      this.counters.timeouts++;
      timedOut++;
      this.recorder.record({ kind: 'TxTimeout', txHash: entry.hash, waitedNs }, entry.phaseIndex);
      this.notify(entry, { status: 'timeout', hash: entry.hash, waitedNs });
    }
    return { resolved: before - timedOut, timedOut };
  }

  private seenPending(): number {
    let n = 0;
    for (const entry of this.pending.values()) if (entry.seen && entry.quiet !== true) n++;
    return n;
  }

  /** Resolves when nothing is pending any more, or after `ms`. */
  private idleOrTimeout(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.drainWaiters.push(done);
    });
  }

  /** Stops following; pending transactions get a 'stopped' outcome and no event. Idempotent. */
  stop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const timer of [this.pollTimer, this.retryTimer, this.reconnectTimer, this.lateTimer]) clearTimeout(timer);
    clearInterval(this.sweepTimer);
    const socket = this.socket;
    this.socket = undefined;
    this.subscribed = false;
    socket?.terminate();
    this.wsReady?.();
    this.wsReady = undefined;
    const left = [...this.pending.values()];
    this.pending.clear();
    this.quietCount = 0;
    this.late = [];
    this.receiptQueue.length = 0;
    this.queuedReceipts = 0;
    for (const entry of left) this.notify(entry, { status: 'stopped', hash: entry.hash });
    this.wakeDrainersIfIdle();
  }

  get stats(): InclusionTrackerStats {
    return {
      ...this.counters,
      pending: this.pending.size,
      lastBlock: this.lastNumber,
      mode: this.state === 'running' ? (this.subscribed ? 'websocket' : 'polling') : this.state,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Heads: from the subscription or a poll. Each new head extends the range of blocks to read.

  private headSeen(head: bigint, seenNs: bigint): void {
    if (head <= this.knownHead) return;
    this.knownHead = head;
    // Blocks a head skipped over were learned of at the same instant.
    if (head >= this.nextBlock) this.marks.push({ upTo: head, seenNs });
    this.kick();
  }

  /** When the edge learned of block n (n not yet read). */
  private seenNsOf(n: bigint): bigint {
    while (this.marks.length > 1 && this.marks[0]!.upTo < n) this.marks.shift();
    return this.marks[0]?.seenNs ?? this.clock.monoNs();
  }

  private oldestUnreadSeenNs(): bigint | undefined {
    return this.nextBlock <= this.knownHead ? this.seenNsOf(this.nextBlock) : undefined;
  }

  private schedulePoll(delayMs: number): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => void this.poll(), delayMs);
    this.pollTimer.unref();
  }

  private async poll(): Promise<void> {
    this.pollTimer = undefined;
    if (this.state !== 'running' || this.polling) return;
    this.polling = true;
    try {
      this.counters.polls++;
      const head = await this.client.blockNumber();
      if (this.state === 'running') this.headSeen(head, this.clock.monoNs());
    } catch (e) {
      this.failed(e);
    } finally {
      this.polling = false;
    }
    if (this.state === 'running' && this.pollTimer === undefined) this.schedulePoll(this.subscribed ? this.safetyPollIntervalMs : this.pollIntervalMs);
  }

  // -------------------------------------------------------------------------------------------
  // The WebSocket subscription. Any trouble means polling until it is back.

  private connectWs(): void {
    this.reconnectTimer = undefined;
    if (this.state !== 'running' || this.wsUrl === undefined) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.wsUrl, { handshakeTimeout: WS_HANDSHAKE_TIMEOUT_MS, followRedirects: false });
    } catch (e) {
      this.wsUnsupported = true;
      this.failed(new Error(`cannot open newHeads subscription at ${redactUrl(this.wsUrl)}: ${asError(e).message}; polling instead`));
      this.wsGone();
      return;
    }
    this.socket = socket;
    let lastError: Error | undefined;
    socket.on('open', () => {
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: SUBSCRIBE_REQUEST_ID, method: 'eth_subscribe', params: ['newHeads'] }));
    });
    socket.on('message', (data) => this.onWsFrame(socket, data));
    socket.on('error', (e) => {
      lastError = e;
    });
    socket.on('close', (code) => {
      if (socket !== this.socket) return;
      const why = lastError === undefined ? `closed (code ${code})` : lastError.message;
      this.failed(new Error(`newHeads subscription at ${redactUrl(this.wsUrl ?? '')} lost: ${why}; polling instead`));
      this.wsGone();
    });
  }

  private onWsFrame(socket: WebSocket, data: WebSocket.RawData): void {
    const seenNs = this.clock.monoNs();
    if (socket !== this.socket || this.state !== 'running') return;
    let msg: { id?: unknown; result?: unknown; error?: { message?: unknown }; method?: unknown; params?: { result?: { number?: unknown } } };
    try {
      msg = JSON.parse(data.toString()) as typeof msg;
    } catch {
      return;
    }
    if (msg.method === 'eth_subscription') {
      const number = msg.params?.result?.number;
      if (typeof number === 'string' && /^0x[0-9a-fA-F]+$/.test(number)) {
        this.counters.headNotifications++;
        this.headSeen(BigInt(number), seenNs);
      }
      return;
    }
    if (msg.id !== SUBSCRIBE_REQUEST_ID) return;
    if (typeof msg.result === 'string') {
      this.subscribed = true;
      this.wsAttempt = 0;
      // Heads that came between the last poll and the subscription: one look closes the window.
      this.schedulePoll(0);
      this.readyNow();
      return;
    }
    // The node has no subscriptions (or refuses them): poll for good.
    this.wsUnsupported = true;
    const reason = typeof msg.error?.message === 'string' ? msg.error.message : 'refused';
    this.failed(new Error(`eth_subscribe newHeads refused: ${redact(reason)}; polling instead`));
    this.socket = undefined;
    socket.terminate();
    this.wsGone();
  }

  private wsGone(): void {
    const wasSubscribed = this.subscribed;
    this.subscribed = false;
    this.socket = undefined;
    if (wasSubscribed) this.counters.wsDrops++;
    this.readyNow();
    if (this.state !== 'running') return;
    this.schedulePoll(0);
    if (this.wsUnsupported) return;
    const delay = reconnectDelayMs(this.wsAttempt++, Math.random(), this.backoff);
    this.reconnectTimer = setTimeout(() => this.connectWs(), delay);
    this.reconnectTimer.unref();
  }

  private readyNow(): void {
    const ready = this.wsReady;
    this.wsReady = undefined;
    ready?.();
  }

  // -------------------------------------------------------------------------------------------
  // Reading blocks: one worker, block after block, never skipping one; a failed read is retried.

  private kick(): void {
    if (!this.working && this.state === 'running' && this.retryTimer === undefined) void this.work();
  }

  private async work(): Promise<void> {
    this.working = true;
    try {
      while (this.state === 'running') {
        if (this.late.length > 0) await this.readLate();
        else if (this.nextBlock <= this.knownHead) await this.readBlock(this.nextBlock);
        else return;
      }
    } catch (e) {
      if (this.state !== 'running') return;
      if (!(e instanceof ReceiptNotYetAvailable)) this.failed(e);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.kick();
      }, this.pollIntervalMs);
      this.retryTimer.unref();
    } finally {
      this.working = false;
    }
  }

  private async readBlock(n: bigint): Promise<void> {
    const block = await this.client.getBlock(n, { withTransactions: false });
    if (this.state !== 'running') return;
    // A head the node announced but cannot serve yet (a lagging replica behind a balancer).
    if (block === null) throw new ReceiptNotYetAvailable(`block ${n} is not available yet`);
    const seenNs = this.seenNsOf(n);
    const txKeys = block.transactions.map((h) => h.toLowerCase());
    const ref: BlockRef = { number: block.number, hash: block.hash, seenNs, baseFeePerGas: block.baseFeePerGas, txKeys };
    // Remembered before matching, so a watch() during the receipt fetch still finds it.
    this.remember(ref);
    const matches: Pending[] = [];
    // Only pending hashes match: Nitro's ArbOS internal transaction (type 0x6a), other
    // senders' transactions and ones already resolved are skipped without a receipt.
    for (const key of txKeys) {
      const entry = this.pending.get(key);
      if (entry !== undefined && !entry.busy) matches.push(entry);
    }
    for (const entry of matches) this.notifySeen(entry, ref);
    this.startReceipts(matches, ref);
    this.finishBlock(block, ref, matches.length);
  }

  private notifySeen(entry: Pending, block: BlockRef): void {
    if (entry.seen) return;
    entry.seen = true;
    this.options.onSeen?.(entry.hash, block.number);
  }

  private readonly receiptJobs = new Set<Promise<void>>();
  private readonly receiptQueue: { entries: readonly Pending[]; block: BlockRef }[] = [];

  /** Queues a block's matched transactions for their receipts, fetched in the background. */
  private startReceipts(entries: readonly Pending[], block: BlockRef): void {
    if (entries.length === 0) return;
    for (const entry of entries) entry.busy = true;
    for (let i = 0; i < entries.length; i += RECEIPT_BATCH_SIZE) this.receiptQueue.push({ entries: entries.slice(i, i + RECEIPT_BATCH_SIZE), block });
    this.queuedReceipts += entries.length;
    this.pumpReceipts();
  }

  /** Transactions in receiptQueue. */
  private queuedReceipts = 0;
  /** Set by drain(): receipts no longer wait for the node. */
  private draining = false;

  private pumpReceipts(): void {
    if (this.receiptsDeferred()) return;
    while (this.receiptJobs.size < RECEIPT_CONCURRENCY && this.receiptQueue.length > 0 && this.state === 'running') {
      const { entries, block } = this.receiptQueue.shift()!;
      this.queuedReceipts -= entries.length;
      this.runReceiptJob(entries, block);
    }
  }

  /** Receipts wait while the node is behind and not too many are waiting (the sweep re-pumps). */
  private receiptsDeferred(): boolean {
    if (this.draining || this.queuedReceipts >= (this.options.maxDeferredReceipts ?? MAX_DEFERRED_RECEIPTS)) return false;
    if (this.options.nodeIsBehind?.() !== true) return false;
    this.counters.receiptDeferrals++;
    return true;
  }

  /** One receipt batch; on failure its transactions are retried as late matches. */
  private runReceiptJob(entries: readonly Pending[], block: BlockRef): void {
    const job: Promise<void> = this.resolveIncluded(entries, block)
      .catch((e: unknown) => {
        if (this.state !== 'running') return;
        this.failed(e);
        for (const entry of entries) {
          if (this.pending.get(entry.hash.toLowerCase()) !== entry) continue;
          entry.busy = true;
          this.late.push({ entry, block });
        }
        this.lateTimer ??= setTimeout(() => {
          this.lateTimer = undefined;
          this.kick();
        }, this.pollIntervalMs);
      })
      .finally(() => {
        this.receiptJobs.delete(job);
        this.pumpReceipts();
        this.wakeDrainersIfIdle();
      });
    this.receiptJobs.add(job);
  }

  private finishBlock(block: BlockSummary, ref: BlockRef, matched: number): void {
    if (this.lastHash !== undefined && this.lastNumber === block.number - 1n && block.parentHash !== this.lastHash) this.counters.parentMismatches++;
    this.lastHash = block.hash;
    this.lastNumber = block.number;
    this.nextBlock = block.number + 1n;
    this.counters.blocksSeen++;
    this.options.onBlock?.({ number: block.number, hash: block.hash, seenNs: ref.seenNs, txCount: ref.txKeys.length, matched });
  }

  private async readLate(): Promise<void> {
    const batch = this.late;
    this.late = [];
    const byBlock = new Map<BlockRef, Pending[]>();
    for (const { entry, block } of batch) {
      if (this.pending.get(entry.hash.toLowerCase()) !== entry) continue;
      const list = byBlock.get(block);
      if (list === undefined) byBlock.set(block, [entry]);
      else list.push(entry);
    }
    try {
      for (const [block, entries] of byBlock) {
        for (const entry of entries) this.notifySeen(entry, block);
        await this.resolveIncluded(entries, block);
      }
    } catch (e) {
      // Kept for the retry; those already resolved are no longer pending and drop out then.
      for (const item of batch) if (this.pending.get(item.entry.hash.toLowerCase()) === item.entry) this.late.push(item);
      throw e;
    }
  }

  /** Fetches receipts (100 a batch, batches concurrently) and records TxIncluded for each. */
  private async resolveIncluded(entries: readonly Pending[], block: BlockRef): Promise<void> {
    if (entries.length === 0) return;
    for (const entry of entries) entry.busy = true;
    const batches: Promise<(TxReceipt | null)[]>[] = [];
    for (let i = 0; i < entries.length; i += RECEIPT_BATCH_SIZE) {
      const hashes = entries.slice(i, i + RECEIPT_BATCH_SIZE).map((e) => e.hash);
      this.counters.receiptBatches++;
      batches.push(this.client.getTransactionReceipts(hashes));
    }
    let receipts: (TxReceipt | null)[];
    try {
      receipts = (await Promise.all(batches)).flat();
    } catch (e) {
      for (const entry of entries) entry.busy = false;
      throw e;
    }
    if (this.state !== 'running') return;
    let missing = 0;
    receipts.forEach((receipt, i) => {
      const entry = entries[i]!;
      entry.busy = false;
      if (receipt === null) {
        missing++;
        return;
      }
      this.counters.receiptsFetched++;
      const key = entry.hash.toLowerCase();
      if (this.pending.get(key) !== entry || receipt.type === ARBOS_INTERNAL_TX_TYPE) return;
      this.drop(key, entry);
      this.counters.matched++;
      this.recorder.record(
        {
          kind: 'TxIncluded',
          txHash: entry.hash,
          blockNumber: block.number,
          seenNs: block.seenNs,
          gasUsed: receipt.gasUsed,
          gasUsedForL1: receipt.gasUsedForL1,
          effectiveGasPrice: receipt.effectiveGasPrice,
          baseFeePerGas: block.baseFeePerGas,
          success: receipt.status === 'success',
          from: receipt.from,
          to: receipt.to ?? undefined,
          nonce: entry.meta.nonce,
          valueWei: entry.meta.valueWei,
        },
        entry.phaseIndex,
      );
      this.notify(entry, {
        status: 'included',
        hash: entry.hash,
        blockNumber: block.number,
        seenNs: block.seenNs,
        latencyNs: block.seenNs - entry.meta.submittedNs,
        success: receipt.status === 'success',
        gasUsed: receipt.gasUsed,
        gasUsedForL1: receipt.gasUsedForL1,
        effectiveGasPrice: receipt.effectiveGasPrice,
      });
    });
    this.wakeDrainersIfIdle();
    // The block lists them but the node has no receipt yet: read the block again shortly.
    if (missing > 0) throw new ReceiptNotYetAvailable(`${missing} receipts of block ${block.number} are not available yet`);
  }

  private remember(ref: BlockRef): void {
    const last = this.recent[this.recent.length - 1];
    if (last !== undefined && last.number === ref.number) this.forgetBlock(this.recent.pop()!);
    this.recent.push(ref);
    for (const key of ref.txKeys) this.recentByKey.set(key, ref);
    while (this.recent.length > this.recentCapacity) this.forgetBlock(this.recent.shift()!);
  }

  private forgetBlock(ref: BlockRef): void {
    for (const key of ref.txKeys) if (this.recentByKey.get(key) === ref) this.recentByKey.delete(key);
  }

  // -------------------------------------------------------------------------------------------

  private notify(entry: Pending, outcome: InclusionOutcome): void {
    entry.listener?.(outcome);
    this.options.onOutcome?.(outcome);
  }

  private wakeDrainersIfIdle(): void {
    if (this.pending.size - this.quietCount > 0 && this.state === 'running') return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }

  private failed(e: unknown): void {
    this.counters.errors++;
    const error = asError(e);
    this.options.onError?.(new Error(redact(error.message), { cause: error }));
  }
}
