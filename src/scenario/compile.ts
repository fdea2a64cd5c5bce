// The compiler: a validated Scenario (plus command-line overrides) becomes a RunPlan, the
// exact, deterministic description of a run that the hive hands to its edges: the gas curve
// of every phase, the normalised template mix, and each edge's accounts and PRNG stream.

import { createHash } from 'node:crypto';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { cumulativeGas, peakRate, totalGas } from '../workload/gas-curve.js';
import { isTemplateName, TEMPLATE_CATALOG, type TemplateParams } from '../workload/template-catalog.js';
import { scenarioHash } from './hash.js';
import { MAX_EDGES } from './schema.js';
import { runDurationSecs } from './semantic.js';
import { edgeRegion, selectEdges } from './fault-refs.js';
import type { FaultEvent, GasRate, Scenario, Target } from './types.js';

/** BIP-32 path under which every GasHammer account is derived; 18248 = 0x4748, "GH". */
export const ACCOUNT_DERIVATION_BASE = "m/44'/60'/0'/0'/18248";

export interface PhasePlan {
  readonly index: number;
  readonly name: string;
  /** Offset of the phase from the start of the run. */
  readonly startSecs: number;
  readonly durationSecs: number;
  readonly gasRate: GasRate;
  /** Gas offered over the whole phase (the integral of its curve), rounded down. */
  readonly totalGas: number;
  readonly meanGasPerSec: number;
  readonly peakGasPerSec: number;
  /** totalGas / the mix's mean estimated gas per transaction. */
  readonly estimatedTxCount: number;
}

export interface TemplateMixEntry {
  readonly name: string;
  readonly weight: number;
  /** Share of transactions (weights normalised to sum to 1). */
  readonly probability: number;
  /** Planner's estimate before calibration. */
  readonly estimatedGas: number;
  /** Share of gas this template accounts for. */
  readonly gasShare: number;
  readonly params: TemplateParams;
}

export interface EdgePlan {
  readonly index: number;
  readonly region?: string;
  /** First HD account index of this edge; the edge owns [firstAccount, firstAccount + accountCount). */
  readonly firstAccount: number;
  readonly accountCount: number;
  /** 128-bit seed of this edge's PRNG stream, hex. */
  readonly streamSeed: string;
}

export interface FaultTimelineEntry {
  readonly atSecs: number;
  readonly action: 'inject' | 'clear';
  /** The fault's name (for clears: the name of the fault it clears). */
  readonly faultName: string;
  readonly event: FaultEvent;
  /** Edge indexes the event applies to. */
  readonly edgeIndexes: readonly number[];
}

export interface RunPlan {
  readonly formatVersion: 1;
  readonly scenario: { readonly name: string; readonly version: string; readonly description: string };
  readonly scenarioHash: string;
  readonly target: Target;
  readonly seed: bigint;
  readonly totalDurationSecs: number;
  readonly totalGas: number;
  readonly phases: readonly PhasePlan[];
  readonly templateMix: readonly TemplateMixEntry[];
  readonly meanEstimatedGasPerTx: number;
  readonly edges: readonly EdgePlan[];
  readonly accountDerivationBase: string;
  readonly faultTimeline: readonly FaultTimelineEntry[];
  readonly oracle: Scenario['oracle'];
  readonly gate: Scenario['gate'];
}

export interface CompileOptions {
  /** Overrides edges.count. */
  readonly edges?: number;
  /** Overrides the scenario's target. */
  readonly target?: Target;
}

/** Whether the plan sends ERC-20 transactions, so its accounts need test tokens. */
export function usesTokenTemplates(plan: Pick<RunPlan, 'templateMix'>): boolean {
  return plan.templateMix.some((t) => t.probability > 0 && t.name.startsWith('erc20'));
}

/** Seed of edge `index`'s PRNG stream: independent of every other edge's, same on every machine. */
export function edgeStreamSeed(seed: bigint, index: number): string {
  const buf = Buffer.alloc(12);
  buf.writeBigUInt64BE(seed, 0);
  buf.writeUInt32BE(index, 8);
  return createHash('sha256').update('gashammer/v1/edge-stream').update(buf).digest('hex').slice(0, 32);
}

function templateMix(scenario: Scenario): { mix: TemplateMixEntry[]; meanGas: number } {
  const totalWeight = scenario.workload.templates.reduce((s, t) => s + t.weight, 0);
  const rows = scenario.workload.templates.map((t) => {
    const estimatedGas = isTemplateName(t.name) ? TEMPLATE_CATALOG[t.name].estimatedGas(t.params) : 0;
    return { name: t.name, weight: t.weight, probability: t.weight / totalWeight, estimatedGas, params: t.params };
  });
  const meanGas = rows.reduce((s, r) => s + r.probability * r.estimatedGas, 0);
  return {
    mix: rows.map((r) => ({ ...r, gasShare: meanGas === 0 ? 0 : (r.probability * r.estimatedGas) / meanGas })),
    meanGas,
  };
}

export function compileScenario(source: Scenario, options: CompileOptions = {}): RunPlan {
  if (options.edges !== undefined && (!Number.isInteger(options.edges) || options.edges < 1 || options.edges > MAX_EDGES)) {
    throw new GasHammerError(ErrorCodes.ScenarioCompile, `--edges must be a whole number from 1 to ${MAX_EDGES}, got ${options.edges}`);
  }
  const scenario: Scenario = {
    ...source,
    ...(options.target ? { target: options.target } : {}),
    edges: { ...source.edges, count: options.edges ?? source.edges.count },
  };

  const { mix, meanGas } = templateMix(scenario);
  let start = 0;
  const phases: PhasePlan[] = scenario.phases.map((p, index) => {
    const gasRate = p.gasRateOverride ?? scenario.workload.gasRate;
    if (!gasRate) throw new GasHammerError(ErrorCodes.ScenarioCompile, `phase '${p.name}' has no gas rate`);
    const curve = { rate: gasRate, durationSecs: p.durationSecs };
    const total = Math.floor(totalGas(curve));
    const plan: PhasePlan = {
      index,
      name: p.name,
      startSecs: start,
      durationSecs: p.durationSecs,
      gasRate,
      totalGas: total,
      meanGasPerSec: cumulativeGas(curve, p.durationSecs) / p.durationSecs,
      peakGasPerSec: peakRate(curve),
      estimatedTxCount: meanGas === 0 ? 0 : Math.floor(total / meanGas),
    };
    start += p.durationSecs;
    return plan;
  });

  const { count, accountsPerEdge, regions } = scenario.edges;
  const edges: EdgePlan[] = Array.from({ length: count }, (_, index) => ({
    index,
    ...(regions.length > 0 ? { region: edgeRegion(index, regions)! } : {}),
    firstAccount: index * accountsPerEdge,
    accountCount: accountsPerEdge,
    streamSeed: edgeStreamSeed(scenario.workload.seed, index),
  }));

  const faultTimeline: FaultTimelineEntry[] = scenario.faultSchedule
    .map((event) => ({
      atSecs: event.atSecs,
      action: event.action,
      faultName: event.action === 'inject' ? event.fault.name : (event.ref.name ?? [event.ref.type, event.ref.target].filter(Boolean).join(' on ')),
      event,
      edgeIndexes: selectEdges(event.edges, count, regions),
    }))
    .sort((a, b) => a.atSecs - b.atSecs);
  // An --edges override can leave a fault with no edge to act on: say so rather than drop it.
  const orphaned = faultTimeline.filter((f) => f.edgeIndexes.length === 0 || (f.event.edges.kind === 'ids' && f.edgeIndexes.length < new Set(f.event.edges.ids).size));
  if (orphaned.length > 0) {
    const list = orphaned.map((f) => `'${f.faultName}' at ${f.atSecs}s`).join(', ');
    throw new GasHammerError(ErrorCodes.ScenarioCompile, `with ${count} edge(s), fault event(s) ${list} name edges that do not exist`, {
      hint: 'run with more edges, or change the fault_schedule edges selectors',
    });
  }

  return {
    formatVersion: 1,
    scenario: { name: scenario.name, version: scenario.version, description: scenario.description },
    scenarioHash: scenarioHash(scenario),
    target: scenario.target,
    seed: scenario.workload.seed,
    totalDurationSecs: runDurationSecs(scenario),
    totalGas: phases.reduce((s, p) => s + p.totalGas, 0),
    phases,
    templateMix: mix,
    meanEstimatedGasPerTx: meanGas,
    edges,
    accountDerivationBase: ACCOUNT_DERIVATION_BASE,
    faultTimeline,
    oracle: scenario.oracle,
    gate: scenario.gate,
  };
}
