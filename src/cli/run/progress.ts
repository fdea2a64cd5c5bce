// The line `gashammer run` prints once a second: phase, offered vs achieved gas/s over the last
// second, transactions in flight, and errors. On a terminal the line is redrawn in place; in CI
// logs each second gets its own plain line.

import type { RunView } from '../../hive/api.js';
import type { RunPlan } from '../../scenario/compile.js';

export function formatGasRate(gasPerSec: number): string {
  if (gasPerSec >= 1e6) return `${(gasPerSec / 1e6).toFixed(2)} Mgas/s`;
  if (gasPerSec >= 1e3) return `${(gasPerSec / 1e3).toFixed(1)} kgas/s`;
  return `${Math.round(gasPerSec)} gas/s`;
}

export class ProgressLine {
  private lastGas = 0;
  private lastAtMs: number | undefined;

  constructor(
    private readonly plan: RunPlan,
    private readonly startedAtMs: number,
  ) {}

  /** The line for `view` seen at `nowMs`. */
  render(view: RunView, nowMs: number): string {
    const c = view.counters;
    const dt = this.lastAtMs === undefined ? 0 : (nowMs - this.lastAtMs) / 1000;
    const achieved = dt > 0 ? (c.gasIncluded - this.lastGas) / dt : 0;
    this.lastGas = c.gasIncluded;
    this.lastAtMs = nowMs;
    const elapsed = Math.floor((nowMs - this.startedAtMs) / 1000);
    const phase = view.phase ? this.plan.phases[view.phase.index] : undefined;
    const where = phase && view.phase ? `phase ${view.phase.index + 1}/${view.phaseCount} ${phase.name}` : view.state.name;
    const inFlight = Math.max(0, c.txSubmitted - c.txIncluded - c.txFailed - c.txTimeout);
    const errors = c.txFailed + c.txTimeout;
    const offered = phase && view.state.name === 'running' ? `offered ${formatGasRate(phase.meanGasPerSec)}, ` : '';
    return `[${String(elapsed).padStart(4)}s] ${where}: ${offered}achieved ${formatGasRate(achieved)}, in flight ${inFlight}, included ${c.txIncluded}, errors ${errors}`;
  }
}
