// Reading a run report (report.json) where baselines and `compare` take one in: the file is
// parsed and every field they read is checked, so a hand-made, truncated or older report gets
// GH-E800 with the field path instead of a wrong comparison. Fields they do not read are left
// to the report engine's own schema.

import { readFile } from 'node:fs/promises';
import { Ajv, type ValidateFunction } from 'ajv';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { parseThreshold } from '../gate/threshold.js';
import { REPORT_SCHEMA_VERSION, type RunReportV2 } from '../report/report-types.js';
import type { Threshold } from '../scenario/types.js';
import { checkJson, parseJsonText } from './json-problems.js';

const STRINGS = { type: 'array', items: { type: 'string' } } as const;

const REPORT_FIELDS_SCHEMA = {
  type: 'object',
  required: ['schemaVersion', 'runId', 'scenario', 'target', 'completion', 'telemetry', 'totals', 'oracle', 'metrics', 'samples', 'gate'],
  properties: {
    schemaVersion: { const: REPORT_SCHEMA_VERSION },
    runId: { type: 'string', minLength: 1 },
    scenario: {
      type: 'object',
      required: ['name', 'hash'],
      properties: {
        name: {
          type: 'string',
          pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
          description: 'a scenario name: letters, digits, "-" and "_", at most 64 characters',
        },
        hash: { type: 'string', minLength: 1 },
      },
    },
    target: { type: 'object', required: ['kind'], properties: { kind: { enum: ['devnet', 'remote'] } } },
    completion: {
      type: 'object',
      required: ['state'],
      properties: { state: { enum: ['done', 'aborted'] }, reasons: STRINGS, reason: { type: 'string' } },
      if: { type: 'object', properties: { state: { const: 'aborted' } } },
      then: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } },
      else: { type: 'object', required: ['reasons'], properties: { reasons: STRINGS } },
    },
    telemetry: { type: 'object', required: ['lossRatio'], properties: { lossRatio: { type: 'number', minimum: 0 } } },
    totals: { type: 'object', required: ['txIncluded'], properties: { txIncluded: { type: 'integer', minimum: 0 } } },
    oracle: {
      type: 'object',
      required: ['invariants', 'violationCount', 'passed'],
      properties: {
        invariants: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'status', 'checked', 'violationCount', 'violations'],
            properties: {
              name: { type: 'string' },
              status: { enum: ['pass', 'fail', 'skipped'] },
              checked: { type: 'integer', minimum: 0 },
              violationCount: { type: 'integer', minimum: 0 },
              violations: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['description', 'expected', 'actual'],
                  properties: { description: { type: 'string' }, expected: { type: 'string' }, actual: { type: 'string' } },
                },
              },
              note: { type: 'string' },
            },
          },
        },
        violationCount: { type: 'integer', minimum: 0 },
        passed: { type: 'boolean' },
      },
    },
    metrics: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
    samples: { type: 'object', additionalProperties: { type: 'array', items: { type: 'number' } } },
    gate: {
      type: 'object',
      required: ['verdict', 'thresholds'],
      properties: {
        verdict: { enum: ['pass', 'warn', 'fail', 'inconclusive'] },
        thresholds: {
          type: 'array',
          items: {
            type: 'object',
            required: ['source', 'level'],
            properties: { source: { type: 'string' }, level: { enum: ['warn', 'error'] } },
          },
        },
      },
    },
  },
} as const;

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(REPORT_FIELDS_SCHEMA);
  return compiled;
}

/** Parses report.json text; throws GH-E800 naming `file` and each field that is wrong. */
export function parseRunReport(text: string, file: string): RunReportV2 {
  const value = parseJsonText(text, file, ErrorCodes.ReportRead, 'a GasHammer run report');
  if (value !== null && typeof value === 'object' && 'schemaVersion' in value && value.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new GasHammerError(ErrorCodes.ReportRead, `${file} is a report of version ${JSON.stringify(value.schemaVersion)}`, {
      details: `baselines and compare read version ${REPORT_SCHEMA_VERSION} reports, which carry the run's gate metrics and per-second samples`,
      hint: 'Run the scenario again with this GasHammer version to get a version 2 report.',
    });
  }
  return checkJson<RunReportV2>(validator(), value, file, ErrorCodes.ReportRead, 'a GasHammer run report');
}

/** Reads and parses a report file; GH-E800 when it cannot be read or is not a report. Messages name it `shownAs`. */
export async function readRunReport(file: string, shownAs = file): Promise<RunReportV2> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = e !== null && typeof e === 'object' && 'code' in e ? String(e.code) : String(e);
    throw new GasHammerError(ErrorCodes.ReportRead, `${shownAs} could not be read: ${code === 'ENOENT' ? 'no such file' : code}`, { cause: e });
  }
  return parseRunReport(text, shownAs);
}

/**
 * The scenario's thresholds as the report recorded them (source text and level), parsed again,
 * for a gate decided without the scenario file.
 */
export function thresholdsFromReport(report: RunReportV2, file: string): Threshold[] {
  return report.gate.thresholds.map((t, i) => {
    const parsed = parseThreshold(t.source);
    if (!parsed.ok) {
      throw new GasHammerError(ErrorCodes.ReportRead, `${file} gate.thresholds[${i}].source: '${t.source}' is not a threshold: ${parsed.error.message}`, {
        details: `expected ${parsed.error.expected}`,
      });
    }
    return { expression: parsed.expression, level: t.level, source: t.source };
  });
}
