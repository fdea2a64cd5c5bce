// The iptables adapter for real, inside a network namespace of its own: a TCP server in the
// namespace is reached from the root namespace over a veth, and each fault is observed as a
// connection outcome (refused for connection-reset, hanging for port-block, connecting again
// once cleared). After every case no GasHammer rule may be left, by the adapter's own listing
// and by iptables'. Rule words are also tested without privileges.

import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isGasHammerError } from '../../src/errors/gashammer-error.js';
import type { FaultApplication } from '../../src/fault/adapter.js';
import { findHostTool } from '../../src/fault/host-command.js';
import { commentOf, IptablesAdapter, ruleArguments, ruleLines, splitRuleLine } from '../../src/fault/iptables-adapter.js';
import type { FaultType } from '../../src/scenario/types.js';
import { canCreateNamespaces, connectOutcome, createNamespace, type EchoServer, type TestNamespace } from './netns.js';

const skipReason = (await canCreateNamespaces()) ?? (findHostTool('iptables') === undefined ? 'iptables is not installed' : undefined);
if (skipReason !== undefined) console.log(`SKIP iptables adapter namespace tests: ${skipReason}`);

function application(type: FaultType, params: Record<string, number | string> = {}): FaultApplication {
  return { spec: { type, name: `${type}-test`, target: 'sequencer-rpc', adapter: 'iptables', params }, edgeIndexes: [0] };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
}

describe('iptables rule words', () => {
  it('builds a commented REJECT-with-reset rule for connection-reset and a DROP rule for port-block', () => {
    expect(ruleArguments('connection-reset', 8547, 'iptables-7')).toEqual([
      '-p', 'tcp', '--dport', '8547', '-m', 'comment', '--comment', 'gashammer:iptables-7', '-j', 'REJECT', '--reject-with', 'tcp-reset',
    ]);
    expect(ruleArguments('port-block', 9642, 'iptables-8')).toEqual(['-p', 'tcp', '--dport', '9642', '-m', 'comment', '--comment', 'gashammer:iptables-8', '-j', 'DROP']);
  });

  it('reads iptables -S lines back into the words that delete them, quoted comments included', () => {
    const listing = [
      '-P INPUT ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 10 -m comment --comment "kept by someone\\\'s \\"x\\"" -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 8547 -m comment --comment "gashammer:iptables-1" -j REJECT --reject-with tcp-reset',
      '-A OUTPUT -p tcp -m comment --comment gashammer:iptables-2 -j DROP',
      '',
    ].join('\n');
    const rules = ruleLines(listing, 'INPUT');
    expect(rules).toHaveLength(2);
    expect(commentOf(rules[0]!)).toBe('kept by someone\'s "x"');
    expect(rules[1]).toEqual(['-p', 'tcp', '-m', 'tcp', '--dport', '8547', '-m', 'comment', '--comment', 'gashammer:iptables-1', '-j', 'REJECT', '--reject-with', 'tcp-reset']);
    expect(splitRuleLine('  -A  X   -j DROP ')).toEqual(['-A', 'X', '-j', 'DROP']);
    expect(splitRuleLine('--comment ""')).toEqual(['--comment', '']);
  });
});

describe.skipIf(skipReason !== undefined)('IptablesAdapter in a network namespace', () => {
  let ns: TestNamespace;
  let server: EchoServer;
  let adapter: IptablesAdapter;
  const notes: string[] = [];

  /** The namespace's INPUT chain as iptables itself lists it. */
  async function rawRules(): Promise<string> {
    const listed = await ns.run('iptables', ['-w', '-S', 'INPUT']);
    expect(listed.exitCode).toBe(0);
    return listed.stdout;
  }

  const reach = (): Promise<string> => connectOutcome(ns.innerAddress, server.port, 1_000);

  beforeAll(async () => {
    ns = await createNamespace({ subnet: '203.0.113' });
    server = await ns.startEchoServer();
  });

  afterAll(async () => {
    await ns?.remove();
  });

  beforeEach(() => {
    notes.length = 0;
    adapter = new IptablesAdapter({ netns: ns.name, onNote: (m) => notes.push(m) });
  });

  afterEach(async () => {
    const active = await adapter.active();
    const raw = await rawRules();
    // Leave the next case a clean chain even when this one failed, then say what was left.
    if (active.length > 0 || raw.includes('gashammer:')) await ns.run('iptables', ['-w', '-F', 'INPUT']);
    expect(active).toEqual([]);
    expect(raw).not.toContain('gashammer:');
  });

  it('is ready in the namespace', async () => {
    const result = await adapter.preflight();
    expect(result).toEqual({ adapter: 'iptables', ready: true, issues: [] });
  });

  it('connection-reset refuses new connections to the port until cleared', async () => {
    expect(await reach()).toBe('connected');

    const handle = await adapter.inject(application('connection-reset', { port: server.port }));
    expect(handle.adapter).toBe('iptables');
    expect(handle.description).toBe(
      `ip netns exec ${ns.name} iptables -w -I INPUT -p tcp --dport ${server.port} -m comment --comment gashammer:${handle.id} -j REJECT --reject-with tcp-reset`,
    );
    const active = await adapter.active();
    expect(active).toHaveLength(1);
    expect(active[0]).toContain(`--comment gashammer:${handle.id}`);
    expect(await rawRules()).toContain(`gashammer:${handle.id}`);
    expect(await reach()).toBe('refused');

    await adapter.clear(handle);
    expect(await reach()).toBe('connected');
  });

  it('connection-reset also resets a connection that was open before', async () => {
    const socket = connect({ host: ns.innerAddress, port: server.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const handle = await adapter.inject(application('connection-reset', { port: server.port }));
    try {
      const ended = new Promise<string>((resolve) => {
        socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
        socket.once('data', () => resolve('echoed'));
      });
      socket.write('x');
      expect(await ended).toBe('ECONNRESET');
    } finally {
      socket.destroy();
      await adapter.clear(handle);
    }
  });

  it('port-block makes connects hang until cleared', async () => {
    expect(await reach()).toBe('connected');

    const handle = await adapter.inject(application('port-block', { port: server.port }));
    expect(handle.description).toBe(`ip netns exec ${ns.name} iptables -w -I INPUT -p tcp --dport ${server.port} -m comment --comment gashammer:${handle.id} -j DROP`);
    expect(await reach()).toBe('timed-out');

    await adapter.clear(handle);
    expect(await reach()).toBe('connected');
  });

  it('takes the port of the target endpoint when the fault names none, and the fault\'s own port first', async () => {
    const seen: string[] = [];
    const withDefault = new IptablesAdapter({
      netns: ns.name,
      defaultPort: (spec) => {
        seen.push(spec.name);
        return server.port;
      },
    });
    const handle = await withDefault.inject(application('connection-reset'));
    expect(seen).toEqual(['connection-reset-test']);
    expect(handle.description).toContain(`--dport ${server.port} `);
    expect(await reach()).toBe('refused');
    await withDefault.clear(handle);
    expect(await reach()).toBe('connected');

    const own = await withDefault.inject(application('port-block', { port: 9 }));
    expect(own.description).toContain('--dport 9 ');
    await withDefault.clear(own);
    expect(await withDefault.active()).toEqual([]);
  });

  it('refuses a fault with no port at all (GH-E700) and adds nothing', async () => {
    const noDefault = new IptablesAdapter({ netns: ns.name, defaultPort: () => undefined });
    for (const a of [adapter, noDefault]) {
      const error = await rejection(a.inject(application('connection-reset')));
      expect(isGasHammerError(error) && error.code).toBe('GH-E700');
      expect((error as Error).message).toContain('no port');
    }
    const badPort = await rejection(adapter.inject(application('port-block', { port: 70_000 })));
    expect(isGasHammerError(badPort) && badPort.code).toBe('GH-E700');
  });

  it('refuses fault types it does not inject (GH-E700)', async () => {
    const error = await rejection(adapter.inject(application('latency', { latency_ms: 100, port: server.port })));
    expect(isGasHammerError(error) && error.code).toBe('GH-E700');
  });

  it('reports what iptables said when it refuses a rule (GH-E700), and its preflight names the chain', async () => {
    const missingChain = new IptablesAdapter({ netns: ns.name, chain: 'GHNOSUCH' });
    const error = await rejection(missingChain.inject(application('port-block', { port: server.port })));
    expect(isGasHammerError(error) && error.code).toBe('GH-E700');
    expect(isGasHammerError(error) && error.details).toContain('iptables -w -I GHNOSUCH');

    const preflight = await missingChain.preflight();
    expect(preflight.ready).toBe(false);
    expect(preflight.issues).toHaveLength(1);
    expect(preflight.issues[0]).toContain('GHNOSUCH');
  });

  it('clearing twice is a no-op', async () => {
    const handle = await adapter.inject(application('port-block', { port: server.port }));
    expect(await adapter.clearWithOutcome(handle)).toBe('removed');
    expect(await adapter.clearWithOutcome(handle)).toBe('not-active');
    await expect(adapter.clear(handle)).resolves.toBeUndefined();
    expect(await reach()).toBe('connected');
  });

  it('clearing a rule someone already removed by hand does not throw: it reports the rule already gone', async () => {
    const handle = await adapter.inject(application('connection-reset', { port: server.port }));
    const [rule] = ruleLines(await rawRules(), 'INPUT');
    const byHand = await ns.run('iptables', ['-w', '-D', 'INPUT', ...rule!]);
    expect(byHand.exitCode).toBe(0);

    expect(await adapter.clearWithOutcome(handle)).toBe('already-gone');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`gashammer:${handle.id}`);
    expect(notes[0]).toContain('already gone');
    expect(await adapter.clearWithOutcome(handle)).toBe('not-active');
    expect(await reach()).toBe('connected');
  });

  it('clearAll removes its own rules and those a crashed run left, and nobody else\'s', async () => {
    const foreign = ['-p', 'tcp', '--dport', '10', '-m', 'comment', '--comment', 'kept by someone else', '-j', 'ACCEPT'];
    const leftover = ['-p', 'tcp', '--dport', String(server.port), '-m', 'comment', '--comment', 'gashammer:iptables-999', '-j', 'REJECT', '--reject-with', 'tcp-reset'];
    expect((await ns.run('iptables', ['-w', '-I', 'INPUT', ...foreign])).exitCode).toBe(0);
    try {
      // As a crashed run would leave it: inserted, never cleared, its process gone.
      expect((await ns.run('iptables', ['-w', '-I', 'INPUT', ...leftover])).exitCode).toBe(0);
      expect(await reach()).toBe('refused');

      const fresh = new IptablesAdapter({ netns: ns.name });
      expect(await fresh.active()).toEqual([expect.stringContaining('gashammer:iptables-999')]);
      expect(await fresh.clearAll()).toBe(1);
      expect(await reach()).toBe('connected');

      const own = await adapter.inject(application('port-block', { port: server.port }));
      expect((await ns.run('iptables', ['-w', '-I', 'INPUT', ...leftover])).exitCode).toBe(0);
      expect(await adapter.clearAll()).toBe(2);
      expect(await adapter.clearWithOutcome(own)).toBe('not-active');
      expect(await adapter.clearAll()).toBe(0);

      expect(await rawRules()).toContain('kept by someone else');
      expect(await reach()).toBe('connected');
    } finally {
      await ns.run('iptables', ['-w', '-D', 'INPUT', ...foreign]);
    }
  });
});
