// The Hive object's own rules, without a network: registration and protocol revisions,
// heartbeats and the status an edge reports, scenarios, and the refusals of launch.

import { describe, expect, it, vi } from 'vitest';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { PROTOCOL_REVISION, RegistrationRefused } from '../../src/hive/grpc-server.js';
import { Hive } from '../../src/hive/hive.js';
import { EdgeStatus } from '../../src/proto/gashammer/v1/types.js';

const SCENARIO = `name: hive-unit
description: d
version: "1"
edges: {count: 2}
workload: {templates: [{name: simple-transfer, weight: 1}]}
phases: [{name: p, duration_secs: 5, gas_rate_override: {type: sustained, gas_per_sec: 100_000}}]
`;

function hive(): Hive {
  return new Hive({
    bind: '127.0.0.1',
    grpcPort: 0,
    dataDir: '/nonexistent',
    provideTarget: () => Promise.reject(new Error('no target in unit tests')),
    openStore: () => ({ append: () => {}, close: async () => ({ files: [], rows: 0 }) }),
  });
}

const caps = (protocol = PROTOCOL_REVISION) => ({ version: '0.1.0', build: 'b', nodeVersion: '20', cpus: 2, nativeSigner: true, protocol });

describe('Hive registration and heartbeats', () => {
  it('registers an edge of its protocol revision and refuses another', () => {
    const h = hive();
    const ok = h.register({ name: 'e1', capabilities: caps() });
    expect(h.getEdge(ok.edgeId!.value)).toMatchObject({ name: 'e1', status: 'idle' });
    expect(() => h.register({ name: 'old', capabilities: caps(PROTOCOL_REVISION + 1) })).toThrow(RegistrationRefused);
    expect(() => h.register({ name: 'none', capabilities: undefined })).toThrow(/protocol revision unknown/);
  });

  it('takes "draining" from a running edge only; unknown edges must register again', () => {
    const h = hive();
    const id = h.register({ name: 'e1', capabilities: caps() }).edgeId!.value;
    expect(h.heartbeat(id, EdgeStatus.EDGE_STATUS_DRAINING)).toBe(true);
    expect(h.getEdge(id)!.status).toBe('idle');
    h.registry.setStatus(id, 'running', 'run-1');
    expect(h.heartbeat(id, EdgeStatus.EDGE_STATUS_DRAINING)).toBe(true);
    expect(h.getEdge(id)!.status).toBe('draining');
    expect(h.heartbeat('nobody', EdgeStatus.EDGE_STATUS_IDLE)).toBe(false);
  });

  it('refuses a control stream for an unknown or stale edge', () => {
    const h = hive();
    const id = h.register({ name: 'e1', capabilities: caps() }).edgeId!.value;
    const channel = { send: () => {}, close: () => {} };
    expect(h.controlOpened('nobody', channel)).toBe(false);
    expect(h.controlOpened(id, channel)).toBe(true);
    h.controlClosed(id, 'gone');
    expect(h.getEdge(id)).toMatchObject({ status: 'stale', staleReason: 'gone' });
    expect(h.controlOpened(id, channel)).toBe(false);
  });
});

describe('Hive scenarios and launch', () => {
  it('stores a valid scenario with its hash and refuses an invalid one with every problem', () => {
    const h = hive();
    const stored = h.putScenario(SCENARIO);
    expect(stored).toMatchObject({ name: 'hive-unit', phases: 1, totalDurationSecs: 5 });
    expect(h.listScenarios().map((s) => s.name)).toEqual(['hive-unit']);
    try {
      h.putScenario('name: x\nphases: []\n');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GasHammerError);
      expect((error as GasHammerError).code).toMatch(/^GH-E9/);
      expect((error as GasHammerError).diagnostics.length).toBeGreaterThan(1);
    }
  });

  it('refuses to launch an unknown scenario (GH-E303) or without enough idle edges (GH-E301)', async () => {
    const h = hive();
    await expect(h.launch({ scenario: 'nope' })).rejects.toMatchObject({ code: 'GH-E303' });
    h.putScenario(SCENARIO);
    const id = h.register({ name: 'e1', capabilities: caps() }).edgeId!.value;
    h.controlOpened(id, { send: () => {}, close: () => {} });
    await expect(h.launch({ scenario: 'hive-unit' })).rejects.toMatchObject({ code: 'GH-E301' });
    // One edge is enough when the request asks for one.
    await expect(h.launch({ scenario: 'hive-unit', edges: 1 })).rejects.toThrow('no target in unit tests');
  });

  it('refuses telemetry for a run it does not know', async () => {
    const h = hive();
    await expect(h.telemetry({ runId: 'r', edgeId: 'e', batchSeq: 0n, events: [], droppedTotal: 0n })).rejects.toThrow(/unknown run r/);
  });
});

describe('Hive telemetry flushing', () => {
  it("writes a run's buffered telemetry on a timer while the run lasts, and stops when it ends", async () => {
    vi.useFakeTimers();
    try {
      let flushes = 0;
      const h = new Hive({
        bind: '127.0.0.1',
        grpcPort: 0,
        dataDir: '/nonexistent',
        telemetryFlushIntervalMs: 1_000,
        provideTarget: async () => ({
          kind: 'devnet',
          target: { rpcUrl: 'http://127.0.0.1:1', wsUrl: '', feedUrl: '', chainId: 412346n, contracts: undefined },
          fund: async () => {},
          release: async () => {},
        }),
        openStore: () => ({ append: () => {}, flush: () => void flushes++, close: async () => ({ files: [], rows: 0 }) }),
      });
      h.putScenario(SCENARIO);
      const id = h.register({ name: 'e1', capabilities: caps() }).edgeId!.value;
      h.controlOpened(id, { send: () => {}, close: () => {} });
      // The edge never answers, so the run sits in preflight.
      const run = await h.launch({ scenario: 'hive-unit', edges: 1 });
      await vi.advanceTimersByTimeAsync(3_500);
      expect(flushes).toBe(3);
      h.cancelRun(run.runId, 'test over');
      await vi.advanceTimersByTimeAsync(30_000);
      const report = await run.done;
      expect(report.outcome).toEqual({ state: 'aborted', reason: 'test over' });
      const after = flushes;
      await vi.advanceTimersByTimeAsync(5_000);
      expect(flushes).toBe(after);
    } finally {
      vi.useRealTimers();
    }
  });
});
