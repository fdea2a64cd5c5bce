// The edge register: ids from the injected generator, heartbeats, the reaper's stale and drop
// boundaries (on the injected clock), the events it emits, and what a stale edge may no longer do.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { EdgeRegistry, type EdgeCapabilities, type EdgeRecord } from '../../src/hive/edge-registry.js';

const CAPS: EdgeCapabilities = { version: '0.1.0', build: 'abc', nodeVersion: 'v20.19.0', cpus: 4, nativeSigner: true };
const HEARTBEAT_TIMEOUT = 15_000;
const DROP_AFTER = 60_000;
const T0 = 1_000_000;

type Event = [string, 'registered' | 'stale' | 'dropped' | 'status', EdgeRecord];

function fixture(options: { heartbeatTimeoutMs?: number; dropAfterMs?: number } = {}) {
  const clock = { now: T0 };
  let next = 1;
  const registry = new EdgeRegistry({
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT,
    dropAfterMs: options.dropAfterMs ?? DROP_AFTER,
    now: () => clock.now,
    newId: () => `edge-${next++}`,
  });
  const events: Event[] = [];
  registry.on((edge, event) => events.push([edge.id, event, edge]));
  return { registry, clock, events, kinds: () => events.map(([id, kind]) => `${id}:${kind}`) };
}

describe('EdgeRegistry.register', () => {
  it('gives each edge an id from newId and records it idle, heartbeated now', () => {
    const { registry, clock, kinds } = fixture();
    const a = registry.register('alpha', CAPS);
    clock.now += 5;
    const b = registry.register('beta', { ...CAPS, cpus: 8 });
    expect(a).toEqual({ id: 'edge-1', name: 'alpha', capabilities: CAPS, registeredAtMs: T0, lastHeartbeatMs: T0, status: 'idle', runId: undefined, staleReason: undefined });
    expect(b).toMatchObject({ id: 'edge-2', name: 'beta', registeredAtMs: T0 + 5, lastHeartbeatMs: T0 + 5, status: 'idle' });
    expect(b.capabilities.cpus).toBe(8);
    expect(registry.get('edge-1')).toEqual(a);
    expect(registry.get('edge-2')).toEqual(b);
    expect(registry.get('edge-3')).toBeUndefined();
    expect(kinds()).toEqual(['edge-1:registered', 'edge-2:registered']);
  });

  it('uses random UUIDs without newId', () => {
    const registry = new EdgeRegistry({ heartbeatTimeoutMs: 1, dropAfterMs: 1 });
    const a = registry.register('a', CAPS);
    const b = registry.register('b', CAPS);
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.id).not.toBe(a.id);
  });

  it('registers the same name twice as two edges', () => {
    const { registry } = fixture();
    registry.register('same', CAPS);
    registry.register('same', CAPS);
    expect(registry.list().map((e) => e.id)).toEqual(['edge-1', 'edge-2']);
    expect(registry.activeCount).toBe(2);
  });
});

describe('EdgeRegistry.heartbeat', () => {
  it('updates lastHeartbeatMs to now and nothing else', () => {
    const { registry, clock, events } = fixture();
    const before = registry.register('a', CAPS);
    clock.now += 4_321;
    expect(registry.heartbeat('edge-1')).toBe(true);
    expect(registry.get('edge-1')).toEqual({ ...before, lastHeartbeatMs: T0 + 4_321 });
    expect(events).toHaveLength(1); // heartbeats emit nothing
  });

  it('returns false for an unknown edge', () => {
    const { registry } = fixture();
    expect(registry.heartbeat('nobody')).toBe(false);
    expect(registry.list()).toEqual([]);
  });

  it('returns false for a stale edge and does not revive it', () => {
    const { registry, clock } = fixture();
    registry.register('a', CAPS);
    registry.markStale('edge-1', 'stream closed');
    clock.now += 10;
    expect(registry.heartbeat('edge-1')).toBe(false);
    expect(registry.get('edge-1')).toMatchObject({ status: 'stale', lastHeartbeatMs: T0, staleReason: 'stream closed' });
  });

  it('keeps an edge alive across reaps as long as it heartbeats in time', () => {
    const { registry, clock } = fixture();
    registry.register('a', CAPS);
    for (let i = 0; i < 10; i++) {
      clock.now += HEARTBEAT_TIMEOUT;
      registry.reap();
      expect(registry.heartbeat('edge-1'), `round ${i}`).toBe(true);
    }
    expect(registry.get('edge-1')?.status).toBe('idle');
  });
});

describe('EdgeRegistry.reap', () => {
  it('does not mark an edge stale at exactly heartbeatTimeoutMs of silence, and does 1 ms later', () => {
    const { registry, clock, kinds } = fixture();
    registry.register('a', CAPS);
    clock.now = T0 + HEARTBEAT_TIMEOUT;
    registry.reap();
    expect(registry.get('edge-1')?.status).toBe('idle');
    clock.now = T0 + HEARTBEAT_TIMEOUT + 1;
    registry.reap();
    expect(registry.get('edge-1')).toMatchObject({ status: 'stale', staleReason: `no heartbeat for ${HEARTBEAT_TIMEOUT + 1} ms` });
    expect(kinds()).toEqual(['edge-1:registered', 'edge-1:stale']);
  });

  it('measures silence from the last heartbeat, not from registration', () => {
    const { registry, clock } = fixture();
    registry.register('a', CAPS);
    clock.now = T0 + 10_000;
    registry.heartbeat('edge-1');
    clock.now = T0 + 10_000 + HEARTBEAT_TIMEOUT;
    registry.reap();
    expect(registry.get('edge-1')?.status).toBe('idle');
    clock.now += 1;
    registry.reap();
    expect(registry.get('edge-1')?.status).toBe('stale');
  });

  it('drops a stale edge dropAfterMs after it went stale (not before) and emits dropped', () => {
    const { registry, clock, kinds, events } = fixture();
    registry.register('a', CAPS);
    const staleAt = T0 + HEARTBEAT_TIMEOUT + 1;
    clock.now = staleAt;
    registry.reap();
    clock.now = staleAt + DROP_AFTER - 1;
    registry.reap();
    expect(registry.get('edge-1')?.status).toBe('stale');
    clock.now = staleAt + DROP_AFTER;
    registry.reap();
    expect(registry.get('edge-1')).toBeUndefined();
    expect(registry.list()).toEqual([]);
    expect(kinds()).toEqual(['edge-1:registered', 'edge-1:stale', 'edge-1:dropped']);
    expect(events.at(-1)?.[2]).toMatchObject({ id: 'edge-1', status: 'stale' });
    // Gone for good: heartbeats and status changes are refused, and a further reap emits nothing.
    expect(registry.heartbeat('edge-1')).toBe(false);
    expect(registry.setStatus('edge-1', 'running', 'r')).toBeUndefined();
    clock.now += DROP_AFTER * 2;
    registry.reap();
    expect(events).toHaveLength(3);
  });

  it('counts the drop delay from markStale, whatever the heartbeat', () => {
    const { registry, clock } = fixture();
    registry.register('a', CAPS);
    clock.now = T0 + 100;
    registry.markStale('edge-1', 'control stream closed');
    clock.now = T0 + 100 + DROP_AFTER - 1;
    registry.reap();
    expect(registry.get('edge-1')?.staleReason).toBe('control stream closed');
    clock.now = T0 + 100 + DROP_AFTER;
    registry.reap();
    expect(registry.get('edge-1')).toBeUndefined();
  });

  it('does not mark and drop in the same pass, even with dropAfterMs 0', () => {
    const { registry, clock, kinds } = fixture({ dropAfterMs: 0 });
    registry.register('a', CAPS);
    clock.now = T0 + HEARTBEAT_TIMEOUT + 1;
    registry.reap();
    expect(registry.get('edge-1')?.status).toBe('stale');
    registry.reap();
    expect(registry.get('edge-1')).toBeUndefined();
    expect(kinds()).toEqual(['edge-1:registered', 'edge-1:stale', 'edge-1:dropped']);
  });

  it('reaps only the silent edges among several', () => {
    const { registry, clock } = fixture();
    registry.register('a', CAPS);
    registry.register('b', CAPS);
    registry.register('c', CAPS);
    clock.now = T0 + HEARTBEAT_TIMEOUT;
    registry.heartbeat('edge-2');
    clock.now = T0 + HEARTBEAT_TIMEOUT + 1;
    registry.reap();
    expect(registry.list().map((e) => [e.id, e.status])).toEqual([
      ['edge-1', 'stale'],
      ['edge-2', 'idle'],
      ['edge-3', 'stale'],
    ]);
    expect(registry.activeCount).toBe(1);
  });

  it('runs on an interval with startReaper until stopped', () => {
    vi.useFakeTimers();
    try {
      const { registry, clock } = fixture();
      registry.register('a', CAPS);
      registry.register('b', CAPS);
      const stop = registry.startReaper(1_000);
      clock.now = T0 + HEARTBEAT_TIMEOUT + 1;
      vi.advanceTimersByTime(999);
      expect(registry.get('edge-1')?.status).toBe('idle');
      vi.advanceTimersByTime(1);
      expect(registry.get('edge-1')?.status).toBe('stale');
      stop();
      clock.now += DROP_AFTER;
      vi.advanceTimersByTime(10_000);
      expect(registry.get('edge-1')?.status).toBe('stale'); // no reap ran after stop
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('EdgeRegistry.markStale', () => {
  it('marks a live edge stale with its reason and emits stale once', () => {
    const { registry, kinds } = fixture();
    registry.register('a', CAPS);
    const stale = registry.markStale('edge-1', 'missed the barrier');
    expect(stale).toMatchObject({ id: 'edge-1', status: 'stale', staleReason: 'missed the barrier' });
    const again = registry.markStale('edge-1', 'second reason');
    expect(again).toEqual(stale);
    expect(registry.get('edge-1')?.staleReason).toBe('missed the barrier');
    expect(kinds()).toEqual(['edge-1:registered', 'edge-1:stale']);
  });

  it('does not restart the drop delay when marked stale again', () => {
    const { registry, clock } = fixture();
    registry.register('a', CAPS);
    registry.markStale('edge-1', 'first');
    clock.now = T0 + DROP_AFTER - 1;
    registry.markStale('edge-1', 'again');
    clock.now = T0 + DROP_AFTER;
    registry.reap();
    expect(registry.get('edge-1')).toBeUndefined();
  });

  it('returns undefined for an unknown edge and emits nothing', () => {
    const { registry, events } = fixture();
    expect(registry.markStale('ghost', 'x')).toBeUndefined();
    expect(events).toEqual([]);
  });
});

describe('EdgeRegistry.setStatus', () => {
  it('sets status and run, emits status, and clears the run when idle again', () => {
    const { registry, kinds } = fixture();
    registry.register('a', CAPS);
    expect(registry.setStatus('edge-1', 'running', 'run-7')).toMatchObject({ status: 'running', runId: 'run-7' });
    expect(registry.setStatus('edge-1', 'draining')).toMatchObject({ status: 'draining', runId: 'run-7' }); // keeps the run
    expect(registry.setStatus('edge-1', 'idle', 'run-7')).toMatchObject({ status: 'idle', runId: undefined });
    expect(registry.get('edge-1')).toMatchObject({ status: 'idle', runId: undefined });
    expect(kinds()).toEqual(['edge-1:registered', 'edge-1:status', 'edge-1:status', 'edge-1:status']);
  });

  it('is ignored for a stale edge, which stays stale, and emits nothing', () => {
    const { registry, events } = fixture();
    registry.register('a', CAPS);
    registry.setStatus('edge-1', 'running', 'run-1');
    registry.markStale('edge-1', 'gone');
    const count = events.length;
    expect(registry.setStatus('edge-1', 'idle')).toBeUndefined();
    expect(registry.setStatus('edge-1', 'running', 'run-2')).toBeUndefined();
    expect(registry.get('edge-1')).toMatchObject({ status: 'stale', runId: 'run-1', staleReason: 'gone' });
    expect(events).toHaveLength(count);
  });

  it('is ignored for an unknown edge', () => {
    const { registry, events } = fixture();
    expect(registry.setStatus('ghost', 'running', 'r')).toBeUndefined();
    expect(events).toEqual([]);
    expect(registry.list()).toEqual([]);
  });
});

describe('EdgeRegistry listing', () => {
  it('lists by registration time, then name', () => {
    const { registry, clock } = fixture();
    clock.now = T0 + 20;
    registry.register('zulu', CAPS); // edge-1
    clock.now = T0;
    registry.register('mike', CAPS); // edge-2
    registry.register('bravo', CAPS); // edge-3
    clock.now = T0 + 20;
    registry.register('alpha', CAPS); // edge-4
    expect(registry.list().map((e) => e.name)).toEqual(['bravo', 'mike', 'alpha', 'zulu']);
  });

  it('idle() lists only idle, live edges in list order; activeCount counts every non-stale edge', () => {
    const { registry, clock } = fixture();
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      registry.register(name, CAPS);
      clock.now += 1;
    }
    registry.setStatus('edge-2', 'running', 'r');
    registry.setStatus('edge-3', 'draining', 'r');
    registry.markStale('edge-4', 'gone');
    expect(registry.idle().map((e) => e.name)).toEqual(['a', 'e']);
    expect(registry.activeCount).toBe(4);
    registry.setStatus('edge-2', 'idle');
    expect(registry.idle().map((e) => e.name)).toEqual(['a', 'b', 'e']);
    expect(registry.list()).toHaveLength(5);
  });

  it('returns copies: mutating a listed array does not change the register', () => {
    const { registry } = fixture();
    registry.register('a', CAPS);
    registry.list().pop();
    expect(registry.list()).toHaveLength(1);
  });
});

describe('EdgeRegistry.on', () => {
  it('unsubscribes a listener and keeps the others', () => {
    const { registry } = fixture();
    const a = vi.fn();
    const b = vi.fn();
    const offA = registry.on(a);
    registry.on(b);
    registry.register('x', CAPS);
    offA();
    registry.register('y', CAPS);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
    expect(b).toHaveBeenLastCalledWith(expect.objectContaining({ id: 'edge-2', name: 'y' }), 'registered');
  });

  it('hands the updated record to status and stale listeners', () => {
    const { registry, events } = fixture();
    registry.register('x', CAPS);
    registry.setStatus('edge-1', 'running', 'run-9');
    registry.markStale('edge-1', 'why');
    expect(events.map(([, kind, e]) => [kind, e.status, e.runId, e.staleReason])).toEqual([
      ['registered', 'idle', undefined, undefined],
      ['status', 'running', 'run-9', undefined],
      ['stale', 'stale', 'run-9', 'why'],
    ]);
  });
});

afterEach(() => {
  vi.useRealTimers();
});
