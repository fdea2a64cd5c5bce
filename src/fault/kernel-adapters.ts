// The real kernel adapters for a run: netem on the interface the scenario names, iptables on the
// port the fault names or, failing that, the port of the target endpoint the fault acts on.

import type { Target } from '../proto/gashammer/v1/types.js';
import type { FaultSpec } from '../scenario/types.js';
import { IptablesAdapter } from './iptables-adapter.js';
import { NetemAdapter } from './netem-adapter.js';
import type { KernelAdapterFactory } from './run-faults.js';

/** The TCP port of the endpoint a fault target names, from the URL (default ports included). */
export function endpointPort(target: Target, spec: Pick<FaultSpec, 'target'>): number | undefined {
  const raw = spec.target === 'feed-relay' ? target.feedUrl : target.rpcUrl;
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if (url.port !== '') return Number(url.port);
    return url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80;
  } catch {
    return undefined;
  }
}

export const realKernelAdapters: KernelAdapterFactory = (name, { target, log }) => {
  // A rule or qdisc someone else removed before the clear is worth a line in the log, no more.
  const onNote = (message: string) => log('warn', message);
  return name === 'netem' ? new NetemAdapter({ onNote }) : new IptablesAdapter({ onNote, defaultPort: (spec: FaultSpec) => endpointPort(target, spec) });
};
