// The structured logger every GasHammer process writes through: pino, one JSON object per line
// by default or human-readable lines with format "pretty", to stderr (stdout carries command
// output). Every line is redacted on its way out, so no registered secret and no URL
// credential is ever written, whichever field or message carried it.

import { pino, type DestinationStream, type LogFn, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config/schema.js';
import { redact, redactDeep } from '../util/redact.js';

export type { Logger } from 'pino';

/** Anything lines can be written to: a stream, or a test's array. */
export interface LogSink {
  write(line: string): unknown;
}

export interface CreateLoggerOptions {
  /** Lowest level written; default info. */
  readonly level?: LogLevel;
  /** Default json. */
  readonly format?: LogFormat;
  /** Where lines go; stderr when absent. */
  readonly stream?: LogSink;
  /** Fields on every line, e.g. `{ run_id }`. */
  readonly bindings?: Readonly<Record<string, unknown>>;
  /** Colour in pretty output; default only when writing to stderr and it is a terminal. */
  readonly colorize?: boolean;
}

/** The fields that tie a line to a run and an edge. */
export interface LogContext {
  readonly run_id?: string;
  readonly edge_id?: string;
}

/**
 * A line with secrets removed. Fast path: most lines hold nothing redact() would change.
 * Otherwise the line is parsed and each string redacted on its own, so the result is still
 * valid JSON (redacting the serialised text could cut a URL at an escaped quote). Integers
 * beyond 2^53 lose precision on that path only.
 */
export function redactLine(line: string): string {
  if (redact(line) === line) return line;
  try {
    return `${JSON.stringify(redactDeep(JSON.parse(line) as unknown))}\n`;
  } catch {
    return redact(line);
  }
}

function redactingSink(target: LogSink, prettify: ((line: string) => string) | undefined): DestinationStream {
  return {
    write(line: string) {
      const clean = redactLine(line);
      target.write(prettify ? prettify(clean) : clean);
    },
  };
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const target: LogSink = options.stream ?? pino.destination({ dest: 2, sync: true });
  // pino-pretty as a plain function in this thread: no worker transport, nothing to flush.
  const prettify =
    options.format === 'pretty'
      ? prettyFactory({
          colorize: options.colorize ?? (options.stream === undefined && Boolean(process.stderr.isTTY)),
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
        })
      : undefined;
  const logger = pino(
    {
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        // Messages and format arguments are redacted before pino escapes them into JSON, where
        // a secret with a quote or backslash in it would no longer match itself.
        logMethod(args, method) {
          const clean = args.map((a: unknown) => (typeof a === 'string' ? redact(a) : a)) as Parameters<LogFn>;
          method.apply(this, clean);
        },
      },
    },
    redactingSink(target, prettify),
  );
  return options.bindings ? logger.child({ ...options.bindings }) : logger;
}

/** A child logger whose lines carry run_id and/or edge_id. */
export function withContext(logger: Logger, context: LogContext): Logger {
  const bindings: Record<string, string> = {};
  if (context.run_id !== undefined) bindings.run_id = context.run_id;
  if (context.edge_id !== undefined) bindings.edge_id = context.edge_id;
  return logger.child(bindings);
}
