// The contract every fault adapter keeps: what it can inject, whether it can run here (and why
// not), and inject -> handle -> clear, with clearAll as the backstop that leaves nothing behind.
// The fault manager (fault-manager.ts) is the only caller; adapters never schedule anything.

import type { FaultSpec, FaultType } from '../scenario/types.js';

export const ADAPTER_NAMES = ['proxy', 'netem', 'iptables'] as const;
export type AdapterName = (typeof ADAPTER_NAMES)[number];

/** Which adapter can inject which fault type; the scenario's `adapter` field picks among them. */
export const ADAPTER_FAULT_TYPES: Readonly<Record<AdapterName, readonly FaultType[]>> = {
  proxy: ['latency', 'jitter', 'packet-loss', 'bandwidth', 'connection-reset', 'partition', 'feed-disconnect', 'rpc-slow', 'rpc-error'],
  netem: ['latency', 'jitter', 'packet-loss', 'bandwidth'],
  iptables: ['connection-reset', 'port-block'],
};

/** The adapter a fault uses when the scenario names none: the proxy, which needs no privileges, wherever it can. */
export function defaultAdapter(type: FaultType): AdapterName {
  return ADAPTER_FAULT_TYPES.proxy.includes(type) ? 'proxy' : 'iptables';
}

/** Kernel adapters act on a host's interface or port, for every connection through it. */
export function actsOnHost(adapter: AdapterName): boolean {
  return adapter !== 'proxy';
}

/** Whether an adapter can run on this machine now, and every reason it cannot. */
export interface PreflightResult {
  readonly adapter: AdapterName;
  readonly ready: boolean;
  /** Empty when ready; otherwise each thing that is missing, in words a person can act on. */
  readonly issues: readonly string[];
}

/** One fault to apply: the scenario's spec and where it lands. */
export interface FaultApplication {
  readonly spec: FaultSpec;
  /**
   * Edge indexes the fault applies to. The proxy honours it per edge; the kernel adapters act on
   * a whole interface or port and are only given faults for every edge (semantic.ts checks it).
   */
  readonly edgeIndexes: readonly number[];
}

/** A fault that is in force; the adapter's own record of what to undo is behind `id`. */
export interface FaultHandle {
  /** Unique within the process. */
  readonly id: string;
  readonly adapter: AdapterName;
  readonly application: FaultApplication;
  /** What was done, in the adapter's words (e.g. the tc or iptables command), for logs and reports. */
  readonly description: string;
}

export interface FaultAdapter {
  readonly name: AdapterName;
  /** Fault types this adapter can inject. */
  readonly supports: readonly FaultType[];
  preflight(): Promise<PreflightResult>;
  /** Applies the fault; throws GasHammerError GH-E700 when it could not, having left nothing behind. */
  inject(application: FaultApplication): Promise<FaultHandle>;
  /** Removes exactly what `inject` did; clearing a handle twice is a no-op. Throws GH-E701. */
  clear(handle: FaultHandle): Promise<void>;
  /** Removes every fault this adapter applied (and, for kernel adapters, any left by a crashed run); returns how many. */
  clearAll(): Promise<number>;
  /** Faults this adapter has in force now, described (tests list them after each case). */
  active(): Promise<readonly string[]>;
}

let nextHandle = 0;

/** A process-unique handle id, `<adapter>-<n>`. */
export function newHandleId(adapter: AdapterName): string {
  nextHandle += 1;
  return `${adapter}-${nextHandle}`;
}
