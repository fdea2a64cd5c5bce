// The anvil process behind the embedded devnet: finds the binary that npm installed, starts it
// on a free loopback port with Nitro-like settings, waits until it answers, and stops it
// without leaving a process behind — also when GasHammer itself is killed.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { jsonRpcCall } from '../chain/json-rpc-call.js';
import { killOnExit, tiedLauncher as launcher } from '../util/tied-child.js';

/** Nitro's dev chain id (0x64aba); the embedded devnet uses it too. */
export const DEVNET_CHAIN_ID = 412_346;
/** Nitro's default per-block gas limit; anvil's blocks get the same so saturation looks alike. */
export const NITRO_BLOCK_GAS_LIMIT = 32_000_000n;
/** Nitro's minimum base fee on the dev chain: 0.1 gwei. */
export const NITRO_MIN_BASE_FEE_WEI = 100_000_000n;
/** The public test mnemonic; anvil prefunds its m/44'/60'/0'/0/0 account, the faucet. */
export const DEVNET_MNEMONIC = 'test test test test test test test test test test test junk';
/** Key of m/44'/60'/0'/0/0 of the test mnemonic: public knowledge, devnets only. */
export const DEVNET_FAUCET_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const;
export const DEVNET_FAUCET_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' as const;

export interface AnvilOptions {
  /** Loopback port; 0 (default) picks a free one. */
  readonly port?: number;
  readonly chainId?: number;
  /** Interval mining: never automine under load (anvil loses transactions then). */
  readonly blockTimeSecs?: number;
  readonly blockGasLimit?: bigint;
  /** Ether given to the faucet account (and to each other prefunded account). */
  readonly faucetBalanceEth?: number;
  /** Accounts of the test mnemonic anvil prefunds, from index 0 (the faucet); default 1. */
  readonly prefundedAccounts?: number;
  /** How long to wait for eth_chainId to answer. */
  readonly readyTimeoutMs?: number;
}

export interface AnvilProcess {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly pid: number;
  readonly chainId: number;
  /** Stops anvil (SIGTERM, then SIGKILL after a grace period); resolves when it has exited. */
  stop(): Promise<void>;
}

const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

/** Names an anvil binary to use instead of the npm package's (the Action sets it after installing one). */
export const ANVIL_PATH_ENV = 'GASHAMMER_ANVIL';

/** The anvil npm package of this platform, or undefined when anvil has no npm build for it. */
export function anvilPackage(): string | undefined {
  return PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
}

/**
 * Path of the anvil binary: GASHAMMER_ANVIL when set, else the binary in its platform package.
 * GasHammer depends on the linux-x64 one (an optional dependency, the platform CI and GitHub's
 * runners use); on another platform install the matching package yourself, e.g.
 * `npm install @foundry-rs/anvil-darwin-arm64`.
 */
export function anvilBinary(): string {
  const override = process.env[ANVIL_PATH_ENV];
  if (override) {
    if (!existsSync(override)) throw new GasHammerError(ErrorCodes.DevnetStart, `${ANVIL_PATH_ENV} names ${override}, which does not exist`);
    return override;
  }
  const key = `${process.platform}-${process.arch}`;
  const pkg = PLATFORM_PACKAGES[key];
  if (!pkg) throw new GasHammerError(ErrorCodes.DevnetStart, `anvil from npm has no build for ${key}`);
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = dirname(require.resolve(`${pkg}/package.json`));
  } catch (cause) {
    throw new GasHammerError(ErrorCodes.DevnetStart, `the anvil binary package ${pkg} is not installed`, {
      cause,
      hint: `install it with \`npm install ${pkg}\` (only the linux-x64 package is a dependency of GasHammer)`,
    });
  }
  const binary = join(root, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!existsSync(binary)) throw new GasHammerError(ErrorCodes.DevnetStart, `anvil binary missing at ${binary}`);
  return binary;
}

/** A port that was free a moment ago on 127.0.0.1. Racy by nature; startAnvil retries. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function rpcAnswers(url: string, chainId: number): Promise<boolean> {
  try {
    return Number(await jsonRpcCall<string>(url, 'eth_chainId', [], 1_000)) === chainId;
  } catch {
    return false;
  }
}

function tail(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

async function launchOnce(port: number, o: Required<AnvilOptions>): Promise<AnvilProcess> {
  const args = [
    '--host', '127.0.0.1',
    '--port', String(port),
    '--chain-id', String(o.chainId),
    '--block-time', String(o.blockTimeSecs),
    '--gas-limit', String(o.blockGasLimit),
    '--base-fee', String(NITRO_MIN_BASE_FEE_WEI),
    '--accounts', String(o.prefundedAccounts),
    '--balance', String(o.faucetBalanceEth),
    '--mnemonic', DEVNET_MNEMONIC,
    '--silent',
  ];
  const binary = anvilBinary();
  const wrap = launcher();
  const child = wrap
    ? spawn(wrap.command, [...wrap.prefix, binary, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  killOnExit(child);

  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_192);
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const rpcUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + o.readyTimeoutMs;
  while (!(await rpcAnswers(rpcUrl, o.chainId))) {
    if (hasExited) {
      throw new GasHammerError(ErrorCodes.DevnetStart, `anvil exited while starting on port ${port}`, { details: tail(stderr) || 'it printed nothing' });
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new GasHammerError(ErrorCodes.DevnetStart, `anvil did not answer eth_chainId within ${o.readyTimeoutMs} ms`, { details: tail(stderr) });
    }
    await new Promise((r) => setTimeout(r, 25));
  }

  const stop = async (): Promise<void> => {
    if (hasExited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  return { rpcUrl, wsUrl: `ws://127.0.0.1:${port}`, port, pid: child.pid ?? -1, chainId: o.chainId, stop };
}

export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilProcess> {
  const o: Required<AnvilOptions> = {
    port: options.port ?? 0,
    chainId: options.chainId ?? DEVNET_CHAIN_ID,
    blockTimeSecs: options.blockTimeSecs ?? 0.25,
    blockGasLimit: options.blockGasLimit ?? NITRO_BLOCK_GAS_LIMIT,
    faucetBalanceEth: options.faucetBalanceEth ?? 10_000_000,
    prefundedAccounts: options.prefundedAccounts ?? 1,
    readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
  };
  // A free port can be taken between our probe and anvil's bind: try a few.
  const attempts = o.port === 0 ? 3 : 1;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = o.port === 0 ? await freeLoopbackPort() : o.port;
    try {
      return await launchOnce(port, o);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}
