// Parses the gate's threshold expressions, pointing each syntax error at its exact column.
// Runs on the raw document, so these errors are reported even when other fields are invalid.

import { isScalar, type Scalar } from 'yaml';
import { ErrorCodes } from '../errors/codes.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { parseThreshold, type GateLevel } from '../gate/threshold.js';
import { formatPath, locate, type PathSegment } from './positions.js';
import type { Threshold } from './types.js';
import type { ScenarioSource } from './yaml-source.js';

export interface ThresholdResult {
  readonly thresholds: Threshold[];
  readonly diagnostics: Diagnostic[];
}

/** Column of a character inside a one-line plain or quoted scalar; else the scalar's start. */
function columnOf(source: ScenarioSource, path: PathSegment[], offset: number): { line?: number; column?: number } {
  const pos = locate(source, path);
  if (!pos) return {};
  const node = source.document.getIn(path, true);
  const type = isScalar(node) ? (node as Scalar).type : undefined;
  const oneLine = pos.sourceText !== undefined && !pos.sourceText.includes('\n');
  if (!oneLine || (type !== 'PLAIN' && type !== 'QUOTE_DOUBLE' && type !== 'QUOTE_SINGLE')) {
    return { line: pos.line, column: pos.column };
  }
  return { line: pos.line, column: pos.column + offset + (type === 'PLAIN' ? 0 : 1) };
}

export function parseThresholds(source: ScenarioSource, raw: unknown): ThresholdResult {
  const thresholds: Threshold[] = [];
  const diagnostics: Diagnostic[] = [];
  const list = (raw as { gate?: { thresholds?: unknown } } | null)?.gate?.thresholds;
  if (!Array.isArray(list)) return { thresholds, diagnostics };

  list.forEach((item: unknown, i: number) => {
    let text: unknown;
    let level: GateLevel = 'error';
    let path: PathSegment[];
    if (typeof item === 'string') {
      text = item;
      path = ['gate', 'thresholds', i];
    } else if (item !== null && typeof item === 'object') {
      text = (item as { check?: unknown }).check;
      const l = (item as { level?: unknown }).level;
      if (l === 'warn' || l === 'error') level = l;
      path = ['gate', 'thresholds', i, 'check'];
    } else {
      return; // the schema reports the wrong type
    }
    if (typeof text !== 'string') return;
    const result = parseThreshold(text);
    if (result.ok) {
      thresholds.push({ expression: result.expression, level, source: text.trim() });
      return;
    }
    diagnostics.push({
      code: ErrorCodes.GateExpression,
      severity: 'error',
      file: source.file,
      ...columnOf(source, path, result.error.offset),
      path: formatPath(path),
      message: result.error.message,
      expected: result.error.expected,
    });
  });
  return { thresholds, diagnostics };
}
