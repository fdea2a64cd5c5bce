// POST/GET /scenarios over the in-memory HiveApi stand-in: uploads as YAML or JSON, listing,
// lookup, and every way an upload can be refused.

import { describe, expect, it } from 'vitest';
import { BASE } from '../../support/scenario.js';
import { POWERED_BY, useRestServer } from './serve.js';

const INVALID = `name: bad
version: "1.0"
workload:
  gas_rate:
    type: sustained
    gas_per_sec: -5
  templates:
    - name: simple-transfer
      weight: 1
phases:
  - name: main
    duration_secs: sixty
colour: blue
`;

describe('REST API over an in-memory HiveApi stand-in: /scenarios', () => {
  const rest = useRestServer();

  it('stores a scenario sent as application/yaml and answers 201 with where to find it', async () => {
    const reply = await rest.postYaml('/scenarios', BASE);
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe('/scenarios/base');
    expect(reply.headers.get('x-powered-by')).toBe(POWERED_BY);
    expect(reply.json).toMatchObject({ name: 'base', source: BASE, phases: 1, totalDurationSecs: 60, description: 'a valid scenario to start from' });
    expect(reply.json.hash).toMatch(/^[0-9a-f]{16,}$/);
  });

  it.each(['text/yaml', 'text/plain; charset=utf-8', 'application/x-yaml'])('accepts the YAML text as %s', async (type) => {
    const reply = await rest.request('POST', '/scenarios', { body: BASE, headers: { 'content-type': type } });
    expect(reply.status).toBe(201);
    expect(reply.json.name).toBe('base');
  });

  it('accepts JSON wrapping the YAML as {"source": ...}', async () => {
    const reply = await rest.postJson('/scenarios', { source: BASE });
    expect(reply.status).toBe(201);
    expect(reply.json.source).toBe(BASE);
  });

  it('lists stored scenarios and returns one by name', async () => {
    await rest.postYaml('/scenarios', BASE);
    await rest.postYaml('/scenarios', BASE.replace('name: base', 'name: other'));
    const list = await rest.get('/scenarios');
    expect(list.status).toBe(200);
    expect(list.json.map((s: { name: string }) => s.name)).toEqual(['base', 'other']);
    const one = await rest.get('/scenarios/other');
    expect(one.status).toBe(200);
    expect(one.json.name).toBe('other');
  });

  it('answers 404 GH-E303 for a scenario name never stored', async () => {
    const reply = await rest.get('/scenarios/missing');
    expect(reply.status).toBe(404);
    expect(reply.headers.get('x-powered-by')).toBe(POWERED_BY);
    expect(reply.json.error).toMatchObject({ code: 'GH-E303', message: "no scenario named 'missing'" });
    expect(reply.json.error.hint).toEqual(expect.any(String));
  });

  it('reports every problem of an invalid scenario at once, with field, line and column', async () => {
    const reply = await rest.postYaml('/scenarios', INVALID);
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe('GH-E902');
    expect(reply.json.error.message).toBe('4 problem(s) in the scenario');
    const problems = reply.json.error.diagnostics.map((d: { path: string; line: number; column: number }) => [d.path, d.line, d.column]);
    expect(problems).toEqual([
      ['(top level)', 1, 1],
      ['workload.gas_rate.gas_per_sec', 6, 18],
      ['phases[0].duration_secs', 12, 20],
      ['colour', 13, 1],
    ]);
    expect(reply.json.error.diagnostics[3]).toMatchObject({ code: 'GH-E902', message: "unknown field 'colour'", expected: expect.stringContaining("'name'") });
    expect((await rest.get('/scenarios')).json).toEqual([]);
  });

  it('answers 400 GH-E901 for text that is not YAML', async () => {
    const reply = await rest.postYaml('/scenarios', 'name: [unclosed');
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe('GH-E901');
    expect(reply.json.error.diagnostics[0]).toMatchObject({ line: 1, column: 16 });
  });

  it('answers 415 for a body that is neither YAML, plain text nor JSON', async () => {
    const reply = await rest.request('POST', '/scenarios', { body: BASE, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(reply.status).toBe(415);
    expect(reply.headers.get('x-powered-by')).toBe(POWERED_BY);
    expect(reply.json.error.code).toBe('GH-E302');
    expect(reply.json.error.message).toContain('application/x-www-form-urlencoded');
  });

  it('answers 400 for an upload without a body', async () => {
    const reply = await rest.request('POST', '/scenarios');
    expect(reply.status).toBe(400);
    expect(reply.json.error).toMatchObject({ code: 'GH-E302', message: 'the request has no body' });
  });

  it('answers 400 naming the field when the JSON form lacks "source" or adds fields', async () => {
    const reply = await rest.postJson('/scenarios', { yaml: BASE });
    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe('GH-E302');
    expect(reply.json.error.diagnostics).toEqual([
      { code: 'GH-E302', path: 'source', message: "missing required field 'source'" },
      { code: 'GH-E302', path: 'yaml', message: "unknown field 'yaml'", expected: "only 'source'" },
    ]);
  });

  it('answers 400 when "source" is not a string', async () => {
    const reply = await rest.postJson('/scenarios', { source: 42 });
    expect(reply.status).toBe(400);
    expect(reply.json.error.diagnostics).toEqual([{ code: 'GH-E302', path: 'source', message: 'expected a string, got a whole number' }]);
  });
});

describe('REST API over an in-memory HiveApi stand-in: body size limit', () => {
  const rest = useRestServer({ maxBodyBytes: 1_000 });

  it('answers 413 GH-E302 for a YAML upload over the limit', async () => {
    const reply = await rest.postYaml('/scenarios', `${BASE}# ${'x'.repeat(2_000)}\n`);
    expect(reply.status).toBe(413);
    expect(reply.headers.get('x-powered-by')).toBe(POWERED_BY);
    expect(reply.json.error).toMatchObject({ code: 'GH-E302', message: 'the request body is larger than the limit of 1000 bytes' });
  });

  it('answers 413 for a JSON body over the limit', async () => {
    const reply = await rest.postJson('/runs', { scenario: 'x'.repeat(2_000) });
    expect(reply.status).toBe(413);
    expect(reply.json.error.code).toBe('GH-E302');
  });

  it('still takes a body under the limit', async () => {
    const reply = await rest.postYaml('/scenarios', BASE);
    expect(reply.status).toBe(201);
  });
});
