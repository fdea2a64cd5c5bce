// The Action's entry run in-process, as the runner runs it: INPUT_* and GITHUB_* variables and
// event payload fixtures, the scenario played for real on the embedded devnet with edge
// processes over gRPC, and every GitHub API request sent to a local server that checks it
// against GitHub's published OpenAPI description. The artifact service is GitHub's own backend
// and cannot run here: tests that upload use a recording uploader and say so in their names.
//
// The story, in order: a push to main saves the first baseline; a pull request compares with it,
// gets its check run on the head commit (not the merge commit) and one comment; publishing the
// same results again (workflow_run, as for a fork) edits that comment instead of adding one; a
// FAIL fails the step and splits its 140 annotations into batches of 50; a fork's read-only token
// falls back to the job summary.

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionMain, type ActionEnv } from '../../src/action/main.js';
import type { ArtifactUploader } from '../../src/action/run-action.js';
import { parseBaselineFile } from '../../src/baseline/baseline-file.js';
import type { RunReportV2 } from '../../src/report/report-types.js';
import { reportFail } from '../report/fixtures/reports.js';
import { startGitHubApiServer, type GitHubApiServer } from '../support/github-api-server.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/github-events');
const OWNER = 'rollup-labs';
const REPO = 'nitro-stack';
const TOKEN = 'ghs_testtoken0123456789abcdefABCDEF';
const PR_HEAD = '9f3c2e1d0b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e';
const MERGE_SHA = 'aaaabbbbccccddddeeeeffff0000111122223333';
const PUSH_SHA = 'c4e8a1f2b3d4c5e6f7a8b9c0d1e2f3a4b5c6d7e8';
const FORK_HEAD = '2d7b9e4a6c1f3d5b8e0a2c4f6b8d0e2a4c6f8b0d';

const SCENARIO = `name: action-gate
description: a short load for the Action's tests
version: "1"
target: devnet
edges: {count: 1, accounts_per_edge: 4}
workload:
  seed: 3
  templates: [{name: simple-transfer, weight: 1}]
phases:
  - {name: steady, duration_secs: 3, gas_rate_override: {type: sustained, gas_per_sec: 300_000}}
oracle:
  invariants: [balance-conservation, nonce-monotonicity, gas-accounting]
gate:
  thresholds:
    - error_rate < 0.5
`;

let server: GitHubApiServer;
let workspace: string;
const uploads: { name: string; files: readonly string[] }[] = [];

/** Records what would be uploaded; GitHub's artifact service is not reachable here. */
const recordingUploader: ArtifactUploader = {
  upload: async (name, files) => {
    uploads.push({ name, files });
    return { id: uploads.length, url: `https://github.com/${OWNER}/${REPO}/actions/runs/1/artifacts/${uploads.length}` };
  },
};

interface Step {
  readonly code: number;
  readonly log: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/** Parses the GITHUB_OUTPUT heredoc file. */
function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}

let stepNumber = 0;

async function step(event: string, payload: string | object, inputs: Record<string, string>, extra: ActionEnv = {}): Promise<Step> {
  const dir = join(workspace, '.steps', String(++stepNumber));
  mkdirSync(dir, { recursive: true });
  const eventPath = join(dir, 'event.json');
  if (typeof payload === 'string') copyFileSync(join(FIXTURES, payload), eventPath);
  else writeFileSync(eventPath, JSON.stringify(payload));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: ActionEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    'INPUT_GITHUB-TOKEN': TOKEN,
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_SHA: event === 'push' ? PUSH_SHA : MERGE_SHA,
    GITHUB_REF: event === 'push' ? 'refs/heads/main' : 'refs/pull/42/merge',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: server.url,
    GITHUB_RUN_ID: String(1000 + stepNumber),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: dir,
    ...extra,
  };
  let log = '';
  const code = await actionMain(env, { artifacts: recordingUploader, write: (line) => (log += line) });
  return { code, log, outputs: readOutputs(outputFile), summary: readFileSync(summaryFile, 'utf8') };
}

const runInputs = (out: string): Record<string, string> => ({ scenario: 'scenarios/gate.yaml', target: 'devnet', out });

beforeAll(async () => {
  server = await startGitHubApiServer();
  workspace = mkdtempSync(join(tmpdir(), 'gashammer-action-'));
  mkdirSync(join(workspace, 'scenarios'));
  writeFileSync(join(workspace, 'scenarios', 'gate.yaml'), SCENARIO);
  server.seedPullRequest({ owner: OWNER, repo: REPO, number: 42, headSha: PR_HEAD });
  server.seedPullRequest({ owner: OWNER, repo: REPO, number: 57, headSha: FORK_HEAD });
});

afterAll(async () => {
  expect(server.specViolations).toEqual([]);
  await server.close();
  rmSync(workspace, { recursive: true, force: true });
});

describe('the Action on the embedded devnet', () => {
  it('push to the default branch: runs, saves a baseline with its testbed in the checkout, concludes a check on the pushed commit (artifact service mocked)', async () => {
    const s = await step('push', 'push.json', runInputs('out-push'));
    // The runner is told to mask the token; nothing else in the log shows it.
    expect(s.log).toContain(`::add-mask::${TOKEN}`);
    expect(s.log.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    expect(s.code).toBe(0);
    expect(s.outputs.verdict).toBe('pass');
    expect(Number(s.outputs['p99-inclusion-ms'])).toBeGreaterThan(0);
    expect(s.outputs.violations).toBe('0');
    expect(s.outputs['report-json']).toBe('out-push/results/report.json');
    const baseline = parseBaselineFile(readFileSync(join(workspace, 'baselines', 'main', 'action-gate.json'), 'utf8'), 'baseline');
    expect(baseline.runs).toHaveLength(1);
    expect(baseline.runs[0]).toMatchObject({ commit: PUSH_SHA, testbed: { os: 'Linux', targetKind: 'devnet' } });
    const check = server.checkRuns().at(-1)!;
    expect(check).toMatchObject({ headSha: PUSH_SHA, name: 'GasHammer', status: 'completed', conclusion: 'success' });
    expect(s.summary).toMatch(/\*\*PASS\*\*/);
    expect(uploads.at(-1)!.files.some((f) => f.endsWith('.parquet'))).toBe(true);
    expect(uploads.at(-1)!.files.some((f) => f.endsWith(join('results', 'publish.json')))).toBe(true);
  }, 120_000);

  it('pull request: compares with the base branch baseline, checks the head commit (not the merge commit), comments once', async () => {
    const s = await step('pull_request', 'pull_request.json', runInputs('out-pr'));
    expect(s.code).toBe(0);
    const report = JSON.parse(readFileSync(join(workspace, 'out-pr', 'results', 'report.json'), 'utf8')) as RunReportV2;
    expect(report.gate.baseline).toMatchObject({ branch: 'main', runs: 1, commit: PUSH_SHA });
    expect(report.gate.regressions.length).toBeGreaterThan(0);
    const check = server.checkRuns().at(-1)!;
    expect(check.headSha).toBe(PR_HEAD);
    expect(server.checkRuns().some((c) => c.headSha === MERGE_SHA)).toBe(false);
    const comments = server.comments({ owner: OWNER, repo: REPO, issueNumber: 42 });
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/^<!-- gashammer:comment [^\n]*-->\n## \*\*INCONCLUSIVE\*\*/);
    // Three seconds of load give 4 per-second samples; the rank test needs 30: said, not passed.
    expect(comments[0]!.body).toContain('too few per-second samples');
    expect(comments[0]!.body).toContain('baselines/main/action-gate.json');
  }, 120_000);

  it('publishing the same results from a workflow_run (as for a fork) edits the comment in place, after checking the pull request head', async () => {
    const before = server.comments({ owner: OWNER, repo: REPO, issueNumber: 42 });
    const payload = JSON.parse(readFileSync(join(FIXTURES, 'workflow_run.json'), 'utf8')) as { workflow_run: { pull_requests: unknown[]; head_sha: string } };
    payload.workflow_run.pull_requests = [];
    payload.workflow_run.head_sha = PR_HEAD;
    const s = await step('workflow_run', payload, { mode: 'publish', results: 'out-pr' });
    expect(s.code).toBe(0);
    const after = server.comments({ owner: OWNER, repo: REPO, issueNumber: 42 });
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(before[0]!.id);
    expect(server.requests.some((r) => r.method === 'GET' && r.route === '/repos/{owner}/{repo}/pulls/{pull_number}')).toBe(true);
  });

  it('publish refuses results of another commit than the workflow_run names', async () => {
    const payload = JSON.parse(readFileSync(join(FIXTURES, 'workflow_run.json'), 'utf8')) as { workflow_run: { head_sha: string } };
    payload.workflow_run.head_sha = FORK_HEAD;
    const s = await step('workflow_run', payload, { mode: 'publish', results: 'out-pr' });
    expect(s.code).toBe(2);
    expect(s.log).toContain('GH-E951');
    expect(s.log).toContain('not publishing them');
  });

  it('a FAIL fails the step, concludes the check as failure (never neutral) and sends its 140 annotations in batches of at most 50', async () => {
    const results = join(workspace, 'failed-results');
    mkdirSync(results);
    const report = reportFail();
    writeFileSync(join(results, 'report.json'), JSON.stringify(report));
    writeFileSync(join(results, 'scenario.yaml'), 'name: ramp-to-saturation\noracle:\n  invariants: [balance-conservation, nonce-monotonicity]\n');
    writeFileSync(
      join(results, 'publish.json'),
      JSON.stringify({ schemaVersion: 1, scenarioPath: 'scenarios/ramp.yaml', checkName: 'GasHammer', headSha: PR_HEAD, pullRequest: 42, runUrl: 'https://github.com/x/y/actions/runs/1' }),
    );
    const payload = JSON.parse(readFileSync(join(FIXTURES, 'workflow_run.json'), 'utf8')) as { workflow_run: { head_sha: string } };
    payload.workflow_run.head_sha = PR_HEAD;
    const s = await step('workflow_run', payload, { mode: 'publish', results: 'failed-results' });
    expect(s.code).toBe(99);
    expect(s.outputs.verdict).toBe('fail');
    expect(s.log).toMatch(/::error::GasHammer: FAIL/);
    const check = server.checkRuns().at(-1)!;
    expect(check.conclusion).toBe('failure');
    expect(check.annotations.length).toBeGreaterThan(100);
    const patches = server.requests.filter((r) => r.method === 'PATCH' && r.route === '/repos/{owner}/{repo}/check-runs/{check_run_id}' && r.path.endsWith(`/${check.id}`));
    expect(patches.length).toBe(Math.ceil(check.annotations.length / 50));
    for (const p of patches) expect(((p.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length).toBeLessThanOrEqual(50);
    expect(check.annotations.every((a) => a.path === 'scenarios/ramp.yaml')).toBe(true);
  });

  it("a fork's read-only token: no comment and no check run, the job summary says why and carries the results", async () => {
    server.makeReadOnly(TOKEN);
    const checksBefore = server.checkRuns().length;
    const s = await step('pull_request', 'pull_request-fork.json', runInputs('out-fork'));
    expect(s.code).toBe(0);
    expect(server.comments({ owner: OWNER, repo: REPO, issueNumber: 57 })).toHaveLength(0);
    expect(server.checkRuns()).toHaveLength(checksBefore);
    expect(s.summary).toMatch(/\*\*INCONCLUSIVE\*\*/);
    expect(s.summary).toContain('read-only token');
    expect(s.log).toContain('::warning::no comment');
  }, 120_000);

  it('baseline-store branch: a push saves the baseline on the data branch through the API; a merge queue run compares with it and checks the merge group head', async () => {
    server.makeWritable(TOKEN);
    const push = await step('push', 'push.json', { ...runInputs('out-push-branch'), 'baseline-store': 'branch' });
    expect(push.code).toBe(0);
    const files = server.files(OWNER, REPO, 'gashammer-baselines');
    expect([...files.keys()]).toContain('main/action-gate.json');
    expect(parseBaselineFile(files.get('main/action-gate.json')!, 'data branch').runs).toHaveLength(1);

    const queued = await step('merge_group', 'merge_group.json', { ...runInputs('out-queue'), 'baseline-store': 'branch' });
    expect(queued.code).toBe(0);
    const report = JSON.parse(readFileSync(join(workspace, 'out-queue', 'results', 'report.json'), 'utf8')) as RunReportV2;
    expect(report.gate.baseline).toMatchObject({ branch: 'main', source: 'gashammer-baselines:main/action-gate.json' });
    expect(server.checkRuns().at(-1)!.headSha).toBe('e7d1c3b5a9f2e4d6c8b0a1f3e5d7c9b2a4f6e8d0');
  }, 120_000);

  it('target nitro (the default): runs in the Nitro container where Docker is; without a container runtime fails with GH-E115 and concludes the check as failure, never leaving it in progress', async () => {
    server.makeWritable(TOKEN);
    const s = await step('push', 'push.json', { scenario: 'scenarios/gate.yaml', out: 'out-nitro', 'save-baseline': 'false' });
    const check = server.checkRuns().at(-1)!;
    if (s.log.includes('GH-E115')) {
      console.log('the Nitro container part of this test did not run: no container runtime here (GH-E115); the failure path was checked instead');
      expect(s.code).toBe(3);
      expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
      expect(check.output?.summary).toContain('GH-E115');
    } else {
      expect(s.code).toBe(0);
      expect(s.outputs.verdict).toMatch(/^(pass|warn|inconclusive)$/);
      expect(check.status).toBe('completed');
    }
  }, 600_000);

  it('bad inputs: exit 2 with every problem, no stack, the token never shown', async () => {
    const s = await step('pull_request', 'pull_request.json', { scenario: 'scenarios/gate.yaml', target: 'devnet', 'fail-on': 'sometimes', comment: 'yes' });
    expect(s.code).toBe(2);
    expect(s.log).toContain('GH-E950');
    expect(s.log).toContain('fail-on');
    expect(s.log).toContain('comment');
    expect(s.log).not.toMatch(/\n\s+at /);
    expect(s.log.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
  });
});
