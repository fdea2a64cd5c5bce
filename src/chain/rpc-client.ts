// The JSON-RPC client GasHammer talks to a chain under test with: viem's http transport and
// public client underneath, with the policies a load tester needs made explicit — no hidden
// retries (submissions are never retried, reads only when asked), a timeout per request,
// keep-alive connection reuse, optional JSON-RPC batching, provenance headers on every request,
// typed results (Nitro's receipt fields included) and every failure as an RpcError.

import { Agent, fetch as undiciFetch } from 'undici';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { createPublicClient, http, numberToHex, type Address, type Hash, type Hex } from 'viem';
import { getHttpRpcClient } from 'viem/utils';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { buildInfo, userAgent } from '../util/build-info.js';
import { redactUrl } from '../util/redact.js';
import { malformedResponse, rpcErrorFromFailure, RpcError, scrubberFor, toRpcError, type RpcErrorContext } from './rpc-errors.js';

/** Matches the default of nitro.rpc.timeout_ms. */
export const DEFAULT_RPC_TIMEOUT_MS = 5_000;
/** Receipts per JSON-RPC batch: batched receipts are the cheapest way to status and gas (docs/DEPENDENCIES). */
export const DEFAULT_RECEIPT_BATCH_SIZE = 100;
/** Never wait longer than this between two attempts, whatever a Retry-After says. */
const MAX_RETRY_DELAY_MS = 30_000;

export interface RpcRetryPolicy {
  /** Attempts after the first; 0 means none. */
  readonly count: number;
  /** Delay before the first retry; it doubles for each further one. */
  readonly baseDelayMs: number;
}

export interface RpcBatchOptions {
  /** Most requests in one JSON-RPC batch. */
  readonly size: number;
  /** How long a request waits for others to join its batch (0: the same event-loop turn). */
  readonly waitMs: number;
}

export interface RpcClientOptions {
  /** May carry credentials (user info, a key in the path or query); they never appear in errors. */
  readonly url: string;
  /** Per HTTP request (a batch is one request). */
  readonly timeoutMs?: number;
  /**
   * Retries of read-only calls after a transient failure (timeout, rate limit, connection or 5xx
   * error), with exponential backoff. Default: none, which is what the hot path wants.
   * eth_sendRawTransaction is never retried: a retry could send a transaction twice.
   */
  readonly retry?: RpcRetryPolicy;
  /**
   * Batch concurrent requests into JSON-RPC batches (viem's batch scheduler). Note: viem keeps
   * one batch queue per URL in the process, so two batching clients for the same URL share it.
   */
  readonly batch?: RpcBatchOptions;
  /** Requests per batch in getTransactionReceipts (and getBalances, getTransactionCounts). */
  readonly receiptBatchSize?: number;
  /**
   * Keep-alive connections to the node at most (nitro.rpc.connection_pool_size). Without it the
   * global fetch is used: keep-alive too, but with no bound on connections per origin.
   */
  readonly poolConnections?: number;
  /** The fetch to use; overrides poolConnections. */
  readonly fetchFn?: typeof fetch;
}

/** A fetch whose connections come from one keep-alive pool of at most `connections` sockets. */
export function pooledFetch(connections: number): typeof fetch {
  const agent = new Agent({ connections, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
  return ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent })) as unknown as typeof fetch;
}

export type BlockTag = 'latest' | 'pending' | 'earliest' | 'safe' | 'finalized';
export type BlockNumberLike = bigint | number;

/** A block header with transaction hashes only: the cheap inclusion signal. */
export interface BlockSummary {
  readonly number: bigint;
  readonly hash: Hash;
  readonly parentHash: Hash;
  readonly timestamp: bigint;
  readonly gasLimit: bigint;
  readonly gasUsed: bigint;
  readonly baseFeePerGas: bigint | undefined;
  /** Nitro: the L1 block number the block was built against; undefined elsewhere. */
  readonly l1BlockNumber: bigint | undefined;
  readonly transactions: readonly Hash[];
}

/** A receipt as GasHammer uses it (no logs). Addresses are lowercase hex as nodes send them. */
export interface TxReceipt {
  readonly transactionHash: Hash;
  readonly blockHash: Hash;
  readonly blockNumber: bigint;
  readonly transactionIndex: number;
  readonly from: Address;
  readonly to: Address | null;
  readonly contractAddress: Address | null;
  readonly status: 'success' | 'reverted';
  /** EIP-2718 type: 2 for EIP-1559, 0x6a (106) for Nitro's ArbOS internal transaction. */
  readonly type: number;
  /** Total gas: on Nitro this includes gasUsedForL1. */
  readonly gasUsed: bigint;
  readonly cumulativeGasUsed: bigint;
  readonly effectiveGasPrice: bigint;
  /** Nitro: the L1 ("poster") part of gasUsed; undefined on chains that do not send it (anvil). */
  readonly gasUsedForL1: bigint | undefined;
  /** Nitro: the L1 block number; undefined on chains that do not send it. */
  readonly l1BlockNumber: bigint | undefined;
}

export interface CallRequest {
  readonly from?: Address;
  readonly to?: Address | null;
  readonly data?: Hex;
  readonly value?: bigint;
  readonly gas?: bigint;
  readonly gasPrice?: bigint;
  readonly maxFeePerGas?: bigint;
  readonly maxPriorityFeePerGas?: bigint;
  readonly nonce?: number;
}

export interface SentTransaction {
  readonly hash: Hash;
  /** Wall-clock time (ms since the epoch) the node's answer arrived. */
  readonly acceptedAtMs: number;
  /** From handing the request to fetch until the answer (monotonic clock; includes a batch wait). */
  readonly durationMs: number;
}

export interface BlockReadOptions {
  /** Only hashes: full transactions are what makes big blocks slow to fetch. */
  readonly withTransactions: false;
}

export interface RpcClient {
  /** The endpoint, redacted: safe to print. */
  readonly url: string;
  chainId(): Promise<number>;
  /** Throws GH-E110 ChainIdMismatch when the endpoint serves another chain. */
  expectChainId(expected: number): Promise<void>;
  blockNumber(): Promise<bigint>;
  getBlock(block: 'latest', options?: BlockReadOptions): Promise<BlockSummary>;
  /** null when the node has no such block (yet). */
  getBlock(block: BlockNumberLike, options?: BlockReadOptions): Promise<BlockSummary | null>;
  /** eth_getBlockReceipts; null when the node has no such block. Slow for big blocks: prefer getTransactionReceipts. */
  getBlockReceipts(block: BlockNumberLike): Promise<TxReceipt[] | null>;
  /** null while the transaction is not included (or unknown). */
  getTransactionReceipt(hash: Hash): Promise<TxReceipt | null>;
  /** One JSON-RPC batch per receiptBatchSize hashes; results in the order of `hashes`. */
  getTransactionReceipts(hashes: readonly Hash[]): Promise<(TxReceipt | null)[]>;
  getTransactionCount(address: Address, block: BlockTag | BlockNumberLike): Promise<number>;
  /** eth_getTransactionCount of many accounts at one block: batched like receipts, in the order of `addresses`. */
  getTransactionCounts(addresses: readonly Address[], block: BlockTag | BlockNumberLike): Promise<number[]>;
  getBalance(address: Address, block?: BlockTag | BlockNumberLike): Promise<bigint>;
  /** eth_getBalance of many accounts at one block: batched like receipts, in the order of `addresses`. */
  getBalances(addresses: readonly Address[], block: BlockTag | BlockNumberLike): Promise<bigint[]>;
  estimateGas(tx: CallRequest, block?: BlockTag | BlockNumberLike): Promise<bigint>;
  call(tx: CallRequest, block?: BlockTag | BlockNumberLike): Promise<Hex>;
  /** Sends once, never retried, timed by the client. */
  sendRawTransaction(raw: Hex): Promise<SentTransaction>;
}

/** The headers every request carries, so node operators can tell GasHammer's traffic apart. */
export function gashammerHeaders(): Record<string, string> {
  const info = buildInfo();
  return {
    'User-Agent': userAgent(),
    'X-GasHammer-Version': info.version,
    'X-GasHammer-Build': info.buildSha,
  };
}

// ---------------------------------------------------------------------------------------------
// Wire format: everything a node sends is checked before it becomes a typed value.

class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

const HEX_QUANTITY = /^0x[0-9a-fA-F]+$/;
const HEX_DATA = /^0x(?:[0-9a-fA-F]{2})*$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function quantity(value: unknown, field: string): bigint {
  if (typeof value !== 'string' || !HEX_QUANTITY.test(value)) throw new WireFormatError(`${field} is not a hex quantity: ${show(value)}`);
  return BigInt(value);
}

function optionalQuantity(value: unknown, field: string): bigint | undefined {
  return value === undefined || value === null ? undefined : quantity(value, field);
}

function smallNumber(value: unknown, field: string): number {
  const n = quantity(value, field);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new WireFormatError(`${field} is too large: ${show(value)}`);
  return Number(n);
}

function hash(value: unknown, field: string): Hash {
  if (typeof value !== 'string' || !HASH.test(value)) throw new WireFormatError(`${field} is not a 32-byte hash: ${show(value)}`);
  return value as Hash;
}

function address(value: unknown, field: string): Address {
  if (typeof value !== 'string' || !ADDRESS.test(value)) throw new WireFormatError(`${field} is not an address: ${show(value)}`);
  return value as Address;
}

function nullableAddress(value: unknown, field: string): Address | null {
  return value === undefined || value === null ? null : address(value, field);
}

function hexData(value: unknown, field: string): Hex {
  if (typeof value !== 'string' || !HEX_DATA.test(value)) throw new WireFormatError(`${field} is not hex data: ${show(value)}`);
  return value as Hex;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WireFormatError(`${what} is not an object: ${show(value)}`);
  return value as Record<string, unknown>;
}

export function parseReceipt(value: unknown): TxReceipt {
  const r = object(value, 'receipt');
  const status = quantity(r.status, 'receipt.status');
  return {
    transactionHash: hash(r.transactionHash, 'receipt.transactionHash'),
    blockHash: hash(r.blockHash, 'receipt.blockHash'),
    blockNumber: quantity(r.blockNumber, 'receipt.blockNumber'),
    transactionIndex: smallNumber(r.transactionIndex, 'receipt.transactionIndex'),
    from: address(r.from, 'receipt.from'),
    to: nullableAddress(r.to, 'receipt.to'),
    contractAddress: nullableAddress(r.contractAddress, 'receipt.contractAddress'),
    status: status === 1n ? 'success' : 'reverted',
    // Pre-typed (legacy) receipts of some nodes omit the type.
    type: r.type === undefined ? 0 : smallNumber(r.type, 'receipt.type'),
    gasUsed: quantity(r.gasUsed, 'receipt.gasUsed'),
    cumulativeGasUsed: quantity(r.cumulativeGasUsed, 'receipt.cumulativeGasUsed'),
    effectiveGasPrice: quantity(r.effectiveGasPrice, 'receipt.effectiveGasPrice'),
    gasUsedForL1: optionalQuantity(r.gasUsedForL1, 'receipt.gasUsedForL1'),
    l1BlockNumber: optionalQuantity(r.l1BlockNumber, 'receipt.l1BlockNumber'),
  };
}

export function parseBlockSummary(value: unknown): BlockSummary {
  const b = object(value, 'block');
  if (!Array.isArray(b.transactions)) throw new WireFormatError(`block.transactions is not a list: ${show(b.transactions)}`);
  return {
    number: quantity(b.number, 'block.number'),
    hash: hash(b.hash, 'block.hash'),
    parentHash: hash(b.parentHash, 'block.parentHash'),
    timestamp: quantity(b.timestamp, 'block.timestamp'),
    gasLimit: quantity(b.gasLimit, 'block.gasLimit'),
    gasUsed: quantity(b.gasUsed, 'block.gasUsed'),
    baseFeePerGas: optionalQuantity(b.baseFeePerGas, 'block.baseFeePerGas'),
    l1BlockNumber: optionalQuantity(b.l1BlockNumber, 'block.l1BlockNumber'),
    transactions: b.transactions.map((tx, i) => hash(tx, `block.transactions[${i}]`)),
  };
}

function blockParam(block: BlockTag | BlockNumberLike): string {
  if (typeof block === 'string') return block;
  const n = BigInt(block);
  if (n < 0n) throw new RangeError(`block number must not be negative, got ${block}`);
  return numberToHex(n);
}

function rpcCallRequest(tx: CallRequest): Record<string, string> {
  const out: Record<string, string> = {};
  if (tx.from !== undefined) out.from = tx.from;
  if (tx.to !== undefined && tx.to !== null) out.to = tx.to;
  if (tx.data !== undefined) out.data = tx.data;
  if (tx.value !== undefined) out.value = numberToHex(tx.value);
  if (tx.gas !== undefined) out.gas = numberToHex(tx.gas);
  if (tx.gasPrice !== undefined) out.gasPrice = numberToHex(tx.gasPrice);
  if (tx.maxFeePerGas !== undefined) out.maxFeePerGas = numberToHex(tx.maxFeePerGas);
  if (tx.maxPriorityFeePerGas !== undefined) out.maxPriorityFeePerGas = numberToHex(tx.maxPriorityFeePerGas);
  if (tx.nonce !== undefined) out.nonce = numberToHex(tx.nonce);
  return out;
}

function positiveInteger(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

// ---------------------------------------------------------------------------------------------

/** The untyped request viem's client performs; every result is parsed by the caller. */
type RawRequest = (args: { method: string; params?: readonly unknown[] }, options?: { retryCount?: number }) => Promise<unknown>;

export function createRpcClient(options: RpcClientOptions): RpcClient {
  const fetchFn = options.fetchFn ?? (options.poolConnections === undefined ? undefined : pooledFetch(options.poolConnections));
  const rawUrl = options.url;
  const safeUrl = redactUrl(rawUrl);
  const scrub = scrubberFor(rawUrl);
  const timeoutMs = positiveInteger(options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS, 'timeoutMs', 1);
  const retry: RpcRetryPolicy = options.retry ?? { count: 0, baseDelayMs: 0 };
  positiveInteger(retry.count, 'retry.count', 0);
  if (!(retry.baseDelayMs >= 0)) throw new RangeError(`retry.baseDelayMs must be >= 0, got ${retry.baseDelayMs}`);
  const receiptBatchSize = positiveInteger(options.receiptBatchSize ?? DEFAULT_RECEIPT_BATCH_SIZE, 'receiptBatchSize', 1);
  if (options.batch) {
    positiveInteger(options.batch.size, 'batch.size', 1);
    if (!(options.batch.waitMs >= 0)) throw new RangeError(`batch.waitMs must be >= 0, got ${options.batch.waitMs}`);
  }

  const fetchOptions = { headers: gashammerHeaders() };
  // viem turns user info in the URL into an Authorization header (fetch refuses such URLs).
  const publicClient = createPublicClient({
    transport: http(rawUrl, {
      batch: options.batch ? { batchSize: options.batch.size, wait: options.batch.waitMs } : false,
      fetchOptions,
      ...(fetchFn ? { fetchFn } : {}),
      // Retries are ours (below), never viem's hidden three.
      retryCount: 0,
      timeout: timeoutMs,
    }),
    cacheTime: 0,
  });
  const request = publicClient.request as unknown as RawRequest;
  // Explicit batches (receipts) go straight to viem's HTTP JSON-RPC client: one batch, one request.
  const batchClient = getHttpRpcClient(rawUrl, { fetchOptions, timeout: timeoutMs, ...(fetchFn ? { fetchFn } : {}) });

  const context = (method: string): RpcErrorContext => ({ method, url: rawUrl, timeoutMs, scrub });

  async function once(method: string, params: readonly unknown[]): Promise<unknown> {
    try {
      return await request({ method, params }, { retryCount: 0 });
    } catch (e) {
      throw toRpcError(e, context(method));
    }
  }

  function parse<T>(method: string, value: unknown, parser: (v: unknown) => T): T {
    try {
      return parser(value);
    } catch (e) {
      if (e instanceof WireFormatError) throw malformedResponse(context(method), e.message, e);
      throw e;
    }
  }

  /** A read: retried per the policy when the failure is transient. */
  async function withReadRetry<T>(attempt: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof RpcError) || !e.transient || n >= retry.count) throw e;
        const backoff = retry.baseDelayMs * 2 ** n;
        await delay(Math.min(MAX_RETRY_DELAY_MS, Math.max(backoff, e.retryAfterMs ?? 0)));
      }
    }
  }

  function read<T>(method: string, params: readonly unknown[], parser: (v: unknown) => T): Promise<T> {
    return withReadRetry(async () => parse(method, await once(method, params), parser));
  }

  /** One explicit JSON-RPC batch of `method`, one request per params list; `label(i)` names request i in errors. */
  async function explicitBatch<T>(method: string, paramsList: readonly (readonly unknown[])[], parser: (v: unknown) => T, label: (i: number) => string): Promise<T[]> {
    const body = paramsList.map((params, id) => ({ jsonrpc: '2.0' as const, id, method, params }));
    let answer: unknown;
    try {
      answer = await batchClient.request({ body });
    } catch (e) {
      throw toRpcError(e, context(method));
    }
    if (!Array.isArray(answer)) {
      // Some endpoints answer a whole batch with one error (rate limits, batch too large).
      const single = typeof answer === 'object' && answer !== null ? (answer as { error?: { code?: unknown; message?: unknown; data?: unknown } }).error : undefined;
      if (single && typeof single.code === 'number') {
        throw rpcErrorFromFailure({ rpcCode: single.code, rpcData: single.data, ...(typeof single.message === 'string' ? { nodeMessage: single.message } : {}) }, context(method));
      }
      throw malformedResponse(context(method), `a batch of ${paramsList.length} was answered with ${show(answer)}`);
    }
    const byId = new Map<number, { result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } }>();
    for (const item of answer as unknown[]) {
      if (typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'number') {
        byId.set((item as { id: number }).id, item as { result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } });
      }
    }
    return paramsList.map((_, id) => {
      const item = byId.get(id);
      if (!item) throw malformedResponse(context(method), `the batch answer has no response for ${label(id)}`);
      if (item.error) {
        const { code, message, data } = item.error;
        throw rpcErrorFromFailure(
          { ...(typeof code === 'number' ? { rpcCode: code, rpcData: data } : {}), ...(typeof message === 'string' ? { nodeMessage: message } : {}) },
          context(method),
        );
      }
      return parse(method, item.result, parser);
    });
  }

  /** `items` in batches of receiptBatchSize, each retried per the read policy; results in order. */
  async function batchedRead<I, T>(method: string, items: readonly I[], paramsOf: (item: I) => readonly unknown[], parser: (v: unknown) => T, label: (item: I) => string): Promise<T[]> {
    const chunks: Promise<T[]>[] = [];
    for (let i = 0; i < items.length; i += receiptBatchSize) {
      const chunk = items.slice(i, i + receiptBatchSize);
      chunks.push(withReadRetry(() => explicitBatch(method, chunk.map(paramsOf), parser, (k) => label(chunk[k]!))));
    }
    return (await Promise.all(chunks)).flat();
  }

  function getBlock(block: 'latest', options?: BlockReadOptions): Promise<BlockSummary>;
  function getBlock(block: BlockNumberLike, options?: BlockReadOptions): Promise<BlockSummary | null>;
  function getBlock(block: BlockNumberLike | 'latest', _options?: BlockReadOptions): Promise<BlockSummary | null> {
    return read('eth_getBlockByNumber', [blockParam(block), false], (v) => {
      if (v === null) {
        if (block === 'latest') throw new WireFormatError('the latest block is null');
        return null;
      }
      return parseBlockSummary(v);
    });
  }

  async function chainId(): Promise<number> {
    return read('eth_chainId', [], (v) => smallNumber(v, 'chain id'));
  }

  return {
    url: safeUrl,
    chainId,
    async expectChainId(expected: number): Promise<void> {
      const actual = await chainId();
      if (actual !== expected) {
        throw new GasHammerError(ErrorCodes.ChainIdMismatch, `${safeUrl} serves chain ${actual}, expected chain ${expected}`, {
          details: `eth_chainId answered ${actual} (0x${actual.toString(16)}); the scenario or configuration expects ${expected} (0x${expected.toString(16)}).`,
        });
      }
    },
    blockNumber: () => read('eth_blockNumber', [], (v) => quantity(v, 'block number')),
    getBlock,
    getBlockReceipts: (block) =>
      read('eth_getBlockReceipts', [blockParam(block)], (v) => {
        if (v === null) return null;
        if (!Array.isArray(v)) throw new WireFormatError(`block receipts are not a list: ${show(v)}`);
        return v.map(parseReceipt);
      }),
    getTransactionReceipt: (h) => read('eth_getTransactionReceipt', [h], (v) => (v === null ? null : parseReceipt(v))),
    getTransactionReceipts: (hashes) =>
      batchedRead('eth_getTransactionReceipt', hashes, (h) => [h], (v) => (v === null || v === undefined ? null : parseReceipt(v)), (h) => h),
    getTransactionCount: (addr, block) => read('eth_getTransactionCount', [addr, blockParam(block)], (v) => smallNumber(v, 'transaction count')),
    getTransactionCounts: (addrs, block) =>
      batchedRead('eth_getTransactionCount', addrs, (a) => [a, blockParam(block)], (v) => smallNumber(v, 'transaction count'), (a) => a),
    getBalance: (addr, block = 'latest') => read('eth_getBalance', [addr, blockParam(block)], (v) => quantity(v, 'balance')),
    getBalances: (addrs, block) => batchedRead('eth_getBalance', addrs, (a) => [a, blockParam(block)], (v) => quantity(v, 'balance'), (a) => a),
    // estimateGas and call are reads: a retry cannot change the chain.
    estimateGas: (tx, block) => read('eth_estimateGas', block === undefined ? [rpcCallRequest(tx)] : [rpcCallRequest(tx), blockParam(block)], (v) => quantity(v, 'gas estimate')),
    call: (tx, block = 'latest') => read('eth_call', [rpcCallRequest(tx), blockParam(block)], (v) => hexData(v, 'call result')),
    async sendRawTransaction(raw: Hex): Promise<SentTransaction> {
      const method = 'eth_sendRawTransaction';
      const started = performance.now();
      const result = await once(method, [raw]);
      const answered = performance.now();
      const acceptedAtMs = Date.now();
      return { hash: parse(method, result, (v) => hash(v, 'transaction hash')), acceptedAtMs, durationMs: answered - started };
    },
  };
}
