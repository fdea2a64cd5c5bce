// report.md for a version 2 report: the verdict on the first line and a one-sentence summary a
// release manager can read in a pull-request comment, then why (gate reasons, thresholds,
// regressions against the baseline), whether the chain stayed correct (oracle, with evidence),
// how much load it takes (envelope), how fast (latency), what the injected faults did (only when
// there were any), and the detail (phases, edges, errors, telemetry, run, notes). Only presentation lives here; every figure is the report's own.
// Text that came from outside (scenario, node and edge messages, evidence) is escaped so that it
// can neither break a table nor inject HTML, links or images into a comment.

import { redact, redactUrl } from '../util/redact.js';
import { FAULT_TABLE_COLUMNS, faultLegend, faultTableRow, faultWindowSpan } from './fault-table.js';
import { markdownTable as table } from './markdown-table.js';
import {
  formatCount,
  formatDeltaPct,
  formatGasRate,
  formatMetricValue,
  formatMgas,
  formatMs,
  formatMsWithUnit,
  formatPValue,
  formatRatio,
  formatSecs,
  formatTxRate,
  LATENCY_ROWS,
  loadSummary,
  NO_VALUE,
  PERCENTILE_COLUMNS,
  REASON_WORDS,
  reasonCountWords,
  shareOf,
  VERDICT_WORDS,
} from './report-figures.js';
import type { EdgeReport, FaultWindow, InvariantVerdict, LatencySet, PhaseReport, RunReportV2, TrafficCounts } from './report-types.js';

/** Evidence rows shown per invariant; report.json and report.html list up to 100. */
export const EVIDENCE_ROWS_SHOWN = 10;

const right = 'right' as const;

/**
 * Outside text made inert in Markdown. A `<` that could open a tag, comment or autolink and an
 * `&` that could open an entity become entities; so do the characters that open links and
 * images, code, emphasis and strikethrough, and the backslash (which could cancel an escape).
 * Underscores stay (inside a word they emphasise nothing), and so do `<` before a space or a
 * digit, `>` and `&` alone, so "p < 0.05" reads the same raw and rendered. Pipes and line
 * breaks are for the table to escape.
 */
export function escapeMarkdownText(text: string): string {
  return text
    .replace(/&(?=[A-Za-z#])/g, '&amp;')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;')
    .replace(/[[\]`*~\\]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Outside text on one line of prose: line breaks would end a list item or a paragraph. */
export function inline(text: string): string {
  return escapeMarkdownText(text.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' '));
}

/** A code span around outside text, which it shows literally (markup and entities alike). */
export function code(text: string): string {
  const flat = text.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ');
  if (flat.trim() === '') return '';
  // The fence is one backtick longer than the longest run inside, so the text cannot close it.
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function verdictWord(report: RunReportV2): string {
  return VERDICT_WORDS[report.gate.verdict];
}

function headline(report: RunReportV2): string {
  const parts: string[] = [];
  const counts = reasonCountWords(report.gate.reasons);
  const load = loadSummary(report);
  if (report.completion.state === 'aborted') parts.push(`the run was aborted: ${inline(report.completion.reason)}`);
  if (load.achievedGasPerSec !== null) {
    const of = load.offeredGasPerSec !== null ? ` of ${formatGasRate(load.offeredGasPerSec)} offered` : '';
    const share = load.achievedShare !== null ? ` (${formatRatio(load.achievedShare)})` : '';
    parts.push(`${formatGasRate(load.achievedGasPerSec)} achieved${of}${share}`);
  }
  parts.push(`p99 inclusion ${formatMsWithUnit(report.latency.inclusion.corrected.p99)}`);
  parts.push(oracleWords(report));
  parts.push(baselineWords(report));
  const lead = counts.length > 0 ? `**${verdictWord(report)}**: ${counts.join(', ')}.` : `**${verdictWord(report)}**.`;
  return `${lead} ${capitalise(parts.join('; '))}.`;
}

function capitalise(text: string): string {
  return text.length > 0 ? text[0]!.toUpperCase() + text.slice(1) : text;
}

function oracleWords(report: RunReportV2): string {
  const o = report.oracle;
  const skipped = o.invariants.filter((i) => i.status === 'skipped').length;
  if (o.invariants.length === 0) return 'no oracle invariant ran';
  const violations = o.violationCount === 1 ? '1 oracle violation' : `${formatCount(o.violationCount)} oracle violations`;
  return skipped > 0 ? `${violations}, ${skipped} invariant${skipped === 1 ? '' : 's'} skipped` : violations;
}

function baselineWords(report: RunReportV2): string {
  const b = report.gate.baseline;
  if (b === null) return 'no baseline to compare with';
  const commit = b.commit !== undefined ? ` @ ${code(b.commit.slice(0, 12))}` : '';
  return `compared with baseline ${code(b.branch)}${commit} (${inline(b.savedAt)})`;
}

function gateSection(report: RunReportV2): string[] {
  const g = report.gate;
  const out = ['## Gate', ''];
  if (g.reasons.length === 0) out.push('No reason recorded.');
  for (const reason of g.reasons) out.push(`- **${REASON_WORDS[reason.level]}**: ${inline(reason.text)}`);
  out.push('', '### Thresholds', '');
  if (g.thresholds.length === 0) out.push('The scenario sets no threshold.');
  else
    out.push(
      table(
        [{ title: 'Check' }, { title: 'Level' }, { title: 'Actual', align: right }, { title: 'Result' }],
        g.thresholds.map((t) => [code(t.source), t.level, formatMetricValue(t.metric, t.actual), t.passed ? 'pass' : t.level === 'error' ? '**FAIL**' : '**WARN**']),
      ),
    );
  out.push('', '### Regressions', '', baselineLine(report), '');
  if (g.regressions.length > 0) {
    out.push(
      table(
        [
          { title: 'Metric' },
          { title: 'Baseline', align: right },
          { title: 'Current', align: right },
          { title: 'Delta', align: right },
          { title: 'p-value', align: right },
          { title: 'Decision' },
          { title: 'Why' },
        ],
        g.regressions.map((r) => [
          code(r.metric),
          formatMetricValue(r.metric, r.baseline),
          formatMetricValue(r.metric, r.current),
          formatDeltaPct(r.deltaPct),
          formatPValue(r.pValue),
          r.decision === 'fail' || r.decision === 'warn' ? `**${r.decision}**` : r.decision,
          escapeMarkdownText(r.why),
        ]),
      ),
    );
  } else out.push('No regression was compared.');
  return out;
}

export function baselineLine(report: RunReportV2): string {
  const b = report.gate.baseline;
  if (b === null) return 'No baseline was used.';
  const commit = b.commit !== undefined ? `, commit ${code(b.commit)}` : '';
  const runs = b.runs === 1 ? '1 run' : `${formatCount(b.runs)} runs`;
  return `Baseline: branch ${code(b.branch)}${commit}, saved ${inline(b.savedAt)}, ${runs}, from ${code(redact(b.source))}.`;
}

function oracleSection(report: RunReportV2): string[] {
  const o = report.oracle;
  const out = ['## Correctness oracle', ''];
  if (o.invariants.length === 0) return [...out, 'No invariant was checked.'];
  out.push(
    `${o.passed ? 'Passed' : 'Not passed'}: ${formatCount(o.violationCount)} violation${o.violationCount === 1 ? '' : 's'} in all.`,
    '',
    table(
      [{ title: 'Invariant' }, { title: 'Mode' }, { title: 'Status' }, { title: 'Checked', align: right }, { title: 'Violations', align: right }, { title: 'Note' }],
      o.invariants.map((i) => [
        escapeMarkdownText(i.name),
        i.mode,
        i.status === 'fail' ? '**fail**' : i.status,
        formatCount(i.checked),
        formatCount(i.violationCount),
        escapeMarkdownText(i.note ?? ''),
      ]),
    ),
  );
  for (const inv of o.invariants) if (inv.violations.length > 0 || inv.violationCount > 0) out.push('', ...evidence(inv));
  return out;
}

function evidence(inv: InvariantVerdict): string[] {
  const shown = inv.violations.slice(0, EVIDENCE_ROWS_SHOWN);
  const out = [`### ${inline(inv.name)}: ${formatCount(inv.violationCount)} violation${inv.violationCount === 1 ? '' : 's'}`, ''];
  if (shown.length > 0) {
    out.push(
      table(
        [{ title: '#', align: right }, { title: 'What' }, { title: 'Expected' }, { title: 'Actual' }, { title: 'Transaction' }, { title: 'Block', align: right }, { title: 'Account' }],
        shown.map((v, i) => [
          String(i + 1),
          escapeMarkdownText(v.description),
          escapeMarkdownText(v.expected),
          escapeMarkdownText(v.actual),
          v.txHash !== undefined ? code(v.txHash) : '',
          escapeMarkdownText(v.blockNumber ?? ''),
          v.account !== undefined ? code(v.account) : '',
        ]),
      ),
    );
  }
  const more = inv.violationCount - shown.length;
  if (more > 0) {
    const listed = inv.violations.length - shown.length;
    const unkept = inv.violationCount - inv.violations.length;
    const words = [`${formatCount(more)} more not shown here`];
    if (listed > 0) words.push(`report.json and report.html list ${formatCount(listed)} of them`);
    if (unkept > 0) words.push(`${formatCount(unkept)} were counted but not kept (a report keeps 100 per invariant)`);
    out.push('', `${words.join('; ')}.`);
  }
  return out;
}

/** The envelope's figures as a Markdown table; `text` makes the evidence (chain-derived words) safe. */
export function envelopeFiguresTable(e: RunReportV2['envelope'], text: (words: string) => string): string {
  const b = e.firstBottleneck;
  return table(
    [{ title: 'Figure' }, { title: 'Value' }],
    [
      ['Safe sustained', formatGasRate(e.safeSustainedGasPerSec)],
      ['Degradation onset', formatGasRate(e.degradationOnsetGasPerSec)],
      ['Instability threshold', formatGasRate(e.instabilityThresholdGasPerSec)],
      ['First bottleneck', b === null ? NO_VALUE : `${b.signal} (confidence ${formatRatio(b.confidence)}): ${text(b.evidence)}`],
      ['Recovery half-life', formatSecs(e.recoveryHalfLifeSecs)],
    ],
  );
}

function envelopeSection(report: RunReportV2): string[] {
  const e = report.envelope;
  const out = ['## Capacity envelope', ''];
  out.push(envelopeFiguresTable(e, escapeMarkdownText));
  if (e.note !== undefined) out.push('', inline(e.note));
  if (e.steps.length > 0) {
    out.push(
      '',
      table(
        [
          { title: 'Step' },
          { title: 'Seconds' },
          { title: 'Offered (Mgas/s)', align: right },
          { title: 'Achieved (Mgas/s)', align: right },
          { title: 'p99 inclusion (ms)', align: right },
          { title: 'Error rate', align: right },
          { title: 'Base fee rise', align: right },
          { title: 'State' },
          { title: 'Why' },
        ],
        e.steps.map((s) => [
          escapeMarkdownText(s.label),
          `${formatCount(s.fromSecs)}-${formatCount(s.toSecs)}`,
          formatMgas(s.offeredGasPerSec),
          formatMgas(s.achievedGasPerSec),
          formatMs(s.p99InclusionMs),
          formatRatio(s.errorRate),
          s.baseFeeRise === null ? NO_VALUE : `x${s.baseFeeRise.toFixed(2)}`,
          s.state === 'healthy' ? s.state : `**${s.state}**`,
          escapeMarkdownText(s.why.join('; ')),
        ]),
      ),
    );
  } else if (e.method === 'none') out.push('', 'No steps: the run had fewer than two load levels to compare.');
  return out;
}

function latencyTable(latency: LatencySet): string {
  const rows: string[][] = [];
  for (const [kind, label] of LATENCY_ROWS) {
    for (const variant of ['corrected', 'uncorrected'] as const) {
      const s = latency[kind][variant];
      rows.push([`${label}, ${variant}`, ...PERCENTILE_COLUMNS.map(([key]) => formatMs(s[key])), formatCount(s.count)]);
    }
  }
  return table([{ title: 'Latency (ms)' }, ...PERCENTILE_COLUMNS.map(([, title]) => ({ title, align: right })), { title: 'Samples', align: right }], rows);
}

function latencySection(report: RunReportV2): string[] {
  return [
    '## Latency',
    '',
    'Corrected latencies are timed from the instant the schedule intended the send (no coordinated omission); uncorrected ones from the actual send.',
    '',
    latencyTable(report.latency),
  ];
}


/** The faults the hive injected, one row a window; nothing at all for a run without faults. */
function faultSection(faults: readonly FaultWindow[]): string[] {
  if (faults.length === 0) return [];
  const out = [
    '## Faults',
    '',
    faultLegend(),
    '',
    table(
      FAULT_TABLE_COLUMNS.map((c) => (c.numeric ? { title: c.title, align: right } : { title: c.title })),
      faults.map((w) => faultTableRow(w).map(escapeMarkdownText)),
    ),
  ];
  const notes = faults.flatMap((w) => w.notes.map((n) => `- ${inline(w.name)} (${faultWindowSpan(w)} s): ${inline(n)}`));
  if (notes.length > 0) out.push('', ...notes);
  return out;
}

function phaseSection(phases: readonly PhaseReport[]): string[] {
  const out = ['## Phases', ''];
  if (phases.length === 0) return [...out, 'No phase ran.'];
  out.push(
    table(
      [
        { title: '#', align: right },
        { title: 'Phase' },
        { title: 'Duration (s)', align: right },
        { title: 'Offered (Mgas/s)', align: right },
        { title: 'Achieved (Mgas/s)', align: right },
        { title: 'Achieved', align: right },
        { title: 'tx/s', align: right },
        { title: 'Submitted', align: right },
        { title: 'Included', align: right },
        { title: 'Reverted', align: right },
        { title: 'Failed', align: right },
        { title: 'Timeouts', align: right },
        { title: 'Late', align: right },
        { title: 'Dropped', align: right },
        { title: 'p50 incl. (ms)', align: right },
        { title: 'p99 incl. (ms)', align: right },
      ],
      phases.map((p) => [
        String(p.index),
        escapeMarkdownText(p.name),
        formatCount(p.durationSecs),
        formatMgas(p.offeredGasPerSec),
        formatMgas(p.achievedGasPerSec),
        formatRatio(p.offeredGasPerSec > 0 ? p.achievedGasPerSec / p.offeredGasPerSec : null),
        formatTxRate(p.achievedTxPerSec),
        formatCount(p.txSubmitted),
        formatCount(p.txIncluded),
        formatCount(p.txReverted),
        formatCount(p.txFailed),
        formatCount(p.txTimeout),
        formatCount(p.sendsLate),
        formatCount(p.sendsDropped),
        formatMs(p.latency.inclusion.corrected.p50),
        formatMs(p.latency.inclusion.corrected.p99),
      ]),
    ),
  );
  return out;
}

function edgeSection(edges: readonly EdgeReport[]): string[] {
  const out = ['## Edges', ''];
  if (edges.length === 0) return [...out, 'No edge took part.'];
  out.push(
    table(
      [
        { title: '#', align: right },
        { title: 'Edge' },
        { title: 'Outcome' },
        { title: 'Reason' },
        { title: 'Submitted', align: right },
        { title: 'Included', align: right },
        { title: 'Failed', align: right },
        { title: 'Timeouts', align: right },
        { title: 'Late', align: right },
        { title: 'Dropped', align: right },
        { title: 'Events received', align: right },
        { title: 'Events dropped', align: right },
        { title: 'p99 incl. (ms)', align: right },
      ],
      edges.map((e) => [
        String(e.edgeIndex),
        `${escapeMarkdownText(e.name)} (${escapeMarkdownText(e.edgeId)})`,
        e.outcome === 'finished' ? e.outcome : `**${e.outcome}**`,
        escapeMarkdownText(e.reason ?? ''),
        formatCount(e.txSubmitted),
        formatCount(e.txIncluded),
        formatCount(e.txFailed),
        formatCount(e.txTimeout),
        formatCount(e.sendsLate),
        formatCount(e.sendsDropped),
        formatCount(e.eventsReceived),
        formatCount(e.eventsDropped),
        formatMs(e.latency.inclusion.corrected.p99),
      ]),
    ),
  );
  return out;
}

function errorSection(totals: TrafficCounts): string[] {
  const out = ['## Errors', ''];
  out.push(
    `${formatCount(totals.txFailed)} failed and ${formatCount(totals.txTimeout)} timed out of ${formatCount(totals.txSubmitted)} submitted; ` +
      `${formatCount(totals.txReverted)} included reverted. ` +
      `Sends: ${formatCount(totals.sendsLate)} left late, ${formatCount(totals.sendsDropped)} could not be made (dropped).`,
    '',
  );
  const classes = Object.entries(totals.errorsByClass).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (classes.length === 0) return [...out, 'No error was recorded.'];
  const all = classes.reduce((s, [, n]) => s + n, 0);
  out.push(
    table(
      [{ title: 'Error class' }, { title: 'Count', align: right }, { title: 'Share', align: right }],
      classes.map(([cls, n]) => [code(cls), formatCount(n), formatRatio(shareOf(n, all))]),
    ),
  );
  return out;
}

function telemetrySection(report: RunReportV2): string[] {
  const t = report.telemetry;
  const files = t.files.length > 0 ? t.files.map((f) => code(f)).join(', ') : 'none';
  return [
    '## Telemetry',
    '',
    `Loss ratio ${formatRatio(t.lossRatio)}: ${formatCount(t.eventsReceived)} events received and ${formatCount(t.eventsRead)} read back, ` +
      `${formatCount(t.eventsDropped)} dropped by the edges before shipping, ${formatCount(t.eventsMissing)} recorded but never received. Files: ${files}.`,
  ];
}

function runSection(report: RunReportV2): string[] {
  const c = report.completion;
  const completion = c.state === 'aborted' ? `aborted: ${escapeMarkdownText(c.reason)}` : ['done', ...c.reasons.map(escapeMarkdownText)].join('; ');
  return [
    '## Run',
    '',
    table(
      [{ title: 'Item' }, { title: 'Value' }],
      [
        ['Run', code(report.runId)],
        ['Scenario', `${escapeMarkdownText(report.scenario.name)} (hash ${code(report.scenario.hash.slice(0, 16))})`],
        ['Target', `${report.target.kind}, chain ${report.target.chainId}, ${code(redactUrl(report.target.rpcUrl))}`],
        ['GasHammer', `${escapeMarkdownText(report.gashammer.version)} (${code(report.gashammer.build)})`],
        ['Started', escapeMarkdownText(report.startedAt)],
        ['Ended', escapeMarkdownText(report.endedAt)],
        ['Duration', formatSecs(report.durationSecs)],
        ['Completion', completion],
      ],
    ),
  ];
}

function notesSection(notes: readonly string[]): string[] {
  const out = ['## Notes', ''];
  if (notes.length === 0) return [...out, 'None.'];
  return [...out, ...notes.map((n) => `- ${inline(n)}`)];
}

/** report.md: the verdict first, then the reasons and the evidence behind it. */
export function renderMarkdown(report: RunReportV2): string {
  const sections = [
    [`# GasHammer ${verdictWord(report)}: ${inline(report.scenario.name)}`, '', headline(report)],
    gateSection(report),
    oracleSection(report),
    envelopeSection(report),
    latencySection(report),
    faultSection(report.faults ?? []),
    phaseSection(report.phases),
    edgeSection(report.edges),
    errorSection(report.totals),
    telemetrySection(report),
    runSection(report),
    notesSection(report.notes),
  ];
  return `${sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join('\n'))
    .join('\n\n')}\n`;
}
