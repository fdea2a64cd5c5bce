// The Action's GitHub REST calls: the PR comment found by its hidden marker and edited in place,
// the check run on the head SHA, and the job summary file. Each respects GitHub's size limits
// by cutting with a note rather than failing. A read-only token (a fork's pull request) is told
// apart as ReadOnlyTokenError so the caller can fall back to the job summary; any other failure
// is GH-E952 naming the request and the status, never the token. Reads no inputs.

import { appendFile, stat } from 'node:fs/promises';
import { Octokit } from '@octokit/rest';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';

/** GitHub refuses an issue comment body longer than this. */
export const COMMENT_BODY_LIMIT = 65_536;
/** GitHub refuses a check run's output.summary or output.text longer than this. */
export const CHECK_OUTPUT_LIMIT = 65_535;
/** GitHub takes at most this many annotations in one check run request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub keeps at most this much job summary per step. */
export const JOB_SUMMARY_LIMIT_BYTES = 1024 * 1024;

export interface GitHubApiOptions {
  readonly token: string;
  /** GITHUB_API_URL in a workflow, e.g. https://api.github.com. */
  readonly baseUrl: string;
  readonly userAgent?: string;
}

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

export interface UpsertCommentParameters extends RepoRef {
  readonly issueNumber: number;
  /** From commentMarker(): how the comment is found again. */
  readonly marker: string;
  /** The comment's Markdown, without the marker. */
  readonly body: string;
}

export interface UpsertCommentResult {
  readonly action: 'created' | 'updated';
  readonly id: number;
  readonly url: string;
}

export interface StartCheckRunParameters extends RepoRef {
  /** The pull request's head SHA, not the merge commit's. */
  readonly headSha: string;
  readonly name: string;
  readonly detailsUrl?: string;
  readonly title: string;
  readonly summary: string;
}

/** Never `neutral`: a neutral check passes a required status check, so a FAIL must be `failure`. */
export type CheckConclusion = 'success' | 'failure';

export interface CheckAnnotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: 'notice' | 'warning' | 'failure';
  readonly title: string;
  readonly message: string;
}

export interface CompleteCheckRunParameters extends RepoRef {
  readonly id: number;
  readonly conclusion: CheckConclusion;
  readonly title: string;
  readonly summary: string;
  readonly text?: string;
  readonly annotations?: readonly CheckAnnotation[];
}

/**
 * The token may read but not write here: GitHub gives a pull request from a fork a read-only
 * token. Not a failure of the run; the caller posts the results to the job summary instead.
 */
export class ReadOnlyTokenError extends GasHammerError {
  override readonly name = 'ReadOnlyTokenError';

  constructor(readonly request: string) {
    super(ErrorCodes.GitHubApi, `GitHub API request ${request} was refused: the token is read-only (HTTP 403, Resource not accessible by integration)`, {
      hint: "A pull request from a fork gets a read-only token; the results are in the job summary. To post them on the PR, use the two-workflow setup with `mode: publish` (docs/action.md).",
    });
  }
}

/** The hidden HTML comment that marks the PR comment of one scenario and check name. */
export function commentMarker(scenario: string, checkName: string): string {
  // Encoded so that no value can close the HTML comment (`-->`) or end the key early.
  const encode = (text: string): string => encodeURIComponent(text).replace(/-/g, '%2D');
  return `<!-- gashammer:comment scenario=${encode(scenario)} check=${encode(checkName)} -->`;
}

/**
 * An Octokit for GitHub's REST API at `baseUrl` (GITHUB_API_URL). Failures are reported once, by
 * the caller, as GasHammerErrors: Octokit writes no log lines of its own.
 */
export function createOctokit(options: GitHubApiOptions): Octokit {
  return new Octokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'gashammer-action',
    log: { debug: ignore, info: ignore, warn: ignore, error: ignore },
  });
}

export class GitHubApi {
  private readonly octokit: Octokit;
  private readonly token: string;

  constructor(options: GitHubApiOptions) {
    this.token = options.token;
    this.octokit = createOctokit(options);
  }

  /** Edits our comment on the issue or PR (found by its marker on any page), or adds it. */
  async upsertComment(p: UpsertCommentParameters): Promise<UpsertCommentResult> {
    if (!/^<!-- \S.* -->$/.test(p.marker)) {
      throw new GasHammerError(ErrorCodes.Internal, `comment marker ${JSON.stringify(p.marker)} is not an HTML comment from commentMarker()`);
    }
    const body = fitText(p.body, COMMENT_BODY_LIMIT - p.marker.length - 1, 'This comment');
    const full = `${p.marker}\n${body}`;
    const existing = await this.findComment(p);
    if (existing !== undefined) {
      const { data } = await this.call('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', () =>
        this.octokit.rest.issues.updateComment({ owner: p.owner, repo: p.repo, comment_id: existing, body: full }),
      );
      return { action: 'updated', id: data.id, url: data.html_url };
    }
    const { data } = await this.call('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', () =>
      this.octokit.rest.issues.createComment({ owner: p.owner, repo: p.repo, issue_number: p.issueNumber, body: full }),
    );
    return { action: 'created', id: data.id, url: data.html_url };
  }

  /** Creates the check run `in_progress` on the head SHA; returns its id. */
  async startCheckRun(p: StartCheckRunParameters): Promise<number> {
    const { data } = await this.call('POST /repos/{owner}/{repo}/check-runs', () =>
      this.octokit.rest.checks.create({
        owner: p.owner,
        repo: p.repo,
        name: p.name,
        head_sha: p.headSha,
        details_url: p.detailsUrl,
        status: 'in_progress',
        started_at: new Date().toISOString(),
        output: { title: p.title, summary: fitText(p.summary, CHECK_OUTPUT_LIMIT, 'This summary') },
      }),
    );
    return data.id;
  }

  /**
   * Concludes the check run and adds its annotations, at most 50 a request. The conclusion goes
   * with the first request, so the verdict stands even if a later batch fails. Every request
   * carries the whole output (title, summary, text), so no update can leave it partial; GitHub
   * appends the annotations of each.
   */
  async completeCheckRun(p: CompleteCheckRunParameters): Promise<void> {
    const output = {
      title: p.title,
      summary: fitText(p.summary, CHECK_OUTPUT_LIMIT, 'This summary'),
      text: p.text === undefined ? undefined : fitText(p.text, CHECK_OUTPUT_LIMIT, 'This text'),
    };
    const annotations = p.annotations ?? [];
    const completedAt = new Date().toISOString();
    for (let start = 0; start === 0 || start < annotations.length; start += ANNOTATIONS_PER_REQUEST) {
      const batch = annotations.slice(start, start + ANNOTATIONS_PER_REQUEST).map(toApiAnnotation);
      await this.call('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', () =>
        this.octokit.rest.checks.update({
          owner: p.owner,
          repo: p.repo,
          check_run_id: p.id,
          ...(start === 0 ? { conclusion: p.conclusion, completed_at: completedAt } : {}),
          output: batch.length > 0 ? { ...output, annotations: batch } : output,
        }),
      );
    }
  }

  /** The head commit of a pull request, to check that results from an artifact belong to it. */
  async pullRequestHeadSha(p: RepoRef & { readonly number: number }): Promise<string> {
    const { data } = await this.call('GET /repos/{owner}/{repo}/pulls/{pull_number}', () => this.octokit.rest.pulls.get({ owner: p.owner, repo: p.repo, pull_number: p.number }));
    return data.head.sha;
  }

  private async findComment(p: UpsertCommentParameters): Promise<number | undefined> {
    return this.call('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', async () => {
      const pages = this.octokit.paginate.iterator(this.octokit.rest.issues.listComments, {
        owner: p.owner,
        repo: p.repo,
        issue_number: p.issueNumber,
        per_page: 100,
      });
      for await (const page of pages) {
        const ours = page.data.find((c) => c.body?.includes(p.marker) === true);
        if (ours) return ours.id;
      }
      return undefined;
    });
  }

  private async call<T>(request: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (e) {
      throw gitHubApiError(request, e, this.token);
    }
  }
}

function toApiAnnotation(a: CheckAnnotation): CheckAnnotation {
  return { path: a.path, start_line: a.start_line, end_line: a.end_line, annotation_level: a.annotation_level, title: a.title, message: a.message };
}

/**
 * Maps a failed Octokit request to ReadOnlyTokenError or GH-E952. `request` names it as
 * `METHOD /route`; the token, if given, is scrubbed from anything quoted.
 */
export function gitHubApiError(request: string, error: unknown, token?: string): GasHammerError {
  const failure = error as { status?: unknown; message?: unknown; response?: { data?: unknown; headers?: Record<string, unknown> } };
  const data = failure.response?.data as { message?: unknown } | undefined;
  const githubMessage = typeof data?.message === 'string' ? data.message : undefined;
  if (failure.status === 403 && githubMessage?.startsWith('Resource not accessible by') === true) return new ReadOnlyTokenError(request);
  const said = failure.response === undefined
    ? `got no answer (${typeof failure.message === 'string' ? failure.message : String(error)})`
    : `failed with HTTP ${String(failure.status)}${githubMessage === undefined ? '' : `: ${githubMessage}`}`;
  const scrubbed = token ? said.split(token).join('***') : said;
  // GitHub's request id lets its support find the request.
  const requestId = failure.response?.headers?.['x-github-request-id'];
  return new GasHammerError(ErrorCodes.GitHubApi, `GitHub API request ${request} ${scrubbed}`, {
    cause: error,
    ...(typeof requestId === 'string' ? { details: `GitHub request id: ${requestId}` } : {}),
  });
}

/** Appends to the job summary file (GITHUB_STEP_SUMMARY), cut so the file stays within 1 MiB. */
export async function writeJobSummary(file: string, markdown: string): Promise<{ readonly bytes: number; readonly truncated: boolean }> {
  try {
    const full = `${markdown}\n`;
    const text = fitBytes(full, JOB_SUMMARY_LIMIT_BYTES - (await fileSize(file)));
    await appendFile(file, text, 'utf8');
    return { bytes: Buffer.byteLength(text), truncated: text !== full };
  } catch (e) {
    throw new GasHammerError(ErrorCodes.OutputWrite, `could not write the job summary to ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** The file's size, 0 if it does not exist yet. */
async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}

const ignore = (): void => undefined;

const cutNote = (what: string, length: number, limit: number, unit: string): string =>
  `\n\n_${what} was cut here: it had ${length.toLocaleString('en-US')} ${unit} and GitHub takes at most ${limit.toLocaleString('en-US')}. The run's report artifact has all of it._\n`;

/** `text` if it fits in `limit` characters, else its start and a note saying it was cut. */
function fitText(text: string, limit: number, what: string): string {
  if (text.length <= limit) return text;
  const note = cutNote(what, text.length, limit, 'characters');
  let end = limit - note.length;
  // Do not split a surrogate pair.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + note;
}

/** `text` if it fits in `budget` UTF-8 bytes, else its start and a note, or nothing if not even the note fits. */
function fitBytes(text: string, budget: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= budget) return text;
  const note = cutNote('This summary', bytes.length, JOB_SUMMARY_LIMIT_BYTES, 'bytes');
  let end = budget - Buffer.byteLength(note);
  if (end <= 0) return '';
  // Back up to the start of a UTF-8 character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8') + note;
}
