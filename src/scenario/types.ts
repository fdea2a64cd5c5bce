// Typed scenario values: what the rest of GasHammer sees once a file has been parsed,
// validated and given its defaults. Nothing inside GasHammer reads raw YAML.

import type { AdapterName } from '../fault/adapter.js';
import type { GateLevel, ThresholdExpression } from '../gate/threshold.js';
import type { TemplateName, TemplateParams } from '../workload/template-catalog.js';
import type { FAULT_TARGETS, FAULT_TYPES, INVARIANTS, REGRESSION_METRICS } from './schema.js';

export type GasRate =
  | { readonly type: 'sustained'; readonly gasPerSec: number }
  | { readonly type: 'ramp'; readonly startGasPerSec: number; readonly endGasPerSec: number }
  | {
      readonly type: 'burst';
      readonly baselineGasPerSec: number;
      readonly peakGasPerSec: number;
      readonly burstDurationSecs: number;
      readonly intervalSecs: number;
    }
  | { readonly type: 'custom'; readonly points: readonly CustomRatePoint[] };

export interface CustomRatePoint {
  readonly atSecs: number;
  readonly gasPerSec: number;
}

export type Target =
  | { readonly kind: 'devnet'; readonly chainId: number; readonly environment: string }
  | { readonly kind: 'nitro-devnet'; readonly chainId: number; readonly environment: string }
  | {
      readonly kind: 'remote';
      readonly chainId: number;
      readonly sequencerRpc: string;
      readonly gatewayRpc?: string;
      readonly feedRelay?: string;
      readonly environment: string;
    };

export interface TemplateRef {
  /** As written; a known TemplateName once semantic checks pass. */
  readonly name: string;
  readonly weight: number;
  /** The template's defaults overlaid with the scenario's params. */
  readonly params: TemplateParams;
}

export interface Phase {
  readonly name: string;
  readonly durationSecs: number;
  readonly gasRateOverride?: GasRate;
}

export type Invariant = (typeof INVARIANTS)[number];
export type FaultType = (typeof FAULT_TYPES)[number];
export type FaultTarget = (typeof FAULT_TARGETS)[number];

export type EdgeSelector =
  | { readonly kind: 'all' }
  | { readonly kind: 'region'; readonly region: string }
  | { readonly kind: 'ids'; readonly ids: readonly number[] };

export interface FaultSpec {
  readonly type: FaultType;
  /** Given, or `<type>@<target>`. */
  readonly name: string;
  readonly target: FaultTarget;
  /** The adapter that injects it (the scenario's, or the default for the type). */
  readonly adapter: AdapterName;
  readonly durationSecs?: number;
  /** Type-specific parameters (latency_ms, loss_pct, ...), as validated by the schema. */
  readonly params: Readonly<Record<string, number | string>>;
}

export interface FaultRef {
  readonly name?: string;
  readonly type?: FaultType;
  readonly target?: FaultTarget;
}

interface FaultEventBase {
  readonly atSecs: number;
  readonly edges: EdgeSelector;
  readonly allowedEnvironments: readonly string[];
  readonly blockedEnvironments: readonly string[];
}

export type FaultEvent =
  | (FaultEventBase & { readonly action: 'inject'; readonly fault: FaultSpec })
  | (FaultEventBase & { readonly action: 'clear'; readonly ref: FaultRef });

export interface Threshold {
  readonly expression: ThresholdExpression;
  readonly level: GateLevel;
  /** The threshold as written, for reports. */
  readonly source: string;
}

export type RegressionMetric = (typeof REGRESSION_METRICS)[number];

export interface RegressionRule {
  readonly enabled: boolean;
  readonly warnPct: number;
  readonly failPct: number;
}

export interface RegressionPolicy {
  readonly minSamples: number;
  readonly significance: number;
  readonly requireBaseline: boolean;
  readonly metrics: Readonly<Record<RegressionMetric, RegressionRule>>;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  readonly target: Target;
  readonly workload: {
    readonly gasRate?: GasRate;
    /** 0 to 2^64-1. */
    readonly seed: bigint;
    readonly templates: readonly TemplateRef[];
  };
  readonly phases: readonly Phase[];
  readonly oracle: {
    readonly invariants: readonly Invariant[];
    readonly checkIntervalSecs: number;
  };
  readonly faultSchedule: readonly FaultEvent[];
  readonly edges: {
    readonly count: number;
    readonly accountsPerEdge: number;
    readonly regions: readonly string[];
  };
  readonly gate: {
    readonly thresholds: readonly Threshold[];
    readonly regression: RegressionPolicy;
  };
}

export type { TemplateName };
