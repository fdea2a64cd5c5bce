// An edge killed mid-run: the hive notices at once (its control stream breaks), marks it stale,
// finishes the run with the other edge, and the report names it. Real parts throughout: the
// embedded devnet, the hive's gRPC server, two `gashammer edge --hive` processes, Parquet.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEdges, type EdgeProcess } from '../../src/cli/run/edge-processes.js';
import { startEmbeddedDevnet, type EmbeddedDevnet } from '../../src/devnet/embedded-devnet.js';
import { Hive } from '../../src/hive/hive.js';
import { devnetTarget } from '../../src/hive/targets.js';
import { ParquetSink } from '../../src/telemetry/parquet-sink.js';
import { readTelemetryRun } from '../../src/telemetry/parquet-reader.js';

const SCENARIO = `name: edge-killed
description: one edge dies in the first phase
version: "1"
target: devnet
edges: {count: 2, accounts_per_edge: 6}
oracle: {check_interval_secs: 1}
workload:
  seed: 3
  templates: [{name: simple-transfer, weight: 1}]
phases:
  - {name: first, duration_secs: 4, gas_rate_override: {type: sustained, gas_per_sec: 420_000}}
  - {name: second, duration_secs: 3, gas_rate_override: {type: sustained, gas_per_sec: 420_000}}
`;

let devnet: EmbeddedDevnet;
let dataDir: string;

beforeAll(async () => {
  devnet = await startEmbeddedDevnet();
  dataDir = await mkdtemp(join(tmpdir(), 'gashammer-killed-'));
}, 60_000);

afterAll(async () => {
  await devnet?.stop();
});

describe('an edge killed mid-run', () => {
  it('is marked stale; the run finishes on the other edge and the report names it', async () => {
    const hive = new Hive({
      bind: '127.0.0.1',
      grpcPort: 0,
      dataDir,
      provideTarget: async () => devnetTarget(devnet),
      openStore: (runId) => new ParquetSink({ dataDir, runId, rotateBytes: 64 * 1024 * 1024, rotateIntervalMs: 3_600_000 }),
    });
    await hive.start();
    let edges: EdgeProcess[] = [];
    try {
      edges = spawnEdges({ count: 2, hiveAddress: hive.grpcAddress, logDir: dataDir, env: process.env, logLevel: 'warn' });
      await hive.waitForEdges(2, 30_000);
      hive.putScenario(SCENARIO);
      const run = await hive.launch({ scenario: 'edge-killed' });
      // Kill edge-1 as soon as the first phase runs.
      let killedAt: string | undefined;
      run.orchestrator.machine.onChange((change) => {
        if (!killedAt && change.state.name === 'running' && change.state.phaseIndex === 0) {
          killedAt = change.state.name;
          edges[1]!.signal('SIGKILL');
        }
      });
      const report = await run.done;

      expect(killedAt).toBe('running');
      expect(report.outcome.state).toBe('done');
      if (report.outcome.state !== 'done') return;
      expect(report.outcome.verdict).toBe('inconclusive');
      expect(report.outcome.reasons.join('\n')).toMatch(/edge edge-1 stale/);
      const byName = Object.fromEntries(report.edges.map((e) => [e.name, e]));
      expect(byName['edge-0']!.outcome).toBe('finished');
      expect(byName['edge-1']!.outcome).toBe('stale');
      expect(byName['edge-1']!.reason).toMatch(/control stream/);
      expect(report.notes.some((n) => n.startsWith('edge edge-1 (#1) stale'))).toBe(true);
      // The run went on: Running -> Recovering -> Running, and every phase ran on edge-0.
      const names = run.orchestrator.machine.history.map((h) => h.state.name);
      expect(names).toEqual(['preflight', 'barrier', 'running', 'recovering', 'running', 'barrier', 'running', 'completing', 'done']);
      expect(report.phases[1]!.txIncluded).toBeGreaterThan(0);
      expect(hive.getEdge(byName['edge-1']!.edgeId)?.status).toBe('stale');
      // What reached the hive is kept.
      const stored = await readTelemetryRun(join(dataDir, 'runs', report.runId));
      expect(stored.events).toHaveLength(report.telemetry.eventsReceived);
    } finally {
      for (const e of edges) e.signal('SIGKILL');
      await hive.stop();
    }
  }, 90_000);
});
