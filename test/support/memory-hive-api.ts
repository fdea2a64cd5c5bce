// An in-memory stand-in for the hive behind the REST API: it keeps scenarios, runs and edges in
// maps and validates uploads with the real scenario loader, but orchestrates nothing. Tests
// drive a run's life by hand (finishRun) and can make any operation throw (failWith), so
// every HTTP mapping can be checked without edges, gRPC or a chain.

import { ErrorCodes } from '../../src/errors/codes.js';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import type { HealthView, HiveApi, RunView, StartRunRequest, StoredScenario } from '../../src/hive/api.js';
import { EdgeRegistry, type EdgeRecord } from '../../src/hive/edge-registry.js';
import { isActive, type RunState, type StateChange, type Verdict } from '../../src/hive/run-state.js';
import { createHiveMetrics, type HiveMetrics } from '../../src/metrics/hive-metrics.js';
import type { RunReport } from '../../src/report/run-report.js';
import { scenarioHash } from '../../src/scenario/hash.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import type { BuildInfo } from '../../src/util/build-info.js';

export const TEST_BUILD_INFO: BuildInfo = {
  name: 'GasHammer',
  version: '0.0.0-test',
  buildSha: '0123456789abcdef0123456789abcdef01234567',
  buildTime: '2025-01-01T00:00:00Z',
  license: 'Apache-2.0',
};

const T0 = Date.parse('2025-01-01T12:00:00Z');

const CAPABILITIES = { version: TEST_BUILD_INFO.version, build: 'test', nodeVersion: 'v20.19.0', cpus: 2, nativeSigner: true };

interface MemoryRun {
  view: RunView;
  scenario: Scenario;
  report: RunReport | undefined;
}

type Operation = 'health' | 'listScenarios' | 'getScenario' | 'putScenario' | 'startRun' | 'listRuns' | 'getRun' | 'cancelRun' | 'getReport' | 'listEdges' | 'getEdge';

export class MemoryHiveApi implements HiveApi {
  readonly buildInfo = TEST_BUILD_INFO;
  readonly hiveMetrics: HiveMetrics = createHiveMetrics();
  readonly metrics = this.hiveMetrics.registry;
  private readonly edgeRegistry: EdgeRegistry;
  private readonly scenarios = new Map<string, { stored: StoredScenario; scenario: Scenario }>();
  private readonly runs = new Map<string, MemoryRun>();
  private readonly failures = new Map<Operation, unknown>();
  private clockMs = T0;
  private nextRun = 1;
  private nextEdge = 1;

  constructor() {
    this.edgeRegistry = new EdgeRegistry({ heartbeatTimeoutMs: 15_000, dropAfterMs: 60_000, now: () => this.clockMs, newId: () => `edge-${this.nextEdge++}` });
  }

  // --- test controls ------------------------------------------------------------------------

  /** Registers an idle edge and returns its id. */
  addEdge(name: string): string {
    return this.edgeRegistry.register(name, CAPABILITIES).id;
  }

  /** The next calls of `operation` throw `error` (until cleared with undefined). */
  failWith(operation: Operation, error: unknown): void {
    if (error === undefined) this.failures.delete(operation);
    else this.failures.set(operation, error);
  }

  /** Ends an active run with `verdict` and writes its report. */
  finishRun(id: string, verdict: Verdict, report: Partial<RunReport> = {}): RunReport {
    const run = this.runs.get(id);
    if (!run) throw new Error(`no run ${id}`);
    this.moveTo(run, { name: 'completing' });
    this.moveTo(run, { name: 'done', verdict });
    run.report = { ...sampleReport(run.view, verdict), ...report };
    this.release(run);
    return run.report;
  }

  /** Moves an active run to running its first phase. */
  beginRun(id: string): void {
    const run = this.runs.get(id);
    if (!run) throw new Error(`no run ${id}`);
    this.moveTo(run, { name: 'barrier', phaseIndex: 0 });
    this.moveTo(run, { name: 'running', phaseIndex: 0 });
  }

  // --- HiveApi --------------------------------------------------------------------------------

  health(): HealthView {
    this.maybeFail('health');
    const edges = this.edgeRegistry.list();
    return {
      status: 'ok',
      uptimeSecs: 42,
      edges: { active: this.edgeRegistry.activeCount, stale: edges.filter((e) => e.status === 'stale').length },
      runs: { active: [...this.runs.values()].filter((r) => isActive(r.view.state.name)).length },
    };
  }

  listScenarios(): StoredScenario[] {
    this.maybeFail('listScenarios');
    return [...this.scenarios.values()].map((s) => s.stored).sort((a, b) => a.name.localeCompare(b.name));
  }

  getScenario(name: string): StoredScenario | undefined {
    this.maybeFail('getScenario');
    return this.scenarios.get(name)?.stored;
  }

  putScenario(source: string): StoredScenario {
    this.maybeFail('putScenario');
    const loaded = loadScenarioText(source, '<upload>');
    if (!loaded.ok) {
      const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
      const first = errors[0] ?? loaded.diagnostics[0];
      throw new GasHammerError(first?.code ?? ErrorCodes.ScenarioSchema, `${errors.length} problem(s) in the scenario`, { diagnostics: loaded.diagnostics });
    }
    const scenario = loaded.scenario;
    const stored: StoredScenario = {
      name: scenario.name,
      source,
      hash: scenarioHash(scenario),
      description: scenario.description || undefined,
      phases: scenario.phases.length,
      totalDurationSecs: scenario.phases.reduce((total, p) => total + p.durationSecs, 0),
      uploadedAt: new Date(this.clockMs).toISOString(),
    };
    this.scenarios.set(stored.name, { stored, scenario });
    return stored;
  }

  async startRun(request: StartRunRequest): Promise<RunView> {
    this.maybeFail('startRun');
    const entry = this.scenarios.get(request.scenario);
    if (!entry) throw new GasHammerError(ErrorCodes.ApiNotFound, `no scenario named '${request.scenario}'`);
    const wanted = request.edges ?? entry.scenario.edges.count;
    const idle = this.edgeRegistry.idle();
    if (idle.length < wanted) throw new GasHammerError(ErrorCodes.NotEnoughEdges, `the run needs ${wanted} idle edge(s), ${idle.length} registered`);
    const id = `run-${this.nextRun++}`;
    const assigned = idle.slice(0, wanted);
    for (const edge of assigned) this.edgeRegistry.setStatus(edge.id, 'running', id);
    const view: RunView = {
      id,
      scenario: { name: entry.stored.name, hash: entry.stored.hash },
      state: { name: 'preflight' },
      phase: undefined,
      phaseCount: entry.scenario.phases.length,
      createdAt: new Date(this.clockMs).toISOString(),
      endedAt: undefined,
      edges: assigned.map((e, i) => ({ edgeIndex: i, edgeId: e.id, name: e.name, state: 'assigned', reason: undefined, lastPhaseDone: -1 })),
      counters: { eventsReceived: 0, eventsDropped: 0, txSubmitted: 0, txIncluded: 0, txFailed: 0, txTimeout: 0, gasSubmitted: 0, gasIncluded: 0 },
      history: [{ state: { name: 'preflight' }, atMs: this.clockMs }],
    };
    this.runs.set(id, { view, scenario: entry.scenario, report: undefined });
    return view;
  }

  listRuns(): RunView[] {
    this.maybeFail('listRuns');
    return [...this.runs.values()].map((r) => r.view);
  }

  getRun(id: string): RunView | undefined {
    this.maybeFail('getRun');
    return this.runs.get(id)?.view;
  }

  cancelRun(id: string, reason: string): RunView | undefined {
    this.maybeFail('cancelRun');
    const run = this.runs.get(id);
    if (!run) return undefined;
    if (isActive(run.view.state.name)) {
      this.moveTo(run, { name: 'aborted', reason });
      run.report = { ...sampleReport(run.view, 'inconclusive'), outcome: { state: 'aborted', reason } };
      this.release(run);
    }
    return run.view;
  }

  getReport(id: string): RunReport | undefined {
    this.maybeFail('getReport');
    return this.runs.get(id)?.report;
  }

  listEdges(): EdgeRecord[] {
    this.maybeFail('listEdges');
    return this.edgeRegistry.list();
  }

  getEdge(id: string): EdgeRecord | undefined {
    this.maybeFail('getEdge');
    return this.edgeRegistry.get(id);
  }

  // --- internals ------------------------------------------------------------------------------

  private maybeFail(operation: Operation): void {
    if (this.failures.has(operation)) throw this.failures.get(operation);
  }

  private moveTo(run: MemoryRun, state: RunState): void {
    this.clockMs += 1_000;
    const history: StateChange[] = [...run.view.history, { state, atMs: this.clockMs }];
    const phase = 'phaseIndex' in state ? { index: state.phaseIndex, name: run.scenario.phases[state.phaseIndex]?.name ?? '?' } : undefined;
    const ended = !isActive(state.name);
    run.view = { ...run.view, state, phase, history, endedAt: ended ? new Date(this.clockMs).toISOString() : undefined };
  }

  private release(run: MemoryRun): void {
    for (const edge of run.view.edges) this.edgeRegistry.setStatus(edge.edgeId, 'idle');
  }
}

/** A small report in the shape a finished run of `view` would have. */
export function sampleReport(view: RunView, verdict: Verdict): RunReport {
  return {
    schemaVersion: 1,
    runId: view.id,
    scenario: view.scenario,
    gashammer: { version: TEST_BUILD_INFO.version, build: TEST_BUILD_INFO.buildSha.slice(0, 12) },
    target: { kind: 'devnet', chainId: 412346, rpcUrl: 'http://127.0.0.1:8547' },
    startedAt: view.createdAt,
    endedAt: view.endedAt ?? view.createdAt,
    durationSecs: 60,
    outcome: { state: 'done', verdict, reasons: verdict === 'pass' ? [] : ['p99_inclusion_ms < 2000 failed: 2500'] },
    telemetry: { eventsReceived: 1_200, eventsDropped: 3, batchesReceived: 12, files: ['telemetry-000.parquet'] },
    phases: [
      {
        index: 0,
        name: 'main',
        durationSecs: 60,
        offeredGasPerSec: 1_000_000,
        txSubmitted: 2_857,
        txAccepted: 2_850,
        txIncluded: 2_840,
        txReverted: 1,
        txFailed: 7,
        txTimeout: 2,
        gasSubmitted: 60_000_000,
        gasIncluded: 59_640_000,
        achievedGasPerSec: 994_000,
        sendsLate: 4,
      },
    ],
    edges: view.edges.map((e) => ({
      edgeIndex: e.edgeIndex,
      edgeId: e.edgeId,
      name: e.name,
      outcome: 'finished',
      eventsReceived: 1_200,
      eventsDropped: 3,
      txSubmitted: 2_857,
      txIncluded: 2_840,
    })),
    notes: ['3 telemetry events were dropped by edge-1 before shipping'],
  };
}
