// Template builders and the template picker, offline: every builder's calldata decodes with the
// target contract's ABI once the GHMR marker is stripped, carries the marker where GasHammer
// puts it, takes its random parts from the PRNG (the same seed gives byte-identical intents),
// and is fast enough to run per transaction; the picker's shares match the mix's probabilities.

import { describe, expect, it } from 'vitest';
import { decodeFunctionData, getAddress, hexToBytes, type Abi, type Address, type Hex } from 'viem';
import { GasBurner, GasHammerToken, StorageWriter } from '../../src/devnet/contract-artifacts.js';
import type { TestContracts } from '../../src/devnet/contracts.js';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { edgeStreamSeed } from '../../src/scenario/compile.js';
import { createPrng, type Prng } from '../../src/workload/prng.js';
import { TEMPLATE_CATALOG, TEMPLATE_NAMES, type TemplateName, type TemplateParams } from '../../src/workload/template-catalog.js';
import { createTemplatePicker } from '../../src/workload/template-picker.js';
import {
  buildTxIntent,
  CALLDATA_MARKER,
  carriesCalldataMarker,
  TEMPLATE_BUILDERS,
  type TemplateCalibration,
  type TemplateContext,
  type TxIntent,
} from '../../src/workload/templates.js';

const SEED = edgeStreamSeed(7n, 0);
const SENDER: Address = '0x1111111111111111111111111111111111111111';
const RECIPIENT: Address = getAddress('0xabcdef0123456789abcdef0123456789abcdef01');
const CONTRACTS: TestContracts = {
  token: '0x00000000000000000000000000000000000a0001',
  storageWriter: '0x00000000000000000000000000000000000a0002',
  gasBurner: '0x00000000000000000000000000000000000a0003',
  counter: '0x00000000000000000000000000000000000a0004',
  reverter: '0x00000000000000000000000000000000000a0005',
  contentionTarget: '0x00000000000000000000000000000000000a0006',
  eventEmitter: '0x00000000000000000000000000000000000a0007',
};
const CALIBRATION: TemplateCalibration = { gasLimit: 123_456n, computeGas: 100_000n };

function ctx(prng: Prng, params: TemplateParams = {}, overrides: Partial<TemplateContext> = {}): TemplateContext {
  return { prng, sender: SENDER, recipient: RECIPIENT, contracts: CONTRACTS, params, calibration: CALIBRATION, ...overrides };
}

function build(template: TemplateName, params: TemplateParams = {}, prng: Prng = createPrng(SEED)): TxIntent {
  return buildTxIntent(template, ctx(prng, params));
}

/** The call without its 4 trailing marker bytes, decoded with the contract's ABI. */
function decodeCall(abi: Abi, data: Hex): { functionName: string; args: readonly unknown[] } {
  expect(data.endsWith(CALLDATA_MARKER.slice(2))).toBe(true);
  const decoded = decodeFunctionData({ abi, data: data.slice(0, -8) as Hex });
  return { functionName: decoded.functionName, args: decoded.args ?? [] };
}

describe('CALLDATA_MARKER', () => {
  it('is GHMR', () => {
    expect(Buffer.from(hexToBytes(CALLDATA_MARKER)).toString('latin1')).toBe('GHMR');
  });
});

describe('builders', () => {
  it('simple-transfer sends value_wei to the recipient with no calldata', () => {
    const tx = build('simple-transfer', { value_wei: 12_345n });
    expect(tx).toEqual({ template: 'simple-transfer', to: RECIPIENT, value: 12_345n, data: '0x', gasLimit: 123_456n, computeGas: 100_000n });
    expect(build('simple-transfer').value).toBe(TEMPLATE_CATALOG['simple-transfer'].defaults.value_wei);
  });

  it('noop sends nothing to the sender itself', () => {
    expect(build('noop')).toEqual({ template: 'noop', to: SENDER, value: 0n, data: '0x', gasLimit: 123_456n, computeGas: 100_000n });
  });

  it('erc20-transfer calls token.transfer(recipient, amount)', () => {
    const tx = build('erc20-transfer', { amount: 10n ** 24n });
    expect(tx.to).toBe(CONTRACTS.token);
    expect(tx.value).toBe(0n);
    expect(decodeCall(GasHammerToken.abi, tx.data)).toEqual({ functionName: 'transfer', args: [RECIPIENT, 10n ** 24n] });
  });

  it('erc20-approve calls token.approve(recipient, amount)', () => {
    const tx = build('erc20-approve', { amount: 5n });
    expect(tx.to).toBe(CONTRACTS.token);
    expect(decodeCall(GasHammerToken.abi, tx.data)).toEqual({ functionName: 'approve', args: [RECIPIENT, 5n] });
    expect(decodeCall(GasHammerToken.abi, build('erc20-approve').data).args[1]).toBe(TEMPLATE_CATALOG['erc20-approve'].defaults.amount);
  });

  it('storage-write writes a PRNG slot with a PRNG value, never zero', () => {
    const prng = createPrng(SEED);
    const tx = build('storage-write', {}, prng);
    expect(tx.to).toBe(CONTRACTS.storageWriter);
    const { functionName, args } = decodeCall(StorageWriter.abi, tx.data);
    expect(functionName).toBe('write');
    const bytes = createPrng(SEED).nextBytes(64);
    bytes[63]! |= 1;
    expect(args).toEqual([BigInt(`0x${Buffer.from(bytes.subarray(0, 32)).toString('hex')}`), BigInt(`0x${Buffer.from(bytes.subarray(32)).toString('hex')}`)]);
    // 16 draws: the stream continues where 64 bytes end.
    const reference = createPrng(SEED);
    reference.nextBytes(64);
    expect(prng.nextUint32()).toBe(reference.nextUint32());
  });

  it('storage-write-heavy writes `slots` slots from a PRNG slot below 2^255', () => {
    const prng = createPrng(SEED);
    const values = new Set<bigint>();
    for (let i = 0; i < 200; i++) {
      const tx = build('storage-write-heavy', { slots: 25 }, prng);
      expect(tx.to).toBe(CONTRACTS.storageWriter);
      const { functionName, args } = decodeCall(StorageWriter.abi, tx.data);
      expect(functionName).toBe('writeMany');
      const [first, count, value] = args as [bigint, bigint, bigint];
      expect(first < 2n ** 255n).toBe(true);
      expect(count).toBe(25n);
      expect(value % 2n).toBe(1n);
      values.add(first);
    }
    expect(values.size).toBe(200);
    expect(decodeCall(StorageWriter.abi, build('storage-write-heavy').data).args[1]).toBe(BigInt(TEMPLATE_CATALOG['storage-write-heavy'].defaults.slots!));
  });

  it('compute-heavy calls GasBurner.burn(iterations)', () => {
    const tx = build('compute-heavy', { iterations: 54_321 });
    expect(tx.to).toBe(CONTRACTS.gasBurner);
    expect(decodeCall(GasBurner.abi, tx.data)).toEqual({ functionName: 'burn', args: [54_321n] });
    expect(decodeCall(GasBurner.abi, build('compute-heavy').data).args).toEqual([BigInt(TEMPLATE_CATALOG['compute-heavy'].defaults.iterations!)]);
  });

  it('calldata-heavy sends size_bytes to the recipient: the marker, then PRNG bytes', () => {
    for (const size of [4, 5, 7, 8, 100, 4_096, 120_000]) {
      const tx = build('calldata-heavy', { size_bytes: size });
      expect(tx.to).toBe(RECIPIENT);
      expect(tx.value).toBe(0n);
      const bytes = hexToBytes(tx.data);
      expect(bytes.length).toBe(size);
      expect(tx.data.startsWith(CALLDATA_MARKER)).toBe(true);
      expect([...bytes.subarray(4)]).toEqual([...createPrng(SEED).nextBytes(size - 4)]);
    }
    expect(hexToBytes(build('calldata-heavy').data).length).toBe(TEMPLATE_CATALOG['calldata-heavy'].defaults.size_bytes);
  });

  it('every calldata carries the marker; transfers carry no calldata at all', () => {
    for (const name of TEMPLATE_NAMES) {
      const tx = build(name);
      if (name === 'simple-transfer' || name === 'noop') expect(tx.data).toBe('0x');
      else expect(carriesCalldataMarker(tx.data), name).toBe(true);
      expect(tx.template).toBe(name);
      expect(tx.gasLimit).toBe(CALIBRATION.gasLimit);
      expect(tx.computeGas).toBe(CALIBRATION.computeGas);
    }
    expect(carriesCalldataMarker('0x')).toBe(false);
    expect(carriesCalldataMarker('0xa9059cbb')).toBe(false);
  });

  it('encodes the recipient lowercased whatever its checksum case', () => {
    const lower = buildTxIntent('erc20-transfer', ctx(createPrng(SEED), {}, { recipient: RECIPIENT.toLowerCase() as Address }));
    expect(lower.data).toBe(build('erc20-transfer').data);
  });

  it('refuses parameters the schema would have refused', () => {
    const bad: [TemplateName, TemplateParams][] = [
      ['calldata-heavy', { size_bytes: 3 }],
      ['calldata-heavy', { size_bytes: 4.5 }],
      ['storage-write-heavy', { slots: 0 }],
      ['compute-heavy', { iterations: -1 }],
      ['erc20-transfer', { amount: 2n ** 256n }],
      ['erc20-approve', { amount: -1n }],
      ['simple-transfer', { value_wei: -1n }],
    ];
    for (const [name, params] of bad) expect(() => build(name, params), name).toThrow(GasHammerError);
    expect(() => buildTxIntent('erc20-transfer', ctx(createPrng(SEED), {}, { recipient: '0x1234' }))).toThrow(GasHammerError);
  });

  it('keeps parameter caches right when values change between calls', () => {
    const amounts = [1n, 2n, 1n, 3n, 3n];
    for (const amount of amounts) {
      expect(decodeCall(GasHammerToken.abi, build('erc20-transfer', { amount }).data).args[1]).toBe(amount);
    }
  });
});

describe('determinism', () => {
  const mix = TEMPLATE_NAMES.map((name) => ({ name, probability: 1 / TEMPLATE_NAMES.length }));

  function stream(seed: string, n: number): TxIntent[] {
    const prng = createPrng(seed);
    const picker = createTemplatePicker(mix);
    return Array.from({ length: n }, () => buildTxIntent(picker.pick(prng).name, ctx(prng, { size_bytes: 64, slots: 3 })));
  }

  it('the same seed gives byte-identical intents', () => {
    const a = stream(SEED, 500);
    const b = stream(SEED, 500);
    expect(b).toEqual(a);
    expect(new Set(a.map((t) => t.template)).size).toBe(TEMPLATE_NAMES.length);
  });

  it('another seed gives other intents', () => {
    const a = stream(SEED, 100).map((t) => t.data);
    const b = stream(edgeStreamSeed(7n, 1), 100).map((t) => t.data);
    expect(b).not.toEqual(a);
  });

  it('pins the first storage-write of a known seed', () => {
    expect(build('storage-write', {}, createPrng('0123456789abcdeffedcba9876543210')).data).toMatchInlineSnapshot(
      `"0x9c0e3f7a988499995f69666662f8e4ccdf8e69c6189c2595f7c659d6430a45e05234efddecf9086b86fd917af0d5a8be491936dbd02af56c43664417f3ab545c46cdf4a147484d52"`,
    );
  });
});

describe('speed', () => {
  // Builders run once per transaction. Like the engine, each build gets a fresh context and
  // another recipient, and the intents are kept (in a ring) so no work can be optimised away.
  // A million of each takes a few hundred ms here; the bound is loose for slow CI runners.
  const accounts = Array.from({ length: 100 }, (_, i) => getAddress(`0x${(i + 1).toString(16).padStart(40, 'a')}`));
  for (const name of ['simple-transfer', 'erc20-transfer'] as const) {
    it(`builds a million ${name} intents quickly`, () => {
      const prng = createPrng(SEED);
      const params: TemplateParams = { amount: 10n ** 18n, value_wei: 1n };
      const builder = TEMPLATE_BUILDERS[name];
      const ring = new Array<TxIntent>(1_024);
      const run = (n: number): number => {
        const started = performance.now();
        for (let i = 0; i < n; i++) {
          ring[i & 1_023] = builder({ prng, sender: accounts[i % 100]!, recipient: accounts[(i * 7 + 3) % 100]!, contracts: CONTRACTS, params, calibration: CALIBRATION });
        }
        return performance.now() - started;
      };
      run(50_000); // warm-up
      const ms = run(1_000_000);
      console.log(`${name}: 1,000,000 builds in ${ms.toFixed(0)} ms (${((ms * 1000) / 1_000_000).toFixed(3)} µs each)`);
      expect(ring.every((tx) => tx.template === name)).toBe(true);
      expect(ms).toBeLessThan(5_000);
    });
  }
});

describe('template picker', () => {
  const mix = [
    { name: 'simple-transfer', probability: 0.5 },
    { name: 'erc20-transfer', probability: 0.25 },
    { name: 'storage-write', probability: 0.15 },
    { name: 'compute-heavy', probability: 0.07 },
    { name: 'calldata-heavy', probability: 0.03 },
  ];

  it('matches the probabilities within 0.5 percentage points over a million picks', () => {
    const picker = createTemplatePicker(mix);
    const prng = createPrng(SEED);
    const counts = new Array<number>(mix.length).fill(0);
    const n = 1_000_000;
    for (let i = 0; i < n; i++) counts[picker.pickIndex(prng)]!++;
    mix.forEach((e, i) => expect(Math.abs(counts[i]! / n - e.probability), e.name).toBeLessThan(0.005));
  });

  it('matches an uneven mix of many templates, normalising weights that do not sum to 1', () => {
    const weights = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 0.5];
    const total = weights.reduce((s, w) => s + w, 0);
    const picker = createTemplatePicker(weights.map((probability) => ({ probability })));
    const prng = createPrng(SEED);
    const counts = new Array<number>(weights.length).fill(0);
    const n = 1_000_000;
    for (let i = 0; i < n; i++) counts[picker.pickIndex(prng)]!++;
    weights.forEach((w, i) => expect(Math.abs(counts[i]! / n - w / total)).toBeLessThan(0.005));
  });

  it('never picks a template of probability 0, and always picks a sole template', () => {
    const picker = createTemplatePicker([{ probability: 0 }, { probability: 1 }, { probability: 0 }]);
    const prng = createPrng(SEED);
    const picked = new Set(Array.from({ length: 10_000 }, () => picker.pickIndex(prng)));
    expect([...picked]).toEqual([1]);
    expect(createTemplatePicker([mix[0]!]).pick(prng)).toBe(mix[0]);
  });

  it('is deterministic per seed', () => {
    const picker = createTemplatePicker(mix);
    const seq = (seed: string) => {
      const prng = createPrng(seed);
      return Array.from({ length: 1_000 }, () => picker.pickIndex(prng));
    };
    expect(seq(SEED)).toEqual(seq(SEED));
    expect(seq(SEED)).not.toEqual(seq(edgeStreamSeed(7n, 1)));
  });

  it('refuses a mix nothing can be picked from', () => {
    for (const bad of [[], [{ probability: 0 }], [{ probability: -0.1 }, { probability: 1 }], [{ probability: Number.NaN }]]) {
      expect(() => createTemplatePicker(bad)).toThrow(GasHammerError);
    }
  });
});
