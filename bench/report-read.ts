// Benchmark: reading telemetry for a report. Writes `--events` events (default 2,000,000) with
// ParquetSink into a temp folder, from the event generator of bench/parquet-write.ts (30%
// TxSubmitted, 30% TxAccepted, 30% TxIncluded, the rest feed sightings, failures, timeouts,
// lateness and phase markers, from 4 edges), then times reading them back:
//   (a) parquet-reader's telemetryRowGroups, every event as an object (one pass: it is slow);
//   (b) column-reader's readColumnRowGroups on the columns the report engine asks for (best of
//       `--passes`; the first pass pays for JIT warm-up and is shown too).
// Each reader sums gas_used and counts rows, and the two must agree. Prints events/s in wall
// time and in CPU time of this process (all threads: file reads run on libuv's pool), the ratio,
// and what 10 million events would take.
//
//   npm run bench:report-read [-- --events 2000000 --row-group 50000 --passes 3 --keep]
//
// Ends with exit code 1 when the column reader is under 10x the object reader, under 5 million
// events/s, or the two disagree.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Hex } from 'viem';
import { readColumnRowGroups, type NumberColumn } from '../src/telemetry/column-reader.js';
import type { EventHeader, EventPayload, TelemetryEvent } from '../src/telemetry/events.js';
import { telemetryRowGroups } from '../src/telemetry/parquet-reader.js';
import type { TelemetryColumnName } from '../src/telemetry/parquet-schema.js';
import { ParquetSink, runDirectory } from '../src/telemetry/parquet-sink.js';

const RUN_ID = 'bench-report-read';
const EDGES = 4;
const ACCOUNTS_PER_EDGE = 250;
const TEMPLATES = ['simple-transfer', 'erc20-transfer', 'storage-write', 'compute-heavy', 'calldata-blob'];
const START_WALL_NS = 1_763_000_000_000_000_000n;
const BATCH = 1000;
const TARGET_RATIO = 10;
const TARGET_RATE = 5_000_000;
/** The columns the report engine reads. */
const REPORT_COLUMNS: TelemetryColumnName[] = ['kind', 'edge_id', 'phase_index', 'mono_ns', 'wall_ns', 'tx_hash', 'intended_ns', 'sent_ns', 'accepted_ns', 'seen_ns', 'estimated_gas', 'gas_used', 'gas_used_for_l1', 'success', 'error_class', 'base_fee_per_gas'];

function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '2000000' },
      'row-group': { type: 'string', default: '50000' },
      passes: { type: 'string', default: '3' },
      keep: { type: 'boolean', default: false },
    },
  });
  return run({ events: positiveInt(values.events, 'events'), rowGroup: positiveInt(values['row-group'], 'row-group'), passes: positiveInt(values.passes, 'passes'), keep: values.keep });
}

interface Timing {
  readonly rows: number;
  readonly gasUsed: number;
  readonly wallSecs: number;
  readonly cpuSecs: number;
}

async function run(o: { events: number; rowGroup: number; passes: number; keep: boolean }): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gashammer-bench-report-read-'));
  const sink = new ParquetSink({
    dataDir,
    runId: RUN_ID,
    rotateBytes: 256 * 1024 * 1024,
    rotateIntervalMs: 3_600_000,
    rowGroupSize: o.rowGroup,
    now: () => Date.UTC(2026, 10, 21, 10, 0, 0),
  });
  const generator = new EventGenerator(0x9e3779b9);
  const writeStart = process.hrtime.bigint();
  for (let generated = 0; generated < o.events; generated += BATCH) sink.append(generator.batch(Math.min(BATCH, o.events - generated)));
  const { files } = await sink.close();
  const writeSecs = Number(process.hrtime.bigint() - writeStart) / 1e9;
  console.log(`${fmt(o.events)} events in ${files.length} file(s), row groups of ${fmt(o.rowGroup)}, written in ${writeSecs.toFixed(1)} s to ${runDirectory(dataDir, RUN_ID)}`);
  console.log(`columns       ${REPORT_COLUMNS.join(', ')}`);

  const objects = await timed(() => readObjects(files));
  report('(a) objects  ', objects);
  const passes: Timing[] = [];
  for (let p = 0; p < o.passes; p++) passes.push(await timed(() => readColumns(files)));
  const best = passes.reduce((a, b) => (b.wallSecs < a.wallSecs ? b : a));
  report('(b) columns  ', best, `best of ${o.passes}; passes ${passes.map((t) => t.wallSecs.toFixed(3)).join(', ')} s`);

  const objectRate = objects.rows / objects.wallSecs;
  const columnRate = best.rows / best.wallSecs;
  const ratio = columnRate / objectRate;
  console.log(`ratio         ${ratio.toFixed(1)}x (wall), ${(objects.cpuSecs / objects.rows / (best.cpuSecs / best.rows)).toFixed(1)}x (CPU)`);
  console.log(`10M events    ${(10_000_000 / columnRate).toFixed(2)} s to read these columns at this rate`);

  const failures: string[] = [];
  if (objects.rows !== o.events || best.rows !== o.events) failures.push(`row count: wrote ${o.events}, objects read ${objects.rows}, columns ${best.rows}`);
  if (objects.gasUsed !== best.gasUsed) failures.push(`sum of gas_used: objects ${objects.gasUsed}, columns ${best.gasUsed}`);
  if (ratio < TARGET_RATIO) failures.push(`column reader ${ratio.toFixed(1)}x the object reader, under ${TARGET_RATIO}x`);
  if (columnRate < TARGET_RATE) failures.push(`column reader ${fmt(columnRate)} events/s, under ${fmt(TARGET_RATE)}`);
  if (failures.length === 0) console.log(`PASS column reader ${fmt(columnRate)} events/s >= ${fmt(TARGET_RATE)}, ${ratio.toFixed(1)}x >= ${TARGET_RATIO}x the object reader; readers agree`);
  else {
    console.log(`FAIL ${failures.join('; ')}`);
    process.exitCode = 1;
  }
  if (o.keep) console.log(`kept ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
}

async function readObjects(files: readonly string[]): Promise<{ rows: number; gasUsed: number }> {
  let rows = 0;
  let gasUsed = 0;
  for await (const group of telemetryRowGroups(files)) {
    for (const e of group.events) if (e.kind === 'TxIncluded') gasUsed += Number(e.gasUsed);
    rows += group.events.length;
  }
  return { rows, gasUsed };
}

async function readColumns(files: readonly string[]): Promise<{ rows: number; gasUsed: number }> {
  let rows = 0;
  let gasUsed = 0;
  for await (const group of readColumnRowGroups(files, REPORT_COLUMNS)) {
    const gas = (group.columns.get('gas_used') as NumberColumn).values;
    for (let r = 0; r < group.rows; r++) {
      const v = gas[r] as number;
      if (v === v) gasUsed += v; // NaN (null) fails v === v
    }
    rows += group.rows;
  }
  return { rows, gasUsed };
}

async function timed(read: () => Promise<{ rows: number; gasUsed: number }>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const { rows, gasUsed } = await read();
  const wallSecs = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { rows, gasUsed, wallSecs, cpuSecs: (used.user + used.system) / 1e6 };
}

function report(label: string, t: Timing, note = ''): void {
  console.log(`${label} ${fmt(t.rows / t.wallSecs)} events/s wall (${t.wallSecs.toFixed(3)} s), ${fmt(t.rows / t.cpuSecs)} events/CPU-s${note ? ` (${note})` : ''}`);
}

// The event generator of bench/parquet-write.ts (kept the same so both benches see the same
// data; it is private to that script, which runs on import).
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
