// `gashammer report` and the baseline flags of `run` and `report`, through the CLI's entry
// (in-process, in a temporary working folder): bad input is a GH-E code naming the file, with
// the documented exit code and no stack trace, and nothing is started or written for it.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const SCENARIO = resolve(import.meta.dirname, '../../scenarios/quick-smoke-test.yaml');
/** A Node stack frame: "    at fn (file:line:col)". */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'gh-report-cli-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function gashammer(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd, isTTY: false };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('gashammer report: bad input', () => {
  it('a folder without a run record is GH-E820 naming run.json, exit 2, nothing written', async () => {
    await mkdir(join(cwd, 'run-x'));
    const r = await gashammer('report', 'run-x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GH-E820');
    expect(r.stderr).toContain(join(cwd, 'run-x', 'run.json'));
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(existsSync(join(cwd, 'run-x', 'report.json'))).toBe(false);
  });

  it('a run record that is not one is GH-E820 saying what was expected', async () => {
    await mkdir(join(cwd, 'run-y'));
    await writeFile(join(cwd, 'run-y', 'run.json'), JSON.stringify({ schemaVersion: 1, runId: 'r' }));
    const r = await gashammer('report', 'run-y');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/GH-E820.*not a GasHammer run record \(schemaVersion 1 with runId, phases and edges\)/s);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('a run record that is not JSON is GH-E820', async () => {
    await mkdir(join(cwd, 'run-z'));
    await writeFile(join(cwd, 'run-z', 'run.json'), '{ cut sh');
    const r = await gashammer('report', 'run-z');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/GH-E820.*is not valid JSON/s);
  });
});

describe('gashammer run: baseline flags are checked before anything starts', () => {
  it('a baseline file that does not exist is GH-E803, exit 2, and no devnet or output folder', async () => {
    const r = await gashammer('run', SCENARIO, '--out', 'out', '--baseline', 'nope.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GH-E803');
    expect(r.stderr).toContain('nope.json');
    expect(r.stdout).not.toContain('starting the embedded devnet');
    expect(existsSync(join(cwd, 'out'))).toBe(false);
  });

  it('--baseline and --branch together is a usage error (GH-E003)', async () => {
    const r = await gashammer('run', SCENARIO, '--baseline', 'a.json', '--branch', 'main');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/GH-E003.*not both/s);
  });

  it('a branch name that cannot name a folder is GH-E802', async () => {
    const r = await gashammer('run', SCENARIO, '--branch', '../up');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GH-E802');
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});
