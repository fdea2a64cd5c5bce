// The Action's entry logic: the one place that reads the step's inputs (INPUT_*) and the
// runner's environment (GITHUB_*, the event payload), and the one place that turns a failure into
// the step's result: a GasHammerError is shown as itself (no stack: it is a user's or the
// environment's problem), anything else as an internal error with its stack. index.ts calls it
// with process.env; tests call it in-process with their own environment.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '../errors/codes.js';
import { ExitCode } from '../errors/exit-codes.js';
import { asGasHammerError } from '../errors/gashammer-error.js';
import { runLocally } from '../runner/local-run.js';
import { redact, registerSecret } from '../util/redact.js';
import { artifactUploader } from './artifact-upload.js';
import { ensureAnvil } from './ensure-anvil.js';
import { assertEventFitsMode, readGitHubContext } from './github-context.js';
import { parseActionInputs } from './inputs.js';
import { runAction, type ActionDeps } from './run-action.js';
import { workflowCommands } from './workflow-commands.js';

export type ActionEnv = Readonly<Record<string, string | undefined>>;

/** What tests (or the bundle) may replace; everything else is taken from the environment. */
export type ActionOverrides = Partial<Pick<ActionDeps, 'artifacts' | 'runScenario' | 'cliScript' | 'signal' | 'now'>> & {
  /** Where workflow commands and log lines go (stdout by default). */
  readonly write?: (line: string) => void;
};

/** The CLI the edges run: the bundle's dist/cli.js beside this module, else bin/gashammer.js. */
function bundledCli(): string | undefined {
  const beside = fileURLToPath(new URL('./cli.js', import.meta.url));
  return existsSync(beside) ? beside : undefined;
}

/** Runs the Action; returns the step's exit code (0, or non-zero when it fails). */
export async function actionMain(env: ActionEnv, overrides: ActionOverrides = {}): Promise<number> {
  const workflow = workflowCommands(env.GITHUB_OUTPUT, overrides.write);
  try {
    const options = parseActionInputs(env);
    workflow.addMask(options.githubToken);
    registerSecret(options.githubToken);
    const context = readGitHubContext(env, readFileSync);
    assertEventFitsMode(context, options.mode);
    if (options.mode === 'run' && options.target.kind === 'devnet') await ensureAnvil(env, workflow);
    const cliScript = overrides.cliScript ?? bundledCli();
    const outcome = await runAction(options, context, {
      workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
      env,
      workflow,
      artifacts: overrides.artifacts ?? artifactUploader(env, workflow),
      runScenario: overrides.runScenario ?? runLocally,
      ...(cliScript ? { cliScript } : {}),
      ...(overrides.signal ? { signal: overrides.signal } : {}),
      ...(overrides.now ? { now: overrides.now } : {}),
    });
    return outcome.blocked ? ExitCode.GateFail : ExitCode.Ok;
  } catch (e) {
    const error = asGasHammerError(e);
    workflow.error(redact(error.render()));
    // A bug: the stack helps whoever fixes it. Never for a user's or the environment's mistake.
    if (error.info === ErrorCodes.Internal && e instanceof Error && e.stack) workflow.info(redact(e.stack));
    return error.info.exitCode === ExitCode.Ok ? ExitCode.Internal : error.info.exitCode;
  }
}
