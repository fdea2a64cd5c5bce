// Regression detection against a baseline: the rank test against published values, each
// metric's limits in its worse direction (a failing and a passing case each), noise, too few
// samples, and the rule that any error where there were none fails.

import { describe, expect, it } from 'vitest';
import type { BaselineFile, BaselineRun } from '../../src/baseline/baseline-file.js';
import { compareWithBaseline, erfc, mannWhitneyU, median, type ComparedRun } from '../../src/gate/regression.js';
import type { RegressionResult } from '../../src/report/report-types.js';
import { REGRESSION_DEFAULTS, SCENARIO_DEFAULTS } from '../../src/scenario/defaults.js';
import type { RegressionMetric, RegressionPolicy } from '../../src/scenario/types.js';
import { BASE_METRICS, baseSamples, noisySamples, SCENARIO_HASH } from '../baseline/report-fixture.js';

const POLICY: RegressionPolicy = {
  minSamples: SCENARIO_DEFAULTS.minSamples,
  significance: SCENARIO_DEFAULTS.significance,
  requireBaseline: false,
  metrics: REGRESSION_DEFAULTS,
};

describe('erfc', () => {
  it.each([
    [0, 1],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [1.9999, 0.004679802092970608],
    [2.0001, 0.0046756686958033394],
    [2, 0.004677734981047266],
    [3, 2.209049699858544e-5],
    [5, 1.5374597944280349e-12],
    [-1, 1.8427007929497148],
  ])('erfc(%d) = %d', (x, expected) => {
    expect(erfc(x)).toBeCloseTo(expected, 9);
    expect(Math.abs(erfc(x) - expected) / expected).toBeLessThan(1e-12);
  });

  it('gives the two-sided normal p of 1.96 as 0.05', () => {
    expect(erfc(1.959963984540054 / Math.SQRT2)).toBeCloseTo(0.05, 12);
  });
});

describe('mannWhitneyU', () => {
  // The textbook example in SciPy's mannwhitneyu documentation (ages at diagnosis, after
  // Conover): U1 = 17, asymptotic two-sided p = 0.11134688653314041 with continuity correction.
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];

  it('matches the published U and p of the textbook example', () => {
    const r = mannWhitneyU(males, females);
    expect(r.u).toBe(17);
    expect(r.pValue).toBeCloseTo(0.11134688653314041, 12);
  });

  it('is symmetric: swapping the samples gives the other U and the same p', () => {
    const r = mannWhitneyU(females, males);
    expect(r.u).toBe(3);
    expect(r.z).toBeLessThan(0);
    expect(r.pValue).toBeCloseTo(0.11134688653314041, 12);
  });

  it('corrects for ties (U = 7.5, p = 0.006373133838085873, as scipy.stats.mannwhitneyu asymptotic)', () => {
    const r = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 5], [3, 4, 4, 5, 5, 6, 7, 7, 8]);
    expect(r.u).toBe(7.5);
    expect(r.pValue).toBeCloseTo(0.006373133838085873, 12);
  });

  it('gives p = 1 for identical samples, and tiny p for separated ones', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5, 5]).pValue).toBe(1);
    expect(mannWhitneyU(noisySamples(100, 5, 50, 1), noisySamples(200, 5, 50, 2)).pValue).toBeLessThan(1e-12);
  });

  it('refuses an empty side', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([400, 240, 250])).toBe(250);
    expect(median([1, 4, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------

function baselineRun(runId: string, metrics: Partial<Record<RegressionMetric, number | null>> = {}, samples: Record<string, number[]> = baseSamples()): BaselineRun {
  return { runId, savedAt: '2026-01-30T00:00:00.000Z', metrics: { ...BASE_METRICS, ...metrics }, samples };
}

function baseline(...runs: BaselineRun[]): BaselineFile {
  return { schemaVersion: 1, scenario: { name: 'mixed-workload', hash: SCENARIO_HASH }, branch: 'main', runs };
}

const BASELINE = baseline(baselineRun('b1', {}, baseSamples(11)), baselineRun('b2', {}, baseSamples(21)));

/** A run whose `metric` moved to `value`, its per-second samples moved by the same factor. */
function runWith(metric: RegressionMetric, value: number, spreadFraction = 0.04): ComparedRun {
  const samples = baseSamples(99);
  if (metric !== 'safe_sustained_gas_per_sec') samples[metric] = noisySamples(value, Math.abs(value) * spreadFraction, 60, 7);
  return { metrics: { ...BASE_METRICS, [metric]: value }, samples };
}

function resultFor(results: readonly RegressionResult[], metric: string): RegressionResult {
  const r = results.find((x) => x.metric === metric);
  if (!r) throw new Error(`no result for ${metric}`);
  return r;
}

function decide(metric: RegressionMetric, value: number, base: BaselineFile = BASELINE, policy: RegressionPolicy = POLICY): RegressionResult {
  return resultFor(compareWithBaseline(runWith(metric, value), base, policy), metric);
}

describe('compareWithBaseline: limits per metric, in each worse direction', () => {
  it.each<[RegressionMetric, number, number, RegressionResult['decision']]>([
    // p50: warn 5%, fail 10%, higher is worse
    ['p50_inclusion_ms', 290, 16, 'fail'],
    ['p50_inclusion_ms', 265, 6, 'warn'],
    ['p50_inclusion_ms', 260, 4, 'ok'],
    ['p50_inclusion_ms', 200, -20, 'ok'],
    // p99: warn 10%, fail 20%
    ['p99_inclusion_ms', 1125, 25, 'fail'],
    ['p99_inclusion_ms', 945, 5, 'ok'],
    // achieved gas/s: warn 5%, fail 10%, lower is worse
    ['achieved_gas_per_sec', 850_000, -15, 'fail'],
    ['achieved_gas_per_sec', 930_000, -7, 'warn'],
    ['achieved_gas_per_sec', 970_000, -3, 'ok'],
    ['achieved_gas_per_sec', 1_200_000, 20, 'ok'],
  ])('%s at %d (delta %d percent) is %s', (metric, value, delta, decision) => {
    const r = decide(metric, value);
    expect(r.decision, r.why).toBe(decision);
    expect(r.deltaPct).toBeCloseTo(delta, 6);
    expect(r.baseline).toBe(BASE_METRICS[metric]);
    expect(r.current).toBe(value);
    expect(r.pValue).not.toBeNull();
    if (decision === 'fail' || decision === 'warn') expect(r.pValue!).toBeLessThan(0.05);
  });

  it('explains a failure with the change, the limit and the test', () => {
    const r = decide('p99_inclusion_ms', 1125);
    expect(r.why).toMatch(/^rose 25\.0% \(worse\), beyond the 20% fail limit; rank test p = .+ < 0\.05$/);
    expect(decide('achieved_gas_per_sec', 850_000).why).toMatch(/^fell 15\.0% \(worse\), beyond the 10% fail limit/);
    expect(decide('achieved_gas_per_sec', 1_200_000).why).toBe('rose 20.0% (better)');
    expect(decide('p50_inclusion_ms', 260).why).toBe('rose 4.0% (worse), within the 5% warn limit');
  });

  it('error_rate from a non-zero baseline: > +50% fails, +10% passes', () => {
    const samples = (seed: number) => ({ ...baseSamples(seed), error_rate: noisySamples(0.02, 0.002, 60, seed) });
    const base = baseline(baselineRun('b1', { error_rate: 0.02 }, samples(3)), baselineRun('b2', { error_rate: 0.02 }, samples(4)));
    const fail = decide('error_rate', 0.035, base);
    expect(fail.decision, fail.why).toBe('fail');
    expect(fail.deltaPct).toBeCloseTo(75, 6);
    const ok = decide('error_rate', 0.022, base);
    expect(ok.decision, ok.why).toBe('ok');
  });

  it('error_rate rising from 0 in every baseline run fails whatever the percentage or the test say', () => {
    // One failed second in sixty: the rank test alone would call it noise.
    const samples = baseSamples(5);
    samples.error_rate = [...Array(59).fill(0), 0.01];
    const r = resultFor(compareWithBaseline({ metrics: { ...BASE_METRICS, error_rate: 0.0002 }, samples }, BASELINE, POLICY), 'error_rate');
    expect(r.decision).toBe('fail');
    expect(r.deltaPct).toBeNull();
    expect(r.pValue!).toBeGreaterThan(0.05);
    expect(r.why).toContain('rose from 0 (in every baseline run) to 0.0002: any rise from an error rate of 0 fails');
  });

  it('error_rate rising from 0 fails even with too few samples to test', () => {
    const r = resultFor(compareWithBaseline({ metrics: { ...BASE_METRICS, error_rate: 0.5 }, samples: { error_rate: [0.5] } }, BASELINE, POLICY), 'error_rate');
    expect(r.decision).toBe('fail');
    expect(r.pValue).toBeNull();
  });

  it('error_rate staying at 0 is ok', () => {
    const r = resultFor(compareWithBaseline(runWith('p50_inclusion_ms', 250), BASELINE, POLICY), 'error_rate');
    expect(r).toMatchObject({ decision: 'ok', baseline: 0, current: 0, deltaPct: 0, pValue: 1 });
  });

  it('safe_sustained_gas_per_sec is compared directly, without samples or test', () => {
    const fail = decide('safe_sustained_gas_per_sec', 1_700_000);
    expect(fail).toMatchObject({ decision: 'fail', pValue: null });
    expect(fail.deltaPct).toBeCloseTo(-15, 6);
    expect(fail.why).toContain('compared directly: the capacity envelope gives one value per run');
    expect(decide('safe_sustained_gas_per_sec', 1_850_000).decision).toBe('warn');
    expect(decide('safe_sustained_gas_per_sec', 1_950_000)).toMatchObject({ decision: 'ok', pValue: null });
  });

  it('takes the median of the baseline runs as the baseline figure', () => {
    const base = baseline(baselineRun('b1', { p50_inclusion_ms: 240 }), baselineRun('b2', { p50_inclusion_ms: 400 }), baselineRun('b3', { p50_inclusion_ms: 250 }));
    expect(decide('p50_inclusion_ms', 250, base).baseline).toBe(250);
  });

  it('follows the policy: other limits, a disabled metric left out', () => {
    const policy: RegressionPolicy = {
      ...POLICY,
      metrics: { ...REGRESSION_DEFAULTS, p50_inclusion_ms: { enabled: true, warnPct: 30, failPct: 40 }, p99_inclusion_ms: { enabled: false, warnPct: 10, failPct: 20 } },
    };
    const results = compareWithBaseline(runWith('p50_inclusion_ms', 290), BASELINE, policy);
    expect(results.map((r) => r.metric)).toEqual(['p50_inclusion_ms', 'achieved_gas_per_sec', 'error_rate', 'safe_sustained_gas_per_sec']);
    expect(resultFor(results, 'p50_inclusion_ms').decision).toBe('ok');
  });
});

describe('compareWithBaseline: noise and samples', () => {
  it('calls a change beyond the limit inside the noise "noise", and the same change in quiet samples "fail"', () => {
    // Both: p50 up 12% (fail limit 10%). Noisy: samples spread ±300 ms around 250 and 280.
    const noisy = (seed: number) => ({ ...baseSamples(seed), p50_inclusion_ms: noisySamples(250, 300, 60, seed) });
    const noisyBase = baseline(baselineRun('b1', {}, noisy(31)), baselineRun('b2', {}, noisy(32)));
    const noisyRun: ComparedRun = { metrics: { ...BASE_METRICS, p50_inclusion_ms: 280 }, samples: { ...baseSamples(33), p50_inclusion_ms: noisySamples(280, 300, 60, 34) } };
    const noise = resultFor(compareWithBaseline(noisyRun, noisyBase, POLICY), 'p50_inclusion_ms');
    expect(noise.decision, noise.why).toBe('noise');
    expect(noise.pValue!).toBeGreaterThanOrEqual(0.05);
    expect(noise.deltaPct).toBeCloseTo(12, 6);
    expect(noise.why).toMatch(/^rose 12\.0% \(worse\), beyond the 10% fail limit, but within the noise: rank test p = 0\.\d{4} >= 0\.05$/);

    const clear = decide('p50_inclusion_ms', 280);
    expect(clear.decision).toBe('fail');
    expect(clear.pValue!).toBeLessThan(1e-12);
  });

  it('a stricter significance turns a marginal regression into noise', () => {
    const shifted = (seed: number) => ({ ...baseSamples(seed), p50_inclusion_ms: noisySamples(250, 60, 60, seed) });
    const base = baseline(baselineRun('b1', {}, shifted(41)));
    const run: ComparedRun = { metrics: { ...BASE_METRICS, p50_inclusion_ms: 280 }, samples: { ...baseSamples(42), p50_inclusion_ms: noisySamples(280, 60, 60, 43) } };
    const loose = resultFor(compareWithBaseline(run, base, POLICY), 'p50_inclusion_ms');
    expect(loose.decision).toBe('fail');
    const strict = resultFor(compareWithBaseline(run, base, { ...POLICY, significance: loose.pValue! / 2 }), 'p50_inclusion_ms');
    expect(strict.decision).toBe('noise');
  });

  it('gives too-few-samples when either side has fewer than min_samples, still showing the delta', () => {
    const short = baseline(baselineRun('b1', {}, baseSamples(51, 20)));
    const r = decide('p99_inclusion_ms', 1125, short);
    expect(r).toMatchObject({ decision: 'too-few-samples', pValue: null, baseline: 900, current: 1125 });
    expect(r.deltaPct).toBeCloseTo(25, 6);
    expect(r.why).toBe('too few per-second samples to compare: baseline 20, this run 60, at least 30 needed on each side');

    const shortRun: ComparedRun = { metrics: { ...BASE_METRICS }, samples: baseSamples(52, 10) };
    expect(resultFor(compareWithBaseline(shortRun, BASELINE, POLICY), 'achieved_gas_per_sec').decision).toBe('too-few-samples');
  });

  it('pools the samples of the baseline runs', () => {
    // Two runs of 20 samples each: 40 pooled, enough for 30.
    const base = baseline(baselineRun('b1', {}, baseSamples(61, 20)), baselineRun('b2', {}, baseSamples(62, 20)));
    expect(decide('p99_inclusion_ms', 1125, base).decision).toBe('fail');
  });

  it('gives no-data when the baseline or the run has no value', () => {
    const base = baseline(baselineRun('b1', { safe_sustained_gas_per_sec: null }), baselineRun('b2', { safe_sustained_gas_per_sec: null }));
    const noBaseline = resultFor(compareWithBaseline(runWith('p50_inclusion_ms', 250), base, POLICY), 'safe_sustained_gas_per_sec');
    expect(noBaseline).toMatchObject({ decision: 'no-data', baseline: null, deltaPct: null, why: 'no baseline value: none of the 2 baseline run(s) has one' });
    const noCurrent = resultFor(compareWithBaseline({ metrics: { ...BASE_METRICS, p99_inclusion_ms: null }, samples: baseSamples() }, BASELINE, POLICY), 'p99_inclusion_ms');
    expect(noCurrent).toMatchObject({ decision: 'no-data', baseline: 900, current: null, why: 'this run has no value for it' });
  });

  it('treats a worse move off a zero baseline as beyond every limit', () => {
    const zero = (seed: number) => ({ ...baseSamples(seed), achieved_gas_per_sec: Array(60).fill(0) as number[] });
    const base = baseline(baselineRun('b1', { p99_inclusion_ms: 0 }, { ...zero(71), p99_inclusion_ms: Array(60).fill(0) as number[] }));
    const r = decide('p99_inclusion_ms', 100, base);
    expect(r).toMatchObject({ decision: 'fail', deltaPct: null });
    expect(r.why).toContain('moved from 0 to 100 (worse)');
  });
});
