// The hive's fault rails, with edges played by in-process control channels: a scenario whose
// adapter cannot run here is refused before any edge is assigned (GH-E703) and its target is
// released; with proxy faults each edge is assigned its own proxy URLs instead of the target's;
// and when the hive shuts down mid-run every fault is cleared (recorded as 'shutdown') and the
// proxy stops listening, so nothing outlives the run.

import { afterEach, describe, expect, it } from 'vitest';
import type { FaultAdapter } from '../../src/fault/adapter.js';
import { PROTOCOL_REVISION } from '../../src/hive/grpc-server.js';
import { Hive, type ProvidedTarget } from '../../src/hive/hive.js';
import type { ControlMessage } from '../../src/proto/gashammer/v1/hive_edge.js';
import type { TelemetryEvent } from '../../src/telemetry/events.js';

const scenario = (fault: string) => `name: hive-faults
description: d
version: "1"
edges: {count: 2}
workload: {templates: [{name: simple-transfer, weight: 1}]}
phases: [{name: p, duration_secs: 30, gas_rate_override: {type: sustained, gas_per_sec: 100_000}}]
fault_schedule:
  - {at_secs: 0, action: inject, fault: ${fault}}
`;

const caps = { version: '0.1.0', build: 'b', nodeVersion: '20', cpus: 2, nativeSigner: true, protocol: PROTOCOL_REVISION };
const ADDRESSES = ['0x00000000000000000000000000000000000000a1', '0x00000000000000000000000000000000000000a2'];

let hive: Hive | undefined;
afterEach(async () => {
  await hive?.stop();
  hive = undefined;
});

interface Setup {
  readonly hive: Hive;
  readonly stored: TelemetryEvent[];
  readonly assigned: Map<string, ControlMessage[]>;
  released: number;
}

/** A hive whose two edges answer like real ones: name their accounts, get ready, finish on stop or abort. */
function setup(kernelAdapters?: () => FaultAdapter): Setup {
  const stored: TelemetryEvent[] = [];
  const assigned = new Map<string, ControlMessage[]>();
  const s: Setup = { hive: undefined as unknown as Hive, stored, assigned, released: 0 };
  const target: ProvidedTarget = {
    kind: 'devnet',
    // Nothing listens here: the run never gets as far as sending load.
    target: { rpcUrl: 'http://127.0.0.1:9/', wsUrl: 'ws://127.0.0.1:9/', feedUrl: 'ws://127.0.0.1:9/feed', chainId: 412_346n, contracts: undefined },
    fund: () => Promise.resolve(),
    release: () => {
      s.released++;
      return Promise.resolve();
    },
  };
  const h = new Hive({
    bind: '127.0.0.1',
    grpcPort: 0,
    dataDir: '/nonexistent',
    provideTarget: () => Promise.resolve(target),
    openStore: () => ({ append: (events) => void stored.push(...events), close: () => Promise.resolve({ files: [], rows: 0 }) }),
    ...(kernelAdapters ? { kernelAdapters } : {}),
  });
  (s as { hive: Hive }).hive = h;
  hive = h;
  for (const [i, name] of ['edge-0', 'edge-1'].entries()) {
    const id = h.register({ name, capabilities: caps }).edgeId!.value;
    const messages: ControlMessage[] = [];
    assigned.set(name, messages);
    h.controlOpened(id, {
      send: (m: ControlMessage) => {
        messages.push(m);
        const finished = () => h.report(id, { report: { $case: 'finished', value: { runId: undefined, eventsShipped: 0n, eventsDropped: 0n, eventsRecorded: 0n } } });
        switch (m.command?.$case) {
          case 'assign':
            queueMicrotask(() => h.report(id, { report: { $case: 'accounts', value: { runId: undefined, addresses: [ADDRESSES[i]!] } } }));
            break;
          case 'funded':
            queueMicrotask(() => h.report(id, { report: { $case: 'ready', value: { runId: undefined, accounts: 1 } } }));
            break;
          case 'abort':
          case 'stop':
            queueMicrotask(finished);
            break;
          default:
            break;
        }
      },
      close: () => {},
    });
  }
  return s;
}

describe('Hive fault rails', () => {
  it('refuses a schedule whose adapter cannot run here before any edge is assigned (GH-E703), and releases the target', async () => {
    const notHere: FaultAdapter = {
      name: 'netem',
      supports: ['latency'],
      preflight: () => Promise.resolve({ adapter: 'netem', ready: false, issues: ['the kernel has no netem qdisc'] }),
      inject: () => Promise.reject(new Error('unused')),
      clear: () => Promise.resolve(),
      clearAll: () => Promise.resolve(0),
      active: () => Promise.resolve([]),
    };
    const s = setup(() => notHere);
    s.hive.putScenario(scenario('{type: latency, target: sequencer-rpc, adapter: netem, interface: eth0, latency_ms: 100}'));
    await expect(s.hive.launch({ scenario: 'hive-faults' })).rejects.toMatchObject({ code: 'GH-E703' });
    expect(s.released).toBe(1);
    expect([...s.assigned.values()].flat()).toEqual([]);
    expect(s.hive.listRuns()).toEqual([]);
  });

  it('hands each edge its own proxy URLs, and a shutdown mid-run clears every fault and closes the proxy', async () => {
    const s = setup();
    s.hive.putScenario(scenario('{name: slow, type: latency, target: sequencer-rpc, latency_ms: 100}'));
    const entry = await s.hive.launch({ scenario: 'hive-faults' });
    const targets = [...s.assigned.values()].map((m) => {
      const assign = m.find((x) => x.command?.$case === 'assign');
      return assign?.command?.$case === 'assign' ? assign.command.value.target : undefined;
    });
    expect(targets.every((t) => t !== undefined)).toBe(true);
    const urls = targets.map((t) => t!.rpcUrl);
    expect(new Set(urls).size).toBe(2);
    expect(urls).not.toContain('http://127.0.0.1:9/');
    expect(targets.every((t) => t!.feedUrl.startsWith('ws://127.0.0.1:') && t!.feedUrl.endsWith('/feed'))).toBe(true);

    // The run reaches its phase: the timeline injects at 0 s.
    await new Promise<void>((resolve) => {
      const check = () => (s.stored.some((e) => e.kind === 'FaultInjected') ? resolve() : setImmediate(check));
      check();
    });
    expect(await fetch(urls[0]!, { method: 'POST', body: '{}' }).then(() => 'answered', () => 'refused')).toBe('answered');
    expect(await s.hive.metrics.metrics()).toContain('gashammer_faults_active 1');
    await s.hive.stop();
    const metrics = await s.hive.metrics.metrics();
    expect(metrics).toContain('gashammer_faults_active 0');
    expect(metrics).toContain('gashammer_faults_injected_total{type="latency"} 1');
    await entry.done;
    const faults = s.stored.filter((e) => e.kind === 'FaultInjected' || e.kind === 'FaultCleared');
    expect(faults.map((e) => (e.kind === 'FaultCleared' ? `cleared ${e.reason}` : 'injected'))).toEqual(['injected', 'cleared shutdown']);
    expect(faults.every((e) => e.edgeId === '@hive' && e.runId === entry.runId)).toBe(true);
    // The proxy is gone with the run.
    expect(await fetch(urls[0]!, { method: 'POST', body: '{}', signal: AbortSignal.timeout(2_000) }).then(() => 'answered', () => 'refused')).toBe('refused');
  });
});
