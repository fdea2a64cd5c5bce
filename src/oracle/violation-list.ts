// The violations of one invariant as a report keeps them: the first 100 with their evidence,
// and the true total. Building a Violation costs strings; past the limit only the count moves,
// so a chain that breaks an invariant millions of times does not build millions of objects.

import type { InvariantMode, InvariantVerdict, Violation } from '../report/report-types.js';

/** Violations listed per invariant in a verdict; the rest are only counted. */
export const MAX_LISTED_VIOLATIONS = 100;

export class ViolationList {
  private readonly listed: Violation[] = [];
  private total = 0;

  constructor(readonly limit: number = MAX_LISTED_VIOLATIONS) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be an integer >= 0, got ${limit}`);
  }

  /** Counts one violation; `describe` runs only while fewer than `limit` are listed. */
  add(describe: () => Violation): void {
    this.total++;
    if (this.listed.length < this.limit) this.listed.push(describe());
  }

  /** Adds another list's violations: its listed ones while room is left, and its true total. */
  merge(other: ViolationList): void {
    for (const v of other.listed) {
      if (this.listed.length >= this.limit) break;
      this.listed.push(v);
    }
    this.total += other.total;
  }

  /** The true total, listed or not. */
  get count(): number {
    return this.total;
  }

  /** The listed ones, oldest first (a copy: the list may grow after a verdict is taken). */
  get items(): readonly Violation[] {
    return this.listed.slice();
  }
}

export interface VerdictParts {
  readonly checked: number;
  readonly violations: ViolationList;
  /** Why the invariant could not be checked (in full); with no violation, the verdict is 'skipped'. */
  readonly skippedBecause?: string | undefined;
  /** Anything else a reader should know: limits, what was not checked and why. */
  readonly notes?: readonly string[];
}

/** fail with any violation; else skipped when something kept it from being checked; else pass. */
export function verdictOf(name: string, mode: InvariantMode, parts: VerdictParts): InvariantVerdict {
  const count = parts.violations.count;
  const status = count > 0 ? 'fail' : parts.skippedBecause === undefined ? 'pass' : 'skipped';
  const notes = [...(parts.skippedBecause === undefined ? [] : [parts.skippedBecause]), ...(parts.notes ?? [])];
  return {
    name,
    mode,
    status,
    checked: parts.checked,
    violationCount: count,
    violations: parts.violations.items,
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
  };
}

/** "3 transactions of this account were sent but never seen included or failed (timeouts): ..." */
export function unresolvedEvidence(unresolved: number | undefined): string {
  if (unresolved === undefined || unresolved === 0) return '';
  const what = unresolved === 1 ? '1 transaction of this account was' : `${unresolved} transactions of this account were`;
  return `; ${what} sent but never seen included or failed (timeouts): landing after all would explain this`;
}
