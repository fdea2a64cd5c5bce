// The fault timeline of one run: the plan's fault_schedule played against the run's clock. Each
// inject and clear fires at its offset from the start of the first phase, in schedule order
// (an inject and a clear at the same second keep the file's order), through the fault manager.
// It also holds the safety rail that no schedule runs against an environment not marked for it.

import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { FaultTimelineEntry } from '../scenario/compile.js';
import type { ClearReason, FaultManager } from './fault-manager.js';

/**
 * Refuses (GH-E704) a schedule with an inject that may not run against `environment`, listing
 * every such event. The scenario's own checks saw the scenario's target; this one sees the
 * target the run really has (a --target URL makes a devnet scenario's run a staging run).
 */
export function checkFaultEnvironment(timeline: readonly FaultTimelineEntry[], environment: string): void {
  const refused = timeline.filter(
    (e) => e.action === 'inject' && (e.event.blockedEnvironments.includes(environment) || !e.event.allowedEnvironments.includes(environment)),
  );
  if (refused.length === 0) return;
  throw new GasHammerError(ErrorCodes.FaultEnvironment, `the fault schedule may not run against environment '${environment}'`, {
    details: refused
      .map((e) => `fault '${e.faultName}' at ${e.atSecs}s allows ${e.event.allowedEnvironments.join(', ') || 'no environment'}${e.event.blockedEnvironments.length > 0 ? ` and blocks ${e.event.blockedEnvironments.join(', ')}` : ''}`)
      .join('\n  '),
  });
}

export interface FaultTimelineOptions {
  readonly entries: readonly FaultTimelineEntry[];
  readonly manager: FaultManager;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Wall clock, ms; default Date.now. */
  readonly now?: () => number;
}

export class FaultTimeline {
  private readonly timers: ReturnType<typeof setTimeout>[] = [];
  /** Steps run one after another, so a clear never overtakes the inject it clears. */
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly problems: string[] = [];
  private readonly now: () => number;
  private readonly log: NonNullable<FaultTimelineOptions['log']>;

  constructor(private readonly options: FaultTimelineOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
  }

  /** Schedules every event relative to `startWallMs`, the start of the run's first phase. */
  start(startWallMs: number): void {
    // Entries are in time order (the compiler sorted them, stably): same-time timers fire in it.
    for (const entry of this.options.entries) {
      const delay = Math.max(0, startWallMs + entry.atSecs * 1000 - this.now());
      this.timers.push(setTimeout(() => this.enqueue(entry), delay));
    }
  }

  /** Cancels what has not fired and clears every fault in force; returns every problem the run had with faults. */
  async stop(reason: ClearReason): Promise<readonly string[]> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
    await this.chain;
    const left = await this.options.manager.clearAll(reason);
    this.problems.push(...left);
    return [...this.problems];
  }

  /** Problems so far (an inject that failed mid-run); the run goes on without that fault. */
  issues(): readonly string[] {
    return [...this.problems];
  }

  private enqueue(entry: FaultTimelineEntry): void {
    this.chain = this.chain.then(() => this.play(entry));
  }

  private async play(entry: FaultTimelineEntry): Promise<void> {
    if (this.stopped) return;
    const { event } = entry;
    try {
      if (event.action === 'inject') {
        await this.options.manager.inject({ spec: event.fault, edgeIndexes: entry.edgeIndexes });
      } else {
        const cleared = await this.options.manager.clear(event.ref, 'schedule');
        if (cleared === 0) this.log('info', `fault '${entry.faultName}' at ${entry.atSecs}s: nothing to clear (already cleared by its duration)`);
      }
    } catch (error) {
      const message = `fault '${entry.faultName}' (${event.action} at ${entry.atSecs}s): ${error instanceof Error ? error.message : String(error)}`;
      this.problems.push(message);
      this.log('error', message);
    }
  }
}
