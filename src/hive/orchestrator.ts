// Carries one run through its states: preflight (assign the run to every edge and wait until all
// are prepared), a barrier before each phase (no edge starts phase N+1 before every live edge
// finished phase N), completing (drain and flush), and done, or aborted on cancel. An edge that
// dies or misses a barrier is marked stale and the run goes on without it; the report names it.
// It owns the run's telemetry intake too: batches are de-duplicated, counted and stored before
// they are acknowledged.

import type { Address } from 'viem';
import type { ControlMessage, EdgeReport } from '../proto/gashammer/v1/hive_edge.js';
import type { TelemetryAck, TelemetryBatch } from '../proto/gashammer/v1/telemetry.js';
import type { Target } from '../proto/gashammer/v1/types.js';
import type { RunReport } from '../report/run-report.js';
import type { RunPlan } from '../scenario/compile.js';
import type { TelemetryEvent } from '../telemetry/events.js';
import { fromWireEvent } from '../telemetry/wire.js';
import type { LiveCounters, RunEdgeState, RunEdgeView, RunView } from './api.js';
import type { ControlChannel } from './grpc-server.js';
import { buildRunReport } from '../report/build-run-report.js';
import { RunStateMachine, type Verdict } from './run-state.js';
import { RunTally } from './run-tally.js';

/** Where a run's events go: the Parquet sink in production. */
export interface TelemetryStore {
  append(events: readonly TelemetryEvent[]): void;
  /** Writes what is buffered now (and rotates a file that is old enough). */
  flush?(): void;
  close(): Promise<{ readonly files: readonly string[]; readonly rows: number }>;
}

export interface RunEdge {
  readonly edgeId: string;
  readonly name: string;
  readonly channel: ControlChannel;
}

export interface OrchestratorOptions {
  readonly runId: string;
  readonly plan: RunPlan;
  readonly scenarioSource: string;
  readonly target: Target;
  /** The target edge `index` is handed, when it differs from `target` (the fault proxy's URLs). */
  readonly edgeTarget?: (edgeIndex: number) => Target;
  readonly targetKind: 'devnet' | 'remote';
  /** Funds every edge's load accounts from the hive's one funder. */
  readonly fund: (addresses: readonly Address[]) => Promise<void>;
  /**
   * Every edge is ready and nothing of the load has been sent: e.g. read the accounts' start
   * balances for the oracle. A failure here is logged, not fatal (the oracle then says why it
   * skipped).
   */
  readonly beforeFirstPhase?: (addresses: readonly Address[]) => Promise<void>;
  readonly edges: readonly RunEdge[];
  readonly store: TelemetryStore;
  /** How long edges may take to prepare (fund, calibrate). */
  readonly preflightTimeoutMs: number;
  /** How long past a phase's end an edge may take to report it done before it is marked stale. */
  readonly barrierTimeoutMs: number;
  /** How long edges may wait for pending transactions at the end. */
  readonly drainTimeoutMs: number;
  /** Delay between releasing a barrier and the shared phase start instant. */
  readonly startLeadMs?: number;
  /** Sees every stored batch of events, and how many more the edge dropped (the hive's metrics). */
  readonly onEvents?: (events: readonly TelemetryEvent[], newlyDropped: number) => void;
  /** Marks an edge stale in the hive's registry too. */
  readonly onEdgeStale?: (edgeId: string, reason: string) => void;
  /** The first phase starts at this wall time (ms): the run's clock, e.g. for the fault timeline. */
  readonly onFirstPhaseStart?: (startWallMs: number) => void;
  /**
   * The load is over (the last phase ended, or the run is aborting), before the edges drain:
   * e.g. clear every fault so the drain sees a healthy target. Awaited; a failure is logged.
   */
  readonly onLoadEnd?: (reason: 'run-end' | 'abort') => Promise<void>;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  readonly now?: () => number;
}

interface Slot {
  readonly edgeIndex: number;
  readonly edgeId: string;
  readonly name: string;
  readonly channel: ControlChannel;
  state: RunEdgeState;
  reason: string | undefined;
  lastPhaseDone: number;
  nextBatchSeq: bigint;
  /** The load accounts the edge derived, once it said. */
  accounts: readonly Address[] | undefined;
  /** Events the edge said it shipped and dropped, from its RunFinished. */
  finished: { shipped: number; dropped: number; recorded: number } | undefined;
}

const LIVE: ReadonlySet<RunEdgeState> = new Set(['assigned', 'ready', 'running', 'phase-done']);

export class RunOrchestrator {
  readonly machine: RunStateMachine;
  readonly tally: RunTally;
  readonly createdAt: Date;
  private endedAt: Date | undefined;
  private readonly slots: Slot[];
  private readonly byEdge = new Map<string, Slot>();
  private cancelReason: string | undefined;
  private wake: (() => void) | undefined;
  private report: RunReport | undefined;
  private files: readonly string[] = [];
  private readonly now: () => number;
  private readonly log: NonNullable<OrchestratorOptions['log']>;

  constructor(private readonly options: OrchestratorOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.machine = new RunStateMachine(this.now);
    this.tally = new RunTally(options.plan.phases.length);
    this.createdAt = new Date(this.now());
    this.slots = options.edges.map((e, i) => ({
      edgeIndex: i,
      edgeId: e.edgeId,
      name: e.name,
      channel: e.channel,
      state: 'assigned',
      reason: undefined,
      lastPhaseDone: -1,
      nextBatchSeq: 0n,
      accounts: undefined,
      finished: undefined,
    }));
    for (const s of this.slots) this.byEdge.set(s.edgeId, s);
  }

  get runId(): string {
    return this.options.runId;
  }

  get plan(): RunPlan {
    return this.options.plan;
  }

  /** Drives the run to its end; resolves with the report (also for an aborted run). */
  async run(): Promise<RunReport> {
    try {
      await this.preflight();
      for (let i = 0; i < this.options.plan.phases.length && !this.cancelReason; i++) await this.playPhase(i);
      await this.endLoad(this.cancelReason ? 'abort' : 'run-end');
      if (this.cancelReason) await this.abortEdges(this.cancelReason);
      else await this.complete();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log('error', `run ${this.runId}: ${reason}`);
      await this.endLoad('abort');
      await this.abortEdges(reason);
    }
    const stored = await this.options.store.close().catch((error: unknown) => {
      this.log('error', `run ${this.runId}: closing the telemetry store failed: ${error instanceof Error ? error.message : String(error)}`);
      return { files: [] as string[], rows: 0 };
    });
    this.files = stored.files;
    const reasons: string[] = [];
    if (this.machine.state.name === 'completing') this.machine.transition({ name: 'done', verdict: this.verdict(reasons) });
    this.endedAt = new Date(this.now());
    this.report = buildRunReport({
      runId: this.runId,
      plan: this.options.plan,
      targetKind: this.options.targetKind,
      target: this.options.target,
      state: this.machine.state,
      reasons,
      startedAt: this.createdAt,
      endedAt: this.endedAt,
      tally: this.tally,
      files: this.files,
      edges: this.slots.map((s) => ({ edgeIndex: s.edgeIndex, edgeId: s.edgeId, name: s.name, state: s.state, reason: s.reason, finished: s.finished })),
    });
    return this.report;
  }

  private loadEnded = false;

  private async endLoad(reason: 'run-end' | 'abort'): Promise<void> {
    if (this.loadEnded) return;
    this.loadEnded = true;
    await this.options.onLoadEnd?.(reason).catch((error: unknown) => {
      this.log('error', `run ${this.runId}: at the end of the load: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** Asks the run to stop now; the run() promise then resolves with an aborted report. */
  cancel(reason: string): void {
    if (this.cancelReason || this.machine.state.name === 'done' || this.machine.state.name === 'aborted') return;
    this.cancelReason = reason;
    this.notify();
  }

  onReport(edgeId: string, report: EdgeReport): void {
    const slot = this.byEdge.get(edgeId);
    const r = report.report;
    if (!slot || !r) return;
    switch (r.$case) {
      case 'accounts':
        slot.accounts = r.value.addresses as Address[];
        break;
      case 'ready':
        if (slot.state === 'assigned') slot.state = 'ready';
        break;
      case 'phaseDone':
        if (LIVE.has(slot.state)) {
          slot.lastPhaseDone = Math.max(slot.lastPhaseDone, r.value.phaseIndex);
          slot.state = 'phase-done';
        }
        break;
      case 'finished':
        slot.finished = { shipped: Number(r.value.eventsShipped), dropped: Number(r.value.eventsDropped), recorded: Number(r.value.eventsRecorded) };
        if (LIVE.has(slot.state)) slot.state = 'finished';
        break;
      case 'failed':
        if (LIVE.has(slot.state)) {
          slot.state = 'failed';
          slot.reason = `${r.value.code}: ${r.value.message}`;
          this.log('warn', `run ${this.runId}: edge ${slot.name} failed: ${slot.reason}`);
          this.edgeLeft(slot, slot.reason);
        }
        break;
      default:
        break;
    }
    this.notify();
  }

  /** The edge's control stream closed or its heartbeats stopped. */
  onEdgeLost(edgeId: string, reason: string): void {
    const slot = this.byEdge.get(edgeId);
    if (!slot || !LIVE.has(slot.state)) return;
    this.markStale(slot, reason);
    this.notify();
  }

  /** Stores a batch and says how far this edge's telemetry is safely held; throws if it cannot be stored. */
  onTelemetry(batch: TelemetryBatch): TelemetryAck {
    const slot = this.byEdge.get(batch.edgeId);
    const edgeTally = this.tally.edge(batch.edgeId);
    if (!slot) return { batchSeq: batch.batchSeq, eventsAccepted: 0n };
    // A batch seen before (re-sent after a reconnect) is acknowledged again, not stored twice.
    if (batch.batchSeq < slot.nextBatchSeq) return { batchSeq: batch.batchSeq, eventsAccepted: BigInt(edgeTally.eventsReceived) };
    const events = batch.events.map((w) => fromWireEvent(w, this.runId, batch.edgeId));
    try {
      this.options.store.append(events);
    } catch (error) {
      // Events the hive cannot keep must not be acknowledged, and a run that loses its record
      // cannot be judged: stop it.
      const reason = `telemetry storage failed: ${error instanceof Error ? error.message : String(error)}`;
      this.cancel(reason);
      throw error;
    }
    slot.nextBatchSeq = batch.batchSeq + 1n;
    const newlyDropped = this.tally.addBatch(batch.edgeId, events, Number(batch.droppedTotal));
    this.options.onEvents?.(events, newlyDropped);
    return { batchSeq: batch.batchSeq, eventsAccepted: BigInt(edgeTally.eventsReceived) };
  }

  getReport(): RunReport | undefined {
    return this.report;
  }

  view(): RunView {
    const state = this.machine.state;
    const phaseIndex = 'phaseIndex' in state ? state.phaseIndex : undefined;
    const phase = phaseIndex === undefined ? undefined : this.options.plan.phases[phaseIndex];
    const totals = this.tally.totals();
    const counters: LiveCounters = {
      eventsReceived: this.tally.eventsReceived,
      eventsDropped: this.tally.eventsDropped,
      txSubmitted: totals.txSubmitted,
      txIncluded: totals.txIncluded,
      txFailed: totals.txFailed,
      txTimeout: totals.txTimeout,
      gasSubmitted: totals.gasSubmitted,
      gasIncluded: totals.gasIncluded,
    };
    const edges: RunEdgeView[] = this.slots.map((s) => ({ edgeIndex: s.edgeIndex, edgeId: s.edgeId, name: s.name, state: s.state, reason: s.reason, lastPhaseDone: s.lastPhaseDone }));
    return {
      id: this.runId,
      scenario: { name: this.options.plan.scenario.name, hash: this.options.plan.scenarioHash },
      state,
      phase: phase && phaseIndex !== undefined ? { index: phaseIndex, name: phase.name } : undefined,
      phaseCount: this.options.plan.phases.length,
      createdAt: this.createdAt.toISOString(),
      endedAt: this.endedAt?.toISOString(),
      edges,
      counters,
      history: this.machine.history,
    };
  }

  private live(): Slot[] {
    return this.slots.filter((s) => LIVE.has(s.state));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * Waits until `done()` holds, the run is cancelled (unless `throughCancel`: the abort's own
   * wait for the edges' last reports), or the deadline passes; returns whether done() held.
   */
  private async waitUntil(done: () => boolean, deadlineMs: number, throughCancel = false): Promise<boolean> {
    for (;;) {
      if (done()) return true;
      if (this.cancelReason && !throughCancel) return false;
      const left = deadlineMs - this.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private send(slot: Slot, message: ControlMessage): void {
    slot.channel.send(message);
  }

  private markStale(slot: Slot, reason: string): void {
    slot.state = 'stale';
    slot.reason = reason;
    this.log('warn', `run ${this.runId}: edge ${slot.name} is stale: ${reason}`);
    this.options.onEdgeStale?.(slot.edgeId, reason);
    this.edgeLeft(slot, reason);
  }

  /** A running run loses an edge: Running -> Recovering -> Running, without it. */
  private edgeLeft(slot: Slot, reason: string): void {
    const state = this.machine.state;
    if (state.name !== 'running') return;
    this.machine.transition({ name: 'recovering', phaseIndex: state.phaseIndex, reason: `edge ${slot.name}: ${reason}` });
    if (this.live().length === 0) return; // the main loop aborts the run
    this.machine.transition({ name: 'running', phaseIndex: state.phaseIndex });
  }

  private async preflight(): Promise<void> {
    const { plan, runId } = this.options;
    for (const slot of this.slots) {
      this.send(slot, {
        command: {
          $case: 'assign',
          value: {
            runId: { value: runId },
            edgeIndex: slot.edgeIndex,
            edgeCount: this.slots.length,
            scenarioSource: this.options.scenarioSource,
            scenarioHash: plan.scenarioHash,
            target: this.options.edgeTarget?.(slot.edgeIndex) ?? this.options.target,
            phases: plan.phases.map((p, index) => ({ index, name: p.name, durationSecs: p.durationSecs, meanGasPerSec: p.meanGasPerSec })),
            drainTimeoutMs: this.options.drainTimeoutMs,
          },
        },
      });
    }
    const deadline = this.now() + this.options.preflightTimeoutMs;
    // Step 1: every edge names its accounts; the hive funds them all from its one funder.
    const allNamed = await this.waitUntil(() => this.slots.every((s) => s.accounts !== undefined || s.state !== 'assigned'), deadline);
    if (this.cancelReason) return;
    if (!allNamed || this.slots.some((s) => s.state !== 'assigned')) {
      for (const s of this.slots) if (s.state === 'assigned' && s.accounts === undefined) this.markStale(s, `did not name its accounts within ${this.options.preflightTimeoutMs} ms`);
      throw new Error(`preflight failed: ${this.describeUnready()}`);
    }
    const addresses = this.slots.flatMap((s) => s.accounts ?? []);
    this.log('info', `run ${runId}: funding ${addresses.length} account(s)`);
    // Funding cannot be interrupted half-way (its transactions are out); a cancel waits for it.
    await this.options.fund(addresses);
    if (this.cancelReason) return;
    for (const slot of this.slots) this.send(slot, { command: { $case: 'funded', value: { runId: { value: runId } } } });
    // Step 2: edges read nonces and calibrate, then say ready.
    const allPrepared = await this.waitUntil(() => this.slots.every((s) => s.state !== 'assigned'), deadline);
    if (this.cancelReason) return;
    if (!allPrepared) for (const s of this.slots) if (s.state === 'assigned') this.markStale(s, `not prepared within ${this.options.preflightTimeoutMs} ms`);
    if (this.slots.some((s) => s.state !== 'ready')) throw new Error(`preflight failed: ${this.describeUnready()}`);
    this.log('info', `run ${runId}: ${this.slots.length} edge(s) prepared`);
    await this.options.beforeFirstPhase?.(addresses).catch((error: unknown) => {
      this.log('warn', `run ${runId}: before the first phase: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private describeUnready(): string {
    return this.slots
      .filter((s) => s.state !== 'ready' && s.state !== 'assigned')
      .map((s) => `edge ${s.name} ${s.state}${s.reason ? ` (${s.reason})` : ''}`)
      .join('; ');
  }

  private async playPhase(index: number): Promise<void> {
    const phase = this.options.plan.phases[index]!;
    this.machine.transition({ name: 'barrier', phaseIndex: index });
    // Every live edge finished the previous phase (the wait below made sure of it).
    const startAt = this.now() + (this.options.startLeadMs ?? 250);
    if (index === 0) this.options.onFirstPhaseStart?.(startAt);
    this.machine.transition({ name: 'running', phaseIndex: index });
    this.log('info', `run ${this.runId}: phase ${index} (${phase.name}) starts on ${this.live().length} edge(s)`);
    for (const slot of this.live()) {
      slot.state = 'running';
      this.send(slot, { command: { $case: 'startPhase', value: { runId: { value: this.runId }, phaseIndex: index, startAtUnixNs: BigInt(startAt) * 1_000_000n } } });
    }
    const deadline = startAt + phase.durationSecs * 1000 + this.options.barrierTimeoutMs;
    const allDone = await this.waitUntil(() => this.live().every((s) => s.lastPhaseDone >= index), deadline);
    if (this.cancelReason) return;
    if (!allDone) {
      for (const s of this.live()) if (s.lastPhaseDone < index) this.markStale(s, `missed the barrier after phase ${index} (${phase.name})`);
    }
    if (this.live().length === 0) throw new Error(`every edge was lost by the end of phase ${index} (${phase.name})`);
  }

  private async complete(): Promise<void> {
    this.machine.transition({ name: 'completing' });
    for (const slot of this.live()) this.send(slot, { command: { $case: 'stop', value: { runId: { value: this.runId } } } });
    // Edges drain pending transactions, then flush telemetry (at most 10 s) before they report.
    const deadline = this.now() + this.options.drainTimeoutMs + 15_000;
    const finished = await this.waitUntil(() => this.live().length === 0, deadline);
    // Cancelled while draining: the edges still at it are told to stop now, not blamed.
    if (this.cancelReason) await this.abortEdges(this.cancelReason);
    else if (!finished) for (const s of this.live()) this.markStale(s, 'did not finish draining in time');
  }

  private async abortEdges(reason: string): Promise<void> {
    this.machine.abort(reason);
    const live = this.live();
    for (const slot of live) this.send(slot, { command: { $case: 'abort', value: { runId: { value: this.runId }, reason } } });
    // Aborting edges drain for at most 5 s and flush for at most 10 s.
    const deadline = this.now() + 20_000;
    await this.waitUntil(() => this.live().length === 0, deadline, true);
    this.cancelReason ??= reason;
    for (const s of this.live()) this.markStale(s, 'did not finish after the abort');
  }

  private verdict(reasons: string[]): Verdict {
    const lost = this.slots.filter((s) => s.state === 'stale' || s.state === 'failed');
    for (const s of lost) reasons.push(`edge ${s.name} ${s.state}: ${s.reason ?? 'unknown'}`);
    const dropped = this.tally.eventsDropped;
    if (dropped > 0) reasons.push(`${dropped} telemetry event(s) were dropped at the edges`);
    const unshipped = this.slots.reduce((n, s) => n + (s.finished ? s.finished.recorded - s.finished.shipped - s.finished.dropped : 0), 0);
    if (unshipped > 0) reasons.push(`${unshipped} telemetry event(s) never reached the hive`);
    return reasons.length > 0 ? 'inconclusive' : 'pass';
  }
}
