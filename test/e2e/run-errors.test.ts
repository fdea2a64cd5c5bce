// `gashammer run` given bad input or an unreachable target: a GH-E code, the documented exit
// code, no stack trace, no secret, and nothing started that outlives it.

import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(resolve(import.meta.dirname, '../..'), 'bin', 'gashammer.js');
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((ok) => child.once('exit', (code) => ok({ code, out })));
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((ok) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

const VALID = `name: errs
description: d
version: "1"
workload: {templates: [{name: simple-transfer, weight: 1}]}
phases: [{name: p, duration_secs: 5, gas_rate_override: {type: sustained, gas_per_sec: 100_000}}]
`;

describe('gashammer run with bad input', () => {
  it('an invalid scenario: every problem, exit 2, nothing started', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gashammer-run-err-'));
    await writeFile(join(dir, 'bad.yaml'), 'name: x\nphases: []\nworkload: {templates: [{name: nope, weight: 0}]}\n');
    const { code, out } = await run(['run', join(dir, 'bad.yaml'), '--out', join(dir, 'out')]);
    expect(code).toBe(2);
    expect(out).toMatch(/GH-E90\d .*bad\.yaml:\d+:\d+/);
    expect(out).not.toContain('starting the embedded devnet');
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('a --target that is not devnet or an http(s) URL: GH-E003, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gashammer-run-err-'));
    await writeFile(join(dir, 's.yaml'), VALID);
    const { code, out } = await run(['run', join(dir, 's.yaml'), '--target', 'ftp://user:hunter2@example.com']);
    expect(code).toBe(2);
    expect(out).toContain('GH-E003');
    expect(out).not.toContain('hunter2');
  });

  it('a remote target without GASHAMMER_FUNDER_KEY: GH-E402, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gashammer-run-err-'));
    await writeFile(join(dir, 's.yaml'), VALID);
    const { code, out } = await run(['run', join(dir, 's.yaml'), '--target', `http://127.0.0.1:${await closedPort()}`], { GASHAMMER_FUNDER_KEY: '' });
    expect(code).toBe(2);
    expect(out).toContain('GH-E402');
  });

  it('an unreachable remote target: GH-E100, exit 3, the key never printed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gashammer-run-err-'));
    await writeFile(join(dir, 's.yaml'), VALID);
    const { code, out } = await run(['run', join(dir, 's.yaml'), '--target', `http://user:s3cret@127.0.0.1:${await closedPort()}`], { GASHAMMER_FUNDER_KEY: KEY });
    expect(code).toBe(3);
    expect(out).toContain('GH-E100');
    expect(out).not.toContain('s3cret');
    expect(out).not.toContain(KEY.slice(2, 20));
    expect(out).not.toMatch(/\n\s+at /);
  });
});
