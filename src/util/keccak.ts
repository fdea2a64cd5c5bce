// Keccak-256 for hot paths: two hashes per signed transaction, one per transaction seen in the
// feed or in a block. @noble/hashes' keccak_256 costs ~9 us per hash here; the native `keccak`
// package (N-API prebuilds, like secp256k1's) ~2.5 us when its sponge is driven directly.
// Native when it loads and agrees with noble, noble otherwise.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3';
import type { Hex } from 'viem';

type Keccak256 = (input: Uint8Array) => Uint8Array;

interface NativeKeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Buffer;
}

/**
 * The keccak package's native sponge, used directly: its public API wraps every hash in a
 * stream object, which costs more than the hash. One state is reused (calls are synchronous).
 */
function loadNativeKeccak(): Keccak256 | undefined {
  try {
    const keccakDir = dirname(createRequire(import.meta.url).resolve('keccak/package.json'));
    const KeccakState = createRequire(join(keccakDir, 'package.json'))('node-gyp-build')(keccakDir) as new () => NativeKeccakState;
    const state = new KeccakState();
    const hash: Keccak256 = (input) => {
      state.initialize(1088, 512);
      state.absorb(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
      state.absorbLastFewBits(0x01);
      return state.squeeze(32);
    };
    // Checked against noble before it is trusted with signatures and hashes.
    const agrees = (probe: Uint8Array) => Buffer.from(hash(probe)).equals(Buffer.from(keccak_256(probe)));
    return agrees(new Uint8Array(0)) && agrees(Uint8Array.from({ length: 300 }, (_, i) => i & 0xff)) ? hash : undefined;
  } catch {
    return undefined;
  }
}

const keccak: Keccak256 = loadNativeKeccak() ?? ((input) => keccak_256(input));

/** keccak256 of `input`, as 32 bytes. */
export function keccak256Bytes(input: Uint8Array): Uint8Array {
  return keccak(input);
}

/** keccak256 of `input`, as 0x-hex. */
export function keccak256Hex(input: Uint8Array): Hex {
  const digest = keccak(input);
  return `0x${Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('hex')}`;
}
