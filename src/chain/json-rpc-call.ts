// One plain JSON-RPC call over HTTP, for control-plane work (readiness checks, block fetches by
// the devnet relay). Load paths use the pooled, instrumented client instead.

import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { userAgent } from '../util/build-info.js';
import { redactUrl } from '../util/redact.js';

let nextId = 1;

export async function jsonRpcCall<T>(url: string, method: string, params: readonly unknown[], timeoutMs = 10_000): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': userAgent() },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
    throw new GasHammerError(timedOut ? ErrorCodes.RpcTimeout : ErrorCodes.RpcTransport, `${method} to ${redactUrl(url)} ${timedOut ? `got no answer within ${timeoutMs} ms` : 'failed'}`, { cause });
  }
  let body: { result?: T; error?: { code?: number; message?: string } };
  try {
    body = (await res.json()) as typeof body;
  } catch (cause) {
    throw new GasHammerError(ErrorCodes.RpcTransport, `${method} to ${redactUrl(url)} answered HTTP ${res.status} without JSON`, { cause });
  }
  if (body.error) {
    throw new GasHammerError(ErrorCodes.RpcTransport, `${method} to ${redactUrl(url)} failed: ${body.error.message ?? 'unknown error'} (code ${body.error.code ?? '?'})`);
  }
  return body.result as T;
}
