// The Parquet layout of telemetry: one flat table for every event kind. Seven header columns
// every row has, then one nullable column per payload field; a row fills the columns of its
// kind and leaves the rest null. TELEMETRY_COLUMNS is the documented column order and types
// (docs are written from it), and this module owns the mapping between events and column
// arrays in both directions.
//
// Exactness: every bigint of the event model stays a bigint. Nanoseconds and sequence numbers
// are INT64; gas amounts and block numbers are the EVM's uint64, stored as INT64 marked
// UINT_64 so the whole unsigned range fits; wei amounts and gas prices are uint256 on chain,
// so they are decimal strings. JS numbers that are integers (nonces, counts) are INT64 too,
// refused unless they are safe integers, so every one is stored exactly.

import type { SchemaElement } from 'hyparquet';
import type { Hex } from 'viem';
import type { EventKind, EventPayload, TelemetryEvent } from './events.js';

/** How a column holds its values: the JS type on the event and the Parquet type on disk. */
export type ColumnValueType =
  /** string <-> BYTE_ARRAY (UTF8). */
  | 'string'
  /** 0x-prefixed hex string (hash, address) <-> BYTE_ARRAY (UTF8), as given. */
  | 'hex'
  /** bigint <-> decimal string in BYTE_ARRAY (UTF8): values beyond 64 bits (wei, gas prices). */
  | 'decimal'
  /** number <-> INT32. */
  | 'int32'
  /** bigint <-> INT64. */
  | 'int64'
  /** bigint <-> INT64 with the UINT_64 annotation (0 to 2^64 - 1). */
  | 'uint64'
  /** safe-integer number <-> INT64. */
  | 'safe-int64'
  /** number <-> DOUBLE. */
  | 'double'
  /** boolean <-> BOOLEAN. */
  | 'boolean';

interface ColumnSpec {
  readonly type: ColumnValueType;
  readonly description: string;
}

// The header columns, required on every row, in file order.
const HEADER_SPECS = {
  run_id: { type: 'string', description: 'The run the event belongs to.' },
  edge_id: { type: 'string', description: 'The edge that recorded the event.' },
  seq: { type: 'int64', description: 'Per-edge sequence number from 0; (edge_id, seq) identifies an event.' },
  phase_index: { type: 'int32', description: 'Index of the scenario phase the edge was in.' },
  mono_ns: { type: 'int64', description: "Edge's monotonic clock, ns: orders events of one edge." },
  wall_ns: { type: 'int64', description: 'Wall clock, ns since the Unix epoch: lines edges up.' },
  kind: { type: 'string', description: 'The event kind (TxSubmitted, TxIncluded, ...): says which payload columns are set.' },
} as const satisfies Record<string, ColumnSpec>;

// The payload columns, nullable, in file order. A column is shared by the kinds whose field means
// the same thing (tx_hash, nonce, seen_ns, ...).
const PAYLOAD_SPECS = {
  tx_hash: { type: 'hex', description: 'Transaction hash (null on a TxFailed before the node returned one).' },
  template: { type: 'string', description: 'Workload template that built the transaction.' },
  estimated_gas: { type: 'uint64', description: 'Compute gas the workload engine counted (calibrated estimate).' },
  gas_limit: { type: 'uint64', description: 'Gas limit of the transaction.' },
  account: { type: 'hex', description: 'Sending load account.' },
  nonce: { type: 'safe-int64', description: 'Transaction nonce.' },
  intended_ns: { type: 'int64', description: 'When the schedule wanted the send (monotonic ns).' },
  sent_ns: { type: 'int64', description: 'When it was sent (monotonic ns).' },
  value_wei: { type: 'decimal', description: 'Value transferred, wei, decimal string.' },
  accepted_ns: { type: 'int64', description: 'When the node accepted it (monotonic ns).' },
  block_number: { type: 'uint64', description: 'Block the transaction was included in.' },
  seen_ns: { type: 'int64', description: 'When the edge saw it in a block / in the feed (monotonic ns).' },
  gas_used: { type: 'uint64', description: 'Gas used, from the receipt.' },
  gas_used_for_l1: { type: 'uint64', description: "Nitro's L1 (poster) gas; null where the chain reports none." },
  effective_gas_price: { type: 'decimal', description: 'Effective gas price, wei, decimal string.' },
  base_fee_per_gas: { type: 'decimal', description: 'Base fee of the block, wei, decimal string; null if unknown.' },
  success: { type: 'boolean', description: 'Receipt status.' },
  from_address: { type: 'hex', description: 'Sender, from the receipt (`from`).' },
  to_address: { type: 'hex', description: 'Recipient (`to`); null for a contract creation.' },
  sequence_number: { type: 'safe-int64', description: 'Sequencer feed sequence number the transaction came in.' },
  error_class: { type: 'string', description: 'RPC error class of the failure.' },
  stage: { type: 'string', description: 'Where it failed: submit or track.' },
  message: { type: 'string', description: 'Error message (redacted).' },
  waited_ns: { type: 'int64', description: 'How long the edge waited for a receipt before giving up, ns.' },
  url: { type: 'string', description: 'Feed URL (redacted).' },
  reason: { type: 'string', description: 'Why the feed disconnected, or why a fault was cleared (schedule, duration, run-end, abort, shutdown).' },
  expected_sequence: { type: 'safe-int64', description: 'Feed sequence number expected next.' },
  actual_sequence: { type: 'safe-int64', description: 'Feed sequence number received instead.' },
  silent_for_ns: { type: 'int64', description: 'How long the feed had been silent, ns.' },
  count: { type: 'safe-int64', description: 'Sends that left later than the lateness tolerance.' },
  max_lateness_ns: { type: 'int64', description: 'Largest lateness among them, ns.' },
  phase_name: { type: 'string', description: 'Name of the phase.' },
  offered_gas_per_sec: { type: 'double', description: "Offered gas/s of this edge's share of the curve at the phase start." },
  sent: { type: 'safe-int64', description: 'Transactions the edge sent in the phase.' },
  late: { type: 'safe-int64', description: 'Sends that left late in the phase.' },
  dropped: { type: 'safe-int64', description: 'Sends the edge could not make at all in the phase.' },
  fault_name: { type: 'string', description: 'Name of the fault (FaultInjected, FaultCleared; recorded by the hive, edge_id @hive).' },
  fault_type: { type: 'string', description: 'Fault type: latency, rpc-error, partition, ...' },
  fault_target: { type: 'string', description: 'What the fault acts on: sequencer-rpc, gateway-rpc or feed-relay.' },
  fault_adapter: { type: 'string', description: 'The adapter that applied it: proxy, netem or iptables.' },
  fault_edges: { type: 'string', description: 'Edge indexes the fault applies to, comma-separated.' },
  fault_params: { type: 'string', description: "The fault's parameters as JSON." },
  active_ns: { type: 'int64', description: 'How long the fault was in force, ns.' },
} as const satisfies Record<string, ColumnSpec>;

export type HeaderColumnName = keyof typeof HEADER_SPECS;
export type PayloadColumnName = keyof typeof PAYLOAD_SPECS;
export type TelemetryColumnName = HeaderColumnName | PayloadColumnName;

type JsTypeOf<T extends ColumnValueType> = T extends 'string' | 'hex'
  ? string
  : T extends 'decimal' | 'int64' | 'uint64'
    ? bigint
    : T extends 'int32' | 'safe-int64' | 'double'
      ? number
      : boolean;

type PayloadOf<K extends EventKind> = Extract<EventPayload, { readonly kind: K }>;
type PayloadFieldOf<K extends EventKind> = Exclude<keyof PayloadOf<K>, 'kind'>;
/** Payload columns whose JS type can hold a field of type T. */
type ColumnsFor<T> = { [C in PayloadColumnName]: T extends JsTypeOf<(typeof PAYLOAD_SPECS)[C]['type']> ? C : never }[PayloadColumnName];
/** A field that may be undefined within its kind is marked with a trailing '?'. */
type ColumnRef<T> = undefined extends T ? `${ColumnsFor<NonNullable<T>>}?` : ColumnsFor<T>;

// Every payload field of every kind and the column it lives in. The mapped type makes the
// compiler check that no field is missing, that a field that can be undefined is marked '?',
// and that the column's value type can hold the field's type.
const KIND_COLUMNS: { readonly [K in EventKind]: { readonly [F in PayloadFieldOf<K>]: ColumnRef<PayloadOf<K>[F]> } } = {
  TxSubmitted: {
    txHash: 'tx_hash',
    template: 'template',
    estimatedGas: 'estimated_gas',
    gasLimit: 'gas_limit',
    account: 'account',
    nonce: 'nonce',
    intendedNs: 'intended_ns',
    sentNs: 'sent_ns',
    valueWei: 'value_wei',
  },
  TxAccepted: { txHash: 'tx_hash', acceptedNs: 'accepted_ns' },
  TxIncluded: {
    txHash: 'tx_hash',
    blockNumber: 'block_number',
    seenNs: 'seen_ns',
    gasUsed: 'gas_used',
    gasUsedForL1: 'gas_used_for_l1?',
    effectiveGasPrice: 'effective_gas_price',
    baseFeePerGas: 'base_fee_per_gas?',
    success: 'success',
    from: 'from_address',
    to: 'to_address?',
    nonce: 'nonce',
    valueWei: 'value_wei',
  },
  TxFeedSeen: { txHash: 'tx_hash', sequenceNumber: 'sequence_number', seenNs: 'seen_ns' },
  TxFailed: { txHash: 'tx_hash?', errorClass: 'error_class', stage: 'stage', message: 'message', account: 'account', nonce: 'nonce' },
  TxTimeout: { txHash: 'tx_hash', waitedNs: 'waited_ns' },
  FeedConnected: { url: 'url' },
  FeedDisconnected: { url: 'url', reason: 'reason' },
  FeedGap: { expectedSequence: 'expected_sequence', actualSequence: 'actual_sequence' },
  FeedStall: { silentForNs: 'silent_for_ns' },
  SendLate: { count: 'count', maxLatenessNs: 'max_lateness_ns' },
  PhaseStarted: { phaseName: 'phase_name', offeredGasPerSec: 'offered_gas_per_sec' },
  PhaseEnded: { phaseName: 'phase_name', sent: 'sent', late: 'late', dropped: 'dropped' },
  FaultInjected: {
    faultName: 'fault_name',
    faultType: 'fault_type',
    faultTarget: 'fault_target',
    adapter: 'fault_adapter',
    edgeIndexes: 'fault_edges',
    params: 'fault_params',
  },
  FaultCleared: {
    faultName: 'fault_name',
    faultType: 'fault_type',
    faultTarget: 'fault_target',
    adapter: 'fault_adapter',
    edgeIndexes: 'fault_edges',
    reason: 'reason',
    activeNs: 'active_ns',
  },
};

export const EVENT_KINDS = Object.keys(KIND_COLUMNS) as readonly EventKind[];

/** One column of the telemetry table, as documented. */
export interface TelemetryColumn {
  readonly name: TelemetryColumnName;
  readonly type: ColumnValueType;
  /** The Parquet physical type and annotation, e.g. `INT64 (UINT_64)`. */
  readonly parquetType: string;
  /** Header columns are required; payload columns are null on rows of other kinds. */
  readonly nullable: boolean;
  /** The kinds that set this column, and the event field it comes from. */
  readonly fields: readonly { readonly kind: EventKind; readonly field: string; readonly optional: boolean }[];
  readonly description: string;
}

const PARQUET_TYPE_NAMES: Record<ColumnValueType, string> = {
  string: 'BYTE_ARRAY (UTF8)',
  hex: 'BYTE_ARRAY (UTF8)',
  decimal: 'BYTE_ARRAY (UTF8), decimal',
  int32: 'INT32',
  int64: 'INT64',
  uint64: 'INT64 (UINT_64)',
  'safe-int64': 'INT64',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};

const HEADER_FIELDS: Record<HeaderColumnName, keyof TelemetryEvent> = {
  run_id: 'runId',
  edge_id: 'edgeId',
  seq: 'seq',
  phase_index: 'phaseIndex',
  mono_ns: 'monoNs',
  wall_ns: 'wallNs',
  kind: 'kind',
};

function payloadFields(column: PayloadColumnName): TelemetryColumn['fields'] {
  const fields: { kind: EventKind; field: string; optional: boolean }[] = [];
  for (const kind of EVENT_KINDS) {
    for (const [field, ref] of Object.entries(KIND_COLUMNS[kind]) as [string, string][]) {
      const optional = ref.endsWith('?');
      if ((optional ? ref.slice(0, -1) : ref) === column) fields.push({ kind, field, optional });
    }
  }
  return fields;
}

/** Every column, in file order: the header, then the payload columns. */
export const TELEMETRY_COLUMNS: readonly TelemetryColumn[] = [
  ...(Object.entries(HEADER_SPECS) as [HeaderColumnName, ColumnSpec][]).map(([name, spec]) => ({
    name,
    type: spec.type,
    parquetType: PARQUET_TYPE_NAMES[spec.type],
    nullable: false,
    fields: EVENT_KINDS.map((kind) => ({ kind, field: HEADER_FIELDS[name], optional: false })),
    description: spec.description,
  })),
  ...(Object.entries(PAYLOAD_SPECS) as [PayloadColumnName, ColumnSpec][]).map(([name, spec]) => ({
    name,
    type: spec.type,
    parquetType: PARQUET_TYPE_NAMES[spec.type],
    nullable: true,
    fields: payloadFields(name),
    description: spec.description,
  })),
];

/** Bumped when a column changes meaning or type; readers refuse files of other versions. */
export const TELEMETRY_SCHEMA_VERSION = '1';

/** Footer key-value metadata GasHammer writes in every telemetry file; other keys come from the caller. */
export const METADATA_KEYS = {
  version: 'gashammer.version',
  build: 'gashammer.build',
  runId: 'gashammer.run_id',
  schemaVersion: 'gashammer.schema_version',
} as const;

/** The Parquet schema of a telemetry file: a root group and one flat leaf per column. */
export function telemetryParquetSchema(): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: 'root', num_children: TELEMETRY_COLUMNS.length }];
  for (const c of TELEMETRY_COLUMNS) schema.push(schemaElement(c));
  return schema;
}

function schemaElement(c: TelemetryColumn): SchemaElement {
  const repetition_type = c.nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (c.type) {
    case 'string':
    case 'hex':
    case 'decimal':
      return { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'int32':
      return { name: c.name, type: 'INT32', repetition_type };
    case 'int64':
    case 'safe-int64':
      return { name: c.name, type: 'INT64', repetition_type };
    case 'uint64':
      // The UINT_64 converted type says it all to readers. The equivalent INTEGER logical type
      // is left out: hyparquet-writer 0.17 writes its bit width as an i32 where Parquet's thrift
      // says i8, and strict readers (DuckDB) then reject the whole footer.
      return { name: c.name, type: 'INT64', converted_type: 'UINT_64', repetition_type };
    case 'double':
      return { name: c.name, type: 'DOUBLE', repetition_type };
    case 'boolean':
      return { name: c.name, type: 'BOOLEAN', repetition_type };
  }
}

/** The column table as Markdown, for docs/. */
export function telemetryColumnsMarkdown(): string {
  const lines = ['| # | Column | Parquet type | Null | Set by (event field) | Meaning |', '|---|---|---|---|---|---|'];
  TELEMETRY_COLUMNS.forEach((c, i) => {
    const setBy = c.nullable ? c.fields.map((f) => `${f.kind}.${f.field}${f.optional ? '?' : ''}`).join(', ') : `every event (\`${c.fields[0]?.field ?? ''}\`)`;
    lines.push(`| ${i + 1} | \`${c.name}\` | ${c.parquetType} | ${c.nullable ? 'yes' : 'no'} | ${setBy} | ${c.description} |`);
  });
  return lines.join('\n') + '\n';
}

// ---- events <-> columns ------------------------------------------------------------------------

/**
 * A row group as columns, in TELEMETRY_COLUMNS order; only the first `rows` entries count.
 * INT64 columns (int64, uint64, safe-int64) are BigInt64Array, holding the 64 bits Parquet
 * stores (a UINT_64 value above 2^63 reads back negative here), DOUBLE columns Float64Array,
 * phase_index Int32Array; for those, `present[c]` says which rows have a value (1) and which are
 * null (0). Every other column is a plain array (strings, wei as decimal strings, booleans) with
 * null where a row has no value, and `present[c]` undefined.
 */
export interface TelemetryColumnData {
  readonly rows: number;
  readonly columns: readonly ArrayLike<unknown>[];
  readonly present: readonly (Uint8Array | undefined)[];
}

const COLUMN_INDEX = new Map<string, number>(TELEMETRY_COLUMNS.map((c, i) => [c.name, i]));
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TWO_32 = 4294967296;

// Typed columns are read and written as 32-bit halves and their bytes go to disk as they are:
// both need the little-endian layout Parquet uses, which every platform Node supports has.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('GasHammer telemetry needs a little-endian platform');

/** One payload field of a kind: where it comes from, where it goes, how it is converted. */
interface FieldPlan {
  readonly field: string;
  readonly column: number;
  readonly type: ColumnValueType;
  readonly optional: boolean;
}

/** A kind's payload fields, and the kind's name as one shared string (see appendOne). */
interface KindPlan {
  readonly kind: EventKind;
  readonly fields: readonly FieldPlan[];
}

const KIND_PLANS = new Map<string, KindPlan>(
  EVENT_KINDS.map((kind) => [
    kind,
    {
      kind,
      fields: (Object.entries(KIND_COLUMNS[kind]) as [string, string][]).map(([field, ref]) => {
        const optional = ref.endsWith('?');
        const column = COLUMN_INDEX.get(optional ? ref.slice(0, -1) : ref) as number;
        return { field, column, type: (TELEMETRY_COLUMNS[column] as TelemetryColumn).type, optional };
      }),
    },
  ]),
);

const C_RUN = 0;
const C_EDGE = 1;
const C_SEQ = 2;
const C_PHASE = 3;
const C_MONO = 4;
const C_WALL = 5;
const C_KIND = 6;

const isInt64Type = (t: ColumnValueType) => t === 'int64' || t === 'uint64' || t === 'safe-int64';

/**
 * Fills a row group's columns one event at a time, converting and range-checking as it goes, so
 * an event that Parquet could not hold is refused when appended, not when its row group is
 * written. Capacity is fixed: memory is one row group's worth, whatever the run's length.
 *
 * Numbers and bigints go straight into typed arrays: the builder keeps no reference to an
 * event's bigints, which would otherwise all survive the young-generation collections while the
 * row group fills, and be copied by each of them; that copying was most of the cost of taking an
 * event. Strings and booleans are kept as they are.
 */
export class TelemetryColumnBuilder {
  readonly capacity: number;
  /** When set, events of any other run are refused. */
  private readonly runId: string | undefined;
  private readonly columns: (unknown[] | BigInt64Array | Float64Array | Int32Array)[];
  /** The same buffers as the INT64 columns, as 32-bit halves: safe integers are written without a BigInt. */
  private readonly words: (Int32Array | undefined)[];
  private readonly present: (Uint8Array | undefined)[];
  private readonly seq: BigInt64Array;
  private readonly phase: Int32Array;
  private readonly mono: BigInt64Array;
  private readonly wall: BigInt64Array;
  private length = 0;

  constructor(capacity: number, options: { readonly runId?: string } = {}) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`TelemetryColumnBuilder: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.runId = options.runId;
    this.columns = TELEMETRY_COLUMNS.map((c) => {
      if (isInt64Type(c.type)) return new BigInt64Array(capacity);
      if (c.type === 'double') return new Float64Array(capacity);
      if (c.type === 'int32') return new Int32Array(capacity);
      // Dense and null-filled: a slot a row does not set must read as null.
      return new Array<unknown>(capacity).fill(null);
    });
    this.words = this.columns.map((col) => (col instanceof BigInt64Array ? new Int32Array(col.buffer) : undefined));
    this.present = TELEMETRY_COLUMNS.map((c, i) => (c.nullable && !Array.isArray(this.columns[i]) ? new Uint8Array(capacity) : undefined));
    this.seq = this.columns[C_SEQ] as BigInt64Array;
    this.phase = this.columns[C_PHASE] as Int32Array;
    this.mono = this.columns[C_MONO] as BigInt64Array;
    this.wall = this.columns[C_WALL] as BigInt64Array;
  }

  get rows(): number {
    return this.length;
  }

  get full(): boolean {
    return this.length === this.capacity;
  }

  /**
   * Appends events until the builder is full; returns how many it took. All or none of one
   * event: if an event is refused (RangeError naming its field) the builder is as before it.
   */
  append(events: readonly TelemetryEvent[], from = 0): number {
    const n = Math.min(events.length - from, this.capacity - this.length);
    for (let k = 0; k < n; k++) this.appendOne(events[from + k] as TelemetryEvent);
    return n;
  }

  private appendOne(e: TelemetryEvent): void {
    const row = this.length;
    const plan = KIND_PLANS.get(e.kind);
    if (plan === undefined) throw new RangeError(`telemetry event ${e.edgeId}/${e.seq}: unknown kind ${String(e.kind)}`);
    if (this.runId !== undefined && e.runId !== this.runId) throw new RangeError(`telemetry event ${e.kind} ${e.edgeId}/${e.seq} is of run ${e.runId}, not ${this.runId}`);
    try {
      // The run id and kind are stored as this process's own string objects, not each event's
      // copy, so the encoder's run-length and dictionary checks compare them by reference.
      (this.columns[C_RUN] as unknown[])[row] = this.runId ?? e.runId;
      (this.columns[C_EDGE] as unknown[])[row] = checkString(e.edgeId, 'edgeId');
      this.seq[row] = int64(e.seq, 'seq');
      this.phase[row] = int32(e.phaseIndex, 'phaseIndex');
      this.mono[row] = int64(e.monoNs, 'monoNs');
      this.wall[row] = int64(e.wallNs, 'wallNs');
      (this.columns[C_KIND] as unknown[])[row] = plan.kind;
      const record = e as unknown as Record<string, unknown>;
      const fields = plan.fields;
      for (let i = 0; i < fields.length; i++) {
        const p = fields[i] as FieldPlan;
        const v = record[p.field];
        if (v === undefined || v === null) {
          if (!p.optional) throw new RangeError(`${p.field} is missing`);
          continue; // the slot already reads as null
        }
        this.store(p, row, v);
      }
    } catch (err) {
      this.clearRow(row);
      const message = err instanceof Error ? err.message : String(err);
      throw new RangeError(`telemetry event ${e.kind} ${e.edgeId}/${e.seq}: ${message}`, { cause: err });
    }
    this.length = row + 1;
  }

  private store(p: FieldPlan, row: number, v: unknown): void {
    const c = p.column;
    switch (p.type) {
      case 'string':
      case 'hex':
        (this.columns[c] as unknown[])[row] = checkString(v, p.field);
        return;
      case 'decimal':
        if (typeof v !== 'bigint') throw new RangeError(`${p.field} must be a bigint`);
        (this.columns[c] as unknown[])[row] = decimalString(v);
        return;
      case 'boolean':
        if (typeof v !== 'boolean') throw new RangeError(`${p.field} must be a boolean`);
        (this.columns[c] as unknown[])[row] = v;
        return;
      case 'int64':
        (this.columns[c] as BigInt64Array)[row] = int64(v, p.field);
        break;
      case 'uint64':
        if (typeof v !== 'bigint' || BigInt.asUintN(64, v) !== v) throw new RangeError(`${p.field} must be a bigint from 0 to 2^64-1, got ${String(v)}`);
        // A BigInt64Array keeps the low 64 bits: the bit pattern Parquet stores for UINT_64.
        (this.columns[c] as BigInt64Array)[row] = v;
        break;
      case 'safe-int64': {
        if (!Number.isSafeInteger(v)) throw new RangeError(`${p.field} must be a safe integer, got ${String(v)}`);
        // Two's-complement halves, computed in float64 (exact below 2^53): no BigInt per value.
        const words = this.words[c] as Int32Array;
        const high = Math.floor((v as number) / TWO_32);
        words[2 * row] = ((v as number) - high * TWO_32) | 0;
        words[2 * row + 1] = high;
        break;
      }
      case 'int32':
        (this.columns[c] as Int32Array)[row] = int32(v, p.field);
        break;
      case 'double':
        if (typeof v !== 'number') throw new RangeError(`${p.field} must be a number`);
        (this.columns[c] as Float64Array)[row] = v;
        break;
    }
    const present = this.present[c];
    if (present !== undefined) present[row] = 1;
  }

  /** The filled rows as columns: the builder's own arrays, valid until it next changes. */
  view(): TelemetryColumnData {
    return { rows: this.length, columns: this.columns, present: this.present };
  }

  /** Empties the builder, keeping its arrays. */
  reset(): void {
    const rows = this.length;
    for (let c = 0; c < this.columns.length; c++) {
      const present = this.present[c];
      if (present !== undefined) present.fill(0, 0, rows);
      else if (TELEMETRY_COLUMNS[c]?.nullable) (this.columns[c] as unknown[]).fill(null, 0, rows);
    }
    this.length = 0;
  }

  private clearRow(row: number): void {
    for (let c = 0; c < this.columns.length; c++) {
      const present = this.present[c];
      if (present !== undefined) present[row] = 0;
      else if (Array.isArray(this.columns[c])) (this.columns[c] as unknown[])[row] = null;
    }
  }
}

function checkString(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new RangeError(`${field} must be a string`);
  return v;
}

// Wei amounts and prices repeat (a block's price, a template's value): reuse the last string.
let lastDecimal = 0n;
let lastDecimalString = '0';

function decimalString(v: bigint): string {
  if (v !== lastDecimal) {
    lastDecimal = v;
    lastDecimalString = v.toString();
  }
  return lastDecimalString;
}

// BigInt.asIntN / asUintN compile to plain 64-bit operations; comparisons with out-of-range
// BigInt constants do not.
function int64(v: unknown, field: string): bigint {
  if (typeof v !== 'bigint' || BigInt.asIntN(64, v) !== v) throw new RangeError(`${field} must be a bigint within int64, got ${String(v)}`);
  return v;
}

function int32(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new RangeError(`${field} must be an int32, got ${String(v)}`);
  return v;
}

/** Maps events to column arrays in TELEMETRY_COLUMNS order (RangeError on an unwritable value). */
export function eventsToColumns(events: readonly TelemetryEvent[]): TelemetryColumnData {
  if (events.length === 0) return { rows: 0, columns: TELEMETRY_COLUMNS.map(() => []), present: TELEMETRY_COLUMNS.map(() => undefined) };
  const builder = new TelemetryColumnBuilder(events.length);
  builder.append(events);
  return builder.view();
}

/**
 * Maps columns back to events: a builder's (TelemetryColumnData) or a Parquet reader's, in
 * TELEMETRY_COLUMNS order (bigint or number for INT64, null or undefined for no value, or a
 * `present` flag of 0). Throws a RangeError naming the row and column when a value is missing
 * or of the wrong type for its kind.
 */
export function columnsToEvents(data: { readonly rows: number; readonly columns: readonly ArrayLike<unknown>[]; readonly present?: readonly (Uint8Array | undefined)[] }): TelemetryEvent[] {
  const { rows, columns, present } = data;
  if (columns.length !== TELEMETRY_COLUMNS.length) throw new RangeError(`expected ${TELEMETRY_COLUMNS.length} columns, got ${columns.length}`);
  const col = (i: number) => columns[i] as ArrayLike<unknown>;
  const out = new Array<TelemetryEvent>(rows);
  for (let r = 0; r < rows; r++) {
    const kind = col(C_KIND)[r];
    const plan = KIND_PLANS.get(kind as string);
    if (plan === undefined) throw new RangeError(`row ${r}: unknown kind ${String(kind)}`);
    // Header first, then kind and payload in a fixed order: every event of one kind gets one shape.
    const e: Record<string, unknown> = {
      runId: fromColumn(col(C_RUN)[r], 'string', r, 'run_id'),
      edgeId: fromColumn(col(C_EDGE)[r], 'string', r, 'edge_id'),
      seq: fromColumn(col(C_SEQ)[r], 'int64', r, 'seq'),
      phaseIndex: fromColumn(col(C_PHASE)[r], 'int32', r, 'phase_index'),
      monoNs: fromColumn(col(C_MONO)[r], 'int64', r, 'mono_ns'),
      wallNs: fromColumn(col(C_WALL)[r], 'int64', r, 'wall_ns'),
      kind: plan.kind,
    };
    const fields = plan.fields;
    for (let i = 0; i < fields.length; i++) {
      const p = fields[i] as FieldPlan;
      const v = present?.[p.column]?.[r] === 0 ? undefined : col(p.column)[r];
      if (v === null || v === undefined) {
        if (!p.optional) throw new RangeError(`row ${r} (${String(kind)}): ${(TELEMETRY_COLUMNS[p.column] as TelemetryColumn).name} is null`);
        e[p.field] = undefined;
      } else {
        e[p.field] = fromColumn(v, p.type, r, (TELEMETRY_COLUMNS[p.column] as TelemetryColumn).name);
      }
    }
    out[r] = e as unknown as TelemetryEvent;
  }
  return out;
}

function fromColumn(v: unknown, type: ColumnValueType, row: number, column: string): unknown {
  switch (type) {
    case 'string':
      if (typeof v === 'string') return v;
      break;
    case 'hex':
      if (typeof v === 'string') return v as Hex;
      break;
    case 'decimal':
      if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
      break;
    case 'int64':
      if (typeof v === 'bigint') return v;
      if (Number.isSafeInteger(v)) return BigInt(v as number);
      break;
    case 'uint64':
      // Some readers hand back an unsigned column's values above 2^63 as negative int64s.
      if (typeof v === 'bigint') return BigInt.asUintN(64, v);
      if (Number.isSafeInteger(v) && (v as number) >= 0) return BigInt(v as number);
      break;
    case 'safe-int64':
      if (typeof v === 'bigint' && v >= MIN_SAFE && v <= MAX_SAFE) return Number(v);
      if (Number.isSafeInteger(v)) return v;
      break;
    case 'int32':
    case 'double':
      if (typeof v === 'number') return v;
      break;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      break;
  }
  throw new RangeError(`row ${row}: column ${column} holds ${typeof v} ${String(v)}, not ${type}`);
}
