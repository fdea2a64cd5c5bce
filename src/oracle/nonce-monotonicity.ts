// Invariant nonce-monotonicity: per account, the nonces seen included run contiguously from the
// account's nonce at the run's start, with no gap and no duplicate, and the on-chain nonce at the
// end equals the start nonce plus the number of nonces seen included.
//
// Streaming: per account it keeps the contiguous run of nonces seen [lo, hi) and a set of
// stragglers that arrived out of order (absorbed as soon as the run reaches them), so memory
// stays small whatever the number of transactions; observations may come in any order.
//
// Live (OracleContext.liveAtMs set, no end snapshot): a duplicate is reported at once; a gap only
// once it has stayed open for the grace period (its transaction's TxIncluded may just be late:
// edges fetch receipts in the background), and nonces below the start nonce. The end nonce is
// post-run only.

import type { InvariantVerdict } from '../report/report-types.js';
import type { Invariant } from './invariant.js';
import type { IncludedTx, OracleContext } from './observations.js';
import { unresolvedEvidence, verdictOf, ViolationList } from './violation-list.js';

export const NONCE_MONOTONICITY = 'nonce-monotonicity';
/** How long a live nonce gap may stay open before it is reported. */
export const DEFAULT_NONCE_GAP_GRACE_MS = 60_000;

export interface NonceMonotonicityOptions {
  /** Live checks only: how long a gap stays open before it is a violation. */
  readonly gapGraceMs?: number;
}

interface NonceTrack {
  /** Nonces lo..hi-1 were all seen. */
  lo: number;
  hi: number;
  /** Seen nonces outside [lo, hi): out-of-order arrivals, or beyond a gap. */
  stray: Set<number> | undefined;
  /** Live: the lowest missing nonce when a check first saw it open, and when (ms); -1 when none. */
  gapNonce: number;
  gapSinceMs: number;
}

/** A half-open range of nonces [from, to). */
interface NonceRange {
  readonly from: number;
  readonly to: number;
}

export class NonceMonotonicity implements Invariant {
  readonly name = NONCE_MONOTONICITY;
  readonly mode = 'both' as const;
  private readonly tracks = new Map<string, NonceTrack>();
  /** Duplicates are found as observations arrive and stay found. */
  private readonly duplicates = new ViolationList();
  private readonly gapGraceMs: number;
  private observed = 0;

  constructor(options: NonceMonotonicityOptions = {}) {
    this.gapGraceMs = options.gapGraceMs ?? DEFAULT_NONCE_GAP_GRACE_MS;
    if (!(this.gapGraceMs >= 0)) throw new RangeError(`gapGraceMs must be >= 0, got ${options.gapGraceMs}`);
  }

  observe(tx: IncludedTx): void {
    this.observed++;
    const n = tx.nonce;
    const t = this.tracks.get(tx.from);
    if (t === undefined) {
      this.tracks.set(tx.from, { lo: n, hi: n + 1, stray: undefined, gapNonce: -1, gapSinceMs: 0 });
      return;
    }
    if (n >= t.lo && n < t.hi) return this.duplicate(tx);
    if (n === t.hi) t.hi++;
    else if (n === t.lo - 1) t.lo--;
    else {
      t.stray ??= new Set();
      if (t.stray.has(n)) return this.duplicate(tx);
      t.stray.add(n);
      return;
    }
    if (t.stray !== undefined) absorb(t);
  }

  check(ctx: OracleContext): InvariantVerdict {
    const live = ctx.liveAtMs !== undefined;
    const violations = new ViolationList();
    violations.merge(this.duplicates);
    const { start, end } = ctx;

    const accounts = new Set<string>(this.tracks.keys());
    for (const a of ctx.accounts) accounts.add(a);
    let notInSnapshot = 0;
    for (const a of ctx.accounts) {
      if (start !== undefined && !start.accounts.has(a)) notInSnapshot++;
      if (end !== undefined && !end.accounts.has(a)) notInSnapshot++;
    }
    for (const account of accounts) {
      const t = this.tracks.get(account);
      const ranges = t === undefined ? [] : seenRanges(t);
      const startNonce = start?.accounts.get(account)?.nonce;
      const unresolved = unresolvedEvidence(ctx.unresolvedByAccount.get(account));

      if (startNonce !== undefined) {
        const below = ranges.filter((r) => r.from < startNonce).map((r) => ({ from: r.from, to: Math.min(r.to, startNonce) }));
        if (below.length > 0) {
          violations.add(() => ({
            description: `account ${account}: nonces below its start nonce ${startNonce} were seen included during the run (already used before it)`,
            expected: `nonces from ${startNonce} on (eth_getTransactionCount at block ${start!.blockNumber})`,
            actual: `included: ${below.map(showRange).join(', ')}`,
            account,
          }));
        }
      }
      // A gap needs a nonce seen above it, so `t` exists whenever `missing` is not empty.
      const missing = gapsOf(ranges, startNonce);
      if (t !== undefined && missing.length > 0 && (!live || this.gapOverdue(t, missing[0]!.from, ctx.liveAtMs!))) {
        const highest = ranges[ranges.length - 1]!.to - 1;
        // Live, only the lowest gap has been timed: a higher one waits until it is the lowest.
        for (const gap of live ? missing.slice(0, 1) : missing) {
          violations.add(() => ({
            // The description stays the same while the gap stays open (the live oracle reports it once).
            description: `account ${account}: nonce ${gap.from} was never seen included though later nonces were${live ? ` (open for ${this.gapGraceMs / 1000} s or more)` : ''}`,
            expected: `nonces contiguous from ${startNonce ?? ranges[0]!.from}${startNonce === undefined ? ' (the lowest seen; no start snapshot)' : ' (the start nonce)'}`,
            actual: `missing ${showRange(gap)} (${gap.to - gap.from}); highest included ${highest}${unresolved}`,
            account,
          }));
        }
      } else if (missing.length === 0 && t !== undefined) {
        t.gapNonce = -1;
      }

      const endNonce = end?.accounts.get(account)?.nonce;
      if (startNonce !== undefined && endNonce !== undefined) {
        const used = ranges.reduce((sum, r) => sum + Math.max(0, r.to - Math.max(r.from, startNonce)), 0);
        const expected = startNonce + used;
        if (endNonce !== expected) {
          const ahead = endNonce > expected;
          const by = Math.abs(endNonce - expected);
          violations.add(() => ({
            description:
              `account ${account}: its on-chain nonce at block ${end!.blockNumber} is ${by} ${ahead ? 'ahead of' : 'behind'} the nonces seen included` +
              `${ahead ? ` (${by} transaction${by === 1 ? '' : 's'} included that GasHammer did not observe)` : ''}${unresolved}`,
            expected: `nonce ${expected} = start nonce ${startNonce} + ${used} included`,
            actual: `nonce ${endNonce}`,
            blockNumber: end!.blockNumber.toString(),
            account,
          }));
        }
      }
    }

    const notes: string[] = [`${this.observed} transaction${this.observed === 1 ? '' : 's'} observed`];
    let skippedBecause: string | undefined;
    if (live) {
      notes.push(`live: duplicates, nonces below the start nonce, and gaps open for ${this.gapGraceMs / 1000} s or more; the end nonce is checked after the run`);
      if (start === undefined) notes.push('no start snapshot: gaps before the first nonce seen are not visible');
    } else if (start === undefined || end === undefined) {
      const missingSnapshots = [start === undefined ? 'start' : undefined, end === undefined ? 'end' : undefined].filter((m) => m !== undefined).join(' and ');
      skippedBecause = `no ${missingSnapshots} snapshot: contiguity from the start nonce and the end nonce were not checked`;
    } else if (accounts.size === 0) {
      skippedBecause = 'no run account and no observed transaction: nothing to check';
    } else if (notInSnapshot > 0) {
      skippedBecause = `${notInSnapshot} snapshot entr${notInSnapshot === 1 ? 'y' : 'ies'} missing for the run's accounts: those were not fully checked`;
    }
    return verdictOf(this.name, this.mode, { checked: accounts.size, violations, skippedBecause, notes });
  }

  private duplicate(tx: IncludedTx): void {
    const { from, nonce, hash, blockNumber } = tx;
    this.duplicates.add(() => ({
      description: `account ${from}: nonce ${nonce} seen included more than once`,
      expected: 'each nonce included once',
      actual: `nonce ${nonce} again in transaction ${hash} (block ${blockNumber})`,
      txHash: hash,
      blockNumber: blockNumber.toString(),
      account: from,
    }));
  }

  /** Live: true once the lowest missing nonce has been missing for the grace period. */
  private gapOverdue(t: NonceTrack, lowestMissing: number, nowMs: number): boolean {
    if (t.gapNonce !== lowestMissing) {
      t.gapNonce = lowestMissing;
      t.gapSinceMs = nowMs;
    }
    return nowMs - t.gapSinceMs >= this.gapGraceMs;
  }
}

/** Moves stragglers adjacent to [lo, hi) into it. */
function absorb(t: NonceTrack): void {
  const stray = t.stray!;
  while (stray.delete(t.hi)) t.hi++;
  while (stray.delete(t.lo - 1)) t.lo--;
  if (stray.size === 0) t.stray = undefined;
}

/** The nonces seen, as sorted disjoint ranges. */
function seenRanges(t: NonceTrack): NonceRange[] {
  const ranges: NonceRange[] = [{ from: t.lo, to: t.hi }];
  if (t.stray !== undefined) for (const n of t.stray) ranges.push({ from: n, to: n + 1 });
  ranges.sort((a, b) => a.from - b.from);
  const merged: NonceRange[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.to === r.from) merged[merged.length - 1] = { from: last.from, to: r.to };
    else merged.push(r);
  }
  return merged;
}

/** Missing nonces between the start nonce (or the lowest seen) and the highest seen. */
function gapsOf(ranges: readonly NonceRange[], startNonce: number | undefined): NonceRange[] {
  const gaps: NonceRange[] = [];
  let next = startNonce;
  for (const r of ranges) {
    if (next !== undefined && r.from > next) gaps.push({ from: next, to: r.from });
    next = next === undefined ? r.to : Math.max(next, r.to);
  }
  return gaps;
}

function showRange(r: NonceRange): string {
  return r.to - r.from === 1 ? `${r.from}` : `${r.from}..${r.to - 1}`;
}
