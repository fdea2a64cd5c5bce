// Sweeping GasHammer's load accounts: after a run (or a test) each account sends its whole
// balance, less the fee, back to one address, so funding left on a shared testnet is not lost.
// The fee cap is paid as the tip too (maxPriorityFeePerGas = maxFeePerGas): the fee is then
// exactly gas × cap and the account ends at 0 on chains that honour tips; Nitro ignores tips
// and charges the base fee, leaving gas × (cap − base fee) behind. Run it only when no load is
// sent from the accounts: a transaction still pending would race the sweep.

import { bytesToHex, getAddress, type Address, type Hash } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createRpcClient, type RpcClient } from '../chain/rpc-client.js';
import { isRpcError } from '../chain/rpc-errors.js';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { mapBounded } from './account-pool.js';
import type { GasHammerAccount } from './accounts.js';
import {
  accountLabel,
  batchesOf,
  checkBatchSize,
  DEFAULT_FUNDING_BATCH_SIZE,
  DEFAULT_RECEIPT_POLL_MS,
  DEFAULT_RECEIPT_TIMEOUT_MS,
  feeCapFor,
  sendBatchAndWait,
  type LabelledTx,
} from './funding.js';

/** Gas of a plain ETH transfer to an account without code. */
export const TRANSFER_GAS = 21_000n;
const READ_CONCURRENCY = 32;

export interface SweepOptions {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly accounts: readonly GasHammerAccount[];
  /** Where the ETH goes, usually the funder. */
  readonly to: Address;
  /** Fee cap (and tip) per gas; default twice the latest base fee. */
  readonly gasPriceWei?: bigint;
  /** Accounts whose balance is at most fee + dustWei are left alone; default 0 (anything above the fee is swept). */
  readonly dustWei?: bigint;
  readonly batchSize?: number;
  readonly receiptTimeoutMs?: number;
  readonly pollIntervalMs?: number;
  /** A client to use instead of one made from rpcUrl. */
  readonly rpc?: RpcClient;
}

export interface SweepResult {
  /** Accounts that sent their balance. */
  readonly swept: number;
  /** Accounts left alone: empty, dust, or `to` itself. */
  readonly skipped: number;
  /** Wei that arrived at `to`. */
  readonly totalWei: bigint;
  /** Wei the sweep transactions paid at most (gas × cap each). */
  readonly feesWei: bigint;
  readonly txs: readonly Hash[];
}

function sweepError(message: string, options: { cause?: unknown; hint?: string } = {}): GasHammerError {
  return new GasHammerError(ErrorCodes.SweepFailed, message, options);
}

/**
 * Gas of one sweep transaction: 21,000 on an EVM chain; more on Nitro (the L1 part of even a
 * plain transfer) or when `to` is a contract, so it is estimated once, never below 21,000.
 */
async function sweepGas(client: RpcClient, from: Address, to: Address): Promise<bigint> {
  try {
    const estimate = await client.estimateGas({ from, to, value: 0n });
    return estimate > TRANSFER_GAS ? estimate : TRANSFER_GAS;
  } catch (cause) {
    if (isRpcError(cause) && (cause.errorClass === 'transport' || cause.errorClass === 'timeout')) throw cause;
    throw sweepError(`estimating the gas of a transfer from ${from} to ${to} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export async function sweepAccounts(options: SweepOptions): Promise<SweepResult> {
  const to = getAddress(options.to);
  const dustWei = options.dustWei ?? 0n;
  if (dustWei < 0n) throw sweepError(`the dust threshold must not be negative, got ${dustWei}`);
  const batchSize = checkBatchSize(options.batchSize ?? DEFAULT_FUNDING_BATCH_SIZE, ErrorCodes.SweepFailed);
  const client = options.rpc ?? createRpcClient({ url: options.rpcUrl, timeoutMs: 10_000, retry: { count: 2, baseDelayMs: 250 } });
  await client.expectChainId(options.chainId);

  const candidates = options.accounts.filter((a) => a.address.toLowerCase() !== to.toLowerCase());
  const balances = await mapBounded(candidates, READ_CONCURRENCY, (a) => client.getBalance(a.address, 'latest'));
  const withBalance = candidates.map((account, i) => ({ account, balance: balances[i]! })).filter((c) => c.balance > 0n);
  if (withBalance.length === 0) return { swept: 0, skipped: options.accounts.length, totalWei: 0n, feesWei: 0n, txs: [] };

  const cap = await feeCapFor(client, options.gasPriceWei, ErrorCodes.SweepFailed);
  const gas = await sweepGas(client, withBalance[0]!.account.address, to);
  const fee = gas * cap;
  const sweepable = withBalance.filter((c) => c.balance > fee + dustWei);

  const txs: Hash[] = [];
  const batches = batchesOf(sweepable, batchSize);
  for (const [b, batch] of batches.entries()) {
    // Each account sends one transaction, at its own next nonce.
    const nonces = await mapBounded(batch, READ_CONCURRENCY, (c) => client.getTransactionCount(c.account.address, 'pending'));
    const signed: LabelledTx[] = [];
    for (const [i, c] of batch.entries()) {
      const signer = privateKeyToAccount(bytesToHex(c.account.privateKey));
      const raw = await signer.signTransaction({
        type: 'eip1559',
        chainId: options.chainId,
        nonce: nonces[i]!,
        to,
        value: c.balance - fee,
        gas,
        maxFeePerGas: cap,
        maxPriorityFeePerGas: cap,
      });
      signed.push({ raw, label: accountLabel(c.account) });
    }
    txs.push(
      ...(await sendBatchAndWait(signed, {
        client,
        code: ErrorCodes.SweepFailed,
        what: 'sweep',
        batch: b + 1,
        batches: batches.length,
        receiptTimeoutMs: options.receiptTimeoutMs ?? DEFAULT_RECEIPT_TIMEOUT_MS,
        pollIntervalMs: options.pollIntervalMs ?? DEFAULT_RECEIPT_POLL_MS,
      })),
    );
  }
  return {
    swept: sweepable.length,
    skipped: options.accounts.length - sweepable.length,
    totalWei: sweepable.reduce((s, c) => s + c.balance - fee, 0n),
    feesWei: BigInt(sweepable.length) * fee,
    txs,
  };
}
