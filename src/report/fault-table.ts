// The fault windows table as report.md and report.html both print it: its columns, a row's
// cells as plain text (each renderer escapes them its own way), a window's span and the legend.

import { RECOVERY_HOLD_SECS, RECOVERY_LATENCY_FLOOR_MS, RECOVERY_LATENCY_TOLERANCE, SPAN_SECS } from './fault-windows.js';
import { formatMs, formatRatio, formatSecs } from './report-figures.js';
import type { FaultWindow } from './report-types.js';

export interface FaultTableColumn {
  readonly title: string;
  readonly numeric: boolean;
}

export const FAULT_TABLE_COLUMNS: readonly FaultTableColumn[] = [
  { title: 'Fault', numeric: false },
  { title: 'Type', numeric: false },
  { title: 'Adapter', numeric: false },
  { title: 'Window (s)', numeric: false },
  { title: 'p50 acc. before (ms)', numeric: true },
  { title: 'p50 acc. during (ms)', numeric: true },
  { title: 'p50 acc. after (ms)', numeric: true },
  { title: 'Errors before', numeric: true },
  { title: 'Errors during', numeric: true },
  { title: 'Errors after', numeric: true },
  { title: 'Recovery', numeric: true },
];

/** One window's cells, in FAULT_TABLE_COLUMNS order, unescaped. */
export function faultTableRow(w: FaultWindow): string[] {
  return [
    w.name,
    w.type,
    w.adapter,
    faultWindowSpan(w),
    formatMs(w.before.p50AcceptanceMs),
    formatMs(w.during.p50AcceptanceMs),
    formatMs(w.after.p50AcceptanceMs),
    formatRatio(w.before.errorRate),
    formatRatio(w.during.errorRate),
    formatRatio(w.after.errorRate),
    formatSecs(w.recoverySecs),
  ];
}

/** A fault window's seconds on the run's clock: "12.0–42.0", or "12.0–open" when never cleared. */
export function faultWindowSpan(w: FaultWindow): string {
  return `${w.injectedAtSecs.toFixed(1)}–${w.clearedAtSecs === null ? 'open' : w.clearedAtSecs.toFixed(1)}`;
}

/** What the table's spans and recovery are, in one paragraph (docs/report.md has the detail). */
export function faultLegend(): string {
  return (
    `Per fault window: p50 acceptance latency (corrected) and error rate in the ${SPAN_SECS} s before the inject (outside other faults), during the fault, ` +
    `and in the ${SPAN_SECS} s after the clear (up to the next inject); recovery is the seconds from the clear until both were back at the before level ` +
    `(latency within ${Math.round(RECOVERY_LATENCY_TOLERANCE * 100)}% or ${RECOVERY_LATENCY_FLOOR_MS} ms) for ${RECOVERY_HOLD_SECS} seconds in a row. ` +
    'Seconds count from the start of the first phase.'
  );
}
