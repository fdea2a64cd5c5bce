// Reading telemetry back: one Parquet file or a whole run folder written by ParquetSink, into
// TelemetryEvent objects with every bigint exact, plus the footer metadata. Reading goes one
// row group at a time (telemetryRowGroups), so a report over tens of millions of events holds
// one row group of them, not the run. A file that is missing, truncated, not Parquet or not
// GasHammer's telemetry layout is a GasHammerError GH-E503 naming the file.

import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData, type SchemaElement } from 'hyparquet';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError, isGasHammerError } from '../errors/gashammer-error.js';
import type { TelemetryEvent } from './events.js';
import { METADATA_KEYS, TELEMETRY_COLUMNS, TELEMETRY_SCHEMA_VERSION, columnsToEvents, telemetryParquetSchema } from './parquet-schema.js';

export interface TelemetryFileInfo {
  readonly path: string;
  readonly rows: number;
  /** Rows per row group, in file order. */
  readonly rowGroups: readonly number[];
  /** Footer key-value metadata (gashammer.version, gashammer.run_id, ...). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdBy: string | undefined;
}

export interface RunFiles {
  /** Closed telemetry files, in the order they were written. */
  readonly files: readonly string[];
  /** `.partial` files a crash or a failed write left behind: unreadable, skipped. */
  readonly partialFiles: readonly string[];
}

export interface TelemetryRowGroup {
  readonly file: string;
  /** Index of the row group within its file. */
  readonly rowGroup: number;
  readonly events: TelemetryEvent[];
}

const FILE_NAME = /^(\d{4}-\d{2}-\d{2}T\d{2})(?:-(\d+))?\.parquet$/;
const COLUMN_NAMES: string[] = TELEMETRY_COLUMNS.map((c) => c.name);
const COLUMN_INDEX = new Map(COLUMN_NAMES.map((name, i) => [name, i]));
const EXPECTED_SCHEMA = new Map(telemetryParquetSchema().slice(1).map((e) => [e.name, e]));

/** The run folder's files: `.parquet` in writing order (hour, then -1, -2, ...) and the `.partial` ones. */
export async function listRunFiles(runDir: string): Promise<RunFiles> {
  let names: string[];
  try {
    names = await readdir(runDir);
  } catch (err) {
    throw telemetryReadError(runDir, 'could not be listed', err, 'telemetry run folder');
  }
  const files: { name: string; hour: string; n: number }[] = [];
  const partialFiles: string[] = [];
  for (const name of names) {
    const m = FILE_NAME.exec(name);
    if (m) files.push({ name, hour: m[1] as string, n: m[2] === undefined ? 0 : Number(m[2]) });
    else if (name.endsWith('.parquet.partial')) partialFiles.push(join(runDir, name));
  }
  // Plain name order would put `T10-1` before `T10` ('-' sorts before '.').
  files.sort((a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : a.n - b.n));
  return { files: files.map((f) => join(runDir, f.name)), partialFiles: partialFiles.sort() };
}

/** Row count, row groups and footer metadata of one telemetry file, without reading its data. */
export async function readTelemetryFileInfo(path: string): Promise<TelemetryFileInfo> {
  return withFile(path, async (file) => describe(path, await readTelemetryFooter(path, file)));
}

/** The footer key-value metadata of one telemetry file. */
export async function readTelemetryMetadata(path: string): Promise<Readonly<Record<string, string>>> {
  return (await readTelemetryFileInfo(path)).metadata;
}

/** Every event of one file, in file order. */
export async function readTelemetryFile(path: string): Promise<TelemetryEvent[]> {
  const events: TelemetryEvent[] = [];
  for await (const group of telemetryRowGroups([path])) for (const e of group.events) events.push(e);
  return events;
}

/** Every event of a run folder, file by file in writing order; `.partial` files are skipped and listed. */
export async function readTelemetryRun(runDir: string): Promise<RunFiles & { readonly events: TelemetryEvent[] }> {
  const listing = await listRunFiles(runDir);
  const events: TelemetryEvent[] = [];
  for await (const group of telemetryRowGroups(listing.files)) for (const e of group.events) events.push(e);
  return { ...listing, events };
}

/**
 * The events of the given files, one row group at a time, in order. Only the current row group
 * is held, so memory stays flat however large the run. For a run folder:
 * `telemetryRowGroups((await listRunFiles(runDir)).files)`.
 */
export async function* telemetryRowGroups(paths: readonly string[]): AsyncGenerator<TelemetryRowGroup> {
  for (const path of paths) {
    const handle = await openTelemetryFile(path);
    try {
      const file = asyncBuffer(path, handle.handle, handle.size);
      const metadata = await readTelemetryFooter(path, file);
      let groupStart = 0;
      for (let g = 0; g < metadata.row_groups.length; g++) {
        const rows = Number((metadata.row_groups[g] as FileMetaData['row_groups'][number]).num_rows);
        const events = await readRowGroup(path, file, metadata, groupStart, rows);
        groupStart += rows;
        yield { file: path, rowGroup: g, events };
      }
    } finally {
      await handle.handle.close();
    }
  }
}

async function readRowGroup(path: string, file: AsyncBuffer, metadata: FileMetaData, groupStart: number, rows: number): Promise<TelemetryEvent[]> {
  const columns: ArrayLike<unknown>[] = COLUMN_NAMES.map(() => new Array<unknown>(rows));
  const filled = new Array<number>(COLUMN_NAMES.length).fill(0);
  try {
    await parquetRead({
      file,
      metadata,
      columns: COLUMN_NAMES,
      rowStart: groupStart,
      rowEnd: groupStart + rows,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const c = COLUMN_INDEX.get(columnName);
        if (c === undefined) return;
        // The usual case, one page per column chunk: take the decoded array as it is.
        if (rowStart === groupStart && columnData.length === rows && filled[c] === 0) {
          columns[c] = columnData;
          filled[c] = rows;
          return;
        }
        const target = columns[c] as unknown[];
        // Chunks may reach outside the requested range (the reader says so): keep our rows only.
        let placed = 0;
        for (let j = 0; j < columnData.length; j++) {
          const r = rowStart + j - groupStart;
          if (r >= 0 && r < rows) {
            target[r] = columnData[j];
            placed++;
          }
        }
        filled[c] = (filled[c] as number) + placed;
      },
    });
  } catch (err) {
    throw telemetryReadError(path, 'data could not be decoded (corrupt or truncated)', err);
  }
  const short = COLUMN_NAMES.find((_, c) => (filled[c] as number) < rows);
  if (short !== undefined) throw telemetryReadError(path, `column ${short} has fewer values than its row group's ${rows} rows`);
  try {
    return columnsToEvents({ rows, columns });
  } catch (err) {
    throw telemetryReadError(path, `row group at row ${groupStart} does not hold GasHammer events`, err);
  }
}

/**
 * The footer of a telemetry file, checked to be GasHammer telemetry of the schema version and
 * columns this build reads (GH-E503 otherwise). The column reader reads footers through it too.
 */
export async function readTelemetryFooter(path: string, file: AsyncBuffer): Promise<FileMetaData> {
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    throw telemetryReadError(path, 'is not a readable Parquet file (truncated, still being written, or not Parquet)', err);
  }
  const info = describe(path, metadata);
  if (info.metadata[METADATA_KEYS.runId] === undefined) throw telemetryReadError(path, `is Parquet but not GasHammer telemetry (no ${METADATA_KEYS.runId} in its footer)`);
  const version = info.metadata[METADATA_KEYS.schemaVersion];
  if (version !== TELEMETRY_SCHEMA_VERSION) throw telemetryReadError(path, `has telemetry schema version ${version ?? '(none)'}; this GasHammer reads version ${TELEMETRY_SCHEMA_VERSION}`);
  const mismatch = schemaMismatch(metadata.schema);
  if (mismatch) throw telemetryReadError(path, `does not have the telemetry columns: ${mismatch}`);
  return metadata;
}

/** What differs between a file's schema and the one we write, or undefined if nothing does. */
function schemaMismatch(schema: readonly SchemaElement[]): string | undefined {
  const leaves = new Map(schema.slice(1).map((e) => [e.name, e]));
  for (const [name, want] of EXPECTED_SCHEMA) {
    const got = leaves.get(name);
    if (got === undefined) return `${name} is missing`;
    if (got.num_children || got.type !== want.type || got.repetition_type !== want.repetition_type || (got.converted_type ?? undefined) !== (want.converted_type ?? undefined)) {
      return `${name} is ${got.repetition_type ?? ''} ${got.type ?? 'a group'}${got.converted_type ? ` (${got.converted_type})` : ''}, expected ${want.repetition_type ?? ''} ${want.type ?? ''}${want.converted_type ? ` (${want.converted_type})` : ''}`;
    }
  }
  return undefined;
}

function describe(path: string, metadata: FileMetaData): TelemetryFileInfo {
  const kv: Record<string, string> = {};
  for (const { key, value } of metadata.key_value_metadata ?? []) kv[key] = value ?? '';
  return {
    path,
    rows: Number(metadata.num_rows),
    rowGroups: metadata.row_groups.map((g) => Number(g.num_rows)),
    metadata: kv,
    createdBy: metadata.created_by,
  };
}

async function withFile<T>(path: string, use: (file: AsyncBuffer) => Promise<T>): Promise<T> {
  const { handle, size } = await openTelemetryFile(path);
  try {
    return await use(asyncBuffer(path, handle, size));
  } finally {
    await handle.close();
  }
}

/** Opens a telemetry file for reading, with its size (GH-E503 naming it when it cannot be opened). */
export async function openTelemetryFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw telemetryReadError(path, 'could not be opened', err);
  }
  try {
    return { handle, size: (await handle.stat()).size };
  } catch (err) {
    await handle.close();
    throw telemetryReadError(path, 'could not be opened', err);
  }
}

/** Random access for hyparquet over one open file handle (its own helper opens a stream per read). */
function asyncBuffer(path: string, handle: FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? size, size);
      const out = new ArrayBuffer(Math.max(0, stop - start));
      const bytes = new Uint8Array(out);
      let done = 0;
      while (done < bytes.length) {
        const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done);
        if (bytesRead === 0) throw telemetryReadError(path, `ended at byte ${start + done}, before byte ${stop} the footer points to`);
        done += bytesRead;
      }
      return out;
    },
  };
}

/** GH-E503 naming the file and what is wrong with it; a GasHammerError cause passes through as it is. */
export function telemetryReadError(path: string, what: string, cause?: unknown, subject = 'telemetry file'): GasHammerError {
  if (isGasHammerError(cause)) return cause;
  const reason = cause === undefined ? '' : `: ${cause instanceof Error ? cause.message : String(cause)}`;
  return new GasHammerError(ErrorCodes.TelemetryRead, `${subject} ${path} ${what}${reason}`, cause === undefined ? {} : { cause });
}
