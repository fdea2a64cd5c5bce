// What the hive and the edge measure alike: names, help texts, buckets and label lists of the
// transaction, feed and telemetry-loss metrics, defined once so the two processes cannot drift
// apart in what a name means. Each process module picks the ones it exposes.

import { collectDefaultMetrics, Counter, Histogram, type Registry } from 'prom-client';
import { TX_ERROR_CLASS_LABELS, type BoundedCounter, type TxErrorClassLabel } from './labels.js';

export const METRIC_PREFIX = 'gashammer_';

/**
 * Submission to receipt on a rollup takes a block time (0.25 s on Nitro) to tens of seconds
 * under load; past 60 s the transaction counts as timed out anyway.
 */
export const TX_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60] as const;

/** Submission to appearance in the sequencer feed: usually well under a second. */
export const CORRELATION_LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30] as const;

export interface MetricsOptions {
  /** Also export prom-client's process and Node.js metrics (gashammer_process_*, gashammer_nodejs_*). Default false. */
  readonly processMetrics?: boolean;
}

export interface TransactionMetrics {
  readonly txSubmitted: Counter;
  readonly txConfirmed: Counter;
  readonly txFailed: BoundedCounter<'error_class', TxErrorClassLabel>;
  readonly txLatency: Histogram;
  readonly gasSubmitted: Counter;
  readonly feedMessages: Counter;
  readonly correlationLatency: Histogram;
  readonly eventsDropped: Counter;
}

/** `scope` ends each help text, saying whose transactions are counted. */
export function createTransactionMetrics(registry: Registry, scope: string): TransactionMetrics {
  const registers = [registry];
  const txFailed = new Counter({
    name: `${METRIC_PREFIX}tx_failed_total`,
    help: `Transactions that failed at submission or while tracked, by RPC error class (${scope}).`,
    labelNames: ['error_class'] as const,
    registers,
  });
  // Every class starts at zero, so rate() and ratios work before the first failure.
  for (const errorClass of TX_ERROR_CLASS_LABELS) txFailed.inc({ error_class: errorClass }, 0);
  return {
    txSubmitted: new Counter({ name: `${METRIC_PREFIX}tx_submitted_total`, help: `Transactions submitted to the sequencer (${scope}).`, registers }),
    txConfirmed: new Counter({ name: `${METRIC_PREFIX}tx_confirmed_total`, help: `Transactions with a receipt (included) (${scope}).`, registers }),
    txFailed,
    txLatency: new Histogram({
      name: `${METRIC_PREFIX}tx_latency_seconds`,
      help: `Time from submission to receipt of included transactions, in seconds (${scope}).`,
      buckets: [...TX_LATENCY_BUCKETS],
      registers,
    }),
    gasSubmitted: new Counter({ name: `${METRIC_PREFIX}gas_submitted_total`, help: `Gas the submitted transactions were scheduled to use (${scope}).`, registers }),
    feedMessages: new Counter({ name: `${METRIC_PREFIX}feed_messages_total`, help: `Sequencer feed messages received (${scope}).`, registers }),
    correlationLatency: new Histogram({
      name: `${METRIC_PREFIX}correlation_latency_seconds`,
      help: `Time from submission to the transaction's appearance in the sequencer feed, in seconds (${scope}).`,
      buckets: [...CORRELATION_LATENCY_BUCKETS],
      registers,
    }),
    eventsDropped: new Counter({
      name: `${METRIC_PREFIX}events_dropped_total`,
      help: `Telemetry events an edge's ring buffer dropped before shipping them (${scope}).`,
      registers,
    }),
  };
}

/** prom-client's process and Node.js metrics, under the GasHammer prefix. */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
}
