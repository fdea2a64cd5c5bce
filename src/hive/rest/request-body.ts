// Request bodies at the REST boundary: which media types a route takes, the JSON schemas of the
// bodies, and their validation into typed requests. Every problem in a body is reported at
// once, each with the field it concerns, so a client fixes its request in one go.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Request } from 'express';
import { ErrorCodes } from '../../errors/codes.js';
import type { Diagnostic } from '../../errors/diagnostic.js';
import { MAX_EDGES } from '../../scenario/schema.js';
import { didYouMean } from '../../util/suggest.js';
import type { StartRunRequest } from '../api.js';
import { badRequest, HttpStatusError } from './errors.js';

export const JSON_TYPE = 'application/json';
/** Media types a scenario's YAML text may be sent as; the first is the registered one. */
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'] as const;

/** Scenario names are short labels; anything longer is not a name the hive could hold. */
const MAX_NAME_LENGTH = 200;

/** Throws 400 when the request has no body, 415 when its Content-Type is none of `types`. */
export function requireMediaType(req: Request, types: readonly string[]): void {
  // A declared length of 0 is no body either, though type-is counts it as one.
  const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
  if (!hasBody) throw badRequest('the request has no body', { details: `send one of: ${types.join(', ')}` });
  if (!req.is([...types])) {
    const got = req.get('content-type') ?? 'none';
    throw new HttpStatusError(415, ErrorCodes.ApiBadRequest, `unsupported Content-Type ${got}`, {
      details: `${req.method} ${req.path} takes ${types.join(', ')}`,
      hint: `Set the Content-Type header to ${types.join(' or ')}; docs/api.md lists every route and body.`,
    });
  }
}

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });

const startRunSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['scenario'],
  properties: {
    scenario: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
    edges: { type: 'integer', minimum: 1, maximum: MAX_EDGES },
  },
} as const;

const scenarioUploadSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['source'],
  properties: { source: { type: 'string' } },
} as const;

const validateStartRun = ajv.compile(startRunSchema);
const validateScenarioUpload = ajv.compile(scenarioUploadSchema);

function jsonTypeWords(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'a whole number' : 'a fraction';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

const TYPE_WORDS: Readonly<Record<string, string>> = { object: 'a JSON object', string: 'a string', integer: 'a whole number' };

function toDiagnostic(e: ErrorObject, known: readonly string[]): Diagnostic {
  const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const params = e.params as Record<string, unknown>;
  const base = { code: ErrorCodes.ApiBadRequest, severity: 'error' as const };
  switch (e.keyword) {
    case 'required':
      return { ...base, path: String(params.missingProperty), message: `missing required field '${String(params.missingProperty)}'` };
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      return {
        ...base,
        path: name,
        message: `unknown field '${name}'${didYouMean(name, known)}`,
        expected: `only ${known.map((k) => `'${k}'`).join(', ')}`,
      };
    }
    case 'type':
      return { ...base, path: field || '(body)', message: `expected ${TYPE_WORDS[String(params.type)] ?? String(params.type)}, got ${jsonTypeWords(e.data)}` };
    case 'minimum':
    case 'maximum':
      return { ...base, path: field, message: `must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(params.limit)}, got ${String(e.data)}` };
    case 'minLength':
      return { ...base, path: field, message: 'must not be empty' };
    case 'maxLength':
      return { ...base, path: field, message: `is too long: at most ${String(params.limit)} characters` };
    default:
      return { ...base, path: field || '(body)', message: e.message ?? `fails the '${e.keyword}' rule` };
  }
}

function checked<T>(validate: ValidateFunction, body: unknown, known: readonly string[]): T {
  if (validate(body)) return body as T;
  const diagnostics = (validate.errors ?? []).map((e) => toDiagnostic(e, known));
  throw badRequest(`the request body has ${diagnostics.length} problem(s)`, { diagnostics });
}

/** The body of POST /runs. */
export function parseStartRun(body: unknown): StartRunRequest {
  return checked<StartRunRequest>(validateStartRun, body, Object.keys(startRunSchema.properties));
}

/** The JSON form of POST /scenarios: `{"source": "<yaml>"}`. */
export function parseScenarioUpload(body: unknown): { readonly source: string } {
  return checked<{ source: string }>(validateScenarioUpload, body, Object.keys(scenarioUploadSchema.properties));
}
