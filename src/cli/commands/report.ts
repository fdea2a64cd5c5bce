// `gashammer report <run-dir>`: recomputes a past run's report from its folder (run record,
// scenario copy, chain snapshots, Parquet telemetry), optionally against a baseline, writes
// report.json, report.md and report.html there, prints the verdict and exits with its code.

import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import { computeRunReport, writeReports } from '../../report/report-engine.js';
import { readRunRecord } from '../../report/run-files.js';
import { ExitWith, type CliIO } from '../io.js';
import { addBaselineFlags, baselineFromFlags, exitCodeOfVerdict, verdictSummary, type BaselineOptions } from '../run/report-output.js';

interface ReportFlags extends BaselineOptions {
  readonly json?: boolean;
}

export function registerReportCommand(program: Command, io: CliIO): void {
  const command = program
    .command('report')
    .description("recompute a run's report from its folder and print the gate verdict")
    .argument('<run-dir>', 'the run folder (<out>/runs/<run id>)')
    .option('--json', 'print report.json on stdout');
  addBaselineFlags(command).action(async (dir: string, flags: ReportFlags) => {
    const runDir = resolve(io.cwd, dir);
    const record = await readRunRecord(runDir);
    const report = await computeRunReport(runDir, await baselineFromFlags(flags, record.scenario, io));
    const paths = await writeReports(runDir, report);
    const rel = (p: string) => relative(io.cwd, p) || p;
    if (flags.json) io.stdout(JSON.stringify(report, null, 2) + '\n');
    (flags.json ? io.stderr : io.stdout)(verdictSummary(report, { json: rel(paths.json), markdown: rel(paths.markdown), html: rel(paths.html) }));
    const code = exitCodeOfVerdict(report, false);
    if (code !== ExitCode.Ok) throw new ExitWith(code);
  });
}
