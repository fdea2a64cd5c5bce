// `gashammer baseline save` and `gashammer compare` through the CLI's entry (main, with its
// error rendering and exit codes), in-process, in a temporary working folder: what they write,
// what they print, and how each kind of bad input is reported.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { GateReport, RunReportV2 } from '../../src/report/report-types.js';
import { baseSamples, noisySamples, OTHER_SCENARIO_HASH, reportFixture, type ReportFixtureOptions } from '../baseline/report-fixture.js';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'gh-baseline-cli-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function gashammer(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd, isTTY: false };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

async function writeReport(name: string, options: ReportFixtureOptions | RunReportV2 = {}): Promise<string> {
  const report = 'schemaVersion' in options ? options : reportFixture(options);
  await writeFile(join(cwd, name), JSON.stringify(report, null, 2));
  return name;
}

/** A Node stack frame: "    at fn (file:line:col)". */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** A run whose p50 inclusion latency rose 20% with quiet samples: a clear regression. */
function slowerRun(runId = 'slow'): ReportFixtureOptions {
  return { runId, metrics: { p50_inclusion_ms: 300 }, samples: { ...baseSamples(77), p50_inclusion_ms: noisySamples(300, 10, 60, 78) } };
}

describe('gashammer baseline save', () => {
  it('saves the run under baselines/<branch>/<scenario>.json and says so', async () => {
    await writeReport('report.json', { runId: 'run-a' });
    const r = await gashammer('baseline', 'save', 'report.json', '--branch', 'main', '--commit', 'ABCDEF1234');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'saved run run-a (scenario mixed-workload, hash a8fcbb5cccb5) as a baseline of branch main: baselines/main/mixed-workload.json, 1 run(s)\n',
    );
    const file = JSON.parse(await readFile(join(cwd, 'baselines', 'main', 'mixed-workload.json'), 'utf8')) as {
      branch: string;
      runs: Array<{ runId: string; commit: string; testbed: { targetKind: string; cpus: number }; metrics: Record<string, number> }>;
    };
    expect(file.branch).toBe('main');
    expect(file.runs).toHaveLength(1);
    expect(file.runs[0]).toMatchObject({ runId: 'run-a', commit: 'abcdef1234', testbed: { targetKind: 'devnet' }, metrics: { p50_inclusion_ms: 250 } });
    expect(file.runs[0]!.testbed.cpus).toBeGreaterThan(0);
  });

  it('writes into --dir, maps feature/x to a flat folder, and notes a new history when the scenario changed', async () => {
    await writeReport('a.json', { runId: 'a' });
    await writeReport('b.json', { runId: 'b', scenarioHash: OTHER_SCENARIO_HASH });
    expect((await gashammer('baseline', 'save', 'a.json', '--branch', 'feature/x', '--dir', 'ci/base')).code).toBe(0);
    const r = await gashammer('baseline', 'save', 'b.json', '--branch', 'feature/x', '--dir', 'ci/base');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ci/base/feature%2Fx/mixed-workload.json, 1 run(s)');
    expect(r.stdout).toContain('note: the file held 1 run(s) of another version of the scenario (hash a8fcbb5cccb5); a new history starts with this run');
  });

  it('warns when the run is a poor baseline (aborted, FAIL or INCONCLUSIVE) but saves it', async () => {
    await writeReport('report.json', { runId: 'bad', completion: { state: 'aborted', reason: 'interrupted' } });
    const r = await gashammer('baseline', 'save', 'report.json', '--branch', 'main');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: run bad was aborted; as a baseline it makes later runs look better than they are\n');
  });

  it('rejects a missing --branch and a malformed --commit as usage errors (GH-E003, exit 2)', async () => {
    await writeReport('report.json');
    const noBranch = await gashammer('baseline', 'save', 'report.json');
    expect(noBranch.code).toBe(2);
    expect(noBranch.stderr).toContain("GH-E003 required option '--branch <name>' not specified");
    const badCommit = await gashammer('baseline', 'save', 'report.json', '--branch', 'main', '--commit', 'HEAD~1');
    expect(badCommit.code).toBe(2);
    expect(badCommit.stderr).toContain("GH-E003 --commit expects a git commit id (7 to 64 hex digits), got 'HEAD~1'");
  });

  it('rejects a branch that could escape the folder (GH-E802, exit 2), writing nothing', async () => {
    await writeReport('report.json');
    const r = await gashammer('baseline', 'save', 'report.json', '--branch', '../../etc');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^GH-E802 branch '\.\.\/\.\.\/etc' has a '\.\.' part\n {2}hint: .+\n {2}docs: docs\/errors\.md#gh-e802\n$/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    await expect(readFile(join(cwd, 'etc'), 'utf8')).rejects.toThrow();
  });

  it('reports a missing or invalid report as GH-E800 (exit 2) without a stack trace', async () => {
    const missing = await gashammer('baseline', 'save', 'nope.json', '--branch', 'main');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('GH-E800 nope.json could not be read: no such file');
    await writeFile(join(cwd, 'v1.json'), JSON.stringify({ schemaVersion: 1, runId: 'x' }));
    const old = await gashammer('baseline', 'save', 'v1.json', '--branch', 'main');
    expect(old.code).toBe(2);
    expect(old.stderr).toContain('GH-E800 v1.json is a report of version 1');
    expect(old.stderr).not.toMatch(STACK_FRAME);
  });

  it('refuses to overwrite a corrupt baseline file (GH-E801, exit 2)', async () => {
    await writeReport('report.json');
    await mkdir(join(cwd, 'baselines', 'main'), { recursive: true });
    await writeFile(join(cwd, 'baselines', 'main', 'mixed-workload.json'), '{"schemaVersion": 1,');
    const r = await gashammer('baseline', 'save', 'report.json', '--branch', 'main');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`GH-E801 ${join(cwd, 'baselines', 'main', 'mixed-workload.json')} is not valid JSON`);
    expect(await readFile(join(cwd, 'baselines', 'main', 'mixed-workload.json'), 'utf8')).toBe('{"schemaVersion": 1,');
  });
});

describe('gashammer compare', () => {
  async function saveBaselines(...runIds: string[]): Promise<void> {
    for (const [i, runId] of runIds.entries()) {
      await writeReport(`${runId}.json`, { runId, samples: baseSamples(100 + i) });
      const r = await gashammer('baseline', 'save', `${runId}.json`, '--branch', 'main');
      expect(r.code, r.stderr).toBe(0);
    }
  }

  it('prints the comparison table and PASS, exit 0, for a run like its baseline', async () => {
    await saveBaselines('b1', 'b2');
    await writeReport('report.json', { runId: 'new', samples: baseSamples(5) });
    const r = await gashammer('compare', 'report.json', '--branch', 'main');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('report    report.json: run new, scenario mixed-workload (hash a8fcbb5cccb5)');
    expect(lines[1]).toMatch(/^baseline {2}baselines\/main\/mixed-workload\.json: branch main, 2 run\(s\), newest saved \d{4}-\d\d-\d\dT/);
    expect(lines[2]).toBe("rules     the report's thresholds and the default regression rules (--scenario <file> applies the scenario's own)");
    expect(r.stdout).toContain('\nRegressions\n  metric                       baseline    current  delta  p-value  decision\n');
    expect(r.stdout).toMatch(/ {2}p50_inclusion_ms\s+250\.0\s+250\.0\s+0\.0%\s+0\.\d{4}\s+ok\n/);
    expect(r.stdout).toMatch(/ {2}safe_sustained_gas_per_sec\s+2,000,000\s+2,000,000\s+0\.0%\s+-\s+ok\n/);
    expect(r.stdout).toContain('\nverdict: PASS\n  info: passed: 0 threshold(s) met, 2 oracle invariant(s) held, 5 metric(s) within their regression limits\n');
  });

  it('fails a clear regression with exit 99, naming the metric and its figures', async () => {
    await saveBaselines('b1');
    await writeReport('report.json', slowerRun());
    const r = await gashammer('compare', 'report.json', '--branch', 'main');
    expect(r.code).toBe(99);
    expect(r.stdout).toMatch(/ {2}p50_inclusion_ms\s+250\.0\s+300\.0\s+\+20\.0%\s+\S+\s+fail\n/);
    expect(r.stdout).toContain('verdict: FAIL\n  fail: regression p50_inclusion_ms: rose 20.0% (worse), beyond the 10% fail limit; rank test p = ');
    expect(r.stdout).toContain('(baseline 250.0, this run 300.0)');
  });

  it('prints the gate report as JSON with --json', async () => {
    await saveBaselines('b1');
    await writeReport('report.json', slowerRun());
    const r = await gashammer('compare', 'report.json', '--baseline', 'baselines/main/mixed-workload.json', '--json');
    expect(r.code).toBe(99);
    const gate = JSON.parse(r.stdout) as GateReport;
    expect(gate.verdict).toBe('fail');
    expect(gate.baseline).toMatchObject({ branch: 'main', source: 'baselines/main/mixed-workload.json', runs: 1 });
    expect(gate.regressions.find((x) => x.metric === 'p50_inclusion_ms')).toMatchObject({ decision: 'fail', baseline: 250, current: 300 });
    expect(gate.reasons[0]!.level).toBe('fail');
  });

  it('evaluates the thresholds the report recorded', async () => {
    await writeReport('report.json', { thresholds: [{ source: 'p99_inclusion_ms < 500', metric: 'p99_inclusion_ms', level: 'error', actual: 900, passed: false }] });
    const r = await gashammer('compare', 'report.json', '--branch', 'main');
    expect(r.code).toBe(99);
    expect(r.stdout).toContain('\nThresholds\n  threshold               level  actual  result\n  p99_inclusion_ms < 500  error   900.0  not met\n');
    expect(r.stdout).toContain("fail: threshold 'p99_inclusion_ms < 500' (error) not met: p99_inclusion_ms is 900.0");
  });

  it('passes without a baseline unless the scenario requires one, then exits 98 saying why', async () => {
    await writeReport('report.json');
    const free = await gashammer('compare', 'report.json', '--branch', 'main');
    expect(free.code).toBe(0);
    expect(free.stdout).toContain('baseline  none: branch main has none: no file baselines/main/mixed-workload.json\n');
    expect(free.stdout).toContain('info: no baseline to compare with (branch main has none: no file baselines/main/mixed-workload.json): regressions were not checked');

    await writeFile(
      join(cwd, 'scenario.yaml'),
      [
        'name: mixed-workload',
        'description: test',
        'version: "1.0"',
        'workload:',
        '  gas_rate: { type: sustained, gas_per_sec: 1_000_000 }',
        '  templates: [{ name: simple-transfer, weight: 1 }]',
        'phases: [{ name: main, duration_secs: 60 }]',
        'gate:',
        '  regression:',
        '    require_baseline: true',
      ].join('\n'),
    );
    const required = await gashammer('compare', 'report.json', '--branch', 'main', '--scenario', 'scenario.yaml');
    expect(required.code).toBe(98);
    expect(required.stdout).toContain('rules     the gate section of scenario.yaml\n');
    expect(required.stdout).toContain(
      'verdict: INCONCLUSIVE\n  inconclusive: no baseline to compare with (branch main has none: no file baselines/main/mixed-workload.json), and the scenario requires one (gate.regression.require_baseline)',
    );
  });

  it("applies the scenario's own regression limits with --scenario", async () => {
    await saveBaselines('b1');
    await writeReport('report.json', slowerRun());
    await writeFile(
      join(cwd, 'scenario.yaml'),
      [
        'name: mixed-workload',
        'description: test',
        'version: "1.0"',
        'workload:',
        '  templates: [{ name: simple-transfer, weight: 1 }]',
        '  gas_rate: { type: sustained, gas_per_sec: 1_000_000 }',
        'phases: [{ name: main, duration_secs: 60 }]',
        'gate:',
        '  regression:',
        '    metrics:',
        '      p50_inclusion_ms: { warn_pct: 15, fail_pct: 30 }',
      ].join('\n'),
    );
    const r = await gashammer('compare', 'report.json', '--branch', 'main', '--scenario', 'scenario.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('verdict: WARN\n  warn: regression p50_inclusion_ms: rose 20.0% (worse), beyond the 15% warn limit');
  });

  it('does not compare with a baseline of another scenario hash, and says so', async () => {
    await saveBaselines('b1');
    await writeReport('report.json', { scenarioHash: OTHER_SCENARIO_HASH });
    const r = await gashammer('compare', 'report.json', '--branch', 'main');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'baseline  none: baselines/main/mixed-workload.json was saved for another version of the scenario (hash a8fcbb5cccb5, this run 1c58626d4c53); save a baseline from this version\n',
    );
    expect(r.stdout).not.toContain('Regressions');
  });

  it('is INCONCLUSIVE (exit 98) for an aborted run that shows no failure', async () => {
    await saveBaselines('b1');
    await writeReport('report.json', { completion: { state: 'aborted', reason: 'interrupted by SIGTERM' }, samples: baseSamples(9) });
    const r = await gashammer('compare', 'report.json', '--branch', 'main');
    expect(r.code).toBe(98);
    expect(r.stdout).toContain('verdict: INCONCLUSIVE\n  inconclusive: the run was aborted: interrupted by SIGTERM\n');
  });

  it('needs exactly one of --baseline and --branch (GH-E003, exit 2)', async () => {
    await writeReport('report.json');
    const neither = await gashammer('compare', 'report.json');
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('GH-E003 give one of --baseline <file> or --branch <name>');
    const both = await gashammer('compare', 'report.json', '--branch', 'main', '--baseline', 'x.json');
    expect(both.code).toBe(2);
    const dir = await gashammer('compare', 'report.json', '--baseline', 'x.json', '--dir', 'elsewhere');
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain('GH-E003 --dir goes with --branch');
  });

  it('reports a --baseline file that does not exist (GH-E803) or is corrupt (GH-E801, with the field), exit 2', async () => {
    await writeReport('report.json');
    const missing = await gashammer('compare', 'report.json', '--baseline', 'missing.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('GH-E803 missing.json does not exist');

    await writeFile(join(cwd, 'bad.json'), JSON.stringify({ schemaVersion: 1, scenario: { name: 'mixed-workload', hash: 'h' }, branch: 'main', runs: [{ runId: 'r', savedAt: 'yesterday', metrics: {}, samples: {} }] }));
    const bad = await gashammer('compare', 'report.json', '--baseline', 'bad.json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('GH-E801 bad.json runs[0].savedAt: is the string "yesterday"\n  expected: an ISO 8601 UTC time');
    expect(bad.stderr).not.toMatch(STACK_FRAME);
  });

  it('refuses a baseline or scenario of another scenario (GH-E804, exit 2)', async () => {
    await writeReport('other.json', { scenarioName: 'other-scenario' });
    expect((await gashammer('baseline', 'save', 'other.json', '--branch', 'main')).code).toBe(0);
    await writeReport('report.json');
    const r = await gashammer('compare', 'report.json', '--baseline', 'baselines/main/other-scenario.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("GH-E804 baselines/main/other-scenario.json is a baseline of scenario 'other-scenario', the report is of scenario 'mixed-workload'");
  });
});
