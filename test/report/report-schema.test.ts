// docs/report.schema.json, the published shape of report.json: the fixture reports validate,
// broken ones do not, and schema and TypeScript type stay in step (the fixtures are typed
// RunReportV2 values, the JSON fixtures are those values written out, and every property the
// schema declares appears in some fixture, so neither side can gain a field the other lacks).

import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { default as addFormats } from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { RunReportV2 } from '../../src/report/report-types.js';
import { reportFail, reportPass } from './fixtures/reports.js';

const SCHEMA_URL = new URL('../../docs/report.schema.json', import.meta.url);
const FIXTURES = {
  'report-pass.json': reportPass,
  'report-fail.json': reportFail,
} as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as { [key: string]: Json };

function compile(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

const validate = compile();

function errorsOf(value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

function readFixture(name: keyof typeof FIXTURES): Json {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Json;
}

/** A deep copy of a report as plain JSON, to break in one place. */
function plain(report: RunReportV2): { [key: string]: any } {
  return JSON.parse(JSON.stringify(report)) as { [key: string]: any };
}

// Rewriting the fixtures is opt-in and explicit: GASHAMMER_WRITE_FIXTURES=1 npx vitest run test/report/report-schema.test.ts
if (process.env.GASHAMMER_WRITE_FIXTURES === '1') {
  for (const [name, build] of Object.entries(FIXTURES)) {
    writeFileSync(new URL(`./fixtures/${name}`, import.meta.url), `${JSON.stringify(build(), null, 2)}\n`);
  }
}

describe('docs/report.schema.json', () => {
  it('is a draft-07 schema, like docs/scenario.schema.json, that names report version 2', () => {
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect((schema['properties'] as { [key: string]: Json })['schemaVersion']).toEqual({ const: 2 });
  });

  for (const name of Object.keys(FIXTURES) as (keyof typeof FIXTURES)[]) {
    it(`accepts ${name}`, () => {
      expect(errorsOf(readFixture(name))).toEqual([]);
    });

    it(`${name} is the typed fixture written out (GASHAMMER_WRITE_FIXTURES=1 rewrites it)`, () => {
      const typed: RunReportV2 = FIXTURES[name]();
      expect(readFixture(name)).toEqual(JSON.parse(JSON.stringify(typed)));
    });
  }

  it('the fixtures are realistic in size: a 2-edge ramp of about 120 one-second samples', () => {
    const pass = reportPass();
    expect(pass.series.length).toBeGreaterThanOrEqual(100);
    expect(pass.edges).toHaveLength(2);
    expect(pass.phases).toHaveLength(2);
    expect(pass.envelope.steps.length).toBeGreaterThan(2);
    expect(pass.gate.verdict).toBe('pass');
    expect(pass.gate.baseline).not.toBeNull();
    const fail = reportFail();
    expect(fail.gate.verdict).toBe('fail');
    expect(fail.oracle.invariants.some((i) => i.violations.length > 0)).toBe(true);
    expect(fail.edges.some((e) => e.outcome === 'aborted')).toBe(true);
  });

  it('rejects a report with a required field missing, and names it', () => {
    const broken = plain(reportPass());
    delete broken['gate'].baseline;
    expect(errorsOf(broken)).toContain("/gate must have required property 'baseline'");
    const noSeries = plain(reportPass());
    delete noSeries['series'];
    expect(errorsOf(noSeries)).toContain("/ must have required property 'series'");
  });

  it('rejects a field of the wrong type', () => {
    const broken = plain(reportPass());
    broken['totals'].txIncluded = '31473';
    expect(errorsOf(broken)).toContain('/totals/txIncluded must be integer');
    const badVerdict = plain(reportPass());
    badVerdict['gate'].verdict = 'PASS';
    expect(errorsOf(badVerdict)).toContain('/gate/verdict must be equal to one of the allowed values');
    const badLatency = plain(reportPass());
    badLatency['latency'].inclusion.corrected.p99 = 'fast';
    expect(errorsOf(badLatency)).toContain('/latency/inclusion/corrected/p99 must be number,null');
  });

  it('rejects an unknown field in a closed object', () => {
    const broken = plain(reportPass());
    broken['series'][3].extra = 1;
    expect(errorsOf(broken)).toContain('/series/3 must NOT have additional properties');
    const top = plain(reportPass());
    top['verdict'] = 'pass';
    expect(errorsOf(top)).toContain('/ must NOT have additional properties');
  });

  it('takes any metric name mapped to a number or null, and only number arrays as samples', () => {
    const open = plain(reportPass());
    open['metrics'].some_future_metric = null;
    open['samples'].some_future_metric = [1, 2.5];
    expect(errorsOf(open)).toEqual([]);
    const badMetric = plain(reportPass());
    badMetric['metrics'].p99_inclusion_ms = '600';
    expect(errorsOf(badMetric)).toContain('/metrics/p99_inclusion_ms must be number,null');
    const badSamples = plain(reportPass());
    badSamples['samples'].p99_inclusion_ms = [1, null];
    expect(errorsOf(badSamples)).toContain('/samples/p99_inclusion_ms/1 must be number');
  });

  it('holds a completion to one of its two shapes, and a timestamp to RFC 3339', () => {
    const mixed = plain(reportPass());
    mixed['completion'] = { state: 'aborted', reasons: [] };
    expect(errorsOf(mixed).some((e) => e.startsWith('/completion'))).toBe(true);
    const badTime = plain(reportPass());
    badTime['startedAt'] = 'yesterday';
    expect(errorsOf(badTime)).toContain('/startedAt must match format "date-time"');
  });

  it('holds fault windows to their shape, and takes a report from before faults were reported', () => {
    const fail = reportFail();
    expect(fail.faults).toHaveLength(2);
    expect(reportPass().faults).toEqual([]);
    const older = plain(fail);
    delete older['faults'];
    expect(errorsOf(older)).toEqual([]);
    const missing = plain(fail);
    delete missing['faults'][0].recoverySecs;
    expect(errorsOf(missing)).toContain("/faults/0 must have required property 'recoverySecs'");
    const extra = plain(fail);
    extra['faults'][1].during.p999AcceptanceMs = 1;
    expect(errorsOf(extra)).toContain('/faults/1/during must NOT have additional properties');
    const open = plain(fail);
    open['faults'][1].clearedAtSecs = null;
    open['faults'][1].clearReason = null;
    expect(errorsOf(open)).toEqual([]);
    const badParams = plain(fail);
    badParams['faults'][0].params = '{"latency_ms":200}';
    expect(errorsOf(badParams)).toContain('/faults/0/params must be object');
  });

  it('lists at most 100 violations per invariant', () => {
    const broken = plain(reportFail());
    const inv = broken['oracle'].invariants.find((i: { violations: unknown[] }) => i.violations.length === 100);
    inv.violations.push(inv.violations[0]);
    expect(errorsOf(broken).some((e) => e.endsWith('must NOT have more than 100 items'))).toBe(true);
  });

  it('declares no property that no fixture holds, so the schema has nothing the type lacks', () => {
    const seen = new Set<string>();
    const defs = schema['definitions'] as { [key: string]: { [key: string]: Json } };
    // Walks a value beside the schema that describes it, recording each declared property met.
    const walk = (s: { [key: string]: Json }, value: unknown, where: string): void => {
      if (typeof s['$ref'] === 'string') return walk(defs[s['$ref'].replace('#/definitions/', '')]!, value, s['$ref']);
      for (const branch of (s['oneOf'] as { [key: string]: Json }[] | undefined) ?? []) walk(branch, value, where);
      if (Array.isArray(value) && s['items']) for (const v of value) walk(s['items'] as { [key: string]: Json }, v, `${where}[]`);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
      const props = s['properties'] as { [key: string]: { [key: string]: Json } } | undefined;
      if (!props) return;
      for (const [key, sub] of Object.entries(props)) {
        if (!(key in value)) continue;
        seen.add(`${where}.${key}`);
        walk(sub, (value as Record<string, unknown>)[key], `${where}.${key}`);
      }
    };
    for (const build of Object.values(FIXTURES)) walk(schema, build(), '#');
    const declared: string[] = [];
    const collect = (s: { [key: string]: Json }, where: string): void => {
      for (const branch of (s['oneOf'] as { [key: string]: Json }[] | undefined) ?? []) collect(branch, where);
      if (s['items'] && typeof s['items'] === 'object' && !Array.isArray(s['items'])) collect(s['items'] as { [key: string]: Json }, `${where}[]`);
      const props = s['properties'] as { [key: string]: { [key: string]: Json } } | undefined;
      for (const [key, sub] of Object.entries(props ?? {})) {
        declared.push(`${where}.${key}`);
        if (typeof sub['$ref'] !== 'string') collect(sub, `${where}.${key}`);
      }
    };
    collect(schema, '#');
    for (const [name, def] of Object.entries(defs)) collect(def, `#/definitions/${name}`);
    expect(declared.filter((p) => !seen.has(p))).toEqual([]);
  });
});
