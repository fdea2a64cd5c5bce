// report.html: the whole report in one self-contained file a person can open anywhere, offline.
// Inline CSS that follows the reader's light or dark mode, charts drawn here as inline SVG
// (svg-chart.ts), no script, no font, no request: a Content-Security-Policy forbids all three,
// so even a value that slipped through escaping could not fetch or run anything. Every chart
// has a title and description for screen readers and a table beside it with the same data.
// Fault windows, when the run had any, are shaded bands on the charts over time and a table.
// Every text that came from outside the renderer is escaped; figures are the report's own.

import { redact, redactUrl } from '../util/redact.js';
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
  phaseStarts,
  REASON_WORDS,
  reasonCountWords,
  shareOf,
  VERDICT_WORDS,
} from './report-figures.js';
import { FAULT_TABLE_COLUMNS, faultLegend, faultTableRow, faultWindowSpan } from './fault-table.js';
import type { EdgeReport, EnvelopeStep, FaultWindow, InvariantVerdict, PhaseReport, RunReportV2, TrafficCounts } from './report-types.js';
import { barChart, CHART_CSS, escapeMarkup as esc, scatterChart, timeSeriesChart, type MarkerShape, type Tone, type XBand, type XMark } from './svg-chart.js';

/** Markup this module built itself; anything else put in a page is escaped. */
interface Html {
  readonly html: string;
}

const html = (markup: string): Html => ({ html: markup });

/** A cell or a run of text: plain strings are escaped, Html is trusted. */
type Content = string | Html;

const render = (c: Content): string => (typeof c === 'string' ? esc(c) : c.html);

interface Col {
  readonly title: string;
  readonly numeric?: boolean;
}

function table(caption: string, columns: readonly Col[], rows: readonly (readonly Content[])[], id?: string): string {
  const head = columns.map((c) => `<th scope="col"${c.numeric ? ' class="num"' : ''}>${esc(c.title)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${columns.map((c, i) => `<td${c.numeric ? ' class="num"' : ''}>${render(row[i] ?? '')}</td>`).join('')}</tr>`)
    .join('\n');
  return (
    `<div class="table-wrap"><table${id === undefined ? '' : ` id="${esc(id)}"`}><caption>${esc(caption)}</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`
  );
}

function section(id: string, title: string, ...body: string[]): string {
  return `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${esc(title)}</h2>\n${body.join('\n')}\n</section>`;
}

function figure(svg: string, caption: Content): string {
  return `<figure>${svg}<figcaption>${render(caption)}</figcaption></figure>`;
}

/** A definition list of figures: term and value. */
function facts(items: readonly (readonly [string, Content])[]): string {
  return `<dl class="facts">${items.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${render(v)}</dd></div>`).join('')}</dl>`;
}

const code = (text: string): Html => html(`<code>${esc(text)}</code>`);
const tag = (level: string, text: string): Html => html(`<span class="tag tag-${esc(level)}">${esc(text)}</span>`);

// ---------------------------------------------------------------------------------------------
// Header and gate

function header(report: RunReportV2): string {
  const verdict = report.gate.verdict;
  const load = loadSummary(report);
  const summary: string[] = [];
  const counts = reasonCountWords(report.gate.reasons);
  if (counts.length > 0) summary.push(counts.join(', '));
  if (report.completion.state === 'aborted') summary.push(`the run was aborted: ${report.completion.reason}`);
  if (load.achievedGasPerSec !== null) {
    const of = load.offeredGasPerSec !== null ? ` of ${formatGasRate(load.offeredGasPerSec)} offered` : '';
    summary.push(`${formatGasRate(load.achievedGasPerSec)} achieved${of}`);
  }
  summary.push(`p99 inclusion ${formatMsWithUnit(report.latency.inclusion.corrected.p99)}`);
  summary.push(`${formatCount(report.oracle.violationCount)} oracle violation${report.oracle.violationCount === 1 ? '' : 's'}`);
  const b = report.gate.baseline;
  summary.push(b === null ? 'no baseline' : `baseline ${b.branch}${b.commit !== undefined ? ` @ ${b.commit.slice(0, 12)}` : ''}`);
  return (
    `<header class="verdict v-${verdict}">` +
    `<p class="badge"><span class="sr">Gate verdict: </span>${VERDICT_WORDS[verdict]}</p>` +
    `<div><h1>GasHammer run report: ${esc(report.scenario.name)}</h1>` +
    `<p class="headline">${esc(summary.join('; '))}.</p>` +
    `<p class="meta">Run <code>${esc(report.runId)}</code>, started ${esc(report.startedAt)}, ${esc(formatSecs(report.durationSecs))}, ` +
    `${esc(report.target.kind)} chain ${report.target.chainId}</p></div></header>`
  );
}

const SECTIONS: readonly (readonly [string, string])[] = [
  ['gate', 'Gate'],
  ['throughput', 'Throughput'],
  ['latency', 'Latency'],
  ['faults', 'Faults'],
  ['envelope', 'Capacity envelope'],
  ['oracle', 'Correctness oracle'],
  ['errors', 'Errors'],
  ['phases', 'Phases'],
  ['edges', 'Edges'],
  ['telemetry', 'Telemetry'],
  ['run', 'Run'],
  ['notes', 'Notes'],
  ['data', 'Data'],
];

function nav(report: RunReportV2): string {
  // The faults section exists only when the run had faults.
  const shown = SECTIONS.filter(([id]) => id !== 'faults' || faultsOf(report).length > 0);
  return `<nav aria-label="Sections"><ul>${shown.map(([id, title]) => `<li><a href="#${id}">${esc(title)}</a></li>`).join('')}</ul></nav>`;
}

function gateSection(report: RunReportV2): string {
  const g = report.gate;
  const reasons =
    g.reasons.length === 0
      ? '<p>No reason recorded.</p>'
      : `<ul class="reasons">${g.reasons.map((r) => `<li>${tag(r.level, REASON_WORDS[r.level]).html} ${esc(r.text)}</li>`).join('')}</ul>`;
  const thresholds =
    g.thresholds.length === 0
      ? '<p>The scenario sets no threshold.</p>'
      : table(
          'Thresholds set by the scenario',
          [{ title: 'Check' }, { title: 'Level' }, { title: 'Actual', numeric: true }, { title: 'Result' }],
          g.thresholds.map((t) => [code(t.source), t.level, formatMetricValue(t.metric, t.actual), t.passed ? tag('pass', 'pass') : t.level === 'error' ? tag('fail', 'FAIL') : tag('warn', 'WARN')]),
        );
  const b = g.baseline;
  const baseline =
    b === null
      ? '<p>No baseline was used.</p>'
      : `<p>Baseline: branch <code>${esc(b.branch)}</code>${b.commit !== undefined ? `, commit <code>${esc(b.commit)}</code>` : ''}, saved ${esc(b.savedAt)}, ` +
        `${esc(b.runs === 1 ? '1 run' : `${formatCount(b.runs)} runs`)}, from <code>${esc(redact(b.source))}</code>.</p>`;
  const regressions =
    g.regressions.length === 0
      ? '<p>No regression was compared.</p>'
      : table(
          'Regressions against the baseline',
          [
            { title: 'Metric' },
            { title: 'Baseline', numeric: true },
            { title: 'Current', numeric: true },
            { title: 'Delta', numeric: true },
            { title: 'p-value', numeric: true },
            { title: 'Decision' },
            { title: 'Why' },
          ],
          g.regressions.map((r) => [
            code(r.metric),
            formatMetricValue(r.metric, r.baseline),
            formatMetricValue(r.metric, r.current),
            formatDeltaPct(r.deltaPct),
            formatPValue(r.pValue),
            r.decision === 'fail' || r.decision === 'warn' ? tag(r.decision, r.decision) : r.decision,
            r.why,
          ]),
        );
  return section('gate', 'Gate', reasons, '<h3>Thresholds</h3>', thresholds, '<h3>Regressions</h3>', baseline, regressions);
}

// ---------------------------------------------------------------------------------------------
// Charts

function phaseMarks(report: RunReportV2): XMark[] {
  return phaseStarts(report).map((p) => ({ at: p.at, label: p.name }));
}

/** A report made before faults were reported has none. */
function faultsOf(report: RunReportV2): readonly FaultWindow[] {
  return report.faults ?? [];
}

/** Fault windows as shaded bands; a window never cleared runs to the end of the series. */
function faultBands(report: RunReportV2): XBand[] {
  const end = report.series.length === 0 ? 0 : report.series[report.series.length - 1]!.t + 1;
  return faultsOf(report).map((w) => ({ from: w.injectedAtSecs, to: w.clearedAtSecs ?? Math.max(end, w.injectedAtSecs), label: w.name }));
}

/** The chart description's words for the shaded fault windows, for readers who cannot see them. */
function faultWords(report: RunReportV2): string {
  const faults = faultsOf(report);
  if (faults.length === 0) return '';
  return ` Shaded: fault windows, ${faults.map((w) => `${w.name} ${faultWindowSpan(w)} s`).join(', ')}.`;
}

const SERIES_LINK = html('The same data, second by second: <a href="#data-series">the per-second table</a>.');

function throughputSection(report: RunReportV2): string {
  const s = report.series;
  const times = s.map((x) => x.t);
  const load = loadSummary(report);
  const chart = timeSeriesChart({
    id: 'chart-throughput',
    title: 'Achieved against offered gas per second',
    description:
      `Compute gas per second over ${s.length} seconds: offered (scheduled), accepted by the node, and included in blocks (achieved). ` +
      `Mean over the loaded phases: ${formatGasRate(load.achievedGasPerSec)} achieved of ${formatGasRate(load.offeredGasPerSec)} offered.` +
      faultWords(report),
    times,
    yUnit: 'gas/s',
    yLabel: 'compute gas',
    marks: phaseMarks(report),
    bands: faultBands(report),
    series: [
      { name: 'offered', tone: 'grey', dashed: true, values: s.map((x) => x.offeredGasPerSec) },
      { name: 'accepted', tone: 'blue', values: s.map((x) => x.acceptedGasPerSec) },
      { name: 'included (achieved)', tone: 'green', values: s.map((x) => x.includedGasPerSec) },
    ],
  });
  return section(
    'throughput',
    'Throughput',
    facts([
      ['Offered', formatGasRate(load.offeredGasPerSec)],
      ['Achieved', formatGasRate(load.achievedGasPerSec)],
      ['Achieved share', formatRatio(load.achievedShare)],
      ['Transactions included', formatCount(report.totals.txIncluded)],
    ]),
    figure(chart, html(`Dashed lines mark where each phase began${faultsOf(report).length > 0 ? '; shaded bands are fault windows' : ''}. ${SERIES_LINK.html}`)),
  );
}

function latencyTable(report: RunReportV2): string {
  const rows: Content[][] = [];
  for (const [kind, label] of LATENCY_ROWS) {
    for (const variant of ['corrected', 'uncorrected'] as const) {
      const s = report.latency[kind][variant];
      rows.push([`${label}, ${variant}`, ...PERCENTILE_COLUMNS.map(([key]) => formatMs(s[key])), formatCount(s.count)]);
    }
  }
  return table('Latency percentiles over the whole run, in ms', [{ title: 'Latency' }, ...PERCENTILE_COLUMNS.map(([, title]) => ({ title, numeric: true })), { title: 'Samples', numeric: true }], rows);
}

function latencySection(report: RunReportV2): string {
  const s = report.series;
  const chart = timeSeriesChart({
    id: 'chart-latency',
    title: 'Inclusion latency over time, p50 and p99',
    description:
      `Corrected inclusion latency (from the intended send) of the transactions included in each second, median and 99th percentile; ` +
      `seconds without inclusions are gaps. Whole run: p50 ${formatMsWithUnit(report.latency.inclusion.corrected.p50)}, p99 ${formatMsWithUnit(report.latency.inclusion.corrected.p99)}.` +
      faultWords(report),
    times: s.map((x) => x.t),
    yUnit: 'ms',
    yLabel: 'inclusion latency',
    marks: phaseMarks(report),
    bands: faultBands(report),
    series: [
      { name: 'p50', tone: 'blue', values: s.map((x) => x.p50InclusionMs) },
      { name: 'p99', tone: 'orange', values: s.map((x) => x.p99InclusionMs), reduce: 'max' },
    ],
  });
  return section(
    'latency',
    'Latency',
    figure(chart, SERIES_LINK),
    '<p>Corrected latencies are timed from the instant the schedule intended the send, so a generator that fell behind cannot hide latency (coordinated omission); uncorrected ones from the actual send.</p>',
    latencyTable(report),
  );
}

/** The faults table (the same as report.md's), with each window's notes; '' for a run without faults. */
function faultsSection(report: RunReportV2): string {
  const faults = faultsOf(report);
  if (faults.length === 0) return '';
  const rows = table(
    'Fault windows: acceptance latency and error rate before, during and after each fault, and the recovery',
    FAULT_TABLE_COLUMNS.map((c) => (c.numeric ? { title: c.title, numeric: true } : { title: c.title })),
    faults.map(faultTableRow),
    'fault-windows',
  );
  const notes = faults.flatMap((w) => w.notes.map((n) => `<li>${esc(`${w.name} (${faultWindowSpan(w)} s): ${n}`)}</li>`));
  return section('faults', 'Faults', `<p>${esc(faultLegend())}</p>`, rows, notes.length > 0 ? `<ul>${notes.join('')}</ul>` : '');
}

const STATE_STYLE: Readonly<Record<EnvelopeStep['state'], { readonly tone: Tone; readonly shape: MarkerShape }>> = {
  healthy: { tone: 'green', shape: 'circle' },
  degraded: { tone: 'orange', shape: 'square' },
  unstable: { tone: 'red', shape: 'triangle' },
};

function envelopeSection(report: RunReportV2): string {
  const e = report.envelope;
  const marks: XMark[] = [];
  if (e.safeSustainedGasPerSec !== null) marks.push({ at: e.safeSustainedGasPerSec, label: 'safe', tone: 'green' });
  if (e.degradationOnsetGasPerSec !== null) marks.push({ at: e.degradationOnsetGasPerSec, label: 'onset', tone: 'orange' });
  if (e.instabilityThresholdGasPerSec !== null) marks.push({ at: e.instabilityThresholdGasPerSec, label: 'instability', tone: 'red' });
  const chart = scatterChart({
    id: 'chart-envelope',
    title: 'Capacity envelope: achieved against offered gas per step',
    description:
      `Each of the ${e.steps.length} load steps as offered against achieved compute gas per second, shaped and coloured by state (healthy, degraded, unstable). ` +
      `Safe sustained ${formatGasRate(e.safeSustainedGasPerSec)}, degradation onset ${formatGasRate(e.degradationOnsetGasPerSec)}, instability threshold ${formatGasRate(e.instabilityThresholdGasPerSec)}.`,
    xUnit: 'gas/s',
    yUnit: 'gas/s',
    xLabel: 'offered',
    yLabel: 'achieved',
    diagonal: 'achieved = offered',
    marks,
    path: e.steps.map((s) => ({ x: s.offeredGasPerSec, y: s.achievedGasPerSec })),
    groups: (['healthy', 'degraded', 'unstable'] as const).map((state) => ({
      name: state,
      ...STATE_STYLE[state],
      points: e.steps
        .filter((s) => s.state === state)
        .map((s) => ({
          x: s.offeredGasPerSec,
          y: s.achievedGasPerSec,
          label: `${s.label}: offered ${formatGasRate(s.offeredGasPerSec)}, achieved ${formatGasRate(s.achievedGasPerSec)}, p99 inclusion ${formatMsWithUnit(s.p99InclusionMs)}, ${s.state}`,
        })),
    })),
  });
  const b = e.firstBottleneck;
  const figures = facts([
    ['Safe sustained', formatGasRate(e.safeSustainedGasPerSec)],
    ['Degradation onset', formatGasRate(e.degradationOnsetGasPerSec)],
    ['Instability threshold', formatGasRate(e.instabilityThresholdGasPerSec)],
    ['First bottleneck', b === null ? NO_VALUE : `${b.signal} (confidence ${formatRatio(b.confidence)}): ${b.evidence}`],
    ['Recovery half-life', formatSecs(e.recoveryHalfLifeSecs)],
  ]);
  const note = e.note !== undefined ? `<p>${esc(e.note)}</p>` : '';
  const steps =
    e.steps.length === 0
      ? '<p>No steps: the run had fewer than two load levels to compare.</p>'
      : table(
          'Load steps',
          [
            { title: 'Step' },
            { title: 'Seconds' },
            { title: 'Offered (Mgas/s)', numeric: true },
            { title: 'Achieved (Mgas/s)', numeric: true },
            { title: 'p99 inclusion (ms)', numeric: true },
            { title: 'Error rate', numeric: true },
            { title: 'Base fee rise', numeric: true },
            { title: 'State' },
            { title: 'Why' },
          ],
          e.steps.map((s) => [
            s.label,
            `${formatCount(s.fromSecs)}-${formatCount(s.toSecs)}`,
            formatMgas(s.offeredGasPerSec),
            formatMgas(s.achievedGasPerSec),
            formatMs(s.p99InclusionMs),
            formatRatio(s.errorRate),
            s.baseFeeRise === null ? NO_VALUE : `x${s.baseFeeRise.toFixed(2)}`,
            tag(s.state, s.state),
            s.why.join('; '),
          ]),
          'envelope-steps',
        );
  return section(
    'envelope',
    'Capacity envelope',
    figures,
    note,
    figure(chart, html('Points on the dotted diagonal achieved all they were offered. The same data: <a href="#envelope-steps">the table of steps</a>.')),
    steps,
  );
}

// ---------------------------------------------------------------------------------------------
// Oracle, errors, phases, edges

function evidenceTable(inv: InvariantVerdict): string {
  const rows = table(
    `Evidence for ${inv.name}`,
    [{ title: '#', numeric: true }, { title: 'What' }, { title: 'Expected' }, { title: 'Actual' }, { title: 'Transaction' }, { title: 'Block', numeric: true }, { title: 'Account' }],
    inv.violations.map((v, i) => [
      String(i + 1),
      v.description,
      v.expected,
      v.actual,
      v.txHash !== undefined ? code(v.txHash) : '',
      v.blockNumber ?? '',
      v.account !== undefined ? code(v.account) : '',
    ]),
  );
  const unkept = inv.violationCount - inv.violations.length;
  const more = unkept > 0 ? `<p>${esc(`${formatCount(unkept)} more were counted but not kept: a report keeps 100 per invariant.`)}</p>` : '';
  const title = `${inv.name}: ${formatCount(inv.violationCount)} violation${inv.violationCount === 1 ? '' : 's'}`;
  // Long evidence folds away; the first rows are what a reader needs to start looking.
  return inv.violations.length > 10
    ? `<details><summary>${esc(title)} (${formatCount(inv.violations.length)} listed)</summary>${rows}${more}</details>`
    : `<h3>${esc(title)}</h3>${rows}${more}`;
}

function oracleSection(report: RunReportV2): string {
  const o = report.oracle;
  if (o.invariants.length === 0) return section('oracle', 'Correctness oracle', '<p>No invariant was checked.</p>');
  const summary = `<p>${o.passed ? tag('pass', 'passed').html : tag('fail', 'not passed').html} ${esc(`${formatCount(o.violationCount)} violation${o.violationCount === 1 ? '' : 's'} in all.`)}</p>`;
  const verdicts = table(
    'Invariants',
    [{ title: 'Invariant' }, { title: 'Mode' }, { title: 'Status' }, { title: 'Checked', numeric: true }, { title: 'Violations', numeric: true }, { title: 'Note' }],
    o.invariants.map((i) => [i.name, i.mode, tag(i.status, i.status), formatCount(i.checked), formatCount(i.violationCount), i.note ?? '']),
  );
  const evidence = o.invariants.filter((i) => i.violations.length > 0 || i.violationCount > 0).map(evidenceTable);
  return section('oracle', 'Correctness oracle', summary, verdicts, ...evidence);
}

function errorsSection(report: RunReportV2): string {
  const t = report.totals;
  const s = report.series;
  const chart = barChart({
    id: 'chart-errors',
    title: 'Errors per second',
    description: `Failed and timed-out transactions recorded in each second: ${formatCount(t.txFailed)} failed and ${formatCount(t.txTimeout)} timed out in all.${faultWords(report)}`,
    times: s.map((x) => x.t),
    yUnit: 'count',
    yLabel: 'errors per second',
    marks: phaseMarks(report),
    bands: faultBands(report),
    bars: { name: 'failed or timed out', tone: 'red', values: s.map((x) => x.errors) },
  });
  const classes = Object.entries(t.errorsByClass).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const all = classes.reduce((n, [, c]) => n + c, 0);
  const byClass =
    classes.length === 0
      ? '<p>No error was recorded.</p>'
      : table(
          'Errors by class',
          [{ title: 'Error class' }, { title: 'Count', numeric: true }, { title: 'Share', numeric: true }],
          classes.map(([cls, n]) => [code(cls), formatCount(n), formatRatio(shareOf(n, all))]),
        );
  return section(
    'errors',
    'Errors',
    facts([
      ['Failed', formatCount(t.txFailed)],
      ['Timed out', formatCount(t.txTimeout)],
      ['Reverted (included)', formatCount(t.txReverted)],
      ['Late sends', formatCount(t.sendsLate)],
      ['Dropped sends', formatCount(t.sendsDropped)],
    ]),
    figure(chart, SERIES_LINK),
    byClass,
  );
}

function phasesSection(phases: readonly PhaseReport[]): string {
  if (phases.length === 0) return section('phases', 'Phases', '<p>No phase ran.</p>');
  return section(
    'phases',
    'Phases',
    table(
      'Per phase: load offered and achieved, outcomes and inclusion latency',
      [
        { title: '#', numeric: true },
        { title: 'Phase' },
        { title: 'Duration (s)', numeric: true },
        { title: 'Offered (Mgas/s)', numeric: true },
        { title: 'Achieved (Mgas/s)', numeric: true },
        { title: 'Achieved', numeric: true },
        { title: 'tx/s', numeric: true },
        ...trafficColumns,
        { title: 'p50 incl. (ms)', numeric: true },
        { title: 'p99 incl. (ms)', numeric: true },
      ],
      phases.map((p) => [
        String(p.index),
        p.name,
        formatCount(p.durationSecs),
        formatMgas(p.offeredGasPerSec),
        formatMgas(p.achievedGasPerSec),
        formatRatio(p.offeredGasPerSec > 0 ? p.achievedGasPerSec / p.offeredGasPerSec : null),
        formatTxRate(p.achievedTxPerSec),
        ...trafficCells(p),
        formatMs(p.latency.inclusion.corrected.p50),
        formatMs(p.latency.inclusion.corrected.p99),
      ]),
    ),
  );
}

const trafficColumns: readonly Col[] = [
  { title: 'Submitted', numeric: true },
  { title: 'Included', numeric: true },
  { title: 'Reverted', numeric: true },
  { title: 'Failed', numeric: true },
  { title: 'Timeouts', numeric: true },
  { title: 'Late', numeric: true },
  { title: 'Dropped', numeric: true },
];

function trafficCells(t: TrafficCounts): string[] {
  return [t.txSubmitted, t.txIncluded, t.txReverted, t.txFailed, t.txTimeout, t.sendsLate, t.sendsDropped].map(formatCount);
}

function edgesSection(edges: readonly EdgeReport[]): string {
  if (edges.length === 0) return section('edges', 'Edges', '<p>No edge took part.</p>');
  return section(
    'edges',
    'Edges',
    table(
      'Per edge: how it ended, its load and its telemetry',
      [
        { title: '#', numeric: true },
        { title: 'Edge' },
        { title: 'Outcome' },
        { title: 'Reason' },
        ...trafficColumns,
        { title: 'Events received', numeric: true },
        { title: 'Events dropped', numeric: true },
        { title: 'p99 incl. (ms)', numeric: true },
      ],
      edges.map((e) => [
        String(e.edgeIndex),
        html(`${esc(e.name)} <code>${esc(e.edgeId)}</code>`),
        e.outcome === 'finished' ? e.outcome : tag('warn', e.outcome),
        e.reason ?? '',
        ...trafficCells(e),
        formatCount(e.eventsReceived),
        formatCount(e.eventsDropped),
        formatMs(e.latency.inclusion.corrected.p99),
      ]),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Telemetry, run, notes, data

function telemetrySection(report: RunReportV2): string {
  const t = report.telemetry;
  const files = t.files.length === 0 ? 'none' : html(t.files.map((f) => `<code>${esc(f)}</code>`).join(', '));
  return section(
    'telemetry',
    'Telemetry',
    facts([
      ['Loss ratio', formatRatio(t.lossRatio)],
      ['Events received', formatCount(t.eventsReceived)],
      ['Events read back', formatCount(t.eventsRead)],
      ['Dropped by the edges', formatCount(t.eventsDropped)],
      ['Recorded, never received', formatCount(t.eventsMissing)],
      ['Files', files],
    ]),
  );
}

function runSection(report: RunReportV2): string {
  const c = report.completion;
  return section(
    'run',
    'Run',
    facts([
      ['Run', code(report.runId)],
      ['Scenario', html(`${esc(report.scenario.name)} <code>${esc(report.scenario.hash.slice(0, 16))}</code>`)],
      ['Target', html(`${esc(report.target.kind)}, chain ${report.target.chainId}, <code>${esc(redactUrl(report.target.rpcUrl))}</code>`)],
      ['GasHammer', html(`${esc(report.gashammer.version)} <code>${esc(report.gashammer.build)}</code>`)],
      ['Started', report.startedAt],
      ['Ended', report.endedAt],
      ['Duration', formatSecs(report.durationSecs)],
      ['Completion', c.state === 'aborted' ? `aborted: ${c.reason}` : ['done', ...c.reasons].join('; ')],
    ]),
  );
}

function notesSection(notes: readonly string[]): string {
  return section('notes', 'Notes', notes.length === 0 ? '<p>None.</p>' : `<ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
}

/**
 * Rows of the per-second table at most: an hour. A soak of many hours would make a page of tens
 * of megabytes that no one scrolls; report.json keeps every second.
 */
export const MAX_TABLE_SECONDS = 3600;

function dataSection(report: RunReportV2): string {
  const s = report.series.slice(0, MAX_TABLE_SECONDS);
  const cut = report.series.length - s.length;
  const series = table(
    'Per-second series (all edges)',
    [
      { title: 't (s)', numeric: true },
      { title: 'Phase', numeric: true },
      { title: 'Offered (Mgas/s)', numeric: true },
      { title: 'Accepted (Mgas/s)', numeric: true },
      { title: 'Included (Mgas/s)', numeric: true },
      { title: 'Offered tx/s', numeric: true },
      { title: 'Accepted tx/s', numeric: true },
      { title: 'Included tx/s', numeric: true },
      { title: 'Errors', numeric: true },
      { title: 'p50 incl. (ms)', numeric: true },
      { title: 'p99 incl. (ms)', numeric: true },
      { title: 'Base fee (gwei)', numeric: true },
    ],
    s.map((x) => [
      String(x.t),
      String(x.phaseIndex),
      formatMgas(x.offeredGasPerSec),
      formatMgas(x.acceptedGasPerSec),
      formatMgas(x.includedGasPerSec),
      formatCount(x.offeredTxPerSec),
      formatCount(x.acceptedTxPerSec),
      formatCount(x.includedTxPerSec),
      formatCount(x.errors),
      formatMs(x.p50InclusionMs),
      formatMs(x.p99InclusionMs),
      x.baseFeeWei === null ? NO_VALUE : (x.baseFeeWei / 1e9).toFixed(4),
    ]),
    'data-series',
  );
  const metrics = table(
    'Gate metrics',
    [{ title: 'Metric' }, { title: 'Value', numeric: true }],
    Object.entries(report.metrics).map(([name, value]) => [code(name), formatMetricValue(name, value)]),
  );
  // Folded: long, and only for readers who want the figures behind the charts.
  return section(
    'data',
    'Data',
    `<details><summary>${esc(`Per-second series (${formatCount(report.series.length)} seconds)`)}</summary>${series}` +
      (cut > 0 ? `<p>${esc(`The first ${formatCount(s.length)} seconds are shown; report.json holds all ${formatCount(report.series.length)}.`)}</p>` : '') +
      '</details>',
    `<details><summary>${esc(`Gate metrics (${formatCount(Object.keys(report.metrics).length)})`)}</summary>${metrics}</details>`,
  );
}

const PAGE_CSS = `
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1b1b1b;--muted:#5c5c5c;--line:#dedede;--stripe:#f6f6f6;--code:#f0f0f0;--chart-bg:#ffffff;
--pass:#1a7f37;--warn:#9a6700;--fail:#cf222e;--inconclusive:#6e5494;--info:#57606a}
@media (prefers-color-scheme:dark){:root{--bg:#111317;--fg:#e6e6e6;--muted:#a3a3a3;--line:#33363b;--stripe:#181b20;--code:#22262c;--chart-bg:#111317;
--pass:#3fb950;--warn:#d29922;--fail:#f85149;--inconclusive:#a988e0;--info:#8b949e}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main,nav,header{max-width:72rem;margin:0 auto;padding:0 1.25rem}
header.verdict{display:flex;gap:1.25rem;align-items:flex-start;padding-top:1.5rem;padding-bottom:1rem;border-bottom:4px solid var(--v)}
.v-pass{--v:var(--pass)}.v-warn{--v:var(--warn)}.v-fail{--v:var(--fail)}.v-inconclusive{--v:var(--inconclusive)}
.badge{margin:.2rem 0 0;padding:.35rem .8rem;border-radius:.4rem;background:var(--v);color:#fff;font-weight:700;font-size:1.3rem;letter-spacing:.04em}
h1{margin:0;font-size:1.5rem;overflow-wrap:anywhere}
h2{margin:2.2rem 0 .8rem;font-size:1.25rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}
h3{margin:1.4rem 0 .5rem;font-size:1.05rem;overflow-wrap:anywhere}
.headline{margin:.4rem 0;font-size:1.05rem}
.meta{margin:0;color:var(--muted);font-size:.9rem}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.3rem 1rem;padding:.8rem 0;margin:0}
a{color:inherit;text-decoration-color:var(--muted)}
code{font:.88em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code);padding:.05em .3em;border-radius:.25em;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;margin:.6rem 0 1rem}
table{border-collapse:collapse;font-size:.88rem;min-width:50%}
caption{text-align:left;color:var(--muted);padding:.2rem 0;font-size:.85rem}
th,td{padding:.3rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:nth-child(even){background:var(--stripe)}
.reasons{list-style:none;padding:0}
.reasons li{margin:.3rem 0}
.tag{display:inline-block;min-width:3.2rem;text-align:center;padding:0 .4rem;border-radius:.3rem;font-size:.78rem;font-weight:700;color:#fff;background:var(--info)}
.tag-fail,.tag-unstable{background:var(--fail)}.tag-warn,.tag-degraded,.tag-skipped{background:var(--warn)}.tag-pass,.tag-healthy,.tag-ok{background:var(--pass)}.tag-inconclusive{background:var(--inconclusive)}
.facts{display:flex;flex-wrap:wrap;gap:.6rem 2rem;margin:.6rem 0 1rem}
.facts div{min-width:9rem}.facts dt{color:var(--muted);font-size:.82rem}.facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}
figure{margin:1rem 0}
figcaption{color:var(--muted);font-size:.85rem}
details{margin:.6rem 0}summary{cursor:pointer;font-weight:600}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
footer{max-width:72rem;margin:2rem auto;padding:0 1.25rem;color:var(--muted);font-size:.8rem}
@media print{nav{display:none}}
`.trim();

/**
 * The page forbids everything it does not need: no script, no fetch, no frame, no font; only
 * its own inline style and data: images. The renderer emits neither scripts nor URLs; this is
 * the second lock.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** report.html: one file, no network, verdict first, every chart with its table. */
export function renderHtml(report: RunReportV2): string {
  const title = `GasHammer ${VERDICT_WORDS[report.gate.verdict]}: ${report.scenario.name}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${esc(title)}</title>`,
    `<style>\n${PAGE_CSS}\n${CHART_CSS}\n</style>`,
    '</head>',
    '<body>',
    header(report),
    nav(report),
    '<main>',
    gateSection(report),
    throughputSection(report),
    latencySection(report),
    ...(faultsOf(report).length > 0 ? [faultsSection(report)] : []),
    envelopeSection(report),
    oracleSection(report),
    errorsSection(report),
    phasesSection(report.phases),
    edgesSection(report.edges),
    telemetrySection(report),
    runSection(report),
    notesSection(report.notes),
    dataSection(report),
    '</main>',
    `<footer>Report schema version ${report.schemaVersion}; report.json holds every figure shown here.</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
