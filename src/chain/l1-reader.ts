// Reads Nitro's L1 contracts over an Ethereum JSON-RPC endpoint: the SequencerInbox's batch
// count, the rollup's latest confirmed assertion, and the batch and assertion events of a block
// range, decoded with Arbitrum's published ABIs into GasHammer's own typed records. Every failure
// is a GasHammerError GH-E113 naming the redacted URL; credentials never reach a message or cause.

import {
  BaseError,
  createPublicClient,
  decodeEventLog,
  http,
  isAddress,
  isAddressEqual,
  type Address,
  type Hash,
  type Hex,
  type PublicClient,
} from 'viem';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { userAgent } from '../util/build-info.js';
import { redact, redactUrl } from '../util/redact.js';
import {
  BATCH_DATA_LOCATIONS,
  MACHINE_STATUSES,
  ROLLUP_CORE_ABI,
  SEQUENCER_INBOX_ABI,
  type BatchDataLocation,
  type MachineStatus,
} from './l1-abis.js';

/** Per request; L1 providers answer eth_getLogs over wide ranges slowly. */
export const DEFAULT_L1_TIMEOUT_MS = 10_000;

/** Where on L1 an event was emitted. */
export interface L1LogPosition {
  readonly l1BlockNumber: bigint;
  readonly l1BlockHash: Hash;
  readonly txHash: Hash;
  /** Position of the log in its block. */
  readonly logIndex: number;
}

/** IBridge.TimeBounds: the window the batch's messages were allowed to be sequenced in. */
export interface TimeBounds {
  readonly minTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly minBlockNumber: bigint;
  readonly maxBlockNumber: bigint;
}

/** SequencerBatchDelivered: the sequencer posted batch `batchSequenceNumber` to L1. */
export interface BatchDeliveredEvent extends L1LogPosition {
  readonly batchSequenceNumber: bigint;
  /** Inbox accumulator before and after this batch; afterAcc is the next batch's beforeAcc. */
  readonly beforeAcc: Hash;
  readonly afterAcc: Hash;
  /** Delayed-inbox accumulator at the last delayed message the batch reads. */
  readonly delayedAcc: Hash;
  /** Delayed messages read once this batch is included (a count, not an index). */
  readonly afterDelayedMessagesRead: bigint;
  readonly timeBounds: TimeBounds;
  /** 'Unknown' for a member added to the enum after nitro-contracts 3.2 (the contracts are upgradeable). */
  readonly dataLocation: BatchDataLocation | 'Unknown';
  /** The enum's raw uint8. */
  readonly dataLocationCode: number;
}

/** The L2 state an assertion claims (its afterState's GlobalState and machine status). */
export interface AssertedState {
  readonly l2BlockHash: Hash;
  readonly sendRoot: Hash;
  /** GlobalState.u64Vals[0]: the inbox position (batch) the state has read up to. */
  readonly inboxPosition: bigint;
  /** GlobalState.u64Vals[1]: the position within that batch. */
  readonly positionInMessage: bigint;
  readonly machineStatus: MachineStatus | 'Unknown';
}

/** AssertionCreated: a validator asserted an L2 state (BoLD). */
export interface AssertionCreatedEvent extends L1LogPosition {
  readonly kind: 'created';
  readonly assertionHash: Hash;
  readonly parentAssertionHash: Hash;
  readonly afterState: AssertedState;
  /** The inbox accumulator the next assertion must reach, and the batch count it was taken at. */
  readonly afterInboxBatchAcc: Hash;
  readonly inboxMaxCount: bigint;
}

/** AssertionConfirmed: the assertion is final; its L2 block hash and send root are settled. */
export interface AssertionConfirmedEvent extends L1LogPosition {
  readonly kind: 'confirmed';
  readonly assertionHash: Hash;
  readonly l2BlockHash: Hash;
  readonly sendRoot: Hash;
}

export type AssertionEvent = AssertionCreatedEvent | AssertionConfirmedEvent;

/** Events of one block range, each list in (L1 block, log index) order. */
export interface L1Events {
  readonly batches: readonly BatchDeliveredEvent[];
  readonly assertions: readonly AssertionEvent[];
}

/** What the L1 monitor needs from a reader; tests may stand in for it. */
export interface L1EventSource {
  /** The L1 head block number. */
  blockNumber(): Promise<bigint>;
  /** Events of blocks fromBlock..toBlock, both included. */
  getEvents(fromBlock: bigint, toBlock: bigint): Promise<L1Events>;
}

export interface L1ReaderOptions {
  /** L1 JSON-RPC endpoint; may carry credentials, which never appear in errors. */
  readonly rpcUrl: string;
  readonly sequencerInboxAddress: Address;
  /** The rollup proxy (RollupCore's events and getters). */
  readonly rollupAddress: Address;
  readonly timeoutMs?: number;
  /** The fetch to send requests with; default the global one. Lets a caller observe or proxy requests. */
  readonly fetchFn?: typeof fetch;
}

const SEQUENCER_BATCH_DELIVERED = SEQUENCER_INBOX_ABI[1];
const ASSERTION_CREATED = ROLLUP_CORE_ABI[1];
const ASSERTION_CONFIRMED = ROLLUP_CORE_ABI[2];

/** Replaces the raw URL with its redacted form, then anything else that looks secret. */
type Scrub = (text: string) => string;

function scrubberFor(rawUrl: string): Scrub {
  const safeUrl = redactUrl(rawUrl);
  return (text) => redact(text.split(rawUrl).join(safeUrl));
}

/**
 * What lies under viem's "fetch failed": the first Node.js system error code in the cause chain
 * (ECONNREFUSED, ...), else the innermost non-viem cause's message ("bad port"). viem's own
 * inner errors add nothing: their details are already in the outer error's.
 */
function rootCauseOf(error: unknown): string | undefined {
  let e: unknown = error;
  let innermost: string | undefined;
  for (let depth = 0; depth < 10 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$|^UND_ERR_/.test(code)) return code;
    if (depth > 0 && !(e instanceof BaseError)) innermost = e.message.split('\n')[0];
    e = e.cause;
  }
  return innermost;
}

/** What went wrong in one line, without viem's request dump (it carries the URL and body). */
function answerOf(error: unknown): string {
  let text: string;
  if (error instanceof BaseError) {
    const short = error.shortMessage.replace(/\.$/, '');
    text = error.details && error.details !== error.shortMessage ? `${short} (${error.details})` : short;
  } else {
    text = error instanceof Error ? error.message : String(error);
  }
  const root = rootCauseOf(error);
  // One line: viem's short messages sometimes carry a second sentence on a new line.
  return (root && !text.includes(root) ? `${text}: ${root}` : text).replace(/\s*\n\s*/g, ' ');
}

/**
 * The cause to keep: a copy with the scrubbed one-line answer and the original error's name.
 * viem's errors hold the raw URL in several fields, so the original never leaves this module.
 */
function scrubbedCause(error: unknown, scrub: Scrub): Error {
  const copy = new Error(scrub(answerOf(error)));
  copy.name = error instanceof Error ? error.name : 'Error';
  return copy;
}

function enumName<const N extends readonly string[]>(names: N, code: number): N[number] | 'Unknown' {
  return names[code] ?? 'Unknown';
}

function logPosition(log: { blockNumber: bigint | null; blockHash: Hash | null; transactionHash: Hash | null; logIndex: number | null }): L1LogPosition | undefined {
  // A log without a block is a pending one; eth_getLogs over mined blocks never returns those.
  if (log.blockNumber === null || log.blockHash === null || log.transactionHash === null || log.logIndex === null) return undefined;
  return { l1BlockNumber: log.blockNumber, l1BlockHash: log.blockHash, txHash: log.transactionHash, logIndex: log.logIndex };
}

function byPosition(a: L1LogPosition, b: L1LogPosition): number {
  if (a.l1BlockNumber !== b.l1BlockNumber) return a.l1BlockNumber < b.l1BlockNumber ? -1 : 1;
  return a.logIndex - b.logIndex;
}

export class L1Reader implements L1EventSource {
  readonly sequencerInboxAddress: Address;
  readonly rollupAddress: Address;
  /** The RPC URL as it may be shown. */
  readonly safeUrl: string;
  readonly #scrub: Scrub;
  readonly #client: PublicClient;

  constructor(options: L1ReaderOptions) {
    for (const [field, value] of [['sequencer_inbox_address', options.sequencerInboxAddress], ['rollup_core_address', options.rollupAddress]] as const) {
      if (!isAddress(value, { strict: false })) throw new GasHammerError(ErrorCodes.ConfigValue, `L1 ${field} is not an address: ${JSON.stringify(value)}`);
    }
    this.sequencerInboxAddress = options.sequencerInboxAddress;
    this.rollupAddress = options.rollupAddress;
    this.safeUrl = redactUrl(options.rpcUrl);
    this.#scrub = scrubberFor(options.rpcUrl);
    this.#client = createPublicClient({
      // retryCount 0: the monitor's next poll is the retry; viem's silent ones would hide outages.
      transport: http(options.rpcUrl, {
        retryCount: 0,
        timeout: options.timeoutMs ?? DEFAULT_L1_TIMEOUT_MS,
        fetchOptions: { headers: { 'user-agent': userAgent() } },
        ...(options.fetchFn ? { fetchFn: options.fetchFn } : {}),
      }),
      // viem caches eth_blockNumber for the polling interval by default; a poll must see the real head.
      cacheTime: 0,
    });
  }

  /** The L1 head. */
  blockNumber(): Promise<bigint> {
    return this.#attempt('the L1 block number', () => this.#client.getBlockNumber({ cacheTime: 0 }));
  }

  /** SequencerInbox.batchCount(): batches delivered so far, i.e. the next batch's sequence number. */
  batchCount(): Promise<bigint> {
    return this.#attempt(`SequencerInbox.batchCount() at ${this.sequencerInboxAddress}`, () =>
      this.#client.readContract({ address: this.sequencerInboxAddress, abi: SEQUENCER_INBOX_ABI, functionName: 'batchCount' }),
    );
  }

  /** The rollup's latestConfirmed(): the hash of the latest confirmed assertion. */
  latestConfirmed(): Promise<Hash> {
    return this.#attempt(`RollupCore.latestConfirmed() at ${this.rollupAddress}`, () =>
      this.#client.readContract({ address: this.rollupAddress, abi: ROLLUP_CORE_ABI, functionName: 'latestConfirmed' }),
    );
  }

  /**
   * Batch and assertion events of blocks fromBlock..toBlock (both included), in one eth_getLogs
   * request, so a caller bounds the request by bounding the range.
   */
  async getEvents(fromBlock: bigint, toBlock: bigint): Promise<L1Events> {
    if (fromBlock < 0n || toBlock < fromBlock) throw new RangeError(`L1 block range ${fromBlock}-${toBlock} is empty or negative`);
    const what = `SequencerInbox and rollup events of L1 blocks ${fromBlock}-${toBlock}`;
    const logs = await this.#attempt(what, () =>
      this.#client.getLogs({
        address: [this.sequencerInboxAddress, this.rollupAddress],
        events: [SEQUENCER_BATCH_DELIVERED, ASSERTION_CREATED, ASSERTION_CONFIRMED],
        fromBlock,
        toBlock,
        // Not strict: a log that matches a topic but fails to decode must fail loudly below,
        // where strict mode would drop it without a word.
        strict: false,
      }),
    );
    const batches: BatchDeliveredEvent[] = [];
    const assertions: AssertionEvent[] = [];
    for (const log of logs) {
      const position = logPosition(log);
      if (log.removed || !position) continue;
      const where = `log ${position.logIndex} of L1 block ${position.l1BlockNumber} (tx ${position.txHash})`;
      const decoded = this.#decode(where, log.data, log.topics);
      // The filter is (either address) AND (any of the three topics), so each event is only
      // taken from the contract that really emits it.
      if (decoded.eventName === 'SequencerBatchDelivered') {
        if (!isAddressEqual(log.address, this.sequencerInboxAddress)) continue;
        const a = decoded.args;
        batches.push({
          ...position,
          batchSequenceNumber: a.batchSequenceNumber,
          beforeAcc: a.beforeAcc,
          afterAcc: a.afterAcc,
          delayedAcc: a.delayedAcc,
          afterDelayedMessagesRead: a.afterDelayedMessagesRead,
          timeBounds: { ...a.timeBounds },
          dataLocation: enumName(BATCH_DATA_LOCATIONS, a.dataLocation),
          dataLocationCode: a.dataLocation,
        });
        continue;
      }
      if (!isAddressEqual(log.address, this.rollupAddress)) continue;
      if (decoded.eventName === 'AssertionCreated') {
        const a = decoded.args;
        const after = a.assertion.afterState;
        assertions.push({
          ...position,
          kind: 'created',
          assertionHash: a.assertionHash,
          parentAssertionHash: a.parentAssertionHash,
          afterState: {
            l2BlockHash: after.globalState.bytes32Vals[0],
            sendRoot: after.globalState.bytes32Vals[1],
            inboxPosition: after.globalState.u64Vals[0],
            positionInMessage: after.globalState.u64Vals[1],
            machineStatus: enumName(MACHINE_STATUSES, after.machineStatus),
          },
          afterInboxBatchAcc: a.afterInboxBatchAcc,
          inboxMaxCount: a.inboxMaxCount,
        });
      } else {
        const a = decoded.args;
        assertions.push({ ...position, kind: 'confirmed', assertionHash: a.assertionHash, l2BlockHash: a.blockHash, sendRoot: a.sendRoot });
      }
    }
    // eth_getLogs answers in this order already; sorting makes it a property, not an assumption.
    return { batches: batches.sort(byPosition), assertions: assertions.sort(byPosition) };
  }

  #decode(where: string, data: Hex, topics: [] | [Hex, ...Hex[]]) {
    try {
      return decodeEventLog({ abi: [SEQUENCER_BATCH_DELIVERED, ASSERTION_CREATED, ASSERTION_CONFIRMED], data, topics, strict: true });
    } catch (cause) {
      throw new GasHammerError(ErrorCodes.L1Read, `${where} from ${this.safeUrl} does not decode with Arbitrum's ABI: ${answerOf(cause)}`, {
        cause: scrubbedCause(cause, this.#scrub),
        hint: 'The contract at this address does not emit the events of nitro-contracts 3.2; check the L1 contract addresses.',
      });
    }
  }

  async #attempt<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (cause) {
      throw new GasHammerError(ErrorCodes.L1Read, `reading ${what} from ${this.safeUrl} failed: ${this.#scrub(answerOf(cause))}`, {
        cause: scrubbedCause(cause, this.#scrub),
      });
    }
  }
}
