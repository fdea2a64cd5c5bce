// Fast columnar reading of GasHammer telemetry files for reports: the columns asked for, one row
// group at a time, as typed arrays instead of event objects. Only the asked column chunks are
// read from disk (neighbouring chunks in one read), the next row group's bytes are read while
// the current one is decoded, and nothing outlives the row group the caller holds.
//
// Why not hyparquet's parquetRead: it builds a JS value per cell (strings for every hash, a
// BigInt per INT64 value, with BigInt arithmetic in its DELTA_BINARY_PACKED decoder), which
// tops out far below the tens of millions of cells per second a report over a long run needs.
// This module decodes the forms ParquetSink writes (parquet-encoder.ts) straight into typed
// arrays: DATA_PAGE_V2 and dictionary pages, uncompressed or snappy; INT64 DELTA_BINARY_PACKED
// in float64 arithmetic, PLAIN INT32/INT64/DOUBLE/BOOLEAN, strings as dictionary + indices or
// as raw bytes + offsets. The fiddly parts stay hyparquet's: footer, page headers, snappy. A
// chunk in any other form (another writer's encodings, DATA_PAGE v1, deltas too wide for
// float64) is read by parquetRead and converted, so every valid file still reads.
//
// Errors: a file that is missing, truncated, not Parquet or not GasHammer telemetry, or whose
// data does not decode, is a GasHammerError GH-E503 naming the file (and the column, for data).

import { Buffer } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { parquetRead, snappyUncompress, type AsyncBuffer, type ColumnMetaData, type CompressionCodec, type DataReader, type Encoding, type FileMetaData, type RowGroup } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { readVarInt, readZigZagBigInt } from 'hyparquet/src/thrift.js';
import { openTelemetryFile, readTelemetryFooter, telemetryReadError } from './parquet-reader.js';
import { TELEMETRY_COLUMNS, telemetryParquetSchema, type TelemetryColumnName } from './parquet-schema.js';

/** Integer and floating columns as doubles: exact up to 2^53 (wall-clock ns round to 256 ns). NaN = null. */
export interface NumberColumn {
  readonly type: 'number';
  readonly values: Float64Array;
}

/** 1 = true, 0 = false, -1 = null. */
export interface BooleanColumn {
  readonly type: 'boolean';
  readonly values: Int8Array;
}

/**
 * Text columns (string, hex, decimal). Dictionary-encoded chunks give `dictionary` and per-row
 * `indices` (-1 = null): aggregate by index, decode each distinct value once. Plain chunks give
 * the raw UTF-8 `bytes` with per-row `starts` (-1 = null) and `lengths`.
 */
export type TextColumn =
  | { readonly type: 'text'; readonly encoding: 'dictionary'; readonly dictionary: readonly string[]; readonly indices: Int32Array }
  | { readonly type: 'text'; readonly encoding: 'plain'; readonly bytes: Uint8Array; readonly starts: Int32Array; readonly lengths: Int32Array };

export type ColumnVector = NumberColumn | BooleanColumn | TextColumn;

export interface ColumnRowGroup {
  readonly file: string;
  readonly rowGroup: number;
  readonly rows: number;
  readonly columns: ReadonlyMap<TelemetryColumnName, ColumnVector>;
}

/**
 * The given columns of the given telemetry files, one row group at a time, files in the order
 * given. Each yielded row group is freshly allocated: keep it as long as needed; the reader holds
 * nothing of it. For a run folder: `readColumnRowGroups((await listRunFiles(runDir)).files, [...])`.
 */
export async function* readColumnRowGroups(paths: readonly string[], columns: readonly TelemetryColumnName[]): AsyncGenerator<ColumnRowGroup> {
  const wanted = wantedColumns(columns);
  for (const path of paths) {
    const file = await TelemetryFile.open(path);
    try {
      const metadata = await file.footer();
      const groups = metadata.row_groups;
      let next = groups.length > 0 ? file.fetchRowGroup(groups[0] as RowGroup, 0, wanted) : undefined;
      let groupStart = 0;
      for (let g = 0; g < groups.length; g++) {
        const chunks = await (next as Promise<FetchedChunk[]>);
        // Read the next row group while this one is decoded and used.
        next = g + 1 < groups.length ? file.fetchRowGroup(groups[g + 1] as RowGroup, g + 1, wanted) : undefined;
        next?.catch(() => undefined); // awaited (and thrown) on the next round, if the caller comes back for it
        const rows = Number((groups[g] as RowGroup).num_rows);
        const vectors = new Map<TelemetryColumnName, ColumnVector>();
        for (const chunk of chunks) vectors.set(chunk.column.name, await file.decode(metadata, chunk, g, groupStart, rows));
        yield { file: path, rowGroup: g, rows, columns: vectors };
        groupStart += rows;
      }
    } finally {
      await file.close();
    }
  }
}

/** The value at `row` of a text column, decoded; undefined for null. */
export function textAt(col: TextColumn, row: number): string | undefined {
  if (col.encoding === 'dictionary') {
    const index = col.indices[row];
    return index === undefined || index < 0 ? undefined : col.dictionary[index];
  }
  const start = col.starts[row];
  if (start === undefined || start < 0) return undefined;
  const end = start + (col.lengths[row] as number);
  const bytes = col.bytes;
  return bytes instanceof Buffer ? bytes.toString('utf8', start, end) : UTF8.decode(bytes.subarray(start, end));
}

/** hexKey of every row of a column: words 2r and 2r + 1 hold row r's key; present[r] is 0 for null. */
export interface HexKeys {
  readonly words: Uint32Array;
  readonly present: Uint8Array;
}

export function hexKeys(col: TextColumn, rows: number): HexKeys {
  const words = new Uint32Array(rows * 2);
  const present = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) present[r] = hexKey(col, r, words, r * 2) ? 1 : 0;
  return { words, present };
}

/** hexKeys of the named text columns of a row group (each must be among the columns read). */
export function groupHexKeys(group: ColumnRowGroup, names: readonly TelemetryColumnName[]): Map<TelemetryColumnName, HexKeys> {
  const keys = new Map<TelemetryColumnName, HexKeys>();
  for (const name of names) {
    const vector = group.columns.get(name);
    if (vector?.type !== 'text') throw new Error(`hex keys of ${name}: not a text column read`);
    keys.set(name, hexKeys(vector, group.rows));
  }
  return keys;
}

/**
 * A 64-bit key of the hex value at `row` (a transaction hash, an address), without making a
 * string: the first 16 hex digits after the `0x`, digits 1-8 into `out[at]` and 9-16 into
 * `out[at + 1]`, as `BigInt('0x' + value.slice(2, 18))` would split them. A shorter value is
 * right-aligned (parsed as a number); parsing stops at the first character that is not a hex
 * digit. False (and `out` untouched) for null.
 */
export function hexKey(col: TextColumn, row: number, out: Uint32Array, at: number): boolean {
  if (col.encoding === 'plain') {
    const start = col.starts[row];
    if (start === undefined || start < 0) return false;
    const bytes = col.bytes;
    const end = start + (col.lengths[row] as number);
    let p = start;
    if (end - p >= 2 && bytes[p] === 0x30 && ((bytes[p + 1] as number) | 0x20) === 0x78) p += 2;
    const stop = end - p > 16 ? p + 16 : end;
    let high = 0;
    let low = 0;
    for (; p < stop; p++) {
      const digit = HEX_DIGIT[bytes[p] as number] as number;
      if (digit < 0) break;
      high = (high << 4) | (low >>> 28);
      low = (low << 4) | digit;
    }
    out[at] = high;
    out[at + 1] = low;
    return true;
  }
  const index = col.indices[row];
  if (index === undefined || index < 0) return false;
  const s = col.dictionary[index];
  if (s === undefined) return false;
  let p = s.length >= 2 && s.charCodeAt(0) === 0x30 && (s.charCodeAt(1) | 0x20) === 0x78 ? 2 : 0;
  const stop = s.length - p > 16 ? p + 16 : s.length;
  let high = 0;
  let low = 0;
  for (; p < stop; p++) {
    const code = s.charCodeAt(p);
    const digit = code < 256 ? (HEX_DIGIT[code] as number) : -1;
    if (digit < 0) break;
    high = (high << 4) | (low >>> 28);
    low = (low << 4) | digit;
  }
  out[at] = high;
  out[at + 1] = low;
  return true;
}

// ---- columns and files ------------------------------------------------------------------------

type PhysicalType = 'BOOLEAN' | 'INT32' | 'INT64' | 'DOUBLE' | 'BYTE_ARRAY';

/** A requested column: how it is stored and which vector it becomes. */
interface WantedColumn {
  readonly name: TelemetryColumnName;
  readonly vector: ColumnVector['type'];
  readonly physical: PhysicalType;
  readonly optional: boolean;
  /** UINT_64: the stored 64 bits are read as unsigned. */
  readonly unsigned: boolean;
}

interface FetchedChunk {
  readonly column: WantedColumn;
  readonly meta: ColumnMetaData;
  readonly bytes: Uint8Array;
}

const EXPECTED_SCHEMA = new Map(telemetryParquetSchema().slice(1).map((e) => [e.name, e]));
const COLUMN_SPECS = new Map(
  TELEMETRY_COLUMNS.map((c): [string, WantedColumn] => {
    const element = EXPECTED_SCHEMA.get(c.name);
    const vector = c.type === 'string' || c.type === 'hex' || c.type === 'decimal' ? 'text' : c.type === 'boolean' ? 'boolean' : 'number';
    return [c.name, { name: c.name, vector, physical: element?.type as PhysicalType, optional: c.nullable, unsigned: c.type === 'uint64' }];
  }),
);
/** Requested chunks closer than this on disk are read together: the bytes between are a few null columns. */
const MERGE_GAP = 4096;
const UTF8 = new TextDecoder();
const HEX_DIGIT = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_DIGIT['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_DIGIT['0123456789ABCDEF'.charCodeAt(i)] = i;
}

function wantedColumns(columns: readonly TelemetryColumnName[]): WantedColumn[] {
  const out: WantedColumn[] = [];
  for (const name of new Set(columns)) {
    const spec = COLUMN_SPECS.get(name);
    if (spec === undefined) throw new RangeError(`readColumnRowGroups: ${String(name)} is not a telemetry column`);
    out.push(spec);
  }
  return out;
}

/** One open telemetry file: its footer, reads of its column chunks, decoding with error context. */
class TelemetryFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<TelemetryFile> {
    const { handle, size } = await openTelemetryFile(path);
    return new TelemetryFile(path, handle, size);
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  /** The footer, checked to be GasHammer telemetry of the schema version this build reads. */
  footer(): Promise<FileMetaData> {
    return readTelemetryFooter(this.path, this.asyncBuffer());
  }

  /** The bytes of the wanted columns' chunks in one row group, in `wanted` order. */
  async fetchRowGroup(group: RowGroup, g: number, wanted: readonly WantedColumn[]): Promise<FetchedChunk[]> {
    const located = wanted.map((column) => {
      const meta = group.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === column.name)?.meta_data;
      if (meta === undefined) throw readError(this.path, `row group ${g} has no column ${column.name}`);
      // Some writers leave dictionary_page_offset 0 for "none".
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      if (!(start >= 4 && end >= start && end <= this.size)) {
        throw readError(this.path, `column ${column.name} of row group ${g} lies outside the file (bytes ${start} to ${end} of ${this.size}): truncated or corrupt`);
      }
      return { column, meta, start, end };
    });
    const reads: { start: number; end: number; members: typeof located }[] = [];
    for (const chunk of [...located].sort((a, b) => a.start - b.start)) {
      const last = reads[reads.length - 1];
      if (last !== undefined && chunk.start - last.end <= MERGE_GAP) {
        last.end = Math.max(last.end, chunk.end);
        last.members.push(chunk);
      } else {
        reads.push({ start: chunk.start, end: chunk.end, members: [chunk] });
      }
    }
    const bytes = new Map<WantedColumn, Uint8Array>();
    await Promise.all(
      reads.map(async (r) => {
        const buffer = await this.read(r.start, r.end);
        for (const m of r.members) bytes.set(m.column, buffer.subarray(m.start - r.start, m.end - r.start));
      }),
    );
    return located.map(({ column, meta }) => ({ column, meta, bytes: bytes.get(column) as Uint8Array }));
  }

  /** One chunk as a vector: decoded here when in a form this module knows, else by hyparquet. */
  async decode(metadata: FileMetaData, chunk: FetchedChunk, g: number, groupStart: number, rows: number): Promise<ColumnVector> {
    try {
      try {
        return decodeChunk(chunk.column, chunk.meta, chunk.bytes, rows);
      } catch (err) {
        if (!(err instanceof UnsupportedChunk)) throw err;
      }
      return await this.decodeWithHyparquet(metadata, chunk.column, groupStart, rows);
    } catch (err) {
      throw readError(this.path, `column ${chunk.column.name} of row group ${g} could not be decoded (corrupt or truncated)`, err);
    }
  }

  private async decodeWithHyparquet(metadata: FileMetaData, column: WantedColumn, groupStart: number, rows: number): Promise<ColumnVector> {
    const values = new Array<unknown>(rows).fill(null);
    let filled = 0;
    await parquetRead({
      file: this.asyncBuffer(),
      metadata,
      columns: [column.name],
      rowStart: groupStart,
      rowEnd: groupStart + rows,
      onChunk: ({ columnName, columnData, rowStart }) => {
        if (columnName !== column.name) return;
        // Chunks may reach outside the requested range: keep this row group's rows only.
        for (let j = 0; j < columnData.length; j++) {
          const r = rowStart + j - groupStart;
          if (r >= 0 && r < rows) {
            values[r] = columnData[j];
            filled++;
          }
        }
      },
    });
    if (filled < rows) throw new Error(`hyparquet gave ${filled} of the row group's ${rows} values`);
    return vectorOf(column, values);
  }

  private async read(start: number, end: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(end - start);
    let done = 0;
    while (done < out.length) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.handle.read(out, done, out.length - done, start + done));
      } catch (err) {
        throw readError(this.path, `could not be read at byte ${start + done}`, err);
      }
      if (bytesRead === 0) throw readError(this.path, `ended at byte ${start + done}, before byte ${end} the footer points to`);
      done += bytesRead;
    }
    return out;
  }

  /** Random access for hyparquet (footer, fallback chunks) over the open handle. */
  private asyncBuffer(): AsyncBuffer {
    return {
      byteLength: this.size,
      slice: async (start: number, end?: number): Promise<ArrayBuffer> => {
        const bytes = await this.read(start, Math.min(end ?? this.size, this.size));
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
  }
}

const readError = telemetryReadError;

/** Values as hyparquet gives them (bigint, number, boolean, string, null) into a vector. */
function vectorOf(column: WantedColumn, values: readonly unknown[]): ColumnVector {
  const rows = values.length;
  if (column.vector === 'number') {
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const v = values[r];
      out[r] = typeof v === 'bigint' ? Number(column.unsigned ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v)) : typeof v === 'number' ? v : NaN;
    }
    return { type: 'number', values: out };
  }
  if (column.vector === 'boolean') {
    const out = new Int8Array(rows);
    for (let r = 0; r < rows; r++) out[r] = values[r] === true ? 1 : values[r] === false ? 0 : -1;
    return { type: 'boolean', values: out };
  }
  const encoded = values.map((v) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v instanceof Uint8Array ? v : undefined));
  const bytes = Buffer.allocUnsafe(encoded.reduce((n, b) => n + (b?.length ?? 0), 0));
  const starts = new Int32Array(rows);
  const lengths = new Int32Array(rows);
  let at = 0;
  encoded.forEach((b, r) => {
    if (b === undefined) {
      starts[r] = -1;
      return;
    }
    bytes.set(b, at);
    starts[r] = at;
    lengths[r] = b.length;
    at += b.length;
  });
  return { type: 'text', encoding: 'plain', bytes, starts, lengths };
}

// ---- column chunks and pages ------------------------------------------------------------------

/** A chunk in a form decodeChunk does not handle: hyparquet reads it instead. */
class UnsupportedChunk extends Error {}

/** A data page's rows: which have a value, and the non-null values still encoded. */
interface DataPage {
  readonly rows: number;
  readonly nonNull: number;
  /** 1 where the row has a value; undefined when every row does. Scratch: valid until the next page. */
  readonly present: Uint8Array | undefined;
  readonly encoding: Encoding;
  readonly values: Uint8Array;
}

interface ChunkSink {
  dictionary(page: Uint8Array, count: number): void;
  page(page: DataPage, row: number): void;
  finish(): ColumnVector;
}

function decodeChunk(column: WantedColumn, meta: ColumnMetaData, bytes: Uint8Array, rows: number): ColumnVector {
  if (meta.codec !== 'UNCOMPRESSED' && meta.codec !== 'SNAPPY') throw new UnsupportedChunk(`codec ${meta.codec}`);
  const sink: ChunkSink = column.vector === 'number' ? new NumberSink(column, rows) : column.vector === 'boolean' ? new BooleanSink(rows) : new TextSink(rows);
  const reader: DataReader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  let row = 0;
  while (row < rows) {
    if (reader.offset >= bytes.length) throw new Error(`the column chunk ends after ${row} of ${rows} rows`);
    const header = parquetHeader(reader);
    const size = header.compressed_page_size;
    if (!Number.isSafeInteger(size) || size < 0 || reader.offset + size > bytes.length) throw new Error(`a ${header.type} page of ${size} bytes runs past the end of its column chunk`);
    const body = bytes.subarray(reader.offset, reader.offset + size);
    reader.offset += size;
    if (header.type === 'DICTIONARY_PAGE' && header.dictionary_page_header !== undefined) {
      if (header.dictionary_page_header.encoding !== 'PLAIN' && header.dictionary_page_header.encoding !== 'PLAIN_DICTIONARY') throw new UnsupportedChunk(`${header.dictionary_page_header.encoding} dictionary`);
      sink.dictionary(decompress(body, header.uncompressed_page_size, meta.codec), header.dictionary_page_header.num_values);
    } else if (header.type === 'DATA_PAGE_V2' && header.data_page_header_v2 !== undefined) {
      const page = dataPageV2(header.data_page_header_v2, header.uncompressed_page_size, body, meta.codec, column.optional);
      if (page.rows > rows - row) throw new Error(`pages hold more than the row group's ${rows} rows`);
      sink.page(page, row);
      row += page.rows;
    } else {
      throw new UnsupportedChunk(`${header.type} pages`);
    }
  }
  return sink.finish();
}

function decompress(body: Uint8Array, size: number, codec: CompressionCodec): Uint8Array {
  if (codec === 'UNCOMPRESSED') {
    if (body.length !== size) throw new Error(`an uncompressed page of ${body.length} bytes says it holds ${size}`);
    return body;
  }
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`a page says it decompresses to ${size} bytes`);
  const out = new Uint8Array(size);
  snappyUncompress(body, out);
  return out;
}

let presenceScratch = new Uint8Array(1 << 16);

function dataPageV2(h: NonNullable<ReturnType<typeof parquetHeader>['data_page_header_v2']>, uncompressedSize: number, body: Uint8Array, codec: CompressionCodec, optional: boolean): DataPage {
  if (h.repetition_levels_byte_length !== 0) throw new UnsupportedChunk('repetition levels');
  const rows = h.num_rows;
  const levelBytes = h.definition_levels_byte_length;
  if (!(Number.isSafeInteger(rows) && rows >= 0 && h.num_values === rows && h.num_nulls >= 0 && h.num_nulls <= rows && levelBytes >= 0 && levelBytes <= body.length)) {
    throw new Error(`a data page header is inconsistent (${h.num_values} values, ${h.num_nulls} nulls, ${rows} rows, ${levelBytes} level bytes)`);
  }
  const nonNull = rows - h.num_nulls;
  let present: Uint8Array | undefined;
  if (h.num_nulls > 0) {
    if (!optional) throw new Error('a required column has nulls');
    if (presenceScratch.length < rows) presenceScratch = new Uint8Array(Math.max(rows, presenceScratch.length * 2));
    present = presenceScratch;
    const found = decodeDefinitionLevels(body, levelBytes, rows, present);
    if (found !== nonNull) throw new Error(`definition levels mark ${found} values, the page header ${nonNull}`);
  }
  let values = body.subarray(levelBytes);
  if (h.is_compressed !== false) values = decompress(values, uncompressedSize - levelBytes, codec);
  return { rows, nonNull, present, encoding: h.encoding, values };
}

/** INT32, INT64 and DOUBLE chunks into doubles. */
class NumberSink implements ChunkSink {
  private readonly out: Float64Array;

  constructor(
    private readonly column: WantedColumn,
    rows: number,
  ) {
    this.out = new Float64Array(rows);
  }

  dictionary(): void {
    throw new UnsupportedChunk('dictionary-encoded numbers');
  }

  page(page: DataPage, row: number): void {
    const { physical, unsigned } = this.column;
    // Dense values first, at the page's first row; spread over the rows afterwards.
    if (page.encoding === 'DELTA_BINARY_PACKED' && physical === 'INT64') unpackDeltaInt64(page.values, page.nonNull, this.out, row, unsigned);
    else if (page.encoding !== 'PLAIN') throw new UnsupportedChunk(`${page.encoding} ${physical}`);
    else if (physical === 'INT64') plainInt64(page.values, page.nonNull, this.out, row, unsigned);
    else if (physical === 'INT32') this.out.set(alignedView(page.values, page.nonNull, Int32Array), row);
    else if (physical === 'DOUBLE') this.out.set(alignedView(page.values, page.nonNull, Float64Array), row);
    else throw new UnsupportedChunk(`${physical} as a number`);
    if (page.present !== undefined) spreadFloat64(this.out, row, page.rows, page.nonNull, page.present, NaN);
  }

  finish(): NumberColumn {
    return { type: 'number', values: this.out };
  }
}

class BooleanSink implements ChunkSink {
  private readonly out: Int8Array;

  constructor(rows: number) {
    this.out = new Int8Array(rows);
  }

  dictionary(): void {
    throw new UnsupportedChunk('dictionary-encoded booleans');
  }

  page(page: DataPage, row: number): void {
    if (page.encoding !== 'PLAIN') throw new UnsupportedChunk(`${page.encoding} booleans`);
    const n = page.nonNull;
    const bits = page.values;
    if (bits.length < (n + 7) >> 3) throw new Error(`a page of ${n} booleans has ${bits.length} bytes`);
    const out = this.out;
    for (let i = 0; i < n; i++) out[row + i] = ((bits[i >> 3] as number) >> (i & 7)) & 1;
    if (page.present !== undefined) spreadInt8(out, row, page.rows, n, page.present);
  }

  finish(): BooleanColumn {
    return { type: 'boolean', values: this.out };
  }
}

/**
 * BYTE_ARRAY chunks. All data pages of a chunk must be dictionary-encoded or all plain (writers
 * that switch midway are read by hyparquet); plain pages are joined into one byte buffer.
 */
class TextSink implements ChunkSink {
  private dictionaryValues: string[] | undefined;
  private indices: Int32Array | undefined;
  private starts: Int32Array | undefined;
  private lengths: Int32Array | undefined;
  private readonly segments: { bytes: Uint8Array; from: number; to: number }[] = [];

  constructor(private readonly rows: number) {}

  dictionary(page: Uint8Array, count: number): void {
    if (this.dictionaryValues !== undefined) throw new UnsupportedChunk('a second dictionary page');
    const bytes = asBuffer(page);
    const values = new Array<string>(count);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const length = byteArrayLength(bytes, pos);
      values[i] = bytes.toString('utf8', pos + 4, pos + 4 + length);
      pos += 4 + length;
    }
    this.dictionaryValues = values;
  }

  page(page: DataPage, row: number): void {
    if (page.encoding === 'RLE_DICTIONARY' || page.encoding === 'PLAIN_DICTIONARY') this.dictionaryPage(page, row);
    else if (page.encoding === 'PLAIN') this.plainPage(page, row);
    else throw new UnsupportedChunk(`${page.encoding} strings`);
  }

  private dictionaryPage(page: DataPage, row: number): void {
    const dictionary = this.dictionaryValues;
    if (dictionary === undefined) throw new Error('a dictionary-encoded page comes without a dictionary page');
    if (this.starts !== undefined) throw new UnsupportedChunk('plain and dictionary pages in one chunk');
    const indices = (this.indices ??= new Int32Array(this.rows));
    const n = page.nonNull;
    if (n > 0) {
      const width = page.values[0];
      if (width === undefined || width > 32) throw new Error(`dictionary indices of bit width ${String(width)}`);
      // Wider indices (dictionaries of over 16 million values) would overflow the 32-bit bit reservoir.
      if (width > 24) throw new UnsupportedChunk(`dictionary indices of bit width ${width}`);
      decodeHybrid(page.values, 1, page.values.length, width, indices, row, n);
    }
    const size = dictionary.length;
    for (let i = row; i < row + n; i++) {
      if ((indices[i] as number) >>> 0 >= size) throw new Error(`dictionary index ${indices[i] as number} is beyond the ${size} dictionary values`);
    }
    if (page.present !== undefined) spreadInt32(indices, row, page.rows, n, page.present, -1);
  }

  private plainPage(page: DataPage, row: number): void {
    if (this.indices !== undefined) throw new UnsupportedChunk('plain and dictionary pages in one chunk');
    const starts = (this.starts ??= new Int32Array(this.rows));
    const lengths = (this.lengths ??= new Int32Array(this.rows));
    const bytes = page.values;
    const n = page.nonNull;
    let pos = 0;
    for (let i = row; i < row + n; i++) {
      const length = byteArrayLength(bytes, pos);
      starts[i] = pos + 4;
      lengths[i] = length;
      pos += 4 + length;
    }
    if (page.present !== undefined) {
      spreadInt32(starts, row, page.rows, n, page.present, -1);
      spreadInt32(lengths, row, page.rows, n, page.present, 0);
    }
    this.segments.push({ bytes, from: row, to: row + page.rows });
  }

  finish(): TextColumn {
    if (this.indices !== undefined) return { type: 'text', encoding: 'dictionary', dictionary: this.dictionaryValues as string[], indices: this.indices };
    const starts = this.starts ?? new Int32Array(this.rows);
    const lengths = this.lengths ?? new Int32Array(this.rows);
    const segments = this.segments;
    if (segments.length <= 1) return { type: 'text', encoding: 'plain', bytes: asBuffer(segments[0]?.bytes ?? new Uint8Array(0)), starts, lengths };
    // Several plain pages: one buffer, each page's starts moved by where its bytes now begin.
    const bytes = Buffer.allocUnsafe(segments.reduce((n, s) => n + s.bytes.length, 0));
    let base = 0;
    for (const s of segments) {
      bytes.set(s.bytes, base);
      if (base > 0) for (let r = s.from; r < s.to; r++) if ((starts[r] as number) >= 0) starts[r] = (starts[r] as number) + base;
      base += s.bytes.length;
    }
    return { type: 'text', encoding: 'plain', bytes, starts, lengths };
  }
}

/** The length prefix of a PLAIN byte array at `pos`, checked against the bytes that follow it. */
function byteArrayLength(bytes: Uint8Array, pos: number): number {
  if (pos + 4 > bytes.length) throw new Error(`PLAIN byte arrays end at byte ${bytes.length}, before their last value`);
  const length = ((bytes[pos] as number) | ((bytes[pos + 1] as number) << 8) | ((bytes[pos + 2] as number) << 16) | ((bytes[pos + 3] as number) << 24)) >>> 0;
  if (pos + 4 + length > bytes.length) throw new Error(`a PLAIN byte array of ${length} bytes runs past the page's ${bytes.length}`);
  return length;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `count` elements of the given type over `bytes`, copied first if they are not aligned for it. */
function alignedView<T extends Int32Array | Float64Array>(bytes: Uint8Array, count: number, type: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number }): T {
  const size = count * type.BYTES_PER_ELEMENT;
  if (bytes.length < size) throw new Error(`a PLAIN page of ${count} values has ${bytes.length} bytes`);
  // Little-endian platforms only, as the encoder: Parquet stores little-endian.
  const source = bytes.byteOffset % type.BYTES_PER_ELEMENT === 0 ? bytes : bytes.slice(0, size);
  return new type(source.buffer, source.byteOffset, count);
}

const TWO_32 = 2 ** 32;
const TWO_52 = 2 ** 52;
const TWO_62 = 2 ** 62;
const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

/** PLAIN INT64: each value from its two 32-bit halves, one rounding (exact up to 2^53). */
function plainInt64(bytes: Uint8Array, count: number, out: Float64Array, at: number, unsigned: boolean): void {
  const words = alignedView(bytes, count * 2, Int32Array);
  if (unsigned) for (let i = 0; i < count; i++) out[at + i] = ((words[2 * i + 1] as number) >>> 0) * TWO_32 + ((words[2 * i] as number) >>> 0);
  else for (let i = 0; i < count; i++) out[at + i] = (words[2 * i + 1] as number) * TWO_32 + ((words[2 * i] as number) >>> 0);
}

/**
 * DELTA_BINARY_PACKED INT64 into doubles without a BigInt per value. The running value is kept
 * exactly as high + low: `high` a multiple of 2^32 within int64 (exact in a double), `low` a
 * double that takes the steps, whole multiples of 2^32 carried over into `high` when it leaves
 * carryBounds. Each output is the one rounding of high + low, so it equals Number(exact value):
 * exact up to 2^53, correctly rounded above (wall-clock ns). Keeping low + step exact needs
 * every step below 2^52: ParquetSink keeps them within 2^51 (see MAX_DELTA_HIGH_WORD in the
 * encoder); a page from another writer with wider steps is handed to hyparquet (UnsupportedChunk).
 */
function unpackDeltaInt64(bytes: Uint8Array, count: number, out: Float64Array, at: number, unsigned: boolean): void {
  const reader: DataReader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  const blockSize = readVarInt(reader);
  const miniblocks = readVarInt(reader);
  const total = readVarInt(reader);
  const perMiniblock = blockSize / miniblocks;
  if (!(blockSize > 0 && blockSize % 128 === 0 && miniblocks > 0 && perMiniblock % 32 === 0)) throw new Error(`DELTA_BINARY_PACKED blocks of ${blockSize} in ${miniblocks} miniblocks`);
  if (total !== count) throw new Error(`a DELTA_BINARY_PACKED page holds ${total} values where its header says ${count}`);
  if (count === 0) return;
  const first = BigInt.asIntN(64, readZigZagBigInt(reader));
  let high = Number(first >> 32n) * TWO_32;
  let low = Number(first & 0xffffffffn);
  let [carryBelow, carryAbove] = carryBounds(high);
  let n = 0;
  let v = high + low;
  out[at + n++] = v < 0 && unsigned ? high + TWO_64 + low : v;
  const end = bytes.length;
  while (n < count) {
    const minDelta = readZigZagNumber(reader);
    if (!(minDelta >= -MAX_MIN_DELTA && minDelta <= MAX_MIN_DELTA)) throw new UnsupportedChunk('DELTA_BINARY_PACKED steps beyond 2^51');
    const widthsAt = reader.offset;
    let pos = widthsAt + miniblocks;
    if (pos > end) throw new Error('a DELTA_BINARY_PACKED block ends in its bit widths');
    for (let m = 0; m < miniblocks && n < count; m++) {
      const width = bytes[widthsAt + m] as number;
      if (width > 64) throw new Error(`a DELTA_BINARY_PACKED miniblock of bit width ${width}`);
      if (width > MAX_WIDTH) throw new UnsupportedChunk('DELTA_BINARY_PACKED steps beyond 2^51');
      const take = Math.min(perMiniblock, count - n);
      if (pos + Math.ceil((take * width) / 8) > end) throw new Error('a DELTA_BINARY_PACKED page ends inside a miniblock');
      // Bits are read least significant first through a reservoir of at most 32 bits.
      let reservoir = 0;
      let held = 0;
      let p = pos;
      if (width <= 24) {
        const mask = (1 << width) - 1;
        for (let j = 0; j < take; j++) {
          while (held < width) {
            reservoir |= (bytes[p++] as number) << held;
            held += 8;
          }
          low += minDelta + (reservoir & mask);
          reservoir >>>= width;
          held -= width;
          if (low >= carryAbove || low < carryBelow) {
            const moved = Math.floor(low / TWO_32) * TWO_32;
            low -= moved;
            high = wrapHigh(high + moved);
            [carryBelow, carryAbove] = carryBounds(high);
          }
          v = high + low;
          out[at + n++] = v < 0 && unsigned ? high + TWO_64 + low : v;
        }
      } else {
        for (let j = 0; j < take; j++) {
          let bits = 0;
          let scale = 1;
          for (let left = width; left > 0; ) {
            const piece = left > 24 ? 24 : left;
            while (held < piece) {
              reservoir |= (bytes[p++] as number) << held;
              held += 8;
            }
            bits += (reservoir & ((1 << piece) - 1)) * scale;
            reservoir >>>= piece;
            held -= piece;
            scale *= 1 << piece;
            left -= piece;
          }
          low += minDelta + bits;
          if (low >= carryAbove || low < carryBelow) {
            const moved = Math.floor(low / TWO_32) * TWO_32;
            low -= moved;
            high = wrapHigh(high + moved);
            [carryBelow, carryAbove] = carryBounds(high);
          }
          v = high + low;
          out[at + n++] = v < 0 && unsigned ? high + TWO_64 + low : v;
        }
      }
      pos += (perMiniblock * width) / 8;
    }
    reader.offset = pos;
  }
}

/** Steps are minDelta + up to MAX_WIDTH bits: both bounds keep a step, and low plus a step, exact. */
const MAX_MIN_DELTA = 2 ** 51;
const MAX_WIDTH = 51;

/**
 * When `low` must be carried into `high`. Within 2^62 of zero a value cannot leave int64, so
 * low may range over +-2^52 and carries are rare. Nearer the ends it stays in [0, 2^32): then
 * high alone says where the value is, and a value that passes an end wraps around (Parquet's
 * int64 arithmetic is modulo 2^64) when its carry moves high past it.
 */
function carryBounds(high: number): [number, number] {
  return high >= TWO_62 || high < -TWO_62 ? [0, TWO_32] : [-TWO_52, TWO_52];
}

/** int64 arithmetic wraps: keep high within [-2^63, 2^63). */
function wrapHigh(high: number): number {
  return high >= TWO_63 ? high - TWO_64 : high < -TWO_63 ? high + TWO_64 : high;
}

/** A zigzag varint as a double; NaN when it is beyond 2^52 in magnitude (not needed exactly then). */
function readZigZagNumber(reader: DataReader): number {
  let zigzag = 0;
  let scale = 1;
  let byte: number;
  do {
    byte = reader.view.getUint8(reader.offset++);
    zigzag += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte & 0x80 && scale <= 2 ** 56);
  if (byte & 0x80 || zigzag > 2 ** 53) return NaN;
  return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
}

/**
 * Definition levels of a flat optional column (bit width 1) from the RLE/bit-packed hybrid into
 * one byte per row, 1 where the row has a value; returns how many do.
 */
function decodeDefinitionLevels(bytes: Uint8Array, end: number, rows: number, present: Uint8Array): number {
  let pos = 0;
  let at = 0;
  let ones = 0;
  while (at < rows) {
    let header = 0;
    let shift = 0;
    let byte: number;
    do {
      if (pos >= end || shift > 28) throw new Error(`definition levels end after ${at} of ${rows} rows`);
      byte = bytes[pos++] as number;
      header += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (header % 2 === 1) {
      const groups = (header - 1) / 2;
      const n = Math.min(groups * 8, rows - at);
      if (pos + ((n + 7) >> 3) > end) throw new Error(`definition levels end after ${at} of ${rows} rows`);
      for (let i = 0; i < n; i++) {
        const bit = ((bytes[pos + (i >> 3)] as number) >> (i & 7)) & 1;
        present[at + i] = bit;
        ones += bit;
      }
      pos += groups;
      at += n;
    } else {
      const n = Math.min(header / 2, rows - at);
      if (pos >= end) throw new Error(`definition levels end after ${at} of ${rows} rows`);
      const level = bytes[pos++] as number;
      if (level > 1) throw new Error(`definition level ${level} in a flat column`);
      present.fill(level, at, at + n);
      ones += level * n;
      at += n;
    }
  }
  return ones;
}

/** `count` values of bit width `width` (0 to 24) from the RLE/bit-packed hybrid into out[at...]. */
function decodeHybrid(bytes: Uint8Array, pos: number, end: number, width: number, out: Int32Array, at: number, count: number): void {
  const stop = at + count;
  const valueBytes = (width + 7) >> 3;
  while (at < stop) {
    let header = 0;
    let shift = 0;
    let byte: number;
    do {
      if (pos >= end || shift > 28) throw new Error('RLE/bit-packed values end early');
      byte = bytes[pos++] as number;
      header += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (header % 2 === 1) {
      const groups = (header - 1) / 2;
      const n = Math.min(groups * 8, stop - at);
      if (pos + Math.ceil((n * width) / 8) > end) throw new Error('RLE/bit-packed values end early');
      let reservoir = 0;
      let held = 0;
      let p = pos;
      const mask = (1 << width) - 1;
      for (let i = 0; i < n; i++) {
        while (held < width) {
          reservoir |= (bytes[p++] as number) << held;
          held += 8;
        }
        out[at + i] = reservoir & mask;
        reservoir >>>= width;
        held -= width;
      }
      pos += groups * width;
      at += n;
    } else {
      const n = Math.min(header / 2, stop - at);
      if (pos + valueBytes > end) throw new Error('RLE/bit-packed values end early');
      let value = 0;
      for (let k = 0; k < valueBytes; k++) value += (bytes[pos + k] as number) * 2 ** (8 * k);
      pos += valueBytes;
      out.fill(value | 0, at, at + n);
      at += n;
    }
  }
}

// Spreading a page's dense values over its rows, in place and from the end: value k goes to the
// row of the k-th present flag, which is never before k, so nothing is overwritten before it is
// moved. One function per array type keeps each loop monomorphic.

function spreadFloat64(out: Float64Array, at: number, rows: number, nonNull: number, present: Uint8Array, empty: number): void {
  let k = at + nonNull - 1;
  for (let r = rows - 1; r >= 0; r--) out[at + r] = present[r] === 1 ? (out[k--] as number) : empty;
}

function spreadInt32(out: Int32Array, at: number, rows: number, nonNull: number, present: Uint8Array, empty: number): void {
  let k = at + nonNull - 1;
  for (let r = rows - 1; r >= 0; r--) out[at + r] = present[r] === 1 ? (out[k--] as number) : empty;
}

function spreadInt8(out: Int8Array, at: number, rows: number, nonNull: number, present: Uint8Array): void {
  let k = at + nonNull - 1;
  for (let r = rows - 1; r >= 0; r--) out[at + r] = present[r] === 1 ? (out[k--] as number) : -1;
}
