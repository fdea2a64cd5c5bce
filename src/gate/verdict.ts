// The gate verdict: PASS, WARN, FAIL or INCONCLUSIVE, drawn from how the run ended, its
// telemetry, the oracle, the scenario's thresholds and the comparison with a baseline. Pure:
// every figure comes in through GateInput and every reason goes out in words with its figures.
//
// The rules, in order of precedence:
// 1. FAIL on any oracle violation, any error-level threshold not met, any 'fail' regression.
//    Evidence of a failure stands even in an aborted or incomplete run.
// 2. INCONCLUSIVE when the run aborted, telemetry was lost, the run included fewer transactions
//    than min_samples (its percentiles and rates would mean little), a required baseline is
//    missing, or an error-level threshold has no value to judge (nothing shows it is met).
// 3. WARN on any warn-level threshold not met (or without a value), any 'warn' regression, or
//    an oracle invariant that was skipped (its correctness went unchecked).
// 4. INCONCLUSIVE when a regression comparison had too few samples and nothing above decided:
//    a PASS would claim "no regression" for a metric that was not checked, but too few samples
//    cannot undo a FAIL or a WARN that other evidence gave (then it is listed as info).
// 5. PASS otherwise.
// A missing baseline that the scenario does not require is info: thresholds and the oracle
// still decide. Comparisons inside the noise, or without data, are listed as info.

import type { BaselineRef, GateReason, GateReport, GateVerdict, OracleReport, RegressionResult, RunReportV2, ThresholdResult } from '../report/report-types.js';
import type { Scenario } from '../scenario/types.js';
import { metricInfo } from './metrics.js';
import { evaluateThreshold } from './threshold.js';

export interface GateInput {
  readonly completion: RunReportV2['completion'];
  /** Telemetry events lost over events generated (report.telemetry.lossRatio). */
  readonly telemetryLossRatio: number;
  readonly oracle: OracleReport;
  /** Every gate metric by name; null when the run has no value. */
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly thresholds: Scenario['gate']['thresholds'];
  /** The comparison with the baseline; undefined when there was none to compare with. */
  readonly regressions: readonly RegressionResult[] | undefined;
  readonly baseline: BaselineRef | null;
  readonly requireBaseline: boolean;
  readonly minSamples: number;
  /** Transactions the run's figures rest on (included transactions, report.totals.txIncluded). */
  readonly sampleCount: number;
  /** Why there is no baseline (where it was looked for, or why it did not fit), for the reason's words. */
  readonly baselineNote?: string;
}

/** A metric's value as people read it: gas rates whole with separators, ms to 0.1, ratios to 4 significant digits. */
export function formatMetricValue(metric: string, value: number | null): string {
  if (value === null) return '-';
  switch (metricInfo(metric)?.unit) {
    case 'gas/s':
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'ms':
    case 's':
    case 'tx/s':
      return value.toFixed(1);
    default:
      return value === 0 ? '0' : String(Number(value.toPrecision(4)));
  }
}

const pctText = (ratio: number): string => `${(ratio * 100).toPrecision(3)}%`;

function thresholdResults(input: GateInput): ThresholdResult[] {
  return input.thresholds.map((t) => {
    const actual = input.metrics[t.expression.metric] ?? null;
    return {
      source: t.source,
      metric: t.expression.metric,
      level: t.level,
      actual,
      passed: actual !== null && evaluateThreshold(t.expression, actual),
    };
  });
}

function regressionText(r: RegressionResult): string {
  const figures = `baseline ${formatMetricValue(r.metric, r.baseline)}, this run ${formatMetricValue(r.metric, r.current)}`;
  return `regression ${r.metric}: ${r.why} (${figures})`;
}

export function decideGate(input: GateInput): GateReport {
  const fail: string[] = [];
  const inconclusive: string[] = [];
  const warn: string[] = [];
  const info: string[] = [];

  // How the run ended and whether its figures are whole.
  if (input.completion.state === 'aborted') inconclusive.push(`the run was aborted: ${input.completion.reason}`);
  else for (const r of input.completion.reasons) info.push(`run: ${r}`);
  if (input.telemetryLossRatio > 0) {
    inconclusive.push(`telemetry was lost: ${pctText(input.telemetryLossRatio)} of the events never reached the report, so its figures are incomplete`);
  }
  if (input.sampleCount < input.minSamples) {
    inconclusive.push(
      `too few samples: the run included ${input.sampleCount} transaction(s), its figures need at least ${input.minSamples} (gate.regression.min_samples)`,
    );
  }

  // Correctness.
  const oracle = input.oracle;
  let invariantViolations = 0;
  for (const inv of oracle.invariants) {
    if (inv.status === 'fail' || inv.violationCount > 0) {
      invariantViolations += inv.violationCount;
      const first = inv.violations[0];
      const example = first ? `; first: ${first.description} (expected ${first.expected}, got ${first.actual})` : '';
      fail.push(`oracle: ${inv.name} found ${inv.violationCount} violation(s) in ${inv.checked} checked${example}`);
    } else if (inv.status === 'skipped') {
      warn.push(`oracle: ${inv.name} was skipped${inv.note ? ` (${inv.note})` : ''}, so it checked nothing`);
    }
  }
  if (oracle.violationCount > invariantViolations) {
    fail.push(`oracle: ${oracle.violationCount} violation(s) in all, ${oracle.violationCount - invariantViolations} of them outside the invariants listed`);
  }
  if (oracle.invariants.length === 0) info.push('oracle: no invariants were checked (the scenario lists none)');

  // Absolute thresholds.
  const thresholds = thresholdResults(input);
  for (const t of thresholds) {
    if (t.passed) continue;
    if (t.actual === null) {
      const text = `threshold '${t.source}' (${t.level}) could not be judged: this run has no value for ${t.metric}`;
      (t.level === 'error' ? inconclusive : warn).push(text);
    } else {
      (t.level === 'error' ? fail : warn).push(`threshold '${t.source}' (${t.level}) not met: ${t.metric} is ${formatMetricValue(t.metric, t.actual)}`);
    }
  }

  // The baseline and the regressions.
  const regressions = input.regressions ?? [];
  if (input.baseline === null) {
    const note = input.baselineNote ? ` (${input.baselineNote})` : '';
    if (input.requireBaseline) inconclusive.push(`no baseline to compare with${note}, and the scenario requires one (gate.regression.require_baseline)`);
    else info.push(`no baseline to compare with${note}: regressions were not checked`);
  }
  const tooFew: string[] = [];
  for (const r of regressions) {
    const text = regressionText(r);
    if (r.decision === 'fail') fail.push(text);
    else if (r.decision === 'warn') warn.push(text);
    else if (r.decision === 'too-few-samples') tooFew.push(text);
    else if (r.decision === 'noise' || r.decision === 'no-data') info.push(text);
  }

  let verdict: GateVerdict;
  if (fail.length > 0) verdict = 'fail';
  else if (inconclusive.length > 0) verdict = 'inconclusive';
  else if (warn.length > 0) verdict = 'warn';
  else if (tooFew.length > 0) verdict = 'inconclusive';
  else verdict = 'pass';
  // Too few samples cannot undo a FAIL or a WARN (rule 4): there they are information.
  (verdict === 'inconclusive' ? inconclusive : info).push(...tooFew);

  if (verdict === 'pass') {
    const compared = regressions.filter((r) => r.decision === 'ok').length;
    info.push(
      `passed: ${thresholds.length} threshold(s) met, ${oracle.invariants.length} oracle invariant(s) held` +
        (input.baseline === null ? '' : `, ${compared} metric(s) within their regression limits`),
    );
  }

  // Decisive reasons first.
  const reasons: GateReason[] = [
    ...fail.map((text) => ({ level: 'fail' as const, text })),
    ...inconclusive.map((text) => ({ level: 'inconclusive' as const, text })),
    ...warn.map((text) => ({ level: 'warn' as const, text })),
    ...info.map((text) => ({ level: 'info' as const, text })),
  ];

  return { verdict, reasons, thresholds, regressions, baseline: input.baseline };
}
