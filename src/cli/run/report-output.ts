// What `gashammer run` and `gashammer report` share once a report exists: finding the baseline
// the user named (--baseline FILE, or --branch B under --baselines-dir), the verdict summary
// printed to the terminal, and the exit code the verdict maps to (docs/cli.md).

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readBaselineFile, FileBaselineStore } from '../../baseline/store.js';
import { checkBranchName } from '../../baseline/branch-path.js';
import { ErrorCodes } from '../../errors/codes.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import type { ReportOptions } from '../../report/report-engine.js';
import type { RunReportV2 } from '../../report/report-types.js';

export interface BaselineFlags {
  readonly baseline?: string;
  readonly branch?: string;
  readonly baselinesDir?: string;
}

export function addBaselineFlags(command: Command): Command {
  return command
    .option('--baseline <file>', 'compare with this baseline file')
    .option('--branch <name>', 'compare with the baseline saved for this branch (under --baselines-dir)')
    .option('--baselines-dir <dir>', 'where branch baselines live (default baselines)');
}

/** The baseline the flags name; undefined when none was asked for or the branch has none yet. */
export async function baselineFromFlags(flags: BaselineFlags, scenarioName: string, cwd: string): Promise<ReportOptions['baseline']> {
  if (flags.baseline !== undefined && flags.branch !== undefined) {
    throw new GasHammerError(ErrorCodes.Usage, 'give --baseline FILE or --branch NAME, not both');
  }
  if (flags.baseline !== undefined) {
    const path = resolve(cwd, flags.baseline);
    const file = await readBaselineFile(path);
    if (file === undefined) throw new GasHammerError(ErrorCodes.BaselineNotFound, `the baseline file ${flags.baseline} does not exist`);
    if (file.scenario.name !== scenarioName) {
      throw new GasHammerError(ErrorCodes.BaselineMismatch, `${flags.baseline} is a baseline of scenario '${file.scenario.name}', not '${scenarioName}'`);
    }
    return { file, source: flags.baseline };
  }
  if (flags.branch !== undefined) {
    const branch = checkBranchName(flags.branch);
    const store = new FileBaselineStore(resolve(cwd, flags.baselinesDir ?? 'baselines'));
    const file = await store.load(branch, scenarioName);
    return file === undefined ? undefined : { file, source: `${flags.baselinesDir ?? 'baselines'} (branch ${branch})` };
  }
  return undefined;
}

/** The terminal summary: the verdict first, then why, then the key figures and the files. */
export function verdictSummary(report: RunReportV2, files: { readonly json: string; readonly markdown: string; readonly html: string }): string {
  const lines: string[] = [];
  const aborted = report.completion.state === 'aborted' ? ` (aborted: ${report.completion.reason})` : '';
  lines.push(`\nrun ${report.runId}: ${report.gate.verdict.toUpperCase()}${aborted}`);
  for (const r of report.gate.reasons) lines.push(`  ${r.level === 'info' ? '-' : r.level.toUpperCase()}: ${r.text}`);
  for (const p of report.phases) {
    const p99 = p.latency.inclusion.corrected.p99;
    lines.push(
      `  phase ${p.index + 1} ${p.name}: offered ${(p.offeredGasPerSec / 1e6).toFixed(2)} Mgas/s, achieved ${(p.achievedGasPerSec / 1e6).toFixed(2)} Mgas/s; ` +
        `${p.txSubmitted} sent, ${p.txIncluded} included, ${p.txFailed} failed, ${p.txTimeout} timed out; p99 inclusion ${p99 === null ? 'n/a' : `${Math.round(p99)} ms`}`,
    );
  }
  const o = report.oracle;
  lines.push(`  oracle: ${o.invariants.length === 0 ? 'no invariants selected' : o.invariants.map((i) => `${i.name} ${i.status}${i.violationCount ? ` (${i.violationCount})` : ''}`).join(', ')}`);
  const t = report.telemetry;
  lines.push(`  telemetry: ${t.eventsRead} events read, ${t.eventsDropped} dropped, ${t.eventsMissing} missing, ${t.files.length} Parquet file(s)`);
  for (const n of report.notes) lines.push(`  note: ${n}`);
  lines.push(`  report: ${files.html}, ${files.markdown}, ${files.json}`);
  return lines.join('\n') + '\n';
}

/** The exit code of a verdict (an interrupted run is 130 whatever the figures say). */
export function exitCodeOfVerdict(report: RunReportV2, interrupted: boolean): number {
  if (interrupted) return ExitCode.Interrupted;
  switch (report.gate.verdict) {
    case 'pass':
    case 'warn':
      return ExitCode.Ok;
    case 'fail':
      return ExitCode.GateFail;
    case 'inconclusive':
      return ExitCode.Inconclusive;
  }
}
