// The dispatcher on a manual clock and manual timers, never sleeping: sends fire exactly at
// their intended times when the loop keeps up; after a stall every overdue send fires at once,
// in order, none skipped, and the late ones are counted; stop() stops at once; the source is
// pulled one send ahead only, so a ten-million-send phase is never held in memory.

import { describe, it, expect, vi, afterEach } from 'vitest';
import fc from 'fast-check';
import { manualClock } from '../../src/telemetry/clock.js';
import { DEFAULT_MAX_FIRES_PER_WAKE, Dispatcher, manualTimers, systemTimers, type DispatcherOptions, type Fire, type IntendedTimeSource } from '../../src/workload/dispatcher.js';

const MS = 1_000_000n;

/** A source over a list, counting how far it has been pulled. */
function listSource(times: readonly bigint[]): IntendedTimeSource & { readonly pulled: number } {
  let i = 0;
  return {
    get pulled() {
      return i;
    },
    next: () => (i < times.length ? times[i++] : undefined),
  };
}

/** Sends at 1 ms, 2 ms, ..., n ms. */
function everyMs(n: number): bigint[] {
  return Array.from({ length: n }, (_, k) => BigInt(k + 1) * MS);
}

function setup(times: readonly bigint[], options: Partial<DispatcherOptions> = {}) {
  const timers = manualTimers();
  const source = listSource(times);
  const fires: Fire[] = [];
  const dispatcher = new Dispatcher({ timers, source, onFire: (f) => fires.push(f), ...options });
  return { timers, source, fires, dispatcher };
}

describe('on time', () => {
  it('fires each send exactly at its intended time', async () => {
    const times = [1n * MS, 2n * MS, 5n * MS, 5n * MS, 20n * MS];
    const { timers, fires, dispatcher } = setup(times);
    dispatcher.start();
    expect(fires).toHaveLength(0);
    timers.advanceNs(1n * MS - 1n);
    expect(fires).toHaveLength(0);
    timers.advanceNs(1n);
    expect(fires).toHaveLength(1);
    timers.advanceMs(4);
    expect(fires).toHaveLength(4);
    timers.advanceMs(30);
    expect(fires.map((f) => f.intendedNs)).toEqual(times);
    expect(fires.map((f) => f.firedNs)).toEqual(times);
    expect(fires.map((f) => f.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(dispatcher.counters).toEqual({ fired: 5, late: 0, maxLatenessNs: 0n });
    await expect(dispatcher.done).resolves.toEqual({ reason: 'exhausted', counters: { fired: 5, late: 0, maxLatenessNs: 0n } });
    expect(timers.pending).toBe(0);
  });

  it('fires sends already due before start() returns, and times their lateness from the intended instant', () => {
    const { timers, fires, dispatcher } = setup([0n, 0n, 1n * MS, 4n * MS]);
    timers.advanceMs(3);
    dispatcher.start();
    expect(fires.map((f) => [f.intendedNs, f.firedNs])).toEqual([
      [0n, 3n * MS],
      [0n, 3n * MS],
      [1n * MS, 3n * MS],
    ]);
    expect(dispatcher.counters).toEqual({ fired: 3, late: 0, maxLatenessNs: 3n * MS });
    timers.advanceMs(1);
    expect(fires[3]).toEqual({ seq: 3, intendedNs: 4n * MS, firedNs: 4n * MS });
  });

  it('waits under a millisecond without rounding up, and fires on the nanosecond', () => {
    // 250 microseconds apart: the real timers would use setImmediate for these waits.
    const times = Array.from({ length: 40 }, (_, k) => BigInt(k + 1) * 250_000n + 7n);
    const { timers, fires, dispatcher } = setup(times);
    dispatcher.start();
    timers.advanceMs(20);
    expect(fires.map((f) => f.firedNs)).toEqual(times);
    expect(timers.delaysMs.every((d) => d < 1)).toBe(true);
    expect(timers.delaysMs[0]).toBeCloseTo(0.250007, 9);
  });

  it('keeps firing while earlier sends are still in flight (open model)', async () => {
    const timers = manualTimers();
    const fires: Fire[] = [];
    const inFlight: Promise<void>[] = [];
    const open = new Dispatcher({
      timers,
      source: listSource(everyMs(100)),
      onFire: (f) => {
        fires.push(f);
        // A send whose result never comes back.
        inFlight.push(new Promise<void>(() => {}));
      },
    });
    open.start();
    timers.advanceMs(100);
    expect(fires).toHaveLength(100);
    expect(inFlight).toHaveLength(100);
    await expect(open.done).resolves.toMatchObject({ reason: 'exhausted' });
  });
});

describe('behind schedule', () => {
  it('after a 50 ms event-loop stall fires every overdue send at once, in order, and counts the late ones', async () => {
    const times = everyMs(100);
    const { timers, fires, dispatcher } = setup(times);
    dispatcher.start();
    timers.advanceMs(10);
    expect(fires).toHaveLength(10);
    expect(dispatcher.counters).toEqual({ fired: 10, late: 0, maxLatenessNs: 0n });

    timers.stallMs(50);
    expect(fires).toHaveLength(10);
    timers.runDue();
    // Sends intended at 11..60 ms all leave at 60 ms; more than 10 ms late: those at 11..49 ms.
    expect(fires).toHaveLength(60);
    for (const f of fires.slice(10)) expect(f.firedNs).toBe(60n * MS);
    expect(dispatcher.counters).toEqual({ fired: 60, late: 39, maxLatenessNs: 49n * MS });

    timers.advanceMs(100);
    expect(fires.map((f) => f.seq)).toEqual(Array.from({ length: 100 }, (_, k) => k));
    expect(fires.map((f) => f.intendedNs)).toEqual(times);
    for (const f of fires.slice(60)) expect(f.firedNs).toBe(f.intendedNs);
    await expect(dispatcher.done).resolves.toEqual({ reason: 'exhausted', counters: { fired: 100, late: 39, maxLatenessNs: 49n * MS } });
  });

  it('counts lateness against a configurable tolerance (strictly more than it is late)', () => {
    for (const [toleranceMs, late] of [
      [0, 49],
      [10, 39],
      [48.5, 1],
      [49, 0],
    ] as const) {
      const { timers, dispatcher } = setup(everyMs(100), { latenessToleranceMs: toleranceMs });
      dispatcher.start();
      timers.advanceMs(10);
      timers.stallMs(50);
      timers.advanceMs(100);
      expect(dispatcher.counters).toEqual({ fired: 100, late, maxLatenessNs: 49n * MS });
    }
  });

  it('catches up in slices of maxFiresPerWake, yielding to the event loop between them, skipping nothing', async () => {
    const { timers, fires, dispatcher } = setup(Array.from({ length: 25 }, () => 0n), { maxFiresPerWake: 10 });
    dispatcher.start();
    expect(fires).toHaveLength(10);
    expect(timers.pending).toBe(1);
    expect(timers.delaysMs).toEqual([0]);
    timers.runDue();
    expect(fires).toHaveLength(25);
    expect(timers.delaysMs).toEqual([0, 0]);
    await expect(dispatcher.done).resolves.toMatchObject({ reason: 'exhausted', counters: { fired: 25 } });
  });

  it('for random schedules, advances and stalls: in order, none skipped, never early, counted right', () => {
    const gaps = fc.array(fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 5n * MS })), { minLength: 1, maxLength: 300 });
    const ops = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 80 })), { maxLength: 40 });
    fc.assert(
      fc.property(gaps, ops, fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 50 }), (gapList, opList, toleranceMs, maxFiresPerWake) => {
        let t = 0n;
        const times = gapList.map((g) => (t += g));
        const { timers, source, fires, dispatcher } = setup(times, { latenessToleranceMs: toleranceMs, maxFiresPerWake });
        dispatcher.start();
        // Back-to-back stalls are one longer stall.
        let stallNs = 0n;
        let longestStallNs = 0n;
        for (const [stall, ms] of opList) {
          if (stall) {
            timers.stallMs(ms);
            stallNs += BigInt(ms) * MS;
            if (stallNs > longestStallNs) longestStallNs = stallNs;
          } else {
            timers.advanceMs(ms);
            stallNs = 0n;
          }
          // Pulled one ahead of what was fired, never more.
          expect(source.pulled).toBeLessThanOrEqual(fires.length + 1);
        }
        timers.advanceNs(t + 1n);
        expect(fires.map((f) => f.seq)).toEqual(times.map((_, k) => k));
        expect(fires.map((f) => f.intendedNs)).toEqual(times);
        const lateness = fires.map((f) => f.firedNs - f.intendedNs);
        for (const l of lateness) {
          expect(l).toBeGreaterThanOrEqual(0n);
          expect(l).toBeLessThanOrEqual(longestStallNs);
        }
        for (let k = 1; k < fires.length; k++) expect(fires[k]!.firedNs).toBeGreaterThanOrEqual(fires[k - 1]!.firedNs);
        const toleranceNs = BigInt(toleranceMs) * MS;
        expect(dispatcher.counters).toEqual({
          fired: times.length,
          late: lateness.filter((l) => l > toleranceNs).length,
          maxLatenessNs: lateness.reduce((a, b) => (b > a ? b : a), 0n),
        });
        if (longestStallNs === 0n) expect(lateness.every((l) => l === 0n)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('stop()', () => {
  it('stops firing at once and clears its timer', async () => {
    const { timers, fires, dispatcher } = setup(everyMs(100));
    dispatcher.start();
    timers.advanceMs(10);
    expect(timers.pending).toBe(1);
    dispatcher.stop();
    expect(timers.pending).toBe(0);
    timers.advanceMs(200);
    expect(fires).toHaveLength(10);
    await expect(dispatcher.done).resolves.toEqual({ reason: 'stopped', counters: { fired: 10, late: 0, maxLatenessNs: 0n } });
    dispatcher.stop();
    expect(() => dispatcher.start()).toThrow();
  });

  it('stops in the middle of a catch-up, leaving the overdue sends unfired', async () => {
    const timers = manualTimers();
    const fires: Fire[] = [];
    const dispatcher = new Dispatcher({
      timers,
      source: listSource(everyMs(100)),
      onFire: (f) => {
        fires.push(f);
        if (f.seq === 20) dispatcher.stop();
      },
    });
    dispatcher.start();
    timers.stallMs(50);
    timers.runDue();
    expect(fires).toHaveLength(21);
    timers.advanceMs(100);
    expect(fires).toHaveLength(21);
    await expect(dispatcher.done).resolves.toMatchObject({ reason: 'stopped', counters: { fired: 21 } });
  });

  it('before start: nothing ever fires', async () => {
    const { timers, fires, dispatcher } = setup([0n]);
    dispatcher.stop();
    expect(() => dispatcher.start()).toThrow();
    timers.advanceMs(5);
    expect(fires).toHaveLength(0);
    await expect(dispatcher.done).resolves.toMatchObject({ reason: 'stopped' });
  });
});

describe('memory', () => {
  it('pulls a ten-million-send source one send ahead, never materialising it', async () => {
    const TOTAL = 10_000_000;
    let pulled = 0;
    // One send every 10 microseconds, computed on demand.
    const source: IntendedTimeSource = {
      next: () => (pulled < TOTAL ? BigInt(pulled++) * 10_000n : undefined),
    };
    const timers = manualTimers();
    let fired = 0;
    const dispatcher = new Dispatcher({ timers, source, onFire: () => fired++ });
    const heapBefore = process.memoryUsage().heapUsed;
    dispatcher.start();
    timers.advanceMs(100);
    expect(fired).toBe(10_001);
    expect(pulled).toBe(fired + 1);
    // A one-second stall: 100,000 overdue sends, caught up in slices, still one pull ahead.
    timers.stallMs(1_000);
    timers.runDue();
    expect(fired).toBe(110_001);
    expect(pulled).toBe(fired + 1);
    // Intended at 100.01..1100 ms, fired at 1100 ms: more than 10 ms late up to 1089.99 ms.
    expect(dispatcher.counters.late).toBe(98_999);
    dispatcher.stop();
    timers.advanceMs(1_000);
    expect(pulled).toBe(110_002);
    await expect(dispatcher.done).resolves.toMatchObject({ reason: 'stopped' });
    // Well under what ten million queued bigints would take (hundreds of MB); generous for GC noise.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
    // The catch-up went in slices, yielding (a 0 ms timer) between them.
    expect(timers.delaysMs.filter((d) => d === 0)).toHaveLength(100_000 / DEFAULT_MAX_FIRES_PER_WAKE - 1);
  });
});

describe('failures', () => {
  it('rejects done when intended times go backwards, and fires nothing more', async () => {
    const { timers, fires, dispatcher } = setup([1n * MS, 3n * MS, 2n * MS, 4n * MS]);
    dispatcher.start();
    timers.advanceMs(10);
    expect(fires).toHaveLength(2);
    await expect(dispatcher.done).rejects.toThrow(RangeError);
    expect(timers.pending).toBe(0);
  });

  it('rejects done when onFire throws, and fires nothing more', async () => {
    const timers = manualTimers();
    let calls = 0;
    const dispatcher = new Dispatcher({
      timers,
      source: listSource(everyMs(10)),
      onFire: () => {
        calls++;
        if (calls === 3) throw new Error('signer exploded');
      },
    });
    dispatcher.start();
    timers.advanceMs(20);
    expect(calls).toBe(3);
    await expect(dispatcher.done).rejects.toThrow('signer exploded');
  });

  it('refuses bad options', () => {
    const base = { timers: manualTimers(), source: listSource([]), onFire: () => {} };
    expect(() => new Dispatcher({ ...base, latenessToleranceMs: -1 })).toThrow(RangeError);
    expect(() => new Dispatcher({ ...base, latenessToleranceMs: Number.NaN })).toThrow(RangeError);
    expect(() => new Dispatcher({ ...base, maxFiresPerWake: 0 })).toThrow(RangeError);
    expect(() => new Dispatcher({ ...base, maxFiresPerWake: 1.5 })).toThrow(RangeError);
  });

  it('an empty source ends at once', async () => {
    const { dispatcher, timers } = setup([]);
    dispatcher.start();
    await expect(dispatcher.done).resolves.toEqual({ reason: 'exhausted', counters: { fired: 0, late: 0, maxLatenessNs: 0n } });
    expect(timers.pending).toBe(0);
  });
});

describe('systemTimers', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('uses setImmediate under a millisecond and whole-millisecond setTimeout above, and clears both', () => {
    const immediate = vi.spyOn(globalThis, 'setImmediate');
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    const clearImmediateSpy = vi.spyOn(globalThis, 'clearImmediate');
    const clearTimeoutSpy = vi.spyOn(globalThis, 'clearTimeout');
    const timers = systemTimers();
    const fn = vi.fn();
    const a = timers.setTimer(fn, 0);
    const b = timers.setTimer(fn, 0.9);
    const c = timers.setTimer(fn, 7.9);
    expect(immediate).toHaveBeenCalledTimes(2);
    expect(timeout).toHaveBeenCalledTimes(1);
    expect(timeout.mock.calls[0]![1]).toBe(7);
    timers.clearTimer(a);
    timers.clearTimer(b);
    timers.clearTimer(c);
    expect(clearImmediateSpy).toHaveBeenCalledTimes(2);
    expect(clearTimeoutSpy).toHaveBeenCalledTimes(1);
    expect(fn).not.toHaveBeenCalled();
  });

  it('reads the injected clock', () => {
    const clock = manualClock();
    clock.advanceMs(5);
    expect(systemTimers(clock).monoNs()).toBe(5n * MS);
  });
});
