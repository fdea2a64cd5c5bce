// The embedded devnet end to end: anvil answers as chain 412346, the test contracts are
// deployed, and the feed relay publishes the chain's real blocks, transactions included.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createPublicClient, createWalletClient, defineChain, http, parseEther, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { startEmbeddedDevnet, type EmbeddedDevnet } from '../../src/devnet/embedded-devnet.js';
import { feedTransactions, parseBroadcastMessage } from '../../src/feed/broadcast-message.js';

let devnet: EmbeddedDevnet;

beforeAll(async () => {
  devnet = await startEmbeddedDevnet();
}, 30_000);

afterAll(async () => {
  await devnet?.stop();
});

function clients() {
  const chain = defineChain({ id: devnet.chainId, name: 'devnet', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [devnet.rpcUrl] } } });
  const transport = http(devnet.rpcUrl, { retryCount: 0 });
  return { chain, wallet: createWalletClient({ chain, transport }), reader: createPublicClient({ chain, transport, pollingInterval: 50 }) };
}

describe('embedded devnet', () => {
  it('answers as Nitro dev chain 412346, with Nitro\'s per-block gas limit', async () => {
    const { reader } = clients();
    expect(await reader.getChainId()).toBe(412346);
    expect((await reader.getBlock()).gasLimit).toBe(32_000_000n);
  });

  it('has every test contract deployed', async () => {
    const { reader } = clients();
    for (const [name, address] of Object.entries(devnet.contracts)) {
      expect((await reader.getCode({ address }))?.length ?? 0, name).toBeGreaterThan(2);
    }
  });

  it('prefunds the faucet generously', async () => {
    const { reader } = clients();
    expect(await reader.getBalance({ address: devnet.faucet.address })).toBeGreaterThan(parseEther('1000000'));
  });

  it('publishes sent transactions through the feed, in the block they were mined in', async () => {
    const { chain, wallet, reader } = clients();
    const faucet = privateKeyToAccount(devnet.faucet.privateKey);
    const start = await reader.getBlockNumber();
    const socket = new WebSocket(devnet.feedUrl, { headers: { 'Arbitrum-Requested-Sequence-Number': String(Number(start) + 1) } });
    const seen = new Map<Hex, number>();
    socket.on('message', (data) => {
      for (const tx of feedTransactions(parseBroadcastMessage(data.toString()))) seen.set(tx.txHash, tx.sequenceNumber);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const nonce = await reader.getTransactionCount({ address: faucet.address, blockTag: 'pending' });
    const hashes: Hex[] = [];
    for (let i = 0; i < 5; i++) {
      const to = privateKeyToAccount(generatePrivateKey()).address;
      hashes.push(await wallet.sendTransaction({ account: faucet, chain, to, value: 1n, nonce: nonce + i }));
    }
    const receipts = await Promise.all(hashes.map((hash) => reader.waitForTransactionReceipt({ hash })));
    // The feed message for the last block may trail the receipt by a moment: wait for it.
    const deadline = Date.now() + 5_000;
    while (hashes.some((h) => !seen.has(h)) && Date.now() < deadline) await new Promise<void>((r) => socket.once('message', () => r()));
    socket.terminate();
    for (const [i, r] of receipts.entries()) expect(seen.get(hashes[i]!), hashes[i]).toBe(Number(r.blockNumber));
  });
});

describe('embedded devnet addresses', () => {
  it('are known in advance: the faucet deploys the contracts with nonces 0..6 in a fixed order', async () => {
    const { embeddedDevnetContracts } = await import('../../src/devnet/devnet-addresses.js');
    const expected = embeddedDevnetContracts();
    for (const [name, address] of Object.entries(devnet.contracts)) {
      expect(address.toLowerCase(), name).toBe(expected[name as keyof typeof expected].toLowerCase());
    }
  });
});
