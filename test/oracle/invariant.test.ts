// The oracle's common parts, no chain needed: invariants built by name (GH-E600 for an unknown
// one), the violation list's limit and true count, and the overall verdict (a skipped invariant
// is not a pass).

import { describe, expect, it } from 'vitest';
import { isGasHammerError } from '../../src/errors/gashammer-error.js';
import { createInvariants, INVARIANT_NAMES, MAX_LISTED_VIOLATIONS, runOracle, ViolationList, type Invariant } from '../../src/oracle/invariant.js';
import type { InvariantVerdict, Violation } from '../../src/report/report-types.js';
import { INVARIANTS } from '../../src/scenario/schema.js';

const violation = (i: number): Violation => ({ description: `v${i}`, expected: 'e', actual: 'a' });

/** An invariant whose verdict is given: for the aggregation only. */
function fixed(status: InvariantVerdict['status'], violationCount = 0): Invariant {
  return {
    name: `fixed-${status}`,
    mode: 'post-run',
    observe: () => undefined,
    check: () => ({ name: `fixed-${status}`, mode: 'post-run', status, checked: 1, violationCount, violations: [] }),
  };
}

describe('createInvariants', () => {
  it('knows every invariant the scenario language accepts', () => {
    expect([...INVARIANT_NAMES].sort()).toEqual([...INVARIANTS].sort());
  });

  it('builds the named invariants in order, each once, with their modes', () => {
    const built = createInvariants(['gas-accounting', 'balance-conservation', 'gas-accounting', 'nonce-monotonicity']);
    expect(built.map((i) => [i.name, i.mode])).toEqual([
      ['gas-accounting', 'both'],
      ['balance-conservation', 'post-run'],
      ['nonce-monotonicity', 'both'],
    ]);
  });

  it('builds fresh invariants on each call (no state shared between runs)', () => {
    const [first] = createInvariants(['gas-accounting']);
    const [second] = createInvariants(['gas-accounting']);
    expect(first).not.toBe(second);
  });

  it('rejects an unknown invariant with GH-E600, a suggestion and the known names', () => {
    let error: unknown;
    try {
      createInvariants(['gas-accounting', 'nonce-monotonicty']);
    } catch (e) {
      error = e;
    }
    expect(isGasHammerError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'GH-E600',
      shortMessage: "unknown invariant 'nonce-monotonicty' (did you mean 'nonce-monotonicity'?)",
      details: 'The oracle knows: balance-conservation, nonce-monotonicity, gas-accounting.',
    });
  });
});

describe('ViolationList', () => {
  it('lists the first 100 and counts them all, building no violation past the limit', () => {
    const list = new ViolationList();
    let built = 0;
    for (let i = 0; i < 250; i++) {
      list.add(() => {
        built++;
        return violation(i);
      });
    }
    expect(MAX_LISTED_VIOLATIONS).toBe(100);
    expect(list.count).toBe(250);
    expect(list.items).toHaveLength(100);
    expect(list.items[99]).toEqual(violation(99));
    expect(built).toBe(100);
  });

  it('merges another list: its listed ones while room is left, and its true total', () => {
    const a = new ViolationList(3);
    a.add(() => violation(1));
    const b = new ViolationList(3);
    for (let i = 2; i <= 6; i++) b.add(() => violation(i));
    a.merge(b);
    expect(a.count).toBe(6);
    expect(a.items.map((v) => v.description)).toEqual(['v1', 'v2', 'v3']);
  });

  it('hands out a copy: a verdict taken earlier does not grow', () => {
    const list = new ViolationList();
    list.add(() => violation(1));
    const items = list.items;
    list.add(() => violation(2));
    expect(items).toHaveLength(1);
  });

  it('rejects a negative limit', () => {
    expect(() => new ViolationList(-1)).toThrow(RangeError);
  });
});

describe('runOracle', () => {
  const ctx = { accounts: [], unresolvedByAccount: new Map<string, number>() };

  it('passes only when every invariant passed', () => {
    expect(runOracle([fixed('pass'), fixed('pass')], ctx)).toMatchObject({ passed: true, violationCount: 0 });
  });

  it('does not pass with a skipped invariant', () => {
    expect(runOracle([fixed('pass'), fixed('skipped')], ctx)).toMatchObject({ passed: false, violationCount: 0 });
  });

  it('fails with a failed invariant and sums the true violation counts', () => {
    const report = runOracle([fixed('fail', 150), fixed('fail', 2), fixed('pass')], ctx);
    expect(report).toMatchObject({ passed: false, violationCount: 152 });
    expect(report.invariants.map((v) => v.status)).toEqual(['fail', 'fail', 'pass']);
  });
});
