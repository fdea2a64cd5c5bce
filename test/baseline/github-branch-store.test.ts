// The data-branch baseline store against the local GitHub API stand-in, which refuses anything
// GitHub's API description refuses: every test ends with no spec violation. The branch must hold
// exactly what the file store would write for the same saves, and concurrent writers must keep
// each other's runs.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReadOnlyTokenError } from '../../src/action/github-api.js';
import { serializeBaselineFile, type BaselineFile, type BaselineRunMeta } from '../../src/baseline/baseline-file.js';
import { GitHubBranchBaselineStore, type GitHubBranchBaselineStoreOptions } from '../../src/baseline/github-branch-store.js';
import { FileBaselineStore, mergeBaselineRun } from '../../src/baseline/store.js';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import type { RunReportV2 } from '../../src/report/report-types.js';
import { startGitHubApiServer, type GitHubApiServer } from '../support/github-api-server.js';
import { OTHER_SCENARIO_HASH, reportFixture } from './report-fixture.js';

const TOKEN = 'ghs_s3cretT0kenValue';
const OWNER = 'acme';
const REPO = 'rollup';
const DATA = 'gashammer-baselines';
const SCENARIO = 'quick-smoke-test';
const FILE_PATH = `main/${SCENARIO}.json`;

let server: GitHubApiServer;
let root: string;
/** The backoff delays the store asked for, in order; no test really waits. */
let waits: number[];

beforeEach(async () => {
  server = await startGitHubApiServer();
  root = await mkdtemp(join(tmpdir(), 'gh-branch-baselines-'));
  waits = [];
});

afterEach(async () => {
  expect(server.specViolations).toEqual([]);
  await server.close();
  await rm(root, { recursive: true, force: true });
});

function branchStore(options: Partial<GitHubBranchBaselineStoreOptions> = {}): GitHubBranchBaselineStore {
  return new GitHubBranchBaselineStore({
    token: TOKEN,
    baseUrl: server.url,
    owner: OWNER,
    repo: REPO,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    ...options,
  } as GitHubBranchBaselineStoreOptions);
}

const report = (runId: string, scenarioHash?: string): RunReportV2 =>
  reportFixture({ runId, scenarioName: SCENARIO, ...(scenarioHash === undefined ? {} : { scenarioHash }) });

const meta = (day: number): BaselineRunMeta => ({ savedAt: new Date(Date.UTC(2026, 1, day, 10)), commit: `abc123${day}`.padEnd(7, '0') });

const dataFiles = (): ReadonlyMap<string, string> => server.files(OWNER, REPO, DATA);

/** Commits a baseline holding one run of another writer, merged into what the branch holds, as a concurrent job would. */
function writeOtherRun(runId: string, day = 20): void {
  const text = dataFiles().get(FILE_PATH);
  const existing = text === undefined ? undefined : (JSON.parse(text) as BaselineFile);
  const { file } = mergeBaselineRun(existing, 'main', report(runId), meta(day));
  server.writeFile({ owner: OWNER, repo: REPO, branch: DATA, path: FILE_PATH, content: serializeBaselineFile(file), message: `other writer: ${runId}` });
}

/** Creates the data branch at main's head, as another writer would (the stand-in's writeFile needs the branch). */
async function createDataBranchElsewhere(): Promise<void> {
  const res = await fetch(`${server.url}/repos/${OWNER}/${REPO}/git/refs`, {
    method: 'POST',
    headers: { authorization: 'token ghs_other', 'content-type': 'application/json' },
    body: JSON.stringify({ ref: `refs/heads/${DATA}`, sha: server.branchSha(OWNER, REPO, 'main') }),
  });
  expect(res.status).toBe(201);
}

async function rejection(p: Promise<unknown>): Promise<GasHammerError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof GasHammerError)) throw new Error(`expected a GasHammerError, got ${String(e)}`);
  return e;
}

const runIds = (file: BaselineFile | undefined): string[] => (file?.runs ?? []).map((r) => r.runId);

describe('load', () => {
  it('returns undefined when the data branch does not exist, and does not create it', async () => {
    expect(await branchStore().load('main', SCENARIO)).toBeUndefined();
    expect(server.branchSha(OWNER, REPO, DATA)).toBeUndefined();
  });

  it('returns undefined for a branch or scenario without a file on the data branch', async () => {
    await branchStore().save('main', report('r1'), meta(1));
    expect(await branchStore().load('develop', SCENARIO)).toBeUndefined();
    expect(await branchStore().load('main', 'other-scenario')).toBeUndefined();
  });

  it('reads with a read-only token, as a fork pull request has', async () => {
    await branchStore().save('main', report('r1'), meta(1));
    server.makeReadOnly('ghs_fork');
    expect(runIds(await branchStore({ token: 'ghs_fork' }).load('main', SCENARIO))).toEqual(['r1']);
  });

  it('reads a file over 1 MB through the blob API, which the contents API leaves out', async () => {
    await branchStore().save('main', report('r1'), meta(1));
    const expected = dataFiles().get(FILE_PATH)!;
    // The stand-in has no blob endpoint: a fetch in front of it answers as GitHub does for a big file.
    const bigFileFetch: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname.startsWith(`/repos/${OWNER}/${REPO}/git/blobs/`)) {
        const body = { sha: url.pathname.split('/').pop(), size: expected.length, encoding: 'base64', content: Buffer.from(expected).toString('base64') };
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      }
      const res = await fetch(input, init);
      if (!url.pathname.includes('/contents/')) return res;
      const entry = (await res.json()) as Record<string, unknown>;
      return new Response(JSON.stringify({ ...entry, encoding: 'none', content: '' }), { status: res.status, headers: { 'content-type': 'application/json' } });
    };
    const octokit = new Octokit({ auth: TOKEN, baseUrl: server.url, request: { fetch: bigFileFetch } });
    const store = new GitHubBranchBaselineStore({ octokit, owner: OWNER, repo: REPO });
    expect(await store.load('main', SCENARIO)).toEqual(JSON.parse(expected));
  });

  it('reports a corrupt file as GH-E801 naming it on the data branch, and a save does not overwrite it', async () => {
    await branchStore().save('main', report('r1'), meta(1));
    server.writeFile({ owner: OWNER, repo: REPO, branch: DATA, path: FILE_PATH, content: '{"schemaVersion": 1, "runs": "oops"' });

    const onLoad = await rejection(branchStore().load('main', SCENARIO));
    expect(onLoad.code).toBe('GH-E801');
    expect(onLoad.message).toContain(`${DATA}:${FILE_PATH}`);

    const onSave = await rejection(branchStore().save('main', report('r2'), meta(2)));
    expect(onSave.code).toBe('GH-E801');
    expect(dataFiles().get(FILE_PATH)).toBe('{"schemaVersion": 1, "runs": "oops"');
  });

  it('reports a folder where the file should be as GH-E801', async () => {
    await createDataBranchElsewhere();
    server.writeFile({ owner: OWNER, repo: REPO, branch: DATA, path: `${FILE_PATH}/inner.json`, content: '{}' });
    const e = await rejection(branchStore().load('main', SCENARIO));
    expect(e.code).toBe('GH-E801');
    expect(e.message).toContain(`${DATA}:${FILE_PATH} is not a file`);
  });

  it('reports a failed request as GH-E952 naming the request, never the token', async () => {
    server.failNext('GET /repos/{owner}/{repo}/contents/{path}', 502, `Bad Gateway for ${TOKEN}`);
    const e = await rejection(branchStore().load('main', SCENARIO));
    expect(e.code).toBe('GH-E952');
    expect(e).not.toBeInstanceOf(ReadOnlyTokenError);
    expect(e.message).toContain('GET /repos/{owner}/{repo}/contents/{path} failed with HTTP 502');
    expect(e.message).not.toContain(TOKEN);
  });
});

describe('save', () => {
  it('creates the data branch from the default branch head and commits the file where the file store would put it', async () => {
    const mainHead = server.branchSha(OWNER, REPO, 'main');
    const saved = await branchStore().save('main', report('r1'), meta(1));

    expect(server.files(OWNER, REPO, DATA).get(FILE_PATH)).toBeDefined();
    // A branch off main's head: main's history is its history.
    expect(server.requests).toContainEqual(expect.objectContaining({ method: 'POST', route: '/repos/{owner}/{repo}/git/refs', body: { ref: `refs/heads/${DATA}`, sha: mainHead }, status: 201 }));
    expect(server.requests).toContainEqual(
      expect.objectContaining({ method: 'PUT', body: expect.objectContaining({ branch: DATA, message: `gashammer: baseline main/${SCENARIO} (run r1)` }), status: 201 }),
    );
    expect(saved).toMatchObject({ branch: 'main', source: `${DATA}:${FILE_PATH}`, runs: 1, runsTrimmed: 0, replacedSameRun: false });
    expect(server.files(OWNER, REPO, 'main').size).toBe(0);
  });

  it('writes, save after save, the same files and results as FileBaselineStore', async () => {
    const onBranch = branchStore();
    const onDisk = new FileBaselineStore(root);
    const saves: [string, RunReportV2, BaselineRunMeta][] = [
      ['main', report('r1'), meta(1)],
      ['main', report('r2'), meta(2)],
      // The same run again replaces it; a changed scenario starts a new history.
      ['main', report('r1'), meta(3)],
      ['main', report('n1', OTHER_SCENARIO_HASH), meta(4)],
      ['feature/x', report('f1'), meta(5)],
    ];
    for (const [branch, r, m] of saves) {
      const fromBranch = await onBranch.save(branch, r, m);
      const fromDisk = await onDisk.save(branch, r, m);
      expect({ ...fromBranch, source: '' }).toEqual({ ...fromDisk, source: '' });
    }
    for (const branch of ['main', 'feature/x']) {
      const loaded = await onBranch.load(branch, SCENARIO);
      expect(loaded).toEqual(await onDisk.load(branch, SCENARIO));
      // Byte for byte: a checkout of the data branch is a folder `compare --dir` reads.
      const relative = onBranch.shownAs(branch, SCENARIO).slice(DATA.length + 1);
      expect(dataFiles().get(relative)).toBe(await readFile(onDisk.pathOf(branch, SCENARIO), 'utf8'));
    }
    expect([...dataFiles().keys()].sort()).toEqual([`feature%2Fx/${SCENARIO}.json`, FILE_PATH]);
  });

  it('appends a second run to the file', async () => {
    const store = branchStore();
    await store.save('main', report('r1'), meta(1));
    const saved = await store.save('main', report('r2'), meta(2));
    expect(saved).toMatchObject({ runs: 2, runsTrimmed: 0, replacedSameRun: false });
    expect(saved.newHistory).toBeUndefined();
    expect(runIds(await store.load('main', SCENARIO))).toEqual(['r1', 'r2']);
    expect(waits).toEqual([]);
  });

  it('starts a new history when the scenario hash changes, and says what it replaced', async () => {
    const store = branchStore();
    await store.save('main', report('old1'), meta(1));
    await store.save('main', report('old2'), meta(2));
    const saved = await store.save('main', report('new1', OTHER_SCENARIO_HASH), meta(3));
    expect(saved.newHistory).toEqual({ previousHash: expect.any(String), runsDropped: 2 });
    const file = await store.load('main', SCENARIO);
    expect(file?.scenario.hash).toBe(OTHER_SCENARIO_HASH);
    expect(runIds(file)).toEqual(['new1']);
  });

  it('keeps the run of a writer that committed between its read and its write, and its own', async () => {
    const store = branchStore();
    await store.save('main', report('r1'), meta(1));
    server.beforeNext('PUT /repos/{owner}/{repo}/contents/{path}', () => writeOtherRun('other'));
    const saved = await store.save('main', report('r2'), meta(2));
    expect(saved.runs).toBe(3);
    expect(runIds(await store.load('main', SCENARIO))).toEqual(['r1', 'other', 'r2']);
    expect(server.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([201, 409, 200]);
    expect(waits).toEqual([250]);
  });

  it('keeps the run of a writer that created the file between its read and its write', async () => {
    await createDataBranchElsewhere();
    server.beforeNext('PUT /repos/{owner}/{repo}/contents/{path}', () => writeOtherRun('other'));
    await branchStore().save('main', report('r1'), meta(1));
    expect(runIds(await branchStore().load('main', SCENARIO))).toEqual(['other', 'r1']);
    // The first write had no sha (no file was read): GitHub refuses it with 422, not 409.
    expect(server.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([422, 200]);
  });

  it('uses the data branch another writer created between its lookup and its create', async () => {
    server.beforeNext('POST /repos/{owner}/{repo}/git/refs', createDataBranchElsewhere);
    await branchStore().save('main', report('r1'), meta(1));
    expect(runIds(await branchStore().load('main', SCENARIO))).toEqual(['r1']);
    expect(server.requests.filter((r) => r.route === '/repos/{owner}/{repo}/git/refs').map((r) => r.status)).toEqual([201, 422]);
  });

  it('lands both of two saves started at once, whichever order GitHub takes them in', async () => {
    const results = await Promise.all([branchStore().save('main', report('a'), meta(1)), branchStore().save('main', report('b'), meta(2))]);
    expect(results.map((r) => r.runs).sort()).toEqual([1, 2]);
    expect(runIds(await branchStore().load('main', SCENARIO)).sort()).toEqual(['a', 'b']);
  });

  it('lands every one of several saves started at once by one store', async () => {
    const store = branchStore({ maxAttempts: 10 });
    await store.save('main', report('r0'), meta(1));
    await Promise.all(['r1', 'r2', 'r3', 'r4'].map((id, i) => store.save('main', report(id), meta(i + 2))));
    expect(runIds(await store.load('main', SCENARIO)).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('gives up with GH-E953 after maxAttempts writes that each lost to another writer, keeping their runs', async () => {
    const store = branchStore({ maxAttempts: 3 });
    await store.save('main', report('r1'), meta(1));
    for (const id of ['o1', 'o2', 'o3']) server.beforeNext('PUT /repos/{owner}/{repo}/contents/{path}', () => writeOtherRun(id));
    const e = await rejection(store.save('main', report('mine'), meta(2)));
    expect(e.code).toBe('GH-E953');
    expect(e.message).toContain(`could not save run mine to ${DATA}:${FILE_PATH}`);
    expect(e.details).toContain('HTTP 409');
    expect(e.message + String(e.details)).not.toContain(TOKEN);
    expect(runIds(await store.load('main', SCENARIO))).toEqual(['r1', 'o1', 'o2', 'o3']);
    // Jittered exponential backoff between attempts, none after the last.
    expect(waits).toEqual([250, 500]);
  });

  it('passes a read-only token refusal on as ReadOnlyTokenError, when creating the branch or writing the file', async () => {
    server.makeReadOnly('ghs_fork');
    const fork = branchStore({ token: 'ghs_fork' });
    expect(await rejection(fork.save('main', report('r1'), meta(1)))).toBeInstanceOf(ReadOnlyTokenError);
    await branchStore().save('main', report('r1'), meta(1));
    const e = await rejection(fork.save('main', report('r2'), meta(2)));
    expect(e).toBeInstanceOf(ReadOnlyTokenError);
    expect((e as ReadOnlyTokenError).request).toBe('PUT /repos/{owner}/{repo}/contents/{path}');
    expect(runIds(await fork.load('main', SCENARIO))).toEqual(['r1']);
  });

  it('retries a write GitHub answers 404 to, as when the data branch was removed in between', async () => {
    const store = branchStore();
    await store.save('main', report('r1'), meta(1));
    server.failNext('PUT /repos/{owner}/{repo}/contents/{path}', 404, `Branch ${DATA} not found`);
    await store.save('main', report('r2'), meta(2));
    expect(runIds(await store.load('main', SCENARIO))).toEqual(['r1', 'r2']);
    expect(waits).toEqual([250]);
  });

  it('reports another write failure as GH-E952 without retrying', async () => {
    server.failNext('PUT /repos/{owner}/{repo}/contents/{path}', 500, 'Server Error');
    const e = await rejection(branchStore().save('main', report('r1'), meta(1)));
    expect(e.code).toBe('GH-E952');
    expect(e.message).toContain('PUT /repos/{owner}/{repo}/contents/{path} failed with HTTP 500');
    expect(waits).toEqual([]);
  });

  it('reports a branch GitHub will not create as GH-E953', async () => {
    server.failNext('POST /repos/{owner}/{repo}/git/refs', 422, 'Reference update failed');
    const e = await rejection(branchStore().save('main', report('r1'), meta(1)));
    expect(e.code).toBe('GH-E953');
    expect(e.message).toContain(`could not create the baselines branch ${DATA} from main`);
  });

  it('commits as the given author and committer, on the data branch given', async () => {
    const bot = { name: 'GasHammer', email: 'gashammer@example.com' };
    await branchStore({ dataBranch: 'perf-data', author: bot, committer: bot }).save('main', report('r1'), meta(1));
    expect(server.files(OWNER, REPO, 'perf-data').has(FILE_PATH)).toBe(true);
    expect(server.requests.find((r) => r.method === 'PUT')?.body).toMatchObject({ branch: 'perf-data', author: bot, committer: bot });
  });

  it('refuses a scenario name or branch that cannot name a file before any request', async () => {
    expect((await rejection(branchStore().save('../x', report('r1'), meta(1)))).code).toBe('GH-E802');
    expect((await rejection(branchStore().load('main', '../etc'))).code).toBe('GH-E800');
    expect(server.requests).toEqual([]);
  });
});
