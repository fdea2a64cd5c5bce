// The run tally: per-phase and per-edge counts for each event kind, reverted inclusions, the
// cumulative drop count, and events of a phase the plan does not have.

import { describe, expect, it } from 'vitest';
import { RunTally, type PhaseTally } from '../../src/hive/run-tally.js';
import { sendLate, txAccepted, txFailed, txIncluded, txSubmitted, txTimeout, uncountedKinds } from './telemetry-fixtures.js';

const ZERO: PhaseTally = { txSubmitted: 0, txAccepted: 0, txIncluded: 0, txReverted: 0, txFailed: 0, txTimeout: 0, gasSubmitted: 0, gasIncluded: 0, sendsLate: 0 };

describe('RunTally', () => {
  it('starts with one zeroed tally per phase and nothing received', () => {
    const t = new RunTally(3);
    expect(t.phases).toEqual([ZERO, ZERO, ZERO]);
    expect(t.phases[0]).not.toBe(t.phases[1]); // independent objects
    expect(t.eventsReceived).toBe(0);
    expect(t.batchesReceived).toBe(0);
    expect(t.eventsDropped).toBe(0);
    expect(t.totals()).toEqual(ZERO);
  });

  it('edge() returns a zeroed tally for a new edge, and the same object afterwards', () => {
    const t = new RunTally(1);
    const e = t.edge('a');
    expect(e).toEqual({ eventsReceived: 0, eventsDropped: 0, txSubmitted: 0, txIncluded: 0 });
    expect(t.edge('a')).toBe(e);
    expect(t.edge('b')).not.toBe(e);
  });

  it.each([
    ['TxSubmitted', [txSubmitted({ phaseIndex: 1 }, 50_000n)], { txSubmitted: 1, gasSubmitted: 50_000 }, { txSubmitted: 1 }],
    ['TxAccepted', [txAccepted({ phaseIndex: 1 })], { txAccepted: 1 }, {}],
    ['TxIncluded (success)', [txIncluded({ phaseIndex: 1 }, 40_000n, true)], { txIncluded: 1, gasIncluded: 40_000 }, { txIncluded: 1 }],
    ['TxIncluded (reverted)', [txIncluded({ phaseIndex: 1 }, 23_000n, false)], { txIncluded: 1, txReverted: 1, gasIncluded: 23_000 }, { txIncluded: 1 }],
    ['TxFailed', [txFailed({ phaseIndex: 1 })], { txFailed: 1 }, {}],
    ['TxTimeout', [txTimeout({ phaseIndex: 1 })], { txTimeout: 1 }, {}],
    ['SendLate', [sendLate({ phaseIndex: 1 }, 17)], { sendsLate: 17 }, {}],
    ['the other kinds', uncountedKinds({ phaseIndex: 1 }), {}, {}],
  ] as const)('counts %s in its phase and edge only', (_kind, events, phaseDelta, edgeDelta) => {
    const t = new RunTally(3);
    t.addBatch('e1', events, 0);
    expect(t.phases).toEqual([ZERO, { ...ZERO, ...phaseDelta }, ZERO]);
    expect(t.totals()).toEqual({ ...ZERO, ...phaseDelta });
    expect(t.edge('e1')).toEqual({ eventsReceived: events.length, eventsDropped: 0, txSubmitted: 0, txIncluded: 0, ...edgeDelta });
    expect(t.eventsReceived).toBe(events.length);
    expect(t.batchesReceived).toBe(1);
  });

  it('keeps phases and edges apart and sums them in totals()', () => {
    const t = new RunTally(2);
    t.addBatch('a', [txSubmitted({ edgeId: 'a', phaseIndex: 0 }, 21_000n), txSubmitted({ edgeId: 'a', phaseIndex: 1 }, 30_000n), txIncluded({ edgeId: 'a', phaseIndex: 1 }, 29_000n, false)], 0);
    t.addBatch('b', [txSubmitted({ edgeId: 'b', phaseIndex: 0 }, 21_000n), txIncluded({ edgeId: 'b', phaseIndex: 0 }, 21_000n), sendLate({ edgeId: 'b', phaseIndex: 0 }, 2), txFailed({ phaseIndex: 1 })], 0);
    t.addBatch('b', [txTimeout({ edgeId: 'b', phaseIndex: 1 }), txAccepted({ edgeId: 'b', phaseIndex: 0 })], 0);
    expect(t.phases[0]).toEqual({ ...ZERO, txSubmitted: 2, gasSubmitted: 42_000, txIncluded: 1, gasIncluded: 21_000, sendsLate: 2, txAccepted: 1 });
    expect(t.phases[1]).toEqual({ ...ZERO, txSubmitted: 1, gasSubmitted: 30_000, txIncluded: 1, txReverted: 1, gasIncluded: 29_000, txFailed: 1, txTimeout: 1 });
    expect(t.totals()).toEqual({ txSubmitted: 3, txAccepted: 1, txIncluded: 2, txReverted: 1, txFailed: 1, txTimeout: 1, gasSubmitted: 72_000, gasIncluded: 50_000, sendsLate: 2 });
    expect(t.edge('a')).toEqual({ eventsReceived: 3, eventsDropped: 0, txSubmitted: 2, txIncluded: 1 });
    expect(t.edge('b')).toEqual({ eventsReceived: 6, eventsDropped: 0, txSubmitted: 1, txIncluded: 1 });
    expect(t.eventsReceived).toBe(9);
    expect(t.batchesReceived).toBe(3);
  });

  it('counts every reverted inclusion and adds its gas', () => {
    const t = new RunTally(1);
    t.addBatch('a', [txIncluded({}, 100n, false), txIncluded({}, 200n, true), txIncluded({}, 300n, false)], 0);
    expect(t.phases[0]).toMatchObject({ txIncluded: 3, txReverted: 2, gasIncluded: 600 });
  });

  it('counts an empty batch as a batch', () => {
    const t = new RunTally(1);
    t.addBatch('a', [], 0);
    expect(t.batchesReceived).toBe(1);
    expect(t.eventsReceived).toBe(0);
    expect(t.edge('a').eventsReceived).toBe(0);
  });

  it('treats droppedTotal as a cumulative count: the highest seen wins, and only increases are new', () => {
    const t = new RunTally(1);
    expect(t.addBatch('a', [], 5)).toBe(5);
    expect(t.edge('a').eventsDropped).toBe(5);
    expect(t.addBatch('a', [], 3)).toBe(0); // an older, lower total (reordered batch) changes nothing
    expect(t.edge('a').eventsDropped).toBe(5);
    expect(t.addBatch('a', [], 5)).toBe(0);
    expect(t.addBatch('a', [], 9)).toBe(4);
    expect(t.edge('a').eventsDropped).toBe(9);
    expect(t.addBatch('b', [], 2)).toBe(2);
    expect(t.eventsDropped).toBe(11); // summed over edges
  });

  it('counts events of a phase the plan does not have in eventsReceived and per edge, not in any phase', () => {
    const t = new RunTally(2);
    const events = [txSubmitted({ phaseIndex: 7 }, 99_000n), txIncluded({ phaseIndex: 2 }, 5_000n, false), txFailed({ phaseIndex: 7 }), sendLate({ phaseIndex: 99 }, 4), txAccepted({ phaseIndex: 2 }), txTimeout({ phaseIndex: 3 })];
    t.addBatch('a', events, 0);
    expect(t.eventsReceived).toBe(6);
    expect(t.edge('a')).toEqual({ eventsReceived: 6, eventsDropped: 0, txSubmitted: 1, txIncluded: 1 });
    expect(t.phases).toEqual([ZERO, ZERO]);
    expect(t.phases).toHaveLength(2); // no phase was created for the unknown indexes
    expect(t.totals()).toEqual(ZERO);
  });

  it('handles a plan with no phases', () => {
    const t = new RunTally(0);
    t.addBatch('a', [txSubmitted()], 1);
    expect(t.phases).toEqual([]);
    expect(t.totals()).toEqual(ZERO);
    expect(t.eventsReceived).toBe(1);
    expect(t.eventsDropped).toBe(1);
  });
});
