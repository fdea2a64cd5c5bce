// The GitHub API stand-in must refuse what GitHub's API description refuses, or the Action's
// tests that assert `specViolations` is empty prove nothing; and its stateful endpoints must
// behave as GitHub's do (pagination, stale writes, read-only tokens).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubApiServer, type GitHubApiServer } from './github-api-server.js';

let server: GitHubApiServer;

beforeEach(async () => {
  server = await startGitHubApiServer();
});

afterEach(async () => {
  await server.close();
});

interface Answer {
  readonly status: number;
  readonly body: any;
  readonly headers: Headers;
}

async function call(method: string, path: string, body?: unknown, token: string | null = 'ghs_test'): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `token ${token}`;
  const res = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const toBase64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('checking requests against the API description', () => {
  it('accepts a valid request and records it without a violation', async () => {
    const answer = await call('POST', '/repos/o/r/check-runs', { name: 'gate', head_sha: 'a'.repeat(40), status: 'in_progress' });
    expect(answer.status).toBe(201);
    expect(server.specViolations).toEqual([]);
    expect(server.requests).toEqual([
      expect.objectContaining({ method: 'POST', path: '/repos/o/r/check-runs', route: '/repos/{owner}/{repo}/check-runs', status: 201 }),
    ]);
  });

  it('refuses a path that is not in the API', async () => {
    const answer = await call('GET', '/repos/o/r/no-such-thing');
    expect(answer.status).toBe(400);
    expect(server.specViolations).toEqual([expect.objectContaining({ method: 'GET', path: '/repos/o/r/no-such-thing', reason: expect.stringContaining('no path') })]);
  });

  it('refuses a method the path does not have', async () => {
    const answer = await call('PUT', '/repos/o/r/issues/comments/1', { body: 'x' });
    expect(answer.status).toBe(400);
    expect(server.specViolations[0]?.reason).toContain('PUT is not an operation of /repos/{owner}/{repo}/issues/comments/{comment_id}');
  });

  it('refuses a body that breaks the operation schema', async () => {
    const answer = await call('POST', '/repos/o/r/check-runs', { name: 'gate', head_sha: 'abc', conclusion: 'bogus' });
    expect(answer.status).toBe(400);
    expect(server.specViolations[0]?.reason).toMatch(/\/conclusion must be equal to one of the allowed values/);
    expect(server.checkRuns()).toEqual([]);
  });

  it('refuses more than 50 annotations in one request, as the API description caps them', async () => {
    const annotation = { path: 'a.yaml', start_line: 1, end_line: 1, annotation_level: 'warning', message: 'm' };
    const output = { title: 't', summary: 's', annotations: Array.from({ length: 51 }, () => annotation) };
    const answer = await call('POST', '/repos/o/r/check-runs', { name: 'gate', head_sha: 'abc', output });
    expect(answer.status).toBe(400);
    expect(server.specViolations[0]?.reason).toContain('/output/annotations must NOT have more than 50 items');
  });

  it('refuses a missing required body, query parameter, or a mistyped path parameter', async () => {
    expect((await call('POST', '/repos/o/r/issues/1/comments')).status).toBe(400);
    expect((await call('GET', '/search/issues')).status).toBe(400);
    expect((await call('PATCH', '/repos/o/r/issues/comments/abc', { body: 'x' })).status).toBe(400);
    expect(server.specViolations.map((v) => v.reason)).toEqual([
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments needs a JSON body',
      "query of GET /search/issues: / must have required property 'q'",
      'path parameters of PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}: /comment_id must be integer',
    ]);
  });

  it('accepts null where the API description says nullable', async () => {
    // Valid by the spec, so not a violation; the stand-in simply does not simulate issue edits.
    const answer = await call('PATCH', '/repos/o/r/issues/1', { assignee: null });
    expect(answer.status).toBe(501);
    expect(server.specViolations).toEqual([]);
  });

  it('refuses a request without an Authorization header', async () => {
    const answer = await call('GET', '/repos/o/r', undefined, null);
    expect(answer.status).toBe(401);
    expect(server.specViolations[0]?.reason).toContain('Authorization');
  });
});

describe('issue comments', () => {
  const issue = { owner: 'o', repo: 'r', issueNumber: 7 };

  it('pages comments with a Link header like GitHub', async () => {
    server.seedComments(issue, 250);
    const page2 = await call('GET', '/repos/o/r/issues/7/comments?per_page=100&page=2');
    expect(page2.body).toHaveLength(100);
    expect(page2.body[0].body).toBe('comment 101 by octocat');
    const link = page2.headers.get('link') ?? '';
    expect(link).toContain(`<${server.url}/repos/o/r/issues/7/comments?per_page=100&page=3>; rel="next"`);
    expect(link).toContain('page=3>; rel="last"');
    expect(link).toContain('page=1>; rel="prev"');

    const page3 = await call('GET', '/repos/o/r/issues/7/comments?per_page=100&page=3');
    expect(page3.body).toHaveLength(50);
    expect(page3.headers.get('link')).not.toContain('rel="next"');
  });

  it('gives one page and no Link header when everything fits, 30 per page by default', async () => {
    server.seedComments(issue, 30);
    const answer = await call('GET', '/repos/o/r/issues/7/comments');
    expect(answer.body).toHaveLength(30);
    expect(answer.headers.get('link')).toBeNull();
  });

  it('creates and updates a comment, and 404s an unknown one', async () => {
    const created = await call('POST', '/repos/o/r/issues/7/comments', { body: 'first' });
    expect(created.status).toBe(201);
    expect(created.body.user.login).toBe('github-actions[bot]');
    const updated = await call('PATCH', `/repos/o/r/issues/comments/${created.body.id}`, { body: 'second' });
    expect(updated.status).toBe(200);
    expect(server.comments(issue).map((c) => c.body)).toEqual(['second']);
    expect((await call('PATCH', '/repos/o/r/issues/comments/999', { body: 'x' })).status).toBe(404);
  });
});

describe('check runs', () => {
  it('keeps every annotation across updates, and a conclusion completes the run', async () => {
    const annotation = { path: 'a.yaml', start_line: 1, end_line: 2, annotation_level: 'failure', message: 'm' };
    const created = await call('POST', '/repos/o/r/check-runs', { name: 'gate', head_sha: 'abc', status: 'in_progress', output: { title: 't', summary: 's', annotations: [annotation] } });
    await call('PATCH', `/repos/o/r/check-runs/${created.body.id}`, { conclusion: 'failure', output: { summary: 's2', annotations: [annotation, annotation] } });
    const [run] = server.checkRuns();
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure', headSha: 'abc', output: { title: 't', summary: 's2' } });
    expect(run?.annotations).toHaveLength(3);
  });

  it('refuses completed without a conclusion (422)', async () => {
    expect((await call('POST', '/repos/o/r/check-runs', { name: 'gate', head_sha: 'abc', status: 'completed' })).status).toBe(422);
  });
});

describe('contents and refs', () => {
  const put = (path: string, body: Record<string, unknown>): Promise<Answer> => call('PUT', `/repos/o/r/contents/${encodeURIComponent(path)}`, body);

  it('creates a file, reads it back by branch, and updates it with its blob sha', async () => {
    const created = await put('baselines/main/s.json', { message: 'add', content: toBase64('{"v":1}') });
    expect(created.status).toBe(201);
    // Git's blob id of the content (`git hash-object`), as GitHub reports it.
    expect(created.body.content.sha).toBe('5f8b795830acbab5961c1a28c76a7916c9631493');
    const read = await call('GET', `/repos/o/r/contents/${encodeURIComponent('baselines/main/s.json')}?ref=main`);
    expect(Buffer.from(read.body.content, 'base64').toString('utf8')).toBe('{"v":1}');
    expect(read.body.sha).toBe(created.body.content.sha);

    const updated = await put('baselines/main/s.json', { message: 'update', content: toBase64('{"v":2}'), sha: read.body.sha });
    expect(updated.status).toBe(200);
    expect(server.files('o', 'r', 'main').get('baselines/main/s.json')).toBe('{"v":2}');
  });

  it('answers 409 to a stale sha and 422 to a missing sha on an existing file', async () => {
    const first = await put('f.json', { message: 'add', content: toBase64('1') });
    server.writeFile({ owner: 'o', repo: 'r', branch: 'main', path: 'f.json', content: '2' });
    expect((await put('f.json', { message: 'u', content: toBase64('3'), sha: first.body.content.sha })).status).toBe(409);
    expect((await put('f.json', { message: 'u', content: toBase64('3') })).status).toBe(422);
    expect(server.files('o', 'r', 'main').get('f.json')).toBe('2');
  });

  it('404s a missing file, a missing ref and a PUT to a missing branch', async () => {
    expect((await call('GET', '/repos/o/r/contents/nope.json')).status).toBe(404);
    expect((await call('GET', '/repos/o/r/contents/nope.json?ref=nobranch')).status).toBe(404);
    expect((await put('x.json', { message: 'm', content: toBase64('x'), branch: 'nobranch' })).status).toBe(404);
    expect(server.specViolations).toEqual([]);
  });

  it('creates a branch ref once, then 422s; reads it back with a raw or encoded slash', async () => {
    const sha = server.branchSha('o', 'r', 'main');
    expect((await call('GET', '/repos/o/r/git/ref/heads%2Fdata')).status).toBe(404);
    expect((await call('POST', '/repos/o/r/git/refs', { ref: 'refs/heads/data', sha })).status).toBe(201);
    expect((await call('POST', '/repos/o/r/git/refs', { ref: 'refs/heads/data', sha })).status).toBe(422);
    expect((await call('GET', '/repos/o/r/git/ref/heads/data')).body.object.sha).toBe(sha);
    expect((await call('GET', '/repos/o/r/git/ref/heads%2Fdata')).body.ref).toBe('refs/heads/data');
    expect((await call('GET', '/repos/o/r')).body.default_branch).toBe('main');
    expect(server.specViolations).toEqual([]);
  });
});

describe('test controls', () => {
  it('a read-only token may read but every write gets 403 Resource not accessible by integration', async () => {
    server.makeReadOnly('ghs_fork');
    expect((await call('GET', '/repos/o/r', undefined, 'ghs_fork')).status).toBe(200);
    const answer = await call('POST', '/repos/o/r/issues/7/comments', { body: 'x' }, 'ghs_fork');
    expect(answer.status).toBe(403);
    expect(answer.body.message).toBe('Resource not accessible by integration');
    expect(server.comments({ owner: 'o', repo: 'r', issueNumber: 7 })).toEqual([]);
  });

  it('failNext fails the next matching request once', async () => {
    server.failNext('GET /repos/{owner}/{repo}', 502, 'Bad Gateway');
    expect((await call('GET', '/repos/o/r')).status).toBe(502);
    expect((await call('GET', '/repos/o/r')).status).toBe(200);
  });

  it('beforeNext runs a hook once before the matching request, e.g. another writer', async () => {
    const first = await call('PUT', '/repos/o/r/contents/f.json', { message: 'add', content: toBase64('1') });
    server.beforeNext('PUT /repos/{owner}/{repo}/contents/{path}', () => {
      server.writeFile({ owner: 'o', repo: 'r', branch: 'main', path: 'f.json', content: 'other' });
    });
    const body = { message: 'u', content: toBase64('mine'), sha: first.body.content.sha };
    expect((await call('PUT', '/repos/o/r/contents/f.json', body)).status).toBe(409);
    const fresh = await call('GET', '/repos/o/r/contents/f.json');
    expect((await call('PUT', '/repos/o/r/contents/f.json', { ...body, sha: fresh.body.sha })).status).toBe(200);
  });

  it('refuses to register a control for a route that is not in the API', () => {
    expect(() => server.failNext('GET /repos/{owner}/{repo}/nope', 500)).toThrow(/not an operation/);
  });
});
