// The results folder a run-mode Action leaves in its artifact, and a publish-mode Action reads
// back (the fork-safe pull_request -> artifact -> workflow_run pattern): the report (JSON,
// Markdown, HTML), a copy of the scenario (for annotations), and publish.json saying where the
// results belong. In publish mode the folder comes from a fork's workflow: untrusted input. Every
// field is checked here, the report through its own schema, and the commit it names must be the
// one the workflow_run event names (checked by the caller).

import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { readRunReport } from '../baseline/report-file.js';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { renderHtml } from '../report/render-html.js';
import { renderMarkdown } from '../report/render-markdown-v2.js';
import type { GateVerdict, RunReportV2 } from '../report/report-types.js';

export const RESULTS_FOLDER = 'results';
export const PUBLISH_FILE = 'publish.json';
export const RESULTS_FILES = { json: 'report.json', markdown: 'report.md', html: 'report.html', scenario: 'scenario.yaml' } as const;

/** Where the results belong and how to present them. */
export interface PublishInfo {
  readonly schemaVersion: 1;
  /** Repository-relative path of the scenario file (annotations point into it). */
  readonly scenarioPath: string;
  readonly checkName: string;
  /** The commit the results are of (a pull request's head). */
  readonly headSha: string;
  /** The pull request, when the run was for one. */
  readonly pullRequest: number | null;
  readonly runUrl: string;
  readonly baselineNote?: string;
  readonly repeat?: { readonly count: number; readonly verdicts: readonly GateVerdict[] };
}

const VERDICT = { enum: ['pass', 'warn', 'fail', 'inconclusive'] } as const;
const PUBLISH_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'scenarioPath', 'checkName', 'headSha', 'pullRequest', 'runUrl'],
  properties: {
    schemaVersion: { const: 1 },
    scenarioPath: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[^\\u0000-\\u001f]+$' },
    checkName: { type: 'string', minLength: 1, maxLength: 100 },
    headSha: { type: 'string', pattern: '^[0-9a-f]{40}([0-9a-f]{24})?$' },
    pullRequest: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] },
    runUrl: { type: 'string', pattern: '^https?://', maxLength: 2048 },
    baselineNote: { type: 'string', maxLength: 2000 },
    repeat: {
      type: 'object',
      additionalProperties: false,
      required: ['count', 'verdicts'],
      properties: { count: { type: 'integer', minimum: 1, maximum: 9 }, verdicts: { type: 'array', maxItems: 9, items: VERDICT } },
    },
  },
} as const;

const validatePublish = new Ajv({ allErrors: true }).compile<PublishInfo>(PUBLISH_SCHEMA);

/** Writes the aggregate report and publish.json into `<out>/results/`; returns the folder. */
export async function writeResultsFolder(outDir: string, report: RunReportV2, info: PublishInfo, scenarioSource: string): Promise<string> {
  const dir = join(outDir, RESULTS_FOLDER);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, RESULTS_FILES.json), JSON.stringify(report, null, 2) + '\n');
    await writeFile(join(dir, RESULTS_FILES.markdown), renderMarkdown(report));
    await writeFile(join(dir, RESULTS_FILES.html), renderHtml(report));
    await writeFile(join(dir, RESULTS_FILES.scenario), scenarioSource);
    await writeFile(join(dir, PUBLISH_FILE), JSON.stringify(info, null, 2) + '\n');
  } catch (cause) {
    throw new GasHammerError(ErrorCodes.OutputWrite, `could not write the results folder ${dir}`, { cause });
  }
  return dir;
}

export interface ReadResults {
  readonly dir: string;
  readonly info: PublishInfo;
  readonly report: RunReportV2;
  /** The scenario copy; undefined when the folder has none (annotations then point at line 1). */
  readonly scenarioSource: string | undefined;
}

/** Reads a downloaded results folder: `dir` itself or its `results/` subfolder. GH-E954 when neither holds publish.json. */
export async function readResultsFolder(dir: string, shownAs: string): Promise<ReadResults> {
  const candidates = [dir, join(dir, RESULTS_FOLDER)];
  const found = candidates.find((d) => existsSync(join(d, PUBLISH_FILE)));
  if (found === undefined) {
    throw new GasHammerError(ErrorCodes.PublishResults, `${shownAs} holds no ${PUBLISH_FILE} (nor ${RESULTS_FOLDER}/${PUBLISH_FILE})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(found, PUBLISH_FILE), 'utf8'));
  } catch (cause) {
    throw new GasHammerError(ErrorCodes.PublishResults, `${shownAs}: ${PUBLISH_FILE} is not readable JSON`, { cause });
  }
  if (!validatePublish(parsed)) {
    const problems = (validatePublish.errors ?? []).map((e) => `${e.instancePath || '(top)'} ${e.message ?? 'is invalid'}`).join('; ');
    throw new GasHammerError(ErrorCodes.PublishResults, `${shownAs}: ${PUBLISH_FILE} is not valid: ${problems}`);
  }
  const reportFile = join(found, RESULTS_FILES.json);
  if (!existsSync(reportFile)) throw new GasHammerError(ErrorCodes.PublishResults, `${shownAs} holds no ${RESULTS_FILES.json}`);
  const report = await readRunReport(reportFile, `${shownAs}/${RESULTS_FILES.json}`);
  const scenarioFile = join(found, RESULTS_FILES.scenario);
  const scenarioSource = existsSync(scenarioFile) ? await readFile(scenarioFile, 'utf8') : undefined;
  return { dir: found, info: parsed, report, scenarioSource };
}
