// The gate verdict: each FAIL, WARN and INCONCLUSIVE rule on its own, their precedence, and
// PASS, with every reason in words and figures.

import { describe, expect, it } from 'vitest';
import { decideGate, formatMetricValue, type GateInput } from '../../src/gate/verdict.js';
import { parseThreshold } from '../../src/gate/threshold.js';
import type { BaselineRef, GateReport, InvariantVerdict, OracleReport, RegressionResult } from '../../src/report/report-types.js';
import type { Threshold } from '../../src/scenario/types.js';
import { BASE_METRICS, PASSING_ORACLE } from '../baseline/report-fixture.js';

function threshold(source: string, level: 'warn' | 'error' = 'error'): Threshold {
  const parsed = parseThreshold(source);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return { expression: parsed.expression, level, source };
}

const BASELINE: BaselineRef = { branch: 'main', source: 'baselines/main/mixed-workload.json', runs: 3, savedAt: '2026-01-30T00:00:00.000Z' };

function regression(metric: string, decision: RegressionResult['decision'], why = 'test'): RegressionResult {
  return { metric, baseline: 250, current: 300, deltaPct: 20, pValue: 0.001, decision, why };
}

const OK_REGRESSIONS: RegressionResult[] = [regression('p50_inclusion_ms', 'ok'), regression('achieved_gas_per_sec', 'ok')];

function input(over: Partial<GateInput> = {}): GateInput {
  return {
    completion: { state: 'done', reasons: [] },
    telemetryLossRatio: 0,
    oracle: PASSING_ORACLE,
    metrics: { ...BASE_METRICS, revert_rate: 0 },
    thresholds: [threshold('p99_inclusion_ms < 2000'), threshold('error_rate < 0.01')],
    regressions: OK_REGRESSIONS,
    baseline: BASELINE,
    requireBaseline: false,
    minSamples: 30,
    sampleCount: 5_000,
    ...over,
  };
}

function texts(gate: GateReport, level: string): string[] {
  return gate.reasons.filter((r) => r.level === level).map((r) => r.text);
}

function failing(name: string, count: number): InvariantVerdict {
  return {
    name,
    mode: 'post-run',
    status: 'fail',
    checked: 100,
    violationCount: count,
    violations: [{ description: 'account 0xabc lost value', expected: '1000 wei', actual: '990 wei', account: '0xabc' }],
  };
}

describe('decideGate: PASS', () => {
  it('passes when every check holds, and says what was checked', () => {
    const gate = decideGate(input());
    expect(gate.verdict).toBe('pass');
    expect(gate.reasons).toEqual([{ level: 'info', text: 'passed: 2 threshold(s) met, 2 oracle invariant(s) held, 2 metric(s) within their regression limits' }]);
    expect(gate.thresholds).toEqual([
      { source: 'p99_inclusion_ms < 2000', metric: 'p99_inclusion_ms', level: 'error', actual: 900, passed: true },
      { source: 'error_rate < 0.01', metric: 'error_rate', level: 'error', actual: 0, passed: true },
    ]);
    expect(gate.regressions).toEqual(OK_REGRESSIONS);
    expect(gate.baseline).toEqual(BASELINE);
  });

  it('passes without a baseline the scenario does not require, saying regressions were not checked', () => {
    const gate = decideGate(input({ baseline: null, regressions: undefined, baselineNote: 'branch main has none: no file baselines/main/x.json' }));
    expect(gate.verdict).toBe('pass');
    expect(texts(gate, 'info')).toEqual([
      'no baseline to compare with (branch main has none: no file baselines/main/x.json): regressions were not checked',
      'passed: 2 threshold(s) met, 2 oracle invariant(s) held',
    ]);
    expect(gate.regressions).toEqual([]);
  });

  it('lists noise and no-data comparisons as information', () => {
    const gate = decideGate(input({ regressions: [regression('p50_inclusion_ms', 'noise', 'within the noise'), regression('safe_sustained_gas_per_sec', 'no-data', 'no value')] }));
    expect(gate.verdict).toBe('pass');
    expect(texts(gate, 'info')).toContain('regression p50_inclusion_ms: within the noise (baseline 250.0, this run 300.0)');
    expect(texts(gate, 'info')).toContain('regression safe_sustained_gas_per_sec: no value (baseline 250, this run 300)');
  });
});

describe('decideGate: FAIL', () => {
  it('fails on an oracle violation, naming the invariant, the count and the first one', () => {
    const oracle: OracleReport = { invariants: [PASSING_ORACLE.invariants[0]!, failing('gas-accounting', 3)], violationCount: 3, passed: false };
    const gate = decideGate(input({ oracle }));
    expect(gate.verdict).toBe('fail');
    expect(texts(gate, 'fail')).toEqual(['oracle: gas-accounting found 3 violation(s) in 100 checked; first: account 0xabc lost value (expected 1000 wei, got 990 wei)']);
  });

  it('fails on oracle violations counted outside the invariants listed', () => {
    const gate = decideGate(input({ oracle: { ...PASSING_ORACLE, violationCount: 2, passed: false } }));
    expect(gate.verdict).toBe('fail');
    expect(texts(gate, 'fail')).toEqual(['oracle: 2 violation(s) in all, 2 of them outside the invariants listed']);
  });

  it('fails on an error-level threshold not met, with the actual value', () => {
    const gate = decideGate(input({ metrics: { ...BASE_METRICS, p99_inclusion_ms: 2500.25 } }));
    expect(gate.verdict).toBe('fail');
    expect(texts(gate, 'fail')).toEqual(["threshold 'p99_inclusion_ms < 2000' (error) not met: p99_inclusion_ms is 2500.3"]);
    expect(gate.thresholds[0]).toMatchObject({ passed: false, actual: 2500.25 });
  });

  it('fails on a failing regression, with baseline and current', () => {
    const gate = decideGate(input({ regressions: [regression('p50_inclusion_ms', 'fail', 'rose 20.0% (worse), beyond the 10% fail limit; rank test p = 0.0010 < 0.05')] }));
    expect(gate.verdict).toBe('fail');
    expect(texts(gate, 'fail')).toEqual(['regression p50_inclusion_ms: rose 20.0% (worse), beyond the 10% fail limit; rank test p = 0.0010 < 0.05 (baseline 250.0, this run 300.0)']);
  });

  it('fails even when the run also aborted: evidence of a failure stands', () => {
    const gate = decideGate(input({ completion: { state: 'aborted', reason: 'interrupted by SIGINT' }, metrics: { ...BASE_METRICS, error_rate: 0.2 } }));
    expect(gate.verdict).toBe('fail');
    expect(gate.reasons.map((r) => r.level)).toEqual(['fail', 'inconclusive']);
    expect(texts(gate, 'inconclusive')).toEqual(['the run was aborted: interrupted by SIGINT']);
  });
});

describe('decideGate: WARN', () => {
  it('warns on a warn-level threshold not met', () => {
    const gate = decideGate(input({ thresholds: [threshold('p50_inclusion_ms < 200', 'warn')] }));
    expect(gate.verdict).toBe('warn');
    expect(texts(gate, 'warn')).toEqual(["threshold 'p50_inclusion_ms < 200' (warn) not met: p50_inclusion_ms is 250.0"]);
  });

  it('warns on a warn-level threshold without a value', () => {
    const gate = decideGate(input({ thresholds: [threshold('recovery_half_life_secs < 30', 'warn')] }));
    expect(gate.verdict).toBe('warn');
    expect(texts(gate, 'warn')).toEqual(["threshold 'recovery_half_life_secs < 30' (warn) could not be judged: this run has no value for recovery_half_life_secs"]);
  });

  it('warns on a warn regression', () => {
    const gate = decideGate(input({ regressions: [regression('achieved_gas_per_sec', 'warn', 'fell 7.0% (worse)')] }));
    expect(gate.verdict).toBe('warn');
    expect(texts(gate, 'warn')).toEqual(['regression achieved_gas_per_sec: fell 7.0% (worse) (baseline 250, this run 300)']);
  });

  it('warns when an invariant was skipped: its correctness went unchecked', () => {
    const skipped: InvariantVerdict = { name: 'balance-conservation', mode: 'post-run', status: 'skipped', checked: 0, violationCount: 0, violations: [], note: 'no chain snapshot' };
    const gate = decideGate(input({ oracle: { invariants: [skipped], violationCount: 0, passed: false } }));
    expect(gate.verdict).toBe('warn');
    expect(texts(gate, 'warn')).toEqual(['oracle: balance-conservation was skipped (no chain snapshot), so it checked nothing']);
  });
});

describe('decideGate: INCONCLUSIVE', () => {
  it('when the run aborted', () => {
    const gate = decideGate(input({ completion: { state: 'aborted', reason: 'edge 0 failed to fund' } }));
    expect(gate.verdict).toBe('inconclusive');
    expect(texts(gate, 'inconclusive')).toEqual(['the run was aborted: edge 0 failed to fund']);
  });

  it('when telemetry was lost', () => {
    const gate = decideGate(input({ telemetryLossRatio: 0.0125 }));
    expect(gate.verdict).toBe('inconclusive');
    expect(texts(gate, 'inconclusive')).toEqual(['telemetry was lost: 1.25% of the events never reached the report, so its figures are incomplete']);
  });

  it('when the run has too few samples', () => {
    const gate = decideGate(input({ sampleCount: 12 }));
    expect(gate.verdict).toBe('inconclusive');
    expect(texts(gate, 'inconclusive')).toEqual(['too few samples: the run included 12 transaction(s), its figures need at least 30 (gate.regression.min_samples)']);
    expect(decideGate(input({ sampleCount: 30 })).verdict).toBe('pass');
  });

  it('when a required baseline is missing, saying why', () => {
    const gate = decideGate(input({ baseline: null, regressions: undefined, requireBaseline: true, baselineNote: 'branch main has none' }));
    expect(gate.verdict).toBe('inconclusive');
    expect(texts(gate, 'inconclusive')).toEqual(['no baseline to compare with (branch main has none), and the scenario requires one (gate.regression.require_baseline)']);
  });

  it('when an error-level threshold has no value to judge', () => {
    const gate = decideGate(input({ thresholds: [threshold('recovery_half_life_secs < 30')] }));
    expect(gate.verdict).toBe('inconclusive');
    expect(texts(gate, 'inconclusive')).toEqual(["threshold 'recovery_half_life_secs < 30' (error) could not be judged: this run has no value for recovery_half_life_secs"]);
    expect(gate.thresholds[0]).toMatchObject({ actual: null, passed: false });
  });

  it('beats WARN when the run itself cannot be trusted', () => {
    const gate = decideGate(input({ telemetryLossRatio: 0.5, thresholds: [threshold('p50_inclusion_ms < 200', 'warn')] }));
    expect(gate.verdict).toBe('inconclusive');
    expect(gate.reasons.map((r) => r.level)).toEqual(['inconclusive', 'warn']);
  });

  it('when a comparison had too few samples and nothing else decided', () => {
    const gate = decideGate(input({ regressions: [...OK_REGRESSIONS, regression('p99_inclusion_ms', 'too-few-samples', 'too few per-second samples to compare')] }));
    expect(gate.verdict).toBe('inconclusive');
    expect(texts(gate, 'inconclusive')).toEqual(['regression p99_inclusion_ms: too few per-second samples to compare (baseline 250.0, this run 300.0)']);
  });

  it('but too few samples do not undo a WARN or a FAIL: there they are information', () => {
    const tooFew = regression('p99_inclusion_ms', 'too-few-samples', 'too few per-second samples to compare');
    const warn = decideGate(input({ regressions: [tooFew, regression('achieved_gas_per_sec', 'warn')] }));
    expect(warn.verdict).toBe('warn');
    expect(texts(warn, 'info')).toEqual(['regression p99_inclusion_ms: too few per-second samples to compare (baseline 250.0, this run 300.0)']);
    const fail = decideGate(input({ regressions: [tooFew, regression('achieved_gas_per_sec', 'fail')] }));
    expect(fail.verdict).toBe('fail');
    expect(texts(fail, 'inconclusive')).toEqual([]);
  });
});

describe('decideGate: every reason listed', () => {
  it('lists all reasons at once, decisive ones first', () => {
    const gate = decideGate(
      input({
        completion: { state: 'done', reasons: ['edge 1 went stale at 40s'] },
        telemetryLossRatio: 0.1,
        oracle: { invariants: [failing('nonce-monotonicity', 1)], violationCount: 1, passed: false },
        thresholds: [threshold('p99_inclusion_ms < 100'), threshold('p50_inclusion_ms < 100', 'warn')],
        regressions: [regression('p50_inclusion_ms', 'fail'), regression('achieved_gas_per_sec', 'warn'), regression('safe_sustained_gas_per_sec', 'no-data')],
      }),
    );
    expect(gate.verdict).toBe('fail');
    expect(gate.reasons.map((r) => r.level)).toEqual(['fail', 'fail', 'fail', 'inconclusive', 'warn', 'warn', 'info', 'info']);
    expect(texts(gate, 'info')[0]).toBe('run: edge 1 went stale at 40s');
  });

  it('says when the oracle checked nothing', () => {
    const gate = decideGate(input({ oracle: { invariants: [], violationCount: 0, passed: true } }));
    expect(texts(gate, 'info')).toContain('oracle: no invariants were checked (the scenario lists none)');
  });
});

describe('formatMetricValue', () => {
  it('formats by unit', () => {
    expect(formatMetricValue('achieved_gas_per_sec', 1234567.8)).toBe('1,234,568');
    expect(formatMetricValue('p99_inclusion_ms', 912.345)).toBe('912.3');
    expect(formatMetricValue('error_rate', 0.0123456)).toBe('0.01235');
    expect(formatMetricValue('error_rate', 0)).toBe('0');
    expect(formatMetricValue('error_rate', null)).toBe('-');
  });
});
