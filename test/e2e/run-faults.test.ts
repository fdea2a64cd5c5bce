// Faults in a real run: `gashammer run` on the embedded devnet with two edge processes, their
// RPC through the fault proxy. A 300 ms latency on edge 0 only shows in edge 0's acceptance
// latency and only inside its window; JSON-RPC errors at 100% for 2 s show as failed sends in
// that window and stop when the duration is over; the hive records every inject and clear in the
// run's Parquet. A schedule that may not run against the target's environment blocks the run
// before any load (GH-E704).

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAnvil } from '../../src/devnet/anvil.js';
import { DEVNET_FAUCET_KEY } from '../../src/devnet/anvil.js';
import type { TelemetryEvent } from '../../src/telemetry/events.js';
import { readTelemetryRun } from '../../src/telemetry/parquet-reader.js';

const BIN = join(resolve(import.meta.dirname, '../..'), 'bin', 'gashammer.js');

const SCENARIO = `name: e2e-faults
description: latency on one edge, then errors on both
version: "1"
target: devnet
edges: {count: 2, accounts_per_edge: 8}
oracle: {check_interval_secs: 1}
workload:
  seed: 3
  templates: [{name: simple-transfer, weight: 1}]
phases:
  - {name: faulted, duration_secs: 10, gas_rate_override: {type: sustained, gas_per_sec: 420_000}}
fault_schedule:
  - {at_secs: 2, action: inject, edges: {ids: [0]}, fault: {name: slow-edge-0, type: latency, target: sequencer-rpc, latency_ms: 300}}
  - {at_secs: 5, action: clear, fault: {name: slow-edge-0}}
  - {at_secs: 6, action: inject, fault: {name: refuse-all, type: rpc-error, target: sequencer-rpc, error_pct: 100, duration_secs: 2}}
`;

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runGashammer(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Finished> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok) => child.once('exit', (code) => ok({ code, stdout, stderr })));
}

type Of<K extends TelemetryEvent['kind']> = Extract<TelemetryEvent, { kind: K }>;

describe('gashammer run with a fault schedule', () => {
  it('applies each fault to the edges it names, in its window, and records every inject and clear', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gashammer-faults-'));
    await writeFile(join(dir, 'scenario.yaml'), SCENARIO);
    const result = await runGashammer(['run', 'scenario.yaml', '--out', 'out'], dir);
    const said = result.stdout + result.stderr;
    // Errors may fail the gate (exit 99); what matters here is that the run ran to its end.
    expect([0, 99], said).toContain(result.code);
    const runs = readdirSync(join(dir, 'out', 'runs'));
    expect(runs).toHaveLength(1);
    const events = (await readTelemetryRun(join(dir, 'out', 'runs', runs[0]!))).events;

    const faults = events.filter((e): e is Of<'FaultInjected'> | Of<'FaultCleared'> => e.kind === 'FaultInjected' || e.kind === 'FaultCleared');
    expect(faults.map((e) => `${e.kind} ${e.faultName} ${e.edgeIndexes}${e.kind === 'FaultCleared' ? ` ${e.reason}` : ''}`)).toEqual([
      'FaultInjected slow-edge-0 0',
      'FaultCleared slow-edge-0 0 schedule',
      'FaultInjected refuse-all 0,1',
      'FaultCleared refuse-all 0,1 duration',
    ]);
    expect(new Set(faults.map((e) => e.edgeId))).toEqual(new Set(['@hive']));
    const at = (i: number) => faults[i]!.wallNs;
    // Injected ~2 s after the first phase started, cleared 3 s later; errors last 2 s.
    expect(Number(at(1) - at(0)) / 1e9).toBeGreaterThan(2.8);
    expect(Number(at(1) - at(0)) / 1e9).toBeLessThan(3.5);
    expect(Number(at(3) - at(2)) / 1e9).toBeGreaterThan(1.8);
    expect(Number(at(3) - at(2)) / 1e9).toBeLessThan(2.5);

    // Acceptance round trips (eth_sendRawTransaction) by edge, for sends well inside the latency window.
    const sent = new Map<string, { edge: string; wall: bigint; sentNs: bigint }>();
    const offset = new Map<string, bigint>();
    for (const e of events) {
      if (!offset.has(e.edgeId)) offset.set(e.edgeId, e.wallNs - e.monoNs);
      if (e.kind === 'TxSubmitted') sent.set(e.txHash, { edge: e.edgeId, wall: e.sentNs + offset.get(e.edgeId)!, sentNs: e.sentNs });
    }
    const inWindow = (w: bigint, from: bigint, to: bigint) => w > from + 300_000_000n && w < to - 500_000_000n;
    const trips: Record<string, number[]> = {};
    for (const e of events) {
      if (e.kind !== 'TxAccepted') continue;
      const s = sent.get(e.txHash);
      if (!s || !inWindow(s.wall, at(0), at(1))) continue;
      (trips[s.edge] ??= []).push(Number(e.acceptedNs - s.sentNs) / 1e6);
    }
    const edgeNames = Object.keys(trips).sort();
    expect(edgeNames, 'both edges sent inside the latency window').toHaveLength(2);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [slowEdge, fastEdge] = median(trips[edgeNames[0]!]!) > median(trips[edgeNames[1]!]!) ? edgeNames : [...edgeNames].reverse();
    expect(median(trips[slowEdge!]!)).toBeGreaterThanOrEqual(300);
    expect(median(trips[fastEdge!]!)).toBeLessThan(300);
    const record = JSON.parse(readFileSync(join(dir, 'out', 'runs', runs[0]!, 'run.json'), 'utf8')) as { edges: Array<{ edgeIndex: number; edgeId: string }> };
    expect(record.edges.find((e) => e.edgeId === slowEdge)?.edgeIndex).toBe(0);

    // Every send failed while errors were injected, and sends succeeded again after.
    const failed = events.filter((e): e is Of<'TxFailed'> => e.kind === 'TxFailed');
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      const w = f.monoNs + offset.get(f.edgeId)!;
      expect(w >= at(2) - 200_000_000n && w <= at(3) + 1_000_000_000n, `a failure at ${w} outside the error window`).toBe(true);
    }
    const acceptedAfter = events.filter((e) => e.kind === 'TxAccepted' && e.monoNs + offset.get(e.edgeId)! > at(3) + 500_000_000n);
    expect(acceptedAfter.length).toBeGreaterThan(0);
  }, 120_000);

  it('clears the faults in force when the run is stopped with SIGTERM, and records the clear as an abort', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gashammer-faults-term-'));
    await writeFile(
      join(dir, 'scenario.yaml'),
      SCENARIO.replace('duration_secs: 10,', 'duration_secs: 300,').replace(/fault_schedule:[\s\S]*$/, 'fault_schedule:\n  - {at_secs: 0, action: inject, fault: {name: held, type: rpc-slow, target: sequencer-rpc, delay_ms: 50}}\n'),
    );
    let stopped = false;
    const child = spawn(process.execPath, [BIN, 'run', 'scenario.yaml', '--out', 'out'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    child.stdout.on('data', (d: Buffer) => {
      said += d.toString();
      // Once load is being included under the fault, stop the run as a CI runner would.
      if (!stopped && /phase 1\/1 faulted: .*included [1-9]/.test(said)) {
        stopped = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => (said += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stopped, said).toBe(true);
    expect(code, said).toBe(130);
    const runs = readdirSync(join(dir, 'out', 'runs'));
    const runDir = join(dir, 'out', 'runs', runs[0]!);
    const events = (await readTelemetryRun(runDir)).events;
    const faults = events.filter((e) => e.kind === 'FaultInjected' || e.kind === 'FaultCleared');
    expect(faults.map((e) => (e.kind === 'FaultCleared' ? `cleared ${e.reason}` : `injected ${e.faultName}`))).toEqual(['injected held', 'cleared abort']);
    const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as { faults?: Array<{ name: string; clearReason: string | null }> };
    expect(report.faults?.map((f) => [f.name, f.clearReason])).toEqual([['held', 'abort']]);
  }, 120_000);

  it('refuses to fault a chain given by URL, which is staging, before any load (GH-E704, exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gashammer-faults-env-'));
    await writeFile(join(dir, 'scenario.yaml'), SCENARIO);
    const anvil = await startAnvil({ chainId: 412_346 });
    try {
      const result = await runGashammer(['run', 'scenario.yaml', '--out', 'out', '--target', anvil.rpcUrl], dir, { ...process.env, GASHAMMER_FUNDER_KEY: DEVNET_FAUCET_KEY });
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toContain('GH-E704');
      expect(result.stderr).toContain("environment 'staging'");
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(existsSync(join(dir, 'out', 'runs'))).toBe(false);
    } finally {
      await anvil.stop();
    }
  }, 120_000);
});
