// One plain JSON-RPC call over HTTP, for control-plane work (readiness checks, block fetches by
// the devnet relay). Load paths use the pooled, instrumented client (rpc-client.ts) instead;
// both report failures through the same error table (rpc-errors.ts).

import { userAgent } from '../util/build-info.js';
import { rpcErrorFromFailure, toRpcError } from './rpc-errors.js';

let nextId = 1;

export async function jsonRpcCall<T>(url: string, method: string, params: readonly unknown[], timeoutMs = 10_000): Promise<T> {
  const ctx = { method, url, timeoutMs };
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': userAgent() },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    // The same reading of a failure (timeout, refused, reset) as the load path's client.
    throw toRpcError(cause, ctx);
  }
  const text = await res.text();
  let body: { result?: T; error?: { code?: number; message?: string; data?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch (cause) {
    throw rpcErrorFromFailure({ httpStatus: res.status, nodeMessage: text.slice(0, 200) }, ctx, cause);
  }
  if (body.error) {
    throw rpcErrorFromFailure({ nodeMessage: body.error.message ?? 'unknown error', ...(body.error.code === undefined ? {} : { rpcCode: body.error.code }), rpcData: body.error.data }, ctx);
  }
  return body.result as T;
}
