// The edge's deterministic random stream: xoshiro128** 1.1 (Blackman & Vigna,
// https://prng.di.unimi.it/xoshiro128starstar.c), written from the published algorithm and
// seeded with the 128-bit EdgePlan.streamSeed. Integer arithmetic only (Math.imul, shifts,
// xor; doubles only ever hold exact integers below 2^53), so one seed gives the same
// transactions on every platform and Node version. Not cryptographic: it picks templates,
// slots and payloads, never keys.

import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';

export interface Prng {
  /** The next 32 bits, as an integer in [0, 2^32). */
  nextUint32(): number;
  /** A float in [0, 1) with 53 random bits (every multiple of 2^-53 equally likely). */
  nextFloat(): number;
  /** An integer in [0, maxExclusive), uniformly (rejection sampling, no modulo bias). maxExclusive: 1 to 2^53. */
  nextInt(maxExclusive: number): number;
  /** `n` random bytes: each 32-bit output gives 4 bytes, least significant first; a partial last word's other bytes are dropped. */
  nextBytes(n: number): Uint8Array;
  /** Fills `target[offset, offset + length)` exactly as nextBytes(length) would return it (no allocation). */
  fillBytes(target: Uint8Array, offset?: number, length?: number): void;
}

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;
const SEED_HEX = /^[0-9a-fA-F]{32}$/;

function invalidSeed(message: string): GasHammerError {
  // The seed comes from the compiled run plan, never from a user directly: a bad one is a bug.
  return new GasHammerError(ErrorCodes.Internal, `PRNG seed ${message}`);
}

class Xoshiro128StarStar implements Prng {
  // The state as signed 32-bit integers (what the bitwise operators produce).
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(s0: number, s1: number, s2: number, s3: number) {
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  nextUint32(): number {
    const s1 = this.s1;
    // result = rotl(s1 * 5, 7) * 9, all modulo 2^32 (Math.imul keeps the low 32 bits exactly).
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  nextFloat(): number {
    // 27 + 26 bits as in genrand_res53: an exact integer below 2^53, then an exact scaling.
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67_108_864 + low) / TWO_POW_53;
  }

  nextInt(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_POW_53) {
      throw new GasHammerError(ErrorCodes.Internal, `nextInt bound must be a whole number from 1 to 2^53, got ${maxExclusive}`);
    }
    if (maxExclusive <= TWO_POW_32) {
      // Accept only draws below the largest multiple of the bound: every residue equally often.
      const limit = TWO_POW_32 - (TWO_POW_32 % maxExclusive);
      let r = this.nextUint32();
      while (r >= limit) r = this.nextUint32();
      return r % maxExclusive;
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % maxExclusive);
    let r = (this.nextUint32() >>> 11) * TWO_POW_32 + this.nextUint32();
    while (r >= limit) r = (this.nextUint32() >>> 11) * TWO_POW_32 + this.nextUint32();
    return r % maxExclusive;
  }

  nextBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    this.fillBytes(out, 0, n);
    return out;
  }

  fillBytes(target: Uint8Array, offset = 0, length = target.length - offset): void {
    if (!Number.isInteger(length) || length < 0 || !Number.isInteger(offset) || offset < 0 || offset + length > target.length) {
      throw new GasHammerError(ErrorCodes.Internal, `fillBytes range [${offset}, ${offset + length}) is outside a buffer of ${target.length} bytes`);
    }
    const end = offset + length;
    let i = offset;
    for (; i + 4 <= end; i += 4) {
      const w = this.nextUint32();
      target[i] = w;
      target[i + 1] = w >>> 8;
      target[i + 2] = w >>> 16;
      target[i + 3] = w >>> 24;
    }
    // A partial last word: its low bytes, the rest dropped. (A Uint8Array store keeps the low 8 bits.)
    for (let w = i < end ? this.nextUint32() : 0; i < end; i++, w >>>= 8) target[i] = w;
  }
}

/**
 * A stream seeded with `seedHex`, 32 hex digits (the EdgePlan.streamSeed; a 0x prefix is
 * accepted): the four 32-bit big-endian words of the seed are the generator's state s[0..3],
 * as they are. The seeds the compiler derives are SHA-256 output, so they need no further
 * mixing; the one state xoshiro cannot leave, all zeros, is refused.
 */
export function createPrng(seedHex: string): Prng {
  const hex = seedHex.startsWith('0x') ? seedHex.slice(2) : seedHex;
  if (!SEED_HEX.test(hex)) throw invalidSeed(`must be 32 hex digits (128 bits), got '${seedHex}'`);
  const words = [0, 8, 16, 24].map((i) => parseInt(hex.slice(i, i + 8), 16) | 0) as [number, number, number, number];
  if (words.every((w) => w === 0)) throw invalidSeed('is all zeros, the one state xoshiro128** cannot leave');
  return new Xoshiro128StarStar(...words);
}
