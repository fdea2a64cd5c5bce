// `gashammer run <scenario>`: the main job on one machine. Starts the target (the embedded devnet
// unless --target names a chain), an in-process hive on loopback, and one `gashammer edge` child
// process per edge; runs the scenario through the hive; writes the Parquet telemetry and the
// report; prints progress each second and the outcome; exits with the documented code.
// Ctrl-C aborts cleanly: the edges stop and flush, the partial data and report are kept, and no
// process is left behind.

import { mkdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { configDefaults } from '../../config/schema.js';
import { ErrorCodes } from '../../errors/codes.js';
import { formatDiagnostic } from '../../errors/diagnostic.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import { startEmbeddedDevnet, type EmbeddedDevnet } from '../../devnet/embedded-devnet.js';
import { Hive, parquetStores, type ProvidedTarget } from '../../hive/hive.js';
import { createRestApp } from '../../hive/rest/app.js';
import { devnetTarget, prepareRemoteTarget } from '../../hive/targets.js';
import { createLogger } from '../../logging/logger.js';
import type { RunReportV2 } from '../../report/report-types.js';
import { REPORT_FILES } from '../../report/run-files.js';
import type { RunReport } from '../../report/run-report.js';
import { compileScenario } from '../../scenario/compile.js';
import { loadScenarioOrThrow } from '../../scenario/load.js';
import { MAX_EDGES } from '../../scenario/schema.js';
import { redactUrl } from '../../util/redact.js';
import { funderFromEnvironment } from '../../workload/funding.js';
import { ExitWith, type CliIO } from '../io.js';
import { spawnEdges, type EdgeProcess } from '../run/edge-processes.js';
import { ProgressLine } from '../run/progress.js';
import { addBaselineFlags, baselineFromFlags, exitCodeOfVerdict, verdictSummary, type BaselineOptions } from '../run/report-output.js';
import { parseEdgeCount } from './plan.js';

const HIVE_DEFAULTS = configDefaults('hive');

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
  const logDir = join(outDir, 'logs');
  await mkdir(logDir, { recursive: true }).catch((cause: unknown) => {
    throw new GasHammerError(ErrorCodes.OutputWrite, `cannot create the output folder ${outDir}`, { cause });
  });
  const logger = createLogger({ level: 'warn', format: 'pretty' });
  const source = await readFile(file, 'utf8');
  say(`scenario ${plan.scenario.name}: ${plan.phases.length} phase(s), ${plan.totalDurationSecs}s, ${plan.edges.length} edge(s), hash ${plan.scenarioHash.slice(0, 12)}\n`);

  // The target.
  let devnet: EmbeddedDevnet | undefined;
  let provide: () => Promise<ProvidedTarget>;
  const targetFlag = opts.target ?? (plan.target.kind === 'remote' ? plan.target.sequencerRpc : 'devnet');
  if (targetFlag === 'devnet') {
    say('starting the embedded devnet\n');
    devnet = await startEmbeddedDevnet();
    const provided = devnetTarget(devnet);
    provide = async () => provided;
    say(`devnet: chain ${devnet.chainId}, rpc ${devnet.rpcUrl}, feed ${devnet.feedUrl}\n`);
  } else {
    const remote = plan.target.kind === 'remote' ? plan.target : undefined;
    provide = await prepareRemoteTarget({
      rpcUrl: targetFlag,
      chainId: plan.target.chainId,
      ...(remote?.feedRelay ? { feedUrl: remote.feedRelay } : {}),
      funderKey: funderFromEnvironment(io.env),
    });
    say(`target: chain ${plan.target.chainId} at ${redactUrl(targetFlag)}\n`);
  }

  const hive = new Hive({
    bind: '127.0.0.1',
    grpcPort: 0,
    dataDir: outDir,
    provideTarget: () => provide(),
    // The hive's default rotation (hive.toml storage.*).
    openStore: parquetStores(outDir, { rotateBytes: HIVE_DEFAULTS.storage.parquet_rotation_size_mb * 1024 * 1024, rotateIntervalMs: HIVE_DEFAULTS.storage.parquet_rotation_interval_secs * 1000 }),
    log: (level, message) => logger[level](message),
    reportOptions,
  });
  let edges: EdgeProcess[] = [];
  let server: Server | undefined;
  let interrupted = false;
  let runId: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      // A second Ctrl-C: stop waiting for a clean end.
      for (const e of edges) e.signal('SIGKILL');
      process.exit(ExitCode.Interrupted);
    }
    interrupted = true;
    say(`\n${signal}: aborting the run (the edges drain and flush; Ctrl-C again to stop at once)\n`);
    if (runId) hive.cancelRun(runId, `interrupted (${signal})`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await hive.start();
    const app = createRestApp(hive, { onServerError: (error) => logger.error({ err: error }, 'REST request failed inside the hive') });
    server = await new Promise<Server>((ok) => {
      const s = app.listen(0, '127.0.0.1', () => ok(s));
    });
    say(`hive: gRPC ${hive.grpcAddress}, REST http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
    edges = spawnEdges({ count: plan.edges.length, hiveAddress: hive.grpcAddress, logDir, env: io.env, logLevel: 'info' });
    const edgesGone = Promise.all(edges.map((e) => e.exited));
    // An edge that dies before registering would otherwise leave us waiting out the timeout.
    await Promise.race([
      hive.waitForEdges(plan.edges.length, 60_000),
      edgesGone.then(() => {
        throw new GasHammerError(ErrorCodes.EdgeRegistration, `the edge processes exited before registering; see ${relative(io.cwd, logDir)}/`);
      }),
    ]);
    if (interrupted) throw new ExitWith(ExitCode.Interrupted);
    hive.putScenario(source);
    const entry = await hive.launch({ scenario: plan.scenario.name, edges: plan.edges.length });
    runId = entry.runId;
    if (interrupted) hive.cancelRun(runId, 'interrupted');
    say(`run ${runId} started\n`);

    const progress = new ProgressLine(plan, Date.now());
    const tty = io.isTTY && !opts.json;
    const ticker = setInterval(() => {
      const view = hive.getRun(entry.runId);
      if (!view) return;
      const line = progress.render(view, Date.now());
      say(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    }, 1_000);
    let record: RunReport;
    let report: RunReportV2 | undefined;
    try {
      record = await entry.done;
      report = await entry.reported;
    } finally {
      clearInterval(ticker);
      if (tty) say('\n');
    }

    const runDir = join(outDir, 'runs', record.runId);
    const rel = (name: string) => relative(io.cwd, join(runDir, name)) || name;
    if (report === undefined) {
      say(`\nrun ${record.runId}: the report could not be made (see the messages above); the run folder ${rel('.')} holds the telemetry and run.json\n`);
      return interrupted ? ExitCode.Interrupted : ExitCode.Internal;
    }
    if (opts.json) io.stdout(JSON.stringify(report, null, 2) + '\n');
    say(verdictSummary(report, { json: rel(REPORT_FILES.json), markdown: rel(REPORT_FILES.markdown), html: rel(REPORT_FILES.html) }));
    return exitCodeOf(record, report, interrupted);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const e of edges) e.signal('SIGTERM');
    await Promise.race([Promise.all(edges.map((e) => e.exited)), new Promise((r) => setTimeout(r, 10_000).unref())]);
    for (const e of edges) e.signal('SIGKILL');
    await hive.stop();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    await devnet?.stop();
  }
}
