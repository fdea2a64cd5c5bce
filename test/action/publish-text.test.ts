// What the Action posts: the comment (marker, then the verdict, then why and the evidence), the
// check output, the annotations on the scenario's lines and the job summary; outside text made
// inert; every text under GitHub's limits however large the report.

import { describe, expect, it } from 'vitest';
import { CHECK_OUTPUT_LIMIT, COMMENT_BODY_LIMIT, JOB_SUMMARY_LIMIT_BYTES } from '../../src/action/github-api.js';
import { annotationsFor, renderCheckOutput, renderComment, renderJobSummary, type PublishContext } from '../../src/action/publish-text.js';
import type { InvariantVerdict, RunReportV2, Violation } from '../../src/report/report-types.js';
import { parseScenarioText } from '../../src/scenario/yaml-source.js';
import { reportFail, reportPass } from '../report/fixtures/reports.js';
import { cells, tables } from '../support/markdown.js';

const HEAD_SHA = '9f3c2e1d0b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e';
/** A marker as github-api's commentMarker makes them; renderComment takes it as given. */
const MARKER = '<!-- gashammer:comment scenario=scenarios%2Framp%2Dto%2Dsaturation.yaml check=GasHammer -->';

const CTX: PublishContext = {
  scenarioPath: 'scenarios/ramp-to-saturation.yaml',
  checkName: 'GasHammer',
  runUrl: 'https://github.com/rollup-labs/nitro-stack/actions/runs/15370294881/attempts/1',
  artifact: { name: 'gashammer-ramp-to-saturation', url: 'https://github.com/rollup-labs/nitro-stack/actions/runs/15370294881/artifacts/3301927' },
  commitSha: HEAD_SHA,
  repository: { serverUrl: 'https://github.com', fullName: 'rollup-labs/nitro-stack' },
};

/** A run that could not be judged: too few samples, no baseline. */
function reportInconclusive(): RunReportV2 {
  const pass = reportPass();
  return {
    ...pass,
    gate: {
      ...pass.gate,
      verdict: 'inconclusive',
      reasons: [
        { level: 'inconclusive', text: 'the run included 12 transactions, fewer than min_samples (30): its percentiles and rates would mean little' },
        { level: 'info', text: 'no baseline to compare with' },
      ],
      regressions: [],
      baseline: null,
    },
  };
}

/** The body of `### heading`, up to the next heading of level 2 or 3. */
function sectionOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n### ${heading}\n`);
  expect(start, `section ${heading}`).toBeGreaterThan(0);
  const rest = markdown.slice(start + heading.length + 6);
  const end = rest.search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The text with code spans removed: what GitHub would read as markup. */
function outsideCode(markdown: string): string {
  return markdown.replace(/(`+)[\s\S]*?\1/g, '');
}

function violationsOf(count: number, make: (i: number) => Violation): Violation[] {
  return Array.from({ length: count }, (_, i) => make(i));
}

describe('renderComment', () => {
  it('puts the marker first and the verdict, as a word badge, on the next line', () => {
    const cases: [RunReportV2, string][] = [
      [reportFail(), '## **FAIL** GasHammer: ramp-to-saturation'],
      [reportPass(), '## **PASS** GasHammer: ramp-to-saturation'],
      [reportInconclusive(), '## **INCONCLUSIVE** GasHammer: ramp-to-saturation'],
    ];
    for (const [report, verdictLine] of cases) {
      const lines = renderComment(report, CTX, MARKER).split('\n');
      expect(lines[0]).toBe(MARKER);
      expect(lines[1]).toBe(verdictLine);
    }
  });

  it('sums up what failed right under the verdict, with the scenario, commit and check', () => {
    const lines = renderComment(reportFail(), CTX, MARKER).split('\n');
    expect(lines[3]).toBe(
      `4 regressions, 140 oracle violations, 4 thresholds not met. Scenario \`scenarios/ramp-to-saturation.yaml\`, ` +
        `commit [\`9f3c2e1d0b8a\`](https://github.com/rollup-labs/nitro-stack/commit/${HEAD_SHA}), check \`GasHammer\`.`,
    );
    expect(renderComment(reportPass(), CTX, MARKER).split('\n')[3]).toMatch(/^No regression, no oracle violation\. /);
  });

  it('lists the gate reasons, failures first', () => {
    const why = sectionOf(renderComment(reportFail(), CTX, MARKER), 'Why');
    const items = why.split('\n').filter((l) => l.startsWith('- '));
    expect(items).toHaveLength(reportFail().gate.reasons.length);
    expect(items[0]).toBe('- **FAIL** oracle: balance-conservation found 3 violation(s) in 400 checked; first: balance changed by more than the value sent and the fees paid');
    const levels = items.map((l) => /^- \*\*([A-Z]+)\*\*/.exec(l)![1]);
    expect(levels.indexOf('INCONCLUSIVE')).toBeGreaterThan(levels.lastIndexOf('FAIL'));
    expect(levels.indexOf('INFO')).toBeGreaterThan(levels.lastIndexOf('WARN'));
  });

  it('tables the regressions with baseline, current, delta and decision, the deciding ones first', () => {
    const section = sectionOf(renderComment(reportFail(), CTX, MARKER), 'Regressions');
    const [rows] = tables(section);
    expect(cells(rows![0]!)).toEqual(['Metric', 'Baseline', 'Current', 'Delta', 'Decision']);
    expect(rows!.slice(2).map(cells)).toEqual([
      ['`p99_inclusion_ms`', '590 ms', '1,092 ms', '+85.0%', '**fail**'],
      ['`error_rate`', '0.04%', '1.02%', '+2,450%', '**fail**'],
      ['`safe_sustained_gas_per_sec`', '22.10 Mgas/s', '19.49 Mgas/s', '-11.8%', '**fail**'],
      ['`achieved_gas_per_sec`', '14.42 Mgas/s', '13.54 Mgas/s', '-6.1%', '**warn**'],
      ['`feed_miss_rate`', '-', '0.10%', '-', 'no-data'],
      ['`p50_inclusion_ms`', '171 ms', '175 ms', '+2.2%', 'noise'],
    ]);
  });

  it('names the baseline used: branch, commit and date', () => {
    const section = sectionOf(renderComment(reportFail(), CTX, MARKER), 'Regressions');
    expect(section).toContain(
      'Baseline: branch `main`, commit `4e1f2a9c7b3d5e8f0a6c2b9d1e4f7a3c5b8d0e2f`, saved 2025-06-02T09:14:27.000Z, 5 runs, from `baselines/main/ramp-to-saturation.json`.',
    );
  });

  it('says there was no baseline, and where it was looked for, when there was none', () => {
    const section = sectionOf(renderComment(reportInconclusive(), { ...CTX, baselineNote: 'None was saved for main in baselines/main/ramp-to-saturation.json.' }, MARKER), 'Regressions');
    expect(section).toContain(
      'No baseline was used: there was none to compare with for this scenario and testbed. None was saved for main in baselines/main/ramp-to-saturation.json.',
    );
    expect(section).toContain('No regression was compared.');
  });

  it('shows the oracle verdicts with their evidence, transactions linked to the explorer when there is one', () => {
    const report = reportFail();
    const tx = report.oracle.invariants[0]!.violations[0]!.txHash!;
    const withExplorer = renderComment(report, { ...CTX, explorerUrl: 'https://explorer.devnet.example/' }, MARKER);
    const oracle = sectionOf(withExplorer, 'Correctness oracle');
    expect(tables(oracle)[0]!.slice(2).map((r) => cells(r).slice(0, 4))).toEqual([
      ['balance-conservation', '**fail**', '400', '3'],
      ['nonce-monotonicity', '**fail**', '400', '137'],
      ['gas-accounting', 'skipped', '0', '0'],
    ]);
    expect(withExplorer).toContain('#### balance-conservation: 3 violations');
    expect(withExplorer).toContain(`[\`${tx.slice(0, 10)}…${tx.slice(-6)}\`](https://explorer.devnet.example/tx/${tx})`);
    expect(withExplorer).toContain('127 more violations not shown here');
    const plain = renderComment(report, CTX, MARKER);
    expect(plain).toContain(`| \`${tx}\` |`);
    expect(plain).not.toContain('/tx/');
  });

  it('does not link evidence that is not a transaction hash', () => {
    const report = reportFail();
    const bad: InvariantVerdict = { ...report.oracle.invariants[0]!, violations: [{ description: 'x', expected: 'a', actual: 'b', txHash: '0xabc)](https://evil.example/x' }] };
    const text = renderComment({ ...report, oracle: { ...report.oracle, invariants: [bad] } }, { ...CTX, explorerUrl: 'https://explorer.devnet.example' }, MARKER);
    expect(text).not.toContain('explorer.devnet.example/tx/');
    expect(outsideCode(text)).not.toContain('evil.example');
  });

  it('shows the capacity envelope and the key percentiles', () => {
    const text = renderComment(reportFail(), CTX, MARKER);
    const envelope = tables(sectionOf(text, 'Capacity envelope'))[0]!.slice(2).map(cells);
    expect(envelope.map((r) => r[0])).toEqual(['Safe sustained', 'Degradation onset', 'Instability threshold', 'First bottleneck', 'Recovery half-life']);
    expect(envelope[0]![1]).toBe('19.49 Mgas/s');
    expect(envelope[3]![1]).toMatch(/^gas-backlog \(confidence 71\.0%\): accepted gas ran ahead/);
    const latency = sectionOf(text, 'Load and latency');
    expect(latency).toContain('13.54 Mgas/s achieved of 17.03 Mgas/s offered (79.5%); error rate 1.02%');
    const inclusion = tables(latency)[0]!.map(cells).find((r) => r[0] === 'Inclusion')!;
    expect(inclusion).toEqual(['Inclusion', '175', '416', '1,092', '1,999', '3,320', '25,001']);
  });

  it('links the run and its artifact', () => {
    const text = renderComment(reportFail(), CTX, MARKER);
    expect(text).toContain(`[the workflow run](${CTX.runUrl})`);
    expect(text).toContain(`artifact [\`gashammer-ramp-to-saturation\`](${CTX.artifact!.url})`);
  });

  it('says how many runs were aggregated and what each said, when the scenario was repeated', () => {
    const text = renderComment(reportFail(), { ...CTX, repeat: { count: 3, verdicts: ['fail', 'pass', 'fail'] } }, MARKER);
    expect(text).toContain('Judged on the median of 3 runs (run 1 FAIL, run 2 PASS, run 3 FAIL).');
    const lost = renderComment(reportFail(), { ...CTX, repeat: { count: 3, verdicts: ['fail', 'fail'] } }, MARKER);
    expect(lost).toContain('Judged on the median of 3 runs (run 1 FAIL, run 2 FAIL; 1 run left no report).');
    expect(renderComment(reportFail(), { ...CTX, repeat: { count: 1, verdicts: ['fail'] } }, MARKER)).not.toContain('median');
  });

  it('makes hostile text from the chain, the scenario and the inputs inert', () => {
    const evil = 'x|y <script>alert(1)</script> [click](https://evil.example/p) ![i](https://evil.example/t.gif) <!-- hidden --> *b* `c` \\| d';
    const fail = reportFail();
    const hostile: RunReportV2 = {
      ...fail,
      scenario: { ...fail.scenario, name: evil },
      completion: { state: 'aborted', reason: evil },
      gate: { ...fail.gate, reasons: [{ level: 'fail', text: `${evil}\n# not a heading` }], baseline: { ...fail.gate.baseline!, branch: evil, savedAt: evil } },
      oracle: {
        ...fail.oracle,
        invariants: fail.oracle.invariants.map((i) => ({
          ...i,
          name: `${i.name}${evil}`,
          note: evil,
          violations: i.violations.map((v) => ({ ...v, description: evil, expected: evil, actual: `${evil}\nline`, blockNumber: evil, account: evil })),
        })),
      },
      envelope: { ...fail.envelope, note: evil, firstBottleneck: { signal: 'latency', confidence: 0.5, evidence: evil } },
      gashammer: { ...fail.gashammer, version: evil },
    };
    const ctx: PublishContext = { ...CTX, checkName: evil, scenarioPath: `${evil}.yaml`, baselineNote: evil, artifact: { name: evil, url: 'javascript:alert(1)' }, explorerUrl: 'https://explorer.example' };
    for (const text of [renderComment(hostile, ctx, MARKER), renderJobSummary(hostile, { ...ctx, commentNotPosted: evil })]) {
      const markup = outsideCode(text);
      expect(markup).not.toMatch(/<script|<img|<!--(?! gashammer:comment scenario=)/);
      expect(markup).not.toContain('](https://evil');
      expect(markup).not.toContain('![');
      expect(markup).not.toContain('javascript:');
      expect(text.split('\n').filter((l) => l.startsWith('#'))).toEqual(
        text.split('\n').filter((l) => /^#{2,4} /.test(l) && !l.includes('not a heading')),
      );
      for (const t of tables(text)) {
        const width = cells(t[0]!).length;
        for (const row of t) expect(cells(row), row).toHaveLength(width);
      }
    }
  });

  it('refuses a marker that is not one HTML comment', () => {
    expect(() => renderComment(reportPass(), CTX, 'gashammer')).toThrow(/marker/);
    expect(() => renderComment(reportPass(), CTX, '<!-- a --> b -->')).toThrow(/marker/);
  });

  it('stays under 65,536 characters with 100 violations in every invariant, keeping the verdict first', () => {
    const fail = reportFail();
    const long = 'balance moved [unexpectedly] <b>'.repeat(40);
    const invariants: InvariantVerdict[] = ['balance-conservation', 'nonce-monotonicity', 'gas-accounting', 'extra-1', 'extra-2', 'extra-3'].map((name, n) => ({
      name,
      mode: 'both',
      status: 'fail',
      checked: 5_000,
      violationCount: 100 + n,
      violations: violationsOf(100, (i) => ({ description: long, expected: `${long} ${i}`, actual: long, txHash: `0x${'ab'.repeat(32)}`, blockNumber: String(i), account: `0x${'cd'.repeat(20)}` })),
    }));
    const report: RunReportV2 = { ...fail, oracle: { invariants, violationCount: 615, passed: false } };
    const text = renderComment(report, { ...CTX, explorerUrl: 'https://explorer.example' }, MARKER);
    expect(text.length).toBeLessThan(COMMENT_BODY_LIMIT);
    expect(text.split('\n').slice(0, 2)).toEqual([MARKER, '## **FAIL** GasHammer: ramp-to-saturation']);
    expect(text).toContain('#### balance-conservation: 100 violations');
    expect(text).toContain('is left out here to stay within GitHub');
    expect(text).toContain(`[the workflow run](${CTX.runUrl})`);
  });

  it('cuts at a line and says so when even what is never left out is too long', () => {
    const fail = reportFail();
    const reasons = Array.from({ length: 40 }, (_, i) => ({ level: 'fail' as const, text: `${i} ${'['.repeat(2_000)}` }));
    const regressions = Array.from({ length: 40 }, (_, i) => ({ ...fail.gate.regressions[1]!, metric: `metric_${i}_${'m'.repeat(70)}` }));
    const text = renderComment({ ...fail, gate: { ...fail.gate, reasons, regressions } }, CTX, MARKER);
    expect(text.length).toBeLessThan(COMMENT_BODY_LIMIT);
    expect(text.split('\n').slice(0, 2)).toEqual([MARKER, '## **FAIL** GasHammer: ramp-to-saturation']);
    expect(text.trimEnd().endsWith("_The rest is cut to stay within GitHub's size limit; report.md in the artifact has all of it._")).toBe(true);
  });
});

describe('renderJobSummary', () => {
  it('is the comment without the marker', () => {
    const comment = renderComment(reportFail(), CTX, MARKER);
    expect(renderJobSummary(reportFail(), CTX)).toBe(comment.slice(MARKER.length + 1));
  });

  it('says, under the verdict, when the comment could not be posted', () => {
    const text = renderJobSummary(reportFail(), { ...CTX, commentNotPosted: 'the token may not write to pull requests from forks (HTTP 403)' });
    const lines = text.split('\n');
    expect(lines[0]).toBe('## **FAIL** GasHammer: ramp-to-saturation');
    expect(text).toContain('> The pull-request comment could not be posted: the token may not write to pull requests from forks (HTTP 403). These results are shown here instead.');
    expect(text.indexOf('could not be posted')).toBeLessThan(text.indexOf('### Why'));
  });

  it('stays under 1 MiB', () => {
    const fail = reportFail();
    const reasons = Array.from({ length: 40 }, (_, i) => ({ level: 'fail' as const, text: `${i} ${'€'.repeat(5_000)}` }));
    const text = renderJobSummary({ ...fail, gate: { ...fail.gate, reasons } }, CTX);
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThan(JOB_SUMMARY_LIMIT_BYTES);
  });
});

describe('renderCheckOutput', () => {
  it('titles the check with the verdict and what failed', () => {
    expect(renderCheckOutput(reportFail(), CTX).title).toBe('FAIL: 4 regressions, 140 oracle violations, 4 thresholds not met');
    expect(renderCheckOutput(reportPass(), CTX).title).toBe('PASS: no regression, no oracle violation');
    expect(renderCheckOutput(reportInconclusive(), CTX).title).toBe('INCONCLUSIVE: 1 reason it is inconclusive');
  });

  it('puts the verdict and why in the summary, the tables in the text', () => {
    const out = renderCheckOutput(reportFail(), CTX);
    expect(out.summary.split('\n')[0]).toBe('## **FAIL** GasHammer: ramp-to-saturation');
    expect(out.summary).toContain('### Why');
    expect(out.summary).toContain('Baseline: branch `main`');
    expect(out.text).toContain('### Regressions');
    expect(out.text).toContain('### Thresholds');
    expect(tables(sectionOf(out.text, 'Thresholds'))[0]!.map(cells)).toContainEqual(['`p99_inclusion_ms < 1000`', 'error', '1,092 ms', '**FAIL**']);
    expect(out.text).toContain('### Correctness oracle');
  });

  it('keeps summary and text under 65,535 characters', () => {
    const fail = reportFail();
    const many = 'x'.repeat(400);
    const invariants: InvariantVerdict[] = Array.from({ length: 8 }, (_, n) => ({
      name: `inv-${n}`,
      mode: 'both',
      status: 'fail',
      checked: 1,
      violationCount: 100,
      violations: violationsOf(100, () => ({ description: many, expected: many, actual: many })),
    }));
    const reasons = Array.from({ length: 40 }, () => ({ level: 'fail' as const, text: '['.repeat(400) }));
    const out = renderCheckOutput({ ...fail, oracle: { invariants, violationCount: 800, passed: false }, gate: { ...fail.gate, reasons } }, CTX);
    expect(out.summary.length).toBeLessThan(CHECK_OUTPUT_LIMIT);
    expect(out.text.length).toBeLessThan(CHECK_OUTPUT_LIMIT);
  });
});

describe('annotationsFor', () => {
  const SCENARIO = [
    '# Ramp to saturation', // 1
    'name: ramp-to-saturation', // 2
    'description: "ramp"', // 3
    'version: "1.0"', // 4
    'phases:', // 5
    '  - name: ramp', // 6
    '    duration_secs: 90', // 7
    'oracle:', // 8
    '  invariants:', // 9
    '    - nonce-monotonicity', // 10
    '    - balance-conservation', // 11
    'gate:', // 12
    '  thresholds:', // 13
    '    - error_rate < 0.01', // 14
    '    - p99_inclusion_ms < 1000', // 15
    '    - oracle_violations == 0', // 16
    '    - check: late_send_ratio < 0.001', // 17
    '      level: warn', // 18
    '    - check: recovery_half_life_secs < 30', // 19
    '      level: warn', // 20
    '  regression:', // 21
    '    metrics:', // 22
    '      p99_inclusion_ms: { warn_pct: 15, fail_pct: 30 }', // 23
    '', //
  ].join('\n');
  const PATH = 'scenarios/ramp-to-saturation.yaml';

  /** The 1-based line of the first line of the scenario equal to `text` once trimmed. */
  const lineOf = (text: string) => SCENARIO.split('\n').findIndex((l) => l.trim() === text) + 1;

  it('points each oracle violation at the invariant named in oracle.invariants', () => {
    const notes = annotationsFor(reportFail(), SCENARIO, PATH).filter((a) => a.title.startsWith('Oracle'));
    const balance = notes.filter((a) => a.title === 'Oracle violation: balance-conservation');
    const nonce = notes.filter((a) => a.title === 'Oracle violation: nonce-monotonicity');
    expect(balance).toHaveLength(3);
    expect(nonce).toHaveLength(100);
    for (const a of balance) expect(a).toMatchObject({ path: PATH, start_line: lineOf('- balance-conservation'), end_line: lineOf('- balance-conservation'), annotation_level: 'failure' });
    for (const a of nonce) expect(a.start_line).toBe(lineOf('- nonce-monotonicity'));
    expect(balance[0]!.message).toMatch(/^balance-conservation: balance changed by more than the value sent and the fees paid\. Expected 2000000000000000 wei, actual 1979000000000000 wei\. \(transaction 0x/);
    const unlisted = notes.find((a) => a.title === 'Oracle violations: nonce-monotonicity')!;
    expect(unlisted.message).toBe('nonce-monotonicity: 37 more violations counted but not listed (the report keeps 100 per invariant).');
    expect(notes.some((a) => a.title.includes('gas-accounting'))).toBe(false);
  });

  it('points a violation of an invariant not listed at the oracle key', () => {
    const without = SCENARIO.replace('    - balance-conservation\n', '');
    const balance = annotationsFor(reportFail(), without, PATH).filter((a) => a.title === 'Oracle violation: balance-conservation');
    expect(balance.map((a) => a.start_line)).toEqual([8, 8, 8]);
  });

  it('points thresholds not met at their gate entry, failure for error and warning for warn', () => {
    const thresholds = annotationsFor(reportFail(), SCENARIO, PATH).filter((a) => a.title.startsWith('Threshold'));
    expect(thresholds.map((a) => [a.title, a.start_line, a.annotation_level])).toEqual([
      ['Threshold not met: error_rate < 0.01', lineOf('- error_rate < 0.01'), 'failure'],
      ['Threshold not met: p99_inclusion_ms < 1000', lineOf('- p99_inclusion_ms < 1000'), 'failure'],
      ['Threshold not met: oracle_violations == 0', lineOf('- oracle_violations == 0'), 'failure'],
      ['Threshold not met: recovery_half_life_secs < 30', lineOf('- check: recovery_half_life_secs < 30'), 'warning'],
    ]);
    expect(thresholds.find((a) => a.title.endsWith('p99_inclusion_ms < 1000'))!.message).toBe("Threshold 'p99_inclusion_ms < 1000' (error) not met: p99_inclusion_ms is 1,092 ms.");
    expect(thresholds.find((a) => a.title.endsWith('recovery_half_life_secs < 30'))!.message).toBe(
      "Threshold 'recovery_half_life_secs < 30' (warn) could not be judged: the run has no value for recovery_half_life_secs.",
    );
  });

  it('points regressions at their rule, else a threshold on the metric, else gate.regression, by decision', () => {
    const regressions = annotationsFor(reportFail(), SCENARIO, PATH).filter((a) => a.title.startsWith('Regression'));
    expect(regressions.map((a) => [a.title, a.start_line, a.annotation_level])).toEqual([
      ['Regression: p99_inclusion_ms', lineOf('p99_inclusion_ms: { warn_pct: 15, fail_pct: 30 }'), 'failure'],
      ['Regression: achieved_gas_per_sec', lineOf('regression:'), 'warning'],
      ['Regression: error_rate', lineOf('- error_rate < 0.01'), 'failure'],
      ['Regression: safe_sustained_gas_per_sec', lineOf('regression:'), 'failure'],
    ]);
    expect(regressions[0]!.message).toBe('p99_inclusion_ms rose beyond fail_pct 20% (p < 0.05): baseline 590 ms, this run 1,092 ms (+85.0%).');
  });

  it('falls back to the gate key, then line 1, when the scenario has no entry', () => {
    const gateOnly = 'name: x\ngate:\n  thresholds: []\n';
    const onGate = annotationsFor(reportFail(), gateOnly, PATH).filter((a) => !a.title.startsWith('Oracle'));
    expect(new Set(onGate.map((a) => a.start_line))).toEqual(new Set([2]));
    const onFirst = annotationsFor(reportFail(), 'name: x\n', PATH);
    expect(new Set(onFirst.map((a) => a.start_line))).toEqual(new Set([1]));
    expect(new Set(annotationsFor(reportFail(), null, PATH).map((a) => a.start_line))).toEqual(new Set([1]));
    expect(new Set(annotationsFor(reportFail(), 'not: [valid', PATH).map((a) => a.start_line))).toEqual(new Set([1]));
  });

  it('takes a parsed scenario source as well as its text', () => {
    const parsed = parseScenarioText(PATH, new TextEncoder().encode(SCENARIO));
    if (!parsed.ok) throw new Error('fixture scenario does not parse');
    expect(annotationsFor(reportFail(), parsed.source, PATH)).toEqual(annotationsFor(reportFail(), SCENARIO, PATH));
  });

  it('gives a passing report no annotation', () => {
    expect(annotationsFor(reportPass(), SCENARIO, PATH)).toEqual([]);
  });

  it('keeps titles and messages within GitHub limits', () => {
    const fail = reportFail();
    const long = 'y'.repeat(100_000);
    const inv: InvariantVerdict = { name: long, mode: 'both', status: 'fail', checked: 1, violationCount: 1, violations: [{ description: long, expected: long, actual: long }] };
    const [a] = annotationsFor({ ...fail, oracle: { invariants: [inv], violationCount: 1, passed: false } }, SCENARIO, PATH);
    expect(a!.title.length).toBeLessThanOrEqual(255);
    expect(a!.message.length).toBeLessThanOrEqual(4_000);
  });
});
