// Invariant gas-accounting: each included transaction's receipt adds up. Per transaction:
// - gasUsed <= the gas limit it was signed with;
// - gasUsedForL1 <= gasUsed, where the chain reports it (Nitro; anvil does not);
// - effectiveGasPrice >= the block's base fee;
// - a plain transfer (templates simple-transfer and noop) uses exactly 21,000 compute gas
//   (compute gas = gasUsed - gasUsedForL1: Nitro's L1 part varies with the L1 price, the
//   execution part of a transfer without calldata does not);
// - the receipt status is the outcome its template expects (every template today expects success).
// The fee is gasUsed x effectiveGasPrice. Receipts carry no second fee figure to compare it
// with, so it is checked where it can fail: balance-conservation debits exactly that fee, and any
// other charge shows there as a mismatch.
// Live and post-run: every finding is made as the transaction is observed.

import type { InvariantVerdict } from '../report/report-types.js';
import { TEMPLATE_NAMES, type TemplateName } from '../workload/template-catalog.js';
import type { Invariant } from './invariant.js';
import type { IncludedTx, OracleContext } from './observations.js';
import { verdictOf, ViolationList } from './violation-list.js';

export const GAS_ACCOUNTING = 'gas-accounting';
/** Intrinsic gas of a transaction without calldata: all a plain transfer to an account costs. */
export const PLAIN_TRANSFER_GAS = 21_000;

export type ExpectedOutcome = 'success' | 'reverted';

/** The receipt status each template expects; a template added to the catalogue must say its own. */
export const TEMPLATE_EXPECTED_OUTCOME: Readonly<Record<TemplateName, ExpectedOutcome>> = {
  'simple-transfer': 'success',
  noop: 'success',
  'erc20-transfer': 'success',
  'erc20-approve': 'success',
  'storage-write': 'success',
  'storage-write-heavy': 'success',
  'compute-heavy': 'success',
  'calldata-heavy': 'success',
};

/** Templates whose transactions carry no calldata and go to an account: 21,000 compute gas. */
const PLAIN_TRANSFER_TEMPLATES: ReadonlySet<TemplateName> = new Set<TemplateName>(['simple-transfer', 'noop']);

interface TemplateRule {
  readonly expected: ExpectedOutcome;
  readonly plainTransfer: boolean;
}

/** One lookup per observation: what its template expects. */
const TEMPLATE_RULES: ReadonlyMap<string, TemplateRule> = new Map(
  TEMPLATE_NAMES.map((t) => [t, { expected: TEMPLATE_EXPECTED_OUTCOME[t], plainTransfer: PLAIN_TRANSFER_TEMPLATES.has(t) }]),
);

export class GasAccounting implements Invariant {
  readonly name = GAS_ACCOUNTING;
  readonly mode = 'both' as const;
  private readonly violations = new ViolationList();
  private observed = 0;
  private noGasLimit = 0;
  private noBaseFee = 0;
  private noTemplate = 0;
  private unknownTemplate = 0;

  observe(tx: IncludedTx): void {
    this.observed++;
    const { gasUsed, gasUsedForL1, gasLimit, baseFeePerGas, effectiveGasPrice, template } = tx;
    if (gasLimit === undefined) this.noGasLimit++;
    else if (gasUsed > gasLimit) {
      this.add(tx, () => ['gasUsed is above the gas limit the transaction was signed with', `gasUsed <= gasLimit ${gasLimit}`, `gasUsed ${gasUsed}`]);
    }
    if (gasUsedForL1 !== undefined && gasUsedForL1 > gasUsed) {
      this.add(tx, () => ['gasUsedForL1 is above gasUsed (the L1 part cannot exceed the total)', `gasUsedForL1 <= gasUsed ${gasUsed}`, `gasUsedForL1 ${gasUsedForL1}`]);
    }
    if (baseFeePerGas === undefined) this.noBaseFee++;
    else if (effectiveGasPrice < baseFeePerGas) {
      this.add(tx, () => ["the effective gas price is below the block's base fee", `effectiveGasPrice >= base fee ${baseFeePerGas} wei`, `effectiveGasPrice ${effectiveGasPrice} wei`]);
    }
    if (template === undefined) {
      this.noTemplate++;
      return;
    }
    const rule = TEMPLATE_RULES.get(template);
    if (rule === undefined) {
      this.unknownTemplate++;
      return;
    }
    if ((rule.expected === 'success') !== tx.success) {
      this.add(tx, () => [`the receipt status is not what template ${template} expects`, `${rule.expected} (template ${template})`, tx.success ? 'success' : 'reverted (status 0)']);
    }
    if (rule.plainTransfer) {
      const computeGas = gasUsedForL1 === undefined ? gasUsed : gasUsed - gasUsedForL1;
      if (computeGas !== PLAIN_TRANSFER_GAS) {
        this.add(tx, () => [
          `a plain transfer (template ${template}) used compute gas other than ${PLAIN_TRANSFER_GAS}`,
          `compute gas ${PLAIN_TRANSFER_GAS} (gasUsed - gasUsedForL1)`,
          `compute gas ${computeGas} (gasUsed ${gasUsed}, gasUsedForL1 ${gasUsedForL1 ?? 'not reported'})`,
        ]);
      }
    }
  }

  check(_ctx: OracleContext): InvariantVerdict {
    const notes: string[] = [`${this.observed} transaction${this.observed === 1 ? '' : 's'} checked`];
    const unchecked = (n: number, what: string) => {
      if (n > 0) notes.push(`${n} without ${what}`);
    };
    unchecked(this.noGasLimit, 'a known gas limit (no TxSubmitted joined): gasUsed <= gasLimit not checked');
    unchecked(this.noBaseFee, 'a known base fee: effectiveGasPrice >= base fee not checked');
    unchecked(this.noTemplate, 'a known template: status and plain-transfer gas not checked');
    unchecked(this.unknownTemplate, 'a template in the catalogue: status not checked');
    return verdictOf(this.name, this.mode, {
      checked: this.observed,
      violations: this.violations,
      skippedBecause: this.observed === 0 ? 'no included transaction was observed: nothing to check' : undefined,
      notes,
    });
  }

  /** Counts a violation of `tx`; its words are built only while the list has room (evidence: description, expected, actual). */
  private add(tx: IncludedTx, evidence: () => readonly [string, string, string]): void {
    // ViolationList.add calls back at once or never, so reading the (reused) tx here is safe.
    this.violations.add(() => {
      const [description, expected, actual] = evidence();
      return { description, expected, actual, txHash: tx.hash, blockNumber: tx.blockNumber.toString(), account: tx.from };
    });
  }
}
