// Faults for one run, as the hive uses them: before any load, the safety rails (the run's real
// environment must be allowed, every adapter the schedule needs must pass its preflight, a feed
// fault needs a feed) and, when the proxy is used, one set of proxy listeners per edge, whose
// URLs the edges get instead of the target's. Then the timeline starts with the first phase, and
// finish() clears every fault however the run ends. A run without a fault_schedule gets none of
// this: its edges talk to the target directly.

import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { Target } from '../proto/gashammer/v1/types.js';
import type { RunPlan } from '../scenario/compile.js';
import type { FaultSpec } from '../scenario/types.js';
import type { FaultCleared, FaultInjected } from '../telemetry/events.js';
import type { AdapterName, FaultAdapter } from './adapter.js';
import { FaultManager, type ClearReason } from './fault-manager.js';
import { checkFaultEnvironment, FaultTimeline } from './fault-timeline.js';
import { FaultProxy } from './proxy/fault-proxy.js';
import { ProxyAdapter } from './proxy-adapter.js';

/** Builds the kernel adapter `name` for a run (netem, iptables); the default makes the real ones. */
export type KernelAdapterFactory = (
  name: Exclude<AdapterName, 'proxy'>,
  context: { readonly target: Target; readonly log: (level: 'info' | 'warn' | 'error', message: string) => void },
) => FaultAdapter;

export interface RunFaultsOptions {
  readonly plan: RunPlan;
  /** The target the run really has (URLs the edges would use without faults). */
  readonly target: Target;
  /** The environment of that target (the scenario's, or 'staging' for a URL given at run time). */
  readonly environment: string;
  readonly record: (event: FaultInjected | FaultCleared) => void;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Address the proxy listens on (the hive's bind address); default 127.0.0.1. */
  readonly proxyHost?: string;
  /** Host in the proxy URLs edges get; default: proxyHost (127.0.0.1 for 0.0.0.0 and ::). */
  readonly proxyAdvertiseHost?: string;
  readonly kernelAdapters: KernelAdapterFactory;
}

export interface RunFaults {
  /** The target edge `index` is handed: the proxy's URLs for the routes it faults. */
  edgeTarget(index: number): Target;
  /** Starts the timeline at the start of the first phase (wall ms). */
  start(startWallMs: number): void;
  /** Clears every fault (idempotent); returns the problems the run had with faults. */
  finish(reason: ClearReason): Promise<readonly string[]>;
  /** Closes the proxy (after the edges are done with it). */
  close(): Promise<void>;
}

function injectedSpecs(plan: RunPlan): FaultSpec[] {
  return plan.faultTimeline.flatMap((e) => (e.event.action === 'inject' ? [e.event.fault] : []));
}

/** Prepares a run's faults; undefined when the plan has none. Throws GH-E704, GH-E703, GH-E702 before any load. */
export async function prepareRunFaults(options: RunFaultsOptions): Promise<RunFaults | undefined> {
  const { plan, target } = options;
  const specs = injectedSpecs(plan);
  if (specs.length === 0) return undefined;
  checkFaultEnvironment(plan.faultTimeline, options.environment);
  const feedless = specs.filter((s) => s.target === 'feed-relay' && s.adapter === 'proxy' && target.feedUrl === '');
  if (feedless.length > 0) {
    throw new GasHammerError(ErrorCodes.FaultSchedule, `fault(s) ${feedless.map((s) => `'${s.name}'`).join(', ')} act on the sequencer feed, but the target has none`, {
      hint: 'give the target a feed URL (target.feed_relay), or remove the feed faults',
    });
  }

  const needed = new Set(specs.map((s) => s.adapter));
  const adapters: FaultAdapter[] = [];
  let proxy: FaultProxy | undefined;
  if (needed.has('proxy')) {
    proxy = new FaultProxy({ host: options.proxyHost ?? '127.0.0.1', ...(options.proxyAdvertiseHost ? { advertiseHost: options.proxyAdvertiseHost } : {}) });
    adapters.push(new ProxyAdapter(proxy));
  }
  const log = options.log ?? (() => {});
  for (const name of ['netem', 'iptables'] as const) if (needed.has(name)) adapters.push(options.kernelAdapters(name, { target, log }));
  const manager = new FaultManager({
    adapters,
    record: options.record,
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    await manager.preflight(needed);
  } catch (error) {
    await proxy?.close();
    throw error;
  }
  // A kernel rule or qdisc a crashed earlier run left would act on this run, or block its own
  // inject on the same interface: clear them before any load.
  for (const adapter of adapters) {
    if (adapter.name === 'proxy') continue;
    const left = await adapter.clearAll().catch(() => 0);
    if (left > 0) log('warn', `cleared ${left} ${adapter.name} fault(s) an earlier run left behind`);
  }

  // Without proxy faults the edges talk to the target directly.
  const edgeTargets: Target[] = [];
  try {
    if (proxy) {
      for (const edge of plan.edges) {
        const urls = await proxy.addEdge(edge.index, { rpcUrl: target.rpcUrl, ...(target.wsUrl ? { wsUrl: target.wsUrl } : {}), ...(target.feedUrl ? { feedUrl: target.feedUrl } : {}) });
        edgeTargets.push({ ...target, rpcUrl: urls.rpcUrl, wsUrl: urls.wsUrl ?? '', feedUrl: urls.feedUrl ?? '' });
      }
    }
  } catch (error) {
    await proxy?.close();
    throw new GasHammerError(ErrorCodes.FaultInject, 'the fault proxy could not listen', { cause: error, details: error instanceof Error ? error.message : String(error) });
  }

  const timeline = new FaultTimeline({ entries: plan.faultTimeline, manager, ...(options.log ? { log: options.log } : {}) });
  let finished: Promise<readonly string[]> | undefined;
  let closed = false;
  return {
    edgeTarget: (index) => edgeTargets[index] ?? target,
    start: (startWallMs) => timeline.start(startWallMs),
    finish: (reason) => (finished ??= timeline.stop(reason)),
    close: async () => {
      if (closed) return;
      closed = true;
      await (finished ??= timeline.stop('shutdown'));
      await proxy?.close();
    },
  };
}
