// The hive under a long run at the devnet's saturation rate: `gashammer run` (the real binary:
// embedded devnet, in-process hive, edge processes) offers more gas than the devnet includes for
// five minutes, and the telemetry must arrive whole: no event dropped at an edge, every event
// an edge recorded received by the hive and present in Parquet.
//
//   npm run bench:hive-soak                     300 s at 40 Mgas/s offered, 2 edges
//   node build/bench/hive-soak.js --secs 60 --gas 40000000 --edges 2

import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunReport } from '../src/report/run-report.js';
import { telemetryRowGroups } from '../src/telemetry/parquet-reader.js';

const { values } = parseArgs({ options: { secs: { type: 'string', default: '300' }, gas: { type: 'string', default: '40000000' }, edges: { type: 'string', default: '2' } } });
const dir = await mkdtemp(join(tmpdir(), 'gashammer-soak-'));
await writeFile(
  join(dir, 'soak.yaml'),
  `name: hive-soak
description: saturation for a long time; telemetry must arrive whole
version: "1"
target: devnet
edges: {count: ${values.edges}, accounts_per_edge: 200}
workload:
  templates: [{name: simple-transfer, weight: 1}]
phases:
  - {name: saturate, duration_secs: ${values.secs}, gas_rate_override: {type: sustained, gas_per_sec: ${values.gas}}}
`,
);
console.log(`hive soak: ${values.secs} s at ${(Number(values.gas) / 1e6).toFixed(0)} Mgas/s offered on ${values.edges} edge(s)`);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'gashammer.js');
const child = spawn(process.execPath, [bin, 'run', join(dir, 'soak.yaml'), '--out', join(dir, 'out')], { stdio: ['ignore', 'pipe', 'inherit'] });
let peakRss = 0;
const sampler = setInterval(() => {
  void readFile(`/proc/${child.pid}/status`, 'utf8')
    .then((s) => (peakRss = Math.max(peakRss, Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) * 1024)))
    .catch(() => {});
}, 1000);
child.stdout!.on('data', (d: Buffer) => {
  const text = d.toString();
  // Every thirtieth progress line, and everything else.
  for (const line of text.split('\n')) {
    const elapsed = /^\[\s*(\d+)s\]/.exec(line)?.[1];
    if (line !== '' && (elapsed === undefined || Number(elapsed) % 30 === 0)) process.stdout.write(`  ${line}\n`);
  }
});
const code = await new Promise<number | null>((ok) => child.once('exit', ok));
clearInterval(sampler);
const runs = await readdir(join(dir, 'out', 'runs'));
const runDir = join(dir, 'out', 'runs', runs[0]!);
const report = JSON.parse(await readFile(join(runDir, 'report.json'), 'utf8')) as RunReport;
let rows = 0;
for await (const group of telemetryRowGroups(report.telemetry.files.map((f) => join(runDir, f)))) rows += group.events.length;
const recorded = report.edges.reduce((n, e) => n + (e.eventsRecorded ?? Number.NaN), 0);
const phase = report.phases[0]!;
console.log(`exit ${code}; included ${phase.txIncluded.toLocaleString('en')} tx = ${Math.round(phase.txIncluded / phase.durationSecs)} tx/s, ${(phase.achievedGasPerSec / 1e6).toFixed(2)} Mgas/s achieved`);
console.log(`events: recorded by edges ${recorded.toLocaleString('en')}, received ${report.telemetry.eventsReceived.toLocaleString('en')}, dropped ${report.telemetry.eventsDropped}, in Parquet ${rows.toLocaleString('en')}`);
console.log(`hive process (gashammer run) peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
const whole = report.telemetry.eventsDropped === 0 && recorded === report.telemetry.eventsReceived && rows === recorded;
console.log(`${whole ? 'PASS' : 'FAIL'} no telemetry lost: dropped 0, recorded = received = stored`);
await rm(dir, { recursive: true, force: true });
process.exit(whole ? 0 : 1);
