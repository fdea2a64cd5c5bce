// The telemetry table layout and the in-memory mapping events <-> column arrays: every field of
// every kind has a column, values are converted exactly, and values Parquet cannot hold are
// refused when appended, leaving the builder as it was.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../src/telemetry/events.js';
import {
  EVENT_KINDS,
  TELEMETRY_COLUMNS,
  TelemetryColumnBuilder,
  columnsToEvents,
  eventsToColumns,
  telemetryColumnsMarkdown,
  telemetryParquetSchema,
} from '../../src/telemetry/parquet-schema.js';
import { anyEvent, everyKind } from './sample-events.js';

const column = (name: string) => TELEMETRY_COLUMNS.findIndex((c) => c.name === name);

describe('TELEMETRY_COLUMNS', () => {
  it('starts with the required header columns in order, then nullable payload columns with unique names', () => {
    expect(TELEMETRY_COLUMNS.slice(0, 7).map((c) => [c.name, c.parquetType, c.nullable])).toEqual([
      ['run_id', 'BYTE_ARRAY (UTF8)', false],
      ['edge_id', 'BYTE_ARRAY (UTF8)', false],
      ['seq', 'INT64', false],
      ['phase_index', 'INT32', false],
      ['mono_ns', 'INT64', false],
      ['wall_ns', 'INT64', false],
      ['kind', 'BYTE_ARRAY (UTF8)', false],
    ]);
    expect(TELEMETRY_COLUMNS.slice(7).every((c) => c.nullable)).toBe(true);
    expect(new Set(TELEMETRY_COLUMNS.map((c) => c.name)).size).toBe(TELEMETRY_COLUMNS.length);
    expect(TELEMETRY_COLUMNS.every((c) => /^[a-z][a-z0-9_]*$/.test(c.name))).toBe(true);
  });

  it('maps every payload field of every kind to exactly one column, with the documented types', () => {
    for (const e of everyKind()) {
      const fields = Object.keys(e).filter((k) => !['runId', 'edgeId', 'seq', 'phaseIndex', 'monoNs', 'wallNs', 'kind'].includes(k));
      for (const field of fields) {
        const owners = TELEMETRY_COLUMNS.filter((c) => c.nullable && c.fields.some((f) => f.kind === e.kind && f.field === field));
        expect(owners.map((c) => c.name), `${e.kind}.${field}`).toHaveLength(1);
      }
    }
    const type = (name: string) => TELEMETRY_COLUMNS[column(name)]?.parquetType;
    expect(type('value_wei')).toBe('BYTE_ARRAY (UTF8), decimal');
    expect(type('gas_used')).toBe('INT64 (UINT_64)');
    expect(type('block_number')).toBe('INT64 (UINT_64)');
    expect(type('seen_ns')).toBe('INT64');
    expect(type('success')).toBe('BOOLEAN');
    expect(type('tx_hash')).toBe('BYTE_ARRAY (UTF8)');
    expect(EVENT_KINDS).toHaveLength(15);
  });

  it('marks unsigned columns with the UINT_64 converted type only, which strict readers (DuckDB) accept', () => {
    const schema = telemetryParquetSchema();
    expect(schema.find((e) => e.name === 'gas_used')).toEqual({ name: 'gas_used', type: 'INT64', converted_type: 'UINT_64', repetition_type: 'OPTIONAL' });
    expect(schema.some((e) => e.logical_type?.type === 'INTEGER')).toBe(false);
  });

  it('agrees with the Parquet schema and the generated Markdown table', () => {
    const schema = telemetryParquetSchema();
    expect(schema[0]).toEqual({ name: 'root', num_children: TELEMETRY_COLUMNS.length });
    expect(schema.slice(1).map((e) => e.name)).toEqual(TELEMETRY_COLUMNS.map((c) => c.name));
    const markdown = telemetryColumnsMarkdown();
    for (const c of TELEMETRY_COLUMNS) expect(markdown).toContain(`| \`${c.name}\` |`);
    expect(markdown).toContain('TxIncluded.gasUsedForL1?');
  });
});

describe('eventsToColumns / columnsToEvents', () => {
  it('round-trips one event of every kind exactly, bigints included', () => {
    const events = everyKind();
    const data = eventsToColumns(events);
    expect(data.rows).toBe(events.length);
    expect(columnsToEvents(data)).toEqual(events);
  });

  it('stores values as Parquet holds them: 64-bit patterns in BigInt64Arrays, wei as decimal strings, present flags', () => {
    const [submitted] = everyKind() as [TelemetryEvent];
    const { columns, present } = eventsToColumns([submitted]);
    expect(columns[column('value_wei')]?.[0]).toBe('1000000000000000000000000000000');
    expect(columns[column('gas_limit')]).toBeInstanceOf(BigInt64Array);
    expect(columns[column('gas_limit')]?.[0]).toBe(-1n); // 2^64 - 1 as UINT_64 bits
    expect(columns[column('nonce')]?.[0]).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    expect(columns[column('mono_ns')]?.[0]).toBe(9_007_199_254_740_993n);
    expect(present[column('nonce')]?.[0]).toBe(1);
    expect(present[column('accepted_ns')]?.[0]).toBe(0);
    expect(columns[column('message')]?.[0]).toBeNull();
    expect(present[column('message')]).toBeUndefined();
  });

  it('writes safe-integer counts as exact 64-bit values, negative ones included', () => {
    const events = everyKind().map((e, i) => (e.kind === 'TxFailed' ? { ...e, nonce: [-1, -(2 ** 53) + 1, 2 ** 32, -(2 ** 32) - 1][i % 4] as number } : e));
    const { columns } = eventsToColumns(events);
    const nonces = events.flatMap((e, i) => (e.kind === 'TxFailed' ? [[columns[column('nonce')]?.[i], BigInt(e.nonce)]] : []));
    for (const [stored, want] of nonces) expect(stored).toBe(want);
    expect(columnsToEvents(eventsToColumns(events))).toEqual(events);
  });

  it('round-trips random events of every kind', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 30 }), (events) => {
        expect(columnsToEvents(eventsToColumns(events))).toEqual(events);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses values Parquet cannot hold, naming the field, and keeps the builder as it was', () => {
    const [good, accepted] = everyKind() as [TelemetryEvent, TelemetryEvent];
    const bad: [string, Record<string, unknown>][] = [
      ['seq', { ...accepted, seq: 2n ** 63n }],
      ['monoNs', { ...accepted, monoNs: 1 }],
      ['phaseIndex', { ...accepted, phaseIndex: 2 ** 31 }],
      ['phaseIndex', { ...accepted, phaseIndex: 1.5 }],
      ['gasLimit', { ...good, gasLimit: -1n }],
      ['gasLimit', { ...good, gasLimit: 2n ** 64n }],
      ['nonce', { ...good, nonce: 2 ** 53 }],
      ['valueWei', { ...good, valueWei: 5 }],
      ['txHash is missing', { ...accepted, txHash: undefined }],
      ['unknown kind', { ...accepted, kind: 'TxTeleported' }],
    ];
    const builder = new TelemetryColumnBuilder(8);
    builder.append([good]);
    for (const [field, event] of bad) {
      expect(() => builder.append([event as unknown as TelemetryEvent]), field).toThrow(field);
      expect(builder.rows).toBe(1);
    }
    builder.append([accepted]);
    expect(columnsToEvents(builder.view())).toEqual([good, accepted]);
  });

  it('refuses events of another run when built for one run', () => {
    const builder = new TelemetryColumnBuilder(4, { runId: 'other-run' });
    expect(() => builder.append(everyKind().slice(0, 1))).toThrow(/is of run run-7f3a, not other-run/);
    expect(builder.rows).toBe(0);
  });

  it('takes events only up to its capacity and reuses its arrays after reset', () => {
    const events = everyKind();
    const builder = new TelemetryColumnBuilder(4);
    expect(builder.append(events)).toBe(4);
    expect(builder.full).toBe(true);
    expect(builder.append(events, 4)).toBe(0);
    builder.reset();
    expect(builder.append(events, 4)).toBe(4);
    // Columns the earlier rows set and these rows do not must read as null again.
    expect(columnsToEvents(builder.view())).toEqual(events.slice(4, 8));
  });

  it('reports a wrong value type or a missing required value when mapping columns back', () => {
    const data = eventsToColumns(everyKind().slice(1, 2));
    const columns = data.columns.map((c) => Array.from(c));
    (columns[column('accepted_ns')] as unknown[])[0] = null;
    expect(() => columnsToEvents({ rows: 1, columns })).toThrow(/accepted_ns is null/);
    (columns[column('accepted_ns')] as unknown[])[0] = 'soon';
    expect(() => columnsToEvents({ rows: 1, columns })).toThrow(/accepted_ns holds string/);
  });
});
