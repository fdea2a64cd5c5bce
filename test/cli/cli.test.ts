// The `gashammer` binary as a user runs it: a real child process of the built package.
// Checks exit codes, help on every command, and that bad input of every kind gets a GH-E code
// and exit 2 without a stack trace.

import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTransaction } from 'viem';
import { BASE } from '../support/scenario.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'gashammer.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function gashammer(...args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** A Node stack frame: "    at fn (file:line:col)". */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gashammer-cli-'));
});

async function scenarioFile(name: string, content: string | Uint8Array): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

describe('gashammer --version and --help', () => {
  it('prints the version, build commit and build time', async () => {
    const r = await gashammer('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^gashammer ${VERSION.replace(/\./g, '\\.')}\\nbuild: ([0-9a-f]{40}|unknown)\\nbuilt: \\S+\\nlicense: Apache-2\\.0\\n$`));
  });

  it.each(['validate', 'plan', 'run', 'config', 'devnet', 'feed', 'edge', 'sweep'])('prints help for %s', async (command) => {
    const r = await gashammer(command, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: gashammer ${command}`);
  });

  it('lists the commands in the top-level help', async () => {
    const r = await gashammer('--help');
    expect(r.code).toBe(0);
    for (const c of ['validate', 'plan', 'run', 'config', 'devnet', 'feed', 'edge', 'sweep']) expect(r.stdout).toContain(c);
  });
});

describe('usage errors', () => {
  it('rejects an unknown command with GH-E003 and exit 2', async () => {
    const r = await gashammer('valdate', 'x.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GH-E003');
    expect(r.stderr).toContain('validate');
  });

  it('rejects an unknown option with GH-E003 and exit 2', async () => {
    const r = await gashammer('plan', 'scenarios/quick-smoke-test.yaml', '--edgez', '2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^GH-E003 unknown option '--edgez'/);
    expect(r.stderr).toContain('gashammer plan --help');
  });

  it('rejects a missing argument and a bad --edges value', async () => {
    const missing = await gashammer('validate');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('GH-E003');
    const bad = await gashammer('plan', 'scenarios/quick-smoke-test.yaml', '--edges', 'two');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("GH-E003 --edges expects a whole number from 1 to 256, got 'two'");
    for (const value of ['0', '257']) {
      const r = await gashammer('plan', 'scenarios/quick-smoke-test.yaml', '--edges', value);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`GH-E003 --edges expects a whole number from 1 to 256, got '${value}'`);
      expect(r.stderr).toContain('docs: docs/errors.md#gh-e003');
    }
  });
});

describe('gashammer validate', () => {
  it('accepts every example scenario', async () => {
    const files = ['correctness-audit', 'fault-tolerance', 'mixed-workload', 'quick-smoke-test', 'ramp-to-saturation', 'simple-transfer-load'].map((n) => `scenarios/${n}.yaml`);
    const r = await gashammer('validate', ...files);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('6 valid, 0 invalid');
  });

  it('lists every problem of every file and exits 2', async () => {
    const bad = await scenarioFile('bad.yaml', BASE.replace('duration_secs: 60', 'duration_secs: -1').replace('version: "1.0"', 'version: 1.0'));
    const r = await gashammer('validate', 'scenarios/quick-smoke-test.yaml', bad, join(dir, 'missing.yaml'));
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`GH-E902 ${bad}:3:10 version: expected a string`);
    expect(r.stdout).toContain(`GH-E902 ${bad}:13:20 phases[0].duration_secs: must be >= 1, got -1`);
    expect(r.stdout).toContain('GH-E900');
    expect(r.stdout).toContain('1 valid, 2 invalid');
  });

  it('prints machine-readable results with --json', async () => {
    const bad = await scenarioFile('bad-json.yaml', BASE.replace('gas_per_sec: 1_000_000', 'gas_per_sec: "fast"'));
    const r = await gashammer('validate', '--json', bad);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { valid: boolean; files: Array<{ valid: boolean; diagnostics: Array<Record<string, unknown>> }> };
    expect(out.valid).toBe(false);
    expect(out.files[0]!.diagnostics[0]).toMatchObject({ code: 'GH-E902', line: 7, column: 18, path: 'workload.gas_rate.gas_per_sec' });
  });

  const badInputs: Array<[string, string | Uint8Array, string]> = [
    ['not YAML', 'name: [unclosed\n', 'GH-E901'],
    ['wrong types', BASE.replace('weight: 1', 'weight: heavy'), 'GH-E902'],
    ['unknown fields', BASE + 'colour: blue\n', 'GH-E902'],
    ['a negative duration', BASE.replace('duration_secs: 60', 'duration_secs: -60'), 'GH-E902'],
    ['a huge number', BASE.replace('gas_per_sec: 1_000_000', 'gas_per_sec: 1_000_000_000_000_000_000_000_000'), 'GH-E902'],
    ['an empty file', '', 'GH-E901'],
    ['binary junk', new Uint8Array(256).map((_, i) => i), 'GH-E901'],
    ['a bad threshold', BASE + 'gate:\n  thresholds: ["p99 < 1"]\n', 'GH-E904'],
    ['an inconsistent schedule', BASE + 'fault_schedule:\n  - {at_secs: 5, action: clear, fault: {name: x}}\n', 'GH-E903'],
  ];

  it.each(badInputs)('rejects %s with a code, exit 2 and no stack trace', async (_what, content, code) => {
    const file = await scenarioFile(`bad-${code}-${Math.random().toString(36).slice(2)}.yaml`, content);
    for (const command of ['validate', 'plan', 'run']) {
      const r = await gashammer(command, file);
      expect(r.code, `${command}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stdout + r.stderr).toContain(code);
      expect(r.stdout + r.stderr).not.toMatch(STACK_FRAME);
    }
  });

  it('rejects a missing file in every command with GH-E900 and exit 2', async () => {
    for (const command of ['validate', 'plan', 'run']) {
      const r = await gashammer(command, join(dir, 'does-not-exist.yaml'));
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toContain('GH-E900');
      expect(r.stdout + r.stderr).not.toMatch(STACK_FRAME);
    }
  });
});

describe('gashammer plan', () => {
  it('prints the plan for people', async () => {
    const r = await gashammer('plan', 'scenarios/simple-transfer-load.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Scenario  simple-transfer-load v1.0');
    expect(r.stdout).toMatch(/warmup\s+0s\s+30s\s+sustained 1,000,000 gas\/s/);
    expect(r.stdout).toMatch(/steady-state\s+30s\s+300s\s+sustained 5,000,000 gas\/s/);
    expect(r.stdout).toMatch(/cooldown\s+330s\s+30s\s+sustained 500,000 gas\/s/);
  });

  it('prints the plan as JSON, with --edges overriding the scenario', async () => {
    const r = await gashammer('plan', 'scenarios/mixed-workload.yaml', '--json', '--edges', '3');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { scenarioHash: string; seed: string; edges: Array<{ firstAccount: number }>; templateMix: Array<{ probability: number }> };
    expect(plan.scenarioHash).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.seed).toBe('7');
    expect(plan.edges.map((e) => e.firstAccount)).toEqual([0, 100, 200]);
    expect(plan.templateMix.reduce((s, t) => s + t.probability, 0)).toBeCloseTo(1, 12);
  });

  it('refuses an --edges override that leaves a fault without its edges', async () => {
    const file = await scenarioFile('edges-override.yaml', BASE + 'edges: {count: 3}\nfault_schedule:\n  - {at_secs: 5, action: inject, fault: {name: a, type: latency, target: sequencer-rpc, latency_ms: 10, duration_secs: 5}, edges: {ids: [2]}}\n');
    expect((await gashammer('plan', file)).code).toBe(0);
    const r = await gashammer('plan', file, '--edges', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("GH-E905 with 1 edge(s), fault event(s) 'a' at 5s name edges that do not exist");
  });

  it('prints URLs it has nothing to hide in exactly as written', async () => {
    const file = await scenarioFile('plain-urls.yaml', BASE + 'target:\n  chain_id: 42161\n  sequencer_rpc: "http://127.0.0.1:8547"\n  feed_relay: "ws://127.0.0.1:9642"\n');
    const plan = JSON.parse((await gashammer('plan', file, '--json')).stdout) as { target: { sequencerRpc: string; feedRelay: string } };
    expect(plan.target).toMatchObject({ sequencerRpc: 'http://127.0.0.1:8547', feedRelay: 'ws://127.0.0.1:9642' });
  });

  it('prints an edge\'s first signed transactions, byte-identical on every run', async () => {
    const a = await gashammer('plan', 'scenarios/mixed-workload.yaml', '--edge', '1', '--txs', '50');
    const b = await gashammer('plan', 'scenarios/mixed-workload.yaml', '--edge', '1', '--txs', '50');
    const other = await gashammer('plan', 'scenarios/mixed-workload.yaml', '--edge', '0', '--txs', '50');
    expect(a.code).toBe(0);
    const lines = a.stdout.trim().split('\n');
    expect(lines).toHaveLength(50);
    expect(a.stdout).toBe(b.stdout);
    expect(other.stdout).not.toBe(a.stdout);
    for (const raw of lines) {
      const tx = parseTransaction(raw as `0x${string}`);
      expect(tx.chainId).toBe(412346);
      // Every contract call carries the GHMR marker; plain transfers carry no calldata.
      if (tx.data && tx.data !== '0x') expect(tx.data.toLowerCase()).toContain('47484d52');
    }
    const bad = await gashammer('plan', 'scenarios/mixed-workload.yaml', '--edge', '5', '--txs', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--edge 5 does not exist');
    const half = await gashammer('plan', 'scenarios/mixed-workload.yaml', '--txs', '1');
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--edge and --txs go together');
  });

  it('prints the same plan twice (deterministic)', async () => {
    const a = await gashammer('plan', 'scenarios/ramp-to-saturation.yaml', '--json');
    const b = await gashammer('plan', 'scenarios/ramp-to-saturation.yaml', '--json');
    expect(a.stdout).toBe(b.stdout);
  });

  it('never prints credentials of a target URL', async () => {
    const file = await scenarioFile('secret-target.yaml', BASE + 'target:\n  chain_id: 42161\n  sequencer_rpc: "https://bob:s3cr3tpass@rpc.example/v2/abcdef0123456789abcdef0123456789"\n');
    for (const args of [['plan', file], ['plan', file, '--json'], ['validate', file]]) {
      const r = await gashammer(...args);
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('s3cr3tpass');
      expect(r.stdout + r.stderr).not.toContain('abcdef0123456789abcdef0123456789');
    }
  });
});

