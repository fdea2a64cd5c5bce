// Benchmark: an edge's memory stays bounded over a long run. Plays one long phase of transfers
// against the embedded devnet — started as a separate `gashammer devnet` process, so that the
// feed relay's backlog is not counted as the edge's — drains telemetry every second (as the
// shipper to the hive would), and prints this process's RSS at the start, every minute, and at
// the end, with the growth per minute over the second half (a leak grows steadily; a bounded
// edge levels off).
//
//   npm run bench:edge-memory [-- --secs 600 --mgas 5]

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DEVNET_FAUCET_KEY } from '../src/devnet/anvil.js';
import type { TestContracts } from '../src/devnet/contracts.js';
import { packageRoot } from '../src/util/build-info.js';
import { EdgeRun } from '../src/edge/edge-run.js';
import { fmt, planFrom, rssMiB } from './support.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const SECS = Number(arg('secs', '600'));
const MGAS = Number(arg('mgas', '5'));

interface DevnetInfo {
  chainId: number;
  rpcUrl: string;
  wsUrl: string;
  feedUrl: string;
  contracts: TestContracts;
}

const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'gashammer.js'), 'devnet', '--port', '0', '--feed-port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
const devnet = await new Promise<DevnetInfo>((resolve) => createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l) as DevnetInfo)));
try {
  const plan = planFrom({
    workload: { seed: 5, templates: [{ name: 'simple-transfer', weight: 3 }, { name: 'erc20-transfer', weight: 1 }] },
    phases: [{ name: 'long', duration_secs: SECS, gas_rate_override: { type: 'sustained', gas_per_sec: MGAS * 1_000_000 } }],
    edges: { count: 1, accounts_per_edge: 300 },
  });
  const run = await EdgeRun.prepare({
    plan,
    edgeIndex: 0,
    runId: 'memory',
    edgeId: 'edge-0',
    target: { rpcUrl: devnet.rpcUrl, wsUrl: devnet.wsUrl, feedUrl: devnet.feedUrl, chainId: devnet.chainId, contracts: devnet.contracts },
    funderKey: DEVNET_FAUCET_KEY,
  });
  const samples: Array<{ secs: number; rss: number }> = [];
  const t0 = performance.now();
  let shipped = 0;
  const sample = () => samples.push({ secs: (performance.now() - t0) / 1000, rss: rssMiB() });
  sample();
  console.log(`edge memory: ${SECS} s at ${MGAS} Mgas/s (transfers and ERC-20 transfers), RSS at start ${fmt(samples[0]!.rss, 1)} MiB`);
  const drainer = setInterval(() => {
    shipped += run.buffer.drain(run.buffer.size).length;
  }, 1_000);
  const sampler = setInterval(() => {
    sample();
    const s = samples[samples.length - 1]!;
    if (Math.round(s.secs) % 60 === 0) console.log(`  t=${fmt(s.secs)} s  rss ${fmt(s.rss, 1)} MiB  events shipped ${fmt(shipped)}`);
  }, 10_000);
  const phase = await run.runPhase(0);
  await run.finish(60_000);
  clearInterval(drainer);
  clearInterval(sampler);
  shipped += run.buffer.drain(run.buffer.size).length;
  sample();
  const start = samples[0]!.rss;
  const end = samples[samples.length - 1]!.rss;
  const peak = Math.max(...samples.map((s) => s.rss));
  const half = samples.filter((s) => s.secs >= SECS / 2);
  const growthPerMin = half.length > 1 ? ((half[half.length - 1]!.rss - half[0]!.rss) / (half[half.length - 1]!.secs - half[0]!.secs)) * 60 : 0;
  console.log(`sent ${fmt(phase.sent)}, dropped ${phase.dropped}, late ${phase.late}, events shipped ${fmt(shipped)}, telemetry dropped ${run.buffer.dropped}`);
  console.log(`RSS start ${fmt(start, 1)} MiB, end ${fmt(end, 1)} MiB, peak ${fmt(peak, 1)} MiB; growth over the second half ${fmt(growthPerMin, 2)} MiB/min`);
  const bounded = growthPerMin < 2;
  console.log(`${bounded ? 'PASS' : 'FAIL'}: RSS levels off (under 2 MiB/min of growth over the second half)`);
  process.exitCode = bounded ? 0 : 1;
} finally {
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
}

