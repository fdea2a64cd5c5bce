// GasHammer's load accounts: BIP-32 children m/44'/60'/0'/0'/18248/{index} of one BIP-39
// mnemonic (18248 = 0x4748, "GH"; a BIP-32 path cannot hold hex, so the marker is written in
// decimal). An edge derives up to 10,000 of them at start-up, so the PBKDF2 seed (~70 ms) and
// the base node are computed once per process, where viem's mnemonicToAccount would redo PBKDF2
// for every account (~10 ms each). The children are BIP-32's CKDpriv step done with the native
// secp256k1 binding: @scure/bip32's deriveChild computes the same key but with a pure-JS point
// multiplication and hash160 we do not need, about 6x slower (0.4-0.6 ms per account here).
// Edge i owns [firstAccount, firstAccount + accountCount) of the run plan: ranges never overlap,
// so no two edges ever send from one account (Nitro rejects the nonce gaps that would follow).

import { createHash, createHmac } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english';
import secp256k1 from 'secp256k1';
import { bytesToHex, checksumAddress, type Address } from 'viem';
import { TEST_MNEMONIC } from '../config/schema.js';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { ACCOUNT_DERIVATION_BASE, type EdgePlan } from '../scenario/compile.js';
import { registerSecret } from '../util/redact.js';

/** The default base path; accounts are its non-hardened children. */
export const GASHAMMER_DERIVATION_BASE = ACCOUNT_DERIVATION_BASE;
/** BIP-32 indexes at or above this are hardened. */
const HARDENED_OFFSET = 0x8000_0000;
/** The highest account index: accounts are non-hardened children, so below HARDENED_OFFSET. */
export const MAX_ACCOUNT_INDEX = HARDENED_OFFSET - 1;

export interface GasHammerAccount {
  /** Child index under the derivation base; also the account's number in the run plan. */
  readonly index: number;
  /** EIP-55 checksummed. */
  readonly address: Address;
  /**
   * 32-byte secp256k1 key. Not enumerable, so logging or JSON-serialising an account never
   * prints its key; read it explicitly.
   */
  readonly privateKey: Uint8Array;
}

export interface DeriveAccountsOptions {
  /** BIP-39 phrase; secret unless it is the public test mnemonic. */
  readonly mnemonic: string;
  /** Base path; segments in decimal or 0x hex, ' (or h) for hardened. Default GasHammer's. */
  readonly derivationBase?: string;
  /** First account index. */
  readonly first: number;
  /** Number of accounts, from `first` on. */
  readonly count: number;
}

// ---------------------------------------------------------------------------------------------
// Paths

function derivationError(message: string, hint?: string): GasHammerError {
  return new GasHammerError(ErrorCodes.AccountDerivation, message, hint === undefined ? {} : { hint });
}

/**
 * The child indexes of a BIP-32 path (hardened ones with HARDENED_OFFSET added). Segments may be
 * decimal or 0x hex — `m/44'/60'/0'/0'/0x4748` is the GasHammer base — and hardened by ' or h.
 */
export function parseDerivationPath(path: string): number[] {
  const segments = path.trim().split('/');
  if (segments[0] !== 'm' && segments[0] !== 'M') {
    throw derivationError(`derivation path "${path}" does not start with m/`, "write it like m/44'/60'/0'/0'/18248");
  }
  return segments.slice(1).map((segment) => {
    const m = /^(?:(0[xX][0-9a-fA-F]+)|([0-9]+))(['hH]?)$/.exec(segment);
    if (!m) throw derivationError(`derivation path "${path}" has an invalid segment "${segment}"`, "each segment is a decimal or 0x hex number, with ' for hardened");
    const value = Number(m[1] ?? m[2]);
    if (!(value <= MAX_ACCOUNT_INDEX)) {
      throw derivationError(`derivation path "${path}": segment "${segment}" is above ${MAX_ACCOUNT_INDEX}`, "mark hardened segments with ', do not add 0x80000000 yourself");
    }
    return m[3] ? value + HARDENED_OFFSET : value;
  });
}

/** The path in canonical form: decimal segments, ' for hardened (what BIP-32 tools expect). */
export function normaliseDerivationPath(path: string): string {
  return 'm' + parseDerivationPath(path).map((i) => (i >= HARDENED_OFFSET ? `/${i - HARDENED_OFFSET}'` : `/${i}`)).join('');
}

/** Full path of one account, e.g. m/44'/60'/0'/0'/18248/7. */
export function accountPath(index: number, derivationBase: string = GASHAMMER_DERIVATION_BASE): string {
  return `${normaliseDerivationPath(derivationBase)}/${index}`;
}

// ---------------------------------------------------------------------------------------------
// Seeds and base nodes, cached per process

/** Single spaces, no edge whitespace: the form BIP-39 validates and the config loader stores. */
function normaliseMnemonic(mnemonic: string): string {
  return mnemonic.trim().split(/\s+/).join(' ');
}

/**
 * Keyed by a hash of the phrase, so the cache does not keep the phrase itself. The seed is as
 * secret as the phrase; it never leaves this module except inside derived keys.
 */
const seeds = new Map<string, Uint8Array>();
const baseNodes = new Map<string, HDKey>();

function seedKey(mnemonic: string): string {
  return createHash('sha256').update('gashammer/v1/mnemonic\0').update(mnemonic).digest('hex');
}

function seedFor(mnemonic: string): { key: string; seed: Uint8Array } {
  const key = seedKey(mnemonic);
  let seed = seeds.get(key);
  if (seed === undefined) {
    if (!validateMnemonic(mnemonic, english)) {
      const words = mnemonic === '' ? 0 : mnemonic.split(' ').length;
      // Never the phrase or a word of it: it is a secret.
      throw derivationError(
        `the mnemonic is not a valid BIP-39 phrase (${words} word(s); the value is secret and not shown)`,
        '12, 15, 18, 21 or 24 words from the English BIP-39 list, with a valid checksum',
      );
    }
    seed = mnemonicToSeedSync(mnemonic);
    seeds.set(key, seed);
  }
  return { key, seed };
}

function baseNodeFor(mnemonic: string, derivationBase: string): HDKey {
  const path = normaliseDerivationPath(derivationBase);
  const { key, seed } = seedFor(mnemonic);
  const cacheKey = `${key}|${path}`;
  let node = baseNodes.get(cacheKey);
  if (node === undefined) {
    node = HDKey.fromMasterSeed(seed);
    for (const index of parseDerivationPath(path)) node = node.deriveChild(index);
    baseNodes.set(cacheKey, node);
  }
  return node;
}

/** For tests and benchmarks: forget cached seeds and base nodes (the next derivation is cold). */
export function clearAccountCaches(): void {
  seeds.clear();
  baseNodes.clear();
}

// ---------------------------------------------------------------------------------------------
// Accounts

/** Address of an uncompressed secp256k1 public key (0x04 ‖ x ‖ y): keccak256(x ‖ y), last 20 bytes. */
function addressOf(uncompressedPublicKey: Uint8Array): Address {
  return checksumAddress(bytesToHex(keccak_256(uncompressedPublicKey.subarray(1)).subarray(12)));
}

/**
 * BIP-32 CKDpriv for a non-hardened child: I = HMAC-SHA512(chain code, serP(K) ‖ ser32(i)),
 * k_i = IL + k mod n. Returns null in the 2^-127 case BIP-32 says to skip (IL >= n or k_i = 0).
 */
function childKey(base: HDKey, index: number): Uint8Array | null {
  const data = new Uint8Array(37);
  data.set(base.publicKey!, 0);
  new DataView(data.buffer).setUint32(33, index, false);
  const i = createHmac('sha512', base.chainCode!).update(data).digest();
  try {
    // privateKeyTweakAdd works in place: give it a copy of the parent key.
    return secp256k1.privateKeyTweakAdd(Uint8Array.from(base.privateKey!), i.subarray(0, 32));
  } catch {
    return null;
  }
}

function account(index: number, address: Address, privateKey: Uint8Array): GasHammerAccount {
  const a = { index, address } as GasHammerAccount;
  Object.defineProperty(a, 'privateKey', { value: privateKey, enumerable: false });
  return Object.freeze(a);
}

function checkRange(first: number, count: number): void {
  if (!Number.isSafeInteger(first) || first < 0) throw derivationError(`the first account index must be a whole number >= 0, got ${first}`);
  if (!Number.isSafeInteger(count) || count < 0) throw derivationError(`the account count must be a whole number >= 0, got ${count}`);
  if (count > 0 && first + count - 1 > MAX_ACCOUNT_INDEX) {
    throw derivationError(`accounts ${first}..${first + count - 1} go past the last BIP-32 index ${MAX_ACCOUNT_INDEX}`);
  }
}

/**
 * Accounts first..first+count-1 under the base path, in index order. The first call for a
 * mnemonic pays for PBKDF2 and the base node; later calls only for their accounts.
 */
export function deriveAccounts(options: DeriveAccountsOptions): GasHammerAccount[] {
  const { first, count } = options;
  checkRange(first, count);
  const mnemonic = normaliseMnemonic(options.mnemonic);
  if (mnemonic !== TEST_MNEMONIC) {
    registerSecret(options.mnemonic);
    registerSecret(mnemonic);
  }
  const base = baseNodeFor(mnemonic, options.derivationBase ?? GASHAMMER_DERIVATION_BASE);
  const out: GasHammerAccount[] = new Array<GasHammerAccount>(count);
  for (let i = 0; i < count; i++) {
    const index = first + i;
    const key = childKey(base, index);
    // BIP-32's skip case (an invalid child key): fail rather than hand another index's key out
    // under this one's name, as @scure/bip32's deriveChild would.
    if (key === null) throw derivationError(`account ${index} has no valid key under this mnemonic and path (BIP-32 says: skip it)`);
    out[i] = account(index, addressOf(secp256k1.publicKeyCreate(key, false)), key);
  }
  return out;
}

/** The accounts an edge of the run plan owns: [firstAccount, firstAccount + accountCount). */
export function deriveEdgeAccounts(
  edge: Pick<EdgePlan, 'firstAccount' | 'accountCount'>,
  mnemonic: string,
  derivationBase: string = GASHAMMER_DERIVATION_BASE,
): GasHammerAccount[] {
  return deriveAccounts({ mnemonic, derivationBase, first: edge.firstAccount, count: edge.accountCount });
}
