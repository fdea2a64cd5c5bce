// A Diagnostic is one problem found in a user's input, located as precisely as we can
// (file:line:col and/or a field path). Validators collect all of them before reporting,
// so the user sees every problem in a file at once.

import { redact, redactDeep } from '../util/redact.js';
import type { ErrorCodeInfo } from './codes.js';

export type Severity = 'error' | 'warning';

export interface SourceLocation {
  readonly file?: string;
  /** 1-based line. */
  readonly line?: number;
  /** 1-based column. */
  readonly column?: number;
}

export interface Diagnostic extends SourceLocation {
  readonly code: ErrorCodeInfo;
  readonly severity: Severity;
  /** Field path in dotted form, e.g. `phases[1].duration_secs`; for env vars the variable name. */
  readonly path?: string;
  /** What is wrong, in one sentence. */
  readonly message: string;
  /** What was expected, when that is not already said by the message. */
  readonly expected?: string;
  /** What to do about it, when more specific than the code's general hint. */
  readonly hint?: string;
}

export function formatLocation(loc: SourceLocation): string {
  if (loc.file === undefined) return '';
  if (loc.line === undefined) return loc.file;
  return loc.column === undefined ? `${loc.file}:${loc.line}` : `${loc.file}:${loc.line}:${loc.column}`;
}

/** `GH-E902 file.yaml:3:5 workload.seed: message` plus indented expected/hint lines. */
export function formatDiagnostic(d: Diagnostic): string {
  const head = [d.severity === 'warning' ? `warning ${d.code.code}` : d.code.code];
  const where = formatLocation(d);
  if (where) head.push(where);
  if (d.path) head.push(`${d.path}:`);
  head.push(d.message);
  const lines = [head.join(' ')];
  if (d.expected) lines.push(`  expected: ${d.expected}`);
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  // Messages quote the user's input, which may hold credentials (an RPC URL with a key).
  return redact(lines.join('\n'));
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, then position, so output reads top to bottom. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      (a.path ?? '').localeCompare(b.path ?? ''),
  );
}

/** JSON shape of a diagnostic, as printed by `--json` outputs. */
export function diagnosticToJson(d: Diagnostic): Record<string, unknown> {
  return redactDeep({
    code: d.code.code,
    severity: d.severity,
    file: d.file,
    line: d.line,
    column: d.column,
    path: d.path,
    message: d.message,
    expected: d.expected,
    hint: d.hint ?? d.code.hint,
  });
}
