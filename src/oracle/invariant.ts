// The correctness oracle's common shape: an invariant observes included transactions one by one
// (cheaply: it keeps per-account aggregates, never the transactions) and, when asked, checks what
// it has seen against the chain's state and returns a verdict with evidence. Which invariants run
// is the scenario's `oracle.invariants`; this module builds them by name and turns their
// verdicts into the report's OracleReport.

import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { InvariantMode, InvariantVerdict, OracleReport } from '../report/report-types.js';
import { didYouMean } from '../util/suggest.js';
import { BALANCE_CONSERVATION, BalanceConservation } from './balance-conservation.js';
import { GAS_ACCOUNTING, GasAccounting } from './gas-accounting.js';
import { NONCE_MONOTONICITY, NonceMonotonicity } from './nonce-monotonicity.js';
import { isArbOsInternal, type IncludedTx, type OracleContext } from './observations.js';

export { MAX_LISTED_VIOLATIONS, ViolationList } from './violation-list.js';

export interface Invariant {
  readonly name: string;
  /** live: checked during the run; post-run: only once it is over; both. */
  readonly mode: InvariantMode;
  /** Takes one observation; `tx` may be reused by the caller after the call, so copy what is kept. */
  observe(tx: IncludedTx): void;
  /** What the observations so far say; may be called repeatedly (live) and does not consume them. */
  check(ctx: OracleContext): InvariantVerdict;
}

export interface InvariantOptions {
  /** nonce-monotonicity, live: how long a nonce gap may stay open before it is reported. */
  readonly nonceGapGraceMs?: number;
}

const FACTORIES: Readonly<Record<string, (options: InvariantOptions) => Invariant>> = {
  [BALANCE_CONSERVATION]: () => new BalanceConservation(),
  [NONCE_MONOTONICITY]: (o) => new NonceMonotonicity(o.nonceGapGraceMs === undefined ? {} : { gapGraceMs: o.nonceGapGraceMs }),
  [GAS_ACCOUNTING]: () => new GasAccounting(),
};

/** Every invariant the oracle knows, by name. */
export const INVARIANT_NAMES: readonly string[] = Object.keys(FACTORIES);

/** Fresh invariants for `names` (a scenario's oracle.invariants), in order, each once; GH-E600 for an unknown name. */
export function createInvariants(names: readonly string[], options: InvariantOptions = {}): Invariant[] {
  const unique = [...new Set(names)];
  for (const name of unique) {
    if (!Object.hasOwn(FACTORIES, name)) {
      throw new GasHammerError(ErrorCodes.UnknownInvariant, `unknown invariant '${name}'${didYouMean(name, INVARIANT_NAMES)}`, {
        details: `The oracle knows: ${INVARIANT_NAMES.join(', ')}.`,
      });
    }
  }
  return unique.map((name) => FACTORIES[name]!(options));
}

/**
 * Hands one observation to every invariant. Nitro's ArbOS internal transaction is never
 * GasHammer's: it is left out (false returned), so a caller that feeds whole blocks is safe.
 */
export function observeAll(invariants: readonly Invariant[], tx: IncludedTx): boolean {
  if (isArbOsInternal(tx)) return false;
  for (const invariant of invariants) invariant.observe(tx);
  return true;
}

/** Checks every invariant; passed only when each one passed (a skipped one is not a pass). */
export function runOracle(invariants: readonly Invariant[], ctx: OracleContext): OracleReport {
  const verdicts = invariants.map((i) => i.check(ctx));
  return {
    invariants: verdicts,
    violationCount: verdicts.reduce((sum, v) => sum + v.violationCount, 0),
    passed: verdicts.every((v) => v.status === 'pass'),
  };
}
