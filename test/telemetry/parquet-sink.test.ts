// ParquetSink end to end: events written to Parquet and read back by hyparquet (an independent
// decoder) exactly; footer metadata; files named by UTC hour and rotated by size, age and hour
// change under an injected clock; the `.partial` discipline that keeps closed files readable
// after a crash; and the GH-E501 / GH-E503 error paths.

import { closeSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import type { TelemetryEvent } from '../../src/telemetry/events.js';
import {
  listRunFiles,
  readTelemetryFile,
  readTelemetryFileInfo,
  readTelemetryMetadata,
  readTelemetryRun,
  telemetryRowGroups,
} from '../../src/telemetry/parquet-reader.js';
import { ParquetSink, runDirectory, type ParquetSinkOptions } from '../../src/telemetry/parquet-sink.js';
import { buildInfo } from '../../src/util/build-info.js';
import { RUN_ID, anyEvent, busyEvents, everyKind } from './sample-events.js';

const T10 = Date.UTC(2026, 10, 21, 10, 0, 0);
const MIN = 60_000;

let dataDir: string;
let nowMs: number;
const runDir = () => runDirectory(dataDir, RUN_ID);
const names = () => readdirSync(runDir()).sort();

function sink(options: Partial<ParquetSinkOptions> = {}): ParquetSink {
  return new ParquetSink({ dataDir, runId: RUN_ID, rotateBytes: 256 * 1024 * 1024, rotateIntervalMs: 3_600_000, now: () => nowMs, ...options });
}

async function expectGasHammerError(promise: Promise<unknown>, code: string, text: RegExp | string): Promise<GasHammerError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GasHammerError);
  expect((err as GasHammerError).code).toBe(code);
  expect((err as GasHammerError).message).toMatch(text);
  return err as GasHammerError;
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'gashammer-parquet-'));
  nowMs = T10 + 5 * MIN;
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('ParquetSink round trip', () => {
  it('writes every event kind and reads it back exactly, values past 2^53 and 64 bits included', async () => {
    const events = everyKind();
    const s = sink();
    s.append(events);
    const result = await s.close();
    expect(result).toEqual({ files: [join(runDir(), '2026-11-21T10.parquet')], rows: events.length });
    expect(await readTelemetryFile(result.files[0] as string)).toEqual(events);
  });

  it('writes the version, build, run id and given metadata in every footer', async () => {
    const s = sink({ metadata: { scenario: 'ramp-to-failure', 'target.chain_id': '412346' } });
    s.append(everyKind());
    const { files } = await s.close();
    const info = await readTelemetryFileInfo(files[0] as string);
    expect(info.metadata).toEqual({
      'gashammer.version': buildInfo().version,
      'gashammer.build': buildInfo().buildSha,
      'gashammer.run_id': RUN_ID,
      'gashammer.schema_version': '1',
      scenario: 'ramp-to-failure',
      'target.chain_id': '412346',
    });
    expect(await readTelemetryMetadata(files[0] as string)).toEqual(info.metadata);
    expect(info.createdBy).toMatch(/^gashammer version /);
  });

  it('writes a row group each rowGroupSize events, holding fewer than that in memory', async () => {
    const events = busyEvents(25);
    const s = sink({ rowGroupSize: 10 });
    s.append(events.slice(0, 7));
    expect(s.stats).toMatchObject({ rowsWritten: 0, rowsBuffered: 7 });
    s.append(events.slice(7));
    expect(s.stats).toMatchObject({ rowsWritten: 20, rowsBuffered: 5 });
    const { files } = await s.close();
    expect((await readTelemetryFileInfo(files[0] as string)).rowGroups).toEqual([10, 10, 5]);
    const groups: number[] = [];
    for await (const g of telemetryRowGroups(files)) groups.push(g.events.length);
    expect(groups).toEqual([10, 10, 5]);
    expect(await readTelemetryFile(files[0] as string)).toEqual(events);
  });

  it('round-trips large row groups: dictionaries, delta-packed and plain fallbacks', async () => {
    // 6,000 distinct hashes defeat the dictionary; random mono_ns steps defeat delta packing.
    const events = busyEvents(6_000, { edges: 3 }).map((e, i) => ({ ...e, monoNs: i % 2 === 0 ? -(2n ** 62n) + BigInt(i) : 2n ** 62n - BigInt(i) }));
    const s = sink();
    s.append(events);
    const { files } = await s.close();
    expect(await readTelemetryFile(files[0] as string)).toEqual(events);
  });

  it('records min/max statistics of wall_ns per row group, for readers that filter by time', async () => {
    const s = sink({ rowGroupSize: 10 });
    s.append(busyEvents(20));
    const { files } = await s.close();
    const bytes = readFileSync(files[0] as string);
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const wall = metadata.row_groups.map((g) => g.columns.find((c) => c.meta_data?.path_in_schema[0] === 'wall_ns')?.meta_data?.statistics);
    expect(wall.map((st) => [st?.min_value, st?.max_value])).toEqual([
      [1_763_000_000_000_000_000n, 1_763_000_000_000_009_000n],
      [1_763_000_000_000_010_000n, 1_763_000_000_000_019_000n],
    ]);
  });

  it('round-trips random event lists of every kind (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyEvent, { maxLength: 40 }), fc.integer({ min: 1, max: 16 }), async (events, rowGroupSize) => {
        rmSync(runDir(), { recursive: true, force: true });
        const s = sink({ rowGroupSize });
        s.append(events);
        const { files } = await s.close();
        if (events.length === 0) expect(files).toEqual([]);
        else expect((await readTelemetryRun(runDir())).events).toEqual(events);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses an event of another run, and keeps the events before it', async () => {
    const s = sink();
    const [first, second] = everyKind() as [TelemetryEvent, TelemetryEvent];
    expect(() => s.append([first, { ...second, runId: 'another-run' }])).toThrow(RangeError);
    const { rows } = await s.close();
    expect(rows).toBe(1);
  });

  it('refuses an unsafe run id, non-positive rotation limits and reserved metadata keys', () => {
    expect(() => sink({ runId: '../escape' })).toThrow(/safe folder name/);
    expect(() => sink({ rotateBytes: 0 })).toThrow(/rotateBytes/);
    expect(() => sink({ rotateIntervalMs: -1 })).toThrow(/rotateIntervalMs/);
    expect(() => sink({ metadata: { 'gashammer.run_id': 'x' } })).toThrow(/reserved/);
  });

  it('closes once: close() again returns the same result, append() after it throws', async () => {
    const s = sink();
    s.append(everyKind());
    const first = await s.close();
    expect(await s.close()).toBe(first);
    expect(() => s.append(everyKind())).toThrow(/closed/);
  });

  it('writes no file for a run without events', async () => {
    const s = sink();
    s.flush();
    expect(await s.close()).toEqual({ files: [], rows: 0 });
    expect(existsSync(runDir())).toBe(false);
  });
});

describe('ParquetSink encoding', () => {
  function chunkMeta(path: string, column: string) {
    const bytes = readFileSync(path);
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return metadata.row_groups.map((g) => g.columns.find((c) => c.meta_data?.path_in_schema[0] === column)?.meta_data);
  }

  it('delta-packs timestamps, dictionary-encodes repeated strings, leaves unique hex plain and uncompressed', async () => {
    const s = sink();
    s.append(busyEvents(600));
    const { files } = await s.close();
    const file = files[0] as string;
    expect(chunkMeta(file, 'mono_ns')[0]?.encodings).toContain('DELTA_BINARY_PACKED');
    expect(chunkMeta(file, 'wall_ns')[0]?.encodings).toContain('DELTA_BINARY_PACKED');
    expect(chunkMeta(file, 'account')[0]?.encodings).toContain('RLE_DICTIONARY');
    expect(chunkMeta(file, 'kind')[0]?.encodings).toContain('RLE_DICTIONARY');
    expect(chunkMeta(file, 'tx_hash')[0]).toMatchObject({ encodings: ['PLAIN', 'RLE'], codec: 'UNCOMPRESSED' });
    expect(chunkMeta(file, 'template')[0]?.codec).toBe('SNAPPY');
  });

  it('round-trips int64 and uint64 columns of any step size exactly, delta-packed or plain (property)', async () => {
    const steps = fc.array(fc.bigInt(-(2n ** 50n), 2n ** 50n), { minLength: 1, maxLength: 300 });
    const huge = fc.array(fc.bigInt(0n, 2n ** 64n - 1n), { minLength: 1, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(fc.bigInt(-(2n ** 62n), 2n ** 62n), steps, huge, async (start, deltas, gas) => {
        rmSync(runDir(), { recursive: true, force: true });
        let mono = start;
        const events = deltas.map((d, i) => {
          mono += d;
          const base = busyEvents(1, { startSeq: i })[0] as TelemetryEvent & { kind: 'TxAccepted' | 'TxSubmitted' | 'TxIncluded' };
          const g = gas[i % gas.length] as bigint;
          return { ...base, monoNs: mono, ...(base.kind === 'TxIncluded' ? { gasUsed: g } : base.kind === 'TxSubmitted' ? { gasLimit: g } : {}) } as TelemetryEvent;
        });
        const s = sink();
        s.append(events);
        const { files } = await s.close();
        expect(await readTelemetryFile(files[0] as string)).toEqual(events);
      }),
      { numRuns: 60 },
    );
  });
});

describe('ParquetSink rotation', () => {
  it('starts a new file after each row group that takes the file past rotateBytes, suffixed -1, -2, ...', async () => {
    const events = busyEvents(35);
    const s = sink({ rowGroupSize: 10, rotateBytes: 1 });
    s.append(events);
    const { files, rows } = await s.close();
    expect(rows).toBe(35);
    expect(files.map((f) => f.slice(runDir().length + 1))).toEqual(['2026-11-21T10.parquet', '2026-11-21T10-1.parquet', '2026-11-21T10-2.parquet', '2026-11-21T10-3.parquet']);
    expect(s.stats.bytesWritten).toBe(files.reduce((sum, f) => sum + readFileSync(f).length, 0));
    const run = await readTelemetryRun(runDir());
    expect(run.files).toEqual(files);
    expect(run.events).toEqual(events);
  });

  it('does not rotate while files stay under rotateBytes', async () => {
    const s = sink({ rowGroupSize: 10, rotateBytes: 1024 * 1024 });
    s.append(busyEvents(35));
    expect((await s.close()).files).toHaveLength(1);
  });

  it('starts a new file once the open one is rotateIntervalMs old, with the events that arrived before', async () => {
    const s = sink({ rotateIntervalMs: 10 * MIN });
    const events = busyEvents(9);
    s.append(events.slice(0, 3)); // opens 10:05
    nowMs += 9 * MIN;
    s.append(events.slice(3, 6)); // 10:14, same file
    nowMs += 1 * MIN;
    s.append(events.slice(6)); // 10:15: the first file is due
    const { files } = await s.close();
    expect(files.map((f) => f.slice(runDir().length + 1))).toEqual(['2026-11-21T10.parquet', '2026-11-21T10-1.parquet']);
    expect(await readTelemetryFile(files[0] as string)).toEqual(events.slice(0, 6));
    expect(await readTelemetryFile(files[1] as string)).toEqual(events.slice(6));
  });

  it('rotates on flush() when the time is up, so an idle run still closes its file', async () => {
    const s = sink({ rotateIntervalMs: 10 * MIN });
    s.append(busyEvents(3));
    nowMs += 10 * MIN;
    s.flush();
    expect(s.stats.files).toHaveLength(1);
    expect(s.stats.openFile).toBeUndefined();
    expect(names()).toEqual(['2026-11-21T10.parquet']);
    await s.close();
  });

  it('starts a new file when the UTC hour changes, named after the new hour', async () => {
    nowMs = T10 + 59 * MIN;
    const s = sink();
    const events = busyEvents(4);
    s.append(events.slice(0, 2));
    nowMs = T10 + 61 * MIN;
    s.append(events.slice(2));
    const { files } = await s.close();
    expect(files.map((f) => f.slice(runDir().length + 1))).toEqual(['2026-11-21T10.parquet', '2026-11-21T11.parquet']);
    expect((await readTelemetryRun(runDir())).events).toEqual(events);
  });

  it('never overwrites a file of the same hour left by an earlier sink of the run', async () => {
    const first = sink();
    first.append(busyEvents(3));
    await first.close();
    const second = sink();
    second.append(busyEvents(3, { startSeq: 3 }));
    await second.close();
    expect(names()).toEqual(['2026-11-21T10-1.parquet', '2026-11-21T10.parquet']);
    expect((await readTelemetryRun(runDir())).events).toEqual(busyEvents(6));
  });
});

describe('ParquetSink durability', () => {
  it('writes to <name>.parquet.partial and renames it on close', async () => {
    const s = sink({ rowGroupSize: 10 });
    s.append(busyEvents(15));
    expect(names()).toEqual(['2026-11-21T10.parquet.partial']);
    expect(s.stats.openFile).toBe(join(runDir(), '2026-11-21T10.parquet.partial'));
    await s.close();
    expect(names()).toEqual(['2026-11-21T10.parquet']);
  });

  it('leaves every closed file readable when the process dies with a file open', async () => {
    const s = sink({ rowGroupSize: 10, rotateBytes: 1 });
    const events = busyEvents(25);
    s.append(events);
    // Two files closed by rotation; the third is open, and the process "dies" here: no close().
    const run = await readTelemetryRun(runDir());
    expect(run.events).toEqual(events.slice(0, 20));
    expect(run.partialFiles).toEqual([join(runDir(), '2026-11-21T10-2.parquet.partial')]);
    await expectGasHammerError(readTelemetryFile(run.partialFiles[0] as string), 'GH-E503', /partial.*not a readable Parquet file/);
    // A restarted sink of the same run leaves the partial file alone and writes beside it.
    const restarted = sink();
    restarted.append(busyEvents(1, { startSeq: 25 }));
    await restarted.close();
    expect(names()).toEqual(['2026-11-21T10-1.parquet', '2026-11-21T10-2.parquet.partial', '2026-11-21T10-3.parquet', '2026-11-21T10.parquet']);
    await s.close();
  });
});

describe('errors', () => {
  it('GH-E501 naming the file when the run folder cannot be created', async () => {
    const notADirectory = join(dataDir, 'plain-file');
    writeFileSync(notADirectory, 'x');
    const s = new ParquetSink({ dataDir: notADirectory, runId: RUN_ID, rotateBytes: 1 << 20, rotateIntervalMs: 3_600_000, now: () => nowMs });
    let err: unknown;
    try {
      s.append(everyKind());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GasHammerError);
    expect((err as GasHammerError).code).toBe('GH-E501');
    expect((err as GasHammerError).message).toContain(join(notADirectory, 'runs', RUN_ID, '2026-11-21T10.parquet.partial'));
  });

  it('GH-E501 when a write fails: the file is abandoned as .partial and the row group retried in a new file', async () => {
    const s = sink({ rowGroupSize: 10 });
    const events = busyEvents(30);
    s.append(events.slice(0, 10));
    // The disk "fails": the sink's file descriptor goes away under it.
    closeSync((s as unknown as { current: { fd: number } }).current.fd);
    let err: unknown;
    try {
      s.append(events.slice(10, 20));
    } catch (e) {
      err = e;
    }
    expect((err as GasHammerError).code).toBe('GH-E501');
    expect((err as GasHammerError).message).toContain(join(runDir(), '2026-11-21T10.parquet.partial'));
    expect(s.stats).toMatchObject({ rowsLost: 10, rowsBuffered: 10, openFile: undefined });
    s.append(events.slice(20));
    const { files, rows } = await s.close();
    expect(rows).toBe(20);
    const run = await readTelemetryRun(runDir());
    expect(run.files).toEqual(files);
    expect(run.events).toEqual(events.slice(10));
    expect(run.partialFiles).toEqual([join(runDir(), '2026-11-21T10.parquet.partial')]);
  });

  it('GH-E503 naming the file for a truncated file', async () => {
    const s = sink();
    s.append(busyEvents(50));
    const { files } = await s.close();
    const path = files[0] as string;
    truncateSync(path, Math.floor(readFileSync(path).length / 2));
    await expectGasHammerError(readTelemetryFile(path), 'GH-E503', path);
    truncateSync(path, 3);
    await expectGasHammerError(readTelemetryFileInfo(path), 'GH-E503', /not a readable Parquet file/);
  });

  it('GH-E503 for a file that is not Parquet, Parquet not written by GasHammer, or missing', async () => {
    const text = join(dataDir, 'notes.parquet');
    writeFileSync(text, 'run notes, not parquet at all\n'.repeat(10));
    await expectGasHammerError(readTelemetryFile(text), 'GH-E503', /notes\.parquet is not a readable Parquet file/);

    const foreign = join(dataDir, 'foreign.parquet');
    writeFileSync(foreign, new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'x', data: [1, 2, 3], type: 'INT32' }] })));
    await expectGasHammerError(readTelemetryFile(foreign), 'GH-E503', /not GasHammer telemetry/);

    await expectGasHammerError(readTelemetryFile(join(dataDir, 'absent.parquet')), 'GH-E503', /absent\.parquet could not be opened/);
    await expectGasHammerError(listRunFiles(join(dataDir, 'no-such-run')), 'GH-E503', /telemetry run folder .*no-such-run could not be listed/);
  });
});

describe('listRunFiles', () => {
  it('orders files by hour, then suffix numerically, and lists partial files apart', async () => {
    mkdirRun(['2026-11-21T11.parquet', '2026-11-21T10-10.parquet', '2026-11-21T10-2.parquet', '2026-11-21T10.parquet', '2026-11-21T10-1.parquet', '2026-11-21T11-1.parquet.partial', 'README.txt']);
    const listing = await listRunFiles(runDir());
    expect(listing.files.map((f) => f.slice(runDir().length + 1))).toEqual([
      '2026-11-21T10.parquet',
      '2026-11-21T10-1.parquet',
      '2026-11-21T10-2.parquet',
      '2026-11-21T10-10.parquet',
      '2026-11-21T11.parquet',
    ]);
    expect(listing.partialFiles).toEqual([join(runDir(), '2026-11-21T11-1.parquet.partial')]);
  });
});

function mkdirRun(files: string[]): void {
  const s = sink();
  s.append(everyKind().slice(0, 1));
  s.flush();
  for (const f of readdirSync(runDir())) rmSync(join(runDir(), f));
  for (const f of files) writeFileSync(join(runDir(), f), '');
}
