// What the kernel fault adapters (netem, iptables) share: running a host tool without a shell,
// optionally inside a network namespace, with the exact command line kept for messages; and
// the host facts their preflights ask about (is the tool there, may this process administer
// the network).

import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where iproute2 and iptables live; not on a non-root user's PATH on Debian and Ubuntu. */
const SBIN_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin'];
/** A listing of a busy ruleset is large; the default 1 MiB would cut it. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 15_000;
/** Bit of CAP_NET_ADMIN in the capability sets (linux/capability.h). */
const CAP_NET_ADMIN_BIT = 12n;

export interface HostCommandOptions {
  /** Run the tool inside this network namespace (`ip netns exec <netns> ...`). */
  readonly netns?: string;
  readonly timeoutMs?: number;
}

export interface HostCommandResult {
  /** The command as a person would type it, for messages and fault descriptions. */
  readonly commandLine: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How a kernel adapter's clear went; every outcome leaves the fault out of force. */
export type ClearOutcome =
  /** The adapter removed what it had applied. */
  | 'removed'
  /** It was already gone (removed by hand, or its interface vanished); nothing to remove. */
  | 'already-gone'
  /** The handle was not in force here (cleared before, or never applied by this adapter). */
  | 'not-active';

/** A host command that could not run, timed out, or (from runHostCommandOk) exited non-zero. */
export class HostCommandError extends Error {
  override readonly name = 'HostCommandError';

  constructor(
    readonly commandLine: string,
    readonly reason: 'missing' | 'timeout' | 'failed',
    /** The tool's own words (its stderr), or why it could not start. */
    readonly toolMessage: string,
    readonly exitCode?: number,
  ) {
    super(`${commandLine}: ${toolMessage}`);
  }
}

/** Absolute path of a host tool, looking in PATH and the sbin directories; undefined when absent. */
export function findHostTool(tool: string): string | undefined {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const dir of [...pathDirs, ...SBIN_DIRS]) {
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

/** The command as a person would type it, short tool names, quoting only what needs it. */
export function formatCommandLine(tool: string, args: readonly string[], netns?: string): string {
  const words = netns === undefined ? [tool, ...args] : ['ip', 'netns', 'exec', netns, tool, ...args];
  return words.map(quoteWord).join(' ');
}

function quoteWord(word: string): string {
  return /^[A-Za-z0-9_./:%@=+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs `tool args...` (in `netns` when given) and resolves with its output whatever the exit
 * code; rejects with HostCommandError only when it could not run or ran too long.
 */
export function runHostCommand(tool: string, args: readonly string[], options: HostCommandOptions = {}): Promise<HostCommandResult> {
  const commandLine = formatCommandLine(tool, args, options.netns);
  const toolPath = findHostTool(tool);
  if (toolPath === undefined) return Promise.reject(new HostCommandError(commandLine, 'missing', `${tool} is not installed (not on PATH nor in ${SBIN_DIRS.join(', ')})`));
  let file = toolPath;
  let argv = [...args];
  if (options.netns !== undefined) {
    const ip = findHostTool('ip');
    if (ip === undefined) return Promise.reject(new HostCommandError(commandLine, 'missing', 'ip (iproute2) is not installed, so no network namespace can be entered'));
    file = ip;
    argv = ['netns', 'exec', options.netns, toolPath, ...args];
  }
  return new Promise((resolve, reject) => {
    // LC_ALL=C: the adapters recognise a few of the tools' messages ("Cannot find device").
    execFile(
      file,
      argv,
      { env: { ...process.env, LC_ALL: 'C' }, timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ commandLine, exitCode: 0, stdout, stderr });
          return;
        }
        if (typeof error.code === 'number') {
          resolve({ commandLine, exitCode: error.code, stdout, stderr });
          return;
        }
        // A string code is Node's (ENOENT: no such tool; or too much output), not the tool's exit.
        const nodeCode = (error as { code?: unknown }).code;
        if (typeof nodeCode === 'string') {
          reject(new HostCommandError(commandLine, nodeCode === 'ENOENT' || nodeCode === 'EACCES' ? 'missing' : 'failed', error.message));
          return;
        }
        if (error.killed) {
          reject(new HostCommandError(commandLine, 'timeout', `did not finish within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`));
          return;
        }
        reject(new HostCommandError(commandLine, 'failed', `ended by signal ${error.signal ?? 'unknown'}`));
      },
    );
  });
}

/** runHostCommand, but a non-zero exit is a HostCommandError carrying the tool's stderr. */
export async function runHostCommandOk(tool: string, args: readonly string[], options: HostCommandOptions = {}): Promise<HostCommandResult> {
  const result = await runHostCommand(tool, args, options);
  if (result.exitCode !== 0) throw new HostCommandError(result.commandLine, 'failed', toolWords(result), result.exitCode);
  return result;
}

/** The tool's complaint in one line: its stderr, else its stdout, else the exit code. */
export function toolWords(result: HostCommandResult): string {
  const text = (result.stderr.trim() || result.stdout.trim()).replace(/\s*\n\s*/g, '; ');
  return text === '' ? `exit code ${result.exitCode}` : text;
}

/** The words for any failure of a host command: HostCommandError's own, or the error's message. */
export function failureWords(error: unknown): string {
  if (error instanceof HostCommandError) return error.toolMessage;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether this process may administer the network (CAP_NET_ADMIN in its effective set), read
 * from /proc; undefined where there is no /proc to ask (not Linux).
 */
export function hasNetAdminCapability(): boolean | undefined {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return undefined;
  }
  const match = /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(status);
  if (match?.[1] === undefined) return undefined;
  return ((BigInt(`0x${match[1]}`) >> CAP_NET_ADMIN_BIT) & 1n) === 1n;
}

/** The preflight issue for a missing CAP_NET_ADMIN, or undefined when the process has it. */
export function netAdminIssue(adapter: string): string | undefined {
  if (process.platform !== 'linux') return `the ${adapter} adapter needs Linux (this is ${process.platform}); use adapter: proxy`;
  const capable = hasNetAdminCapability();
  if (capable === true) return undefined;
  if (capable === undefined) return `could not read this process's capabilities from /proc/self/status; the ${adapter} adapter needs CAP_NET_ADMIN`;
  return `this process lacks CAP_NET_ADMIN; run GasHammer as root (or grant it the capability, e.g. docker --cap-add NET_ADMIN) or use adapter: proxy`;
}
