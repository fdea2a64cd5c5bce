// The Action's baselines: which store (files in the checkout, or the data branch through the
// API), which branch to compare with, and which of its runs are comparable: the same scenario
// hash (the same offered load) and the same testbed (runner OS, CPU count, target kind and
// image), since a 2-core runner and a 16-core one, or anvil and Nitro, are not the same machine.
// When none fits, the verdict says so in words; it never compares with unlike runs.

import { availableParallelism } from 'node:os';
import { relative, resolve } from 'node:path';
import type { BaselineFile, BaselineTestbed } from '../baseline/baseline-file.js';
import { GitHubBranchBaselineStore } from '../baseline/github-branch-store.js';
import { FileBaselineStore, type BaselineStore } from '../baseline/store.js';
import type { ReportOptions } from '../report/report-engine.js';
import type { BaselineOptions, RunActionOptions } from './inputs.js';
import type { GitHubContext } from './github-context.js';

export interface ActionBaselineStore {
  readonly store: BaselineStore;
  /** Where a branch's baseline of a scenario is, as a person reads it. */
  describe(branch: string, scenario: string): string;
}

export function openBaselineStore(options: BaselineOptions, context: GitHubContext, cwd: string, token: string, workspace: string): ActionBaselineStore {
  if (options.store === 'file') {
    const store = new FileBaselineStore(resolve(cwd, options.dir));
    return { store, describe: (branch, scenario) => relative(workspace, store.pathOf(branch, scenario)) || store.pathOf(branch, scenario) };
  }
  const store = new GitHubBranchBaselineStore({
    token,
    baseUrl: context.apiUrl,
    owner: context.repository.owner,
    repo: context.repository.name,
    dataBranch: options.dataBranch,
  });
  return { store, describe: (branch, scenario) => store.shownAs(branch, scenario) };
}

/** The testbed of this job: what a comparable baseline run must have been measured on. */
export function actionTestbed(options: RunActionOptions, context: GitHubContext): BaselineTestbed {
  const target = options.target;
  return {
    os: context.runnerOs ?? process.platform,
    cpus: availableParallelism(),
    targetKind: target.kind,
    ...(target.kind === 'nitro' ? { image: target.image } : {}),
  };
}

function sameTestbed(a: BaselineTestbed | undefined, b: BaselineTestbed): boolean {
  return a !== undefined && a.os === b.os && a.cpus === b.cpus && a.targetKind === b.targetKind && (a.image ?? '') === (b.image ?? '');
}

function describeTestbed(t: BaselineTestbed): string {
  return `${t.os}, ${t.cpus} CPU${t.cpus === 1 ? '' : 's'}, target ${t.targetKind}${t.image ? ` (${t.image})` : ''}`;
}

/**
 * The baseline to compare with, as ReportOptions: the branch's file with only the runs of this
 * scenario hash and testbed, or a note saying why there is none.
 */
export async function chooseBaseline(
  stores: ActionBaselineStore,
  branch: string | null,
  scenario: { readonly name: string; readonly hash: string },
  testbed: BaselineTestbed,
): Promise<ReportOptions> {
  if (branch === null) return { baselineNote: 'this event has no base branch to compare with (set the baseline-branch input)' };
  const where = stores.describe(branch, scenario.name);
  const file: BaselineFile | undefined = await stores.store.load(branch, scenario.name);
  if (file === undefined) return { baselineNote: `branch ${branch} has no baseline of ${scenario.name} yet (looked for ${where})` };
  if (file.scenario.hash !== scenario.hash) {
    return {
      baselineNote: `the baseline ${where} was saved for another version of the scenario (hash ${file.scenario.hash.slice(0, 12)}, this run ${scenario.hash.slice(0, 12)}); it is replaced when this version is saved on ${branch}`,
    };
  }
  const runs = file.runs.filter((r) => sameTestbed(r.testbed, testbed));
  if (runs.length === 0) {
    return {
      baselineNote: `the baseline ${where} has ${file.runs.length} run${file.runs.length === 1 ? '' : 's'}, none on this testbed (${describeTestbed(testbed)}): runs on other machines or targets are not compared`,
    };
  }
  return { baseline: { file: { ...file, runs }, source: where } };
}
