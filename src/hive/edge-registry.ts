// The hive's register of edges: who is connected, what it can do, when it last said so, and what
// it is doing. Edges register over gRPC and then heartbeat; the reaper marks an edge stale once
// it has missed its heartbeats and drops it from the register after a grace period, so a dead
// edge never holds up a run and never lingers in GET /edges.

import { randomUUID } from 'node:crypto';

export type EdgeStatus = 'idle' | 'running' | 'draining' | 'stale';

export interface EdgeCapabilities {
  readonly version: string;
  readonly build: string;
  readonly nodeVersion: string;
  readonly cpus: number;
  /** Signs with the native secp256k1 binding (false: the pure-JS fallback). */
  readonly nativeSigner: boolean;
}

export interface EdgeRecord {
  readonly id: string;
  readonly name: string;
  readonly capabilities: EdgeCapabilities;
  readonly registeredAtMs: number;
  readonly lastHeartbeatMs: number;
  readonly status: EdgeStatus;
  /** The run the edge is assigned to, if any. */
  readonly runId: string | undefined;
  /** Why it went stale, when it did. */
  readonly staleReason: string | undefined;
}

export interface EdgeRegistryOptions {
  /** An edge that has not heartbeated for this long is stale. */
  readonly heartbeatTimeoutMs: number;
  /** A stale edge is dropped from the register this long after it went stale. */
  readonly dropAfterMs: number;
  readonly now?: () => number;
  readonly newId?: () => string;
}

type Listener = (edge: EdgeRecord, event: 'registered' | 'stale' | 'dropped' | 'status') => void;

export class EdgeRegistry {
  private readonly edges = new Map<string, EdgeRecord>();
  private readonly staleSince = new Map<string, number>();
  private readonly listeners = new Set<Listener>();
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly options: EdgeRegistryOptions) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
  }

  register(name: string, capabilities: EdgeCapabilities): EdgeRecord {
    const at = this.now();
    const edge: EdgeRecord = { id: this.newId(), name, capabilities, registeredAtMs: at, lastHeartbeatMs: at, status: 'idle', runId: undefined, staleReason: undefined };
    this.edges.set(edge.id, edge);
    this.emit(edge, 'registered');
    return edge;
  }

  /** Records a heartbeat; false if the edge is unknown or stale (it must register again). */
  heartbeat(id: string): boolean {
    const edge = this.edges.get(id);
    if (!edge || edge.status === 'stale') return false;
    this.edges.set(id, { ...edge, lastHeartbeatMs: this.now() });
    return true;
  }

  /** Sets a live edge's status (and run); ignored for unknown or stale edges, which stay stale. */
  setStatus(id: string, status: Exclude<EdgeStatus, 'stale'>, runId?: string): EdgeRecord | undefined {
    const edge = this.edges.get(id);
    if (!edge || edge.status === 'stale') return undefined;
    const next = { ...edge, status, runId: status === 'idle' ? undefined : (runId ?? edge.runId) };
    this.edges.set(id, next);
    this.emit(next, 'status');
    return next;
  }

  /** Marks an edge stale now (missed heartbeats, missed a barrier, or its stream broke). */
  markStale(id: string, reason: string): EdgeRecord | undefined {
    const edge = this.edges.get(id);
    if (!edge || edge.status === 'stale') return edge;
    const next = { ...edge, status: 'stale' as const, staleReason: reason };
    this.edges.set(id, next);
    this.staleSince.set(id, this.now());
    this.emit(next, 'stale');
    return next;
  }

  /** One pass of the reaper: marks silent edges stale and drops edges stale for long enough. */
  reap(): void {
    const at = this.now();
    for (const edge of [...this.edges.values()]) {
      if (edge.status !== 'stale') {
        const silentMs = at - edge.lastHeartbeatMs;
        if (silentMs > this.options.heartbeatTimeoutMs) this.markStale(edge.id, `no heartbeat for ${silentMs} ms`);
        continue;
      }
      if (at - (this.staleSince.get(edge.id) ?? at) >= this.options.dropAfterMs) {
        this.edges.delete(edge.id);
        this.staleSince.delete(edge.id);
        this.emit(edge, 'dropped');
      }
    }
  }

  /** Runs reap() every `intervalMs` until the returned function is called. */
  startReaper(intervalMs: number): () => void {
    const timer = setInterval(() => this.reap(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  get(id: string): EdgeRecord | undefined {
    return this.edges.get(id);
  }

  list(): EdgeRecord[] {
    return [...this.edges.values()].sort((a, b) => a.registeredAtMs - b.registeredAtMs || a.name.localeCompare(b.name));
  }

  /** Live edges with nothing to do. */
  idle(): EdgeRecord[] {
    return this.list().filter((e) => e.status === 'idle');
  }

  /** Edges not stale. */
  get activeCount(): number {
    let n = 0;
    for (const e of this.edges.values()) if (e.status !== 'stale') n++;
    return n;
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(edge: EdgeRecord, event: Parameters<Listener>[1]): void {
    for (const l of this.listeners) l(edge, event);
  }
}
