// Process exit codes: the one table every command and the Action map outcomes to.
// They are part of the public contract (docs/cli.md); never renumber one.

export const ExitCode = {
  /** Success; for `run`, the gate said PASS or WARN. */
  Ok: 0,
  /** A bug or an unexpected failure inside GasHammer. */
  Internal: 1,
  /** The user's input (file, flag, environment variable) is invalid. */
  InvalidInput: 2,
  /** The target chain or another required service could not be reached. */
  Unreachable: 3,
  /** The run was interrupted (SIGINT/SIGTERM) before it finished. */
  Interrupted: 130,
  /** The gate could not decide (aborted run, too few samples, telemetry lost, baseline missing). */
  Inconclusive: 98,
  /** The gate said FAIL. */
  GateFail: 99,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
