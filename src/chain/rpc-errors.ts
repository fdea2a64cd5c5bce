// Turns whatever a JSON-RPC request fails with (a node's JSON-RPC error, an HTTP status, a
// timeout, a dropped connection) into one named GasHammer error: an RpcError with a stable
// errorClass for telemetry, the method, the redacted URL and the node's own (redacted) words.
// The classification is ONE table of rules, in the spirit of viem's getNodeError, written from
// the messages geth/Nitro and anvil actually send. Credentials never reach a message: the URL is
// redacted and the cause chain is replaced by a scrubbed copy.

import { ErrorCodes, type ErrorCodeInfo } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { redact, redactUrl } from '../util/redact.js';

/** Stable labels for telemetry: never rename one, only add. */
export type RpcErrorClass =
  | 'nonce_too_low'
  | 'nonce_too_high'
  | 'underpriced'
  | 'intrinsic_gas_too_low'
  | 'insufficient_funds'
  | 'execution_reverted'
  | 'rate_limited'
  | 'tx_rejected'
  | 'timeout'
  | 'node_error'
  | 'transport';

export const RPC_ERROR_CODES: Readonly<Record<RpcErrorClass, ErrorCodeInfo>> = {
  nonce_too_low: ErrorCodes.NonceTooLow,
  nonce_too_high: ErrorCodes.NonceTooHigh,
  underpriced: ErrorCodes.Underpriced,
  intrinsic_gas_too_low: ErrorCodes.IntrinsicGasTooLow,
  insufficient_funds: ErrorCodes.InsufficientFunds,
  execution_reverted: ErrorCodes.ExecutionReverted,
  rate_limited: ErrorCodes.RateLimited,
  tx_rejected: ErrorCodes.TxRejected,
  timeout: ErrorCodes.RpcTimeout,
  node_error: ErrorCodes.RpcNodeError,
  transport: ErrorCodes.RpcTransport,
};

/** What a failed request told us, pulled out of viem's error chain (or given directly). */
export interface RpcFailure {
  /** The node's own words: the JSON-RPC error message, or the HTTP error body. */
  readonly nodeMessage?: string;
  /** JSON-RPC error code, when the node answered with a JSON-RPC error. */
  readonly rpcCode?: number;
  /** The `data` of a JSON-RPC error (revert data of a reverted call). */
  readonly rpcData?: unknown;
  /** HTTP status of a non-2xx answer without a JSON-RPC error in it. */
  readonly httpStatus?: number;
  /** Node.js / undici error code somewhere in the cause chain (ECONNREFUSED, UND_ERR_SOCKET, ...). */
  readonly systemCode?: string;
  /** The request got no answer within its timeout. */
  readonly timedOut?: boolean;
  /** Retry-After of a 429/503 answer, in ms. */
  readonly retryAfterMs?: number;
}

/**
 * One rule of the classification table. A rule matches when any of its matchers does; the
 * first matching rule wins, so order matters only where two rules could both match.
 */
export interface RpcErrorRule {
  readonly errorClass: RpcErrorClass;
  /** Matched against the node's own message, case-insensitively. */
  readonly message?: RegExp;
  readonly rpcCodes?: readonly number[];
  readonly httpStatuses?: readonly number[];
  readonly systemCodes?: readonly string[];
  readonly timedOut?: true;
  /** Who says it this way (for the reader; verified strings are marked "anvil 1.7.1"). */
  readonly seenIn: string;
}

export const RPC_ERROR_RULES: readonly RpcErrorRule[] = [
  // The request itself ran out of time: ours (viem's TimeoutError), a proxy's, or the node's.
  { errorClass: 'timeout', timedOut: true, seenIn: 'client-side timeout (viem TimeoutError, AbortSignal.timeout)' },
  { errorClass: 'timeout', systemCodes: ['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'], seenIn: 'Node.js / undici' },
  { errorClass: 'timeout', httpStatuses: [408, 504], seenIn: 'HTTP 408 Request Timeout, 504 Gateway Timeout from proxies' },
  { errorClass: 'timeout', message: /request timed out|context deadline exceeded|execution aborted \(timeout/i, seenIn: 'geth/Nitro RPC server and sequencer queue timeouts' },

  // The endpoint refuses for load. -32005 is EIP-1474 "limit exceeded"; 429 in a JSON-RPC body
  // (Alchemy batches) and -32007 (QuickNode) are providers' own spellings.
  { errorClass: 'rate_limited', httpStatuses: [429], rpcCodes: [-32005, -32007, 429], message: /rate.?limit|too many requests|request limit|requests? per second/i, seenIn: 'HTTP 429, providers, EIP-1474' },

  { errorClass: 'nonce_too_low', message: /nonce too low/i, seenIn: 'geth/Nitro "nonce too low: address …, tx: n state: m"; anvil 1.7.1 "nonce too low"' },
  { errorClass: 'nonce_too_high', message: /nonce too high/i, seenIn: 'geth/Nitro "nonce too high" (Nitro: after holding a gap about 1 s); anvil queues gaps instead' },
  {
    errorClass: 'underpriced',
    message: /replacement transaction underpriced|transaction underpriced|max fee per gas less than block base fee|fee cap less than block base fee/i,
    seenIn: 'geth/Nitro txpool and state transition; anvil 1.7.1 "replacement transaction underpriced", "max fee per gas less than block base fee"',
  },
  { errorClass: 'intrinsic_gas_too_low', message: /intrinsic gas too low/i, seenIn: 'geth/Nitro (on Nitro often the L1 part of the gas); anvil 1.7.1 "intrinsic gas too low"' },
  { errorClass: 'insufficient_funds', message: /insufficient funds/i, seenIn: 'geth/Nitro "insufficient funds for gas * price + value"; anvil 1.7.1 "Insufficient funds for gas * price + value"' },
  { errorClass: 'execution_reverted', rpcCodes: [3], message: /execution reverted/i, seenIn: 'geth/Nitro and anvil 1.7.1: code 3 "execution reverted" with the revert data' },
  {
    errorClass: 'tx_rejected',
    message:
      /already known|transaction already imported|txpool is full|transaction pool is full|please retry transaction|exceeds block gas limit|intrinsic gas too high|invalid chain id|invalid sender|transaction type not supported|failed to decode transaction|oversized data/i,
    seenIn:
      'geth/Nitro "already known", "txpool is full", Nitro sequencer "please retry transaction"; anvil 1.7.1 "transaction already imported", "intrinsic gas too high -- …", "invalid chain id for signer", "Failed to decode transaction"',
  },

  // Nothing answered, or the connection broke.
  {
    errorClass: 'transport',
    systemCodes: ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'],
    message: /connection refused|connection reset|socket hang up|other side closed/i,
    seenIn: 'Node.js / undici',
  },
];

/** Methods that carry a transaction: a JSON-RPC error the table does not know is a rejection. */
const TRANSACTION_METHODS: ReadonlySet<string> = new Set(['eth_sendRawTransaction', 'eth_estimateGas', 'eth_call']);

function ruleMatches(rule: RpcErrorRule, f: RpcFailure): boolean {
  if (rule.timedOut && f.timedOut) return true;
  if (rule.httpStatuses && f.httpStatus !== undefined && rule.httpStatuses.includes(f.httpStatus)) return true;
  if (rule.rpcCodes && f.rpcCode !== undefined && rule.rpcCodes.includes(f.rpcCode)) return true;
  if (rule.systemCodes && f.systemCode !== undefined && rule.systemCodes.includes(f.systemCode)) return true;
  if (rule.message && f.nodeMessage !== undefined && rule.message.test(f.nodeMessage)) return true;
  return false;
}

/** The class of a failure: the first matching rule, else a rejection (for transactions) or a transport error. */
export function classifyRpcFailure(method: string, failure: RpcFailure): RpcErrorClass {
  const rule = RPC_ERROR_RULES.find((r) => ruleMatches(r, failure));
  if (rule) return rule.errorClass;
  // The node answered with an error we have no rule for. For a transaction that is the node
  // rejecting it; for a read it is a node that cannot serve the method (pruned, not enabled, ...).
  if (failure.rpcCode !== undefined) return TRANSACTION_METHODS.has(method) ? 'tx_rejected' : 'node_error';
  return 'transport';
}

export interface RpcErrorInit {
  readonly errorClass: RpcErrorClass;
  readonly method: string;
  /** Redacted URL. */
  readonly url: string;
  /** Redacted. */
  readonly nodeMessage: string | undefined;
  readonly rpcCode: number | undefined;
  readonly rpcData: unknown;
  readonly httpStatus: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly shortMessage: string;
  readonly cause: unknown;
}

export class RpcError extends GasHammerError {
  override readonly name: string = 'RpcError';
  readonly errorClass: RpcErrorClass;
  readonly method: string;
  /** The endpoint, redacted. */
  readonly url: string;
  /** The node's own message (or HTTP body), redacted; undefined when nothing answered. */
  readonly nodeMessage: string | undefined;
  readonly rpcCode: number | undefined;
  /** The `data` of the JSON-RPC error: revert data for execution_reverted. */
  readonly rpcData: unknown;
  readonly httpStatus: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: RpcErrorInit) {
    super(RPC_ERROR_CODES[init.errorClass], init.shortMessage, { cause: init.cause });
    this.errorClass = init.errorClass;
    this.method = init.method;
    this.url = init.url;
    this.nodeMessage = init.nodeMessage;
    this.rpcCode = init.rpcCode;
    this.rpcData = init.rpcData;
    this.httpStatus = init.httpStatus;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** Worth asking again: nothing reached the node, or it shed load. Node rejections are final. */
  get transient(): boolean {
    if (this.errorClass === 'timeout' || this.errorClass === 'rate_limited') return true;
    return this.errorClass === 'transport' && (this.httpStatus === undefined || this.httpStatus >= 500) && this.rpcCode === undefined;
  }
}

export function isRpcError(e: unknown): e is RpcError {
  return e instanceof RpcError;
}

// ---------------------------------------------------------------------------------------------
// Reading viem's errors. viem wraps a node's answer as RpcRequestError (code, data, details =
// the node's message) inside a class per code; HTTP failures as HttpRequestError (status, details
// = body); timeouts as TimeoutError; fetch failures as HttpRequestError caused by a TypeError
// caused by the system error. We walk the chain by shape, not by class, so plain errors work too.

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly status?: unknown;
  readonly details?: unknown;
  readonly data?: unknown;
  readonly headers?: unknown;
  readonly cause?: unknown;
}

function asErrorLike(e: unknown): ErrorLike | undefined {
  return typeof e === 'object' && e !== null ? (e as ErrorLike) : undefined;
}

/** A JSON string body (viem stringifies non-JSON bodies) shown without its quotes. */
function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // Not a JSON string after all: keep it as it is.
    }
  }
  return text;
}

function retryAfterMs(headers: unknown): number | undefined {
  if (!(headers instanceof Headers)) return undefined;
  const value = headers.get('retry-after');
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

/** What went wrong, from any error a request can throw. */
export function describeRpcFailure(error: unknown): RpcFailure {
  let nodeMessage: string | undefined;
  let rpcCode: number | undefined;
  let rpcData: unknown;
  let httpStatus: number | undefined;
  let systemCode: string | undefined;
  let systemMessage: string | undefined;
  let timedOut = false;
  let retryAfter: number | undefined;

  let current: unknown = error;
  for (let depth = 0; depth < 12 && current !== undefined && current !== null; depth++) {
    const e = asErrorLike(current);
    if (!e) break;
    const name = typeof e.name === 'string' ? e.name : '';
    if (name === 'TimeoutError') timedOut = true;
    if (name === 'RpcRequestError' && typeof e.code === 'number') {
      rpcCode = e.code;
      rpcData = e.data;
      if (typeof e.details === 'string') nodeMessage = e.details;
    }
    if (name === 'HttpRequestError' && typeof e.status === 'number') {
      httpStatus = e.status;
      if (typeof e.details === 'string' && e.details !== '') nodeMessage ??= unquote(e.details);
      retryAfter ??= retryAfterMs(e.headers);
    }
    // A plain JSON-RPC error object ({ code, message }) at the end of viem's chain.
    if (!(current instanceof Error) && typeof e.code === 'number' && typeof e.message === 'string' && rpcCode === undefined) {
      rpcCode = e.code;
      rpcData = e.data;
      nodeMessage ??= e.message;
    }
    if (current instanceof Error && typeof e.code === 'string' && systemCode === undefined) {
      systemCode = e.code;
      systemMessage = typeof e.message === 'string' ? e.message : undefined;
    }
    current = e.cause;
  }
  return {
    ...(nodeMessage !== undefined ? { nodeMessage } : systemMessage !== undefined ? { nodeMessage: systemMessage } : {}),
    ...(rpcCode !== undefined ? { rpcCode, rpcData } : {}),
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    ...(systemCode !== undefined ? { systemCode } : {}),
    ...(timedOut ? { timedOut } : {}),
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Redaction. redact() already hides credentials in any URL it finds in a text; on top of that a
// scrubber removes the exact secret parts of this client's URL (user info, key-like path
// segments, credential query values) wherever they appear, e.g. echoed by a provider's message.

export type Scrubber = (text: string) => string;

const MIN_FRAGMENT_LENGTH = 4;

/** The parts of a URL that redactUrl hides: what must never be printed. */
export function urlSecrets(rawUrl: string): string[] {
  const secrets = new Set<string>();
  let url: URL;
  let hidden: URL;
  try {
    url = new URL(rawUrl);
    hidden = new URL(redactUrl(rawUrl));
  } catch {
    return [];
  }
  // A password is secret; a user name only when it stands alone (https://KEY@host) or is long
  // enough to be a key, so a plain "user" does not turn every "user" in a message into ***.
  const userIsSecret = url.username !== '' && (url.password === '' || url.username.length >= 16);
  for (const part of [userIsSecret ? url.username : '', url.password]) {
    if (part) {
      secrets.add(part);
      secrets.add(decodeURIComponent(part));
    }
  }
  const segments = url.pathname.split('/');
  const hiddenSegments = hidden.pathname.split('/');
  segments.forEach((seg, i) => {
    if (hiddenSegments[i] !== seg) {
      secrets.add(seg);
      secrets.add(decodeURIComponent(seg));
    }
  });
  for (const key of new Set(url.searchParams.keys())) {
    if (hidden.searchParams.get(key) !== url.searchParams.get(key)) {
      for (const value of url.searchParams.getAll(key)) secrets.add(value);
    }
  }
  return [...secrets].filter((s) => s.length >= MIN_FRAGMENT_LENGTH).sort((a, b) => b.length - a.length);
}

/** A scrubber for messages about requests to rawUrl. */
export function scrubberFor(rawUrl: string): Scrubber {
  const safeUrl = redactUrl(rawUrl);
  const secrets = urlSecrets(rawUrl);
  return (text: string): string => {
    let out = text.split(rawUrl).join(safeUrl);
    for (const secret of secrets) {
      out = out.split(secret).join('***');
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) out = out.split(encoded).join('***');
    }
    return redact(out);
  };
}

/**
 * A copy of an error chain that is safe to print and log: names, scrubbed messages and stacks,
 * and the small diagnostic fields (code, status), nothing else. viem's errors carry the raw URL
 * (with a path key) and request bodies; the originals never leave this module.
 */
export function scrubErrorChain(error: unknown, scrub: Scrubber, depth = 0): unknown {
  if (depth > 10) return undefined;
  const e = asErrorLike(error);
  if (!e) return typeof error === 'string' ? scrub(error) : error;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const copy = new Error(scrub(message));
  const fields = copy as Error & { code?: unknown; status?: unknown; cause?: unknown };
  copy.name = typeof e.name === 'string' ? e.name : 'Error';
  const stack = error instanceof Error ? error.stack : undefined;
  if (stack !== undefined) copy.stack = scrub(stack);
  if (typeof e.code === 'string' || typeof e.code === 'number') fields.code = e.code;
  if (typeof e.status === 'number') fields.status = e.status;
  if (e.cause !== undefined) fields.cause = scrubErrorChain(e.cause, scrub, depth + 1);
  return copy;
}

// ---------------------------------------------------------------------------------------------

const CLASS_WORDS: Readonly<Record<RpcErrorClass, string>> = {
  nonce_too_low: 'nonce too low',
  nonce_too_high: 'nonce too high',
  underpriced: 'underpriced',
  intrinsic_gas_too_low: 'intrinsic gas too low',
  insufficient_funds: 'insufficient funds',
  execution_reverted: 'execution reverted',
  rate_limited: 'rate limited',
  tx_rejected: 'transaction rejected',
  timeout: 'timeout',
  node_error: 'error answer from the node',
  transport: 'transport failure',
};

export interface RpcErrorContext {
  readonly method: string;
  /** The URL as configured (may hold credentials; it is redacted here). */
  readonly url: string;
  readonly timeoutMs?: number;
  /** Defaults to scrubberFor(url). */
  readonly scrub?: Scrubber;
}

function shortMessageFor(errorClass: RpcErrorClass, ctx: RpcErrorContext, safeUrl: string, f: RpcFailure, nodeMessage: string | undefined): string {
  const where = `${ctx.method} to ${safeUrl}`;
  if (errorClass === 'timeout' && f.timedOut) {
    return `${where} got no answer within ${ctx.timeoutMs !== undefined ? `${ctx.timeoutMs} ms` : 'its timeout'}`;
  }
  const parts: string[] = [];
  if (f.httpStatus !== undefined) parts.push(`HTTP ${f.httpStatus}`);
  if (f.rpcCode !== undefined) parts.push(`JSON-RPC ${f.rpcCode}`);
  const codes = parts.length > 0 ? ` (${parts.join(', ')})` : '';
  const words = CLASS_WORDS[errorClass];
  // "failed: nonce too low", not "failed, nonce too low: nonce too low".
  if (nodeMessage !== undefined && nodeMessage.toLowerCase().includes(words)) return `${where} failed: ${nodeMessage}${codes}`;
  return `${where} failed, ${words}${nodeMessage !== undefined ? `: ${nodeMessage}` : ''}${codes}`;
}

/** The RpcError for a failure already described (e.g. one element of a JSON-RPC batch answer). */
export function rpcErrorFromFailure(failure: RpcFailure, ctx: RpcErrorContext, cause?: unknown): RpcError {
  const scrub = ctx.scrub ?? scrubberFor(ctx.url);
  const errorClass = classifyRpcFailure(ctx.method, failure);
  const safeUrl = redactUrl(ctx.url);
  const nodeMessage = failure.nodeMessage !== undefined ? scrub(failure.nodeMessage) : undefined;
  return new RpcError({
    errorClass,
    method: ctx.method,
    url: safeUrl,
    nodeMessage,
    rpcCode: failure.rpcCode,
    rpcData: failure.rpcData,
    httpStatus: failure.httpStatus,
    retryAfterMs: failure.retryAfterMs,
    shortMessage: shortMessageFor(errorClass, ctx, safeUrl, failure, nodeMessage),
    cause: cause === undefined ? undefined : scrubErrorChain(cause, scrub),
  });
}

/** The RpcError for anything a request threw. An RpcError passes through unchanged. */
export function toRpcError(error: unknown, ctx: RpcErrorContext): RpcError {
  if (error instanceof RpcError) return error;
  return rpcErrorFromFailure(describeRpcFailure(error), ctx, error);
}

/** The RpcError for an answer that arrived but cannot be used (not JSON-RPC, wrong shape). */
export function malformedResponse(ctx: RpcErrorContext, what: string, cause?: unknown): RpcError {
  const scrub = ctx.scrub ?? scrubberFor(ctx.url);
  const safeUrl = redactUrl(ctx.url);
  return new RpcError({
    errorClass: 'transport',
    method: ctx.method,
    url: safeUrl,
    nodeMessage: undefined,
    rpcCode: undefined,
    rpcData: undefined,
    httpStatus: undefined,
    retryAfterMs: undefined,
    shortMessage: `${ctx.method} to ${safeUrl} answered something unusable: ${scrub(what)}`,
    cause: cause === undefined ? undefined : scrubErrorChain(cause, scrub),
  });
}
