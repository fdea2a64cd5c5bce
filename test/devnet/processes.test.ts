// `gashammer devnet` as a process: it prints its endpoints, stops cleanly on SIGINT, and
// leaves no anvil behind, even when it is itself killed with SIGKILL.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonRpcCall } from '../../src/chain/json-rpc-call.js';
import { startAnvil } from '../../src/devnet/anvil.js';

const BIN = join(resolve(import.meta.dirname, '../..'), 'bin', 'gashammer.js');
const started: ChildProcess[] = [];

afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until a process is gone; fails after `ms`. Polls: a foreign pid offers no exit event. */
async function gone(pid: number, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

interface DevnetInfo {
  rpcUrl: string;
  feedUrl: string;
  chainId: number;
  faucet: string;
  contracts: Record<string, string>;
  processes: { anvil: number };
}

async function startDevnetProcess(): Promise<{ child: ChildProcess; info: DevnetInfo; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'devnet', '--port', '0', '--feed-port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolveLine, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolveLine);
    void exit.then((code) => reject(new Error(`devnet exited with ${code}: ${stderr}`)));
  });
  return { child, info: JSON.parse(line) as DevnetInfo, exit };
}

describe('gashammer devnet', () => {
  it('prints its endpoints as JSON, serves them, and stops cleanly on SIGINT', async () => {
    const { child, info, exit } = await startDevnetProcess();
    expect(info.chainId).toBe(412346);
    expect(info.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.feedUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(info.faucet).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(Object.keys(info.contracts).sort()).toEqual(['contentionTarget', 'counter', 'eventEmitter', 'gasBurner', 'reverter', 'storageWriter', 'token']);
    expect(Number(await jsonRpcCall<string>(info.rpcUrl, 'eth_chainId', []))).toBe(412346);
    expect(alive(info.processes.anvil)).toBe(true);

    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(await gone(info.processes.anvil)).toBe(true);
  }, 30_000);

  it('leaves no anvil behind when it is killed with SIGKILL', async (ctx) => {
    if (process.platform !== 'linux') ctx.skip('parent-death signals are Linux-only');
    const { child, info, exit } = await startDevnetProcess();
    child.kill('SIGKILL');
    await exit;
    expect(await gone(info.processes.anvil)).toBe(true);
  }, 30_000);

  it('reports a busy port with GH-E114 and exit 3', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, [BIN, 'devnet', '--port', String(port), '--feed-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      started.push(child);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(3);
      expect(stderr).toContain('GH-E114');
      expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    } finally {
      busy.close();
    }
  }, 30_000);
});

describe('startAnvil', () => {
  it('stops anvil and waits for it to exit', async () => {
    const anvil = await startAnvil();
    expect(alive(anvil.pid)).toBe(true);
    await anvil.stop();
    expect(alive(anvil.pid)).toBe(false);
  });
});
