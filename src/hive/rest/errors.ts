// The REST API's one error path: everything a route, a body parser or the hive behind it can
// throw becomes an HTTP status and one JSON shape, `{"error": {code, message, hint, ...}}`.
// Only GasHammerErrors speak to the client; anything else is a bug and is answered with a bare
// GH-E004, because its message and stack may hold internals or secrets.

import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ErrorCodes, type ErrorCodeInfo } from '../../errors/codes.js';
import type { Diagnostic } from '../../errors/diagnostic.js';
import { GasHammerError, type GasHammerErrorOptions } from '../../errors/gashammer-error.js';
import { redact, redactDeep } from '../../util/redact.js';
import { sendJson } from './json.js';

export interface ErrorDiagnosticJson {
  readonly code: string;
  readonly severity?: 'warning';
  readonly path?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  readonly expected?: string;
  readonly hint?: string;
}

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: string;
    readonly hint: string;
    readonly diagnostics?: readonly ErrorDiagnosticJson[];
  };
}

/** A GasHammerError whose HTTP status is not the one its code implies (413, 415). */
export class HttpStatusError extends GasHammerError {
  constructor(
    readonly status: number,
    info: ErrorCodeInfo,
    shortMessage: string,
    options: GasHammerErrorOptions = {},
  ) {
    super(info, shortMessage, options);
  }
}

export function badRequest(shortMessage: string, options: GasHammerErrorOptions = {}): GasHammerError {
  return new GasHammerError(ErrorCodes.ApiBadRequest, shortMessage, options);
}

/** `shortMessage` is clipped: it quotes the id from the URL, which may be long. */
export function notFound(shortMessage: string): GasHammerError {
  return new GasHammerError(ErrorCodes.ApiNotFound, clip(shortMessage, 300));
}

/** The status a code stands for; a code without an HTTP meaning is a server-side failure. */
export function statusOf(error: GasHammerError): number {
  if (error instanceof HttpStatusError) return error.status;
  switch (error.code) {
    case ErrorCodes.ApiBadRequest.code:
      return 400;
    case ErrorCodes.ApiNotFound.code:
      return 404;
    case ErrorCodes.RunConflict.code:
    case ErrorCodes.NotEnoughEdges.code:
      return 409;
    default:
      // Every scenario code (GH-E9xx) says the uploaded text or the run request is wrong.
      return error.info.subsystem === 'scenario' ? 400 : 500;
  }
}

function diagnosticJson(d: Diagnostic): ErrorDiagnosticJson {
  return {
    code: d.code.code,
    // Errors are the rule here; a warning among them is marked so it is not taken for one.
    ...(d.severity === 'warning' ? { severity: 'warning' as const } : {}),
    ...(d.path !== undefined ? { path: d.path } : {}),
    ...(d.line !== undefined ? { line: d.line } : {}),
    ...(d.column !== undefined ? { column: d.column } : {}),
    message: d.message,
    ...(d.expected !== undefined ? { expected: d.expected } : {}),
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
  };
}

export function errorBody(error: GasHammerError): ErrorBody {
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.shortMessage,
      ...(error.details !== undefined ? { details: error.details } : {}),
      hint: error.hint,
      ...(error.diagnostics.length > 0 ? { diagnostics: error.diagnostics.map(diagnosticJson) } : {}),
    },
  };
  // Messages quote user input and node answers, which may carry an RPC key.
  return redactDeep(body);
}

const INTERNAL = new GasHammerError(ErrorCodes.Internal, 'internal error while handling the request');

/** The fields body-parser's errors (http-errors) carry. */
interface BodyParserError {
  readonly type: string;
  readonly status: number;
  readonly message: string;
  readonly limit?: number;
}

function isBodyParserError(e: unknown): e is BodyParserError {
  if (e === null || typeof e !== 'object') return false;
  const r = e as Record<string, unknown>;
  return typeof r.type === 'string' && typeof r.status === 'number' && r.status >= 400 && r.status < 500;
}

/** Short enough to read, and never the whole body echoed back. */
function clip(text: string, max = 200): string {
  const clean = redact(text);
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

function fromBodyParser(e: BodyParserError): GasHammerError {
  switch (e.type) {
    case 'entity.too.large':
      return new HttpStatusError(413, ErrorCodes.ApiBadRequest, `the request body is larger than the limit of ${e.limit ?? '?'} bytes`);
    case 'entity.parse.failed':
      return badRequest('the request body is not valid JSON', { details: clip(e.message) });
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new HttpStatusError(415, ErrorCodes.ApiBadRequest, clip(e.message));
    default:
      return new HttpStatusError(e.status, ErrorCodes.ApiBadRequest, clip(e.message));
  }
}

/** What the client is told about `e`, and with which status. */
export function toHttpError(e: unknown): { readonly status: number; readonly body: ErrorBody } {
  if (e instanceof GasHammerError) return { status: statusOf(e), body: errorBody(e) };
  // The router could not percent-decode a path parameter (`/runs/%E0%A4`).
  if (e instanceof URIError) {
    const mapped = badRequest('the URL path is not valid percent-encoded UTF-8');
    return { status: 400, body: errorBody(mapped) };
  }
  if (isBodyParserError(e)) {
    const mapped = fromBodyParser(e);
    return { status: statusOf(mapped), body: errorBody(mapped) };
  }
  return { status: 500, body: errorBody(INTERNAL) };
}

/** Answers any request no route took. */
export const unknownRoute: RequestHandler = (req) => {
  throw notFound(`no route ${req.method} ${clip(req.path)}`);
};

/** The last middleware: every error leaves through here. */
export function errorHandler(onServerError?: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { status, body } = toHttpError(error);
    // The client learns little of a server-side failure; the hive's log must learn all of it.
    if (status >= 500) onServerError?.(error);
    sendJson(res, status, body);
  };
}
