// How the REST API writes JSON: every response body leaves through `sendJson`, which writes
// bigints as decimal strings (JSON has no integers beyond 2^53) and redacts every string, since
// reasons, notes and the report's target carry node answers and RPC URLs that may hold a key.

import type { Response } from 'express';
import { redactDeep } from '../../util/redact.js';

/** JSON.stringify replacer: a bigint becomes its decimal string. */
export function bigintAsDecimal(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString(10) : value;
}

export function toJsonText(value: unknown): string {
  return JSON.stringify(redactDeep(value), bigintAsDecimal);
}

export function sendJson(res: Response, status: number, value: unknown): void {
  res.status(status).type('application/json; charset=utf-8').send(toJsonText(value));
}
