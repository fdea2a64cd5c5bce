// The run state machine: the one place that says which run states may follow which. Every change
// of a run's state goes through `RunStateMachine.transition`, which refuses an illegal move with
// an error rather than ignoring it, and keeps the history with timestamps for the report.
//
//   Preflight -> Barrier -> Running (<-> Recovering) -> Completing -> Done(Pass|Fail|Inconclusive)
//   any active state -> Aborted(reason)
//
// Barrier is entered before every phase (Running -> Barrier -> Running ...): no edge starts phase
// N+1 before all live edges finished phase N.

export type Verdict = 'pass' | 'fail' | 'inconclusive';

export type RunStateName = 'preflight' | 'barrier' | 'running' | 'recovering' | 'completing' | 'done' | 'aborted';

export type RunState =
  | { readonly name: 'preflight' }
  | { readonly name: 'barrier'; readonly phaseIndex: number }
  | { readonly name: 'running'; readonly phaseIndex: number }
  | { readonly name: 'recovering'; readonly phaseIndex: number; readonly reason: string }
  | { readonly name: 'completing' }
  | { readonly name: 'done'; readonly verdict: Verdict }
  | { readonly name: 'aborted'; readonly reason: string };

const NEXT: Readonly<Record<RunStateName, readonly RunStateName[]>> = {
  preflight: ['barrier', 'aborted'],
  barrier: ['running', 'completing', 'aborted'],
  running: ['barrier', 'recovering', 'completing', 'aborted'],
  recovering: ['running', 'barrier', 'completing', 'aborted'],
  completing: ['done', 'aborted'],
  done: [],
  aborted: [],
};

export function canTransitionTo(from: RunStateName, to: RunStateName): boolean {
  return NEXT[from].includes(to);
}

export function isTerminal(state: RunStateName): boolean {
  return state === 'done' || state === 'aborted';
}

/** Active: the run holds edges and may still change (everything but the terminal states). */
export function isActive(state: RunStateName): boolean {
  return !isTerminal(state);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: RunState,
    readonly to: RunState,
  ) {
    super(`illegal run state transition ${describeState(from)} -> ${describeState(to)}`);
    this.name = 'IllegalTransitionError';
  }
}

export function describeState(state: RunState): string {
  switch (state.name) {
    case 'barrier':
    case 'running':
      return `${state.name}(phase ${state.phaseIndex})`;
    case 'recovering':
      return `recovering(phase ${state.phaseIndex}: ${state.reason})`;
    case 'done':
      return `done(${state.verdict})`;
    case 'aborted':
      return `aborted(${state.reason})`;
    default:
      return state.name;
  }
}

export interface StateChange {
  readonly state: RunState;
  /** Wall-clock milliseconds since the epoch. */
  readonly atMs: number;
}

export class RunStateMachine {
  private current: RunState = { name: 'preflight' };
  private readonly changes: StateChange[];
  private readonly listeners = new Set<(change: StateChange, previous: RunState) => void>();

  constructor(private readonly now: () => number = Date.now) {
    this.changes = [{ state: this.current, atMs: now() }];
  }

  get state(): RunState {
    return this.current;
  }

  get history(): readonly StateChange[] {
    return this.changes;
  }

  /** Moves to `next`; throws IllegalTransitionError if the state machine does not allow it. */
  transition(next: RunState): void {
    if (!canTransitionTo(this.current.name, next.name)) throw new IllegalTransitionError(this.current, next);
    const previous = this.current;
    this.current = next;
    const change = { state: next, atMs: this.now() };
    this.changes.push(change);
    for (const listener of this.listeners) listener(change, previous);
  }

  /** Aborts unless the run already ended; returns whether it did. */
  abort(reason: string): boolean {
    if (isTerminal(this.current.name)) return false;
    this.transition({ name: 'aborted', reason });
    return true;
  }

  onChange(listener: (change: StateChange, previous: RunState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
