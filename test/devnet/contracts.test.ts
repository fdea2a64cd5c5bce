// The devnet test contracts on a real anvil: every one deploys in one batch, every function does
// what the workloads rely on, calldata carrying GasHammer's GHMR marker still works, and the L1
// mocks' events are exactly Arbitrum's, decoding with the real @arbitrum/nitro-contracts ABIs.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BaseError,
  ContractFunctionRevertedError,
  concatHex,
  decodeEventLog,
  encodeAbiParameters,
  encodeFunctionData,
  encodePacked,
  keccak256,
  maxUint256,
  numberToHex,
  pad,
  parseEventLogs,
  toEventSelector,
  type Abi,
  type AbiEvent,
  type AbiParameter,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount, type HDAccount } from 'viem/accounts';
import {
  ContentionTarget,
  Counter,
  EventEmitter,
  GasBurner,
  GasHammerToken,
  MockRollup,
  MockSequencerInbox,
  Reverter,
  StorageWriter,
} from '../../src/devnet/contract-artifacts.js';
import {
  createDevnetClients,
  DEFAULT_MOCK_ROLLUP_CONFIG,
  DEFAULT_TOKEN_SUPPLY,
  deployL1Mocks,
  deployTestContracts,
  type DevnetClients,
  type L1Mocks,
  type TestContracts,
} from '../../src/devnet/contracts.js';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { packageRoot } from '../../src/util/build-info.js';
import { startAnvil, type AnvilProcess } from '../../src/devnet/anvil.js';

const CHAIN_ID = 412_346;
const ROOT = packageRoot();
/** anvil prefunds the first ten accounts of this (public, test-only) mnemonic. */
const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';
/** The 4 bytes GasHammer appends to the calldata it generates: "GHMR". */
const GHMR: Hex = '0x47484d52';

const account = (index: number): HDAccount => mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index });
const deployer = account(0);
const mockDeployer = account(1);
const alice = account(2);
const bob = account(3);
const carol = privateKeyToAccount(generatePrivateKey()).address;

function realAbi(path: string): Abi {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules/@arbitrum/nitro-contracts/build/contracts/src', path), 'utf8')) as { abi: Abi }).abi;
}

function eventOf(abi: Abi, name: string): AbiEvent {
  const found = abi.find((item): item is AbiEvent => item.type === 'event' && item.name === name);
  if (!found) throw new Error(`no event ${name}`);
  return found;
}

/** The revert error viem saw, for reason/custom-error assertions. */
async function revertOf(promise: Promise<unknown>): Promise<ContractFunctionRevertedError> {
  try {
    await promise;
  } catch (e) {
    const reverted = e instanceof BaseError ? e.walk((inner) => inner instanceof ContractFunctionRevertedError) : undefined;
    if (reverted instanceof ContractFunctionRevertedError) return reverted;
    throw e;
  }
  throw new Error('expected a revert');
}

interface Call {
  readonly to: Address;
  readonly data: Hex;
  /** Set it when estimation would fail or depends on an earlier call of the same batch. */
  readonly gas?: bigint;
}

let anvil: AnvilProcess | undefined;
let clients: DevnetClients;
let contracts: TestContracts;
let mocks: L1Mocks;
/** gasUsed per call, printed at the end: the figures the gas model starts from. */
const gasReport = new Map<string, bigint>();

/** Sends `calls` from `from` with consecutive nonces (one block, usually) and returns their receipts. */
async function transact(from: HDAccount, calls: readonly Call[]): Promise<TransactionReceipt[]> {
  const nonce = await clients.publicClient.getTransactionCount({ address: from.address, blockTag: 'pending' });
  const hashes: Hex[] = [];
  for (const [i, call] of calls.entries()) {
    hashes.push(await clients.walletClient.sendTransaction({ account: from, chain: clients.walletClient.chain, to: call.to, data: call.data, gas: call.gas, nonce: nonce + i }));
  }
  return Promise.all(hashes.map((hash) => clients.publicClient.waitForTransactionReceipt({ hash })));
}

async function transactOk(from: HDAccount, calls: readonly Call[], labels: readonly string[] = []): Promise<TransactionReceipt[]> {
  const receipts = await transact(from, calls);
  receipts.forEach((r, i) => {
    expect(r.status, labels[i] ?? `call ${i}`).toBe('success');
    if (labels[i]) gasReport.set(labels[i], r.gasUsed);
  });
  return receipts;
}

beforeAll(async () => {
  anvil = await startAnvil({ prefundedAccounts: 8 });
  clients = createDevnetClients({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID });
  const started = performance.now();
  // Different accounts, so the two batches' nonces never collide and both land in one block.
  [contracts, mocks] = await Promise.all([deployTestContracts(clients, deployer), deployL1Mocks(clients, mockDeployer)]);
  console.log(`deployed 7 test contracts + 2 L1 mocks in ${Math.round(performance.now() - started)} ms`);
}, 20_000);

afterAll(async () => {
  if (gasReport.size > 0) console.log([...gasReport].map(([k, v]) => `gasUsed ${k}: ${v}`).join('\n'));
  await anvil?.stop();
});

describe('deployTestContracts', () => {
  it('deploys every contract with code, in one batch of consecutive nonces', async () => {
    const addresses = Object.values(contracts);
    expect(addresses).toHaveLength(7);
    expect(new Set(addresses).size).toBe(7);
    for (const address of [...addresses, mocks.sequencerInbox, mocks.rollup]) {
      expect(await clients.publicClient.getCode({ address }), address).toMatch(/^0x[0-9a-f]{2,}$/);
    }
    // The deployer's creations, found block by block: nonces 0-6, and (being sent back to back
    // within one 250 ms block interval) normally all in a single block.
    const creations: Array<{ nonce: number; block: bigint }> = [];
    const latest = await clients.publicClient.getBlockNumber();
    for (let n = 0n; n <= latest; n++) {
      const block = await clients.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
      for (const tx of block.transactions) if (tx.from.toLowerCase() === deployer.address.toLowerCase() && tx.to === null) creations.push({ nonce: tx.nonce, block: n });
    }
    expect(creations.map((c) => c.nonce).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(new Set(creations.map((c) => c.block)).size).toBeLessThanOrEqual(2);
  });

  it('fails with GH-E116 naming the contract when the deployer cannot pay', async () => {
    const broke = privateKeyToAccount(generatePrivateKey());
    const failure = await deployTestContracts(clients, broke).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(GasHammerError);
    const error = failure as GasHammerError;
    expect(error.code).toBe('GH-E116');
    // Sent in nonce order, so the first refused is the first of the batch.
    expect(error.message).toMatch(/^GH-E116 deploying GasHammerToken failed while sending: .*insufficient funds/i);
    // The node's answer, without viem's request dump (the whole bytecode).
    expect(error.message).not.toContain('Request body');
  });
});

describe('GasHammerToken', () => {
  it('is an 18-decimal ERC-20 with the whole initial supply at the deployer', async () => {
    const read = <F extends 'name' | 'symbol' | 'decimals' | 'totalSupply'>(functionName: F) =>
      clients.publicClient.readContract({ address: contracts.token, abi: GasHammerToken.abi, functionName });
    expect(await read('name')).toBe('GasHammer Test Token');
    expect(await read('symbol')).toBe('GHT');
    expect(await read('decimals')).toBe(18);
    expect(await read('totalSupply')).toBe(DEFAULT_TOKEN_SUPPLY);
    expect(await clients.publicClient.readContract({ address: contracts.token, abi: GasHammerToken.abi, functionName: 'balanceOf', args: [deployer.address] })).toBe(DEFAULT_TOKEN_SUPPLY);
  });

  it('transfers, approves, transfers from an allowance and mints to anyone', async () => {
    const token = (data: Hex, gas?: bigint): Call => ({ to: contracts.token, data, gas });
    const abi = GasHammerToken.abi;
    await transactOk(deployer, [
      token(encodeFunctionData({ abi, functionName: 'transfer', args: [alice.address, 1_000n] })),
      token(encodeFunctionData({ abi, functionName: 'approve', args: [bob.address, 500n] })),
    ], ['token.transfer (new holder)', 'token.approve (new allowance)']);
    await transactOk(bob, [
      token(encodeFunctionData({ abi, functionName: 'transferFrom', args: [deployer.address, carol, 300n] })),
      // The open mint: bob is no owner of anything.
      token(encodeFunctionData({ abi, functionName: 'mint', args: [carol, 7_000n] }), 100_000n),
    ], ['token.transferFrom (new holder)', 'token.mint (existing holder)']);
    const balance = (who: Address) => clients.publicClient.readContract({ address: contracts.token, abi, functionName: 'balanceOf', args: [who] });
    expect(await balance(alice.address)).toBe(1_000n);
    expect(await balance(carol)).toBe(7_300n);
    expect(await balance(deployer.address)).toBe(DEFAULT_TOKEN_SUPPLY - 1_300n);
    expect(await clients.publicClient.readContract({ address: contracts.token, abi, functionName: 'allowance', args: [deployer.address, bob.address] })).toBe(200n);
    expect(await clients.publicClient.readContract({ address: contracts.token, abi, functionName: 'totalSupply' })).toBe(DEFAULT_TOKEN_SUPPLY + 7_000n);
    // Spending past the allowance is refused with OpenZeppelin's custom error.
    const refused = await revertOf(clients.publicClient.simulateContract({ account: bob, address: contracts.token, abi, functionName: 'transferFrom', args: [deployer.address, carol, 201n] }));
    expect(refused.data?.errorName).toBe('ERC20InsufficientAllowance');
  });
});

describe('StorageWriter', () => {
  it('writes one slot and a range of slots, readable with eth_getStorageAt', async () => {
    const abi = StorageWriter.abi;
    await transactOk(deployer, [
      { to: contracts.storageWriter, data: encodeFunctionData({ abi, functionName: 'write', args: [5n, 0xdeadn] }) },
      { to: contracts.storageWriter, data: encodeFunctionData({ abi, functionName: 'writeMany', args: [100n, 10n, 7n] }) },
    ], ['storageWriter.write (1 fresh slot)', 'storageWriter.writeMany (10 fresh slots)']);
    const slot = (n: bigint) => clients.publicClient.getStorageAt({ address: contracts.storageWriter, slot: numberToHex(n, { size: 32 }) });
    expect(await slot(5n)).toBe(pad(numberToHex(0xdead), { size: 32 }));
    for (let n = 100n; n < 110n; n++) expect(await slot(n), `slot ${n}`).toBe(pad('0x07', { size: 32 }));
    expect(BigInt((await slot(110n)) ?? '0x0')).toBe(0n);
    expect(BigInt((await slot(99n)) ?? '0x0')).toBe(0n);
    expect(await clients.publicClient.readContract({ address: contracts.storageWriter, abi, functionName: 'read', args: [5n] })).toBe(0xdeadn);
  });

  it('refuses a range that would wrap past the last slot', async () => {
    const wrapped = await revertOf(clients.publicClient.simulateContract({ account: deployer, address: contracts.storageWriter, abi: StorageWriter.abi, functionName: 'writeMany', args: [maxUint256, 2n, 1n] }));
    expect(wrapped.data?.errorName).toBe('Panic');
  });
});

describe('GasBurner', () => {
  it('burns gas linearly in the iterations and returns the keccak chain', async () => {
    const burn = (iterations: bigint): Call => ({ to: contracts.gasBurner, data: encodeFunctionData({ abi: GasBurner.abi, functionName: 'burn', args: [iterations] }) });
    const [r0, r100, r1000] = await transactOk(deployer, [burn(0n), burn(100n), burn(1000n)], ['gasBurner.burn(0)', 'gasBurner.burn(100)', 'gasBurner.burn(1000)']);
    // Subtracting burn(0) removes the fixed part (intrinsic 21000, calldata, dispatch, event),
    // leaving the loop: 1000 iterations must cost ten times 100, give or take calldata bytes.
    const loop100 = r100!.gasUsed - r0!.gasUsed;
    const loop1000 = r1000!.gasUsed - r0!.gasUsed;
    const ratio = Number(loop1000) / Number(loop100);
    expect(ratio).toBeGreaterThan(9.9);
    expect(ratio).toBeLessThan(10.1);
    gasReport.set('gasBurner per iteration', (loop1000 - loop100) / 900n);

    let expected: Hex = pad(numberToHex(1000), { size: 32 });
    for (let i = 0; i < 1000; i++) expected = keccak256(expected);
    const [burned] = parseEventLogs({ abi: GasBurner.abi, eventName: 'Burned', logs: r1000!.logs });
    expect(burned?.args).toEqual({ iterations: 1000n, result: expected });
    const { result } = await clients.publicClient.simulateContract({ account: deployer, address: contracts.gasBurner, abi: GasBurner.abi, functionName: 'burn', args: [1000n] });
    expect(result).toBe(expected);
  });
});

describe('Counter', () => {
  it('counts up and down and refuses to go below zero', async () => {
    const abi = Counter.abi;
    const count = () => clients.publicClient.readContract({ address: contracts.counter, abi, functionName: 'count' });
    expect(await count()).toBe(0n);
    const underflow = await revertOf(clients.publicClient.simulateContract({ account: deployer, address: contracts.counter, abi, functionName: 'decrement' }));
    expect(underflow.data?.errorName).toBe('Panic');
    expect(underflow.data?.args).toEqual([0x11n]);
    // Explicit gas: estimating the decrement alone, before the increments land, would revert.
    const call = (functionName: 'increment' | 'decrement'): Call => ({ to: contracts.counter, data: encodeFunctionData({ abi, functionName }), gas: 60_000n });
    await transactOk(deployer, [call('increment'), call('increment'), call('decrement')], ['counter.increment (0 to 1)', 'counter.increment (1 to 2)', 'counter.decrement (2 to 1)']);
    expect(await count()).toBe(1n);
  });
});

describe('Reverter', () => {
  const abi = Reverter.abi;

  it('succeeds or reverts with its reason as asked, also as a mined transaction', async () => {
    const [ok] = await transactOk(deployer, [{ to: contracts.reverter, data: encodeFunctionData({ abi, functionName: 'succeedOrRevert', args: [false] }) }], ['reverter.succeedOrRevert(false)']);
    expect(parseEventLogs({ abi, eventName: 'Succeeded', logs: ok!.logs })[0]?.args.sender).toBe(deployer.address);

    const reverted = await revertOf(clients.publicClient.simulateContract({ account: deployer, address: contracts.reverter, abi, functionName: 'succeedOrRevert', args: [true] }));
    expect(reverted.reason).toBe('Reverter: asked to revert');
    const [mined] = await transact(deployer, [{ to: contracts.reverter, data: encodeFunctionData({ abi, functionName: 'succeedOrRevert', args: [true] }), gas: 100_000n }]);
    expect(mined!.status).toBe('reverted');
    gasReport.set('reverter.succeedOrRevert(true) (reverted)', mined!.gasUsed);
  });

  it('reverts with the reason given, and with the custom error', async () => {
    const withReason = await revertOf(clients.publicClient.readContract({ account: deployer, address: contracts.reverter, abi, functionName: 'revertWithReason', args: ['load test says no'] }));
    expect(withReason.reason).toBe('load test says no');
    const custom = await revertOf(clients.publicClient.readContract({ account: deployer, address: contracts.reverter, abi, functionName: 'revertWithCustomError', args: [42n] }));
    expect(custom.data?.errorName).toBe('GasHammerRevert');
    expect(custom.data?.args).toEqual([42n, deployer.address]);
  });
});

describe('ContentionTarget', () => {
  it('lets many senders bump the same few hot slots', async () => {
    const abi = ContentionTarget.abi;
    expect(await clients.publicClient.readContract({ address: contracts.contentionTarget, abi, functionName: 'HOT_SLOTS' })).toBe(8n);
    const bump = (hotSlot: bigint): Call => ({ to: contracts.contentionTarget, data: encodeFunctionData({ abi, functionName: 'bump', args: [hotSlot] }) });
    // Four senders at once, three of them on hot slot 3 (3, 11 and 19 are all 3 mod 8).
    const senders = [account(4), account(5), account(6), account(7)];
    const receipts = await Promise.all([
      transactOk(senders[0]!, [bump(3n)], ['contentionTarget.bump (slot 0 to 1)']),
      transactOk(senders[1]!, [bump(11n)]),
      transactOk(senders[2]!, [bump(19n)]),
      transactOk(senders[3]!, [bump(4n)]),
    ]);
    expect(receipts.flat().every((r) => r.status === 'success')).toBe(true);
    const hot = (n: bigint) => clients.publicClient.readContract({ address: contracts.contentionTarget, abi, functionName: 'hot', args: [n] });
    expect(await hot(3n)).toBe(3n);
    expect(await hot(4n)).toBe(1n);
    expect(await hot(0n)).toBe(0n);
    // Hot slot i is storage slot i.
    expect(await clients.publicClient.getStorageAt({ address: contracts.contentionTarget, slot: numberToHex(3, { size: 32 }) })).toBe(pad('0x03', { size: 32 }));
  });
});

describe('EventEmitter', () => {
  it('emits as many indexed events as asked', async () => {
    const abi = EventEmitter.abi;
    const emitEvents = (count: bigint): Call => ({ to: contracts.eventEmitter, data: encodeFunctionData({ abi, functionName: 'emitEvents', args: [count] }) });
    const [none, one, ten] = await transactOk(deployer, [emitEvents(0n), emitEvents(1n), emitEvents(10n)], ['eventEmitter.emitEvents(0)', 'eventEmitter.emitEvents(1)', 'eventEmitter.emitEvents(10)']);
    expect(none!.logs).toHaveLength(0);
    expect(one!.logs).toHaveLength(1);
    const events = parseEventLogs({ abi, eventName: 'Emitted', logs: ten!.logs });
    expect(events).toHaveLength(10);
    events.forEach((e, i) => {
      expect(e.topics).toHaveLength(3);
      expect(e.args).toEqual({ sender: deployer.address, index: BigInt(i), count: 10n });
    });
    gasReport.set('eventEmitter per event', (ten!.gasUsed - one!.gasUsed) / 9n);
  });
});

describe('calldata with the GHMR marker appended', () => {
  it('still succeeds on every workload contract and has the same effect', async () => {
    const marked = (to: Address, data: Hex, gas?: bigint): Call => ({ to, data: concatHex([data, GHMR]), gas });
    const before = await clients.publicClient.readContract({ address: contracts.counter, abi: Counter.abi, functionName: 'count' });
    const receipts = await transactOk(alice, [
      marked(contracts.token, encodeFunctionData({ abi: GasHammerToken.abi, functionName: 'transfer', args: [carol, 1n] })),
      marked(contracts.storageWriter, encodeFunctionData({ abi: StorageWriter.abi, functionName: 'write', args: [42n, 4242n] })),
      marked(contracts.storageWriter, encodeFunctionData({ abi: StorageWriter.abi, functionName: 'writeMany', args: [200n, 3n, 9n] })),
      marked(contracts.gasBurner, encodeFunctionData({ abi: GasBurner.abi, functionName: 'burn', args: [10n] })),
      marked(contracts.counter, encodeFunctionData({ abi: Counter.abi, functionName: 'increment' })),
      marked(contracts.reverter, encodeFunctionData({ abi: Reverter.abi, functionName: 'succeedOrRevert', args: [false] })),
      marked(contracts.contentionTarget, encodeFunctionData({ abi: ContentionTarget.abi, functionName: 'bump', args: [6n] })),
      marked(contracts.eventEmitter, encodeFunctionData({ abi: EventEmitter.abi, functionName: 'emitEvents', args: [2n] })),
    ]);
    for (const r of receipts) expect(r.status).toBe('success');
    expect(await clients.publicClient.readContract({ address: contracts.counter, abi: Counter.abi, functionName: 'count' })).toBe(before + 1n);
    expect(await clients.publicClient.readContract({ address: contracts.storageWriter, abi: StorageWriter.abi, functionName: 'read', args: [42n] })).toBe(4242n);
    expect(await clients.publicClient.readContract({ address: contracts.storageWriter, abi: StorageWriter.abi, functionName: 'read', args: [202n] })).toBe(9n);
    expect(await clients.publicClient.readContract({ address: contracts.contentionTarget, abi: ContentionTarget.abi, functionName: 'hot', args: [6n] })).toBe(1n);
    expect(receipts[7]!.logs).toHaveLength(2);

    // A view call and a revert reason are unaffected too.
    const { data: counted } = await clients.publicClient.call({ to: contracts.counter, data: concatHex([encodeFunctionData({ abi: Counter.abi, functionName: 'count' }), GHMR]) });
    expect(BigInt(counted ?? '0x')).toBe(before + 1n);
    const [reverted] = await transact(alice, [marked(contracts.reverter, encodeFunctionData({ abi: Reverter.abi, functionName: 'revertWithReason', args: ['marked'] }), 100_000n)]);
    expect(reverted!.status).toBe('reverted');
  });
});

describe('L1 mocks against the real Arbitrum ABIs', () => {
  const sequencerInboxAbi = realAbi('bridge/SequencerInbox.sol/SequencerInbox.json');
  const rollupCoreAbi = realAbi('rollup/RollupCore.sol/RollupCore.json');
  const hash = (label: string): Hex => keccak256(encodePacked(['string'], [label]));

  it('declare events whose topics equal the real events’ selectors', () => {
    const pairs: Array<[Abi, Abi, string]> = [
      [MockSequencerInbox.abi, sequencerInboxAbi, 'SequencerBatchDelivered'],
      [MockRollup.abi, rollupCoreAbi, 'AssertionCreated'],
      [MockRollup.abi, rollupCoreAbi, 'AssertionConfirmed'],
    ];
    for (const [mockAbi, real, name] of pairs) expect(toEventSelector(eventOf(mockAbi, name)), name).toBe(toEventSelector(eventOf(real, name)));
  });

  it('MockSequencerInbox: batches decode with SequencerInbox’s ABI and batchCount advances', async () => {
    const timeBounds = { minTimestamp: 1n, maxTimestamp: 2n, minBlockNumber: 3n, maxBlockNumber: 4n };
    const deliver = (afterAcc: Hex, location: number): Call => ({
      to: mocks.sequencerInbox,
      data: encodeFunctionData({ abi: MockSequencerInbox.abi, functionName: 'deliverBatch', args: [afterAcc, hash('delayed'), 17n, timeBounds, location] }),
      gas: 200_000n,
    });
    const [first, second] = await transactOk(mockDeployer, [deliver(hash('acc1'), 0), deliver(hash('acc2'), 3)], ['mockSequencerInbox.deliverBatch (first)', 'mockSequencerInbox.deliverBatch (second)']);
    const selector = toEventSelector(eventOf(sequencerInboxAbi, 'SequencerBatchDelivered'));
    const decoded = [first!, second!].map((r) => {
      expect(r.logs).toHaveLength(1);
      const log = r.logs[0]!;
      expect(log.topics[0]).toBe(selector);
      return decodeEventLog({ abi: sequencerInboxAbi, data: log.data, topics: log.topics });
    });
    expect(decoded[0]).toEqual({
      eventName: 'SequencerBatchDelivered',
      args: { batchSequenceNumber: 0n, beforeAcc: pad('0x', { size: 32 }), afterAcc: hash('acc1'), delayedAcc: hash('delayed'), afterDelayedMessagesRead: 17n, timeBounds, dataLocation: 0 },
    });
    expect(decoded[1]?.args).toMatchObject({ batchSequenceNumber: 1n, beforeAcc: hash('acc1'), afterAcc: hash('acc2'), dataLocation: 3 });
    // Read through the real ABI, as the L1 reader will.
    expect(await clients.publicClient.readContract({ address: mocks.sequencerInbox, abi: sequencerInboxAbi, functionName: 'batchCount' })).toBe(2n);
  });

  it('MockRollup: assertions decode with RollupCore’s ABI and latestConfirmed follows confirmation', async () => {
    const state = (n: bigint) => ({
      globalState: { bytes32Vals: [hash(`block${n}`), hash(`send${n}`)] as const, u64Vals: [n, 0n] as const },
      machineStatus: 1,
      endHistoryRoot: hash(`history${n}`),
    });
    const assertion = {
      beforeStateData: {
        prevPrevAssertionHash: hash('prevprev'),
        sequencerBatchAcc: hash('acc1'),
        configData: { wasmModuleRoot: DEFAULT_MOCK_ROLLUP_CONFIG.wasmModuleRoot, requiredStake: 1n, challengeManager: carol, confirmPeriodBlocks: 20n, nextInboxPosition: 2n },
      },
      beforeState: state(1n),
      afterState: state(2n),
    };
    const parent = hash('genesis');
    const rollupAbi = MockRollup.abi;
    const [created] = await transactOk(mockDeployer, [
      { to: mocks.rollup, data: encodeFunctionData({ abi: rollupAbi, functionName: 'createAssertion', args: [parent, assertion, hash('acc2'), 3n] }) },
    ], ['mockRollup.createAssertion']);
    const createdLog = created!.logs[0]!;
    expect(createdLog.topics[0]).toBe(toEventSelector(eventOf(rollupCoreAbi, 'AssertionCreated')));
    const decoded = decodeEventLog({ abi: rollupCoreAbi, data: createdLog.data, topics: createdLog.topics });
    expect(decoded.eventName).toBe('AssertionCreated');
    // BoLD's assertion hash: keccak256(parent ++ keccak256(abi.encode(afterState)) ++ inboxAcc).
    const afterStateType = (eventOf(rollupCoreAbi, 'AssertionCreated').inputs[2] as AbiParameter & { components: readonly AbiParameter[] }).components[2]!;
    const expectedHash = keccak256(concatHex([parent, keccak256(encodeAbiParameters([afterStateType], [assertion.afterState])), hash('acc2')]));
    expect(decoded.args).toEqual({
      assertionHash: expectedHash,
      parentAssertionHash: parent,
      assertion,
      afterInboxBatchAcc: hash('acc2'),
      inboxMaxCount: 3n,
      wasmModuleRoot: DEFAULT_MOCK_ROLLUP_CONFIG.wasmModuleRoot,
      requiredStake: DEFAULT_MOCK_ROLLUP_CONFIG.baseStake,
      challengeManager: DEFAULT_MOCK_ROLLUP_CONFIG.challengeManager,
      confirmPeriodBlocks: DEFAULT_MOCK_ROLLUP_CONFIG.confirmPeriodBlocks,
    });

    const latestConfirmed = () => clients.publicClient.readContract({ address: mocks.rollup, abi: rollupCoreAbi, functionName: 'latestConfirmed' });
    expect(await latestConfirmed()).toBe(pad('0x', { size: 32 }));
    const [confirmed] = await transactOk(mockDeployer, [
      { to: mocks.rollup, data: encodeFunctionData({ abi: rollupAbi, functionName: 'confirmAssertion', args: [expectedHash, hash('l2block'), hash('sendroot')] }) },
    ], ['mockRollup.confirmAssertion']);
    const confirmedLog = confirmed!.logs[0]!;
    expect(confirmedLog.topics[0]).toBe(toEventSelector(eventOf(rollupCoreAbi, 'AssertionConfirmed')));
    expect(decodeEventLog({ abi: rollupCoreAbi, data: confirmedLog.data, topics: confirmedLog.topics })).toEqual({
      eventName: 'AssertionConfirmed',
      args: { assertionHash: expectedHash, blockHash: hash('l2block'), sendRoot: hash('sendroot') },
    });
    expect(await latestConfirmed()).toBe(expectedHash);

    const unknown = await revertOf(clients.publicClient.simulateContract({ account: mockDeployer, address: mocks.rollup, abi: rollupAbi, functionName: 'confirmAssertion', args: [hash('nope'), hash('b'), hash('s')] }));
    expect(unknown.data?.errorName).toBe('UnknownAssertion');
  });
});
