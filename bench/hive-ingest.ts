// How fast the hive takes telemetry from edges and writes it to Parquet, losslessly, and how much
// memory it needs to do so. Edges are stand-in processes (bench/telemetry-client.ts) that stream
// pre-encoded batches over loopback gRPC; the hive side is the real path: the gRPC server,
// protobuf decoding, the run's orchestrator (de-duplication, tally, metrics) and the Parquet
// sink. At the end the files are read back and every event counted.
//
//   npm run bench:hive-ingest                  2 edges x 1,000,000 events: events/s (target >= 300,000)
//   npm run bench:hive-memory                  10,000,000 events: peak RSS stays bounded
//   node build/bench/hive-ingest.js --events N --edges K --batch B --window W

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startHiveGrpcServer } from '../src/hive/grpc-server.js';
import { RunOrchestrator } from '../src/hive/orchestrator.js';
import { createHiveMetrics } from '../src/metrics/hive-metrics.js';
import { TelemetryMetricsObserver } from '../src/metrics/telemetry-observer.js';
import { telemetryRowGroups } from '../src/telemetry/parquet-reader.js';
import { ParquetSink } from '../src/telemetry/parquet-sink.js';
import { planFrom } from './support.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '2000000' },
    edges: { type: 'string', default: '2' },
    batch: { type: 'string', default: '1000' },
    window: { type: 'string', default: '8' },
  },
});
const totalEvents = Number(values.events);
const edgeCount = Number(values.edges);
const perEdge = Math.ceil(totalEvents / edgeCount);
const runId = 'bench-ingest';

const plan = planFrom({
  target: 'devnet',
  edges: { count: edgeCount },
  workload: { templates: [{ name: 'simple-transfer', weight: 1 }] },
  phases: [{ name: 'p', duration_secs: 60, gas_rate_override: { type: 'sustained', gas_per_sec: 1_000_000 } }],
});
const dataDir = await mkdtemp(join(tmpdir(), 'gashammer-ingest-'));
const sink = new ParquetSink({ dataDir, runId, rotateBytes: 256 * 1024 * 1024, rotateIntervalMs: 3_600_000 });
const metrics = createHiveMetrics();
const observer = new TelemetryMetricsObserver(metrics);
const silent = { send: () => {}, close: () => {} };
const orchestrator = new RunOrchestrator({
  runId,
  plan,
  scenarioSource: '',
  target: { rpcUrl: 'http://127.0.0.1:1', wsUrl: '', feedUrl: '', chainId: 412346n, contracts: undefined },
  targetKind: 'devnet',
  fund: async () => {},
  edges: Array.from({ length: edgeCount }, (_, i) => ({ edgeId: `edge-${i}`, name: `edge-${i}`, channel: silent })),
  store: sink,
  preflightTimeoutMs: 1,
  barrierTimeoutMs: 1,
  drainTimeoutMs: 1,
  onEvents: (events) => observer.observe(events),
});
let peakRss = process.memoryUsage().rss;
const rssAtStart = peakRss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const server = await startHiveGrpcServer(
  {
    register: () => {
      throw new Error('not in this bench');
    },
    heartbeat: () => true,
    controlOpened: () => false,
    report: () => {},
    controlClosed: () => {},
    telemetry: (batch) => {
      metrics.eventsReceived.inc(batch.events.length);
      return Promise.resolve(orchestrator.onTelemetry(batch));
    },
  },
  '127.0.0.1',
  0,
);

console.log(`hive ingest: ${edgeCount} edge process(es) x ${perEdge.toLocaleString('en')} events, batches of ${values.batch}, window ${values.window}`);
const clients = Array.from({ length: edgeCount }, (_, i) =>
  spawn(process.execPath, [join(import.meta.dirname, 'telemetry-client.js'), server.address, runId, `edge-${i}`, String(perEdge), values.batch!, values.window!], { stdio: ['pipe', 'pipe', 'inherit'] }),
);
const lines = clients.map((c) => createInterface({ input: c.stdout! }));
await Promise.all(lines.map((l) => new Promise<void>((ok) => l.once('line', () => ok()))));
const started = performance.now();
const cpuAtStart = process.cpuUsage();
const finished = Promise.all(lines.map((l) => new Promise<string>((ok) => l.once('line', ok))));
for (const c of clients) c.stdin!.write('go\n');
const results = await finished;
const ingestMs = performance.now() - started;
const cpu = process.cpuUsage(cpuAtStart);
const hiveCpuShare = (cpu.user + cpu.system) / 1000 / ingestMs;
const closeStarted = performance.now();
const stored = await sink.close();
const totalMs = performance.now() - started;
const closeMs = performance.now() - closeStarted;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
await server.stop();

let readBack = 0;
for await (const group of telemetryRowGroups(stored.files)) readBack += group.events.length;
const sent = perEdge * edgeCount;
const received = orchestrator.tally.eventsReceived;
const mib = (b: number) => (b / 1024 / 1024).toFixed(0);
console.log(`edges report: ${results.join(' | ')}`);
console.log(`received ${received.toLocaleString('en')} of ${sent.toLocaleString('en')} events; Parquet holds ${readBack.toLocaleString('en')} in ${stored.files.length} file(s)`);
console.log(`ingest (decode, tally, metrics, Parquet row groups): ${(ingestMs / 1000).toFixed(2)} s = ${Math.round(sent / (ingestMs / 1000)).toLocaleString('en')} events/s`);
console.log(`hive CPU during ingest: ${(hiveCpuShare * 100).toFixed(0)}% of one core (the rest of the machine runs the edge processes)`);
console.log(`including the final flush and close (${(closeMs / 1000).toFixed(2)} s): ${Math.round(sent / (totalMs / 1000)).toLocaleString('en')} events/s`);
console.log(`hive RSS: ${mib(rssAtStart)} MiB at start, peak ${mib(peakRss)} MiB`);
const lossless = received === sent && readBack === sent;
const rate = sent / (totalMs / 1000);
console.log(`${lossless ? 'PASS' : 'FAIL'} lossless: every event sent is in Parquet`);
console.log(`${rate >= 300_000 ? 'PASS' : 'FAIL'} throughput ${Math.round(rate).toLocaleString('en')} events/s (target >= 300,000, close included)`);
await rm(dataDir, { recursive: true, force: true });
process.exit(lossless && rate >= 300_000 ? 0 : 1);
