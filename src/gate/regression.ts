// Regression detection: a run compared with its baseline, metric by metric, as the scenario's
// regression policy says (gate.regression: limits in percent in each metric's worse direction,
// a minimum sample count and a significance level). Owns the rank test it uses.
//
// For each enabled metric:
// - the baseline figure is the median of the baseline runs' values (robust to one odd run);
//   the delta is the run's value against it, in percent, signed (current over baseline);
// - beyond the warn or fail limit in the worse direction, the change must also be significant:
//   a two-sided Mann-Whitney U test between the baseline runs' per-second samples (pooled) and
//   the run's per-second samples; p >= significance makes it 'noise', not a regression;
// - fewer than minSamples per-second samples on either side gives 'too-few-samples';
// - error_rate rising from exactly 0 (every baseline run had none) to anything above 0 fails
//   whatever the percentage, the samples or the test say: one error where there were none is news;
// - safe_sustained_gas_per_sec comes from the capacity envelope, one value per run with no
//   per-second samples: it is compared directly with the limits, without the sample count or test.

import type { BaselineFile } from '../baseline/baseline-file.js';
import type { RegressionResult, RunReportV2 } from '../report/report-types.js';
import { REGRESSION_METRICS } from '../scenario/schema.js';
import type { RegressionMetric, RegressionPolicy, RegressionRule } from '../scenario/types.js';
import { metricInfo } from './metrics.js';

/** Metrics with one value per run and no per-second samples: compared directly. */
const UNSAMPLED_METRICS: ReadonlySet<RegressionMetric> = new Set(['safe_sustained_gas_per_sec']);

// ---------------------------------------------------------------------------------------------
// The rank test

/** Complementary error function, to about 1e-13 relative: a power series below 2, a continued fraction above. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) <= 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (x > 27) return 0; // exp(-x^2) underflows
  // erfc(x) = exp(-x^2) / sqrt(pi) / K, K = x + (1/2)/(x + 1/(x + (3/2)/(x + ...))), by modified Lentz.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    d = 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

export interface RankTestResult {
  /** U of the first sample: how many (a, b) pairs have a > b, ties counting one half. */
  readonly u: number;
  /** Standard score of U under "same distribution", continuity-corrected. */
  readonly z: number;
  /** Two-sided p-value from the normal approximation. */
  readonly pValue: number;
}

/**
 * Two-sided Mann-Whitney U test, normal approximation with tie correction and continuity
 * correction (the textbook large-sample form; good from about 20 samples a side). Needs at
 * least one value on each side.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): RankTestResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitneyU needs at least one value on each side');
  const pooled = [...a.map((v) => ({ v, first: true })), ...b.map((v) => ({ v, first: false }))].sort((x, y) => x.v - y.v);
  const n = n1 + n2;
  let rankSumFirst = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && pooled[j]!.v === pooled[i]!.v) j++;
    const tied = j - i;
    const averageRank = (i + 1 + j) / 2; // ranks i+1 .. j
    for (let k = i; k < j; k++) if (pooled[k]!.first) rankSumFirst += averageRank;
    tieTerm += tied * tied * tied - tied;
    i = j;
  }
  const u = rankSumFirst - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, pValue: 1 };
  const diff = u - mean;
  const z = (Math.sign(diff) * Math.max(Math.abs(diff) - 0.5, 0)) / Math.sqrt(variance);
  return { u, z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// ---------------------------------------------------------------------------------------------
// The comparison

/** What of a report the comparison reads. */
export type ComparedRun = Pick<RunReportV2, 'metrics' | 'samples'>;

const pct = (x: number): string => `${Math.abs(x).toFixed(1)}%`;
const pText = (p: number): string => (p < 0.0001 ? p.toExponential(1) : p.toFixed(4));

function changeWords(deltaPct: number, higherIsWorse: boolean): string {
  if (deltaPct === 0) return 'is unchanged';
  const worse = deltaPct > 0 === higherIsWorse;
  return `${deltaPct > 0 ? 'rose' : 'fell'} ${pct(deltaPct)} (${worse ? 'worse' : 'better'})`;
}

function compareMetric(metric: RegressionMetric, rule: RegressionRule, run: ComparedRun, baseline: BaselineFile, policy: RegressionPolicy): RegressionResult {
  const higherIsWorse = metricInfo(metric)?.higherIsWorse ?? true;
  const baselineValues = baseline.runs.map((r) => r.metrics[metric]).filter((v): v is number => typeof v === 'number');
  const baselineFigure = median(baselineValues);
  const current = run.metrics[metric] ?? null;
  const result = (decision: RegressionResult['decision'], why: string, deltaPct: number | null, pValue: number | null): RegressionResult => ({
    metric,
    baseline: baselineFigure,
    current,
    deltaPct,
    pValue,
    decision,
    why,
  });

  if (baselineFigure === null) {
    return result('no-data', `no baseline value: none of the ${baseline.runs.length} baseline run(s) has one`, null, null);
  }
  if (current === null) return result('no-data', 'this run has no value for it', null, null);

  const deltaPct = baselineFigure === 0 ? (current === 0 ? 0 : null) : ((current - baselineFigure) / Math.abs(baselineFigure)) * 100;
  const sampled = !UNSAMPLED_METRICS.has(metric);
  const baselineSamples = sampled ? baseline.runs.flatMap((r) => r.samples[metric] ?? []) : [];
  const currentSamples = sampled ? (run.samples[metric] ?? []) : [];
  const enoughSamples = baselineSamples.length >= policy.minSamples && currentSamples.length >= policy.minSamples;
  const pValue = sampled && enoughSamples ? mannWhitneyU(baselineSamples, currentSamples).pValue : null;

  if (metric === 'error_rate' && current > 0 && baselineValues.every((v) => v === 0)) {
    return result('fail', `rose from 0 (in every baseline run) to ${current}: any rise from an error rate of 0 fails`, deltaPct, pValue);
  }
  if (sampled && !enoughSamples) {
    return result(
      'too-few-samples',
      `too few per-second samples to compare: baseline ${baselineSamples.length}, this run ${currentSamples.length}, at least ${policy.minSamples} needed on each side`,
      deltaPct,
      null,
    );
  }

  // How far the change goes in the worse direction, in percent; Infinity for a worse move off 0.
  const worsePct = deltaPct === null ? ((current > 0) === higherIsWorse ? Infinity : -Infinity) : higherIsWorse ? deltaPct : -deltaPct;
  const change = deltaPct === null ? `moved from 0 to ${current} (${worsePct > 0 ? 'worse' : 'better'})` : changeWords(deltaPct, higherIsWorse);
  const direct = sampled ? '' : '; compared directly: the capacity envelope gives one value per run, no per-second samples';
  const level = worsePct > rule.failPct ? 'fail' : worsePct > rule.warnPct ? 'warn' : 'ok';
  if (level === 'ok') {
    const within = worsePct > 0 ? `, within the ${rule.warnPct}% warn limit` : '';
    return result('ok', `${change}${within}${direct}`, deltaPct, pValue);
  }
  const limit = level === 'fail' ? `beyond the ${rule.failPct}% fail limit` : `beyond the ${rule.warnPct}% warn limit`;
  if (pValue !== null && pValue >= policy.significance) {
    return result('noise', `${change}, ${limit}, but within the noise: rank test p = ${pText(pValue)} >= ${policy.significance}`, deltaPct, pValue);
  }
  const significant = pValue === null ? direct : `; rank test p = ${pText(pValue)} < ${policy.significance}`;
  return result(level, `${change}, ${limit}${significant}`, deltaPct, pValue);
}

/** Compares a run with its baseline, one result per enabled regression metric, in catalogue order. */
export function compareWithBaseline(run: ComparedRun, baseline: BaselineFile, policy: RegressionPolicy): RegressionResult[] {
  const out: RegressionResult[] = [];
  for (const metric of REGRESSION_METRICS) {
    const rule = policy.metrics[metric];
    if (rule.enabled) out.push(compareMetric(metric, rule, run, baseline, policy));
  }
  return out;
}
