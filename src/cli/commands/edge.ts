// `gashammer edge`: the edge worker process. Loads edge.toml (with env and flag overrides),
// and either serves a hive (hive.address / --hive: takes runs over gRPC and ships telemetry) or
// plays an edge's share of a scenario standalone with `--scenario` (events written as JSON
// lines). SIGINT and SIGTERM end it gracefully: stop generating, wait for pending transactions,
// flush telemetry, leave the hive, exit 0.

import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { addConfigFlags, EDGE_FLAGS, flagValues, loadEdgeConfig } from '../../config/load.js';
import type { EdgeConfig } from '../../config/schema.js';
import { startEmbeddedDevnet, type EmbeddedDevnet } from '../../devnet/embedded-devnet.js';
import { EdgeRun, type EdgeTarget } from '../../edge/edge-run.js';
import { HiveLink } from '../../edge/hive-link.js';
import { HiveSession } from '../../edge/hive-session.js';
import { ErrorCodes } from '../../errors/codes.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import { createLogger, withContext, type Logger } from '../../logging/logger.js';
import { createEdgeMetrics } from '../../metrics/edge-metrics.js';
import { serveMetrics } from '../../metrics/serve.js';
import { compileScenario } from '../../scenario/compile.js';
import { loadScenarioOrThrow } from '../../scenario/load.js';
import { MAX_EDGES } from '../../scenario/schema.js';
import type { TelemetryEvent } from '../../telemetry/events.js';
import type { CliIO } from '../io.js';
import { parseWholeNumber } from './plan.js';

/** JSON line of an event: bigints as decimal strings. */
export function eventLine(e: TelemetryEvent): string {
  return JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function onSignal(handler: (signal: NodeJS.Signals) => void): () => void {
  const on = (s: NodeJS.Signals) => handler(s);
  process.once('SIGINT', on);
  process.once('SIGTERM', on);
  return () => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
}

/**
 * Serves the hive at hive.address until SIGINT/SIGTERM: registers, takes runs, and registers
 * again if the hive forgets this edge (it was reaped) or restarts.
 */
async function serveHive(cfg: EdgeConfig, io: CliIO, logger: Logger): Promise<void> {
  let session: HiveSession | undefined;
  let stopping = false;
  const metrics = createEdgeMetrics(undefined, { processMetrics: true });
  // Metrics are a convenience: a taken port costs a warning, not the edge.
  const endpoint = await serveMetrics(metrics.registry, '127.0.0.1', cfg.telemetry.prometheus_port).catch((error: Error) => {
    logger.warn(`metrics endpoint not started on port ${cfg.telemetry.prometheus_port}: ${error.message}`);
    return undefined;
  });
  if (endpoint) logger.info(`metrics on http://127.0.0.1:${endpoint.port}/metrics`);
  const unhook = onSignal((signal) => {
    stopping = true;
    logger.info(`${signal}: finishing the current run and leaving the hive`);
    void session?.shutdown();
  });
  try {
    while (!stopping) {
      const link = await HiveLink.register({ address: cfg.hive.address, name: cfg.edge.name, connectTimeoutMs: 30_000 });
      const log = withContext(logger, { edge_id: link.edgeId });
      log.info(`registered with the hive at ${cfg.hive.address} as ${link.edgeId}`);
      session = new HiveSession({
        link,
        mnemonic: cfg.accounts.mnemonic,
        derivationBase: cfg.accounts.derivation_base,
        bufferCapacity: cfg.telemetry.buffer_size,
        flushIntervalMs: cfg.telemetry.flush_interval_ms,
        poolConnections: cfg.nitro.rpc.connection_pool_size,
        metrics,
        log: (level, message) => log[level](message),
      });
      const reason = await session.serve();
      link.close();
      if (!stopping) log.warn(`left the hive: ${reason}; registering again`);
    }
  } finally {
    unhook();
    await endpoint?.close();
  }
}

export function registerEdgeCommand(program: Command, io: CliIO): void {
  const command = program
    .command('edge')
    .description('run an edge worker: standalone with --scenario, or for a hive (--hive)')
    .option('--scenario <file>', 'play this scenario standalone (no hive), as edge --edge-index of its plan')
    .option('--edge-index <i>', 'which edge of the plan to play (from 0; default 0)', (v) => parseWholeNumber('--edge-index', v, 0, MAX_EDGES - 1))
    .option('--out <dir>', 'write the telemetry events to <dir>/events-<edge>.jsonl (default: count them only)')
    .option('--drain-timeout <secs>', 'how long to wait for pending transactions at the end (default 30)', (v) => parseWholeNumber('--drain-timeout', v, 0, 3_600));
  addConfigFlags(command, EDGE_FLAGS);
  command.action(async (opts: Record<string, unknown>) => {
    const { configPath, flags } = flagValues(EDGE_FLAGS, opts);
    const loaded = await loadEdgeConfig({ ...(configPath ? { configPath } : {}), cwd: io.cwd, env: io.env, flags });
    const cfg = loaded.config;
    const runId = randomUUID();
    const edgeId = cfg.edge.name;
    const logger = withContext(createLogger({ level: cfg.logging.level, format: cfg.logging.format }), { run_id: runId, edge_id: edgeId });
    for (const w of loaded.warnings) logger.warn(w.message);

    const scenarioFile = opts.scenario as string | undefined;
    if (!scenarioFile) {
      await serveHive(cfg, io, logger);
      return;
    }
    const loadedScenario = await loadScenarioOrThrow(scenarioFile);
    const plan = compileScenario(loadedScenario.scenario);
    const edgeIndex = (opts.edgeIndex as number | undefined) ?? 0;
    if (edgeIndex >= plan.edges.length) {
      throw new GasHammerError(ErrorCodes.Usage, `--edge-index ${edgeIndex} does not exist: the plan has ${plan.edges.length} edge(s)`);
    }

    // The target: the edge's own nitro.* endpoints when set, else what the scenario names.
    let devnet: EmbeddedDevnet | undefined;
    let target: EdgeTarget;
    let funderKey: `0x${string}` | undefined;
    const t = plan.target;
    if (cfg.nitro.sequencer_rpc === undefined && t.kind === 'devnet') {
      logger.info('starting the embedded devnet');
      devnet = await startEmbeddedDevnet();
      target = { rpcUrl: devnet.rpcUrl, wsUrl: devnet.wsUrl, feedUrl: devnet.feedUrl, chainId: devnet.chainId, contracts: devnet.contracts };
      funderKey = devnet.faucet.privateKey;
    } else if (cfg.nitro.sequencer_rpc !== undefined || t.kind === 'remote') {
      throw new GasHammerError(ErrorCodes.NotAvailableYet, 'a standalone edge runs against the embedded devnet only in this version', {
        hint: 'test contracts must be deployed on other targets first; that arrives with `gashammer run`',
      });
    } else {
      throw new GasHammerError(ErrorCodes.NotAvailableYet, `target ${t.kind} is not supported by a standalone edge yet`);
    }

    const out = opts.out as string | undefined;
    const sink = out ? await mkdir(out, { recursive: true }).then(() => createWriteStream(join(out, `events-${edgeId}.jsonl`))) : undefined;
    let written = 0;
    const flush = (run: EdgeRun) => {
      for (const e of run.buffer.drain(run.buffer.size) as TelemetryEvent[]) {
        sink?.write(eventLine(e) + '\n');
        written++;
      }
    };

    let run: EdgeRun | undefined;
    let stopping = false;
    const unhook = onSignal((signal) => {
      stopping = true;
      logger.info(`${signal}: stopping the workload`);
      run?.stop();
    });
    try {
      run = await EdgeRun.prepare({
        plan,
        edgeIndex,
        runId,
        edgeId,
        target,
        mnemonic: cfg.accounts.mnemonic,
        derivationBase: cfg.accounts.derivation_base,
        ...(funderKey ? { funderKey } : {}),
        bufferCapacity: cfg.telemetry.buffer_size,
        poolConnections: cfg.nitro.rpc.connection_pool_size,
        log: (m) => logger.info(m),
      });
      const flusher = setInterval(() => flush(run!), cfg.telemetry.flush_interval_ms);
      try {
        for (let i = 0; i < plan.phases.length && !stopping; i++) {
          logger.info(`phase ${i} (${plan.phases[i]!.name}) starts`);
          const r = await run.runPhase(i);
          logger.info(`phase ${i} ends: sent ${r.sent}, late ${r.late}, dropped ${r.dropped}`);
        }
        await run.finish(((opts.drainTimeout as number | undefined) ?? 30) * 1000);
      } finally {
        clearInterval(flusher);
        flush(run);
      }
      const stats = run.stats();
      io.stdout(
        `edge ${edgeId}: ${stats.submitter.submitted} sent, ${stats.submitter.accepted} accepted, ${stats.tracker.matched} included, ` +
          `${stats.submitter.failed} failed, ${stats.tracker.timeouts} timed out; ${written} events${out ? ` written to ${out}` : ''}, ${stats.telemetryDropped} dropped\n`,
      );
    } finally {
      unhook();
      await new Promise<void>((resolve) => (sink ? sink.end(() => resolve()) : resolve()));
      await devnet?.stop();
    }
  });
}
