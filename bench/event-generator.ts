// The telemetry events the Parquet benchmarks write and read (bench:parquet, bench:report-read),
// from one place so both see the same data.

import type { Hex } from 'viem';
import type { EventHeader, EventPayload, TelemetryEvent } from '../src/telemetry/events.js';

export const EDGES = 4;
const ACCOUNTS_PER_EDGE = 250;
const TEMPLATES = ['simple-transfer', 'erc20-transfer', 'storage-write', 'compute-heavy', 'calldata-blob'];
const START_WALL_NS = 1_763_000_000_000_000_000n;

/**
 * A deterministic stream of events shaped like a real run's, in batches from one edge at a time
 * as the hive receives them: each edge submits transactions from its own accounts (nonces
 * counting up), the node accepts them, they are included in blocks with Nitro-like gas figures,
 * and some are seen in the feed, fail or time out. Each edge's monotonic clock has its own
 * origin; wall clocks agree. Transfers carry a fixed value, one in a thousand a huge one.
 */
export class EventGenerator {
  private state: number;
  private readonly seq = new Array<bigint>(EDGES).fill(0n);
  private readonly nonces = new Array<number>(EDGES * ACCOUNTS_PER_EDGE).fill(0);
  private readonly accounts: Hex[];
  /** Transactions submitted and not yet accepted / included, per edge, oldest first. */
  private readonly inFlight: { hash: Hex; account: number; nonce: number; value: bigint }[][] = Array.from({ length: EDGES }, () => []);
  /** Nanoseconds since the run started, shared by all edges. */
  private elapsedNs = 0n;
  private readonly monoOrigins: bigint[];
  private blockNumber = 41_000_000n;
  private count = 0;
  private batches = 0;

  constructor(
    seed: number,
    private readonly runId: string,
  ) {
    this.state = seed >>> 0;
    this.accounts = Array.from({ length: EDGES * ACCOUNTS_PER_EDGE }, () => this.hex(20));
    this.monoOrigins = Array.from({ length: EDGES }, () => BigInt(this.random()) * 1_000_000n);
  }

  batch(n: number): TelemetryEvent[] {
    const edge = this.batches++ % EDGES;
    const out = new Array<TelemetryEvent>(n);
    for (let i = 0; i < n; i++) out[i] = this.next(edge);
    return out;
  }

  private next(edge: number): TelemetryEvent {
    this.count++;
    this.elapsedNs += BigInt(500 + (this.random() % 5_000));
    const monoNs = (this.monoOrigins[edge] as bigint) + this.elapsedNs;
    if (this.count % 10_000 === 0) this.blockNumber++;
    const roll = this.random() % 1000;
    const queue = this.inFlight[edge] as { hash: Hex; account: number; nonce: number; value: bigint }[];
    let payload: EventPayload;
    if (roll < 300 || queue.length < 8) {
      const account = edge * ACCOUNTS_PER_EDGE + (this.random() % ACCOUNTS_PER_EDGE);
      const nonce = (this.nonces[account] as number) + 1;
      this.nonces[account] = nonce;
      const hash = this.hex(32);
      const template = TEMPLATES[this.random() % TEMPLATES.length] as string;
      const value = this.count % 1000 === 0 ? 10n ** 30n + BigInt(this.count) : template === 'simple-transfer' ? 1_000_000_000_000_000n : 0n;
      queue.push({ hash, account, nonce, value });
      if (queue.length > 200) queue.shift();
      payload = {
        kind: 'TxSubmitted',
        txHash: hash,
        template,
        estimatedGas: 21_000n + BigInt(this.random() % 100_000),
        gasLimit: 200_000n,
        account: this.accounts[account] as Hex,
        nonce,
        intendedNs: monoNs - 50_000n,
        sentNs: monoNs,
        valueWei: value,
      };
    } else if (roll < 600) {
      const tx = queue[queue.length - 1 - (this.random() % 8)] as (typeof queue)[number];
      payload = { kind: 'TxAccepted', txHash: tx.hash, acceptedNs: monoNs };
    } else if (roll < 900) {
      const tx = queue.shift() as (typeof queue)[number];
      payload = {
        kind: 'TxIncluded',
        txHash: tx.hash,
        blockNumber: this.blockNumber,
        seenNs: monoNs,
        gasUsed: 21_000n + BigInt(this.random() % 80_000),
        gasUsedForL1: BigInt(this.random() % 5_000),
        effectiveGasPrice: 100_000_000n,
        baseFeePerGas: 100_000_000n,
        success: this.random() % 100 !== 0,
        from: this.accounts[tx.account] as Hex,
        to: this.random() % 10 === 0 ? undefined : (this.accounts[this.random() % this.accounts.length] as Hex),
        nonce: tx.nonce,
        valueWei: tx.value,
      };
    } else if (roll < 980) {
      const tx = queue[this.random() % queue.length] as (typeof queue)[number];
      payload = { kind: 'TxFeedSeen', txHash: tx.hash, sequenceNumber: this.count, seenNs: monoNs };
    } else if (roll < 988) {
      const tx = queue[this.random() % queue.length] as (typeof queue)[number];
      payload = { kind: 'TxFailed', txHash: this.random() % 2 === 0 ? tx.hash : undefined, errorClass: 'nonce-too-low', stage: 'submit', message: 'nonce too low: next nonce 41, tx nonce 40', account: this.accounts[tx.account] as Hex, nonce: tx.nonce };
    } else if (roll < 994) {
      const tx = queue[this.random() % queue.length] as (typeof queue)[number];
      payload = { kind: 'TxTimeout', txHash: tx.hash, waitedNs: 30_000_000_000n };
    } else if (roll < 997) {
      payload = { kind: 'SendLate', count: 1 + (this.random() % 10), maxLatenessNs: BigInt(this.random() % 50_000_000) };
    } else if (roll < 998) {
      payload = { kind: 'FeedGap', expectedSequence: this.count, actualSequence: this.count + 3 };
    } else if (roll < 999) {
      payload = { kind: 'PhaseStarted', phaseName: 'ramp', offeredGasPerSec: 12_500_000.5 };
    } else {
      payload = { kind: 'PhaseEnded', phaseName: 'ramp', sent: this.count, late: 12, dropped: 0 };
    }
    const seq = this.seq[edge] as bigint;
    this.seq[edge] = seq + 1n;
    const header: EventHeader = { runId: this.runId, edgeId: `edge-${edge}`, seq, phaseIndex: 0, monoNs, wallNs: START_WALL_NS + this.elapsedNs };
    return { ...header, ...payload } as TelemetryEvent;
  }

  /** xorshift32: fast and deterministic; the bench needs variety, not quality. */
  private random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  private hex(bytes: number): Hex {
    let s = '0x';
    for (let i = 0; i < bytes; i += 4) s += this.random().toString(16).padStart(8, '0');
    return s.slice(0, 2 + bytes * 2) as Hex;
  }
}
