// A scenario run several times (`repeat`) against noise: one report stands for them all. Its
// gate metrics are the medians of the runs' metrics, its per-second samples the runs' samples
// pooled (the rank test then sees all of them), and its gate is decided again on those against
// the baseline. What must hold in every run holds for the whole: an oracle violation or an
// aborted run in any repeat is in the aggregate too. The figures shown (latency tables, series,
// envelope) are those of the median run by included gas/s, named in a note.

import type { BaselineFile } from '../baseline/baseline-file.js';
import { median } from '../gate/regression.js';
import { gateOf } from '../report/report-engine.js';
import type { RunReportV2 } from '../report/report-types.js';
import type { RunPlan } from '../scenario/compile.js';

export interface AggregateBaseline {
  readonly file: BaselineFile;
  readonly source: string;
}

function medianMetrics(reports: readonly RunReportV2[]): Record<string, number | null> {
  const names = new Set(reports.flatMap((r) => Object.keys(r.metrics)));
  const out: Record<string, number | null> = {};
  for (const name of names) {
    out[name] = median(reports.map((r) => r.metrics[name]).filter((v): v is number => typeof v === 'number'));
  }
  return out;
}

function pooledSamples(reports: readonly RunReportV2[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const r of reports) for (const [name, values] of Object.entries(r.samples)) (out[name] ??= []).push(...values);
  return out;
}

/** The run whose included gas/s is the median one (the lower middle for an even count). */
function medianRun(reports: readonly RunReportV2[]): RunReportV2 {
  const sorted = [...reports].sort((a, b) => a.totals.gasIncluded - b.totals.gasIncluded);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function aggregateRepeats(reports: readonly RunReportV2[], plan: RunPlan, baseline: AggregateBaseline | undefined, baselineNote: string | undefined): RunReportV2 {
  if (reports.length === 0) throw new Error('aggregateRepeats needs at least one report');
  if (reports.length === 1) return reports[0]!;
  const base = medianRun(reports);
  const metrics = medianMetrics(reports);
  const samples = pooledSamples(reports);
  const failedOracle = reports.find((r) => !r.oracle.passed);
  const oracle = failedOracle?.oracle ?? base.oracle;
  const aborted = reports.find((r) => r.completion.state !== 'done');
  const completion = aborted?.completion ?? base.completion;
  const lossRatio = Math.max(...reports.map((r) => r.telemetry.lossRatio));
  const sampleCount = median(reports.map((r) => r.totals.txIncluded)) ?? 0;
  const gate = gateOf({ completion, lossRatio, oracle, metrics, samples, sampleCount }, plan, {
    ...(baseline ? { baseline } : {}),
    ...(baselineNote === undefined ? {} : { baselineNote }),
  });
  const runs = reports.map((r) => `${r.runId} (${r.gate.verdict})`).join(', ');
  return {
    ...base,
    completion,
    oracle,
    metrics,
    samples,
    gate,
    notes: [
      ...base.notes,
      `${reports.length} runs aggregated: ${runs}. Gate metrics are their medians and the per-second samples are pooled; tables and charts are of run ${base.runId}, the median by included gas.`,
    ],
  };
}
