// The edge's Prometheus metrics: what this edge submitted and saw confirmed, what it read from
// the feed, and what became of its telemetry (generated, shipped, dropped). The edge updates
// these handles; its Prometheus port serves the registry.

import { Counter, Registry } from 'prom-client';
import { collectProcessMetrics, createTransactionMetrics, METRIC_PREFIX, type MetricsOptions, type TransactionMetrics } from './definitions.js';

export interface EdgeMetrics extends TransactionMetrics {
  readonly registry: Registry;
  readonly eventsGenerated: Counter;
  readonly eventsShipped: Counter;
  readonly batchesShipped: Counter;
}

export function createEdgeMetrics(registry: Registry = new Registry(), options: MetricsOptions = {}): EdgeMetrics {
  const registers = [registry];
  if (options.processMetrics) collectProcessMetrics(registry);
  return {
    registry,
    ...createTransactionMetrics(registry, 'this edge'),
    eventsGenerated: new Counter({ name: `${METRIC_PREFIX}events_generated_total`, help: 'Telemetry events this edge created.', registers }),
    eventsShipped: new Counter({ name: `${METRIC_PREFIX}events_shipped_total`, help: 'Telemetry events this edge sent to the hive.', registers }),
    batchesShipped: new Counter({ name: `${METRIC_PREFIX}batches_shipped_total`, help: 'Telemetry batches this edge sent to the hive.', registers }),
  };
}
