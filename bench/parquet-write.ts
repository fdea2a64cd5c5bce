// Benchmark: how fast the hive's ParquetSink stores telemetry on one core. Generates `--events`
// realistic events (30% TxSubmitted, 30% TxAccepted, 30% TxIncluded, the rest feed sightings,
// failures, timeouts, lateness and phase markers, from 4 edges), hands them to the sink in
// gRPC-sized batches, and times only the sink (append + close), in wall time and in CPU time of
// this process (all its threads, V8's GC helpers included, so it is the conservative one-core
// figure): the machine is shared, and when neighbours take the core the wall figure measures
// them. Then reads the files back, checks the row count and compares a sample of events field
// by field, bigints exactly. For a strictly one-core run: `taskset -c 0 npm run bench:parquet`.
//
//   npm run bench:parquet [-- --events 1000000 --batch 1000 --row-group 50000 --target 300000 --keep]
//
// Ends with exit code 1 when the CPU-time rate is below the target or the read-back differs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Hex } from 'viem';
import type { EventHeader, EventPayload, TelemetryEvent } from '../src/telemetry/events.js';
import { readTelemetryFileInfo, telemetryRowGroups } from '../src/telemetry/parquet-reader.js';
import { ParquetSink, runDirectory } from '../src/telemetry/parquet-sink.js';

const RUN_ID = 'bench-parquet';
const EDGES = 4;
const ACCOUNTS_PER_EDGE = 250;
const TEMPLATES = ['simple-transfer', 'erc20-transfer', 'storage-write', 'compute-heavy', 'calldata-blob'];
const START_WALL_NS = 1_763_000_000_000_000_000n;
const SAMPLE_EVERY = 997;

function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000000' },
      batch: { type: 'string', default: '1000' },
      'row-group': { type: 'string', default: '50000' },
      target: { type: 'string', default: '300000' },
      keep: { type: 'boolean', default: false },
    },
  });
  return run({
    events: positiveInt(values.events, 'events'),
    batch: positiveInt(values.batch, 'batch'),
    rowGroup: positiveInt(values['row-group'], 'row-group'),
    target: positiveInt(values.target, 'target'),
    keep: values.keep,
  });
}

async function run(o: { events: number; batch: number; rowGroup: number; target: number; keep: boolean }): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gashammer-bench-parquet-'));
  const generator = new EventGenerator(0x9e3779b9);
  const sink = new ParquetSink({
    dataDir,
    runId: RUN_ID,
    rotateBytes: 256 * 1024 * 1024,
    rotateIntervalMs: 3_600_000,
    rowGroupSize: o.rowGroup,
    metadata: { 'bench.events': String(o.events) },
    // A fixed clock: the bench measures encoding, not hour rotation.
    now: () => Date.UTC(2026, 10, 21, 10, 0, 0),
  });
  const samples = new Map<number, TelemetryEvent>();
  let sinkWallNs = 0n;
  let sinkCpuUs = 0;
  let generated = 0;
  const rssBefore = process.memoryUsage().rss;
  while (generated < o.events) {
    const batch = generator.batch(Math.min(o.batch, o.events - generated));
    for (let i = 0; i < batch.length; i++) if ((generated + i) % SAMPLE_EVERY === 0) samples.set(generated + i, batch[i] as TelemetryEvent);
    const cpu = process.cpuUsage();
    const t = process.hrtime.bigint();
    sink.append(batch);
    sinkWallNs += process.hrtime.bigint() - t;
    const used = process.cpuUsage(cpu);
    sinkCpuUs += used.user + used.system;
    generated += batch.length;
  }
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  const result = await sink.close();
  sinkWallNs += process.hrtime.bigint() - t;
  const used = process.cpuUsage(cpu);
  sinkCpuUs += used.user + used.system;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const bytes = sink.stats.bytesWritten;

  const wallSecs = Number(sinkWallNs) / 1e9;
  const cpuSecs = sinkCpuUs / 1e6;
  const perWallSec = o.events / wallSecs;
  const perCpuSec = o.events / cpuSecs;
  console.log(`${fmt(o.events)} events, batches of ${fmt(o.batch)}, row groups of ${fmt(o.rowGroup)}, ${result.files.length} file(s) in ${runDirectory(dataDir, RUN_ID)}`);
  console.log(`sink time     ${wallSecs.toFixed(2)} s wall, ${cpuSecs.toFixed(2)} s CPU (${((100 * cpuSecs) / wallSecs).toFixed(0)}% of a core)`);
  console.log(`write rate    ${fmt(perWallSec)} events/s wall, ${fmt(perCpuSec)} events/CPU-s`);
  console.log(`size          ${fmt(bytes)} bytes, ${(bytes / o.events).toFixed(1)} bytes/event`);
  console.log(`memory        peak RSS ${peakRssMiB.toFixed(0)} MiB (${(rssBefore / 1024 / 1024).toFixed(0)} MiB before the first event)`);

  // Read back: the row count from the footers, then every row group streamed, sampled rows compared.
  let footerRows = 0;
  for (const f of result.files) footerRows += (await readTelemetryFileInfo(f)).rows;
  const readStart = process.hrtime.bigint();
  let row = 0;
  const mismatches: string[] = [];
  for await (const group of telemetryRowGroups(result.files)) {
    for (const e of group.events) {
      const want = samples.get(row);
      if (want !== undefined) {
        const diff = firstDifference(want, e);
        if (diff !== undefined && mismatches.length < 5) mismatches.push(`row ${row}: ${diff}`);
      }
      row++;
    }
  }
  const readSecs = Number(process.hrtime.bigint() - readStart) / 1e9;
  console.log(`read back     ${fmt(row)} events in ${readSecs.toFixed(2)} s (${fmt(row / readSecs)} events/s), footers say ${fmt(footerRows)}; ${samples.size} sampled events compared`);

  const failures: string[] = [];
  if (footerRows !== o.events || row !== o.events || result.rows !== o.events) failures.push(`row count: wrote ${o.events}, sink says ${result.rows}, footers ${footerRows}, read ${row}`);
  failures.push(...mismatches);
  if (perCpuSec < o.target) failures.push(`${fmt(perCpuSec)} events/CPU-s is below the target ${fmt(o.target)}`);
  if (failures.length === 0) {
    console.log(`PASS >= ${fmt(o.target)} events/s written on one core (${fmt(perCpuSec)} events/CPU-s, ${fmt(perWallSec)} wall); read-back exact`);
  } else {
    console.log(`FAIL ${failures.join('; ')}`);
    process.exitCode = 1;
  }
  if (o.keep) console.log(`kept ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
}

/** Field by field, bigints by value; undefined if the two events are the same. */
function firstDifference(want: TelemetryEvent, got: TelemetryEvent): string | undefined {
  const w = want as unknown as Record<string, unknown>;
  const g = got as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(w), ...Object.keys(g)])) {
    if (w[key] !== g[key]) return `${key}: wrote ${String(w[key])}, read ${String(g[key])}`;
  }
  return undefined;
}

/**
 * A deterministic stream of events shaped like a real run's, in batches from one edge at a time
 * as the hive receives them: each edge submits transactions from its own accounts (nonces
 * counting up), the node accepts them, they are included in blocks with Nitro-like gas figures,
 * and some are seen in the feed, fail or time out. Each edge's monotonic clock has its own
 * origin; wall clocks agree. Transfers carry a fixed value, one in a thousand a huge one.
 */
class EventGenerator {
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

  constructor(seed: number) {
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
    const header: EventHeader = { runId: RUN_ID, edgeId: `edge-${edge}`, seq, phaseIndex: 0, monoNs, wallNs: START_WALL_NS + this.elapsedNs };
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

function positiveInt(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

await main();
