// What `gashammer run` and `gashammer report` share once a report exists: the baseline flags
// (looked up as `compare` does, baseline-lookup.ts), the verdict summary
// printed to the terminal, and the exit code the verdict maps to (docs/cli.md).

import type { Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import type { ReportOptions } from '../../report/report-engine.js';
import type { RunReportV2 } from '../../report/report-types.js';
import { baselineChoice, EXIT_FOR_VERDICT, findBaseline } from '../baseline-lookup.js';
import { DEFAULT_BASELINE_DIR } from '../commands/baseline.js';
import type { CliIO } from '../io.js';

export interface BaselineOptions {
  readonly baseline?: string;
  readonly branch?: string;
  readonly baselinesDir?: string;
}

export function addBaselineFlags(command: Command): Command {
  return command
    .option('--baseline <file>', 'compare with this baseline file')
    .option('--branch <name>', 'compare with the baseline saved for this branch (under --baselines-dir)')
    .option('--baselines-dir <dir>', `where branch baselines live (default ${DEFAULT_BASELINE_DIR})`);
}

/** The baseline the flags name, for the report engine: none asked for gives `{}`. */
export async function baselineFromFlags(flags: BaselineOptions, scenario: { readonly name: string; readonly hash: string }, io: CliIO): Promise<ReportOptions> {
  const choice = baselineChoice({ ...flags, ...(flags.baselinesDir === undefined ? {} : { dir: flags.baselinesDir }) }, '--baselines-dir');
  if (choice === undefined) return {};
  const found = await findBaseline(io, scenario, choice);
  return {
    ...(found.file ? { baseline: { file: found.file, source: found.source } } : {}),
    ...(found.note === undefined ? {} : { baselineNote: found.note }),
  };
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
  return interrupted ? ExitCode.Interrupted : EXIT_FOR_VERDICT[report.gate.verdict];
}
