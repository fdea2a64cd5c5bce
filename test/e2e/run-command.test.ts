// `gashammer run` end to end through the real binary: the embedded devnet, an in-process hive,
// two edge child processes over real gRPC, Parquet written and read back, and the report. Then
// Ctrl-C: the run aborts cleanly, keeps its partial data, and leaves no process behind.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReportV2 } from '../../src/report/report-types.js';
import type { RunReport } from '../../src/report/run-report.js';
import { startEmbeddedDevnet } from '../../src/devnet/embedded-devnet.js';
import { readTelemetryRun } from '../../src/telemetry/parquet-reader.js';

const BIN = join(resolve(import.meta.dirname, '../..'), 'bin', 'gashammer.js');

function scenario(phaseSecs: number): string {
  return `name: e2e-run
description: two short phases on two edges
version: "1"
target: devnet
edges: {count: 2, accounts_per_edge: 8}
oracle: {check_interval_secs: 1}
workload:
  seed: 7
  templates: [{name: simple-transfer, weight: 3}, {name: storage-write, weight: 1}]
phases:
  - {name: warm, duration_secs: ${phaseSecs}, gas_rate_override: {type: sustained, gas_per_sec: 500_000}}
  - {name: hot, duration_secs: ${phaseSecs}, gas_rate_override: {type: sustained, gas_per_sec: 1_000_000}}
`;
}

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runGashammer(args: string[], cwd: string, onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Finished> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    onStdout?.(stdout, child);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok) => child.once('exit', (code) => ok({ code, stdout, stderr })));
}

function onlyRunDir(out: string): string {
  const runs = readdirSync(join(out, 'runs'));
  expect(runs).toHaveLength(1);
  return join(out, 'runs', runs[0]!);
}

/** Processes whose command line contains `needle` (edges name the hive address, anvil its port). */
function processesWith(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

describe('gashammer run on the embedded devnet', () => {
  it('runs every phase on two edges, writes Parquet that matches the report, and passes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gashammer-run-'));
    await writeFile(join(dir, 'scenario.yaml'), scenario(3));
    const result = await runGashammer(['run', 'scenario.yaml', '--out', 'out'], dir);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/run [0-9a-f-]{36}: PASS/);

    const runDir = onlyRunDir(join(dir, 'out'));
    // run.json: what the hive knew when the run ended.
    const report = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunReport;
    expect(report.outcome).toEqual({ state: 'done', verdict: 'pass', reasons: [] });
    expect(report.edges.map((e) => [e.name, e.outcome])).toEqual([
      ['edge-0', 'finished'],
      ['edge-1', 'finished'],
    ]);
    for (const p of report.phases) {
      expect(p.txSubmitted).toBeGreaterThan(0);
      expect(p.txIncluded).toBe(p.txSubmitted);
      expect(p.txFailed + p.txTimeout).toBe(0);
    }
    // report.json: the figures recomputed from Parquet agree with the hive's tally, the oracle
    // checked every invariant on the real chain, and the gate passed.
    const full = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as RunReportV2;
    expect(full.schemaVersion).toBe(2);
    expect(full.gate.verdict, JSON.stringify(full.gate.reasons)).toBe('pass');
    expect(full.oracle.invariants.map((i) => [i.name, i.status])).toEqual([
      ['balance-conservation', 'pass'],
      ['nonce-monotonicity', 'pass'],
      ['gas-accounting', 'pass'],
    ]);
    expect(full.phases.map((p) => [p.txSubmitted, p.txIncluded])).toEqual(report.phases.map((p) => [p.txSubmitted, p.txIncluded]));
    expect(full.telemetry).toMatchObject({ eventsRead: report.telemetry.eventsReceived, eventsDropped: 0, eventsMissing: 0, lossRatio: 0 });
    expect(full.latency.inclusion.corrected.count).toBe(full.totals.txIncluded);
    expect(full.latency.inclusion.corrected.p99).toBeGreaterThan(0);
    expect(full.series.reduce((n, s) => n + s.includedTxPerSec, 0)).toBe(full.totals.txIncluded);
    expect(readFileSync(join(runDir, 'report.md'), 'utf8')).toContain('e2e-run');
    expect(readFileSync(join(runDir, 'report.html'), 'utf8')).toContain('<svg');

    // `gashammer report` recomputes the same report from the folder alone.
    const again = await runGashammer(['report', runDir, '--json'], dir);
    expect(again.code, again.stderr).toBe(0);
    const recomputed = JSON.parse(again.stdout) as RunReportV2;
    expect(recomputed.totals).toEqual(full.totals);
    expect(recomputed.latency).toEqual(full.latency);
    expect(recomputed.gate.verdict).toBe('pass');

    // Parquet is the record: it holds exactly the events the report counted.
    const stored = await readTelemetryRun(runDir);
    expect(report.telemetry.files).toEqual(stored.files.map((f) => f.split('/').pop()));
    expect(stored.events).toHaveLength(report.telemetry.eventsReceived);
    expect(report.telemetry.eventsDropped).toBe(0);
    const submitted = new Set(stored.events.filter((e) => e.kind === 'TxSubmitted').map((e) => e.txHash));
    const included = new Set(stored.events.filter((e) => e.kind === 'TxIncluded').map((e) => e.txHash));
    expect(submitted.size).toBe(report.phases.reduce((n, p) => n + p.txSubmitted, 0));
    expect([...submitted].every((h) => included.has(h))).toBe(true);
    // Per edge, sequence numbers run from 0 without a gap: nothing was lost between edge and Parquet.
    for (const edge of report.edges) {
      const seqs = stored.events.filter((e) => e.edgeId === edge.edgeId).map((e) => Number(e.seq)).sort((a, b) => a - b);
      expect(seqs).toEqual(seqs.map((_, i) => i));
      expect(seqs.length).toBe(edge.eventsReceived);
    }
  }, 120_000);

  it('aborts on Ctrl-C: exits 130, keeps the partial data and report, leaves no process behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gashammer-run-int-'));
    await writeFile(join(dir, 'scenario.yaml'), scenario(300));
    let hiveAddress: string | undefined;
    let devnetPort: string | undefined;
    let interrupted = false;
    const result = await runGashammer(['run', 'scenario.yaml', '--out', 'out'], dir, (stdout, child) => {
      hiveAddress ??= /hive: gRPC (\S+),/.exec(stdout)?.[1];
      devnetPort ??= /rpc http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
      // Interrupt once the first phase has run for a second (a progress line with inclusions).
      if (!interrupted && /phase 1\/2 warm: .*included [1-9]/.test(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    expect(interrupted, result.stdout + result.stderr).toBe(true);
    expect(result.code, result.stdout + result.stderr).toBe(130);
    expect(result.stdout).toContain('SIGINT: aborting the run');
    expect(result.stdout).toMatch(/INCONCLUSIVE \(aborted: interrupted \(SIGINT\)\)/);

    const runDir = onlyRunDir(join(dir, 'out'));
    const report = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunReport;
    expect(report.outcome).toEqual({ state: 'aborted', reason: 'interrupted (SIGINT)' });
    expect(report.telemetry.eventsReceived).toBeGreaterThan(0);
    const stored = await readTelemetryRun(runDir);
    expect(stored.events).toHaveLength(report.telemetry.eventsReceived);
    expect(existsSync(join(runDir, 'report.md'))).toBe(true);
    const full = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as RunReportV2;
    expect(full.completion).toEqual({ state: 'aborted', reason: 'interrupted (SIGINT)' });
    expect(full.gate.verdict).toBe('inconclusive');

    expect(hiveAddress).toBeDefined();
    expect(processesWith(`--hive ${hiveAddress}`)).toEqual([]);
    expect(processesWith(`--port ${devnetPort}`)).toEqual([]);
  }, 120_000);

  it('runs against a chain given by URL: deploys the test contracts and funds the edges with GASHAMMER_FUNDER_KEY', async () => {
    // A devnet started here stands in for a staging chain: run sees only its URL.
    const chain = await startEmbeddedDevnet();
    try {
      const dir = await mkdtemp(join(tmpdir(), 'gashammer-run-url-'));
      await writeFile(join(dir, 'scenario.yaml'), scenario(2));
      const child = spawn(process.execPath, [BIN, 'run', 'scenario.yaml', '--out', 'out', '--target', chain.rpcUrl, '--json'], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, GASHAMMER_FUNDER_KEY: chain.faucet.privateKey },
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((ok) => child.once('exit', ok));
      expect(code, stderr).toBe(0);
      // --json: the report alone on stdout, progress on stderr.
      const report = JSON.parse(stdout) as RunReportV2;
      expect(report.target).toMatchObject({ kind: 'remote', chainId: 412346 });
      expect(report.gate.verdict, JSON.stringify(report.gate.reasons)).toBe('pass');
      expect(report.phases.every((p) => p.txIncluded === p.txSubmitted && p.txSubmitted > 0)).toBe(true);
      expect(stderr).toContain('target: chain 412346');
      expect(stderr).not.toContain(chain.faucet.privateKey.slice(2, 20));
    } finally {
      await chain.stop();
    }
  }, 120_000);
});
