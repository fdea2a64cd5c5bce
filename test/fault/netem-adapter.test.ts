// The netem adapter inside a network namespace of its own. What does not need the netem qdisc is
// tested for real everywhere: preflight's answer, refusing another's root qdisc, a missing
// interface, clearAll finding GasHammer's marked qdiscs. Injecting delay needs sch_netem in the
// kernel; where preflight says it is missing, those cases print why and skip. After every case
// no GasHammer qdisc may be left, by the adapter's listing and by tc's.

import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { isGasHammerError } from '../../src/errors/gashammer-error.js';
import type { FaultApplication, PreflightResult } from '../../src/fault/adapter.js';
import { findHostTool, runHostCommand } from '../../src/fault/host-command.js';
import { NETEM_HANDLE, NetemAdapter, netemOptions, parseRootQdiscs } from '../../src/fault/netem-adapter.js';
import type { FaultType } from '../../src/scenario/types.js';
import { canCreateNamespaces, createNamespace, echoRoundTripMs, type EchoServer, type TestNamespace } from './netns.js';

const skipReason = (await canCreateNamespaces()) ?? (findHostTool('tc') === undefined ? 'tc (iproute2) is not installed' : undefined);
if (skipReason !== undefined) console.log(`SKIP netem adapter namespace tests: ${skipReason}`);

function application(type: FaultType, params: Record<string, number | string> = {}): FaultApplication {
  return { spec: { type, name: `${type}-test`, target: 'sequencer-rpc', adapter: 'netem', params }, edgeIndexes: [0] };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
}

describe('netem options and tc listings', () => {
  it('turns each fault type into netem options', () => {
    expect(netemOptions(application('latency', { latency_ms: 100 }).spec)).toEqual(['delay', '100ms']);
    expect(netemOptions(application('packet-loss', { loss_pct: 2.5 }).spec)).toEqual(['loss', '2.5%']);
    expect(netemOptions(application('bandwidth', { rate_kbps: 512 }).spec)).toEqual(['rate', '512kbit']);
  });

  it('gives jitter the proxy\'s meaning: latency plus up to jitter_ms more, as a mean and a uniform spread', () => {
    expect(netemOptions(application('latency', { latency_ms: 100, jitter_ms: 40 }).spec)).toEqual(['delay', '120ms', '20ms']);
    expect(netemOptions(application('jitter', { jitter_ms: 50 }).spec)).toEqual(['delay', '25ms', '25ms']);
    expect(netemOptions(application('jitter', { jitter_ms: 5, latency_ms: 10 }).spec)).toEqual(['delay', '12.5ms', '2.5ms']);
  });

  it('refuses parameters netem cannot take (GH-E700)', () => {
    for (const [type, params] of [
      ['latency', {}],
      ['jitter', { latency_ms: 10 }],
      ['latency', { latency_ms: -1 }],
      ['packet-loss', { loss_pct: 101 }],
      ['bandwidth', { rate_kbps: 0 }],
      ['bandwidth', { rate_kbps: 'fast' }],
      ['port-block', { port: 80 }],
    ] as const) {
      let thrown: unknown;
      try {
        netemOptions(application(type, params).spec);
      } catch (e) {
        thrown = e;
      }
      expect(isGasHammerError(thrown) && thrown.code, `${type} ${JSON.stringify(params)}`).toBe('GH-E700');
    }
  });

  it('reads root qdiscs from tc qdisc show, with and without a device filter', () => {
    const all = [
      'qdisc noqueue 0: dev lo root refcnt 2 ',
      'qdisc netem 4748: dev eth0 root refcnt 2 limit 1000 delay 100ms',
      'qdisc mq 0: dev eth1 root ',
      'qdisc fq_codel 0: dev eth1 parent :1 limit 10240p flows 1024',
      'qdisc ingress ffff: dev eth0 parent ffff:fff1 ----------------',
    ].join('\n');
    expect(parseRootQdiscs(all).map((q) => [q.dev, q.kind, q.handle])).toEqual([
      ['lo', 'noqueue', '0:'],
      ['eth0', 'netem', '4748:'],
      ['eth1', 'mq', '0:'],
    ]);
    expect(parseRootQdiscs('qdisc tbf 8001: root refcnt 2 rate 1Mbit burst 4Kb lat 400ms\n', 'veth0')).toEqual([
      { dev: 'veth0', kind: 'tbf', handle: '8001:', line: 'qdisc tbf 8001: root refcnt 2 rate 1Mbit burst 4Kb lat 400ms' },
    ]);
  });
});

describe.skipIf(skipReason !== undefined)('NetemAdapter in a network namespace', () => {
  let ns: TestNamespace;
  let server: EchoServer;
  let adapter: NetemAdapter;
  let preflight: PreflightResult;
  const notes: string[] = [];

  async function rawQdiscs(): Promise<string> {
    const listed = await ns.run('tc', ['qdisc', 'show']);
    expect(listed.exitCode).toBe(0);
    return listed.stdout;
  }

  async function tcInside(args: readonly string[]): Promise<void> {
    const result = await ns.run('tc', args);
    expect(result.exitCode, `${result.commandLine}: ${result.stderr}`).toBe(0);
  }

  /** Injection needs the netem qdisc in the kernel; without it the case says why and skips. */
  function needNetem(ctx: TestContext): void {
    if (preflight.ready) return;
    const reason = `netem is not usable here: ${preflight.issues.join('; ')}`;
    console.log(`SKIP "${ctx.task.name}": ${reason}`);
    ctx.skip(reason);
  }

  const tbf = ['tbf', 'rate', '1mbit', 'burst', '32kbit', 'latency', '400ms'];

  beforeAll(async () => {
    // Not the iptables tests' subnet: the two files run at the same time.
    ns = await createNamespace({ subnet: '198.51.100' });
    server = await ns.startEchoServer();
    preflight = await new NetemAdapter({ netns: ns.name }).preflight();
  });

  afterAll(async () => {
    await ns?.remove();
  });

  afterEach(async () => {
    notes.length = 0;
    const active = await adapter.active();
    const raw = await rawQdiscs();
    // Leave the next case clean interfaces even when this one failed, then say what was left.
    for (const q of parseRootQdiscs(raw).filter((x) => x.handle === NETEM_HANDLE)) await ns.run('tc', ['qdisc', 'del', 'dev', q.dev, 'root']);
    expect(active).toEqual([]);
    expect(raw).not.toContain(` ${NETEM_HANDLE} `);
  });

  // beforeEach would run before afterEach's adapter exists on a skipped case; set it per case.
  const fresh = (): NetemAdapter => (adapter = new NetemAdapter({ netns: ns.name, onNote: (m) => notes.push(m) }));

  it('preflight answers ready, or names every reason, and leaves no probe namespace', async () => {
    fresh();
    expect(preflight.adapter).toBe('netem');
    expect(preflight.ready).toBe(preflight.issues.length === 0);
    for (const issue of preflight.issues) {
      expect(typeof issue).toBe('string');
      expect(issue.length).toBeGreaterThan(20);
    }
    if (!preflight.ready) {
      console.log(`netem preflight here: not ready: ${preflight.issues.join(' | ')}`);
      expect(preflight.issues.some((i) => /netem|sch_netem/.test(i))).toBe(true);
    }
    const namespaces = await runHostCommand('ip', ['netns', 'list']);
    expect(namespaces.stdout).not.toContain(`gh-probe-${process.pid}-`);
  });

  it('injects 100 ms of delay on the veth, measurably, and clears it without a trace', async (ctx) => {
    fresh();
    needNetem(ctx);
    const before = await echoRoundTripMs(ns.innerAddress, server.port);
    expect(before).toBeLessThan(100);

    const handle = await adapter.inject(application('latency', { latency_ms: 100, interface: ns.innerInterface }));
    expect(handle.description).toBe(`ip netns exec ${ns.name} tc qdisc add dev ${ns.innerInterface} root handle ${NETEM_HANDLE} netem delay 100ms`);
    const shown = await ns.run('tc', ['qdisc', 'show', 'dev', ns.innerInterface]);
    expect(shown.stdout).toMatch(new RegExp(`qdisc netem ${NETEM_HANDLE} root .*delay 100ms`));
    expect(await adapter.active()).toEqual([expect.stringContaining(`netem ${NETEM_HANDLE} dev ${ns.innerInterface} root`)]);
    // The echo leaves the namespace through the shaped veth end: the round trip carries the delay.
    expect(await echoRoundTripMs(ns.innerAddress, server.port)).toBeGreaterThanOrEqual(100);

    expect(await adapter.clearWithOutcome(handle)).toBe('removed');
    expect(await adapter.clearWithOutcome(handle)).toBe('not-active');
    expect(await echoRoundTripMs(ns.innerAddress, server.port)).toBeLessThan(100);
  });

  it('injects packet loss and a bandwidth cap as netem options', async (ctx) => {
    fresh();
    needNetem(ctx);
    for (const [type, params, words] of [
      ['packet-loss', { loss_pct: 5 }, 'loss 5%'],
      ['bandwidth', { rate_kbps: 800 }, 'rate 800Kbit'],
    ] as const) {
      const handle = await adapter.inject(application(type, { ...params, interface: ns.innerInterface }));
      const shown = await ns.run('tc', ['qdisc', 'show', 'dev', ns.innerInterface]);
      expect(shown.stdout.toLowerCase()).toContain(words.toLowerCase());
      await adapter.clear(handle);
    }
  });

  it('clearing a qdisc someone already removed does not throw: it reports it already gone', async (ctx) => {
    fresh();
    needNetem(ctx);
    const handle = await adapter.inject(application('latency', { latency_ms: 10, interface: ns.innerInterface }));
    await tcInside(['qdisc', 'del', 'dev', ns.innerInterface, 'root']);
    expect(await adapter.clearWithOutcome(handle)).toBe('already-gone');
    expect(notes[0]).toContain('already gone');
    expect(await adapter.clearWithOutcome(handle)).toBe('not-active');
  });

  it('without the netem qdisc in the kernel, inject fails with GH-E700 in tc\'s words and leaves nothing', async (ctx) => {
    fresh();
    if (!preflight.issues.some((i) => i.includes('no netem qdisc'))) {
      const reason = 'this kernel has the netem qdisc, so its absence cannot be seen here';
      console.log(`SKIP "${ctx.task.name}": ${reason}`);
      ctx.skip(reason);
    }
    const error = await rejection(adapter.inject(application('latency', { latency_ms: 100, interface: ns.innerInterface })));
    expect(isGasHammerError(error) && error.code).toBe('GH-E700');
    expect((error as Error).message).toMatch(/qdisc kind is unknown/i);
    expect(isGasHammerError(error) && error.details).toContain(`tc qdisc add dev ${ns.innerInterface} root handle ${NETEM_HANDLE} netem delay 100ms`);
    expect(parseRootQdiscs(await rawQdiscs()).find((q) => q.dev === ns.innerInterface)?.kind).toBe('noqueue');
  });

  it('refuses to replace a root qdisc that is not GasHammer\'s (GH-E700) and leaves it in place', async () => {
    fresh();
    await tcInside(['qdisc', 'add', 'dev', ns.innerInterface, 'root', 'handle', '8001:', ...tbf]);
    try {
      const error = await rejection(adapter.inject(application('latency', { latency_ms: 100, interface: ns.innerInterface })));
      expect(isGasHammerError(error) && error.code).toBe('GH-E700');
      expect((error as Error).message).toContain('not GasHammer\'s');
      expect((error as Error).message).toContain('tbf 8001:');
      const root = parseRootQdiscs(await rawQdiscs()).find((q) => q.dev === ns.innerInterface);
      expect(root).toMatchObject({ kind: 'tbf', handle: '8001:' });
      expect(await adapter.clearAll()).toBe(0);
      expect(parseRootQdiscs(await rawQdiscs()).find((q) => q.dev === ns.innerInterface)?.kind).toBe('tbf');
    } finally {
      await ns.run('tc', ['qdisc', 'del', 'dev', ns.innerInterface, 'root']);
    }
  });

  it('refuses a fault without an interface, or on one that does not exist (GH-E700), and adds nothing', async () => {
    fresh();
    const cases: Record<string, number | string>[] = [{ latency_ms: 100 }, { latency_ms: 100, interface: 'ghnosuch0' }, { latency_ms: 100, interface: '-dev' }];
    for (const params of cases) {
      const error = await rejection(adapter.inject(application('latency', params)));
      expect(isGasHammerError(error) && error.code, JSON.stringify(params)).toBe('GH-E700');
    }
    const unsupported = await rejection(adapter.inject(application('port-block', { port: 80, interface: ns.innerInterface })));
    expect(isGasHammerError(unsupported) && unsupported.code).toBe('GH-E700');
    expect(parseRootQdiscs(await rawQdiscs()).every((q) => q.kind === 'noqueue')).toBe(true);
  });

  // Only netem's 4748: mark matters to clearAll, so a tbf carrying it stands in for the netem
  // qdisc a crashed run left where this kernel has no netem to leave.
  it('refuses an interface that already carries GasHammer\'s qdisc, and clearAll removes every marked one and nothing else', async () => {
    fresh();
    await tcInside(['qdisc', 'add', 'dev', ns.innerInterface, 'root', 'handle', NETEM_HANDLE, ...tbf]);
    await tcInside(['qdisc', 'add', 'dev', 'lo', 'root', 'handle', '8001:', ...tbf]);
    try {
      const error = await rejection(adapter.inject(application('latency', { latency_ms: 100, interface: ns.innerInterface })));
      expect(isGasHammerError(error) && error.code).toBe('GH-E700');
      expect((error as Error).message).toContain('already carries GasHammer\'s');

      const crashed = new NetemAdapter({ netns: ns.name });
      expect(await crashed.active()).toEqual([expect.stringContaining(`tbf ${NETEM_HANDLE} dev ${ns.innerInterface} root`)]);
      expect(await crashed.clearAll()).toBe(1);
      expect(await crashed.clearAll()).toBe(0);
      const roots = parseRootQdiscs(await rawQdiscs());
      expect(roots.find((q) => q.dev === ns.innerInterface)?.kind).toBe('noqueue');
      expect(roots.find((q) => q.dev === 'lo')).toMatchObject({ kind: 'tbf', handle: '8001:' });
    } finally {
      await ns.run('tc', ['qdisc', 'del', 'dev', 'lo', 'root']);
    }
  });

  it('clearing a handle it does not hold is a no-op', async () => {
    fresh();
    const handle = { id: 'netem-0', adapter: 'netem' as const, application: application('latency', { latency_ms: 1, interface: ns.innerInterface }), description: '' };
    expect(await adapter.clearWithOutcome(handle)).toBe('not-active');
    await expect(adapter.clear(handle)).resolves.toBeUndefined();
  });
});
