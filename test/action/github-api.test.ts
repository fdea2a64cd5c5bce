// The Action's GitHub calls against the local API stand-in, which refuses anything GitHub's API
// description refuses: every test ends with no spec violation.

import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CHECK_OUTPUT_LIMIT,
  COMMENT_BODY_LIMIT,
  GitHubApi,
  JOB_SUMMARY_LIMIT_BYTES,
  ReadOnlyTokenError,
  commentMarker,
  writeJobSummary,
  type CheckAnnotation,
  type CheckConclusion,
} from '../../src/action/github-api.js';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { startGitHubApiServer, type GitHubApiServer } from '../support/github-api-server.js';

const TOKEN = 'ghs_s3cretT0kenValue';
const HEAD_SHA = 'c0ffee'.padEnd(40, '0');
const repo = { owner: 'acme', repo: 'rollup' };
const issue = { ...repo, issueNumber: 42 };

let server: GitHubApiServer;
let api: GitHubApi;

beforeEach(async () => {
  server = await startGitHubApiServer();
  api = new GitHubApi({ token: TOKEN, baseUrl: server.url });
});

afterEach(async () => {
  expect(server.specViolations).toEqual([]);
  await server.close();
});

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('commentMarker', () => {
  it('is a hidden HTML comment, one per scenario and check name', () => {
    const marker = commentMarker('scenarios/erc20-burst.yaml', 'GasHammer');
    expect(marker).toMatch(/^<!-- gashammer:.* -->$/);
    expect(commentMarker('scenarios/erc20-burst.yaml', 'GasHammer')).toBe(marker);
    expect(commentMarker('scenarios/other.yaml', 'GasHammer')).not.toBe(marker);
    expect(commentMarker('scenarios/erc20-burst.yaml', 'nightly')).not.toBe(marker);
  });

  it('cannot be closed early by a value holding -->', () => {
    const marker = commentMarker('a --> b', 'c');
    expect(marker.indexOf('-->')).toBe(marker.length - 3);
  });
});

describe('upsertComment', () => {
  const marker = commentMarker('scenarios/transfer.yaml', 'GasHammer');

  it('creates the comment, then edits it instead of adding another', async () => {
    const first = await api.upsertComment({ ...issue, marker, body: 'verdict: FAIL' });
    const second = await api.upsertComment({ ...issue, marker, body: 'verdict: PASS' });
    expect(first.action).toBe('created');
    expect(second).toEqual({ action: 'updated', id: first.id, url: first.url });
    expect(server.comments(issue).map((c) => c.body)).toEqual([`${marker}\nverdict: PASS`]);
  });

  it('finds its comment on page 3 behind 250 comments by others', async () => {
    server.seedComments(issue, 250);
    const first = await api.upsertComment({ ...issue, marker, body: 'run 1' });
    const second = await api.upsertComment({ ...issue, marker, body: 'run 2' });
    expect(second.action).toBe('updated');
    expect(second.id).toBe(first.id);
    const comments = server.comments(issue);
    expect(comments).toHaveLength(251);
    expect(comments.filter((c) => c.body.includes(marker))).toHaveLength(1);
    const pagesRead = server.requests.filter((r) => r.method === 'GET').map((r) => r.query.page ?? '1');
    expect(pagesRead).toEqual(['1', '2', '3', '1', '2', '3']);
  });

  it('leaves the comment of another scenario alone', async () => {
    const other = commentMarker('scenarios/other.yaml', 'GasHammer');
    server.seedComments(issue, [`${other}\nother verdict`], 'github-actions[bot]');
    const result = await api.upsertComment({ ...issue, marker, body: 'mine' });
    expect(result.action).toBe('created');
    expect(server.comments(issue).map((c) => c.body)).toEqual([`${other}\nother verdict`, `${marker}\nmine`]);
  });

  it('cuts a body over GitHub\'s limit and says so, keeping the marker', async () => {
    await api.upsertComment({ ...issue, marker, body: 'x'.repeat(COMMENT_BODY_LIMIT + 5_000) });
    const [stored] = server.comments(issue);
    expect(stored?.body.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT);
    expect(stored?.body.startsWith(`${marker}\n`)).toBe(true);
    expect(stored?.body).toContain('This comment was cut here');
  });

  it('refuses a marker that is not an HTML comment, which would match any comment', async () => {
    server.seedComments(issue, 1);
    const error = await caught(api.upsertComment({ ...issue, marker: '', body: 'x' }));
    expect(error).toBeInstanceOf(GasHammerError);
    expect((error as GasHammerError).code).toBe('GH-E004');
    expect(server.comments(issue)[0]?.body).toBe('comment 1 by octocat');
  });
});

describe('check runs', () => {
  const annotation = (i: number): CheckAnnotation => ({
    path: 'scenarios/transfer.yaml',
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: 'failure',
    title: `regression ${i}`,
    message: `p99 inclusion rose (${i})`,
  });

  it('creates the run in_progress on the head SHA, then concludes it', async () => {
    const id = await api.startCheckRun({ ...repo, headSha: HEAD_SHA, name: 'GasHammer', detailsUrl: 'https://example.test/run/1', title: 'Running', summary: 'Load test under way' });
    expect(server.checkRuns()).toEqual([expect.objectContaining({ id, headSha: HEAD_SHA, name: 'GasHammer', status: 'in_progress', conclusion: null, detailsUrl: 'https://example.test/run/1' })]);

    await api.completeCheckRun({ ...repo, id, conclusion: 'failure', title: 'FAIL', summary: 'two regressions', text: 'details' });
    expect(server.checkRuns()[0]).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 'FAIL', summary: 'two regressions', text: 'details' } });
    expect(server.checkRuns()[0]?.annotations).toEqual([]);
  });

  it('sends 120 annotations whole, at most 50 a request, with the conclusion first', async () => {
    const id = await api.startCheckRun({ ...repo, headSha: HEAD_SHA, name: 'GasHammer', title: 'Running', summary: '...' });
    const annotations = Array.from({ length: 120 }, (_, i) => annotation(i));
    await api.completeCheckRun({ ...repo, id, conclusion: 'failure', title: 'FAIL', summary: 's', text: 't', annotations });

    const updates = server.requests.filter((r) => r.method === 'PATCH').map((r) => r.body as { conclusion?: string; output: { annotations?: unknown[]; text?: string } });
    expect(updates.map((u) => u.output.annotations?.length)).toEqual([50, 50, 20]);
    for (const u of updates) expect(u.output.annotations?.length ?? 0).toBeLessThanOrEqual(50);
    expect(updates.map((u) => u.conclusion)).toEqual(['failure', undefined, undefined]);
    // Each request carries the whole output, so none erases the text.
    expect(updates.every((u) => u.output.text === 't')).toBe(true);
    expect(server.checkRuns()[0]?.annotations).toEqual(annotations);
  });

  it('cuts a summary and text over 65,535 characters and says so', async () => {
    const long = 'y'.repeat(CHECK_OUTPUT_LIMIT + 1);
    const id = await api.startCheckRun({ ...repo, headSha: HEAD_SHA, name: 'GasHammer', title: 'Running', summary: long });
    expect(server.checkRuns()[0]?.output.summary).toContain('This summary was cut here');
    await api.completeCheckRun({ ...repo, id, conclusion: 'success', title: 'PASS', summary: long, text: `${long}😀` });
    const { output } = server.checkRuns()[0] ?? { output: undefined };
    expect(output?.summary?.length).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    expect(output?.text?.length).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    expect(output?.summary).toMatch(/This summary was cut here: it had 65,536 characters and GitHub takes at most 65,535/);
    expect(output?.text).toContain('This text was cut here');
  });

  it('does not let a FAIL be neutral', () => {
    // @ts-expect-error a neutral check passes required status checks
    const neutral: CheckConclusion = 'neutral';
    expect(neutral).toBe('neutral');
  });
});

describe('failures', () => {
  it('a read-only token gives ReadOnlyTokenError, for a comment and for a check run', async () => {
    server.makeReadOnly(TOKEN);
    const comment = await caught(api.upsertComment({ ...issue, marker: commentMarker('s', 'c'), body: 'x' }));
    expect(comment).toBeInstanceOf(ReadOnlyTokenError);
    expect((comment as ReadOnlyTokenError).request).toBe('POST /repos/{owner}/{repo}/issues/{issue_number}/comments');
    expect((comment as ReadOnlyTokenError).code).toBe('GH-E952');
    const check = await caught(api.startCheckRun({ ...repo, headSha: HEAD_SHA, name: 'GasHammer', title: 't', summary: 's' }));
    expect(check).toBeInstanceOf(ReadOnlyTokenError);
    expect(server.comments(issue)).toEqual([]);
    expect(server.checkRuns()).toEqual([]);
  });

  it('a 403 for another reason is not taken for a read-only token', async () => {
    server.failNext('POST /repos/{owner}/{repo}/check-runs', 403, 'API rate limit exceeded');
    const error = await caught(api.startCheckRun({ ...repo, headSha: HEAD_SHA, name: 'GasHammer', title: 't', summary: 's' }));
    expect(error).not.toBeInstanceOf(ReadOnlyTokenError);
    expect((error as GasHammerError).message).toContain('HTTP 403: API rate limit exceeded');
  });

  it('a 500 gives GH-E952 naming the request and status, never the token', async () => {
    server.failNext('POST /repos/{owner}/{repo}/check-runs', 500, 'Server Error');
    const error = await caught(api.startCheckRun({ ...repo, headSha: HEAD_SHA, name: 'GasHammer', title: 't', summary: 's' }));
    expect(error).toBeInstanceOf(GasHammerError);
    expect(error).not.toBeInstanceOf(ReadOnlyTokenError);
    const e = error as GasHammerError;
    expect(e.code).toBe('GH-E952');
    expect(e.message).toBe('GH-E952 GitHub API request POST /repos/{owner}/{repo}/check-runs failed with HTTP 500: Server Error');
    expect(e.render()).not.toContain(TOKEN);
    // Nor anywhere in the error, its cause included.
    expect(inspect(e, { depth: 10 })).not.toContain(TOKEN);
  });

  it('a failure while reading the comments names the list request', async () => {
    server.failNext('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', 502, 'Bad Gateway');
    const error = await caught(api.upsertComment({ ...issue, marker: commentMarker('s', 'c'), body: 'x' }));
    expect((error as GasHammerError).message).toContain('GET /repos/{owner}/{repo}/issues/{issue_number}/comments failed with HTTP 502');
    expect(server.comments(issue)).toEqual([]);
  });

  it('an API that does not answer gives GH-E952', async () => {
    const gone = await startGitHubApiServer();
    await gone.close();
    const error = await caught(new GitHubApi({ token: TOKEN, baseUrl: gone.url }).startCheckRun({ ...repo, headSha: HEAD_SHA, name: 'n', title: 't', summary: 's' }));
    expect((error as GasHammerError).code).toBe('GH-E952');
    expect((error as GasHammerError).message).toMatch(/POST \/repos\/\{owner\}\/\{repo\}\/check-runs got no answer/);
    expect(inspect(error, { depth: 10 })).not.toContain(TOKEN);
  });
});

describe('writeJobSummary', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gashammer-summary-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends the Markdown whole when it fits', async () => {
    const file = join(dir, 'summary.md');
    await writeFile(file, 'before\n');
    expect(await writeJobSummary(file, '## PASS')).toEqual({ bytes: 8, truncated: false });
    expect(await readFile(file, 'utf8')).toBe('before\n## PASS\n');
  });

  it('cuts what would take the file over 1 MiB, with a note, on a character boundary', async () => {
    const file = join(dir, 'summary.md');
    await writeFile(file, 'a'.repeat(1000));
    const result = await writeJobSummary(file, '€'.repeat(JOB_SUMMARY_LIMIT_BYTES));
    expect(result.truncated).toBe(true);
    expect((await stat(file)).size).toBeLessThanOrEqual(JOB_SUMMARY_LIMIT_BYTES);
    const written = await readFile(file, 'utf8');
    expect(written).not.toContain('\uFFFD');
    expect(written).toContain('This summary was cut here');
  });

  it('writes nothing when the file is already full', async () => {
    const file = join(dir, 'summary.md');
    await writeFile(file, 'a'.repeat(JOB_SUMMARY_LIMIT_BYTES - 10));
    expect(await writeJobSummary(file, 'more')).toEqual({ bytes: 4 + 1, truncated: false });
    expect(await writeJobSummary(file, 'x'.repeat(100))).toEqual({ bytes: 0, truncated: true });
    expect((await stat(file)).size).toBeLessThanOrEqual(JOB_SUMMARY_LIMIT_BYTES);
  });

  it('an unwritable summary file is GH-E005 naming it', async () => {
    const error = await caught(writeJobSummary(dir, 'x'));
    expect((error as GasHammerError).code).toBe('GH-E005');
    expect((error as GasHammerError).message).toContain(dir);
  });
});
