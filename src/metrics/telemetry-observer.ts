// Turns telemetry events into the transaction metrics both processes export: the edge observes
// its own events as it ships them, the hive every edge's events as it stores them, so the two
// agree with each other and with Parquet. Latencies need the submission instant, so a
// transaction's sentNs is held from TxSubmitted until the transaction is included, failed or
// timed out: memory follows the transactions in flight, not the run's length.

import type { TelemetryEvent } from '../telemetry/events.js';
import type { TransactionMetrics } from './definitions.js';
import { txErrorClassLabel } from './labels.js';

const NS_PER_SEC = 1e9;

export class TelemetryMetricsObserver {
  /** sentNs of transactions in flight, by edge and hash (latencies are same-edge clock differences). */
  private readonly inFlight = new Map<string, bigint>();

  constructor(private readonly metrics: TransactionMetrics) {}

  observe(events: readonly TelemetryEvent[]): void {
    const m = this.metrics;
    for (const e of events) {
      switch (e.kind) {
        case 'TxSubmitted':
          m.txSubmitted.inc();
          m.gasSubmitted.inc(Number(e.estimatedGas));
          this.inFlight.set(e.edgeId + e.txHash, e.sentNs);
          break;
        case 'TxIncluded': {
          m.txConfirmed.inc();
          const key = e.edgeId + e.txHash;
          const sent = this.inFlight.get(key);
          if (sent !== undefined) {
            m.txLatency.observe(Number(e.seenNs - sent) / NS_PER_SEC);
            this.inFlight.delete(key);
          }
          break;
        }
        case 'TxFeedSeen': {
          m.feedMessages.inc();
          const sent = this.inFlight.get(e.edgeId + e.txHash);
          if (sent !== undefined) m.correlationLatency.observe(Number(e.seenNs - sent) / NS_PER_SEC);
          break;
        }
        case 'TxFailed':
          m.txFailed.inc({ error_class: txErrorClassLabel(e.errorClass) });
          if (e.txHash) this.inFlight.delete(e.edgeId + e.txHash);
          break;
        case 'TxTimeout':
          m.txFailed.inc({ error_class: 'timeout' });
          this.inFlight.delete(e.edgeId + e.txHash);
          break;
        default:
          break;
      }
    }
  }

  /** Forgets an edge's transactions in flight (it left the run). */
  forgetEdge(edgeId: string): void {
    for (const key of this.inFlight.keys()) if (key.startsWith(edgeId)) this.inFlight.delete(key);
  }

  get tracked(): number {
    return this.inFlight.size;
  }
}
