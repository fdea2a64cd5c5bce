// GasHammer's HD accounts: the addresses are the ones every other BIP-32 tool derives at the
// GasHammer path (checked against viem's mnemonicToAccount, computed independently here), the
// keys match the addresses, derivation is fast, and two edges never share an account.

import { inspect } from 'node:util';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { bytesToHex } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { compileScenario } from '../../src/scenario/compile.js';
import { clearRegisteredSecrets, redact } from '../../src/util/redact.js';
import {
  accountPath,
  clearAccountCaches,
  deriveAccounts,
  deriveEdgeAccounts,
  GASHAMMER_DERIVATION_BASE,
  MAX_ACCOUNT_INDEX,
  normaliseDerivationPath,
  parseDerivationPath,
} from '../../src/workload/accounts.js';
import { isGasHammerError } from '../../src/errors/gashammer-error.js';
import { loadOk, withBase } from '../support/scenario.js';

const TEST_MNEMONIC = 'test test test test test test test test test test test junk';
/** m/44'/60'/0'/0'/18248/0 of the test mnemonic, pinned: a change of path or library shows here. */
const GH_ACCOUNT_0 = '0x3c05e49Ae34935a4Db0C63F4f269AC50fE9741a5';
/** A valid 12-word phrase that is not the public one (BIP-39 test vector "legal winner ..."). */
const OTHER_MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('deriveAccounts', () => {
  it("derives the addresses viem derives at m/44'/60'/0'/0'/18248/i (known answers)", () => {
    const accounts = deriveAccounts({ mnemonic: TEST_MNEMONIC, first: 0, count: 3 });
    expect(accounts.map((a) => a.index)).toEqual([0, 1, 2]);
    for (const a of accounts) {
      const expected = mnemonicToAccount(TEST_MNEMONIC, { path: `m/44'/60'/0'/0'/18248/${a.index}` }).address;
      expect(a.address).toBe(expected);
    }
    expect(accounts[0]!.address).toBe(GH_ACCOUNT_0);
    // Not the usual m/44'/60'/0'/0/0 account (anvil's prefunded faucet).
    expect(accounts[0]!.address).not.toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
  });

  it('gives each account the key of its address, checksummed', () => {
    for (const a of deriveAccounts({ mnemonic: TEST_MNEMONIC, first: 5, count: 3 })) {
      expect(a.privateKey).toBeInstanceOf(Uint8Array);
      expect(a.privateKey.length).toBe(32);
      expect(privateKeyToAccount(bytesToHex(a.privateKey)).address).toBe(a.address);
      expect(a.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
      expect(a.address).not.toBe(a.address.toLowerCase());
    }
  });

  it("computes each child key exactly as @scure/bip32's deriveChild does", () => {
    const base = HDKey.fromMasterSeed(mnemonicToSeedSync(TEST_MNEMONIC)).derive(GASHAMMER_DERIVATION_BASE);
    const indexes = [...Array.from({ length: 64 }, (_, i) => i), 18_248, 1_000_003, MAX_ACCOUNT_INDEX - 1, MAX_ACCOUNT_INDEX];
    for (const index of indexes) {
      const [a] = deriveAccounts({ mnemonic: TEST_MNEMONIC, first: index, count: 1 });
      expect(bytesToHex(a!.privateKey), `index ${index}`).toBe(bytesToHex(base.deriveChild(index).privateKey!));
    }
  });

  it('derives a range starting anywhere: accounts 7..9 are the same whether derived alone or in a longer run', () => {
    const long = deriveAccounts({ mnemonic: TEST_MNEMONIC, first: 0, count: 10 });
    const short = deriveAccounts({ mnemonic: TEST_MNEMONIC, first: 7, count: 3 });
    expect(short.map((a) => a.address)).toEqual(long.slice(7).map((a) => a.address));
    expect(short.map((a) => a.index)).toEqual([7, 8, 9]);
  });

  it('accepts the base written with a hex segment (0x4748) and gives the same accounts', () => {
    expect(normaliseDerivationPath("m/44'/60'/0'/0'/0x4748")).toBe(GASHAMMER_DERIVATION_BASE);
    expect(parseDerivationPath("m/44'/60'/0'/0'/0x4748")).toEqual([0x8000_002c, 0x8000_003c, 0x8000_0000, 0x8000_0000, 18248]);
    const hex = deriveAccounts({ mnemonic: TEST_MNEMONIC, derivationBase: "m/44'/60'/0'/0'/0x4748", first: 0, count: 2 });
    const dec = deriveAccounts({ mnemonic: TEST_MNEMONIC, first: 0, count: 2 });
    expect(hex.map((a) => a.address)).toEqual(dec.map((a) => a.address));
    expect(accountPath(3, "m/44h/60h/0h/0h/0x4748")).toBe("m/44'/60'/0'/0'/18248/3");
  });

  it('derives other bases and mnemonics as viem does', () => {
    const [a] = deriveAccounts({ mnemonic: OTHER_MNEMONIC, derivationBase: "m/44'/60'/0'/0", first: 4, count: 1 });
    expect(a!.address).toBe(mnemonicToAccount(OTHER_MNEMONIC, { path: "m/44'/60'/0'/0/4" }).address);
    // Extra whitespace in the phrase does not change the accounts.
    const [b] = deriveAccounts({ mnemonic: `  ${OTHER_MNEMONIC.replace(/ /g, '   ')}\n`, derivationBase: "m/44'/60'/0'/0", first: 4, count: 1 });
    expect(b!.address).toBe(a!.address);
  });

  it('keeps the key out of logs and JSON: it is not enumerable', () => {
    const [a] = deriveAccounts({ mnemonic: TEST_MNEMONIC, first: 0, count: 1 });
    const hexKey = bytesToHex(a!.privateKey).slice(2);
    expect(Object.keys(a!)).toEqual(['index', 'address']);
    expect(JSON.stringify(a)).not.toContain('privateKey');
    expect(inspect(a, { depth: 5 })).not.toContain('privateKey');
    expect(JSON.stringify(a)).not.toContain(hexKey);
  });

  it('derives 1,000 accounts well under a second, the seed computed once', () => {
    clearAccountCaches();
    const started = performance.now();
    const accounts = deriveAccounts({ mnemonic: TEST_MNEMONIC, first: 0, count: 1_000 });
    const elapsedMs = performance.now() - started;
    expect(accounts).toHaveLength(1_000);
    expect(new Set(accounts.map((a) => a.address)).size).toBe(1_000);
    console.log(`derived 1,000 accounts in ${elapsedMs.toFixed(0)} ms (cold: PBKDF2 seed and base node included)`);
    expect(elapsedMs).toBeLessThan(2_000);
    // Warm: the seed and base node are cached, only the children are derived.
    const again = performance.now();
    deriveAccounts({ mnemonic: TEST_MNEMONIC, first: 1_000, count: 100 });
    expect(performance.now() - again).toBeLessThan(500);
  });

  it("gives two edges of a plan disjoint, contiguous account ranges", () => {
    const plan = compileScenario(loadOk(withBase({ edges: { count: 2, accounts_per_edge: 40 } })));
    const [e0, e1] = plan.edges;
    expect(plan.accountDerivationBase).toBe(GASHAMMER_DERIVATION_BASE);
    const a0 = deriveEdgeAccounts(e0!, TEST_MNEMONIC, plan.accountDerivationBase);
    const a1 = deriveEdgeAccounts(e1!, TEST_MNEMONIC, plan.accountDerivationBase);
    expect(a0.map((a) => a.index)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(a1.map((a) => a.index)).toEqual(Array.from({ length: 40 }, (_, i) => 40 + i));
    const addresses0 = new Set(a0.map((a) => a.address));
    expect(a1.filter((a) => addresses0.has(a.address))).toEqual([]);
  });

  it('derives nothing for count 0 and refuses ranges past the last non-hardened index', () => {
    expect(deriveAccounts({ mnemonic: TEST_MNEMONIC, first: 3, count: 0 })).toEqual([]);
    const last = deriveAccounts({ mnemonic: TEST_MNEMONIC, first: MAX_ACCOUNT_INDEX, count: 1 });
    expect(last[0]!.index).toBe(MAX_ACCOUNT_INDEX);
    for (const [first, count] of [[MAX_ACCOUNT_INDEX, 2], [-1, 1], [0.5, 1], [0, -1]] as const) {
      const e = caught(() => deriveAccounts({ mnemonic: TEST_MNEMONIC, first, count }));
      expect(isGasHammerError(e) && e.code, `${first}+${count}`).toBe('GH-E400');
    }
  });

  it.each([
    ["44'/60'", 'does not start with m/'],
    ["m/44'/x/0", 'invalid segment "x"'],
    ['m/2147483648', 'above 2147483647'],
    ['m/0x80000000', 'above 2147483647'],
    ["m/44''", 'invalid segment'],
  ])('refuses the derivation base %s with GH-E400', (base, words) => {
    const e = caught(() => deriveAccounts({ mnemonic: TEST_MNEMONIC, derivationBase: base, first: 0, count: 1 }));
    expect(isGasHammerError(e) && e.code).toBe('GH-E400');
    expect((e as Error).message).toContain(words);
  });

  it('refuses an invalid mnemonic with GH-E400 without showing it, and registers a real one as secret', () => {
    clearRegisteredSecrets();
    const bad = 'legal winner thank year wave sausage worth useful legal winner thank thank';
    const e = caught(() => deriveAccounts({ mnemonic: bad, first: 0, count: 1 }));
    expect(isGasHammerError(e) && e.code).toBe('GH-E400');
    const shown = `${(e as Error).message}\n${isGasHammerError(e) ? e.render() : ''}\n${inspect(e, { depth: 10 })}`;
    for (const word of ['legal', 'winner', 'sausage']) expect(shown).not.toContain(word);
    expect(shown).toContain('12 word(s)');

    deriveAccounts({ mnemonic: OTHER_MNEMONIC, first: 0, count: 1 });
    expect(redact(`mnemonic: ${OTHER_MNEMONIC}`)).toBe('mnemonic: ***');
    // The public test mnemonic is no secret: it stays readable.
    deriveAccounts({ mnemonic: TEST_MNEMONIC, first: 0, count: 1 });
    expect(redact(TEST_MNEMONIC)).toBe(TEST_MNEMONIC);
    clearRegisteredSecrets();
  });
});
