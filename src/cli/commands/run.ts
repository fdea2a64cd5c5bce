// `gashammer run <scenario>`: the main job on one machine. Starts the target (the embedded devnet
// unless --target names a chain), an in-process hive on loopback, and one `gashammer edge` child
// process per edge (runner/local-run.ts); runs the scenario through the hive; writes the Parquet
// telemetry and the report; prints progress each second and the outcome; exits with the
// documented code.
// Ctrl-C aborts cleanly: the edges stop and flush, the partial data and report are kept, and no
// process is left behind.

import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { ErrorCodes } from '../../errors/codes.js';
import { formatDiagnostic } from '../../errors/diagnostic.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import type { RunReportV2 } from '../../report/report-types.js';
import { REPORT_FILES } from '../../report/run-files.js';
import type { RunReport } from '../../report/run-report.js';
import { compileScenario } from '../../scenario/compile.js';
import { loadScenarioOrThrow } from '../../scenario/load.js';
import { MAX_EDGES } from '../../scenario/schema.js';
import { redactUrl } from '../../util/redact.js';
import { RunCancelledBeforeStart, runLocally, type RunTarget } from '../../runner/local-run.js';
import { ExitWith, type CliIO } from '../io.js';
import { ProgressLine } from '../run/progress.js';
import { addBaselineFlags, baselineFromFlags, exitCodeOfVerdict, verdictSummary, type BaselineOptions } from '../run/report-output.js';
import { parseEdgeCount } from './plan.js';

interface RunOptions extends BaselineOptions {
  readonly target?: string;
  readonly edges?: number;
  readonly out?: string;
  readonly json?: boolean;
}

/**
 * How a finished run maps to the process exit code (docs/cli.md): the gate verdict's code,
 * except that a run aborted by a signal is 130 and one aborted by a failure is 1.
 */
export function exitCodeOf(record: RunReport, report: RunReportV2, interrupted: boolean): number {
  if (record.outcome.state === 'aborted') return interrupted ? ExitCode.Interrupted : ExitCode.Internal;
  return exitCodeOfVerdict(report, interrupted);
}

function parseTarget(value: string): string {
  if (value === 'devnet') return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GasHammerError(ErrorCodes.Usage, `--target must be "devnet" or an http(s) JSON-RPC URL, got "${redactUrl(value)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new GasHammerError(ErrorCodes.Usage, `--target URL must be http:// or https://, got ${url.protocol}`);
  return value;
}

export function registerRunCommand(program: Command, io: CliIO): void {
  const command = program
    .command('run')
    .description('run a scenario against a target (embedded devnet by default) and judge it')
    .argument('<scenario>', 'scenario YAML file')
    .option('--target <devnet|url>', 'where to send load: "devnet" (embedded, the default) or a JSON-RPC URL', parseTarget)
    .option('--edges <n>', `number of edges, 1-${MAX_EDGES} (overrides edges.count)`, parseEdgeCount)
    .option('--out <dir>', 'where telemetry and reports go (default gashammer-out)')
    .option('--json', 'print the report as JSON on stdout (progress goes to stderr)');
  addBaselineFlags(command).action(async (file: string, opts: RunOptions) => {
    const code = await runScenario(file, opts, io);
    if (code !== ExitCode.Ok) throw new ExitWith(code);
  });
}

async function runScenario(file: string, opts: RunOptions, io: CliIO): Promise<number> {
  const loaded = await loadScenarioOrThrow(file);
  for (const w of loaded.warnings) io.stderr(formatDiagnostic(w) + '\n');
  const plan = compileScenario(loaded.scenario, opts.edges === undefined ? {} : { edges: opts.edges });
  // Read before anything starts, so a wrong baseline flag costs nothing.
  const reportOptions = await baselineFromFlags(opts, { name: plan.scenario.name, hash: plan.scenarioHash }, io);
  const say = opts.json ? io.stderr : io.stdout;
  const outDir = resolve(io.cwd, opts.out ?? 'gashammer-out');
  say(`scenario ${plan.scenario.name}: ${plan.phases.length} phase(s), ${plan.totalDurationSecs}s, ${plan.edges.length} edge(s), hash ${plan.scenarioHash.slice(0, 12)}\n`);
  const targetFlag = opts.target ?? (plan.target.kind === 'remote' ? plan.target.sequencerRpc : 'devnet');
  const target: RunTarget = targetFlag === 'devnet' ? { kind: 'devnet' } : { kind: 'rpc', rpcUrl: targetFlag };

  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C: stop waiting for a clean end (the edges are tied to this process).
    if (abort.signal.aborted) process.exit(ExitCode.Interrupted);
    say(`\n${signal}: aborting the run (the edges drain and flush; Ctrl-C again to stop at once)\n`);
    abort.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = new ProgressLine(plan, Date.now());
  const tty = io.isTTY && !opts.json;
  let ticked = false;
  try {
    const result = await runLocally({
      scenarioFile: file,
      plan,
      target,
      outDir,
      reportOptions,
      env: io.env,
      say,
      cwd: io.cwd,
      signal: abort.signal,
      onTick: (view) => {
        ticked = true;
        const line = progress.render(view, Date.now());
        say(tty ? `\r\x1b[2K${line}` : `${line}\n`);
      },
    });
    if (tty && ticked) say('\n');
    const { record, report, runDir, interrupted } = result;
    const rel = (name: string) => relative(io.cwd, join(runDir, name)) || name;
    if (report === undefined) {
      say(`\nrun ${record.runId}: the report could not be made (see the messages above); the run folder ${rel('.')} holds the telemetry and run.json\n`);
      return interrupted ? ExitCode.Interrupted : ExitCode.Internal;
    }
    if (opts.json) io.stdout(JSON.stringify(report, null, 2) + '\n');
    say(verdictSummary(report, { json: rel(REPORT_FILES.json), markdown: rel(REPORT_FILES.markdown), html: rel(REPORT_FILES.html) }));
    return exitCodeOf(record, report, interrupted);
  } catch (e) {
    if (e instanceof RunCancelledBeforeStart) return ExitCode.Interrupted;
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
