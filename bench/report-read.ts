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
import { readColumnRowGroups, type NumberColumn } from '../src/telemetry/column-reader.js';
import { telemetryRowGroups } from '../src/telemetry/parquet-reader.js';
import type { TelemetryColumnName } from '../src/telemetry/parquet-schema.js';
import { ParquetSink, runDirectory } from '../src/telemetry/parquet-sink.js';
import { EventGenerator } from './event-generator.js';

const RUN_ID = 'bench-report-read';
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
  const generator = new EventGenerator(0x9e3779b9, RUN_ID);
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


function positiveInt(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

await main();
