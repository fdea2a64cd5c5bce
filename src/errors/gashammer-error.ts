// GasHammerError: the one base class for errors GasHammer raises on purpose. It carries a
// stable code from the registry, a short message, optional details and location, and the
// cause. Anything thrown that is not a GasHammerError is a bug and is reported as GH-E004.

import { docsLink, ErrorCodes, type ErrorCodeInfo } from './codes.js';
import { formatDiagnostic, type Diagnostic } from './diagnostic.js';

export interface GasHammerErrorOptions {
  /** More context than the short message: what was seen, what was expected. */
  readonly details?: string;
  /** Overrides the code's general hint with a specific one. */
  readonly hint?: string;
  /** Individual problems, when one error stands for several (a whole invalid file). */
  readonly diagnostics?: readonly Diagnostic[];
  readonly cause?: unknown;
}

export class GasHammerError extends Error {
  override readonly name: string = 'GasHammerError';
  readonly info: ErrorCodeInfo;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly hint: string;
  readonly diagnostics: readonly Diagnostic[];

  constructor(info: ErrorCodeInfo, shortMessage: string, options: GasHammerErrorOptions = {}) {
    super(`${info.code} ${shortMessage}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.info = info;
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.hint = options.hint ?? info.hint;
    this.diagnostics = options.diagnostics ?? [];
  }

  get code(): string {
    return this.info.code;
  }

  get docsPath(): string {
    return docsLink(this.info);
  }

  /** What a user sees: the problems, then what to do, then where to read more. No stack. */
  render(): string {
    const lines: string[] = [];
    if (this.diagnostics.length > 0) {
      for (const d of this.diagnostics) lines.push(formatDiagnostic(d));
    } else {
      lines.push(`${this.code} ${this.shortMessage}`);
      if (this.details) lines.push(`  ${this.details}`);
    }
    // Problems with their own hint already say what to do; repeat the general one only if none does.
    if (!this.diagnostics.some((d) => d.hint)) lines.push(`  hint: ${this.hint}`);
    lines.push(`  docs: ${this.docsPath}`);
    return lines.join('\n');
  }
}

export function isGasHammerError(e: unknown): e is GasHammerError {
  return e instanceof GasHammerError;
}

/** Wraps anything unexpected so it is reported as an internal error, keeping the cause. */
export function asGasHammerError(e: unknown): GasHammerError {
  if (isGasHammerError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new GasHammerError(ErrorCodes.Internal, `unexpected error: ${message}`, { cause: e });
}
