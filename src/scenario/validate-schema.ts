// Validates a parsed scenario against SCENARIO_SCHEMA with ajv and turns ajv's errors into
// diagnostics a person can act on: one per problem, at file:line:col, in plain words, with
// a "did you mean" for misspelt names. Every error in the file is reported at once.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ErrorCodes } from '../errors/codes.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { didYouMean } from '../util/suggest.js';
import { formatPath, locate, pointerToPath, type PathSegment } from './positions.js';
import { PATTERN_WORDS, SCENARIO_SCHEMA } from './schema.js';
import type { ScenarioSource } from './yaml-source.js';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv({
    allErrors: true,
    discriminator: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    allowUnionTypes: true,
  }).compile(SCENARIO_SCHEMA);
  return compiled;
}

/** ajv cannot see bigint; a lossy number is enough to check type and range. */
function forValidation(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(forValidation);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forValidation(v)]));
  }
  return value;
}

export function validateSchema(source: ScenarioSource, value: unknown): Diagnostic[] {
  const validate = validator();
  if (validate(forValidation(value))) return [];
  const errors = selectErrors(validate.errors ?? []);
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const e of errors) {
    const d = toDiagnostic(source, e);
    const key = `${d.path}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Choosing which of ajv's errors to show

/**
 * ajv reports, for a failed anyOf, the errors of every branch plus the anyOf itself. Keep only
 * the branch the user evidently meant (same JSON type, keys it knows), or else one summary.
 */
function selectErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const e of errors) {
    // `if` errors only say "must match then"; the branch's own errors say why. Discriminator
    // errors repeat what `required` and the `type` enum already report.
    if (e.keyword === 'if' || e.keyword === 'discriminator') dropped.add(e);
    if (e.keyword !== 'anyOf') continue;
    const branches = (e.schema as unknown[]) ?? [];
    const prefix = `${e.schemaPath}/`;
    const chosen = chooseBranch(branches, e.data);
    for (const other of errors) {
      if (other === e || !other.schemaPath.startsWith(prefix)) continue;
      const branchIndex = Number(other.schemaPath.slice(prefix.length).split('/')[0]);
      if (chosen === undefined || branchIndex !== chosen) dropped.add(other);
    }
    if (chosen !== undefined) dropped.add(e);
  }
  return errors.filter((e) => !dropped.has(e));
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function schemaAccepts(schema: Record<string, unknown>, type: string): boolean {
  if (schema.const !== undefined) return jsonType(schema.const) === type;
  if (Array.isArray(schema.enum)) return schema.enum.some((x) => jsonType(x) === type);
  const t = schema.type;
  const types = Array.isArray(t) ? t : t === undefined ? [] : [t];
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

function chooseBranch(branches: readonly unknown[], data: unknown): number | undefined {
  const type = jsonType(data);
  const candidates = branches
    .map((b, i) => [b as Record<string, unknown>, i] as const)
    .filter(([b]) => schemaAccepts(b, type));
  if (candidates.length === 1) return candidates[0]![1];
  if (candidates.length > 1 && type === 'object') {
    const keys = Object.keys(data as object);
    const byKeys = candidates.filter(([b]) => {
      const props = Object.keys((b.properties as object | undefined) ?? {});
      return keys.some((k) => props.includes(k));
    });
    if (byKeys.length === 1) return byKeys[0]![1];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Wording

function describeValue(v: unknown, sourceText: string | undefined): string {
  if (sourceText !== undefined && sourceText.length <= 60) return sourceText;
  switch (jsonType(v)) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'string': {
      const s = v as string;
      return s.length > 40 ? `"${s.slice(0, 40)}..."` : `"${s}"`;
    }
    default:
      return String(v);
  }
}

function typeWords(type: unknown): string {
  const words: Record<string, string> = {
    integer: 'a whole number',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
    null: 'null',
  };
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => words[String(t)] ?? String(t)).join(' or ');
}

function actualTypeWords(v: unknown): string {
  const t = jsonType(v);
  return t === 'integer' || t === 'number' ? 'a number' : typeWords(t);
}

function listWords(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
}

interface Worded {
  path: PathSegment[];
  atKey?: boolean;
  message: string;
  expected?: string;
  hint?: string;
}

function word(e: ErrorObject, sourceText: string | undefined): Worded {
  const path = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const shown = describeValue(e.data, sourceText);
  switch (e.keyword) {
    case 'required':
      return { path, message: `missing required field '${String(params.missingProperty)}'` };
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((parent.properties as object | undefined) ?? {});
      return {
        path: [...path, name],
        atKey: true,
        message: `unknown field '${name}'${didYouMean(name, known)}`,
        expected: known.length > 0 ? `one of ${listWords(known)}` : 'no fields here',
      };
    }
    case 'type': {
      const expected = typeWords(params.type);
      const hint =
        params.type === 'string' && typeof e.data === 'number'
          ? `quote it: "${sourceText ?? String(e.data)}"`
          : undefined;
      return { path, message: `expected ${expected}, got ${actualTypeWords(e.data)} (${shown})`, ...(hint ? { hint } : {}) };
    }
    case 'enum':
    case 'const': {
      const allowed = e.keyword === 'enum' ? (params.allowedValues as unknown[]) : [params.allowedValue];
      const extra = typeof e.data === 'string' ? didYouMean(e.data, allowed.map(String)) : '';
      return { path, message: `${shown} is not allowed here${extra}`, expected: `one of ${listWords(allowed)}` };
    }
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      const op = { minimum: '>=', exclusiveMinimum: '>', maximum: '<=', exclusiveMaximum: '<' }[e.keyword];
      return { path, message: `must be ${op} ${String(params.limit)}, got ${shown}` };
    }
    case 'minItems':
      return { path, message: `needs at least ${String(params.limit)} item(s), has ${(e.data as unknown[]).length}` };
    case 'maxItems':
      return { path, message: `may have at most ${String(params.limit)} items, has ${(e.data as unknown[]).length}` };
    case 'minLength':
      return { path, message: `must not be empty` };
    case 'maxLength':
      return { path, message: `is too long: at most ${String(params.limit)} characters` };
    case 'uniqueItems':
      return { path: [...path, Number(params.i)], message: `duplicates item ${String(params.j)} of the list` };
    case 'pattern': {
      const words = PATTERN_WORDS[String(params.pattern)] ?? `text matching ${String(params.pattern)}`;
      return { path, message: `${shown} is not valid here`, expected: words };
    }
    case 'minProperties': {
      const known = Object.keys((parent.properties as object | undefined) ?? {});
      return { path, message: 'must not be empty', expected: `at least one of ${listWords(known)}` };
    }
    case 'anyOf':
      return {
        path,
        message: `${shown} is not valid here`,
        expected: String(parent.description ?? 'one of the allowed forms (see docs/sdl.md)'),
      };
    default:
      return { path, message: e.message ?? `fails the '${e.keyword}' rule` };
  }
}

function toDiagnostic(source: ScenarioSource, e: ErrorObject): Diagnostic {
  const dataPos = locate(source, pointerToPath(e.instancePath));
  const w = word(e, dataPos?.sourceText);
  const pos = locate(source, w.path, w.atKey ?? false);
  return {
    code: ErrorCodes.ScenarioSchema,
    severity: 'error',
    file: source.file,
    ...(pos ? { line: pos.line, column: pos.column } : {}),
    path: formatPath(w.path) || '(top level)',
    message: w.message,
    ...(w.expected ? { expected: w.expected } : {}),
    ...(w.hint ? { hint: w.hint } : {}),
  };
}
