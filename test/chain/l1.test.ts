// The L1 reader and monitor against a real anvil with MockSequencerInbox and MockRollup, whose
// events are byte for byte Arbitrum's. anvil runs in automine mode here (one block per
// transaction, none otherwise), so every block number is known and every range can be asserted
// exactly; a test that needs several events in one block turns mining off and mines by hand.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  concatHex,
  createTestClient,
  encodeAbiParameters,
  encodeFunctionData,
  encodePacked,
  http,
  keccak256,
  pad,
  size,
  toEventSelector,
  type Abi,
  type AbiParameter,
  type Address,
  type Hash,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { ROLLUP_CORE_ABI, SEQUENCER_INBOX_ABI } from '../../src/chain/l1-abis.js';
import {
  DEFAULT_L1_BLOCKS_PER_POLL,
  DEFAULT_L1_LOOKBACK_BLOCKS,
  DEFAULT_L1_POLL_INTERVAL_MS,
  L1Monitor,
  type L1AssertionsUpdate,
  type L1BatchesUpdate,
  type L1MonitorOptions,
  type L1MonitorTimers,
  type L1PollError,
} from '../../src/chain/l1-monitor.js';
import { L1Reader, type AssertionConfirmedEvent, type AssertionCreatedEvent, type BatchDeliveredEvent, type L1EventSource, type L1LogPosition } from '../../src/chain/l1-reader.js';
import { DEVNET_MNEMONIC, freeLoopbackPort, startAnvil, type AnvilProcess } from '../../src/devnet/anvil.js';
import { MockRollup, MockSequencerInbox } from '../../src/devnet/contract-artifacts.js';
import { createDevnetClients, deployL1Mocks, type DevnetClients, type L1Mocks } from '../../src/devnet/contracts.js';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { packageRoot } from '../../src/util/build-info.js';

/** Account 1 of the test mnemonic (anvil prefunds it): the "sequencer" and "validator" here. */
const poster = mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: 1 });
const ZERO: Hash = pad('0x', { size: 32 });
const hash = (label: string): Hash => keccak256(encodePacked(['string'], [label]));

let anvil: AnvilProcess | undefined;
let clients: DevnetClients;
let testClient: ReturnType<typeof createAnvilTestClient>;

function createAnvilTestClient(rpcUrl: string) {
  return createTestClient({ mode: 'anvil', transport: http(rpcUrl, { retryCount: 0 }) });
}

beforeAll(async () => {
  anvil = await startAnvil({ prefundedAccounts: 2 });
  clients = createDevnetClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId });
  testClient = createAnvilTestClient(anvil.rpcUrl);
  // Automine replaces interval mining: from here on the head moves only when a test makes it.
  await testClient.setAutomine(true);
}, 20_000);

afterAll(async () => {
  await anvil?.stop();
});

// ---- driving the mocks ------------------------------------------------------------------------

interface Call {
  readonly to: Address;
  readonly data: Hex;
}

/** Sends `calls` from the poster with consecutive nonces; returns the hashes, mined or not. */
async function send(calls: readonly Call[]): Promise<Hash[]> {
  const nonce = await clients.publicClient.getTransactionCount({ address: poster.address, blockTag: 'pending' });
  const hashes: Hash[] = [];
  for (const [i, call] of calls.entries()) {
    // Explicit gas: no estimate against a pool whose earlier transactions have not run yet.
    hashes.push(await clients.walletClient.sendTransaction({ account: poster, chain: clients.walletClient.chain, to: call.to, data: call.data, gas: 1_000_000n, nonce: nonce + i }));
  }
  return hashes;
}

async function receiptsOf(hashes: readonly Hash[]): Promise<TransactionReceipt[]> {
  const receipts = await Promise.all(hashes.map((h) => clients.publicClient.waitForTransactionReceipt({ hash: h })));
  for (const r of receipts) expect(r.status, `tx ${r.transactionHash}`).toBe('success');
  return receipts;
}

/** One block per call (automine). */
async function transact(calls: readonly Call[]): Promise<TransactionReceipt[]> {
  return receiptsOf(await send(calls));
}

/** All calls in one block, in nonce order. */
async function transactInOneBlock(calls: readonly Call[]): Promise<TransactionReceipt[]> {
  await testClient.setAutomine(false);
  try {
    const hashes = await send(calls);
    await testClient.mine({ blocks: 1 });
    return await receiptsOf(hashes);
  } finally {
    await testClient.setAutomine(true);
  }
}

async function head(): Promise<bigint> {
  return clients.publicClient.getBlockNumber({ cacheTime: 0 });
}

interface BatchSpec {
  readonly afterAcc: Hash;
  readonly delayedAcc: Hash;
  readonly afterDelayedMessagesRead: bigint;
  readonly timeBounds: { minTimestamp: bigint; maxTimestamp: bigint; minBlockNumber: bigint; maxBlockNumber: bigint };
  readonly location: number;
}

function batchSpec(n: number, location = n % 4): BatchSpec {
  const k = BigInt(n);
  return {
    afterAcc: hash(`acc${n}`),
    delayedAcc: hash(`delayed${n}`),
    afterDelayedMessagesRead: 10n * k + 7n,
    timeBounds: { minTimestamp: 1_700_000_000n + k, maxTimestamp: 1_700_086_400n + k, minBlockNumber: 100n + k, maxBlockNumber: 7_300n + k },
    location,
  };
}

function deliver(inbox: Address, b: BatchSpec): Call {
  return {
    to: inbox,
    data: encodeFunctionData({ abi: MockSequencerInbox.abi, functionName: 'deliverBatch', args: [b.afterAcc, b.delayedAcc, b.afterDelayedMessagesRead, b.timeBounds, b.location] }),
  };
}

/** BoLD AssertionInputs whose afterState claims L2 block `n`, read up to inbox position n. */
function assertionInputs(n: number) {
  const k = BigInt(n);
  const state = (m: bigint, status: number) => ({
    globalState: { bytes32Vals: [hash(`block${m}`), hash(`send${m}`)] as const, u64Vals: [m, m + 1000n] as const },
    machineStatus: status,
    endHistoryRoot: hash(`history${m}`),
  });
  return {
    beforeStateData: {
      prevPrevAssertionHash: hash(`prevprev${n}`),
      sequencerBatchAcc: hash(`acc${n - 1}`),
      configData: { wasmModuleRoot: hash('wasm'), requiredStake: 1n, challengeManager: poster.address, confirmPeriodBlocks: 20n, nextInboxPosition: k },
    },
    beforeState: state(k - 1n, 1),
    afterState: state(k, 1),
  };
}

type AssertionInputs = ReturnType<typeof assertionInputs>;

const afterStateType = (ROLLUP_CORE_ABI[1].inputs[2] as AbiParameter & { components: readonly AbiParameter[] }).components[2]!;

/** The hash MockRollup (like BoLD) gives an assertion. */
function assertionHashOf(parent: Hash, inputs: AssertionInputs, afterInboxBatchAcc: Hash): Hash {
  return keccak256(concatHex([parent, keccak256(encodeAbiParameters([afterStateType], [inputs.afterState])), afterInboxBatchAcc]));
}

interface AssertionSpec {
  readonly parent: Hash;
  readonly inputs: AssertionInputs;
  readonly afterInboxBatchAcc: Hash;
  readonly inboxMaxCount: bigint;
  readonly hash: Hash;
}

function assertionSpec(n: number, parent: Hash): AssertionSpec {
  const inputs = assertionInputs(n);
  const afterInboxBatchAcc = hash(`acc${n}`);
  return { parent, inputs, afterInboxBatchAcc, inboxMaxCount: BigInt(n + 1), hash: assertionHashOf(parent, inputs, afterInboxBatchAcc) };
}

function create(rollup: Address, a: AssertionSpec): Call {
  return { to: rollup, data: encodeFunctionData({ abi: MockRollup.abi, functionName: 'createAssertion', args: [a.parent, a.inputs, a.afterInboxBatchAcc, a.inboxMaxCount] }) };
}

function confirm(rollup: Address, assertionHash: Hash, n: number): Call {
  return { to: rollup, data: encodeFunctionData({ abi: MockRollup.abi, functionName: 'confirmAssertion', args: [assertionHash, hash(`block${n}`), hash(`send${n}`)] }) };
}

// ---- what the reader must return --------------------------------------------------------------

/** The position of the receipt's only log. */
function positionOf(receipt: TransactionReceipt): L1LogPosition {
  expect(receipt.logs).toHaveLength(1);
  const log = receipt.logs[0]!;
  return { l1BlockNumber: log.blockNumber, l1BlockHash: log.blockHash, txHash: log.transactionHash, logIndex: log.logIndex };
}

const LOCATION_NAMES = ['TxInput', 'SeparateBatchEvent', 'NoData', 'Blob'] as const;

function expectedBatch(receipt: TransactionReceipt, sequenceNumber: bigint, beforeAcc: Hash, b: BatchSpec): BatchDeliveredEvent {
  return {
    ...positionOf(receipt),
    batchSequenceNumber: sequenceNumber,
    beforeAcc,
    afterAcc: b.afterAcc,
    delayedAcc: b.delayedAcc,
    afterDelayedMessagesRead: b.afterDelayedMessagesRead,
    timeBounds: b.timeBounds,
    dataLocation: LOCATION_NAMES[b.location]!,
    dataLocationCode: b.location,
  };
}

function expectedCreated(receipt: TransactionReceipt, a: AssertionSpec): AssertionCreatedEvent {
  const after = a.inputs.afterState.globalState;
  return {
    ...positionOf(receipt),
    kind: 'created',
    assertionHash: a.hash,
    parentAssertionHash: a.parent,
    afterState: { l2BlockHash: after.bytes32Vals[0], sendRoot: after.bytes32Vals[1], inboxPosition: after.u64Vals[0], positionInMessage: after.u64Vals[1], machineStatus: 'FINISHED' },
    afterInboxBatchAcc: a.afterInboxBatchAcc,
    inboxMaxCount: a.inboxMaxCount,
  };
}

function expectedConfirmed(receipt: TransactionReceipt, assertionHash: Hash, n: number): AssertionConfirmedEvent {
  return { ...positionOf(receipt), kind: 'confirmed', assertionHash, l2BlockHash: hash(`block${n}`), sendRoot: hash(`send${n}`) };
}

// ---- observing the monitor --------------------------------------------------------------------

/** A fetch that records every JSON-RPC call and, during an outage, sends it to a closed port. */
class RpcTap {
  readonly calls: Array<{ method: string; params: readonly unknown[] }> = [];
  /** 'all': every request fails to connect; 'getLogs': only eth_getLogs does. */
  outage: 'none' | 'all' | 'getLogs' = 'none';

  constructor(private readonly closedUrl: string) {}

  readonly fetchFn: typeof fetch = (input, init) => {
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const calls = (Array.isArray(body) ? body : [body]) as Array<{ method: string; params: unknown[] } | undefined>;
    for (const call of calls) if (call) this.calls.push({ method: call.method, params: call.params });
    const fails = this.outage === 'all' || (this.outage === 'getLogs' && calls.some((c) => c?.method === 'eth_getLogs'));
    return fetch(fails ? this.closedUrl : input, init);
  };

  /** The [fromBlock, toBlock] of every eth_getLogs sent so far. */
  getLogsRanges(): Array<[bigint, bigint]> {
    return this.calls
      .filter((c) => c.method === 'eth_getLogs')
      .map((c) => {
        const filter = c.params[0] as { fromBlock: Hex; toBlock: Hex };
        return [BigInt(filter.fromBlock), BigInt(filter.toBlock)];
      });
  }
}

/** Timers the test fires by hand; `fire` resolves when the monitor has scheduled its next poll. */
class ManualTimers implements L1MonitorTimers {
  /** Every delay the monitor asked for, in order. */
  readonly delays: number[] = [];
  readonly #pending = new Map<number, () => void>();
  #nextId = 1;
  #onSchedule: (() => void) | undefined;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#pending.set(id, callback);
    this.delays.push(ms);
    this.#onSchedule?.();
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Runs the one pending callback (a poll) and waits until the monitor schedules the next; returns its delay. */
  async fire(): Promise<number> {
    expect(this.#pending.size).toBe(1);
    const [[id, callback]] = [...this.#pending] as [[number, () => void]];
    this.#pending.delete(id);
    const scheduled = new Promise<void>((resolve) => (this.#onSchedule = resolve));
    callback();
    await scheduled;
    this.#onSchedule = undefined;
    return this.delays.at(-1)!;
  }
}

/** Everything a monitor emitted. */
function record(monitor: L1Monitor) {
  const seen = { batches: [] as L1BatchesUpdate[], assertions: [] as L1AssertionsUpdate[], errors: [] as L1PollError[] };
  monitor.on('batches', (u) => seen.batches.push(u));
  monitor.on('assertions', (u) => seen.assertions.push(u));
  monitor.on('pollError', (e) => seen.errors.push(e));
  return seen;
}

async function setup(monitorOptions: L1MonitorOptions = {}) {
  const mocks: L1Mocks = await deployL1Mocks(clients, poster);
  const tap = new RpcTap(`http://127.0.0.1:${await freeLoopbackPort()}`);
  const reader = new L1Reader({ rpcUrl: anvil!.rpcUrl, sequencerInboxAddress: mocks.sequencerInbox, rollupAddress: mocks.rollup, fetchFn: tap.fetchFn, timeoutMs: 5_000 });
  const monitor = new L1Monitor(reader, monitorOptions);
  return { mocks, tap, reader, monitor, seen: record(monitor) };
}

// ---- tests ------------------------------------------------------------------------------------

describe('l1-abis', () => {
  it('are exactly the fragments @arbitrum/nitro-contracts publishes, selected by name', () => {
    const published = (path: string): Abi =>
      (JSON.parse(readFileSync(join(packageRoot(), 'node_modules/@arbitrum/nitro-contracts/build/contracts/src', path), 'utf8')) as { abi: Abi }).abi;
    const pick = (abi: Abi, names: readonly string[]) => names.map((n) => abi.find((item) => 'name' in item && item.name === n));
    expect(SEQUENCER_INBOX_ABI).toEqual(pick(published('bridge/SequencerInbox.sol/SequencerInbox.json'), ['batchCount', 'SequencerBatchDelivered']));
    expect(ROLLUP_CORE_ABI).toEqual(pick(published('rollup/RollupCore.sol/RollupCore.json'), ['latestConfirmed', 'AssertionCreated', 'AssertionConfirmed']));
  });
});

describe('L1Reader', () => {
  it('reads batchCount and latestConfirmed back', async () => {
    const { mocks, reader } = await setup();
    expect(await reader.batchCount()).toBe(0n);
    expect(await reader.latestConfirmed()).toBe(ZERO);
    await transact([0, 1, 2].map((n) => deliver(mocks.sequencerInbox, batchSpec(n))));
    expect(await reader.batchCount()).toBe(3n);
    const a = assertionSpec(1, hash('genesis'));
    await transact([create(mocks.rollup, a)]);
    expect(await reader.latestConfirmed()).toBe(ZERO);
    await transact([confirm(mocks.rollup, a.hash, 1)]);
    expect(await reader.latestConfirmed()).toBe(a.hash);
  });

  it('decodes every event of a range with the exact values sent, in (block, log index) order', async () => {
    const { mocks, reader } = await setup();
    // Another inbox and rollup emitting the same events in the same blocks: not ours, not reported.
    const others = await deployL1Mocks(clients, poster);
    const specs = [0, 1, 2, 3, 4].map((n) => batchSpec(n));
    const a1 = assertionSpec(1, hash('genesis'));
    const a2 = assertionSpec(2, a1.hash);
    const start = (await head()) + 1n;

    // Block 1: two batches, an assertion, a third batch, and the other contracts' events between.
    const [r0, , r1, rA1, , r2] = await transactInOneBlock([
      deliver(mocks.sequencerInbox, specs[0]!),
      deliver(others.sequencerInbox, batchSpec(9)),
      deliver(mocks.sequencerInbox, specs[1]!),
      create(mocks.rollup, a1),
      create(others.rollup, assertionSpec(9, hash('other'))),
      deliver(mocks.sequencerInbox, specs[2]!),
    ]);
    // Then one block each: confirm a1, batch 3, assertion a2, batch 4.
    const [rC1, r3, rA2, r4] = await transact([confirm(mocks.rollup, a1.hash, 1), deliver(mocks.sequencerInbox, specs[3]!), create(mocks.rollup, a2), deliver(mocks.sequencerInbox, specs[4]!)]);
    expect(new Set([r0, r1, rA1, r2].map((r) => r!.blockNumber)).size).toBe(1);
    expect(r2!.blockNumber).toBe(start);
    const end = await head();
    expect(end).toBe(start + 4n);

    const events = await reader.getEvents(start, end);
    const receipts = [r0!, r1!, r2!, r3!, r4!];
    expect(events.batches).toEqual(receipts.map((r, i) => expectedBatch(r, BigInt(i), i === 0 ? ZERO : specs[i - 1]!.afterAcc, specs[i]!)));
    // Every member of BatchDataLocation appears once, by name.
    expect(events.batches.map((b) => b.dataLocation)).toEqual(['TxInput', 'SeparateBatchEvent', 'NoData', 'Blob', 'TxInput']);
    expect(events.assertions).toEqual([expectedCreated(rA1!, a1), expectedConfirmed(rC1!, a1.hash, 1), expectedCreated(rA2!, a2)]);
    const logIndexes = events.batches.filter((b) => b.l1BlockNumber === start).map((b) => b.logIndex);
    expect(logIndexes).toEqual([...logIndexes].sort((x, y) => x - y));
    expect(logIndexes).toHaveLength(3);

    // Both ends of the range are included, nothing outside it is.
    const last = await reader.getEvents(end, end);
    expect(last.batches.map((b) => b.batchSequenceNumber)).toEqual([4n]);
    expect(last.assertions).toEqual([]);
    const first = await reader.getEvents(start, start);
    expect(first.batches).toHaveLength(3);
    expect(first.assertions.map((e) => e.kind)).toEqual(['created']);
    await expect(reader.getEvents(end, start)).rejects.toThrow(RangeError);

    // An event is taken only from the contract that emits it: a "rollup" address that is really
    // an inbox contributes no batches, an "inbox" that is really a rollup no assertions.
    const crossed = (sequencerInboxAddress: Address, rollupAddress: Address) => new L1Reader({ rpcUrl: anvil!.rpcUrl, sequencerInboxAddress, rollupAddress }).getEvents(start, end);
    expect(await crossed(mocks.sequencerInbox, others.sequencerInbox)).toEqual({ batches: events.batches, assertions: [] });
    expect(await crossed(others.rollup, mocks.rollup)).toEqual({ batches: [], assertions: events.assertions });
  });

  it('fails with GH-E113 on a log that carries the event topic but does not decode, instead of dropping it', async () => {
    // Hand-assembled contract whose every call emits LOG1(topic = SequencerBatchDelivered's
    // selector) with no data: the topic matches, the indexed arguments and the data do not.
    const runtime = concatHex(['0x7f', toEventSelector(SEQUENCER_INBOX_ABI[1]), '0x60006000a100']);
    // PUSH1 0x27 DUP1 PUSH1 0x0b PUSH1 0 CODECOPY PUSH1 0 RETURN: returns the 39 bytes after these 11.
    const initCode = concatHex(['0x602780600b6000396000f3', runtime]);
    expect(size(runtime)).toBe(0x27);
    const [deployed] = await receiptsOf([await clients.walletClient.sendTransaction({ account: poster, chain: clients.walletClient.chain, data: initCode, gas: 200_000n })]);
    const impostor = deployed!.contractAddress!;
    const [emitted] = await transact([{ to: impostor, data: '0x' }]);
    expect(emitted!.logs).toHaveLength(1);
    const reader = new L1Reader({ rpcUrl: anvil!.rpcUrl, sequencerInboxAddress: impostor, rollupAddress: poster.address });
    await expect(reader.getEvents(emitted!.blockNumber, emitted!.blockNumber)).rejects.toThrow(
      new RegExp(`^GH-E113 log 0 of L1 block ${emitted!.blockNumber} \\(tx ${emitted!.transactionHash}\\) from http://127\\.0\\.0\\.1:\\d+ does not decode with Arbitrum's ABI`),
    );
  });

  it('fails with GH-E113 naming the redacted URL, the key gone from message and cause', async () => {
    const key = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
    const port = await freeLoopbackPort();
    const reader = new L1Reader({ rpcUrl: `http://127.0.0.1:${port}/v3/${key}`, sequencerInboxAddress: poster.address, rollupAddress: poster.address });
    for (const read of [() => reader.batchCount(), () => reader.latestConfirmed(), () => reader.blockNumber(), () => reader.getEvents(0n, 10n)]) {
      const error = await read().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GasHammerError);
      const e = error as GasHammerError;
      expect(e.code).toBe('GH-E113');
      expect(e.message).toContain(`from http://127.0.0.1:${port}/v3/*** failed`);
      expect(e.message).toMatch(/ECONNREFUSED/);
      expect(`${e.message} ${String(e.details)} ${String(e.cause)} ${(e.cause as Error).stack ?? ''} ${e.render()}`).not.toContain(key);
    }
  });

  it('fails with GH-E113 when an address has no contract', async () => {
    const reader = new L1Reader({ rpcUrl: anvil!.rpcUrl, sequencerInboxAddress: poster.address, rollupAddress: poster.address });
    await expect(reader.batchCount()).rejects.toThrow(/^GH-E113 reading SequencerInbox\.batchCount\(\) at 0x[0-9a-fA-F]{40} from http:\/\/127\.0\.0\.1:\d+ failed: .*no data/);
  });
});

describe('L1Monitor', () => {
  it('has the documented defaults and refuses nonsense', () => {
    const idle: L1EventSource = { blockNumber: () => Promise.resolve(0n), getEvents: () => Promise.resolve({ batches: [], assertions: [] }) };
    const monitor = new L1Monitor(idle);
    expect([monitor.pollIntervalMs, monitor.lookbackBlocks, monitor.blocksPerPoll]).toEqual([15_000, 100, DEFAULT_L1_BLOCKS_PER_POLL]);
    expect([DEFAULT_L1_POLL_INTERVAL_MS, DEFAULT_L1_LOOKBACK_BLOCKS]).toEqual([15_000, 100]);
    for (const bad of [{ blocksPerPoll: 0 }, { lookbackBlocks: -1 }, { pollIntervalMs: 0.5 }]) expect(() => new L1Monitor(idle, bad), JSON.stringify(bad)).toThrow(RangeError);
  });

  it('first scans lookbackBlocks back from the head, then each new block exactly once', async () => {
    const lookbackBlocks = 10;
    const { mocks, tap, monitor, seen } = await setup({ lookbackBlocks });
    const [old] = await transact([deliver(mocks.sequencerInbox, batchSpec(0))]);
    await testClient.mine({ blocks: lookbackBlocks - 1 });
    const [recent] = await transact([deliver(mocks.sequencerInbox, batchSpec(1))]);
    const h1 = await head();
    // The old batch is exactly one block outside the lookback window.
    expect(h1 - old!.blockNumber).toBe(BigInt(lookbackBlocks));

    const first = await monitor.pollOnce();
    expect(first.error).toBeUndefined();
    expect(first.head).toBe(h1);
    expect(first.range).toEqual({ fromBlock: h1 - BigInt(lookbackBlocks) + 1n, toBlock: h1 });
    expect(first.caughtUp).toBe(true);
    expect(seen.batches).toEqual([{ events: [expectedBatch(recent!, 1n, batchSpec(0).afterAcc, batchSpec(1))], l1Block: h1 }]);
    expect(seen.assertions).toEqual([]);

    // The head has not moved: nothing to scan, no eth_getLogs sent, nothing emitted.
    const getLogsBefore = tap.getLogsRanges().length;
    const idle = await monitor.pollOnce();
    expect(idle).toMatchObject({ head: h1, range: undefined, caughtUp: true, error: undefined });
    expect(tap.getLogsRanges()).toHaveLength(getLogsBefore);
    expect(seen.batches).toHaveLength(1);

    const a = assertionSpec(2, hash('genesis'));
    const [b2, b3, created, confirmed] = await transact([
      deliver(mocks.sequencerInbox, batchSpec(2)),
      deliver(mocks.sequencerInbox, batchSpec(3)),
      create(mocks.rollup, a),
      confirm(mocks.rollup, a.hash, 2),
    ]);
    const second = await monitor.pollOnce();
    expect(second.range).toEqual({ fromBlock: h1 + 1n, toBlock: h1 + 4n });
    expect(seen.batches[1]).toEqual({ events: [expectedBatch(b2!, 2n, batchSpec(1).afterAcc, batchSpec(2)), expectedBatch(b3!, 3n, batchSpec(2).afterAcc, batchSpec(3))], l1Block: h1 + 4n });
    expect(seen.assertions).toEqual([{ events: [expectedCreated(created!, a), expectedConfirmed(confirmed!, a.hash, 2)], l1Block: h1 + 4n }]);

    await testClient.mine({ blocks: 3 });
    const third = await monitor.pollOnce();
    expect(third.range).toEqual({ fromBlock: h1 + 5n, toBlock: h1 + 7n });
    expect(third.batches).toEqual([]);

    // Every event after the window, once; the ranges requested tile the chain without overlap.
    const reported = seen.batches.flatMap((u) => u.events.map((e) => e.batchSequenceNumber));
    expect(reported).toEqual([1n, 2n, 3n]);
    expect(tap.getLogsRanges()).toEqual([
      [h1 - 9n, h1],
      [h1 + 1n, h1 + 4n],
      [h1 + 5n, h1 + 7n],
    ]);
    expect(monitor.stats).toMatchObject({ polls: 4, batchesSeen: 3, assertionsSeen: 2, pollErrors: 0, nextBlock: h1 + 8n });
  });

  it('reports a failed poll as pollError and retries the same blocks after recovery', async () => {
    const timers = new ManualTimers();
    let clock = 1_000;
    const { mocks, tap, monitor, seen } = await setup({ lookbackBlocks: 0, pollIntervalMs: 5_000, timers, now: () => clock });
    monitor.start();
    expect(timers.delays).toEqual([0]);
    const h0 = await head();
    expect(await timers.fire()).toBe(5_000);
    // Lookback 0: the first poll only places the cursor after the head.
    expect(monitor.stats).toMatchObject({ polls: 1, nextBlock: h0 + 1n, lastSuccessAtMs: 1_000 });

    const [x] = await transact([deliver(mocks.sequencerInbox, batchSpec(0))]);
    clock = 2_000;
    tap.outage = 'all';
    expect(await timers.fire()).toBe(5_000);
    clock = 3_000;
    tap.outage = 'getLogs';
    expect(await timers.fire()).toBe(5_000);

    expect(seen.errors).toHaveLength(2);
    for (const { error } of seen.errors) {
      expect(error).toBeInstanceOf(GasHammerError);
      expect(error.code).toBe('GH-E113');
      expect(error.message).toContain(`from ${anvil!.rpcUrl} failed`);
      expect(error.message).toMatch(/ECONNREFUSED/);
    }
    expect(seen.errors[0]!.error.message).toContain('the L1 block number');
    expect(seen.errors[1]!.error.message).toContain(`events of L1 blocks ${h0 + 1n}-${x!.blockNumber}`);
    expect(seen.batches).toEqual([]);
    expect(monitor.stats).toMatchObject({ polls: 3, pollErrors: 2, nextBlock: h0 + 1n, lastPollAtMs: 3_000, lastSuccessAtMs: 1_000 });

    const [y] = await transact([deliver(mocks.sequencerInbox, batchSpec(1))]);
    tap.outage = 'none';
    clock = 4_000;
    expect(await timers.fire()).toBe(5_000);
    expect(seen.batches).toEqual([{ events: [expectedBatch(x!, 0n, ZERO, batchSpec(0)), expectedBatch(y!, 1n, batchSpec(0).afterAcc, batchSpec(1))], l1Block: y!.blockNumber }]);
    // The failed eth_getLogs and its retry start at the same block.
    expect(tap.getLogsRanges()).toEqual([
      [h0 + 1n, x!.blockNumber],
      [h0 + 1n, y!.blockNumber],
    ]);
    expect(monitor.stats).toMatchObject({ polls: 4, pollErrors: 2, batchesSeen: 2, nextBlock: y!.blockNumber + 1n, lastSuccessAtMs: 4_000 });
    await monitor.stop();
    expect(timers.pending).toBe(0);
  });

  it('catches up in getLogs ranges of at most blocksPerPoll, polling again at once while behind', async () => {
    const timers = new ManualTimers();
    const { mocks, tap, monitor, seen } = await setup({ lookbackBlocks: 30, blocksPerPoll: 10, timers });
    const [a] = await transact([deliver(mocks.sequencerInbox, batchSpec(0))]);
    await testClient.mine({ blocks: 24 });
    const [b] = await transact([deliver(mocks.sequencerInbox, batchSpec(1))]);
    const h = await head();
    expect(h).toBe(a!.blockNumber + 25n);

    monitor.start();
    const delays = [await timers.fire(), await timers.fire(), await timers.fire()];
    // Behind the head after the first two polls: the next one comes at once; then the interval.
    expect(delays).toEqual([0, 0, DEFAULT_L1_POLL_INTERVAL_MS]);
    expect(tap.getLogsRanges()).toEqual([
      [h - 29n, h - 20n],
      [h - 19n, h - 10n],
      [h - 9n, h],
    ]);
    expect(seen.batches).toEqual([
      { events: [expectedBatch(a!, 0n, ZERO, batchSpec(0))], l1Block: h - 20n },
      { events: [expectedBatch(b!, 1n, batchSpec(0).afterAcc, batchSpec(1))], l1Block: h },
    ]);

    // Caught up and the head still: the next poll sends no eth_getLogs.
    expect(await timers.fire()).toBe(DEFAULT_L1_POLL_INTERVAL_MS);
    expect(tap.getLogsRanges()).toHaveLength(3);
    expect(monitor.stats).toMatchObject({ polls: 4, batchesSeen: 2, pollErrors: 0, nextBlock: h + 1n });

    await monitor.stop();
    expect(timers.pending).toBe(0);
    expect(monitor.running).toBe(false);
  });
});
