// The report's latency histogram: exact below 2^bits us, within its stated relative error above,
// percentiles by rank, merging, and the edges (empty, negative, huge values).

import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/report/latency-histogram.js';

function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

describe('LatencyHistogram', () => {
  it('is empty until it records: every figure is null, never zero', () => {
    const h = new LatencyHistogram();
    expect([h.count, h.percentileMs(50), h.meanMs(), h.maxMs()]).toEqual([0, null, null, null]);
  });

  it('counts small values exactly', () => {
    const h = new LatencyHistogram(10);
    for (const ms of [0.001, 0.002, 0.003, 0.5, 1]) h.recordMs(ms);
    expect(h.percentileMs(20)).toBe(0.001);
    expect(h.percentileMs(60)).toBe(0.003);
    expect(h.percentileMs(100)).toBe(1);
    expect(h.maxMs()).toBe(1);
  });

  it('keeps every percentile within 0.2% of the exact value over six orders of magnitude', () => {
    const h = new LatencyHistogram(10);
    const values: number[] = [];
    let x = 12345;
    for (let i = 0; i < 50_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const ms = Math.round(Math.exp((x / 2 ** 31) * 14)) / 1000; // 1 us .. ~20 min
      values.push(ms);
      h.recordMs(ms);
    }
    values.sort((a, b) => a - b);
    for (const p of [1, 50, 90, 95, 99, 99.9, 100]) {
      const exact = exactPercentile(values, p);
      const got = h.percentileMs(p)!;
      expect(got).toBeGreaterThanOrEqual(exact);
      expect((got - exact) / exact).toBeLessThanOrEqual(0.002);
    }
    expect(h.meanMs()).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 3);
  });

  it('is coarser at fewer bits, as stated (1.6% at 7 bits)', () => {
    const h = new LatencyHistogram(7);
    h.recordMs(1000.123);
    const got = h.percentileMs(50)!;
    expect(got).toBe(1000.123); // capped at the true maximum
    h.recordMs(1500);
    h.recordMs(1500);
    h.recordMs(2000);
    expect(Math.abs(h.percentileMs(50)! - 1500) / 1500).toBeLessThanOrEqual(1 / 64);
    expect(h.percentileMs(50)).not.toBe(1500);
  });

  it('merges by adding counts', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) (i % 2 ? a : b).recordMs(i);
    a.merge(b);
    expect(a.count).toBe(100);
    expect(a.percentileMs(50)).toBeCloseTo(50, 1);
    expect(a.maxMs()).toBe(100);
    expect(() => a.merge(new LatencyHistogram(7))).toThrow(/different precision/);
  });

  it('counts negative latencies (clock skew) as zero and clamps values beyond its range', () => {
    const h = new LatencyHistogram();
    h.recordMs(-5);
    h.recordMs(1e15);
    expect(h.percentileMs(50)).toBe(0);
    expect(h.maxMs()).toBeCloseTo((2 ** 40 - 1) / 1000, 0);
    expect(() => new LatencyHistogram(3)).toThrow(RangeError);
  });
});
