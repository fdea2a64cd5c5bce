// The column reader on a worker thread gives exactly what the in-thread reader gives (row groups,
// values, dictionaries, plain text), and its errors arrive as the same GH-E503 GasHammerError.

import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { hexKey, readColumnRowGroups, textAt, type ColumnRowGroup, type ColumnVector, type TextColumn } from '../../src/telemetry/column-reader.js';
import { readColumnRowGroupsThreaded } from '../../src/telemetry/column-reader-thread.js';
import { TELEMETRY_COLUMNS, type TelemetryColumnName } from '../../src/telemetry/parquet-schema.js';
import { ParquetSink } from '../../src/telemetry/parquet-sink.js';
import { RUN_ID, busyEvents, everyKind } from './sample-events.js';

const ALL_COLUMNS: TelemetryColumnName[] = TELEMETRY_COLUMNS.map((c) => c.name);
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'gashammer-columns-thread-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

async function writeRun(rowGroupSize: number): Promise<string[]> {
  const sink = new ParquetSink({ dataDir, runId: RUN_ID, rotateBytes: 256 * 1024 * 1024, rotateIntervalMs: 3_600_000, rowGroupSize, now: () => Date.UTC(2026, 10, 21, 10) });
  sink.append([...everyKind(), ...busyEvents(5_000)]);
  return [...(await sink.close()).files];
}

async function collect(groups: AsyncGenerator<ColumnRowGroup>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const g of groups) {
    const columns: Record<string, unknown[]> = {};
    for (const [name, vector] of g.columns) columns[name] = cells(vector, g.rows);
    out.push({ file: g.file, rowGroup: g.rowGroup, rows: g.rows, columns });
  }
  return out;
}

function cells(vector: ColumnVector, rows: number): unknown[] {
  if (vector.type !== 'text') return Array.from(vector.values);
  return Array.from({ length: rows }, (_, r) => textAt(vector, r));
}

describe('readColumnRowGroupsThreaded', () => {
  it('gives the same row groups and values as the in-thread reader, with several groups waiting ahead', async () => {
    const files = await writeRun(700);
    const inThread = await collect(readColumnRowGroups(files, ALL_COLUMNS));
    expect(inThread.length).toBeGreaterThan(5);
    expect(await collect(readColumnRowGroupsThreaded(files, ALL_COLUMNS, { prefetch: 3 }))).toEqual(inThread);
  });

  it('keys the hex columns asked for exactly as hexKey does, row by row, nulls marked absent', async () => {
    const files = await writeRun(700);
    let rows = 0;
    for await (const g of readColumnRowGroupsThreaded(files, ['tx_hash', 'account', 'kind'], { hexKeyColumns: ['tx_hash', 'account'] })) {
      expect([...g.hexKeys.keys()]).toEqual(['tx_hash', 'account']);
      for (const name of ['tx_hash', 'account'] as const) {
        const { words, present } = g.hexKeys.get(name)!;
        const col = g.columns.get(name) as TextColumn;
        const expected = new Uint32Array(2);
        for (let r = 0; r < g.rows; r++) {
          const has = hexKey(col, r, expected, 0);
          expect(present[r]).toBe(has ? 1 : 0);
          if (has) expect([words[2 * r], words[2 * r + 1]]).toEqual([expected[0], expected[1]]);
        }
        expect(present.includes(1)).toBe(true);
      }
      expect(g.hexKeys.get('account')!.present.includes(0)).toBe(true);
      rows += g.rows;
    }
    expect(rows).toBeGreaterThan(5_000);
  });

  it('stops the worker when the caller leaves early, and reads again afterwards', async () => {
    const files = await writeRun(700);
    for await (const g of readColumnRowGroupsThreaded(files, ['kind'])) {
      expect(g.rowGroup).toBe(0);
      break;
    }
    expect((await collect(readColumnRowGroupsThreaded(files, ['kind']))).length).toBeGreaterThan(5);
  });

  it('raises the reader GH-E503 from the worker, naming the file', async () => {
    const files = await writeRun(700);
    truncateSync(files[0]!, 100);
    const err = await collect(readColumnRowGroupsThreaded(files, ['kind'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GasHammerError);
    expect((err as GasHammerError).code).toBe('GH-E503');
    expect((err as GasHammerError).message).toContain(files[0]);
  });
});
