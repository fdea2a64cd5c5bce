// The workflow context from the runner's environment and the event payload fixtures: the commit
// results belong to (a pull request's head, not the merge commit), fork detection, the run link,
// and GH-E951 naming what is missing or why the event does not fit.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertEventFitsMode, readGitHubContext, type GitHubContext, type ReadTextFile } from '../../src/action/github-context.js';
import { isGasHammerError, type GasHammerError } from '../../src/errors/gashammer-error.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/github-events/', import.meta.url));
const MERGE_SHA = 'c4e8a1f2b3d4c5e6f7a8b9c0d1e2f3a4b5c6d7e8';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')) as Record<string, unknown>;
}

/** The runner's variables for an event whose payload sits at GITHUB_EVENT_PATH. */
function runnerEnv(eventName: string, eventPath: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'rollup-labs/nitro-stack',
    GITHUB_SHA: MERGE_SHA,
    GITHUB_REF: 'refs/pull/42/merge',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_RUN_ID: '15370294881',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_STEP_SUMMARY: '/home/runner/work/_temp/_runner_file_commands/step_summary_1',
    RUNNER_OS: 'Linux',
    ...extra,
  };
}

/** A context read from a fixture file on disk, with the real readFileSync. */
function fromFixture(eventName: string, name: string, extra: Record<string, string | undefined> = {}): GitHubContext {
  return readGitHubContext(runnerEnv(eventName, `${FIXTURES}${name}.json`, extra), readFileSync);
}

/** A context read from a payload held in memory. */
function fromPayload(eventName: string, payload: unknown, extra: Record<string, string | undefined> = {}): GitHubContext {
  const read: ReadTextFile = (path) => {
    if (path !== '/event.json') throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return JSON.stringify(payload);
  };
  return readGitHubContext(runnerEnv(eventName, '/event.json', extra), read);
}

function errorOf(run: () => unknown): GasHammerError {
  try {
    run();
  } catch (err) {
    if (isGasHammerError(err)) return err;
    throw err;
  }
  throw new Error('no error was thrown');
}

/** A deep copy of a fixture with one field changed (or removed, with undefined). */
function edited(name: string, path: string, value: unknown): Record<string, unknown> {
  const payload = fixture(name);
  const keys = path.split('.');
  let node = payload as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[keys.at(-1)!];
  else node[keys.at(-1)!] = value;
  return payload;
}

describe('readGitHubContext: pull_request', () => {
  it('takes the head SHA from the payload, not GITHUB_SHA (the merge commit)', () => {
    const ctx = fromFixture('pull_request', 'pull_request');
    expect(ctx.headSha).toBe('9f3c2e1d0b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e');
    expect(ctx.sha).toBe(MERGE_SHA);
    expect(ctx.headSha).not.toBe(ctx.sha);
  });

  it('reads the pull request: number, branches, repositories; same repository is no fork', () => {
    const ctx = fromFixture('pull_request', 'pull_request');
    expect(ctx.eventName).toBe('pull_request');
    expect(ctx.event).toEqual({
      kind: 'pull_request',
      name: 'pull_request',
      number: 42,
      headSha: '9f3c2e1d0b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e',
      headRef: 'batch-poster-limit',
      headRepoFullName: 'rollup-labs/nitro-stack',
      baseBranch: 'main',
      baseSha: '4e1f2a9c7b3d5e8f0a6c2b9d1e4f7a3c5b8d0e2f',
      baseRepoFullName: 'rollup-labs/nitro-stack',
      isFork: false,
    });
    expect(ctx.baseBranch).toBe('main');
    expect(ctx.defaultBranch).toBe('main');
  });

  it('reads the runner: repository, URLs, run, summary file, OS', () => {
    const ctx = fromFixture('pull_request', 'pull_request');
    expect(ctx.repository).toEqual({ owner: 'rollup-labs', name: 'nitro-stack', fullName: 'rollup-labs/nitro-stack' });
    expect(ctx.serverUrl).toBe('https://github.com');
    expect(ctx.apiUrl).toBe('https://api.github.com');
    expect(ctx.runId).toBe(15370294881);
    expect(ctx.runAttempt).toBe(1);
    expect(ctx.ref).toBe('refs/pull/42/merge');
    expect(ctx.stepSummaryPath).toBe('/home/runner/work/_temp/_runner_file_commands/step_summary_1');
    expect(ctx.runnerOs).toBe('Linux');
  });

  it('links the run at its attempt, on the server the runner names', () => {
    expect(fromFixture('pull_request', 'pull_request', { GITHUB_RUN_ATTEMPT: '3' }).runUrl).toBe(
      'https://github.com/rollup-labs/nitro-stack/actions/runs/15370294881/attempts/3',
    );
    const ghes = fromFixture('pull_request', 'pull_request', { GITHUB_SERVER_URL: 'https://git.corp.example/', GITHUB_API_URL: 'https://git.corp.example/api/v3' });
    expect(ghes.runUrl).toBe('https://git.corp.example/rollup-labs/nitro-stack/actions/runs/15370294881/attempts/1');
    expect(ghes.apiUrl).toBe('https://git.corp.example/api/v3');
  });

  it('defaults to github.com, attempt 1, and no summary file when the runner does not say', () => {
    const ctx = fromFixture('pull_request', 'pull_request', {
      GITHUB_SERVER_URL: undefined,
      GITHUB_API_URL: undefined,
      GITHUB_RUN_ATTEMPT: undefined,
      GITHUB_STEP_SUMMARY: undefined,
      RUNNER_OS: undefined,
    });
    expect(ctx.serverUrl).toBe('https://github.com');
    expect(ctx.apiUrl).toBe('https://api.github.com');
    expect(ctx.runAttempt).toBe(1);
    expect(ctx.stepSummaryPath).toBeUndefined();
    expect(ctx.runnerOs).toBeUndefined();
  });

  it('detects a pull request from a fork', () => {
    const ctx = fromFixture('pull_request', 'pull_request-fork');
    expect(ctx.event).toMatchObject({ kind: 'pull_request', number: 57, isFork: true, headRepoFullName: 'outside-contributor/nitro-stack', baseRepoFullName: 'rollup-labs/nitro-stack' });
    expect(ctx.headSha).toBe('2d7b9e4a6c1f3d5b8e0a2c4f6b8d0e2a4c6f8b0d');
  });

  it('counts a pull request whose fork was deleted (head.repo null) as a fork', () => {
    const ctx = fromPayload('pull_request', edited('pull_request-fork', 'pull_request.head.repo', null));
    expect(ctx.event).toMatchObject({ isFork: true, headRepoFullName: null });
  });

  it('compares repository names without regard to case, as GitHub does', () => {
    const ctx = fromPayload('pull_request', edited('pull_request', 'pull_request.head.repo.full_name', 'Rollup-Labs/Nitro-Stack'));
    expect(ctx.event).toMatchObject({ isFork: false });
  });

  it('reads pull_request_target the same way', () => {
    const ctx = fromFixture('pull_request_target', 'pull_request-fork');
    expect(ctx.event).toMatchObject({ kind: 'pull_request', name: 'pull_request_target', number: 57, isFork: true });
    expect(ctx.headSha).toBe('2d7b9e4a6c1f3d5b8e0a2c4f6b8d0e2a4c6f8b0d');
  });
});

describe('readGitHubContext: push, merge_group, workflow_run', () => {
  it('reads a push to the default branch', () => {
    const ctx = fromFixture('push', 'push', { GITHUB_REF: 'refs/heads/main' });
    expect(ctx.event).toEqual({ kind: 'push', ref: 'refs/heads/main', branch: 'main', sha: MERGE_SHA, defaultBranch: 'main', isDefaultBranch: true });
    expect(ctx.headSha).toBe(MERGE_SHA);
    expect(ctx.baseBranch).toBe('main');
  });

  it('reads a push to another branch, and a tag push, as not the default branch', () => {
    const branch = fromPayload('push', edited('push', 'ref', 'refs/heads/release/v2'));
    expect(branch.event).toMatchObject({ branch: 'release/v2', isDefaultBranch: false });
    const tag = fromPayload('push', edited('push', 'ref', 'refs/tags/v1.4.0'));
    expect(tag.event).toMatchObject({ branch: null, isDefaultBranch: false });
    expect(tag.baseBranch).toBeNull();
  });

  it('reads a merge group: its head commit and the base branch without refs/heads/', () => {
    const ctx = fromFixture('merge_group', 'merge_group', { GITHUB_SHA: 'e7d1c3b5a9f2e4d6c8b0a1f3e5d7c9b2a4f6e8d0' });
    expect(ctx.event).toEqual({
      kind: 'merge_group',
      headSha: 'e7d1c3b5a9f2e4d6c8b0a1f3e5d7c9b2a4f6e8d0',
      headRef: 'refs/heads/gh-readonly-queue/main/pr-42-4e1f2a9c7b3d5e8f0a6c2b9d1e4f7a3c5b8d0e2f',
      baseBranch: 'main',
      baseSha: '4e1f2a9c7b3d5e8f0a6c2b9d1e4f7a3c5b8d0e2f',
    });
    expect(ctx.headSha).toBe('e7d1c3b5a9f2e4d6c8b0a1f3e5d7c9b2a4f6e8d0');
    expect(ctx.baseBranch).toBe('main');
  });

  it('reads the triggering run of a workflow_run: its id, attempt, head, event and pull request', () => {
    const ctx = fromFixture('workflow_run', 'workflow_run', { GITHUB_RUN_ID: '15370399012' });
    expect(ctx.event).toEqual({
      kind: 'workflow_run',
      runId: 15370294881,
      runAttempt: 2,
      headSha: '9f3c2e1d0b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e',
      headBranch: 'batch-poster-limit',
      event: 'pull_request',
      conclusion: 'failure',
      pullRequestNumber: 42,
      baseBranch: 'main',
      headRepoFullName: 'rollup-labs/nitro-stack',
      isFork: false,
    });
    expect(ctx.headSha).toBe('9f3c2e1d0b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e');
    expect(ctx.runId).toBe(15370399012);
  });

  it('reads a workflow_run from a fork, where GitHub lists no pull request', () => {
    const payload = edited('workflow_run', 'workflow_run.pull_requests', []);
    (payload['workflow_run'] as { head_repository: { full_name: string } }).head_repository.full_name = 'outside-contributor/nitro-stack';
    const ctx = fromPayload('workflow_run', payload);
    expect(ctx.event).toMatchObject({ pullRequestNumber: null, baseBranch: null, isFork: true, headRepoFullName: 'outside-contributor/nitro-stack' });
  });
});

describe('readGitHubContext: problems', () => {
  it('refuses an unsupported event, naming the supported ones', () => {
    const err = errorOf(() => fromPayload('schedule', { schedule: '0 3 * * *' }));
    expect(err.code).toBe('GH-E951');
    expect(err.shortMessage).toBe('the "schedule" event is not supported');
    expect(err.details).toBe('The Action runs on pull_request, pull_request_target, push, merge_group, workflow_run (workflow_run with mode: publish).');
  });

  const missing: [string, string, string, RegExp][] = [
    ['pull_request', 'pull_request', 'pull_request.head.sha', /pull_request\.head\.sha: is missing\n {2}expected: a commit SHA/],
    ['pull_request', 'pull_request', 'pull_request.number', /pull_request\.number: is missing\n {2}expected: a positive whole number/],
    ['pull_request', 'pull_request', 'pull_request.base.ref', /pull_request\.base\.ref: is missing/],
    ['push', 'push', 'after', /after: is missing\n {2}expected: a commit SHA/],
    ['push', 'push', 'repository.default_branch', /repository\.default_branch: is missing/],
    ['merge_group', 'merge_group', 'merge_group.head_sha', /merge_group\.head_sha: is missing/],
    ['merge_group', 'merge_group', 'merge_group.base_ref', /merge_group\.base_ref: is missing/],
    ['workflow_run', 'workflow_run', 'workflow_run.id', /workflow_run\.id: is missing/],
    ['workflow_run', 'workflow_run', 'workflow_run.head_sha', /workflow_run\.head_sha: is missing/],
  ];
  for (const [event, name, path, pattern] of missing) {
    it(`names ${path} when a ${event} payload lacks it`, () => {
      const err = errorOf(() => fromPayload(event, edited(name, path, undefined)));
      expect(err.code).toBe('GH-E951');
      expect(err.diagnostics.map((d) => d.path)).toEqual([path]);
      expect(err.shortMessage).toBe(`1 problem in the ${event} event payload: ${path}`);
      expect(err.render()).toMatch(pattern);
    });
  }

  it('names a malformed field with its value, and every bad field at once', () => {
    const payload = edited('pull_request', 'pull_request.head.sha', 'not-a-sha');
    (payload['pull_request'] as Record<string, unknown>)['number'] = '42';
    const err = errorOf(() => fromPayload('pull_request', payload));
    expect(err.diagnostics.map((d) => d.path)).toEqual(['pull_request.number', 'pull_request.head.sha']);
    expect(err.render()).toContain('pull_request.head.sha: is "not-a-sha"');
    expect(err.render()).toContain('pull_request.number: is "42"');
  });

  it('refuses a merge group base that is not a branch ref', () => {
    const err = errorOf(() => fromPayload('merge_group', edited('merge_group', 'merge_group.base_ref', 'main')));
    expect(err.render()).toMatch(/merge_group\.base_ref: is "main"\n {2}expected: a branch ref \(refs\/heads\/NAME\)/);
  });

  it('names the runner variables that are missing or malformed', () => {
    const err = errorOf(() => fromFixture('pull_request', 'pull_request', { GITHUB_REPOSITORY: 'no-slash', GITHUB_SHA: undefined, GITHUB_RUN_ID: 'abc' }));
    expect(err.code).toBe('GH-E951');
    expect(err.diagnostics.map((d) => d.path)).toEqual(['GITHUB_REPOSITORY', 'GITHUB_SHA', 'GITHUB_RUN_ID']);
    expect(err.render()).toContain('GITHUB_SHA: is not set');
  });

  it('names GITHUB_EVENT_NAME and GITHUB_EVENT_PATH when they are not set', () => {
    expect(errorOf(() => readGitHubContext({}, readFileSync)).diagnostics.map((d) => d.path)).toEqual(['GITHUB_EVENT_NAME']);
    const err = errorOf(() => fromFixture('push', 'push', { GITHUB_EVENT_PATH: undefined }));
    expect(err.diagnostics.map((d) => d.path)).toEqual(['GITHUB_EVENT_PATH']);
  });

  it('says when the payload file cannot be read or is not a JSON object', () => {
    const unreadable = errorOf(() => fromFixture('push', 'push', { GITHUB_EVENT_PATH: `${FIXTURES}absent.json` }));
    expect(unreadable.render()).toContain('the event payload cannot be read (ENOENT)');
    const notJson = errorOf(() => readGitHubContext(runnerEnv('push', '/e.json'), () => '{"ref": '));
    expect(notJson.render()).toContain('the event payload is not JSON');
    const notObject = errorOf(() => readGitHubContext(runnerEnv('push', '/e.json'), () => '[1, 2]'));
    expect(notObject.render()).toContain('the event payload is [1,2], not a JSON object');
  });
});

describe('assertEventFitsMode', () => {
  it('lets run mode run on pull requests, pushes and merge groups, and publish on workflow_run', () => {
    expect(() => assertEventFitsMode(fromFixture('pull_request', 'pull_request'), 'run')).not.toThrow();
    expect(() => assertEventFitsMode(fromFixture('push', 'push'), 'run')).not.toThrow();
    expect(() => assertEventFitsMode(fromFixture('merge_group', 'merge_group'), 'run')).not.toThrow();
    expect(() => assertEventFitsMode(fromFixture('workflow_run', 'workflow_run'), 'publish')).not.toThrow();
  });

  it('refuses publish outside workflow_run, and run on workflow_run, with GH-E951', () => {
    const publish = errorOf(() => assertEventFitsMode(fromFixture('pull_request', 'pull_request'), 'publish'));
    expect(publish.code).toBe('GH-E951');
    expect(publish.shortMessage).toBe('mode publish does not run on the pull_request event');
    expect(publish.hint).toContain('workflow_run');
    const run = errorOf(() => assertEventFitsMode(fromFixture('workflow_run', 'workflow_run'), 'run'));
    expect(run.shortMessage).toBe('mode run does not run on the workflow_run event');
  });
});
