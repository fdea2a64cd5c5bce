// The edge child processes of `gashammer run`: one `gashammer edge --hive` per edge, tied to this
// process so none outlives it, with their output kept in a log file per edge.

import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../util/build-info.js';
import { killOnExit, tiedLauncher } from '../../util/tied-child.js';

export interface EdgeProcess {
  readonly name: string;
  readonly pid: number | undefined;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  signal(signal: NodeJS.Signals): void;
}

export interface SpawnEdgesOptions {
  readonly count: number;
  readonly hiveAddress: string;
  readonly logDir: string;
  /** Environment of the edges (GASHAMMER_FUNDER_KEY reaches them this way, never on the wire). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logLevel: string;
  /** The CLI script to run (`<script> edge ...`): bin/gashammer.js, or the Action bundle's dist/cli.js. */
  readonly cliScript?: string;
}

export function spawnEdges(options: SpawnEdgesOptions): EdgeProcess[] {
  const bin = options.cliScript ?? join(packageRoot(), 'bin', 'gashammer.js');
  const tie = tiedLauncher();
  return Array.from({ length: options.count }, (_, i) => {
    const name = `edge-${i}`;
    const args = [bin, 'edge', '--hive', options.hiveAddress, '--name', name, '--log-format', 'json', '--log-level', options.logLevel];
    const command = tie ? tie.command : process.execPath;
    const child = spawn(command, tie ? [...tie.prefix, process.execPath, ...args] : args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Any free metrics port: N edges on one machine cannot share the default.
      env: { ...options.env, GASHAMMER_LOG_FORMAT: 'json', GASHAMMER_TELEMETRY_PROMETHEUS_PORT: '0' } as NodeJS.ProcessEnv,
    });
    killOnExit(child);
    const logFile = join(options.logDir, `${name}.log`);
    const log = createWriteStream(logFile);
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => {
        // Let the pipes deliver what the edge wrote last before the log closes.
        setImmediate(() => log.end());
        resolve(code ?? signal ?? 'unknown');
      });
    });
    return {
      name,
      pid: child.pid,
      logFile,
      exited,
      signal: (s) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(s);
      },
    };
  });
}
