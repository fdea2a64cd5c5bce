// The `gashammer` command: builds the command tree, runs one command, and turns whatever
// happened into output and an exit code. The one place that decides how errors are shown:
// a user's mistake gets its GH-E code, where, and what to do — never a stack trace.

import { Command, CommanderError } from 'commander';
import { docsLink, ErrorCodes } from '../errors/codes.js';
import { ExitCode } from '../errors/exit-codes.js';
import type { GasHammerError } from '../errors/gashammer-error.js';
import { asGasHammerError } from '../errors/gashammer-error.js';
import { buildInfo } from '../util/build-info.js';
import { redact } from '../util/redact.js';
import { registerBaselineCommand } from './commands/baseline.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerConfigCommand } from './commands/config.js';
import { registerDevnetCommand } from './commands/devnet.js';
import { registerEdgeCommand } from './commands/edge.js';
import { registerFaultsCommand } from './commands/faults.js';
import { registerFeedCommand } from './commands/feed.js';
import { registerHiveCommand } from './commands/hive.js';
import { registerSweepCommand } from './commands/sweep.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerReportCommand } from './commands/report.js';
import { registerRunCommand } from './commands/run.js';
import { registerValidateCommand } from './commands/validate.js';
import { ExitWith, type CliIO } from './io.js';

function versionText(): string {
  const b = buildInfo();
  return `gashammer ${b.version}\nbuild: ${b.buildSha}\nbuilt: ${b.buildTime}\nlicense: ${b.license}`;
}

/** Commander's own usage errors, reworded in our format (one line, its suggestion included). */
function usageError(text: string, program: Command): string {
  const message = text
    .replace(/^error:\s*/i, '')
    .replace(/\s*\n\s*\(Did you mean (.+)\?\)/, " (did you mean '$1'?)")
    .trim();
  const command = program.args.length > 0 ? program.args[0] : undefined;
  const help = command && program.commands.some((c) => c.name() === command) ? `gashammer ${command} --help` : 'gashammer --help';
  return `${ErrorCodes.Usage.code} ${message}\n  hint: run \`${help}\` to see the arguments and options\n  docs: ${docsLink(ErrorCodes.Usage)}\n`;
}

export function buildProgram(io: CliIO): Command {
  const program = new Command('gashammer')
    .description('Gas-modelled load testing and release gate for Arbitrum Nitro rollups.')
    .version(versionText(), '-V, --version', 'print version, build commit and build time')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => write(usageError(s, program)),
    });
  registerValidateCommand(program, io);
  registerPlanCommand(program, io);
  registerRunCommand(program, io);
  registerReportCommand(program, io);
  registerBaselineCommand(program, io);
  registerCompareCommand(program, io);
  registerConfigCommand(program, io);
  registerDevnetCommand(program, io);
  registerHiveCommand(program, io);
  registerEdgeCommand(program, io);
  registerFeedCommand(program, io);
  registerFaultsCommand(program, io);
  registerSweepCommand(program, io);
  // Sub-commands inherit exit and output handling.
  for (const c of program.commands) {
    c.exitOverride().configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => write(usageError(s, program)),
    });
  }
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.Ok;
  } catch (e) {
    return exitCodeFor(e, io);
  }
}

function exitCodeFor(e: unknown, io: CliIO): number {
  if (e instanceof ExitWith) return e.exitCode;
  if (e instanceof CommanderError) {
    // Help and version "errors" are how commander says it printed them.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.Ok;
    return ExitCode.InvalidInput;
  }
  const error: GasHammerError = asGasHammerError(e);
  io.stderr(redact(error.render()) + '\n');
  if (error.info === ErrorCodes.Internal && e instanceof Error && e.stack) {
    // A bug: the stack helps whoever fixes it. Only for internal errors, never for user mistakes.
    io.stderr(redact(e.stack) + '\n');
  }
  return error.info.exitCode;
}
