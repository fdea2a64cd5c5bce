// `gashammer edge` as a process: it plays a scenario standalone, writes its events, and on
// SIGTERM stops generating, drains, flushes and exits 0, leaving no devnet process behind.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(resolve(import.meta.dirname, '../..'), 'bin', 'gashammer.js');

const SCENARIO = `name: edge-process
description: a long phase the test interrupts
version: "1"
workload:
  templates: [{name: simple-transfer, weight: 1}]
phases:
  - {name: long, duration_secs: 600, gas_rate_override: {type: sustained, gas_per_sec: 210_000}}
edges: {count: 1, accounts_per_edge: 5}
`;

describe('gashammer edge --scenario', () => {
  it('stops gracefully on SIGTERM: drains, writes every event, exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gashammer-edge-'));
    await writeFile(join(dir, 'scenario.yaml'), SCENARIO);
    const child = spawn(process.execPath, [BIN, 'edge', '--scenario', join(dir, 'scenario.yaml'), '--out', dir, '--name', 'e1', '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // Interrupt once the phase is under way (its start is logged).
    await new Promise<void>((resolveStarted, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('phase 0 (long) starts')) resolveStarted();
      });
      void exit.then((code) => reject(new Error(`edge exited early (${code}): ${stderr}`)));
    });
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toContain('SIGTERM: stopping the workload');
    const summary = /edge e1: (\d+) sent, (\d+) accepted, (\d+) included, (\d+) failed, (\d+) timed out; (\d+) events written/.exec(stdout);
    expect(summary, stdout).not.toBeNull();
    const [, sent, , included] = summary!.map(Number);
    expect(included).toBe(sent);
    const lines = (await readFile(join(dir, 'events-e1.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { kind: string });
    expect(lines.length).toBe(Number(summary![6]));
    expect(lines.filter((e) => e.kind === 'TxIncluded').length).toBe(included);
    expect(lines.some((e) => e.kind === 'PhaseEnded')).toBe(true);
  }, 60_000);
});
