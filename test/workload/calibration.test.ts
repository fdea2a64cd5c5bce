// Gas calibration. Against a real embedded devnet (anvil): all eight templates calibrate, one
// transaction of each, sent with its calibrated gas limit, succeeds and uses within 10% of the
// calibrated compute gas, the ERC-20 limit also covers a recipient's first tokens, and a
// template that reverts stops calibration with an error naming it. Against a mock Nitro node:
// the compute gas leaves out the L1 component NodeInterface reports. Offline: the static
// stand-in, the margin arithmetic, and templates listed twice.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFunctionData, encodeFunctionData, encodeFunctionResult, type Abi, type Address, type Hash, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { createRequire } from 'node:module';
import { jsonRpcCall } from '../../src/chain/json-rpc-call.js';
import { createRpcClient, type RpcClient, type TxReceipt } from '../../src/chain/rpc-client.js';
import { GasHammerToken } from '../../src/devnet/contract-artifacts.js';
import type { TestContracts } from '../../src/devnet/contracts.js';
import { startEmbeddedDevnet, type EmbeddedDevnet } from '../../src/devnet/embedded-devnet.js';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import {
  calibratedGasLimit,
  calibrateTemplates,
  COMPUTE_MARGIN_PERCENT,
  FRESH_SLOT_GAS,
  L1_MARGIN_PERCENT,
  NODE_INTERFACE_ADDRESS,
  STATIC_GAS_LIMIT_MULTIPLE,
  staticCalibration,
  type CalibratedTemplate,
} from '../../src/workload/calibration.js';
import { createPrng } from '../../src/workload/prng.js';
import { TEMPLATE_CATALOG, TEMPLATE_NAMES, type TemplateName } from '../../src/workload/template-catalog.js';
import { buildTxIntent, type TxIntent } from '../../src/workload/templates.js';
import { startMockNode, type JsonRpcCall, type MockNode } from '../chain/mock-node.js';

const ALL_TEMPLATES = TEMPLATE_NAMES.map((name) => ({ name, params: TEMPLATE_CATALOG[name].defaults }));
/** Well above the devnet's base fee. */
const MAX_FEE = 10_000_000_000n;
/** Fixed keys, so every run sees the same accounts (public, test-only). */
const sender = privateKeyToAccount(`0x${'5e'.repeat(32)}`);
const recipient = privateKeyToAccount(`0x${'4e'.repeat(32)}`).address;
const SENDER_TOKENS = 10n ** 24n;

function nodeInterfaceAbi(): Abi {
  const require = createRequire(import.meta.url);
  return (require('@arbitrum/nitro-contracts/build/contracts/src/node-interface/NodeInterface.sol/NodeInterface.json') as { abi: Abi }).abi;
}

async function rejection(p: Promise<unknown>): Promise<GasHammerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GasHammerError);
  return e as GasHammerError;
}

describe('on the embedded devnet', () => {
  let devnet: EmbeddedDevnet;
  let client: RpcClient;
  let calibration: Map<TemplateName, CalibratedTemplate>;

  interface Send {
    readonly to: Address;
    readonly value?: bigint;
    readonly data?: Hex;
    readonly gas: bigint;
  }

  /** Signs with consecutive nonces, sends each once (never retried), mines until every receipt is there. */
  async function sendAll(from: PrivateKeyAccount, txs: readonly Send[]): Promise<TxReceipt[]> {
    const first = await client.getTransactionCount(from.address, 'pending');
    const hashes: Hash[] = [];
    for (const [i, tx] of txs.entries()) {
      const raw = await from.signTransaction({
        type: 'eip1559',
        chainId: devnet.chainId,
        nonce: first + i,
        to: tx.to,
        value: tx.value ?? 0n,
        ...(tx.data === undefined ? {} : { data: tx.data }),
        gas: tx.gas,
        maxFeePerGas: MAX_FEE,
        maxPriorityFeePerGas: 1n,
      });
      hashes.push((await client.sendRawTransaction(raw)).hash);
    }
    // evm_mine includes whatever is pending now: no waiting for the block interval.
    for (let attempt = 0; attempt < 20; attempt++) {
      await jsonRpcCall(devnet.rpcUrl, 'evm_mine', []);
      const receipts = await client.getTransactionReceipts(hashes);
      if (receipts.every((r) => r !== null)) return receipts as TxReceipt[];
    }
    throw new Error(`not all of ${hashes.join(', ')} were mined`);
  }

  const mint = (to: Address, amount: bigint): Send => ({
    to: devnet.contracts.token,
    data: encodeFunctionData({ abi: GasHammerToken.abi, functionName: 'mint', args: [to, amount] }),
    gas: 100_000n,
  });

  function intentFor(name: TemplateName, seed: string, to: Address = recipient): TxIntent {
    return buildTxIntent(name, {
      prng: createPrng(seed),
      sender: sender.address,
      recipient: to,
      contracts: devnet.contracts,
      params: TEMPLATE_CATALOG[name].defaults,
      calibration: calibration.get(name)!,
    });
  }

  beforeAll(async () => {
    devnet = await startEmbeddedDevnet();
    client = createRpcClient({ url: devnet.rpcUrl, timeoutMs: 10_000 });
    // The sender gets ETH and tokens; the recipient tokens too, as every GasHammer account
    // would have them: transfers then move a balance that is already non-zero, which is what
    // the run's transfers between funded accounts do.
    const faucet = privateKeyToAccount(devnet.faucet.privateKey);
    const funded = await sendAll(faucet, [{ to: sender.address, value: 10n ** 19n, gas: 21_000n }, mint(sender.address, SENDER_TOKENS), mint(recipient, 10n ** 18n)]);
    expect(funded.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    calibration = await calibrateTemplates({ client, from: sender.address, contracts: devnet.contracts, templates: ALL_TEMPLATES, recipient });
  }, 120_000);

  afterAll(async () => {
    await devnet?.stop();
  });

  it('calibrates all eight templates from eth_estimateGas alone (anvil has no NodeInterface)', () => {
    expect([...calibration.keys()]).toEqual([...TEMPLATE_NAMES]);
    for (const [name, c] of calibration) {
      expect(c.computeSource, name).toBe('estimate');
      expect(c.l1Gas, name).toBe(0n);
      expect(c.computeGas, name).toBe(c.estimate);
      expect(c.gasLimit, name).toBe(calibratedGasLimit(name, c.estimate, c.computeGas, 0n));
      expect(c.gasLimit > c.estimate, name).toBe(true);
    }
    // A plain transfer costs exactly 21,000, and so does the noop.
    expect(calibration.get('simple-transfer')!.estimate).toBe(21_000n);
    expect(calibration.get('noop')!.estimate).toBe(21_000n);
  });

  it('sends one transaction of each template with its calibrated limit: all succeed within 10% of the compute gas', async () => {
    const intents = TEMPLATE_NAMES.map((name) => intentFor(name, '0badc0ffee0ddf00d5eed5eed5eed5e1'));
    const receipts = await sendAll(
      sender,
      intents.map((tx) => ({ to: tx.to, value: tx.value, data: tx.data, gas: tx.gasLimit })),
    );
    const rows = intents.map((tx, i) => {
      const c = calibration.get(tx.template)!;
      const r = receipts[i]!;
      return { template: tx.template, estimate: c.estimate, computeGas: c.computeGas, gasLimit: c.gasLimit, gasUsed: r.gasUsed, status: r.status, deviation: `${((Number(r.gasUsed - c.computeGas) / Number(c.computeGas)) * 100).toFixed(2)}%` };
    });
    console.table(rows.map((r) => ({ ...r, estimate: String(r.estimate), computeGas: String(r.computeGas), gasLimit: String(r.gasLimit), gasUsed: String(r.gasUsed) })));
    for (const row of rows) {
      expect(row.status, row.template).toBe('success');
      expect(row.gasUsed <= row.gasLimit, row.template).toBe(true);
      const off = row.gasUsed > row.computeGas ? row.gasUsed - row.computeGas : row.computeGas - row.gasUsed;
      expect(off * 10n <= row.computeGas, `${row.template}: gasUsed ${row.gasUsed} vs computeGas ${row.computeGas}`).toBe(true);
    }
  });

  it('the erc20-transfer limit also covers a recipient holding no tokens yet', async () => {
    const fresh = privateKeyToAccount(`0x${'3e'.repeat(32)}`).address;
    const c = calibration.get('erc20-transfer')!;
    const tx = intentFor('erc20-transfer', '0badc0ffee0ddf00d5eed5eed5eed5e2', fresh);
    const [receipt] = await sendAll(sender, [{ to: tx.to, data: tx.data, gas: tx.gasLimit }]);
    expect(receipt!.status).toBe('success');
    // The first tokens of an account write a zero slot: more than the calibrated steady state,
    // more than the 10% margin alone would allow, still within the limit.
    expect(receipt!.gasUsed > c.computeGas + (c.computeGas * COMPUTE_MARGIN_PERCENT) / 100n).toBe(true);
    expect(receipt!.gasUsed <= c.gasLimit).toBe(true);
  });

  it('refuses to calibrate a template whose transaction reverts, naming it and the reason', async () => {
    const e = await rejection(
      calibrateTemplates({
        client,
        from: sender.address,
        contracts: devnet.contracts,
        templates: [{ name: 'noop', params: {} }, { name: 'erc20-transfer', params: { amount: SENDER_TOKENS * 10n } }],
        recipient,
      }),
    );
    expect(e.code).toBe('GH-E107');
    expect(e.shortMessage).toContain("template 'erc20-transfer' cannot be calibrated");
    expect(e.shortMessage).toContain('ERC20InsufficientBalance');
  });

  it('names every template that fails, when several do', async () => {
    // Contracts pointed at the Reverter: neither transfer() nor write() exists there.
    const wrong: TestContracts = { ...devnet.contracts, token: devnet.contracts.reverter, storageWriter: devnet.contracts.reverter };
    const e = await rejection(
      calibrateTemplates({
        client,
        from: sender.address,
        contracts: wrong,
        templates: [{ name: 'simple-transfer', params: {} }, { name: 'erc20-transfer', params: {} }, { name: 'storage-write', params: {} }],
        recipient,
      }),
    );
    expect(e.code).toBe('GH-E107');
    expect(e.shortMessage).toContain("'erc20-transfer'");
    expect(e.details).toContain("'storage-write'");
    expect(e.details).toContain('1 more template(s) failed');
  });
});

describe('on a Nitro node (mock)', () => {
  const CONTRACTS: TestContracts = {
    token: '0x00000000000000000000000000000000000a0001',
    storageWriter: '0x00000000000000000000000000000000000a0002',
    gasBurner: '0x00000000000000000000000000000000000a0003',
    counter: '0x00000000000000000000000000000000000a0004',
    reverter: '0x00000000000000000000000000000000000a0005',
    contentionTarget: '0x00000000000000000000000000000000000a0006',
    eventEmitter: '0x00000000000000000000000000000000000a0007',
  };
  const FROM: Address = '0x3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E';
  const TO: Address = '0x000000000000000000000000000000000000bEEF';
  const abi = nodeInterfaceAbi();
  let node: MockNode | undefined;

  afterAll(async () => {
    await node?.close();
  });

  /** A node answering eth_estimateGas with `estimate` and gasEstimateComponents with `components`. */
  async function nitro(estimate: bigint, components: (call: JsonRpcCall) => Hex): Promise<RpcClient> {
    await node?.close();
    node = await startMockNode({
      answer: (call) => {
        if (call.method === 'eth_estimateGas') return { result: `0x${estimate.toString(16)}` };
        if (call.method === 'eth_call') {
          const data = (call.params[0] as { data: Hex }).data;
          if (decodeFunctionData({ abi, data }).functionName === 'nitroGenesisBlock') return { result: encodeFunctionResult({ abi, functionName: 'nitroGenesisBlock', result: 0n }) };
          return { result: components(call) };
        }
        return { error: { code: -32601, message: `no ${call.method}` } };
      },
    });
    return createRpcClient({ url: node.origin });
  }

  const components = (gasEstimate: bigint, gasEstimateForL1: bigint): Hex =>
    encodeFunctionResult({ abi, functionName: 'gasEstimateComponents', result: [gasEstimate, gasEstimateForL1, 100_000_000n, 50_000_000_000n] });

  it('takes the compute gas from NodeInterface.gasEstimateComponents, without the L1 component', async () => {
    // A plain transfer on the dev chain: 21,000 compute, 800,000 L1 gas at its 50 gwei L1 price.
    const client = await nitro(821_000n, () => components(821_050n, 800_050n));
    const result = await calibrateTemplates({ client, from: FROM, contracts: CONTRACTS, templates: [{ name: 'simple-transfer', params: { value_wei: 7n } }], recipient: TO });
    const c = result.get('simple-transfer')!;
    expect(c).toEqual({
      estimate: 821_000n,
      computeGas: 21_000n,
      l1Gas: 800_050n,
      computeSource: 'node-interface',
      // estimate + 10% of compute + 25% of L1 (rounded up).
      gasLimit: 821_000n + 2_100n + 200_013n,
    });
  });

  it('asks NodeInterface about the very transaction it estimates, as its sender and with its value', async () => {
    const seen: JsonRpcCall[] = [];
    const client = await nitro(400_000n, (call) => {
      seen.push(call);
      return components(400_000n, 350_000n);
    });
    await calibrateTemplates({ client, from: FROM, contracts: CONTRACTS, templates: [{ name: 'erc20-transfer', params: { amount: 9n } }, { name: 'simple-transfer', params: { value_wei: 5n } }], recipient: TO });
    expect(seen).toHaveLength(2);
    const estimates = node!.calls().filter((c) => c.method === 'eth_estimateGas');
    for (const call of seen) {
      const request = call.params[0] as { from: string; to: string; value: string; data: Hex };
      expect(request.from.toLowerCase()).toBe(FROM.toLowerCase());
      expect(request.to.toLowerCase()).toBe(NODE_INTERFACE_ADDRESS.toLowerCase());
      const decoded = decodeFunctionData({ abi, data: request.data });
      expect(decoded.functionName).toBe('gasEstimateComponents');
      const [to, contractCreation, data] = decoded.args as [Address, boolean, Hex];
      expect(contractCreation).toBe(false);
      // The same transaction eth_estimateGas saw.
      const estimated = estimates.map((e) => e.params[0] as { to: string; value: string; data?: string }).find((e) => e.to.toLowerCase() === to.toLowerCase())!;
      expect(estimated).toBeDefined();
      expect(data).toBe(estimated.data ?? '0x');
      expect(request.value).toBe(estimated.value);
    }
  });

  it('reports an answer that does not decode as the node\'s fault, naming the template', async () => {
    const client = await nitro(50_000n, () => '0x1234');
    const e = await rejection(calibrateTemplates({ client, from: FROM, contracts: CONTRACTS, templates: [{ name: 'compute-heavy', params: {} }], recipient: TO }));
    expect(e.shortMessage).toContain("template 'compute-heavy'");
    expect(e.shortMessage).toContain('NodeInterface.gasEstimateComponents');
  });

  it('refuses L1 gas larger than the whole estimate', async () => {
    const client = await nitro(50_000n, () => components(50_000n, 60_000n));
    const e = await rejection(calibrateTemplates({ client, from: FROM, contracts: CONTRACTS, templates: [{ name: 'noop', params: {} }], recipient: TO }));
    expect(e.shortMessage).toContain("template 'noop'");
  });
});

describe('without a chain', () => {
  it('staticCalibration uses the catalogue estimate as compute gas and a multiple of it as limit', () => {
    const templates = [
      { name: 'compute-heavy' as const, params: { iterations: 5_000 } },
      { name: 'calldata-heavy' as const, params: {} },
      { name: 'erc20-transfer' as const, params: { amount: 3n } },
    ];
    const result = staticCalibration(templates);
    expect([...result.keys()]).toEqual(['compute-heavy', 'calldata-heavy', 'erc20-transfer']);
    for (const t of templates) {
      const expected = BigInt(TEMPLATE_CATALOG[t.name].estimatedGas({ ...TEMPLATE_CATALOG[t.name].defaults, ...t.params }));
      expect(result.get(t.name)).toEqual({ computeGas: expected, gasLimit: expected * STATIC_GAS_LIMIT_MULTIPLE });
    }
    expect(result.get('compute-heavy')!.computeGas).toBe(24_000n + 180n * 5_000n);
  });

  it('the static limit covers calldata at the EIP-7623 floor (40 gas per non-zero byte)', () => {
    for (const size_bytes of [4, 4_096, 120_000]) {
      const c = staticCalibration([{ name: 'calldata-heavy', params: { size_bytes } }]).get('calldata-heavy')!;
      expect(c.gasLimit >= BigInt(21_000 + 40 * size_bytes)).toBe(true);
    }
  });

  it('adds the documented margins to an estimate', () => {
    expect(COMPUTE_MARGIN_PERCENT).toBe(10n);
    expect(L1_MARGIN_PERCENT).toBe(25n);
    expect(calibratedGasLimit('noop', 21_000n, 21_000n, 0n)).toBe(23_100n);
    expect(calibratedGasLimit('compute-heavy', 124_893n, 124_893n, 0n)).toBe(124_893n + 12_490n);
    // ERC-20 templates also cover one slot written from zero.
    expect(calibratedGasLimit('erc20-transfer', 34_517n, 34_517n, 0n)).toBe(34_517n + 3_452n + FRESH_SLOT_GAS);
    expect(calibratedGasLimit('erc20-approve', 146_370n, 46_370n, 100_000n)).toBe(146_370n + 4_637n + FRESH_SLOT_GAS + 25_000n);
  });

  it('calibrates a template listed twice once, but refuses it with different parameters', () => {
    expect(staticCalibration([{ name: 'storage-write-heavy', params: {} }, { name: 'storage-write-heavy', params: { slots: 10 } }]).size).toBe(1);
    expect(() => staticCalibration([{ name: 'storage-write-heavy', params: { slots: 10 } }, { name: 'storage-write-heavy', params: { slots: 11 } }])).toThrow(/listed twice/);
  });
});
