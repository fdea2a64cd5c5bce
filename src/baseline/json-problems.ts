// Turns what ajv finds wrong in a JSON file (a baseline, a run report) into diagnostics a person
// can act on: the file, the field path as `runs[2].metrics.p50_inclusion_ms`, what is wrong and
// what was expected. Every problem in the file is reported at once.

import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ErrorCodeInfo } from '../errors/codes.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { GasHammerError } from '../errors/gashammer-error.js';

/** `/runs/2/metrics/p50` -> `runs[2].metrics.p50`; the whole document is `(file)`. */
export function pointerToFieldPath(pointer: string): string {
  if (pointer === '') return '(file)';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^(0|[1-9]\d*)$/.test(seg)) out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number') return Number.isInteger(v) ? `the whole number ${v}` : `the number ${v}`;
  if (typeof v === 'string') return v.length > 40 ? 'a long string' : `the string "${v}"`;
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'null',
};

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

function problem(e: ErrorObject): { path: string; message: string; expected?: string } {
  const params = e.params as Record<string, unknown>;
  const path = pointerToFieldPath(e.instancePath);
  const child = (name: unknown) => (path === '(file)' ? String(name) : `${path}.${String(name)}`);
  switch (e.keyword) {
    case 'required':
      return { path: child(params.missingProperty), message: 'is missing' };
    case 'additionalProperties':
      return { path: child(params.additionalProperty), message: 'is not a field of this format' };
    case 'type':
      return { path, message: `is ${jsonKind(e.data)}`, expected: typeWords(params.type) };
    case 'const':
      return { path, message: `is ${jsonKind(e.data)}`, expected: JSON.stringify(params.allowedValue) };
    case 'enum':
      return { path, message: `is ${jsonKind(e.data)}`, expected: `one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'minimum':
    case 'maximum':
      return { path, message: `is ${jsonKind(e.data)}`, expected: `a number ${e.keyword === 'minimum' ? '>=' : '<='} ${String(params.limit)}` };
    case 'minLength':
      return { path, message: 'is empty', expected: 'a non-empty string' };
    case 'minItems':
      return { path, message: 'is an empty list', expected: `at least ${String(params.limit)} item(s)` };
    case 'pattern':
      return { path, message: `is ${jsonKind(e.data)}`, expected: e.parentSchema?.description ?? `text matching ${String(params.pattern)}` };
    case 'propertyNames':
      return { path, message: `has the field name '${String(params.propertyName)}'`, expected: 'metric names in snake_case' };
    default:
      return { path, message: e.message ?? `breaks the '${e.keyword}' rule` };
  }
}

/** Validates `value`; on failure throws one GasHammerError of `code` listing every problem in `file`. */
export function checkJson<T>(validate: ValidateFunction, value: unknown, file: string, code: ErrorCodeInfo, what: string): T {
  if (validate(value)) return value as T;
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const e of validate.errors ?? []) {
    // propertyNames reports the bad name twice (the name, then the object); keep one.
    if (e.propertyName !== undefined) continue;
    // An if/then failure is also reported as the field it lacks; the 'if' line adds nothing.
    if (e.keyword === 'if') continue;
    const p = problem(e);
    const key = `${p.path}|${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push({ code, severity: 'error', file, path: p.path, message: p.message, ...(p.expected === undefined ? {} : { expected: p.expected }) });
  }
  throw new GasHammerError(code, `${file} is not ${what}: ${diagnostics.length} problem(s)`, { diagnostics });
}

/** JSON.parse at a file boundary: not-JSON becomes a GasHammerError of `code` naming the file. */
export function parseJsonText(text: string, file: string, code: ErrorCodeInfo, what: string): unknown {
  if (text.trim() === '') {
    throw new GasHammerError(code, `${file} is empty`, { details: `expected ${what} as JSON` });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new GasHammerError(code, `${file} is not valid JSON: ${why}`, { details: `expected ${what}; the file may be cut short or hand-edited` });
  }
}
