// A local stand-in for api.github.com for the Action's tests. Every request is checked against
// GitHub's published OpenAPI description (@octokit/openapi): an unknown path or method, a
// missing or mistyped parameter, a body that breaks the operation's schema or a missing
// Authorization header is refused and recorded in `specViolations`, so a test that asserts the
// list is empty proves the Action only sends what GitHub accepts. The endpoints the Action uses
// (issue comments, check runs, contents, git refs, the repository) keep in-memory state shaped
// like GitHub's; tests seed it, read it, make a token read-only, and inject one-off failures or
// a concurrent writer.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { default as addFormats } from 'ajv-formats';

// --- the OpenAPI description ----------------------------------------------------------------

type Json = Record<string, unknown>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface SpecPath {
  readonly template: string;
  readonly regex: RegExp;
  readonly names: readonly string[];
  /** Literal segments: a path that matches several templates takes the most literal one. */
  readonly literals: number;
  readonly operations: Readonly<Record<string, Json>>;
}

interface OperationCheck {
  readonly pathParams: ValidateFunction;
  readonly query: ValidateFunction;
  readonly body: ValidateFunction | undefined;
  readonly bodyRequired: boolean;
}

type SpecMatch =
  | { readonly ok: true; readonly route: string; readonly params: Record<string, string>; readonly check: OperationCheck }
  | { readonly ok: false; readonly reason: string };

class OpenApiSpec {
  private readonly paths: readonly SpecPath[];
  private readonly checks = new Map<string, OperationCheck>();
  // The spec's schemas are OpenAPI 3.0 (nullable, int64 formats...): converted to JSON Schema
  // before ajv sees them. Path and query values arrive as text, hence the coercing instance.
  private readonly bodyAjv = newAjv(false);
  private readonly paramAjv = newAjv(true);

  constructor(private readonly doc: Json) {
    this.paths = Object.entries(doc.paths as Record<string, Json>).map(([template, item]) => indexPath(template, item, (n) => this.resolve(n)));
  }

  hasOperation(method: string, route: string): boolean {
    return this.paths.some((p) => p.template === route && p.operations[method.toLowerCase()] !== undefined);
  }

  match(method: string, pathname: string): SpecMatch {
    const m = method.toLowerCase();
    const candidates = this.paths
      .map((p) => ({ path: p, found: p.regex.exec(pathname) }))
      .filter((c): c is { path: SpecPath; found: RegExpExecArray } => c.found !== null)
      .sort((a, b) => b.path.literals - a.path.literals);
    if (candidates.length === 0) return { ok: false, reason: `no path in GitHub's API matches ${pathname}` };
    let paramProblem: string | undefined;
    for (const { path, found } of candidates) {
      if (path.operations[m] === undefined) continue;
      const params = Object.fromEntries(path.names.map((name, i) => [name, decodeSegment(found[i + 1] ?? '')]));
      const check = this.operationCheck(m, path);
      if (!check.pathParams({ ...params })) {
        paramProblem ??= `path parameters of ${method} ${path.template}: ${ajvText(check.pathParams.errors)}`;
        continue;
      }
      return { ok: true, route: path.template, params, check };
    }
    return { ok: false, reason: paramProblem ?? `${method} is not an operation of ${candidates.map((c) => c.path.template).join(' or ')}` };
  }

  private operationCheck(method: string, path: SpecPath): OperationCheck {
    const key = `${method} ${path.template}`;
    const cached = this.checks.get(key);
    if (cached) return cached;
    const operation = path.operations[method] as Json;
    const parameters = ((operation.parameters ?? []) as Json[]).map((p) => this.resolve(p) as Json);
    const paramsIn = (where: string): Json => {
      const list = parameters.filter((p) => p.in === where);
      return {
        type: 'object',
        properties: Object.fromEntries(list.map((p) => [p.name, this.toJsonSchema(p.schema ?? {}, new Set())])),
        required: list.filter((p) => p.required === true).map((p) => p.name),
      };
    };
    const requestBody = operation.requestBody === undefined ? undefined : (this.resolve(operation.requestBody) as Json);
    const bodySchema = (requestBody?.content as Record<string, Json> | undefined)?.['application/json']?.schema;
    const check: OperationCheck = {
      pathParams: this.paramAjv.compile(paramsIn('path')),
      query: this.paramAjv.compile(paramsIn('query')),
      body: bodySchema === undefined ? undefined : this.bodyAjv.compile(this.toJsonSchema(bodySchema, new Set()) as Json),
      bodyRequired: requestBody?.required === true,
    };
    this.checks.set(key, check);
    return check;
  }

  private resolve(node: unknown): unknown {
    let current = node;
    while (isObject(current) && typeof current.$ref === 'string') {
      current = current.$ref
        .slice(2)
        .split('/')
        .reduce<unknown>((at, key) => (isObject(at) ? at[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), this.doc);
    }
    return current;
  }

  /** OpenAPI 3.0 schema -> JSON Schema: refs inlined (a cycle accepts anything), nullable as a null type. */
  private toJsonSchema(node: unknown, seen: ReadonlySet<string>): unknown {
    if (Array.isArray(node)) return node.map((n) => this.toJsonSchema(n, seen));
    if (!isObject(node)) return node;
    if (typeof node.$ref === 'string') {
      if (seen.has(node.$ref)) return {};
      return this.toJsonSchema(this.resolve(node), new Set([...seen, node.$ref]));
    }
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'nullable' || key === 'example' || key === 'discriminator' || key.startsWith('x-')) continue;
      if (key === 'enum' || key === 'default' || key === 'const') out[key] = value;
      else if (key === 'properties' && isObject(value)) {
        out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, this.toJsonSchema(s, seen)]));
      } else out[key] = this.toJsonSchema(value, seen);
    }
    if (node.nullable !== true) return out;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
}

function indexPath(template: string, item: Json, resolve: (node: unknown) => unknown): SpecPath {
  const operations = Object.fromEntries(HTTP_METHODS.filter((m) => isObject(item[m])).map((m) => [m, item[m] as Json]));
  // A parameter marked x-multi-segment (a file path, a git ref) may span several raw segments.
  const multi = new Set<string>();
  for (const op of Object.values(operations)) {
    for (const p of ((op.parameters ?? []) as unknown[]).map(resolve) as Json[]) {
      if (p['x-multi-segment'] === true && typeof p.name === 'string') multi.add(p.name);
    }
  }
  const names: string[] = [];
  let literals = 0;
  const source = template
    .split('/')
    .map((segment) => {
      if (!segment.includes('{')) {
        if (segment !== '') literals++;
        return escapeRegex(segment);
      }
      return segment
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const name = /^\{([^}]+)\}$/.exec(part)?.[1];
          if (name === undefined) return escapeRegex(part);
          names.push(name);
          return multi.has(name) ? '(.+)' : '([^/]+?)';
        })
        .join('');
    })
    .join('/');
  return { template, regex: new RegExp(`^${source}$`), names, literals, operations };
}

function newAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes, logger: false });
  addFormats.default(ajv);
  for (const format of ['int32', 'int64', 'double', 'binary', 'repo.nwo', 'timestamp']) ajv.addFormat(format, true);
  return ajv;
}

let specOnce: Promise<OpenApiSpec> | undefined;

/** The spec, read and indexed once per test process, on first use. */
function loadSpec(): Promise<OpenApiSpec> {
  specOnce ??= (async () => {
    const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
    return new OpenApiSpec(JSON.parse(await readFile(file, 'utf8')) as Json);
  })();
  return specOnce;
}

// --- what tests see ---------------------------------------------------------------------------

export interface GitHubApiServerOptions {
  /** The default branch of every repository. Default `main`. */
  readonly defaultBranch?: string;
  /** The login that comments created through the API belong to. Default `github-actions[bot]`. */
  readonly botLogin?: string;
  /** Tokens that may read but not write, like a fork PR's GITHUB_TOKEN. */
  readonly readOnlyTokens?: readonly string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The spec's template the request matched, when it matched one. */
  readonly route: string | undefined;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly status: number;
}

export interface SpecViolation {
  readonly method: string;
  readonly path: string;
  readonly reason: string;
}

export interface IssueRef {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
}

export interface StoredComment {
  readonly id: number;
  readonly issueNumber: number;
  readonly user: string;
  body: string;
  readonly createdAt: string;
  updatedAt: string;
}

export interface StoredAnnotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: 'notice' | 'warning' | 'failure';
  readonly message: string;
  readonly title?: string;
}

export interface StoredCheckRun {
  readonly id: number;
  readonly owner: string;
  readonly repo: string;
  name: string;
  readonly headSha: string;
  status: string;
  conclusion: string | null;
  detailsUrl: string | null;
  startedAt: string;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Every annotation received, across the create and every update, in order. */
  readonly annotations: StoredAnnotation[];
}

export interface FileWrite {
  readonly owner: string;
  readonly repo: string;
  readonly branch: string;
  readonly path: string;
  readonly content: string;
  readonly message?: string;
}

/** A request by method and the spec's route template, e.g. `PUT /repos/{owner}/{repo}/contents/{path}`. */
export type RequestMatch = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`;

export interface GitHubApiServer {
  /** Base URL to give Octokit (GITHUB_API_URL). */
  readonly url: string;
  /** Every request received, in order, including refused ones. */
  readonly requests: readonly RecordedRequest[];
  /** Requests GitHub's API description would refuse; a test asserts this is empty. */
  readonly specViolations: readonly SpecViolation[];
  /** Adds comments by another user to an issue; a number gives that many numbered comments. */
  seedComments(issue: IssueRef, comments: number | readonly string[], user?: string): readonly StoredComment[];
  comments(issue: IssueRef): readonly StoredComment[];
  checkRuns(): readonly StoredCheckRun[];
  /** Opens a pull request (GET /repos/{owner}/{repo}/pulls/{pull_number} answers it). */
  seedPullRequest(pr: { readonly owner: string; readonly repo: string; readonly number: number; readonly headSha: string; readonly headRef?: string; readonly baseRef?: string }): void;
  /** Commits a file as another writer would (seeding, or a concurrent write); returns the commit sha. */
  writeFile(write: FileWrite): string;
  /** The files of a branch as UTF-8 text, by path. */
  files(owner: string, repo: string, branch: string): ReadonlyMap<string, string>;
  branchSha(owner: string, repo: string, branch: string): string | undefined;
  makeReadOnly(token: string): void;
  /** Undoes makeReadOnly. */
  makeWritable(token: string): void;
  /** The next request matching `match` is answered with this status and message, once. */
  failNext(match: RequestMatch, status: number, message?: string): void;
  /** Runs `hook` once, just before the next matching (valid) request is handled. */
  beforeNext(match: RequestMatch, hook: () => void | Promise<void>): void;
  close(): Promise<void>;
}

// --- state ------------------------------------------------------------------------------------

interface Blob {
  readonly sha: string;
  readonly content: Buffer;
}

interface Commit {
  readonly sha: string;
  readonly message: string;
  readonly parent: string | undefined;
  readonly tree: ReadonlyMap<string, Blob>;
}

interface RepoState {
  readonly id: number;
  readonly owner: string;
  readonly name: string;
  readonly defaultBranch: string;
  readonly branches: Map<string, string>;
  readonly commits: Map<string, Commit>;
}

/** An answer in GitHub's error shape, thrown by handlers. */
class Reply extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface HandlerContext {
  readonly repo: RepoState;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body: Json;
  readonly requestUrl: URL;
}

interface HandlerResult {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

type Handler = (ctx: HandlerContext) => HandlerResult;

const DOCS = 'https://docs.github.com/rest';
const HTML = 'https://github.com';

export async function startGitHubApiServer(options: GitHubApiServerOptions = {}): Promise<GitHubApiServer> {
  const spec = await loadSpec();
  const defaultBranch = options.defaultBranch ?? 'main';
  const botLogin = options.botLogin ?? 'github-actions[bot]';
  const readOnly = new Set(options.readOnlyTokens ?? []);
  const requests: RecordedRequest[] = [];
  const specViolations: SpecViolation[] = [];
  const repos = new Map<string, RepoState>();
  const comments = new Map<number, StoredComment & IssueRefKey>();
  const checkRuns = new Map<number, StoredCheckRun>();
  const pulls = new Map<string, { readonly number: number; readonly headSha: string; readonly headRef?: string; readonly baseRef?: string }>();
  const failures: { match: RequestMatch; status: number; message: string }[] = [];
  const hooks: { match: RequestMatch; hook: () => void | Promise<void> }[] = [];
  let nextId = 1_000_000;
  let commitCounter = 0;
  let base = '';

  const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

  function repoState(owner: string, name: string): RepoState {
    const key = `${owner}/${name}`.toLowerCase();
    let repo = repos.get(key);
    if (!repo) {
      repo = { id: nextId++, owner, name, defaultBranch, branches: new Map(), commits: new Map() };
      const root = commit(repo, undefined, new Map(), 'Initial commit');
      repo.branches.set(defaultBranch, root.sha);
      repos.set(key, repo);
    }
    return repo;
  }

  function commit(repo: RepoState, parent: string | undefined, tree: ReadonlyMap<string, Blob>, message: string): Commit {
    const sha = sha1(`commit ${++commitCounter} ${repo.owner}/${repo.name} ${message}`);
    const c: Commit = { sha, message, parent, tree };
    repo.commits.set(sha, c);
    return c;
  }

  function commitFile(repo: RepoState, branch: string, path: string, content: Buffer, message: string): Commit {
    const head = repo.commits.get(repo.branches.get(branch) ?? '');
    if (!head) throw new Reply(404, `Branch ${branch} not found`);
    const tree = new Map(head.tree);
    tree.set(path, { sha: blobSha(content), content });
    const c = commit(repo, head.sha, tree, message);
    repo.branches.set(branch, c.sha);
    return c;
  }

  /** A branch name, `heads/x`, `refs/heads/x` or a commit sha. */
  function resolveRef(repo: RepoState, ref: string | undefined): Commit | undefined {
    const name = (ref ?? repo.defaultBranch).replace(/^refs\//, '').replace(/^heads\//, '');
    return repo.commits.get(repo.branches.get(name) ?? name);
  }

  const repoApi = (repo: RepoState): string => `${base}/repos/${repo.owner}/${repo.name}`;

  const user = (login: string): Json => ({
    login,
    id: login === botLogin ? 41898282 : 583231,
    node_id: 'MDQ6VXNlcjE=',
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    html_url: `${HTML}/${login}`,
  });

  function commentView(repo: RepoState, c: StoredComment): Json {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${repoApi(repo)}/issues/comments/${c.id}`,
      html_url: `${HTML}/${repo.owner}/${repo.name}/issues/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${repoApi(repo)}/issues/${c.issueNumber}`,
      body: c.body,
      user: user(c.user),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.user === botLogin ? 'NONE' : 'MEMBER',
    };
  }

  function checkRunView(repo: RepoState, run: StoredCheckRun): Json {
    return {
      id: run.id,
      node_id: `CR_${run.id}`,
      head_sha: run.headSha,
      external_id: '',
      url: `${repoApi(repo)}/check-runs/${run.id}`,
      html_url: `${HTML}/${repo.owner}/${repo.name}/runs/${run.id}`,
      details_url: run.detailsUrl,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      name: run.name,
      output: { ...run.output, annotations_count: run.annotations.length, annotations_url: `${repoApi(repo)}/check-runs/${run.id}/annotations` },
      check_suite: { id: 1 },
      app: null,
      pull_requests: [],
    };
  }

  function fileView(repo: RepoState, path: string, blob: Blob, ref: string, withContent: boolean): Json {
    const self = `${repoApi(repo)}/contents/${path}?ref=${encodeURIComponent(ref)}`;
    const html = `${HTML}/${repo.owner}/${repo.name}/blob/${ref}/${path}`;
    const git = `${repoApi(repo)}/git/blobs/${blob.sha}`;
    return {
      type: 'file',
      name: path.split('/').pop(),
      path,
      sha: blob.sha,
      size: blob.content.length,
      url: self,
      html_url: html,
      git_url: git,
      download_url: `https://raw.githubusercontent.com/${repo.owner}/${repo.name}/${ref}/${path}`,
      _links: { self, git, html },
      // GitHub wraps the base64 at 60 characters; readers must cope.
      ...(withContent ? { encoding: 'base64', content: `${blob.content.toString('base64').replace(/(.{60})/g, '$1\n')}\n` } : {}),
    };
  }

  function commitView(repo: RepoState, c: Commit): Json {
    const person = { name: botLogin, email: '41898282+github-actions[bot]@users.noreply.github.com', date: now() };
    return {
      sha: c.sha,
      node_id: `C_${c.sha}`,
      url: `${repoApi(repo)}/git/commits/${c.sha}`,
      html_url: `${HTML}/${repo.owner}/${repo.name}/commit/${c.sha}`,
      message: c.message,
      author: person,
      committer: person,
      tree: { sha: sha1(`tree ${c.sha}`), url: `${repoApi(repo)}/git/trees/${c.sha}` },
      parents: c.parent === undefined ? [] : [{ sha: c.parent, url: `${repoApi(repo)}/git/commits/${c.parent}`, html_url: `${HTML}/${repo.owner}/${repo.name}/commit/${c.parent}` }],
    };
  }

  function refView(repo: RepoState, branch: string, sha: string): Json {
    return {
      ref: `refs/heads/${branch}`,
      node_id: `REF_${branch}`,
      url: `${repoApi(repo)}/git/refs/heads/${branch}`,
      object: { type: 'commit', sha, url: `${repoApi(repo)}/git/commits/${sha}` },
    };
  }

  const handlers: Record<string, Handler> = {
    'GET /repos/{owner}/{repo}/pulls/{pull_number}': ({ repo, params }) => {
      const pr = pulls.get(`${repoKey(repo)}#${params.pull_number}`);
      if (pr === undefined) throw new Reply(404, 'Not Found');
      return {
        status: 200,
        body: {
          id: pr.number * 1000,
          number: pr.number,
          state: 'open',
          html_url: `${HTML}/${repo.owner}/${repo.name}/pull/${pr.number}`,
          head: { sha: pr.headSha, ref: pr.headRef ?? 'feature', label: `${repo.owner}:${pr.headRef ?? 'feature'}` },
          base: { sha: repo.branches.get(repo.defaultBranch) ?? '', ref: pr.baseRef ?? repo.defaultBranch, label: `${repo.owner}:${pr.baseRef ?? repo.defaultBranch}` },
        },
      };
    },

    'GET /repos/{owner}/{repo}': ({ repo }) => ({
      status: 200,
      body: {
        id: repo.id,
        node_id: `R_${repo.id}`,
        name: repo.name,
        full_name: `${repo.owner}/${repo.name}`,
        owner: user(repo.owner),
        private: false,
        html_url: `${HTML}/${repo.owner}/${repo.name}`,
        url: repoApi(repo),
        default_branch: repo.defaultBranch,
      },
    }),

    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': ({ repo, params, query, requestUrl }) => {
      const issueNumber = Number(params.issue_number);
      const all = [...comments.values()]
        .filter((c) => c.repoKey === repoKey(repo) && c.issueNumber === issueNumber && (query.since === undefined || c.updatedAt >= query.since))
        .sort((a, b) => a.id - b.id);
      const perPage = Math.min(100, Math.max(1, Number(query.per_page ?? 30)));
      const page = Math.max(1, Number(query.page ?? 1));
      const lastPage = Math.max(1, Math.ceil(all.length / perPage));
      const link = linkHeader(requestUrl, page, lastPage);
      const headers: Record<string, string> = link === undefined ? {} : { link };
      return { status: 200, body: all.slice((page - 1) * perPage, page * perPage).map((c) => commentView(repo, c)), headers };
    },

    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': ({ repo, params, body }) => {
      const c = addComment(repo, Number(params.issue_number), body.body as string, botLogin);
      return { status: 201, body: commentView(repo, c), headers: { location: `${repoApi(repo)}/issues/comments/${c.id}` } };
    },

    'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': ({ repo, params, body }) => {
      const c = comments.get(Number(params.comment_id));
      if (!c || c.repoKey !== repoKey(repo)) throw new Reply(404, 'Not Found');
      c.body = body.body as string;
      c.updatedAt = now();
      return { status: 200, body: commentView(repo, c) };
    },

    'POST /repos/{owner}/{repo}/check-runs': ({ repo, body }) => {
      const status = (body.status as string | undefined) ?? (body.conclusion === undefined ? 'queued' : 'completed');
      if (status === 'completed' && body.conclusion === undefined) throw new Reply(422, 'Invalid request.\n\n"conclusion" is required when "status" is "completed".');
      const run: StoredCheckRun = {
        id: nextId++,
        owner: repo.owner,
        repo: repo.name,
        name: body.name as string,
        headSha: body.head_sha as string,
        status,
        conclusion: (body.conclusion as string | undefined) ?? null,
        detailsUrl: (body.details_url as string | undefined) ?? null,
        startedAt: (body.started_at as string | undefined) ?? now(),
        completedAt: status === 'completed' ? ((body.completed_at as string | undefined) ?? now()) : null,
        output: { title: null, summary: null, text: null },
        annotations: [],
      };
      applyOutput(run, body.output);
      checkRuns.set(run.id, run);
      return { status: 201, body: checkRunView(repo, run) };
    },

    'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': ({ repo, params, body }) => {
      const run = checkRuns.get(Number(params.check_run_id));
      if (!run || run.owner !== repo.owner || run.repo !== repo.name) throw new Reply(404, 'Not Found');
      if (body.status === 'completed' && body.conclusion === undefined) throw new Reply(422, 'Invalid request.\n\n"conclusion" is required when "status" is "completed".');
      if (typeof body.name === 'string') run.name = body.name;
      if (typeof body.details_url === 'string') run.detailsUrl = body.details_url;
      if (typeof body.status === 'string') run.status = body.status;
      // Giving a conclusion completes the run, as GitHub does.
      if (typeof body.conclusion === 'string') {
        run.conclusion = body.conclusion;
        run.status = 'completed';
        run.completedAt = (body.completed_at as string | undefined) ?? now();
      }
      applyOutput(run, body.output);
      return { status: 200, body: checkRunView(repo, run) };
    },

    'GET /repos/{owner}/{repo}/contents/{path}': ({ repo, params, query }) => {
      const ref = query.ref ?? repo.defaultBranch;
      const c = resolveRef(repo, ref);
      if (!c) throw new Reply(404, `No commit found for the ref ${ref}`);
      const path = params.path as string;
      const blob = c.tree.get(path);
      if (blob) return { status: 200, body: fileView(repo, path, blob, ref, true) };
      const inside = [...c.tree].filter(([p]) => p.startsWith(`${path}/`) && !p.slice(path.length + 1).includes('/'));
      if (inside.length === 0) throw new Reply(404, 'Not Found');
      return { status: 200, body: inside.map(([p, b]) => fileView(repo, p, b, ref, false)) };
    },

    'PUT /repos/{owner}/{repo}/contents/{path}': ({ repo, params, body }) => {
      const branch = (body.branch as string | undefined) ?? repo.defaultBranch;
      const head = repo.commits.get(repo.branches.get(branch) ?? '');
      if (!head) throw new Reply(404, `Branch ${branch} not found`);
      const path = params.path as string;
      const base64 = (body.content as string).replace(/\s/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) throw new Reply(422, 'content is not valid Base64');
      const existing = head.tree.get(path);
      if (existing && body.sha === undefined) throw new Reply(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
      if (body.sha !== undefined && body.sha !== existing?.sha) throw new Reply(409, `${path} does not match ${String(body.sha)}`);
      const c = commitFile(repo, branch, path, Buffer.from(base64, 'base64'), body.message as string);
      const blob = c.tree.get(path) as Blob;
      return { status: existing ? 200 : 201, body: { content: fileView(repo, path, blob, branch, false), commit: commitView(repo, c) } };
    },

    'GET /repos/{owner}/{repo}/git/ref/{ref}': ({ repo, params }) => {
      const branch = /^heads\/(.+)$/.exec(params.ref as string)?.[1];
      const sha = branch === undefined ? undefined : repo.branches.get(branch);
      if (branch === undefined || sha === undefined) throw new Reply(404, 'Not Found');
      return { status: 200, body: refView(repo, branch, sha) };
    },

    'POST /repos/{owner}/{repo}/git/refs': ({ repo, body }) => {
      const ref = body.ref as string;
      const branch = /^refs\/heads\/(.+)$/.exec(ref)?.[1];
      if (!/^refs\/[^/]+\/.+/.test(ref)) throw new Reply(422, "ref must start with 'refs' and have at least two slashes.");
      if (branch === undefined) throw new Reply(422, 'This stand-in only creates branches (refs/heads/...).');
      if (repo.branches.has(branch)) throw new Reply(422, 'Reference already exists');
      const sha = body.sha as string;
      if (!repo.commits.has(sha)) throw new Reply(422, 'Object does not exist');
      repo.branches.set(branch, sha);
      return { status: 201, body: refView(repo, branch, sha) };
    },
  };

  function applyOutput(run: StoredCheckRun, output: unknown): void {
    if (!isObject(output)) return;
    for (const key of ['title', 'summary', 'text'] as const) {
      const value = output[key];
      if (typeof value === 'string') run.output[key] = value;
    }
    if (Array.isArray(output.annotations)) run.annotations.push(...(output.annotations as StoredAnnotation[]));
  }

  function addComment(repo: RepoState, issueNumber: number, body: string, login: string): StoredComment & IssueRefKey {
    const at = now();
    const c = { id: nextId++, repoKey: repoKey(repo), issueNumber, user: login, body, createdAt: at, updatedAt: at };
    comments.set(c.id, c);
    return c;
  }

  function takeOnce<T extends { match: RequestMatch }>(list: T[], key: string): T | undefined {
    const i = list.findIndex((entry) => entry.match === key);
    return i < 0 ? undefined : list.splice(i, 1)[0];
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const requestUrl = new URL(req.url ?? '/', base);
    const query = Object.fromEntries(requestUrl.searchParams);
    const raw = await readBody(req);
    let route: string | undefined = undefined;
    let body: unknown;
    const answer = (status: number, payload: unknown, headers: Readonly<Record<string, string>> = {}): void => {
      requests.push({ method, path: requestUrl.pathname, route, query, body, status });
      const text = JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    const refuse = (status: number, reason: string): void => {
      specViolations.push({ method, path: requestUrl.pathname, reason });
      answer(status, { message: reason, documentation_url: DOCS, status: String(status) });
    };

    try {
      body = raw.length === 0 ? undefined : JSON.parse(raw);
    } catch {
      return refuse(400, 'Problems parsing JSON');
    }
    const token = /^(?:token|bearer) (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) return refuse(401, 'Requires authentication: no Authorization header with `token x` or `Bearer x`');

    const matched = spec.match(method, requestUrl.pathname);
    if (!matched.ok) return refuse(400, matched.reason);
    route = matched.route;
    const { check, params } = matched;
    if (!check.query({ ...query })) return refuse(400, `query of ${method} ${route}: ${ajvText(check.query.errors)}`);
    if (body === undefined && check.bodyRequired) return refuse(400, `${method} ${route} needs a JSON body`);
    if (body !== undefined && check.body && !check.body(body)) return refuse(400, `body of ${method} ${route}: ${ajvText(check.body.errors)}`);

    const key = `${method} ${route}`;
    if (method !== 'GET' && readOnly.has(token)) {
      return answer(403, { message: 'Resource not accessible by integration', documentation_url: DOCS, status: '403' });
    }
    await takeOnce(hooks, key)?.hook();
    const failure = takeOnce(failures, key);
    if (failure) return answer(failure.status, { message: failure.message, documentation_url: DOCS, status: String(failure.status) });
    const handler = handlers[key];
    if (!handler) return answer(501, { message: `the GitHub API stand-in does not simulate ${key}` });
    try {
      const result = handler({ repo: repoState(params.owner ?? '', params.repo ?? ''), params, query, body: isObject(body) ? body : {}, requestUrl });
      answer(result.status, result.body, result.headers);
    } catch (e) {
      if (!(e instanceof Reply)) throw e;
      answer(e.status, { message: e.message, documentation_url: DOCS, status: String(e.status) });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `stand-in failure: ${e instanceof Error ? e.message : String(e)}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const requireRoute = (match: RequestMatch): void => {
    const [method, route] = match.split(' ') as [string, string];
    if (!spec.hasOperation(method, route)) throw new Error(`${match} is not an operation of GitHub's API`);
  };

  return {
    url: base,
    requests,
    specViolations,
    seedComments(issue, seed, login = 'octocat') {
      const bodies = typeof seed === 'number' ? Array.from({ length: seed }, (_, i) => `comment ${i + 1} by ${login}`) : seed;
      const repo = repoState(issue.owner, issue.repo);
      return bodies.map((b) => addComment(repo, issue.issueNumber, b, login));
    },
    comments(issue) {
      const key = repoKey(repoState(issue.owner, issue.repo));
      return [...comments.values()].filter((c) => c.repoKey === key && c.issueNumber === issue.issueNumber).sort((a, b) => a.id - b.id);
    },
    checkRuns: () => [...checkRuns.values()],
    seedPullRequest(pr) {
      pulls.set(`${repoKey(repoState(pr.owner, pr.repo))}#${pr.number}`, pr);
    },
    writeFile(write) {
      const repo = repoState(write.owner, write.repo);
      return commitFile(repo, write.branch, write.path, Buffer.from(write.content, 'utf8'), write.message ?? `Update ${write.path}`).sha;
    },
    files(owner, repo, branch) {
      const c = resolveRef(repoState(owner, repo), branch);
      return new Map([...(c?.tree ?? [])].map(([p, b]) => [p, b.content.toString('utf8')]));
    },
    branchSha: (owner, repo, branch) => repoState(owner, repo).branches.get(branch),
    makeReadOnly: (token) => void readOnly.add(token),
    makeWritable: (token) => void readOnly.delete(token),
    failNext(match, status, message = 'Server Error') {
      requireRoute(match);
      failures.push({ match, status, message });
    },
    beforeNext(match, hook) {
      requireRoute(match);
      hooks.push({ match, hook });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

// --- helpers ----------------------------------------------------------------------------------

interface IssueRefKey {
  readonly repoKey: string;
}

const repoKey = (repo: RepoState): string => `${repo.owner}/${repo.name}`.toLowerCase();

function linkHeader(url: URL, page: number, lastPage: number): string | undefined {
  const at = (p: number): string => {
    const u = new URL(url);
    u.searchParams.set('page', String(p));
    return `<${u.href}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${at(page - 1)}; rel="prev"`);
  if (page < lastPage) links.push(`${at(page + 1)}; rel="next"`, `${at(lastPage)}; rel="last"`);
  if (page > 1) links.push(`${at(1)}; rel="first"`);
  return links.length === 0 ? undefined : links.join(', ');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Git's blob id: what GitHub reports as a file's `sha`. */
function blobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function ajvText(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`).join('; ');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
