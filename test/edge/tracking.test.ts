// Recording what happens to every transaction: the Submitter, InclusionTracker and FeedCorrelator
// against a real embedded devnet (anvil, 250 ms blocks, the feed relay) with real signed
// transfers, plus the timing rules (receipt timeout, feed-miss timeout) driven by a manual clock
// against a scripted node, where the order of events can be pinned down exactly.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { keccak256, type Address, type Hash, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { createRpcClient, type BlockSummary, type RpcClient, type TxReceipt } from '../../src/chain/rpc-client.js';
import { startEmbeddedDevnet, type EmbeddedDevnet } from '../../src/devnet/embedded-devnet.js';
import { FeedCorrelator, type FeedEventSource } from '../../src/edge/feed-correlator.js';
import { InclusionTracker, type InclusionOutcome, type InclusionTrackerOptions, type TrackedBlock, type WatchMeta } from '../../src/edge/inclusion-tracker.js';
import { Submitter, type SignedTransaction, type SubmitMeta, type SubmitOutcome } from '../../src/edge/submitter.js';
import { FeedConsumer, type FeedConsumerEventName, type FeedConsumerEvents, type FeedListener } from '../../src/feed/consumer.js';
import { manualClock, systemClock, type Clock } from '../../src/telemetry/clock.js';
import type { TelemetryEvent } from '../../src/telemetry/events.js';
import { TelemetryRecorder } from '../../src/telemetry/recorder.js';
import { RingBuffer } from '../../src/telemetry/ring-buffer.js';

const CHAIN_ID = 412_346;
const GWEI = 1_000_000_000n;
const RECIPIENT: Address = '0x000000000000000000000000000000000000bEEF';
const TRANSFERS = 50;

let devnet: EmbeddedDevnet;
let faucet: PrivateKeyAccount;

beforeAll(async () => {
  devnet = await startEmbeddedDevnet();
  faucet = privateKeyToAccount(devnet.faucet.privateKey);
}, 30_000);

afterAll(async () => {
  await devnet?.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers

function telemetry(clock: Clock) {
  const buffer = new RingBuffer<TelemetryEvent>(100_000);
  const recorder = new TelemetryRecorder({ runId: 'run-test', edgeId: 'edge-0', clock, buffer });
  return { buffer, recorder };
}

/** Rejects when `p` has not settled within `ms`: a bounded wait that fails the test. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function outcomeOf(tracker: InclusionTracker, hash: Hash, meta: WatchMeta): Promise<InclusionOutcome> {
  return new Promise((resolve) => tracker.watch(hash, meta, resolve));
}

/** Resolves once `test` holds for a block read (already or from now on). */
function untilBlock(blocks: { seen: TrackedBlock[]; listeners: ((b: TrackedBlock) => void)[] }, test: (b: TrackedBlock) => boolean): Promise<TrackedBlock> {
  const already = blocks.seen.find(test);
  if (already !== undefined) return Promise.resolve(already);
  return new Promise((resolve) => {
    const listener = (b: TrackedBlock) => {
      if (!test(b)) return;
      blocks.listeners.splice(blocks.listeners.indexOf(listener), 1);
      resolve(b);
    };
    blocks.listeners.push(listener);
  });
}

/** A block observer the tracker calls, recording the order blocks were read in. */
function blockLog() {
  const log = { numbers: [] as bigint[], seen: [] as TrackedBlock[], listeners: [] as ((b: TrackedBlock) => void)[] };
  const onBlock = (b: TrackedBlock) => {
    log.numbers.push(b.number);
    log.seen.push(b);
    for (const l of [...log.listeners]) l(b);
  };
  return { log, onBlock };
}

async function signTransfer(nonce: number, value = 1n): Promise<SignedTransaction> {
  const rawHex = await faucet.signTransaction({
    type: 'eip1559',
    chainId: CHAIN_ID,
    nonce,
    to: RECIPIENT,
    value,
    gas: 21_000n,
    maxFeePerGas: GWEI,
    maxPriorityFeePerGas: 0n,
  });
  return { rawHex, hash: keccak256(rawHex) };
}

function meta(nonce: number, clock: Clock, value = 1n): SubmitMeta {
  return { template: 'transfer', computeGas: 21_000n, gasLimit: 21_000n, account: faucet.address, nonce, valueWei: value, intendedNs: clock.monoNs() };
}

function watchMeta(m: SubmitMeta, submittedNs: bigint): WatchMeta {
  return { account: m.account, nonce: m.nonce, valueWei: m.valueWei, submittedNs };
}

/** A fetch that counts the HTTP requests asking for receipts (one per JSON-RPC batch). */
function countingFetch() {
  const counts = { receiptRequests: 0, receiptsRequested: 0, blockRequests: 0 };
  const fetchFn = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    if (body.includes('eth_getTransactionReceipt')) {
      counts.receiptRequests++;
      counts.receiptsRequested += body.split('eth_getTransactionReceipt').length - 1;
    }
    if (body.includes('eth_getBlockByNumber')) counts.blockRequests++;
    return fetch(input, init);
  }) as typeof fetch;
  return { counts, fetchFn };
}

function byKind<K extends TelemetryEvent['kind']>(events: readonly TelemetryEvent[], kind: K): Map<string, Extract<TelemetryEvent, { kind: K }>> {
  const out = new Map<string, Extract<TelemetryEvent, { kind: K }>>();
  for (const e of events) if (e.kind === kind && 'txHash' in e && e.txHash !== undefined) out.set(e.txHash.toLowerCase(), e as Extract<TelemetryEvent, { kind: K }>);
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const ms = (ns: bigint) => Number(ns) / 1e6;

// ---------------------------------------------------------------------------------------------

describe('tracking real transactions on the embedded devnet', () => {
  it('records submitted, accepted, included and feed-seen for every transfer, with receipts fetched per block, not per transaction', async () => {
    const clock = systemClock();
    const { buffer, recorder } = telemetry(clock);
    const { counts, fetchFn } = countingFetch();
    const client = createRpcClient({ url: devnet.rpcUrl, fetchFn });
    const { log, onBlock } = blockLog();
    const errors: Error[] = [];
    // Feed and blocks both followed from the block after this one.
    const head = await client.blockNumber();
    const consumer = new FeedConsumer({ url: devnet.feedUrl, expectedChainId: CHAIN_ID, fromSequenceNumber: Number(head) + 1 });
    const correlator = new FeedCorrelator({ consumer, recorder, clock, missTimeoutMs: 5_000 });
    const tracker = new InclusionTracker({
      rpcUrl: devnet.rpcUrl,
      wsUrl: devnet.wsUrl,
      client,
      recorder,
      clock,
      receiptTimeoutMs: 20_000,
      pollIntervalMs: 250,
      fromBlock: head + 1n,
      onBlock,
      onError: (e) => errors.push(e),
      // The tracker tells the correlator about inclusions (and gives up on timeouts).
      onOutcome: (o) => (o.status === 'included' ? correlator.included(o.hash) : correlator.forget(o.hash)),
    });
    await tracker.start();
    expect(tracker.stats.mode).toBe('websocket');
    const connected = new Promise<void>((resolve) => consumer.on('connected', () => resolve()));
    consumer.start();
    try {
      await within(connected, 5_000, 'the feed to connect');
      const submitter = new Submitter({ client, recorder, clock });
      const firstNonce = await client.getTransactionCount(faucet.address, 'pending');
      const startedNs = clock.monoNs();
      const signed = await Promise.all(Array.from({ length: TRANSFERS }, (_, i) => signTransfer(firstNonce + i, BigInt(i + 1))));
      const metas = signed.map((_, i) => meta(firstNonce + i, clock, BigInt(i + 1)));

      // Two waves, each all at once as an edge sends (anvil holds a nonce gap until it is
      // filled); the second waits for the first to be included, so they span several blocks.
      const sendWave = (from: number, to: number) =>
        within(
          Promise.all(
            signed.slice(from, to).map(async (s, j) => {
              const i = from + j;
              const submitted = await submitter.submit(s, metas[i]!);
              if (submitted.status !== 'accepted') return { submitted, included: undefined };
              // Watched after acceptance: the tracker and the correlator remember recent blocks
              // and feed messages for transactions that were quicker than the answer.
              correlator.expect(s.hash);
              const included = await outcomeOf(tracker, s.hash, watchMeta(metas[i]!, submitted.sentNs));
              return { submitted, included };
            }),
          ),
          15_000,
          `transfers ${from}..${to - 1} to be included`,
        );
      const results = [...(await sendWave(0, TRANSFERS / 2)), ...(await sendWave(TRANSFERS / 2, TRANSFERS))];
      expect(submitter.stats).toMatchObject({ submitted: TRANSFERS, accepted: TRANSFERS, failed: 0, inFlight: 0 });
      expect(submitter.stats.maxInFlight).toBeGreaterThan(1);

      // The feed message of the last block may trail the tracker's read of it: wait for it.
      const allSeen = new Promise<void>((resolve) => {
        const check = () => correlator.stats.seen >= TRANSFERS && resolve();
        consumer.on('message', check);
        check();
      });
      await within(allSeen, 5_000, 'every transfer in the feed');
      const elapsedNs = clock.monoNs() - startedNs;

      const events = buffer.drain(buffer.size);
      const submittedEv = byKind(events, 'TxSubmitted');
      const acceptedEv = byKind(events, 'TxAccepted');
      const includedEv = byKind(events, 'TxIncluded');
      const feedEv = byKind(events, 'TxFeedSeen');
      expect(events.filter((e) => e.kind === 'FeedConnected')).toHaveLength(1);
      const inclusionBlocks = new Set<bigint>();
      const chainReceipts = await client.getTransactionReceipts(signed.map((s) => s.hash));
      for (const [i, s] of signed.entries()) {
        const key = s.hash.toLowerCase();
        const { submitted, included } = results[i]!;
        expect(submitted.status, s.hash).toBe('accepted');
        expect(included?.status, s.hash).toBe('included');
        const sub = submittedEv.get(key);
        expect(sub, `TxSubmitted ${s.hash}`).toMatchObject({ template: 'transfer', estimatedGas: 21_000n, gasLimit: 21_000n, account: faucet.address, nonce: firstNonce + i, valueWei: BigInt(i + 1) });
        expect(sub!.sentNs).toBeGreaterThanOrEqual(sub!.intendedNs);
        const acc = acceptedEv.get(key);
        expect(acc, `TxAccepted ${s.hash}`).toBeDefined();
        expect(acc!.acceptedNs).toBeGreaterThan(sub!.sentNs);
        expect(acc!.seq).toBeGreaterThan(sub!.seq);
        const inc = includedEv.get(key);
        const receipt = chainReceipts[i]!;
        expect(receipt, s.hash).not.toBeNull();
        expect(inc, `TxIncluded ${s.hash}`).toMatchObject({
          blockNumber: receipt.blockNumber,
          gasUsed: 21_000n,
          gasUsedForL1: undefined,
          effectiveGasPrice: receipt.effectiveGasPrice,
          success: true,
          from: faucet.address.toLowerCase(),
          to: RECIPIENT.toLowerCase(),
          nonce: firstNonce + i,
          valueWei: BigInt(i + 1),
        });
        // Seen on the client after it was sent.
        expect(inc!.seenNs).toBeGreaterThan(sub!.sentNs);
        // No tip: the price paid is the block's base fee.
        expect(inc!.baseFeePerGas).toBeGreaterThan(0n);
        expect(inc!.effectiveGasPrice).toBe(inc!.baseFeePerGas);
        inclusionBlocks.add(inc!.blockNumber);
        const feed = feedEv.get(key);
        expect(feed?.sequenceNumber, `TxFeedSeen ${s.hash}`).toBe(Number(receipt.blockNumber));
      }
      expect(events.filter((e) => e.kind === 'TxFailed' || e.kind === 'TxTimeout')).toEqual([]);
      // Sequence numbers are unique and increasing in buffer order.
      const seqs = events.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)));
      expect(new Set(seqs).size).toBe(seqs.length);

      // Receipts: one batched request per block with matches (<= 100 each), never one per transaction.
      // (The check above fetched 50 receipts in one more batch through the same fetch.)
      const trackerReceiptRequests = counts.receiptRequests - 1;
      expect(trackerReceiptRequests).toBe(tracker.stats.receiptBatches);
      expect(trackerReceiptRequests).toBe(inclusionBlocks.size);
      expect(inclusionBlocks.size).toBeGreaterThanOrEqual(2);
      expect(trackerReceiptRequests).toBeLessThan(TRANSFERS / 5);
      expect(tracker.stats.receiptsFetched).toBe(TRANSFERS);
      expect(tracker.stats.matched).toBe(TRANSFERS);
      expect(tracker.stats.pending).toBe(0);
      expect(correlator.stats).toMatchObject({ seen: TRANSFERS, misses: 0, outstanding: 0 });
      // Every block from the start on was read once, in order.
      expect(log.numbers).toEqual(log.numbers.map((_, i) => head + 1n + BigInt(i)));
      expect(tracker.stats.parentMismatches).toBe(0);
      expect(errors).toEqual([]);

      // Figures for the report.
      const incLat = signed.map((s) => ms(includedEv.get(s.hash.toLowerCase())!.seenNs - submittedEv.get(s.hash.toLowerCase())!.sentNs));
      const feedLat = signed.map((s) => ms(feedEv.get(s.hash.toLowerCase())!.seenNs - submittedEv.get(s.hash.toLowerCase())!.sentNs));
      const accLat = signed.map((s) => ms(acceptedEv.get(s.hash.toLowerCase())!.acceptedNs - submittedEv.get(s.hash.toLowerCase())!.sentNs));
      const first = log.seen[0]!;
      const last = log.seen[log.seen.length - 1]!;
      const blocksPerSec = log.seen.length > 1 ? ((log.seen.length - 1) * 1e3) / ms(last.seenNs - first.seenNs) : Number.NaN;
      console.log(
        `[tracking] ${TRANSFERS} transfers in ${ms(elapsedNs).toFixed(0)} ms over ${inclusionBlocks.size} blocks; ` +
          `${tracker.stats.receiptBatches} receipt batches (${(TRANSFERS / tracker.stats.receiptBatches).toFixed(1)} receipts/batch), ` +
          `${counts.blockRequests} block reads for ${tracker.stats.blocksSeen} blocks (${blocksPerSec.toFixed(2)} blocks/s); ` +
          `accept median ${median(accLat).toFixed(2)} ms, inclusion (head seen) median ${median(incLat).toFixed(1)} ms max ${Math.max(...incLat).toFixed(1)} ms, ` +
          `feed median ${median(feedLat).toFixed(1)} ms max ${Math.max(...feedLat).toFixed(1)} ms, feed - inclusion median ${median(signed.map((_, i) => feedLat[i]! - incLat[i]!)).toFixed(1)} ms`,
      );
    } finally {
      correlator.stop();
      consumer.close();
      tracker.stop();
    }
  });

  it('records a nonce-too-low rejection as TxFailed and never retries it', async () => {
    const clock = systemClock();
    const { buffer, recorder } = telemetry(clock);
    let sends = 0;
    const inner = createRpcClient({ url: devnet.rpcUrl });
    const client: RpcClient = { ...inner, sendRawTransaction: (raw) => (sends++, inner.sendRawTransaction(raw)) };
    const submitter = new Submitter({ client, recorder, clock });
    // The faucet deployed the test contracts, so nonce 0 is long used.
    const signed = await signTransfer(0);
    const outcome = await submitter.submit(signed, meta(0, clock));
    expect(outcome).toMatchObject({ status: 'failed', hash: signed.hash, errorClass: 'nonce_too_low', nonceFate: 'stale' });
    expect(sends).toBe(1);
    expect(submitter.stats).toMatchObject({ submitted: 1, accepted: 0, failed: 1, inFlight: 0, failuresByClass: { nonce_too_low: 1 } });
    const events = buffer.drain();
    expect(events.map((e) => e.kind)).toEqual(['TxSubmitted', 'TxFailed']);
    expect(events[1]).toMatchObject({ kind: 'TxFailed', txHash: signed.hash, errorClass: 'nonce_too_low', stage: 'submit', account: faucet.address, nonce: 0 });
    const failed = events[1] as Extract<TelemetryEvent, { kind: 'TxFailed' }>;
    expect(failed.message).toMatch(/nonce too low/i);
  });

  it('times out a transaction that is never mined (a nonce far ahead, which anvil queues forever)', async () => {
    // The manual clock decides when the timeout is due; the chain is real.
    const clock = manualClock();
    const { buffer, recorder } = telemetry(clock);
    const client = createRpcClient({ url: devnet.rpcUrl });
    const { log, onBlock } = blockLog();
    const tracker = new InclusionTracker({ rpcUrl: devnet.rpcUrl, wsUrl: devnet.wsUrl, client, recorder, clock, receiptTimeoutMs: 3_000, pollIntervalMs: 100, onBlock });
    await tracker.start();
    try {
      const submitter = new Submitter({ client, recorder, clock });
      const nonce = (await client.getTransactionCount(faucet.address, 'pending')) + 10_000;
      const signed = await signTransfer(nonce);
      const m = meta(nonce, clock);
      const submitted = await submitter.submit(signed, m);
      expect(submitted.status).toBe('accepted');
      const outcome = outcomeOf(tracker, signed.hash, watchMeta(m, submitted.sentNs));
      // Real blocks go by without it.
      const startBlock = log.numbers.length;
      await within(untilBlock(log, () => log.numbers.length >= startBlock + 3), 5_000, 'three blocks');
      expect(tracker.stats.pending).toBe(1);
      expect(tracker.checkTimeouts()).toBe(0);
      clock.advanceMs(2_999);
      expect(tracker.checkTimeouts()).toBe(0);
      clock.advanceMs(2);
      // Due now; the sweep fires it once every block learned of before the deadline is read.
      tracker.checkTimeouts();
      const result = await within(outcome, 5_000, 'the timeout');
      expect(result).toEqual({ status: 'timeout', hash: signed.hash, waitedNs: 3_001_000_000n });
      const timeouts = buffer.drain().filter((e) => e.kind === 'TxTimeout');
      expect(timeouts).toEqual([expect.objectContaining({ kind: 'TxTimeout', txHash: signed.hash, waitedNs: 3_001_000_000n })]);
      expect(tracker.stats).toMatchObject({ timeouts: 1, matched: 0, pending: 0 });
    } finally {
      tracker.stop();
    }
  });

  it('without a WebSocket URL, polls and still reads every block once, in order', async () => {
    const clock = systemClock();
    const { recorder } = telemetry(clock);
    const client = createRpcClient({ url: devnet.rpcUrl });
    const { log, onBlock } = blockLog();
    const tracker = new InclusionTracker({ rpcUrl: devnet.rpcUrl, client, recorder, clock, receiptTimeoutMs: 10_000, pollIntervalMs: 250, onBlock });
    await tracker.start();
    try {
      expect(tracker.stats.mode).toBe('polling');
      const from = log.numbers[0] ?? (await client.blockNumber());
      // A transfer to show inclusion works by polling too.
      const nonce = await client.getTransactionCount(faucet.address, 'pending');
      const signed = await signTransfer(nonce);
      const submitter = new Submitter({ client, recorder, clock });
      const m = meta(nonce, clock);
      const submitted = await submitter.submit(signed, m);
      expect(submitted.status).toBe('accepted');
      const included = await within(outcomeOf(tracker, signed.hash, watchMeta(m, (submitted as Extract<SubmitOutcome, { status: 'accepted' }>).sentNs)), 5_000, 'inclusion');
      expect(included).toMatchObject({ status: 'included', success: true, gasUsed: 21_000n });
      await within(untilBlock(log, () => log.numbers.length >= 12), 10_000, 'twelve blocks');
      const numbers = log.numbers;
      expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + BigInt(i)));
      expect(numbers[0]).toBeLessThanOrEqual(from + 1n);
      const first = log.seen[0]!;
      const last = log.seen[log.seen.length - 1]!;
      console.log(`[tracking] polling: ${log.seen.length} blocks at ${(((log.seen.length - 1) * 1e3) / ms(last.seenNs - first.seenNs)).toFixed(2)} blocks/s, ${tracker.stats.polls} polls`);
      // The blocks read are the chain's blocks.
      for (const b of log.seen.slice(0, 12)) expect((await client.getBlock(b.number))?.hash).toBe(b.hash);
      expect(tracker.stats.headNotifications).toBe(0);
      expect(tracker.stats.polls).toBeGreaterThan(0);
      expect(tracker.stats.parentMismatches).toBe(0);
    } finally {
      tracker.stop();
    }
  });

  it('falls back to polling when the newHeads socket drops, without skipping a block', async () => {
    // A WebSocket endpoint in front of anvil's that relays its newHeads notifications until the
    // test cuts the connection (and refuses reconnects): the tracker must carry on by polling.
    const client = createRpcClient({ url: devnet.rpcUrl });
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as { port: number }).port;
    const links: { cut: () => void }[] = [];
    server.on('connection', (downstream) => {
      const upstream = new WebSocket(devnet.wsUrl);
      const cut = () => {
        upstream.terminate();
        downstream.terminate();
      };
      links.push({ cut });
      upstream.on('message', (data) => downstream.send(data.toString()));
      upstream.on('error', cut);
      downstream.on('message', (data) => {
        if (upstream.readyState === WebSocket.OPEN) upstream.send(data.toString());
        else upstream.once('open', () => upstream.send(data.toString()));
      });
    });
    const clock = systemClock();
    const { recorder } = telemetry(clock);
    const { log, onBlock } = blockLog();
    const errors: Error[] = [];
    const tracker = new InclusionTracker({
      rpcUrl: devnet.rpcUrl,
      wsUrl: `ws://127.0.0.1:${port}`,
      client,
      recorder,
      clock,
      receiptTimeoutMs: 10_000,
      pollIntervalMs: 250,
      onBlock,
      onError: (e) => errors.push(e),
      // No reconnect within the test: what follows the drop is polling alone.
      wsBackoff: { initialMs: 120_000, maxMs: 120_000 },
    });
    try {
      await tracker.start();
      expect(tracker.stats.mode).toBe('websocket');
      await within(untilBlock(log, () => tracker.stats.headNotifications >= 4), 5_000, 'blocks announced over the socket');
      const readBeforeDrop = log.numbers.length;
      const notificationsBeforeDrop = tracker.stats.headNotifications;
      for (const link of links) link.cut();
      await within(untilBlock(log, () => log.numbers.length >= readBeforeDrop + 8), 10_000, 'eight blocks after the drop');
      expect(tracker.stats.mode).toBe('polling');
      expect(tracker.stats.wsDrops).toBe(1);
      expect(tracker.stats.headNotifications).toBe(notificationsBeforeDrop);
      expect(errors.some((e) => /lost/.test(e.message))).toBe(true);
      const numbers = log.numbers;
      expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + BigInt(i)));
      expect(tracker.stats.parentMismatches).toBe(0);
    } finally {
      tracker.stop();
      for (const link of links) link.cut();
      server.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Timing rules against a scripted node and a manual clock.

interface ScriptedNode {
  readonly client: RpcClient;
  head: bigint;
  readonly blocks: Map<bigint, Hash[]>;
  readonly receiptCalls: Hash[][];
  /** Block reads the test has not answered yet. */
  readonly heldBlocks: { n: bigint; release: () => void }[];
  holdBlocks: boolean;
  onBlockRequest: (() => void) | undefined;
}

function hashOf(n: number): Hash {
  return `0x${n.toString(16).padStart(64, '0')}`;
}

function scriptedNode(): ScriptedNode {
  const node: ScriptedNode = {
    head: 10n,
    blocks: new Map(),
    receiptCalls: [],
    heldBlocks: [],
    holdBlocks: false,
    onBlockRequest: undefined,
    client: undefined as unknown as RpcClient,
  };
  const summary = (n: bigint): BlockSummary => ({
    number: n,
    hash: hashOf(1_000_000 + Number(n)),
    parentHash: hashOf(1_000_000 + Number(n) - 1),
    timestamp: n,
    gasLimit: 1n << 50n,
    gasUsed: 0n,
    baseFeePerGas: 100_000_000n,
    l1BlockNumber: undefined,
    transactions: node.blocks.get(n) ?? [],
  });
  const receipt = (h: Hash): TxReceipt | null => {
    const n = [...node.blocks].find(([, hashes]) => hashes.includes(h))?.[0];
    if (n === undefined) return null;
    return {
      transactionHash: h,
      blockHash: summary(n).hash,
      blockNumber: n,
      transactionIndex: 0,
      from: '0x00000000000000000000000000000000000000aa',
      to: null,
      contractAddress: null,
      status: 'success',
      type: 2,
      gasUsed: 21_000n,
      cumulativeGasUsed: 21_000n,
      effectiveGasPrice: 100_000_000n,
      gasUsedForL1: 5n,
      l1BlockNumber: 1n,
    };
  };
  (node as { client: RpcClient }).client = {
    url: 'http://scripted',
    blockNumber: () => Promise.resolve(node.head),
    getBlock: ((n: bigint) => {
      const answer = () => (n <= node.head ? summary(n) : null);
      if (!node.holdBlocks) return Promise.resolve(answer());
      return new Promise((resolve) => {
        node.heldBlocks.push({ n, release: () => resolve(answer()) });
        node.onBlockRequest?.();
      });
    }) as RpcClient['getBlock'],
    getTransactionReceipts: (hashes: readonly Hash[]) => {
      node.receiptCalls.push([...hashes]);
      return Promise.resolve(hashes.map(receipt));
    },
  } as unknown as RpcClient;
  return node;
}

function scriptedTracker(node: ScriptedNode, extra: Partial<InclusionTrackerOptions> = {}) {
  const clock = manualClock();
  const { buffer, recorder } = telemetry(clock);
  const { log, onBlock } = blockLog();
  const tracker = new InclusionTracker({ rpcUrl: 'http://scripted', client: node.client, recorder, clock, receiptTimeoutMs: 1_000, pollIntervalMs: 5, onBlock, ...extra });
  return { clock, buffer, recorder, tracker, log };
}

const ACCOUNT: Address = '0x00000000000000000000000000000000000000aa';

describe('inclusion timing rules (scripted node, manual clock)', () => {
  it('does not time out a transaction whose block the edge learned of in time but is still reading', async () => {
    const node = scriptedNode();
    const { clock, buffer, tracker, log } = scriptedTracker(node);
    await tracker.start();
    try {
      const a = hashOf(1);
      const b = hashOf(2);
      const outcomes = [outcomeOf(tracker, a, { account: ACCOUNT, nonce: 0, valueWei: 0n, submittedNs: 0n }), outcomeOf(tracker, b, { account: ACCOUNT, nonce: 1, valueWei: 0n, submittedNs: 0n })];
      // Block 11 (holding a) appears at t = 0; its read is held.
      node.blocks.set(11n, [hashOf(99), a]);
      node.holdBlocks = true;
      const requested = new Promise<void>((resolve) => (node.onBlockRequest = resolve));
      node.head = 11n;
      await within(requested, 2_000, 'the read of block 11');
      clock.advanceMs(2_000);
      // Both are past their deadline, but block 11 was learned of before it and is unread.
      expect(tracker.checkTimeouts()).toBe(0);
      node.holdBlocks = false;
      const block11 = untilBlock(log, (blk) => blk.number === 11n);
      node.heldBlocks.shift()!.release();
      expect(await within(outcomes[0]!, 2_000, 'a')).toMatchObject({ status: 'included', blockNumber: 11n, seenNs: 0n, latencyNs: 0n, gasUsedForL1: 5n });
      await within(block11, 2_000, 'block 11 done');
      // Now nothing unread predates the deadline: b is late (this sweep or the tracker's own).
      tracker.checkTimeouts();
      expect(await within(outcomes[1]!, 2_000, 'b')).toEqual({ status: 'timeout', hash: b, waitedNs: 2_000_000_000n });
      const events = buffer.drain();
      expect(events.map((e) => e.kind)).toEqual(['TxIncluded', 'TxTimeout']);
      expect(events[0]).toMatchObject({ txHash: a, blockNumber: 11n, seenNs: 0n, baseFeePerGas: 100_000_000n, gasUsedForL1: 5n, from: ACCOUNT, to: undefined });
      // Only the pending one had its receipt fetched; the other transaction in the block was skipped.
      expect(node.receiptCalls).toEqual([[a]]);
    } finally {
      tracker.stop();
    }
  });

  it('drains past its timeout while receipts of transactions already seen keep arriving', async () => {
    const node = scriptedNode();
    // A slow node: every receipt batch takes 40 ms (a simulated latency, not a synchronisation).
    const fast = node.client.getTransactionReceipts.bind(node.client);
    (node.client as { getTransactionReceipts: RpcClient['getTransactionReceipts'] }).getTransactionReceipts = (hashes) =>
      new Promise((resolve) => setTimeout(() => resolve(fast(hashes)), 40));
    const { tracker, log, buffer } = scriptedTracker(node, { receiptTimeoutMs: 60_000 });
    await tracker.start();
    try {
      const hashes = Array.from({ length: 300 }, (_, i) => hashOf(20_000 + i));
      const outcomes = hashes.map((h, i) => outcomeOf(tracker, h, { account: ACCOUNT, nonce: i, valueWei: 0n, submittedNs: 0n }));
      node.blocks.set(11n, hashes);
      node.head = 11n;
      await within(untilBlock(log, (blk) => blk.number === 11n), 2_000, 'block 11');
      // Three batches take ~120 ms; the drain's own timeout is 50 ms.
      const result = await tracker.drain(50);
      expect(result).toEqual({ resolved: 300, timedOut: 0 });
      for (const o of await Promise.all(outcomes)) expect(o.status).toBe('included');
      expect(buffer.drain(buffer.size).filter((e) => e.kind === 'TxTimeout')).toEqual([]);
    } finally {
      tracker.stop();
    }
  });

  it('while the node is behind, knows inclusion from the block and reads receipts once it has caught up', async () => {
    const node = scriptedNode();
    let behind = true;
    const seen: Hash[] = [];
    const { tracker, log } = scriptedTracker(node, { receiptTimeoutMs: 60_000, nodeIsBehind: () => behind, onSeen: (h) => seen.push(h) });
    await tracker.start();
    try {
      const hashes = [hashOf(30_001), hashOf(30_002)];
      const outcomes = hashes.map((h, i) => outcomeOf(tracker, h, { account: ACCOUNT, nonce: i, valueWei: 0n, submittedNs: 0n }));
      node.blocks.set(11n, hashes);
      node.head = 11n;
      await within(untilBlock(log, (blk) => blk.number === 11n), 2_000, 'block 11');
      expect(seen).toEqual(hashes);
      expect(node.receiptCalls).toEqual([]);
      expect(tracker.stats.receiptDeferrals).toBeGreaterThan(0);
      // The node catches up: the tracker's own sweep starts the deferred reads.
      behind = false;
      for (const o of await within(Promise.all(outcomes), 2_000, 'receipts after catching up')) expect(o.status).toBe('included');
      expect(node.receiptCalls).toEqual([hashes]);
    } finally {
      tracker.stop();
    }
  });

  it('reads deferred receipts when drained, and past the deferral bound, even while the node is behind', async () => {
    const node = scriptedNode();
    const { tracker, log } = scriptedTracker(node, { receiptTimeoutMs: 60_000, nodeIsBehind: () => true, maxDeferredReceipts: 3 });
    await tracker.start();
    try {
      const first = [hashOf(40_001), hashOf(40_002)];
      const second = [hashOf(40_003), hashOf(40_004)];
      const all = [...first, ...second];
      const outcomes = all.map((h, i) => outcomeOf(tracker, h, { account: ACCOUNT, nonce: i, valueWei: 0n, submittedNs: 0n }));
      node.blocks.set(11n, first);
      node.head = 11n;
      await within(untilBlock(log, (blk) => blk.number === 11n), 2_000, 'block 11');
      expect(node.receiptCalls).toEqual([]);
      // Four waiting: past the bound of three, one batch is read although the node is behind.
      node.blocks.set(12n, second);
      node.head = 12n;
      await within(untilBlock(log, (blk) => blk.number === 12n), 2_000, 'block 12');
      await within(Promise.all(outcomes.slice(0, 2)), 2_000, 'the first block past the bound');
      expect(node.receiptCalls).toEqual([first]);
      // drain() does not wait for the node: the rest are read now.
      expect(await tracker.drain(1_000)).toEqual({ resolved: 2, timedOut: 0 });
      expect(node.receiptCalls).toEqual([first, second]);
    } finally {
      tracker.stop();
    }
  });

  it('reads every block once and in order when the head jumps, and batches 100 receipts a request', async () => {
    const node = scriptedNode();
    const seenBeforeReceipts: string[] = [];
    const { tracker, log, clock } = scriptedTracker(node, {
      receiptTimeoutMs: 60_000,
      // Told as soon as the block is read: no receipt has been fetched yet for the first ones.
      onSeen: (hash) => node.receiptCalls.length === 0 && seenBeforeReceipts.push(hash),
    });
    await tracker.start();
    try {
      const hashes = Array.from({ length: 250 }, (_, i) => hashOf(10_000 + i));
      const outcomes = hashes.map((h, i) => outcomeOf(tracker, h, { account: ACCOUNT, nonce: i, valueWei: 0n, submittedNs: 0n }));
      node.blocks.set(13n, hashes);
      clock.advanceMs(7);
      node.head = 15n;
      await within(untilBlock(log, (blk) => blk.number === 15n), 2_000, 'block 15');
      expect(log.numbers).toEqual([11n, 12n, 13n, 14n, 15n]);
      // Blocks a head skipped over were learned of together with it.
      expect(new Set(log.seen.map((blk) => blk.seenNs))).toEqual(new Set([7_000_000n]));
      // Receipts follow in the background, one batch at a time, without holding up the blocks.
      for (const o of await within(Promise.all(outcomes), 2_000, 'the receipts')) expect(o).toMatchObject({ status: 'included', blockNumber: 13n });
      expect(node.receiptCalls.map((c) => c.length)).toEqual([100, 100, 50]);
      expect(tracker.stats).toMatchObject({ receiptBatches: 3, matched: 250, blocksSeen: 5 });
      expect(seenBeforeReceipts).toEqual(hashes);
    } finally {
      tracker.stop();
    }
  });

  it('matches transactions watched after their block was read, in one receipt batch', async () => {
    const node = scriptedNode();
    const { tracker, log } = scriptedTracker(node);
    await tracker.start();
    try {
      const late = [hashOf(7), hashOf(8), hashOf(9)];
      node.blocks.set(11n, [hashOf(6), ...late]);
      node.head = 11n;
      await within(untilBlock(log, (blk) => blk.number === 11n), 2_000, 'block 11');
      expect(node.receiptCalls).toEqual([]);
      // As when every send returns after the sequencer already put it in a block.
      const outcomes = late.map((h, i) => outcomeOf(tracker, h, { account: ACCOUNT, nonce: i, valueWei: 0n, submittedNs: 0n }));
      for (const outcome of await within(Promise.all(outcomes), 2_000, 'the late matches')) expect(outcome).toMatchObject({ status: 'included', blockNumber: 11n });
      expect(node.receiptCalls).toEqual([late]);
      expect(tracker.stats).toMatchObject({ lateMatches: 3, matched: 3, receiptBatches: 1 });
    } finally {
      tracker.stop();
    }
  });

  it('drain() waits for pending transactions and records the rest as TxTimeout', async () => {
    const node = scriptedNode();
    const { tracker, buffer, clock } = scriptedTracker(node, { receiptTimeoutMs: 60_000 });
    await tracker.start();
    try {
      const soon = hashOf(21);
      const never = hashOf(22);
      const outcomes = [outcomeOf(tracker, soon, { account: ACCOUNT, nonce: 0, valueWei: 0n, submittedNs: 0n }), outcomeOf(tracker, never, { account: ACCOUNT, nonce: 1, valueWei: 0n, submittedNs: 0n })];
      clock.advanceMs(500);
      node.blocks.set(11n, [soon]);
      node.head = 11n;
      const result = await tracker.drain(300);
      expect(result).toEqual({ resolved: 1, timedOut: 1 });
      expect(await Promise.all(outcomes)).toMatchObject([{ status: 'included' }, { status: 'timeout', waitedNs: 500_000_000n }]);
      expect(buffer.drain().map((e) => e.kind)).toEqual(['TxIncluded', 'TxTimeout']);
      expect(await tracker.drain(1_000)).toEqual({ resolved: 0, timedOut: 0 });
    } finally {
      tracker.stop();
    }
  });

  it('a transaction whose send timed out is still recorded when it lands, and ends quietly when it does not', async () => {
    const node = scriptedNode();
    const { tracker, buffer, clock, log } = scriptedTracker(node, { receiptTimeoutMs: 1_000 });
    await tracker.start();
    try {
      const landed = hashOf(31);
      const lost = hashOf(32);
      const watched = hashOf(33);
      for (const [i, h] of [landed, lost, watched].entries()) tracker.watch(h, { account: ACCOUNT, nonce: i, valueWei: 0n, submittedNs: 0n });
      // The sends of two timed out (the node may or may not have them); nothing waits for them.
      expect(tracker.watchQuietly(landed)).toBe(true);
      expect(tracker.watchQuietly(lost)).toBe(true);
      expect(tracker.watchQuietly(hashOf(99))).toBe(false);
      node.blocks.set(11n, [landed]);
      node.head = 11n;
      await within(untilBlock(log, (b) => b.number === 11n), 5_000, 'block 11');
      clock.advanceMs(2_000);
      await tracker.drain(300);
      // Only the transaction still waited for times out: the quiet ones had their TxFailed.
      const events = buffer.drain();
      expect(events.filter((e) => e.kind === 'TxIncluded').map((e) => (e as { txHash: string }).txHash)).toEqual([landed]);
      expect(events.filter((e) => e.kind === 'TxTimeout').map((e) => (e as { txHash: string }).txHash)).toEqual([watched]);
      expect(tracker.stats.pending).toBe(0);
    } finally {
      tracker.stop();
    }
  });

  it('stop() ends every pending transaction with a stopped outcome and no event', async () => {
    const node = scriptedNode();
    const { tracker, buffer } = scriptedTracker(node);
    await tracker.start();
    const outcome = outcomeOf(tracker, hashOf(5), { account: ACCOUNT, nonce: 0, valueWei: 0n, submittedNs: 0n });
    tracker.stop();
    expect(await outcome).toEqual({ status: 'stopped', hash: hashOf(5) });
    expect(buffer.size).toBe(0);
    expect(tracker.stats.mode).toBe('stopped');
  });
});

// ---------------------------------------------------------------------------------------------

/** A feed consumer stand-in the test emits events on. */
function fakeFeed(url: string) {
  const listeners = new Map<FeedConsumerEventName, Set<(e: never) => void>>();
  const source: FeedEventSource = {
    redactedUrl: url,
    on<K extends FeedConsumerEventName>(event: K, listener: FeedListener<K>) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (e: never) => void);
      return () => set.delete(listener as (e: never) => void);
    },
  } as FeedEventSource;
  const emit = <K extends FeedConsumerEventName>(event: K, payload: FeedConsumerEvents[K]) => {
    for (const l of listeners.get(event) ?? []) (l as FeedListener<K>)(payload);
  };
  return { source, emit };
}

function feedMessage(sequenceNumber: number, hashes: readonly Hex[], receivedAtMonotonicMs: number): FeedConsumerEvents['message'] {
  return {
    sequenceNumber,
    blockHash: null,
    txs: hashes.map((txHash) => ({ sequenceNumber, txHash, tx: new Uint8Array() })),
    receivedAtMs: 0,
    receivedAtMonotonicMs,
    message: {} as FeedConsumerEvents['message']['message'],
  };
}

describe('feed correlation rules (manual clock)', () => {
  function setup() {
    const clock = manualClock();
    const feedClock = { nowMs: () => 0, monotonicMs: () => feedNow, setTimer: () => ({ cancel: () => undefined }) };
    let feedNow = 50_000;
    const { buffer, recorder } = telemetry(clock);
    const feed = fakeFeed('wss://feed.example/***');
    const correlator = new FeedCorrelator({ consumer: feed.source, recorder, clock, missTimeoutMs: 5_000, feedClock, checkIntervalMs: 60_000 });
    return { clock, buffer, recorder, feed, correlator, setFeedNow: (v: number) => (feedNow = v) };
  }

  it('records TxFeedSeen with the message arrival converted to the edge clock, before or after expect()', () => {
    const { clock, buffer, feed, correlator, setFeedNow } = setup();
    clock.advanceMs(1_000);
    correlator.expect(hashOf(1));
    // Arrived 2 ms (feed clock) before the correlator handled it.
    setFeedNow(50_002);
    feed.emit('message', feedMessage(42, [hashOf(1), hashOf(2)], 50_000));
    // hashOf(2) was in the feed before its send returned.
    clock.advanceMs(10);
    correlator.expect(hashOf(2));
    correlator.expect(hashOf(2));
    const events = buffer.drain();
    expect(events).toEqual([
      expect.objectContaining({ kind: 'TxFeedSeen', txHash: hashOf(1), sequenceNumber: 42, seenNs: 998_000_000n }),
      expect.objectContaining({ kind: 'TxFeedSeen', txHash: hashOf(2), sequenceNumber: 42, seenNs: 998_000_000n }),
    ]);
    expect(correlator.stats).toMatchObject({ expected: 2, seen: 2, seenBeforeExpect: 1, outstanding: 0 });
    correlator.stop();
  });

  it('counts a miss when an included transaction is not in the feed within missTimeoutMs', () => {
    const { clock, feed, correlator, buffer } = setup();
    correlator.expect(hashOf(1));
    correlator.expect(hashOf(2));
    correlator.expect(hashOf(3));
    correlator.included(hashOf(1));
    correlator.included(hashOf(2));
    clock.advanceMs(4_999);
    expect(correlator.checkMisses()).toBe(0);
    // hashOf(2) makes it just in time.
    feed.emit('message', feedMessage(7, [hashOf(2)], 50_000));
    clock.advanceMs(2);
    expect(correlator.checkMisses()).toBe(1);
    expect(correlator.misses).toBe(1);
    // A late sighting of a miss is not a sighting; the never-included one is not a miss.
    feed.emit('message', feedMessage(8, [hashOf(1)], 50_000));
    clock.advanceMs(60_000);
    expect(correlator.checkMisses()).toBe(0);
    expect(buffer.drain().map((e) => ('txHash' in e ? e.txHash : e.kind))).toEqual([hashOf(2)]);
    expect(correlator.stats).toMatchObject({ misses: 1, seen: 1, outstanding: 1 });
    correlator.forget(hashOf(3));
    expect(correlator.stats.outstanding).toBe(0);
    correlator.stop();
  });

  it('records the consumer connection events, redacted', () => {
    const { feed, correlator, buffer } = setup();
    const secretUrl = 'wss://feed.example/abcdefghijklmnopqrstuvwxyz0123456789';
    feed.emit('connected', { url: secretUrl, serverVersion: 2, chainId: 412_346, requestedSequenceNumber: 5 });
    feed.emit('gap', { expected: 5, actual: 9, missing: 4 });
    feed.emit('stall', { silentForMs: 20_000 });
    feed.emit('disconnected', { reason: `connection lost: ${secretUrl} reset`, wasConnected: true, reconnectInMs: 1_000 });
    const events = buffer.drain();
    expect(events.map((e) => e.kind)).toEqual(['FeedConnected', 'FeedGap', 'FeedStall', 'FeedDisconnected']);
    expect(events[0]).toMatchObject({ url: 'wss://feed.example/***' });
    expect(events[1]).toMatchObject({ expectedSequence: 5, actualSequence: 9 });
    expect(events[2]).toMatchObject({ silentForNs: 20_000_000_000n });
    expect(events[3]).toMatchObject({ url: 'wss://feed.example/***', reason: 'connection lost: wss://feed.example/*** reset' });
    for (const e of events) expect(JSON.stringify(e, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('abcdefghijklmnopqrstuvwxyz');
    correlator.stop();
  });
});
