// One run of a scenario on this machine, the way `gashammer run` and the GitHub Action make it:
// the target (the embedded devnet, the Nitro dev node in a container, or a chain at a URL), an
// in-process hive on loopback, one edge child process per edge, the run through the hive, and
// its report. The caller says what to print and may cancel (Ctrl-C); this module owns the order
// of starting and stopping, so that no process or container outlives a run however it ends.

import { mkdir, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { configDefaults } from '../config/schema.js';
import { startEmbeddedDevnet } from '../devnet/embedded-devnet.js';
import type { Devnet } from '../devnet/embedded-devnet.js';
import { startNitroDevnet } from '../devnet/nitro-container.js';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { Hive, parquetStores, type ProvidedTarget } from '../hive/hive.js';
import { createRestApp } from '../hive/rest/app.js';
import { devnetTarget, prepareRemoteTarget } from '../hive/targets.js';
import { createLogger } from '../logging/logger.js';
import type { ReportOptions } from '../report/report-engine.js';
import type { RunReportV2 } from '../report/report-types.js';
import type { RunReport as RunRecord } from '../report/run-report.js';
import type { RunView } from '../hive/api.js';
import type { RunPlan } from '../scenario/compile.js';
import { redactUrl } from '../util/redact.js';
import { funderFromEnvironment } from '../workload/funding.js';
import { spawnEdges, type EdgeProcess } from '../cli/run/edge-processes.js';

const HIVE_DEFAULTS = configDefaults('hive');

/** Where the load goes. */
export type RunTarget =
  | { readonly kind: 'devnet' }
  | { readonly kind: 'nitro'; readonly image?: string }
  | { readonly kind: 'rpc'; readonly rpcUrl: string; readonly feedUrl?: string };

export interface LocalRunOptions {
  /** The scenario file (its text goes to the hive) and its compiled plan. */
  readonly scenarioFile: string;
  readonly plan: RunPlan;
  readonly target: RunTarget;
  /** Telemetry, logs and reports go under it (runs/<run id>/). */
  readonly outDir: string;
  readonly reportOptions?: ReportOptions;
  /** Environment of the edges (and GASHAMMER_FUNDER_KEY for a chain at a URL). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The CLI script the edges run (`<script> edge --hive ...`); bin/gashammer.js by default. */
  readonly cliScript?: string;
  /** Progress lines for a person. */
  readonly say: (line: string) => void;
  /** Called each second while the run plays. */
  readonly onTick?: (view: RunView) => void;
  /** Aborts the run (the edges drain and flush); the result is then marked interrupted. */
  readonly signal?: AbortSignal;
  /** Paths in messages are shown relative to it. */
  readonly cwd: string;
}

export interface LocalRunResult {
  readonly record: RunRecord;
  /** Undefined when the report could not be made (the run folder still holds the telemetry). */
  readonly report: RunReportV2 | undefined;
  readonly runDir: string;
  readonly interrupted: boolean;
}

interface StartedTarget {
  readonly provide: () => Promise<ProvidedTarget>;
  readonly stop: () => Promise<void>;
}

async function startTarget(options: LocalRunOptions): Promise<StartedTarget> {
  const { target, plan, say } = options;
  if (target.kind === 'rpc') {
    const remote = plan.target.kind === 'remote' ? plan.target : undefined;
    const feedUrl = target.feedUrl ?? remote?.feedRelay;
    const provide = await prepareRemoteTarget({
      rpcUrl: target.rpcUrl,
      chainId: plan.target.chainId,
      ...(feedUrl ? { feedUrl } : {}),
      funderKey: funderFromEnvironment(options.env),
    });
    say(`target: chain ${plan.target.chainId} at ${redactUrl(target.rpcUrl)}\n`);
    return { provide, stop: async () => undefined };
  }
  let devnet: Devnet;
  if (target.kind === 'nitro') {
    say(`starting the Nitro dev node container${target.image ? ` (${target.image})` : ''}\n`);
    devnet = await startNitroDevnet(target.image ? { image: target.image } : {});
  } else {
    say('starting the embedded devnet\n');
    devnet = await startEmbeddedDevnet();
  }
  const provided = devnetTarget(devnet);
  say(`devnet: chain ${devnet.chainId}, rpc ${devnet.rpcUrl}, feed ${devnet.feedUrl}\n`);
  return { provide: async () => provided, stop: () => devnet.stop() };
}

export async function runLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const { plan, say, cwd } = options;
  const logDir = join(options.outDir, 'logs');
  await mkdir(logDir, { recursive: true }).catch((cause: unknown) => {
    throw new GasHammerError(ErrorCodes.OutputWrite, `cannot create the output folder ${options.outDir}`, { cause });
  });
  const logger = createLogger({ level: 'warn', format: 'pretty' });
  const source = await readFile(options.scenarioFile, 'utf8');
  const target = await startTarget(options);

  const hive = new Hive({
    bind: '127.0.0.1',
    grpcPort: 0,
    dataDir: options.outDir,
    provideTarget: () => target.provide(),
    // The hive's default rotation (hive.toml storage.*).
    openStore: parquetStores(options.outDir, {
      rotateBytes: HIVE_DEFAULTS.storage.parquet_rotation_size_mb * 1024 * 1024,
      rotateIntervalMs: HIVE_DEFAULTS.storage.parquet_rotation_interval_secs * 1000,
    }),
    log: (level, message) => logger[level](message),
    ...(options.reportOptions ? { reportOptions: options.reportOptions } : {}),
  });
  let edges: EdgeProcess[] = [];
  let server: Server | undefined;
  let runId: string | undefined;
  const signal = options.signal;
  const onAbort = () => {
    if (runId) hive.cancelRun(runId, `interrupted (${String(signal?.reason ?? 'aborted')})`);
  };
  signal?.addEventListener('abort', onAbort);
  try {
    await hive.start();
    const app = createRestApp(hive, { onServerError: (error) => logger.error({ err: error }, 'REST request failed inside the hive') });
    server = await new Promise<Server>((ok) => {
      const s = app.listen(0, '127.0.0.1', () => ok(s));
    });
    say(`hive: gRPC ${hive.grpcAddress}, REST http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
    edges = spawnEdges({
      count: plan.edges.length,
      hiveAddress: hive.grpcAddress,
      logDir,
      env: options.env,
      logLevel: 'info',
      ...(options.cliScript ? { cliScript: options.cliScript } : {}),
    });
    const edgesGone = Promise.all(edges.map((e) => e.exited));
    // An edge that dies before registering would otherwise leave us waiting out the timeout.
    await Promise.race([
      hive.waitForEdges(plan.edges.length, 60_000),
      edgesGone.then(() => {
        throw new GasHammerError(ErrorCodes.EdgeRegistration, `the edge processes exited before registering; see ${relative(cwd, logDir) || logDir}/`);
      }),
    ]);
    if (signal?.aborted) throw new RunCancelledBeforeStart('the run was cancelled before it started');
    hive.putScenario(source);
    const entry = await hive.launch({ scenario: plan.scenario.name, edges: plan.edges.length });
    runId = entry.runId;
    if (signal?.aborted) onAbort();
    say(`run ${runId} started\n`);

    const ticker = options.onTick
      ? setInterval(() => {
          const view = hive.getRun(entry.runId);
          if (view) options.onTick!(view);
        }, 1_000)
      : undefined;
    let record: RunRecord;
    let report: RunReportV2 | undefined;
    try {
      record = await entry.done;
      report = await entry.reported;
    } finally {
      if (ticker) clearInterval(ticker);
    }
    return { record, report, runDir: join(options.outDir, 'runs', record.runId), interrupted: signal?.aborted ?? false };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    for (const e of edges) e.signal('SIGTERM');
    await Promise.race([Promise.all(edges.map((e) => e.exited)), new Promise((r) => setTimeout(r, 10_000).unref())]);
    for (const e of edges) e.signal('SIGKILL');
    await hive.stop();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    await target.stop();
  }
}

/** The run was cancelled before it started (while the target or the edges were coming up). */
export class RunCancelledBeforeStart extends Error {
  override readonly name = 'RunCancelledBeforeStart';
}
