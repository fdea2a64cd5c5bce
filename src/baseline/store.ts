// Where baselines live. BaselineStore is the one interface the CLI, the GitHub Action and the
// gate service use; FileBaselineStore keeps them as JSON files in a folder (committed to git):
// `<root>/<branch folder>/<scenario>.json`, the branch folder as branch-path.ts maps it.
//
// A save appends the run to its branch's history of the same scenario hash, keeping the newest
// MAX_BASELINE_RUNS. A run of a changed scenario (another hash offers another load) starts a new
// history: mixing them would compare unlike runs. Saves are atomic (temporary file, then rename),
// so a reader never sees half a file; two writers saving to the same file at the same instant
// may lose one of the two runs, and callers run saves one at a time.

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { BaselineRef, RunReportV2 } from '../report/report-types.js';
import {
  BASELINE_FORMAT_VERSION,
  baselineRef,
  baselineRunFromReport,
  MAX_BASELINE_RUNS,
  parseBaselineFile,
  serializeBaselineFile,
  type BaselineFile,
  type BaselineRunMeta,
} from './baseline-file.js';
import { branchFolderName } from './branch-path.js';

/** The result of a save: the reference to the file, and what the save dropped from it. */
export interface SavedBaseline extends BaselineRef {
  /** Set when the file held runs of another scenario hash: they were replaced, not mixed in. */
  readonly newHistory?: { readonly previousHash: string; readonly runsDropped: number };
  /** Oldest runs dropped to keep MAX_BASELINE_RUNS. */
  readonly runsTrimmed: number;
  /** True when a run of the same id was already in the file and has been replaced. */
  readonly replacedSameRun: boolean;
}

export interface BaselineStore {
  /** The baseline of a scenario on a branch, or undefined when there is none. */
  load(branch: string, scenarioName: string): Promise<BaselineFile | undefined>;
  save(branch: string, report: RunReportV2, meta: BaselineRunMeta): Promise<SavedBaseline>;
}

/** Scenario names are SDL labels; anything else would not be a safe file name. */
const SCENARIO_LABEL = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * `<branch folder>/<scenario>.json`: a baseline's path inside any store, with `/` separators.
 * Throws GH-E800 for a scenario name, GH-E802 for a branch, that cannot name a file or folder.
 */
export function baselineRelativePath(branch: string, scenarioName: string): string {
  if (!SCENARIO_LABEL.test(scenarioName)) {
    throw new GasHammerError(ErrorCodes.ReportRead, `the scenario name '${scenarioName}' cannot name a baseline file`, {
      details: 'scenario names are letters, digits, "-" and "_", starting with a letter or digit, at most 64 characters',
    });
  }
  return `${branchFolderName(branch)}/${scenarioName}.json`;
}

function errnoCode(e: unknown): string | undefined {
  return e !== null && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/**
 * Reads and parses a baseline file; undefined when it does not exist (GH-E803 when unreadable,
 * GH-E801 when invalid). Messages name it `shownAs`.
 */
export async function readBaselineFile(file: string, shownAs = file): Promise<BaselineFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    // ENOTDIR: a part of the path is a file, so this file cannot exist either.
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw new GasHammerError(ErrorCodes.BaselineNotFound, `${shownAs} could not be read: ${errnoCode(e) ?? String(e)}`, { cause: e });
  }
  return parseBaselineFile(text, shownAs);
}

/** Writes `text` to `file` so that readers see the old content or the new, never a mix. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const dir = dirname(file);
  const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, text, { encoding: 'utf8', flag: 'wx' });
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw new GasHammerError(ErrorCodes.OutputWrite, `could not write the baseline ${file}: ${errnoCode(e) ?? String(e)}`, { cause: e });
  }
}

export class FileBaselineStore implements BaselineStore {
  constructor(readonly rootDir: string) {}

  /** `<root>/<branch folder>/<scenario>.json`; throws GH-E802 for a branch that cannot name a folder. */
  pathOf(branch: string, scenarioName: string): string {
    return join(this.rootDir, baselineRelativePath(branch, scenarioName));
  }

  async load(branch: string, scenarioName: string): Promise<BaselineFile | undefined> {
    return readBaselineFile(this.pathOf(branch, scenarioName));
  }

  async save(branch: string, report: RunReportV2, meta: BaselineRunMeta): Promise<SavedBaseline> {
    const file = this.pathOf(branch, report.scenario.name);
    // A corrupt file stops the save (GH-E801): overwriting it would silently lose its history.
    const existing = await readBaselineFile(file);
    const { file: updated, ...dropped } = mergeBaselineRun(existing, branch, report, meta);
    await writeAtomically(file, serializeBaselineFile(updated));
    return { ...baselineRef(updated, file), ...dropped };
  }
}

/** A baseline file after a save, and what the save dropped from it. */
export interface MergedBaseline extends Omit<SavedBaseline, keyof BaselineRef> {
  readonly file: BaselineFile;
}

/** Adds the report's run to `existing` (undefined: no file yet) by the rules at the top of this module. */
export function mergeBaselineRun(existing: BaselineFile | undefined, branch: string, report: RunReportV2, meta: BaselineRunMeta): MergedBaseline {
  const run = baselineRunFromReport(report, meta);
  const sameHash = existing !== undefined && existing.scenario.hash === report.scenario.hash;
  const previous = sameHash ? existing.runs : [];
  const kept = previous.filter((r) => r.runId !== run.runId);
  const all = [...kept, run];
  const runs = all.slice(Math.max(0, all.length - MAX_BASELINE_RUNS));
  return {
    file: {
      schemaVersion: BASELINE_FORMAT_VERSION,
      scenario: { name: report.scenario.name, hash: report.scenario.hash },
      branch,
      runs,
    },
    ...(existing !== undefined && !sameHash ? { newHistory: { previousHash: existing.scenario.hash, runsDropped: existing.runs.length } } : {}),
    runsTrimmed: all.length - runs.length,
    replacedSameRun: kept.length !== previous.length,
  };
}
