// `gashammer feed tail` as a user runs it: the built binary in a child process, following a
// real FeedRelay on loopback, stopped with a real SIGINT/SIGTERM. Checks the output lines,
// --json and --from, the exit codes (0 on a signal, 2 on a bad URL or a chain-id mismatch),
// and that an unreachable feed is retried and said so, not given up on.

import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { keccak256, numberToHex } from 'viem';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../src/devnet/anvil.js';
import { FeedRelay } from '../../src/devnet/feed-relay.js';
import { signAll, transfer, type SignedTx } from './support.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'gashammer.js');
const CHAIN_ID = 412_346;
const WAIT_MS = 15_000;

/** A Node stack frame: "    at fn (file:line:col)". */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

interface Tail {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout (or stderr) satisfies the test; rejects after WAIT_MS. */
  waitStdout(done: (text: string) => boolean): Promise<string>;
  waitStderr(done: (text: string) => boolean): Promise<string>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];
const relays: FeedRelay[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const r of relays.splice(0)) await r.stop();
});

function tail(...args: string[]): Tail {
  const child = spawn(process.execPath, [BIN, 'feed', 'tail', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout?.setEncoding('utf8').on('data', (t: string) => {
    out += t;
    changed();
  });
  child.stderr?.setEncoding('utf8').on('data', (t: string) => {
    err += t;
    changed();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('close', (code, signal) => done({ code, signal })));
  const wait = (read: () => string, what: string) => (done: (text: string) => boolean) =>
    new Promise<string>((resolvePromise, reject) => {
      const check = () => {
        if (!done(read())) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolvePromise(read());
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${what} never matched within ${WAIT_MS} ms; stdout:\n${out}\nstderr:\n${err}`));
      }, WAIT_MS);
      waiters.add(check);
      check();
    });
  return { child, stdout: () => out, stderr: () => err, waitStdout: wait(() => out, 'stdout'), waitStderr: wait(() => err, 'stderr'), exit };
}

async function relay(chainId = CHAIN_ID): Promise<FeedRelay> {
  const r = await FeedRelay.start({ chainId });
  relays.push(r);
  return r;
}

let pool: SignedTx[] = [];

beforeAll(async () => {
  pool = await signAll([transfer(0), transfer(1), transfer(2), transfer(3)]);
});

/** Block n carries n % 3 transactions. */
function txsOf(n: number): SignedTx[] {
  return Array.from({ length: n % 3 }, (_, i) => pool[(n + i) % pool.length] as SignedTx);
}

function publish(r: FeedRelay, from: number, to: number): void {
  for (let n = from; n <= to; n++) {
    r.publish({ number: n, hash: keccak256(numberToHex(n, { size: 32 })), timestamp: 1_700_000_000 + n, txs: txsOf(n).map((t) => t.raw), seenAtMs: Date.now() });
  }
}

function expectedLine(n: number): string {
  return [String(n), String(n % 3), 'tx', ...txsOf(n).map((t) => t.hash)].join(' ');
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('gashammer feed tail', () => {
  it('prints one line per message, live, and exits 0 on SIGINT', async () => {
    const r = await relay();
    const t = tail('--url', r.url, '--chain-id', String(CHAIN_ID));
    await t.waitStderr((e) => e.includes('connected to'));
    expect(t.stderr()).toBe(`connected to ${r.url} (chain ${CHAIN_ID}, feed server version 2)\n`);
    publish(r, 1, 3);
    await t.waitStdout((o) => lines(o).length >= 3);
    expect(t.stdout()).toBe([1, 2, 3].map((n) => expectedLine(n) + '\n').join(''));
    expect(t.stdout()).toMatch(/^1 1 tx 0x[0-9a-f]{64}\n2 2 tx 0x[0-9a-f]{64} 0x[0-9a-f]{64}\n3 0 tx\n$/);

    t.child.kill('SIGINT');
    expect(await t.exit).toEqual({ code: 0, signal: null });
    expect(t.stderr()).toContain('SIGINT: stopped after 3 messages (3 txs), 0 duplicates dropped, 0 gaps, 0 reconnects, 0 stalls, 0 malformed');
  });

  it('prints JSON lines from --from on, and exits 0 on SIGTERM', async () => {
    const r = await relay();
    publish(r, 1, 5);
    const t = tail('--url', r.url, '--from', '4', '--json');
    await t.waitStdout((o) => lines(o).length >= 2);
    const parsed = lines(t.stdout()).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => ({ ...p, receivedAtMs: typeof p.receivedAtMs }))).toEqual([4, 5].map((n) => ({
      sequenceNumber: n,
      blockHash: keccak256(numberToHex(n, { size: 32 })),
      txCount: n % 3,
      txHashes: txsOf(n).map((tx) => tx.hash),
      receivedAtMs: 'number',
    })));
    expect(t.stderr()).toContain('from sequence number 4');
    t.child.kill('SIGTERM');
    expect(await t.exit).toEqual({ code: 0, signal: null });
  });

  it('rejects a URL that is not ws:// or wss:// with GH-E003 and exit 2', async () => {
    const t = tail('--url', 'http://127.0.0.1:9642');
    const { code } = await t.exit;
    expect(code).toBe(2);
    expect(t.stderr()).toMatch(/^GH-E003 --url: 'http:\/\/127\.0\.0\.1:9642' is not a ws:\/\/ or wss:\/\/ URL\n/);
    expect(t.stderr()).not.toMatch(STACK_FRAME);
    expect(t.stdout()).toBe('');
  });

  it('exits 2 with GH-E110 when the feed serves another chain', async () => {
    const r = await relay();
    const t = tail('--url', r.url, '--chain-id', '42161');
    const { code } = await t.exit;
    expect(code).toBe(2);
    expect(t.stderr()).toMatch(new RegExp(`^GH-E110 the feed at ws://127\\.0\\.0\\.1:${r.port} serves chain ${CHAIN_ID}, expected 42161\\n`));
    expect(t.stderr()).not.toMatch(STACK_FRAME);
    expect(t.stderr()).not.toContain('connected to');
  });

  it('keeps retrying an unreachable feed, says so on stderr, and exits 0 on SIGINT', async () => {
    const port = await freeLoopbackPort();
    const t = tail('--url', `ws://127.0.0.1:${port}`);
    await t.waitStderr((e) => e.includes('retrying in'));
    expect(t.stderr()).toMatch(new RegExp(`^feed unreachable at ws://127\\.0\\.0\\.1:${port}: could not connect: .*ECONNREFUSED.*; retrying in (0\\.[5-9]|1\\.0) s\\n`));
    // Still running: it did not give up.
    expect(t.child.exitCode).toBeNull();
    t.child.kill('SIGINT');
    expect(await t.exit).toEqual({ code: 0, signal: null });
    expect(t.stderr()).toContain('SIGINT: stopped after 0 messages');
  });
});
