// /runs over the in-memory HiveApi stand-in: starting, listing, following and cancelling runs,
// the report as JSON or Markdown, and the refusals (bad bodies, unknown ids, report too early).

import { describe, expect, it } from 'vitest';
import { MAX_EDGES } from '../../../src/scenario/schema.js';
import { BASE } from '../../support/scenario.js';
import { POWERED_BY, useRestServer, type RestFixture } from './serve.js';

/** Stores the base scenario (one edge) and registers `edges` idle edges. */
async function prepare(rest: RestFixture, edges = 1): Promise<void> {
  expect((await rest.postYaml('/scenarios', BASE)).status).toBe(201);
  for (let i = 0; i < edges; i++) rest.api.addEdge(`edge-${i}`);
}

async function startRun(rest: RestFixture, body: unknown = { scenario: 'base' }): Promise<string> {
  const reply = await rest.postJson('/runs', body);
  expect(reply.status).toBe(202);
  return reply.json.id as string;
}

describe('REST API over an in-memory HiveApi stand-in: /runs', () => {
  const rest = useRestServer();

  it('starts a run with 202, the run view and its location', async () => {
    await prepare(rest);
    const reply = await rest.postJson('/runs', { scenario: 'base' });
    expect(reply.status).toBe(202);
    expect(reply.headers.get('location')).toBe(`/runs/${reply.json.id}`);
    expect(reply.json).toMatchObject({ scenario: { name: 'base' }, state: { name: 'preflight' }, phaseCount: 1 });
    expect(reply.json.edges).toHaveLength(1);
    expect(reply.json.history[0].atMs).toEqual(expect.any(Number));
  });

  it('passes an edge count override to the hive', async () => {
    await prepare(rest, 3);
    const reply = await rest.postJson('/runs', { scenario: 'base', edges: 3 });
    expect(reply.status).toBe(202);
    expect(reply.json.edges).toHaveLength(3);
  });

  it('lists runs and returns one by id', async () => {
    await prepare(rest, 2);
    const first = await startRun(rest);
    const second = await startRun(rest);
    const list = await rest.get('/runs');
    expect(list.status).toBe(200);
    expect(list.json.map((r: { id: string }) => r.id)).toEqual([first, second]);
    const one = await rest.get(`/runs/${second}`);
    expect(one.status).toBe(200);
    expect(one.json.id).toBe(second);
  });

  it('answers 404 GH-E303 when the scenario was never uploaded', async () => {
    const reply = await rest.postJson('/runs', { scenario: 'nope' });
    expect(reply.status).toBe(404);
    expect(reply.json.error.code).toBe('GH-E303');
    expect(reply.json.error.message).toContain("'nope'");
  });

  it('answers 409 GH-E301 when the hive has too few idle edges', async () => {
    await prepare(rest, 1);
    const reply = await rest.postJson('/runs', { scenario: 'base', edges: 2 });
    expect(reply.status).toBe(409);
    expect(reply.json.error.code).toBe('GH-E301');
  });

  it.each([
    [0, 'must be >= 1, got 0'],
    [MAX_EDGES + 1, `must be <= ${MAX_EDGES}, got ${MAX_EDGES + 1}`],
    [2.5, 'expected a whole number, got a fraction'],
    ['3', 'expected a whole number, got a string'],
  ])('answers 400 for edges = %j', async (edges, message) => {
    await prepare(rest);
    const reply = await rest.postJson('/runs', { scenario: 'base', edges });
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe('GH-E302');
    expect(reply.json.error.diagnostics).toEqual([{ code: 'GH-E302', path: 'edges', message }]);
  });

  it('lists every problem of a start request at once', async () => {
    const reply = await rest.postJson('/runs', { scenaro: 'base', edges: 'many' });
    expect(reply.status).toBe(400);
    expect(reply.json.error.message).toBe('the request body has 3 problem(s)');
    expect(reply.json.error.diagnostics).toEqual(
      expect.arrayContaining([
        { code: 'GH-E302', path: 'scenario', message: "missing required field 'scenario'" },
        { code: 'GH-E302', path: 'scenaro', message: "unknown field 'scenaro' (did you mean 'scenario'?)", expected: "only 'scenario', 'edges'" },
        { code: 'GH-E302', path: 'edges', message: 'expected a whole number, got a string' },
      ]),
    );
  });

  it('answers 400 when the body is a JSON list, not an object', async () => {
    const reply = await rest.postJson('/runs', ['base']);
    expect(reply.status).toBe(400);
    expect(reply.json.error.diagnostics).toEqual([{ code: 'GH-E302', path: '(body)', message: 'expected a JSON object, got a list' }]);
  });

  it('answers 400 with the parser position for malformed JSON', async () => {
    const reply = await rest.request('POST', '/runs', { body: '{"scenario": "base",', headers: { 'content-type': 'application/json' } });
    expect(reply.status).toBe(400);
    expect(reply.headers.get('x-powered-by')).toBe(POWERED_BY);
    expect(reply.json.error).toMatchObject({ code: 'GH-E302', message: 'the request body is not valid JSON', details: expect.any(String) });
  });

  it('answers 415 for a start request that is not JSON', async () => {
    const reply = await rest.request('POST', '/runs', { body: 'scenario: base', headers: { 'content-type': 'application/yaml' } });
    expect(reply.status).toBe(415);
    expect(reply.json.error.code).toBe('GH-E302');
  });

  it('answers 404 for an unknown run id on every run route', async () => {
    for (const [method, path] of [
      ['GET', '/runs/run-404'],
      ['GET', '/runs/run-404/report'],
      ['DELETE', '/runs/run-404'],
    ] as const) {
      const reply = await rest.request(method, path);
      expect(reply.status, `${method} ${path}`).toBe(404);
      expect(reply.json.error.code).toBe('GH-E303');
      expect(reply.headers.get('x-powered-by')).toBe(POWERED_BY);
    }
  });

  it('cancels an active run with DELETE: 200 and the aborted run', async () => {
    await prepare(rest);
    const id = await startRun(rest);
    const reply = await rest.request('DELETE', `/runs/${id}`);
    expect(reply.status).toBe(200);
    expect(reply.json.state).toEqual({ name: 'aborted', reason: 'cancelled over the REST API' });
    expect(reply.json.endedAt).toEqual(expect.any(String));
  });

  it('returns a finished run unchanged on DELETE', async () => {
    await prepare(rest);
    const id = await startRun(rest);
    rest.api.finishRun(id, 'pass');
    const reply = await rest.request('DELETE', `/runs/${id}`);
    expect(reply.status).toBe(200);
    expect(reply.json.state).toEqual({ name: 'done', verdict: 'pass' });
  });
});

describe('REST API over an in-memory HiveApi stand-in: /runs/{id}/report', () => {
  const rest = useRestServer();

  it('answers 409 GH-E304 while the run is active', async () => {
    await prepare(rest);
    const id = await startRun(rest);
    rest.api.beginRun(id);
    const reply = await rest.get(`/runs/${id}/report`);
    expect(reply.status).toBe(409);
    expect(reply.headers.get('x-powered-by')).toBe(POWERED_BY);
    expect(reply.json.error.code).toBe('GH-E304');
    expect(reply.json.error.message).toBe(`run '${id}' is still running(phase 0); its report is not ready`);
  });

  it('returns the report as JSON by default', async () => {
    await prepare(rest);
    const id = await startRun(rest);
    const report = rest.api.finishRun(id, 'pass');
    for (const accept of [undefined, '*/*', 'application/json', 'text/html']) {
      const reply = await rest.get(`/runs/${id}/report`, accept ? { accept } : {});
      expect(reply.status, String(accept)).toBe(200);
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      expect(reply.headers.get('vary')).toContain('Accept');
      expect(reply.json).toEqual(report);
    }
  });

  it('returns the report as Markdown when Accept prefers text/markdown', async () => {
    await prepare(rest);
    const id = await startRun(rest);
    rest.api.finishRun(id, 'fail');
    for (const accept of ['text/markdown', 'text/markdown, application/json;q=0.5']) {
      const reply = await rest.get(`/runs/${id}/report`, { accept });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
      expect(reply.headers.get('x-powered-by')).toBe(POWERED_BY);
      expect(reply.text).toMatch(/^# GasHammer run report: base: FAIL\n/);
      expect(reply.text).toContain('## Phases');
    }
    const preferJson = await rest.get(`/runs/${id}/report`, { accept: 'application/json, text/markdown;q=0.5' });
    expect(preferJson.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('redacts a key in the target URL in both forms', async () => {
    await prepare(rest);
    const id = await startRun(rest);
    const key = 'k3y0123456789abcdefghijklmnopqrstuv';
    rest.api.finishRun(id, 'pass', { target: { kind: 'remote', chainId: 42161, rpcUrl: `https://arb-mainnet.example.com/v2/${key}` } });
    const json = await rest.get(`/runs/${id}/report`);
    expect(json.text).not.toContain(key);
    expect(json.json.target.rpcUrl).toBe('https://arb-mainnet.example.com/v2/***');
    const markdown = await rest.get(`/runs/${id}/report`, { accept: 'text/markdown' });
    expect(markdown.text).not.toContain(key);
  });

  it('returns the report of a cancelled run', async () => {
    await prepare(rest);
    const id = await startRun(rest);
    await rest.request('DELETE', `/runs/${id}`);
    const reply = await rest.get(`/runs/${id}/report`);
    expect(reply.status).toBe(200);
    expect(reply.json.outcome).toEqual({ state: 'aborted', reason: 'cancelled over the REST API' });
  });
});
