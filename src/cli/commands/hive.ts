// `gashammer hive`: the control plane as a long-lived process. Serves edges over gRPC, the REST
// API and Prometheus metrics, and runs scenarios on the edges that registered: each run against
// a fresh embedded devnet, or the remote chain its scenario names. SIGINT/SIGTERM cancel active
// runs (their partial data and reports are kept) and stop it.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { addConfigFlags, flagValues, HIVE_FLAGS, loadHiveConfig } from '../../config/load.js';
import type { HiveConfig } from '../../config/schema.js';
import { ErrorCodes } from '../../errors/codes.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import { Hive, parquetStores, type ProvidedTarget } from '../../hive/hive.js';
import { createRestApp } from '../../hive/rest/app.js';
import { freshDevnetTarget, prepareRemoteTarget } from '../../hive/targets.js';
import { createLogger, type Logger } from '../../logging/logger.js';
import { serveMetrics, type MetricsEndpoint } from '../../metrics/serve.js';
import type { RunPlan } from '../../scenario/compile.js';
import { funderFromEnvironment } from '../../workload/funding.js';
import type { CliIO } from '../io.js';

function listen(server: Server, host: string, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new GasHammerError(ErrorCodes.HiveBind, `the ${what} cannot listen on ${host}:${port}: ${error.message}`)));
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Targets per run: a fresh devnet, or a remote chain prepared once (contracts deployed). */
function targetProvider(io: CliIO): (plan: RunPlan) => Promise<ProvidedTarget> {
  const remotes = new Map<string, Promise<() => Promise<ProvidedTarget>>>();
  return async (plan) => {
    const t = plan.target;
    if (t.kind === 'devnet') return freshDevnetTarget();
    if (t.kind === 'remote') {
      const key = `${t.chainId} ${t.sequencerRpc}`;
      let prepared = remotes.get(key);
      if (!prepared) {
        prepared = prepareRemoteTarget({
          rpcUrl: t.sequencerRpc,
          chainId: t.chainId,
          ...(t.feedRelay ? { feedUrl: t.feedRelay } : {}),
          funderKey: funderFromEnvironment(io.env),
        });
        remotes.set(key, prepared);
        prepared.catch(() => remotes.delete(key));
      }
      return (await prepared)();
    }
    throw new GasHammerError(ErrorCodes.NotAvailableYet, `target ${t.kind} is not supported by the hive yet`, { hint: 'use target: devnet, or a remote target with sequencer_rpc' });
  };
}

function createHive(cfg: HiveConfig, io: CliIO, logger: Logger): Hive {
  const dataDir = cfg.storage.data_dir;
  return new Hive({
    bind: cfg.server.bind_address,
    ...(cfg.server.advertise_address ? { advertiseHost: cfg.server.advertise_address } : {}),
    grpcPort: cfg.server.grpc_port,
    dataDir,
    provideTarget: targetProvider(io),
    openStore: parquetStores(dataDir, {
      rotateBytes: cfg.storage.parquet_rotation_size_mb * 1024 * 1024,
      rotateIntervalMs: cfg.storage.parquet_rotation_interval_secs * 1000,
    }),
    log: (level, message) => logger[level](message),
  });
}

export function registerHiveCommand(program: Command, io: CliIO): void {
  const command = program.command('hive').description('run the hive (control plane): gRPC for edges, REST API, Prometheus metrics');
  addConfigFlags(command, HIVE_FLAGS);
  command.action(async (opts: Record<string, unknown>) => {
    const { configPath, flags } = flagValues(HIVE_FLAGS, opts);
    const loaded = await loadHiveConfig({ ...(configPath ? { configPath } : {}), cwd: io.cwd, env: io.env, flags });
    const cfg = loaded.config;
    const logger = createLogger({ level: cfg.logging.level, format: cfg.logging.format });
    for (const w of loaded.warnings) logger.warn(w.message);

    const hive = createHive(cfg, io, logger);
    const host = cfg.server.bind_address;
    let metrics: MetricsEndpoint | undefined;
    const rest = createServer(createRestApp(hive, { onServerError: (error) => logger.error({ err: error }, 'REST request failed inside the hive') }));
    let stopped!: () => void;
    const whenStopped = new Promise<void>((resolve) => (stopped = resolve));
    const stop = (signal: NodeJS.Signals) => {
      logger.info(`${signal}: cancelling active runs and stopping`);
      void hive.stop(`the hive received ${signal}`).finally(stopped);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await hive.start();
      const restPort = await listen(rest, host, cfg.server.rest_port, 'REST API');
      // GET /metrics is on the REST port too; the Prometheus port serves it alone.
      metrics = await serveMetrics(hive.metrics, host, cfg.telemetry.prometheus_port).catch((error: Error) => {
        throw new GasHammerError(ErrorCodes.HiveBind, `the metrics endpoint cannot listen on ${host}:${cfg.telemetry.prometheus_port}: ${error.message}`);
      });
      const metricsPort = metrics.port;
      logger.info(`hive ready: gRPC ${hive.grpcAddress}, REST http://${host}:${restPort}, metrics http://${host}:${metricsPort}/metrics, data in ${cfg.storage.data_dir}`);
      await whenStopped;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await hive.stop();
      await new Promise<void>((ok) => (rest.listening ? rest.close(() => ok()) : ok()));
      await metrics?.close();
    }
  });
}
