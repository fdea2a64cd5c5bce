// The binary L2 message codec of Arbitrum Nitro: what the sequencer puts in a feed message's
// `l2Msg`. Owns the two kinds the sequencer writes (3 = Batch, 4 = SignedTx), encoding a block
// exactly as Nitro's sequencer does, and a strict, allocation-safe decoder that finds the signed
// transactions in a message. Other kinds are legal in Nitro but carry no signed transaction we
// can hash; they are counted and skipped.
//
// References (OffchainLabs/nitro): arbos/parse_l2.go (parseL2Message, the kinds, the batch depth
// limit) and execution/gethexec/sequencer.go (FullSequencingHooks.MessageFromTxes, the encoder).

import type { Hex } from 'viem';
import { keccak256Hex } from '../util/keccak.js';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';

/** L2 message kinds: the first byte of an L2 message (arbos/parse_l2.go). */
export const L2MessageKind = {
  UnsignedUserTx: 0,
  ContractTx: 1,
  NonmutatingCall: 2,
  Batch: 3,
  SignedTx: 4,
  // 5 is reserved.
  Heartbeat: 6,
  SignedCompressedTx: 7,
} as const;

/** Nitro's own limit on batch nesting: a batch at depth >= 16 is rejected. */
export const DEFAULT_MAX_BATCH_DEPTH = 16;

/** Bytes of a batch segment's length prefix (uint64, big-endian). */
const LENGTH_PREFIX_BYTES = 8;

export interface DecodeL2MessageOptions {
  /**
   * How many batches may be nested inside each other (the outermost counts as one).
   * Default 16, as in Nitro: 16 nested batches decode, a 17th is rejected.
   */
  readonly maxDepth?: number;
}

export interface DecodedL2Message {
  /**
   * The signed transactions, in order: raw EIP-2718 bytes. These are views into the decoded
   * buffer (no copy); copy them if the buffer is reused.
   */
  readonly transactions: readonly Uint8Array[];
  /** Segments of other kinds that were skipped, counted by kind byte. Empty when there were none. */
  readonly ignored: ReadonlyMap<number, number>;
}

/**
 * Encodes one L2 block's transactions the way Nitro's sequencer writes them: a single
 * transaction as `0x04 ‖ tx`; otherwise a batch `0x03` followed, per transaction, by
 * `uint64be(len) ‖ 0x04 ‖ tx` where len counts the 0x04 byte too.
 *
 * A block without transactions encodes as the single byte 0x03, an empty batch. Nitro itself
 * never publishes an empty block, but the embedded devnet relay publishes every block of its
 * chain so that feed sequence numbers stay contiguous with block numbers; an empty batch is a
 * valid L2 message that decodes to no transaction, in Nitro as here.
 */
export function encodeBlockL2Message(txs: readonly Uint8Array[]): Uint8Array {
  txs.forEach((tx, i) => {
    // An empty kind-4 segment is invalid to every decoder: refuse to produce one.
    if (tx.length === 0) throw new RangeError(`encodeBlockL2Message: transaction ${i} is empty`);
  });
  const only = txs.length === 1 ? txs[0] : undefined;
  if (only !== undefined) {
    const out = new Uint8Array(1 + only.length);
    out[0] = L2MessageKind.SignedTx;
    out.set(only, 1);
    return out;
  }
  let size = 1;
  for (const tx of txs) size += LENGTH_PREFIX_BYTES + 1 + tx.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = L2MessageKind.Batch;
  let at = 1;
  for (const tx of txs) {
    view.setBigUint64(at, BigInt(tx.length + 1), false);
    at += LENGTH_PREFIX_BYTES;
    out[at] = L2MessageKind.SignedTx;
    out.set(tx, at + 1);
    at += 1 + tx.length;
  }
  return out;
}

function invalid(message: string): GasHammerError {
  return new GasHammerError(ErrorCodes.FeedMessageInvalid, message);
}

/** A batch being walked: its next segment starts at `next`, the batch ends at `end`. */
interface BatchFrame {
  next: number;
  readonly end: number;
  /** Nesting depth of this batch's segments (the outermost batch's segments are at depth 1). */
  readonly depth: number;
}

/**
 * Finds the signed transactions in an L2 message, walking (nested) batches in order.
 * Offsets in errors are byte offsets from the start of `bytes`.
 *
 * Stricter than Nitro on purpose: Nitro ends a batch silently at a truncated or oversized
 * segment; here that is an error, because a feed consumer wants to know its input was cut.
 *
 * Never allocates from a declared length: segments are subarray views, and a length is checked
 * against the bytes that remain before it is used, so a prefix of 2^63 fails at once.
 *
 * @throws GasHammerError GH-E111 on an empty message or segment, a truncated length prefix, a
 *   segment longer than the bytes that remain, batches nested deeper than maxDepth, or a
 *   signed-transaction segment without transaction bytes.
 */
export function decodeL2Message(bytes: Uint8Array, options: DecodeL2MessageOptions = {}): DecodedL2Message {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_BATCH_DEPTH;
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 0) {
    throw new RangeError(`decodeL2Message: maxDepth must be a non-negative integer, got ${maxDepth}`);
  }
  if (bytes.length === 0) throw invalid('empty L2 message: no kind byte');

  const transactions: Uint8Array[] = [];
  const ignored = new Map<number, number>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // An explicit stack rather than recursion: the depth is bounded by maxDepth, which callers
  // may raise, and must not become a call-stack limit.
  const batches: BatchFrame[] = [];

  /** Handles the segment bytes[start, end) found at nesting depth `depth`. */
  const segment = (start: number, end: number, depth: number): void => {
    if (start === end) throw invalid(`empty L2 message segment at byte ${start}: no kind byte`);
    const kind = bytes[start] as number;
    switch (kind) {
      case L2MessageKind.SignedTx:
        if (end - start === 1) throw invalid(`signed-transaction segment at byte ${start} has no transaction bytes`);
        transactions.push(bytes.subarray(start + 1, end));
        return;
      case L2MessageKind.Batch:
        if (depth >= maxDepth) {
          throw invalid(`batch at byte ${start} is nested ${depth + 1} deep; at most ${maxDepth} nested batches are allowed`);
        }
        batches.push({ next: start + 1, end, depth: depth + 1 });
        return;
      default:
        ignored.set(kind, (ignored.get(kind) ?? 0) + 1);
    }
  };

  segment(0, bytes.length, 0);
  for (let batch = batches.at(-1); batch !== undefined; batch = batches.at(-1)) {
    const at = batch.next;
    if (at === batch.end) {
      batches.pop();
      continue;
    }
    const remaining = batch.end - at;
    if (remaining < LENGTH_PREFIX_BYTES) {
      throw invalid(`truncated segment length at byte ${at}: ${remaining} of ${LENGTH_PREFIX_BYTES} bytes`);
    }
    const declared = view.getBigUint64(at, false);
    const available = remaining - LENGTH_PREFIX_BYTES;
    if (declared > BigInt(available)) {
      throw invalid(`segment length ${declared} at byte ${at} exceeds the ${available} bytes that remain`);
    }
    const start = at + LENGTH_PREFIX_BYTES;
    const end = start + Number(declared);
    batch.next = end;
    // May push a nested batch, which is then walked before this one continues: order is kept.
    segment(start, end, batch.depth);
  }
  return { transactions, ignored };
}

/** The transaction hash: keccak256 of the raw EIP-2718 bytes, as on chain. */
export function transactionHash(tx: Uint8Array): Hex {
  return keccak256Hex(tx);
}
