// Reading report.json where baselines and compare take one: a valid report reads, anything else
// is GH-E800 naming the file and the field.

import { describe, expect, it } from 'vitest';
import { baselineRunFromReport, baselineRef, parseBaselineFile, serializeBaselineFile } from '../../src/baseline/baseline-file.js';
import { parseRunReport, thresholdsFromReport } from '../../src/baseline/report-file.js';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { reportFixture } from './report-fixture.js';

function rendered(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof GasHammerError) return e.render();
    throw e;
  }
  throw new Error('expected a GasHammerError');
}

describe('parseRunReport', () => {
  it('reads a version 2 report', () => {
    const report = reportFixture();
    expect(parseRunReport(JSON.stringify(report), 'report.json')).toEqual(report);
  });

  it('says a version 1 report has no figures to compare', () => {
    const text = rendered(() => parseRunReport(JSON.stringify({ schemaVersion: 1, runId: 'x' }), 'old/report.json'));
    expect(text).toContain('GH-E800 old/report.json is a report of version 1');
    expect(text).toContain('hint: Run the scenario again with this GasHammer version');
  });

  it('names each wrong field with its path', () => {
    const report = JSON.parse(JSON.stringify(reportFixture())) as Record<string, Record<string, unknown>>;
    report.metrics!.p99_inclusion_ms = 'slow';
    report.samples!.p50_inclusion_ms = [1, null];
    delete report.telemetry!.lossRatio;
    report.scenario!.name = '../etc';
    const text = rendered(() => parseRunReport(JSON.stringify(report), 'r.json'));
    expect(text).toContain('GH-E800 r.json metrics.p99_inclusion_ms: is the string "slow"\n  expected: a number or null');
    expect(text).toContain('GH-E800 r.json samples.p50_inclusion_ms[1]: is null\n  expected: a number');
    expect(text).toContain('GH-E800 r.json telemetry.lossRatio: is missing');
    expect(text).toContain('GH-E800 r.json scenario.name: is the string "../etc"\n  expected: a scenario name');
  });

  it('needs the reason of an aborted run', () => {
    const report = { ...reportFixture(), completion: { state: 'aborted' } };
    const text = rendered(() => parseRunReport(JSON.stringify(report), 'r.json'));
    expect(text).toContain('completion.reason: is missing');
    expect(text).not.toContain('"then"');
  });

  it('rejects text that is not JSON', () => {
    expect(rendered(() => parseRunReport('<html>', 'r.json'))).toMatch(/^GH-E800 r\.json is not valid JSON: /);
  });
});

describe('thresholdsFromReport', () => {
  it('parses the recorded thresholds again with their levels', () => {
    const report = reportFixture({ thresholds: [{ source: 'p99_inclusion_ms < 2000', metric: 'p99_inclusion_ms', level: 'warn', actual: 900, passed: true }] });
    expect(thresholdsFromReport(report, 'r.json')).toEqual([
      { expression: { metric: 'p99_inclusion_ms', operator: '<', value: 2000 }, level: 'warn', source: 'p99_inclusion_ms < 2000' },
    ]);
  });

  it('reports a recorded threshold that does not parse', () => {
    const report = reportFixture({ thresholds: [{ source: 'p99_latency < 2s', metric: 'x', level: 'error', actual: null, passed: false }] });
    expect(rendered(() => thresholdsFromReport(report, 'r.json'))).toContain("GH-E800 r.json gate.thresholds[0].source: 'p99_latency < 2s' is not a threshold");
  });
});

describe('baseline runs from reports', () => {
  it('make a file that parses back, with a reference to its newest run', () => {
    const run1 = baselineRunFromReport(reportFixture({ runId: 'r1' }), { savedAt: new Date('2026-01-01T00:00:00Z') });
    const run2 = baselineRunFromReport(reportFixture({ runId: 'r2' }), { savedAt: new Date('2026-01-02T00:00:00Z'), commit: 'abcdef1' });
    const file = { schemaVersion: 1 as const, scenario: { name: 'mixed-workload', hash: 'h' }, branch: 'main', runs: [run1, run2] };
    expect(parseBaselineFile(serializeBaselineFile(file), 'f.json')).toEqual(file);
    expect(baselineRef(file, 'f.json')).toEqual({ branch: 'main', source: 'f.json', runs: 2, savedAt: '2026-01-02T00:00:00.000Z', commit: 'abcdef1' });
  });
});
