// Funding and sweeping against a real chain (the embedded devnet): only accounts below the
// threshold are topped up, the test token is minted or transferred, a second funding sends
// nothing, a sweep brings the ETH back to the funder, and `gashammer sweep` reports it with the
// documented exit codes. The funder key never shows in any error or output.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Command, CommanderError } from 'commander';
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  parseEther,
  zeroAddress,
  type Address,
  type Hash,
  type Hex,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRpcClient } from '../../src/chain/rpc-client.js';
import { registerSweepCommand } from '../../src/cli/commands/sweep.js';
import type { CliIO } from '../../src/cli/io.js';
import { freeLoopbackPort } from '../../src/devnet/anvil.js';
import { startEmbeddedDevnet, type EmbeddedDevnet } from '../../src/devnet/embedded-devnet.js';
import { asGasHammerError, isGasHammerError } from '../../src/errors/gashammer-error.js';
import { redact } from '../../src/util/redact.js';
import { deriveAccounts, type GasHammerAccount } from '../../src/workload/accounts.js';
import { FUNDER_KEY_ENV, funderFromEnvironment, fundAccounts, parseFunderKey, tokenBalanceOf } from '../../src/workload/funding.js';
import { sweepAccounts } from '../../src/workload/sweep.js';

const TEST_MNEMONIC = 'test test test test test test test test test test test junk';
const OTHER_MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const TARGET = parseEther('1');
const UNITS = 1_000n * 10n ** 18n;

let devnet: EmbeddedDevnet;
let accounts: GasHammerAccount[];

beforeAll(async () => {
  devnet = await startEmbeddedDevnet();
  accounts = deriveAccounts({ mnemonic: TEST_MNEMONIC, first: 0, count: 40 });
}, 30_000);

afterAll(async () => {
  await devnet?.stop();
});

function clients() {
  const chain = defineChain({ id: devnet.chainId, name: 'devnet', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [devnet.rpcUrl] } } });
  const transport = http(devnet.rpcUrl, { retryCount: 0 });
  return { chain, wallet: createWalletClient({ chain, transport }), reader: createPublicClient({ chain, transport, pollingInterval: 50 }) };
}

const rpc = () => createRpcClient({ url: devnet.rpcUrl });
const balanceOf = (address: Address) => rpc().getBalance(address, 'latest');
const balancesOf = (list: readonly GasHammerAccount[]) => Promise.all(list.map((a) => balanceOf(a.address)));

/** Sends `amounts[i]` wei from the faucet to `to[i]` directly with viem, independent of the code under test. */
async function sendFromFaucet(to: readonly Address[], amounts: readonly bigint[]): Promise<void> {
  const { chain, wallet, reader } = clients();
  const faucet = privateKeyToAccount(devnet.faucet.privateKey);
  const nonce = await reader.getTransactionCount({ address: faucet.address, blockTag: 'pending' });
  const hashes: Hash[] = [];
  for (const [i, address] of to.entries()) hashes.push(await wallet.sendTransaction({ account: faucet, chain, to: address, value: amounts[i]!, nonce: nonce + i }));
  for (const hash of hashes) await reader.waitForTransactionReceipt({ hash });
}

function base() {
  return { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, funderKey: devnet.faucet.privateKey };
}

/** Everything a person or a log could see of an error. */
function everythingShown(e: unknown): string {
  const g = asGasHammerError(e);
  return [String(e), g.message, g.render(), redact(g.render()), inspect(e, { depth: 20 }), JSON.stringify(e, Object.getOwnPropertyNames(e))].join('\n');
}

/** Runs `f`, capturing what it writes to stdout and stderr, and the error it ends with. */
async function captured(f: () => Promise<unknown>): Promise<{ error: unknown; output: string }> {
  const writes: string[] = [];
  const spy = (chunk: unknown) => {
    writes.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(spy);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(spy);
  try {
    await f();
    return { error: undefined, output: writes.join('') };
  } catch (error) {
    return { error, output: writes.join('') + everythingShown(error) };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('fundAccounts', () => {
  it('tops up exactly the accounts below the threshold, mints the token, and is idempotent', async () => {
    const list = accounts.slice(0, 10);
    // Account 0 holds the target, 1 one wei below the threshold (target / 2), 2 exactly at it.
    await sendFromFaucet([list[0]!.address, list[1]!.address, list[2]!.address], [TARGET, TARGET / 2n - 1n, TARGET / 2n]);

    const first = await fundAccounts({ ...base(), accounts: list, targetWei: TARGET, token: { address: devnet.contracts.token, targetUnits: UNITS, mode: 'mint' }, batchSize: 4 });
    expect(first.funded).toBe(8);
    expect(first.alreadyFunded).toBe(2);
    expect(first.totalWei).toBe(TARGET / 2n + 1n + 7n * TARGET);
    expect(first.token).toEqual({ funded: 10, alreadyFunded: 0, totalUnits: 10n * UNITS });
    expect(first.txs).toHaveLength(18);
    expect(new Set(first.txs).size).toBe(18);

    const balances = await balancesOf(list);
    expect(balances).toEqual([TARGET, TARGET, TARGET / 2n, ...Array<bigint>(7).fill(TARGET)]);
    const client = rpc();
    for (const a of list) expect(await tokenBalanceOf(client, devnet.contracts.token, a.address)).toBe(UNITS);

    const faucetNonce = await client.getTransactionCount(devnet.faucet.address, 'latest');
    const second = await fundAccounts({ ...base(), accounts: list, targetWei: TARGET, token: { address: devnet.contracts.token, targetUnits: UNITS, mode: 'mint' } });
    expect(second).toEqual({ funded: 0, alreadyFunded: 10, totalWei: 0n, txs: [], token: { funded: 0, alreadyFunded: 10, totalUnits: 0n } });
    expect(await client.getTransactionCount(devnet.faucet.address, 'pending')).toBe(faucetNonce);
    expect(await balancesOf(list)).toEqual(balances);
  });

  it('honours an explicit threshold, funds an account listed twice once, and never the funder itself', async () => {
    const [a] = accounts.slice(10, 11);
    await sendFromFaucet([a!.address], [parseEther('0.9')]);
    const self = { address: devnet.faucet.address };
    const r = await fundAccounts({ ...base(), accounts: [a!, { address: a!.address.toLowerCase() as Address }, self], targetWei: TARGET, minWei: TARGET });
    expect([r.funded, r.alreadyFunded, r.totalWei]).toEqual([1, 0, parseEther('0.1')]);
    expect(await balanceOf(a!.address)).toBe(TARGET);
  });

  it("transfers the token from the funder's own balance", async () => {
    const list = accounts.slice(11, 13);
    const client = rpc();
    const before = await tokenBalanceOf(client, devnet.contracts.token, devnet.faucet.address);
    const r = await fundAccounts({ ...base(), accounts: list, targetWei: 0n, token: { address: devnet.contracts.token, targetUnits: 5n, mode: 'transfer' } });
    expect([r.funded, r.alreadyFunded, r.token]).toEqual([0, 2, { funded: 2, alreadyFunded: 0, totalUnits: 10n }]);
    for (const a of list) expect(await tokenBalanceOf(client, devnet.contracts.token, a.address)).toBe(5n);
    expect(await tokenBalanceOf(client, devnet.contracts.token, devnet.faucet.address)).toBe(before - 10n);
  });

  it('refuses before sending anything when the funder holds too few tokens', async () => {
    const client = rpc();
    const nonce = await client.getTransactionCount(devnet.faucet.address, 'pending');
    const held = await tokenBalanceOf(client, devnet.contracts.token, devnet.faucet.address);
    const e = await fundAccounts({ ...base(), accounts: accounts.slice(13, 15), targetWei: TARGET, token: { address: devnet.contracts.token, targetUnits: held, mode: 'transfer' } }).catch((x: unknown) => x);
    expect(isGasHammerError(e) && e.code).toBe('GH-E401');
    expect((e as Error).message).toContain(`units of token ${devnet.contracts.token}`);
    expect(await client.getTransactionCount(devnet.faucet.address, 'pending')).toBe(nonce);
  });

  it('names the account and batch of a transaction that reverted', async () => {
    // The token refuses to mint to the zero address (ERC20InvalidReceiver); the estimate is made
    // for the first account, so only the zero address's own transaction fails.
    const targets = [{ address: accounts[15]!.address, index: 15 }, { address: zeroAddress }];
    const e = await fundAccounts({ ...base(), accounts: targets, targetWei: 0n, token: { address: devnet.contracts.token, targetUnits: 10n, mode: 'mint' }, batchSize: 1 }).catch((x: unknown) => x);
    expect(isGasHammerError(e) && e.code).toBe('GH-E401');
    expect((e as Error).message).toMatch(new RegExp(`funding batch 2 of 2: the transaction to account ${zeroAddress} \\(token\\) reverted`));
  });

  it('names the account and batch whose transaction the node rejected', async () => {
    const e = await fundAccounts({ ...base(), accounts: accounts.slice(16, 18), targetWei: TARGET, maxFeePerGasWei: 1n }).catch((x: unknown) => x);
    expect(isGasHammerError(e) && e.code).toBe('GH-E401');
    expect((e as Error).message).toContain(`funding batch 1 of 1: sending to account 16 (${accounts[16]!.address}) failed`);
    expect(await balancesOf(accounts.slice(16, 18))).toEqual([0n, 0n]);
  });

  it('refuses a chain with another chain id (GH-E110)', async () => {
    const e = await fundAccounts({ ...base(), chainId: 1, accounts: accounts.slice(0, 1), targetWei: TARGET }).catch((x: unknown) => x);
    expect(isGasHammerError(e) && e.code).toBe('GH-E110');
  });
});

describe('the funder key stays secret', () => {
  it('is read from GASHAMMER_FUNDER_KEY, validated, normalised and registered for redaction', () => {
    const key = generatePrivateKey();
    const upper = `0x${key.slice(2).toUpperCase()}`;
    expect(funderFromEnvironment({ [FUNDER_KEY_ENV]: ` ${upper}\n` })).toBe(key);
    expect(redact(`key=${key} bare=${key.slice(2)} upper=${upper}`)).toBe('key=*** bare=*** upper=***');
    expect(funderFromEnvironment({}, key)).toBe(key);
    // On the devnet the faucet funds the accounts, whatever the environment says.
    expect(funderFromEnvironment({ [FUNDER_KEY_ENV]: key }, undefined, { devnetFaucetKey: devnet.faucet.privateKey })).toBe(devnet.faucet.privateKey);
  });

  it('is missing: GH-E402', () => {
    for (const env of [{}, { [FUNDER_KEY_ENV]: '  ' }]) {
      const e = (() => {
        try {
          return funderFromEnvironment(env);
        } catch (x) {
          return x;
        }
      })();
      expect(isGasHammerError(e) && e.code).toBe('GH-E402');
      expect((e as Error).message).toContain(FUNDER_KEY_ENV);
    }
  });

  it.each([
    ['one digit short', generatePrivateKey().slice(0, -1)],
    ['not hex', `0x${'g'.repeat(64)}`],
    ['above the curve order', `0x${'f'.repeat(64)}`],
    ['zero', `0x${'0'.repeat(64)}`],
    ['a word', 'hunter2-secret-password'],
  ])('is invalid (%s): GH-E403, and no error or output shows it', async (_, bad) => {
    const fromEnv = await captured(async () => funderFromEnvironment({ [FUNDER_KEY_ENV]: bad }));
    expect(isGasHammerError(fromEnv.error) && fromEnv.error.code).toBe('GH-E403');
    const direct = await captured(() => fundAccounts({ ...base(), funderKey: bad as Hex, accounts: accounts.slice(0, 1), targetWei: TARGET }));
    expect(isGasHammerError(direct.error) && direct.error.code).toBe('GH-E403');
    for (const text of [fromEnv.output, direct.output]) {
      expect(text).not.toContain(bad);
      expect(text).not.toContain(bad.replace(/^0x/, ''));
    }
  });

  it('never shows in the error of a funder that cannot pay', async () => {
    const key = generatePrivateKey();
    const funder = privateKeyToAccount(key).address;
    const { error, output } = await captured(() => fundAccounts({ ...base(), funderKey: key, accounts: accounts.slice(0, 3).concat(accounts.slice(18, 20)), targetWei: TARGET }));
    expect(isGasHammerError(error) && error.code).toBe('GH-E401');
    expect((error as Error).message).toContain(`the funder ${funder} holds 0 ETH`);
    expect(output).not.toContain(key.slice(2));
    expect(output).not.toContain(key.slice(2).toUpperCase());
  });

  it('parses only 32-byte keys', () => {
    const key = generatePrivateKey();
    expect(parseFunderKey(key.slice(2))).toBe(key);
  });
});

describe('sweepAccounts', () => {
  it('returns every funded account\'s ETH to the funder, less the exact fee, and leaves them empty', async () => {
    const list = accounts.slice(20, 26);
    await fundAccounts({ ...base(), accounts: list.slice(0, 5), targetWei: TARGET });
    // Account 25 holds dust: less than a transfer's fee.
    await sendFromFaucet([list[5]!.address], [1_000n]);
    const before = await balancesOf(list);
    const funderBefore = await balanceOf(devnet.faucet.address);

    const r = await sweepAccounts({ rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, accounts: list, to: devnet.faucet.address });
    expect([r.swept, r.skipped, r.txs.length]).toEqual([5, 1, 5]);
    expect(r.totalWei + r.feesWei).toBe(before.slice(0, 5).reduce((s, b) => s + b, 0n));
    expect(r.feesWei % (5n * 21_000n)).toBe(0n);
    expect(await balancesOf(list)).toEqual([0n, 0n, 0n, 0n, 0n, 1_000n]);
    expect((await balanceOf(devnet.faucet.address)) - funderBefore).toBeGreaterThanOrEqual(r.totalWei);

    const again = await sweepAccounts({ rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, accounts: list, to: devnet.faucet.address });
    expect([again.swept, again.skipped, again.totalWei, again.txs]).toEqual([0, 6, 0n, []]);
  });

  it('sweeps with a given fee cap, paying exactly 21,000 x the cap', async () => {
    const [a] = accounts.slice(26, 27);
    await fundAccounts({ ...base(), accounts: [a!], targetWei: TARGET });
    const { reader } = clients();
    const cap = 4n * ((await reader.getBlock()).baseFeePerGas ?? 1n) + 1n;
    const r = await sweepAccounts({ rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, accounts: [a!], to: devnet.faucet.address, gasPriceWei: cap });
    expect(r.feesWei).toBe(21_000n * cap);
    expect(r.totalWei).toBe(TARGET - 21_000n * cap);
    expect(await balanceOf(a!.address)).toBe(0n);
  });
});

// ---------------------------------------------------------------------------------------------
// The command, in-process, with the exit-code mapping of src/cli/main.ts.

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

let cwd: string;
beforeAll(async () => {
  // No edge.toml here: the defaults apply unless a test passes --config.
  cwd = await mkdtemp(join(tmpdir(), 'gashammer-sweep-'));
});

async function sweepCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env, cwd, isTTY: false };
  const program = new Command('gashammer').exitOverride().configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
  registerSweepCommand(program, io);
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
  let code = 0;
  try {
    await program.parseAsync(['sweep', ...args], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) code = 2;
    else {
      const g = asGasHammerError(e);
      err.push(redact(g.render()));
      code = g.info.exitCode;
    }
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('gashammer sweep', () => {
  it('sweeps a range of accounts and prints a JSON summary', async () => {
    const list = accounts.slice(30, 33);
    await fundAccounts({ ...base(), accounts: list, targetWei: TARGET });
    const r = await sweepCli(['--rpc', devnet.rpcUrl, '--to', devnet.faucet.address, '--first', '30', '--count', '3', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ chainId: devnet.chainId, to: devnet.faucet.address, first: 30, count: 3, swept: 3, skipped: 0 });
    expect(BigInt(summary.totalWei as string)).toBeGreaterThan(3n * TARGET - parseEther('0.01'));
    expect(await balancesOf(list)).toEqual([0n, 0n, 0n]);

    const text = await sweepCli(['--rpc', devnet.rpcUrl, '--to', devnet.faucet.address.toLowerCase(), '--first', '30', '--count', '3']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`swept 0 of 3 account(s) to ${devnet.faucet.address} on chain ${devnet.chainId} (accounts 30-32)`);
  });

  it('derives from the mnemonic in the variable --mnemonic-env names, and never prints it', async () => {
    const [other] = deriveAccounts({ mnemonic: OTHER_MNEMONIC, first: 0, count: 1 });
    await fundAccounts({ ...base(), accounts: [other!], targetWei: TARGET });
    const r = await sweepCli(['--rpc', devnet.rpcUrl, '--to', devnet.faucet.address, '--count', '1', '--mnemonic-env', 'LOAD_MNEMONIC'], { LOAD_MNEMONIC: OTHER_MNEMONIC });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('swept 1 of 1 account(s)');
    expect(r.stdout + r.stderr).not.toContain('sausage');
    expect(await balanceOf(other!.address)).toBe(0n);
  });

  it.each([
    [['--to', '0x123'], 'GH-E003'],
    [['--to', '0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266'], 'EIP-55'],
    [['--first', '-1'], 'GH-E003'],
    [['--count', '0'], 'GH-E003'],
    [['--mnemonic-env', 'NOT_SET_ANYWHERE'], 'NOT_SET_ANYWHERE'],
  ])('exits 2 on bad input %j', async (extra, words) => {
    const args = ['--rpc', devnet.rpcUrl, '--to', devnet.faucet.address, ...extra];
    const r = await sweepCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(words);
    expect(r.stdout).toBe('');
  });

  it('exits 2 when --rpc is missing or not a URL, and 3 when the RPC is unreachable', async () => {
    expect((await sweepCli(['--to', devnet.faucet.address])).code).toBe(2);
    expect((await sweepCli(['--rpc', 'localhost:8545', '--to', devnet.faucet.address])).code).toBe(2);
    const port = await freeLoopbackPort();
    const r = await sweepCli(['--rpc', `http://127.0.0.1:${port}`, '--to', devnet.faucet.address, '--count', '1']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('GH-E100');
  });
});
