// The run orchestrator driven end to end on fake time: scripted fake edges answer the control
// messages they receive (assign -> accounts, funded -> ready, startPhase -> phaseDone at the
// phase's end, stop/abort -> finished) through onReport, and the tests check the states the run
// goes through, the messages each edge got and in which order, the barrier, stale and lost
// edges, preflight failures, cancellation, telemetry intake and the report.

import type { Address } from 'viem';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ControlChannel } from '../../src/hive/grpc-server.js';
import { RunOrchestrator, type OrchestratorOptions, type TelemetryStore } from '../../src/hive/orchestrator.js';
import { describeState } from '../../src/hive/run-state.js';
import type { ControlMessage, EdgeReport } from '../../src/proto/gashammer/v1/hive_edge.js';
import type { TelemetryBatch } from '../../src/proto/gashammer/v1/telemetry.js';
import type { Target } from '../../src/proto/gashammer/v1/types.js';
import type { RunReport } from '../../src/report/run-report.js';
import { compileScenario, type RunPlan } from '../../src/scenario/compile.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import type { TelemetryEvent } from '../../src/telemetry/events.js';
import { UnknownEventKindError, toWireEvent } from '../../src/telemetry/wire.js';
import { sendLate, txAccepted, txFailed, txIncluded, txSubmitted, txTimeout, type Where } from './telemetry-fixtures.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const RUN_ID = 'run-42';
const LEAD = 500;
const PREFLIGHT = 10_000;
const BARRIER = 5_000;
const DRAIN = 3_000;

const SCENARIO = `name: orchestrator-test
description: three short phases on the devnet
version: "1.0"
target: devnet
workload:
  seed: 7
  gas_rate:
    type: sustained
    gas_per_sec: 1_000_000
  templates:
    - name: simple-transfer
      weight: 1
phases:
  - name: warmup
    duration_secs: 2
  - name: steady
    duration_secs: 3
  - name: cooldown
    duration_secs: 1
`;

const TARGET: Target = {
  rpcUrl: 'http://127.0.0.1:1',
  wsUrl: '',
  feedUrl: '',
  chainId: 412346n,
  contracts: {
    token: `0x${'01'.repeat(20)}`,
    storageWriter: `0x${'02'.repeat(20)}`,
    gasBurner: `0x${'03'.repeat(20)}`,
    counter: `0x${'04'.repeat(20)}`,
    reverter: `0x${'05'.repeat(20)}`,
    contentionTarget: `0x${'06'.repeat(20)}`,
    eventEmitter: `0x${'07'.repeat(20)}`,
  },
};

function planFor(edges: number): RunPlan {
  const loaded = loadScenarioText(SCENARIO);
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join('; '));
  return compileScenario(loaded.scenario, { edges });
}

const LETTERS = ['a', 'b', 'c', 'd'];
const idOf = (i: number) => `id-${LETTERS[i]}`;
const nameOf = (i: number) => `edge-${LETTERS[i]}`;
/** Two load accounts per edge. */
const accountsOf = (i: number): Address[] => [1, 2].map((k) => `0x${(i * 16 + k).toString(16).padStart(40, '0')}` as Address);

/** How a fake edge answers; the defaults make a well-behaved edge. */
interface EdgeScript {
  readonly onAssign?: 'accounts' | 'fail' | 'silent';
  readonly onFunded?: 'ready' | 'silent';
  /** Never reports phases from this index on done. */
  readonly silentFromPhase?: number;
  /** How long after a phase's end the edge reports it done (default 10 ms × its index). */
  readonly lateByMs?: number;
  readonly onStop?: 'finished' | 'silent';
  readonly onAbort?: 'finished' | 'silent';
  /** Delay between stop/abort and finished (default 100 ms). */
  readonly finishDelayMs?: number;
  readonly finished?: { readonly recorded: number; readonly shipped: number; readonly dropped: number };
}

interface Entry {
  readonly at: number;
  readonly edge: string;
  readonly dir: 'sent' | 'report';
  readonly what: string;
}

function describeMessage(m: ControlMessage): string {
  const c = m.command;
  if (!c) return 'empty';
  return c.$case === 'startPhase' ? `startPhase:${c.value.phaseIndex}` : c.$case;
}

function describeReport(r: EdgeReport): string {
  const c = r.report;
  if (!c) return 'empty';
  return c.$case === 'phaseDone' ? `phaseDone:${c.value.phaseIndex}` : c.$case;
}

class MemoryStore implements TelemetryStore {
  readonly events: TelemetryEvent[] = [];
  appendCalls = 0;
  closeCalls = 0;
  failure: Error | undefined;
  closeFailure: Error | undefined;

  append(events: readonly TelemetryEvent[]): void {
    this.appendCalls++;
    if (this.failure) throw this.failure;
    this.events.push(...events);
  }

  close(): Promise<{ readonly files: readonly string[]; readonly rows: number }> {
    this.closeCalls++;
    if (this.closeFailure) return Promise.reject(this.closeFailure);
    return Promise.resolve({ files: ['part-00000.parquet'], rows: this.events.length });
  }
}

class Harness {
  readonly plan: RunPlan;
  readonly log: Entry[] = [];
  readonly messages = new Map<string, ControlMessage[]>();
  readonly store = new MemoryStore();
  readonly fund = vi.fn((_addresses: readonly Address[]) => Promise.resolve());
  readonly staleCalls: [string, string][] = [];
  readonly logLines: string[] = [];
  readonly closedChannels: string[] = [];
  readonly orch: RunOrchestrator;
  private outcome: { report: RunReport } | { error: unknown } | undefined;
  private running: Promise<RunReport> | undefined;

  constructor(
    readonly scripts: readonly EdgeScript[],
    options: Partial<OrchestratorOptions> = {},
  ) {
    this.plan = planFor(scripts.length);
    const edges = scripts.map((script, i) => ({ edgeId: idOf(i), name: nameOf(i), channel: this.channel(i, script) }));
    this.orch = new RunOrchestrator({
      runId: RUN_ID,
      plan: this.plan,
      scenarioSource: SCENARIO,
      target: TARGET,
      targetKind: 'devnet',
      fund: (addresses) => this.fund(addresses),
      edges,
      store: this.store,
      preflightTimeoutMs: PREFLIGHT,
      barrierTimeoutMs: BARRIER,
      drainTimeoutMs: DRAIN,
      startLeadMs: LEAD,
      onEdgeStale: (edgeId, reason) => this.staleCalls.push([edgeId, reason]),
      log: (level, message) => this.logLines.push(`${level}: ${message}`),
      now: () => Date.now(),
      ...options,
    });
  }

  start(): this {
    this.running = this.orch.run();
    this.running.then(
      (report) => (this.outcome = { report }),
      (error: unknown) => (this.outcome = { error }),
    );
    return this;
  }

  /** Runs fake time until nothing is left to do; the run must have ended by then. */
  async finish(): Promise<RunReport> {
    await vi.runAllTimersAsync();
    if (!this.outcome) throw new Error(`the run did not end; it is ${describeState(this.orch.machine.state)}`);
    if ('error' in this.outcome) throw this.outcome.error;
    return this.outcome.report;
  }

  get ended(): boolean {
    return this.outcome !== undefined;
  }

  /** Advances fake time timer by timer until `condition` holds. */
  async until(condition: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 10_000; i++) {
      // Settle everything due now (timers and the promise chains they start) before looking.
      await vi.advanceTimersByTimeAsync(0);
      if (condition()) return;
      await vi.advanceTimersToNextTimerAsync();
    }
    throw new Error(`never happened: ${what}`);
  }

  /** Advances fake time to exactly T0 + `ms`. */
  async advanceTo(ms: number): Promise<void> {
    const left = T0 + ms - Date.now();
    if (left < 0) throw new Error(`already at ${Date.now() - T0} ms, past ${ms} ms`);
    await vi.advanceTimersByTimeAsync(left);
  }

  /** Until every live edge in `edges` was sent `what`. */
  async untilSent(what: string, edges: readonly number[] = this.scripts.map((_, i) => i)): Promise<void> {
    await this.until(() => edges.every((i) => this.sent(i).includes(what)), `${what} sent to ${edges.map(nameOf).join(', ')}`);
  }

  sent(i: number): string[] {
    return this.log.filter((e) => e.dir === 'sent' && e.edge === idOf(i)).map((e) => e.what);
  }

  messagesTo(i: number): ControlMessage[] {
    return this.messages.get(idOf(i)) ?? [];
  }

  /** The history as [ms since T0, state] pairs. */
  history(): [number, string][] {
    return this.orch.machine.history.map((c) => [c.atMs - T0, describeState(c.state)]);
  }

  report(edgeId: string, report: EdgeReport): void {
    this.log.push({ at: Date.now(), edge: edgeId, dir: 'report', what: describeReport(report) });
    this.orch.onReport(edgeId, report);
  }

  /** Reports after `delayMs` of fake time; at once (a microtask, not a timer) when it is 0. */
  private later(delayMs: number, edgeId: string, report: EdgeReport): void {
    // A 0 ms timer set inside a fake-timer tick fires 1 ms later (as in Node), which would skew
    // the exact timings the tests check.
    if (delayMs <= 0) void Promise.resolve().then(() => this.report(edgeId, report));
    else setTimeout(() => this.report(edgeId, report), delayMs);
  }

  private channel(i: number, script: EdgeScript): ControlChannel {
    const edgeId = idOf(i);
    this.messages.set(edgeId, []);
    return {
      send: (message) => {
        this.messages.get(edgeId)!.push(message);
        this.log.push({ at: Date.now(), edge: edgeId, dir: 'sent', what: describeMessage(message) });
        this.react(i, script, message);
      },
      close: () => this.closedChannels.push(edgeId),
    };
  }

  private react(i: number, script: EdgeScript, message: ControlMessage): void {
    const edgeId = idOf(i);
    const runId = { value: RUN_ID };
    const c = message.command;
    if (!c) return;
    switch (c.$case) {
      case 'assign':
        if (script.onAssign === 'silent') return;
        if (script.onAssign === 'fail') return this.later(0, edgeId, { report: { $case: 'failed', value: { runId, code: 'GH-E1299', message: 'cannot derive accounts' } } });
        return this.later(0, edgeId, { report: { $case: 'accounts', value: { runId, addresses: accountsOf(i) } } });
      case 'funded':
        if (script.onFunded === 'silent') return;
        return this.later(0, edgeId, { report: { $case: 'ready', value: { runId, accounts: 2 } } });
      case 'startPhase': {
        const index = c.value.phaseIndex;
        if (script.silentFromPhase !== undefined && index >= script.silentFromPhase) return;
        const endMs = Number(c.value.startAtUnixNs / 1_000_000n) + this.plan.phases[index]!.durationSecs * 1000;
        return this.later(endMs + (script.lateByMs ?? 10 * i) - Date.now(), edgeId, { report: { $case: 'phaseDone', value: { runId, phaseIndex: index, sent: 10, late: 0, dropped: 0 } } });
      }
      case 'stop':
      case 'abort': {
        if ((c.$case === 'stop' ? script.onStop : script.onAbort) === 'silent') return;
        const f = script.finished ?? { recorded: 0, shipped: 0, dropped: 0 };
        return this.later(script.finishDelayMs ?? 100, edgeId, {
          report: { $case: 'finished', value: { runId, eventsRecorded: BigInt(f.recorded), eventsShipped: BigInt(f.shipped), eventsDropped: BigInt(f.dropped) } },
        });
      }
      default:
        return;
    }
  }
}

/** A batch of `events` (their run and edge ids are not sent: the batch header carries them). */
function batch(edgeId: string, batchSeq: bigint, events: readonly TelemetryEvent[], droppedTotal = 0n): TelemetryBatch {
  return { runId: RUN_ID, edgeId, batchSeq, events: events.map(toWireEvent), droppedTotal };
}

/** Events as an edge records them; runId and edgeId here are deliberately wrong. */
function recorded(seq: number, phaseIndex = 0): Where {
  return { runId: 'not-sent', edgeId: 'not-sent', seq: BigInt(seq), phaseIndex };
}

function stamped(events: readonly TelemetryEvent[], edgeId: string): TelemetryEvent[] {
  return events.map((e) => ({ ...e, runId: RUN_ID, edgeId }));
}

const FULL_RUN_HISTORY: [number, string][] = [
  [0, 'preflight'],
  [0, 'barrier(phase 0)'],
  [0, 'running(phase 0)'],
  // phase 0: starts at 500, ends at 2500, edges report at +0, +10, +20
  [2520, 'barrier(phase 1)'],
  [2520, 'running(phase 1)'],
  // phase 1: starts at 3020, ends at 6020
  [6040, 'barrier(phase 2)'],
  [6040, 'running(phase 2)'],
  // phase 2: starts at 6540, ends at 7540
  [7560, 'completing'],
  // edges report finished 100 ms after stop
  [7660, 'done(pass)'],
];

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('RunOrchestrator: a full run', () => {
  it('goes preflight -> barrier -> running -> ... -> completing -> done(pass) with the exact history', async () => {
    const h = new Harness([{}, {}, {}]).start();
    const report = await h.finish();
    expect(h.history()).toEqual(FULL_RUN_HISTORY);
    expect(h.orch.machine.state).toEqual({ name: 'done', verdict: 'pass' });
    for (let i = 0; i < 3; i++) expect(h.sent(i), nameOf(i)).toEqual(['assign', 'funded', 'startPhase:0', 'startPhase:1', 'startPhase:2', 'stop']);
    expect(h.staleCalls).toEqual([]);
    expect(h.closedChannels).toEqual([]);
    expect(report.outcome).toEqual({ state: 'done', verdict: 'pass', reasons: [] });
    expect(report.notes).toEqual([]);
    expect(report.runId).toBe(RUN_ID);
    expect(report.scenario).toEqual({ name: 'orchestrator-test', hash: h.plan.scenarioHash });
    expect(report.target).toEqual({ kind: 'devnet', chainId: 412346, rpcUrl: 'http://127.0.0.1:1' });
    expect(report.startedAt).toBe(new Date(T0).toISOString());
    expect(report.endedAt).toBe(new Date(T0 + 7660).toISOString());
    expect(report.durationSecs).toBe(7.66);
    expect(report.edges.map((e) => [e.edgeIndex, e.edgeId, e.name, e.outcome])).toEqual([
      [0, 'id-a', 'edge-a', 'finished'],
      [1, 'id-b', 'edge-b', 'finished'],
      [2, 'id-c', 'edge-c', 'finished'],
    ]);
    expect(report.phases.map((p) => [p.index, p.name, p.durationSecs])).toEqual([
      [0, 'warmup', 2],
      [1, 'steady', 3],
      [2, 'cooldown', 1],
    ]);
    expect(report.telemetry).toEqual({ eventsReceived: 0, eventsDropped: 0, batchesReceived: 0, files: ['part-00000.parquet'] });
    expect(h.store.closeCalls).toBe(1);
    expect(h.orch.getReport()).toBe(report);
    expect(h.orch.view()).toMatchObject({ state: { name: 'done', verdict: 'pass' }, phase: undefined, endedAt: new Date(T0 + 7660).toISOString() });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('has no report before the run ends', async () => {
    const h = new Harness([{}]).start();
    expect(h.orch.getReport()).toBeUndefined();
    await h.untilSent('startPhase:0');
    expect(h.orch.getReport()).toBeUndefined();
    await h.finish();
    expect(h.orch.getReport()).toBeDefined();
  });

  it('assigns each edge its index, the scenario, the target and the phases', async () => {
    const h = new Harness([{}, {}]).start();
    await h.untilSent('assign');
    for (const i of [0, 1]) {
      expect(h.messagesTo(i)[0]).toEqual({
        command: {
          $case: 'assign',
          value: {
            runId: { value: RUN_ID },
            edgeIndex: i,
            edgeCount: 2,
            scenarioSource: SCENARIO,
            scenarioHash: h.plan.scenarioHash,
            target: TARGET,
            phases: [
              { index: 0, name: 'warmup', durationSecs: 2, meanGasPerSec: 1_000_000 },
              { index: 1, name: 'steady', durationSecs: 3, meanGasPerSec: 1_000_000 },
              { index: 2, name: 'cooldown', durationSecs: 1, meanGasPerSec: 1_000_000 },
            ],
            drainTimeoutMs: DRAIN,
          },
        },
      });
    }
    await h.finish();
    for (const i of [0, 1]) {
      const rest = h.messagesTo(i).slice(1);
      expect(rest.map((m) => m.command?.value.runId)).toEqual(rest.map(() => ({ value: RUN_ID })));
    }
  });

  it('funds all edges’ accounts once, after every edge named them, and says funded only after funding settled', async () => {
    let settle: () => void = () => {};
    const h = new Harness([{}, {}, {}]);
    h.fund.mockImplementation(() => new Promise<void>((resolve) => (settle = resolve)));
    h.start();
    await h.until(() => h.fund.mock.calls.length > 0, 'fund called');
    expect(h.fund).toHaveBeenCalledTimes(1);
    expect(h.fund).toHaveBeenCalledWith([...accountsOf(0), ...accountsOf(1), ...accountsOf(2)]);
    // Every edge had reported its accounts before funding started.
    expect(h.log.filter((e) => e.dir === 'report').map((e) => `${e.edge}:${e.what}`)).toEqual(['id-a:accounts', 'id-b:accounts', 'id-c:accounts']);
    await vi.advanceTimersByTimeAsync(5_000);
    for (let i = 0; i < 3; i++) expect(h.sent(i)).toEqual(['assign']);
    expect(h.orch.machine.state.name).toBe('preflight');
    settle();
    await h.untilSent('funded');
    await h.finish();
    expect(h.fund).toHaveBeenCalledTimes(1);
    expect(h.orch.machine.state).toEqual({ name: 'done', verdict: 'pass' });
  });

  it('waits for an edge that names its accounts late, within the preflight timeout', async () => {
    const h = new Harness([{}, { onAssign: 'silent' }]).start();
    await h.advanceTo(PREFLIGHT - 1);
    expect(h.fund).not.toHaveBeenCalled();
    h.report('id-b', { report: { $case: 'accounts', value: { runId: { value: RUN_ID }, addresses: accountsOf(1) } } });
    await h.untilSent('funded');
    expect(h.fund).toHaveBeenCalledWith([...accountsOf(0), ...accountsOf(1)]);
    const report = await h.finish();
    expect(report.outcome).toEqual({ state: 'done', verdict: 'pass', reasons: [] });
  });

  it('releases no barrier before every edge reported the previous phase done', async () => {
    // Edges finish their phases in a different order each time and up to 4 s late.
    const h = new Harness([{ lateByMs: 4_000 }, { lateByMs: 0 }, { lateByMs: 1_500 }]).start();
    await h.finish();
    expect(h.orch.machine.state).toEqual({ name: 'done', verdict: 'pass' });
    for (let phase = 1; phase < 3; phase++) {
      const firstStart = h.log.findIndex((e) => e.dir === 'sent' && e.what === `startPhase:${phase}`);
      expect(firstStart).toBeGreaterThan(0);
      for (let i = 0; i < 3; i++) {
        const done = h.log.findIndex((e) => e.dir === 'report' && e.edge === idOf(i) && e.what === `phaseDone:${phase - 1}`);
        expect(done, `${nameOf(i)} phaseDone:${phase - 1}`).toBeGreaterThanOrEqual(0);
        expect(done, `${nameOf(i)} phaseDone:${phase - 1} before startPhase:${phase}`).toBeLessThan(firstStart);
      }
      // Released as soon as the slowest edge reported: the lateness of edge a.
      expect(h.log[firstStart]!.at - T0).toBe(phase === 1 ? 500 + 2000 + 4000 : 6500 + 500 + 3000 + 4000);
    }
    // stop likewise only after every edge finished the last phase.
    const firstStop = h.log.findIndex((e) => e.what === 'stop');
    for (let i = 0; i < 3; i++) expect(h.log.findIndex((e) => e.edge === idOf(i) && e.what === 'phaseDone:2')).toBeLessThan(firstStop);
  });

  it('gives every edge the same start instant, startLeadMs after the barrier is released', async () => {
    const h = new Harness([{}, {}, {}]).start();
    await h.finish();
    const starts = [0, 1, 2].map((i) => h.messagesTo(i).flatMap((m) => (m.command?.$case === 'startPhase' ? [m.command.value] : [])));
    for (const phase of [0, 1, 2]) {
      const released = h.log.find((e) => e.what === `startPhase:${phase}`)!.at;
      const instants = starts.map((s) => s[phase]!.startAtUnixNs);
      expect(new Set(instants).size).toBe(1);
      expect(instants[0]).toBe(BigInt(released + LEAD) * 1_000_000n);
      expect(starts.map((s) => s[phase]!.phaseIndex)).toEqual([phase, phase, phase]);
    }
  });

  it('starts phases 250 ms after the barrier when no startLeadMs is given', async () => {
    const h = new Harness([{}], { startLeadMs: undefined }).start();
    await h.untilSent('startPhase:0');
    const start = h.messagesTo(0).find((m) => m.command?.$case === 'startPhase');
    expect(start?.command?.$case === 'startPhase' && start.command.value.startAtUnixNs).toBe(BigInt(T0 + 250) * 1_000_000n);
    await h.finish();
  });

  it('does not mark an edge stale that reports a phase done 1 ms before the barrier timeout', async () => {
    const h = new Harness([{}, { lateByMs: BARRIER - 1 }]).start();
    const report = await h.finish();
    expect(h.staleCalls).toEqual([]);
    expect(report.outcome).toEqual({ state: 'done', verdict: 'pass', reasons: [] });
  });

  it('ignores reports from edges it does not know and reports without a body', async () => {
    const h = new Harness([{}]).start();
    await h.untilSent('startPhase:0');
    h.orch.onReport('stranger', { report: { $case: 'failed', value: { runId: { value: RUN_ID }, code: 'X', message: 'y' } } });
    h.orch.onReport('id-a', { report: undefined });
    h.orch.onEdgeLost('stranger', 'gone');
    const report = await h.finish();
    expect(report.outcome).toEqual({ state: 'done', verdict: 'pass', reasons: [] });
    expect(report.edges).toHaveLength(1);
  });
});

describe('RunOrchestrator: edges that miss a barrier, fail or are lost', () => {
  it('marks an edge that never reports a phase done stale at exactly start + duration + barrierTimeout, and goes on without it', async () => {
    const h = new Harness([{}, {}, { silentFromPhase: 1 }]).start();
    await h.untilSent('startPhase:1');
    const start = h.messagesTo(2).find((m) => m.command?.$case === 'startPhase' && m.command.value.phaseIndex === 1)!;
    const startAtMs = Number((start.command as { value: { startAtUnixNs: bigint } }).value.startAtUnixNs / 1_000_000n);
    const deadline = startAtMs + 3_000 + BARRIER;
    expect(deadline - T0).toBe(11_020);

    await h.advanceTo(deadline - T0 - 1);
    expect(h.staleCalls).toEqual([]);
    expect(h.orch.machine.state).toEqual({ name: 'running', phaseIndex: 1 });
    for (let i = 0; i < 3; i++) expect(h.sent(i)).not.toContain('startPhase:2');
    expect(h.orch.view().edges.map((e) => [e.name, e.state, e.lastPhaseDone])).toEqual([
      ['edge-a', 'phase-done', 1],
      ['edge-b', 'phase-done', 1],
      ['edge-c', 'running', 0],
    ]);

    await vi.advanceTimersByTimeAsync(1);
    const reason = 'missed the barrier after phase 1 (steady)';
    expect(h.staleCalls).toEqual([['id-c', reason]]);
    expect(h.sent(0).at(-1)).toBe('startPhase:2');
    expect(h.log.find((e) => e.what === 'startPhase:2')!.at).toBe(deadline);

    const report = await h.finish();
    expect(h.history()).toEqual([
      [0, 'preflight'],
      [0, 'barrier(phase 0)'],
      [0, 'running(phase 0)'],
      [2520, 'barrier(phase 1)'],
      [2520, 'running(phase 1)'],
      [11_020, `recovering(phase 1: edge edge-c: ${reason})`],
      [11_020, 'running(phase 1)'],
      [11_020, 'barrier(phase 2)'],
      [11_020, 'running(phase 2)'],
      // phase 2 starts at 11 520 and ends at 12 520; edge b reports 10 ms later
      [12_530, 'completing'],
      [12_630, 'done(inconclusive)'],
    ]);
    expect(h.sent(2)).toEqual(['assign', 'funded', 'startPhase:0', 'startPhase:1']); // no phase 2, no stop
    expect(h.sent(0)).toEqual(['assign', 'funded', 'startPhase:0', 'startPhase:1', 'startPhase:2', 'stop']);
    expect(report.outcome).toEqual({ state: 'done', verdict: 'inconclusive', reasons: [`edge edge-c stale: ${reason}`] });
    expect(report.edges.map((e) => [e.name, e.outcome, e.reason])).toEqual([
      ['edge-a', 'finished', undefined],
      ['edge-b', 'finished', undefined],
      ['edge-c', 'stale', reason],
    ]);
    expect(report.notes).toEqual([`edge edge-c (#2) stale: ${reason}`]);
    expect(h.logLines).toContain(`warn: run ${RUN_ID}: edge edge-c is stale: ${reason}`);
  });

  it('marks every edge that missed the barrier stale, and aborts when that was all of them', async () => {
    const h = new Harness([{ silentFromPhase: 0 }, { silentFromPhase: 0 }]).start();
    const report = await h.finish();
    const reason = 'missed the barrier after phase 0 (warmup)';
    expect(h.staleCalls).toEqual([
      ['id-a', reason],
      ['id-b', reason],
    ]);
    const deadline = LEAD + 2_000 + BARRIER;
    expect(h.history()).toEqual([
      [0, 'preflight'],
      [0, 'barrier(phase 0)'],
      [0, 'running(phase 0)'],
      [deadline, `recovering(phase 0: edge edge-a: ${reason})`],
      [deadline, 'running(phase 0)'],
      [deadline, `recovering(phase 0: edge edge-b: ${reason})`],
      [deadline, 'aborted(every edge was lost by the end of phase 0 (warmup))'],
    ]);
    expect(report.outcome).toEqual({ state: 'aborted', reason: 'every edge was lost by the end of phase 0 (warmup)' });
  });

  it('onEdgeLost mid-phase: recovering, then running again without the edge', async () => {
    const h = new Harness([{}, {}, {}]).start();
    await h.untilSent('startPhase:1');
    await h.advanceTo(3_520);
    h.orch.onEdgeLost('id-b', 'control stream closed');
    expect(h.staleCalls).toEqual([['id-b', 'control stream closed']]);
    expect(h.orch.machine.state).toEqual({ name: 'running', phaseIndex: 1 });
    expect(h.history().slice(-2)).toEqual([
      [3_520, 'recovering(phase 1: edge edge-b: control stream closed)'],
      [3_520, 'running(phase 1)'],
    ]);
    // Lost again (a second signal for the same edge) changes nothing.
    h.orch.onEdgeLost('id-b', 'heartbeats stopped');
    expect(h.staleCalls).toHaveLength(1);

    const report = await h.finish();
    // Edge b's own phaseDone for phase 1 (its timer still fires at 6030) is ignored.
    expect(h.log.some((e) => e.edge === 'id-b' && e.what === 'phaseDone:1')).toBe(true);
    expect(h.orch.view().edges[1]).toMatchObject({ state: 'stale', reason: 'control stream closed', lastPhaseDone: 0 });
    expect(h.history()).toEqual([
      [0, 'preflight'],
      [0, 'barrier(phase 0)'],
      [0, 'running(phase 0)'],
      [2520, 'barrier(phase 1)'],
      [2520, 'running(phase 1)'],
      [3520, 'recovering(phase 1: edge edge-b: control stream closed)'],
      [3520, 'running(phase 1)'],
      [6040, 'barrier(phase 2)'],
      [6040, 'running(phase 2)'],
      [7560, 'completing'],
      [7660, 'done(inconclusive)'],
    ]);
    expect(h.sent(1)).toEqual(['assign', 'funded', 'startPhase:0', 'startPhase:1']);
    expect(report.outcome).toEqual({ state: 'done', verdict: 'inconclusive', reasons: ['edge edge-b stale: control stream closed'] });
    expect(report.notes).toEqual(['edge edge-b (#1) stale: control stream closed']);
  });

  it('an edge that reports failed mid-phase leaves the run the same way', async () => {
    const h = new Harness([{}, {}]).start();
    await h.untilSent('startPhase:0');
    await h.advanceTo(1_000);
    h.report('id-a', { report: { $case: 'failed', value: { runId: { value: RUN_ID }, code: 'GH-E1401', message: 'nonce gap' } } });
    expect(h.history().slice(-2)).toEqual([
      [1_000, 'recovering(phase 0: edge edge-a: GH-E1401: nonce gap)'],
      [1_000, 'running(phase 0)'],
    ]);
    expect(h.staleCalls).toEqual([]); // failed, not stale
    const report = await h.finish();
    expect(h.sent(0)).toEqual(['assign', 'funded', 'startPhase:0']);
    expect(report.outcome).toEqual({ state: 'done', verdict: 'inconclusive', reasons: ['edge edge-a failed: GH-E1401: nonce gap'] });
    expect(report.edges[0]).toMatchObject({ outcome: 'failed', reason: 'GH-E1401: nonce gap' });
    expect(report.notes).toEqual(['edge edge-a (#0) failed: GH-E1401: nonce gap']);
  });

  it('aborts when every edge is lost', async () => {
    const h = new Harness([{}, {}, {}]).start();
    await h.untilSent('startPhase:0');
    await h.advanceTo(1_000);
    for (const id of ['id-a', 'id-b', 'id-c']) h.orch.onEdgeLost(id, 'killed');
    const report = await h.finish();
    const reason = 'every edge was lost by the end of phase 0 (warmup)';
    expect(h.history()).toEqual([
      [0, 'preflight'],
      [0, 'barrier(phase 0)'],
      [0, 'running(phase 0)'],
      [1_000, 'recovering(phase 0: edge edge-a: killed)'],
      [1_000, 'running(phase 0)'],
      [1_000, 'recovering(phase 0: edge edge-b: killed)'],
      [1_000, 'running(phase 0)'],
      [1_000, 'recovering(phase 0: edge edge-c: killed)'],
      [1_000, `aborted(${reason})`],
    ]);
    expect(h.staleCalls.map(([id]) => id)).toEqual(['id-a', 'id-b', 'id-c']);
    for (let i = 0; i < 3; i++) expect(h.sent(i)).toEqual(['assign', 'funded', 'startPhase:0']); // nobody left to abort
    expect(report.outcome).toEqual({ state: 'aborted', reason });
    expect(report.endedAt).toBe(new Date(T0 + 1_000).toISOString());
    expect(report.edges.map((e) => e.outcome)).toEqual(['stale', 'stale', 'stale']);
    expect(h.store.closeCalls).toBe(1);
  });

  it('marks edges that do not finish draining stale after drainTimeoutMs + 15 s', async () => {
    const h = new Harness([{}, { onStop: 'silent' }]).start();
    await h.untilSent('stop');
    const completingAt = Date.now() - T0;
    await h.advanceTo(completingAt + DRAIN + 15_000 - 1);
    expect(h.staleCalls).toEqual([]);
    expect(h.orch.machine.state.name).toBe('completing');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.staleCalls).toEqual([['id-b', 'did not finish draining in time']]);
    const report = await h.finish();
    expect(report.outcome).toEqual({ state: 'done', verdict: 'inconclusive', reasons: ['edge edge-b stale: did not finish draining in time'] });
    expect(h.history().at(-1)).toEqual([completingAt + DRAIN + 15_000, 'done(inconclusive)']);
  });
});

describe('RunOrchestrator: preflight failures', () => {
  it('aborts when an edge fails in preflight, naming it, and aborts the others', async () => {
    const h = new Harness([{}, { onAssign: 'fail' }, {}]).start();
    const report = await h.finish();
    const reason = 'preflight failed: edge edge-b failed (GH-E1299: cannot derive accounts)';
    expect(h.history()).toEqual([
      [0, 'preflight'],
      [0, `aborted(${reason})`],
    ]);
    expect(h.fund).not.toHaveBeenCalled();
    expect(h.sent(0)).toEqual(['assign', 'abort']);
    expect(h.sent(1)).toEqual(['assign']);
    expect(h.sent(2)).toEqual(['assign', 'abort']);
    expect(h.messagesTo(0)[1]).toEqual({ command: { $case: 'abort', value: { runId: { value: RUN_ID }, reason } } });
    expect(report.outcome).toEqual({ state: 'aborted', reason });
    expect(report.edges.map((e) => [e.name, e.outcome, e.reason])).toEqual([
      ['edge-a', 'aborted', undefined],
      ['edge-b', 'failed', 'GH-E1299: cannot derive accounts'],
      ['edge-c', 'aborted', undefined],
    ]);
    expect(report.notes).toEqual(['edge edge-b (#1) failed: GH-E1299: cannot derive accounts']);
    expect(report.endedAt).toBe(new Date(T0 + 100).toISOString()); // the others finished 100 ms after the abort
    expect(h.logLines).toContain(`error: run ${RUN_ID}: ${reason}`);
  });

  it('aborts when funding fails, with the funder’s error as the reason', async () => {
    const h = new Harness([{}, {}]);
    h.fund.mockImplementation(() => Promise.reject(new Error('funder balance too low')));
    h.start();
    const report = await h.finish();
    expect(h.fund).toHaveBeenCalledTimes(1);
    expect(h.orch.machine.state).toEqual({ name: 'aborted', reason: 'funder balance too low' });
    expect(h.sent(0)).toEqual(['assign', 'abort']);
    expect(h.sent(1)).toEqual(['assign', 'abort']);
    expect(report.outcome).toEqual({ state: 'aborted', reason: 'funder balance too low' });
    expect(report.edges.map((e) => e.outcome)).toEqual(['aborted', 'aborted']);
  });

  it('aborts when an edge does not name its accounts within preflightTimeoutMs (not 1 ms earlier)', async () => {
    const h = new Harness([{}, { onAssign: 'silent' }, {}]).start();
    await h.advanceTo(PREFLIGHT - 1);
    expect(h.orch.machine.state.name).toBe('preflight');
    expect(h.staleCalls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const stale = `did not name its accounts within ${PREFLIGHT} ms`;
    expect(h.staleCalls).toEqual([['id-b', stale]]);
    const reason = `preflight failed: edge edge-b stale (${stale})`;
    expect(h.orch.machine.state).toEqual({ name: 'aborted', reason });
    const report = await h.finish();
    expect(h.fund).not.toHaveBeenCalled();
    expect(h.sent(1)).toEqual(['assign']);
    expect(h.sent(0)).toEqual(['assign', 'abort']);
    expect(report.outcome).toEqual({ state: 'aborted', reason });
  });

  it('aborts when an edge does not say ready within preflightTimeoutMs', async () => {
    const h = new Harness([{ onFunded: 'silent' }, {}]).start();
    await h.advanceTo(PREFLIGHT - 1);
    expect(h.orch.machine.state.name).toBe('preflight');
    expect(h.fund).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    const stale = `not prepared within ${PREFLIGHT} ms`;
    expect(h.staleCalls).toEqual([['id-a', stale]]);
    const report = await h.finish();
    expect(report.outcome).toEqual({ state: 'aborted', reason: `preflight failed: edge edge-a stale (${stale})` });
    expect(h.sent(0)).toEqual(['assign', 'funded']);
    expect(h.sent(1)).toEqual(['assign', 'funded', 'abort']);
  });

  it('aborts at once when an edge is lost in preflight', async () => {
    const h = new Harness([{ onAssign: 'silent' }, {}]).start();
    await h.advanceTo(700);
    h.orch.onEdgeLost('id-a', 'control stream closed');
    const report = await h.finish();
    const reason = 'preflight failed: edge edge-a stale (control stream closed)';
    expect(h.history()).toEqual([
      [0, 'preflight'],
      [700, `aborted(${reason})`],
    ]);
    expect(report.outcome).toEqual({ state: 'aborted', reason });
    expect(h.fund).not.toHaveBeenCalled();
  });
});

describe('RunOrchestrator: cancel', () => {
  it('mid-phase: sends abort to every live edge, waits for them to finish, ends aborted(reason)', async () => {
    const h = new Harness([{}, {}, {}]).start();
    await h.untilSent('startPhase:1');
    await h.advanceTo(3_520);
    h.orch.cancel('operator pressed stop');
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 3; i++) {
      expect(h.sent(i)).toEqual(['assign', 'funded', 'startPhase:0', 'startPhase:1', 'abort']);
      expect(h.messagesTo(i).at(-1)).toEqual({ command: { $case: 'abort', value: { runId: { value: RUN_ID }, reason: 'operator pressed stop' } } });
    }
    expect(h.orch.machine.state).toEqual({ name: 'aborted', reason: 'operator pressed stop' });
    expect(h.ended).toBe(false); // still waiting for the edges' final reports
    const report = await h.finish();
    expect(h.log.filter((e) => e.what === 'finished').map((e) => [e.edge, e.at - T0])).toEqual([
      ['id-a', 3_620],
      ['id-b', 3_620],
      ['id-c', 3_620],
    ]);
    expect(h.history().slice(-3)).toEqual([
      [2_520, 'barrier(phase 1)'],
      [2_520, 'running(phase 1)'],
      [3_520, 'aborted(operator pressed stop)'],
    ]);
    expect(report.outcome).toEqual({ state: 'aborted', reason: 'operator pressed stop' });
    expect(report.endedAt).toBe(new Date(T0 + 3_620).toISOString());
    expect(report.edges.map((e) => e.outcome)).toEqual(['aborted', 'aborted', 'aborted']);
    expect(h.staleCalls).toEqual([]);
    for (let i = 0; i < 3; i++) expect(h.sent(i)).not.toContain('stop');
  });

  it('marks edges that do not finish within 20 s of the abort stale', async () => {
    const h = new Harness([{}, { onAbort: 'silent' }]).start();
    await h.untilSent('startPhase:0');
    await h.advanceTo(1_000);
    h.orch.cancel('enough');
    await h.advanceTo(1_000 + 20_000 - 1);
    expect(h.staleCalls).toEqual([]);
    expect(h.ended).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.staleCalls).toEqual([['id-b', 'did not finish after the abort']]);
    const report = await h.finish();
    expect(report.outcome).toEqual({ state: 'aborted', reason: 'enough' });
    expect(report.edges.map((e) => [e.outcome, e.reason])).toEqual([
      ['aborted', undefined],
      ['stale', 'did not finish after the abort'],
    ]);
  });

  it('in preflight: aborts before funding', async () => {
    const h = new Harness([{}, { onAssign: 'silent' }]).start();
    await h.advanceTo(500);
    h.orch.cancel('changed my mind');
    const report = await h.finish();
    expect(h.fund).not.toHaveBeenCalled();
    expect(h.history()).toEqual([
      [0, 'preflight'],
      [500, 'aborted(changed my mind)'],
    ]);
    expect(h.sent(0)).toEqual(['assign', 'abort']);
    expect(h.sent(1)).toEqual(['assign', 'abort']);
    expect(report.outcome).toEqual({ state: 'aborted', reason: 'changed my mind' });
  });

  it('while funding: aborts once the funding settles, starting no phase', async () => {
    let settle: () => void = () => {};
    const h = new Harness([{}, {}]);
    h.fund.mockImplementation(() => new Promise<void>((resolve) => (settle = resolve)));
    h.start();
    await h.until(() => h.fund.mock.calls.length > 0, 'fund called');
    h.orch.cancel('operator pressed stop');
    await vi.advanceTimersByTimeAsync(1_000);
    settle();
    const report = await h.finish();
    expect(report.outcome).toEqual({ state: 'aborted', reason: 'operator pressed stop' });
    for (const i of [0, 1]) {
      expect(h.sent(i)).not.toContain('startPhase:0');
      expect(h.sent(i).at(-1)).toBe('abort');
    }
  });

  it('keeps the first reason when cancelled twice', async () => {
    const h = new Harness([{}]).start();
    await h.untilSent('startPhase:0');
    h.orch.cancel('first');
    h.orch.cancel('second');
    const report = await h.finish();
    expect(report.outcome).toEqual({ state: 'aborted', reason: 'first' });
    expect(h.sent(0).filter((w) => w === 'abort')).toHaveLength(1);
  });

  it('does nothing once the run is done', async () => {
    const h = new Harness([{}]).start();
    const report = await h.finish();
    h.orch.cancel('too late');
    await vi.runAllTimersAsync();
    expect(h.orch.machine.state).toEqual({ name: 'done', verdict: 'pass' });
    expect(h.orch.getReport()).toBe(report);
    expect(h.sent(0)).not.toContain('abort');
  });

  it('while completing: ends the run aborted with the reason', async () => {
    const h = new Harness([{ finishDelayMs: 2_000 }, { finishDelayMs: 2_000 }]).start();
    await h.untilSent('stop');
    expect(h.orch.machine.state.name).toBe('completing');
    h.orch.cancel('operator pressed stop');
    const report = await h.finish();
    expect(h.orch.machine.state).toEqual({ name: 'aborted', reason: 'operator pressed stop' });
    expect(report.outcome).toEqual({ state: 'aborted', reason: 'operator pressed stop' });
  });

  // waitUntil also ends on cancel: the draining edges must be told to abort, not blamed as stale.
  it('while completing: does not mark the draining edges stale', async () => {
    const h = new Harness([{ finishDelayMs: 2_000 }, { finishDelayMs: 2_000 }]).start();
    await h.untilSent('stop');
    h.orch.cancel('operator pressed stop');
    const report = await h.finish();
    expect(h.staleCalls).toEqual([]);
    expect(report.edges.map((e) => e.outcome)).toEqual(['aborted', 'aborted']);
  });
});

describe('RunOrchestrator: telemetry intake', () => {
  it('stores each batch once, stamped with the run and edge ids, and acks cumulative counts', () => {
    const h = new Harness([{}, {}]);
    const first = [txSubmitted(recorded(0)), txAccepted(recorded(1)), txIncluded(recorded(2))];
    const second = [txSubmitted(recorded(3)), txTimeout(recorded(4))];
    expect(h.orch.onTelemetry(batch('id-a', 0n, first))).toEqual({ batchSeq: 0n, eventsAccepted: 3n });
    expect(h.orch.onTelemetry(batch('id-a', 1n, second))).toEqual({ batchSeq: 1n, eventsAccepted: 5n });
    // Re-sent after a reconnect: acknowledged again with the current count, not stored twice.
    expect(h.orch.onTelemetry(batch('id-a', 0n, first))).toEqual({ batchSeq: 0n, eventsAccepted: 5n });
    expect(h.orch.onTelemetry(batch('id-a', 1n, second))).toEqual({ batchSeq: 1n, eventsAccepted: 5n });
    expect(h.store.events).toStrictEqual(stamped([...first, ...second], 'id-a'));
    expect(h.store.appendCalls).toBe(2);
    expect(h.orch.tally.eventsReceived).toBe(5);
    expect(h.orch.tally.batchesReceived).toBe(2);
    // Another edge's batch numbers are its own.
    const third = [txFailed(recorded(0))];
    expect(h.orch.onTelemetry(batch('id-b', 0n, third))).toEqual({ batchSeq: 0n, eventsAccepted: 1n });
    expect(h.store.events.slice(5)).toStrictEqual(stamped(third, 'id-b'));
    expect(h.orch.tally.edge('id-a').eventsReceived).toBe(5);
    expect(h.orch.tally.edge('id-b').eventsReceived).toBe(1);
  });

  it('acks an empty batch with the running count and moves past its number', () => {
    const h = new Harness([{}]);
    h.orch.onTelemetry(batch('id-a', 0n, [txSubmitted(recorded(0))]));
    expect(h.orch.onTelemetry(batch('id-a', 1n, []))).toEqual({ batchSeq: 1n, eventsAccepted: 1n });
    expect(h.orch.onTelemetry(batch('id-a', 2n, [txAccepted(recorded(1))]))).toEqual({ batchSeq: 2n, eventsAccepted: 2n });
    expect(h.store.events).toHaveLength(2);
  });

  it('refuses nothing but stores nothing for an edge outside the run: acks 0 events', () => {
    const h = new Harness([{}]);
    expect(h.orch.onTelemetry(batch('stranger', 0n, [txSubmitted(recorded(0))]))).toEqual({ batchSeq: 0n, eventsAccepted: 0n });
    expect(h.store.events).toEqual([]);
    expect(h.store.appendCalls).toBe(0);
    expect(h.orch.tally.eventsReceived).toBe(0);
  });

  it('hands stored events and the newly dropped count to onEvents', () => {
    const onEvents = vi.fn();
    const h = new Harness([{}], { onEvents });
    const events = [txSubmitted(recorded(0))];
    h.orch.onTelemetry(batch('id-a', 0n, events, 4n));
    h.orch.onTelemetry(batch('id-a', 0n, events, 4n)); // duplicate: not seen again
    h.orch.onTelemetry(batch('id-a', 1n, [], 6n));
    expect(onEvents.mock.calls).toEqual([
      [stamped(events, 'id-a'), 4],
      [[], 2],
    ]);
  });

  it('throws on a wire event without a payload and stores none of that batch', () => {
    const h = new Harness([{}]);
    const b = batch('id-a', 0n, [txSubmitted(recorded(0))]);
    b.events.push({ seq: 1n, phaseIndex: 0, monoNs: 1n, wallNs: 1n, payload: undefined });
    expect(() => h.orch.onTelemetry(b)).toThrow(UnknownEventKindError);
    expect(h.store.events).toEqual([]);
    expect(h.orch.tally.eventsReceived).toBe(0);
    // Not acknowledged, so the same batch number is still open.
    expect(h.orch.onTelemetry(batch('id-a', 0n, [txSubmitted(recorded(0))]))).toEqual({ batchSeq: 0n, eventsAccepted: 1n });
  });

  it('throws when the store cannot append, keeps the batch unacknowledged, and cancels the run', async () => {
    const h = new Harness([{}, {}]).start();
    await h.untilSent('startPhase:0');
    await h.advanceTo(1_000);
    h.orch.onTelemetry(batch('id-a', 0n, [txSubmitted(recorded(0))]));
    h.store.failure = new Error('disk full');
    const b = batch('id-a', 1n, [txSubmitted(recorded(1)), txIncluded(recorded(2))]);
    expect(() => h.orch.onTelemetry(b)).toThrow('disk full');
    expect(h.store.events).toHaveLength(1);
    expect(h.orch.tally.eventsReceived).toBe(1);
    const reason = 'telemetry storage failed: disk full';
    const report = await h.finish();
    expect(h.orch.machine.state).toEqual({ name: 'aborted', reason });
    expect(h.history().at(-1)).toEqual([1_000, `aborted(${reason})`]);
    for (const i of [0, 1]) expect(h.messagesTo(i).at(-1)).toEqual({ command: { $case: 'abort', value: { runId: { value: RUN_ID }, reason } } });
    expect(report.outcome).toEqual({ state: 'aborted', reason });
    expect(report.telemetry.eventsReceived).toBe(1);
    // The refused batch was never acknowledged: sent again once storage works, it is stored.
    h.store.failure = undefined;
    expect(h.orch.onTelemetry(b)).toEqual({ batchSeq: 1n, eventsAccepted: 3n });
    expect(h.store.events).toHaveLength(3);
  });

  it('judges a run inconclusive when edges dropped events, with the cumulative count as the reason', async () => {
    const h = new Harness([{ finished: { recorded: 9, shipped: 2, dropped: 7 } }, {}]).start();
    await h.untilSent('startPhase:0');
    h.orch.onTelemetry(batch('id-a', 0n, [txSubmitted(recorded(0))], 7n));
    h.orch.onTelemetry(batch('id-a', 1n, [txAccepted(recorded(1))], 5n)); // a lower total does not lower it
    expect(h.orch.view().counters.eventsDropped).toBe(7);
    const report = await h.finish();
    expect(report.outcome).toEqual({ state: 'done', verdict: 'inconclusive', reasons: ['7 telemetry event(s) were dropped at the edges'] });
    expect(report.notes).toEqual(['7 telemetry event(s) were dropped at the edges before shipping']);
    expect(report.telemetry).toMatchObject({ eventsReceived: 2, eventsDropped: 7, batchesReceived: 2 });
    expect(report.edges[0]).toMatchObject({ eventsDropped: 7, eventsReceived: 2 });
    expect(report.edges[1]).toMatchObject({ eventsDropped: 0, eventsReceived: 0 });
  });

  it('judges a run inconclusive when edges recorded events the hive never received', async () => {
    const h = new Harness([{ finished: { recorded: 10, shipped: 6, dropped: 0 } }]).start();
    await h.untilSent('startPhase:0');
    h.orch.onTelemetry(batch('id-a', 0n, [0, 1, 2, 3, 4, 5].map((s) => txAccepted(recorded(s)))));
    const report = await h.finish();
    expect(report.outcome).toEqual({ state: 'done', verdict: 'inconclusive', reasons: ['4 telemetry event(s) never reached the hive'] });
    expect(report.notes).toEqual(['edge edge-a: 4 recorded event(s) never reached the hive']);
  });

  it('passes when every recorded event was shipped and none dropped', async () => {
    const h = new Harness([{ finished: { recorded: 2, shipped: 2, dropped: 0 } }]).start();
    await h.untilSent('startPhase:0');
    h.orch.onTelemetry(batch('id-a', 0n, [txSubmitted(recorded(0)), txAccepted(recorded(1))]));
    const report = await h.finish();
    expect(report.outcome).toEqual({ state: 'done', verdict: 'pass', reasons: [] });
    expect(report.notes).toEqual([]);
  });

  it('counts the telemetry per phase and per edge in the report', async () => {
    const h = new Harness([{}, {}]).start();
    await h.untilSent('startPhase:1');
    h.orch.onTelemetry(batch('id-a', 0n, [txSubmitted(recorded(0, 0), 21_000n), txIncluded(recorded(1, 0), 21_000n), txSubmitted(recorded(2, 1), 50_000n), txIncluded(recorded(3, 1), 48_000n, false)]));
    h.orch.onTelemetry(batch('id-b', 0n, [txSubmitted(recorded(0, 1), 30_000n), txFailed(recorded(1, 1)), sendLate(recorded(2, 1), 3), txTimeout(recorded(3, 2))]));
    const report = await h.finish();
    expect(report.phases.map((p) => [p.txSubmitted, p.txIncluded, p.txReverted, p.txFailed, p.txTimeout, p.gasSubmitted, p.gasIncluded, p.sendsLate])).toEqual([
      [1, 1, 0, 0, 0, 21_000, 21_000, 0],
      [2, 1, 1, 1, 0, 80_000, 48_000, 3],
      [0, 0, 0, 0, 1, 0, 0, 0],
    ]);
    expect(report.phases[1]!.achievedGasPerSec).toBe(16_000);
    expect(report.edges.map((e) => [e.eventsReceived, e.txSubmitted, e.txIncluded])).toEqual([
      [4, 2, 2],
      [4, 1, 0],
    ]);
    expect(report.telemetry).toMatchObject({ eventsReceived: 8, batchesReceived: 2 });
    expect(h.store.events).toHaveLength(8);
  });

  it('still reports when closing the store fails, with no files', async () => {
    const h = new Harness([{}]);
    h.store.closeFailure = new Error('parquet footer write failed');
    h.start();
    const report = await h.finish();
    expect(report.telemetry.files).toEqual([]);
    expect(report.outcome).toEqual({ state: 'done', verdict: 'pass', reasons: [] });
    expect(h.logLines).toContain(`error: run ${RUN_ID}: closing the telemetry store failed: parquet footer write failed`);
  });
});

describe('RunOrchestrator.view', () => {
  it('shows preflight with no phase before the run starts', () => {
    const h = new Harness([{}, {}]);
    expect(h.orch.view()).toEqual({
      id: RUN_ID,
      scenario: { name: 'orchestrator-test', hash: h.plan.scenarioHash },
      state: { name: 'preflight' },
      phase: undefined,
      phaseCount: 3,
      createdAt: new Date(T0).toISOString(),
      endedAt: undefined,
      edges: [
        { edgeIndex: 0, edgeId: 'id-a', name: 'edge-a', state: 'assigned', reason: undefined, lastPhaseDone: -1 },
        { edgeIndex: 1, edgeId: 'id-b', name: 'edge-b', state: 'assigned', reason: undefined, lastPhaseDone: -1 },
      ],
      counters: { eventsReceived: 0, eventsDropped: 0, txSubmitted: 0, txIncluded: 0, txFailed: 0, txTimeout: 0, gasSubmitted: 0, gasIncluded: 0 },
      history: [{ state: { name: 'preflight' }, atMs: T0 }],
    });
  });

  it('shows the current phase index and name, the edges and live counters mid-run', async () => {
    const h = new Harness([{}, {}]).start();
    await h.untilSent('startPhase:1');
    await h.advanceTo(3_000);
    h.orch.onTelemetry(batch('id-a', 0n, [txSubmitted(recorded(0, 1), 25_000n), txSubmitted(recorded(1, 1), 25_000n), txIncluded(recorded(2, 1), 24_000n)], 2n));
    h.orch.onTelemetry(batch('id-b', 0n, [txFailed(recorded(0, 1)), txTimeout(recorded(1, 0)), txIncluded(recorded(2, 0), 21_000n)]));
    const view = h.orch.view();
    expect(view.state).toEqual({ name: 'running', phaseIndex: 1 });
    expect(view.phase).toEqual({ index: 1, name: 'steady' });
    expect(view.phaseCount).toBe(3);
    expect(view.endedAt).toBeUndefined();
    expect(view.edges.map((e) => [e.name, e.state, e.lastPhaseDone])).toEqual([
      ['edge-a', 'running', 0],
      ['edge-b', 'running', 0],
    ]);
    expect(view.counters).toEqual({ eventsReceived: 6, eventsDropped: 2, txSubmitted: 2, txIncluded: 2, txFailed: 1, txTimeout: 1, gasSubmitted: 50_000, gasIncluded: 45_000 });
    expect(view.history).toBe(h.orch.machine.history);
    await h.finish();
    // Two edges: phase 2 ends at 7 520, edge b reports 10 ms later, finished 100 ms after stop.
    // Inconclusive: edge a said its ring buffer dropped 2 events.
    expect(h.orch.view()).toMatchObject({ phase: undefined, endedAt: new Date(T0 + 7_630).toISOString(), state: { name: 'done', verdict: 'inconclusive' } });
  });
});
