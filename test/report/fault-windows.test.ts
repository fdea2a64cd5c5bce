// Fault windows from real telemetry: runs written as Parquet by the ParquetSink (two edges and
// the hive, each on its own monotonic clock) whose acceptance latency rises by a known amount
// while a fault is in force and whose errors happen only then; the report must find each window,
// its before/during/after figures and the recovery after the clear, keep the hive out of the
// edges, and show the windows in report.md and report.html (and nothing when there were none).
// The span and recovery rules themselves are pinned on hand-made seconds at the end.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256, toHex, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeTelemetry, SECOND_HISTOGRAM_BITS, type FaultEventRow, type SecondFigures, type TelemetryAnalysis } from '../../src/report/analyze-telemetry.js';
import { computeFaultWindows, RECOVERY_HOLD_SECS,
  RECOVERY_LATENCY_FLOOR_MS, SPAN_SECS } from '../../src/report/fault-windows.js';
import { LatencyHistogram } from '../../src/report/latency-histogram.js';
import { renderHtml } from '../../src/report/render-html.js';
import { renderMarkdown } from '../../src/report/render-markdown-v2.js';
import { buildReport, planOfRun } from '../../src/report/report-engine.js';
import type { FaultWindow, RunReportV2 } from '../../src/report/report-types.js';
import type { RunReport as RunRecord } from '../../src/report/run-report.js';
import { HIVE_SOURCE_ID, type EventPayload, type TelemetryEvent } from '../../src/telemetry/events.js';
import { listRunFiles } from '../../src/telemetry/parquet-reader.js';
import { ParquetSink, runDirectory } from '../../src/telemetry/parquet-sink.js';
import { cells, tables } from '../support/markdown.js';

// ---- a small run, written as the hive writes it -------------------------------------------------

/** Wall clock at the first phase's start, ns: a whole second, so the series' t is plain. */
const WALL_START = 1_790_000_000_000_000_000n;
/** Each edge's monotonic clock at the run start, and the hive's: three unrelated clocks. */
const EDGE_MONO = [5_000_000_000n, 9_000_000_123n];
const HIVE_MONO = 77_000_000_456n;
const RATE = 20; // transactions per second per edge
const LOAD_SECS = 90;
const BASE_ACCEPT_MS = 5;
const INCLUSION_AFTER_ACCEPT_MS = 250;
const GAS = 21_000;

const ns = (secs: number): bigint => BigInt(Math.round(secs * 1e9));

interface FaultMark {
  readonly kind: 'FaultInjected' | 'FaultCleared';
  readonly at: number;
  readonly name: string;
  readonly reason?: string;
  readonly params?: string;
}

interface RunShape {
  readonly runId: string;
  /** Acceptance latency (ms) of a transaction by its intended send time (s since the start). */
  readonly acceptanceMs: (at: number) => number;
  /** Whether the node refuses it (TxFailed 2 ms after the send); k counts the edge's sends. */
  readonly fails: (at: number, k: number) => boolean;
  readonly faults: readonly FaultMark[];
}

const SCENARIO = `name: steady-load
description: a steady load with faults, for the report tests
version: "1.0"
workload:
  gas_rate:
    type: sustained
    gas_per_sec: 840_000
  templates:
    - name: simple-transfer
      weight: 1
phases:
  - name: steady
    duration_secs: ${LOAD_SECS}
oracle:
  invariants: []
`;

interface WrittenRun {
  readonly runDir: string;
  readonly files: readonly string[];
  readonly events: number;
}

async function writeRun(dataDir: string, shape: RunShape): Promise<WrittenRun> {
  const sink = new ParquetSink({ dataDir, runId: shape.runId, rotateBytes: 64 * 1024 * 1024, rotateIntervalMs: 3_600_000, rowGroupSize: 5_000, now: () => Number(WALL_START / 1_000_000n) });
  const events: TelemetryEvent[] = [];
  const seq = new Map<string, bigint>();
  const emit = (edgeId: string, monoBase: bigint, at: number, payload: EventPayload, phaseIndex = 0): void => {
    const s = seq.get(edgeId) ?? 0n;
    seq.set(edgeId, s + 1n);
    events.push({ runId: shape.runId, edgeId, seq: s, phaseIndex, monoNs: monoBase + ns(at), wallNs: WALL_START + ns(at), ...payload } as TelemetryEvent);
  };
  let hash = 0;
  EDGE_MONO.forEach((mono, edge) => {
    const edgeId = `edge-${edge}`;
    const account = `0x${(edge + 1).toString(16).padStart(40, '0')}` as Hex;
    emit(edgeId, mono, 0, { kind: 'PhaseStarted', phaseName: 'steady', offeredGasPerSec: RATE * GAS });
    for (let k = 0; k < LOAD_SECS * RATE; k++) {
      // Half an interval in: no send on a second's boundary, where rounding could tip it over.
      const at = (k + 0.5) / RATE;
      // Real hashes: the join keys transactions by bits of the hash, which a counter would not vary.
      const txHash = keccak256(toHex(++hash));
      emit(edgeId, mono, at + 0.0001, {
        kind: 'TxSubmitted',
        txHash,
        template: 'simple-transfer',
        estimatedGas: BigInt(GAS),
        gasLimit: BigInt(GAS),
        account,
        nonce: k,
        intendedNs: mono + ns(at),
        sentNs: mono + ns(at + 0.0001),
        valueWei: 1n,
      });
      if (shape.fails(at, k)) {
        emit(edgeId, mono, at + 0.002, { kind: 'TxFailed', txHash, errorClass: 'internal', stage: 'submit', message: 'injected', account, nonce: k });
        continue;
      }
      const accepted = at + shape.acceptanceMs(at) / 1000;
      emit(edgeId, mono, accepted, { kind: 'TxAccepted', txHash, acceptedNs: mono + ns(accepted) });
      const seen = accepted + INCLUSION_AFTER_ACCEPT_MS / 1000;
      emit(edgeId, mono, seen, {
        kind: 'TxIncluded',
        txHash,
        blockNumber: BigInt(100 + Math.floor(seen * 4)),
        seenNs: mono + ns(seen),
        gasUsed: BigInt(GAS),
        gasUsedForL1: undefined,
        effectiveGasPrice: 100_000_000n,
        baseFeePerGas: 100_000_000n,
        success: true,
        from: account,
        to: account,
        nonce: k,
        valueWei: 1n,
      });
    }
    emit(edgeId, mono, LOAD_SECS, { kind: 'PhaseEnded', phaseName: 'steady', sent: LOAD_SECS * RATE, late: 0, dropped: 0 });
  });
  for (const f of shape.faults) {
    const common = { faultName: f.name, faultType: 'rpc-slow', faultTarget: 'sequencer-rpc', adapter: 'proxy', edgeIndexes: '0,1' };
    const payload: EventPayload =
      f.kind === 'FaultInjected'
        ? { kind: 'FaultInjected', ...common, params: f.params ?? '{"delay_ms":200,"error_rate":0.25}' }
        : { kind: 'FaultCleared', ...common, reason: f.reason ?? 'schedule', activeNs: 0n };
    emit(HIVE_SOURCE_ID, HIVE_MONO, f.at, payload);
  }
  // The hive writes its events as they happen, among the edges' batches.
  events.sort((a, b) => Number(a.wallNs - b.wallNs));
  sink.append(events);
  const { files } = await sink.close();
  return { runDir: runDirectory(dataDir, shape.runId), files, events: events.length };
}

function recordOf(runId: string, events: number): RunRecord {
  return {
    schemaVersion: 1,
    runId,
    scenario: { name: 'steady-load', hash: 'f'.repeat(64) },
    gashammer: { version: '0.1.0', build: 'test' },
    target: { kind: 'devnet', chainId: 412_346, rpcUrl: 'http://127.0.0.1:8547' },
    startedAt: '2026-09-21T10:00:00.000Z',
    endedAt: '2026-09-21T10:01:35.000Z',
    durationSecs: 95,
    outcome: { state: 'done', verdict: 'pass', reasons: ['every phase ran to its end'] },
    telemetry: { eventsReceived: events, eventsDropped: 0, batchesReceived: 1, files: [] },
    phases: [],
    edges: EDGE_MONO.map((_, i) => ({
      edgeIndex: i,
      edgeId: `edge-${i}`,
      name: `edge-${i}`,
      outcome: 'finished' as const,
      eventsReceived: 0,
      eventsDropped: 0,
      txSubmitted: LOAD_SECS * RATE,
      txIncluded: 0,
    })),
    notes: [],
  };
}

async function reportOf(run: WrittenRun, runId: string): Promise<RunReportV2> {
  const record = recordOf(runId, run.events);
  return buildReport(record, planOfRun(record, SCENARIO, run.runDir), undefined, await listRunFiles(run.runDir));
}

// ---- the runs -----------------------------------------------------------------------------------

const INJECT = 40.25;
const CLEAR = 54.75;
const FAULT_DELAY_MS = 200;
/** After the clear the round trip takes 4 more seconds to settle (a drained backlog). */
const TAIL_END = 59;
const TAIL_MS = 65;

const inWindow = (at: number): boolean => at >= INJECT && at < CLEAR;
const slowThenSettled = (at: number): number => (inWindow(at) ? BASE_ACCEPT_MS + FAULT_DELAY_MS : at >= CLEAR && at < TAIL_END ? TAIL_MS : BASE_ACCEPT_MS);
const everyFourthInWindow = (at: number, k: number): boolean => inWindow(at) && k % 4 === 0;

let dataDir: string;
let recovered: { run: WrittenRun; analysis: TelemetryAnalysis; report: RunReportV2 };
let quiet: { run: WrittenRun; report: RunReportV2 };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gashammer-faults-'));
  const run = await writeRun(dataDir, {
    runId: 'run-recovered',
    acceptanceMs: slowThenSettled,
    fails: everyFourthInWindow,
    faults: [
      { kind: 'FaultInjected', at: INJECT, name: 'sequencer-slow' },
      { kind: 'FaultCleared', at: CLEAR, name: 'sequencer-slow', reason: 'duration' },
    ],
  });
  recovered = { run, analysis: await analyzeTelemetry(run.files, { phaseCount: 1 }), report: await reportOf(run, 'run-recovered') };
  const calm = await writeRun(dataDir, { runId: 'run-quiet', acceptanceMs: () => BASE_ACCEPT_MS, fails: () => false, faults: [] });
  quiet = { run: calm, report: await reportOf(calm, 'run-quiet') };
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

async function faultsOf(runId: string, shape: Omit<RunShape, 'runId'>): Promise<FaultWindow[]> {
  const run = await writeRun(dataDir, { runId, ...shape });
  const analysis = await analyzeTelemetry(run.files, { phaseCount: 1 });
  return computeFaultWindows(analysis.faultEvents, analysis.seconds);
}

describe('fault windows from real telemetry', () => {
  it('reads the hive’s fault events on the run’s clock, from the hive’s own clocks', () => {
    const events = recovered.analysis.faultEvents;
    expect(events.map((e) => [e.kind, e.name])).toEqual([
      ['FaultInjected', 'sequencer-slow'],
      ['FaultCleared', 'sequencer-slow'],
    ]);
    // Wall-clock ns read as doubles are exact to 256 ns.
    expect(events[0]!.atSecs).toBeCloseTo(INJECT, 6);
    expect(events[1]!.atSecs).toBeCloseTo(CLEAR, 6);
    expect(events[0]).toMatchObject({ type: 'rpc-slow', target: 'sequencer-rpc', adapter: 'proxy', edges: '0,1', params: '{"delay_ms":200,"error_rate":0.25}', reason: undefined });
    expect(events[1]).toMatchObject({ reason: 'duration', params: undefined });
  });

  it('finds the window with its name, type, target, adapter, edges, parameters and times', () => {
    const [w, ...rest] = recovered.report.faults!;
    expect(rest).toEqual([]);
    expect(w).toMatchObject({
      name: 'sequencer-slow',
      type: 'rpc-slow',
      target: 'sequencer-rpc',
      adapter: 'proxy',
      edges: [0, 1],
      params: { delay_ms: 200, error_rate: 0.25 },
      injectedAtSecs: 40.25,
      clearedAtSecs: 54.75,
      clearReason: 'duration',
      notes: [],
    });
  });

  it('gives the before, during and after figures: latency up by the fault’s delay, errors only during it', () => {
    const w = recovered.report.faults![0]!;
    // Before: seconds 10-39, 40 sends a second, every one accepted in 5 ms and included 250 ms later.
    expect(w.before).toEqual({
      seconds: SPAN_SECS,
      txSubmitted: SPAN_SECS * 2 * RATE,
      errors: 0,
      errorRate: 0,
      p50AcceptanceMs: 5,
      p99AcceptanceMs: 5,
      p50InclusionMs: 255,
      p99InclusionMs: 255,
      includedGasPerSec: 2 * RATE * GAS,
    });
    // During: seconds 40-54 (the window overlaps 15); every fourth send from 40.25 s to 54.75 s
    // refused: k = 808, 812, ..., 1092 on each edge, 72 each.
    expect(w.during.seconds).toBe(15);
    expect(w.during.txSubmitted).toBe(15 * 2 * RATE);
    expect(w.during.errors).toBe(144);
    expect(w.during.errorRate).toBeCloseTo(144 / 600, 12);
    expect(w.during.p50AcceptanceMs).toBe(BASE_ACCEPT_MS + FAULT_DELAY_MS);
    expect(w.during.p99AcceptanceMs).toBe(BASE_ACCEPT_MS + FAULT_DELAY_MS);
    expect(w.during.p50InclusionMs).toBe(BASE_ACCEPT_MS + FAULT_DELAY_MS + INCLUSION_AFTER_ACCEPT_MS);
    // After: seconds 55-84; four seconds of the settling tail, the rest as before.
    expect(w.after).toMatchObject({ seconds: SPAN_SECS, txSubmitted: SPAN_SECS * 2 * RATE, errors: 0, errorRate: 0, p99AcceptanceMs: TAIL_MS });
    // A percentile is its histogram bucket's top (within 1.6%) unless that is above the largest value.
    expect(w.after.p50AcceptanceMs! / BASE_ACCEPT_MS - 1).toBeGreaterThanOrEqual(0);
    expect(w.after.p50AcceptanceMs! / BASE_ACCEPT_MS - 1).toBeLessThan(0.016);
    // Included gas: as before, less the few refused sends whose inclusion would have fallen here.
    expect(Math.abs(w.after.includedGasPerSec! / (2 * RATE * GAS) - 1)).toBeLessThan(0.01);
    expect(w.during.includedGasPerSec! / (2 * RATE * GAS)).toBeLessThan(0.8);
  });

  it('times the recovery: from the clear to the first of three seconds back at the before level', () => {
    // Seconds 55-58 still take 65 ms; 59, 60 and 61 are back at 5 ms: 59 - 54.75.
    expect(recovered.report.faults![0]!.recoverySecs).toBe(TAIL_END - CLEAR);
  });

  it('says why there is no recovery when the latency never comes back within the data', async () => {
    const [w] = await faultsOf('run-never', {
      acceptanceMs: (at) => (at >= 30.5 && at < 45.5 ? 205 : at >= 45.5 ? 65 : BASE_ACCEPT_MS),
      fails: () => false,
      faults: [
        { kind: 'FaultInjected', at: 30.5, name: 'stuck' },
        { kind: 'FaultCleared', at: 45.5, name: 'stuck' },
      ],
    });
    expect(w!.clearedAtSecs).toBe(45.5);
    expect(w!.after.p50AcceptanceMs).toBe(65);
    expect(w!.recoverySecs).toBeNull();
    expect(w!.notes).toEqual([expect.stringMatching(/^did not recover within the data: .* never held for 3 seconds in a row in the 45 s after the clear$/)]);
  });

  it('keeps a window that was never cleared open to the end of the data, with no after span and no recovery', async () => {
    const [w] = await faultsOf('run-open', {
      acceptanceMs: (at) => (at >= INJECT ? 205 : BASE_ACCEPT_MS),
      fails: everyFourthInWindow,
      faults: [{ kind: 'FaultInjected', at: INJECT, name: 'crashed-hive' }],
    });
    // The series ends in second 90 (the last inclusion, 90.2 s): seconds 40-90 are the window.
    expect(w).toMatchObject({ clearedAtSecs: null, clearReason: null, recoverySecs: null });
    expect(w!.during.seconds).toBe(51);
    expect(w!.during.errors).toBe(144);
    expect(w!.during.p50AcceptanceMs).toBe(205);
    expect(w!.after).toMatchObject({ seconds: 0, txSubmitted: 0, errors: 0, errorRate: null, p50AcceptanceMs: null, includedGasPerSec: null });
    expect(w!.notes).toEqual([expect.stringContaining('no FaultCleared was recorded')]);
  });

  it('leaves another fault’s seconds out of the before span, and ends the after span at the next inject', async () => {
    const faults = await faultsOf('run-two', {
      acceptanceMs: (at) => ((at >= 20.25 && at < 30.75) || (at >= 45.25 && at < 50.75) ? 205 : BASE_ACCEPT_MS),
      fails: () => false,
      faults: [
        { kind: 'FaultInjected', at: 20.25, name: 'first' },
        { kind: 'FaultCleared', at: 30.75, name: 'first' },
        { kind: 'FaultInjected', at: 45.25, name: 'second' },
        { kind: 'FaultCleared', at: 50.75, name: 'second' },
      ],
    });
    expect(faults.map((f) => f.name)).toEqual(['first', 'second']);
    // first: covers 20-30; after it, 31-44 until 'second' is injected in second 45.
    expect(faults[0]!.after.seconds).toBe(14);
    expect(faults[0]!.recoverySecs).toBe(0.25);
    // second: before is 15-44 without 20-30, so 19 seconds, none of them slow.
    expect(faults[1]!.before.seconds).toBe(19);
    expect(faults[1]!.before.p99AcceptanceMs).toBe(BASE_ACCEPT_MS);
    expect(faults[1]!.after.seconds).toBe(SPAN_SECS);
  });

  it('keeps the hive out of the edges: not in the analysis, the report’s edges or the totals', () => {
    expect([...recovered.analysis.edges.keys()]).toEqual(['edge-0', 'edge-1']);
    const report = recovered.report;
    expect(report.edges.map((e) => e.edgeId)).toEqual(['edge-0', 'edge-1']);
    expect(report.edges.map((e) => e.txSubmitted)).toEqual([LOAD_SECS * RATE, LOAD_SECS * RATE]);
    expect(report.totals.txSubmitted).toBe(2 * LOAD_SECS * RATE);
    expect(report.totals.txFailed).toBe(144);
    // Every event is read, the hive's four included, and none is taken as lost.
    expect(report.telemetry.eventsRead).toBe(recovered.run.events);
    expect(report.telemetry.eventsMissing).toBe(0);
    expect(JSON.stringify(report.edges)).not.toContain(HIVE_SOURCE_ID);
    expect(renderMarkdown(report)).not.toContain(HIVE_SOURCE_ID);
  });

  it('a run without faults has an empty list', () => {
    expect(quiet.report.faults).toEqual([]);
  });
});

describe('faults in report.md and report.html', () => {
  it('report.md has a Faults section with one row per window', () => {
    const md = renderMarkdown(recovered.report);
    const start = md.indexOf('\n## Faults\n');
    expect(start).toBeGreaterThan(md.indexOf('\n## Latency\n'));
    expect(start).toBeLessThan(md.indexOf('\n## Phases\n'));
    const section = md.slice(start, md.indexOf('\n## ', start + 1));
    const [faults] = tables(section);
    expect(cells(faults![0]!)).toEqual([
      'Fault',
      'Type',
      'Adapter',
      'Window (s)',
      'p50 acc. before (ms)',
      'p50 acc. during (ms)',
      'p50 acc. after (ms)',
      'Errors before',
      'Errors during',
      'Errors after',
      'Recovery',
    ]);
    expect(faults!.slice(2).map(cells)).toEqual([['sequencer-slow', 'rpc-slow', 'proxy', '40.3–54.8', '5.00', '205', '5.06', '0%', '24.0%', '0%', '4.3 s']]);
  });

  it('report.html shades the window on the charts over time, named, and has the same table', () => {
    const html = renderHtml(recovered.report);
    for (const id of ['chart-throughput', 'chart-latency', 'chart-errors']) {
      const at = html.indexOf(`id="${id}"`);
      const chart = html.slice(html.lastIndexOf('<svg ', at), html.indexOf('</svg>', at));
      expect(chart, id).toMatch(/<g class="xband"><rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+"><title>sequencer-slow<\/title><\/rect><text [^>]*>sequencer-slow<\/text><\/g>/);
      expect(chart, id).toContain('Shaded: fault windows, sequencer-slow 40.3–54.8 s.');
    }
    expect(html).toContain('<li><a href="#faults">Faults</a></li>');
    expect(html).toContain('<table id="fault-windows">');
    expect(html).toContain('<td>sequencer-slow</td><td>rpc-slow</td><td>proxy</td><td>40.3–54.8</td><td class="num">5.00</td><td class="num">205</td>');
  });

  it('shows nothing about faults for a run without any: no section, no band, no empty table', () => {
    const md = renderMarkdown(quiet.report);
    expect(md).not.toContain('## Faults');
    expect(md).not.toMatch(/fault/i);
    const html = renderHtml(quiet.report);
    expect(html).not.toContain('xband"><rect');
    expect(html).not.toContain('id="faults"');
    expect(html).not.toContain('href="#faults"');
    expect(html).not.toContain('fault-windows');
  });
});

// ---- the rules, on hand-made seconds --------------------------------------------------------------

/** A second with `n` sends and acceptances of `ms`, and `errors` refused. */
function second(n: number, ms: number, errors = 0): SecondFigures {
  const acceptance = new LatencyHistogram(SECOND_HISTOGRAM_BITS);
  const inclusion = new LatencyHistogram(SECOND_HISTOGRAM_BITS);
  for (let i = 0; i < n - errors; i++) {
    acceptance.recordMs(ms);
    inclusion.recordMs(ms + 250);
  }
  return { submittedTx: n, errors, includedGas: (n - errors) * GAS, acceptance, inclusion };
}

function event(kind: FaultEventRow['kind'], atSecs: number, name: string, extra: Partial<FaultEventRow> = {}): FaultEventRow {
  return { kind, atSecs, name, type: 'latency', target: 'sequencer-rpc', adapter: 'netem', edges: '0', params: kind === 'FaultInjected' ? '{}' : undefined, reason: kind === 'FaultCleared' ? 'schedule' : undefined, ...extra };
}

describe('computeFaultWindows', () => {
  const steady = (secs: number, ms = 10): SecondFigures[] => Array.from({ length: secs }, () => second(100, ms));

  it('recovers only after RECOVERY_HOLD_SECS seconds in a row: one good second between bad ones does not count', () => {
    const seconds = steady(60);
    for (const t of [20, 21, 22, 23, 25, 26]) seconds[t] = second(100, 40); // 24 is good, alone
    seconds[27] = second(100, 10.9); // within 10% of 10 ms
    const [w] = computeFaultWindows([event('FaultInjected', 10, 'f'), event('FaultCleared', 20, 'f')], seconds);
    expect(RECOVERY_HOLD_SECS).toBe(3);
    expect(w!.recoverySecs).toBe(7);
  });

  it('counts a p50 within RECOVERY_LATENCY_FLOOR_MS of a low before level as recovered, and one beyond it not', () => {
    expect(RECOVERY_LATENCY_FLOOR_MS).toBe(2);
    const low = steady(60, 3);
    for (let t = 20; t < 60; t++) low[t] = second(100, 4.8); // 60% above 3 ms, but within 2 ms
    const [near] = computeFaultWindows([event('FaultInjected', 10, 'f'), event('FaultCleared', 20, 'f')], low);
    expect(near!.recoverySecs).toBe(0);
    for (let t = 20; t < 60; t++) low[t] = second(100, 5.5); // 2.5 ms above
    const [far] = computeFaultWindows([event('FaultInjected', 10, 'f'), event('FaultCleared', 20, 'f')], low);
    expect(far!.recoverySecs).toBeNull();
  });

  it('holds the error rate to the before level plus one point', () => {
    const seconds = steady(60);
    for (let t = 0; t < 20; t++) seconds[t] = second(100, 10, 2); // 2% before
    seconds[20] = second(100, 10, 4); // 4%: not recovered
    seconds[21] = second(100, 10, 3); // 3%: at the limit, recovered
    seconds[22] = second(100, 10, 3);
    seconds[23] = second(100, 10, 0);
    const [w] = computeFaultWindows([event('FaultInjected', 15, 'f'), event('FaultCleared', 20, 'f')], seconds);
    expect(w!.before.errorRate).toBeCloseTo(0.02, 12);
    expect(w!.recoverySecs).toBe(1);
  });

  it('has no recovery without a before level, and says why', () => {
    const [w] = computeFaultWindows([event('FaultInjected', 0.5, 'early'), event('FaultCleared', 5, 'early')], steady(30));
    expect(w!.before.seconds).toBe(0);
    expect(w!.recoverySecs).toBeNull();
    expect(w!.notes).toEqual(['no recovery figure: there is no before level to recover to (no second of data before the inject outside other faults)']);
  });

  it('says so when the data ends at the clear', () => {
    const [w] = computeFaultWindows([event('FaultInjected', 20, 'late'), event('FaultCleared', 29.5, 'late', { reason: 'run-end' })], steady(30));
    expect(w!.after.seconds).toBe(0);
    expect(w!.recoverySecs).toBeNull();
    expect(w!.notes).toEqual(['did not recover within the data: the data ends at the clear']);
  });

  it('stops the recovery test at another fault, naming it', () => {
    const seconds = steady(60);
    for (let t = 20; t < 60; t++) seconds[t] = second(100, 50);
    const faults = computeFaultWindows(
      [event('FaultInjected', 10, 'a'), event('FaultCleared', 20, 'a'), event('FaultInjected', 30, 'b'), event('FaultCleared', 40, 'b'), event('FaultInjected', 35, 'c')],
      seconds,
    );
    expect(faults.map((f) => f.name)).toEqual(['a', 'b', 'c']);
    expect(faults[0]!.notes).toEqual(["did not recover before fault 'b' was injected at 30 s: the recovery test stops there"]);
    expect(faults[1]!.notes).toEqual(["did not recover while fault 'c' was still in force: the recovery test stops there"]);
  });

  it('pairs a clear with the earliest open inject of its name, and ignores a clear with none', () => {
    const faults = computeFaultWindows(
      [event('FaultCleared', 3, 'x'), event('FaultInjected', 10, 'x'), event('FaultInjected', 12, 'y'), event('FaultCleared', 14, 'x', { reason: 'shutdown' }), event('FaultInjected', 20, 'x'), event('FaultCleared', 22, 'x')],
      steady(40),
    );
    expect(faults.map((f) => [f.name, f.injectedAtSecs, f.clearedAtSecs, f.clearReason])).toEqual([
      ['x', 10, 14, 'shutdown'],
      ['y', 12, null, null],
      ['x', 20, 22, 'schedule'],
    ]);
  });

  it('keeps parameters that are not a JSON object out of params, and says so', () => {
    const [w] = computeFaultWindows([event('FaultInjected', 10, 'f', { params: '[1,2]', edges: '1, 3,' }), event('FaultCleared', 12, 'f')], steady(40));
    expect(w!.params).toEqual({});
    expect(w!.edges).toEqual([1, 3]);
    expect(w!.notes).toContain('its parameters were recorded as [1,2], not a JSON object');
  });
});
