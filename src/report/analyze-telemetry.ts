// One pass over a run's telemetry files that yields every figure of the report: counts, latency
// histograms (whole run, per phase, per edge, per second), the 1-second series, errors by
// class, and each included transaction handed to the oracle. It reads only the columns it
// needs, as typed arrays (column-reader.ts), and joins a transaction's events by hash in
// typed arrays (tx-join.ts), so 10 million events take seconds, not minutes.
//
// Time: latencies are differences of one edge's monotonic readings. To line edges up, an event
// time t (edge monotonic ns) becomes wall time t + (wall_ns - mono_ns) of that edge's first
// row; seconds of the series count from the earliest PhaseStarted of the run.
//
// Attribution: a transaction belongs to the phase and edge that submitted it (its TxSubmitted
// row), so a phase's latency and inclusion counts are those of the load it offered, even when
// inclusion lands in the next phase. The series, by contrast, bin each fact by when it happened.
//
// Faults: the hive records FaultInjected and FaultCleared under its own edge id (HIVE_SOURCE_ID),
// on its own clocks; they are few, so they are read in the loop's cold path and handed over as
// they are, with each second's raw figures (counts and latency histograms), for
// fault-windows.ts to cut into windows. The hive is never an edge of the report.

import { readColumnRowGroupsThreaded } from '../telemetry/column-reader-thread.js';
import { textAt, type BooleanColumn, type ColumnRowGroup, type NumberColumn, type TextColumn } from '../telemetry/column-reader.js';
import { HIVE_SOURCE_ID } from '../telemetry/events.js';
import { readTelemetryFileInfo } from '../telemetry/parquet-reader.js';
import type { TelemetryColumnName } from '../telemetry/parquet-schema.js';
import { emptyIncludedTx, type IncludedTx } from '../oracle/observations.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { LatencyPair, LatencySet, LatencySummary, SecondSample, TrafficCounts } from './report-types.js';
import { OUTCOME_ACCEPTED, OUTCOME_FAILED, OUTCOME_FEED_SEEN, OUTCOME_INCLUDED, OUTCOME_SUBMITTED, OUTCOME_TIMEOUT, TxJoin } from './tx-join.js';

const COLUMNS: readonly TelemetryColumnName[] = [
  'edge_id',
  'phase_index',
  'mono_ns',
  'wall_ns',
  'kind',
  'tx_hash',
  'template',
  'estimated_gas',
  'gas_limit',
  'account',
  'nonce',
  'intended_ns',
  'sent_ns',
  'value_wei',
  'accepted_ns',
  'block_number',
  'seen_ns',
  'gas_used',
  'gas_used_for_l1',
  'effective_gas_price',
  'base_fee_per_gas',
  'success',
  'from_address',
  'to_address',
  'error_class',
  'late',
  'dropped',
  'fault_name',
  'fault_type',
  'fault_target',
  'fault_adapter',
  'fault_edges',
  'fault_params',
  'reason',
];

const RESOLVED = OUTCOME_SUBMITTED | OUTCOME_ACCEPTED | OUTCOME_INCLUDED | OUTCOME_FEED_SEEN;

const KIND_CODES = {
  TxSubmitted: 1,
  TxAccepted: 2,
  TxIncluded: 3,
  TxFeedSeen: 4,
  TxFailed: 5,
  TxTimeout: 6,
  PhaseStarted: 7,
  PhaseEnded: 8,
  FaultInjected: 9,
  FaultCleared: 10,
} as const;

/** Latency histograms of one scope (run, phase or edge): corrected and uncorrected per stage. */
class LatencyScope {
  readonly submission = new LatencyHistogram();
  readonly acceptance = new LatencyHistogram();
  readonly acceptanceUncorrected = new LatencyHistogram();
  readonly inclusion = new LatencyHistogram();
  readonly inclusionUncorrected = new LatencyHistogram();
  readonly feed = new LatencyHistogram();
  readonly feedUncorrected = new LatencyHistogram();

  merge(o: LatencyScope): void {
    this.submission.merge(o.submission);
    this.acceptance.merge(o.acceptance);
    this.acceptanceUncorrected.merge(o.acceptanceUncorrected);
    this.inclusion.merge(o.inclusion);
    this.inclusionUncorrected.merge(o.inclusionUncorrected);
    this.feed.merge(o.feed);
    this.feedUncorrected.merge(o.feedUncorrected);
  }

  summary(): LatencySet {
    const pair = (corrected: LatencyHistogram, uncorrected: LatencyHistogram | undefined): LatencyPair => ({
      corrected: summarize(corrected),
      // Submission has no uncorrected form: measured from the actual send it is zero by definition.
      uncorrected: summarize(uncorrected ?? new LatencyHistogram()),
    });
    return {
      submission: pair(this.submission, undefined),
      acceptance: pair(this.acceptance, this.acceptanceUncorrected),
      inclusion: pair(this.inclusion, this.inclusionUncorrected),
      feedInclusion: pair(this.feed, this.feedUncorrected),
    };
  }
}

export function summarize(h: LatencyHistogram): LatencySummary {
  return {
    count: h.count,
    p50: h.percentileMs(50),
    p90: h.percentileMs(90),
    p95: h.percentileMs(95),
    p99: h.percentileMs(99),
    p999: h.percentileMs(99.9),
    max: h.maxMs(),
    mean: h.meanMs(),
  };
}

class Traffic {
  txSubmitted = 0;
  txAccepted = 0;
  txIncluded = 0;
  txReverted = 0;
  txFailed = 0;
  txTimeout = 0;
  sendsLate = 0;
  sendsDropped = 0;
  gasOffered = 0;
  gasIncluded = 0;
  readonly errorsByClass = new Map<string, number>();
  readonly latency = new LatencyScope();

  merge(o: Traffic): void {
    this.txSubmitted += o.txSubmitted;
    this.txAccepted += o.txAccepted;
    this.txIncluded += o.txIncluded;
    this.txReverted += o.txReverted;
    this.txFailed += o.txFailed;
    this.txTimeout += o.txTimeout;
    this.sendsLate += o.sendsLate;
    this.sendsDropped += o.sendsDropped;
    this.gasOffered += o.gasOffered;
    this.gasIncluded += o.gasIncluded;
    for (const [cls, n] of o.errorsByClass) this.errorsByClass.set(cls, (this.errorsByClass.get(cls) ?? 0) + n);
    this.latency.merge(o.latency);
  }

  error(cls: string): void {
    this.errorsByClass.set(cls, (this.errorsByClass.get(cls) ?? 0) + 1);
  }

  counts(): TrafficCounts {
    return {
      txSubmitted: this.txSubmitted,
      txAccepted: this.txAccepted,
      txIncluded: this.txIncluded,
      txReverted: this.txReverted,
      txFailed: this.txFailed,
      txTimeout: this.txTimeout,
      sendsLate: this.sendsLate,
      sendsDropped: this.sendsDropped,
      gasOffered: this.gasOffered,
      gasIncluded: this.gasIncluded,
      errorsByClass: Object.fromEntries([...this.errorsByClass].sort(([a], [b]) => a.localeCompare(b))),
    };
  }
}

/** One second of the series while it is being filled. */
interface SecondBin {
  offeredGas: number;
  acceptedGas: number;
  includedGas: number;
  offeredTx: number;
  acceptedTx: number;
  includedTx: number;
  errors: number;
  baseFeeWei: number;
  /** Corrected acceptance latency of the transactions accepted in this second. */
  acceptance: LatencyHistogram;
  inclusion: LatencyHistogram;
}

/**
 * One second's raw figures, all edges together, for figures over a window of seconds (a fault
 * window): merge the seconds inside it. Each fact is in the second it happened, as in the series.
 */
export interface SecondFigures {
  /** TxSubmitted rows, by intended send instant (the series' offeredTxPerSec). */
  readonly submittedTx: number;
  /** TxFailed and TxTimeout rows. */
  readonly errors: number;
  /** Compute gas of the transactions seen included in this second. */
  readonly includedGas: number;
  /** Corrected acceptance latency (TxAccepted minus the intended send) of those accepted in this second. */
  readonly acceptance: LatencyHistogram;
  /** Corrected inclusion latency of those included in this second. */
  readonly inclusion: LatencyHistogram;
}

/** A FaultInjected or FaultCleared row, as the hive recorded it. */
export interface FaultEventRow {
  readonly kind: 'FaultInjected' | 'FaultCleared';
  /** When, in seconds on the series' clock (`t`: since the first phase began), fractional. */
  readonly atSecs: number;
  readonly name: string;
  readonly type: string;
  readonly target: string;
  readonly adapter: string;
  /** Edge indexes, comma-separated, as recorded. */
  readonly edges: string;
  /** The fault's parameters as JSON text (FaultInjected). */
  readonly params: string | undefined;
  /** Why it was cleared (FaultCleared). */
  readonly reason: string | undefined;
}

/** Precision of the per-second latency histograms (1.6%): a long run keeps one pair a second. */
export const SECOND_HISTOGRAM_BITS = 7;

/** Bins by absolute wall second; grows in both directions. */
class SecondBins {
  private base: number | undefined;
  private bins: (SecondBin | undefined)[] = [];

  at(wallMs: number): SecondBin {
    const sec = Math.floor(wallMs / 1000);
    if (this.base === undefined) this.base = sec;
    if (sec < this.base) {
      this.bins = [...new Array<undefined>(this.base - sec), ...this.bins];
      this.base = sec;
    }
    const i = sec - this.base;
    let bin = this.bins[i];
    if (bin === undefined) {
      bin = {
        offeredGas: 0,
        acceptedGas: 0,
        includedGas: 0,
        offeredTx: 0,
        acceptedTx: 0,
        includedTx: 0,
        errors: 0,
        baseFeeWei: NaN,
        acceptance: new LatencyHistogram(SECOND_HISTOGRAM_BITS),
        inclusion: new LatencyHistogram(SECOND_HISTOGRAM_BITS),
      };
      this.bins[i] = bin;
    }
    return bin;
  }

  /** Samples from the second holding `startWallMs` to the last second with data. */
  series(startWallMs: number, phaseAt: (wallMs: number) => number): SecondSample[] {
    if (this.base === undefined) return [];
    const first = Math.floor(startWallMs / 1000);
    const out: SecondSample[] = [];
    for (let i = Math.max(0, first - this.base); i < this.bins.length; i++) {
      const sec = this.base + i;
      const b = this.bins[i];
      out.push({
        t: sec - first,
        phaseIndex: phaseAt(sec * 1000 + 500),
        offeredGasPerSec: b?.offeredGas ?? 0,
        acceptedGasPerSec: b?.acceptedGas ?? 0,
        includedGasPerSec: b?.includedGas ?? 0,
        offeredTxPerSec: b?.offeredTx ?? 0,
        acceptedTxPerSec: b?.acceptedTx ?? 0,
        includedTxPerSec: b?.includedTx ?? 0,
        errors: b?.errors ?? 0,
        p50InclusionMs: b ? b.inclusion.percentileMs(50) : null,
        p99InclusionMs: b ? b.inclusion.percentileMs(99) : null,
        baseFeeWei: b && !Number.isNaN(b.baseFeeWei) ? b.baseFeeWei : null,
      });
    }
    return out;
  }

  /** The raw figures of the same seconds as series(startWallMs): undefined for a second with no event. */
  figures(startWallMs: number): (SecondFigures | undefined)[] {
    if (this.base === undefined) return [];
    const out: (SecondFigures | undefined)[] = [];
    for (let i = Math.max(0, Math.floor(startWallMs / 1000) - this.base); i < this.bins.length; i++) {
      const b = this.bins[i];
      out.push(b === undefined ? undefined : { submittedTx: b.offeredTx, errors: b.errors, includedGas: b.includedGas, acceptance: b.acceptance, inclusion: b.inclusion });
    }
    return out;
  }
}

export interface TelemetryAnalysis {
  readonly eventsRead: number;
  readonly totals: TrafficCounts;
  readonly latency: LatencySet;
  /** Per phase index 0..phaseCount-1. */
  readonly phases: readonly { readonly counts: TrafficCounts; readonly latency: LatencySet }[];
  /** Per edge id; the hive (HIVE_SOURCE_ID), which records faults, is not an edge. */
  readonly edges: ReadonlyMap<string, { readonly counts: TrafficCounts; readonly latency: LatencySet }>;
  readonly series: readonly SecondSample[];
  /** The raw figures of each second of `series` (same index), for windows of seconds. */
  readonly seconds: readonly (SecondFigures | undefined)[];
  /** FaultInjected and FaultCleared rows of the hive, in time order. */
  readonly faultEvents: readonly FaultEventRow[];
  /** Included transactions never seen in the feed, and whether the feed was followed at all. */
  readonly feed: { readonly followed: boolean; readonly misses: number };
  /** Per lowercase account: transactions sent and never resolved (timeouts). */
  readonly unresolvedByAccount: ReadonlyMap<string, number>;
}

export interface AnalyzeOptions {
  readonly phaseCount: number;
  /** Each included transaction, for the oracle; the object is reused between calls. */
  readonly onIncluded?: (tx: IncludedTx) => void;
}

/** Interns the values of a text column: per row group, dictionary index -> our id. */
class Interner {
  readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }

  private readonly lowered: string[] = [];

  /** The value of an id in lower case (computed once). */
  lower(id: number): string {
    return (this.lowered[id] ??= this.values[id]!.toLowerCase());
  }

  /** Per-row ids of a text column (-1 for null). */
  rowIds(col: TextColumn, rows: number): Int32Array {
    const out = new Int32Array(rows);
    if (col.encoding === 'dictionary') {
      const map = col.dictionary.map((v) => this.id(v));
      for (let r = 0; r < rows; r++) {
        const d = col.indices[r]!;
        out[r] = d < 0 ? -1 : map[d]!;
      }
    } else {
      for (let r = 0; r < rows; r++) {
        const v = textAt(col, r);
        out[r] = v === undefined ? -1 : this.id(v);
      }
    }
    return out;
  }
}

/** A decimal text column as bigints: a dictionary chunk's values are parsed once per row group. */
class Decimals {
  private parsed: (bigint | undefined)[] = [];
  private col: TextColumn | undefined;

  use(col: TextColumn): void {
    this.col = col;
    this.parsed = col.encoding === 'dictionary' ? col.dictionary.map((v) => BigInt(v)) : [];
  }

  at(row: number): bigint | undefined {
    const col = this.col!;
    if (col.encoding === 'dictionary') {
      const d = col.indices[row]!;
      return d < 0 ? undefined : this.parsed[d];
    }
    const text = textAt(col, row);
    return text === undefined ? undefined : BigInt(text);
  }
}

export async function analyzeTelemetry(files: readonly string[], options: AnalyzeOptions): Promise<TelemetryAnalysis> {
  // A transaction has four events when all goes well (submitted, accepted, included, feed);
  // once it has had all four, none can follow and its key leaves the join's table.
  const join = new TxJoin(Math.ceil((await countRows(files)) / 4));
  const markOutcome = (slot: number, bit: number, hi: number, lo: number): void => {
    const outcome = join.outcome[slot]! | bit;
    join.outcome[slot] = outcome;
    if (outcome === RESOLVED) join.release(hi, lo);
  };
  const edgesIntern = new Interner();
  const templates = new Interner();
  const accounts = new Interner();
  const addresses = new Interner();
  const errorClasses = new Interner();
  const kinds = new Interner();
  const kindCode: number[] = [];
  const phaseCount = options.phaseCount;
  // One Traffic per (phase, edge), merged into run, phase and edge figures at the end, so each
  // event updates one scope; index = edge * (phaseCount + 1) + phase, the last phase slot
  // holding events outside the plan's phases.
  const scopes: Traffic[] = [];
  const stride = phaseCount + 1;
  const scopeOf = (edge: number, phase: number): number => {
    const index = edge * stride + (phase >= 0 && phase < phaseCount ? phase : phaseCount);
    if (scopes[index] === undefined) scopes[index] = new Traffic();
    return index;
  };
  const edgeOffsetMs: number[] = [];
  const phaseStartWallMs = new Array<number>(phaseCount).fill(NaN);
  const bins = new SecondBins();
  const baseFees = new Decimals();
  const values = new Decimals();
  const gasPrices = new Decimals();
  let eventsRead = 0;
  let feedFollowed = false;
  const faults: { readonly row: Omit<FaultEventRow, 'atSecs'>; readonly atWallMs: number }[] = [];
  const onIncluded = options.onIncluded;
  // One reused object for the oracle (its contract: copy what you keep). The hash is decoded
  // only when an invariant asks for it (when it records a violation).
  const included = emptyIncludedTx();
  let hashColumn: TextColumn | undefined;
  let hashRow = 0;
  Object.defineProperty(included, 'hash', { get: () => (hashColumn ? (textAt(hashColumn, hashRow) ?? '') : ''), enumerable: true });

  for await (const group of readColumnRowGroupsThreaded(files, COLUMNS, { hexKeyColumns: ['tx_hash'] })) {
    const rows = group.rows;
    eventsRead += rows;
    const c = columnsOf(group);
    const kindIds = kinds.rowIds(c.kind, rows);
    for (let i = kindCode.length; i < kinds.values.length; i++) kindCode.push(KIND_CODES[kinds.values[i] as keyof typeof KIND_CODES] ?? 0);
    const edgeIds = edgesIntern.rowIds(c.edge_id, rows);
    const templateIds = templates.rowIds(c.template, rows);
    const accountIds = accounts.rowIds(c.account, rows);
    const errorIds = errorClasses.rowIds(c.error_class, rows);
    // Interned (and so hashed once) for the oracle's per-account maps.
    const fromIds = onIncluded ? addresses.rowIds(c.from_address, rows) : undefined;
    const toIds = onIncluded ? addresses.rowIds(c.to_address, rows) : undefined;
    baseFees.use(c.base_fee_per_gas);
    values.use(c.value_wei);
    gasPrices.use(c.effective_gas_price);
    hashColumn = c.tx_hash;
    // Plain typed-array locals: reading through the column objects costs a property lookup per
    // row and column, which was most of this loop's time.
    const mono = c.mono_ns.values;
    const wall = c.wall_ns.values;
    const phaseIdx = c.phase_index.values;
    const intendedNs = c.intended_ns.values;
    const sentNs = c.sent_ns.values;
    const acceptedNs = c.accepted_ns.values;
    const seenNs = c.seen_ns.values;
    const estimatedGas = c.estimated_gas.values;
    const gasLimit = c.gas_limit.values;
    const gasUsedCol = c.gas_used.values;
    const gasUsedForL1 = c.gas_used_for_l1.values;
    const successCol = c.success.values;
    const nonceCol = c.nonce.values;
    const blockNumber = c.block_number.values;
    const lateCol = c.late.values;
    const droppedCol = c.dropped.values;
    const { words: keyWords, present: hasKey } = group.hexKeys.get('tx_hash')!;

    for (let r = 0; r < rows; r++) {
      const e = edgeIds[r]!;
      if (edgeOffsetMs[e] === undefined) edgeOffsetMs[e] = (wall[r]! - mono[r]!) / 1e6;
      const offsetMs = edgeOffsetMs[e]!;
      const kind = kindCode[kindIds[r]!] ?? 0;
      switch (kind) {
        case KIND_CODES.TxSubmitted: {
          if (hasKey[r] === 0) break;
          const slot = join.add(keyWords[2 * r]!, keyWords[2 * r + 1]!);
          const intended = intendedNs[r]!;
          const sent = sentNs[r]!;
          const gas = estimatedGas[r]!;
          const scope = scopeOf(e, phaseIdx[r]!);
          join.intendedNs[slot] = intended;
          join.sentNs[slot] = sent;
          join.estimatedGas[slot] = gas;
          join.gasLimit[slot] = gasLimit[r]!;
          join.scope[slot] = scope;
          join.template[slot] = templateIds[r]!;
          join.account[slot] = accountIds[r]!;
          join.mark(slot, OUTCOME_SUBMITTED);
          const t = scopes[scope]!;
          t.txSubmitted++;
          t.gasOffered += gas;
          t.latency.submission.recordMs((sent - intended) / 1e6);
          const bin = bins.at(intended / 1e6 + offsetMs);
          bin.offeredGas += gas;
          bin.offeredTx++;
          break;
        }
        case KIND_CODES.TxAccepted: {
          if (hasKey[r] === 0) break;
          const hi = keyWords[2 * r]!;
          const lo = keyWords[2 * r + 1]!;
          const slot = join.find(hi, lo);
          if (slot < 0) break;
          markOutcome(slot, OUTCOME_ACCEPTED, hi, lo);
          const accepted = acceptedNs[r]!;
          const corrected = (accepted - join.intendedNs[slot]!) / 1e6;
          const t = scopes[join.scope[slot]!]!;
          t.txAccepted++;
          t.latency.acceptance.recordMs(corrected);
          t.latency.acceptanceUncorrected.recordMs((accepted - join.sentNs[slot]!) / 1e6);
          const bin = bins.at(accepted / 1e6 + offsetMs);
          bin.acceptedGas += join.estimatedGas[slot]!;
          bin.acceptedTx++;
          bin.acceptance.recordMs(corrected);
          break;
        }
        case KIND_CODES.TxIncluded: {
          if (hasKey[r] === 0) break;
          const hi = keyWords[2 * r]!;
          const lo = keyWords[2 * r + 1]!;
          const slot = join.find(hi, lo);
          if (slot < 0) break;
          markOutcome(slot, OUTCOME_INCLUDED, hi, lo);
          const seen = seenNs[r]!;
          const gasUsed = gasUsedCol[r]!;
          const l1 = gasUsedForL1[r]!;
          const computeGas = Number.isNaN(l1) ? gasUsed : gasUsed - l1;
          const success = successCol[r] === 1;
          const corrected = (seen - join.intendedNs[slot]!) / 1e6;
          const t = scopes[join.scope[slot]!]!;
          t.txIncluded++;
          if (!success) t.txReverted++;
          t.gasIncluded += computeGas;
          t.latency.inclusion.recordMs(corrected);
          t.latency.inclusionUncorrected.recordMs((seen - join.sentNs[slot]!) / 1e6);
          const bin = bins.at(seen / 1e6 + offsetMs);
          bin.includedGas += computeGas;
          bin.includedTx++;
          bin.inclusion.recordMs(corrected);
          const baseFee = baseFees.at(r);
          if (baseFee !== undefined) {
            const fee = Number(baseFee);
            if (!(fee <= bin.baseFeeWei)) bin.baseFeeWei = fee;
          }
          if (onIncluded) {
            hashRow = r;
            const from = fromIds![r]!;
            const to = toIds![r]!;
            included.blockNumber = blockNumber[r]!;
            included.from = from < 0 ? '0x' : addresses.lower(from);
            included.to = to < 0 ? undefined : addresses.lower(to);
            included.nonce = nonceCol[r]!;
            included.valueWei = values.at(r) ?? 0n;
            included.gasUsed = gasUsed;
            included.gasUsedForL1 = Number.isNaN(l1) ? undefined : l1;
            included.effectiveGasPrice = gasPrices.at(r) ?? 0n;
            included.baseFeePerGas = baseFee;
            included.success = success;
            const limit = join.gasLimit[slot]!;
            included.gasLimit = Number.isNaN(limit) ? undefined : limit;
            const tpl = join.template[slot]!;
            included.template = tpl < 0 ? undefined : templates.values[tpl];
            onIncluded(included);
          }
          break;
        }
        case KIND_CODES.TxFeedSeen: {
          feedFollowed = true;
          if (hasKey[r] === 0) break;
          const hi = keyWords[2 * r]!;
          const lo = keyWords[2 * r + 1]!;
          const slot = join.find(hi, lo);
          if (slot < 0) break;
          markOutcome(slot, OUTCOME_FEED_SEEN, hi, lo);
          const seen = seenNs[r]!;
          const t = scopes[join.scope[slot]!]!;
          t.latency.feed.recordMs((seen - join.intendedNs[slot]!) / 1e6);
          t.latency.feedUncorrected.recordMs((seen - join.sentNs[slot]!) / 1e6);
          break;
        }
        case KIND_CODES.TxFailed:
        case KIND_CODES.TxTimeout: {
          const timeout = kind === KIND_CODES.TxTimeout;
          const cls = timeout ? 'timeout' : errorIds[r]! < 0 ? 'unknown' : errorClasses.values[errorIds[r]!]!;
          let slot = -1;
          if (hasKey[r] !== 0) slot = join.find(keyWords[2 * r]!, keyWords[2 * r + 1]!);
          if (slot >= 0) join.mark(slot, timeout ? OUTCOME_TIMEOUT : OUTCOME_FAILED);
          const t = scopes[slot >= 0 ? join.scope[slot]! : scopeOf(e, phaseIdx[r]!)]!;
          if (timeout) t.txTimeout++;
          else t.txFailed++;
          t.error(cls);
          bins.at(mono[r]! / 1e6 + offsetMs).errors++;
          break;
        }
        case KIND_CODES.PhaseStarted: {
          const p = phaseIdx[r]!;
          const at = wall[r]! / 1e6;
          if (p >= 0 && p < phaseStartWallMs.length && !(phaseStartWallMs[p]! <= at)) phaseStartWallMs[p] = at;
          break;
        }
        case KIND_CODES.PhaseEnded: {
          const late = lateCol[r]!;
          const dropped = droppedCol[r]!;
          const t = scopes[scopeOf(e, phaseIdx[r]!)]!;
          t.sendsLate += Number.isNaN(late) ? 0 : late;
          t.sendsDropped += Number.isNaN(dropped) ? 0 : dropped;
          break;
        }
        case KIND_CODES.FaultInjected:
        case KIND_CODES.FaultCleared:
          // A handful per run: decoded here, off the path every transaction takes.
          faults.push({ row: faultRowOf(c, r, kind === KIND_CODES.FaultInjected), atWallMs: mono[r]! / 1e6 + offsetMs });
          break;
        default:
          break;
      }
    }
  }

  // Run, phase and edge figures from the (phase, edge) scopes.
  const total = new Traffic();
  const phases = Array.from({ length: phaseCount }, () => new Traffic());
  const edges = edgesIntern.values.map(() => new Traffic());
  scopes.forEach((scope, index) => {
    if (scope === undefined) return;
    const edge = Math.floor(index / stride);
    const phase = index % stride;
    total.merge(scope);
    edges[edge]!.merge(scope);
    if (phase < phaseCount) phases[phase]!.merge(scope);
  });

  // Outcomes per transaction: feed misses and unresolved sends.
  let misses = 0;
  const unresolved = new Map<string, number>();
  for (let s = 0; s < join.size; s++) {
    const o = join.outcome[s]!;
    if (o & OUTCOME_INCLUDED && !(o & OUTCOME_FEED_SEEN)) misses++;
    if (o & OUTCOME_SUBMITTED && !(o & (OUTCOME_INCLUDED | OUTCOME_FAILED))) {
      const a = join.account[s]!;
      const account = a < 0 ? 'unknown' : accounts.values[a]!.toLowerCase();
      unresolved.set(account, (unresolved.get(account) ?? 0) + 1);
    }
  }

  const starts = phaseStartWallMs.filter((v) => !Number.isNaN(v));
  const startWallMs = starts.length > 0 ? Math.min(...starts) : undefined;
  const phaseAt = (wallMs: number): number => {
    let index = 0;
    for (let p = 0; p < phaseStartWallMs.length; p++) if (phaseStartWallMs[p]! <= wallMs) index = p;
    return index;
  };
  const edgeMap = new Map<string, { counts: TrafficCounts; latency: LatencySet }>();
  edges.forEach((t, i) => {
    const id = edgesIntern.values[i]!;
    if (id !== HIVE_SOURCE_ID) edgeMap.set(id, { counts: t.counts(), latency: t.latency.summary() });
  });
  // Fault times on the series' clock; without a phase start (no series) from the first fault's second.
  const firstFaultMs = faults.reduce((min, f) => Math.min(min, f.atWallMs), Infinity);
  const originMs = Math.floor((startWallMs ?? firstFaultMs) / 1000) * 1000;
  const faultEvents = faults.map((f) => ({ ...f.row, atSecs: (f.atWallMs - originMs) / 1000 })).sort((a, b) => a.atSecs - b.atSecs);
  return {
    eventsRead,
    totals: total.counts(),
    latency: total.latency.summary(),
    phases: phases.map((t) => ({ counts: t.counts(), latency: t.latency.summary() })),
    edges: edgeMap,
    series: startWallMs === undefined ? [] : bins.series(startWallMs, phaseAt),
    seconds: startWallMs === undefined ? [] : bins.figures(startWallMs),
    faultEvents,
    feed: { followed: feedFollowed, misses: feedFollowed ? misses : 0 },
    unresolvedByAccount: unresolved,
  };
}

/** A fault row's payload, decoded (missing text reads as ''). */
function faultRowOf(c: Columns, r: number, injected: boolean): Omit<FaultEventRow, 'atSecs'> {
  return {
    kind: injected ? 'FaultInjected' : 'FaultCleared',
    name: textAt(c.fault_name, r) ?? '',
    type: textAt(c.fault_type, r) ?? '',
    target: textAt(c.fault_target, r) ?? '',
    adapter: textAt(c.fault_adapter, r) ?? '',
    edges: textAt(c.fault_edges, r) ?? '',
    params: injected ? textAt(c.fault_params, r) : undefined,
    reason: injected ? undefined : textAt(c.reason, r),
  };
}

async function countRows(files: readonly string[]): Promise<number> {
  let rows = 0;
  for (const file of files) rows += (await readTelemetryFileInfo(file)).rows;
  return rows;
}

interface Columns {
  readonly edge_id: TextColumn;
  readonly phase_index: NumberColumn;
  readonly mono_ns: NumberColumn;
  readonly wall_ns: NumberColumn;
  readonly kind: TextColumn;
  readonly tx_hash: TextColumn;
  readonly template: TextColumn;
  readonly estimated_gas: NumberColumn;
  readonly gas_limit: NumberColumn;
  readonly account: TextColumn;
  readonly nonce: NumberColumn;
  readonly intended_ns: NumberColumn;
  readonly sent_ns: NumberColumn;
  readonly value_wei: TextColumn;
  readonly accepted_ns: NumberColumn;
  readonly block_number: NumberColumn;
  readonly seen_ns: NumberColumn;
  readonly gas_used: NumberColumn;
  readonly gas_used_for_l1: NumberColumn;
  readonly effective_gas_price: TextColumn;
  readonly base_fee_per_gas: TextColumn;
  readonly success: BooleanColumn;
  readonly from_address: TextColumn;
  readonly to_address: TextColumn;
  readonly error_class: TextColumn;
  readonly late: NumberColumn;
  readonly dropped: NumberColumn;
  readonly fault_name: TextColumn;
  readonly fault_type: TextColumn;
  readonly fault_target: TextColumn;
  readonly fault_adapter: TextColumn;
  readonly fault_edges: TextColumn;
  readonly fault_params: TextColumn;
  readonly reason: TextColumn;
}

/** The row group's columns by name, typed; a missing or mistyped column is a bug in the reader. */
function columnsOf(group: ColumnRowGroup): Columns {
  const out: Record<string, unknown> = {};
  for (const name of COLUMNS) {
    const col = group.columns.get(name);
    if (col === undefined) throw new Error(`column ${name} missing from ${group.file} row group ${group.rowGroup}`);
    out[name] = col;
  }
  return out as unknown as Columns;
}
