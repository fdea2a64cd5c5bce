// Funding GasHammer's load accounts before a run: ETH for gas from one funder account (the
// devnet's faucet, or GASHAMMER_FUNDER_KEY elsewhere) and, for token workloads, the test token
// by mint (devnet) or transfer. Only accounts below a threshold are topped up, so funding is
// idempotent: a second call sends nothing. The funder's transactions go out with sequential
// nonces, a batch at a time, and each batch waits for its receipts. Not the hot path: signing
// here uses viem.
// The funder key is a secret: it is registered for redaction, and no message, detail or cause
// built here carries it (not even the part that made it invalid).

import { setTimeout as delay } from 'node:timers/promises';
import { secp256k1 } from '@noble/curves/secp256k1';
import {
  decodeFunctionResult,
  encodeFunctionData,
  formatEther,
  hexToBytes,
  type Address,
  type Hash,
  type Hex,
  type TransactionSerializableEIP1559,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createRpcClient, type RpcClient } from '../chain/rpc-client.js';
import { isRpcError } from '../chain/rpc-errors.js';
import { GasHammerToken } from '../devnet/contract-artifacts.js';
import { ErrorCodes, type ErrorCodeInfo } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { registerSecret } from '../util/redact.js';
import { mapBounded } from './account-pool.js';

/** The environment variable the funder key is read from. Never a config-file field. */
export const FUNDER_KEY_ENV = 'GASHAMMER_FUNDER_KEY';
/** Transactions of one batch in flight at once. */
export const DEFAULT_FUNDING_BATCH_SIZE = 100;
/** How long a batch may wait for its receipts. */
export const DEFAULT_RECEIPT_TIMEOUT_MS = 60_000;
/** Receipt polls of a waiting batch: devnet blocks come every 250 ms. */
export const DEFAULT_RECEIPT_POLL_MS = 100;
/** Balance reads at once. */
const READ_CONCURRENCY = 32;
/** Gas limits are the estimate plus this share: a fresh token holder costs more storage than the estimated one, and unused gas is refunded. */
const GAS_HEADROOM_PERCENT = 20n;

// ---------------------------------------------------------------------------------------------
// The funder key

const KEY_PATTERN = /^(?:0x)?[0-9a-fA-F]{64}$/;

/** Registers every spelling of a key for redaction, so no output can carry it. */
function registerKeySecret(raw: string): void {
  const trimmed = raw.trim();
  const bare = trimmed.replace(/^0x/i, '');
  for (const form of [raw, trimmed, bare, bare.toLowerCase(), bare.toUpperCase(), `0x${bare.toLowerCase()}`, `0x${bare}`]) registerSecret(form);
}

/**
 * A 0x-prefixed lowercase private key, or GH-E403. The error says what is wrong in general,
 * never which characters: the value is a secret.
 */
export function parseFunderKey(raw: string, source: string = FUNDER_KEY_ENV): Hex {
  registerKeySecret(raw);
  const trimmed = raw.trim();
  if (!KEY_PATTERN.test(trimmed)) {
    throw new GasHammerError(ErrorCodes.FunderKeyInvalid, `${source} is not a private key: expected 64 hex digits, optionally 0x-prefixed (the value is secret and not shown)`);
  }
  const key = `0x${trimmed.replace(/^0x/i, '').toLowerCase()}` as Hex;
  if (!secp256k1.utils.isValidPrivateKey(hexToBytes(key))) {
    throw new GasHammerError(ErrorCodes.FunderKeyInvalid, `${source} is not a valid secp256k1 private key: it is zero or not below the curve order (the value is secret and not shown)`);
  }
  return key;
}

export interface FunderKeyOptions {
  /** On a devnet the faucet funds the accounts: its (public) key is used and the environment is not read. */
  readonly devnetFaucetKey?: Hex;
}

/**
 * The funder key: GASHAMMER_FUNDER_KEY, else `configValue`; on a devnet, the faucet's key.
 * Validated and registered as a secret; GH-E402 when none is set, GH-E403 when it is malformed.
 */
export function funderFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  configValue?: string,
  options: FunderKeyOptions = {},
): Hex {
  // Public knowledge (anvil's first test account): nothing to hide, so nothing registered.
  if (options.devnetFaucetKey !== undefined) return options.devnetFaucetKey;
  const fromEnv = env[FUNDER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseFunderKey(fromEnv, FUNDER_KEY_ENV);
  if (configValue !== undefined && configValue.trim() !== '') return parseFunderKey(configValue, 'the configured funder key');
  throw new GasHammerError(ErrorCodes.FunderKeyMissing, `${FUNDER_KEY_ENV} is not set, so the load accounts cannot be funded`);
}

// ---------------------------------------------------------------------------------------------
// Sending batches (shared with sweep.ts)

/** A signed transaction and the words that name it in an error: "account 12 (0x...)". */
export interface LabelledTx {
  readonly raw: Hex;
  readonly label: string;
}

export interface BatchContext {
  readonly client: RpcClient;
  /** The error code a failure is reported with. */
  readonly code: ErrorCodeInfo;
  /** "funding" or "sweep", for messages. */
  readonly what: string;
  /** 1-based. */
  readonly batch: number;
  readonly batches: number;
  readonly receiptTimeoutMs: number;
  readonly pollIntervalMs: number;
}

function reasonText(reason: unknown): string {
  if (reason instanceof GasHammerError) return reason.shortMessage;
  return reason instanceof Error ? reason.message : String(reason);
}

/** Names an account for a message: index and address when the index is known. */
export function accountLabel(account: { readonly address: Address; readonly index?: number }): string {
  return account.index === undefined ? `account ${account.address}` : `account ${account.index} (${account.address})`;
}

/**
 * Sends a batch (all at once, issued in nonce order: Nitro holds a short gap, so arrival order
 * within the batch does not matter) and waits until every transaction has a successful
 * receipt. Any failure becomes `ctx.code`, naming the batch and the transaction's label.
 */
export async function sendBatchAndWait(txs: readonly LabelledTx[], ctx: BatchContext): Promise<Hash[]> {
  const where = `${ctx.what} batch ${ctx.batch} of ${ctx.batches}`;
  const sent = await Promise.allSettled(txs.map((tx) => ctx.client.sendRawTransaction(tx.raw)));
  const failedAt = sent.findIndex((s) => s.status === 'rejected');
  if (failedAt >= 0) {
    const reason = (sent[failedAt] as PromiseRejectedResult).reason;
    const accepted = sent.filter((s) => s.status === 'fulfilled').length;
    throw new GasHammerError(ctx.code, `${where}: sending to ${txs[failedAt]!.label} failed: ${reasonText(reason)}`, {
      cause: reason,
      details: `${accepted} of ${txs.length} transaction(s) of this batch were accepted${isRpcError(reason) ? `; the node's error class is ${reason.errorClass}` : ''}`,
    });
  }
  const hashes = sent.map((s) => (s as PromiseFulfilledResult<{ hash: Hash }>).value.hash);
  const deadline = Date.now() + ctx.receiptTimeoutMs;
  let pending = hashes.map((_, i) => i);
  for (;;) {
    const receipts = await ctx.client.getTransactionReceipts(pending.map((i) => hashes[i]!));
    const next: number[] = [];
    receipts.forEach((receipt, k) => {
      const i = pending[k]!;
      if (receipt === null) next.push(i);
      else if (receipt.status !== 'success') {
        throw new GasHammerError(ctx.code, `${where}: the transaction to ${txs[i]!.label} reverted (${hashes[i]}, block ${receipt.blockNumber})`);
      }
    });
    pending = next;
    if (pending.length === 0) return hashes;
    if (Date.now() >= deadline) {
      const first = pending[0]!;
      throw new GasHammerError(ctx.code, `${where}: ${pending.length} transaction(s) not included within ${ctx.receiptTimeoutMs} ms, the first to ${txs[first]!.label} (${hashes[first]})`, {
        hint: 'the chain may have stopped producing blocks, or the fee cap is below the base fee; run again once it moves: accounts already funded are skipped',
      });
    }
    await delay(ctx.pollIntervalMs);
  }
}

/** Splits `items` into consecutive batches of at most `size`. */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function checkBatchSize(batchSize: number, code: ErrorCodeInfo): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new GasHammerError(code, `the batch size must be a whole number >= 1, got ${batchSize}`);
  return batchSize;
}

/** The fee cap to use: the one given, else twice the latest base fee (room for it to rise). */
export async function feeCapFor(client: RpcClient, given: bigint | undefined, code: ErrorCodeInfo): Promise<bigint> {
  if (given !== undefined) {
    if (given <= 0n) throw new GasHammerError(code, `the fee cap must be above 0 wei, got ${given}`);
    return given;
  }
  const block = await client.getBlock('latest');
  if (block.baseFeePerGas === undefined) {
    throw new GasHammerError(code, `the chain's latest block has no base fee (not an EIP-1559 chain)`, { hint: 'give the fee cap explicitly' });
  }
  // A zero base fee (some dev chains) still needs a non-zero cap to be a valid 1559 transaction.
  return block.baseFeePerGas > 0n ? 2n * block.baseFeePerGas : 1n;
}

function withHeadroom(gas: bigint): bigint {
  return gas + (gas * GAS_HEADROOM_PERCENT) / 100n;
}

// ---------------------------------------------------------------------------------------------
// Funding

export interface TokenFunding {
  readonly address: Address;
  /** Token units (smallest unit) each account is topped up to. */
  readonly targetUnits: bigint;
  /** Accounts holding fewer units than this are topped up; default targetUnits / 2. */
  readonly minUnits?: bigint;
  /** 'mint': the devnet token's open mint(); 'transfer': from the funder's own token balance. */
  readonly mode: 'mint' | 'transfer';
}

/** An account to fund; a GasHammerAccount is one. The index only names it in messages. */
export interface FundingTarget {
  readonly address: Address;
  readonly index?: number;
}

export interface FundAccountsOptions {
  readonly rpcUrl: string;
  readonly chainId: number;
  /** Secret. See funderFromEnvironment(). */
  readonly funderKey: Hex;
  readonly accounts: readonly FundingTarget[];
  /** Balance each account is topped up to. */
  readonly targetWei: bigint;
  /** Accounts with less than this are topped up; default targetWei / 2. */
  readonly minWei?: bigint;
  readonly token?: TokenFunding;
  /** Funder transactions in flight at once. */
  readonly batchSize?: number;
  /** Fee cap of the funder's transactions; default twice the latest base fee. */
  readonly maxFeePerGasWei?: bigint;
  readonly receiptTimeoutMs?: number;
  readonly pollIntervalMs?: number;
  /** A client to use instead of one made from rpcUrl. */
  readonly rpc?: RpcClient;
}

export interface TokenFundingResult {
  readonly funded: number;
  readonly alreadyFunded: number;
  readonly totalUnits: bigint;
}

export interface FundingResult {
  /** Accounts sent ETH. */
  readonly funded: number;
  /** Accounts that already held at least minWei. */
  readonly alreadyFunded: number;
  /** ETH sent to accounts, fees not included. */
  readonly totalWei: bigint;
  /** Every transaction sent, in nonce order. */
  readonly txs: readonly Hash[];
  /** Present when a token was funded. */
  readonly token?: TokenFundingResult;
}

interface PlannedTx {
  readonly target: FundingTarget;
  readonly to: Address;
  readonly value: bigint;
  readonly data: Hex | undefined;
  readonly gas: bigint;
}

function fundingError(message: string, options: { details?: string; hint?: string; cause?: unknown } = {}): GasHammerError {
  return new GasHammerError(ErrorCodes.FundingFailed, message, options);
}

export async function tokenBalanceOf(client: RpcClient, token: Address, holder: Address): Promise<bigint> {
  const data = encodeFunctionData({ abi: GasHammerToken.abi, functionName: 'balanceOf', args: [holder] });
  const answer = await client.call({ to: token, data });
  return decodeFunctionResult({ abi: GasHammerToken.abi, functionName: 'balanceOf', data: answer });
}

/** One entry per address (case-insensitive): funding an account twice would overfund it. */
function distinct<T extends { readonly address: Address }>(accounts: readonly T[]): T[] {
  const seen = new Set<string>();
  return accounts.filter((a) => {
    const key = a.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function checkAmounts(name: string, target: bigint, min: bigint): void {
  if (target < 0n) throw fundingError(`the ${name} target must not be negative, got ${target}`);
  if (min < 0n || min > target) throw fundingError(`the ${name} threshold must be from 0 to the target (${target}), got ${min}`);
}

/**
 * Tops up every account below `minWei` to `targetWei` (and, with `token`, below its minUnits
 * to targetUnits), from the funder. Returns what was sent; sends nothing when every account
 * already holds enough.
 */
export async function fundAccounts(options: FundAccountsOptions): Promise<FundingResult> {
  const funderKey = parseFunderKey(options.funderKey, 'the funder key');
  const minWei = options.minWei ?? options.targetWei / 2n;
  checkAmounts('ETH', options.targetWei, minWei);
  const token = options.token;
  const minUnits = token ? (token.minUnits ?? token.targetUnits / 2n) : 0n;
  if (token) checkAmounts('token', token.targetUnits, minUnits);
  const batchSize = checkBatchSize(options.batchSize ?? DEFAULT_FUNDING_BATCH_SIZE, ErrorCodes.FundingFailed);
  const funder = privateKeyToAccount(funderKey);
  const client = options.rpc ?? createRpcClient({ url: options.rpcUrl, timeoutMs: 10_000, retry: { count: 2, baseDelayMs: 250 } });
  await client.expectChainId(options.chainId);

  // The funder sending to itself would only burn fees.
  const accounts = distinct(options.accounts).filter((a) => a.address.toLowerCase() !== funder.address.toLowerCase());
  const balances = await mapBounded(accounts, READ_CONCURRENCY, (a) => client.getBalance(a.address, 'latest'));
  const ethNeeds = accounts.flatMap((a, i) => (balances[i]! < minWei ? [{ target: a, amount: options.targetWei - balances[i]! }] : []));
  let tokenNeeds: { target: FundingTarget; amount: bigint }[] = [];
  if (token) {
    const held = await mapBounded(accounts, READ_CONCURRENCY, (a) => tokenBalanceOf(client, token.address, a.address));
    tokenNeeds = accounts.flatMap((a, i) => (held[i]! < minUnits ? [{ target: a, amount: token.targetUnits - held[i]! }] : []));
  }
  const tokenResult = (funded: number, totalUnits: bigint): { token?: TokenFundingResult } =>
    token ? { token: { funded, alreadyFunded: accounts.length - funded, totalUnits } } : {};
  if (ethNeeds.length === 0 && tokenNeeds.length === 0) {
    return { funded: 0, alreadyFunded: accounts.length, totalWei: 0n, txs: [], ...tokenResult(0, 0n) };
  }

  const maxFeePerGas = await feeCapFor(client, options.maxFeePerGasWei, ErrorCodes.FundingFailed);
  // One estimate per kind of transaction, from the funder: on Nitro a plain transfer costs more
  // than 21,000 gas (the L1 part), so no limit is hard-coded.
  const estimate = async (what: string, to: Address, value: bigint, data: Hex | undefined): Promise<bigint> => {
    try {
      return withHeadroom(await client.estimateGas({ from: funder.address, to, value, ...(data ? { data } : {}) }));
    } catch (cause) {
      if (isRpcError(cause) && (cause.errorClass === 'transport' || cause.errorClass === 'timeout')) throw cause;
      throw fundingError(`estimating the gas of ${what} from the funder ${funder.address} failed: ${reasonText(cause)}`, { cause });
    }
  };
  const planned: PlannedTx[] = [];
  if (ethNeeds.length > 0) {
    const gas = await estimate('an ETH transfer', ethNeeds[0]!.target.address, ethNeeds[0]!.amount, undefined);
    for (const need of ethNeeds) planned.push({ target: need.target, to: need.target.address, value: need.amount, data: undefined, gas });
  }
  if (token && tokenNeeds.length > 0) {
    const call = (need: { target: FundingTarget; amount: bigint }): Hex =>
      token.mode === 'mint'
        ? encodeFunctionData({ abi: GasHammerToken.abi, functionName: 'mint', args: [need.target.address, need.amount] })
        : encodeFunctionData({ abi: GasHammerToken.abi, functionName: 'transfer', args: [need.target.address, need.amount] });
    const gas = await estimate(`a token ${token.mode}`, token.address, 0n, call(tokenNeeds[0]!));
    for (const need of tokenNeeds) planned.push({ target: need.target, to: token.address, value: 0n, data: call(need), gas });
  }

  // Everything is checked before the first send, so a short funder fails without a half-done run.
  const totalWei = ethNeeds.reduce((s, n) => s + n.amount, 0n);
  const fees = planned.reduce((s, t) => s + t.gas * maxFeePerGas, 0n);
  const funderBalance = await client.getBalance(funder.address, 'latest');
  if (funderBalance < totalWei + fees) {
    throw fundingError(`the funder ${funder.address} holds ${formatEther(funderBalance)} ETH, but funding ${ethNeeds.length} account(s) needs ${formatEther(totalWei + fees)} ETH (fees included)`, {
      hint: 'top up the funder account, or lower the per-account target',
    });
  }
  const totalUnits = tokenNeeds.reduce((s, n) => s + n.amount, 0n);
  if (token?.mode === 'transfer' && tokenNeeds.length > 0) {
    const held = await tokenBalanceOf(client, token.address, funder.address);
    if (held < totalUnits) {
      throw fundingError(`the funder ${funder.address} holds ${held} units of token ${token.address}, but funding ${tokenNeeds.length} account(s) needs ${totalUnits}`, {
        hint: "top up the funder's token balance, or use mode 'mint' on a token with an open mint",
      });
    }
  }

  const firstNonce = await client.getTransactionCount(funder.address, 'pending');
  const txs: Hash[] = [];
  const batches = batchesOf(planned, batchSize);
  let nonce = firstNonce;
  for (const [b, batch] of batches.entries()) {
    const signed: LabelledTx[] = [];
    for (const tx of batch) {
      const request: TransactionSerializableEIP1559 = {
        type: 'eip1559',
        chainId: options.chainId,
        nonce: nonce++,
        to: tx.to,
        value: tx.value,
        gas: tx.gas,
        maxFeePerGas,
        // Nitro ignores tips; elsewhere funding is not worth paying a priority for.
        maxPriorityFeePerGas: 0n,
        ...(tx.data ? { data: tx.data } : {}),
      };
      signed.push({ raw: await funder.signTransaction(request), label: `${accountLabel(tx.target)}${tx.data ? ' (token)' : ''}` });
    }
    txs.push(
      ...(await sendBatchAndWait(signed, {
        client,
        code: ErrorCodes.FundingFailed,
        what: 'funding',
        batch: b + 1,
        batches: batches.length,
        receiptTimeoutMs: options.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS,
        pollIntervalMs: options.pollIntervalMs ?? DEFAULT_RECEIPT_POLL_MS,
      })),
    );
  }
  return {
    funded: ethNeeds.length,
    alreadyFunded: accounts.length - ethNeeds.length,
    totalWei,
    txs,
    ...tokenResult(tokenNeeds.length, totalUnits),
  };
}

const ETHER = 10n ** 18n;
/** What each load account gets before a run: plenty for any scenario on a test chain. */
export const LOAD_ACCOUNT_WEI = 100n * ETHER;
/** Test tokens each load account gets when the workload has ERC-20 templates. */
export const LOAD_ACCOUNT_TOKEN_UNITS = 1_000_000n * ETHER;

export interface LoadFundingOptions {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly funderKey: Hex;
  readonly accounts: readonly FundingTarget[];
  /** The test token to mint to each account; absent when the workload uses no ERC-20 template. */
  readonly token?: Address;
  readonly targetWei?: bigint;
  readonly rpc?: RpcClient;
}

/** Funds a run's load accounts with ETH (and minted test tokens) at GasHammer's defaults. */
export function fundLoadAccounts(options: LoadFundingOptions): Promise<FundingResult> {
  return fundAccounts({
    rpcUrl: options.rpcUrl,
    chainId: options.chainId,
    funderKey: options.funderKey,
    accounts: options.accounts,
    targetWei: options.targetWei ?? LOAD_ACCOUNT_WEI,
    ...(options.token ? { token: { address: options.token, targetUnits: LOAD_ACCOUNT_TOKEN_UNITS, mode: 'mint' as const } } : {}),
    ...(options.rpc ? { rpc: options.rpc } : {}),
  });
}

