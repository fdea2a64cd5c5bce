// Live counts of a run, kept as telemetry arrives: per phase and per edge, the numbers GET
// /runs/{id} shows and the report starts from. They are sums over exactly the events written to
// Parquet, so the report can always be recomputed from the files and agree.

import type { TelemetryEvent } from '../telemetry/events.js';

export interface PhaseTally {
  txSubmitted: number;
  txAccepted: number;
  txIncluded: number;
  txReverted: number;
  txFailed: number;
  txTimeout: number;
  gasSubmitted: number;
  gasIncluded: number;
  sendsLate: number;
}

export interface EdgeTally {
  eventsReceived: number;
  /** The edge ring buffer's cumulative drop count, from its latest batch. */
  eventsDropped: number;
  txSubmitted: number;
  txIncluded: number;
}

function emptyPhase(): PhaseTally {
  return { txSubmitted: 0, txAccepted: 0, txIncluded: 0, txReverted: 0, txFailed: 0, txTimeout: 0, gasSubmitted: 0, gasIncluded: 0, sendsLate: 0 };
}

export class RunTally {
  readonly phases: PhaseTally[];
  private readonly edges = new Map<string, EdgeTally>();
  eventsReceived = 0;
  batchesReceived = 0;

  constructor(phaseCount: number) {
    this.phases = Array.from({ length: phaseCount }, emptyPhase);
  }

  edge(edgeId: string): EdgeTally {
    let t = this.edges.get(edgeId);
    if (!t) {
      t = { eventsReceived: 0, eventsDropped: 0, txSubmitted: 0, txIncluded: 0 };
      this.edges.set(edgeId, t);
    }
    return t;
  }

  /**
   * Adds one batch of one edge's events; `droppedTotal` is the edge's cumulative drop count.
   * Returns how many more events the edge dropped since its previous batch.
   */
  addBatch(edgeId: string, events: readonly TelemetryEvent[], droppedTotal: number): number {
    const edge = this.edge(edgeId);
    this.batchesReceived++;
    this.eventsReceived += events.length;
    edge.eventsReceived += events.length;
    const newlyDropped = Math.max(0, droppedTotal - edge.eventsDropped);
    edge.eventsDropped += newlyDropped;
    for (const e of events) {
      // Events of a phase index the plan does not have (a newer edge?) still count in totals.
      const phase = this.phases[e.phaseIndex];
      switch (e.kind) {
        case 'TxSubmitted':
          edge.txSubmitted++;
          if (phase) {
            phase.txSubmitted++;
            phase.gasSubmitted += Number(e.estimatedGas);
          }
          break;
        case 'TxAccepted':
          if (phase) phase.txAccepted++;
          break;
        case 'TxIncluded':
          edge.txIncluded++;
          if (phase) {
            phase.txIncluded++;
            if (!e.success) phase.txReverted++;
            phase.gasIncluded += Number(e.gasUsed);
          }
          break;
        case 'TxFailed':
          if (phase) phase.txFailed++;
          break;
        case 'TxTimeout':
          if (phase) phase.txTimeout++;
          break;
        case 'SendLate':
          if (phase) phase.sendsLate += e.count;
          break;
        default:
          break;
      }
    }
    return newlyDropped;
  }

  get eventsDropped(): number {
    let n = 0;
    for (const e of this.edges.values()) n += e.eventsDropped;
    return n;
  }

  totals(): PhaseTally {
    const t = emptyPhase();
    for (const p of this.phases) for (const k of Object.keys(t) as (keyof PhaseTally)[]) t[k] += p[k];
    return t;
  }
}
