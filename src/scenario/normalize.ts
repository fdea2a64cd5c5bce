// Turns a schema-valid raw scenario (snake_case, optional fields absent) into a typed
// Scenario with every default applied. It trusts the schema: call it only after
// validateSchema returned no errors.

import type { TemplateParams } from '../workload/template-catalog.js';
import { isTemplateName, TEMPLATE_CATALOG } from '../workload/template-catalog.js';
import { defaultAdapter, type AdapterName } from '../fault/adapter.js';
import { DEVNET_CHAIN_ID, REGRESSION_DEFAULTS, SCENARIO_DEFAULTS } from './defaults.js';
import { REGRESSION_METRICS } from './schema.js';
import type {
  EdgeSelector,
  FaultEvent,
  FaultRef,
  FaultSpec,
  FaultTarget,
  FaultType,
  GasRate,
  Invariant,
  RegressionMetric,
  RegressionRule,
  Scenario,
  Target,
  TemplateRef,
  Threshold,
} from './types.js';

type Raw = Record<string, any>;

function bigintOf(v: unknown): bigint | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'bigint' ? v : BigInt(v as number | string);
}

export function normalizeGasRate(raw: Raw): GasRate {
  switch (raw.type as GasRate['type']) {
    case 'sustained':
      return { type: 'sustained', gasPerSec: raw.gas_per_sec };
    case 'ramp':
      return { type: 'ramp', startGasPerSec: raw.start_gas_per_sec, endGasPerSec: raw.end_gas_per_sec };
    case 'burst':
      return {
        type: 'burst',
        baselineGasPerSec: raw.baseline_gas_per_sec,
        peakGasPerSec: raw.peak_gas_per_sec,
        burstDurationSecs: raw.burst_duration_secs,
        intervalSecs: raw.interval_secs,
      };
    case 'custom':
      return {
        type: 'custom',
        points: (raw.points as Raw[]).map((p) => ({ atSecs: p.at_secs, gasPerSec: p.gas_per_sec })),
      };
  }
}

function normalizeTarget(raw: unknown): Target {
  if (raw === undefined || raw === 'devnet') {
    return { kind: 'devnet', chainId: DEVNET_CHAIN_ID, environment: SCENARIO_DEFAULTS.devnetEnvironment };
  }
  if (raw === 'nitro-devnet') {
    return { kind: 'nitro-devnet', chainId: DEVNET_CHAIN_ID, environment: SCENARIO_DEFAULTS.devnetEnvironment };
  }
  const t = raw as Raw;
  return {
    kind: 'remote',
    chainId: t.chain_id,
    sequencerRpc: t.sequencer_rpc,
    ...(t.gateway_rpc === undefined ? {} : { gatewayRpc: t.gateway_rpc }),
    ...(t.feed_relay === undefined ? {} : { feedRelay: t.feed_relay }),
    environment: t.environment ?? SCENARIO_DEFAULTS.remoteEnvironment,
  };
}

function normalizeTemplate(raw: Raw): TemplateRef {
  const name = raw.name as string;
  const given = (raw.params ?? {}) as Raw;
  const params: Record<string, unknown> = { ...(isTemplateName(name) ? TEMPLATE_CATALOG[name].defaults : {}) };
  for (const [key, value] of Object.entries(given)) {
    params[key] = key === 'value_wei' || key === 'amount' ? bigintOf(value) : value;
  }
  return { name, weight: raw.weight, params: params as TemplateParams };
}

function normalizeEdges(raw: unknown): EdgeSelector {
  if (raw === undefined || raw === 'all') return { kind: 'all' };
  const r = raw as Raw;
  if (r.region !== undefined) return { kind: 'region', region: r.region };
  return { kind: 'ids', ids: r.ids };
}

/** `latency-sequencer-rpc`: a valid label, so a clear can name an unnamed fault. */
export function defaultFaultName(type: FaultType, target: FaultTarget): string {
  return `${type}-${target}`;
}

const FAULT_COMMON_FIELDS = new Set(['type', 'name', 'target', 'adapter', 'duration_secs']);

function normalizeFaultSpec(raw: Raw): FaultSpec {
  const params: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(raw)) if (!FAULT_COMMON_FIELDS.has(k)) params[k] = v as number | string;
  return {
    type: raw.type as FaultType,
    name: (raw.name as string | undefined) ?? defaultFaultName(raw.type as FaultType, raw.target as FaultTarget),
    target: raw.target as FaultTarget,
    adapter: (raw.adapter as AdapterName | undefined) ?? defaultAdapter(raw.type as FaultType),
    ...(raw.duration_secs === undefined ? {} : { durationSecs: raw.duration_secs }),
    params,
  };
}

function normalizeFaultEvent(raw: Raw): FaultEvent {
  const base = {
    atSecs: raw.at_secs as number,
    edges: normalizeEdges(raw.edges),
    allowedEnvironments: (raw.allowed_environments as string[] | undefined) ?? SCENARIO_DEFAULTS.allowedEnvironments,
    blockedEnvironments: (raw.blocked_environments as string[] | undefined) ?? SCENARIO_DEFAULTS.blockedEnvironments,
  };
  if (raw.action === 'inject') return { ...base, action: 'inject', fault: normalizeFaultSpec(raw.fault) };
  const f = raw.fault as Raw;
  const ref: FaultRef = {
    ...(f.name === undefined ? {} : { name: f.name }),
    ...(f.type === undefined ? {} : { type: f.type }),
    ...(f.target === undefined ? {} : { target: f.target }),
  };
  return { ...base, action: 'clear', ref };
}

function normalizeRegression(raw: Raw | undefined): Scenario['gate']['regression'] {
  const metrics = {} as Record<RegressionMetric, RegressionRule>;
  for (const m of REGRESSION_METRICS) {
    const given = (raw?.metrics?.[m] ?? {}) as Raw;
    const d = REGRESSION_DEFAULTS[m];
    metrics[m] = {
      enabled: given.enabled ?? d.enabled,
      warnPct: given.warn_pct ?? d.warnPct,
      failPct: given.fail_pct ?? d.failPct,
    };
  }
  return {
    minSamples: raw?.min_samples ?? SCENARIO_DEFAULTS.minSamples,
    significance: raw?.significance ?? SCENARIO_DEFAULTS.significance,
    requireBaseline: raw?.require_baseline ?? SCENARIO_DEFAULTS.requireBaseline,
    metrics,
  };
}

/** `thresholds` come from parseThresholds, which also reports their errors. */
export function normalizeScenario(raw: Raw, thresholds: readonly Threshold[]): Scenario {
  const workload = raw.workload as Raw;
  return {
    name: raw.name,
    description: raw.description,
    version: raw.version,
    target: normalizeTarget(raw.target),
    workload: {
      ...(workload.gas_rate === undefined ? {} : { gasRate: normalizeGasRate(workload.gas_rate) }),
      seed: bigintOf(workload.seed) ?? SCENARIO_DEFAULTS.seed,
      templates: (workload.templates as Raw[]).map(normalizeTemplate),
    },
    phases: (raw.phases as Raw[]).map((p) => ({
      name: p.name,
      durationSecs: p.duration_secs,
      ...(p.gas_rate_override === undefined ? {} : { gasRateOverride: normalizeGasRate(p.gas_rate_override) }),
    })),
    oracle: {
      invariants: (raw.oracle?.invariants as Invariant[] | undefined) ?? SCENARIO_DEFAULTS.invariants,
      checkIntervalSecs: raw.oracle?.check_interval_secs ?? SCENARIO_DEFAULTS.checkIntervalSecs,
    },
    faultSchedule: ((raw.fault_schedule ?? []) as Raw[]).map(normalizeFaultEvent),
    edges: {
      count: raw.edges?.count ?? SCENARIO_DEFAULTS.edgeCount,
      accountsPerEdge: raw.edges?.accounts_per_edge ?? SCENARIO_DEFAULTS.accountsPerEdge,
      regions: raw.edges?.regions ?? [],
    },
    gate: { thresholds: [...thresholds], regression: normalizeRegression(raw.gate?.regression) },
  };
}
