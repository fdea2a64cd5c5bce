// Shared pieces of the benchmark scripts: a scenario plan from inline YAML, playing it with
// in-process edges against a devnet, and the figures every report needs. Benchmarks print
// their figures; they judge against the targets with PASS/FAIL lines, never silently.

import { stringify } from 'yaml';
import type { EmbeddedDevnet } from '../src/devnet/embedded-devnet.js';
import { EdgeRun, type PhaseResult } from '../src/edge/edge-run.js';
import { compileScenario, type RunPlan } from '../src/scenario/compile.js';
import { loadScenarioText } from '../src/scenario/load.js';
import type { TelemetryEvent } from '../src/telemetry/events.js';

export function planFrom(doc: Record<string, unknown>): RunPlan {
  const loaded = loadScenarioText(stringify({ name: 'bench', description: 'benchmark', version: '1', ...doc }), 'bench.yaml');
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n'));
  return compileScenario(loaded.scenario);
}

export interface PlayResult {
  readonly phases: PhaseResult[][];
  readonly events: TelemetryEvent[];
  readonly runs: EdgeRun[];
}

/** Plays every phase with all of the plan's edges in this process, in lockstep per phase. */
export async function playInProcess(plan: RunPlan, devnet: Pick<EmbeddedDevnet, 'rpcUrl' | 'wsUrl' | 'feedUrl' | 'chainId' | 'contracts' | 'faucet'>, options: { poolConnections?: number; maxInFlightPerAccount?: number; submitBatchWaitMs?: number } = {}): Promise<PlayResult> {
  const runs = await Promise.all(
    plan.edges.map((e) =>
      EdgeRun.prepare({
        plan,
        edgeIndex: e.index,
        runId: 'bench',
        edgeId: `edge-${e.index}`,
        target: { rpcUrl: devnet.rpcUrl, wsUrl: devnet.wsUrl, feedUrl: devnet.feedUrl, chainId: devnet.chainId, contracts: devnet.contracts },
        funderKey: devnet.faucet.privateKey,
        ...(options.poolConnections ? { poolConnections: options.poolConnections } : {}),
        ...(options.maxInFlightPerAccount ? { maxInFlightPerAccount: options.maxInFlightPerAccount } : {}),
        ...(options.submitBatchWaitMs ? { submitBatchWaitMs: options.submitBatchWaitMs } : {}),
      }),
    ),
  );
  const phases: PhaseResult[][] = [];
  const events: TelemetryEvent[] = [];
  const collect = () => {
    for (const r of runs) events.push(...(r.buffer.drain(r.buffer.size) as TelemetryEvent[]));
  };
  for (let i = 0; i < plan.phases.length; i++) {
    phases.push(await Promise.all(runs.map((r) => r.runPhase(i))));
    collect();
  }
  await Promise.all(runs.map((r) => r.finish(60_000)));
  collect();
  return { phases, events, runs };
}

export interface PhaseFigures {
  readonly phase: number;
  readonly targetGasPerSec: number;
  readonly offeredGasPerSec: number;
  readonly achievedGasPerSec: number;
  readonly includedTxPerSec: number;
  readonly submitted: number;
  readonly included: number;
  readonly failed: number;
  readonly timeouts: number;
  readonly late: number;
  readonly dropped: number;
}

/**
 * Per phase: offered = compute gas of the transactions sent in it; achieved = compute gas
 * (gasUsed - gasUsedForL1) of those of them that were included successfully; both over the
 * phase's duration. Attributing by send time keeps the inclusion delay at the phase edges
 * from moving gas between phases.
 */
export function phaseFigures(plan: RunPlan, result: PlayResult): PhaseFigures[] {
  const sentIn = new Map<string, number>();
  const computeOf = new Map<string, bigint>();
  for (const e of result.events) {
    if (e.kind === 'TxSubmitted') {
      sentIn.set(e.txHash, e.phaseIndex);
      computeOf.set(e.txHash, e.estimatedGas);
    }
  }
  return plan.phases.map((p, i) => {
    let offered = 0n;
    let achieved = 0n;
    let submitted = 0;
    let included = 0;
    let failed = 0;
    let timeouts = 0;
    for (const e of result.events) {
      if (e.kind === 'TxSubmitted' && e.phaseIndex === i) {
        offered += e.estimatedGas;
        submitted++;
      } else if (e.kind === 'TxIncluded' && sentIn.get(e.txHash) === i) {
        if (e.success) achieved += e.gasUsed - (e.gasUsedForL1 ?? 0n);
        included++;
      } else if (e.kind === 'TxFailed' && e.txHash !== undefined && sentIn.get(e.txHash) === i) failed++;
      else if (e.kind === 'TxTimeout' && sentIn.get(e.txHash) === i) timeouts++;
    }
    const results = result.phases[i] ?? [];
    return {
      phase: i,
      targetGasPerSec: p.meanGasPerSec,
      offeredGasPerSec: Number(offered) / p.durationSecs,
      achievedGasPerSec: Number(achieved) / p.durationSecs,
      includedTxPerSec: included / p.durationSecs,
      submitted,
      included,
      failed,
      timeouts,
      late: results.reduce((s, r) => s + r.late, 0),
      dropped: results.reduce((s, r) => s + r.dropped, 0),
    };
  });
}

export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function rssMiB(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}
