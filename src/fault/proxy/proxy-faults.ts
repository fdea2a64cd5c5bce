// The faults the proxy has in force and what they mean for one connection: which routes a fault
// reaches (edge and kind of connection), and, per request or message, whether to refuse, reset,
// drop, delay, throttle or answer with an error. Pure decisions over an injected random source,
// so the rates and delays are tested exactly; fault-proxy.ts does the I/O.

import type { FaultTarget, FaultType } from '../../scenario/types.js';

/** The three kinds of connection an edge makes to a target. */
export type RouteKind = 'rpc' | 'ws' | 'feed';

/** Route kinds a scenario fault target reaches. An edge talks to one RPC endpoint, so the
 * sequencer and the gateway RPC are the same connections as seen from the edge. */
export function routeKindsOf(target: FaultTarget): readonly RouteKind[] {
  return target === 'feed-relay' ? ['feed'] : ['rpc', 'ws'];
}

export interface ProxyFault {
  readonly id: string;
  readonly type: FaultType;
  readonly target: FaultTarget;
  readonly edgeIndexes: ReadonlySet<number>;
  readonly params: Readonly<Record<string, number | string>>;
}

/** What one request (or WebSocket message) meets, decided once when it arrives. */
export interface RequestPlan {
  /** Refuse the connection outright (partition, connection-reset). */
  readonly reset: boolean;
  /** Swallow it: no answer ever (request-level packet loss). */
  readonly drop: boolean;
  /** Added before forwarding (latency, jitter), ms. */
  readonly delayBeforeMs: number;
  /** Added before answering (rpc-slow), ms. */
  readonly delayAfterMs: number;
  /** Answer with this HTTP status instead of forwarding (rpc-error with http_status). */
  readonly httpStatus: number | undefined;
  /** Bandwidth caps in force, kbit/s (the tightest wins). */
  readonly rateKbps: number | undefined;
}

export const INJECTED_ERROR_CODE = -32603;
export const INJECTED_ERROR_MESSAGE = 'GasHammer injected fault';

/** A JSON-RPC error answer the proxy makes up, for one call. */
export interface InjectedRpcError {
  readonly code: number;
  readonly message: string;
}

function num(params: ProxyFault['params'], key: string): number {
  const v = params[key];
  return typeof v === 'number' ? v : 0;
}

export class ProxyFaultSet {
  private readonly faults = new Map<string, ProxyFault>();

  constructor(private readonly random: () => number = Math.random) {}

  add(fault: ProxyFault): void {
    this.faults.set(fault.id, fault);
  }

  remove(id: string): ProxyFault | undefined {
    const fault = this.faults.get(id);
    this.faults.delete(id);
    return fault;
  }

  list(): readonly ProxyFault[] {
    return [...this.faults.values()];
  }

  get size(): number {
    return this.faults.size;
  }

  /** Faults that reach route (edgeIndex, kind). */
  on(edgeIndex: number, kind: RouteKind): ProxyFault[] {
    const out: ProxyFault[] = [];
    for (const f of this.faults.values()) if (reaches(f, edgeIndex, kind)) out.push(f);
    return out;
  }

  /** Whether the route's connections are cut now (open ones closed, new ones refused). */
  refusesConnections(edgeIndex: number, kind: RouteKind): boolean {
    return this.on(edgeIndex, kind).some((f) => refuses(f, kind));
  }

  /** Whether new TCP connections are reset at once (a partition or reset; a feed disconnect answers 503 instead, as a relay that is up but refuses). */
  resetsConnections(edgeIndex: number, kind: RouteKind): boolean {
    return this.on(edgeIndex, kind).some((f) => f.type === 'partition' || f.type === 'connection-reset');
  }

  /** The fate of one request or message on the route. */
  plan(edgeIndex: number, kind: RouteKind): RequestPlan {
    let reset = false;
    let drop = false;
    let delayBeforeMs = 0;
    let delayAfterMs = 0;
    let httpStatus: number | undefined;
    let rateKbps: number | undefined;
    for (const f of this.on(edgeIndex, kind)) {
      switch (f.type) {
        case 'partition':
        case 'connection-reset':
        case 'feed-disconnect':
          if (refuses(f, kind)) reset = true;
          break;
        case 'packet-loss':
          if (this.chance(num(f.params, 'loss_pct'))) drop = true;
          break;
        case 'latency':
        case 'jitter':
          delayBeforeMs += num(f.params, 'latency_ms') + this.random() * num(f.params, 'jitter_ms');
          break;
        case 'rpc-slow':
          delayAfterMs += num(f.params, 'delay_ms');
          break;
        case 'bandwidth': {
          const rate = num(f.params, 'rate_kbps');
          if (rate > 0) rateKbps = rateKbps === undefined ? rate : Math.min(rateKbps, rate);
          break;
        }
        case 'rpc-error':
          if (typeof f.params.http_status === 'number' && this.chance(num(f.params, 'error_pct'))) httpStatus = f.params.http_status;
          break;
        case 'port-block':
          break;
      }
    }
    return { reset, drop, delayBeforeMs, delayAfterMs, httpStatus, rateKbps };
  }

  /**
   * Per JSON-RPC call: the made-up error it gets, or undefined to forward it. Decided per call,
   * so a batch of 100 calls at 10% gets about 10 errors, the rest answered by the node.
   */
  rpcErrorFor(edgeIndex: number, kind: RouteKind): InjectedRpcError | undefined {
    for (const f of this.on(edgeIndex, kind)) {
      if (f.type !== 'rpc-error' || typeof f.params.http_status === 'number') continue;
      if (!this.chance(num(f.params, 'error_pct'))) continue;
      return {
        code: typeof f.params.rpc_code === 'number' ? f.params.rpc_code : INJECTED_ERROR_CODE,
        message: typeof f.params.message === 'string' ? f.params.message : INJECTED_ERROR_MESSAGE,
      };
    }
    return undefined;
  }

  /** Whether any fault on the route answers JSON-RPC calls with errors (so bodies must be parsed). */
  injectsRpcErrors(edgeIndex: number, kind: RouteKind): boolean {
    return this.on(edgeIndex, kind).some((f) => f.type === 'rpc-error' && typeof f.params.http_status !== 'number');
  }

  private chance(pct: number): boolean {
    return pct > 0 && this.random() * 100 < pct;
  }
}

function reaches(f: ProxyFault, edgeIndex: number, kind: RouteKind): boolean {
  return f.edgeIndexes.has(edgeIndex) && routeKindsOf(f.target).includes(kind);
}

/** Faults that refuse connections: a partition everywhere it reaches, a reset, a feed disconnect on the feed. */
function refuses(f: ProxyFault, kind: RouteKind): boolean {
  if (f.type === 'partition' || f.type === 'connection-reset') return true;
  return f.type === 'feed-disconnect' && kind === 'feed';
}
