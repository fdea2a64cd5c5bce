// `gashammer faults` through the real binary, inside a network namespace of its own: it lists a
// rule a crashed run left (tagged gashammer:), --clear removes it and leaves another's rule, and a
// namespace that does not exist is a clear GH-E703 with exit 3, not a stack trace.

import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findHostTool } from '../../src/fault/host-command.js';
import { canCreateNamespaces, createNamespace, type TestNamespace } from './netns.js';

const BIN = join(resolve(import.meta.dirname, '../..'), 'bin', 'gashammer.js');
const skipReason = (await canCreateNamespaces()) ?? (findHostTool('iptables') === undefined ? 'iptables is not installed' : undefined);
if (skipReason !== undefined) console.log(`SKIP gashammer faults namespace tests: ${skipReason}`);

function gashammer(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok) => child.once('exit', (code) => ok({ code, stdout, stderr })));
}

describe.skipIf(skipReason !== undefined)('gashammer faults', () => {
  let ns: TestNamespace;
  beforeAll(async () => {
    ns = await createNamespace({ subnet: '198.18.2' });
  });
  afterAll(async () => {
    await ns?.remove();
  });

  it('lists a left-over gashammer rule, clears it with --clear, and leaves a rule of someone else', async () => {
    const leftover = ['-w', '-I', 'INPUT', '-p', 'tcp', '--dport', '8547', '-m', 'comment', '--comment', 'gashammer:iptables-41', '-j', 'DROP'];
    const theirs = ['-w', '-I', 'INPUT', '-p', 'tcp', '--dport', '22', '-m', 'comment', '--comment', 'ops-rule', '-j', 'ACCEPT'];
    expect((await ns.run('iptables', leftover)).exitCode).toBe(0);
    expect((await ns.run('iptables', theirs)).exitCode).toBe(0);

    const listed = await gashammer(['faults', '--netns', ns.name]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/iptables: 1 in force\n.*gashammer:iptables-41/);
    expect(listed.stdout).toContain('netem: none');

    const cleared = await gashammer(['faults', '--clear', '--netns', ns.name]);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stdout).toContain('cleared 1');
    const rules = (await ns.run('iptables', ['-S', 'INPUT'])).stdout;
    expect(rules).not.toContain('gashammer:');
    expect(rules).toContain('ops-rule');
    expect((await gashammer(['faults', '--netns', ns.name])).stdout).toContain('iptables: none');
  });

  it('says why it cannot look (GH-E703, exit 3) and refuses a malformed namespace name (exit 2)', async () => {
    const missing = await gashammer(['faults', '--netns', 'gh-no-such-namespace']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('GH-E703');
    expect(missing.stderr).toContain('gh-no-such-namespace');
    expect(missing.stderr).not.toMatch(/^\s+at /m);
    const bad = await gashammer(['faults', '--netns', '../etc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('GH-E003');
  });
});
