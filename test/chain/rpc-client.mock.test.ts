// The RPC client against a loopback JSON-RPC server standing in for a Nitro node (no Nitro node
// can run here): provenance headers, JSON-RPC batching, keep-alive reuse, timeouts, HTTP 429,
// Nitro receipt fields, the retry policy (never for submissions), credential redaction, and
// ArbGasInfo/ArbSys answers decoded into NitroChainInfo.

import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFunctionData, encodeFunctionResult, type Abi, type Hash, type Hex } from 'viem';
import { createRpcClient } from '../../src/chain/rpc-client.js';
import { ARB_GAS_INFO_ADDRESS, ARB_SYS_ADDRESS, readGasBacklog, readNitroChainInfo } from '../../src/chain/nitro-info.js';
import { isRpcError, type RpcError } from '../../src/chain/rpc-errors.js';
import { freeLoopbackPort } from '../../src/devnet/anvil.js';
import { buildInfo, userAgent } from '../../src/util/build-info.js';
import { nitroReceipt, startMockNode, type JsonRpcAnswer, type JsonRpcCall, type MockNode } from './mock-node.js';

const nodes: MockNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

async function mockNode(...args: Parameters<typeof startMockNode>): Promise<MockNode> {
  const node = await startMockNode(...args);
  nodes.push(node);
  return node;
}

function txHash(i: number): Hash {
  return `0x${i.toString(16).padStart(64, '0')}`;
}

/** A node with a head at 0x2a, a chain id of Nitro's dev chain, and Nitro receipts for hashes below 1000. */
function nitroLike(call: JsonRpcCall): JsonRpcAnswer {
  switch (call.method) {
    case 'eth_chainId':
      return { result: '0x64aba' };
    case 'eth_blockNumber':
      return { result: '0x2a' };
    case 'eth_sendRawTransaction':
      return { result: txHash(7) };
    case 'eth_getTransactionReceipt': {
      const hash = call.params[0] as string;
      return { result: BigInt(hash) < 1000n ? nitroReceipt(hash) : null };
    }
    default:
      return { error: { code: -32601, message: `the method ${call.method} does not exist/is not available` } };
  }
}

async function rejection(p: Promise<unknown>): Promise<RpcError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isRpcError(e)) throw new Error(`expected an RpcError, got ${inspect(e)}`);
  return e;
}

describe('headers (mock Nitro node: no Nitro here)', () => {
  it('sends User-Agent and the X-GasHammer headers on every request: single, batched, receipt batch, submission', async () => {
    const node = await mockNode({ answer: nitroLike });
    const plain = createRpcClient({ url: node.origin });
    await plain.chainId();
    await plain.getTransactionReceipts([txHash(1), txHash(2)]);
    await plain.sendRawTransaction('0x02');
    const batching = createRpcClient({ url: node.origin, batch: { size: 10, waitMs: 0 } });
    await Promise.all([batching.blockNumber(), batching.chainId()]);

    expect(node.requests).toHaveLength(4);
    expect(Array.isArray(node.requests[3]?.body)).toBe(true);
    const info = buildInfo();
    for (const r of node.requests) {
      expect(r.headers['user-agent']).toBe(userAgent());
      expect(r.headers['user-agent']).toMatch(/^GasHammer\/\d+\.\d+\.\d+\S* \(.+\)$/);
      expect(r.headers['x-gashammer-version']).toBe(info.version);
      expect(r.headers['x-gashammer-build']).toBe(info.buildSha);
      expect(r.headers['content-type']).toBe('application/json');
    }
  });
});

describe('batching (mock Nitro node: no Nitro here)', () => {
  it('sends N receipt requests in ceil(N / receiptBatchSize) HTTP requests and keeps the order', async () => {
    const node = await mockNode({ answer: nitroLike });
    const client = createRpcClient({ url: node.origin, receiptBatchSize: 100 });
    const hashes = Array.from({ length: 250 }, (_, i) => txHash(i + 1));
    hashes[17] = txHash(5000); // unknown: null

    const receipts = await client.getTransactionReceipts(hashes);

    expect(node.requests).toHaveLength(3);
    expect(node.requests.map((r) => (Array.isArray(r.body) ? r.body.length : 1))).toEqual([100, 100, 50]);
    expect(node.calls().every((c) => c.method === 'eth_getTransactionReceipt')).toBe(true);
    expect(receipts).toHaveLength(250);
    expect(receipts[17]).toBeNull();
    receipts.forEach((r, i) => {
      if (i !== 17) expect(r?.transactionHash).toBe(hashes[i]);
    });
  });

  it('uses the default of 100 receipts a batch', async () => {
    const node = await mockNode({ answer: nitroLike });
    await createRpcClient({ url: node.origin }).getTransactionReceipts(Array.from({ length: 201 }, (_, i) => txHash(i)));
    expect(node.requests.map((r) => (Array.isArray(r.body) ? r.body.length : 1))).toEqual([100, 100, 1]);
  });

  it('batches concurrent calls of a client created with batch: { size, waitMs }', async () => {
    const node = await mockNode({ answer: nitroLike });
    const client = createRpcClient({ url: node.origin, batch: { size: 4, waitMs: 0 } });
    const heads = await Promise.all(Array.from({ length: 10 }, () => client.blockNumber()));
    expect(heads).toEqual(Array.from({ length: 10 }, () => 42n));
    expect(node.requests.map((r) => (Array.isArray(r.body) ? r.body.length : 1))).toEqual([4, 4, 2]);
  });

  it('turns an error inside a receipt batch into an RpcError for that method', async () => {
    const node = await mockNode({
      answer: (call) => (call.params[0] === txHash(2) ? { error: { code: -32005, message: 'request rate exceeded' } } : nitroLike(call)),
    });
    const e = await rejection(createRpcClient({ url: node.origin }).getTransactionReceipts([txHash(1), txHash(2)]));
    expect(e.errorClass).toBe('rate_limited');
    expect(e.method).toBe('eth_getTransactionReceipt');
    expect(e.code).toBe('GH-E108');
  });
});

describe('keep-alive (mock Nitro node: no Nitro here)', () => {
  /** What a caller does between two calls (parse, record, schedule): one event-loop turn. */
  const otherWork = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('reuses one TCP connection for sequential calls', async () => {
    const node = await mockNode({ answer: nitroLike });
    const client = createRpcClient({ url: node.origin });
    for (let i = 0; i < 8; i++) {
      await client.blockNumber();
      await otherWork();
    }
    await client.getTransactionReceipts([txHash(1)]);
    await otherWork();
    await client.sendRawTransaction('0x02');
    expect(node.requests).toHaveLength(10);
    expect(node.connections()).toBe(1);
  });

  it('keeps back-to-back calls on at most two connections, however many calls', async () => {
    // undici returns a socket to its pool one event-loop turn after the body ends, so a call
    // issued in the same turn takes a second socket; the two then alternate. No growth with N.
    const node = await mockNode({ answer: nitroLike });
    const client = createRpcClient({ url: node.origin });
    for (let i = 0; i < 40; i++) await client.blockNumber();
    expect(node.requests).toHaveLength(40);
    expect(node.connections()).toBeLessThanOrEqual(2);
  });

  it('bounds concurrent requests to the configured pool (nitro.rpc.connection_pool_size)', async () => {
    const node = await mockNode({ answer: nitroLike });
    const pooled = createRpcClient({ url: node.origin, poolConnections: 3 });
    await Promise.all(Array.from({ length: 30 }, () => pooled.blockNumber()));
    expect(node.requests).toHaveLength(30);
    expect(node.connections()).toBeLessThanOrEqual(3);
    // Without a bound, the same burst opens more: the bound is what holds it to three.
    const other = await mockNode({ answer: nitroLike });
    await Promise.all(Array.from({ length: 30 }, () => createRpcClient({ url: other.origin }).blockNumber()));
    expect(other.connections()).toBeGreaterThan(3);
  });

  it('counts a new connection per request when the server closes them (the counter works)', async () => {
    const node = await mockNode({
      answer: nitroLike,
      raw: (r, _req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: (r.body as JsonRpcCall).id, result: '0x2a' }));
        return true;
      },
    });
    const client = createRpcClient({ url: node.origin });
    for (let i = 0; i < 4; i++) {
      await client.blockNumber();
      await otherWork();
    }
    expect(node.connections()).toBe(4);
  });
});

describe('timeouts and HTTP errors (mock Nitro node: no Nitro here)', () => {
  it('turns a request without an answer into GH-E101 naming the method', async () => {
    const node = await mockNode({ answer: nitroLike, raw: () => true /* hold every response */ });
    const client = createRpcClient({ url: node.origin, timeoutMs: 150 });
    const started = performance.now();
    const e = await rejection(client.blockNumber());
    const elapsed = performance.now() - started;
    expect(e.errorClass).toBe('timeout');
    expect(e.code).toBe('GH-E101');
    expect(e.method).toBe('eth_blockNumber');
    expect(e.message).toContain('eth_blockNumber');
    expect(e.message).toContain('150 ms');
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('turns HTTP 429 into rate_limited (GH-E108)', async () => {
    const node = await mockNode({
      raw: (_r, _req, res) => {
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' });
        res.end('Too Many Requests');
        return true;
      },
    });
    const e = await rejection(createRpcClient({ url: node.origin }).chainId());
    expect(e.errorClass).toBe('rate_limited');
    expect(e.code).toBe('GH-E108');
    expect(e.httpStatus).toBe(429);
    expect(e.retryAfterMs).toBe(1000);
    expect(e.nodeMessage).toBe('Too Many Requests');
    expect(node.requests).toHaveLength(1);
  });

  it('turns a rate-limit JSON-RPC error into rate_limited', async () => {
    const node = await mockNode({ answer: () => ({ error: { code: -32005, message: 'daily request count exceeded, request rate limited' } }) });
    const e = await rejection(createRpcClient({ url: node.origin }).sendRawTransaction('0x02'));
    expect(e.errorClass).toBe('rate_limited');
  });

  it('turns a dropped connection into transport (GH-E100)', async () => {
    const node = await mockNode({
      raw: (_r, req) => {
        req.socket.destroy();
        return true;
      },
    });
    const e = await rejection(createRpcClient({ url: node.origin }).chainId());
    expect(e.errorClass).toBe('transport');
    expect(e.code).toBe('GH-E100');
    expect(e.method).toBe('eth_chainId');
  });

  it('turns a refused connection into transport (GH-E100)', async () => {
    const port = await freeLoopbackPort();
    const e = await rejection(createRpcClient({ url: `http://127.0.0.1:${port}` }).blockNumber());
    expect(e.errorClass).toBe('transport');
    expect(e.nodeMessage).toMatch(/ECONNREFUSED/);
  });

  it('turns an answer that is not JSON into transport', async () => {
    const node = await mockNode({
      raw: (_r, _req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>gateway</html>');
        return true;
      },
    });
    const e = await rejection(createRpcClient({ url: node.origin }).blockNumber());
    expect(e.errorClass).toBe('transport');
  });

  it('turns a malformed result into transport naming the field', async () => {
    const node = await mockNode({ answer: (call) => (call.method === 'eth_getTransactionReceipt' ? { result: nitroReceipt(txHash(1), { gasUsed: 'lots' }) } : nitroLike(call)) });
    const e = await rejection(createRpcClient({ url: node.origin }).getTransactionReceipt(txHash(1)));
    expect(e.errorClass).toBe('transport');
    expect(e.message).toContain('receipt.gasUsed');
  });
});

describe('Nitro receipts (mock Nitro node: no Nitro here)', () => {
  it('parses gasUsedForL1 and l1BlockNumber into bigints', async () => {
    const node = await mockNode({ answer: nitroLike });
    const r = await createRpcClient({ url: node.origin }).getTransactionReceipt(txHash(3));
    expect(r).toEqual({
      transactionHash: txHash(3),
      blockHash: '0x' + 'b1'.repeat(32),
      blockNumber: 42n,
      transactionIndex: 1,
      from: '0x3f1eae7d46d88f08fc2f8ed27fcb2ab183eb2d0e',
      to: '0x000000000000000000000000000000000000dead',
      contractAddress: null,
      status: 'success',
      type: 2,
      gasUsed: 46_000n,
      cumulativeGasUsed: 120_000n,
      effectiveGasPrice: 100_000_000n,
      gasUsedForL1: 24_496n,
      l1BlockNumber: 456n,
    });
  });

  it('parses the ArbOS internal transaction (type 0x6a) and a reverted status', async () => {
    const node = await mockNode({
      answer: (call) =>
        call.method === 'eth_getBlockReceipts'
          ? { result: [nitroReceipt(txHash(1), { type: '0x6a', gasUsed: '0x0', gasUsedForL1: '0x0', from: '0x00000000000000000000000000000000000a4b05', to: '0x00000000000000000000000000000000000a4b05' }), nitroReceipt(txHash(2), { status: '0x0' })] }
          : nitroLike(call),
    });
    const receipts = await createRpcClient({ url: node.origin }).getBlockReceipts(42n);
    expect(receipts?.map((r) => [r.type, r.status, r.gasUsed, r.gasUsedForL1])).toEqual([
      [106, 'success', 0n, 0n],
      [2, 'reverted', 46_000n, 24_496n],
    ]);
    expect(node.calls()[0]).toMatchObject({ method: 'eth_getBlockReceipts', params: ['0x2a'] });
  });
});

describe('retry policy (mock Nitro node: no Nitro here)', () => {
  /** Answers HTTP 503 to the first `failures` requests, then like a node. */
  async function flakyNode(failures: number): Promise<MockNode> {
    let seen = 0;
    return mockNode({
      answer: nitroLike,
      raw: (_r, _req, res) => {
        if (seen++ >= failures) return false;
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('Service Unavailable');
        return true;
      },
    });
  }

  it('retries a read after transient failures when a policy is configured', async () => {
    const node = await flakyNode(2);
    const client = createRpcClient({ url: node.origin, retry: { count: 3, baseDelayMs: 1 } });
    expect(await client.chainId()).toBe(412_346);
    expect(node.requests).toHaveLength(3);
  });

  it('gives up after count retries', async () => {
    const node = await flakyNode(100);
    const e = await rejection(createRpcClient({ url: node.origin, retry: { count: 2, baseDelayMs: 1 } }).blockNumber());
    expect(e.httpStatus).toBe(503);
    expect(node.requests).toHaveLength(3);
  });

  it('never retries a read without a policy (viem would retry 3 times by default)', async () => {
    const node = await flakyNode(100);
    await rejection(createRpcClient({ url: node.origin }).blockNumber());
    expect(node.requests).toHaveLength(1);
  });

  it('never retries sendRawTransaction, even with a policy configured', async () => {
    const node = await flakyNode(100);
    const client = createRpcClient({ url: node.origin, retry: { count: 5, baseDelayMs: 1 } });
    const e = await rejection(client.sendRawTransaction('0x02'));
    expect(e.errorClass).toBe('transport');
    expect(e.method).toBe('eth_sendRawTransaction');
    expect(node.requests).toHaveLength(1);
  });

  it('never retries sendRawTransaction after a timeout either', async () => {
    const node = await mockNode({ raw: () => true });
    const client = createRpcClient({ url: node.origin, timeoutMs: 100, retry: { count: 5, baseDelayMs: 1 } });
    const e = await rejection(client.sendRawTransaction('0x02'));
    expect(e.errorClass).toBe('timeout');
    expect(node.requests).toHaveLength(1);
  });

  it('does not retry a node rejection of a read (it would answer the same)', async () => {
    const node = await mockNode({ answer: () => ({ error: { code: 3, message: 'execution reverted', data: '0x' } }) });
    const client = createRpcClient({ url: node.origin, retry: { count: 3, baseDelayMs: 1 } });
    const e = await rejection(client.call({ to: '0x000000000000000000000000000000000000dead', data: '0x' }));
    expect(e.errorClass).toBe('execution_reverted');
    expect(node.requests).toHaveLength(1);
  });
});

describe('credentials (mock Nitro node: no Nitro here)', () => {
  const PASSWORD = 'secret';
  const PATH_KEY = 'gh0123456789abcdefPATHKEY42';

  function everything(e: RpcError): string {
    return [e.message, e.render(), e.details ?? '', e.nodeMessage ?? '', e.url, String(e), inspect(e, { depth: null }), JSON.stringify({ ...e, rpcData: String(e.rpcData) })].join('\n');
  }

  function expectClean(e: RpcError): void {
    const text = everything(e);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(PATH_KEY);
    expect(e.url).toContain('***');
  }

  it('never puts the user info or a path key into any error, whatever fails', async () => {
    let mode = 'rpc-error';
    const node = await mockNode({
      answer: () => ({ error: { code: -32000, message: `invalid project id ${PATH_KEY} for user:${PASSWORD}` } }),
      raw: (_r, req, res) => {
        if (mode === 'hang') return true;
        if (mode === 'reset') {
          req.socket.destroy();
          return true;
        }
        if (mode === 'http-401') {
          res.writeHead(401, { 'content-type': 'text/plain' });
          res.end(`no access to /v2/${PATH_KEY}`);
          return true;
        }
        if (mode === 'not-json') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('nope');
          return true;
        }
        return false;
      },
    });
    const url = `http://user:${PASSWORD}@127.0.0.1:${node.port}/v2/${PATH_KEY}`;
    const client = createRpcClient({ url, timeoutMs: 100 });
    expect(client.url).not.toContain(PASSWORD);
    expect(client.url).not.toContain(PATH_KEY);

    const failures: RpcError[] = [];
    failures.push(await rejection(client.chainId()));
    failures.push(await rejection(client.sendRawTransaction('0x02')));
    failures.push(await rejection(client.getTransactionReceipts([txHash(1)])));
    for (mode of ['http-401', 'not-json', 'hang', 'reset']) {
      failures.push(await rejection(client.blockNumber()));
      failures.push(await rejection(client.getTransactionReceipts([txHash(1)])));
    }
    const closedPort = await freeLoopbackPort();
    failures.push(await rejection(createRpcClient({ url: `http://user:${PASSWORD}@127.0.0.1:${closedPort}/v2/${PATH_KEY}` }).chainId()));

    expect(failures.map((f) => f.errorClass)).toEqual([
      'node_error', // a read the node refuses: not a transaction
      'tx_rejected',
      'node_error', // the same refusal inside a receipts batch
      'transport',
      'transport',
      'transport',
      'transport',
      'timeout',
      'timeout',
      'transport',
      'transport',
      'transport',
    ]);
    for (const f of failures) expectClean(f);
    // The node's words survive, minus the secrets.
    expect(failures[0]?.nodeMessage).toBe('invalid project id *** for user:***');

    // The credentials were used, not dropped: Basic auth and the keyed path reached the server.
    const first = node.requests[0];
    expect(first?.path).toBe(`/v2/${PATH_KEY}`);
    expect(first?.headers.authorization).toBe(`Basic ${Buffer.from(`user:${PASSWORD}`).toString('base64')}`);
  });
});

describe('Nitro chain info (mock Nitro node: no Nitro here)', () => {
  const require = createRequire(import.meta.url);
  const ARTIFACTS = '@arbitrum/nitro-contracts/build/contracts/src/precompiles';
  const arbSys = (require(`${ARTIFACTS}/ArbSys.sol/ArbSys.json`) as { abi: Abi }).abi;
  const arbGasInfo = (require(`${ARTIFACTS}/ArbGasInfo.sol/ArbGasInfo.json`) as { abi: Abi }).abi;

  /** eth_call answers keyed by (address, calldata); anything else reverts like a missing method. */
  function precompiles(results: Record<string, Hex>): (call: JsonRpcCall) => JsonRpcAnswer {
    return (call) => {
      if (call.method !== 'eth_call') return nitroLike(call);
      const tx = call.params[0] as { to: string; data: string };
      const key = `${tx.to.toLowerCase()}:${tx.data}`;
      const result = results[key];
      return result !== undefined ? { result } : { error: { code: 3, message: 'execution reverted', data: '0x' } };
    };
  }

  function entry(to: string, abi: Abi, functionName: string, value: unknown): [string, Hex] {
    return [`${to.toLowerCase()}:${encodeFunctionData({ abi, functionName })}`, encodeFunctionResult({ abi, functionName, result: value as never })];
  }

  const arbos32: [string, Hex][] = [
    entry(ARB_SYS_ADDRESS, arbSys, 'arbOSVersion', 87n),
    entry(ARB_SYS_ADDRESS, arbSys, 'arbBlockNumber', 1_234n),
    entry(ARB_GAS_INFO_ADDRESS, arbGasInfo, 'getGasAccountingParams', [7_000_000n, 32_000_000n, 32_000_000n]),
    entry(ARB_GAS_INFO_ADDRESS, arbGasInfo, 'getMinimumGasPrice', 100_000_000n),
    entry(ARB_GAS_INFO_ADDRESS, arbGasInfo, 'getGasBacklog', 55_555n),
    entry(ARB_GAS_INFO_ADDRESS, arbGasInfo, 'getL1BaseFeeEstimate', 50_000_000_000n),
  ];

  it('decodes ArbSys and ArbGasInfo answers; a getter the ArbOS version lacks reads as undefined', async () => {
    const node = await mockNode({ answer: precompiles(Object.fromEntries(arbos32)) });
    const client = createRpcClient({ url: node.origin });
    expect(await readNitroChainInfo(client)).toEqual({
      available: true,
      arbOSVersion: 32,
      arbBlockNumber: 1_234n,
      speedLimitPerSecond: 7_000_000n,
      gasPoolMax: 32_000_000n,
      maxTxGasLimit: 32_000_000n,
      maxBlockGasLimit: undefined,
      minimumGasPrice: 100_000_000n,
      gasBacklog: 55_555n,
      l1BaseFeeEstimate: 50_000_000_000n,
    });
    expect(await readGasBacklog(client)).toBe(55_555n);
    expect(node.calls().every((c) => c.method === 'eth_call')).toBe(true);
  });

  it('reads getMaxBlockGasLimit on ArbOS 50 and later', async () => {
    const node = await mockNode({
      answer: precompiles(Object.fromEntries([...arbos32, entry(ARB_SYS_ADDRESS, arbSys, 'arbOSVersion', 105n), entry(ARB_GAS_INFO_ADDRESS, arbGasInfo, 'getMaxBlockGasLimit', 32_000_000n)])),
    });
    const info = await readNitroChainInfo(createRpcClient({ url: node.origin }));
    expect(info).toMatchObject({ available: true, arbOSVersion: 50, maxBlockGasLimit: 32_000_000n });
  });

  it('says which precompile is missing when ArbSys exists but ArbGasInfo answers nothing', async () => {
    const answers = Object.fromEntries(arbos32.map(([k, v]) => [k, k.startsWith(ARB_GAS_INFO_ADDRESS.toLowerCase()) ? ('0x' as Hex) : v]));
    const node = await mockNode({ answer: precompiles(answers) });
    const info = await readNitroChainInfo(createRpcClient({ url: node.origin }));
    expect(info.available).toBe(false);
    if (!info.available) expect(info.reason).toMatch(/^ArbGasInfo\.getGasAccountingParams\(\) answered no data/);
  });

  it('reports an answer that does not decode as a transport error, not as data', async () => {
    const node = await mockNode({ answer: precompiles({ [`${ARB_SYS_ADDRESS.toLowerCase()}:${encodeFunctionData({ abi: arbSys, functionName: 'arbOSVersion' })}`]: '0x1234' }) });
    const e = await rejection(readNitroChainInfo(createRpcClient({ url: node.origin })));
    expect(e.errorClass).toBe('transport');
    expect(e.message).toContain('arbOSVersion()');
  });
});
