// TxJoin: the hash-keyed join table of the report's pass. Slots are dense in order of first
// sight, both key words must match, and growing the table (past three quarters full) or the
// per-slot facts (past the expected count) keeps every key and fact.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OUTCOME_INCLUDED, OUTCOME_SUBMITTED, TxJoin } from '../../src/report/tx-join.js';

describe('TxJoin', () => {
  it('gives dense slots in order of first sight, the same slot again for a known key, -1 for an unknown one', () => {
    const join = new TxJoin(4);
    expect(join.add(1, 2)).toBe(0);
    expect(join.add(3, 4)).toBe(1);
    expect(join.add(1, 2)).toBe(0);
    expect(join.find(3, 4)).toBe(1);
    expect(join.find(1, 3)).toBe(-1);
    expect(join.find(2, 2)).toBe(-1);
    expect(join.size).toBe(2);
  });

  it('starts a new slot with its facts unknown, and keeps outcome bits', () => {
    const join = new TxJoin(4);
    const slot = join.add(7, 7);
    expect([join.intendedNs[slot], join.gasLimit[slot], join.scope[slot], join.template[slot], join.account[slot], join.outcome[slot]]).toEqual([NaN, NaN, -1, -1, -1, 0]);
    join.mark(slot, OUTCOME_SUBMITTED);
    join.mark(slot, OUTCOME_INCLUDED);
    expect(join.outcome[slot]).toBe(OUTCOME_SUBMITTED | OUTCOME_INCLUDED);
  });

  it('keeps every key and fact through table and fact growth (far past the expected count), keys differing in one word only (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.nat({ max: 7 })), { minLength: 1, maxLength: 3_000, selector: ([hi, lo]) => `${hi}:${lo}` }), (keys) => {
        const join = new TxJoin(1);
        keys.forEach(([hi, lo], i) => {
          const slot = join.add(hi, lo);
          expect(slot).toBe(i);
          join.sentNs[slot] = i * 10;
        });
        expect(join.size).toBe(keys.length);
        keys.forEach(([hi, lo], i) => {
          expect(join.find(hi, lo)).toBe(i);
          expect(join.sentNs[i]).toBe(i * 10);
        });
      }),
      { numRuns: 30 },
    );
  });

  it('after release() a key is not found and other keys still are, whatever the order of adds and releases (property, against a Map)', () => {
    const op = fc.tuple(fc.boolean(), fc.nat({ max: 40 }), fc.nat({ max: 3 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        // Few distinct keys in a small table: long probe runs, wrapping around its end.
        const join = new TxJoin(4, 4);
        const model = new Map<string, number>();
        for (const [isAdd, hi, lo] of ops) {
          const name = `${hi}:${lo}`;
          if (isAdd) {
            const slot = join.add(hi, lo);
            if (model.has(name)) expect(slot).toBe(model.get(name));
            else model.set(name, slot);
          } else {
            join.release(hi, lo);
            model.delete(name);
          }
          expect(join.inTable).toBe(model.size);
        }
        for (let hi = 0; hi <= 40; hi++) for (let lo = 0; lo <= 3; lo++) expect(join.find(hi, lo)).toBe(model.get(`${hi}:${lo}`) ?? -1);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the facts of a released slot', () => {
    const join = new TxJoin(4);
    const slot = join.add(9, 9);
    join.sentNs[slot] = 42;
    join.release(9, 9);
    expect(join.find(9, 9)).toBe(-1);
    expect(join.sentNs[slot]).toBe(42);
    expect(join.add(9, 9)).toBe(slot + 1);
  });
});
