// The embedded devnet needs anvil, which GasHammer takes from npm (@foundry-rs/anvil-*). The
// Action runs from its bundle without node_modules, so on a runner without the package it
// installs it once into the runner's temporary folder, at the version package.json pins, and
// points GASHAMMER_ANVIL at it for this process and the processes it starts.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ANVIL_PATH_ENV, anvilBinary, anvilPackage } from '../devnet/anvil.js';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError, isGasHammerError } from '../errors/gashammer-error.js';
import { packageRoot } from '../util/build-info.js';
import type { WorkflowCommands } from './workflow-commands.js';

/** Runs `npm` with arguments; rejects when it fails. */
export type NpmRunner = (args: readonly string[]) => Promise<void>;

const runNpm: NpmRunner = async (args) => {
  await promisify(execFile)(process.platform === 'win32' ? 'npm.cmd' : 'npm', [...args], { maxBuffer: 16 * 1024 * 1024 });
};

/** The anvil package version package.json pins. */
function pinnedVersion(pkg: string): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> };
  const version = manifest.optionalDependencies?.[pkg] ?? manifest.optionalDependencies?.['@foundry-rs/anvil-linux-amd64'];
  if (!version) throw new GasHammerError(ErrorCodes.DevnetStart, `package.json pins no version of ${pkg}`);
  return version;
}

/** The anvil binary: the installed one, else one installed now (installAnvil). */
export async function ensureAnvil(env: Readonly<Record<string, string | undefined>>, workflow: WorkflowCommands, npm: NpmRunner = runNpm): Promise<string> {
  try {
    return anvilBinary();
  } catch (e) {
    // A GASHAMMER_ANVIL that names nothing is the user's to fix, not a reason to install.
    if (!isGasHammerError(e) || process.env[ANVIL_PATH_ENV]) throw e;
  }
  return installAnvil(env, workflow, npm);
}

/** Installs the pinned anvil package into RUNNER_TEMP (once) and points GASHAMMER_ANVIL at it. */
export async function installAnvil(env: Readonly<Record<string, string | undefined>>, workflow: WorkflowCommands, npm: NpmRunner = runNpm): Promise<string> {
  const pkg = anvilPackage();
  if (pkg === undefined) throw new GasHammerError(ErrorCodes.DevnetStart, `anvil from npm has no build for ${process.platform}-${process.arch}: use target nitro or an RPC URL`);
  const version = pinnedVersion(pkg);
  const prefix = join(env.RUNNER_TEMP ?? tmpdir(), 'gashammer-anvil');
  const binary = join(prefix, 'node_modules', ...pkg.split('/'), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!existsSync(binary)) {
    workflow.info(`installing ${pkg}@${version} for the embedded devnet into ${prefix}`);
    try {
      await npm(['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix, `${pkg}@${version}`]);
    } catch (cause) {
      throw new GasHammerError(ErrorCodes.DevnetStart, `could not install ${pkg}@${version} from npm`, { cause, hint: 'check that the runner reaches the npm registry, or use target nitro or an RPC URL' });
    }
    if (!existsSync(binary)) throw new GasHammerError(ErrorCodes.DevnetStart, `npm installed ${pkg}@${version} but ${binary} is missing`);
  }
  process.env[ANVIL_PATH_ENV] = binary;
  return binary;
}
