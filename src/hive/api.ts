// What the hive offers its front ends (the REST API, `gashammer run`, the gate service): plain
// typed views of scenarios, runs and edges, and the operations on them. The REST layer maps this
// to HTTP and nothing else; the orchestration behind it lives in hive.ts.

import type { Registry } from 'prom-client';
import type { RunReport } from '../report/run-report.js';
import type { BuildInfo } from '../util/build-info.js';
import type { EdgeRecord } from './edge-registry.js';
import type { RunState, StateChange } from './run-state.js';

export interface StoredScenario {
  readonly name: string;
  /** The YAML exactly as uploaded. */
  readonly source: string;
  readonly hash: string;
  readonly description: string | undefined;
  readonly phases: number;
  readonly totalDurationSecs: number;
  readonly uploadedAt: string;
}

export interface LiveCounters {
  readonly eventsReceived: number;
  readonly eventsDropped: number;
  readonly txSubmitted: number;
  readonly txIncluded: number;
  readonly txFailed: number;
  readonly txTimeout: number;
  readonly gasSubmitted: number;
  readonly gasIncluded: number;
}

export type RunEdgeState = 'assigned' | 'ready' | 'running' | 'phase-done' | 'finished' | 'stale' | 'failed';

export interface RunEdgeView {
  readonly edgeIndex: number;
  readonly edgeId: string;
  readonly name: string;
  readonly state: RunEdgeState;
  readonly reason: string | undefined;
  /** Highest phase index the edge reported done, or -1. */
  readonly lastPhaseDone: number;
}

export interface RunView {
  readonly id: string;
  readonly scenario: { readonly name: string; readonly hash: string };
  readonly state: RunState;
  /** The current phase while one runs (or is at its barrier). */
  readonly phase: { readonly index: number; readonly name: string } | undefined;
  readonly phaseCount: number;
  readonly createdAt: string;
  readonly endedAt: string | undefined;
  readonly edges: readonly RunEdgeView[];
  readonly counters: LiveCounters;
  readonly history: readonly StateChange[];
}

export interface StartRunRequest {
  /** A scenario stored with POST /scenarios. */
  readonly scenario: string;
  /** Overrides the scenario's edges.count. */
  readonly edges?: number;
}

export interface HealthView {
  readonly status: 'ok';
  readonly uptimeSecs: number;
  readonly edges: { readonly active: number; readonly stale: number };
  readonly runs: { readonly active: number };
}

export interface HiveApi {
  readonly buildInfo: BuildInfo;
  readonly metrics: Registry;
  health(): HealthView;

  listScenarios(): StoredScenario[];
  getScenario(name: string): StoredScenario | undefined;
  /** Validates and stores a scenario (replacing one of the same name); throws GasHammerError (GH-E9xx) with every problem. */
  putScenario(source: string): StoredScenario;

  /** Starts a run; throws GasHammerError when the scenario is unknown or there are not enough edges. */
  startRun(request: StartRunRequest): Promise<RunView>;
  listRuns(): RunView[];
  getRun(id: string): RunView | undefined;
  /** Aborts an active run (a finished run is returned unchanged); undefined if unknown. */
  cancelRun(id: string, reason: string): RunView | undefined;
  /** The report of a finished run; undefined while it runs or if unknown. */
  getReport(id: string): RunReport | undefined;

  listEdges(): EdgeRecord[];
  getEdge(id: string): EdgeRecord | undefined;
}
