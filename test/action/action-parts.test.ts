// The Action's smaller parts: step outputs and workflow commands as the runner reads them,
// repeats aggregated against noise, the baseline runs that count as comparable (same scenario
// version, same testbed), the results folder a publish run trusts only after checking it, and
// the anvil install for the embedded devnet.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseBaseline, type ActionBaselineStore } from '../../src/action/action-baseline.js';
import { ensureAnvil } from '../../src/action/ensure-anvil.js';
import { aggregateRepeats } from '../../src/action/repeats.js';
import { readResultsFolder, writeResultsFolder, type PublishInfo } from '../../src/action/results-folder.js';
import { workflowCommands } from '../../src/action/workflow-commands.js';
import type { BaselineTestbed } from '../../src/baseline/baseline-file.js';
import { FileBaselineStore } from '../../src/baseline/store.js';
import { ANVIL_PATH_ENV } from '../../src/devnet/anvil.js';
import type { GasHammerError } from '../../src/errors/gashammer-error.js';
import type { RunReportV2 } from '../../src/report/report-types.js';
import { compileScenario } from '../../src/scenario/compile.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import { reportFail, reportPass } from '../report/fixtures/reports.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gashammer-action-parts-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('workflow commands', () => {
  it('appends outputs in the heredoc form, multi-line values whole; escapes messages', () => {
    const file = join(dir, 'output');
    writeFileSync(file, '');
    const lines: string[] = [];
    const wf = workflowCommands(file, (l) => lines.push(l));
    wf.setOutput('verdict', 'fail');
    wf.setOutput('note', 'two\nlines');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^verdict<<(ghadelimiter_[0-9a-f]+)\nfail\n\1\nnote<<(ghadelimiter_[0-9a-f]+)\ntwo\nlines\n\2\n$/);
    wf.error('100% broken\nsecond line');
    wf.addMask('');
    expect(lines).toEqual(['::error::100%25 broken%0Asecond line\n']);
  });
});

function planOf(yaml: string) {
  const loaded = loadScenarioText(yaml, 'scenario.yaml');
  if (!loaded.ok) throw new Error('fixture scenario invalid');
  return compileScenario(loaded.scenario);
}

const PLAN = planOf(`name: ramp-to-saturation
description: d
version: "1"
workload: {gas_rate: {type: sustained, gas_per_sec: 1_000_000}, templates: [{name: simple-transfer, weight: 1}]}
phases: [{name: main, duration_secs: 60}]
`);

describe('aggregateRepeats', () => {
  it('one run is itself', () => {
    const r = reportPass();
    expect(aggregateRepeats([r], PLAN, undefined, undefined)).toBe(r);
  });

  it('takes the median of each gate metric, pools the samples, and keeps an oracle failure of any run', () => {
    const a = reportPass();
    const b: RunReportV2 = { ...reportPass(), runId: 'b', metrics: { ...a.metrics, p99_inclusion_ms: 900 } };
    const c: RunReportV2 = { ...reportPass(), runId: 'c', metrics: { ...a.metrics, p99_inclusion_ms: 100 } };
    const agg = aggregateRepeats([a, b, c], PLAN, undefined, undefined);
    expect(agg.metrics.p99_inclusion_ms).toBe([a.metrics.p99_inclusion_ms!, 900, 100].sort((x, y) => x - y)[1]);
    const key = Object.keys(a.samples)[0]!;
    expect(agg.samples[key]).toHaveLength(a.samples[key]!.length * 3);
    expect(agg.notes.at(-1)).toContain('3 runs aggregated');

    const failing = reportFail();
    const withFailure = aggregateRepeats([a, { ...failing, metrics: a.metrics, samples: a.samples }], PLAN, undefined, undefined);
    expect(withFailure.oracle.passed).toBe(false);
    expect(withFailure.gate.verdict).toBe('fail');
  });
});

describe('chooseBaseline', () => {
  const testbed: BaselineTestbed = { os: 'Linux', cpus: 4, targetKind: 'devnet' };
  const scenario = { name: reportPass().scenario.name, hash: reportPass().scenario.hash };

  async function storeWith(runs: { testbed?: BaselineTestbed; hash?: string }[]): Promise<ActionBaselineStore> {
    const store = new FileBaselineStore(dir);
    for (const [i, r] of runs.entries()) {
      const report = { ...reportPass(), runId: `r${i}`, scenario: { ...scenario, hash: r.hash ?? scenario.hash } };
      await store.save('main', report, { savedAt: new Date(Date.UTC(2026, 0, 1 + i)), ...(r.testbed ? { testbed: r.testbed } : {}) });
    }
    return { store, describe: (b, s) => `baselines/${b}/${s}.json` };
  }

  it('keeps only the runs of the same testbed', async () => {
    const stores = await storeWith([{ testbed }, { testbed: { ...testbed, cpus: 16 } }, { testbed }, {}]);
    const chosen = await chooseBaseline(stores, 'main', scenario, testbed);
    expect(chosen.baseline?.file.runs.map((r) => r.runId)).toEqual(['r0', 'r2']);
  });

  it('says why there is none: no branch, no file, another scenario version, no run on this testbed', async () => {
    expect((await chooseBaseline(await storeWith([]), null, scenario, testbed)).baselineNote).toContain('no base branch');
    expect((await chooseBaseline(await storeWith([]), 'main', scenario, testbed)).baselineNote).toContain('has no baseline of');
    const other = await chooseBaseline(await storeWith([{ testbed, hash: 'f'.repeat(64) }]), 'main', scenario, testbed);
    expect(other.baselineNote).toContain('another version of the scenario');
    const elsewhere = await chooseBaseline(await storeWith([{ testbed: { ...testbed, targetKind: 'nitro', image: 'x' } }]), 'main', scenario, testbed);
    expect(elsewhere.baseline).toBeUndefined();
    expect(elsewhere.baselineNote).toContain('none on this testbed (Linux, 4 CPUs, target devnet)');
  });
});

describe('results folder', () => {
  const info: PublishInfo = { schemaVersion: 1, scenarioPath: 'scenarios/a.yaml', checkName: 'GasHammer', headSha: 'a'.repeat(40), pullRequest: 7, runUrl: 'https://github.com/o/r/actions/runs/1' };

  it('reads back what it wrote, from the folder or its parent', async () => {
    await writeResultsFolder(dir, reportPass(), info, 'name: a\n');
    for (const at of [dir, join(dir, 'results')]) {
      const read = await readResultsFolder(at, 'artifact');
      expect(read.info).toEqual(info);
      expect(read.report.runId).toBe(reportPass().runId);
      expect(read.scenarioSource).toBe('name: a\n');
    }
  });

  it('GH-E954 for a folder without results, and for a publish.json that breaks its schema (every problem named)', async () => {
    await expect(readResultsFolder(dir, 'artifact')).rejects.toMatchObject({ code: 'GH-E954' });
    const results = await writeResultsFolder(dir, reportPass(), info, 'name: a\n');
    writeFileSync(join(results, 'publish.json'), JSON.stringify({ ...info, headSha: 'not-a-sha', pullRequest: -1, extra: true }));
    const err = (await readResultsFolder(dir, 'artifact').catch((e: unknown) => e)) as GasHammerError;
    expect(err.code).toBe('GH-E954');
    expect(err.message).toContain('/headSha');
    expect(err.message).toContain('/pullRequest');
    expect(err.message).toContain('additional properties');
  });

  it('GH-E800 for a report.json that is not a report', async () => {
    const results = await writeResultsFolder(dir, reportPass(), info, 'name: a\n');
    writeFileSync(join(results, 'report.json'), '{"schemaVersion": 2}');
    await expect(readResultsFolder(dir, 'artifact')).rejects.toMatchObject({ code: 'GH-E800' });
  });
});

describe('ensureAnvil', () => {
  const saved = process.env[ANVIL_PATH_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[ANVIL_PATH_ENV];
    else process.env[ANVIL_PATH_ENV] = saved;
  });
  const quiet = workflowCommands(undefined, () => undefined);

  it('uses the installed npm package when there is one, without running npm', async () => {
    delete process.env[ANVIL_PATH_ENV];
    let ran = false;
    const binary = await ensureAnvil({}, quiet, async () => {
      ran = true;
    });
    expect(ran).toBe(false);
    expect(existsSync(binary)).toBe(true);
  });

  it('GASHAMMER_ANVIL naming a missing file is an error, not an install', async () => {
    process.env[ANVIL_PATH_ENV] = join(dir, 'nowhere', 'anvil');
    await expect(ensureAnvil({ RUNNER_TEMP: dir }, quiet, async () => undefined)).rejects.toMatchObject({ code: 'GH-E114' });
  });

  it('(npm mocked: no package is fetched in tests) installs at the pinned version into RUNNER_TEMP when the package is missing, and points GASHAMMER_ANVIL at it', async () => {
    // Simulate a bundle without node_modules: the package resolves nowhere from this fake root.
    delete process.env[ANVIL_PATH_ENV];
    const calls: (readonly string[])[] = [];
    const fakeNpm = async (args: readonly string[]) => {
      calls.push(args);
      const prefix = args[args.indexOf('--prefix') + 1]!;
      const bin = join(prefix, 'node_modules', '@foundry-rs', 'anvil-linux-amd64', 'bin');
      mkdirSync(bin, { recursive: true });
      writeFileSync(join(bin, 'anvil'), '#!/bin/sh\n');
      chmodSync(join(bin, 'anvil'), 0o755);
    };
    const { installAnvil } = await import('../../src/action/ensure-anvil.js');
    const binary = await installAnvil({ RUNNER_TEMP: dir }, quiet, fakeNpm);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain(`@foundry-rs/anvil-linux-amd64@${JSON.parse(readFileSync('package.json', 'utf8')).optionalDependencies['@foundry-rs/anvil-linux-amd64']}`);
    expect(binary.startsWith(join(dir, 'gashammer-anvil'))).toBe(true);
    expect(process.env[ANVIL_PATH_ENV]).toBe(binary);
  });
});
