// The workflow run the Action is in, read once at the boundary: the runner's GITHUB_* and RUNNER_*
// environment variables and the event payload at GITHUB_EVENT_PATH, checked field by field into a
// typed GitHubContext. Owns which events the Action supports and which commit results belong
// to (a pull request's head, never the merge commit GITHUB_SHA names), and which events fit
// which mode.

import { ErrorCodes } from '../errors/codes.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { ActionMode } from './inputs.js';

export const SUPPORTED_EVENTS = ['pull_request', 'pull_request_target', 'push', 'merge_group', 'workflow_run'] as const;
export type SupportedEventName = (typeof SUPPORTED_EVENTS)[number];

/** The events each mode runs on: publish posts another run's results, so it needs workflow_run. */
export const EVENTS_BY_MODE: Readonly<Record<ActionMode, readonly SupportedEventName[]>> = {
  run: ['pull_request', 'pull_request_target', 'push', 'merge_group'],
  publish: ['workflow_run'],
};

export interface PullRequestEvent {
  readonly kind: 'pull_request';
  readonly name: 'pull_request' | 'pull_request_target';
  readonly number: number;
  /** The pull request's last commit: where its check runs belong (GITHUB_SHA is the merge commit). */
  readonly headSha: string;
  readonly headRef: string;
  /** null when the fork the pull request came from was deleted. */
  readonly headRepoFullName: string | null;
  readonly baseBranch: string;
  readonly baseSha: string;
  readonly baseRepoFullName: string;
  /** From another repository: the token is read-only there (see the publish mode). */
  readonly isFork: boolean;
}

export interface PushEvent {
  readonly kind: 'push';
  readonly ref: string;
  /** null for a tag push. */
  readonly branch: string | null;
  readonly sha: string;
  readonly defaultBranch: string;
  readonly isDefaultBranch: boolean;
}

export interface MergeGroupEvent {
  readonly kind: 'merge_group';
  /** The merge queue's temporary commit, which the required checks must report on. */
  readonly headSha: string;
  readonly headRef: string;
  readonly baseBranch: string;
  readonly baseSha: string;
}

export interface WorkflowRunEvent {
  readonly kind: 'workflow_run';
  /** The run that triggered this one (the one whose artifact holds the results). */
  readonly runId: number;
  readonly runAttempt: number;
  readonly headSha: string;
  readonly headBranch: string | null;
  /** The event that triggered that run, e.g. pull_request. */
  readonly event: string;
  readonly conclusion: string | null;
  /**
   * Its pull request, when GitHub lists one. GitHub leaves `pull_requests` empty for pull
   * requests from forks, so for those the number must come from the results themselves.
   */
  readonly pullRequestNumber: number | null;
  readonly baseBranch: string | null;
  readonly headRepoFullName: string | null;
  readonly isFork: boolean;
}

export type GitHubEvent = PullRequestEvent | PushEvent | MergeGroupEvent | WorkflowRunEvent;

export interface RepositoryRef {
  readonly owner: string;
  readonly name: string;
  /** owner/name */
  readonly fullName: string;
}

export interface GitHubContext {
  readonly eventName: SupportedEventName;
  readonly event: GitHubEvent;
  readonly repository: RepositoryRef;
  /** The repository's default branch, from the payload; null when the payload does not say. */
  readonly defaultBranch: string | null;
  /** GITHUB_SHA as the runner set it: for pull requests the merge commit, not the head. */
  readonly sha: string;
  readonly ref: string | undefined;
  /** The commit the results belong to: check runs and the comment name this one. */
  readonly headSha: string;
  /** The branch whose baseline this run compares with by default; null when the event has none. */
  readonly baseBranch: string | null;
  readonly serverUrl: string;
  readonly apiUrl: string;
  readonly runId: number;
  readonly runAttempt: number;
  /** This run's page, at this attempt (a later re-run does not change what the link shows). */
  readonly runUrl: string;
  readonly stepSummaryPath: string | undefined;
  readonly runnerOs: string | undefined;
}

/** fs.readFileSync fits; tests pass their own. */
export type ReadTextFile = (path: string, encoding: 'utf8') => string;

type Env = Readonly<Record<string, string | undefined>>;

const SHA = /^[0-9a-f]{40}$/;
const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;
const SHOWN_VALUE_CHARS = 80;

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > SHOWN_VALUE_CHARS ? `${text.slice(0, SHOWN_VALUE_CHARS)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stripHeads(ref: string): string | null {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
}

function sameRepository(a: string | null, b: string): boolean {
  // GitHub repository names are case-insensitive.
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

/** Reads payload fields by path, collecting a problem for each one missing or malformed. */
class PayloadReader {
  constructor(
    private readonly payload: Record<string, unknown>,
    private readonly file: string,
    private readonly problems: Diagnostic[],
  ) {}

  private at(path: string): unknown {
    let node: unknown = this.payload;
    for (const key of path.split('.')) {
      if (Array.isArray(node) && /^[0-9]+$/.test(key)) node = node[Number(key)];
      else if (isObject(node)) node = node[key];
      else return undefined;
    }
    return node;
  }

  private problem(path: string, value: unknown, expected: string): void {
    const message = value === undefined ? 'is missing' : `is ${shown(value)}`;
    this.problems.push({ code: ErrorCodes.ActionEvent, severity: 'error', file: this.file, path, message, expected });
  }

  has(path: string): boolean {
    const value = this.at(path);
    return value !== undefined && value !== null;
  }

  string(path: string): string {
    const value = this.at(path);
    if (typeof value === 'string' && value !== '') return value;
    this.problem(path, value, 'a non-empty string');
    return '';
  }

  /** A string, or null when the field is absent or null (GitHub sends null for "none"). */
  optionalString(path: string): string | null {
    const value = this.at(path);
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value;
    this.problem(path, value, 'a string or null');
    return null;
  }

  sha(path: string): string {
    const value = this.at(path);
    if (typeof value === 'string' && SHA.test(value)) return value;
    this.problem(path, value, 'a commit SHA (40 lowercase hex digits)');
    return '';
  }

  positiveInteger(path: string): number {
    const value = this.at(path);
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
    this.problem(path, value, 'a positive whole number');
    return 0;
  }

  branchRef(path: string): string {
    const ref = this.string(path);
    if (ref === '') return '';
    const branch = stripHeads(ref);
    if (branch !== null && branch !== '') return branch;
    this.problem(path, ref, 'a branch ref (refs/heads/NAME)');
    return '';
  }

  array(path: string): unknown[] {
    const value = this.at(path);
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.problem(path, value, 'a list');
    return [];
  }
}

function readPullRequest(name: PullRequestEvent['name'], p: PayloadReader): PullRequestEvent {
  const headRepoFullName = p.has('pull_request.head.repo') ? p.string('pull_request.head.repo.full_name') : null;
  const baseRepoFullName = p.string('pull_request.base.repo.full_name');
  return {
    kind: 'pull_request',
    name,
    number: p.positiveInteger('pull_request.number'),
    headSha: p.sha('pull_request.head.sha'),
    headRef: p.string('pull_request.head.ref'),
    headRepoFullName,
    baseBranch: p.string('pull_request.base.ref'),
    baseSha: p.sha('pull_request.base.sha'),
    baseRepoFullName,
    isFork: !sameRepository(headRepoFullName, baseRepoFullName),
  };
}

function readPush(p: PayloadReader): PushEvent {
  const ref = p.string('ref');
  const branch = stripHeads(ref);
  const defaultBranch = p.string('repository.default_branch');
  return { kind: 'push', ref, branch, sha: p.sha('after'), defaultBranch, isDefaultBranch: branch !== null && branch === defaultBranch };
}

function readMergeGroup(p: PayloadReader): MergeGroupEvent {
  return {
    kind: 'merge_group',
    headSha: p.sha('merge_group.head_sha'),
    headRef: p.string('merge_group.head_ref'),
    baseBranch: p.branchRef('merge_group.base_ref'),
    baseSha: p.sha('merge_group.base_sha'),
  };
}

function readWorkflowRun(p: PayloadReader): WorkflowRunEvent {
  const pullRequests = p.array('workflow_run.pull_requests');
  const first = pullRequests.length > 0 ? 'workflow_run.pull_requests.0' : undefined;
  const headRepoFullName = p.has('workflow_run.head_repository') ? p.string('workflow_run.head_repository.full_name') : null;
  const repoFullName = p.string('workflow_run.repository.full_name');
  return {
    kind: 'workflow_run',
    runId: p.positiveInteger('workflow_run.id'),
    runAttempt: p.has('workflow_run.run_attempt') ? p.positiveInteger('workflow_run.run_attempt') : 1,
    headSha: p.sha('workflow_run.head_sha'),
    headBranch: p.optionalString('workflow_run.head_branch'),
    event: p.string('workflow_run.event'),
    conclusion: p.optionalString('workflow_run.conclusion'),
    pullRequestNumber: first === undefined ? null : p.positiveInteger(`${first}.number`),
    baseBranch: first === undefined ? null : p.string(`${first}.base.ref`),
    headRepoFullName,
    isFork: !sameRepository(headRepoFullName, repoFullName),
  };
}

function headShaOf(event: GitHubEvent): string {
  return event.kind === 'push' ? event.sha : event.headSha;
}

function baseBranchOf(event: GitHubEvent): string | null {
  return event.kind === 'push' ? event.branch : event.baseBranch;
}

function envProblem(problems: Diagnostic[], variable: string, value: string | undefined, expected: string): void {
  problems.push({
    code: ErrorCodes.ActionEvent,
    severity: 'error',
    path: variable,
    message: value === undefined ? 'is not set' : `is ${shown(value)}`,
    expected,
    hint: 'the Actions runner sets this variable; run the Action as a step of a GitHub Actions job',
  });
}

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function httpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function failure(problems: readonly Diagnostic[], what: string): GasHammerError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new GasHammerError(ErrorCodes.ActionEvent, `${count} in ${what}: ${problems.map((p) => p.path).join(', ')}`, { diagnostics: problems });
}

function unsupported(eventName: string): GasHammerError {
  return new GasHammerError(ErrorCodes.ActionEvent, `the ${shown(eventName)} event is not supported`, {
    details: `The Action runs on ${SUPPORTED_EVENTS.join(', ')} (workflow_run with mode: publish).`,
    hint: "Trigger the workflow with `on: pull_request`, `push`, `merge_group`, or `workflow_run` for the fork-safe publish step; docs/action.md shows each.",
  });
}

/**
 * The workflow run the Action is in, from the runner's environment and the event payload. Throws
 * GH-E951 for an event the Action does not support, or naming every variable or payload field
 * that is missing or malformed.
 */
export function readGitHubContext(env: Env, readFile: ReadTextFile): GitHubContext {
  const problems: Diagnostic[] = [];
  const eventName = nonEmpty(env, 'GITHUB_EVENT_NAME');
  if (eventName === undefined) {
    envProblem(problems, 'GITHUB_EVENT_NAME', undefined, 'the name of the event that started the workflow');
    throw failure(problems, "the workflow's environment");
  }
  if (!(SUPPORTED_EVENTS as readonly string[]).includes(eventName)) throw unsupported(eventName);
  const name = eventName as SupportedEventName;

  const repository = nonEmpty(env, 'GITHUB_REPOSITORY');
  if (repository === undefined || !REPOSITORY.test(repository)) envProblem(problems, 'GITHUB_REPOSITORY', repository, 'owner/name');
  const sha = nonEmpty(env, 'GITHUB_SHA');
  if (sha === undefined || !SHA.test(sha)) envProblem(problems, 'GITHUB_SHA', sha, 'a commit SHA (40 lowercase hex digits)');
  const runIdText = nonEmpty(env, 'GITHUB_RUN_ID');
  const runId = runIdText !== undefined && /^[1-9][0-9]{0,15}$/.test(runIdText) ? Number(runIdText) : NaN;
  if (!Number.isSafeInteger(runId)) envProblem(problems, 'GITHUB_RUN_ID', runIdText, 'a positive whole number');
  const attemptText = nonEmpty(env, 'GITHUB_RUN_ATTEMPT') ?? '1';
  const runAttempt = /^[1-9][0-9]{0,5}$/.test(attemptText) ? Number(attemptText) : NaN;
  if (Number.isNaN(runAttempt)) envProblem(problems, 'GITHUB_RUN_ATTEMPT', attemptText, 'a positive whole number');
  // Defaults as on github.com; GitHub Enterprise Server runners set both.
  const serverUrl = (nonEmpty(env, 'GITHUB_SERVER_URL') ?? 'https://github.com').replace(/\/+$/, '');
  if (!httpUrl(serverUrl)) envProblem(problems, 'GITHUB_SERVER_URL', serverUrl, 'an http(s) URL');
  const apiUrl = (nonEmpty(env, 'GITHUB_API_URL') ?? 'https://api.github.com').replace(/\/+$/, '');
  if (!httpUrl(apiUrl)) envProblem(problems, 'GITHUB_API_URL', apiUrl, 'an http(s) URL');

  const eventPath = nonEmpty(env, 'GITHUB_EVENT_PATH');
  let payload: Record<string, unknown> | undefined;
  if (eventPath === undefined) envProblem(problems, 'GITHUB_EVENT_PATH', undefined, 'the path of the event payload file');
  else payload = readPayload(eventPath, readFile, problems);
  if (problems.length > 0 || payload === undefined || eventPath === undefined) throw failure(problems, "the workflow's environment");

  const p = new PayloadReader(payload, eventPath, problems);
  const event: GitHubEvent =
    name === 'pull_request' || name === 'pull_request_target'
      ? readPullRequest(name, p)
      : name === 'push'
        ? readPush(p)
        : name === 'merge_group'
          ? readMergeGroup(p)
          : readWorkflowRun(p);
  const defaultBranch = p.optionalString('repository.default_branch');
  if (problems.length > 0) throw failure(problems, `the ${name} event payload`);

  const [owner, repoName] = repository!.split('/') as [string, string];
  return {
    eventName: name,
    event,
    repository: { owner, name: repoName, fullName: repository! },
    defaultBranch,
    sha: sha!,
    ref: nonEmpty(env, 'GITHUB_REF'),
    headSha: headShaOf(event),
    baseBranch: baseBranchOf(event),
    serverUrl,
    apiUrl,
    runId,
    runAttempt,
    runUrl: `${serverUrl}/${repository!}/actions/runs/${runId}/attempts/${runAttempt}`,
    stepSummaryPath: nonEmpty(env, 'GITHUB_STEP_SUMMARY'),
    runnerOs: nonEmpty(env, 'RUNNER_OS'),
  };
}

function readPayload(eventPath: string, readFile: ReadTextFile, problems: Diagnostic[]): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFile(eventPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.push({
      code: ErrorCodes.ActionEvent,
      severity: 'error',
      file: eventPath,
      path: 'GITHUB_EVENT_PATH',
      message: `the event payload cannot be read (${code ?? (e instanceof Error ? e.message : String(e))})`,
      hint: 'the runner writes this file for every job; check that no earlier step removed it',
    });
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    problems.push({
      code: ErrorCodes.ActionEvent,
      severity: 'error',
      file: eventPath,
      path: 'GITHUB_EVENT_PATH',
      message: `the event payload is not JSON (${e instanceof Error ? e.message : String(e)})`,
    });
    return undefined;
  }
  if (!isObject(parsed)) {
    problems.push({ code: ErrorCodes.ActionEvent, severity: 'error', file: eventPath, path: 'GITHUB_EVENT_PATH', message: `the event payload is ${shown(parsed)}, not a JSON object` });
    return undefined;
  }
  return parsed;
}

/** Throws GH-E951 when the event does not fit the mode (publish needs workflow_run; run anything else supported). */
export function assertEventFitsMode(context: GitHubContext, mode: ActionMode): void {
  const allowed = EVENTS_BY_MODE[mode];
  if (allowed.includes(context.eventName)) return;
  const hint =
    mode === 'publish'
      ? 'Use mode: publish in a workflow triggered by `workflow_run` of the test workflow; the test workflow itself runs with mode: run.'
      : 'On workflow_run, use mode: publish to post the results the triggering run uploaded.';
  throw new GasHammerError(ErrorCodes.ActionEvent, `mode ${mode} does not run on the ${context.eventName} event`, {
    details: `mode ${mode} runs on ${allowed.join(', ')}.`,
    hint,
  });
}
