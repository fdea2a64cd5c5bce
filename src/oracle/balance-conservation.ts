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

/**
 * What the observed transactions moved for one address. Each sum is `big + small`: `small`
 * takes every addition that keeps it an exact integer (below 2^53), `big` the rest, so the
 * common case (fees of millions of transfers) costs a float add, not a BigInt allocation.
 */
interface Flows {
  sent: bigint;
  sentSmall: number;
  received: bigint;
  receivedSmall: number;
  fees: bigint;
  feesSmall: number;
  /** Transactions it sent. */
  txs: number;
}

interface FlowTotals {
  readonly sent: bigint;
  readonly received: bigint;
  readonly fees: bigint;
  readonly txs: number;
}

const SAFE = Number.MAX_SAFE_INTEGER;
const SAFE_BIG = BigInt(SAFE);

function totals(f: Flows | undefined): FlowTotals {
  if (f === undefined) return { sent: 0n, received: 0n, fees: 0n, txs: 0 };
  return { sent: f.sent + BigInt(f.sentSmall), received: f.received + BigInt(f.receivedSmall), fees: f.fees + BigInt(f.feesSmall), txs: f.txs };
}

/** A bigint as an exact number, or NaN when it is not one (NaN fails every `<=`). */
function exact(n: bigint): number {
  return n >= 0n && n <= SAFE_BIG ? Number(n) : NaN;
}

export class BalanceConservation implements Invariant {
  readonly name = BALANCE_CONSERVATION;
  readonly mode = 'post-run' as const;
  private readonly flows = new Map<string, Flows>();
  private observed = 0;
  private firstBlock = Infinity;
  private lastBlock = -Infinity;
  // Consecutive transactions mostly carry the same price and value: convert each once.
  private lastPrice = -1n;
  private lastPriceSmall = NaN;
  private lastValue = -1n;
  private lastValueSmall = NaN;

  observe(tx: IncludedTx): void {
    this.observed++;
    const block = tx.blockNumber;
    if (block < this.firstBlock) this.firstBlock = block;
    if (block > this.lastBlock) this.lastBlock = block;
    const sender = this.flowsOf(tx.from);
    sender.txs++;
    const price = tx.effectiveGasPrice;
    if (price !== this.lastPrice) {
      this.lastPrice = price;
      this.lastPriceSmall = exact(price);
    }
    // Exact when it stays at or below SAFE (a product above it rounds to at least 2^53).
    const fee = tx.gasUsed * this.lastPriceSmall;
    if (fee <= SAFE && sender.feesSmall + fee <= SAFE) sender.feesSmall += fee;
    else sender.fees += BigInt(tx.gasUsed) * price;
    // A reverted transaction moves no value: only its fee is paid.
    const value = tx.valueWei;
    if (tx.success && value !== 0n) {
      if (value !== this.lastValue) {
        this.lastValue = value;
        this.lastValueSmall = exact(value);
      }
      const small = this.lastValueSmall;
      if (sender.sentSmall + small <= SAFE) sender.sentSmall += small;
      else sender.sent += value;
      if (tx.to !== undefined) {
        const receiver = this.flowsOf(tx.to);
        if (receiver.receivedSmall + small <= SAFE) receiver.receivedSmall += small;
        else receiver.received += value;
      }
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
      const f = totals(this.flows.get(account));
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
      f = { sent: 0n, sentSmall: 0, received: 0n, receivedSmall: 0, fees: 0n, feesSmall: 0, txs: 0 };
      this.flows.set(address, f);
    }
    return f;
  }

  /** Why the snapshots cannot bracket the observations, or undefined when they do. */
  private outsideWindow(startBlock: bigint, endBlock: bigint): string | undefined {
    if (this.firstBlock <= Number(startBlock)) {
      return `not checked: a transaction was observed in block ${this.firstBlock}, at or before the start snapshot's block ${startBlock} (read the start snapshot before the run's first transaction)`;
    }
    if (this.lastBlock > Number(endBlock)) {
      return `not checked: a transaction was observed in block ${this.lastBlock}, after the end snapshot's block ${endBlock} (read the end snapshot after the run's last transaction)`;
    }
    return undefined;
  }
}

function magnitude(n: bigint): bigint {
  return n < 0n ? -n : n;
}
