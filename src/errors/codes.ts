// The registry of every GasHammer error code. A code is stable once published: it may gain
// words, never a new meaning. docs/errors.md is generated from this table.

import { ExitCode } from './exit-codes.js';

export type Subsystem =
  | 'common'
  | 'chain'
  | 'edge'
  | 'hive'
  | 'workload'
  | 'telemetry'
  | 'oracle'
  | 'fault'
  | 'report'
  | 'scenario';

/** Code ranges per subsystem, inclusive. */
export const SUBSYSTEM_RANGES: Record<Subsystem, readonly [number, number]> = {
  common: [1, 99],
  chain: [100, 199],
  edge: [200, 299],
  hive: [300, 399],
  workload: [400, 499],
  telemetry: [500, 599],
  oracle: [600, 699],
  fault: [700, 799],
  report: [800, 899],
  scenario: [900, 949],
};

export interface ErrorCodeInfo {
  readonly code: string;
  readonly subsystem: Subsystem;
  /** One line: what went wrong, in general. */
  readonly title: string;
  /** What the user should do about it. */
  readonly hint: string;
  /** The exit code a command ends with when this error stops it. */
  readonly exitCode: ExitCode;
}

function entry(
  code: string,
  subsystem: Subsystem,
  title: string,
  hint: string,
  exitCode: ExitCode,
): ErrorCodeInfo {
  return { code, subsystem, title, hint, exitCode };
}

export const ErrorCodes = {
  // common E001-E099
  ConfigFile: entry(
    'GH-E001',
    'common',
    'A configuration file could not be read or is not valid TOML.',
    'Check the path given to --config and the TOML syntax at the position shown.',
    ExitCode.InvalidInput,
  ),
  ConfigValue: entry(
    'GH-E002',
    'common',
    'A configuration value (from a file, a GASHAMMER_* environment variable or a flag) is invalid.',
    'Fix the value at the field path shown; docs/configuration.md lists every field, its type and default.',
    ExitCode.InvalidInput,
  ),
  Usage: entry(
    'GH-E003',
    'common',
    'The command line is invalid: an unknown command or option, or a missing or malformed argument.',
    'Run the command with --help to see its arguments and options.',
    ExitCode.InvalidInput,
  ),
  Internal: entry(
    'GH-E004',
    'common',
    'GasHammer hit an internal error (a bug).',
    'Report it with the command you ran, its full output and the output of `gashammer --version`.',
    ExitCode.Internal,
  ),
  OutputWrite: entry(
    'GH-E005',
    'common',
    'An output file or directory could not be written.',
    'Check that the output directory exists or can be created, and that it is writable.',
    ExitCode.InvalidInput,
  ),
  NotAvailableYet: entry(
    'GH-E006',
    'common',
    'This command is part of GasHammer but is not built yet in this version.',
    'See the README for what this version can do; `gashammer validate` and `gashammer plan` work today.',
    ExitCode.Internal,
  ),

  // scenario E900-E949
  ScenarioRead: entry(
    'GH-E900',
    'scenario',
    'The scenario file could not be read.',
    'Check the path; a scenario is a UTF-8 YAML file of at most 1 MiB.',
    ExitCode.InvalidInput,
  ),
  ScenarioSyntax: entry(
    'GH-E901',
    'scenario',
    'The scenario file is not valid YAML, or is empty, binary or not one YAML document.',
    'Fix the YAML at the position shown; docs/sdl.md has complete examples.',
    ExitCode.InvalidInput,
  ),
  ScenarioSchema: entry(
    'GH-E902',
    'scenario',
    'A scenario field has the wrong type, is missing, is unknown, or is out of range.',
    'Fix the field at the path shown; docs/sdl.md lists every field with its type and default, and docs/scenario.schema.json can drive your editor.',
    ExitCode.InvalidInput,
  ),
  ScenarioSemantic: entry(
    'GH-E903',
    'scenario',
    'The scenario is well-formed but inconsistent (unknown template, impossible fault schedule, duplicate names, ...).',
    'Fix the field at the path shown so that the parts of the scenario agree with each other.',
    ExitCode.InvalidInput,
  ),
  GateExpression: entry(
    'GH-E904',
    'scenario',
    'A gate threshold is not of the form `<metric> <operator> <number>`, or names an unknown metric.',
    'Write thresholds like `p99_inclusion_ms < 2000`; docs/sdl.md#gate lists the metrics and operators.',
    ExitCode.InvalidInput,
  ),
  ScenarioCompile: entry(
    'GH-E905',
    'scenario',
    'The scenario could not be compiled into a run plan with the options given.',
    'Check the overrides passed on the command line (for example --edges) against the scenario.',
    ExitCode.InvalidInput,
  ),
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCodeName = keyof typeof ErrorCodes;

export function allErrorCodes(): ErrorCodeInfo[] {
  return Object.values(ErrorCodes).sort((a, b) => a.code.localeCompare(b.code));
}

/** Anchor of a code's entry in docs/errors.md. */
export function docsLink(info: ErrorCodeInfo): string {
  return `docs/errors.md#${info.code.toLowerCase()}`;
}
