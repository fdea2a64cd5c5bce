// How the report's figures read to a person, the same in report.md and report.html: gas rates in
// Mgas/s, latencies in ms, ratios in percent, counts with grouped digits, "-" for a figure the
// run has no value for; and the few figures both renderers derive for their headline.

import { metricInfo } from '../gate/metrics.js';
import type { GateReason, GateVerdict, LatencySet, LatencySummary, RunReportV2 } from './report-types.js';

/** Shown for null: the run had no samples for this figure (never zero). */
export const NO_VALUE = '-';

const present = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

function fixed(n: number, decimals: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function formatCount(n: number | null): string {
  return present(n) ? fixed(Math.round(n), 0) : NO_VALUE;
}

/** A gas rate as a number of Mgas/s, for a column whose title carries the unit. */
export function formatMgas(gasPerSec: number | null): string {
  if (!present(gasPerSec)) return NO_VALUE;
  const m = gasPerSec / 1e6;
  if (m === 0) return '0.00';
  if (Math.abs(m) >= 100) return fixed(m, 1);
  if (Math.abs(m) >= 0.01) return fixed(m, 2);
  return m.toPrecision(2);
}

/** A gas rate with its unit, in the multiple that reads best (kgas/s for a trickle). */
export function formatGasRate(gasPerSec: number | null): string {
  if (!present(gasPerSec)) return NO_VALUE;
  const a = Math.abs(gasPerSec);
  if (a >= 1e9) return `${fixed(gasPerSec / 1e9, 2)} Ggas/s`;
  if (a >= 1e6 || a === 0) return `${formatMgas(gasPerSec)} Mgas/s`;
  if (a >= 1e3) return `${fixed(gasPerSec / 1e3, 1)} kgas/s`;
  return `${fixed(gasPerSec, 0)} gas/s`;
}

/** Milliseconds as a number: whole above 100, then one and two decimals. */
export function formatMs(ms: number | null): string {
  if (!present(ms)) return NO_VALUE;
  const a = Math.abs(ms);
  return fixed(ms, a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

export function formatMsWithUnit(ms: number | null): string {
  return present(ms) ? `${formatMs(ms)} ms` : NO_VALUE;
}

/** A ratio (0 to 1) in percent; a tiny non-zero ratio keeps two significant digits. */
export function formatRatio(ratio: number | null): string {
  if (!present(ratio)) return NO_VALUE;
  const pct = ratio * 100;
  if (pct === 0) return '0%';
  if (Math.abs(pct) < 0.01) return `${pct.toPrecision(2)}%`;
  return `${fixed(pct, Math.abs(pct) >= 10 ? 1 : 2)}%`;
}

export function formatSecs(secs: number | null): string {
  if (!present(secs)) return NO_VALUE;
  return `${fixed(secs, Math.abs(secs) >= 100 || Number.isInteger(secs) ? 0 : 1)} s`;
}

/** A signed relative change: "+12.3%", "-4.0%". */
export function formatDeltaPct(pct: number | null): string {
  if (!present(pct)) return NO_VALUE;
  const text = fixed(Math.abs(pct), Math.abs(pct) >= 100 ? 0 : 1);
  return `${pct > 0 ? '+' : pct < 0 ? '-' : ''}${text}%`;
}

export function formatPValue(p: number | null): string {
  if (!present(p)) return NO_VALUE;
  return p < 0.001 ? '<0.001' : fixed(p, 3);
}

export function formatTxRate(txPerSec: number | null): string {
  if (!present(txPerSec)) return NO_VALUE;
  return fixed(txPerSec, Math.abs(txPerSec) >= 100 ? 0 : 1);
}

/** A gate metric's value with its unit, read from the metric catalogue. */
export function formatMetricValue(metric: string, value: number | null): string {
  if (!present(value)) return NO_VALUE;
  switch (metricInfo(metric)?.unit) {
    case 'ms':
      return formatMsWithUnit(value);
    case 'ratio':
      return formatRatio(value);
    case 'gas/s':
      return formatGasRate(value);
    case 'tx/s':
      return `${formatTxRate(value)} tx/s`;
    case 's':
      return formatSecs(value);
    case 'count':
      return formatCount(value);
    default:
      // Not in the catalogue (a newer report read by an older renderer): the plain number.
      return String(value);
  }
}

export const VERDICT_WORDS: Readonly<Record<GateVerdict, string>> = {
  pass: 'PASS',
  warn: 'WARN',
  fail: 'FAIL',
  inconclusive: 'INCONCLUSIVE',
};

export const REASON_WORDS: Readonly<Record<GateReason['level'], string>> = {
  fail: 'FAIL',
  warn: 'WARN',
  inconclusive: 'INCONCLUSIVE',
  info: 'INFO',
};

/** The four latencies in the order a reader follows a transaction. */
export const LATENCY_ROWS: readonly (readonly [keyof LatencySet, string])[] = [
  ['submission', 'Submission'],
  ['acceptance', 'Acceptance'],
  ['inclusion', 'Inclusion'],
  ['feedInclusion', 'Feed inclusion'],
];

export const PERCENTILE_COLUMNS: readonly (readonly [keyof LatencySummary, string])[] = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p95', 'p95'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
  ['max', 'max'],
  ['mean', 'mean'],
];

export interface LoadSummary {
  /** Mean offered compute gas/s over the phases that offered load; null when none did. */
  readonly offeredGasPerSec: number | null;
  readonly achievedGasPerSec: number | null;
  /** achieved over offered. */
  readonly achievedShare: number | null;
}

/**
 * Offered and achieved gas/s over the loaded phases, weighted by their durations. The achieved
 * figure is the gate's own metric when the report has it, so headline and gate agree.
 */
export function loadSummary(report: RunReportV2): LoadSummary {
  const loaded = report.phases.filter((p) => p.offeredGasPerSec > 0 && p.durationSecs > 0);
  const secs = loaded.reduce((s, p) => s + p.durationSecs, 0);
  if (secs === 0) return { offeredGasPerSec: null, achievedGasPerSec: report.metrics['achieved_gas_per_sec'] ?? null, achievedShare: null };
  const offered = loaded.reduce((s, p) => s + p.offeredGasPerSec * p.durationSecs, 0) / secs;
  const metric = report.metrics['achieved_gas_per_sec'];
  const achieved = present(metric) ? metric : loaded.reduce((s, p) => s + p.gasIncluded, 0) / secs;
  return { offeredGasPerSec: offered, achievedGasPerSec: achieved, achievedShare: offered > 0 ? achieved / offered : null };
}

export interface PhaseStart {
  readonly index: number;
  readonly name: string;
  /** Seconds since the first phase began. */
  readonly at: number;
}

/** Where each phase after the first begins in the per-second series (phases with no sample are left out). */
export function phaseStarts(report: RunReportV2): PhaseStart[] {
  const starts: PhaseStart[] = [];
  for (const phase of report.phases) {
    if (phase.index === 0) continue;
    const first = report.series.find((s) => s.phaseIndex === phase.index);
    if (first !== undefined) starts.push({ index: phase.index, name: phase.name, at: first.t });
  }
  return starts;
}

/** How many gate reasons there are of each level. */
export function reasonCounts(reasons: readonly GateReason[]): Readonly<Record<GateReason['level'], number>> {
  const counts = { fail: 0, warn: 0, inconclusive: 0, info: 0 };
  for (const r of reasons) counts[r.level]++;
  return counts;
}

/** "3 failing checks", "1 warning": the words for a count of reasons at one level. */
export function reasonCountWords(reasons: readonly GateReason[]): string[] {
  const c = reasonCounts(reasons);
  const words: string[] = [];
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (c.fail > 0) words.push(plural(c.fail, 'failing check', 'failing checks'));
  if (c.inconclusive > 0) words.push(plural(c.inconclusive, 'reason it is inconclusive', 'reasons it is inconclusive'));
  if (c.warn > 0) words.push(plural(c.warn, 'warning', 'warnings'));
  return words;
}

/** Share of a count in a total, as a ratio; null when the total is zero. */
export function shareOf(count: number, total: number): number | null {
  return total > 0 ? count / total : null;
}
