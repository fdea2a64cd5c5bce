// The Nitro devnet in a container, where a container runtime exists (GitHub-hosted runners):
// the same interface as the embedded devnet, plus Nitro's own receipts. Without a runtime the
// tests skip and print why; they never pass silently.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, createWalletClient, defineChain, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { Devnet } from '../../src/devnet/embedded-devnet.js';
import { nitroDevArgs, startNitroDevnet } from '../../src/devnet/nitro-container.js';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { jsonRpcCall } from '../../src/chain/json-rpc-call.js';

let devnet: Devnet | undefined;
let skipReason: string | undefined;

beforeAll(async () => {
  try {
    devnet = await startNitroDevnet();
  } catch (e) {
    if (e instanceof GasHammerError && e.code === 'GH-E115') {
      skipReason = e.shortMessage;
      console.log(`skipped: the Nitro container tests need a container runtime (${skipReason})`);
      return;
    }
    throw e;
  }
}, 300_000);

afterAll(async () => {
  await devnet?.stop();
});

describe('nitroDevArgs', () => {
  it('enables the sequencer feed and the APIs GasHammer uses, on all interfaces', () => {
    const args = nitroDevArgs().join(' ');
    expect(args).toContain('--dev');
    expect(args).toContain('--node.feed.output.enable');
    expect(args).toContain('--node.feed.output.port 9642');
    expect(args).toContain('--http.api net,web3,eth,arb,debug');
    expect(args).toContain('--ws.port 8548');
  });
});

describe('Nitro devnet container', () => {
  it('without a container runtime, fails fast with GH-E115 and a reason', (ctx) => {
    if (!skipReason) ctx.skip('a container runtime is present here');
    expect(skipReason).toMatch(/container runtime/);
  });

  it('answers as chain 412346 with the contracts deployed', async (ctx) => {
    if (!devnet) ctx.skip(`no container runtime: ${skipReason}`);
    expect(Number(await jsonRpcCall<string>(devnet!.rpcUrl, 'eth_chainId', []))).toBe(412346);
    const reader = createPublicClient({ transport: http(devnet!.rpcUrl, { retryCount: 0 }) });
    for (const address of Object.values(devnet!.contracts)) expect((await reader.getCode({ address }))?.length ?? 0).toBeGreaterThan(2);
  });

  it('takes a plain transfer at 21,000 gas (L1 price set to 0) and reports gasUsedForL1', async (ctx) => {
    if (!devnet) ctx.skip(`no container runtime: ${skipReason}`);
    const chain = defineChain({ id: 412346, name: 'nitro-dev', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [devnet!.rpcUrl] } } });
    const wallet = createWalletClient({ chain, transport: http(devnet!.rpcUrl, { retryCount: 0 }) });
    const reader = createPublicClient({ chain, transport: http(devnet!.rpcUrl, { retryCount: 0 }), pollingInterval: 100 });
    const hash = await wallet.sendTransaction({ account: privateKeyToAccount(devnet!.faucet.privateKey), chain, to: privateKeyToAccount(generatePrivateKey()).address, value: 1n, gas: 21_000n });
    await reader.waitForTransactionReceipt({ hash });
    const raw = await jsonRpcCall<{ status: string; gasUsed: string; gasUsedForL1?: string }>(devnet!.rpcUrl, 'eth_getTransactionReceipt', [hash]);
    expect(raw.status).toBe('0x1');
    expect(raw.gasUsedForL1).toBe('0x0');
  });
});
