// The edge's one way to produce telemetry: stamps each event with its header (run, edge, a
// per-edge sequence number, phase, monotonic and wall time from one clock reading) and pushes it
// into the ring buffer the shipper drains. It never blocks and never throws on a full buffer:
// the buffer drops the oldest event and counts it.

import type { Clock } from './clock.js';
import type { EventKind, EventPayload, TelemetryEvent } from './events.js';
import type { RingBuffer } from './ring-buffer.js';

export interface TelemetryRecorderOptions {
  readonly runId: string;
  readonly edgeId: string;
  readonly clock: Clock;
  readonly buffer: RingBuffer<TelemetryEvent>;
  /** Phase stamped on events until setPhase() is called; default 0. */
  readonly initialPhase?: number;
}

export type EventCounts = Readonly<Record<EventKind, number>>;

function zeroCounts(): Record<EventKind, number> {
  return {
    TxSubmitted: 0,
    TxAccepted: 0,
    TxIncluded: 0,
    TxFeedSeen: 0,
    TxFailed: 0,
    TxTimeout: 0,
    FeedConnected: 0,
    FeedDisconnected: 0,
    FeedGap: 0,
    FeedStall: 0,
    SendLate: 0,
    PhaseStarted: 0,
    PhaseEnded: 0,
    FaultInjected: 0,
    FaultCleared: 0,
  };
}

function checkPhase(index: number): number {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`phase index must be a non-negative integer, got ${index}`);
  return index;
}

export class TelemetryRecorder {
  readonly runId: string;
  readonly edgeId: string;
  private readonly clock: Clock;
  private readonly buffer: RingBuffer<TelemetryEvent>;
  private nextSeq = 0n;
  private phaseIndex: number;
  private readonly counts: Record<EventKind, number> = zeroCounts();

  constructor(options: TelemetryRecorderOptions) {
    if (options.runId === '') throw new RangeError('TelemetryRecorder: runId must not be empty');
    if (options.edgeId === '') throw new RangeError('TelemetryRecorder: edgeId must not be empty');
    this.runId = options.runId;
    this.edgeId = options.edgeId;
    this.clock = options.clock;
    this.buffer = options.buffer;
    this.phaseIndex = checkPhase(options.initialPhase ?? 0);
  }

  /**
   * Stamps and buffers one event; returns it (tests and local consumers may want it).
   * `phaseIndex` overrides the current phase, for events that belong to the phase a transaction
   * was sent in although they are observed after the phase changed.
   */
  record(payload: EventPayload, phaseIndex?: number): TelemetryEvent {
    const monoNs = this.clock.monoNs();
    const event: TelemetryEvent = {
      runId: this.runId,
      edgeId: this.edgeId,
      seq: this.nextSeq,
      phaseIndex: phaseIndex ?? this.phaseIndex,
      monoNs,
      // Derived from the same reading, so monoNs and wallNs describe one instant.
      wallNs: this.clock.wallOf(monoNs),
      ...payload,
    };
    this.nextSeq++;
    this.counts[payload.kind]++;
    this.buffer.push(event);
    return event;
  }

  setPhase(index: number): void {
    this.phaseIndex = checkPhase(index);
  }

  get phase(): number {
    return this.phaseIndex;
  }

  /** Events recorded so far (including any the buffer later dropped). */
  get recorded(): bigint {
    return this.nextSeq;
  }

  /** Events the buffer dropped because the shipper fell behind. */
  get dropped(): number {
    return this.buffer.dropped;
  }

  /** How many events of each kind were recorded. */
  countsByKind(): EventCounts {
    return { ...this.counts };
  }

  count(kind: EventKind): number {
    return this.counts[kind];
  }
}
