// The run report as Markdown, for a person: a title with the outcome, a summary, what each phase
// offered and achieved, how each edge ended, what telemetry arrived, and the notes. Only
// presentation lives here; the numbers are the report's own.

import { redactUrl } from '../util/redact.js';
import { markdownTable } from './markdown-table.js';
import type { EdgeCounts, PhaseCounts, RunReport } from './run-report.js';

const integer = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Text outside a table on one line: a line break in a reason must not start a new block. */
const inline = (text: string): string => text.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ');

function outcomeWords(outcome: RunReport['outcome']): string {
  return outcome.state === 'done' ? outcome.verdict.toUpperCase() : 'ABORTED';
}

function outcomeLines(report: RunReport): string[] {
  const o = report.outcome;
  if (o.state === 'aborted') return [`**Outcome:** ABORTED: ${inline(o.reason)}`];
  const lines = [`**Outcome:** ${outcomeWords(o)}`];
  if (o.reasons.length > 0) {
    lines.push('');
    for (const reason of o.reasons) lines.push(`- ${inline(reason)}`);
  }
  return lines;
}

function sum(phases: readonly PhaseCounts[], pick: (p: PhaseCounts) => number): number {
  return phases.reduce((total, p) => total + pick(p), 0);
}

function summaryTable(report: RunReport): string {
  const p = report.phases;
  const rows: [string, string][] = [
    ['Run', report.runId],
    ['Scenario', `${report.scenario.name} (hash ${report.scenario.hash.slice(0, 16)})`],
    ['Target', `${report.target.kind}, chain ${report.target.chainId}, ${redactUrl(report.target.rpcUrl)}`],
    ['GasHammer', `${report.gashammer.version} (${report.gashammer.build})`],
    ['Started', report.startedAt],
    ['Ended', report.endedAt],
    ['Duration', `${integer(report.durationSecs)} s`],
    ['Edges', String(report.edges.length)],
    [
      'Transactions',
      `${integer(sum(p, (x) => x.txSubmitted))} submitted, ${integer(sum(p, (x) => x.txIncluded))} included, ` +
        `${integer(sum(p, (x) => x.txReverted))} reverted, ${integer(sum(p, (x) => x.txFailed))} failed, ${integer(sum(p, (x) => x.txTimeout))} timed out`,
    ],
    ['Gas', `${integer(sum(p, (x) => x.gasSubmitted))} submitted, ${integer(sum(p, (x) => x.gasIncluded))} included`],
  ];
  return markdownTable([{ title: 'Item' }, { title: 'Value' }], rows);
}

function achievedShare(p: PhaseCounts): string {
  return p.offeredGasPerSec > 0 ? `${((p.achievedGasPerSec / p.offeredGasPerSec) * 100).toFixed(1)}%` : '-';
}

function phaseTable(phases: readonly PhaseCounts[]): string {
  const right = 'right' as const;
  return markdownTable(
    [
      { title: '#', align: right },
      { title: 'Phase' },
      { title: 'Duration (s)', align: right },
      { title: 'Offered gas/s', align: right },
      { title: 'Achieved gas/s', align: right },
      { title: 'Achieved', align: right },
      { title: 'Submitted', align: right },
      { title: 'Included', align: right },
      { title: 'Reverted', align: right },
      { title: 'Failed', align: right },
      { title: 'Timeouts', align: right },
      { title: 'Late sends', align: right },
    ],
    phases.map((p) => [
      String(p.index),
      p.name,
      integer(p.durationSecs),
      integer(p.offeredGasPerSec),
      integer(p.achievedGasPerSec),
      achievedShare(p),
      integer(p.txSubmitted),
      integer(p.txIncluded),
      integer(p.txReverted),
      integer(p.txFailed),
      integer(p.txTimeout),
      integer(p.sendsLate),
    ]),
  );
}

function edgeTable(edges: readonly EdgeCounts[]): string {
  const right = 'right' as const;
  return markdownTable(
    [
      { title: '#', align: right },
      { title: 'Edge' },
      { title: 'Outcome' },
      { title: 'Reason' },
      { title: 'Events received', align: right },
      { title: 'Events dropped', align: right },
      { title: 'Tx submitted', align: right },
      { title: 'Tx included', align: right },
    ],
    edges.map((e) => [
      String(e.edgeIndex),
      `${e.name} (${e.edgeId})`,
      e.outcome,
      e.reason ?? '',
      integer(e.eventsReceived),
      integer(e.eventsDropped),
      integer(e.txSubmitted),
      integer(e.txIncluded),
    ]),
  );
}

function telemetryLine(t: RunReport['telemetry']): string {
  const files = t.files.length > 0 ? t.files.map((f) => `\`${inline(f).replace(/`/g, "'")}\``).join(', ') : 'none';
  return (
    `${integer(t.eventsReceived)} events received in ${integer(t.batchesReceived)} batches, ` +
    `${integer(t.eventsDropped)} dropped by the edges before shipping; files: ${files}.`
  );
}

export function renderReportMarkdown(report: RunReport): string {
  const out: string[] = [
    `# GasHammer run report: ${inline(report.scenario.name)}: ${outcomeWords(report.outcome)}`,
    '',
    ...outcomeLines(report),
    '',
    '## Summary',
    '',
    summaryTable(report),
    '',
    '## Phases',
    '',
    report.phases.length > 0 ? phaseTable(report.phases) : 'No phase ran.',
    '',
    '## Edges',
    '',
    report.edges.length > 0 ? edgeTable(report.edges) : 'No edge took part.',
    '',
    '## Telemetry',
    '',
    telemetryLine(report.telemetry),
    '',
    '## Notes',
    '',
  ];
  if (report.notes.length === 0) out.push('None.');
  for (const note of report.notes) out.push(`- ${inline(note)}`);
  return `${out.join('\n')}\n`;
}

