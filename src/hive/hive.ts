// The hive: the control plane in one object. It owns the edge registry and its reaper, the gRPC
// endpoint edges talk to, the stored scenarios, and the runs (one orchestrator each), and it is
// the HiveApi the REST layer and `gashammer run` drive. Targets and telemetry stores come from
// factories, so the same hive runs against the embedded devnet or a staging chain, and writes
// Parquet (or, in tests, anything that stores events).

import { randomUUID } from 'node:crypto';
import type { Address } from 'viem';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { createHiveMetrics, type HiveMetrics } from '../metrics/hive-metrics.js';
import { TelemetryMetricsObserver } from '../metrics/telemetry-observer.js';
import type { EdgeReport, RegisterEdgeRequest, RegisterEdgeResponse } from '../proto/gashammer/v1/hive_edge.js';
import type { TelemetryAck, TelemetryBatch } from '../proto/gashammer/v1/telemetry.js';
import { EdgeStatus, type Target } from '../proto/gashammer/v1/types.js';
import { createRpcClient, type RpcClient } from '../chain/rpc-client.js';
import { readChainSnapshot } from '../oracle/chain-snapshot.js';
import { LiveOracle } from '../oracle/live-oracle.js';
import { faultTypeLabel, invariantLabel } from '../metrics/labels.js';
import type { ChainSnapshot } from '../oracle/observations.js';
import { computeRunReport, writeReports, type ReportOptions } from '../report/report-engine.js';
import type { RunReportV2 } from '../report/report-types.js';
import { RUN_RECORD_FILE, SCENARIO_FILE, writeAtomically, writeSnapshots, type ChainSnapshots } from '../report/run-files.js';
import type { RunReport } from '../report/run-report.js';
import { compileScenario, usesTokenTemplates, type RunPlan } from '../scenario/compile.js';
import { loadScenarioText, scenarioError } from '../scenario/load.js';
import { ParquetSink } from '../telemetry/parquet-sink.js';
import { systemClock } from '../telemetry/clock.js';
import { HIVE_SOURCE_ID, type FaultCleared, type FaultInjected } from '../telemetry/events.js';
import { SCENARIO_DEFAULTS } from '../scenario/defaults.js';
import { realKernelAdapters } from '../fault/kernel-adapters.js';
import { prepareRunFaults, type KernelAdapterFactory, type RunFaults } from '../fault/run-faults.js';
import { buildInfo, type BuildInfo } from '../util/build-info.js';
import type { HealthView, HiveApi, RunView, StartRunRequest, StoredScenario } from './api.js';
import { EdgeRegistry, type EdgeRecord } from './edge-registry.js';
import { PROTOCOL_REVISION, RegistrationRefused, startHiveGrpcServer, type ControlChannel, type HiveEdgeHandlers, type HiveGrpcServer } from './grpc-server.js';
import { RunOrchestrator, type TelemetryStore } from './orchestrator.js';
import { isActive } from './run-state.js';

/** A target made ready for one run; released when the run ends. */
export interface ProvidedTarget {
  readonly kind: 'devnet' | 'remote';
  readonly target: Target;
  /** Funds the run's load accounts (and test tokens when the workload uses them). */
  fund(addresses: readonly Address[], usesToken: boolean): Promise<void>;
  release(): Promise<void>;
}

export interface HiveOptions {
  readonly bind: string;
  /** 0: any free port. */
  readonly grpcPort: number;
  readonly dataDir: string;
  readonly provideTarget: (plan: RunPlan, runId: string) => Promise<ProvidedTarget>;
  readonly openStore: (runId: string, plan: RunPlan) => TelemetryStore;
  readonly heartbeatIntervalMs?: number;
  readonly heartbeatTimeoutMs?: number;
  /** A stale edge leaves GET /edges this long after it went stale. */
  readonly staleDropAfterMs?: number;
  readonly preflightTimeoutMs?: number;
  readonly barrierTimeoutMs?: number;
  readonly drainTimeoutMs?: number;
  readonly telemetryBatchSize?: number;
  readonly telemetryWindow?: number;
  /** How often a run's buffered telemetry is written even if no row group is full (default 60 s). */
  readonly telemetryFlushIntervalMs?: number;
  readonly metrics?: HiveMetrics;
  /** How runs' reports are made: the baseline they compare with (none: the report says no baseline was given). */
  readonly reportOptions?: ReportOptions;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Builds netem and iptables adapters for runs whose fault schedule uses them (tests pass their own). */
  readonly kernelAdapters?: KernelAdapterFactory;
  /** Host put in the fault proxy's URLs handed to edges (default: the bind address, 127.0.0.1 for 0.0.0.0). */
  readonly advertiseHost?: string;
}

/** Telemetry stores for the hive: a Parquet sink per run, its files tagged with the scenario. */
export function parquetStores(dataDir: string, rotation: { readonly rotateBytes: number; readonly rotateIntervalMs: number }): HiveOptions['openStore'] {
  return (runId, plan) =>
    new ParquetSink({ dataDir, runId, ...rotation, metadata: { 'scenario.name': plan.scenario.name, 'scenario.hash': plan.scenarioHash } });
}

interface RunEntry {
  readonly orchestrator: RunOrchestrator;
  /** The run's faults; undefined when its scenario has no fault_schedule. */
  readonly faults: RunFaults | undefined;
  readonly done: Promise<RunReport>;
  /** The full report, written to the run folder after `done`; undefined if it could not be made. */
  readonly reported: Promise<RunReportV2 | undefined>;
}

export class Hive implements HiveApi, HiveEdgeHandlers {
  readonly buildInfo: BuildInfo = buildInfo();
  readonly registry: EdgeRegistry;
  readonly hiveMetrics: HiveMetrics;
  private readonly channels = new Map<string, ControlChannel>();
  private readonly scenarios = new Map<string, StoredScenario>();
  private readonly runs = new Map<string, RunEntry>();
  /** Which run each busy edge serves. */
  private readonly edgeRuns = new Map<string, RunOrchestrator>();
  private readonly edgeWaiters = new Set<() => void>();
  private grpc: HiveGrpcServer | undefined;
  private stopReaper: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  private readonly startedAt = Date.now();
  private readonly log: NonNullable<HiveOptions['log']>;

  constructor(private readonly options: HiveOptions) {
    this.log = options.log ?? (() => {});
    const interval = options.heartbeatIntervalMs ?? 1_000;
    this.registry = new EdgeRegistry({ heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? interval * 10, dropAfterMs: options.staleDropAfterMs ?? 60_000 });
    this.hiveMetrics = options.metrics ?? createHiveMetrics(undefined, { processMetrics: true });
    this.registry.on((edge, event) => {
      this.hiveMetrics.edgesActive.set(this.registry.activeCount);
      if (event === 'stale') {
        this.edgeRuns.get(edge.id)?.onEdgeLost(edge.id, edge.staleReason ?? 'stale');
        this.edgeRuns.delete(edge.id);
      } else if (event === 'dropped') {
        this.channels.get(edge.id)?.close();
        this.channels.delete(edge.id);
      }
    });
  }

  get metrics() {
    return this.hiveMetrics.registry;
  }

  /** host:port edges connect to; throws before start(). */
  get grpcAddress(): string {
    if (!this.grpc) throw new Error('the hive is not started');
    return this.grpc.address;
  }

  async start(): Promise<void> {
    try {
      this.grpc = await startHiveGrpcServer(this, this.options.bind, this.options.grpcPort);
    } catch (error) {
      throw new GasHammerError(ErrorCodes.HiveBind, `the hive cannot listen for edges on ${this.options.bind}:${this.options.grpcPort}: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.stopReaper = this.registry.startReaper(Math.max(100, Math.floor((this.options.heartbeatIntervalMs ?? 1_000) / 2)));
    this.log('info', `hive listening for edges on ${this.grpc.address}`);
  }

  /** Cancels active runs, waits for them to end (with their reports), and stops serving. */
  stop(reason = 'the hive is shutting down'): Promise<void> {
    this.stopping ??= this.stopOnce(reason);
    return this.stopping;
  }

  private async stopOnce(reason: string): Promise<void> {
    // Faults first: a shutdown must leave no fault behind even if a run is slow to abort.
    await Promise.allSettled([...this.runs.values()].map((r) => r.faults?.finish('shutdown')));
    for (const entry of this.runs.values()) entry.orchestrator.cancel(reason);
    await Promise.allSettled([...this.runs.values()].map((r) => r.done));
    this.stopReaper?.();
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
    await this.grpc?.stop();
  }

  // ---- HiveEdgeHandlers (gRPC) ----

  register(request: RegisterEdgeRequest): RegisterEdgeResponse {
    const caps = request.capabilities;
    if (!caps || caps.protocol !== PROTOCOL_REVISION) {
      throw new RegistrationRefused(`protocol revision ${caps?.protocol ?? 'unknown'} is not this hive's ${PROTOCOL_REVISION}: run the same GasHammer version on hive and edges`);
    }
    const name = request.name.trim() || 'edge';
    const edge = this.registry.register(name, { version: caps.version, build: caps.build, nodeVersion: caps.nodeVersion, cpus: caps.cpus, nativeSigner: caps.nativeSigner });
    this.log('info', `edge ${name} registered as ${edge.id}`);
    return {
      edgeId: { value: edge.id },
      heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 1_000,
      telemetryBatchSize: this.options.telemetryBatchSize ?? 1_000,
      telemetryWindow: this.options.telemetryWindow ?? 8,
    };
  }

  heartbeat(edgeId: string, status: EdgeStatus): boolean {
    if (!this.registry.heartbeat(edgeId)) return false;
    // The run decides idle and running; an edge draining its last transactions says so itself.
    const edge = this.registry.get(edgeId);
    if (status === EdgeStatus.EDGE_STATUS_DRAINING && edge?.status === 'running') this.registry.setStatus(edgeId, 'draining');
    return true;
  }

  controlOpened(edgeId: string, channel: ControlChannel): boolean {
    const edge = this.registry.get(edgeId);
    if (!edge || edge.status === 'stale') return false;
    this.channels.set(edgeId, channel);
    for (const w of [...this.edgeWaiters]) w();
    return true;
  }

  /** Idle edges with an open control stream: the ones a run can take. */
  availableEdges(): EdgeRecord[] {
    return this.registry.idle().filter((e) => this.channels.has(e.id));
  }

  /** Resolves once `count` edges are available; rejects after `timeoutMs`. */
  waitForEdges(count: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.availableEdges().length < count) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new GasHammerError(ErrorCodes.NotEnoughEdges, `${this.availableEdges().length} of ${count} edge(s) connected within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.edgeWaiters.delete(check);
      };
      this.edgeWaiters.add(check);
      check();
    });
  }

  report(edgeId: string, report: EdgeReport): void {
    const run = this.edgeRuns.get(edgeId);
    if (!run) return;
    run.onReport(edgeId, report);
    const r = report.report;
    if (r?.$case === 'finished' || r?.$case === 'failed') {
      this.edgeRuns.delete(edgeId);
      this.registry.setStatus(edgeId, 'idle');
    }
  }

  controlClosed(edgeId: string, reason: string): void {
    this.channels.delete(edgeId);
    this.registry.markStale(edgeId, reason);
  }

  telemetry(batch: TelemetryBatch): Promise<TelemetryAck> {
    const entry = this.runs.get(batch.runId);
    this.hiveMetrics.batchesReceived.inc();
    if (!entry) {
      this.log('warn', `telemetry for unknown run ${batch.runId} from edge ${batch.edgeId} (${batch.events.length} events) refused`);
      return Promise.reject(new Error(`unknown run ${batch.runId}`));
    }
    try {
      const ack = entry.orchestrator.onTelemetry(batch);
      this.hiveMetrics.eventsReceived.inc(batch.events.length);
      return Promise.resolve(ack);
    } catch (error) {
      this.log('error', `run ${batch.runId}: ${error instanceof Error ? error.message : String(error)}`);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  // ---- HiveApi ----

  health(): HealthView {
    const edges = this.registry.list();
    return {
      status: 'ok',
      uptimeSecs: Math.round((Date.now() - this.startedAt) / 1000),
      edges: { active: edges.filter((e) => e.status !== 'stale').length, stale: edges.filter((e) => e.status === 'stale').length },
      runs: { active: [...this.runs.values()].filter((r) => isActive(r.orchestrator.machine.state.name)).length },
    };
  }

  listScenarios(): StoredScenario[] {
    return [...this.scenarios.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  getScenario(name: string): StoredScenario | undefined {
    return this.scenarios.get(name);
  }

  putScenario(source: string): StoredScenario {
    const loaded = loadScenarioText(source, '<uploaded scenario>');
    if (!loaded.ok) throw scenarioError('<uploaded scenario>', loaded.diagnostics);
    const plan = compileScenario(loaded.scenario);
    const stored: StoredScenario = {
      name: plan.scenario.name,
      source,
      hash: plan.scenarioHash,
      description: plan.scenario.description || undefined,
      phases: plan.phases.length,
      totalDurationSecs: plan.totalDurationSecs,
      uploadedAt: new Date().toISOString(),
    };
    this.scenarios.set(stored.name, stored);
    return stored;
  }

  async startRun(request: StartRunRequest): Promise<RunView> {
    const entry = await this.launch(request);
    return entry.orchestrator.view();
  }

  /** Starts a run and returns a promise of its report (for `gashammer run`). */
  async launch(request: StartRunRequest): Promise<RunEntry & { readonly runId: string }> {
    const scenario = this.scenarios.get(request.scenario);
    if (!scenario) throw new GasHammerError(ErrorCodes.ApiNotFound, `no scenario named "${request.scenario}" is stored`, { hint: 'upload it with POST /scenarios first' });
    const loaded = loadScenarioText(scenario.source, '<stored scenario>');
    if (!loaded.ok) throw scenarioError(`<stored scenario ${request.scenario}>`, loaded.diagnostics);
    const plan = compileScenario(loaded.scenario, request.edges === undefined ? {} : { edges: request.edges });
    const idle = this.availableEdges();
    if (idle.length < plan.edges.length) {
      throw new GasHammerError(ErrorCodes.NotEnoughEdges, `the run needs ${plan.edges.length} edge(s) but ${idle.length} idle edge(s) are connected`);
    }
    const runId = randomUUID();
    const observer = new TelemetryMetricsObserver(this.hiveMetrics);
    const provided = await this.options.provideTarget(plan, runId);
    // A URL given at run time makes a devnet scenario's run a run against that chain: its faults
    // must be allowed for a staging target, not for the devnet the file names.
    const environment = provided.kind === 'remote' && plan.target.kind !== 'remote' ? SCENARIO_DEFAULTS.remoteEnvironment : plan.target.environment;
    // The fault rails run before any load: a refused environment or adapter blocks the run here.
    let faults: RunFaults | undefined;
    let recordFault: (event: FaultInjected | FaultCleared) => void = () => {};
    try {
      faults = await prepareRunFaults({
        plan,
        target: provided.target,
        environment,
        record: (event) => recordFault(event),
        log: (level, message) => this.log(level, `run ${runId}: ${message}`),
        proxyHost: this.options.bind,
        ...(this.options.advertiseHost ? { proxyAdvertiseHost: this.options.advertiseHost } : {}),
        kernelAdapters: this.options.kernelAdapters ?? realKernelAdapters,
      });
    } catch (error) {
      await provided.release().catch(() => undefined);
      throw error;
    }
    // By name, so `gashammer run`'s edge-0 plays edge index 0 of the plan.
    const store = this.options.openStore(runId, plan);
    // A quiet run's events would otherwise wait in memory for a full row group: write them at
    // least this often, so a crash loses at most that much, and age rotation happens on time.
    const flusher = setInterval(() => {
      try {
        store.flush?.();
      } catch (error) {
        this.log('error', `run ${runId}: flushing telemetry failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, this.options.telemetryFlushIntervalMs ?? 60_000);
    flusher.unref();
    // The oracle's view of the chain: the load accounts at the first and the last block.
    const snapshots = new RunSnapshots(provided.target.rpcUrl);
    let live: LiveOracle | undefined;
    const chosen = idle.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })).slice(0, plan.edges.length);
    const orchestrator = new RunOrchestrator({
      runId,
      plan,
      scenarioSource: scenario.source,
      target: provided.target,
      ...(faults ? { edgeTarget: (i: number) => faults.edgeTarget(i) } : {}),
      onFirstPhaseStart: (startWallMs) => faults?.start(startWallMs),
      onLoadEnd: async (reason) => {
        const problems = (await faults?.finish(reason)) ?? [];
        for (const p of problems) this.log('warn', `run ${runId}: ${p}`);
      },
      targetKind: provided.kind,
      fund: (addresses) => provided.fund(addresses, usesTokenTemplates(plan)),
      beforeFirstPhase: async (addresses) => {
        await snapshots.takeStart(addresses);
        live = this.liveOracle(runId, plan, addresses, snapshots.startSnapshot);
      },
      edges: chosen.map((e) => ({ edgeId: e.id, name: e.name, channel: this.channels.get(e.id)! })),
      store,
      preflightTimeoutMs: this.options.preflightTimeoutMs ?? 180_000,
      barrierTimeoutMs: this.options.barrierTimeoutMs ?? 30_000,
      drainTimeoutMs: this.options.drainTimeoutMs ?? 30_000,
      onEvents: (events, newlyDropped) => {
        observer.observe(events);
        if (live) for (const event of events) live.onEvent(event);
        if (newlyDropped > 0) this.hiveMetrics.eventsDropped.inc(newlyDropped);
      },
      onEdgeStale: (edgeId, reason) => this.registry.markStale(edgeId, reason),
      log: this.log,
    });
    // The hive's own events (the fault timeline) go into the run's telemetry beside the edges'.
    const hiveClock = systemClock();
    let hiveSeq = 0n;
    recordFault = (event) => {
      if (event.kind === 'FaultInjected') {
        this.hiveMetrics.faultsActive.inc();
        this.hiveMetrics.faultsInjected.inc({ type: faultTypeLabel(event.faultType) });
      } else this.hiveMetrics.faultsActive.dec();
      const state = orchestrator.machine.state;
      const header = { runId, edgeId: HIVE_SOURCE_ID, seq: hiveSeq++, phaseIndex: 'phaseIndex' in state ? state.phaseIndex : Math.max(0, plan.phases.length - 1), monoNs: hiveClock.monoNs() };
      try {
        store.append([{ ...header, wallNs: hiveClock.wallOf(header.monoNs), ...event }]);
      } catch (error) {
        this.log('error', `run ${runId}: recording a fault event failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    for (const e of chosen) {
      this.registry.setStatus(e.id, 'running', runId);
      this.edgeRuns.set(e.id, orchestrator);
    }
    this.hiveMetrics.runsActive.inc();
    this.log('info', `run ${runId}: scenario ${plan.scenario.name} on ${chosen.length} edge(s)`);
    const done = orchestrator.run().then(async (report) => {
      clearInterval(flusher);
      this.hiveMetrics.runsActive.dec();
      const s = orchestrator.machine.state;
      this.log('info', `run ${runId} ended: ${s.name === 'done' ? `done (${s.verdict})` : s.name === 'aborted' ? `aborted (${s.reason})` : s.name}`);
      for (const e of chosen) {
        if (this.edgeRuns.get(e.id) === orchestrator) this.edgeRuns.delete(e.id);
        if (this.registry.get(e.id)?.runId === runId) this.registry.setStatus(e.id, 'idle');
      }
      live?.stop();
      await faults?.close();
      await snapshots.takeEnd();
      await provided.release().catch((error: unknown) => this.log('warn', `run ${runId}: releasing the target failed: ${String(error)}`));
      await this.saveRunFolder(report, scenario.source, snapshots.result());
      return report;
    });
    // The full report (report.json, .md, .html) from the run folder; undefined if it could not be made.
    const reported = done.then(async (record) => {
      const runDir = join(this.options.dataDir, 'runs', record.runId);
      try {
        const full = await computeRunReport(runDir, this.options.reportOptions ?? {});
        await writeReports(runDir, full);
        return full;
      } catch (error) {
        this.log('error', `run ${record.runId}: the report could not be made: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    });
    const entry = { orchestrator, faults, done, reported, runId };
    this.runs.set(runId, entry);
    return entry;
  }

  listRuns(): RunView[] {
    return [...this.runs.values()].map((r) => r.orchestrator.view()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  getRun(id: string): RunView | undefined {
    return this.runs.get(id)?.orchestrator.view();
  }

  cancelRun(id: string, reason: string): RunView | undefined {
    const entry = this.runs.get(id);
    if (!entry) return undefined;
    entry.orchestrator.cancel(reason);
    return entry.orchestrator.view();
  }

  getReport(id: string): RunReport | undefined {
    return this.runs.get(id)?.orchestrator.getReport();
  }

  listEdges(): EdgeRecord[] {
    return this.registry.list();
  }

  getEdge(id: string): EdgeRecord | undefined {
    return this.registry.get(id);
  }

  /**
   * The oracle's live checks for a run, started once its accounts are known; every new violation
   * is counted in the metrics and logged. The report's post-run checks are the verdict; these
   * say early that something is wrong.
   */
  private liveOracle(runId: string, plan: RunPlan, accounts: readonly string[], start: ChainSnapshot | undefined): LiveOracle | undefined {
    if (plan.oracle.invariants.length === 0) return undefined;
    const oracle = new LiveOracle({
      invariants: plan.oracle.invariants,
      checkIntervalSecs: plan.oracle.checkIntervalSecs,
      accounts,
      ...(start ? { start } : {}),
      onViolations: (found) => {
        this.hiveMetrics.oracleViolations.inc({ invariant: invariantLabel(found.invariant) }, found.count);
        const first = found.violations[0];
        this.log('warn', `run ${runId}: oracle (live): ${found.count} new ${found.invariant} violation(s)${first ? `, e.g. ${first.description}` : ''}`);
      },
      onError: (error) => this.log('error', `run ${runId}: oracle (live) check failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    oracle.begin();
    return oracle;
  }

  /** The run record, the scenario it played and the chain snapshots, beside the telemetry. */
  private async saveRunFolder(record: RunReport, scenarioSource: string, snapshots: ChainSnapshots): Promise<void> {
    const dir = join(this.options.dataDir, 'runs', record.runId);
    try {
      await mkdir(dir, { recursive: true });
      await writeAtomically(join(dir, RUN_RECORD_FILE), JSON.stringify(record, null, 2) + '\n');
      await writeAtomically(join(dir, SCENARIO_FILE), scenarioSource);
      await writeSnapshots(dir, snapshots);
    } catch (error) {
      this.log('error', `run ${record.runId}: writing the run folder failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Reads the run's load accounts at its first and last block; a failure is noted, not fatal. */
class RunSnapshots {
  private readonly client: RpcClient;
  private accounts: string[] = [];
  private start: ChainSnapshot | undefined;
  private end: ChainSnapshot | undefined;
  private readonly problems: string[] = [];

  constructor(rpcUrl: string) {
    this.client = createRpcClient({ url: rpcUrl, timeoutMs: 30_000 });
  }

  async takeStart(addresses: readonly string[]): Promise<void> {
    this.accounts = addresses.map((a) => a.toLowerCase());
    try {
      this.start = await readChainSnapshot(this.client, this.accounts, await this.client.blockNumber());
    } catch (error) {
      this.problems.push(`the start balances could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async takeEnd(): Promise<void> {
    if (this.start === undefined) return;
    try {
      this.end = await readChainSnapshot(this.client, this.accounts, await this.client.blockNumber());
    } catch (error) {
      this.problems.push(`the end balances could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  get startSnapshot(): ChainSnapshot | undefined {
    return this.start;
  }

  result(): ChainSnapshots {
    return { accounts: this.accounts, ...(this.start ? { start: this.start } : {}), ...(this.end ? { end: this.end } : {}), problems: this.problems };
  }
}
