// The hive's system of record for telemetry: ParquetSink writes every event of one run to
// `<dataDir>/runs/<runId>/` as compressed Parquet files (layout in parquet-schema.ts, bytes in
// parquet-encoder.ts), one row group per `rowGroupSize` events, and owns file naming, rotation
// and durability.
//
// Files are named by the UTC hour they were opened in, `2026-11-21T10.parquet`; another file
// opened in the same hour gets `-1`, `-2`, ... (`2026-11-21T10-1.parquet`). A file is closed
// and the next one opened when it reaches `rotateBytes` (checked after each row group, so a
// file can exceed it by up to one row group), when it has been open `rotateIntervalMs`, or
// when the UTC hour changes, so a file never spans two hours of writing. Time rotation is
// checked on append() and flush(): the hive calls flush() on a timer so an idle run still
// rotates.
//
// Durability: a Parquet file is readable only once its footer is written, so each file is
// written as `<name>.parquet.partial` and, on close, footed, fsynced and renamed to
// `<name>.parquet` (and the folder fsynced). A crash therefore leaves every file closed before
// it readable, and at most one `.partial` file, which readers skip and report; the events in
// it and those still buffered are lost. A failed write (GH-E501) abandons the open file the same
// way (it stays `.partial`, its rows are counted in stats.rowsLost) but keeps the buffered row
// group, which the next append(), flush() or close() tries again in a new file.
//
// Memory stays bounded: events are converted into column arrays as they arrive (one row
// group's worth, preallocated) and the encoded bytes go to disk in chunks of a few MiB.
// Writes are synchronous: encoding a row group is synchronous CPU work anyway, and the write
// itself lands in the page cache.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyValue } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { buildInfo } from '../util/build-info.js';
import type { TelemetryEvent } from './events.js';
import { TelemetryFileEncoder } from './parquet-encoder.js';
import { METADATA_KEYS, TELEMETRY_SCHEMA_VERSION, TelemetryColumnBuilder } from './parquet-schema.js';

export interface ParquetSinkOptions {
  /** The data directory; files go to `<dataDir>/runs/<runId>/`. */
  readonly dataDir: string;
  readonly runId: string;
  /** Start a new file once the current one holds this many bytes. */
  readonly rotateBytes: number;
  /** Start a new file once the current one has been open this long. */
  readonly rotateIntervalMs: number;
  /** Events per row group; default 50,000. Also the most events held in memory. */
  readonly rowGroupSize?: number;
  /** Extra footer key-value metadata (scenario, target, ...); keys must not start with `gashammer.`. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Wall clock in ms since the epoch; tests inject one. Default Date.now. */
  readonly now?: () => number;
}

export interface ParquetSinkStats {
  /** Events in row groups on disk: in closed files and in the open one. */
  readonly rowsWritten: number;
  /** Events converted but not yet written (at most one row group). */
  readonly rowsBuffered: number;
  /** Events written to files abandoned after a write error (left as `.partial`). */
  readonly rowsLost: number;
  /** Bytes written: closed files plus what the open file holds so far. */
  readonly bytesWritten: number;
  /** Closed, readable files, in the order they were written. */
  readonly files: readonly string[];
  /** The `.partial` file being written, if any. */
  readonly openFile: string | undefined;
}

export interface ParquetSinkResult {
  readonly files: readonly string[];
  readonly rows: number;
}

export const DEFAULT_ROW_GROUP_SIZE = 50_000;

const PARTIAL_SUFFIX = '.partial';
/** Encoded bytes are handed to the OS in chunks of about this size, not a row group at a time. */
const SPILL_BYTES = 4 << 20;
const SAFE_PATH_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The run's folder under a data directory. */
export function runDirectory(dataDir: string, runId: string): string {
  return join(dataDir, 'runs', runId);
}

/** `2026-11-21T10`: the UTC hour a file opened at `ms` is named after. */
export function utcHourName(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

interface OpenFile {
  readonly path: string;
  readonly partialPath: string;
  readonly fd: number;
  readonly encoder: TelemetryFileEncoder;
  readonly openedAtMs: number;
  readonly hour: string;
}

export class ParquetSink {
  readonly runId: string;
  readonly directory: string;
  private readonly rotateBytes: number;
  private readonly rotateIntervalMs: number;
  private readonly now: () => number;
  private readonly kvMetadata: KeyValue[];
  private readonly createdBy: string;
  private readonly builder: TelemetryColumnBuilder;
  private current: OpenFile | undefined;
  private readonly closedFiles: string[] = [];
  private rowsInClosedFiles = 0;
  private rowsInOpenFile = 0;
  private rowsInAbandonedFiles = 0;
  private bytesInClosedFiles = 0;
  private result: ParquetSinkResult | undefined;

  constructor(options: ParquetSinkOptions) {
    if (!SAFE_PATH_SEGMENT.test(options.runId)) throw new RangeError(`ParquetSink: run id ${JSON.stringify(options.runId)} is not a safe folder name`);
    if (!(options.rotateBytes > 0)) throw new RangeError(`ParquetSink: rotateBytes must be positive, got ${options.rotateBytes}`);
    if (!(options.rotateIntervalMs > 0)) throw new RangeError(`ParquetSink: rotateIntervalMs must be positive, got ${options.rotateIntervalMs}`);
    const metadata = options.metadata ?? {};
    const reserved = Object.keys(metadata).filter((k) => k.startsWith('gashammer.'));
    if (reserved.length > 0) throw new RangeError(`ParquetSink: metadata keys starting with "gashammer." are reserved: ${reserved.join(', ')}`);
    this.runId = options.runId;
    this.directory = runDirectory(options.dataDir, options.runId);
    this.rotateBytes = options.rotateBytes;
    this.rotateIntervalMs = options.rotateIntervalMs;
    this.now = options.now ?? Date.now;
    this.builder = new TelemetryColumnBuilder(options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE, { runId: options.runId });
    const build = buildInfo();
    this.kvMetadata = [
      { key: METADATA_KEYS.version, value: build.version },
      { key: METADATA_KEYS.build, value: build.buildSha },
      { key: METADATA_KEYS.runId, value: options.runId },
      { key: METADATA_KEYS.schemaVersion, value: TELEMETRY_SCHEMA_VERSION },
      ...Object.entries(metadata).map(([key, value]) => ({ key, value })),
    ];
    this.createdBy = `gashammer version ${build.version} (build ${build.buildSha.slice(0, 12)})`;
  }

  /**
   * Takes events of this run; writes a row group each time `rowGroupSize` have gathered. An
   * event Parquet cannot hold (a value out of its column's range, an unknown kind) or of another
   * run is refused with a RangeError; the events before it in `events` are kept. A write error
   * is a GH-E501; events of the call that no longer fitted in the buffer are then not taken.
   */
  append(events: readonly TelemetryEvent[]): void {
    this.assertOpen();
    this.rotateIfDue();
    let taken = 0;
    while (taken < events.length) {
      if (this.builder.full) this.writeRowGroup();
      this.openFileIfNone();
      taken += this.builder.append(events, taken);
    }
    if (this.builder.full) this.writeRowGroup();
  }

  /**
   * Writes buffered events as a (short) row group and rotates if the file is due. The events
   * become readable when their file is closed, by rotation or close().
   */
  flush(): void {
    this.assertOpen();
    if (this.rotateIfDue()) return;
    this.writeRowGroup();
  }

  /** Writes what is buffered and closes the open file. Idempotent once it has succeeded. */
  async close(): Promise<ParquetSinkResult> {
    if (this.result === undefined) {
      this.writeRowGroup();
      this.closeFile();
      this.result = { files: [...this.closedFiles], rows: this.rowsInClosedFiles };
    }
    return this.result;
  }

  get stats(): ParquetSinkStats {
    return {
      rowsWritten: this.rowsInClosedFiles + this.rowsInOpenFile,
      rowsBuffered: this.builder.rows,
      rowsLost: this.rowsInAbandonedFiles,
      bytesWritten: this.bytesInClosedFiles + (this.current?.encoder.offset ?? 0),
      files: [...this.closedFiles],
      openFile: this.current?.partialPath,
    };
  }

  private assertOpen(): void {
    if (this.result !== undefined) throw new Error(`ParquetSink for run ${this.runId} is closed`);
  }

  /** Closes the open file if its time is up; true if it did. */
  private rotateIfDue(): boolean {
    const file = this.current;
    if (file === undefined) return false;
    const now = this.now();
    if (now - file.openedAtMs < this.rotateIntervalMs && utcHourName(now) === file.hour) return false;
    // Events buffered so far arrived while this file was current: they go in it.
    this.writeRowGroup();
    this.closeFile();
    return true;
  }

  private openFileIfNone(): OpenFile {
    if (this.current !== undefined) return this.current;
    const openedAtMs = this.now();
    const hour = utcHourName(openedAtMs);
    const { path, partialPath } = this.freeFileName(hour);
    let fd: number;
    try {
      mkdirSync(this.directory, { recursive: true });
      // 'wx': never clobber a file, even one a second sink of the same run raced us to.
      fd = openSync(partialPath, 'wx');
    } catch (err) {
      throw storageError(partialPath, 'could not be created', err);
    }
    const encoder = new TelemetryFileEncoder(new FileChunkWriter(fd, partialPath), this.kvMetadata, this.createdBy);
    this.current = { path, partialPath, fd, encoder, openedAtMs, hour };
    this.rowsInOpenFile = 0;
    return this.current;
  }

  /** The first of `<hour>`, `<hour>-1`, `<hour>-2`, ... with neither a file nor a partial file. */
  private freeFileName(hour: string): { path: string; partialPath: string } {
    for (let n = 0; ; n++) {
      const path = join(this.directory, `${hour}${n === 0 ? '' : `-${n}`}.parquet`);
      const partialPath = path + PARTIAL_SUFFIX;
      if (!existsSync(path) && !existsSync(partialPath)) return { path, partialPath };
    }
  }

  private writeRowGroup(): void {
    const rows = this.builder.rows;
    if (rows === 0) return;
    const file = this.openFileIfNone();
    try {
      file.encoder.writeRowGroup(this.builder.view());
    } catch (err) {
      this.abandonFile();
      throw storageError(file.partialPath, 'row group could not be written', err);
    }
    this.builder.reset();
    this.rowsInOpenFile += rows;
    if (file.encoder.offset >= this.rotateBytes) this.closeFile();
  }

  private closeFile(): void {
    const file = this.current;
    if (file === undefined) return;
    try {
      file.encoder.finish();
      fsyncSync(file.fd);
    } catch (err) {
      this.abandonFile();
      throw storageError(file.partialPath, 'could not be completed', err);
    }
    this.current = undefined;
    try {
      closeSync(file.fd);
      renameSync(file.partialPath, file.path);
    } catch (err) {
      throw storageError(file.path, 'could not be renamed into place', err);
    }
    syncDirectory(this.directory);
    this.closedFiles.push(file.path);
    this.rowsInClosedFiles += this.rowsInOpenFile;
    this.bytesInClosedFiles += file.encoder.offset;
    this.rowsInOpenFile = 0;
  }

  /** Gives up on the open file after a failed write: it stays `.partial`, its rows are lost. */
  private abandonFile(): void {
    const file = this.current;
    if (file === undefined) return;
    this.current = undefined;
    this.rowsInAbandonedFiles += this.rowsInOpenFile;
    this.rowsInOpenFile = 0;
    try {
      closeSync(file.fd);
    } catch {
      // Already failing: the write error is the one to report.
    }
  }
}

function storageError(path: string, what: string, cause: unknown): GasHammerError {
  if (cause instanceof GasHammerError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new GasHammerError(ErrorCodes.StorageWrite, `telemetry file ${path} ${what}: ${reason}`, { cause });
}

/** After a rename, the folder entry must reach the disk too, or a power loss can undo it. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot fsync a folder; the rename still happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The encoder's output buffer, emptied into a file descriptor whenever it passes SPILL_BYTES,
 * after each row group and at the end. Offsets in the file are the running `offset`, which
 * spilling leaves alone.
 */
class FileChunkWriter extends ByteWriter {
  constructor(
    private readonly fd: number,
    private readonly path: string,
  ) {
    super(SPILL_BYTES + (1 << 20));
  }

  override ensure(size: number): void {
    if (this.index > SPILL_BYTES) this.spill();
    super.ensure(size);
  }

  flush(): void {
    this.spill();
  }

  override finish(): void {
    this.spill();
  }

  private spill(): void {
    let done = 0;
    try {
      while (done < this.index) done += writeSync(this.fd, new Uint8Array(this.buffer, done, this.index - done));
    } catch (err) {
      throw storageError(this.path, 'could not be written', err);
    }
    this.index = 0;
  }
}
