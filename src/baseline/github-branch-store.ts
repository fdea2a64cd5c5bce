// Baselines kept on a git data branch (default `gashammer-baselines`) of the repository, read and
// written through GitHub's REST API, for the GitHub Action: pushes to tracked branches save,
// pull requests load. The branch holds the same files as FileBaselineStore's folder
// (`<branch folder>/<scenario>.json`, same format), so checking it out gives a folder that
// `gashammer compare --dir` reads.
//
// A save is read, merge, then a write conditioned on the blob sha that was read. When another
// writer landed in between, GitHub refuses the write (409, or 422 for a file that appeared), and
// the save reads again and merges its run into the newer file, so concurrent writers keep each
// other's runs. After `maxAttempts` refused writes it gives up with GH-E953.

import { setTimeout as delay } from 'node:timers/promises';
import type { Octokit } from '@octokit/rest';
import { createOctokit, gitHubApiError } from '../action/github-api.js';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { RunReportV2 } from '../report/report-types.js';
import { baselineRef, parseBaselineFile, serializeBaselineFile, type BaselineFile, type BaselineRunMeta } from './baseline-file.js';
import { checkBranchName } from './branch-path.js';
import { baselineRelativePath, mergeBaselineRun, type BaselineStore, type SavedBaseline } from './store.js';

export const DEFAULT_DATA_BRANCH = 'gashammer-baselines';
export const DEFAULT_MAX_ATTEMPTS = 5;
/** The first retry waits about this long; each later one about twice the one before. */
const BASE_BACKOFF_MS = 250;

/** Who a commit on the data branch is by; GitHub uses the token's identity when not given. */
export interface GitIdentity {
  readonly name: string;
  readonly email: string;
}

/** How the store reaches GitHub: a ready client, or a token and API URL to make one. */
export type GitHubClientOptions =
  | {
      readonly octokit: Octokit;
      /** The client's token, if known: scrubbed from any error message that quotes it. */
      readonly token?: string;
    }
  | {
      readonly token: string;
      /** GITHUB_API_URL in a workflow, e.g. https://api.github.com. */
      readonly baseUrl: string;
      readonly userAgent?: string;
    };

export type GitHubBranchBaselineStoreOptions = GitHubClientOptions & {
  readonly owner: string;
  readonly repo: string;
  readonly dataBranch?: string;
  /** Writes tried before GH-E953 when other writers keep changing the file. Default 5. */
  readonly maxAttempts?: number;
  readonly author?: GitIdentity;
  readonly committer?: GitIdentity;
  /** Waits between attempts; tests pass one that does not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the backoff's jitter. */
  readonly random?: () => number;
};

/** A file read from the data branch, with the blob sha a conditional write names. */
interface BranchFile {
  readonly baseline: BaselineFile;
  readonly sha: string;
}

/** A write lands, or is refused as stale with GitHub's answer (for the message if every attempt is). */
type WriteOutcome = { readonly written: true } | { readonly written: false; readonly refusal: string };

export class GitHubBranchBaselineStore implements BaselineStore {
  readonly owner: string;
  readonly repo: string;
  readonly dataBranch: string;
  private readonly octokit: Octokit;
  private readonly token: string | undefined;
  private readonly maxAttempts: number;
  private readonly author: GitIdentity | undefined;
  private readonly committer: GitIdentity | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  /** Set once the data branch is seen or made, to skip the ref lookup on later saves. */
  private dataBranchExists = false;

  constructor(options: GitHubBranchBaselineStoreOptions) {
    this.owner = options.owner;
    this.repo = options.repo;
    this.dataBranch = checkBranchName(options.dataBranch ?? DEFAULT_DATA_BRANCH);
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new GasHammerError(ErrorCodes.Internal, `maxAttempts must be a whole number of at least 1, got ${this.maxAttempts}`);
    }
    this.author = options.author;
    this.committer = options.committer;
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.random = options.random ?? Math.random;
    this.token = options.token;
    this.octokit = 'octokit' in options ? options.octokit : createOctokit({ token: options.token, baseUrl: options.baseUrl, ...(options.userAgent ? { userAgent: options.userAgent } : {}) });
  }

  /** How a file on the data branch is named in messages and baseline references. */
  shownAs(branch: string, scenarioName: string): string {
    return `${this.dataBranch}:${baselineRelativePath(branch, scenarioName)}`;
  }

  async load(branch: string, scenarioName: string): Promise<BaselineFile | undefined> {
    return (await this.read(baselineRelativePath(branch, scenarioName)))?.baseline;
  }

  async save(branch: string, report: RunReportV2, meta: BaselineRunMeta): Promise<SavedBaseline> {
    const path = baselineRelativePath(branch, report.scenario.name);
    const shownAs = `${this.dataBranch}:${path}`;
    const message = `gashammer: baseline ${branch}/${report.scenario.name} (run ${report.runId})`;
    let lastRefusal = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      // A corrupt file stops the save (GH-E801): overwriting it would silently lose its history.
      const current = await this.read(path);
      if (current === undefined) await this.ensureDataBranch();
      const { file, ...dropped } = mergeBaselineRun(current?.baseline, branch, report, meta);
      const outcome = await this.write(path, serializeBaselineFile(file), current?.sha, message);
      if (outcome.written) return { ...baselineRef(file, shownAs), ...dropped };
      lastRefusal = outcome.refusal;
      if (attempt < this.maxAttempts) await this.sleep(this.backoffMs(attempt));
    }
    throw new GasHammerError(ErrorCodes.BaselineBranchWrite, `could not save run ${report.runId} to ${shownAs}: the file changed before each of ${this.maxAttempts} writes`, {
      details: `other jobs kept saving to the same file at the same time; GitHub's last answer: ${lastRefusal}`,
    });
  }

  /** Jittered exponential backoff, so writers that collided do not collide again in step. */
  private backoffMs(attempt: number): number {
    return Math.round(BASE_BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + this.random()));
  }

  /** The file at `path` on the data branch; undefined when it or the branch does not exist. */
  private async read(path: string): Promise<BranchFile | undefined> {
    const shownAs = `${this.dataBranch}:${path}`;
    const route = 'GET /repos/{owner}/{repo}/contents/{path}';
    let data: unknown;
    try {
      ({ data } = await this.octokit.rest.repos.getContent({ owner: this.owner, repo: this.repo, path, ref: this.dataBranch }));
    } catch (e) {
      // GitHub answers 404 both for a missing file and for a missing branch: either way, no baseline.
      if (statusOf(e) === 404) return undefined;
      throw gitHubApiError(route, e, this.token);
    }
    if (!isFileEntry(data)) {
      throw new GasHammerError(ErrorCodes.BaselineInvalid, `${shownAs} is not a file (GitHub lists it as ${describeEntry(data)})`, {
        hint: `Move it out of the way on the ${this.dataBranch} branch; GasHammer keeps one JSON file per branch and scenario there.`,
      });
    }
    this.dataBranchExists = true;
    const text = data.encoding === 'base64' ? Buffer.from(data.content, 'base64').toString('utf8') : await this.readBlob(data.sha);
    return { baseline: parseBaselineFile(text, shownAs), sha: data.sha };
  }

  /** The contents API leaves out files over 1 MB (`encoding: none`); the blob API serves them up to 100 MB. */
  private async readBlob(sha: string): Promise<string> {
    try {
      const { data } = await this.octokit.rest.git.getBlob({ owner: this.owner, repo: this.repo, file_sha: sha });
      return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
    } catch (e) {
      throw gitHubApiError('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', e, this.token);
    }
  }

  /** PUTs the file conditioned on `sha` (absent: the file must not exist yet); refused when another write landed first. */
  private async write(path: string, text: string, sha: string | undefined, message: string): Promise<WriteOutcome> {
    try {
      await this.octokit.rest.repos.createOrUpdateFileContents({
        owner: this.owner,
        repo: this.repo,
        path,
        branch: this.dataBranch,
        message,
        content: Buffer.from(text, 'utf8').toString('base64'),
        ...(sha === undefined ? {} : { sha }),
        ...(this.author === undefined ? {} : { author: this.author }),
        ...(this.committer === undefined ? {} : { committer: this.committer }),
      });
      return { written: true };
    } catch (e) {
      const status = statusOf(e);
      const said = githubMessage(e) ?? 'no message';
      const refusal = `HTTP ${String(status)}: ${this.token ? said.split(this.token).join('***') : said}`;
      // 409: the file's sha is no longer the one read. 422: a file appeared where none was read.
      if (status === 409 || status === 422) return { written: false, refusal };
      // The data branch went away between the read and the write: the next attempt makes it again.
      if (status === 404) {
        this.dataBranchExists = false;
        return { written: false, refusal };
      }
      throw gitHubApiError('PUT /repos/{owner}/{repo}/contents/{path}', e, this.token);
    }
  }

  /**
   * Makes the data branch, if missing, at the head of the default branch. An orphan branch (no
   * shared history) would need the git trees and commits API to make its first commit; a branch
   * off the default head is one request, and its files beside the baselines are never read.
   */
  private async ensureDataBranch(): Promise<void> {
    if (this.dataBranchExists) return;
    if (await this.refExists(this.dataBranch)) {
      this.dataBranchExists = true;
      return;
    }
    const defaultBranch = await this.call('GET /repos/{owner}/{repo}', async () => (await this.octokit.rest.repos.get({ owner: this.owner, repo: this.repo })).data.default_branch);
    const head = await this.call('GET /repos/{owner}/{repo}/git/ref/{ref}', async () => {
      const { data } = await this.octokit.rest.git.getRef({ owner: this.owner, repo: this.repo, ref: `heads/${defaultBranch}` });
      return data.object.sha;
    });
    try {
      await this.octokit.rest.git.createRef({ owner: this.owner, repo: this.repo, ref: `refs/heads/${this.dataBranch}`, sha: head });
    } catch (e) {
      const refused = statusOf(e) === 422;
      // Another writer made it first: its branch serves as well as ours would have.
      if (refused && /already exists/i.test(githubMessage(e) ?? '')) {
        this.dataBranchExists = true;
        return;
      }
      if (!refused) throw gitHubApiError('POST /repos/{owner}/{repo}/git/refs', e, this.token);
      throw new GasHammerError(ErrorCodes.BaselineBranchWrite, `could not create the baselines branch ${this.dataBranch} from ${defaultBranch}: GitHub refused it (HTTP 422: ${githubMessage(e) ?? 'no message'})`, {
        cause: e,
      });
    }
    this.dataBranchExists = true;
  }

  private async refExists(branch: string): Promise<boolean> {
    try {
      await this.octokit.rest.git.getRef({ owner: this.owner, repo: this.repo, ref: `heads/${branch}` });
      return true;
    } catch (e) {
      if (statusOf(e) === 404) return false;
      throw gitHubApiError('GET /repos/{owner}/{repo}/git/ref/{ref}', e, this.token);
    }
  }

  private async call<T>(request: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (e) {
      throw gitHubApiError(request, e, this.token);
    }
  }
}


function statusOf(e: unknown): number | undefined {
  return e !== null && typeof e === 'object' && 'status' in e && typeof e.status === 'number' ? e.status : undefined;
}

function githubMessage(e: unknown): string | undefined {
  const data = (e as { response?: { data?: { message?: unknown } } } | null)?.response?.data;
  return typeof data?.message === 'string' ? data.message : undefined;
}

interface FileEntry {
  readonly type: 'file';
  readonly sha: string;
  readonly encoding?: string;
  readonly content: string;
}

function isFileEntry(data: unknown): data is FileEntry {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false;
  const entry = data as Record<string, unknown>;
  return entry.type === 'file' && typeof entry.sha === 'string' && typeof entry.content === 'string';
}

function describeEntry(data: unknown): string {
  if (Array.isArray(data)) return 'a folder';
  const type = (data as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? `a ${type}` : 'something else';
}
