// Builds the run report from what the hive knows when a run ends: the plan, the final state,
// the counts tallied from the stored events, and what became of each edge. Every figure comes
// from those counts; nothing is estimated.

import { basename } from 'node:path';
import type { RunEdgeState } from '../hive/api.js';
import type { RunState } from '../hive/run-state.js';
import type { RunTally } from '../hive/run-tally.js';
import type { Target } from '../proto/gashammer/v1/types.js';
import type { RunPlan } from '../scenario/compile.js';
import { buildInfo } from '../util/build-info.js';
import { redactUrl } from '../util/redact.js';
import type { EdgeCounts, PhaseCounts, RunEdgeOutcome, RunReport } from './run-report.js';

export interface RunReportInput {
  readonly runId: string;
  readonly plan: RunPlan;
  readonly targetKind: 'devnet' | 'remote';
  readonly target: Target;
  readonly state: RunState;
  /** Why the verdict is what it is. */
  readonly reasons: readonly string[];
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly tally: RunTally;
  readonly files: readonly string[];
  readonly edges: readonly {
    readonly edgeIndex: number;
    readonly edgeId: string;
    readonly name: string;
    readonly state: RunEdgeState;
    readonly reason: string | undefined;
    readonly finished: { readonly shipped: number; readonly dropped: number; readonly recorded: number } | undefined;
  }[];
}

function outcomeOf(state: RunEdgeState, aborted: boolean): RunEdgeOutcome {
  if (state === 'stale' || state === 'failed') return state;
  if (state === 'finished') return aborted ? 'aborted' : 'finished';
  return 'aborted';
}

export function buildRunReport(input: RunReportInput): RunReport {
  const { plan, tally, state } = input;
  const aborted = state.name === 'aborted';
  const phases: PhaseCounts[] = plan.phases.map((p, index) => {
    const t = tally.phases[index]!;
    return {
      index,
      name: p.name,
      durationSecs: p.durationSecs,
      offeredGasPerSec: p.meanGasPerSec,
      txSubmitted: t.txSubmitted,
      txAccepted: t.txAccepted,
      txIncluded: t.txIncluded,
      txReverted: t.txReverted,
      txFailed: t.txFailed,
      txTimeout: t.txTimeout,
      gasSubmitted: t.gasSubmitted,
      gasIncluded: t.gasIncluded,
      achievedGasPerSec: p.durationSecs > 0 ? t.gasIncluded / p.durationSecs : 0,
      sendsLate: t.sendsLate,
    };
  });
  const edges: EdgeCounts[] = input.edges.map((e) => {
    const t = tally.edge(e.edgeId);
    return {
      edgeIndex: e.edgeIndex,
      edgeId: e.edgeId,
      name: e.name,
      outcome: outcomeOf(e.state, aborted),
      ...(e.reason ? { reason: e.reason } : {}),
      eventsReceived: t.eventsReceived,
      ...(e.finished ? { eventsRecorded: e.finished.recorded } : {}),
      eventsDropped: Math.max(t.eventsDropped, e.finished?.dropped ?? 0),
      txSubmitted: t.txSubmitted,
      txIncluded: t.txIncluded,
    };
  });
  const notes: string[] = [];
  for (const e of edges) if (e.outcome === 'stale' || e.outcome === 'failed') notes.push(`edge ${e.name} (#${e.edgeIndex}) ${e.outcome}: ${e.reason ?? 'no reason given'}`);
  const dropped = edges.reduce((n, e) => n + e.eventsDropped, 0);
  if (dropped > 0) notes.push(`${dropped} telemetry event(s) were dropped at the edges before shipping`);
  for (const e of input.edges) {
    const missing = e.finished ? e.finished.recorded - e.finished.dropped - tally.edge(e.edgeId).eventsReceived : 0;
    if (missing > 0) notes.push(`edge ${e.name}: ${missing} recorded event(s) never reached the hive`);
  }
  const info = buildInfo();
  return {
    schemaVersion: 1,
    runId: input.runId,
    scenario: { name: plan.scenario.name, hash: plan.scenarioHash },
    gashammer: { version: info.version, build: info.buildSha },
    target: { kind: input.targetKind, chainId: Number(input.target.chainId), rpcUrl: redactUrl(input.target.rpcUrl) },
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    durationSecs: (input.endedAt.getTime() - input.startedAt.getTime()) / 1000,
    outcome: state.name === 'done' ? { state: 'done', verdict: state.verdict, reasons: input.reasons } : { state: 'aborted', reason: state.name === 'aborted' ? state.reason : `ended in state ${state.name}` },
    // File names only: the files sit beside report.json in the run's folder.
    telemetry: { eventsReceived: tally.eventsReceived, eventsDropped: dropped, batchesReceived: tally.batchesReceived, files: input.files.map((f) => basename(f)) },
    phases,
    edges,
    notes,
  };
}
