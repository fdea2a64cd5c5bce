// The run state machine: which state may follow which (every one of the 49 pairs), terminal and
// active states, refusals that leave the machine untouched, the timestamped history, abort, and
// change listeners.

import { describe, expect, it, vi } from 'vitest';
import {
  IllegalTransitionError,
  RunStateMachine,
  canTransitionTo,
  describeState,
  isActive,
  isTerminal,
  type RunState,
  type RunStateName,
  type StateChange,
} from '../../src/hive/run-state.js';

const ALL: readonly RunStateName[] = ['preflight', 'barrier', 'running', 'recovering', 'completing', 'done', 'aborted'];

/** The allowed moves, written out independently of the implementation's table. */
const ALLOWED: Readonly<Record<RunStateName, readonly RunStateName[]>> = {
  preflight: ['barrier', 'aborted'],
  barrier: ['running', 'completing', 'aborted'],
  running: ['barrier', 'recovering', 'completing', 'aborted'],
  recovering: ['running', 'barrier', 'completing', 'aborted'],
  completing: ['done', 'aborted'],
  done: [],
  aborted: [],
};

/** A representative state of each name (phase 2 where a phase is carried). */
const SAMPLE: Readonly<Record<RunStateName, RunState>> = {
  preflight: { name: 'preflight' },
  barrier: { name: 'barrier', phaseIndex: 2 },
  running: { name: 'running', phaseIndex: 2 },
  recovering: { name: 'recovering', phaseIndex: 2, reason: 'edge e1 lost' },
  completing: { name: 'completing' },
  done: { name: 'done', verdict: 'pass' },
  aborted: { name: 'aborted', reason: 'cancelled' },
};

/** The shortest legal path from preflight to each state (excluding preflight itself). */
const PATH: Readonly<Record<RunStateName, readonly RunState[]>> = {
  preflight: [],
  barrier: [SAMPLE.barrier],
  running: [SAMPLE.barrier, SAMPLE.running],
  recovering: [SAMPLE.barrier, SAMPLE.running, SAMPLE.recovering],
  completing: [SAMPLE.barrier, SAMPLE.completing],
  done: [SAMPLE.barrier, SAMPLE.completing, SAMPLE.done],
  aborted: [SAMPLE.aborted],
};

/** A clock that returns 1000, 1010, 1020, ... one reading per call. */
function steppingClock(start = 1000, step = 10): () => number {
  let t = start - step;
  return () => (t += step);
}

function machineIn(name: RunStateName, now: () => number = steppingClock()): RunStateMachine {
  const m = new RunStateMachine(now);
  for (const s of PATH[name]) m.transition(s);
  expect(m.state.name).toBe(name);
  return m;
}

const PAIRS = ALL.flatMap((from) => ALL.map((to) => ({ from, to, allowed: ALLOWED[from].includes(to) })));

describe('canTransitionTo', () => {
  it('covers all 49 pairs and allows exactly 15 moves', () => {
    expect(PAIRS).toHaveLength(49);
    expect(PAIRS.filter((p) => p.allowed)).toHaveLength(15);
    expect(PAIRS.filter((p) => canTransitionTo(p.from, p.to))).toHaveLength(15);
  });

  it.each(PAIRS)('$from -> $to allowed: $allowed', ({ from, to, allowed }) => {
    expect(canTransitionTo(from, to)).toBe(allowed);
  });

  it('never allows staying in the same state', () => {
    for (const s of ALL) expect(canTransitionTo(s, s), s).toBe(false);
  });

  it('never leaves a terminal state, and every active state may abort', () => {
    for (const to of ALL) {
      expect(canTransitionTo('done', to)).toBe(false);
      expect(canTransitionTo('aborted', to)).toBe(false);
    }
    for (const from of ALL.filter((s) => s !== 'done' && s !== 'aborted')) expect(canTransitionTo(from, 'aborted'), from).toBe(true);
  });

  it('reaches done only through completing', () => {
    expect(ALL.filter((from) => canTransitionTo(from, 'done'))).toEqual(['completing']);
  });
});

describe('isTerminal / isActive', () => {
  it.each(ALL.map((name) => ({ name, terminal: name === 'done' || name === 'aborted' })))('$name: terminal $terminal', ({ name, terminal }) => {
    expect(isTerminal(name)).toBe(terminal);
    expect(isActive(name)).toBe(!terminal);
  });
});

describe('describeState', () => {
  it('names the state and whatever it carries', () => {
    expect(ALL.map((n) => describeState(SAMPLE[n]))).toEqual([
      'preflight',
      'barrier(phase 2)',
      'running(phase 2)',
      'recovering(phase 2: edge e1 lost)',
      'completing',
      'done(pass)',
      'aborted(cancelled)',
    ]);
    expect(describeState({ name: 'done', verdict: 'inconclusive' })).toBe('done(inconclusive)');
    expect(describeState({ name: 'done', verdict: 'fail' })).toBe('done(fail)');
  });
});

describe('RunStateMachine.transition', () => {
  it('starts in preflight with one history entry stamped by the injected clock', () => {
    const m = new RunStateMachine(() => 4242);
    expect(m.state).toEqual({ name: 'preflight' });
    expect(m.history).toEqual([{ state: { name: 'preflight' }, atMs: 4242 }]);
  });

  it.each(PAIRS)('from $from to $to (allowed: $allowed)', ({ from, to, allowed }) => {
    const m = machineIn(from);
    const before = m.state;
    const historyBefore = [...m.history];
    const listener = vi.fn();
    m.onChange(listener);
    const next = SAMPLE[to];
    if (allowed) {
      m.transition(next);
      expect(m.state).toBe(next);
      expect(m.history).toHaveLength(historyBefore.length + 1);
      expect(m.history.at(-1)?.state).toBe(next);
      expect(listener).toHaveBeenCalledTimes(1);
      return;
    }
    let caught: unknown;
    try {
      m.transition(next);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IllegalTransitionError);
    expect(caught).toBeInstanceOf(Error);
    const error = caught as IllegalTransitionError;
    expect(error.name).toBe('IllegalTransitionError');
    expect(error.from).toBe(before);
    expect(error.to).toBe(next);
    expect(error.message).toBe(`illegal run state transition ${describeState(before)} -> ${describeState(next)}`);
    expect(error.message).toContain(describeState(before));
    expect(error.message).toContain(describeState(next));
    // A refusal changes nothing.
    expect(m.state).toBe(before);
    expect(m.history).toEqual(historyBefore);
    expect(listener).not.toHaveBeenCalled();
  });

  it('names both states in the message (running(phase 1) -> done(pass))', () => {
    const m = new RunStateMachine(() => 0);
    m.transition({ name: 'barrier', phaseIndex: 1 });
    m.transition({ name: 'running', phaseIndex: 1 });
    expect(() => m.transition({ name: 'done', verdict: 'pass' })).toThrow('illegal run state transition running(phase 1) -> done(pass)');
  });

  it('stamps every history entry with the injected clock, in order', () => {
    const m = new RunStateMachine(steppingClock(5_000, 7));
    const path: RunState[] = [
      { name: 'barrier', phaseIndex: 0 },
      { name: 'running', phaseIndex: 0 },
      { name: 'recovering', phaseIndex: 0, reason: 'edge x lost' },
      { name: 'running', phaseIndex: 0 },
      { name: 'barrier', phaseIndex: 1 },
      { name: 'running', phaseIndex: 1 },
      { name: 'completing' },
      { name: 'done', verdict: 'inconclusive' },
    ];
    for (const s of path) m.transition(s);
    expect(m.history).toEqual([{ state: { name: 'preflight' }, atMs: 5_000 }, ...path.map((state, i) => ({ state, atMs: 5_000 + 7 * (i + 1) }))]);
  });

  it('reads the clock once per change (not on a refusal)', () => {
    const now = vi.fn(() => 1);
    const m = new RunStateMachine(now);
    expect(now).toHaveBeenCalledTimes(1);
    m.transition({ name: 'barrier', phaseIndex: 0 });
    expect(now).toHaveBeenCalledTimes(2);
    expect(() => m.transition({ name: 'done', verdict: 'pass' })).toThrow(IllegalTransitionError);
    expect(now).toHaveBeenCalledTimes(2);
  });

  it('defaults to the wall clock', () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(1_234_567);
      const m = new RunStateMachine();
      vi.setSystemTime(1_234_999);
      m.transition({ name: 'aborted', reason: 'x' });
      expect(m.history.map((c) => c.atMs)).toEqual([1_234_567, 1_234_999]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('RunStateMachine.abort', () => {
  const ACTIVE = ALL.filter((s) => isActive(s));

  it('has five active states', () => {
    expect(ACTIVE).toEqual(['preflight', 'barrier', 'running', 'recovering', 'completing']);
  });

  it.each(ACTIVE)('aborts from %s, returns true and records it', (from) => {
    const m = machineIn(from, steppingClock(100, 1));
    const before = m.state;
    const listener = vi.fn();
    m.onChange(listener);
    const historyLength = m.history.length;
    expect(m.abort('operator said stop')).toBe(true);
    expect(m.state).toEqual({ name: 'aborted', reason: 'operator said stop' });
    expect(m.history).toHaveLength(historyLength + 1);
    expect(m.history.at(-1)).toEqual({ state: { name: 'aborted', reason: 'operator said stop' }, atMs: 100 + historyLength });
    expect(listener).toHaveBeenCalledWith(m.history.at(-1), before);
  });

  it.each(['done', 'aborted'] as const)('returns false in %s and changes nothing', (from) => {
    const m = machineIn(from);
    const before = m.state;
    const history = [...m.history];
    const listener = vi.fn();
    m.onChange(listener);
    expect(m.abort('too late')).toBe(false);
    expect(m.state).toBe(before);
    expect(m.history).toEqual(history);
    expect(listener).not.toHaveBeenCalled();
  });

  it('keeps the first reason when aborted twice', () => {
    const m = new RunStateMachine(() => 0);
    expect(m.abort('first')).toBe(true);
    expect(m.abort('second')).toBe(false);
    expect(m.state).toEqual({ name: 'aborted', reason: 'first' });
  });
});

describe('RunStateMachine.onChange', () => {
  it('calls listeners with the change (the history entry) and the previous state', () => {
    const m = new RunStateMachine(steppingClock(0, 1));
    const calls: [StateChange, RunState][] = [];
    m.onChange((change, previous) => calls.push([change, previous]));
    const barrier: RunState = { name: 'barrier', phaseIndex: 0 };
    const running: RunState = { name: 'running', phaseIndex: 0 };
    m.transition(barrier);
    m.transition(running);
    expect(calls).toEqual([
      [{ state: barrier, atMs: 1 }, { name: 'preflight' }],
      [{ state: running, atMs: 2 }, barrier],
    ]);
    expect(calls[0]![0]).toBe(m.history[1]);
    expect(calls[1]![0]).toBe(m.history[2]);
  });

  it('sees the new state already in place when called', () => {
    const m = new RunStateMachine(() => 0);
    let seen: RunState | undefined;
    m.onChange(() => (seen = m.state));
    m.transition({ name: 'barrier', phaseIndex: 3 });
    expect(seen).toEqual({ name: 'barrier', phaseIndex: 3 });
  });

  it('stops calling a listener once unsubscribed, and keeps the others', () => {
    const m = new RunStateMachine(() => 0);
    const a = vi.fn();
    const b = vi.fn();
    const offA = m.onChange(a);
    m.onChange(b);
    m.transition({ name: 'barrier', phaseIndex: 0 });
    offA();
    m.transition({ name: 'running', phaseIndex: 0 });
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
    offA(); // a second unsubscribe is harmless
    m.transition({ name: 'completing' });
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(3);
  });
});
