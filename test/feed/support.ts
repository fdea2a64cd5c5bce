// Helpers for feed tests: real signed transactions (viem) of the three types a Nitro sequencer
// accepts, random via fast-check, and byte helpers.

import fc from 'fast-check';
import { bytesToHex, hexToBytes, keccak256, type Hex, type TransactionSerializable } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/** Public dev keys (Nitro dev node; anvil's first account). */
export const KEYS: readonly Hex[] = [
  '0xb6b15c8cb491557369f3c7d2c287b053eb229daa9c22138887752191c9520659',
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcb8c3a2a27bd5d3b8',
];

export interface SignedTx {
  readonly raw: Uint8Array;
  readonly serialized: Hex;
  /** keccak256 of the serialized transaction, computed by viem: the on-chain hash. */
  readonly hash: Hex;
}

export interface UnsignedTx {
  readonly key: Hex;
  readonly tx: TransactionSerializable;
}

const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => bytesToHex(b));
const storageKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b));
const data = fc.uint8Array({ maxLength: 300 }).map((b) => bytesToHex(b));
const wei = fc.bigInt({ min: 0n, max: 2n ** 96n });
const common = {
  key: fc.constantFrom(...KEYS),
  chainId: fc.constantFrom(412346, 42161, 421614, 1),
  nonce: fc.nat({ max: 2 ** 32 }),
  gas: fc.bigInt({ min: 21_000n, max: 2n ** 50n }),
  to: fc.option(address, { nil: undefined }),
  value: wei,
  data,
};
const accessList = fc.array(fc.record({ address, storageKeys: fc.array(storageKey, { maxLength: 3 }) }), { maxLength: 3 });

const legacy: fc.Arbitrary<UnsignedTx> = fc.record({ ...common, gasPrice: wei }).map(({ key, ...tx }) => ({ key, tx: { type: 'legacy', ...tx } }));
const eip2930: fc.Arbitrary<UnsignedTx> = fc
  .record({ ...common, gasPrice: wei, accessList })
  .map(({ key, ...tx }) => ({ key, tx: { type: 'eip2930', ...tx } }));
const eip1559: fc.Arbitrary<UnsignedTx> = fc
  .record({ ...common, maxFeePerGas: wei, tipShare: fc.bigInt({ min: 0n, max: 100n }), accessList })
  .map(({ key, tipShare, ...tx }) => ({
    key,
    tx: { type: 'eip1559', ...tx, maxPriorityFeePerGas: (tx.maxFeePerGas * tipShare) / 100n },
  }));

/** A random unsigned transaction of one of the three types, with the key to sign it. */
export const unsignedTx: fc.Arbitrary<UnsignedTx> = fc.oneof(legacy, eip2930, eip1559);

export async function sign({ key, tx }: UnsignedTx): Promise<SignedTx> {
  const serialized = await privateKeyToAccount(key).signTransaction(tx);
  return { raw: hexToBytes(serialized), serialized, hash: keccak256(serialized) };
}

export async function signAll(txs: readonly UnsignedTx[]): Promise<SignedTx[]> {
  return Promise.all(txs.map(sign));
}

/** A fixed EIP-1559 transfer, for tests that need one transaction and not a random one. */
export function transfer(nonce: number, dataBytes = 0): UnsignedTx {
  return {
    key: KEYS[0] as Hex,
    tx: {
      type: 'eip1559',
      chainId: 412346,
      nonce,
      gas: 100_000n,
      maxFeePerGas: 100_000_000n,
      maxPriorityFeePerGas: 0n,
      to: '0x3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E',
      value: 1n,
      data: bytesToHex(new Uint8Array(dataBytes).fill(0xab)),
    },
  };
}

export function concat(...parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** uint64 big-endian. */
export function u64(n: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

/** A batch of the given segments: `0x03 ‖ (u64(len) ‖ segment)*`. */
export function batch(...segments: readonly Uint8Array[]): Uint8Array {
  return concat([3], ...segments.flatMap((s) => [u64(s.length), s]));
}

/** A signed-transaction segment: `0x04 ‖ tx`. */
export function signedTxSegment(tx: Uint8Array): Uint8Array {
  return concat([4], tx);
}

export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
