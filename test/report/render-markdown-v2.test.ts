// report.md for a version 2 report: the verdict comes first, every section is there in order,
// the tables are well formed, and outside text cannot break a table or inject markup.

import { describe, expect, it } from 'vitest';
import { escapeMarkdownText, EVIDENCE_ROWS_SHOWN, renderMarkdown } from '../../src/report/render-markdown-v2.js';
import type { RunReportV2 } from '../../src/report/report-types.js';
import { reportFail, reportPass } from './fixtures/reports.js';
import { cells, tables } from '../support/markdown.js';

const SECTIONS = ['Gate', 'Correctness oracle', 'Capacity envelope', 'Latency', 'Phases', 'Edges', 'Errors', 'Telemetry', 'Run', 'Notes'];

/** The body of `## heading`, up to the next heading of level 2. */
function sectionOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, `section ${heading}`).toBeGreaterThan(0);
  const rest = markdown.slice(start + heading.length + 5);
  const end = rest.indexOf('\n## ');
  return end < 0 ? rest : rest.slice(0, end);
}

function hostile(report: RunReportV2): RunReportV2 {
  const evil = 'pipe|name <script>alert(1)</script> [x](https://evil.example/p.png) ![i](https://evil.example/t.gif) *b* `c`';
  return {
    ...report,
    scenario: { ...report.scenario, name: evil },
    phases: report.phases.map((p) => ({ ...p, name: `${p.name}|<img src=x onerror=alert(1)>` })),
    edges: report.edges.map((e) => ({ ...e, reason: 'node said: a | b\nthen <b>bold</b> \\| c' })),
    totals: { ...report.totals, errorsByClass: { 'weird|class`': 3 } },
    gate: { ...report.gate, reasons: [{ level: 'fail', text: 'threshold failed <script>x</script>\n# not a heading' }] },
    notes: ['see <!-- hidden --> and &lt;escaped&gt; and a\nsecond line'],
  };
}

describe('renderMarkdown', () => {
  it('starts with the verdict and the scenario, then a one-line summary a release manager can read', () => {
    const lines = renderMarkdown(reportFail()).split('\n');
    expect(lines[0]).toBe('# GasHammer FAIL: ramp-to-saturation');
    expect(lines[2]).toMatch(/^\*\*FAIL\*\*: 8 failing checks, 2 reasons it is inconclusive, 3 warnings\. The run was aborted: /);
    expect(lines[2]).toContain('13.54 Mgas/s achieved of 17.03 Mgas/s offered (79.5%)');
    expect(lines[2]).toContain('p99 inclusion 1,092 ms');
    expect(lines[2]).toContain('140 oracle violations, 1 invariant skipped');
    expect(lines[2]).toContain('compared with baseline `main` @ `4e1f2a9c7b3d`');
    const pass = renderMarkdown(reportPass()).split('\n');
    expect(pass[0]).toBe('# GasHammer PASS: ramp-to-saturation');
    expect(pass[2]).toMatch(/^\*\*PASS\*\*\. [^\n]*0 oracle violations/);
  });

  it('says plainly when there was no baseline and no oracle', () => {
    const r = reportPass();
    const text = renderMarkdown({ ...r, gate: { ...r.gate, baseline: null, regressions: [] }, oracle: { invariants: [], violationCount: 0, passed: true } });
    expect(text.split('\n')[2]).toContain('no oracle invariant ran; no baseline to compare with.');
    expect(sectionOf(text, 'Gate')).toContain('No baseline was used.\n\nNo regression was compared.');
    expect(sectionOf(text, 'Correctness oracle')).toContain('No invariant was checked.');
  });

  it('has every section, in the order a reader needs them', () => {
    const text = renderMarkdown(reportPass());
    const at = SECTIONS.map((s) => text.indexOf(`\n## ${s}\n`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('lists every gate reason with its level, the thresholds, and the regression table with the baseline used', () => {
    const text = renderMarkdown(reportFail());
    const gate = sectionOf(text, 'Gate');
    expect(gate).toContain('- **FAIL**: oracle: balance-conservation found 3 violation(s)');
    expect(gate).toContain('- **INCONCLUSIVE**: telemetry was lost:');
    expect(gate).toContain('- **INFO**: regression feed_miss_rate:');
    // "p < 0.05" reads the same raw: a "<" before a space cannot open a tag.
    expect(gate).toContain('rose beyond fail_pct 20% (p < 0.05)');
    expect(gate).toContain('Baseline: branch `main`, commit `4e1f2a9c7b3d5e8f0a6c2b9d1e4f7a3c5b8d0e2f`, saved 2025-06-02T09:14:27.000Z, 5 runs, from `baselines/main/ramp-to-saturation.json`.');
    const [thresholds, regressions] = tables(gate);
    expect(cells(thresholds![0]!)).toEqual(['Check', 'Level', 'Actual', 'Result']);
    expect(thresholds!.slice(2).map(cells)).toContainEqual(['`p99_inclusion_ms < 1000`', 'error', '1,092 ms', '**FAIL**']);
    expect(thresholds!.slice(2).map(cells)).toContainEqual(['`recovery_half_life_secs < 30`', 'warn', '-', '**WARN**']);
    expect(cells(regressions![0]!)).toEqual(['Metric', 'Baseline', 'Current', 'Delta', 'p-value', 'Decision', 'Why']);
    expect(regressions!.slice(2).map(cells)).toContainEqual(['`p99_inclusion_ms`', '590 ms', '1,092 ms', '+85.0%', '<0.001', '**fail**', 'rose beyond fail_pct 20% (p < 0.05)']);
    expect(regressions!.slice(2).map(cells)).toContainEqual(['`achieved_gas_per_sec`', '14.42 Mgas/s', '13.54 Mgas/s', '-6.1%', '0.020', '**warn**', 'fell beyond warn_pct 5% (p < 0.05)']);
  });

  it(`shows up to ${EVIDENCE_ROWS_SHOWN} evidence rows per invariant and says how many more there are`, () => {
    const oracle = sectionOf(renderMarkdown(reportFail()), 'Correctness oracle');
    const [, balance, nonce] = tables(oracle);
    expect(balance!.length - 2).toBe(3);
    expect(cells(balance![2]!)).toEqual([
      '1',
      'balance changed by more than the value sent and the fees paid',
      '2000000000000000 wei',
      '1979000000000000 wei',
      '`0xc0578b453b8e049e85c6f15f85ad0d73adfcc244458798883074d803439045de`',
      '18311',
      '`0x0c6a56eb7d1da87fea5a4b809b2570ee0b59d140`',
    ]);
    expect(nonce!.length - 2).toBe(EVIDENCE_ROWS_SHOWN);
    expect(oracle).toContain('### nonce-monotonicity: 137 violations');
    expect(oracle).toContain('127 more not shown here; report.json and report.html list 90 of them; 37 were counted but not kept (a report keeps 100 per invariant).');
    // The skipped invariant is listed with its reason, and has no evidence section.
    expect(oracle).toMatch(/\| gas-accounting +\| post-run \| skipped +\| +0 \| +0 \| the run was aborted before the post-run checks/);
    expect(oracle).not.toContain('### gas-accounting');
  });

  it('shows the envelope: its figures, the first bottleneck and every step with its state', () => {
    const envelope = sectionOf(renderMarkdown(reportFail()), 'Capacity envelope');
    const [figures, steps] = tables(envelope);
    expect(figures!.slice(2).map(cells)).toEqual([
      ['Safe sustained', '19.49 Mgas/s'],
      ['Degradation onset', '25.28 Mgas/s'],
      ['Instability threshold', '29.74 Mgas/s'],
      ['First bottleneck', 'gas-backlog (confidence 71.0%): accepted gas ran ahead of included gas by 2.4 s of capacity before p99 latency crossed 1500 ms'],
      ['Recovery half-life', '-'],
    ]);
    expect(steps!.length - 2).toBe(reportFail().envelope.steps.length);
    expect(cells(steps!.at(-1)!).slice(0, 8)).toEqual(['ramp 90-96 s', '90-96', '29.74', '26.35', '2,162', '6.18%', 'x1.05', '**unstable**']);
    expect(envelope).toContain('The load never dropped during the run, so there is no recovery to time.');
  });

  it('gives the key latency percentiles, corrected and uncorrected, for all four latencies', () => {
    const [latency] = tables(sectionOf(renderMarkdown(reportPass()), 'Latency'));
    expect(cells(latency![0]!)).toEqual(['Latency (ms)', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean', 'Samples']);
    expect(latency!.slice(2).map((r) => cells(r)[0])).toEqual([
      'Submission, corrected',
      'Submission, uncorrected',
      'Acceptance, corrected',
      'Acceptance, uncorrected',
      'Inclusion, corrected',
      'Inclusion, uncorrected',
      'Feed inclusion, corrected',
      'Feed inclusion, uncorrected',
    ]);
    const inclusion = reportPass().latency.inclusion.corrected;
    expect(cells(latency![6]!)[4]).toBe(Math.round(inclusion.p99!).toLocaleString('en-US'));
  });

  it('shows a missing percentile as "-", never as 0', () => {
    const r = reportPass();
    const none = { count: 0, p50: null, p90: null, p95: null, p99: null, p999: null, max: null, mean: null };
    const text = renderMarkdown({ ...r, latency: { ...r.latency, feedInclusion: { corrected: none, uncorrected: none } } });
    const [latency] = tables(sectionOf(text, 'Latency'));
    expect(cells(latency![8]!)).toEqual(['Feed inclusion, corrected', '-', '-', '-', '-', '-', '-', '-', '0']);
  });

  it('has per-phase and per-edge tables with late and dropped sends, and the errors by class', () => {
    const text = renderMarkdown(reportFail());
    const [phases] = tables(sectionOf(text, 'Phases'));
    expect(cells(phases![0]!)).toContain('Late');
    expect(cells(phases![0]!)).toContain('Dropped');
    expect(phases!.length - 2).toBe(2);
    const [edges] = tables(sectionOf(text, 'Edges'));
    expect(cells(edges![3]!).slice(0, 4)).toEqual(['1', 'edge-2 (c81e728d-9d4c-4f63-8e2a-6b1f0e9d7c5a)', '**aborted**', 'lost its control stream at 74 s and did not come back before the abort']);
    const errors = sectionOf(text, 'Errors');
    expect(errors).toContain('Sends: 24 left late, 13 could not be made (dropped).');
    expect(tables(errors)[0]!.slice(2).map(cells)).toEqual([
      ['`underpriced`', '142', '54.8%'],
      ['`nonce_too_high`', '78', '30.1%'],
      ['`timeout`', '39', '15.1%'],
    ]);
  });

  it('says how much telemetry was lost, and lists the notes', () => {
    const text = renderMarkdown(reportFail());
    expect(sectionOf(text, 'Telemetry')).toContain('Loss ratio 1.77%: 100,392 events received and 100,392 read back, 0 dropped by the edges before shipping, 1,812 recorded but never received.');
    expect(text).toMatch(/## Notes\n\n- edge-2 aborted: lost its control stream at 74 s; [^\n]+\n- phase 1 \(ramp\) was cut short at 66 of 90 s\n- the oracle skipped gas-accounting: see its note\n$/);
    expect(renderMarkdown(reportPass())).toMatch(/## Notes\n\nNone\.\n$/);
  });

  it('keeps every table well formed: a delimiter row, and the same number of cells in every row', () => {
    for (const report of [reportPass(), reportFail(), hostile(reportFail())]) {
      for (const t of tables(renderMarkdown(report))) {
        const width = cells(t[0]!).length;
        expect(cells(t[1]!).every((c) => /^-{2,}:?$/.test(c))).toBe(true);
        for (const row of t) expect(cells(row), row).toHaveLength(width);
      }
    }
  });

  it('escapes outside text so it can neither break a table nor inject HTML, links or images', () => {
    const text = renderMarkdown(hostile(reportFail()));
    expect(text).not.toMatch(/<script|<img|<b>|<!--/i);
    expect(text).not.toMatch(/\]\(https:/);
    expect(text.split('\n')[0]).toBe(
      '# GasHammer FAIL: pipe|name &lt;script>alert(1)&lt;/script> &#91;x&#93;(https://evil.example/p.png) !&#91;i&#93;(https://evil.example/t.gif) &#42;b&#42; &#96;c&#96;',
    );
    const [phases] = tables(sectionOf(text, 'Phases'));
    expect(cells(phases![2]!)[1]).toBe('warmup\\|&lt;img src=x onerror=alert(1)>');
    const [edges] = tables(sectionOf(text, 'Edges'));
    expect(cells(edges![2]!)[3]).toBe('node said: a \\| b<br>then &lt;b>bold&lt;/b> &#92;\\| c');
    expect(sectionOf(text, 'Errors')).toContain('| `` weird\\|class` `` |');
    // A line break in a reason cannot start a heading of its own.
    expect(sectionOf(text, 'Gate')).toContain('- **FAIL**: threshold failed &lt;script>x&lt;/script> # not a heading');
    expect(sectionOf(text, 'Notes')).toContain('- see &lt;!-- hidden --> and &amp;lt;escaped&amp;gt; and a second line');
  });

  it('has a Faults section, after Latency, with a row per fault window and the notes, only when the run had faults', () => {
    const report = reportFail();
    const text = renderMarkdown(report);
    expect(text.indexOf('\n## Faults\n')).toBeGreaterThan(text.indexOf('\n## Latency\n'));
    expect(text.indexOf('\n## Faults\n')).toBeLessThan(text.indexOf('\n## Phases\n'));
    const section = sectionOf(text, 'Faults');
    expect(section).toContain('in the 30 s before the inject (outside other faults)');
    const [faults] = tables(section);
    expect(faults!.slice(2).map(cells)).toEqual([
      ['sequencer-latency', 'latency', 'proxy', '40.0–55.0', '3.10', '205', '3.30', '0%', '0%', '0%', '3.0 s'],
      ['sequencer-rpc-errors', 'rpc-error', 'proxy', '80.0–96.0', '3.30', '3.60', '-', '0%', expect.stringMatching(/^\d+\.\d+%$/), '-', '-'],
    ]);
    expect(section).toContain('- sequencer-rpc-errors (80.0–96.0 s): did not recover within the data:');
    const open: RunReportV2 = { ...report, faults: [{ ...report.faults![1]!, clearedAtSecs: null, clearReason: null }] };
    expect(cells(tables(sectionOf(renderMarkdown(open), 'Faults'))[0]![2]!)[3]).toBe('80.0–open');
    // None: no section at all, not an empty one.
    for (const none of [reportPass(), { ...report, faults: [] }, { ...report, faults: undefined }]) expect(renderMarkdown(none)).not.toContain('## Faults');
  });

  it('escapes a fault’s name, type and notes in the Faults table', () => {
    const r = reportFail();
    const evil = 'a|b <script>x</script> [l](https://evil.example)';
    const text = renderMarkdown({ ...r, faults: r.faults!.map((f) => ({ ...f, name: evil, type: evil, notes: [`${evil}\n# heading`] })) });
    expect(text).not.toMatch(/<script|\]\(https:/);
    const [faults] = tables(sectionOf(text, 'Faults'));
    for (const row of faults!) expect(cells(row)).toHaveLength(11);
    expect(cells(faults![2]!)[0]).toBe('a\\|b &lt;script>x&lt;/script> &#91;l&#93;(https://evil.example)');
    expect(sectionOf(text, 'Faults')).not.toContain('\n# heading');
  });

  it('never prints credentials of the target', () => {
    const r = reportPass();
    const text = renderMarkdown({ ...r, target: { ...r.target, kind: 'remote', rpcUrl: 'https://user:hunter2@rpc.example.com/v2/abcdef0123456789abcdef0123456789' } });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('abcdef0123456789abcdef0123456789');
  });
});

describe('escapeMarkdownText', () => {
  it('leaves ordinary words, names and comparisons as they are', () => {
    expect(escapeMarkdownText('p99_inclusion_ms < 1000 && ratio > 0.5')).toBe('p99_inclusion_ms < 1000 && ratio > 0.5');
  });

  it('turns everything that could become markup into entities', () => {
    expect(escapeMarkdownText('<a href=x>&amp;[l](u)`c`*e*~s~\\')).toBe('&lt;a href=x>&amp;amp;&#91;l&#93;(u)&#96;c&#96;&#42;e&#42;&#126;s&#126;&#92;');
  });
});
