// The JSON envelope of Nitro's sequencer feed: BroadcastMessage. Owns its typed shape, strict
// parsing at the boundary (every problem is a GH-E111 naming the field path), serialising back
// to the bytes Nitro's Go encoder writes, the builder the devnet relay publishes with, and
// extracting the signed transactions of a message.
//
// Field names, order and Go types are those of OffchainLabs/nitro broadcaster/message/message.go,
// arbos/arbostypes/incomingmessage.go and messagewithmeta.go. Go writes []byte as standard
// base64 (null when nil), addresses and hashes as lowercase 0x-hex, *big.Int as a bare JSON
// number of any size. `baseFeeL1` is therefore a bigint here, read exactly by a small JSON
// reader of our own: JSON.parse would round it beyond 2^53.

import type { Hex } from 'viem';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { decodeL2Message, encodeBlockL2Message, transactionHash, type DecodedL2Message } from './l2-message.js';

/** The only BroadcastMessage version Nitro defines; Nitro's own client ignores any other. */
export const FEED_MESSAGE_VERSION = 1;

/** L1 message kinds of the header (arbos/arbostypes/incomingmessage.go). */
export const L1MessageType = {
  L2Message: 3,
  EndOfBlock: 6,
  L2FundedByL1: 7,
  RollupEvent: 8,
  SubmitRetryable: 9,
  BatchForGasEstimation: 10,
  Initialize: 11,
  EthDeposit: 12,
  BatchPostingReport: 13,
  Invalid: 0xff,
} as const;

/**
 * The poster of every sequencer-built message: Nitro's l1pricing.BatchPosterAddress
 * (arbos/l1pricing/l1pricing.go), also the `miner` of every Arbitrum block. Go writes it in
 * lowercase on the wire.
 */
export const SEQUENCER_SENDER: Hex = '0xA4B000000000000000000073657175656e636572';

export interface L1IncomingMessageHeader {
  /** The L1 message kind (uint8); 3 for everything the sequencer builds. */
  readonly kind: number;
  /** 20-byte address, as written. */
  readonly sender: Hex;
  /** The L1 (parent chain) block number the message is attributed to. */
  readonly blockNumber: number;
  /** Unix seconds. */
  readonly timestamp: number;
  /** 32-byte hash; set for delayed (L1-submitted) messages, null for the sequencer's own. */
  readonly requestId: Hex | null;
  /** Parent-chain base fee in wei; null for the sequencer's own messages. */
  readonly baseFeeL1: bigint | null;
}

export interface BatchDataStats {
  readonly length: number;
  readonly nonzeros: number;
}

export interface L1IncomingMessage {
  readonly header: L1IncomingMessageHeader;
  /** The L2 message, base64 (standard alphabet, padded). Null when Go had a nil slice. */
  readonly l2Msg: string | null;
  /** Only on batch-posting reports (Nitro's legacy JSON name for LegacyBatchGasCost). */
  readonly batchGasCost?: number;
  /** Only on batch-posting reports. */
  readonly batchDataTokens?: BatchDataStats;
}

export interface MessageWithMetadata {
  readonly message: L1IncomingMessage;
  readonly delayedMessagesRead: number;
}

export interface BroadcastFeedMessage {
  /** The message index; on a chain with genesis block 0 it is also the L2 block number. */
  readonly sequenceNumber: number;
  readonly message: MessageWithMetadata;
  /** The L2 block hash, when the feed server sends it. */
  readonly blockHash?: Hex;
  /** Base64 signature under its pre-v3.10 JSON name. */
  readonly signature?: string | null;
  /** Base64 signature under its v3.10+ JSON name; null when the feed is unsigned. */
  readonly signatureV2?: string | null;
  /** Base64 block metadata (Timeboost), when present. */
  readonly blockMetadata?: string;
}

export interface ConfirmedSequenceNumberMessage {
  readonly sequenceNumber: number;
}

export interface BroadcastMessage {
  readonly version: number;
  readonly messages?: readonly BroadcastFeedMessage[];
  readonly confirmedSequenceNumberMessage?: ConfirmedSequenceNumberMessage;
}

/** One signed transaction found in a feed message. */
export interface FeedTransaction {
  readonly sequenceNumber: number;
  readonly txHash: Hex;
  /** Raw EIP-2718 bytes. */
  readonly tx: Uint8Array;
}

function invalid(message: string): GasHammerError {
  return new GasHammerError(ErrorCodes.FeedMessageInvalid, message);
}

// ---------------------------------------------------------------------------------------------
// Reading JSON exactly.

const JSON_NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/**
 * Parses JSON like JSON.parse, except that integer literals beyond 2^53 become bigint (so no
 * value is silently rounded) and objects have no prototype (a "__proto__" key is just a key).
 * Errors are GH-E111 with the 1-based column (a feed frame is one line).
 */
class ExactJsonReader {
  private at = 0;
  // Feed messages nest 6 deep; a limit keeps hostile input from exhausting the call stack.
  private static readonly MAX_NESTING = 64;

  constructor(private readonly text: string) {}

  static parse(text: string): unknown {
    const reader = new ExactJsonReader(text);
    reader.skipSpace();
    const value = reader.value(0);
    reader.skipSpace();
    if (reader.at < text.length) throw reader.unexpected();
    return value;
  }

  private fail(what: string): GasHammerError {
    return invalid(`not JSON: ${what} at column ${this.at + 1}`);
  }

  private unexpected(): GasHammerError {
    if (this.at >= this.text.length) return this.fail('unexpected end of input');
    const code = this.text.codePointAt(this.at) as number;
    const shown = code >= 0x20 && code < 0x7f ? `'${String.fromCodePoint(code)}'` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    return this.fail(`unexpected character ${shown}`);
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.at++;
    }
  }

  private value(nesting: number): unknown {
    const c = this.text[this.at];
    switch (c) {
      case '{':
        return this.object(nesting + 1);
      case '[':
        return this.array(nesting + 1);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        throw this.unexpected();
    }
  }

  private enter(nesting: number): void {
    if (nesting > ExactJsonReader.MAX_NESTING) throw this.fail(`nested deeper than ${ExactJsonReader.MAX_NESTING} levels`);
  }

  private object(nesting: number): Record<string, unknown> {
    this.enter(nesting);
    const out = Object.create(null) as Record<string, unknown>;
    this.at++; // {
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at++;
      return out;
    }
    for (;;) {
      if (this.text[this.at] !== '"') throw this.unexpected();
      const key = this.string();
      this.skipSpace();
      if (this.text[this.at] !== ':') throw this.unexpected();
      this.at++;
      this.skipSpace();
      out[key] = this.value(nesting);
      this.skipSpace();
      const next = this.text[this.at];
      this.at++;
      if (next === '}') return out;
      if (next !== ',') {
        this.at--;
        throw this.unexpected();
      }
      this.skipSpace();
    }
  }

  private array(nesting: number): unknown[] {
    this.enter(nesting);
    const out: unknown[] = [];
    this.at++; // [
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at++;
      return out;
    }
    for (;;) {
      out.push(this.value(nesting));
      this.skipSpace();
      const next = this.text[this.at];
      this.at++;
      if (next === ']') return out;
      if (next !== ',') {
        this.at--;
        throw this.unexpected();
      }
      this.skipSpace();
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.at;
    let plain = true;
    let i = start + 1;
    // One linear pass to the closing quote. Tokens with escapes or control characters are then
    // decoded (or rejected) by JSON.parse on just this token; plain ones, such as multi-megabyte
    // base64, are sliced.
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        plain = false;
        i++;
      } else if (c < 0x20) {
        plain = false;
      }
    }
    if (i >= t.length) {
      this.at = t.length;
      throw this.fail('unterminated string');
    }
    this.at = i + 1;
    if (plain) return t.slice(start + 1, i);
    try {
      return JSON.parse(t.slice(start, i + 1)) as string;
    } catch {
      this.at = start;
      throw this.fail('invalid string (bad escape or control character)');
    }
  }

  private literal(word: string, value: boolean | null): boolean | null {
    if (!this.text.startsWith(word, this.at)) throw this.unexpected();
    this.at += word.length;
    return value;
  }

  private number(): number | bigint {
    const match = JSON_NUMBER;
    match.lastIndex = this.at;
    const m = match.exec(this.text);
    if (m === null) throw this.unexpected();
    this.at += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  }
}

// ---------------------------------------------------------------------------------------------
// Shape checks. Each takes the field path for its message.

type JsonObject = Record<string, unknown>;

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HEX_HASH = /^0x[0-9a-fA-F]{64}$/;
// A flat character class, not a repeated group: linear on multi-megabyte strings.
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'bigint') return 'a number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function has(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

type Check<T> = (value: unknown, path: string) => T;

/** A required field, read with `check`, which is given the field's path for its messages. */
function field<T>(obj: JsonObject, path: string, key: string, check: Check<T>): T {
  const at = join(path, key);
  if (!has(obj, key)) throw invalid(`${at}: missing`);
  return check(obj[key], at);
}

/** An omitempty field of Go: absent, or null (Go's nil pointer or slice), gives undefined. */
function optionalField<T>(obj: JsonObject, path: string, key: string, check: Check<T>): T | undefined {
  return has(obj, key) && obj[key] !== null ? check(obj[key], join(path, key)) : undefined;
}

/** A uint64 of Go that we keep as a number: non-negative, integral and exact. */
const uint: Check<number> = (value, path) => {
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value))) {
    if (value < 0) throw invalid(`${path}: expected a non-negative integer, got ${value}`);
    throw invalid(`${path}: ${value} is larger than 2^53-1, the largest integer handled exactly`);
  }
  if (typeof value !== 'number') throw invalid(`${path}: expected a non-negative integer, got ${describe(value)}`);
  if (!Number.isFinite(value)) throw invalid(`${path}: ${value} is out of range`);
  if (!Number.isInteger(value)) throw invalid(`${path}: expected a non-negative integer, got the fraction ${value}`);
  if (value < 0) throw invalid(`${path}: expected a non-negative integer, got ${value}`);
  return value;
};

const byte: Check<number> = (value, path) => {
  const n = uint(value, path);
  if (n > 0xff) throw invalid(`${path}: expected a byte (0-255), got ${n}`);
  return n;
};

/** A parent-chain base fee (Go *big.Int): any non-negative integer, exact, or null. */
const baseFee: Check<bigint | null> = (value, path) => {
  if (value === null) return null;
  if (typeof value === 'bigint' && value >= 0n) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw invalid(`${path}: expected a non-negative integer or null, got ${typeof value === 'number' || typeof value === 'bigint' ? value : describe(value)}`);
};

function hexCheck(pattern: RegExp, what: string): Check<Hex> {
  return (value, path) => {
    if (typeof value !== 'string' || !pattern.test(value)) {
      throw invalid(`${path}: expected ${what}, got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : describe(value)}`);
    }
    return value as Hex;
  };
}

const address = hexCheck(HEX_ADDRESS, 'a 20-byte 0x-hex address');
const hash = hexCheck(HEX_HASH, 'a 32-byte 0x-hex hash');

function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, path) => (value === null ? null : check(value, path));
}

function isBase64(text: string): boolean {
  return text.length % 4 === 0 && BASE64_CHARS.test(text);
}

const base64: Check<string> = (value, path) => {
  if (typeof value !== 'string') throw invalid(`${path}: expected a base64 string, got ${describe(value)}`);
  if (!isBase64(value)) throw invalid(`${path}: not base64`);
  return value;
};

function object<T>(read: (obj: JsonObject, path: string) => T): Check<T> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalid(`${path}: expected an object, got ${describe(value)}`);
    }
    return read(value as JsonObject, path);
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const header = object<L1IncomingMessageHeader>((o, path) => ({
  kind: field(o, path, 'kind', byte),
  sender: field(o, path, 'sender', address),
  blockNumber: field(o, path, 'blockNumber', uint),
  timestamp: field(o, path, 'timestamp', uint),
  requestId: field(o, path, 'requestId', nullable(hash)),
  baseFeeL1: field(o, path, 'baseFeeL1', baseFee),
}));

const batchDataStats = object<BatchDataStats>((o, path) => ({
  length: field(o, path, 'length', uint),
  nonzeros: field(o, path, 'nonzeros', uint),
}));

const l1Message = object<L1IncomingMessage>((o, path) => {
  const out: Mutable<L1IncomingMessage> = {
    header: field(o, path, 'header', header),
    l2Msg: field(o, path, 'l2Msg', nullable(base64)),
  };
  const batchGasCost = optionalField(o, path, 'batchGasCost', uint);
  if (batchGasCost !== undefined) out.batchGasCost = batchGasCost;
  const stats = optionalField(o, path, 'batchDataTokens', batchDataStats);
  if (stats !== undefined) out.batchDataTokens = stats;
  return out;
});

const messageWithMetadata = object<MessageWithMetadata>((o, path) => ({
  message: field(o, path, 'message', l1Message),
  delayedMessagesRead: field(o, path, 'delayedMessagesRead', uint),
}));

const feedMessage = object<BroadcastFeedMessage>((o, path) => {
  const out: Mutable<BroadcastFeedMessage> = {
    sequenceNumber: field(o, path, 'sequenceNumber', uint),
    message: field(o, path, 'message', messageWithMetadata),
  };
  const blockHash = optionalField(o, path, 'blockHash', hash);
  if (blockHash !== undefined) out.blockHash = blockHash;
  // Not omitempty in Go: an unsigned feed sends null, which is kept so it is written back.
  if (has(o, 'signature')) out.signature = nullable(base64)(o.signature, join(path, 'signature'));
  if (has(o, 'signatureV2')) out.signatureV2 = nullable(base64)(o.signatureV2, join(path, 'signatureV2'));
  const blockMetadata = optionalField(o, path, 'blockMetadata', base64);
  if (blockMetadata !== undefined) out.blockMetadata = blockMetadata;
  return out;
});

const confirmed = object<ConfirmedSequenceNumberMessage>((o, path) => ({ sequenceNumber: field(o, path, 'sequenceNumber', uint) }));

function list<T>(check: Check<T>): Check<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) throw invalid(`${path}: expected an array, got ${describe(value)}`);
    return value.map((item, i) => check(item, `${path}[${i}]`));
  };
}

/**
 * Parses one feed frame (a BroadcastMessage as JSON) strictly. Unknown fields are ignored, as
 * Nitro's Go decoder does, so newer servers stay readable; every known field is kept.
 *
 * @throws GasHammerError GH-E111 whose message starts with the field path, e.g.
 *   `messages[0].message.message.l2Msg: not base64`.
 */
export function parseBroadcastMessage(text: string): BroadcastMessage {
  const parsed = ExactJsonReader.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid(`not a BroadcastMessage: expected a JSON object, got ${describe(parsed)}`);
  }
  const root = parsed as JsonObject;
  const version = field(root, '', 'version', (v) => v);
  if (version !== FEED_MESSAGE_VERSION) {
    throw invalid(`version: expected ${FEED_MESSAGE_VERSION}, got ${typeof version === 'number' || typeof version === 'bigint' ? version : describe(version)}`);
  }
  const out: Mutable<BroadcastMessage> = { version };
  const messages = optionalField(root, '', 'messages', list(feedMessage));
  if (messages !== undefined) out.messages = messages;
  const confirmedSequenceNumberMessage = optionalField(root, '', 'confirmedSequenceNumberMessage', confirmed);
  if (confirmedSequenceNumberMessage !== undefined) out.confirmedSequenceNumberMessage = confirmedSequenceNumberMessage;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing, byte for byte as Go's encoding/json does for Nitro's structs.

function str(value: string): string {
  // Every string here is hex or base64, which Go and JSON.stringify escape identically (not at all).
  return JSON.stringify(value);
}

function nullableStr(value: string | null): string {
  return value === null ? 'null' : str(value);
}

function serializeHeader(h: L1IncomingMessageHeader): string {
  return (
    `{"kind":${h.kind},"sender":${str(h.sender)},"blockNumber":${h.blockNumber},"timestamp":${h.timestamp},` +
    `"requestId":${nullableStr(h.requestId)},"baseFeeL1":${h.baseFeeL1 === null ? 'null' : h.baseFeeL1.toString()}}`
  );
}

function serializeFeedMessage(m: BroadcastFeedMessage): string {
  const l1 = m.message.message;
  let out = `{"sequenceNumber":${m.sequenceNumber},"message":{"message":{"header":${serializeHeader(l1.header)},"l2Msg":${nullableStr(l1.l2Msg)}`;
  if (l1.batchGasCost !== undefined) out += `,"batchGasCost":${l1.batchGasCost}`;
  if (l1.batchDataTokens !== undefined) out += `,"batchDataTokens":{"length":${l1.batchDataTokens.length},"nonzeros":${l1.batchDataTokens.nonzeros}}`;
  out += `},"delayedMessagesRead":${m.message.delayedMessagesRead}}`;
  if (m.blockHash !== undefined) out += `,"blockHash":${str(m.blockHash)}`;
  if (m.signature !== undefined) out += `,"signature":${nullableStr(m.signature)}`;
  if (m.signatureV2 !== undefined) out += `,"signatureV2":${nullableStr(m.signatureV2)}`;
  if (m.blockMetadata !== undefined) out += `,"blockMetadata":${str(m.blockMetadata)}`;
  return out + '}';
}

/**
 * Serialises a BroadcastMessage as Nitro does (without Go's trailing newline): fields in Go
 * struct order, omitempty fields left out when absent, the signature under whichever name the
 * message carries. A message parsed from Nitro's output re-serialises to the same bytes.
 */
export function serializeBroadcastMessage(msg: BroadcastMessage): string {
  let out = `{"version":${msg.version}`;
  // omitempty on a slice: an empty list is left out, as Go does.
  if (msg.messages !== undefined && msg.messages.length > 0) out += `,"messages":[${msg.messages.map(serializeFeedMessage).join(',')}]`;
  if (msg.confirmedSequenceNumberMessage !== undefined) {
    out += `,"confirmedSequenceNumberMessage":{"sequenceNumber":${msg.confirmedSequenceNumberMessage.sequenceNumber}}`;
  }
  return out + '}';
}

// ---------------------------------------------------------------------------------------------
// Transactions and building.

/** Decodes validated base64 into bytes (a view on a Buffer, no copy). */
function base64Bytes(value: string, path: string): Uint8Array {
  // Checked again here: a message may have been built in code rather than parsed.
  if (!isBase64(value)) throw invalid(`${path}: not base64`);
  const buf = Buffer.from(value, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function decodeL2MessageAt(l2Msg: string | null, path: string): DecodedL2Message {
  try {
    // A nil l2Msg (JSON null) is an empty L2 message, which the decoder rejects.
    return decodeL2Message(base64Bytes(l2Msg ?? '', path));
  } catch (e) {
    if (e instanceof GasHammerError && e.info === ErrorCodes.FeedMessageInvalid && !e.shortMessage.startsWith(`${path}:`)) {
      throw new GasHammerError(ErrorCodes.FeedMessageInvalid, `${path}: ${e.shortMessage}`, { cause: e });
    }
    throw e;
  }
}

/**
 * The signed transactions of every message, in order, with their hashes.
 *
 * Only messages whose header kind is 3 (L1MessageType_L2Message) carry an L2 message: that is
 * everything the sequencer builds, and L2 messages submitted through the delayed inbox. Other
 * kinds (deposits, retryables, batch-posting reports, ...) put a different encoding in l2Msg,
 * so they are not decoded and contribute no transaction, as in Nitro's ParseL2Transactions.
 *
 * @throws GasHammerError GH-E111 naming the message's l2Msg path when its L2 message is malformed.
 */
export function feedTransactions(msg: BroadcastMessage): FeedTransaction[] {
  const out: FeedTransaction[] = [];
  (msg.messages ?? []).forEach((m, i) => {
    const l1 = m.message.message;
    if (l1.header.kind !== L1MessageType.L2Message) return;
    const decoded = decodeL2MessageAt(l1.l2Msg, `messages[${i}].message.message.l2Msg`);
    for (const tx of decoded.transactions) out.push({ sequenceNumber: m.sequenceNumber, txHash: transactionHash(tx), tx });
  });
  return out;
}

export interface BlockBroadcastInput {
  /** Feed sequence number; on a chain with genesis block 0 it equals the block number. */
  readonly sequenceNumber: number;
  readonly blockHash: Hex;
  /** Raw EIP-2718 bytes of the block's transactions, in block order. */
  readonly txs: readonly Uint8Array[];
  /** Block timestamp, Unix seconds. */
  readonly timestamp: number;
  /** The parent-chain block number; 0 (the default) on a chain without L1. */
  readonly l1BlockNumber?: number;
  /** Delayed messages read so far; default 0. */
  readonly delayedMessagesRead?: number;
  /** Adds a confirmedSequenceNumberMessage to the same frame. */
  readonly confirmedSequenceNumber?: number;
}

function checkUint(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`blockBroadcastMessage: ${name} must be a non-negative safe integer, got ${value}`);
  return value;
}

/**
 * One L2 block as the feed message Nitro's sequencer would publish for it: header kind 3 from
 * the sequencer's address, no request id or L1 base fee, l2Msg as encodeBlockL2Message writes
 * it, and an unsigned feed (signatureV2 null).
 */
export function blockBroadcastMessage(input: BlockBroadcastInput): BroadcastMessage {
  if (!HEX_HASH.test(input.blockHash)) throw new RangeError(`blockBroadcastMessage: blockHash must be 32 bytes of 0x-hex, got ${input.blockHash}`);
  const message: BroadcastFeedMessage = {
    sequenceNumber: checkUint(input.sequenceNumber, 'sequenceNumber'),
    message: {
      message: {
        header: {
          kind: L1MessageType.L2Message,
          // Go's encoder writes addresses and hashes in lowercase.
          sender: SEQUENCER_SENDER.toLowerCase() as Hex,
          blockNumber: checkUint(input.l1BlockNumber ?? 0, 'l1BlockNumber'),
          timestamp: checkUint(input.timestamp, 'timestamp'),
          requestId: null,
          baseFeeL1: null,
        },
        l2Msg: Buffer.from(encodeBlockL2Message(input.txs)).toString('base64'),
      },
      delayedMessagesRead: checkUint(input.delayedMessagesRead ?? 0, 'delayedMessagesRead'),
    },
    blockHash: input.blockHash.toLowerCase() as Hex,
    signatureV2: null,
  };
  return {
    version: FEED_MESSAGE_VERSION,
    messages: [message],
    ...(input.confirmedSequenceNumber === undefined
      ? {}
      : { confirmedSequenceNumberMessage: { sequenceNumber: checkUint(input.confirmedSequenceNumber, 'confirmedSequenceNumber') } }),
  };
}
