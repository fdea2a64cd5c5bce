// A JSON-RPC server on loopback that stands in for a Nitro node (none can run on this machine):
// it records every HTTP request (headers, path, JSON body) and every TCP connection, answers
// JSON-RPC calls (single and batched) through a handler, and lets a test take over the raw HTTP
// exchange to send 429s, hang, or drop the connection.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JsonRpcCall {
  readonly id: unknown;
  readonly method: string;
  readonly params: readonly unknown[];
}

export type JsonRpcAnswer = { readonly result: unknown } | { readonly error: { readonly code: number; readonly message: string; readonly data?: unknown } };

export interface RecordedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed body: one call, or a batch. */
  readonly body: JsonRpcCall | JsonRpcCall[];
}

export interface MockNodeOptions {
  /** Answers one JSON-RPC call. */
  readonly answer?: (call: JsonRpcCall) => JsonRpcAnswer;
  /**
   * Takes over the HTTP exchange when it returns true (the response is then the test's to end,
   * or to hold). Called after the request is recorded.
   */
  readonly raw?: (request: RecordedRequest, req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface MockNode {
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  readonly connections: () => number;
  /** JSON-RPC calls received so far (a batch counts each of its calls). */
  readonly calls: () => JsonRpcCall[];
  close(): Promise<void>;
}

function notFound(call: JsonRpcCall): JsonRpcAnswer {
  return { error: { code: -32601, message: `the method ${call.method} does not exist/is not available` } };
}

export async function startMockNode(options: MockNodeOptions = {}): Promise<MockNode> {
  const answer = options.answer ?? notFound;
  const requests: RecordedRequest[] = [];
  let connections = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonRpcCall | JsonRpcCall[];
      const recorded: RecordedRequest = { path: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      if (options.raw?.(recorded, req, res)) return;
      const reply = (call: JsonRpcCall): object => ({ jsonrpc: '2.0', id: call.id, ...answer(call) });
      const out = Array.isArray(body) ? body.map(reply) : reply(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    calls: () => requests.flatMap((r) => (Array.isArray(r.body) ? r.body : [r.body])),
    close: () =>
      new Promise<void>((resolve) => {
        // Held (hanging) responses and idle keep-alive sockets must not keep the server open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A Nitro-style receipt (what a Nitro node sends for a plain transfer). */
export function nitroReceipt(hash: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    blockHash: '0x' + 'b1'.repeat(32),
    blockNumber: '0x2a',
    contractAddress: null,
    cumulativeGasUsed: '0x1d4c0',
    effectiveGasPrice: '0x5f5e100',
    from: '0x3f1eae7d46d88f08fc2f8ed27fcb2ab183eb2d0e',
    gasUsed: '0xb3b0',
    gasUsedForL1: '0x5fb0',
    l1BlockNumber: '0x1c8',
    logs: [],
    logsBloom: '0x' + '00'.repeat(256),
    status: '0x1',
    timeboosted: false,
    to: '0x000000000000000000000000000000000000dead',
    transactionHash: hash,
    transactionIndex: '0x1',
    type: '0x2',
    ...overrides,
  };
}
