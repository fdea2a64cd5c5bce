// What the correctness oracle reasons about: included transactions as GasHammer observed them,
// and the chain's state of its accounts read at one block. Addresses are lowercase everywhere
// here (nodes send lowercase; anything else is lowercased where it enters), so the invariants
// can key their per-account aggregates by the string as it comes.
//
// Observations stream: a report runs over millions of them, so the caller may pass the SAME
// IncludedTx object again and again with new values. An invariant copies whatever it keeps.
// Block numbers and gas are plain numbers (exact: they stay far below 2^53, Nitro's block gas
// limit is 2^50), so the invariants do no BigInt arithmetic on them; wei amounts are bigints.

import type { TxIncluded } from '../telemetry/events.js';

/** One transaction seen included (status 1 or 0), with what the sender asked for when known. */
export interface IncludedTx {
  readonly hash: string;
  readonly blockNumber: number;
  /** Lowercase. */
  readonly from: string;
  /** Lowercase; undefined for a contract creation. */
  readonly to: string | undefined;
  readonly nonce: number;
  readonly valueWei: bigint;
  /** Total gas: on Nitro it includes gasUsedForL1. */
  readonly gasUsed: number;
  /** Nitro's L1 (poster) part of gasUsed; undefined on chains without it (anvil). */
  readonly gasUsedForL1: number | undefined;
  readonly effectiveGasPrice: bigint;
  /** Base fee of the including block; undefined when unknown. */
  readonly baseFeePerGas: bigint | undefined;
  readonly success: boolean;
  /** What the transaction was signed with (TxSubmitted.gasLimit); undefined when not joined. */
  readonly gasLimit: number | undefined;
  /** The workload template that built it (TxSubmitted.template); undefined when not joined. */
  readonly template: string | undefined;
}

/** The same fields, writable: for a caller that reuses one object for every observation. */
export type MutableIncludedTx = { -readonly [K in keyof IncludedTx]: IncludedTx[K] };

/** One account's state at one block. */
export interface AccountState {
  readonly balance: bigint;
  /** eth_getTransactionCount at the block: the next nonce to use. */
  readonly nonce: number;
}

/** The state of a set of accounts at one block (see chain-snapshot.ts). */
export interface ChainSnapshot {
  readonly blockNumber: bigint;
  /** Keyed by lowercase address. */
  readonly accounts: ReadonlyMap<string, AccountState>;
}

export interface OracleContext {
  /** The run's accounts at its first block (before its first transaction); absent when not read. */
  readonly start?: ChainSnapshot;
  /** The run's accounts at its last block (after its last transaction); absent during the run. */
  readonly end?: ChainSnapshot;
  /** The run's load accounts, lowercase. */
  readonly accounts: readonly string[];
  /**
   * Per account (lowercase): transactions sent but never seen included or failed (timeouts).
   * They may have landed after all, which would explain a balance or nonce mismatch: evidence
   * mentions them.
   */
  readonly unresolvedByAccount: ReadonlyMap<string, number>;
  /**
   * Set by the live oracle: the check runs during the run, at this reading of its clock (ms).
   * Left out by post-run checks. Live checks hold some findings for a grace period (nonce gaps).
   */
  readonly liveAtMs?: number;
}

/** Nitro's ArbOS address: the sender of the internal transaction (type 0x6a) opening every block. */
export const ARBOS_ADDRESS = '0x00000000000000000000000000000000000a4b05';

/** Never GasHammer's: the invariants must not see it (gasUsed 0, no fee, no nonce of ours). */
export function isArbOsInternal(tx: IncludedTx): boolean {
  return tx.from === ARBOS_ADDRESS;
}

/** What TxSubmitted said about a transaction, joined to its TxIncluded by hash. */
export interface SubmittedFacts {
  readonly gasLimit: bigint;
  readonly template: string;
}

/** Fills `into` (reused by the caller) from a TxIncluded event and, when known, its TxSubmitted facts. */
export function fillFromTxIncluded(into: MutableIncludedTx, event: TxIncluded, submitted: SubmittedFacts | undefined): IncludedTx {
  into.hash = event.txHash;
  into.blockNumber = Number(event.blockNumber);
  into.from = event.from.toLowerCase();
  into.to = event.to === undefined ? undefined : event.to.toLowerCase();
  into.nonce = event.nonce;
  into.valueWei = event.valueWei;
  into.gasUsed = Number(event.gasUsed);
  into.gasUsedForL1 = event.gasUsedForL1 === undefined ? undefined : Number(event.gasUsedForL1);
  into.effectiveGasPrice = event.effectiveGasPrice;
  into.baseFeePerGas = event.baseFeePerGas;
  into.success = event.success;
  into.gasLimit = submitted === undefined ? undefined : Number(submitted.gasLimit);
  into.template = submitted?.template;
  return into;
}

/** An empty observation to reuse with fillFromTxIncluded. */
export function emptyIncludedTx(): MutableIncludedTx {
  return {
    hash: '',
    blockNumber: 0,
    from: '',
    to: undefined,
    nonce: 0,
    valueWei: 0n,
    gasUsed: 0,
    gasUsedForL1: undefined,
    effectiveGasPrice: 0n,
    baseFeePerGas: undefined,
    success: true,
    gasLimit: undefined,
    template: undefined,
  };
}
