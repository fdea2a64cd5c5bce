// The fault proxy as a fault adapter: inject puts a fault in force on the proxy's routes of the
// chosen edges, clear takes it out. It needs no privileges, so its preflight only says whether
// the routes a fault needs exist (a feed fault needs edges that follow a feed).

import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { ADAPTER_FAULT_TYPES, newHandleId, type FaultAdapter, type FaultApplication, type FaultHandle, type PreflightResult } from './adapter.js';
import type { FaultProxy } from './proxy/fault-proxy.js';
import { routeKindsOf } from './proxy/proxy-faults.js';

export class ProxyAdapter implements FaultAdapter {
  readonly name = 'proxy' as const;
  readonly supports = ADAPTER_FAULT_TYPES.proxy;

  constructor(private readonly proxy: FaultProxy) {}

  preflight(): Promise<PreflightResult> {
    return Promise.resolve({ adapter: this.name, ready: true, issues: [] });
  }

  inject(application: FaultApplication): Promise<FaultHandle> {
    const { spec, edgeIndexes } = application;
    if (!this.supports.includes(spec.type)) {
      return Promise.reject(new GasHammerError(ErrorCodes.FaultInject, `the proxy cannot inject ${spec.type} ('${spec.name}')`));
    }
    const kinds = routeKindsOf(spec.target);
    if (!kinds.some((k) => this.proxy.hasRoutes(k))) {
      return Promise.reject(
        new GasHammerError(ErrorCodes.FaultInject, `fault '${spec.name}' acts on ${spec.target}, but no edge connection of that kind passes through the proxy`, {
          hint: spec.target === 'feed-relay' ? 'the target has no sequencer feed URL; give one (target.feed_relay or --feed) or fault the RPC' : 'the run has no proxied RPC route',
        }),
      );
    }
    const id = newHandleId(this.name);
    this.proxy.addFault({ id, type: spec.type, target: spec.target, edgeIndexes: new Set(edgeIndexes), params: spec.params });
    const handle: FaultHandle = { id, adapter: this.name, application, description: `proxy ${spec.type} on ${spec.target} for edge(s) ${edgeIndexes.join(',')} ${JSON.stringify(spec.params)}` };
    return Promise.resolve(handle);
  }

  clear(handle: FaultHandle): Promise<void> {
    this.proxy.removeFault(handle.id);
    return Promise.resolve();
  }

  clearAll(): Promise<number> {
    const faults = this.proxy.activeFaults();
    for (const f of faults) this.proxy.removeFault(f.id);
    return Promise.resolve(faults.length);
  }

  active(): Promise<readonly string[]> {
    return Promise.resolve(this.proxy.activeFaults().map((f) => `${f.id} ${f.type} on ${f.target}`));
  }
}
