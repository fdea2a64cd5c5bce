// The error table on its own: geth/Nitro wordings anvil never sends (nonce too high, txpool is
// full, ...), HTTP and transport shapes, how viem's error chains are read, the fallback for
// errors no rule knows, and the scrubbing of URL secrets from messages and causes.

import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HttpRequestError, InvalidInputRpcError, RpcRequestError, TimeoutError, TransactionRejectedRpcError } from 'viem';
import { ErrorCodes } from '../../src/errors/codes.js';
import {
  classifyRpcFailure,
  describeRpcFailure,
  RPC_ERROR_CODES,
  RPC_ERROR_RULES,
  scrubberFor,
  toRpcError,
  urlSecrets,
  type RpcErrorClass,
  type RpcFailure,
} from '../../src/chain/rpc-errors.js';

const SEND = 'eth_sendRawTransaction';

describe('classifyRpcFailure: node messages (geth/Nitro wordings, including those anvil never sends)', () => {
  it.each<[string, RpcErrorClass]>([
    ['nonce too low: address 0x3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E, tx: 3 state: 5', 'nonce_too_low'],
    ['nonce too high: address 0x3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E, tx: 9 state: 5', 'nonce_too_high'],
    ['replacement transaction underpriced', 'underpriced'],
    ['transaction underpriced: tip needed 1, tip permitted 0', 'underpriced'],
    ['max fee per gas less than block base fee: address 0x3f1E…, maxFeePerGas: 1, baseFee: 100000000', 'underpriced'],
    ['intrinsic gas too low: have 21000, want 105000', 'intrinsic_gas_too_low'],
    ['insufficient funds for gas * price + value: address 0x3f1E… have 0 want 21000000000000', 'insufficient_funds'],
    ['execution reverted: Ownable: caller is not the owner', 'execution_reverted'],
    ['already known', 'tx_rejected'],
    ['txpool is full', 'tx_rejected'],
    ['please retry transaction', 'tx_rejected'],
    ['exceeds block gas limit', 'tx_rejected'],
    ['intrinsic gas too high -- tx.gas_limit > env.block.gas_limit', 'tx_rejected'],
    ['request timed out', 'timeout'],
    ['context deadline exceeded', 'timeout'],
    ['Too Many Requests', 'rate_limited'],
    ['daily request count exceeded, request rate limited', 'rate_limited'],
    ['something nobody has seen before', 'tx_rejected'],
  ])('%s -> %s', (nodeMessage, expected) => {
    expect(classifyRpcFailure(SEND, { nodeMessage, rpcCode: -32000 })).toBe(expected);
  });

  it('treats an unknown JSON-RPC error of a read as an error answer from the node, not a rejection', () => {
    expect(classifyRpcFailure('eth_getBlockReceipts', { nodeMessage: 'the method eth_getBlockReceipts does not exist/is not available', rpcCode: -32601 })).toBe('node_error');
    expect(RPC_ERROR_CODES.node_error.code).toBe('GH-E117');
    expect(classifyRpcFailure('eth_estimateGas', { nodeMessage: 'gas required exceeds allowance (30000000)', rpcCode: -32000 })).toBe('tx_rejected');
  });
});

describe('classifyRpcFailure: codes and transport shapes', () => {
  it.each<[string, RpcFailure, RpcErrorClass]>([
    ['JSON-RPC 3 without a message', { rpcCode: 3 }, 'execution_reverted'],
    ['JSON-RPC -32005', { rpcCode: -32005, nodeMessage: 'limit exceeded' }, 'rate_limited'],
    ['JSON-RPC 429 (Alchemy batch)', { rpcCode: 429, nodeMessage: 'Your app has exceeded its compute units' }, 'rate_limited'],
    ['HTTP 429', { httpStatus: 429 }, 'rate_limited'],
    ['HTTP 504', { httpStatus: 504, nodeMessage: 'Gateway Timeout' }, 'timeout'],
    ['HTTP 502', { httpStatus: 502, nodeMessage: 'Bad Gateway' }, 'transport'],
    ['client timeout', { timedOut: true }, 'timeout'],
    ['ECONNREFUSED', { systemCode: 'ECONNREFUSED', nodeMessage: 'connect ECONNREFUSED 127.0.0.1:8547' }, 'transport'],
    ['ECONNRESET', { systemCode: 'ECONNRESET', nodeMessage: 'read ECONNRESET' }, 'transport'],
    ['UND_ERR_SOCKET', { systemCode: 'UND_ERR_SOCKET', nodeMessage: 'other side closed' }, 'transport'],
    ['UND_ERR_HEADERS_TIMEOUT', { systemCode: 'UND_ERR_HEADERS_TIMEOUT' }, 'timeout'],
    ['nothing at all', {}, 'transport'],
  ])('%s', (_label, failure, expected) => {
    expect(classifyRpcFailure(SEND, failure)).toBe(expected);
  });

  it('maps every class to a registered chain code', () => {
    for (const [errorClass, info] of Object.entries(RPC_ERROR_CODES)) {
      expect(info.subsystem, errorClass).toBe('chain');
      expect(Object.values(ErrorCodes)).toContain(info);
    }
    expect(RPC_ERROR_CODES.timeout.code).toBe('GH-E101');
    expect(RPC_ERROR_CODES.transport.code).toBe('GH-E100');
  });

  it('has a rule for every class but node_error, which is the fallback for reads', () => {
    const covered = new Set(RPC_ERROR_RULES.map((r) => r.errorClass));
    expect([...covered, 'node_error'].sort()).toEqual(Object.keys(RPC_ERROR_CODES).sort());
  });
});

describe("describeRpcFailure: viem's error chains", () => {
  const url = 'http://127.0.0.1:8547';

  it('reads the node message, code and data of a JSON-RPC error behind a per-code viem class', () => {
    const inner = new RpcRequestError({ body: { method: SEND }, error: { code: -32000, message: 'intrinsic gas too low', data: '0xab' }, url });
    expect(describeRpcFailure(new InvalidInputRpcError(inner))).toEqual({ nodeMessage: 'intrinsic gas too low', rpcCode: -32000, rpcData: '0xab' });
    const rejected = new RpcRequestError({ body: { method: SEND }, error: { code: -32003, message: 'nonce too low' }, url });
    expect(classifyRpcFailure(SEND, describeRpcFailure(new TransactionRejectedRpcError(rejected)))).toBe('nonce_too_low');
  });

  it('reads the status and body of an HTTP error, and Retry-After', () => {
    const e = new HttpRequestError({ body: { method: SEND }, details: '"slow down"', status: 429, url, headers: new Headers({ 'retry-after': '3' }) });
    expect(describeRpcFailure(e)).toEqual({ nodeMessage: 'slow down', httpStatus: 429, retryAfterMs: 3000 });
  });

  it('recognises a timeout and a system error under a fetch failure', () => {
    expect(describeRpcFailure(new TimeoutError({ body: { method: SEND }, url }))).toEqual({ timedOut: true });
    const system = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8547'), { code: 'ECONNREFUSED' });
    const fetchFailed = new TypeError('fetch failed', { cause: system });
    expect(describeRpcFailure(new HttpRequestError({ body: { method: SEND }, url, cause: fetchFailed }))).toEqual({
      nodeMessage: 'connect ECONNREFUSED 127.0.0.1:8547',
      systemCode: 'ECONNREFUSED',
    });
  });
});

describe('redaction of URL secrets', () => {
  const KEY = 'Xk3dA9fQ2LmN7pR1sT5uV8wY0zB4cE6g';

  it('finds the secret parts that redactUrl hides', () => {
    expect(urlSecrets(`https://alice:pa55word@rpc.example/v3/${KEY}?chain=1&apikey=QQQQ1234`).sort()).toEqual([KEY, 'QQQQ1234', 'pa55word'].sort());
    expect(urlSecrets('https://TOKENTOKEN@rpc.example/')).toEqual(['TOKENTOKEN']);
    expect(urlSecrets('http://127.0.0.1:8547')).toEqual([]);
  });

  it('scrubs them from any text, with or without the URL around them', () => {
    const url = `https://alice:pa55word@rpc.example/v3/${KEY}`;
    const scrub = scrubberFor(url);
    const out = scrub(`POST ${url} failed; key ${KEY} is invalid; auth pa55word; again https://rpc.example/v3/${KEY}.`);
    expect(out).not.toContain(KEY);
    expect(out).not.toContain('pa55word');
    expect(out).toContain('https://***@rpc.example/v3/***');
  });

  it('replaces the cause chain by a scrubbed copy', () => {
    const url = `https://alice:pa55word@rpc.example/v3/${KEY}`;
    const inner = new RpcRequestError({ body: { method: 'eth_chainId' }, error: { code: -32000, message: `bad key ${KEY}` }, url });
    const e = toRpcError(new InvalidInputRpcError(inner), { method: 'eth_chainId', url });
    const everything = inspect(e, { depth: null });
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain('pa55word');
    expect(everything).toContain('RpcRequestError');
    expect(e.nodeMessage).toBe('bad key ***');
    expect(e.url).toBe('https://***@rpc.example/v3/***');
  });
});
