// Encoding the telemetry table (parquet-schema.ts) into Parquet bytes: row groups of column
// arrays in; file header, column chunks and footer out, into a hyparquet-writer ByteWriter.
// The sink (parquet-sink.ts) owns files; this module owns the bytes.
//
// Why not hyparquet-writer's ParquetWriter: it runs about ten generic passes per column over
// every row (range checks, statistics, dictionary sampling, page sizing, level building, null
// filtering), allocating per value, and compresses everything with its JavaScript snappy. On
// this table, 43 columns of which 36 are mostly null, that tops out near 100,000 events/s on
// one core, against 300,000 needed. This encoder knows the layout and makes one pass per column
// into reused typed buffers. It still leaves the format's fiddly parts to hyparquet-writer: the
// thrift page headers and footer, RLE/bit-packed dictionary indices, snappy. The tests read
// every file back with hyparquet, a decoder written independently of this one.
//
// Each column chunk is one DATA_PAGE_V2 (so a page holds a whole row group's values of its
// column), plus a dictionary page for a string column that repeats values. Definition levels are RLE/bit-packed. Values:
//   INT64          DELTA_BINARY_PACKED (timestamps and counters change by small steps), or
//                  PLAIN + snappy for a chunk whose steps do not fit 51 bits;
//   strings        RLE_DICTIONARY when a dictionary pays (tried on every string column and given
//                  up early when values are nearly all distinct), else PLAIN;
//   the rest       PLAIN.
// Snappy compresses PLAIN and dictionary pages, except in hex columns (hashes, addresses), which
// are stored UNCOMPRESSED: random hex digits shrink by ~10% under snappy, for a third of the
// encoding time. Delta-packed pages are already dense and are not compressed either.

import type { ColumnChunk, CompressionCodec, Encoding, FileMetaData, KeyValue, RowGroup, SchemaElement, Statistics } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import { TELEMETRY_COLUMNS, telemetryParquetSchema, type TelemetryColumnData } from './parquet-schema.js';

type PhysicalType = 'BOOLEAN' | 'INT32' | 'INT64' | 'DOUBLE' | 'BYTE_ARRAY';

interface ColumnPlan {
  readonly name: string;
  readonly physical: PhysicalType;
  readonly optional: boolean;
  readonly codec: CompressionCodec;
  /** Write min/max statistics: only where readers filter (time windows, phases, blocks). */
  readonly statistics: boolean;
  /** UINT_64: statistics order the values as unsigned. */
  readonly unsigned: boolean;
}

const STATISTICS_COLUMNS = new Set(['seq', 'phase_index', 'mono_ns', 'wall_ns', 'block_number']);
/** A string column's dictionary is given up when its first this-many values are over 90% distinct. */
const DICTIONARY_PROBE = 4096;
const PARQUET_MAGIC = 0x31524150; // 'PAR1' read as a little-endian uint32
// DELTA_BINARY_PACKED layout: blocks of 128 values in 4 miniblocks of 32.
const DELTA_BLOCK = 128;
const DELTA_MINIBLOCKS = 4;
const DELTA_MINIBLOCK = 32;
/** Deltas are computed in float64; this bound keeps them and their spread within its exact range. */
const MAX_DELTA_HIGH_WORD = 1 << 19;

const SCHEMA: readonly SchemaElement[] = telemetryParquetSchema();
const COLUMN_PLANS: readonly ColumnPlan[] = SCHEMA.slice(1).map((element, i) => ({
  name: element.name,
  physical: element.type as PhysicalType,
  optional: element.repetition_type === 'OPTIONAL',
  codec: TELEMETRY_COLUMNS[i]?.type === 'hex' ? 'UNCOMPRESSED' : 'SNAPPY',
  statistics: STATISTICS_COLUMNS.has(element.name),
  unsigned: element.converted_type === 'UINT_64',
}));

/** Where the encoder writes: hyparquet-writer's growable buffer; `flush` is called after each row group. */
export type EncoderOutput = ByteWriter & { flush?(): void };

/** Writes one Parquet file of telemetry: the header on construction, then row groups, then the footer. */
export class TelemetryFileEncoder {
  private readonly rowGroups: RowGroup[] = [];
  private rows = 0n;
  // Scratch space reused by every column chunk and grown as needed, so encoding allocates little.
  private scratch = new ArrayBuffer(1 << 20);
  private levels = new Uint8Array(1 << 13);
  private indices = new Int32Array(1 << 16);
  private readonly deltas = new Float64Array(DELTA_BLOCK);
  private readonly dictionary = new StringDictionary();
  private readonly levelWriter = new ScratchWriter();
  private readonly valueWriter = new ScratchWriter();

  constructor(
    private readonly out: EncoderOutput,
    private readonly kvMetadata: readonly KeyValue[],
    private readonly createdBy: string,
  ) {
    out.appendUint32(PARQUET_MAGIC);
  }

  /** Bytes produced so far: the file's size if it were finished now, less the footer. */
  get offset(): number {
    return this.out.offset;
  }

  writeRowGroup(data: TelemetryColumnData): void {
    const rows = data.rows;
    if (rows === 0) return;
    const groupStart = this.out.offset;
    const columns: ColumnChunk[] = [];
    let uncompressed = 0n;
    for (let c = 0; c < COLUMN_PLANS.length; c++) {
      const chunk = this.writeColumnChunk(COLUMN_PLANS[c] as ColumnPlan, data.columns[c] as ArrayLike<unknown>, data.present[c], rows);
      uncompressed += chunk.meta_data?.total_uncompressed_size ?? 0n;
      columns.push(chunk);
    }
    this.rowGroups.push({
      columns,
      total_byte_size: uncompressed,
      num_rows: BigInt(rows),
      file_offset: BigInt(groupStart),
      total_compressed_size: BigInt(this.out.offset - groupStart),
    });
    this.rows += BigInt(rows);
    this.out.flush?.();
  }

  /** Writes the footer; the file is complete once the output is finished. */
  finish(): void {
    const metadata: FileMetaData = {
      version: 2,
      schema: [...SCHEMA],
      num_rows: this.rows,
      row_groups: this.rowGroups,
      key_value_metadata: [...this.kvMetadata],
      created_by: this.createdBy,
      metadata_length: 0, // computed and written by writeMetadata
    };
    writeMetadata(this.out, metadata);
    this.out.appendUint32(PARQUET_MAGIC);
    this.out.finish();
  }

  /**
   * One column chunk. `values` is a typed array (INT64, INT32, DOUBLE) with `present` flags when
   * the column is optional, or a plain array with null for no value (strings, booleans).
   */
  private writeColumnChunk(plan: ColumnPlan, values: ArrayLike<unknown>, present: Uint8Array | undefined, rows: number): ColumnChunk {
    const out = this.out;
    const chunkStart = out.offset;
    let uncompressed = 0;

    // Definition levels of an optional column: one bit per row, 1 where it has a value.
    const levels = plan.optional ? this.levelBuffer(rows) : undefined;
    const nonNull = levels === undefined ? rows : present !== undefined ? packFlags(present, rows, levels) : packPresence(values, rows, levels);

    let encoding: Encoding = 'PLAIN';
    let compressValues = plan.codec !== 'UNCOMPRESSED';
    let valueBytes: Uint8Array;
    let statistics: Statistics | undefined;
    let dictionaryPageOffset: bigint | undefined;
    switch (plan.physical) {
      case 'INT64': {
        // Worked on as 32-bit halves throughout: reading a BigInt64Array would make a BigInt per value.
        const source = values as BigInt64Array;
        const words = present === undefined ? new Int32Array(source.buffer, source.byteOffset, rows * 2) : gatherPairs(new Int32Array(source.buffer, source.byteOffset, rows * 2), present, rows, new Int32Array(this.scratchBuffer(nonNull * 8), 0, nonNull * 2));
        if (plan.statistics && nonNull > 0) statistics = int64Statistics(words, nonNull, plan.unsigned, rows - nonNull);
        const delta = deltaBinaryPack(words, nonNull, this.valueWriter.reset(), this.deltas);
        if (delta !== undefined) {
          valueBytes = delta;
          encoding = 'DELTA_BINARY_PACKED';
          compressValues = false;
        } else {
          valueBytes = new Uint8Array(words.buffer, words.byteOffset, nonNull * 8);
        }
        break;
      }
      case 'INT32': {
        const source = values as Int32Array;
        const packed = present === undefined ? source.subarray(0, rows) : gatherSingles(source, present, rows, new Int32Array(this.scratchBuffer(nonNull * 4), 0, nonNull));
        if (plan.statistics && nonNull > 0) {
          let min = Infinity;
          let max = -Infinity;
          for (let i = 0; i < nonNull; i++) {
            const v = packed[i] as number;
            if (v < min) min = v;
            if (v > max) max = v;
          }
          statistics = { min_value: min, max_value: max, null_count: BigInt(rows - nonNull) };
        }
        valueBytes = new Uint8Array(packed.buffer, packed.byteOffset, nonNull * 4);
        break;
      }
      case 'DOUBLE': {
        const source = values as Float64Array;
        const packed = present === undefined ? source.subarray(0, rows) : gatherSingles(source, present, rows, new Float64Array(this.scratchBuffer(nonNull * 8), 0, nonNull));
        valueBytes = new Uint8Array(packed.buffer, packed.byteOffset, nonNull * 8);
        break;
      }
      case 'BOOLEAN': {
        const bytes = (nonNull + 7) >> 3;
        const packed = new Uint8Array(this.scratchBuffer(bytes), 0, bytes).fill(0);
        let k = 0;
        for (let i = 0; i < rows; i++) {
          const v = values[i] as boolean | null;
          if (v === null || v === undefined) continue;
          if (v) packed[k >> 3] = (packed[k >> 3] as number) | (1 << (k & 7));
          k++;
        }
        valueBytes = packed;
        break;
      }
      case 'BYTE_ARRAY': {
        const dictionary = this.dictionaryOf(values, rows, nonNull);
        if (dictionary === undefined) {
          valueBytes = this.plainStrings(values, rows);
          break;
        }
        // Dictionary page: the distinct values, PLAIN, compressed with the chunk's codec.
        const plainDictionary = this.plainStrings(dictionary.keys, dictionary.keys.length);
        const storedDictionary = plan.codec === 'SNAPPY' ? snappyCompress(plainDictionary) : plainDictionary;
        dictionaryPageOffset = BigInt(out.offset);
        const headerStart = out.offset;
        writePageHeader(out, {
          type: 'DICTIONARY_PAGE',
          uncompressed_page_size: plainDictionary.length,
          compressed_page_size: storedDictionary.length,
          dictionary_page_header: { num_values: dictionary.keys.length, encoding: 'PLAIN' },
        });
        uncompressed += out.offset - headerStart + plainDictionary.length;
        out.appendBytes(storedDictionary);
        // Data page values: the indices' bit width, then the indices RLE/bit-packed.
        const bitWidth = Math.ceil(Math.log2(dictionary.keys.length));
        const indexWriter = this.valueWriter.reset();
        indexWriter.appendUint8(bitWidth);
        writeRleBitPackedHybrid(indexWriter, dictionary.indices, bitWidth);
        valueBytes = indexWriter.getBytes();
        encoding = 'RLE_DICTIONARY';
        break;
      }
    }

    const levelBytes = levels === undefined ? undefined : encodeLevels(levels, rows, this.levelWriter.reset());
    const storedValues = compressValues ? snappyCompress(valueBytes) : valueBytes;
    const levelLength = levelBytes?.length ?? 0;
    const dataPageOffset = BigInt(out.offset);
    const headerStart = out.offset;
    writePageHeader(out, {
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: levelLength + valueBytes.length,
      compressed_page_size: levelLength + storedValues.length,
      data_page_header_v2: {
        num_values: rows,
        num_nulls: rows - nonNull,
        num_rows: rows,
        encoding,
        definition_levels_byte_length: levelLength,
        repetition_levels_byte_length: 0,
        is_compressed: compressValues,
      },
    });
    uncompressed += out.offset - headerStart + levelLength + valueBytes.length;
    if (levelBytes !== undefined) out.appendBytes(levelBytes);
    out.appendBytes(storedValues);

    const encodings: Encoding[] = [encoding === 'RLE_DICTIONARY' ? 'PLAIN' : encoding];
    if (plan.optional || encoding === 'RLE_DICTIONARY') encodings.push('RLE');
    if (encoding === 'RLE_DICTIONARY') encodings.push('RLE_DICTIONARY');
    return {
      file_offset: BigInt(chunkStart),
      meta_data: {
        type: plan.physical,
        encodings,
        path_in_schema: [plan.name],
        codec: plan.codec,
        num_values: BigInt(rows),
        total_uncompressed_size: BigInt(uncompressed),
        total_compressed_size: BigInt(out.offset - chunkStart),
        data_page_offset: dataPageOffset,
        ...(dictionaryPageOffset === undefined ? {} : { dictionary_page_offset: dictionaryPageOffset }),
        ...(statistics === undefined ? {} : { statistics }),
      },
    };
  }

  /**
   * The chunk's distinct strings and each non-null value's index among them, or undefined when a
   * dictionary would not pay: when the first DICTIONARY_PROBE values are over 90% distinct
   * (transaction hashes), or when the dictionary and the bit-packed indices would not come to
   * under 3/4 of the PLAIN bytes.
   */
  private dictionaryOf(values: ArrayLike<unknown>, rows: number, nonNull: number): { keys: string[]; indices: Int32Array } | undefined {
    if (nonNull < 2) return undefined;
    const dictionary = this.dictionary.reset(nonNull);
    const indices = this.indexBuffer(nonNull);
    let k = 0;
    let valueChars = 0;
    let previous: string | undefined;
    let previousIndex = 0;
    for (let i = 0; i < rows; i++) {
      const v = values[i] as string | null;
      if (v === null || v === undefined) continue;
      valueChars += v.length;
      // Runs are common (one run, one edge per batch, kinds in bursts): skip the lookup.
      if (v === previous) {
        indices[k++] = previousIndex;
        continue;
      }
      const j = dictionary.indexOf(v);
      if (j < 0) return undefined;
      indices[k++] = j;
      previous = v;
      previousIndex = j;
      if (k === DICTIONARY_PROBE && dictionary.keys.length * 10 > k * 9) return undefined;
    }
    const keys = dictionary.keys;
    const plainBytes = valueChars + 4 * nonNull;
    const dictionaryBytes = dictionary.keyChars + 4 * keys.length + (nonNull * Math.ceil(Math.log2(keys.length))) / 8;
    if (dictionaryBytes * 4 > plainBytes * 3) return undefined;
    return { keys, indices: indices.subarray(0, nonNull) };
  }

  /** PLAIN BYTE_ARRAY: each non-null string as a 4-byte little-endian length and its UTF-8 bytes. */
  private plainStrings(values: ArrayLike<unknown>, rows: number): Uint8Array {
    let buf = Buffer.from(this.scratch);
    let at = 0;
    for (let i = 0; i < rows; i++) {
      const v = values[i] as string | null;
      if (v === null || v === undefined) continue;
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      const need = at + 4 + v.length * 3;
      if (need > buf.length) {
        const grown = new ArrayBuffer(Math.max(need, buf.length * 2));
        new Uint8Array(grown).set(buf.subarray(0, at));
        this.scratch = grown;
        buf = Buffer.from(grown);
      }
      const length = buf.write(v, at + 4, 'utf8');
      buf.writeUInt32LE(length, at);
      at += 4 + length;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, at);
  }

  /** The scratch buffer, at least `bytes` long (offset 0, so typed views are aligned). */
  private scratchBuffer(bytes: number): ArrayBuffer {
    if (this.scratch.byteLength < bytes) this.scratch = new ArrayBuffer(Math.max(bytes, this.scratch.byteLength * 2));
    return this.scratch;
  }

  private levelBuffer(rows: number): Uint8Array {
    const bytes = (rows + 7) >> 3;
    if (this.levels.length < bytes) this.levels = new Uint8Array(Math.max(bytes, this.levels.length * 2));
    return this.levels;
  }

  private indexBuffer(rows: number): Int32Array {
    if (this.indices.length < rows) this.indices = new Int32Array(Math.max(rows, this.indices.length * 2));
    return this.indices;
  }
}

/**
 * Distinct strings of one column chunk, in first-seen order, found through an open-addressing
 * table. It hashes the length and at most 16 characters (the first and last 8), which tells
 * apart hashes, addresses, kinds and names at a third of the cost of a Map; strings that share
 * those characters just probe further, and past MAX_PROBE the chunk gives up its dictionary.
 */
class StringDictionary {
  keys: string[] = [];
  keyChars = 0;
  private slots = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;

  /** Empties the table, sized for up to `values` distinct strings at most half full. */
  reset(values: number): this {
    let size = this.slots.length;
    while (size < values * 2) size *= 2;
    if (size !== this.slots.length) {
      this.slots = new Int32Array(size);
      this.mask = size - 1;
    }
    this.slots.fill(-1);
    this.keys = [];
    this.keyChars = 0;
    return this;
  }

  /** The string's index, added if new; -1 if the probe ran past MAX_PROBE. */
  indexOf(v: string): number {
    const slots = this.slots;
    let at = hashString(v) & this.mask;
    for (let probe = 0; probe < MAX_PROBE; probe++) {
      const index = slots[at] as number;
      if (index === -1) {
        slots[at] = this.keys.length;
        this.keys.push(v);
        this.keyChars += v.length;
        return this.keys.length - 1;
      }
      if (this.keys[index] === v) return index;
      at = (at + 1) & this.mask;
    }
    return -1;
  }
}

const MAX_PROBE = 64;

function hashString(s: string): number {
  const n = s.length;
  let h = n;
  const head = n < 16 ? n : 8;
  for (let i = 0; i < head; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x9e3779b1);
  for (let i = n < 16 ? n : n - 8; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** A ByteWriter emptied and reused for each page. */
class ScratchWriter extends ByteWriter {
  constructor() {
    super(1 << 16);
  }

  reset(): this {
    this.index = 0;
    this.offset = 0;
    return this;
  }
}

/**
 * Sets one bit per row in `packed`, 1 where the value is present (the definition level of a
 * flat optional column), least significant bit first; returns how many are present.
 */
function packPresence(values: ArrayLike<unknown>, rows: number, packed: Uint8Array): number {
  let count = 0;
  for (let start = 0; start < rows; start += 8) {
    const end = Math.min(start + 8, rows);
    let byte = 0;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (v !== null && v !== undefined) {
        byte |= 1 << (i - start);
        count++;
      }
    }
    packed[start >> 3] = byte;
  }
  return count;
}

/** packPresence for a typed column, from its per-row present flags (0 or 1). */
function packFlags(present: Uint8Array, rows: number, packed: Uint8Array): number {
  let count = 0;
  for (let start = 0; start < rows; start += 8) {
    const end = Math.min(start + 8, rows);
    let byte = 0;
    for (let i = start; i < end; i++) {
      const flag = present[i] as number;
      byte |= flag << (i - start);
      count += flag;
    }
    packed[start >> 3] = byte;
  }
  return count;
}

/** The present rows' 64-bit values, as pairs of 32-bit words, packed into `out`. */
function gatherPairs(words: Int32Array, present: Uint8Array, rows: number, out: Int32Array): Int32Array {
  let k = 0;
  for (let i = 0; i < rows; i++) {
    if (present[i] === 0) continue;
    out[k++] = words[2 * i] as number;
    out[k++] = words[2 * i + 1] as number;
  }
  return out;
}

/** The present rows' values of a 32- or 64-bit typed column, packed into `out`. */
function gatherSingles<T extends Int32Array | Float64Array>(values: T, present: Uint8Array, rows: number, out: T): T {
  let k = 0;
  for (let i = 0; i < rows; i++) if (present[i] !== 0) out[k++] = values[i] as number;
  return out;
}

/** Groups of 8 rows all present or all absent that are worth an RLE run instead of bit-packing. */
const MIN_RLE_GROUPS = 4;

/**
 * Definition levels (bit width 1) in the RLE/bit-packed hybrid: long stretches of rows that all
 * have or all lack a value become RLE runs, the rest bit-packed groups copied from `packed`. Only
 * the last group can be partial, and it always ends a bit-packed run, where padding is allowed.
 */
function encodeLevels(packed: Uint8Array, rows: number, w: ScratchWriter): Uint8Array {
  const groups = (rows + 7) >> 3;
  const fullGroups = rows >> 3;
  let bitPackedFrom = 0;
  let g = 0;
  while (g < groups) {
    const byte = packed[g] as number;
    if (g < fullGroups && (byte === 0 || byte === 0xff)) {
      let end = g + 1;
      while (end < fullGroups && packed[end] === byte) end++;
      if (end - g >= MIN_RLE_GROUPS) {
        appendBitPacked(w, packed, bitPackedFrom, g);
        w.appendVarInt(((end - g) * 8) << 1);
        w.appendUint8(byte === 0 ? 0 : 1);
        bitPackedFrom = end;
      }
      g = end;
    } else {
      g++;
    }
  }
  appendBitPacked(w, packed, bitPackedFrom, groups);
  return w.getBytes();
}

function appendBitPacked(w: ScratchWriter, packed: Uint8Array, from: number, to: number): void {
  if (to <= from) return;
  w.appendVarInt(((to - from) << 1) | 1);
  w.appendBytes(packed.subarray(from, to));
}

/** Min and max of `n` 64-bit values given as word pairs, compared as signed or unsigned. */
function int64Statistics(words: Int32Array, n: number, unsigned: boolean, nulls: number): Statistics {
  // The high word decides, then the low word as unsigned; flipping the sign bit of the high word
  // turns unsigned order into signed order, so one comparison serves both.
  const flip = unsigned ? 0x80000000 : 0;
  let minAt = 0;
  let maxAt = 0;
  for (let i = 1; i < n; i++) {
    if (compareWords(words, i, minAt, flip) < 0) minAt = i;
    if (compareWords(words, i, maxAt, flip) > 0) maxAt = i;
  }
  const wide = new BigInt64Array(words.buffer, words.byteOffset, n);
  const read = (i: number) => (unsigned ? BigInt.asUintN(64, wide[i] as bigint) : (wide[i] as bigint));
  return { min_value: read(minAt), max_value: read(maxAt), null_count: BigInt(nulls) };
}

function compareWords(words: Int32Array, a: number, b: number, flip: number): number {
  const highA = (words[2 * a + 1] as number) ^ flip;
  const highB = (words[2 * b + 1] as number) ^ flip;
  if (highA !== highB) return highA < highB ? -1 : 1;
  const lowA = (words[2 * a] as number) >>> 0;
  const lowB = (words[2 * b] as number) >>> 0;
  return lowA === lowB ? 0 : lowA < lowB ? -1 : 1;
}

const TWO_32 = 4294967296;
const TWO_24 = 16777216;

/**
 * DELTA_BINARY_PACKED of `n` int64 values given as [low, high] word pairs, or undefined when a
 * step between neighbours is too large for the float64 arithmetic used here (the chunk is then
 * written PLAIN). No BigInt is created per value.
 */
function deltaBinaryPack(words: Int32Array, n: number, w: ScratchWriter, deltas: Float64Array): Uint8Array | undefined {
  for (let i = 1; i < n; i++) {
    const highStep = (words[2 * i + 1] as number) - (words[2 * i - 1] as number);
    if (highStep > MAX_DELTA_HIGH_WORD || highStep < -MAX_DELTA_HIGH_WORD) return undefined;
  }
  w.appendVarInt(DELTA_BLOCK);
  w.appendVarInt(DELTA_MINIBLOCKS);
  w.appendVarInt(n);
  w.appendZigZag(n > 0 ? (new BigInt64Array(words.buffer, words.byteOffset, 1)[0] as bigint) : 0n);
  const widths = new Uint8Array(DELTA_MINIBLOCKS);
  const packed = new Uint8Array(DELTA_MINIBLOCK * 8);
  for (let blockStart = 1; blockStart < n; blockStart += DELTA_BLOCK) {
    const size = Math.min(DELTA_BLOCK, n - blockStart);
    let minDelta = Infinity;
    for (let j = 0; j < size; j++) {
      const a = 2 * (blockStart + j);
      const delta = ((words[a + 1] as number) - (words[a - 1] as number)) * TWO_32 + (((words[a] as number) >>> 0) - ((words[a - 2] as number) >>> 0));
      deltas[j] = delta;
      if (delta < minDelta) minDelta = delta;
    }
    appendZigZagNumber(w, minDelta);
    for (let m = 0; m < DELTA_MINIBLOCKS; m++) {
      let maxAdjusted = 0;
      const end = Math.min((m + 1) * DELTA_MINIBLOCK, size);
      for (let j = m * DELTA_MINIBLOCK; j < end; j++) {
        const adjusted = (deltas[j] as number) - minDelta;
        if (adjusted > maxAdjusted) maxAdjusted = adjusted;
      }
      widths[m] = bitWidth(maxAdjusted);
    }
    w.appendBytes(widths);
    for (let m = 0; m < DELTA_MINIBLOCKS; m++) {
      const width = widths[m] as number;
      if (width === 0) continue; // an unused or constant miniblock has no body
      const from = m * DELTA_MINIBLOCK;
      let at = 0;
      let pending = 0;
      let pendingBits = 0;
      // Values are appended least significant bits first in pieces of at most 24 bits, so the
      // pending bits (< 8) plus a piece stay within 32-bit integer operations.
      for (let j = 0; j < DELTA_MINIBLOCK; j++) {
        let rest = from + j < size ? (deltas[from + j] as number) - minDelta : 0; // padding is zeros
        let bits = width;
        while (bits > 0) {
          const take = bits > 24 ? 24 : bits;
          const piece = take === 24 ? rest % TWO_24 : rest;
          rest = (rest - piece) / TWO_24;
          pending |= piece << pendingBits;
          pendingBits += take;
          bits -= take;
          while (pendingBits >= 8) {
            packed[at++] = pending & 0xff;
            pending >>>= 8;
            pendingBits -= 8;
          }
        }
      }
      w.appendBytes(packed.subarray(0, at)); // 32 values x width bits = 4 x width bytes exactly
    }
  }
  return w.getBytes();
}

/** Bits needed for a non-negative integer below 2^53. */
function bitWidth(value: number): number {
  if (value === 0) return 0;
  if (value <= 0xffffffff) return 32 - Math.clz32(value);
  return 64 - Math.clz32(Math.floor(value / TWO_32));
}

/** Zigzag varint of an integer within float64's exact range. */
function appendZigZagNumber(w: ScratchWriter, value: number): void {
  let encoded = value < 0 ? -value * 2 - 1 : value * 2;
  while (encoded >= 0x80) {
    w.appendUint8((encoded % 0x80) + 0x80);
    encoded = Math.floor(encoded / 0x80);
  }
  w.appendUint8(encoded);
}
