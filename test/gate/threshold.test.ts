// Gate thresholds: `<metric> <operator> <number>`. Every operator, the number syntax
// (underscores, decimals, exponents), whitespace, and each kind of mistake with the offset of
// the character it points at, directly and as a line:column in a scenario file.

import { describe, it, expect } from 'vitest';
import { METRIC_NAMES } from '../../src/gate/metrics.js';
import {
  evaluateThreshold,
  formatThreshold,
  parseThreshold,
  THRESHOLD_OPERATORS,
  type ThresholdExpression,
  type ThresholdOperator,
  type ThresholdSyntaxError,
} from '../../src/gate/threshold.js';
import { loadScenarioText } from '../../src/scenario/load.js';

function parsed(text: string): ThresholdExpression {
  const r = parseThreshold(text);
  if (!r.ok) return expect.fail(`'${text}' did not parse: ${r.error.message} at ${r.error.offset}`);
  return r.expression;
}

function failure(text: string): ThresholdSyntaxError {
  const r = parseThreshold(text);
  if (r.ok) return expect.fail(`'${text}' parsed as ${JSON.stringify(r.expression)}`);
  return r.error;
}

describe('parseThreshold: valid thresholds', () => {
  it.each<[string, ThresholdOperator]>([
    ['p99_inclusion_ms < 2000', '<'],
    ['p99_inclusion_ms <= 2000', '<='],
    ['p99_inclusion_ms > 2000', '>'],
    ['p99_inclusion_ms >= 2000', '>='],
    ['p99_inclusion_ms == 2000', '=='],
    ['p99_inclusion_ms != 2000', '!='],
  ])('%s', (text, operator) => {
    expect(parsed(text)).toEqual({ metric: 'p99_inclusion_ms', operator, value: 2000 });
  });

  it('knows exactly six operators', () => {
    expect([...THRESHOLD_OPERATORS].sort()).toEqual(['!=', '<', '<=', '==', '>', '>='].sort());
  });

  it.each<[string, ThresholdOperator]>([
    ['error_rate<0.01', '<'],
    ['error_rate<=0.01', '<='],
    ['error_rate>0.01', '>'],
    ['error_rate>=0.01', '>='],
    ['error_rate==0.01', '=='],
    ['error_rate!=0.01', '!='],
  ])('needs no spaces: %s', (text, operator) => {
    expect(parsed(text)).toEqual({ metric: 'error_rate', operator, value: 0.01 });
  });

  it.each<[string, number]>([
    ['0', 0],
    ['2000', 2000],
    ['1_000', 1000],
    ['5_000_000', 5_000_000],
    ['1_0_0', 100],
    ['0.01', 0.01],
    ['0.000_1', 0.0001],
    ['1_000.25', 1000.25],
    ['1e3', 1000],
    ['1E3', 1000],
    ['2.5e-2', 0.025],
    ['2.5E-2', 0.025],
    ['1e+2', 100],
    ['1_5e2', 1500],
    ['-1', -1],
    ['+2', 2],
    ['-0.5e1', -5],
    ['007', 7],
  ])('reads the number %s', (numberText, value) => {
    expect(parsed(`safe_sustained_gas_per_sec >= ${numberText}`).value).toBe(value);
  });

  it('allows spaces (and tabs) before, around and after', () => {
    expect(parsed('   error_rate   <   0.05   ')).toEqual({ metric: 'error_rate', operator: '<', value: 0.05 });
    expect(parsed('\terror_rate\t<=\t1\t')).toEqual({ metric: 'error_rate', operator: '<=', value: 1 });
  });

  it('accepts every catalogued metric', () => {
    for (const metric of METRIC_NAMES) expect(parsed(`${metric} >= 1`).metric).toBe(metric);
  });
});

describe('parseThreshold: errors point at the problem', () => {
  it.each<[string, number]>([
    ['', 0],
    ['   ', 3],
    ['< 5', 0],
    ['5 > error_rate', 0],
    ['"error_rate" < 1', 0],
  ])('no metric name in %j: offset %i', (text, offset) => {
    const e = failure(text);
    expect(e.offset).toBe(offset);
    expect(e.message).toContain('starts with a metric name');
    expect(e.expected).toContain('<metric> <operator> <number>');
  });

  it.each<[string, number, string]>([
    ['error_rate', 10, 'the end of the threshold'],
    ['error_rate   ', 13, 'the end of the threshold'],
    ['error_rate 0.01', 11, "'0.01'"],
    ['  error_rate 0.01', 13, "'0.01'"],
    ['error_rate = 0.01', 11, "'= 0.01'"],
    ['error_rate => 1', 11, "'=> 1'"],
    ['error_rate =< 1', 11, "'=< 1'"],
    ['error_rate lt 1', 11, "'lt 1'"],
  ])('missing operator in %j: offset %i', (text, offset, found) => {
    const e = failure(text);
    expect(e.offset).toBe(offset);
    expect(e.message).toBe(`expected a comparison operator after 'error_rate', found ${found}`);
    expect(e.expected).toBe('one of <= >= == != < >');
  });

  it.each<[string, number]>([
    ['error_rate <', 12],
    ['error_rate <=', 13],
    ['error_rate <=    ', 17],
    ['  error_rate>', 13],
  ])('missing number in %j: offset %i', (text, offset) => {
    const e = failure(text);
    expect(e.offset).toBe(offset);
    expect(e.message).toMatch(/^expected a number after '(<|<=|>)', found nothing$/);
  });

  it.each<[string, number, string]>([
    ['p99_inclusion_ms < 2s', 19, '2s'],
    ['p99_inclusion_ms < 2 s', 19, '2 s'],
    ['p99_inclusion_ms < 2000ms', 19, '2000ms'],
    ['p99_inclusion_ms<2000 ms', 17, '2000 ms'],
    ['error_rate < 5%', 13, '5%'],
    ['error_rate < 1,000', 13, '1,000'],
    ['error_rate < .5', 13, '.5'],
    ['error_rate < 5.', 13, '5.'],
    ['error_rate < 1__0', 13, '1__0'],
    ['error_rate < _1', 13, '_1'],
    ['error_rate < 1_', 13, '1_'],
    ['error_rate < 0x10', 13, '0x10'],
    ['error_rate < 1e', 13, '1e'],
    ['error_rate < 1e1_0', 13, '1e1_0'],
    ['error_rate < Infinity', 13, 'Infinity'],
    ['error_rate < NaN', 13, 'NaN'],
    ['error_rate < --1', 13, '--1'],
    ['error_rate < 1 < 2', 13, '1 < 2'],
    ['  error_rate   <   2s  ', 19, '2s'],
  ])('a number with a unit or bad syntax, %j: offset %i', (text, offset, shown) => {
    const e = failure(text);
    expect(e.offset).toBe(offset);
    expect(text.slice(e.offset).trimEnd()).toBe(shown);
    expect(e.message).toContain(`found '${shown}'`);
    expect(e.expected).toContain('no units');
  });

  it('rejects a number too large for a double', () => {
    const e = failure('error_rate < 1e999');
    expect(e.offset).toBe(13);
    expect(e.message).toContain('too large');
  });

  it('names an unknown metric and suggests the closest', () => {
    const e = failure('p99_inclusoin_ms < 2000');
    expect(e.offset).toBe(0);
    expect(e.message).toBe("unknown metric 'p99_inclusoin_ms' (did you mean 'p99_inclusion_ms'?)");

    const spaced = failure('   achived_gas_per_sec >= 5');
    expect(spaced.offset).toBe(3);
    expect(spaced.message).toContain("(did you mean 'achieved_gas_per_sec'?)");

    expect(failure('eror_rate < 1').message).toContain("did you mean 'error_rate'?");
  });

  it('suggests nothing when no metric is close', () => {
    const e = failure('banana < 1');
    expect(e.offset).toBe(0);
    expect(e.message).toBe("unknown metric 'banana'");
    expect(e.expected).toContain('metric');
  });
});

describe('threshold errors in a scenario file', () => {
  const text = [
    'name: thresholds',
    'description: bad thresholds',
    'version: "1"',
    'workload:',
    '  gas_rate: { type: sustained, gas_per_sec: 1_000 }',
    '  templates:',
    '    - name: noop',
    '      weight: 1',
    'phases:',
    '  - name: main',
    '    duration_secs: 10',
    'gate:',
    '  thresholds:',
    '    - p99_inclusion_ms < 2s',
    '    - "error_rate <= x"',
    '    - check: \'  latency_p99 < 5\'',
    '      level: warn',
    '    - error_rate < 0.5',
    '    - check:    revert_rate 0',
  ].join('\n');

  /** 1-based line and column of `needle` in the text, searching from the line containing `lineHint`. */
  function at(lineHint: string, needle: string): { line: number; column: number } {
    const lines = text.split('\n');
    const index = lines.findIndex((l) => l.includes(lineHint));
    return { line: index + 1, column: lines[index]!.indexOf(needle) + 1 };
  }

  it('reports each bad threshold with GH-E904 at the exact column', () => {
    const result = loadScenarioText(text, 'gate.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const gate = result.diagnostics.filter((d) => d.code.code === 'GH-E904');
    expect(gate.map((d) => [d.path, d.line, d.column])).toEqual([
      ['gate.thresholds[0]', ...Object.values(at('2s', '2s'))],
      ['gate.thresholds[1]', ...Object.values(at('error_rate <= x', 'x'))],
      ['gate.thresholds[2].check', ...Object.values(at('latency_p99', 'latency_p99'))],
      ['gate.thresholds[4].check', ...Object.values(at('revert_rate 0', '0'))],
    ]);
    expect(gate.map((d) => d.file)).toEqual(['gate.yaml', 'gate.yaml', 'gate.yaml', 'gate.yaml']);
    expect(gate[2]!.message).toContain("unknown metric 'latency_p99'");
    // Only the four bad thresholds are reported.
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toHaveLength(4);
  });

  it('keeps good thresholds with their level and source text', () => {
    const good = text.split('\n').slice(0, 13).concat(['    - " error_rate < 0.5 "', '    - check: revert_rate == 0', '      level: warn']).join('\n');
    const result = loadScenarioText(good);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.scenario.gate.thresholds).toEqual([
      { expression: { metric: 'error_rate', operator: '<', value: 0.5 }, level: 'error', source: 'error_rate < 0.5' },
      { expression: { metric: 'revert_rate', operator: '==', value: 0 }, level: 'warn', source: 'revert_rate == 0' },
    ]);
  });
});

describe('evaluateThreshold', () => {
  // [operator, actual below, equal, above the threshold of 10]
  const TABLE: Array<[ThresholdOperator, boolean, boolean, boolean]> = [
    ['<', true, false, false],
    ['<=', true, true, false],
    ['>', false, false, true],
    ['>=', false, true, true],
    ['==', false, true, false],
    ['!=', true, false, true],
  ];

  it.each(TABLE)('%s 10 with 9, 10, 11', (operator, below, equal, above) => {
    const expr: ThresholdExpression = { metric: 'error_rate', operator, value: 10 };
    expect([evaluateThreshold(expr, 9), evaluateThreshold(expr, 10), evaluateThreshold(expr, 11)]).toEqual([below, equal, above]);
  });

  it.each(TABLE)('%s works on fractions and negatives', (operator, below, equal, above) => {
    const expr: ThresholdExpression = { metric: 'error_rate', operator, value: -0.25 };
    expect([evaluateThreshold(expr, -0.5), evaluateThreshold(expr, -0.25), evaluateThreshold(expr, 0.125)]).toEqual([below, equal, above]);
  });

  it('evaluates parsed thresholds', () => {
    expect(evaluateThreshold(parsed('p99_inclusion_ms < 2_000'), 1_999.9)).toBe(true);
    expect(evaluateThreshold(parsed('p99_inclusion_ms < 2_000'), 2_000)).toBe(false);
    expect(evaluateThreshold(parsed('error_rate <= 1e-2'), 0.01)).toBe(true);
    expect(evaluateThreshold(parsed('revert_rate == 0'), 0)).toBe(true);
    expect(evaluateThreshold(parsed('revert_rate == 0'), 1e-12)).toBe(false);
  });
});

describe('formatThreshold', () => {
  it('writes a threshold back in canonical form', () => {
    expect(formatThreshold(parsed('  error_rate<0.01 '))).toBe('error_rate < 0.01');
    expect(formatThreshold(parsed('safe_sustained_gas_per_sec >= 5_000_000'))).toBe('safe_sustained_gas_per_sec >= 5000000');
  });

  it('round-trips through parseThreshold', () => {
    for (const op of THRESHOLD_OPERATORS) {
      const expr: ThresholdExpression = { metric: 'p50_acceptance_ms', operator: op, value: 123.5 };
      expect(parsed(formatThreshold(expr))).toEqual(expr);
    }
  });
});

describe('metric names in the wrong case', () => {
  it('are unknown metrics, pointed at, with the lower-case name suggested', () => {
    const r = parseThreshold('  P99_inclusion_ms < 5');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.offset).toBe(2);
    expect(r.error.message).toBe("unknown metric 'P99_inclusion_ms' (did you mean 'p99_inclusion_ms'?)");
  });
});

describe('missing values', () => {
  it('satisfy no threshold, whatever the operator', () => {
    for (const operator of ['<', '<=', '>', '>=', '==', '!='] as const) {
      expect(evaluateThreshold({ metric: 'error_rate', operator, value: 0 }, Number.NaN)).toBe(false);
    }
  });
});
