// The baseline file: what a branch remembers of a scenario's recent runs, so that a new run can
// be compared with them. One file per branch and scenario, holding up to MAX_BASELINE_RUNS runs
// of one scenario hash, oldest first. Each run keeps its gate metrics and its per-second samples
// (for the rank test). The file is read through parseBaselineFile, which checks every field:
// files are committed to git and edited by hand, so nothing read from one is trusted unchecked.

import { Ajv, type ValidateFunction } from 'ajv';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { METRIC_NAMES } from '../gate/metrics.js';
import type { BaselineRef, RunReportV2, SampleSeries } from '../report/report-types.js';
import { REGRESSION_METRICS } from '../scenario/schema.js';
import { checkJson, parseJsonText } from './json-problems.js';

export const BASELINE_FORMAT_VERSION = 1;
/** Runs a file keeps: enough for a median and a pooled rank test, few enough to follow drift. */
export const MAX_BASELINE_RUNS = 10;

/** Where a run was measured, so that a reader can tell comparable baselines apart. */
export interface BaselineTestbed {
  /** `os.platform() os.release()` of the machine that saved the run. */
  readonly os: string;
  readonly cpus: number;
  /** The report's target kind: `devnet` or `remote`. */
  readonly targetKind: string;
  /** Container image of the target, when it ran in one. */
  readonly image?: string;
}

export interface BaselineRun {
  readonly runId: string;
  /** ISO 8601, UTC. */
  readonly savedAt: string;
  readonly commit?: string;
  readonly testbed?: BaselineTestbed;
  /** The report's gate metrics (regression metrics included); null when the run had no value. */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** The report's per-second samples, keyed by regression metric. */
  readonly samples: SampleSeries;
}

export interface BaselineFile {
  readonly schemaVersion: typeof BASELINE_FORMAT_VERSION;
  readonly scenario: { readonly name: string; readonly hash: string };
  readonly branch: string;
  /** Oldest first, newest last. */
  readonly runs: readonly BaselineRun[];
}

/** What a save adds to a run beyond its report. */
export interface BaselineRunMeta {
  readonly savedAt: Date;
  readonly commit?: string;
  readonly testbed?: BaselineTestbed;
}

const METRIC_NAME = { type: 'string', pattern: '^[a-z][a-z0-9_]*$' } as const;

const BASELINE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'scenario', 'branch', 'runs'],
  properties: {
    schemaVersion: { const: BASELINE_FORMAT_VERSION },
    scenario: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'hash'],
      properties: { name: { type: 'string', minLength: 1 }, hash: { type: 'string', minLength: 1 } },
    },
    branch: { type: 'string', minLength: 1 },
    runs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['runId', 'savedAt', 'metrics', 'samples'],
        properties: {
          runId: { type: 'string', minLength: 1 },
          savedAt: {
            type: 'string',
            pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$',
            description: 'an ISO 8601 UTC time such as 2026-01-31T12:00:00.000Z',
          },
          commit: { type: 'string', pattern: '^[0-9a-fA-F]{7,64}$', description: 'a git commit id: 7 to 64 hex digits' },
          testbed: {
            type: 'object',
            additionalProperties: false,
            required: ['os', 'cpus', 'targetKind'],
            properties: {
              os: { type: 'string' },
              cpus: { type: 'integer', minimum: 0 },
              targetKind: { type: 'string', minLength: 1 },
              image: { type: 'string' },
            },
          },
          metrics: { type: 'object', propertyNames: METRIC_NAME, additionalProperties: { type: ['number', 'null'] } },
          samples: { type: 'object', propertyNames: METRIC_NAME, additionalProperties: { type: 'array', items: { type: 'number' } } },
        },
      },
    },
  },
} as const;

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(BASELINE_SCHEMA);
  return compiled;
}

/** Parses a baseline file's text; throws GH-E801 naming `file` and every field that is wrong. */
export function parseBaselineFile(text: string, file: string): BaselineFile {
  const value = parseJsonText(text, file, ErrorCodes.BaselineInvalid, 'a GasHammer baseline file');
  if (value !== null && typeof value === 'object' && 'schemaVersion' in value && value.schemaVersion !== BASELINE_FORMAT_VERSION) {
    throw new GasHammerError(ErrorCodes.BaselineInvalid, `${file} is a baseline of format ${JSON.stringify(value.schemaVersion)}`, {
      details: `this GasHammer reads format ${BASELINE_FORMAT_VERSION}`,
      hint: 'Save a new baseline with this version (`gashammer baseline save`), or use the GasHammer version that wrote the file.',
    });
  }
  return checkJson<BaselineFile>(validator(), value, file, ErrorCodes.BaselineInvalid, 'a GasHammer baseline file');
}

/** The file as written to disk: stable key order, two-space indent, a final newline (clean git diffs). */
export function serializeBaselineFile(file: BaselineFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}

const KNOWN_METRICS = new Set(METRIC_NAMES);
const SAMPLED_METRICS = new Set<string>(REGRESSION_METRICS);

/** What a baseline keeps of a run: its gate metrics and the per-second samples of regression metrics. */
export function baselineRunFromReport(report: RunReportV2, meta: BaselineRunMeta): BaselineRun {
  const metrics = Object.fromEntries(Object.entries(report.metrics).filter(([name]) => KNOWN_METRICS.has(name)));
  const samples = Object.fromEntries(Object.entries(report.samples).filter(([name]) => SAMPLED_METRICS.has(name)));
  return {
    runId: report.runId,
    savedAt: meta.savedAt.toISOString(),
    ...(meta.commit === undefined ? {} : { commit: meta.commit }),
    ...(meta.testbed === undefined ? {} : { testbed: meta.testbed }),
    metrics,
    samples,
  };
}

/** The reference a gate report carries: where the baseline came from and how much it holds. */
export function baselineRef(file: BaselineFile, source: string): BaselineRef {
  const newest = file.runs[file.runs.length - 1]!;
  return {
    branch: file.branch,
    source,
    runs: file.runs.length,
    savedAt: newest.savedAt,
    ...(newest.commit === undefined ? {} : { commit: newest.commit }),
  };
}
