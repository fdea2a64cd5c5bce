// Helpers for scenario tests: a valid base scenario to mutate, and loaders that return the
// diagnostics in a compact, assertable shape.

import { stringify } from 'yaml';
import { loadScenarioText } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';

export const BASE = `name: base
description: a valid scenario to start from
version: "1.0"
workload:
  gas_rate:
    type: sustained
    gas_per_sec: 1_000_000
  templates:
    - name: simple-transfer
      weight: 1
phases:
  - name: main
    duration_secs: 60
`;

export interface Problem {
  code: string;
  severity: string;
  path: string | undefined;
  line: number | undefined;
  column: number | undefined;
  message: string;
  expected: string | undefined;
}

export function problemsOf(text: string, file = 'test.yaml'): Problem[] {
  const r = loadScenarioText(text, file);
  const list = r.ok ? r.warnings : r.diagnostics;
  return list.map((d) => ({
    code: d.code.code,
    severity: d.severity,
    path: d.path,
    line: d.line,
    column: d.column,
    message: d.message,
    expected: d.expected,
  }));
}

export function errorsOf(text: string): Problem[] {
  return problemsOf(text).filter((p) => p.severity === 'error');
}

export function loadOk(text: string): Scenario {
  const r = loadScenarioText(text);
  if (!r.ok) throw new Error('expected a valid scenario, got:\n' + r.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n'));
  return r.scenario;
}

/** BASE with `patch` merged in at the top level (a whole section replaced). */
export function withBase(patch: Record<string, unknown>): string {
  return `${BASE}${stringify(patch)}`;
}
