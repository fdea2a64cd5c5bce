// The edge's transaction signer: EIP-1559 (type 2) transactions with an empty access list, the
// one shape the edge sends. Owns the hand-written RLP for exactly that shape, its signing hash,
// and the choice of secp256k1 backend: libsecp256k1 through the `secp256k1` package's N-API
// addon when it loads (7-8x viem's signTransaction here), else @noble/curves (correct, viem's speed).
// Output is byte-identical to viem's `privateKeyToAccount(key).signTransaction({ type: 'eip1559' })`.
//
// The hot path works in Uint8Array: the nine fields are encoded once into a reused scratch
// buffer, hashed in place, copied once into the raw transaction, and hex is produced once.
// Keccak-256 is our own one-shot version (below), 4-5x faster than @noble/hashes' for the
// short inputs here; with two hashes a transaction that is a fifth of the native path's cost.

import { createRequire } from 'node:module';
import { secp256k1 as nobleSecp256k1 } from '@noble/curves/secp256k1';
import type * as NativeSecp256k1 from 'secp256k1';
import type { Hex } from 'viem';
import { keccak256Bytes } from '../util/keccak.js';

export { keccak256Bytes };

export type SignerBackend = 'native' | 'noble';

/** The fields of an EIP-1559 transaction the edge signs; the access list is always empty. */
export interface Eip1559Fields {
  readonly chainId: number;
  readonly nonce: number;
  readonly maxPriorityFeePerGas: bigint;
  readonly maxFeePerGas: bigint;
  readonly gas: bigint;
  /** 20 bytes, 0x-hex; any letter case (the checksum is not checked). */
  readonly to: Hex;
  readonly value: bigint;
  readonly data: Uint8Array | Hex;
}

export interface SignedTx {
  /** 0x02 ‖ rlp([...fields, yParity, r, s]): what eth_sendRawTransaction takes. */
  readonly raw: Uint8Array;
  readonly rawHex: Hex;
  /** keccak256(raw): the transaction hash. */
  readonly hash: Hex;
}

const EIP1559_TYPE = 0x02;
const MAX_UINT256 = (1n << 256n) - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** An empty RLP list: the access list. */
const RLP_EMPTY_LIST = 0xc0;
/** An empty RLP string: integer zero, empty data. */
const RLP_EMPTY_STRING = 0x80;

// ---------------------------------------------------------------------------------------------
// Backend selection

// `require('secp256k1')` silently falls back to the elliptic JS implementation when the addon
// is missing, which would cut throughput by ~10x without a word. `secp256k1/bindings` loads only
// the addon and throws when it cannot, so the fallback here is ours and is reported.
interface NativeLoad {
  readonly lib: typeof NativeSecp256k1 | undefined;
  readonly reason: string | undefined;
}

// A known answer, computed with @noble/curves: keccak256("gashammer signer self-check") signed
// with the web3 docs' test key. A native build that loads but signs differently is not used.
const SELF_CHECK_KEY = '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const SELF_CHECK_HASH = 'eb8b9b64c3fa637616bff689df25b0be39656942d806a5e73b17b2d251f92c41';
const SELF_CHECK_SIGNATURE =
  '1476d226c88c7054b3a86bf6093a8bc0551defb27e48fab93256d4a158ac7c37' +
  '6f6022bc744b014c27629f2b13c0bf2b51d116f7ae2f56e57ae7cd2d64887e14';
const SELF_CHECK_RECID = 1;

function loadNative(): NativeLoad {
  let lib: typeof NativeSecp256k1;
  try {
    lib = createRequire(import.meta.url)('secp256k1/bindings') as typeof NativeSecp256k1;
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { lib: undefined, reason: `the secp256k1 native addon did not load: ${message}` };
  }
  try {
    const sig = lib.ecdsaSign(Buffer.from(SELF_CHECK_HASH, 'hex'), Buffer.from(SELF_CHECK_KEY, 'hex'));
    if (Buffer.from(sig.signature).toString('hex') !== SELF_CHECK_SIGNATURE || sig.recid !== SELF_CHECK_RECID) {
      return { lib: undefined, reason: 'the secp256k1 native addon failed its known-answer self-check' };
    }
  } catch (e) {
    return { lib: undefined, reason: `the secp256k1 native addon threw in its self-check: ${String(e)}` };
  }
  return { lib, reason: undefined };
}

const NATIVE = loadNative();
const DEFAULT_BACKEND: SignerBackend = NATIVE.lib === undefined ? 'noble' : 'native';

/** The backend signEip1559 uses by default; the edge logs and reports it. */
export function signerBackend(): SignerBackend {
  return DEFAULT_BACKEND;
}

/** Why the native backend is not in use, or undefined when it is. */
export function nativeSignerUnavailableReason(): string | undefined {
  return NATIVE.reason;
}

// ---------------------------------------------------------------------------------------------
// Signing

// Reused across calls: signing is synchronous, so nothing else can touch them mid-call.
/** Room before the body for the type byte and the longest list header we can need (1 + 1 + 4). */
const HEAD_ROOM = 6;
/** Worst case for all but the data: four uint256 items, two safe integers, the address, the empty list. */
const FIXED_FIELDS_MAX = 4 * 33 + 2 * 8 + 21 + 1;
let scratch = new Uint8Array(HEAD_ROOM + FIXED_FIELDS_MAX + 1024);
const nativeSignature = new Uint8Array(64);
const NO_SIGN_OPTIONS: NativeSecp256k1.SignOptions = {};

/**
 * Signs an EIP-1559 transaction. `backend` is for tests and benchmarks; left out, the module's
 * choice (signerBackend()) is used. Nothing is derived per account: libsecp256k1 and noble both
 * sign from the 32 key bytes directly, so there is nothing to cache between calls.
 */
export function signEip1559(tx: Eip1559Fields, privateKey: Uint8Array, backend: SignerBackend = DEFAULT_BACKEND): SignedTx {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) {
    throw new RangeError('signEip1559: privateKey must be 32 bytes');
  }
  const dataLength = typeof tx.data === 'string' ? hexByteLength(tx.data, 'data') : tx.data.length;
  const needed = HEAD_ROOM + FIXED_FIELDS_MAX + 9 + dataLength;
  if (scratch.length < needed) scratch = new Uint8Array(Math.max(needed, scratch.length * 2));
  const buf = scratch;

  // The nine fields, written once after the head room.
  let off = HEAD_ROOM;
  off = writeSafeUint(buf, off, checkSafeUint(tx.chainId, 'chainId', 1));
  off = writeSafeUint(buf, off, checkSafeUint(tx.nonce, 'nonce', 0));
  off = writeBigUint(buf, off, tx.maxPriorityFeePerGas, 'maxPriorityFeePerGas');
  off = writeBigUint(buf, off, tx.maxFeePerGas, 'maxFeePerGas');
  off = writeBigUint(buf, off, tx.gas, 'gas');
  off = writeAddress(buf, off, tx.to);
  off = writeBigUint(buf, off, tx.value, 'value');
  off = writeData(buf, off, tx.data, dataLength);
  buf[off++] = RLP_EMPTY_LIST;
  const fieldsLength = off - HEAD_ROOM;

  // Signing payload: 0x02 ‖ rlp-list-header ‖ fields, laid out just before the fields.
  const headerLength = listHeaderLength(fieldsLength);
  const payloadStart = HEAD_ROOM - headerLength - 1;
  buf[payloadStart] = EIP1559_TYPE;
  writeListHeader(buf, payloadStart + 1, fieldsLength);
  const signingHash = keccak256Bytes(buf.subarray(payloadStart, off));

  let compact: Uint8Array;
  let yParity: number;
  if (backend === 'native') {
    const lib = NATIVE.lib;
    if (lib === undefined) throw new Error(`signEip1559: native backend requested but ${NATIVE.reason ?? 'unavailable'}`);
    const sig = lib.ecdsaSign(signingHash, privateKey, NO_SIGN_OPTIONS, nativeSignature);
    compact = sig.signature;
    yParity = sig.recid;
  } else {
    // lowS is noble's default for secp256k1; said here because Ethereum rejects high s.
    const sig = nobleSecp256k1.sign(signingHash, privateKey, { lowS: true });
    compact = sig.toCompactRawBytes();
    yParity = sig.recovery;
  }

  // raw = 0x02 ‖ rlp([...fields, yParity, r, s]); r and s as minimal integers.
  const rSkip = leadingZeros(compact, 0, 32);
  const sSkip = leadingZeros(compact, 32, 64);
  const signedLength =
    fieldsLength + 1 + integerBytesItemLength(compact, rSkip, 32) + integerBytesItemLength(compact, 32 + sSkip, 64);
  const signedHeaderLength = listHeaderLength(signedLength);
  const raw = new Uint8Array(1 + signedHeaderLength + signedLength);
  raw[0] = EIP1559_TYPE;
  let w = writeListHeader(raw, 1, signedLength);
  raw.set(buf.subarray(HEAD_ROOM, HEAD_ROOM + fieldsLength), w);
  w += fieldsLength;
  raw[w++] = yParity === 0 ? RLP_EMPTY_STRING : yParity;
  w = writeIntegerBytes(raw, w, compact, rSkip, 32);
  w = writeIntegerBytes(raw, w, compact, 32 + sSkip, 64);

  return { raw, rawHex: toHex(raw), hash: toHex(keccak256Bytes(raw)) };
}

// ---------------------------------------------------------------------------------------------
// RLP, for exactly the items above

function checkSafeUint(value: number, name: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`signEip1559: ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

/** An integer item for 0 <= n <= 2^53-1: minimal big-endian, zero as the empty string. */
function writeSafeUint(out: Uint8Array, off: number, n: number): number {
  if (n === 0) {
    out[off] = RLP_EMPTY_STRING;
    return off + 1;
  }
  if (n < 0x80) {
    out[off] = n;
    return off + 1;
  }
  let length = 0;
  for (let t = n; t > 0; t = Math.floor(t / 256)) length++;
  out[off] = RLP_EMPTY_STRING + length;
  for (let i = off + length, t = n; i > off; i--, t = Math.floor(t / 256)) out[i] = t % 256;
  return off + 1 + length;
}

/** An integer item for 0 <= v < 2^256. */
function writeBigUint(out: Uint8Array, off: number, v: bigint, name: string): number {
  if (v <= MAX_SAFE) {
    if (v < 0n) throw new RangeError(`signEip1559: ${name} must not be negative, got ${v}`);
    return writeSafeUint(out, off, Number(v));
  }
  if (v > MAX_UINT256) throw new RangeError(`signEip1559: ${name} must be below 2^256, got ${v}`);
  // Above 2^53: 32-bit words, least significant first, then written big-endian.
  const words = bigWords;
  let count = 0;
  for (let t = v; t > 0n; t >>= 32n) words[count++] = Number(t & 0xffffffffn);
  const top = words[count - 1] ?? 0;
  const topLength = top >= 0x1000000 ? 4 : top >= 0x10000 ? 3 : top >= 0x100 ? 2 : 1;
  const length = (count - 1) * 4 + topLength;
  out[off++] = RLP_EMPTY_STRING + length;
  for (let b = topLength - 1; b >= 0; b--) out[off++] = (top >>> (8 * b)) & 0xff;
  for (let i = count - 2; i >= 0; i--) {
    const word = words[i] ?? 0;
    out[off++] = word >>> 24;
    out[off++] = (word >>> 16) & 0xff;
    out[off++] = (word >>> 8) & 0xff;
    out[off++] = word & 0xff;
  }
  return off;
}
const bigWords = new Array<number>(8).fill(0);

function writeAddress(out: Uint8Array, off: number, to: Hex): number {
  if (typeof to !== 'string' || to.length !== 42) {
    throw new RangeError(`signEip1559: to must be a 20-byte 0x-hex address, got ${String(to)}`);
  }
  out[off] = RLP_EMPTY_STRING + 20;
  return writeHex(out, off + 1, to, 'to');
}

function writeData(out: Uint8Array, off: number, data: Uint8Array | Hex, length: number): number {
  if (length === 1) {
    // A single byte below 0x80 is its own encoding.
    const b = typeof data === 'string' ? hexByteAt(data, 0, 'data') : (data[0] ?? 0);
    if (b < 0x80) {
      out[off] = b;
      return off + 1;
    }
  }
  off = writeStringHeader(out, off, length);
  if (typeof data === 'string') return writeHex(out, off, data, 'data');
  out.set(data, off);
  return off + length;
}

function writeStringHeader(out: Uint8Array, off: number, length: number): number {
  if (length <= 55) {
    out[off] = RLP_EMPTY_STRING + length;
    return off + 1;
  }
  const lengthOfLength = byteLength(length);
  out[off] = 0xb7 + lengthOfLength;
  writeBigEndian(out, off + 1, length, lengthOfLength);
  return off + 1 + lengthOfLength;
}

function listHeaderLength(payloadLength: number): number {
  return payloadLength <= 55 ? 1 : 1 + byteLength(payloadLength);
}

function writeListHeader(out: Uint8Array, off: number, payloadLength: number): number {
  if (payloadLength <= 55) {
    out[off] = RLP_EMPTY_LIST + payloadLength;
    return off + 1;
  }
  const lengthOfLength = byteLength(payloadLength);
  out[off] = 0xf7 + lengthOfLength;
  writeBigEndian(out, off + 1, payloadLength, lengthOfLength);
  return off + 1 + lengthOfLength;
}

/** Bytes of a non-negative length (lengths here stay far below 2^32). */
function byteLength(n: number): number {
  return n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
}

function writeBigEndian(out: Uint8Array, off: number, n: number, length: number): void {
  for (let i = length - 1; i >= 0; i--, n = Math.floor(n / 256)) out[off + i] = n % 256;
}

function leadingZeros(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && bytes[i] === 0) i++;
  return i - start;
}

/** Encoded length of the integer in bytes[start, end), leading zeros already skipped. */
function integerBytesItemLength(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || (length === 1 && (bytes[start] ?? 0) < 0x80)) return 1;
  return 1 + length;
}

function writeIntegerBytes(out: Uint8Array, off: number, bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0) {
    out[off] = RLP_EMPTY_STRING;
    return off + 1;
  }
  if (length === 1 && (bytes[start] ?? 0) < 0x80) {
    out[off] = bytes[start] ?? 0;
    return off + 1;
  }
  out[off] = RLP_EMPTY_STRING + length;
  out.set(bytes.subarray(start, end), off + 1);
  return off + 1 + length;
}

// ---------------------------------------------------------------------------------------------
// Hex, decoded straight into the output buffer and strictly (Buffer.from(hex) stops silently
// at the first bad character).

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x41 + i] = 10 + i;
  HEX_VALUE[0x61 + i] = 10 + i;
}

function hexByteLength(hex: string, name: string): number {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || hex[0] !== '0' || (hex[1] !== 'x' && hex[1] !== 'X')) {
    throw new RangeError(`signEip1559: ${name} must be 0x-hex of whole bytes`);
  }
  return (hex.length - 2) / 2;
}

function hexByteAt(hex: string, index: number, name: string): number {
  const hi = HEX_VALUE[hex.charCodeAt(2 + 2 * index)] ?? -1;
  const lo = HEX_VALUE[hex.charCodeAt(3 + 2 * index)] ?? -1;
  if (hi < 0 || lo < 0) throw new RangeError(`signEip1559: ${name} is not valid hex at byte ${index}`);
  return (hi << 4) | lo;
}

function writeHex(out: Uint8Array, off: number, hex: string, name: string): number {
  const length = hexByteLength(hex, name);
  for (let i = 0; i < length; i++) out[off + i] = hexByteAt(hex, i, name);
  return off + length;
}

function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')}`;
}

