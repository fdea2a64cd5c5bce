// Invariant balance-conservation: no wei is created or destroyed inside GasHammer's closed set
// of accounts. For every load account,
//   end balance = start balance − value sent + value received − Σ gasUsed × effectiveGasPrice
// over the transactions observed included, with balances read at the run's first and last
// block (chain-snapshot.ts). A reverted transaction moves no value but still pays its fee.
// Post-run only: it needs the end balances. Anything that moves wei the observations do not
// show (anvil_setBalance, a transfer from or to an outside account, a fee other than gasUsed ×
// effectiveGasPrice, a transaction that timed out and landed after all) breaks the equation.

import type { InvariantVerdict } from '../report/report-types.js';
import type { Invariant } from './invariant.js';
import type { IncludedTx, OracleContext } from './observations.js';
import { unresolvedEvidence, verdictOf, ViolationList } from './violation-list.js';

export const BALANCE_CONSERVATION = 'balance-conservation';

/** What the observed transactions moved for one address. */
interface Flows {
  sent: bigint;
  received: bigint;
  fees: bigint;
  /** Transactions it sent. */
  txs: number;
}

export class BalanceConservation implements Invariant {
  readonly name = BALANCE_CONSERVATION;
  readonly mode = 'post-run' as const;
  private readonly flows = new Map<string, Flows>();
  private observed = 0;
  private firstBlock: bigint | undefined;
  private lastBlock: bigint | undefined;

  observe(tx: IncludedTx): void {
    this.observed++;
    if (this.firstBlock === undefined || tx.blockNumber < this.firstBlock) this.firstBlock = tx.blockNumber;
    if (this.lastBlock === undefined || tx.blockNumber > this.lastBlock) this.lastBlock = tx.blockNumber;
    const sender = this.flowsOf(tx.from);
    sender.txs++;
    sender.fees += tx.gasUsed * tx.effectiveGasPrice;
    // A reverted transaction moves no value: only its fee is paid.
    if (tx.success && tx.valueWei !== 0n) {
      sender.sent += tx.valueWei;
      if (tx.to !== undefined) this.flowsOf(tx.to).received += tx.valueWei;
    }
  }

  check(ctx: OracleContext): InvariantVerdict {
    const violations = new ViolationList();
    const { start, end } = ctx;
    if (start === undefined || end === undefined) {
      const missing = [start === undefined ? 'start' : undefined, end === undefined ? 'end' : undefined].filter((m) => m !== undefined).join(' and ');
      return verdictOf(this.name, this.mode, {
        checked: 0,
        violations,
        skippedBecause: `not checked: no ${missing} snapshot (balances at the run's first and last block are needed)`,
      });
    }
    const outside = this.outsideWindow(start.blockNumber, end.blockNumber);
    if (outside !== undefined) return verdictOf(this.name, this.mode, { checked: 0, violations, skippedBecause: outside });

    let checked = 0;
    let notInSnapshot = 0;
    let net = 0n;
    let totalFees = 0n;
    for (const account of ctx.accounts) {
      const before = start.accounts.get(account);
      const after = end.accounts.get(account);
      if (before === undefined || after === undefined) {
        notInSnapshot++;
        continue;
      }
      checked++;
      const f = this.flows.get(account) ?? { sent: 0n, received: 0n, fees: 0n, txs: 0 };
      totalFees += f.fees;
      const expected = before.balance - f.sent + f.received - f.fees;
      const difference = after.balance - expected;
      if (difference === 0n) continue;
      net += difference;
      violations.add(() => ({
        description:
          `account ${account}: its balance at block ${end.blockNumber} is ${magnitude(difference)} wei ${difference > 0n ? 'more' : 'less'} than its observed ` +
          `transactions explain (wei ${difference > 0n ? 'created' : 'destroyed'})${unresolvedEvidence(ctx.unresolvedByAccount.get(account))}`,
        expected:
          `${expected} wei = start ${before.balance} (block ${start.blockNumber}) - sent ${f.sent} + received ${f.received} - fees ${f.fees} ` +
          `(${f.txs} transaction${f.txs === 1 ? '' : 's'} sent)`,
        actual: `${after.balance} wei (${difference > 0n ? '+' : '-'}${magnitude(difference)} wei)`,
        blockNumber: end.blockNumber.toString(),
        account,
      }));
    }
    // The set as a whole: transfers between its accounts that were not observed cancel out here,
    // wei that came from or went to outside (or from nowhere) does not.
    if (net !== 0n && checked > 1) {
      violations.add(() => ({
        description: `the closed set of ${checked} GasHammer accounts holds ${magnitude(net)} wei ${net > 0n ? 'more' : 'less'} than its observed transactions explain`,
        expected: 'the sum of the accounts\' balance changes equals received from outside - sent outside - fees',
        actual: `${net > 0n ? '+' : '-'}${magnitude(net)} wei over the set`,
        blockNumber: end.blockNumber.toString(),
      }));
    }
    const notes = [`${this.observed} transaction${this.observed === 1 ? '' : 's'} observed, ${totalFees} wei of fees debited`];
    return verdictOf(this.name, this.mode, {
      checked,
      violations,
      skippedBecause:
        notInSnapshot > 0
          ? `${notInSnapshot} of ${ctx.accounts.length} accounts are missing from a snapshot and were not checked`
          : ctx.accounts.length === 0
            ? 'no run account to check'
            : undefined,
      notes,
    });
  }

  private flowsOf(address: string): Flows {
    let f = this.flows.get(address);
    if (f === undefined) {
      f = { sent: 0n, received: 0n, fees: 0n, txs: 0 };
      this.flows.set(address, f);
    }
    return f;
  }

  /** Why the snapshots cannot bracket the observations, or undefined when they do. */
  private outsideWindow(startBlock: bigint, endBlock: bigint): string | undefined {
    if (this.firstBlock !== undefined && this.firstBlock <= startBlock) {
      return `not checked: a transaction was observed in block ${this.firstBlock}, at or before the start snapshot's block ${startBlock} (read the start snapshot before the run's first transaction)`;
    }
    if (this.lastBlock !== undefined && this.lastBlock > endBlock) {
      return `not checked: a transaction was observed in block ${this.lastBlock}, after the end snapshot's block ${endBlock} (read the end snapshot after the run's last transaction)`;
    }
    return undefined;
  }
}

function magnitude(n: bigint): bigint {
  return n < 0n ? -n : n;
}
