// The only label values a GasHammer metric may carry. Every label is drawn from a fixed list, so
// a series count stays bounded whatever the chain or an edge sends, and no label can carry a
// URL, a transaction hash, an address or a free-text message.

import { RPC_ERROR_CODES, type RpcErrorClass } from '../chain/rpc-errors.js';
import { FAULT_TYPES, INVARIANTS } from '../scenario/schema.js';
import type { FaultType, Invariant } from '../scenario/types.js';

/** Anything not in the list: a newer edge's class, or a value sent in error. */
export const OTHER = 'other';

export type TxErrorClassLabel = RpcErrorClass | typeof OTHER;
export type InvariantLabel = Invariant | typeof OTHER;

export const TX_ERROR_CLASS_LABELS: readonly TxErrorClassLabel[] = [...(Object.keys(RPC_ERROR_CODES) as RpcErrorClass[]), OTHER];
export const INVARIANT_LABELS: readonly InvariantLabel[] = [...INVARIANTS, OTHER];
export type FaultTypeLabel = FaultType | typeof OTHER;
export const FAULT_TYPE_LABELS: readonly FaultTypeLabel[] = [...FAULT_TYPES, OTHER];

/** The `type` label for a fault type as recorded. */
export function faultTypeLabel(value: string): FaultTypeLabel {
  return (FAULT_TYPE_LABELS as readonly string[]).includes(value) ? (value as FaultTypeLabel) : OTHER;
}

/** The `error_class` label for an error class as received (from the wire it is any string). */
export function txErrorClassLabel(value: string): TxErrorClassLabel {
  return (TX_ERROR_CLASS_LABELS as readonly string[]).includes(value) ? (value as TxErrorClassLabel) : OTHER;
}

/** The `invariant` label for an oracle invariant's name. */
export function invariantLabel(value: string): InvariantLabel {
  return (INVARIANT_LABELS as readonly string[]).includes(value) ? (value as InvariantLabel) : OTHER;
}

/**
 * A counter whose one label only takes values of `Value`: the type makes an unbounded label
 * (a raw string from the wire) a compile error. prom-client's Counter<Label> satisfies it.
 */
export interface BoundedCounter<Label extends string, Value extends string> {
  inc(labels: Readonly<Record<Label, Value>>, value?: number): void;
}
