// /edges, /health, /version, /metrics, and what holds for every route: the X-Powered-By
// header, 404 for routes that do not exist, and a 500 that gives nothing away.

import { describe, expect, it } from 'vitest';
import { createRestApp } from '../../../src/hive/rest/app.js';
import { bigintAsDecimal, toJsonText } from '../../../src/hive/rest/json.js';
import { MemoryHiveApi, TEST_BUILD_INFO } from '../../support/memory-hive-api.js';
import { BASE } from '../../support/scenario.js';
import { POWERED_BY, useRestServer } from './serve.js';

describe('REST API over an in-memory HiveApi stand-in: /edges', () => {
  const rest = useRestServer();

  it('lists registered edges and returns one by id', async () => {
    const a = rest.api.addEdge('edge-a');
    rest.api.addEdge('edge-b');
    const list = await rest.get('/edges');
    expect(list.status).toBe(200);
    expect(list.json.map((e: { name: string }) => e.name)).toEqual(['edge-a', 'edge-b']);
    const one = await rest.get(`/edges/${a}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ id: a, name: 'edge-a', status: 'idle', capabilities: { nativeSigner: true } });
  });

  it('answers 404 GH-E303 for an unknown edge id', async () => {
    const reply = await rest.get('/edges/edge-404');
    expect(reply.status).toBe(404);
    expect(reply.json.error).toMatchObject({ code: 'GH-E303', message: "no edge with id 'edge-404'" });
  });
});

describe('REST API over an in-memory HiveApi stand-in: /health, /version, /metrics', () => {
  const rest = useRestServer();

  it('reports health with edge and run counts', async () => {
    rest.api.addEdge('edge-a');
    const reply = await rest.get('/health');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ status: 'ok', uptimeSecs: 42, edges: { active: 1, stale: 0 }, runs: { active: 0 } });
  });

  it('reports the build info', async () => {
    const reply = await rest.get('/version');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual(TEST_BUILD_INFO);
  });

  it('serves the hive registry in the Prometheus text format', async () => {
    rest.api.hiveMetrics.edgesActive.set(3);
    rest.api.hiveMetrics.txFailed.inc({ error_class: 'underpriced' });
    const reply = await rest.get('/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(reply.headers.get('x-powered-by')).toBe(POWERED_BY);
    expect(reply.text).toContain('# TYPE gashammer_edges_active gauge');
    expect(reply.text).toContain('gashammer_edges_active 3');
    expect(reply.text).toContain('gashammer_tx_failed_total{error_class="underpriced"} 1');
  });
});

describe('REST API over an in-memory HiveApi stand-in: every response', () => {
  const rest = useRestServer();

  it('carries X-Powered-By GasHammer/<version> and never express', async () => {
    await rest.postYaml('/scenarios', BASE);
    const replies = await Promise.all([
      rest.get('/health'),
      rest.get('/version'),
      rest.get('/metrics'),
      rest.get('/scenarios'),
      rest.get('/scenarios/base'),
      rest.get('/runs'),
      rest.get('/edges'),
      rest.get('/no/such/route'),
      rest.request('PUT', '/runs'),
      rest.postJson('/runs', {}),
    ]);
    for (const reply of replies) expect(reply.headers.get('x-powered-by')).toBe(POWERED_BY);
  });

  it('answers 404 GH-E303 in the error shape for a route that does not exist', async () => {
    for (const [method, path] of [
      ['GET', '/no/such/route'],
      ['PUT', '/runs'],
      ['POST', '/edges'],
    ] as const) {
      const reply = await rest.request(method, path);
      expect(reply.status, `${method} ${path}`).toBe(404);
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Object.keys(reply.json)).toEqual(['error']);
      expect(reply.json.error).toMatchObject({ code: 'GH-E303', message: `no route ${method} ${path}`, hint: expect.any(String) });
    }
    expect(rest.serverErrors).toEqual([]);
  });

  it('answers 400 GH-E302 for a path parameter that is not valid percent-encoding', async () => {
    const reply = await rest.get('/runs/%E0%A4%A');
    expect(reply.status).toBe(400);
    expect(reply.headers.get('x-powered-by')).toBe(POWERED_BY);
    expect(reply.json.error).toMatchObject({ code: 'GH-E302', message: 'the URL path is not valid percent-encoded UTF-8' });
  });

  it('answers 500 GH-E004 without the message, stack or secrets of an unexpected error', async () => {
    const secret = 'https://user:hunter2@rpc.example.com/v2/abcdefghijklmnopqrstuvwxyz0123456789';
    const bug = new Error(`boom at ${secret}`);
    rest.api.failWith('listRuns', bug);
    const reply = await rest.get('/runs');
    expect(reply.status).toBe(500);
    expect(reply.headers.get('x-powered-by')).toBe(POWERED_BY);
    expect(reply.json).toEqual({
      error: { code: 'GH-E004', message: 'internal error while handling the request', hint: expect.any(String) },
    });
    expect(reply.text).not.toMatch(/boom|hunter2|abcdefghijklmnop|at .*\.ts|stack/);
    expect(rest.serverErrors).toEqual([bug]);
  });

  it('answers 500 in the same shape when an async operation rejects', async () => {
    await rest.postYaml('/scenarios', BASE);
    rest.api.addEdge('edge-a');
    rest.api.failWith('startRun', new TypeError('cannot read properties of undefined'));
    const reply = await rest.postJson('/runs', { scenario: 'base' });
    expect(reply.status).toBe(500);
    expect(reply.json.error.code).toBe('GH-E004');
    expect(reply.text).not.toContain('cannot read');
  });
});

describe('REST JSON writing', () => {
  it('writes bigints as decimal strings', () => {
    expect(bigintAsDecimal('seed', 2n ** 64n - 1n)).toBe('18446744073709551615');
    expect(toJsonText({ seed: 12345678901234567890n, n: 1 })).toBe('{"seed":"12345678901234567890","n":1}');
  });

  it('builds an app without listening and disables express own X-Powered-By', () => {
    const app = createRestApp(new MemoryHiveApi());
    expect(app.enabled('x-powered-by')).toBe(false);
  });
});
