// The RPC client against a real anvil (the embedded devnet): reads, block and receipt fetching
// (single, batched, per block), submission timing, every node error anvil can be made to send —
// each mapped to its GasHammer class, with anvil's exact words — and nitro-info's plain
// "not a Nitro chain" on a chain without precompiles.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keccak256, type Address, type Hash, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { jsonRpcCall } from '../../src/chain/json-rpc-call.js';
import { NO_PRECOMPILES_REASON, readGasBacklog, readNitroChainInfo } from '../../src/chain/nitro-info.js';
import { createRpcClient, type RpcClient, type TxReceipt } from '../../src/chain/rpc-client.js';
import { isRpcError, type RpcError, type RpcErrorClass } from '../../src/chain/rpc-errors.js';
import { isGasHammerError } from '../../src/errors/gashammer-error.js';
import { DEVNET_CHAIN_ID, DEVNET_FAUCET_KEY, freeLoopbackPort, startAnvil, type AnvilProcess } from '../../src/devnet/anvil.js';

/** Init code that deploys the runtime 0x60006000fd: REVERT(0, 0) on every call. */
const REVERTER_INIT_CODE: Hex = '0x6460006000fd6000526005601bf3';
const RECIPIENT: Address = '0x000000000000000000000000000000000000bEEF';
/** Well above the devnet's 0.1 gwei base fee. */
const MAX_FEE = 1_000_000_000n;

let devnet: AnvilProcess;
let client: RpcClient;
const faucet = privateKeyToAccount(DEVNET_FAUCET_KEY);

beforeAll(async () => {
  devnet = await startAnvil();
  client = createRpcClient({ url: devnet.rpcUrl, timeoutMs: 5_000 });
});

afterAll(async () => {
  await devnet?.stop();
});

interface Transfer {
  readonly from?: PrivateKeyAccount;
  readonly nonce?: number;
  readonly value?: bigint;
  readonly gas?: bigint;
  readonly maxFeePerGas?: bigint;
  readonly chainId?: number;
  readonly to?: Address;
  readonly data?: Hex;
}

async function signTransfer(t: Transfer = {}): Promise<Hex> {
  const from = t.from ?? faucet;
  return from.signTransaction({
    type: 'eip1559',
    chainId: t.chainId ?? DEVNET_CHAIN_ID,
    nonce: t.nonce ?? (await client.getTransactionCount(from.address, 'pending')),
    ...(t.to === undefined && t.data !== undefined ? {} : { to: t.to ?? RECIPIENT }),
    ...(t.data !== undefined ? { data: t.data } : {}),
    value: t.value ?? 1n,
    gas: t.gas ?? 21_000n,
    maxFeePerGas: t.maxFeePerGas ?? MAX_FEE,
    maxPriorityFeePerGas: 1n,
  });
}

/** Mines now (evm_mine) until the receipt is there: no waiting on the 250 ms interval. */
async function mined(hash: Hash): Promise<TxReceipt> {
  for (let i = 0; i < 10; i++) {
    await jsonRpcCall(devnet.rpcUrl, 'evm_mine', []);
    const receipt = await client.getTransactionReceipt(hash);
    if (receipt) return receipt;
  }
  throw new Error(`${hash} was not mined`);
}

async function fundedAccount(seed: number): Promise<PrivateKeyAccount> {
  const account = privateKeyToAccount(`0x${seed.toString(16).padStart(64, '0')}`);
  await jsonRpcCall(devnet.rpcUrl, 'anvil_setBalance', [account.address, '0xde0b6b3a7640000']);
  return account;
}

async function rejection(p: Promise<unknown>): Promise<RpcError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isRpcError(e)) throw new Error(`expected an RpcError, got ${String(e)}`);
  return e;
}

function expectClass(e: RpcError, errorClass: RpcErrorClass, code: string, nodeMessage: string, method = 'eth_sendRawTransaction'): void {
  expect({ errorClass: e.errorClass, code: e.code, nodeMessage: e.nodeMessage, method: e.method }).toEqual({ errorClass, code, nodeMessage, method });
  expect(e.message).toContain(nodeMessage);
  expect(e.message).toContain(method);
}

describe('reads against anvil', () => {
  it('reads the chain id and checks it', async () => {
    expect(await client.chainId()).toBe(412_346);
    await expect(client.expectChainId(412_346)).resolves.toBeUndefined();
    const e = await client.expectChainId(42_161).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isGasHammerError(e) && e.code).toBe('GH-E110');
    expect(String(e)).toContain('412346');
  });

  it('reads the head, balances and nonces', async () => {
    const head = await client.blockNumber();
    expect(typeof head).toBe('bigint');
    expect(await client.getBalance(faucet.address)).toBeGreaterThan(10n ** 24n);
    expect(await client.getBalance('0x0000000000000000000000000000000000001234', head)).toBe(0n);
    expect(await client.getTransactionCount('0x0000000000000000000000000000000000001234', 'latest')).toBe(0);
  });

  it('reads a block with hashes only; an unknown block is null', async () => {
    const latest = await client.getBlock('latest', { withTransactions: false });
    expect(latest.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(latest.baseFeePerGas).toBeGreaterThan(0n);
    expect(latest.l1BlockNumber).toBeUndefined();
    expect(await client.getBlock(latest.number + 1_000_000n)).toBeNull();
  });
});

describe('submission and receipts against anvil', () => {
  it('times sendRawTransaction itself and returns the transaction hash', async () => {
    const raw = await signTransfer();
    const before = Date.now();
    const sent = await client.sendRawTransaction(raw);
    const after = Date.now();
    expect(sent.hash).toBe(keccak256(raw));
    expect(sent.acceptedAtMs).toBeGreaterThanOrEqual(before);
    expect(sent.acceptedAtMs).toBeLessThanOrEqual(after);
    expect(sent.durationMs).toBeGreaterThan(0);
    expect(sent.durationMs).toBeLessThanOrEqual(after - before + 1);
    await mined(sent.hash);
  });

  it('reads receipts singly, in batches and per block, without Nitro fields on anvil', async () => {
    const start = await client.getTransactionCount(faucet.address, 'pending');
    const hashes: Hash[] = [];
    for (let i = 0; i < 3; i++) hashes.push((await client.sendRawTransaction(await signTransfer({ nonce: start + i, value: BigInt(i + 1) }))).hash);
    for (const h of hashes) await mined(h);

    const single = await client.getTransactionReceipt(hashes[0] as Hash);
    expect(single).toMatchObject({
      transactionHash: hashes[0],
      status: 'success',
      type: 2,
      gasUsed: 21_000n,
      from: faucet.address.toLowerCase(),
      to: RECIPIENT.toLowerCase(),
      contractAddress: null,
      gasUsedForL1: undefined,
      l1BlockNumber: undefined,
    });
    expect(single?.effectiveGasPrice).toBeGreaterThan(0n);

    const unknown: Hash = `0x${'00'.repeat(31)}01`;
    const batchedClient = createRpcClient({ url: devnet.rpcUrl, receiptBatchSize: 2 });
    const batched = await batchedClient.getTransactionReceipts([...hashes, unknown]);
    expect(batched.map((r) => r?.transactionHash ?? null)).toEqual([...hashes, null]);
    expect(batched.slice(0, 3).every((r) => r !== null && r.gasUsedForL1 === undefined && r.l1BlockNumber === undefined)).toBe(true);

    const blockNumber = single?.blockNumber as bigint;
    const block = await client.getBlock(blockNumber, { withTransactions: false });
    expect(block?.number).toBe(blockNumber);
    expect(block?.transactions).toContain(hashes[0]);
    expect(block?.transactions.every((t) => typeof t === 'string')).toBe(true);

    const blockReceipts = await client.getBlockReceipts(blockNumber);
    expect(blockReceipts?.map((r) => r.transactionHash)).toEqual(block?.transactions);
    expect(blockReceipts?.every((r) => r.gasUsedForL1 === undefined)).toBe(true);

    expect(await client.getTransactionCount(faucet.address, 'latest')).toBe(start + 3);
  });
});

describe('node errors from anvil, each mapped to its class', () => {
  it('nonce too low (GH-E102)', async () => {
    const nonce = await client.getTransactionCount(faucet.address, 'pending');
    await mined((await client.sendRawTransaction(await signTransfer({ nonce }))).hash);
    const e = await rejection(client.sendRawTransaction(await signTransfer({ nonce, value: 99n })));
    expectClass(e, 'nonce_too_low', 'GH-E102', 'nonce too low');
    expect(e.rpcCode).toBe(-32003);
  });

  it('a nonce gap is queued by anvil, not refused: nonce too high cannot be provoked here', async () => {
    // geth/Nitro answer "nonce too high" (see rpc-errors.test.ts); anvil pools the gap instead.
    const gapper = await fundedAccount(0x6a01);
    const sent = await client.sendRawTransaction(await signTransfer({ from: gapper, nonce: 50 }));
    expect(sent.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await client.getTransactionCount(gapper.address, 'latest')).toBe(0);
  });

  it('replacement transaction underpriced (GH-E104) and transaction already imported (GH-E109)', async () => {
    // A queued transaction (nonce gap) cannot be mined between the two sends.
    const account = await fundedAccount(0x6a02);
    const first = await signTransfer({ from: account, nonce: 7 });
    await client.sendRawTransaction(first);

    const again = await rejection(client.sendRawTransaction(first));
    expectClass(again, 'tx_rejected', 'GH-E109', 'transaction already imported');

    const replacement = await rejection(client.sendRawTransaction(await signTransfer({ from: account, nonce: 7, value: 2n })));
    expectClass(replacement, 'underpriced', 'GH-E104', 'replacement transaction underpriced');
  });

  it('max fee below the base fee (GH-E104)', async () => {
    const e = await rejection(client.sendRawTransaction(await signTransfer({ maxFeePerGas: 1n })));
    expectClass(e, 'underpriced', 'GH-E104', 'max fee per gas less than block base fee');
  });

  it('insufficient funds (GH-E106)', async () => {
    const pauper = privateKeyToAccount(`0x${'77'.repeat(32)}`);
    const e = await rejection(client.sendRawTransaction(await signTransfer({ from: pauper, nonce: 0 })));
    expectClass(e, 'insufficient_funds', 'GH-E106', 'Insufficient funds for gas * price + value');
  });

  it('intrinsic gas too low (GH-E105)', async () => {
    const e = await rejection(client.sendRawTransaction(await signTransfer({ gas: 20_000n })));
    expectClass(e, 'intrinsic_gas_too_low', 'GH-E105', 'intrinsic gas too low');
    expect(e.rpcCode).toBe(-32000);
  });

  it('other rejections (GH-E109): gas above the block limit, a foreign chain id', async () => {
    const tooBig = await rejection(client.sendRawTransaction(await signTransfer({ gas: 40_000_000n })));
    expectClass(tooBig, 'tx_rejected', 'GH-E109', 'intrinsic gas too high -- tx.gas_limit > env.block.gas_limit');
    const foreign = await rejection(client.sendRawTransaction(await signTransfer({ chainId: 1 })));
    expectClass(foreign, 'tx_rejected', 'GH-E109', 'invalid chain id for signer');
    const garbage = await rejection(client.sendRawTransaction('0xdeadbeef'));
    expectClass(garbage, 'tx_rejected', 'GH-E109', 'Failed to decode transaction');
  });

  it('execution reverted (GH-E107) from estimateGas and call', async () => {
    const deploy = await client.sendRawTransaction(await signTransfer({ data: REVERTER_INIT_CODE, value: 0n, gas: 100_000n }));
    const reverter = (await mined(deploy.hash)).contractAddress as Address;
    expect(reverter).toMatch(/^0x[0-9a-f]{40}$/);

    const viaEstimate = await rejection(client.estimateGas({ from: faucet.address, to: reverter, data: '0x' }));
    expectClass(viaEstimate, 'execution_reverted', 'GH-E107', 'execution reverted', 'eth_estimateGas');
    expect(viaEstimate.rpcCode).toBe(3);
    expect(viaEstimate.rpcData).toBe('0x');

    const viaCall = await rejection(client.call({ from: faucet.address, to: reverter, data: '0x' }));
    expectClass(viaCall, 'execution_reverted', 'GH-E107', 'execution reverted', 'eth_call');
  });

  it('estimateGas and call work on a contract that does not revert', async () => {
    expect(await client.estimateGas({ from: faucet.address, to: RECIPIENT, value: 1n })).toBe(21_000n);
    expect(await client.call({ to: RECIPIENT, data: '0x' })).toBe('0x');
  });

  it('connection refused (GH-E100)', async () => {
    const port = await freeLoopbackPort();
    const e = await rejection(createRpcClient({ url: `http://127.0.0.1:${port}` }).chainId());
    expect(e.errorClass).toBe('transport');
    expect(e.code).toBe('GH-E100');
  });
});

describe('nitro-info against anvil', () => {
  it('says plainly that anvil has no Arbitrum precompiles', async () => {
    expect(await readNitroChainInfo(client)).toEqual({ available: false, reason: NO_PRECOMPILES_REASON });
    expect(NO_PRECOMPILES_REASON).toBe('this chain has no Arbitrum precompiles (not a Nitro chain, e.g. anvil)');
    expect(await readGasBacklog(client)).toBeUndefined();
  });
});
