// What the Action posts, as text: the pull-request comment, the check run's title, summary and
// text, its annotations on the scenario file, and the job summary, all drawn from a RunReportV2
// and a small PublishContext. Pure: no network, no token (the context has none to leak). Every
// string from outside (the report's chain data and messages, the scenario, the inputs) is
// escaped, and every text is fitted under GitHub's size limit by leaving out detail, least
// important first, never the verdict.

import { isSeq } from 'yaml';
import { markdownTable as table, type Column } from '../report/markdown-table.js';
import { baselineLine, code, envelopeFiguresTable, escapeMarkdownText, EVIDENCE_ROWS_SHOWN, inline } from '../report/render-markdown-v2.js';
import {
  formatCount,
  formatDeltaPct,
  formatGasRate,
  formatMetricValue,
  formatMs,
  formatRatio,
  LATENCY_ROWS,
  loadSummary,
  REASON_WORDS,
  VERDICT_WORDS,
} from '../report/report-figures.js';
import type { GateVerdict, InvariantVerdict, RegressionResult, RunReportV2, ThresholdResult, Violation } from '../report/report-types.js';
import { locate, type PathSegment } from '../scenario/positions.js';
import { CHECK_OUTPUT_LIMIT, COMMENT_BODY_LIMIT, JOB_SUMMARY_LIMIT_BYTES, type CheckAnnotation } from './github-api.js';
import { parseScenarioText, type ScenarioSource } from '../scenario/yaml-source.js';

/** An annotation's title and message (GitHub allows 255 and 64 KB; a long message helps nobody). */
export const ANNOTATION_TITLE_MAX_CHARS = 255;
export const ANNOTATION_MESSAGE_MAX_CHARS = 4_000;

/** One outside string is cut here before escaping (which may lengthen it up to fivefold). */
const OUTSIDE_TEXT_CHARS = 400;
const REASONS_SHOWN = 30;
const INVARIANTS_SHOWN = 20;
const INVARIANTS_WITH_EVIDENCE = 5;
const REGRESSIONS_SHOWN = 40;
const THRESHOLDS_SHOWN = 60;

export interface PublishContext {
  /** Repository-relative path of the scenario file. */
  readonly scenarioPath: string;
  /** Defaults to the report's scenario name. */
  readonly scenarioName?: string;
  readonly checkName: string;
  /** The workflow run that produced the report. */
  readonly runUrl: string;
  readonly artifact?: { readonly name: string; readonly url?: string };
  /** Where the baseline came from, or why there was none (where it was looked for). */
  readonly baselineNote?: string;
  /** When the scenario ran more than once: how many times, and each run's own verdict. */
  readonly repeat?: { readonly count: number; readonly verdicts: readonly GateVerdict[] };
  /** The commit the results belong to (a pull request's head). */
  readonly commitSha: string;
  /** For links to the commit. */
  readonly repository: { readonly serverUrl: string; readonly fullName: string };
  /** A block explorer's base URL: transactions link to `<base>/tx/<hash>`, accounts to `<base>/address/<addr>`. */
  readonly explorerUrl?: string;
  /** Why the pull-request comment could not be posted (job summary only). */
  readonly commentNotPosted?: string;
}

export interface CheckOutput {
  readonly title: string;
  readonly summary: string;
  readonly text: string;
}

export type { CheckAnnotation };
export type AnnotationLevel = CheckAnnotation['annotation_level'];

// ---------------------------------------------------------------------------------------------
// Small pieces

const right = 'right' as const;

function clip(text: string, max = OUTSIDE_TEXT_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Outside text on one line, cut and escaped. */
function words(text: string, max = OUTSIDE_TEXT_CHARS): string {
  return inline(clip(text, max));
}

/** Outside text as a code span, cut. */
function literal(text: string, max = OUTSIDE_TEXT_CHARS): string {
  return code(clip(text, max));
}

/** A URL safe to put in a Markdown link destination as it is: http(s), nothing that could end it. */
function linkable(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\/[^\s<>()[\]"'`\\]+$/.test(url);
}

/** `text` (already Markdown) linked to `url`, or just `text` when the URL is not safe to link. */
function link(text: string, url: string | undefined): string {
  return linkable(url) ? `[${text}](${url})` : text;
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function verdictBadge(verdict: GateVerdict): string {
  return `**${VERDICT_WORDS[verdict]}**`;
}

const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function explorerBase(ctx: PublishContext): string | undefined {
  const base = ctx.explorerUrl?.replace(/\/+$/, '');
  return linkable(base) ? base : undefined;
}

/** A transaction hash or account as evidence: linked to the explorer when there is one, else code. */
function evidenceRef(value: string | undefined, kind: 'tx' | 'address', ctx: PublishContext): string {
  if (value === undefined) return '';
  const base = explorerBase(ctx);
  const valid = kind === 'tx' ? TX_HASH.test(value) : ADDRESS.test(value);
  if (base === undefined || !valid) return literal(value, 80);
  return link(code(`${value.slice(0, 10)}…${value.slice(-6)}`), `${base}/${kind}/${value}`);
}

function commitRef(ctx: PublishContext): string {
  const sha = ctx.commitSha;
  const short = literal(sha.slice(0, 12), 12);
  if (!/^[0-9a-f]{40}$/.test(sha) || !/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(ctx.repository.fullName)) return short;
  return link(short, `${ctx.repository.serverUrl.replace(/\/+$/, '')}/${ctx.repository.fullName}/commit/${sha}`);
}

// ---------------------------------------------------------------------------------------------
// Counts the title and the headline share

interface Tally {
  readonly regressions: number;
  readonly violations: number;
  readonly thresholdsNotMet: number;
  readonly inconclusive: number;
}

function tally(report: RunReportV2): Tally {
  return {
    regressions: report.gate.regressions.filter((r) => r.decision === 'fail' || r.decision === 'warn').length,
    violations: report.oracle.violationCount,
    thresholdsNotMet: report.gate.thresholds.filter((t) => !t.passed).length,
    inconclusive: report.gate.reasons.filter((r) => r.level === 'inconclusive').length,
  };
}

function tallyWords(report: RunReportV2): string[] {
  const t = tally(report);
  const parts: string[] = [];
  if (t.regressions > 0) parts.push(plural(t.regressions, 'regression', 'regressions'));
  if (t.violations > 0) parts.push(plural(t.violations, 'oracle violation', 'oracle violations'));
  if (t.thresholdsNotMet > 0) parts.push(plural(t.thresholdsNotMet, 'threshold not met', 'thresholds not met'));
  if (report.gate.verdict === 'inconclusive' && t.inconclusive > 0) parts.push(plural(t.inconclusive, 'reason it is inconclusive', 'reasons it is inconclusive'));
  if (parts.length === 0) parts.push('no regression', 'no oracle violation');
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Sections

/**
 * A piece of a text. `drop` ranks the pieces that may be left out to fit a size limit: the
 * highest goes first; pieces without it always stay.
 */
interface Piece {
  readonly lines: readonly string[];
  readonly drop?: number;
  readonly label?: string;
}

function headPiece(report: RunReportV2, ctx: PublishContext): Piece {
  const name = ctx.scenarioName ?? report.scenario.name;
  const lines = [
    `## ${verdictBadge(report.gate.verdict)} GasHammer: ${words(name, 200)}`,
    '',
    `${capitalise(tallyWords(report).join(', '))}. Scenario ${literal(ctx.scenarioPath, 200)}, commit ${commitRef(ctx)}, check ${literal(ctx.checkName, 100)}.`,
  ];
  const repeat = ctx.repeat;
  if (repeat !== undefined && repeat.count > 1) {
    const each = repeat.verdicts.map((v, i) => `run ${i + 1} ${VERDICT_WORDS[v]}`).join(', ');
    const missing = repeat.count - repeat.verdicts.length;
    const lost = missing > 0 ? `; ${plural(missing, 'run', 'runs')} left no report` : '';
    lines.push('', `Judged on the median of ${formatCount(repeat.count)} runs (${each || 'none reported'}${lost}).`);
  }
  if (report.completion.state === 'aborted') lines.push('', `The run was aborted: ${words(report.completion.reason)}.`);
  return { lines };
}

function capitalise(text: string): string {
  return text.length > 0 ? text[0]!.toUpperCase() + text.slice(1) : text;
}

const REASON_ORDER = { fail: 0, inconclusive: 1, warn: 2, info: 3 } as const;

function reasonsPiece(report: RunReportV2): Piece {
  const reasons = [...report.gate.reasons].sort((a, b) => REASON_ORDER[a.level] - REASON_ORDER[b.level]);
  const lines = ['### Why', ''];
  if (reasons.length === 0) lines.push('The gate recorded no reason.');
  for (const r of reasons.slice(0, REASONS_SHOWN)) lines.push(`- **${REASON_WORDS[r.level]}** ${words(r.text)}`);
  if (reasons.length > REASONS_SHOWN) lines.push(`- and ${plural(reasons.length - REASONS_SHOWN, 'more reason', 'more reasons')} in report.md`);
  return { lines };
}

function baselineSentence(report: RunReportV2, ctx: PublishContext): string {
  const note = ctx.baselineNote !== undefined ? ` ${words(ctx.baselineNote)}` : '';
  if (report.gate.baseline === null) return `No baseline was used: there was none to compare with for this scenario and testbed.${note}`;
  return `${baselineLine(report)}${note}`;
}

function decisionCell(r: RegressionResult): string {
  return r.decision === 'fail' || r.decision === 'warn' ? `**${r.decision}**` : r.decision;
}

function regressionsPiece(report: RunReportV2, ctx: PublishContext): Piece {
  const rows = report.gate.regressions;
  const lines = ['### Regressions', '', baselineSentence(report, ctx), ''];
  if (rows.length === 0) {
    lines.push('No regression was compared.');
    return { lines };
  }
  // Those that decided something first: a reader looks for the failing rows.
  const rank = { fail: 0, warn: 1, 'too-few-samples': 2, 'no-data': 3, noise: 4, ok: 5 } as const;
  const ordered = [...rows].sort((a, b) => rank[a.decision] - rank[b.decision]);
  lines.push(
    table(
      [{ title: 'Metric' }, { title: 'Baseline', align: right }, { title: 'Current', align: right }, { title: 'Delta', align: right }, { title: 'Decision' }],
      ordered
        .slice(0, REGRESSIONS_SHOWN)
        .map((r) => [literal(r.metric, 80), formatMetricValue(r.metric, r.baseline), formatMetricValue(r.metric, r.current), formatDeltaPct(r.deltaPct), decisionCell(r)]),
    ),
  );
  if (rows.length > REGRESSIONS_SHOWN) lines.push('', `${plural(rows.length - REGRESSIONS_SHOWN, 'more comparison', 'more comparisons')} in report.md.`);
  return { lines };
}

function thresholdsPiece(report: RunReportV2): Piece {
  const rows = report.gate.thresholds;
  const lines = ['### Thresholds', ''];
  if (rows.length === 0) return { lines: [...lines, 'The scenario sets no threshold.'] };
  lines.push(
    table(
      [{ title: 'Check' }, { title: 'Level' }, { title: 'Actual', align: right }, { title: 'Result' }],
      rows.slice(0, THRESHOLDS_SHOWN).map((t) => [literal(t.source, 200), t.level, formatMetricValue(t.metric, t.actual), t.passed ? 'pass' : `**${t.level === 'error' ? 'FAIL' : 'WARN'}**`]),
    ),
  );
  if (rows.length > THRESHOLDS_SHOWN) lines.push('', `${plural(rows.length - THRESHOLDS_SHOWN, 'more threshold', 'more thresholds')} in report.md.`);
  return { lines };
}

function oraclePiece(report: RunReportV2): Piece {
  const o = report.oracle;
  const lines = ['### Correctness oracle', ''];
  if (o.invariants.length === 0) return { lines: [...lines, 'No invariant was checked.'] };
  lines.push(
    `${o.passed ? 'Passed' : 'Not passed'}: ${plural(o.violationCount, 'violation', 'violations')} in all.`,
    '',
    table(
      [{ title: 'Invariant' }, { title: 'Status' }, { title: 'Checked', align: right }, { title: 'Violations', align: right }, { title: 'Note' }],
      o.invariants
        .slice(0, INVARIANTS_SHOWN)
        .map((i) => [words(i.name, 100), i.status === 'fail' ? '**fail**' : i.status, formatCount(i.checked), formatCount(i.violationCount), words(i.note ?? '')]),
    ),
  );
  if (o.invariants.length > INVARIANTS_SHOWN) lines.push('', `${plural(o.invariants.length - INVARIANTS_SHOWN, 'more invariant', 'more invariants')} in report.md.`);
  return { lines };
}

function evidencePieces(report: RunReportV2, ctx: PublishContext): Piece[] {
  const failing = report.oracle.invariants.filter((i) => i.violationCount > 0 || i.violations.length > 0);
  // Later invariants' evidence goes first when space runs out; the first one's stays longest.
  return failing.slice(0, INVARIANTS_WITH_EVIDENCE).map((inv, n) => ({ lines: evidenceLines(inv, ctx), drop: 100 + n, label: `Evidence for ${clip(inv.name, 100)}` }));
}

function evidenceLines(inv: InvariantVerdict, ctx: PublishContext): string[] {
  const shown = inv.violations.slice(0, EVIDENCE_ROWS_SHOWN);
  const lines = [`#### ${words(inv.name, 100)}: ${plural(inv.violationCount, 'violation', 'violations')}`, ''];
  if (shown.length > 0) {
    lines.push(
      table(
        [{ title: '#', align: right }, { title: 'What' }, { title: 'Expected' }, { title: 'Actual' }, { title: 'Transaction' }, { title: 'Block', align: right }, { title: 'Account' }],
        shown.map((v, i) => [
          String(i + 1),
          words(v.description),
          words(v.expected),
          words(v.actual),
          evidenceRef(v.txHash, 'tx', ctx),
          words(v.blockNumber ?? '', 40),
          evidenceRef(v.account, 'address', ctx),
        ]),
      ),
    );
  }
  const more = inv.violationCount - shown.length;
  if (more > 0) lines.push('', `${plural(more, 'more violation', 'more violations')} not shown here: report.json and report.html in the artifact list up to 100.`);
  return lines;
}

function envelopePiece(report: RunReportV2): Piece {
  const e = report.envelope;
  const lines = ['### Capacity envelope', '', envelopeFiguresTable(e, (w) => words(w))];
  if (e.note !== undefined) lines.push('', words(e.note));
  return { lines, drop: 20, label: 'The capacity envelope' };
}

const KEY_PERCENTILES = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
  ['max', 'max'],
] as const;

function latencyPiece(report: RunReportV2): Piece {
  const load = loadSummary(report);
  const offered = load.offeredGasPerSec !== null ? ` of ${formatGasRate(load.offeredGasPerSec)} offered` : '';
  const share = load.achievedShare !== null ? ` (${formatRatio(load.achievedShare)})` : '';
  const errorRate = report.metrics['error_rate'];
  const columns: Column[] = [{ title: 'Latency (ms, corrected)' }, ...KEY_PERCENTILES.map(([, title]) => ({ title, align: right })), { title: 'Samples', align: right }];
  const rows = LATENCY_ROWS.map(([kind, label]) => {
    const s = report.latency[kind].corrected;
    return [label, ...KEY_PERCENTILES.map(([key]) => formatMs(s[key])), formatCount(s.count)];
  });
  return {
    lines: [
      '### Load and latency',
      '',
      `${formatGasRate(load.achievedGasPerSec)} achieved${offered}${share}; error rate ${formatMetricValue('error_rate', errorRate ?? null)}; ` +
        `${formatCount(report.totals.txIncluded)} of ${formatCount(report.totals.txSubmitted)} transactions included.`,
      '',
      table(columns, rows),
      '',
      'Timed from the instant the schedule intended each send, so a slow node cannot hide its backlog (no coordinated omission).',
    ],
    drop: 10,
    label: 'The latency table',
  };
}

function footerPiece(report: RunReportV2, ctx: PublishContext): Piece {
  const parts = [link('the workflow run', ctx.runUrl)];
  if (ctx.artifact !== undefined) parts.push(`artifact ${link(literal(ctx.artifact.name, 200), ctx.artifact.url)} (report.html, report.json, telemetry)`);
  const version = `GasHammer ${words(report.gashammer.version, 40)}, run ${literal(report.runId, 80)}`;
  return { lines: [`Details: ${parts.join(', ')}. ${version}.`] };
}

// ---------------------------------------------------------------------------------------------
// Fitting a text under a limit

function join(pieces: readonly Piece[]): string {
  return pieces.map((p) => p.lines.join('\n')).join('\n\n');
}

/**
 * The pieces joined, leaving out droppable ones (highest `drop` first, each replaced by a line
 * that says so) until the text fits; then, if it still does not, cut at a line boundary.
 */
function fit(pieces: readonly Piece[], fits: (text: string) => boolean): string {
  const current = [...pieces];
  let text = join(current);
  while (!fits(text)) {
    let worst = -1;
    for (let i = 0; i < current.length; i++) {
      const d = current[i]!.drop;
      if (d !== undefined && (worst < 0 || d > current[worst]!.drop!)) worst = i;
    }
    if (worst < 0) break;
    const label = current[worst]!.label ?? 'A section';
    current[worst] = { lines: [`_${escapeMarkdownText(label)} is left out here to stay within GitHub's size limit; report.md in the artifact has it._`] };
    text = join(current);
  }
  if (fits(text)) return text;
  const note = "\n\n_The rest is cut to stay within GitHub's size limit; report.md in the artifact has all of it._";
  const lines = text.split('\n');
  let kept = lines.length;
  // Halve towards the longest prefix that fits, then step line by line.
  while (kept > 0 && !fits(lines.slice(0, kept).join('\n') + note)) kept = kept > 64 ? Math.floor(kept / 2) : kept - 1;
  return lines.slice(0, kept).join('\n') + note;
}

const underChars = (max: number) => (text: string) => text.length < max;

// ---------------------------------------------------------------------------------------------
// The texts

function assertMarker(marker: string): void {
  if (!/^<!--[^\n]*-->$/.test(marker) || marker.slice(4, -3).includes('--')) {
    // A programming error, not a user's: the marker comes from github-api's commentMarker.
    throw new Error(`renderComment: the marker must be one HTML comment on one line, as commentMarker makes it: ${JSON.stringify(marker)}`);
  }
}

function commentPieces(report: RunReportV2, ctx: PublishContext): Piece[] {
  return [
    headPiece(report, ctx),
    reasonsPiece(report),
    regressionsPiece(report, ctx),
    oraclePiece(report),
    ...evidencePieces(report, ctx),
    envelopePiece(report),
    latencyPiece(report),
    footerPiece(report, ctx),
  ];
}

/**
 * The pull-request comment: the marker on the first line, the verdict on the next, then why,
 * the regressions against the baseline, the oracle with evidence, the capacity envelope, the
 * key percentiles and links to the run and its artifact. Under 65,536 characters. Everything
 * after the marker's line is renderJobSummary's text (without `commentNotPosted`), for a caller
 * that adds the marker itself.
 */
export function renderComment(report: RunReportV2, ctx: PublishContext, marker: string): string {
  assertMarker(marker);
  const body = fit(commentPieces(report, ctx), underChars(COMMENT_BODY_LIMIT - marker.length - 2));
  return `${marker}\n${body}\n`;
}

/** The job summary: the comment without the marker, saying so when the comment could not be posted. Under 1 MiB. */
export function renderJobSummary(report: RunReportV2, ctx: PublishContext): string {
  const pieces = commentPieces(report, ctx);
  if (ctx.commentNotPosted !== undefined) {
    pieces.splice(1, 0, { lines: [`> The pull-request comment could not be posted: ${words(ctx.commentNotPosted)}. These results are shown here instead.`] });
  }
  const fits = (text: string) => Buffer.byteLength(text, 'utf8') + 1 < JOB_SUMMARY_LIMIT_BYTES;
  return `${fit(pieces, fits)}\n`;
}

/** The check run's output: a short title, a summary (verdict and why) and a text with the tables. */
export function renderCheckOutput(report: RunReportV2, ctx: PublishContext): CheckOutput {
  const title = clip(`${VERDICT_WORDS[report.gate.verdict]}: ${tallyWords(report).join(', ')}`, 120);
  const summary = fit(
    [
      headPiece(report, ctx),
      reasonsPiece(report),
      { lines: ['### Baseline', '', baselineSentence(report, ctx)] },
      footerPiece(report, ctx),
    ],
    underChars(CHECK_OUTPUT_LIMIT),
  );
  const text = fit(
    [regressionsPiece(report, ctx), thresholdsPiece(report), oraclePiece(report), ...evidencePieces(report, ctx), envelopePiece(report), latencyPiece(report)],
    underChars(CHECK_OUTPUT_LIMIT),
  );
  return { title, summary, text };
}

// ---------------------------------------------------------------------------------------------
// Annotations

/** Finds where things are in the scenario file; every lookup falls back to line 1. */
class ScenarioLines {
  constructor(private readonly source: ScenarioSource | undefined) {}

  /** The line of the value at `path` (of its key when `atKey`), only if the whole path exists. */
  line(path: readonly PathSegment[], atKey = false): number | undefined {
    if (this.source === undefined || !this.source.document.hasIn(path)) return undefined;
    return locate(this.source, path, atKey)?.line;
  }

  /** Index of the first item in the list at `path` for which `match` holds. */
  indexIn(path: readonly PathSegment[], match: (item: unknown) => boolean): number | undefined {
    const list: unknown = this.source?.document.getIn(path);
    if (!isSeq(list)) return undefined;
    const i = (list.toJSON() as unknown[]).findIndex(match);
    return i < 0 ? undefined : i;
  }

  invariant(name: string): number {
    const i = this.indexIn(['oracle', 'invariants'], (item) => item === name);
    return (i !== undefined ? this.line(['oracle', 'invariants', i]) : undefined) ?? this.line(['oracle'], true) ?? 1;
  }

  threshold(t: ThresholdResult): number {
    const exact = this.indexIn(['gate', 'thresholds'], (item) => thresholdText(item)?.trim() === t.source);
    const byMetric = exact ?? this.indexIn(['gate', 'thresholds'], (item) => thresholdMetric(item) === t.metric);
    return (byMetric !== undefined ? this.line(['gate', 'thresholds', byMetric]) : undefined) ?? this.line(['gate'], true) ?? 1;
  }

  regression(metric: string): number {
    const rule = this.line(['gate', 'regression', 'metrics', metric], true);
    if (rule !== undefined) return rule;
    const threshold = this.indexIn(['gate', 'thresholds'], (item) => thresholdMetric(item) === metric);
    return (threshold !== undefined ? this.line(['gate', 'thresholds', threshold]) : undefined) ?? this.line(['gate', 'regression'], true) ?? this.line(['gate'], true) ?? 1;
  }
}

/** A threshold entry's text: the plain string form, or the mapping form's `check`. */
function thresholdText(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (item !== null && typeof item === 'object' && 'check' in item && typeof item.check === 'string') return item.check;
  return undefined;
}

function thresholdMetric(item: unknown): string | undefined {
  return /^\s*([A-Za-z0-9_]+)/.exec(thresholdText(item) ?? '')?.[1];
}

function sourceOf(scenario: ScenarioSource | string | null, path: string): ScenarioSource | undefined {
  if (scenario === null) return undefined;
  if (typeof scenario !== 'string') return scenario;
  const parsed = parseScenarioText(path, new TextEncoder().encode(scenario));
  return parsed.ok ? parsed.source : undefined;
}

/** Plain text for an annotation: GitHub shows it as it is, so it needs no escaping, only a length. */
function plainText(text: string, max: number): string {
  return clip(text.replace(/\r\n?/g, '\n'), max);
}

function violationMessage(inv: InvariantVerdict, v: Violation): string {
  const where = [v.txHash !== undefined ? `transaction ${v.txHash}` : '', v.blockNumber !== undefined ? `block ${v.blockNumber}` : '', v.account !== undefined ? `account ${v.account}` : '']
    .filter((s) => s !== '')
    .join(', ');
  return `${inv.name}: ${clip(v.description)}. Expected ${clip(v.expected)}, actual ${clip(v.actual)}.${where === '' ? '' : ` (${where})`}`;
}

function annotation(path: string, line: number, level: AnnotationLevel, title: string, message: string): CheckAnnotation {
  return {
    path,
    start_line: line,
    end_line: line,
    annotation_level: level,
    title: plainText(title, ANNOTATION_TITLE_MAX_CHARS),
    message: plainText(message, ANNOTATION_MESSAGE_MAX_CHARS),
  };
}

/**
 * Annotations on the scenario file: one `failure` per oracle violation listed in the report (and
 * one for those counted but not listed), at the `oracle.invariants` entry naming the invariant
 * (else `oracle`, else line 1); one per threshold not met and per regression that warns or
 * fails, `failure` or `warning` by level, at the scenario's `gate` entry for the metric (else
 * `gate`, else line 1). `scenario` is the file's text or its parsed source; null when unknown.
 * GitHub takes at most 50 per request: the caller sends them in batches.
 */
export function annotationsFor(report: RunReportV2, scenario: ScenarioSource | string | null, scenarioPath: string): CheckAnnotation[] {
  const lines = new ScenarioLines(sourceOf(scenario, scenarioPath));
  const out: CheckAnnotation[] = [];
  for (const inv of report.oracle.invariants) {
    const line = inv.violationCount > 0 || inv.violations.length > 0 ? lines.invariant(inv.name) : 0;
    for (const v of inv.violations) out.push(annotation(scenarioPath, line, 'failure', `Oracle violation: ${inv.name}`, violationMessage(inv, v)));
    const unlisted = inv.violationCount - inv.violations.length;
    if (unlisted > 0) {
      out.push(
        annotation(
          scenarioPath,
          line,
          'failure',
          `Oracle violations: ${inv.name}`,
          `${inv.name}: ${formatCount(unlisted)} more violation${unlisted === 1 ? '' : 's'} counted but not listed (the report keeps 100 per invariant).`,
        ),
      );
    }
  }
  for (const t of report.gate.thresholds) {
    if (t.passed) continue;
    const outcome = t.actual === null ? `could not be judged: the run has no value for ${t.metric}` : `not met: ${t.metric} is ${formatMetricValue(t.metric, t.actual)}`;
    out.push(annotation(scenarioPath, lines.threshold(t), t.level === 'error' ? 'failure' : 'warning', `Threshold not met: ${t.source}`, `Threshold '${t.source}' (${t.level}) ${outcome}.`));
  }
  for (const r of report.gate.regressions) {
    if (r.decision !== 'fail' && r.decision !== 'warn') continue;
    const figures = `baseline ${formatMetricValue(r.metric, r.baseline)}, this run ${formatMetricValue(r.metric, r.current)} (${formatDeltaPct(r.deltaPct)})`;
    out.push(annotation(scenarioPath, lines.regression(r.metric), r.decision === 'fail' ? 'failure' : 'warning', `Regression: ${r.metric}`, `${r.metric} ${r.why}: ${figures}.`));
  }
  return out;
}
