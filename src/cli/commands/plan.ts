// `gashammer plan <file>`: compiles a scenario and prints the run plan, for people or as JSON.

import type { Command } from 'commander';
import { ErrorCodes } from '../../errors/codes.js';
import { formatDiagnostic } from '../../errors/diagnostic.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import { compileScenario, type RunPlan } from '../../scenario/compile.js';
import { loadScenarioOrThrow } from '../../scenario/load.js';
import { planToJson } from '../../scenario/plan-json.js';
import { MAX_EDGES } from '../../scenario/schema.js';
import { offlineTransactions } from '../../edge/offline-txs.js';
import type { Target } from '../../scenario/types.js';
import { redactUrl } from '../../util/redact.js';
import { describeGasRate } from '../../workload/gas-curve.js';
import type { CliIO } from '../io.js';
import { fmtInt, fmtPct, textTable } from '../table.js';

/** Parses a whole-number flag in [min, max] at the boundary, so commands get a valid number. */
export function parseWholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) {
    throw new GasHammerError(ErrorCodes.Usage, `${flag} expects a whole number from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

export const parseEdgeCount = (value: string): number => parseWholeNumber('--edges', value, 1, MAX_EDGES);

export function describeTarget(t: Target): string {
  switch (t.kind) {
    case 'devnet':
      return `embedded devnet (chain ${t.chainId}, environment ${t.environment})`;
    case 'nitro-devnet':
      return `Nitro devnet container (chain ${t.chainId}, environment ${t.environment})`;
    case 'remote':
      return `${redactUrl(t.sequencerRpc)} (chain ${t.chainId}, environment ${t.environment})`;
  }
}

export function renderPlan(plan: RunPlan): string {
  const out: string[] = [];
  out.push(`Scenario  ${plan.scenario.name} v${plan.scenario.version}`);
  out.push(`Hash      ${plan.scenarioHash}`);
  out.push(`Target    ${describeTarget(plan.target)}`);
  out.push(`Duration  ${fmtInt(plan.totalDurationSecs)} s, ${fmtInt(plan.totalGas)} gas offered, seed ${plan.seed}`);
  out.push('', 'Phases');
  out.push(
    textTable(
      ['#', 'name', 'start', 'duration', 'gas rate', 'mean gas/s', 'total gas', 'est. txs'],
      plan.phases.map((p) => [
        String(p.index),
        p.name,
        `${p.startSecs}s`,
        `${p.durationSecs}s`,
        describeGasRate(p.gasRate),
        fmtInt(p.meanGasPerSec),
        fmtInt(p.totalGas),
        fmtInt(p.estimatedTxCount),
      ]),
      [0, 2, 3, 5, 6, 7],
    ),
  );
  out.push('', `Template mix (mean ${fmtInt(plan.meanEstimatedGasPerTx)} gas per tx before calibration)`);
  out.push(
    textTable(
      ['template', 'weight', 'tx share', 'est. gas', 'gas share'],
      plan.templateMix.map((t) => [t.name, String(t.weight), fmtPct(t.probability), fmtInt(t.estimatedGas), fmtPct(t.gasShare)]),
      [1, 2, 3, 4],
    ),
  );
  const perEdge = plan.edges[0]?.accountCount ?? 0;
  out.push('', `Edges (${plan.edges.length} x ${perEdge} accounts at ${plan.accountDerivationBase}/<index>)`);
  out.push(
    textTable(
      ['#', 'region', 'accounts', 'stream seed'],
      plan.edges.map((e) => [String(e.index), e.region ?? '-', `${e.firstAccount}-${e.firstAccount + e.accountCount - 1}`, e.streamSeed]),
      [0],
    ),
  );
  out.push('', plan.faultTimeline.length === 0 ? 'Faults    none' : 'Faults');
  if (plan.faultTimeline.length > 0) {
    out.push(
      textTable(
        ['at', 'action', 'fault', 'edges'],
        plan.faultTimeline.map((f) => [
          `${f.atSecs}s`,
          f.action,
          f.event.action === 'inject' ? `${f.faultName} (${f.event.fault.type} on ${f.event.fault.target} via ${f.event.fault.adapter})` : f.faultName,
          f.edgeIndexes.length === plan.edges.length && f.edgeIndexes.every((e, i) => e === i) ? 'all' : f.edgeIndexes.join(','),
        ]),
        [0],
      ),
    );
  }
  const inv = plan.oracle.invariants;
  out.push('', `Oracle    ${inv.length === 0 ? 'off' : `${inv.join(', ')}; live checks every ${plan.oracle.checkIntervalSecs}s`}`);
  const thresholds = plan.gate.thresholds.map((t) => `${t.source} (${t.level})`);
  out.push(`Gate      ${thresholds.length === 0 ? 'no absolute thresholds' : thresholds.join('; ')}`);
  const reg = Object.entries(plan.gate.regression.metrics)
    .filter(([, r]) => r.enabled)
    .map(([m, r]) => `${m} warn ${r.warnPct}% fail ${r.failPct}%`);
  out.push(`          regression: ${reg.length === 0 ? 'off' : reg.join('; ')}; min ${plan.gate.regression.minSamples} samples`);
  return out.join('\n') + '\n';
}

export function registerPlanCommand(program: Command, io: CliIO): void {
  program
    .command('plan')
    .description('compile a scenario and print its run plan: phases, gas curves, template mix, edges')
    .argument('<file>', 'scenario YAML file')
    .option('--edges <n>', `number of edges, 1-${MAX_EDGES} (overrides edges.count)`, parseEdgeCount)
    .option('--json', 'print the plan as JSON')
    .option('--edge <index>', 'with --txs: the edge whose transactions to print (from 0)', (v) => parseWholeNumber('--edge', v, 0, MAX_EDGES - 1))
    .option('--txs <n>', "print the edge's first N signed raw transactions (hex, one a line) for a fresh embedded devnet", (v) => parseWholeNumber('--txs', v, 1, 1_000_000))
    .action(async (file: string, opts: { edges?: number; json?: boolean; edge?: number; txs?: number }) => {
      if ((opts.edge === undefined) !== (opts.txs === undefined)) {
        throw new GasHammerError(ErrorCodes.Usage, '--edge and --txs go together: `gashammer plan <file> --edge 0 --txs 10`');
      }
      const loaded = await loadScenarioOrThrow(file);
      for (const w of loaded.warnings) io.stderr(formatDiagnostic(w) + '\n');
      const plan = compileScenario(loaded.scenario, opts.edges === undefined ? {} : { edges: opts.edges });
      if (opts.edge !== undefined && opts.txs !== undefined) {
        if (opts.edge >= plan.edges.length) {
          throw new GasHammerError(ErrorCodes.Usage, `--edge ${opts.edge} does not exist: the plan has ${plan.edges.length} edge(s), numbered from 0`);
        }
        for (const tx of await offlineTransactions(plan, opts.edge, opts.txs)) io.stdout(tx.signed.rawHex + '\n');
        return;
      }
      io.stdout(opts.json ? JSON.stringify(planToJson(plan), null, 2) + '\n' : renderPlan(plan));
    });
}
