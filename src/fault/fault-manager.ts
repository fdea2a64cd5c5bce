// The fault manager: the one owner of every fault in force during a run. It routes each fault
// to the adapter the scenario chose, tracks every handle, clears a fault when its duration is
// over, and clears everything when the run completes, aborts or the process is told to stop,
// recording a FaultInjected / FaultCleared event for each so the report can mark the windows.
// Nothing else calls an adapter's inject or clear.

import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { FaultRef } from '../scenario/types.js';
import { faultMatches } from '../scenario/fault-refs.js';
import type { FaultCleared, FaultInjected } from '../telemetry/events.js';
import type { AdapterName, FaultAdapter, FaultApplication, FaultHandle, PreflightResult } from './adapter.js';

/** Why a fault left force; recorded on its FaultCleared event. */
export type ClearReason = 'schedule' | 'duration' | 'run-end' | 'abort' | 'shutdown';

export interface ActiveFault {
  readonly handle: FaultHandle;
  /** Monotonic ns when it was put in force. */
  readonly injectedAtNs: bigint;
}

export interface FaultManagerOptions {
  readonly adapters: readonly FaultAdapter[];
  /** Receives the fault events (the hive stores them with the run's telemetry). */
  readonly record: (event: FaultInjected | FaultCleared) => void;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Monotonic clock, ns; default process.hrtime.bigint. */
  readonly monoNs?: () => bigint;
}

export class FaultManager {
  private readonly adapters = new Map<AdapterName, FaultAdapter>();
  private readonly active = new Map<string, ActiveFault>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly monoNs: () => bigint;
  private readonly log: NonNullable<FaultManagerOptions['log']>;

  constructor(private readonly options: FaultManagerOptions) {
    for (const a of options.adapters) this.adapters.set(a.name, a);
    this.monoNs = options.monoNs ?? (() => process.hrtime.bigint());
    this.log = options.log ?? (() => {});
  }

  /** Preflight of the named adapters; throws GH-E703 listing every reason when one is not ready. */
  async preflight(names: Iterable<AdapterName>): Promise<readonly PreflightResult[]> {
    const results: PreflightResult[] = [];
    for (const name of new Set(names)) {
      const adapter = this.adapters.get(name);
      results.push(adapter ? await adapter.preflight() : { adapter: name, ready: false, issues: [`the ${name} adapter is not available in this process`] });
    }
    const failed = results.filter((r) => !r.ready);
    if (failed.length > 0) {
      throw new GasHammerError(ErrorCodes.FaultPreflight, `the fault schedule needs ${failed.map((r) => r.adapter).join(' and ')}, which cannot run here`, {
        details: failed.flatMap((r) => r.issues.map((issue) => `${r.adapter}: ${issue}`)).join('\n  '),
      });
    }
    return results;
  }

  /** Puts a fault in force; with a duration, schedules its clear. Throws GH-E700. */
  async inject(application: FaultApplication): Promise<ActiveFault> {
    const { spec } = application;
    const adapter = this.adapters.get(spec.adapter);
    if (!adapter) throw new GasHammerError(ErrorCodes.FaultInject, `fault '${spec.name}' needs the ${spec.adapter} adapter, which this run did not prepare`);
    const handle = await adapter.inject(application);
    const fault: ActiveFault = { handle, injectedAtNs: this.monoNs() };
    this.active.set(handle.id, fault);
    this.options.record({
      kind: 'FaultInjected',
      faultName: spec.name,
      faultType: spec.type,
      faultTarget: spec.target,
      adapter: spec.adapter,
      edgeIndexes: application.edgeIndexes.join(','),
      params: JSON.stringify(spec.params),
    });
    this.log('info', `fault '${spec.name}' injected: ${handle.description}`);
    if (spec.durationSecs !== undefined) {
      const timer = setTimeout(() => {
        this.timers.delete(handle.id);
        this.clearHandle(handle.id, 'duration').catch((error: unknown) => this.log('error', describe(error)));
      }, spec.durationSecs * 1000);
      this.timers.set(handle.id, timer);
    }
    return fault;
  }

  /** Clears the active fault(s) a schedule's clear names; returns how many. */
  async clear(ref: FaultRef, reason: ClearReason = 'schedule'): Promise<number> {
    const hits = [...this.active.values()].filter((f) => faultMatches(f.handle.application.spec, ref));
    for (const f of hits) await this.clearHandle(f.handle.id, reason);
    return hits.length;
  }

  /**
   * Clears every fault this manager put in force, then asks every adapter to clear whatever it
   * still has (what a crashed earlier run left, or a clear that failed). Never throws: it tries
   * everything and returns the problems, so one stuck rule does not keep the others in force.
   */
  async clearAll(reason: ClearReason): Promise<readonly string[]> {
    const problems: string[] = [];
    for (const id of [...this.active.keys()]) {
      await this.clearHandle(id, reason).catch((error: unknown) => problems.push(describe(error)));
    }
    for (const adapter of this.adapters.values()) {
      const left = await adapter.clearAll().catch((error: unknown) => {
        problems.push(describe(error));
        return 0;
      });
      if (left > 0) this.log('warn', `the ${adapter.name} adapter cleared ${left} fault(s) nobody tracked`);
    }
    return problems;
  }

  /** Faults in force now. */
  list(): readonly ActiveFault[] {
    return [...this.active.values()];
  }

  private async clearHandle(id: string, reason: ClearReason): Promise<void> {
    const fault = this.active.get(id);
    if (!fault) return;
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
    const { handle } = fault;
    // Forget it first: a second clear of the same fault (a duration and a schedule racing) is a no-op.
    this.active.delete(id);
    try {
      await this.adapters.get(handle.adapter)!.clear(handle);
    } catch (error) {
      // No FaultCleared: the fault may still be in force, and the report must not say otherwise.
      this.log('error', `fault '${handle.application.spec.name}' could not be cleared: ${describe(error)}`);
      throw error instanceof GasHammerError ? error : new GasHammerError(ErrorCodes.FaultClear, `fault '${handle.application.spec.name}' could not be cleared: ${handle.description}`, { cause: error });
    }
    const spec = handle.application.spec;
    this.options.record({
      kind: 'FaultCleared',
      faultName: spec.name,
      faultType: spec.type,
      faultTarget: spec.target,
      adapter: spec.adapter,
      edgeIndexes: handle.application.edgeIndexes.join(','),
      reason,
      activeNs: this.monoNs() - fault.injectedAtNs,
    });
    this.log('info', `fault '${handle.application.spec.name}' cleared (${reason})`);
  }
}

function describe(error: unknown): string {
  return error instanceof GasHammerError ? error.message : error instanceof Error ? error.message : String(error);
}
