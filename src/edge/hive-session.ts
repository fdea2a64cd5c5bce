// An edge serving a hive: takes run assignments from the control stream, prepares its part of
// the run, plays each phase when the hive releases the barrier, reports back, and ships its
// telemetry all along. One run at a time; everything the run needs comes in the assignment, so
// an edge started with nothing but `--hive host:port` can take part in any run.

import type { Hex } from 'viem';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { ControlMessage, EdgeReport, RunAssignment } from '../proto/gashammer/v1/hive_edge.js';
import { compileScenario, type RunPlan } from '../scenario/compile.js';
import { loadScenarioText } from '../scenario/load.js';
import { TEST_MNEMONIC } from '../config/schema.js';
import type { EdgeMetrics } from '../metrics/edge-metrics.js';
import { TelemetryMetricsObserver } from '../metrics/telemetry-observer.js';
import { redactUrl } from '../util/redact.js';
import { deriveEdgeAccounts } from '../workload/accounts.js';
import { EdgeRun, type EdgeTarget } from './edge-run.js';
import type { ControlSender, EdgeStatusName, HiveLink } from './hive-link.js';
import { TelemetryShipper, type TelemetryShipperOptions } from './telemetry-shipper.js';

export interface HiveSessionOptions {
  readonly link: HiveLink;
  /** Edge configuration that overrides what the assignment says. */
  readonly mnemonic?: string;
  readonly derivationBase?: string;
  readonly bufferCapacity?: number;
  readonly flushIntervalMs?: number;
  readonly poolConnections?: number;
  /** The edge's Prometheus metrics, fed from the telemetry it ships. */
  readonly metrics?: EdgeMetrics;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

interface PendingRun {
  readonly runId: string;
  /** Resolves when the hive says the accounts are funded; rejects if the run is aborted first. */
  readonly funded: Promise<void>;
  fundedNow(): void;
  abortNow(reason: string): void;
}

interface ActiveRun {
  readonly runId: string;
  readonly plan: RunPlan;
  readonly run: EdgeRun;
  readonly shipper: TelemetryShipper;
  readonly drainTimeoutMs: number;
  /** The phase being played, so stop/abort can wait for it. */
  playing: Promise<void> | undefined;
  ending: boolean;
}

function targetOf(a: RunAssignment): EdgeTarget {
  const t = a.target;
  const c = t?.contracts;
  if (!t || !c || t.rpcUrl === '') throw new GasHammerError(ErrorCodes.EdgeAssignmentInvalid, 'the run assignment has no target');
  return {
    rpcUrl: t.rpcUrl,
    ...(t.wsUrl ? { wsUrl: t.wsUrl } : {}),
    ...(t.feedUrl ? { feedUrl: t.feedUrl } : {}),
    chainId: Number(t.chainId),
    contracts: {
      token: c.token as Hex,
      storageWriter: c.storageWriter as Hex,
      gasBurner: c.gasBurner as Hex,
      counter: c.counter as Hex,
      reverter: c.reverter as Hex,
      contentionTarget: c.contentionTarget as Hex,
      eventEmitter: c.eventEmitter as Hex,
    },
  };
}

/** Compiles the assigned scenario exactly as the hive did; refuses if the plans differ. */
export function planOf(a: RunAssignment): RunPlan {
  const loaded = loadScenarioText(a.scenarioSource, '<assigned scenario>');
  if (!loaded.ok) {
    const first = loaded.diagnostics[0];
    throw new GasHammerError(ErrorCodes.EdgeAssignmentInvalid, `the assigned scenario does not load here: ${first?.message ?? 'invalid'}`);
  }
  const plan = compileScenario(loaded.scenario, { edges: a.edgeCount });
  if (plan.scenarioHash !== a.scenarioHash) {
    throw new GasHammerError(ErrorCodes.EdgeAssignmentInvalid, `the scenario compiles to hash ${plan.scenarioHash.slice(0, 12)} here, but the hive has ${a.scenarioHash.slice(0, 12)}`);
  }
  if (a.edgeIndex >= plan.edges.length) throw new GasHammerError(ErrorCodes.EdgeAssignmentInvalid, `edge index ${a.edgeIndex} is outside the plan's ${plan.edges.length} edge(s)`);
  return plan;
}

function pendingRun(runId: string): PendingRun {
  let fundedNow: () => void = () => {};
  let abortNow: (reason: string) => void = () => {};
  const funded = new Promise<void>((resolve, reject) => {
    fundedNow = resolve;
    abortNow = (reason) => reject(new GasHammerError(ErrorCodes.EdgeRunFailed, `the run was aborted before it started: ${reason}`));
  });
  return { runId, funded, fundedNow, abortNow };
}

export class HiveSession {
  private control: ControlSender | undefined;
  private active: ActiveRun | undefined;
  /** A run assigned and not yet prepared. */
  private pending: PendingRun | undefined;
  private status: EdgeStatusName = 'idle';
  private closedReason: string | undefined;
  private readonly closedWaiters: ((reason: string) => void)[] = [];

  constructor(private readonly options: HiveSessionOptions) {}

  /** Opens the control stream and heartbeats; resolves when the hive ends the session. */
  serve(): Promise<string> {
    const { link } = this.options;
    link.startHeartbeat(
      () => ({ status: this.status, runId: this.active?.runId }),
      () => this.closeSession('the hive no longer knows this edge'),
    );
    this.control = link.openControl({
      onCommand: (message) => this.onCommand(message),
      onClose: (reason) => this.closeSession(reason),
    });
    return new Promise((resolve) => {
      if (this.closedReason !== undefined) resolve(this.closedReason);
      else this.closedWaiters.push(resolve);
    });
  }

  /** Stops the run in progress (SIGINT/SIGTERM): drains, flushes, reports, then ends. */
  async shutdown(): Promise<void> {
    if (this.active) await this.endRun(this.active, 'abort', 'the edge is shutting down');
    this.control?.close();
    this.options.link.close();
  }

  private closeSession(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.options.link.stopHeartbeat();
    this.pending?.abortNow(reason);
    const active = this.active;
    // With the hive gone there is nobody to report to; stop sending load.
    const done = active ? this.endRun(active, 'abort', reason) : Promise.resolve();
    void done.finally(() => {
      for (const w of this.closedWaiters.splice(0)) w(reason);
    });
  }

  private send(report: EdgeReport['report']): void {
    this.control?.send({ report });
  }

  private onCommand(message: ControlMessage): void {
    const command = message.command;
    if (!command) return;
    switch (command.$case) {
      case 'assign':
        void this.assign(command.value);
        break;
      case 'funded':
        if (this.pending && this.pending.runId === command.value.runId?.value) this.pending.fundedNow();
        break;
      case 'startPhase': {
        const active = this.active;
        if (!active || active.runId !== command.value.runId?.value) return;
        active.playing = this.playPhase(active, command.value.phaseIndex, command.value.startAtUnixNs);
        break;
      }
      case 'stop': {
        const active = this.active;
        if (active && active.runId === command.value.runId?.value) void this.endRun(active, 'stop', 'finished');
        break;
      }
      case 'abort': {
        if (this.pending && this.pending.runId === command.value.runId?.value) this.pending.abortNow(command.value.reason);
        const active = this.active;
        if (active && active.runId === command.value.runId?.value) void this.endRun(active, 'abort', command.value.reason);
        break;
      }
    }
  }

  private async assign(a: RunAssignment): Promise<void> {
    const runId = a.runId?.value ?? '';
    const { link, log } = this.options;
    if (this.active || this.pending) {
      this.send({ $case: 'failed', value: { runId: { value: runId }, code: ErrorCodes.EdgeAssignmentInvalid.code, message: `this edge is busy with run ${(this.active ?? this.pending)!.runId}` } });
      return;
    }
    this.status = 'running';
    let run: EdgeRun | undefined;
    try {
      const plan = planOf(a);
      const target = targetOf(a);
      log('info', `run ${runId}: edge ${a.edgeIndex + 1} of ${a.edgeCount}, scenario ${plan.scenario.name}, target ${redactUrl(target.rpcUrl)}`);
      // The hive funds the accounts: name them, then wait for its word.
      const accounts = deriveEdgeAccounts(plan.edges[a.edgeIndex]!, this.options.mnemonic ?? TEST_MNEMONIC, this.options.derivationBase ?? plan.accountDerivationBase);
      const pending = pendingRun(runId);
      this.pending = pending;
      this.send({ $case: 'accounts', value: { runId: { value: runId }, addresses: accounts.map((acc) => acc.address) } });
      await pending.funded;
      run = await EdgeRun.prepare({
        plan,
        edgeIndex: a.edgeIndex,
        runId,
        edgeId: link.edgeId,
        target,
        accounts,
        ...(this.options.bufferCapacity ? { bufferCapacity: this.options.bufferCapacity } : {}),
        ...(this.options.poolConnections ? { poolConnections: this.options.poolConnections } : {}),
        log: (m) => log('info', m),
      });
      const shipper = new TelemetryShipper({
        runId,
        edgeId: link.edgeId,
        buffer: run.buffer,
        stream: link.openTelemetry(),
        batchSize: link.settings.telemetryBatchSize,
        window: link.settings.telemetryWindow,
        flushIntervalMs: this.options.flushIntervalMs ?? 100,
        ...this.metricsHooks(),
      });
      shipper.start();
      this.pending = undefined;
      this.active = { runId, plan, run, shipper, drainTimeoutMs: a.drainTimeoutMs || 30_000, playing: undefined, ending: false };
      this.send({ $case: 'ready', value: { runId: { value: runId }, accounts: run.accounts.length } });
    } catch (error) {
      const e = error instanceof GasHammerError ? error : new GasHammerError(ErrorCodes.EdgeRunFailed, error instanceof Error ? error.message : String(error), { cause: error });
      log('error', `run ${runId}: ${e.code} ${e.message}`);
      if (run) await run.finish(0).catch(() => {});
      this.pending = undefined;
      this.status = 'idle';
      this.send({ $case: 'failed', value: { runId: { value: runId }, code: e.code, message: e.message } });
    }
  }

  private metricsHooks(): Pick<TelemetryShipperOptions, 'onSend' | 'onAck'> {
    const m = this.options.metrics;
    if (!m) return {};
    const observer = new TelemetryMetricsObserver(m);
    return {
      onSend: (events, newlyDropped) => {
        observer.observe(events);
        m.eventsGenerated.inc(events.length + newlyDropped);
        if (newlyDropped > 0) m.eventsDropped.inc(newlyDropped);
      },
      onAck: (count) => {
        m.eventsShipped.inc(count);
        m.batchesShipped.inc();
      },
    };
  }

  private async playPhase(active: ActiveRun, phaseIndex: number, startAtUnixNs: bigint): Promise<void> {
    // Wait for the shared start instant so every edge starts the phase together.
    const waitMs = Number(startAtUnixNs / 1_000_000n) - Date.now();
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    if (active.ending) return;
    try {
      const r = await active.run.runPhase(phaseIndex);
      active.shipper.pump();
      this.send({ $case: 'phaseDone', value: { runId: { value: active.runId }, phaseIndex, sent: r.sent, late: r.late, dropped: r.dropped } });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.log('error', `run ${active.runId}: phase ${phaseIndex} failed: ${message}`);
      this.send({ $case: 'failed', value: { runId: { value: active.runId }, code: ErrorCodes.EdgeRunFailed.code, message } });
    }
  }

  /** Stop (after the last phase) or abort: drain, flush telemetry, report finished, go idle. */
  private async endRun(active: ActiveRun, how: 'stop' | 'abort', reason: string): Promise<void> {
    if (active.ending) return;
    active.ending = true;
    this.status = 'draining';
    if (how === 'abort') {
      this.options.log('warn', `run ${active.runId}: aborting (${reason})`);
      active.run.stop();
    }
    await active.playing;
    await active.run.finish(how === 'abort' ? Math.min(active.drainTimeoutMs, 5_000) : active.drainTimeoutMs);
    const flushed = await active.shipper.flush(10_000);
    const stats = active.shipper.stats;
    if (!flushed) this.options.log('warn', `run ${active.runId}: ${active.run.buffer.size + stats.eventsLost} telemetry event(s) could not be shipped`);
    this.send({
      $case: 'finished',
      value: {
        runId: { value: active.runId },
        eventsRecorded: active.run.recorder.recorded,
        eventsShipped: BigInt(stats.eventsShipped),
        eventsDropped: BigInt(active.run.buffer.dropped),
      },
    });
    active.shipper.close();
    this.active = undefined;
    this.status = 'idle';
  }
}
