// The edge's EIP-1559 signer: for random keys and fields both backends give exactly the bytes
// viem's signTransaction gives, the hash is viem's keccak256 of them, and viem recovers the
// signer.

import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import fc from 'fast-check';
import { bytesToHex, keccak256, parseTransaction, recoverTransactionAddress, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import {
  keccak256Bytes,
  nativeSignerUnavailableReason,
  signEip1559,
  signerBackend,
  type Eip1559Fields,
  type SignerBackend,
} from '../../src/edge/signer.js';

const CURVE_N = secp256k1.CURVE.n;
const BACKENDS: readonly SignerBackend[] = ['native', 'noble'];

function keyBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31, v = n; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

const privateKey = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => secp256k1.utils.isValidPrivateKey(k)) },
  { weight: 1, arbitrary: fc.constantFrom(keyBytes(1n), keyBytes(CURVE_N - 1n)) },
);
const u128 = fc.bigInt({ min: 0n, max: 2n ** 128n });
const fields = fc
  .record({
    chainId: fc.integer({ min: 1, max: 2 ** 31 }),
    nonce: fc.integer({ min: 0, max: 2 ** 32 }),
    fees: fc.tuple(u128, u128),
    gas: fc.bigInt({ min: 21_000n, max: 30_000_000n }),
    to: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => bytesToHex(b)),
    value: u128,
    data: fc.uint8Array({ maxLength: 600 }),
    dataAsHex: fc.boolean(),
  })
  .map(({ fees: [a, b], data, dataAsHex, ...rest }) => ({
    ...rest,
    // viem refuses a tip above the fee cap, so keep the pair ordered.
    maxPriorityFeePerGas: a < b ? a : b,
    maxFeePerGas: a < b ? b : a,
    data: dataAsHex ? bytesToHex(data) : data,
  }));

function viemSign(tx: Eip1559Fields, key: Uint8Array): Promise<Hex> {
  return privateKeyToAccount(bytesToHex(key)).signTransaction({
    type: 'eip1559',
    chainId: tx.chainId,
    nonce: tx.nonce,
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
    maxFeePerGas: tx.maxFeePerGas,
    gas: tx.gas,
    to: tx.to,
    value: tx.value,
    data: typeof tx.data === 'string' ? tx.data : bytesToHex(tx.data),
  });
}

const TRANSFER: Eip1559Fields = {
  chainId: 412346,
  nonce: 0,
  maxPriorityFeePerGas: 0n,
  maxFeePerGas: 100_000_000n,
  gas: 21_000n,
  to: '0x3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E',
  value: 1n,
  data: new Uint8Array(0),
};
const DEV_KEY = keyBytes(0xb6b15c8cb491557369f3c7d2c287b053eb229daa9c22138887752191c9520659n);

describe('signEip1559', () => {
  it('uses the native backend where the secp256k1 package ships a prebuild', () => {
    const prebuilt = ['linux-x64', 'darwin-arm64', 'win32-x64'].includes(`${process.platform}-${process.arch}`);
    if (!prebuilt) return;
    expect(nativeSignerUnavailableReason()).toBeUndefined();
    expect(signerBackend()).toBe('native');
  });

  for (const backend of BACKENDS) {
    it(`${backend}: gives viem's exact bytes and keccak256 hash for random keys and fields`, async () => {
      await fc.assert(
        fc.asyncProperty(privateKey, fields, async (key, tx) => {
          const signed = signEip1559(tx, key, backend);
          const expected = await viemSign(tx, key);
          expect(signed.rawHex).toBe(expected);
          expect(bytesToHex(signed.raw)).toBe(expected);
          expect(signed.hash).toBe(keccak256(expected));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('signs what viem parses back and recovers to the signer', async () => {
    await fc.assert(
      fc.asyncProperty(privateKey, fields, fc.constantFrom(...BACKENDS), async (key, tx, backend) => {
        const { rawHex } = signEip1559(tx, key, backend);
        const parsed = parseTransaction(rawHex);
        expect(parsed.type).toBe('eip1559');
        expect(parsed.chainId).toBe(tx.chainId);
        expect(parsed.nonce).toBe(tx.nonce);
        expect(parsed.gas).toBe(tx.gas);
        expect(parsed.to).toBe(tx.to);
        // viem leaves zero-valued fields out when parsing.
        expect(parsed.value ?? 0n).toBe(tx.value);
        expect(parsed.maxFeePerGas ?? 0n).toBe(tx.maxFeePerGas);
        expect(parsed.maxPriorityFeePerGas ?? 0n).toBe(tx.maxPriorityFeePerGas);
        expect(parsed.data ?? '0x').toBe(typeof tx.data === 'string' ? tx.data : bytesToHex(tx.data));
        expect(parsed.s === undefined ? undefined : BigInt(parsed.s) <= CURVE_N / 2n).toBe(true);
        const address = await recoverTransactionAddress({ serializedTransaction: rawHex as `0x02${string}` });
        expect(address).toBe(privateKeyToAccount(bytesToHex(key)).address);
      }),
      { numRuns: 60 },
    );
  });

  it("encodes RLP's single-byte and length-boundary cases as viem does", async () => {
    const cases: Partial<Eip1559Fields>[] = [
      { data: new Uint8Array([0x00]) },
      { data: new Uint8Array([0x7f]) },
      { data: new Uint8Array([0x80]) },
      { data: '0x7f' },
      { data: '0x80' },
      { data: new Uint8Array(55) },
      { data: new Uint8Array(56) },
      { data: new Uint8Array(255) },
      { data: new Uint8Array(256) },
      { data: new Uint8Array(70_000).fill(0xab) },
      { nonce: 0x7f },
      { nonce: 0x80 },
      { nonce: Number.MAX_SAFE_INTEGER },
      { value: 0x7fn },
      { value: 0x80n },
      { value: 2n ** 53n - 1n },
      { value: 2n ** 53n },
      { value: 2n ** 256n - 1n, maxFeePerGas: 2n ** 256n - 1n },
      { chainId: 1 },
      { chainId: 0x80 },
      { to: '0x0000000000000000000000000000000000000000' },
    ];
    for (const change of cases) {
      const tx = { ...TRANSFER, ...change };
      const expected = await viemSign(tx, DEV_KEY);
      for (const backend of BACKENDS) expect(signEip1559(tx, DEV_KEY, backend).rawHex).toBe(expected);
    }
  });

  it('accepts a checksummed or upper-case address and hex data', async () => {
    const expected = await viemSign(TRANSFER, DEV_KEY);
    expect(signEip1559({ ...TRANSFER, to: TRANSFER.to.toLowerCase() as Hex }, DEV_KEY).rawHex).toBe(expected);
    expect(signEip1559({ ...TRANSFER, to: `0x${TRANSFER.to.slice(2).toUpperCase()}` }, DEV_KEY).rawHex).toBe(expected);
    expect(signEip1559({ ...TRANSFER, data: '0x' }, DEV_KEY).rawHex).toBe(expected);
  });

  it('rejects fields it cannot encode', () => {
    const bad: [string, Partial<Eip1559Fields>][] = [
      ['chainId', { chainId: 0 }],
      ['nonce', { nonce: -1 }],
      ['nonce', { nonce: 1.5 }],
      ['value', { value: -1n }],
      ['maxFeePerGas', { maxFeePerGas: 2n ** 256n }],
      ['to', { to: '0x1234' }],
      ['to', { to: `0x${'zz'.repeat(20)}` }],
      ['data', { data: '0x123' }],
      ['data', { data: '0xgg' }],
    ];
    for (const [name, change] of bad) {
      expect(() => signEip1559({ ...TRANSFER, ...change }, DEV_KEY), name).toThrow(name);
    }
    expect(() => signEip1559(TRANSFER, new Uint8Array(31))).toThrow('32 bytes');
    for (const backend of BACKENDS) {
      expect(() => signEip1559(TRANSFER, new Uint8Array(32), backend), backend).toThrow();
      expect(() => signEip1559(TRANSFER, keyBytes(CURVE_N), backend), backend).toThrow();
    }
  });
});

describe('keccak256Bytes', () => {
  it('equals @noble/hashes keccak_256 across block boundaries', () => {
    for (let length = 0; length <= 3 * 136 + 1; length++) {
      const input = new Uint8Array(length).map((_, i) => (i * 131 + length) & 0xff);
      expect(bytesToHex(keccak256Bytes(input)), `length ${length}`).toBe(bytesToHex(keccak_256(input)));
    }
    expect(bytesToHex(keccak256Bytes(new Uint8Array(0)))).toBe(
      '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    );
  });
});
