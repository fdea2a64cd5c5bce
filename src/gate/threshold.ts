// Parser for absolute gate thresholds written k6-style: `<metric> <operator> <number>`,
// e.g. `p99_inclusion_ms < 2000` or `safe_sustained_gas_per_sec >= 5_000_000`.
// Errors carry the character offset of the problem so the SDL can point at its column.

import { didYouMean } from '../util/suggest.js';
import { METRIC_NAMES, metricInfo } from './metrics.js';

export const THRESHOLD_OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type ThresholdOperator = (typeof THRESHOLD_OPERATORS)[number];
export type GateLevel = 'warn' | 'error';

export interface ThresholdExpression {
  readonly metric: string;
  readonly operator: ThresholdOperator;
  readonly value: number;
}

export interface ThresholdSyntaxError {
  /** 0-based character offset into the expression. */
  readonly offset: number;
  readonly message: string;
  readonly expected: string;
}

export type ThresholdParseResult =
  | { readonly ok: true; readonly expression: ThresholdExpression }
  | { readonly ok: false; readonly error: ThresholdSyntaxError };

const METRIC_RE = /^[A-Za-z][A-Za-z0-9_]*/;
const NUMBER_RE = /^[-+]?(?:\d(?:_?\d)*)(?:\.\d(?:_?\d)*)?(?:[eE][-+]?\d+)?$/;

function fail(offset: number, message: string, expected: string): ThresholdParseResult {
  return { ok: false, error: { offset, message, expected } };
}

export function parseThreshold(text: string): ThresholdParseResult {
  let pos = text.length - text.trimStart().length;
  const rest = () => text.slice(pos);

  const metricMatch = METRIC_RE.exec(rest());
  if (!metricMatch) {
    return fail(pos, `a threshold starts with a metric name, found '${rest().slice(0, 12)}'`, '<metric> <operator> <number>, e.g. p99_inclusion_ms < 2000');
  }
  const metric = metricMatch[0];
  const metricOffset = pos;
  pos += metric.length;
  pos += rest().length - rest().trimStart().length;

  const operator = THRESHOLD_OPERATORS.find((op) => rest().startsWith(op));
  if (operator === undefined) {
    const found = rest().trim() === '' ? 'the end of the threshold' : `'${rest().slice(0, 8).trim()}'`;
    return fail(pos, `expected a comparison operator after '${metric}', found ${found}`, `one of ${THRESHOLD_OPERATORS.join(' ')}`);
  }
  pos += operator.length;
  pos += rest().length - rest().trimStart().length;

  const numberText = rest().trimEnd();
  if (numberText === '' || !NUMBER_RE.test(numberText)) {
    const found = numberText === '' ? 'nothing' : `'${numberText}'`;
    return fail(pos, `expected a number after '${operator}', found ${found}`, 'a plain number such as 2000, 0.01 or 5_000_000 (no units)');
  }
  const value = Number(numberText.replace(/_/g, ''));
  if (!Number.isFinite(value)) {
    return fail(pos, `the number '${numberText}' is too large`, 'a finite number');
  }

  if (metricInfo(metric) === undefined) {
    return fail(metricOffset, `unknown metric '${metric}'${didYouMean(metric, METRIC_NAMES)}`, 'a metric listed in docs/sdl.md#gate-metrics');
  }
  return { ok: true, expression: { metric, operator, value } };
}

/** Whether `actual` satisfies the threshold. A missing value (NaN) satisfies none. */
export function evaluateThreshold(expr: ThresholdExpression, actual: number): boolean {
  if (Number.isNaN(actual)) return false;
  switch (expr.operator) {
    case '<':
      return actual < expr.value;
    case '<=':
      return actual <= expr.value;
    case '>':
      return actual > expr.value;
    case '>=':
      return actual >= expr.value;
    case '==':
      return actual === expr.value;
    case '!=':
      return actual !== expr.value;
  }
}

export function formatThreshold(expr: ThresholdExpression): string {
  return `${expr.metric} ${expr.operator} ${expr.value}`;
}
