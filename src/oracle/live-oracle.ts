// The oracle during a run. The hive hands it every telemetry event as it arrives; it joins each
// TxIncluded to its TxSubmitted by hash (for the gas limit and template; only transactions still
// pending are kept), counts per account the transactions that timed out or whose tracking failed,
// and every `checkIntervalSecs` runs the live-capable invariants, reporting each violation not
// reported before through a callback (the hive counts them in its metrics and logs them).
//
// What live mode checks: gas-accounting in full, as each transaction is observed;
// nonce-monotonicity's duplicates, nonces below the start nonce (with a start snapshot) and gaps
// that stay open for the grace period (a gap's TxIncluded may just be late). balance-conservation
// and the end-nonce check need the end of the run: they are post-run only. The report's oracle
// section comes from the post-run check over the Parquet files, not from here.

import type { InvariantMode, OracleReport, Violation } from '../report/report-types.js';
import type { TelemetryEvent } from '../telemetry/events.js';
import { createInvariants, observeAll, runOracle, type Invariant } from './invariant.js';
import { emptyIncludedTx, fillFromTxIncluded, type ChainSnapshot, type OracleContext, type SubmittedFacts } from './observations.js';

/** Transactions awaiting their TxIncluded at most; the oldest are forgotten past it (their join is lost). */
export const MAX_PENDING_TXS = 1_000_000;

/** The timer and clock the oracle runs on; tests use fake timers or a hand-driven one. */
export interface OracleTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  /** Milliseconds on a monotonic clock. */
  nowMs(): number;
}

export const systemOracleTimers: OracleTimers = {
  setInterval: (callback, ms) => {
    const handle = setInterval(callback, ms);
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  // Read through globalThis at each call, so fake timers installed after import apply.
  nowMs: () => globalThis.performance.now(),
};

/** New violations of one invariant found by one live check. */
export interface LiveViolations {
  readonly invariant: string;
  readonly mode: InvariantMode;
  /** The new ones with their evidence (at most what the verdict lists). */
  readonly violations: readonly Violation[];
  /** How many are new in total: more than `violations.length` once the verdict's list is full. */
  readonly count: number;
}

export interface LiveOracleOptions {
  /** The scenario's oracle.invariants; those that are post-run only are left out. */
  readonly invariants: readonly string[];
  readonly checkIntervalSecs: number;
  /** The run's load accounts (any letter case). */
  readonly accounts: readonly string[];
  /** The accounts at the run's first block, when read: lets live checks see gaps from the start nonce. */
  readonly start?: ChainSnapshot;
  readonly onViolations: (found: LiveViolations) => void;
  /** A check that threw (a bug): the oracle keeps running. */
  readonly onError?: (error: unknown) => void;
  readonly nonceGapGraceMs?: number;
  readonly timers?: OracleTimers;
}

interface PendingTx extends SubmittedFacts {
  readonly account: string;
}

export interface LiveOracleStats {
  /** Included transactions observed. */
  readonly observed: number;
  /** Of those, how many had no TxSubmitted to join (gas limit and template unknown). */
  readonly unjoined: number;
  /** Submitted transactions still awaiting an outcome. */
  readonly pending: number;
  /** Timed out or lost in tracking, all accounts. */
  readonly unresolved: number;
  readonly checks: number;
}

export class LiveOracle {
  readonly invariants: readonly Invariant[];
  private readonly timers: OracleTimers;
  private readonly intervalMs: number;
  private readonly accounts: readonly string[];
  private start: ChainSnapshot | undefined;
  private readonly pending = new Map<string, PendingTx>();
  private readonly unresolvedByAccount = new Map<string, number>();
  private readonly observation = emptyIncludedTx();
  /** Per invariant: keys of the violations already reported, and how many unlisted ones were. */
  private readonly reported = new Map<string, { keys: Set<string>; unlisted: number }>();
  private handle: unknown;
  private observed = 0;
  private unjoined = 0;
  private unresolved = 0;
  private checks = 0;

  constructor(private readonly options: LiveOracleOptions) {
    if (!(Number.isFinite(options.checkIntervalSecs) && options.checkIntervalSecs > 0)) {
      throw new RangeError(`checkIntervalSecs must be a positive number, got ${options.checkIntervalSecs}`);
    }
    this.intervalMs = options.checkIntervalSecs * 1000;
    this.timers = options.timers ?? systemOracleTimers;
    this.invariants = createInvariants(options.invariants, options.nonceGapGraceMs === undefined ? {} : { nonceGapGraceMs: options.nonceGapGraceMs }).filter(
      (i) => i.mode !== 'post-run',
    );
    this.accounts = [...new Set(options.accounts.map((a) => a.toLowerCase()))];
    this.start = options.start;
  }

  /** Starts the periodic checks. */
  begin(): void {
    if (this.handle !== undefined) return;
    this.handle = this.timers.setInterval(() => this.tick(), this.intervalMs);
  }

  /** Stops them; events may still be fed and checkNow() called. */
  stop(): void {
    if (this.handle === undefined) return;
    this.timers.clearInterval(this.handle);
    this.handle = undefined;
  }

  /** The start snapshot, once read (it may come after the first events). */
  setStart(snapshot: ChainSnapshot): void {
    this.start = snapshot;
  }

  onEvent(event: TelemetryEvent): void {
    switch (event.kind) {
      case 'TxSubmitted': {
        if (this.pending.size >= MAX_PENDING_TXS) {
          // Map order is insertion order: the oldest is the likeliest to be lost already.
          const oldest = this.pending.keys().next();
          if (!oldest.done) this.pending.delete(oldest.value);
        }
        this.pending.set(event.txHash.toLowerCase(), { gasLimit: event.gasLimit, template: event.template, account: event.account.toLowerCase() });
        break;
      }
      case 'TxIncluded': {
        const hash = event.txHash.toLowerCase();
        const submitted = this.pending.get(hash);
        if (submitted === undefined) this.unjoined++;
        else this.pending.delete(hash);
        if (observeAll(this.invariants, fillFromTxIncluded(this.observation, event, submitted))) this.observed++;
        break;
      }
      case 'TxTimeout': {
        const hash = event.txHash.toLowerCase();
        const submitted = this.pending.get(hash);
        this.pending.delete(hash);
        if (submitted !== undefined) this.addUnresolved(submitted.account);
        break;
      }
      case 'TxFailed': {
        if (event.txHash !== undefined) this.pending.delete(event.txHash.toLowerCase());
        // A failed submission used no nonce; a failed tracking leaves the outcome unknown.
        if (event.stage === 'track') this.addUnresolved(event.account.toLowerCase());
        break;
      }
      default:
        break;
    }
  }

  /** Runs the live checks now and reports what is new; returns every live verdict. */
  checkNow(): OracleReport {
    this.checks++;
    const ctx: OracleContext = {
      ...(this.start === undefined ? {} : { start: this.start }),
      accounts: this.accounts,
      unresolvedByAccount: this.unresolvedByAccount,
      liveAtMs: this.timers.nowMs(),
    };
    const report = runOracle(this.invariants, ctx);
    for (const verdict of report.invariants) {
      let seen = this.reported.get(verdict.name);
      if (seen === undefined) {
        seen = { keys: new Set(), unlisted: 0 };
        this.reported.set(verdict.name, seen);
      }
      const fresh = verdict.violations.filter((v) => {
        const key = violationKey(v);
        if (seen.keys.has(key)) return false;
        seen.keys.add(key);
        return true;
      });
      const unlisted = verdict.violationCount - verdict.violations.length;
      const freshUnlisted = Math.max(0, unlisted - seen.unlisted);
      seen.unlisted = Math.max(seen.unlisted, unlisted);
      const count = fresh.length + freshUnlisted;
      if (count > 0) this.options.onViolations({ invariant: verdict.name, mode: verdict.mode, violations: fresh, count });
    }
    return report;
  }

  get stats(): LiveOracleStats {
    return { observed: this.observed, unjoined: this.unjoined, pending: this.pending.size, unresolved: this.unresolved, checks: this.checks };
  }

  private tick(): void {
    try {
      this.checkNow();
    } catch (e) {
      this.options.onError?.(e);
    }
  }

  private addUnresolved(account: string): void {
    this.unresolved++;
    this.unresolvedByAccount.set(account, (this.unresolvedByAccount.get(account) ?? 0) + 1);
  }
}

/**
 * Identifies a violation across checks. Expected and actual are left out: a nonce gap's stay the
 * same violation while its details (how many missing, the highest nonce) move.
 */
function violationKey(v: Violation): string {
  return `${v.account ?? ''}|${v.txHash ?? ''}|${v.blockNumber ?? ''}|${v.description}`;
}
