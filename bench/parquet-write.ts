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
import type { TelemetryEvent } from '../src/telemetry/events.js';
import { readTelemetryFileInfo, telemetryRowGroups } from '../src/telemetry/parquet-reader.js';
import { ParquetSink, runDirectory } from '../src/telemetry/parquet-sink.js';
import { EventGenerator } from './event-generator.js';

const RUN_ID = 'bench-parquet';
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
  const generator = new EventGenerator(0x9e3779b9, RUN_ID);
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

function positiveInt(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

await main();
