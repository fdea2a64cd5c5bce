// The report engine: turns a run folder (run record, scenario copy, chain snapshots, Parquet
// telemetry) into the v2 report, and writes report.json, report.md and report.html beside them.
// Everything is recomputed from those files, so any past run can be reported again, by
// `gashammer report <run-dir>` as by the hive at the end of a run.

import { join } from 'node:path';
import type { BaselineFile } from '../baseline/baseline-file.js';
import { baselineRef } from '../baseline/baseline-file.js';
import { compareWithBaseline } from '../gate/regression.js';
import { decideGate } from '../gate/verdict.js';
import { createInvariants, observeAll, runOracle } from '../oracle/invariant.js';
import { compileScenario, type RunPlan } from '../scenario/compile.js';
import { loadScenarioText, scenarioError } from '../scenario/load.js';
import { listRunFiles, type RunFiles } from '../telemetry/parquet-reader.js';
import { analyzeTelemetry, type TelemetryAnalysis } from './analyze-telemetry.js';
import { computeEnvelope } from './envelope.js';
import { computeFaultWindows } from './fault-windows.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown-v2.js';
import type { EdgeReport, GateReport, OracleReport, PhaseReport, RunReportV2 } from './report-types.js';
import { REPORT_SCHEMA_VERSION } from './report-types.js';
import { readRunRecord, readScenarioSource, readSnapshots, REPORT_FILES, writeAtomically, type ChainSnapshots } from './run-files.js';
import { computeMetrics, computeSamples } from './run-metrics.js';
import type { RunReport as RunRecord } from './run-report.js';

export interface ReportOptions {
  /** The baseline to compare with, and where it came from (a path or store description). */
  readonly baseline?: { readonly file: BaselineFile; readonly source: string };
  /** Why no baseline is compared with, when one was asked for (none on the branch, another scenario version). */
  readonly baselineNote?: string;
}

/** The plan the run played, recompiled from the scenario copy in the run folder. */
export function planOfRun(record: RunRecord, scenarioSource: string, runDir: string): RunPlan {
  const loaded = loadScenarioText(scenarioSource, join(runDir, 'scenario.yaml'));
  if (!loaded.ok) throw scenarioError(join(runDir, 'scenario.yaml'), loaded.diagnostics);
  return compileScenario(loaded.scenario, { edges: Math.max(1, record.edges.length) });
}

/** Reads a run folder and computes its report (nothing is written). */
export async function computeRunReport(runDir: string, options: ReportOptions = {}): Promise<RunReportV2> {
  const record = await readRunRecord(runDir);
  const plan = planOfRun(record, await readScenarioSource(runDir), runDir);
  const snapshots = await readSnapshots(runDir);
  return buildReport(record, plan, snapshots, await listRunFiles(runDir), options);
}

export async function buildReport(
  record: RunRecord,
  plan: RunPlan,
  snapshots: ChainSnapshots | undefined,
  runFiles: RunFiles,
  options: ReportOptions = {},
): Promise<RunReportV2> {
  const { files } = runFiles;
  const invariants = createInvariants(plan.oracle.invariants);
  const analysis = await analyzeTelemetry(files, {
    phaseCount: plan.phases.length,
    ...(invariants.length > 0 ? { onIncluded: (tx) => observeAll(invariants, tx) } : {}),
  });
  const oracle: OracleReport = runOracle(invariants, {
    ...(snapshots?.start ? { start: snapshots.start } : {}),
    ...(snapshots?.end ? { end: snapshots.end } : {}),
    accounts: snapshots?.accounts ?? [],
    unresolvedByAccount: analysis.unresolvedByAccount,
  });
  const phases = phaseReports(plan, analysis);
  const edges = edgeReports(record, analysis);
  const envelope = computeEnvelope({ phases: plan.phases, phaseReports: phases, series: analysis.series });

  const eventsDropped = record.telemetry.eventsDropped;
  const eventsMissing = edges.reduce((n, e) => n + Math.max(0, (e.eventsRecorded ?? 0) - e.eventsDropped - e.eventsReceived), 0) + Math.max(0, record.telemetry.eventsReceived - analysis.eventsRead);
  const lossRatio = eventsDropped + eventsMissing === 0 ? 0 : (eventsDropped + eventsMissing) / (analysis.eventsRead + eventsDropped + eventsMissing);
  const faults = computeFaultWindows(analysis.faultEvents, analysis.seconds);
  const metrics = computeMetrics({ totals: analysis.totals, latency: analysis.latency, phases, series: analysis.series, envelope, oracle, telemetryLossRatio: lossRatio, feed: analysis.feed, faults });
  const samples = computeSamples(analysis.series, phases);

  const notes = [...record.notes];
  if (snapshots?.problems.length) notes.push(...snapshots.problems.map((p) => `chain snapshots: ${p}`));
  if (analysis.eventsRead < record.telemetry.eventsReceived) {
    notes.push(`the hive received ${record.telemetry.eventsReceived} telemetry events but the run folder holds ${analysis.eventsRead}: some Parquet data is missing`);
  }
  const partial = runFiles.partialFiles.length;
  if (partial > 0) notes.push(`${partial} partial telemetry file(s) (left by a crash or a failed write) were skipped`);

  const completion: RunReportV2['completion'] =
    record.outcome.state === 'done' ? { state: 'done', reasons: record.outcome.reasons } : { state: 'aborted', reason: record.outcome.reason };
  const base: Omit<RunReportV2, 'gate'> = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: record.runId,
    scenario: record.scenario,
    gashammer: record.gashammer,
    target: record.target,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    durationSecs: record.durationSecs,
    completion,
    telemetry: { eventsReceived: record.telemetry.eventsReceived, eventsRead: analysis.eventsRead, eventsDropped, eventsMissing, lossRatio, files: record.telemetry.files },
    totals: analysis.totals,
    latency: analysis.latency,
    series: analysis.series,
    phases,
    edges,
    envelope,
    oracle,
    metrics,
    samples,
    faults,
    notes,
  };
  const gate = gateOf({ completion, lossRatio, oracle, metrics, samples, sampleCount: analysis.totals.txIncluded }, plan, options);
  return { ...base, gate };
}

/** What the gate judges of a run (or of several runs aggregated). */
export interface GateFigures extends Pick<RunReportV2, 'completion' | 'oracle' | 'metrics' | 'samples'> {
  readonly lossRatio: number;
  /** Transactions included: the sample count the regression rules ask a minimum of. */
  readonly sampleCount: number;
}

/** The gate verdict of figures under the plan's thresholds and regression rules, against the baseline if any. */
export function gateOf(figures: GateFigures, plan: RunPlan, options: ReportOptions): GateReport {
  const baseline = options.baseline;
  return decideGate({
    completion: figures.completion,
    telemetryLossRatio: figures.lossRatio,
    oracle: figures.oracle,
    metrics: figures.metrics,
    thresholds: plan.gate.thresholds,
    regressions: baseline ? compareWithBaseline(figures, baseline.file, plan.gate.regression) : undefined,
    baseline: baseline ? baselineRef(baseline.file, baseline.source) : null,
    requireBaseline: plan.gate.regression.requireBaseline,
    minSamples: plan.gate.regression.minSamples,
    sampleCount: figures.sampleCount,
    ...(options.baselineNote === undefined ? {} : { baselineNote: options.baselineNote }),
  });
}

function phaseReports(plan: RunPlan, analysis: TelemetryAnalysis): PhaseReport[] {
  return plan.phases.map((p, index) => {
    const a = analysis.phases[index]!;
    return {
      index,
      name: p.name,
      durationSecs: p.durationSecs,
      offeredGasPerSec: p.meanGasPerSec,
      ...a.counts,
      achievedGasPerSec: p.durationSecs > 0 ? a.counts.gasIncluded / p.durationSecs : 0,
      achievedTxPerSec: p.durationSecs > 0 ? a.counts.txIncluded / p.durationSecs : 0,
      latency: a.latency,
    };
  });
}

function edgeReports(record: RunRecord, analysis: TelemetryAnalysis): EdgeReport[] {
  return record.edges.map((e) => {
    const a = analysis.edges.get(e.edgeId);
    const empty = analyzeEmpty();
    return {
      edgeIndex: e.edgeIndex,
      edgeId: e.edgeId,
      name: e.name,
      outcome: e.outcome,
      ...(e.reason ? { reason: e.reason } : {}),
      eventsReceived: e.eventsReceived,
      ...(e.eventsRecorded !== undefined ? { eventsRecorded: e.eventsRecorded } : {}),
      eventsDropped: e.eventsDropped,
      ...(a?.counts ?? empty.counts),
      latency: a?.latency ?? empty.latency,
    };
  });
}

/** Figures of an edge that recorded nothing. */
function analyzeEmpty(): { counts: TelemetryAnalysis['totals']; latency: TelemetryAnalysis['latency'] } {
  const none = { count: 0, p50: null, p90: null, p95: null, p99: null, p999: null, max: null, mean: null };
  const pair = { corrected: none, uncorrected: none };
  return {
    counts: { txSubmitted: 0, txAccepted: 0, txIncluded: 0, txReverted: 0, txFailed: 0, txTimeout: 0, sendsLate: 0, sendsDropped: 0, gasOffered: 0, gasIncluded: 0, errorsByClass: {} },
    latency: { submission: pair, acceptance: pair, inclusion: pair, feedInclusion: pair },
  };
}

/** Writes report.json, report.md and report.html into the run folder; returns their paths. */
export async function writeReports(runDir: string, report: RunReportV2): Promise<{ json: string; markdown: string; html: string }> {
  const paths = { json: join(runDir, REPORT_FILES.json), markdown: join(runDir, REPORT_FILES.markdown), html: join(runDir, REPORT_FILES.html) };
  await writeAtomically(paths.json, JSON.stringify(report, null, 2) + '\n');
  await writeAtomically(paths.markdown, renderMarkdown(report));
  await writeAtomically(paths.html, renderHtml(report));
  return paths;
}
