// The hive's Prometheus metrics: its edges and runs, the telemetry it receives, the transaction
// counts the edges report, and the oracle's checks. The hive updates these handles; GET /metrics
// and the Prometheus port serve the registry.

import { Counter, Gauge, Registry } from 'prom-client';
import { collectProcessMetrics, createTransactionMetrics, METRIC_PREFIX, type MetricsOptions, type TransactionMetrics } from './definitions.js';
import { FAULT_TYPE_LABELS, INVARIANT_LABELS, type BoundedCounter, type FaultTypeLabel, type InvariantLabel } from './labels.js';

export interface HiveMetrics extends TransactionMetrics {
  readonly registry: Registry;
  readonly edgesActive: Gauge;
  readonly runsActive: Gauge;
  readonly eventsReceived: Counter;
  readonly batchesReceived: Counter;
  readonly oracleChecks: BoundedCounter<'invariant', InvariantLabel>;
  readonly oracleViolations: BoundedCounter<'invariant', InvariantLabel>;
  /** Faults in force now, across runs. */
  readonly faultsActive: Gauge;
  readonly faultsInjected: BoundedCounter<'type', FaultTypeLabel>;
}

function invariantCounter(registry: Registry, name: string, help: string): Counter<'invariant'> {
  const counter = new Counter({ name: `${METRIC_PREFIX}${name}`, help, labelNames: ['invariant'] as const, registers: [registry] });
  for (const invariant of INVARIANT_LABELS) counter.inc({ invariant }, 0);
  return counter;
}

function faultCounter(registry: Registry): Counter<'type'> {
  const counter = new Counter({ name: `${METRIC_PREFIX}faults_injected_total`, help: 'Faults the hive injected, by fault type.', labelNames: ['type'] as const, registers: [registry] });
  for (const type of FAULT_TYPE_LABELS) counter.inc({ type }, 0);
  return counter;
}

export function createHiveMetrics(registry: Registry = new Registry(), options: MetricsOptions = {}): HiveMetrics {
  const registers = [registry];
  if (options.processMetrics) collectProcessMetrics(registry);
  return {
    registry,
    ...createTransactionMetrics(registry, 'all edges, from their telemetry'),
    edgesActive: new Gauge({ name: `${METRIC_PREFIX}edges_active`, help: 'Edges registered with the hive and not stale.', registers }),
    runsActive: new Gauge({ name: `${METRIC_PREFIX}runs_active`, help: 'Runs that have not ended (not done and not aborted).', registers }),
    eventsReceived: new Counter({ name: `${METRIC_PREFIX}events_received_total`, help: 'Telemetry events received from edges.', registers }),
    batchesReceived: new Counter({ name: `${METRIC_PREFIX}batches_received_total`, help: 'Telemetry batches received from edges.', registers }),
    oracleChecks: invariantCounter(registry, 'oracle_checks_total', 'Invariant checks the oracle performed, by invariant.'),
    oracleViolations: invariantCounter(registry, 'oracle_violations_total', 'Invariant violations the oracle found, by invariant.'),
    faultsActive: new Gauge({ name: `${METRIC_PREFIX}faults_active`, help: 'Faults the hive has in force now.', registers }),
    faultsInjected: faultCounter(registry),
  };
}
