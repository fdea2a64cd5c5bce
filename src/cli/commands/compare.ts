// `gashammer compare <report.json> --baseline FILE | --branch B`: compares a run with a baseline
// and gives the gate verdict, with the exit code the gate implies (0 pass or warn, 99 fail,
// 98 inconclusive). The gate rules are the scenario's (--scenario) or, without it, the
// thresholds the report recorded and the default regression rules.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { baselineRef } from '../../baseline/baseline-file.js';
import { readRunReport, thresholdsFromReport } from '../../baseline/report-file.js';
import { ErrorCodes } from '../../errors/codes.js';
import { formatDiagnostic } from '../../errors/diagnostic.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import { compareWithBaseline } from '../../gate/regression.js';
import { decideGate, formatMetricValue } from '../../gate/verdict.js';
import type { BaselineRef, GateReport, RunReportV2 } from '../../report/report-types.js';
import { REGRESSION_DEFAULTS, SCENARIO_DEFAULTS } from '../../scenario/defaults.js';
import { loadScenarioOrThrow } from '../../scenario/load.js';
import type { RegressionPolicy, Threshold } from '../../scenario/types.js';
import { ExitWith, type CliIO } from '../io.js';
import { textTable } from '../table.js';
import { baselineChoice, EXIT_FOR_VERDICT, findBaseline } from '../baseline-lookup.js';
import { DEFAULT_BASELINE_DIR } from './baseline.js';

export const DEFAULT_REGRESSION_POLICY: RegressionPolicy = {
  minSamples: SCENARIO_DEFAULTS.minSamples,
  significance: SCENARIO_DEFAULTS.significance,
  requireBaseline: SCENARIO_DEFAULTS.requireBaseline,
  metrics: REGRESSION_DEFAULTS,
};

interface CompareOptions {
  baseline?: string;
  branch?: string;
  dir?: string;
  scenario?: string;
  json?: boolean;
}

interface GateRules {
  readonly thresholds: readonly Threshold[];
  readonly policy: RegressionPolicy;
  readonly from: string;
}

async function gateRules(io: CliIO, report: RunReportV2, reportArg: string, scenarioArg: string | undefined): Promise<GateRules> {
  if (scenarioArg === undefined) {
    return {
      thresholds: thresholdsFromReport(report, reportArg),
      policy: DEFAULT_REGRESSION_POLICY,
      from: "the report's thresholds and the default regression rules (--scenario <file> applies the scenario's own)",
    };
  }
  const loaded = await loadScenarioOrThrow(resolve(io.cwd, scenarioArg));
  for (const w of loaded.warnings) io.stderr(formatDiagnostic(w) + '\n');
  if (loaded.scenario.name !== report.scenario.name) {
    throw new GasHammerError(ErrorCodes.BaselineMismatch, `${scenarioArg} is scenario '${loaded.scenario.name}', the report is of scenario '${report.scenario.name}'`);
  }
  return { thresholds: loaded.scenario.gate.thresholds, policy: loaded.scenario.gate.regression, from: `the gate section of ${scenarioArg}` };
}

const signedPct = (x: number | null): string => (x === null ? '-' : `${x > 0 ? '+' : x < 0 ? '-' : ''}${Math.abs(x).toFixed(1)}%`);
const pValueText = (p: number | null): string => (p === null ? '-' : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));

function describeBaseline(ref: BaselineRef | null, note: string | undefined): string {
  if (ref === null) return `none: ${note ?? 'none found'}`;
  return `${ref.source}: branch ${ref.branch}, ${ref.runs} run(s), newest saved ${ref.savedAt}${ref.commit ? ` at commit ${ref.commit.slice(0, 12)}` : ''}`;
}

function renderText(report: RunReportV2, reportArg: string, rules: GateRules, baselineNote: string | undefined, gate: GateReport): string {
  const out: string[] = [];
  out.push(`report    ${reportArg}: run ${report.runId}, scenario ${report.scenario.name} (hash ${report.scenario.hash.slice(0, 12)})`);
  out.push(`baseline  ${describeBaseline(gate.baseline, baselineNote)}`);
  out.push(`rules     ${rules.from}`);
  if (gate.regressions.length > 0) {
    out.push('', 'Regressions');
    out.push(
      textTable(
        ['metric', 'baseline', 'current', 'delta', 'p-value', 'decision'],
        gate.regressions.map((r) => [
          r.metric,
          formatMetricValue(r.metric, r.baseline),
          formatMetricValue(r.metric, r.current),
          signedPct(r.deltaPct),
          pValueText(r.pValue),
          r.decision,
        ]),
        [1, 2, 3, 4],
      ),
    );
  }
  if (gate.thresholds.length > 0) {
    out.push('', 'Thresholds');
    out.push(
      textTable(
        ['threshold', 'level', 'actual', 'result'],
        gate.thresholds.map((t) => [t.source, t.level, formatMetricValue(t.metric, t.actual), t.passed ? 'met' : t.actual === null ? 'no value' : 'not met']),
        [2],
      ),
    );
  }
  out.push('', `verdict: ${gate.verdict.toUpperCase()}`);
  for (const r of gate.reasons) out.push(`  ${r.level}: ${r.text}`);
  return out.join('\n') + '\n';
}

export function registerCompareCommand(program: Command, io: CliIO): void {
  program
    .command('compare')
    .description('compare a run with a baseline and give the gate verdict: exit 0 pass or warn, 99 fail, 98 inconclusive')
    .argument('<report>', 'the run report (report.json)')
    .option('--baseline <file>', 'the baseline file to compare with')
    .option('--branch <name>', `the branch whose baseline to compare with, found under --dir`)
    .option('--dir <path>', `with --branch: the baselines folder (default ${DEFAULT_BASELINE_DIR})`)
    .option('--scenario <file>', "the run's scenario: its gate thresholds and regression rules apply (default: the report's thresholds, default rules)")
    .option('--json', 'print the gate report as JSON')
    .action(async (reportArg: string, opts: CompareOptions) => {
      const choice = baselineChoice(opts, '--dir');
      if (choice === undefined) throw new GasHammerError(ErrorCodes.Usage, 'give one of --baseline <file> or --branch <name>: `gashammer compare report.json --branch main`');
      const report = await readRunReport(resolve(io.cwd, reportArg), reportArg);
      const rules = await gateRules(io, report, reportArg, opts.scenario);
      const found = await findBaseline(io, report.scenario, choice);
      const comparable = found.file;
      const baselineNote = found.note;
      const gate = decideGate({
        completion: report.completion,
        telemetryLossRatio: report.telemetry.lossRatio,
        oracle: report.oracle,
        metrics: report.metrics,
        thresholds: rules.thresholds,
        regressions: comparable ? compareWithBaseline(report, comparable, rules.policy) : undefined,
        baseline: comparable ? baselineRef(comparable, found.source) : null,
        requireBaseline: rules.policy.requireBaseline,
        minSamples: rules.policy.minSamples,
        sampleCount: report.totals.txIncluded,
        ...(baselineNote === undefined ? {} : { baselineNote }),
      });
      io.stdout(opts.json ? JSON.stringify(gate, null, 2) + '\n' : renderText(report, reportArg, rules, baselineNote, gate));
      const code = EXIT_FOR_VERDICT[gate.verdict];
      if (code !== ExitCode.Ok) throw new ExitWith(code);
    });
}
