// The columnar telemetry reader against the object reader (parquet-reader.ts, hyparquet's
// decoding) on the same files, value by value: every column of every event kind, nulls, int64
// past 2^53 and uint64 past 2^63, dictionary and plain strings, delta-packed and plain INT64,
// several row groups and files; files in forms only hyparquet decodes (another writer's
// encodings, several pages per chunk, delta steps past 51 bits); hexKey and textAt; the
// GH-E503 error paths.

import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parquetMetadata, type Encoding, type FileMetaData } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Hex } from 'viem';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { hexKey, readColumnRowGroups, textAt, type ColumnRowGroup, type ColumnVector, type TextColumn } from '../../src/telemetry/column-reader.js';
import type { TelemetryEvent } from '../../src/telemetry/events.js';
import { telemetryRowGroups, type TelemetryRowGroup } from '../../src/telemetry/parquet-reader.js';
import { METADATA_KEYS, TELEMETRY_COLUMNS, TELEMETRY_SCHEMA_VERSION, eventsToColumns, telemetryParquetSchema, type TelemetryColumn, type TelemetryColumnName } from '../../src/telemetry/parquet-schema.js';
import { ParquetSink, runDirectory, type ParquetSinkOptions } from '../../src/telemetry/parquet-sink.js';
import { RUN_ID, anyEvent, busyEvents, everyKind } from './sample-events.js';

const ALL_COLUMNS: TelemetryColumnName[] = TELEMETRY_COLUMNS.map((c) => c.name);
const COLUMN = new Map(TELEMETRY_COLUMNS.map((c) => [c.name, c]));

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'gashammer-columns-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

async function writeRun(events: readonly TelemetryEvent[], options: Partial<ParquetSinkOptions> = {}): Promise<string[]> {
  rmSync(runDirectory(dataDir, RUN_ID), { recursive: true, force: true });
  const sink = new ParquetSink({ dataDir, runId: RUN_ID, rotateBytes: 256 * 1024 * 1024, rotateIntervalMs: 3_600_000, now: () => Date.UTC(2026, 10, 21, 10), ...options });
  sink.append(events);
  return [...(await sink.close()).files];
}

async function collect(paths: readonly string[], columns: readonly TelemetryColumnName[]): Promise<ColumnRowGroup[]> {
  const groups: ColumnRowGroup[] = [];
  for await (const g of readColumnRowGroups(paths, columns)) groups.push(g);
  return groups;
}

/** A column's cells as plain values: numbers (null for NaN), 1/0/-1 for booleans, strings or undefined. */
function cells(vector: ColumnVector, rows: number): unknown[] {
  if (vector.type === 'number') return Array.from(vector.values, (v) => (Number.isNaN(v) ? null : v));
  if (vector.type === 'boolean') return Array.from(vector.values);
  return Array.from({ length: rows }, (_, r) => textAt(vector, r));
}

/** What the column should hold for an event, in the form `cells` gives: bigints as Number(bigint). */
function expectedCell(column: TelemetryColumn, e: TelemetryEvent): unknown {
  const field = column.fields.find((f) => f.kind === e.kind)?.field;
  const v = field === undefined ? undefined : (e as unknown as Record<string, unknown>)[field];
  switch (column.type) {
    case 'string':
    case 'hex':
      return v;
    case 'decimal':
      return v === undefined ? undefined : String(v);
    case 'boolean':
      return v === undefined ? -1 : v ? 1 : 0;
    default:
      return v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : Number(v as bigint | number);
  }
}

/** Reads the files with both readers and asserts the same row groups and, column by column, the same values. */
async function expectSameAsObjectReader(paths: readonly string[], columns: readonly TelemetryColumnName[] = ALL_COLUMNS): Promise<ColumnRowGroup[]> {
  const objectGroups: TelemetryRowGroup[] = [];
  for await (const g of telemetryRowGroups(paths)) objectGroups.push(g);
  const columnGroups = await collect(paths, columns);
  expect(columnGroups.map((g) => [g.file, g.rowGroup, g.rows])).toEqual(objectGroups.map((g) => [g.file, g.rowGroup, g.events.length]));
  columnGroups.forEach((group, i) => {
    const events = (objectGroups[i] as TelemetryRowGroup).events;
    expect([...group.columns.keys()]).toEqual(columns);
    for (const name of columns) {
      const column = COLUMN.get(name) as TelemetryColumn;
      const got = cells(group.columns.get(name) as ColumnVector, group.rows);
      expect({ column: name, values: got }).toEqual({ column: name, values: events.map((e) => expectedCell(column, e)) });
    }
  });
  return columnGroups;
}

function chunkMeta(path: string, column: string): NonNullable<FileMetaData['row_groups'][number]['columns'][number]['meta_data']>[] {
  const bytes = readFileSync(path);
  const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return metadata.row_groups.map((g) => g.columns.find((c) => c.meta_data?.path_in_schema[0] === column)?.meta_data as NonNullable<(typeof g.columns)[number]['meta_data']>);
}

async function expectGasHammerError(promise: Promise<unknown>, text: RegExp | string): Promise<GasHammerError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GasHammerError);
  expect((err as GasHammerError).code).toBe('GH-E503');
  expect((err as GasHammerError).message).toMatch(text);
  return err as GasHammerError;
}

describe('readColumnRowGroups against the object reader', () => {
  it('reads every column of every event kind: int64 past 2^53, uint64 past 2^63, decimals past 64 bits, nulls', async () => {
    const files = await writeRun(everyKind());
    const [group] = await expectSameAsObjectReader(files);
    // The values the event model cannot give a double exactly come out as Number(bigint).
    const estimated = (group as ColumnRowGroup).columns.get('estimated_gas') as ColumnVector & { type: 'number' };
    expect(estimated.values[0]).toBe(Number(2n ** 63n + 5n));
    expect(((group as ColumnRowGroup).columns.get('gas_limit') as ColumnVector & { type: 'number' }).values[0]).toBe(2 ** 64);
  });

  it('reads row groups one at a time, file by file in the order given', async () => {
    const events = [...everyKind(), ...busyEvents(200, { startSeq: 100 })];
    const files = await writeRun(events, { rowGroupSize: 30, rotateBytes: 20_000 });
    expect(files.length).toBeGreaterThan(1);
    const groups = await expectSameAsObjectReader([...files].reverse());
    expect(groups.map((g) => g.rows).reduce((a, b) => a + b, 0)).toBe(events.length);
    expect(groups[0]?.file).toBe(files[files.length - 1]);
  });

  it('reads dictionary and plain string chunks, delta-packed and plain INT64 chunks', async () => {
    // 6,000 distinct hashes defeat the dictionary; alternating mono_ns defeats delta packing.
    const events = busyEvents(6_000, { edges: 3 }).map((e, i) => ({ ...e, monoNs: i % 2 === 0 ? -(2n ** 62n) + BigInt(i) : 2n ** 62n - BigInt(i) }));
    const files = await writeRun(events);
    const file = files[0] as string;
    expect(chunkMeta(file, 'kind')[0]?.encodings).toContain('RLE_DICTIONARY');
    expect(chunkMeta(file, 'account')[0]?.encodings).toContain('RLE_DICTIONARY');
    expect(chunkMeta(file, 'tx_hash')[0]?.encodings).not.toContain('RLE_DICTIONARY');
    expect(chunkMeta(file, 'wall_ns')[0]?.encodings).toContain('DELTA_BINARY_PACKED');
    expect(chunkMeta(file, 'mono_ns')[0]?.encodings).not.toContain('DELTA_BINARY_PACKED');
    const [group] = await expectSameAsObjectReader(files);
    expect(((group as ColumnRowGroup).columns.get('kind') as TextColumn).encoding).toBe('dictionary');
    expect(((group as ColumnRowGroup).columns.get('tx_hash') as TextColumn).encoding).toBe('plain');
  });

  it('reads delta-packed int64 whose running value moves far past 2^53 from the first, exactly as Number(bigint)', async () => {
    // Steps just within what ParquetSink delta-packs (2^51): two up, one down, from -2^62 across zero.
    let mono = -(2n ** 62n);
    const events = busyEvents(5_000).map((e, i) => {
      mono += i % 3 === 2 ? -(2n ** 50n) - BigInt(i) : 2n ** 51n - 2n ** 33n + BigInt(i);
      return { ...e, monoNs: mono };
    });
    expect(mono).toBeGreaterThan(2n ** 59n);
    const files = await writeRun(events);
    expect(chunkMeta(files[0] as string, 'mono_ns')[0]?.encodings).toContain('DELTA_BINARY_PACKED');
    const [group] = await expectSameAsObjectReader(files, ['mono_ns']);
    const column = (group as ColumnRowGroup).columns.get('mono_ns') as ColumnVector & { type: 'number' };
    expect(column.values[4_999]).toBe(Number(mono));
  });

  it('reads int64 and uint64 columns of any step size exactly (property)', async () => {
    const steps = fc.array(fc.bigInt(-(2n ** 50n), 2n ** 50n), { minLength: 1, maxLength: 400 });
    const gas = fc.array(fc.bigInt(0n, 2n ** 64n - 1n), { minLength: 1, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(fc.bigInt(-(2n ** 62n), 2n ** 62n), steps, gas, async (start, deltas, gasValues) => {
        let mono = start;
        const events = deltas.map((d, i) => {
          mono += d;
          const base = busyEvents(1, { startSeq: i })[0] as TelemetryEvent & { kind: 'TxAccepted' | 'TxSubmitted' | 'TxIncluded' };
          const g = gasValues[i % gasValues.length] as bigint;
          return { ...base, monoNs: mono, ...(base.kind === 'TxIncluded' ? { gasUsed: g } : base.kind === 'TxSubmitted' ? { gasLimit: g } : {}) } as TelemetryEvent;
        });
        await expectSameAsObjectReader(await writeRun(events), ['mono_ns', 'wall_ns', 'gas_used', 'gas_limit', 'seq']);
      }),
      { numRuns: 40 },
    );
  });

  it('reads random events of every kind in row groups of any size (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyEvent, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 16 }), async (events, rowGroupSize) => {
        await expectSameAsObjectReader(await writeRun(events, { rowGroupSize }));
      }),
      { numRuns: 40 },
    );
  });

  it('gives only the columns asked for, each once, in the order asked', async () => {
    const files = await writeRun(busyEvents(50));
    const groups = await collect(files, ['tx_hash', 'kind', 'tx_hash', 'wall_ns']);
    expect(groups.map((g) => [...g.columns.keys()])).toEqual([['tx_hash', 'kind', 'wall_ns']]);
    expect((await collect(files, [])).map((g) => [g.rows, g.columns.size])).toEqual([[50, 0]]);
  });

  it('decodes only the columns asked for: a damaged chunk of another column does not stop it', async () => {
    const files = await writeRun(everyKind());
    const path = files[0] as string;
    const message = chunkMeta(path, 'message')[0];
    const bytes = readFileSync(path);
    bytes.fill(0xff, Number(message?.data_page_offset), Number(message?.data_page_offset) + Number(message?.total_compressed_size));
    writeFileSync(path, bytes);
    expect((await collect(files, ['kind', 'mono_ns', 'error_class']))[0]?.rows).toBe(everyKind().length);
    await expectGasHammerError(collect(files, ['kind', 'message']), new RegExp(`${path}.*column message of row group 0 could not be decoded`));
  });

  it('refuses a name that is not a telemetry column', async () => {
    await expect(collect([], ['no_such_column' as TelemetryColumnName])).rejects.toThrow(RangeError);
  });
});

describe('chunks in forms only hyparquet decodes', () => {
  /** A telemetry file written by hyparquet-writer's generic writer, with the encodings asked for. */
  function writeGeneric(events: readonly TelemetryEvent[], options: { encodings?: Partial<Record<TelemetryColumnName, Encoding>>; pageSize?: number; rowGroupSize?: number }): string {
    const data = eventsToColumns(events);
    const columnData = TELEMETRY_COLUMNS.map((c, i) => {
      const source = data.columns[i] as ArrayLike<unknown>;
      const present = data.present[i];
      const values = Array.from({ length: data.rows }, (_, r) => {
        if (present !== undefined && present[r] === 0) return null;
        const v = source[r];
        return c.type === 'uint64' ? BigInt.asUintN(64, v as bigint) : v;
      });
      const encoding = options.encodings?.[c.name];
      return { name: c.name, data: values, ...(encoding === undefined ? {} : { encoding }) };
    });
    const path = join(dataDir, 'generic.parquet');
    const buffer = parquetWriteBuffer({
      columnData,
      schema: telemetryParquetSchema(),
      kvMetadata: [
        { key: METADATA_KEYS.runId, value: RUN_ID },
        { key: METADATA_KEYS.schemaVersion, value: TELEMETRY_SCHEMA_VERSION },
      ],
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
      ...(options.rowGroupSize === undefined ? {} : { rowGroupSize: options.rowGroupSize }),
    });
    writeFileSync(path, new Uint8Array(buffer));
    return path;
  }

  it('reads byte-stream-split, delta string, delta INT32, RLE boolean, dictionary INT64 and many-page chunks', async () => {
    const events = [...everyKind(), ...busyEvents(3_000, { edges: 3 })];
    const path = writeGeneric(events, {
      encodings: { offered_gas_per_sec: 'BYTE_STREAM_SPLIT', message: 'DELTA_BYTE_ARRAY', url: 'DELTA_LENGTH_BYTE_ARRAY', phase_index: 'DELTA_BINARY_PACKED', mono_ns: 'DELTA_BINARY_PACKED' },
      pageSize: 4096,
      rowGroupSize: 2_000,
    });
    // The file really holds the forms the fast path leaves to hyparquet, and many pages per chunk.
    expect(chunkMeta(path, 'offered_gas_per_sec')[0]?.encodings).toContain('BYTE_STREAM_SPLIT');
    expect(chunkMeta(path, 'message')[0]?.encodings).toContain('DELTA_BYTE_ARRAY');
    expect(chunkMeta(path, 'phase_index')[0]?.encodings).toContain('DELTA_BINARY_PACKED');
    expect(chunkMeta(path, 'success')[0]?.encodings).toContain('RLE');
    expect(chunkMeta(path, 'gas_used')[0]?.encodings).toContain('RLE_DICTIONARY');
    expect(Number(chunkMeta(path, 'tx_hash')[0]?.total_uncompressed_size)).toBeGreaterThan(4 * 4096);
    await expectSameAsObjectReader([path]);
  });

  it('reads delta-packed INT64 that wraps around int64, and steps past 51 bits that float64 cannot carry, exactly', async () => {
    // mono_ns: steps modulo 2^64 are small, the sum wraps (decoded here); wall_ns: steps of 2^63 (left to hyparquet).
    const events = busyEvents(500).map((e, i) => ({ ...e, monoNs: i % 2 === 0 ? -(2n ** 63n) + BigInt(i) : 2n ** 63n - 1n - BigInt(i), wallNs: i % 2 === 0 ? 2n ** 62n + BigInt(i) : -(2n ** 62n) }));
    const path = writeGeneric(events, { encodings: { mono_ns: 'DELTA_BINARY_PACKED', wall_ns: 'DELTA_BINARY_PACKED' } });
    expect(chunkMeta(path, 'mono_ns')[0]?.encodings).toContain('DELTA_BINARY_PACKED');
    await expectSameAsObjectReader([path], ['mono_ns', 'wall_ns']);
  });
});

describe('textAt and hexKey', () => {
  /** BigInt('0x' + first 16 hex digits after an optional 0x), stopping at a non-hex character, as two uint32. */
  function expectedKey(s: string | undefined): [number, number] | false {
    if (s === undefined) return false;
    const digits = /^(?:0[xX])?([0-9a-fA-F]{0,16})/.exec(s)?.[1] ?? '';
    const key = digits === '' ? 0n : BigInt(`0x${digits}`);
    return [Number(key >> 32n), Number(key & 0xffffffffn)];
  }

  function keysOf(col: TextColumn, rows: number): ([number, number] | false)[] {
    const out = new Uint32Array(2 * rows + 2);
    return Array.from({ length: rows }, (_, r) => (hexKey(col, r, out, 2 * r + 1) ? [out[2 * r + 1] as number, out[2 * r + 2] as number] : false));
  }

  it('keys plain and dictionary hex columns by their first 16 hex digits; false for null', async () => {
    const odd = ['0xABCDEF0123456789ffff', '0X12', '0x12zz34', '0x', 'deadbeef', `0x${'9'.repeat(64)}`] as Hex[];
    const events = [...busyEvents(30), ...odd.map((h, i) => ({ ...(everyKind()[6] as TelemetryEvent), seq: 1000n + BigInt(i), txHash: h }) as TelemetryEvent), ...everyKind()];
    const files = await writeRun(events);
    const [group] = await collect(files, ['tx_hash', 'account', 'to_address']);
    const g = group as ColumnRowGroup;
    const txHash = g.columns.get('tx_hash') as TextColumn;
    const account = g.columns.get('account') as TextColumn;
    expect([txHash.encoding, account.encoding]).toEqual(['plain', 'dictionary']);
    expect(keysOf(txHash, g.rows)).toEqual(events.map((e) => expectedKey('txHash' in e ? e.txHash : undefined)));
    expect(keysOf(account, g.rows)).toEqual(events.map((e) => expectedKey('account' in e ? e.account : undefined)));
    expect(keysOf(g.columns.get('to_address') as TextColumn, g.rows)).toEqual(events.map((e) => expectedKey(e.kind === 'TxIncluded' ? e.to : undefined)));
    // Known hashes: digits 1-8 and 9-16.
    expect(keysOf(txHash, 31)[30]).toEqual([0xabcdef01, 0x23456789]);
    expect(keysOf(txHash, 37)[36]).toEqual([0xabababab, 0xabababab]);
  });

  it('decodes plain and dictionary text, UTF-8 included; undefined for null', async () => {
    const events = everyKind();
    const files = await writeRun(events);
    const [group] = await collect(files, ['message', 'kind', 'phase_name']);
    const g = group as ColumnRowGroup;
    expect(Array.from({ length: g.rows }, (_, r) => textAt(g.columns.get('message') as TextColumn, r))).toEqual(events.map((e) => (e.kind === 'TxFailed' ? e.message : undefined)));
    expect(Array.from({ length: g.rows }, (_, r) => textAt(g.columns.get('kind') as TextColumn, r))).toEqual(events.map((e) => e.kind));
    expect(textAt(g.columns.get('message') as TextColumn, 5)).toBe('nonce too low: 41 < 42 — ünïcödé 🚀');
    expect(textAt(g.columns.get('phase_name') as TextColumn, 0)).toBeUndefined();
  });
});

describe('errors', () => {
  it('GH-E503 naming a missing file', async () => {
    const path = join(dataDir, 'absent.parquet');
    await expectGasHammerError(collect([path], ['kind']), /absent\.parquet could not be opened/);
  });

  it('GH-E503 naming a truncated file, whether the footer or the data is cut off', async () => {
    const files = await writeRun(busyEvents(3_000), { rowGroupSize: 1_000 });
    const path = files[0] as string;
    const whole = readFileSync(path);
    // The data cut from the middle, the footer kept: the footer points past the end.
    const footerLength = whole.readUInt32LE(whole.length - 8) + 8;
    writeFileSync(path, Buffer.concat([whole.subarray(0, Math.floor(whole.length / 3)), whole.subarray(whole.length - footerLength)]));
    await expectGasHammerError(collect(files, ['kind', 'tx_hash', 'wall_ns']), new RegExp(`${path} .*(lies outside the file|could not be decoded)`));
    // The footer cut off.
    writeFileSync(path, whole);
    truncateSync(path, Math.floor(whole.length / 2));
    await expectGasHammerError(collect(files, ['kind']), new RegExp(`${path} is not a readable Parquet file`));
  });

  it('GH-E503 for a file that is not Parquet, or Parquet that is not GasHammer telemetry', async () => {
    const text = join(dataDir, 'notes.parquet');
    writeFileSync(text, 'run notes, not parquet at all\n'.repeat(10));
    await expectGasHammerError(collect([text], ['kind']), /notes\.parquet is not a readable Parquet file/);
    const foreign = join(dataDir, 'foreign.parquet');
    writeFileSync(foreign, new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'kind', data: ['a', 'b'], type: 'STRING' }] })));
    await expectGasHammerError(collect([foreign], ['kind']), /foreign\.parquet is Parquet but not GasHammer telemetry/);
  });
});
