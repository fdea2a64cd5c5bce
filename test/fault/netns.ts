// Network namespaces for the kernel fault adapter tests: a namespace joined to the root one by a
// veth pair, so a fault applied inside it is seen for real by connections from outside and
// nothing on the host's own interfaces or rules is touched; a TCP echo server to run in it; and
// the connection probes the tests observe a fault by.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { findHostTool, runHostCommand, runHostCommandOk, type HostCommandResult } from '../../src/fault/host-command.js';
import { killOnExit, tiedLauncher } from '../../src/util/tied-child.js';

/**
 * The first three octets of a /24 for the veth pair. Documentation (RFC 5737) and benchmarking
 * (RFC 2544) addresses are never routed, but a host may still use one itself: CI sandboxes do
 * put eth0 in 192.0.2.0/24 with the gateway at .1, and taking that address in the root
 * namespace would cut the host off. So a subnet the host already routes is passed over.
 */
export type TestSubnet = string;

/** Tried in order after the caller's preference; test files that run at once prefer different ones. */
const SUBNET_CANDIDATES: readonly TestSubnet[] = ['192.0.2', '198.51.100', '203.0.113', '198.18.0', '198.18.1', '198.18.2', '198.18.3'];

export interface TestNamespace {
  readonly name: string;
  /** The veth end in the root namespace, addressed <subnet>.1/24. */
  readonly hostInterface: string;
  /** The veth end inside the namespace, addressed <subnet>.2/24. */
  readonly innerInterface: string;
  readonly hostAddress: string;
  readonly innerAddress: string;
  /** Runs a host tool inside the namespace, whatever its exit code. */
  run(tool: string, args: readonly string[]): Promise<HostCommandResult>;
  /** Starts a TCP echo server inside the namespace on a free port; resolves once it listens. */
  startEchoServer(): Promise<EchoServer>;
  /** Stops the namespace's servers and deletes it with its veth pair; safe to call twice. */
  remove(): Promise<void>;
}

export interface EchoServer {
  readonly port: number;
  stop(): Promise<void>;
}

export interface NamespaceOptions {
  /** The /24 to use if the host does not use it already (default 192.0.2: 192.0.2.1 and .2). */
  readonly subnet?: TestSubnet;
}

/** The preferred subnet, or the next candidate, that no address or route of the host touches. */
async function freeSubnet(preferred: TestSubnet): Promise<TestSubnet> {
  const inUse = (await runHostCommandOk('ip', ['-4', '-o', 'addr', 'show'])).stdout + (await runHostCommandOk('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout;
  const words = new Set(inUse.split(/[\s/]+/));
  const touches = (subnet: TestSubnet): boolean => [...words].some((w) => w.startsWith(`${subnet}.`));
  const free = [preferred, ...SUBNET_CANDIDATES].find((subnet) => !touches(subnet));
  if (free === undefined) throw new Error(`every test subnet is in use on this host (${SUBNET_CANDIDATES.join(', ')})`);
  return free;
}

/** Why this process cannot make test namespaces, or undefined when it can. */
export async function canCreateNamespaces(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (findHostTool('ip') === undefined) return 'ip (iproute2) is not installed';
  const tag = randomBytes(3).toString('hex');
  const name = `gh-nscheck-${tag}`;
  try {
    const added = await runHostCommand('ip', ['netns', 'add', name]);
    if (added.exitCode !== 0) return `cannot create network namespaces (${added.commandLine}: ${added.stderr.trim()}); run the tests as root (CAP_SYS_ADMIN, CAP_NET_ADMIN)`;
    const veth = await runHostCommand('ip', ['link', 'add', `gh${tag}c`, 'type', 'veth', 'peer', 'name', `gh${tag}d`, 'netns', name]);
    if (veth.exitCode !== 0) return `cannot create a veth pair (${veth.commandLine}: ${veth.stderr.trim()})`;
    return undefined;
  } catch (e) {
    return `cannot create network namespaces: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    await runHostCommand('ip', ['link', 'delete', `gh${tag}c`]).catch(() => undefined);
    await runHostCommand('ip', ['netns', 'delete', name]).catch(() => undefined);
  }
}

/** A fresh namespace with a veth pair to the root namespace, links and loopback up. */
export async function createNamespace(options: NamespaceOptions = {}): Promise<TestNamespace> {
  const subnet = await freeSubnet(options.subnet ?? '192.0.2');
  // Random, not the pid: a crashed earlier run may have left a namespace of the same pid behind.
  const tag = randomBytes(3).toString('hex');
  const name = `gh-test-${tag}`;
  const hostInterface = `gh${tag}h`;
  const innerInterface = `gh${tag}n`;
  const hostAddress = `${subnet}.1`;
  const innerAddress = `${subnet}.2`;
  const servers = new Set<ChildProcess>();
  let removed = false;

  const remove = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    // A process still inside would keep the namespace, and with it the veth, alive.
    await Promise.all([...servers].map(stopChild));
    await runHostCommand('ip', ['link', 'delete', hostInterface]).catch(() => undefined);
    await runHostCommand('ip', ['netns', 'delete', name]).catch(() => undefined);
  };

  try {
    await runHostCommandOk('ip', ['netns', 'add', name]);
    await runHostCommandOk('ip', ['link', 'add', hostInterface, 'type', 'veth', 'peer', 'name', innerInterface, 'netns', name]);
    await runHostCommandOk('ip', ['addr', 'add', `${hostAddress}/24`, 'dev', hostInterface]);
    await runHostCommandOk('ip', ['link', 'set', hostInterface, 'up']);
    await runHostCommandOk('ip', ['-n', name, 'addr', 'add', `${innerAddress}/24`, 'dev', innerInterface]);
    await runHostCommandOk('ip', ['-n', name, 'link', 'set', innerInterface, 'up']);
    await runHostCommandOk('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (e) {
    await remove();
    throw e;
  }

  return {
    name,
    hostInterface,
    innerInterface,
    hostAddress,
    innerAddress,
    run: (tool, args) => runHostCommand(tool, args, { netns: name }),
    startEchoServer: async () => {
      const server = await startEchoServerIn(name);
      servers.add(server.child);
      return {
        port: server.port,
        stop: async () => {
          servers.delete(server.child);
          await stopChild(server.child);
        },
      };
    },
    remove,
  };
}

const ECHO_SERVER = `
const net = require('node:net');
const server = net.createServer((c) => { c.on('error', () => {}); c.pipe(c); });
server.listen(0, '0.0.0.0', () => console.log('listening ' + server.address().port));
`;

/** Spawns the echo server in the namespace and waits for the line it prints once it listens. */
function startEchoServerIn(netns: string): Promise<{ child: ChildProcess; port: number }> {
  const ip = findHostTool('ip');
  if (ip === undefined) return Promise.reject(new Error('ip (iproute2) is not installed'));
  const tied = tiedLauncher();
  const argv = [ip, 'netns', 'exec', netns, process.execPath, '-e', ECHO_SERVER];
  const child = tied === undefined ? spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(tied.command, [...tied.prefix, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null): void => reject(new Error(`the echo server in ${netns} exited (${code}) before listening: ${stderr.trim()}`));
    child.once('exit', onExit);
    child.once('error', reject);
    lines.on('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match === null) return;
      child.off('exit', onExit);
      lines.close();
      resolve({ child, port: Number(match[1]) });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** What a TCP connect met: it connected, was refused or reset, or did not complete in time. */
export type ConnectOutcome = 'connected' | 'refused' | 'timed-out' | `error ${string}`;

/** Connects to host:port and closes again; a connect that hangs past timeoutMs is 'timed-out'. */
export function connectOutcome(host: string, port: number, timeoutMs = 1_000): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timed-out');
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' ? 'refused' : `error ${error.code ?? error.message}`);
    });
  });
}

/** Milliseconds from sending one byte to the echo server until it comes back, once connected. */
export function echoRoundTripMs(host: string, port: number, timeoutMs = 5_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no echo from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('connect', () => {
      const sentAt = performance.now();
      socket.once('data', () => {
        const elapsed = performance.now() - sentAt;
        clearTimeout(timer);
        socket.destroy();
        resolve(elapsed);
      });
      socket.write('x');
    });
  });
}
