// Default values of optional scenario fields, in one place so docs/sdl.md and the code agree.

import type { Invariant, RegressionMetric, RegressionRule } from './types.js';

export const DEVNET_CHAIN_ID = 412_346;

export const SCENARIO_DEFAULTS = {
  target: 'devnet',
  seed: 0n,
  checkIntervalSecs: 10,
  invariants: ['balance-conservation', 'nonce-monotonicity', 'gas-accounting'] as readonly Invariant[],
  edgeCount: 1,
  accountsPerEdge: 100,
  /** Environment of a URL target that does not say. */
  remoteEnvironment: 'staging',
  /** Embedded and container devnets. */
  devnetEnvironment: 'devnet',
  allowedEnvironments: ['devnet'] as readonly string[],
  blockedEnvironments: ['production', 'mainnet'] as readonly string[],
  thresholdLevel: 'error',
  minSamples: 30,
  significance: 0.05,
  requireBaseline: false,
} as const;

/** Regression deltas in percent, in each metric's worse direction. */
export const REGRESSION_DEFAULTS: Readonly<Record<RegressionMetric, RegressionRule>> = {
  p50_inclusion_ms: { enabled: true, warnPct: 5, failPct: 10 },
  p99_inclusion_ms: { enabled: true, warnPct: 10, failPct: 20 },
  achieved_gas_per_sec: { enabled: true, warnPct: 5, failPct: 10 },
  // Any rise from an error rate of 0 also fails: see report/regression.
  error_rate: { enabled: true, warnPct: 25, failPct: 50 },
  safe_sustained_gas_per_sec: { enabled: true, warnPct: 5, failPct: 10 },
};
