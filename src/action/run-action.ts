// What the GitHub Action does, from typed options and the event's context (the entry, main.ts,
// reads both). Run mode: opens the check run on the head commit, runs the scenario `repeat` times
// on this runner (runner/local-run.ts), compares with the base branch's baseline for the same
// scenario version and testbed, saves a baseline on pushes to the default branch, uploads the
// results as an artifact, and publishes them. Publish mode (fork pull requests, from a
// workflow_run): reads the results an earlier run uploaded and publishes them. Publishing is the
// same in both: the PR comment (found by its marker and edited in place), the check run's
// conclusion with annotations, the job summary, and the step's outputs. A token that may not
// write (a fork's) loses the comment and the check, never the summary.

import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError, isGasHammerError } from '../errors/gashammer-error.js';
import type { GateVerdict, RunReportV2 } from '../report/report-types.js';
import { compileScenario } from '../scenario/compile.js';
import { loadScenarioOrThrow } from '../scenario/load.js';
import type { LocalRunOptions, LocalRunResult, RunTarget } from '../runner/local-run.js';
import { chooseBaseline, openBaselineStore, actionTestbed } from './action-baseline.js';
import { commentMarker, GitHubApi, ReadOnlyTokenError, writeJobSummary } from './github-api.js';
import type { GitHubContext } from './github-context.js';
import { failOnBlocks, shouldSaveBaseline, type ActionOptions, type PublishActionOptions, type RunActionOptions } from './inputs.js';
import { annotationsFor, renderCheckOutput, renderJobSummary, type PublishContext } from './publish-text.js';
import { aggregateRepeats } from './repeats.js';
import { readResultsFolder, RESULTS_FILES, writeResultsFolder, type PublishInfo } from './results-folder.js';
import type { WorkflowCommands } from './workflow-commands.js';

/** The step's outputs, as action.yml declares them. */
export const ACTION_OUTPUTS = ['verdict', 'run-id', 'report-json', 'report-html', 'safe-sustained-gas-per-sec', 'p99-inclusion-ms', 'regressions', 'violations'] as const;
export type ActionOutputName = (typeof ACTION_OUTPUTS)[number];

/** Uploads files as a workflow artifact; undefined when uploads are not possible here (said in the log). */
export interface ArtifactUploader {
  upload(name: string, files: readonly string[], rootDir: string): Promise<{ readonly id?: number; readonly url?: string } | undefined>;
}

export interface ActionDeps {
  /** The checkout (GITHUB_WORKSPACE). */
  readonly workspace: string;
  /** Environment of the edge processes. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly workflow: WorkflowCommands;
  readonly artifacts: ArtifactUploader;
  /** Runs the scenario once on this machine (runLocally; tests may not replace it with less). */
  readonly runScenario: (options: LocalRunOptions) => Promise<LocalRunResult>;
  /** The CLI script the edges run (the bundle's dist/cli.js in production). */
  readonly cliScript?: string;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

export interface ActionOutcome {
  readonly verdict: GateVerdict;
  /** The step fails (fail-on said this verdict blocks). */
  readonly blocked: boolean;
  readonly outputs: Readonly<Record<ActionOutputName, string>>;
}

export async function runAction(options: ActionOptions, context: GitHubContext, deps: ActionDeps): Promise<ActionOutcome> {
  const api = new GitHubApi({ token: options.githubToken, baseUrl: context.apiUrl });
  return options.mode === 'run' ? runMode(options, context, deps, api) : publishMode(options, context, deps, api);
}

// --- run mode ----------------------------------------------------------------------------------

function runTargetOf(options: RunActionOptions): RunTarget {
  const t = options.target;
  if (t.kind === 'rpc') return { kind: 'rpc', rpcUrl: t.rpcUrl, ...(t.feedUrl ? { feedUrl: t.feedUrl } : {}) };
  return t.kind === 'nitro' ? { kind: 'nitro', image: t.image } : { kind: 'devnet' };
}

/** The pull request a run-mode event is for (run mode never runs on workflow_run: see EVENTS_BY_MODE). */
function pullRequestOf(context: GitHubContext): number | null {
  return context.event.kind === 'pull_request' ? context.event.number : null;
}

/** A repository path with forward slashes, as GitHub's annotations want it. */
function repoPath(workspace: string, file: string): string {
  return relative(workspace, file).split(sep).join('/');
}

async function runMode(options: RunActionOptions, context: GitHubContext, deps: ActionDeps, api: GitHubApi): Promise<ActionOutcome> {
  const { workflow } = deps;
  const cwd = resolve(deps.workspace, options.workingDirectory);
  const scenarioFile = resolve(cwd, options.scenario);
  const scenarioPath = repoPath(deps.workspace, scenarioFile);
  const loaded = await loadScenarioOrThrow(scenarioFile);
  const plan = compileScenario(loaded.scenario, options.edges === undefined ? {} : { edges: options.edges });
  const scenarioSource = await readFile(scenarioFile, 'utf8');
  const outDir = resolve(cwd, options.out);
  const repo = { owner: context.repository.owner, repo: context.repository.name };

  const check = await startCheck(api, options, context, plan.scenario.name, workflow);
  try {
    const stores = openBaselineStore(options.baseline, context, cwd, options.githubToken, deps.workspace);
    const testbed = actionTestbed(options, context);
    const baseBranch = options.baseline.branch ?? context.baseBranch;
    const reportOptions = await chooseBaseline(stores, baseBranch, { name: plan.scenario.name, hash: plan.scenarioHash }, testbed);
    if (reportOptions.baselineNote) workflow.info(`baseline: ${reportOptions.baselineNote}`);
    else workflow.info(`baseline: ${reportOptions.baseline!.source}, ${reportOptions.baseline!.file.runs.length} comparable run(s)`);

    const reports: RunReportV2[] = [];
    for (let i = 0; i < options.repeat; i++) {
      if (options.repeat > 1) workflow.info(`run ${i + 1} of ${options.repeat}`);
      const result = await deps.runScenario({
        scenarioFile,
        plan,
        target: runTargetOf(options),
        outDir,
        reportOptions,
        env: deps.env,
        say: (line) => workflow.info(line.replace(/\n$/, '')),
        cwd,
        ...(deps.cliScript ? { cliScript: deps.cliScript } : {}),
        ...(deps.signal ? { signal: deps.signal } : {}),
      });
      if (result.report === undefined) {
        throw new GasHammerError(ErrorCodes.Internal, `run ${result.record.runId}: the report could not be made; its folder ${repoPath(deps.workspace, result.runDir)} holds the telemetry`);
      }
      reports.push(result.report);
      if (result.interrupted) break;
    }
    const report = aggregateRepeats(reports, plan, reportOptions.baseline, reportOptions.baselineNote);

    if (shouldSaveBaseline(options.baseline.save, context.event)) {
      const branch = context.event.kind === 'push' ? context.event.branch : null;
      if (branch === null) workflow.warning('save-baseline is true but this event has no branch to save a baseline for');
      else {
        for (const r of reports) {
          const saved = await stores.store.save(branch, r, { savedAt: (deps.now ?? (() => new Date()))(), commit: context.sha, testbed });
          workflow.info(`baseline saved: run ${r.runId} into ${saved.source}${options.baseline.store === 'file' ? ' (commit this file to keep it)' : ''}`);
        }
      }
    }

    const info: PublishInfo = {
      schemaVersion: 1,
      scenarioPath,
      checkName: options.checkName,
      headSha: context.headSha,
      pullRequest: pullRequestOf(context),
      runUrl: context.runUrl,
      ...(reportOptions.baselineNote ? { baselineNote: reportOptions.baselineNote } : {}),
      ...(reports.length > 1 ? { repeat: { count: reports.length, verdicts: reports.map((r) => r.gate.verdict) } } : {}),
    };
    const resultsDir = await writeResultsFolder(outDir, report, info, scenarioSource);
    const artifactName = artifactNameOf(plan.scenario.name, options.checkName);
    const artifact = await uploadResults(deps, artifactName, outDir);
    return await publish({ api, options, context, deps, report, info, scenarioSource, check, resultsDir, artifact: { name: artifactName, ...(artifact?.url ? { url: artifact.url } : {}) } });
  } catch (e) {
    // The check must not stay in progress: it would block the merge with no word of why.
    if (check.id !== undefined) await failCheck(api, repo, check.id, e, workflow);
    throw e;
  }
}

// --- publish mode ------------------------------------------------------------------------------

async function publishMode(options: PublishActionOptions, context: GitHubContext, deps: ActionDeps, api: GitHubApi): Promise<ActionOutcome> {
  const cwd = resolve(deps.workspace, options.workingDirectory);
  const results = await readResultsFolder(resolve(cwd, options.results), options.results);
  const { info } = results;
  // The artifact may come from a fork: it may only publish about the commit the event names.
  if (info.headSha !== context.headSha) {
    throw new GasHammerError(
      ErrorCodes.ActionEvent,
      `the results are of commit ${info.headSha.slice(0, 12)}, the workflow run that triggered this one is of ${context.headSha.slice(0, 12)}: not publishing them`,
    );
  }
  const repo = { owner: context.repository.owner, repo: context.repository.name };
  let pullRequest = context.event.kind === 'workflow_run' ? context.event.pullRequestNumber : null;
  if (pullRequest === null && info.pullRequest !== null) {
    // GitHub lists no pull request on a fork's workflow_run: take the artifact's, once its head is ours.
    const head = await api.pullRequestHeadSha({ ...repo, number: info.pullRequest });
    if (head === context.headSha) pullRequest = info.pullRequest;
    else deps.workflow.warning(`the results name pull request #${info.pullRequest}, whose head is ${head.slice(0, 12)}, not ${context.headSha.slice(0, 12)}: no comment`);
  }
  const checkName = options.checkName;
  const check = await startCheck(api, options, context, results.report.scenario.name, deps.workflow);
  return publish({
    api,
    options,
    context,
    deps,
    report: results.report,
    info: { ...info, checkName, pullRequest, scenarioPath: options.scenario ?? info.scenarioPath },
    scenarioSource: results.scenarioSource,
    check,
    resultsDir: results.dir,
    artifact: undefined,
  });
}

// --- publishing --------------------------------------------------------------------------------

interface CheckHandle {
  readonly id: number | undefined;
  /** Why there is no check run, when there is none. */
  readonly notPosted?: string;
}

async function startCheck(api: GitHubApi, options: ActionOptions, context: GitHubContext, scenario: string, workflow: WorkflowCommands): Promise<CheckHandle> {
  try {
    const id = await api.startCheckRun({
      owner: context.repository.owner,
      repo: context.repository.name,
      headSha: context.headSha,
      name: options.checkName,
      detailsUrl: context.runUrl,
      title: `${scenario}: running`,
      summary: `GasHammer is running scenario ${scenario} ([workflow run](${context.runUrl})).`,
    });
    return { id };
  } catch (e) {
    if (!(e instanceof ReadOnlyTokenError)) throw e;
    const why = 'the token may not create check runs (a pull request from a fork gets a read-only token; see the publish mode in docs/action.md)';
    workflow.warning(`no check run: ${why}`);
    return { id: undefined, notPosted: why };
  }
}

async function failCheck(api: GitHubApi, repo: { owner: string; repo: string }, id: number, error: unknown, workflow: WorkflowCommands): Promise<void> {
  const text = isGasHammerError(error) ? `${error.code} ${error.shortMessage}` : 'an internal error stopped the run (see the job log)';
  await api
    .completeCheckRun({ ...repo, id, conclusion: 'failure', title: 'GasHammer could not finish', summary: text })
    .catch((e: unknown) => workflow.warning(`the check run could not be concluded: ${isGasHammerError(e) ? e.shortMessage : String(e)}`));
}

interface PublishInput {
  readonly api: GitHubApi;
  readonly options: ActionOptions;
  readonly context: GitHubContext;
  readonly deps: ActionDeps;
  readonly report: RunReportV2;
  readonly info: PublishInfo;
  readonly scenarioSource: string | undefined;
  readonly check: CheckHandle;
  readonly resultsDir: string;
  readonly artifact: { readonly name: string; readonly url?: string } | undefined;
}

async function publish(p: PublishInput): Promise<ActionOutcome> {
  const { api, options, context, deps, report, info } = p;
  const { workflow } = deps;
  const repo = { owner: context.repository.owner, repo: context.repository.name };
  const blocked = failOnBlocks(report.gate.verdict, options.failOn);
  const ctx: PublishContext = {
    scenarioPath: info.scenarioPath,
    scenarioName: report.scenario.name,
    checkName: info.checkName,
    runUrl: info.runUrl,
    commitSha: info.headSha,
    repository: { serverUrl: context.serverUrl, fullName: context.repository.fullName },
    ...(p.artifact ? { artifact: p.artifact } : {}),
    ...(info.baselineNote ? { baselineNote: info.baselineNote } : {}),
    ...(info.repeat ? { repeat: info.repeat } : {}),
  };

  let commentNotPosted: string | undefined;
  if (!options.comment) workflow.info('comment: false: no pull-request comment');
  else if (info.pullRequest === null) workflow.info('no pull request for this event: no comment (the check run and the job summary carry the results)');
  else {
    try {
      const body = renderJobSummary(report, ctx);
      const posted = await api.upsertComment({ ...repo, issueNumber: info.pullRequest, marker: commentMarker(report.scenario.name, info.checkName), body });
      workflow.info(`comment ${posted.action}: ${posted.url}`);
    } catch (e) {
      if (!(e instanceof ReadOnlyTokenError)) throw e;
      commentNotPosted = 'the token may not comment on this pull request (a fork gets a read-only token): see docs/action.md for the publish mode';
      workflow.warning(`no comment: ${commentNotPosted}`);
    }
  }

  if (p.check.id !== undefined) {
    const output = renderCheckOutput(report, ctx);
    await api.completeCheckRun({
      ...repo,
      id: p.check.id,
      // Never neutral for a FAIL: neutral satisfies a required check.
      conclusion: blocked ? 'failure' : 'success',
      title: output.title,
      summary: output.summary,
      text: output.text,
      annotations: annotationsFor(report, p.scenarioSource ?? null, info.scenarioPath),
    });
  }

  const notPosted = [commentNotPosted, p.check.notPosted].filter((x): x is string => x !== undefined).join('; ');
  if (context.stepSummaryPath) await writeJobSummary(context.stepSummaryPath, renderJobSummary(report, { ...ctx, ...(notPosted ? { commentNotPosted: notPosted } : {}) }));
  else workflow.info(renderJobSummary(report, ctx));

  const outputs = outputsOf(report, p.resultsDir, deps.workspace);
  for (const name of ACTION_OUTPUTS) workflow.setOutput(name, outputs[name]);
  const verdict = report.gate.verdict;
  if (blocked) workflow.error(`GasHammer: ${verdict.toUpperCase()} (fail-on: ${options.failOn}): ${report.gate.reasons.find((r) => r.level === verdict)?.text ?? 'see the job summary'}`);
  else workflow.notice(`GasHammer: ${verdict.toUpperCase()}`);
  return { verdict, blocked, outputs };
}

function outputsOf(report: RunReportV2, resultsDir: string, workspace: string): Record<ActionOutputName, string> {
  const metric = (name: string): string => {
    const v = report.metrics[name];
    return typeof v === 'number' && Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : '';
  };
  return {
    verdict: report.gate.verdict,
    'run-id': report.runId,
    'report-json': repoPath(workspace, join(resultsDir, RESULTS_FILES.json)),
    'report-html': repoPath(workspace, join(resultsDir, RESULTS_FILES.html)),
    'safe-sustained-gas-per-sec': metric('safe_sustained_gas_per_sec'),
    'p99-inclusion-ms': metric('p99_inclusion_ms'),
    regressions: String(report.gate.regressions.filter((r) => r.decision === 'fail' || r.decision === 'warn').length),
    violations: String(report.oracle.invariants.reduce((n, i) => n + i.violationCount, 0)),
  };
}

// --- artifact ----------------------------------------------------------------------------------

/** Unique per scenario and check (a matrix job uploads one each), and a valid artifact name. */
function artifactNameOf(scenario: string, checkName: string): string {
  return `gashammer-${scenario}-${checkName}`.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 200);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function uploadResults(deps: ActionDeps, name: string, outDir: string): Promise<{ readonly url?: string } | undefined> {
  try {
    const uploaded = await deps.artifacts.upload(name, await filesUnder(outDir), outDir);
    if (uploaded) deps.workflow.info(`artifact ${name} uploaded${uploaded.url ? `: ${uploaded.url}` : ''}`);
    return uploaded;
  } catch (e) {
    // The results are still published; only the download link is missing.
    deps.workflow.warning(`the artifact ${name} could not be uploaded: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}
