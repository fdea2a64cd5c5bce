// Follows a chain's new blocks in order, with their transactions as raw signed bytes: the
// input of the embedded feed relay. It listens to newHeads over WebSocket for low latency and
// fetches every block number exactly once and in order, filling gaps a missed head leaves.

import { serializeTransaction, type Hex, type Signature, type TransactionSerializable } from 'viem';
import WebSocket from 'ws';
import { keccak256Hex } from '../util/keccak.js';
import { jsonRpcCall } from '../chain/json-rpc-call.js';

export interface SourceBlock {
  readonly number: number;
  readonly hash: Hex;
  readonly timestamp: number;
  /** Raw EIP-2718 bytes of each transaction, in block order. */
  readonly txs: readonly Uint8Array[];
  /** When this process learned of the block (ms since epoch). */
  readonly seenAtMs: number;
}

interface RpcTx {
  hash: Hex;
  type: Hex;
  chainId?: Hex;
  nonce: Hex;
  gas: Hex;
  gasPrice?: Hex;
  maxFeePerGas?: Hex;
  maxPriorityFeePerGas?: Hex;
  to: Hex | null;
  value: Hex;
  input: Hex;
  accessList?: readonly { address: Hex; storageKeys: readonly Hex[] }[];
  v: Hex;
  r: Hex;
  s: Hex;
  yParity?: Hex;
}

interface RpcBlock {
  number: Hex;
  hash: Hex;
  timestamp: Hex;
  transactions: RpcTx[];
}

function hexToBytes(hex: Hex): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));
}

/** Re-serialises a transaction from its JSON-RPC form; undefined for types we do not rebuild. */
export function rawTransaction(tx: RpcTx): Hex | undefined {
  const base = {
    nonce: Number(tx.nonce),
    gas: BigInt(tx.gas),
    to: tx.to ?? undefined,
    value: BigInt(tx.value),
    data: tx.input,
  };
  const signature: Signature = { r: tx.r, s: tx.s, v: BigInt(tx.v), ...(tx.yParity === undefined ? {} : { yParity: Number(tx.yParity) }) };
  let unsigned: TransactionSerializable;
  switch (tx.type) {
    case '0x0':
      unsigned = { ...base, type: 'legacy', gasPrice: BigInt(tx.gasPrice ?? '0x0'), ...(tx.chainId === undefined ? {} : { chainId: Number(tx.chainId) }) };
      break;
    case '0x1':
      unsigned = { ...base, type: 'eip2930', chainId: Number(tx.chainId), gasPrice: BigInt(tx.gasPrice ?? '0x0'), accessList: tx.accessList ?? [] };
      break;
    case '0x2':
      unsigned = {
        ...base,
        type: 'eip1559',
        chainId: Number(tx.chainId),
        maxFeePerGas: BigInt(tx.maxFeePerGas ?? '0x0'),
        maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas ?? '0x0'),
        accessList: tx.accessList ?? [],
      };
      break;
    default:
      return undefined;
  }
  return serializeTransaction(unsigned, signature);
}

export interface BlockSourceOptions {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  /** First block to deliver (default: the next block after the current head). */
  readonly fromBlock?: number;
  readonly onBlock: (block: SourceBlock) => void;
  readonly onError?: (error: Error) => void;
}

export class BlockSource {
  private ws: WebSocket | undefined;
  private nextNumber: number | undefined;
  private fetching = false;
  private wantedHead = -1;
  private stopped = false;

  constructor(private readonly options: BlockSourceOptions) {}

  async start(): Promise<void> {
    this.nextNumber = this.options.fromBlock ?? Number(await this.rpc<Hex>('eth_blockNumber', [])) + 1;
    await this.subscribe();
  }

  stop(): void {
    this.stopped = true;
    this.ws?.terminate();
  }

  private async subscribe(): Promise<void> {
    const ws = new WebSocket(this.options.wsUrl);
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { params?: { result?: { number?: Hex } } };
      const head = msg.params?.result?.number;
      if (head !== undefined) this.headSeen(Number(head));
    });
    ws.on('error', (e) => this.options.onError?.(e));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }));
  }

  private headSeen(head: number): void {
    this.wantedHead = Math.max(this.wantedHead, head);
    if (!this.fetching) void this.catchUp();
  }

  /** Fetches blocks nextNumber..wantedHead one by one; heads arriving meanwhile extend the range. */
  private async catchUp(): Promise<void> {
    this.fetching = true;
    try {
      while (!this.stopped && this.nextNumber !== undefined && this.nextNumber <= this.wantedHead) {
        const block = await this.fetchBlock(this.nextNumber);
        if (this.stopped) return;
        this.options.onBlock(block);
        this.nextNumber++;
      }
    } catch (e) {
      this.options.onError?.(e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.fetching = false;
    }
  }

  private async fetchBlock(n: number): Promise<SourceBlock> {
    const block = await this.rpc<RpcBlock>('eth_getBlockByNumber', [`0x${n.toString(16)}`, true]);
    const seenAtMs = Date.now();
    const txs: Uint8Array[] = [];
    for (const tx of block.transactions) {
      const rebuilt = rawTransaction(tx);
      let bytes = rebuilt === undefined ? undefined : hexToBytes(rebuilt);
      // A transaction we cannot rebuild byte for byte is fetched raw from the node instead.
      if (bytes === undefined || keccak256Hex(bytes) !== tx.hash) bytes = hexToBytes(await this.rpc<Hex>('eth_getRawTransactionByHash', [tx.hash]));
      txs.push(bytes);
    }
    return { number: Number(block.number), hash: block.hash, timestamp: Number(block.timestamp), txs, seenAtMs };
  }

  private rpc<T>(method: string, params: unknown[]): Promise<T> {
    return jsonRpcCall<T>(this.options.rpcUrl, method, params);
  }
}
