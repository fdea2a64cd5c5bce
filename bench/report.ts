// Benchmark: the full report over 10 million telemetry events in at most 5 s (issue 6). Builds a
// run folder the way the hive leaves one — run.json, scenario.yaml, chain-snapshots.json and
// Parquet written by ParquetSink — holding a coherent synthetic run: 2 edges, five 2-minute
// load steps, every transaction submitted, accepted, included and seen in the feed (4 events),
// balances and nonces that add up, so the oracle checks every transaction for real. Then it
// times computeRunReport (read, join, histograms, series, envelope, oracle, gate) and
// writeReports (JSON, Markdown, HTML), and prints events/s and the process's peak RSS.
//
//   npm run bench:report [-- --events 10000000 --keep]
//   npm run bench:report -- --dir <kept folder>     times the report again over a kept run

import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { keccak256, toHex, type Hex } from 'viem';
import { computeRunReport, writeReports } from '../src/report/report-engine.js';
import { SCENARIO_FILE, RUN_RECORD_FILE, writeSnapshots } from '../src/report/run-files.js';
import type { RunReport as RunRecord } from '../src/report/run-report.js';
import type { EventPayload, TelemetryEvent } from '../src/telemetry/events.js';
import { ParquetSink, runDirectory } from '../src/telemetry/parquet-sink.js';
import { fmt, rssMiB } from './support.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '10000000' }, keep: { type: 'boolean', default: false }, dir: { type: 'string' }, target: { type: 'string', default: '5' } } });
const EVENTS = Number(values.events);
const TARGET_SECS = Number(values.target);
const EDGES = 2;
const ACCOUNTS_PER_EDGE = 500;
const STEPS = [1, 2, 3, 4, 5].map((i) => ({ name: `step-${i}`, secs: 120, gasPerSec: i * 20_000_000 }));
const GAS_PRICE = 100_000_000n;
const START_BALANCE = 10n ** 21n;
const VALUE = 1_000n;

const scenario = `name: report-bench
description: "synthetic run for the report benchmark"
version: "1.0"
target: devnet
workload:
  seed: 1
  templates:
    - name: simple-transfer
      weight: 100
phases:
${STEPS.map((s) => `  - name: ${s.name}\n    duration_secs: ${s.secs}\n    gas_rate_override: { type: sustained, gas_per_sec: ${s.gasPerSec} }`).join('\n')}
oracle:
  invariants: [balance-conservation, nonce-monotonicity, gas-accounting]
edges:
  count: ${EDGES}
  accounts_per_edge: ${ACCOUNTS_PER_EDGE}
gate:
  thresholds:
    - oracle_violations == 0
`;

const reuse = values.dir !== undefined;
const dataDir = values.dir ?? mkdtempSync(join(tmpdir(), 'gashammer-bench-report-'));
const runId = 'bench-report-run';
const runDir = runDirectory(dataDir, runId);
try {
  const t0 = performance.now();
  const written = reuse ? await keptRun() : await writeRun();
  if (!reuse) console.log(`wrote ${fmt(written.events)} events (${fmt(written.txs)} transactions) in ${fmt((performance.now() - t0) / 1000, 1)} s into ${written.files} file(s)`);

  const rssBefore = rssMiB();
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 50);
  const started = performance.now();
  const report = await computeRunReport(runDir);
  const computed = performance.now();
  const paths = await writeReports(runDir, report);
  const done = performance.now();
  clearInterval(sampler);
  peak = Math.max(peak, rssMiB());
  const secs = (done - started) / 1000;
  console.log(`report: computed in ${fmt((computed - started) / 1000, 2)} s, written in ${fmt((done - computed) / 1000, 2)} s: ${fmt(secs, 2)} s for ${fmt(report.telemetry.eventsRead)} events (${fmt(report.telemetry.eventsRead / secs)} events/s)`);
  console.log(`memory: RSS ${fmt(rssBefore)} MiB before, peak ${fmt(peak)} MiB`);
  console.log(
    `figures: ${fmt(report.totals.txIncluded)} included, p99 inclusion ${fmt(report.latency.inclusion.corrected.p99 ?? NaN, 1)} ms, ${report.series.length} seconds of series, ` +
      `oracle ${report.oracle.invariants.map((i) => `${i.name} ${i.status} (${fmt(i.checked)} checked)`).join(', ')}, verdict ${report.gate.verdict}`,
  );
  console.log(`files: ${paths.json}, ${paths.markdown}, ${paths.html}`);
  const ok = secs <= TARGET_SECS && report.telemetry.eventsRead === written.events && report.oracle.passed;
  console.log(`${ok ? 'PASS' : 'FAIL'}: the full report over ${fmt(written.events)} events in ${fmt(secs, 2)} s (target <= ${TARGET_SECS} s, every event read, oracle clean)`);
  process.exitCode = ok ? 0 : 1;
} finally {
  if (values.keep || reuse) console.log(`kept ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
}

/** The event count of a run kept by an earlier --keep, from its run record. */
async function keptRun(): Promise<{ events: number; txs: number; files: number }> {
  const record = JSON.parse(await readFile(join(runDir, RUN_RECORD_FILE), 'utf8')) as RunRecord;
  return { events: record.telemetry.eventsReceived, txs: 0, files: record.telemetry.files.length };
}

/** Writes the synthetic run; its balances and nonces agree with its transactions. */
async function writeRun(): Promise<{ events: number; txs: number; files: number }> {
  const sink = new ParquetSink({ dataDir, runId, rotateBytes: 512 * 1024 * 1024, rotateIntervalMs: 3_600_000 });
  const txs = Math.floor((EVENTS - EDGES * STEPS.length * 2) / 4);
  const totalSecs = STEPS.reduce((s, p) => s + p.secs, 0);
  const accounts: Hex[] = Array.from({ length: EDGES * ACCOUNTS_PER_EDGE }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}` as Hex);
  const nonce = new Array<number>(accounts.length).fill(0);
  const balance = new Array<bigint>(accounts.length).fill(START_BALANCE);
  const wallBase = 1_790_000_000_000_000_000n;
  const monoBase = [5_000_000_000n, 9_000_000_000n];
  const seq = new Array<bigint>(EDGES).fill(0n);
  let events = 0;
  let hashCounter = 0;
  let batch: TelemetryEvent[] = [];
  const emit = (edge: number, phaseIndex: number, monoNs: bigint, payload: EventPayload) => {
    batch.push({ runId, edgeId: `edge-${edge}`, seq: seq[edge]!++, phaseIndex, monoNs, wallNs: wallBase + (monoNs - monoBase[edge]!), ...payload } as TelemetryEvent);
    events++;
    if (batch.length >= 1000) {
      sink.append(batch);
      batch = [];
    }
  };
  const perStep = STEPS.map((s) => s.gasPerSec * s.secs);
  const totalGas = perStep.reduce((a, b) => a + b, 0);
  let stepStartSec = 0;
  let made = 0;
  for (let p = 0; p < STEPS.length; p++) {
    const step = STEPS[p]!;
    const stepTxs = p === STEPS.length - 1 ? txs - made : Math.round((txs * perStep[p]!) / totalGas);
    for (let e = 0; e < EDGES; e++) emit(e, p, monoBase[e]! + BigInt(stepStartSec) * 1_000_000_000n, { kind: 'PhaseStarted', phaseName: step.name, offeredGasPerSec: step.gasPerSec / EDGES });
    const gap = (step.secs * 1e9) / stepTxs;
    // Latency grows with the step, as a chain nearing saturation would show.
    const inclusionMs = 150 + p * p * 60;
    for (let i = 0; i < stepTxs; i++) {
      const edge = i % EDGES;
      const a = edge * ACCOUNTS_PER_EDGE + ((i >> 1) % ACCOUNTS_PER_EDGE);
      const to = (a + 1) % accounts.length;
      const intended = monoBase[edge]! + BigInt(Math.round(stepStartSec * 1e9 + i * gap));
      const sent = intended + 200_000n;
      const hash = keccak256(toHex(++hashCounter));
      const n = nonce[a]!++;
      balance[a] = balance[a]! - VALUE - 21_000n * GAS_PRICE;
      balance[to] = balance[to]! + VALUE;
      emit(edge, p, sent, { kind: 'TxSubmitted', txHash: hash, template: 'simple-transfer', estimatedGas: 21_000n, gasLimit: 21_000n, account: accounts[a]!, nonce: n, intendedNs: intended, sentNs: sent, valueWei: VALUE });
      emit(edge, p, sent + 2_000_000n, { kind: 'TxAccepted', txHash: hash, acceptedNs: sent + 2_000_000n });
      const seen = sent + BigInt(inclusionMs + (i % 50)) * 1_000_000n;
      emit(edge, p, seen, {
        kind: 'TxIncluded',
        txHash: hash,
        blockNumber: 1_000n + seen / 250_000_000n,
        seenNs: seen,
        gasUsed: 21_000n,
        gasUsedForL1: undefined,
        effectiveGasPrice: GAS_PRICE,
        baseFeePerGas: GAS_PRICE,
        success: true,
        from: accounts[a]!,
        to: accounts[to]!,
        nonce: n,
        valueWei: VALUE,
      });
      emit(edge, p, seen + 30_000_000n, { kind: 'TxFeedSeen', txHash: hash, sequenceNumber: i, seenNs: seen + 30_000_000n });
    }
    made += stepTxs;
    stepStartSec += step.secs;
    for (let e = 0; e < EDGES; e++) emit(e, p, monoBase[e]! + BigInt(stepStartSec) * 1_000_000_000n, { kind: 'PhaseEnded', phaseName: step.name, sent: Math.ceil(stepTxs / EDGES), late: 0, dropped: 0 });
  }
  if (batch.length > 0) sink.append(batch);
  const closed = await sink.close();

  const lower = accounts.map((a) => a.toLowerCase());
  const snapshot = (bal: bigint[], non: number[], block: bigint) => ({ blockNumber: block, accounts: new Map(lower.map((a, i) => [a, { balance: bal[i]!, nonce: non[i]! }])) });
  await writeSnapshots(runDir, {
    accounts: lower,
    start: snapshot(new Array<bigint>(accounts.length).fill(START_BALANCE), new Array<number>(accounts.length).fill(0), 1_000n),
    end: snapshot(balance, nonce, 1_000n + BigInt(totalSecs) * 4n + 100n),
    problems: [],
  });
  await writeFile(join(runDir, SCENARIO_FILE), scenario);
  const started = new Date(Number(wallBase / 1_000_000n));
  const record: RunRecord = {
    schemaVersion: 1,
    runId,
    scenario: { name: 'report-bench', hash: '0'.repeat(64) },
    gashammer: { version: 'bench', build: 'bench' },
    target: { kind: 'devnet', chainId: 412_346, rpcUrl: 'http://127.0.0.1:8547' },
    startedAt: started.toISOString(),
    endedAt: new Date(started.getTime() + totalSecs * 1000).toISOString(),
    durationSecs: totalSecs,
    outcome: { state: 'done', verdict: 'pass', reasons: [] },
    telemetry: { eventsReceived: events, eventsDropped: 0, batchesReceived: Math.ceil(events / 1000), files: closed.files.map((f) => f.slice(runDir.length + 1)) },
    phases: [],
    edges: Array.from({ length: EDGES }, (_, e) => ({ edgeIndex: e, edgeId: `edge-${e}`, name: `edge-${e}`, outcome: 'finished' as const, eventsReceived: Number(seq[e]!), eventsRecorded: Number(seq[e]!), eventsDropped: 0, txSubmitted: 0, txIncluded: 0 })),
    notes: [],
  };
  await writeFile(join(runDir, RUN_RECORD_FILE), JSON.stringify(record));
  return { events, txs, files: closed.files.length };
}
