// readChainSnapshot against the embedded devnet: every account's balance and nonce at one block,
// read in JSON-RPC batches, consistent with single reads at that block and unmoved by later
// blocks; and the chain error codes when the node cannot answer.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRpcClient } from '../../src/chain/rpc-client.js';
import { isRpcError } from '../../src/chain/rpc-errors.js';
import { freeLoopbackPort } from '../../src/devnet/anvil.js';
import { readChainSnapshot } from '../../src/oracle/chain-snapshot.js';
import { OUTSIDE, sendAll, startOracleDevnet, type OracleDevnet } from './devnet-run.js';

let run: OracleDevnet;

beforeAll(async () => {
  run = await startOracleDevnet(5);
}, 60_000);

afterAll(async () => {
  await run?.devnet.stop();
});

/** A fetch that records each HTTP request's JSON-RPC body. */
function recordingFetch(): { fetchFn: typeof fetch; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const fetchFn = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    if (typeof init?.body === 'string') bodies.push(JSON.parse(init.body));
    return fetch(input, init);
  }) as typeof fetch;
  return { fetchFn, bodies };
}

describe('readChainSnapshot', () => {
  it('reads every account at one block in JSON-RPC batches, as single reads at that block see it', async () => {
    const { fetchFn, bodies } = recordingFetch();
    const client = createRpcClient({ url: run.devnet.rpcUrl, receiptBatchSize: 2, fetchFn });
    const block = await run.client.blockNumber();

    const snap = await readChainSnapshot(client, run.accounts.map((a) => a.address), block);

    // 5 accounts, 2 a batch: 3 batches of eth_getBalance and 3 of eth_getTransactionCount.
    expect(bodies).toHaveLength(6);
    expect(bodies.every((b) => Array.isArray(b))).toBe(true);
    const calls = (bodies as { method: string; params: unknown[] }[][]).flat();
    expect(calls.filter((c) => c.method === 'eth_getBalance')).toHaveLength(5);
    expect(calls.filter((c) => c.method === 'eth_getTransactionCount')).toHaveLength(5);
    expect(calls.every((c) => c.params[1] === `0x${block.toString(16)}`)).toBe(true);

    expect(snap.blockNumber).toBe(block);
    expect([...snap.accounts.keys()]).toEqual(run.addresses);
    for (const a of run.accounts) {
      expect(snap.accounts.get(a.address.toLowerCase())).toEqual({
        balance: await run.client.getBalance(a.address, block),
        nonce: await run.client.getTransactionCount(a.address, block),
      });
    }
  });

  it('keeps the state of its block: later transactions do not change it', async () => {
    const [a] = run.accounts;
    const block = await run.client.blockNumber();
    const before = await readChainSnapshot(run.client, [a!.address], block);
    await sendAll(run, [{ from: a!, to: OUTSIDE, value: 1_000n, gas: 21_000n }]);

    const again = await readChainSnapshot(run.client, [a!.address], block);
    const after = await readChainSnapshot(run.client, [a!.address], await run.client.blockNumber());

    const key = a!.address.toLowerCase();
    expect(again.accounts.get(key)).toEqual(before.accounts.get(key));
    expect(after.accounts.get(key)!.nonce).toBe(before.accounts.get(key)!.nonce + 1);
    expect(after.accounts.get(key)!.balance).toBeLessThan(before.accounts.get(key)!.balance - 1_000n);
  });

  it('keys accounts by lowercase address, once each', async () => {
    const [a] = run.accounts;
    const snap = await readChainSnapshot(run.client, [a!.address, a!.address.toLowerCase(), a!.address.toUpperCase().replace('0X', '0x')], await run.client.blockNumber());
    expect([...snap.accounts.keys()]).toEqual([a!.address.toLowerCase()]);
  });

  it('fails with GH-E100 when the node is unreachable', async () => {
    const port = await freeLoopbackPort();
    const client = createRpcClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 2_000 });

    const error = await readChainSnapshot(client, run.addresses, 1n).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(isRpcError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'GH-E100' });
  });

  it('fails with GH-E117 when the node does not have the block', async () => {
    const error = await readChainSnapshot(run.client, run.addresses, 1_000_000_000n).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(isRpcError(error)).toBe(true);
    // GH-E117: the node answered with an error (anvil: BlockOutOfRangeError).
    expect(error).toMatchObject({ code: 'GH-E117' });
    expect((error as Error).message).toMatch(/block height is [0-9]+ but requested was 1000000000/);
  });
});
