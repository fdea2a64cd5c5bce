// The edge PRNG: xoshiro128** outputs pinned against the published C reference (compiled
// separately and run on the same seeds), the 53-bit floats, unbiased bounded integers and byte
// order derived from those outputs, determinism per seed, and refusal of unusable seeds.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { edgeStreamSeed } from '../../src/scenario/compile.js';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { createPrng, type Prng } from '../../src/workload/prng.js';

const SEED = '0123456789abcdeffedcba9876543210';
/**
 * First outputs of https://prng.di.unimi.it/xoshiro128starstar.c (1.1) with
 * s = {0x01234567, 0x89abcdef, 0xfedcba98, 0x76543210}, from gcc.
 */
const REFERENCE = [2576975000, 1717987679, 3437557858, 3328806623, 2502269976, 3596207863, 3762620995, 3723441234, 1795750380, 2056387974, 3198735856, 3677755721];
/** The same generator's outputs 1,000,001 to 1,000,004. */
const REFERENCE_AFTER_MILLION = [3158316825, 741788844, 1314033847, 4186842663];

function draws(prng: Prng, n: number): number[] {
  return Array.from({ length: n }, () => prng.nextUint32());
}

describe('nextUint32', () => {
  it('matches the reference implementation', () => {
    expect(draws(createPrng(SEED), REFERENCE.length)).toEqual(REFERENCE);
  });

  it('matches the reference after a million outputs', () => {
    const prng = createPrng(SEED);
    for (let i = 0; i < 1_000_000; i++) prng.nextUint32();
    expect(draws(prng, 4)).toEqual(REFERENCE_AFTER_MILLION);
  });

  it('takes the seed as four big-endian words: s = {1, 2, 3, 4} gives the known 11520, 0, 5927040, 70819200', () => {
    expect(draws(createPrng('00000001000000020000000300000004'), 4)).toEqual([11520, 0, 5927040, 70819200]);
  });

  it('accepts a 0x prefix and either case', () => {
    expect(draws(createPrng(`0x${SEED.toUpperCase()}`), 4)).toEqual(REFERENCE.slice(0, 4));
  });

  it('always answers an unsigned 32-bit integer', () => {
    const prng = createPrng(SEED);
    const bad = draws(prng, 100_000).filter((v) => !(Number.isInteger(v) && v >= 0 && v < 2 ** 32));
    expect(bad).toEqual([]);
  });
});

describe('nextFloat', () => {
  it('is 27 high bits of one output and 26 of the next, over 2^53', () => {
    const prng = createPrng(SEED);
    for (let i = 0; i < REFERENCE.length; i += 2) {
      const expected = ((REFERENCE[i]! >>> 5) * 2 ** 26 + (REFERENCE[i + 1]! >>> 6)) / 2 ** 53;
      expect(prng.nextFloat()).toBe(expected);
    }
  });

  it('pins its first value', () => {
    expect(createPrng(SEED).nextFloat()).toBe(0.5999987453222287);
  });

  it('stays in [0, 1) and averages one half', () => {
    const prng = createPrng(SEED);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 200_000; i++) {
      const f = prng.nextFloat();
      if (!(f >= 0 && f < 1)) outside++;
      sum += f;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / 200_000 - 0.5)).toBeLessThan(0.005);
  });
});

describe('nextInt', () => {
  it('is the reference output modulo the bound when no draw is rejected', () => {
    const prng = createPrng(SEED);
    expect(Array.from({ length: 6 }, () => prng.nextInt(1000))).toEqual(REFERENCE.slice(0, 6).map((r) => r % 1000));
  });

  it('rejects draws above the last whole multiple of the bound', () => {
    // 3 * 2^30: the only multiple up to 2^32 is the bound itself, so 3437557858 and
    // 3328806623 (>= 3221225472) are skipped and the accepted draws come through unchanged.
    const bound = 3 * 2 ** 30;
    const prng = createPrng(SEED);
    const expected = REFERENCE.filter((r) => r < bound).slice(0, 3);
    expect([prng.nextInt(bound), prng.nextInt(bound), prng.nextInt(bound)]).toEqual(expected);
  });

  it('has no modulo bias', () => {
    // With r % (3 * 2^30), values below 2^30 would come up half the time instead of a third.
    const prng = createPrng(SEED);
    let low = 0;
    const n = 300_000;
    for (let i = 0; i < n; i++) if (prng.nextInt(3 * 2 ** 30) < 2 ** 30) low++;
    expect(Math.abs(low / n - 1 / 3)).toBeLessThan(0.005);
  });

  it('is uniform over a small range', () => {
    const prng = createPrng(SEED);
    const counts = new Array<number>(7).fill(0);
    const n = 700_000;
    for (let i = 0; i < n; i++) counts[prng.nextInt(7)]!++;
    // Chi-square with 6 degrees of freedom: 22.46 is the 0.999 quantile.
    const chi2 = counts.reduce((s, c) => s + (c - n / 7) ** 2 / (n / 7), 0);
    expect(chi2).toBeLessThan(22.46);
  });

  it('handles bounds above 2^32 with 53-bit draws', () => {
    const prng = createPrng(SEED);
    const first = ((REFERENCE[0]! >>> 11) * 2 ** 32 + REFERENCE[1]!) % (2 ** 40);
    expect(prng.nextInt(2 ** 40)).toBe(first);
    const bad = Array.from({ length: 10_000 }, () => prng.nextInt(2 ** 53)).filter((v) => !(Number.isSafeInteger(v) && v >= 0));
    expect(bad).toEqual([]);
  });

  it('answers 0 for a bound of 1 and stays in range for any bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (bound, seedWord) => {
        const prng = createPrng(`${seedWord.toString(16).padStart(8, '0')}${'5a'.repeat(12)}`);
        for (let i = 0; i < 20; i++) {
          const v = prng.nextInt(bound);
          if (!(Number.isInteger(v) && v >= 0 && v < bound)) return false;
        }
        return createPrng(SEED).nextInt(1) === 0;
      }),
    );
  });

  it('refuses bounds it cannot honour', () => {
    const prng = createPrng(SEED);
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 53 + 2]) expect(() => prng.nextInt(bad)).toThrow(GasHammerError);
  });
});

describe('nextBytes', () => {
  it('gives each output as 4 bytes, least significant first', () => {
    const bytes = createPrng(SEED).nextBytes(8);
    const words = REFERENCE.slice(0, 2);
    const expected = words.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]);
    expect([...bytes]).toEqual(expected);
    expect(Buffer.from(bytes).toString('hex')).toBe('988499995f696666');
  });

  it('drops the unused bytes of a partial last word', () => {
    const prng = createPrng(SEED);
    const five = prng.nextBytes(5);
    expect([...five]).toEqual([...createPrng(SEED).nextBytes(8)].slice(0, 5));
    // The second output was consumed whole: the next draw is the third.
    expect(prng.nextUint32()).toBe(REFERENCE[2]);
  });

  it('fillBytes writes exactly what nextBytes returns, and nothing outside its range', () => {
    const target = new Uint8Array(40).fill(0xee);
    createPrng(SEED).fillBytes(target, 3, 33);
    expect([...target.subarray(3, 36)]).toEqual([...createPrng(SEED).nextBytes(33)]);
    expect([...target.subarray(0, 3), ...target.subarray(36)]).toEqual(new Array(7).fill(0xee));
    expect(() => createPrng(SEED).fillBytes(target, 30, 20)).toThrow(GasHammerError);
  });

  it('returns an empty array for zero bytes without drawing', () => {
    const prng = createPrng(SEED);
    expect(prng.nextBytes(0)).toHaveLength(0);
    expect(prng.nextUint32()).toBe(REFERENCE[0]);
  });
});

describe('seeding', () => {
  it('gives the same stream for the same seed and different streams for different edges', () => {
    const a = createPrng(edgeStreamSeed(42n, 0));
    const b = createPrng(edgeStreamSeed(42n, 0));
    const c = createPrng(edgeStreamSeed(42n, 1));
    const [da, db, dc] = [draws(a, 1000), draws(b, 1000), draws(c, 1000)];
    expect(da).toEqual(db);
    expect(dc).not.toEqual(da);
  });

  it('refuses malformed seeds and the all-zero state', () => {
    for (const bad of ['', '1234', `${SEED}00`, 'g'.repeat(32), '0'.repeat(32)]) {
      expect(() => createPrng(bad)).toThrow(GasHammerError);
    }
    expect(() => createPrng('0'.repeat(32))).toThrow(/all zeros/);
  });
});
