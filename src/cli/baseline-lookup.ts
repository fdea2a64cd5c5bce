// Finding the baseline a command was pointed at, the same way for `compare`, `run` and
// `report`: `--baseline FILE` or `--branch B` (looked up under a baselines folder). A baseline
// of another scenario is an error; one of another version of the scenario (another hash, so
// another load) is not compared with, and the note says why, as does a branch with none yet.

import { resolve } from 'node:path';
import type { BaselineFile } from '../baseline/baseline-file.js';
import { FileBaselineStore, readBaselineFile } from '../baseline/store.js';
import { ErrorCodes } from '../errors/codes.js';
import { ExitCode } from '../errors/exit-codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { GateVerdict } from '../report/report-types.js';
import { DEFAULT_BASELINE_DIR, shownPath } from './commands/baseline.js';
import type { CliIO } from './io.js';

/** The exit code of each gate verdict (docs/cli.md#exit-codes). */
export const EXIT_FOR_VERDICT: Readonly<Record<GateVerdict, number>> = {
  pass: ExitCode.Ok,
  warn: ExitCode.Ok,
  fail: ExitCode.GateFail,
  inconclusive: ExitCode.Inconclusive,
};

export interface BaselineFlags {
  readonly baseline?: string;
  readonly branch?: string;
  /** The baselines folder for --branch (the flag is --dir or --baselines-dir, by command). */
  readonly dir?: string;
}

export type BaselineChoice = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'branch'; readonly branch: string; readonly dir: string };

/** What the flags ask for: one of a file or a branch, or nothing (undefined) when neither is given. */
export function baselineChoice(flags: BaselineFlags, dirFlag: string): BaselineChoice | undefined {
  if (flags.baseline !== undefined && flags.branch !== undefined) {
    throw new GasHammerError(ErrorCodes.Usage, 'give one of --baseline <file> or --branch <name>, not both');
  }
  if (flags.baseline !== undefined) {
    if (flags.dir !== undefined) throw new GasHammerError(ErrorCodes.Usage, `${dirFlag} goes with --branch; --baseline takes the file itself`);
    return { kind: 'file', path: flags.baseline };
  }
  if (flags.branch !== undefined) return { kind: 'branch', branch: flags.branch, dir: flags.dir ?? DEFAULT_BASELINE_DIR };
  return undefined;
}

export interface FoundBaseline {
  /** The baseline to compare with; undefined when there is none that fits (see `note`). */
  readonly file: BaselineFile | undefined;
  /** Where it is (or was looked for), as the user reads it. */
  readonly source: string;
  /** Why no baseline is used, when none is. */
  readonly note?: string;
}

export async function findBaseline(io: CliIO, scenario: { readonly name: string; readonly hash: string }, choice: BaselineChoice): Promise<FoundBaseline> {
  let file: BaselineFile | undefined;
  let source: string;
  if (choice.kind === 'file') {
    source = choice.path;
    file = await readBaselineFile(resolve(io.cwd, choice.path), choice.path);
    if (file === undefined) throw new GasHammerError(ErrorCodes.BaselineNotFound, `${choice.path} does not exist`);
    if (file.scenario.name !== scenario.name) {
      throw new GasHammerError(ErrorCodes.BaselineMismatch, `${choice.path} is a baseline of scenario '${file.scenario.name}', the report is of scenario '${scenario.name}'`);
    }
  } else {
    const store = new FileBaselineStore(resolve(io.cwd, choice.dir));
    source = shownPath(io, store.pathOf(choice.branch, scenario.name));
    file = await store.load(choice.branch, scenario.name);
    if (file === undefined) return { file, source, note: `branch ${choice.branch} has none: no file ${source}` };
  }
  // A baseline of another scenario hash offered another load: comparing with it would mislead.
  if (file.scenario.hash !== scenario.hash) {
    return {
      file: undefined,
      source,
      note: `${source} was saved for another version of the scenario (hash ${file.scenario.hash.slice(0, 12)}, this run ${scenario.hash.slice(0, 12)}); save a baseline from this version`,
    };
  }
  return { file, source };
}
