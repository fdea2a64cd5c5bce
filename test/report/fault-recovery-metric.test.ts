// The gate metric fault_recovery_secs: the longest recovery of the cleared faults; a fault that
// never recovered counts as the seconds watched after its clear (a lower bound), or leaves the
// metric without a value when too few seconds were watched to tell; faults never cleared and
// runs without faults give no value.

import { describe, expect, it } from 'vitest';
import type { FaultSpanFigures, FaultWindow } from '../../src/report/report-types.js';
import { faultRecoverySecs } from '../../src/report/run-metrics.js';

const span = (seconds: number): FaultSpanFigures => ({
  seconds,
  txSubmitted: 0,
  errors: 0,
  errorRate: null,
  p50AcceptanceMs: null,
  p99AcceptanceMs: null,
  p50InclusionMs: null,
  p99InclusionMs: null,
  includedGasPerSec: 0,
});

function window(recoverySecs: number | null, options: { cleared?: boolean; watchedAfter?: number } = {}): FaultWindow {
  return {
    name: 'f',
    type: 'latency',
    target: 'sequencer-rpc',
    adapter: 'proxy',
    edges: [0],
    params: {},
    injectedAtSecs: 10,
    clearedAtSecs: options.cleared === false ? null : 20,
    clearReason: options.cleared === false ? null : 'schedule',
    before: span(10),
    during: span(10),
    after: span(options.watchedAfter ?? 30),
    recoverySecs,
    notes: [],
  };
}

describe('fault_recovery_secs', () => {
  it('is the longest recovery of the cleared faults', () => {
    expect(faultRecoverySecs([window(1.5), window(4.25), window(0)])).toBe(4.25);
  });

  it('counts a fault that never recovered as the seconds watched after its clear', () => {
    expect(faultRecoverySecs([window(2), window(null, { watchedAfter: 30 })])).toBe(30);
  });

  it('has no value when a fault was watched too briefly after its clear to tell', () => {
    expect(faultRecoverySecs([window(2), window(null, { watchedAfter: 1 })])).toBeNull();
  });

  it('has no value without a cleared fault, and ignores faults never cleared', () => {
    expect(faultRecoverySecs([])).toBeNull();
    expect(faultRecoverySecs([window(null, { cleared: false })])).toBeNull();
    expect(faultRecoverySecs([window(null, { cleared: false }), window(3)])).toBe(3);
  });
});
