// The fault manager and the timeline on fake time, over the real proxy adapter: faults are
// routed to their adapter, recorded as FaultInjected/FaultCleared, cleared when their duration
// is over, by a schedule's clear, and all at once at the end; preflight failures block with
// GH-E703 naming every reason; an environment the schedule does not allow is refused with
// GH-E704; a clear that fails leaves no FaultCleared (the fault may still be in force).

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FaultAdapter, FaultApplication } from '../../src/fault/adapter.js';
import { FaultManager } from '../../src/fault/fault-manager.js';
import { checkFaultEnvironment, FaultTimeline } from '../../src/fault/fault-timeline.js';
import { FaultProxy } from '../../src/fault/proxy/fault-proxy.js';
import { ProxyAdapter } from '../../src/fault/proxy-adapter.js';
import { isGasHammerError } from '../../src/errors/gashammer-error.js';
import { compileScenario } from '../../src/scenario/compile.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import type { FaultSpec } from '../../src/scenario/types.js';
import type { FaultCleared, FaultInjected } from '../../src/telemetry/events.js';

let proxy: FaultProxy;
let adapter: ProxyAdapter;
let events: Array<FaultInjected | FaultCleared>;
let manager: FaultManager;
let mono: bigint;

beforeAll(async () => {
  proxy = new FaultProxy();
  // The upstream is never contacted: these tests look at which faults are in force.
  await proxy.addEdge(0, { rpcUrl: 'http://127.0.0.1:9/', feedUrl: 'ws://127.0.0.1:9/' });
  await proxy.addEdge(1, { rpcUrl: 'http://127.0.0.1:9/' });
  adapter = new ProxyAdapter(proxy);
});

afterAll(async () => {
  await proxy.close();
});

beforeEach(() => {
  vi.useFakeTimers();
  events = [];
  mono = 0n;
  manager = new FaultManager({ adapters: [adapter], record: (e) => events.push(e), monoNs: () => mono });
});

afterEach(async () => {
  vi.useRealTimers();
  await adapter.clearAll();
});

function spec(name: string, extra: Partial<FaultSpec> = {}): FaultSpec {
  return { type: 'latency', name, target: 'sequencer-rpc', adapter: 'proxy', params: { latency_ms: 200 }, ...extra };
}

const app = (s: FaultSpec, edgeIndexes = [0, 1]): FaultApplication => ({ spec: s, edgeIndexes });

describe('FaultManager', () => {
  it('injects through the adapter, records the event, and clears by reference with the reason', async () => {
    await manager.inject(app(spec('slow-rpc'), [1]));
    expect(await adapter.active()).toHaveLength(1);
    expect(events).toEqual([
      { kind: 'FaultInjected', faultName: 'slow-rpc', faultType: 'latency', faultTarget: 'sequencer-rpc', adapter: 'proxy', edgeIndexes: '1', params: '{"latency_ms":200}' },
    ]);
    mono = 5_000_000_000n;
    expect(await manager.clear({ name: 'slow-rpc' })).toBe(1);
    expect(await adapter.active()).toEqual([]);
    expect(events[1]).toEqual({ kind: 'FaultCleared', faultName: 'slow-rpc', faultType: 'latency', faultTarget: 'sequencer-rpc', adapter: 'proxy', edgeIndexes: '1', reason: 'schedule', activeNs: 5_000_000_000n });
    expect(await manager.clear({ name: 'slow-rpc' })).toBe(0);
  });

  it('clears a fault when its duration is over, once', async () => {
    await manager.inject(app(spec('brief', { durationSecs: 3 })));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(manager.list()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(manager.list()).toEqual([]);
    expect(await adapter.active()).toEqual([]);
    expect(events.map((e) => (e.kind === 'FaultCleared' ? e.reason : e.kind))).toEqual(['FaultInjected', 'duration']);
    expect(await manager.clear({ name: 'brief' })).toBe(0);
  });

  it('clearAll clears everything with the reason, and the proxy has nothing left', async () => {
    await manager.inject(app(spec('a')));
    await manager.inject(app(spec('b', { type: 'rpc-error', params: { error_pct: 10 } })));
    await manager.inject(app(spec('c', { type: 'feed-disconnect', target: 'feed-relay', params: {}, durationSecs: 60 })));
    expect(await manager.clearAll('abort')).toEqual([]);
    expect(proxy.activeFaults()).toEqual([]);
    expect(events.filter((e) => e.kind === 'FaultCleared').map((e) => [e.faultName, (e as FaultCleared).reason])).toEqual([
      ['a', 'abort'],
      ['b', 'abort'],
      ['c', 'abort'],
    ]);
    // The duration timer of 'c' was cancelled with it.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(events).toHaveLength(6);
  });

  it('refuses a fault whose adapter the run did not prepare (GH-E700) and records nothing', async () => {
    await expect(manager.inject(app(spec('k', { type: 'port-block', adapter: 'iptables', params: { port: 1 } })))).rejects.toMatchObject({ code: 'GH-E700' });
    expect(events).toEqual([]);
  });

  it('preflight blocks with GH-E703 listing every reason', async () => {
    const notHere: FaultAdapter = {
      name: 'netem',
      supports: ['latency'],
      preflight: () => Promise.resolve({ adapter: 'netem', ready: false, issues: ['tc is not installed', 'no CAP_NET_ADMIN'] }),
      inject: () => Promise.reject(new Error('unused')),
      clear: () => Promise.resolve(),
      clearAll: () => Promise.resolve(0),
      active: () => Promise.resolve([]),
    };
    const m = new FaultManager({ adapters: [adapter, notHere], record: () => {} });
    await expect(m.preflight(['proxy'])).resolves.toHaveLength(1);
    const error: unknown = await m.preflight(['proxy', 'netem', 'iptables']).catch((e: unknown) => e);
    expect(isGasHammerError(error) && error.code).toBe('GH-E703');
    const text = isGasHammerError(error) ? error.render() : '';
    expect(text).toContain('netem: tc is not installed');
    expect(text).toContain('netem: no CAP_NET_ADMIN');
    expect(text).toContain('iptables: the iptables adapter is not available');
  });

  it('a clear that fails (stub adapter: a tool that refuses) records no FaultCleared and says GH-E701; clearAll goes on with the rest', async () => {
    const stuck: FaultAdapter = {
      name: 'iptables',
      supports: ['port-block'],
      preflight: () => Promise.resolve({ adapter: 'iptables', ready: true, issues: [] }),
      inject: (a) => Promise.resolve({ id: 'stuck-1', adapter: 'iptables', application: a, description: 'iptables -I INPUT ...' }),
      clear: () => Promise.reject(new Error('iptables: Resource temporarily unavailable')),
      clearAll: () => Promise.resolve(0),
      active: () => Promise.resolve([]),
    };
    const m = new FaultManager({ adapters: [adapter, stuck], record: (e) => events.push(e) });
    await m.inject(app(spec('blocked', { type: 'port-block', adapter: 'iptables', params: { port: 8547 } })));
    await m.inject(app(spec('slow')));
    const problems = await m.clearAll('run-end');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('GH-E701');
    expect(events.filter((e) => e.kind === 'FaultCleared').map((e) => e.faultName)).toEqual(['slow']);
    expect(proxy.activeFaults()).toEqual([]);
  });
});

const SCENARIO = `
name: timeline
description: faults on a timeline
version: "1"
target: devnet
workload:
  gas_rate: { type: sustained, gas_per_sec: 1_000_000 }
  templates: [{ name: simple-transfer, weight: 1 }]
edges: { count: 2 }
phases: [{ name: p, duration_secs: 60 }]
fault_schedule:
  - { at_secs: 20, action: clear, fault: { name: slow } }
  - { at_secs: 10, action: inject, edges: { ids: [1] }, fault: { name: slow, type: latency, target: sequencer-rpc, latency_ms: 200 } }
  - { at_secs: 30, action: inject, fault: { name: errors, type: rpc-error, target: sequencer-rpc, error_pct: 10, duration_secs: 5 } }
  - { at_secs: 50, action: inject, fault: { name: late, type: rpc-slow, target: sequencer-rpc, delay_ms: 100 } }
`;

function plan(text = SCENARIO) {
  const loaded = loadScenarioText(text, 'timeline.yaml');
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join('; '));
  return compileScenario(loaded.scenario);
}

describe('FaultTimeline', () => {
  it('plays the schedule at its offsets from the run start, in order, and stop clears what is left', async () => {
    const start = Date.now();
    const timeline = new FaultTimeline({ entries: plan().faultTimeline, manager });
    timeline.start(start);
    const names = () => manager.list().map((f) => f.handle.application.spec.name);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(names()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(names()).toEqual(['slow']);
    expect(manager.list()[0]!.handle.application.edgeIndexes).toEqual([1]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(names()).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(names()).toEqual(['errors']);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(names()).toEqual([]);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(names()).toEqual(['late']);
    expect(await timeline.stop('run-end')).toEqual([]);
    expect(proxy.activeFaults()).toEqual([]);
    expect(events.map((e) => `${e.kind}:${e.faultName}${e.kind === 'FaultCleared' ? `:${e.reason}` : ''}`)).toEqual([
      'FaultInjected:slow',
      'FaultCleared:slow:schedule',
      'FaultInjected:errors',
      'FaultCleared:errors:duration',
      'FaultInjected:late',
      'FaultCleared:late:run-end',
    ]);
  });

  it('stop before an event fires cancels it', async () => {
    const timeline = new FaultTimeline({ entries: plan().faultTimeline, manager });
    timeline.start(Date.now());
    await vi.advanceTimersByTimeAsync(15_000);
    await timeline.stop('abort');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events.map((e) => e.kind)).toEqual(['FaultInjected', 'FaultCleared']);
    expect(manager.list()).toEqual([]);
  });

  it('an inject that fails mid-run is a problem of the run, not its end', async () => {
    const entries = plan().faultTimeline.map((e) => (e.event.action === 'inject' && e.faultName === 'slow' ? { ...e, event: { ...e.event, fault: { ...e.event.fault, adapter: 'netem' as const } } } : e));
    const timeline = new FaultTimeline({ entries, manager });
    timeline.start(Date.now());
    await vi.advanceTimersByTimeAsync(32_000);
    expect(timeline.issues()).toHaveLength(1);
    expect(timeline.issues()[0]).toContain("fault 'slow' (inject at 10s)");
    expect(manager.list().map((f) => f.handle.application.spec.name)).toEqual(['errors']);
    await timeline.stop('run-end');
  });
});

describe('checkFaultEnvironment', () => {
  it('passes the devnet, and refuses staging and production naming every refused event', () => {
    const entries = plan().faultTimeline;
    expect(() => checkFaultEnvironment(entries, 'devnet')).not.toThrow();
    for (const env of ['staging', 'production']) {
      const error: unknown = (() => {
        try {
          checkFaultEnvironment(entries, env);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(isGasHammerError(error) && error.code).toBe('GH-E704');
      const text = isGasHammerError(error) ? error.render() : '';
      for (const name of ['slow', 'errors', 'late']) expect(text).toContain(`fault '${name}'`);
      expect(text).toContain(`environment '${env}'`);
    }
  });
});
