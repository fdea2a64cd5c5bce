// Ships an edge's telemetry to the hive: drains the ring buffer into batches and sends them on
// the StreamTelemetry stream, keeping at most `window` batches unacknowledged. The window is the
// backpressure: while the hive is slow, events wait in the ring buffer (which drops the oldest
// and counts them when full) instead of piling up in socket buffers. The hot path never waits on
// this: the shipper runs from its own timer and from acks.

import type { TelemetryAck, TelemetryBatch } from '../proto/gashammer/v1/telemetry.js';
import type { TelemetryEvent } from '../telemetry/events.js';
import type { RingBuffer } from '../telemetry/ring-buffer.js';
import { toWireEvent } from '../telemetry/wire.js';

/** The two ends of a StreamTelemetry call, as the shipper needs them. */
export interface TelemetryStream {
  write(batch: TelemetryBatch): void;
  onAck(listener: (ack: TelemetryAck) => void): void;
  /** Called once when the stream fails or the hive ends it. */
  onClose(listener: (error: Error | undefined) => void): void;
  end(): void;
}

export interface TelemetryShipperOptions {
  readonly runId: string;
  readonly edgeId: string;
  readonly buffer: RingBuffer<TelemetryEvent>;
  readonly stream: TelemetryStream;
  readonly batchSize: number;
  readonly window: number;
  readonly flushIntervalMs: number;
  /** Sees each batch as it is sent, and how many events the ring buffer dropped since the last. */
  readonly onSend?: (events: readonly TelemetryEvent[], newlyDropped: number) => void;
  /** Hears each acknowledged batch's event count. */
  readonly onAck?: (events: number) => void;
}

export interface ShipperStats {
  readonly batchesSent: number;
  readonly batchesAcked: number;
  /** Events the hive acknowledged. */
  readonly eventsShipped: number;
  /** Events sent but never acknowledged because the stream broke. */
  readonly eventsLost: number;
}

export class TelemetryShipper {
  private nextBatchSeq = 0n;
  /** Event counts of batches sent and not yet acknowledged, by batch sequence number. */
  private readonly unacked = new Map<bigint, number>();
  private batchesAcked = 0;
  private eventsShipped = 0;
  private eventsLost = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed: Error | 'ended' | undefined;
  private waiters: (() => void)[] = [];
  private droppedSeen = 0;

  constructor(private readonly options: TelemetryShipperOptions) {
    if (options.batchSize < 1 || options.window < 1) throw new RangeError('TelemetryShipper: batchSize and window must be at least 1');
    options.stream.onAck((ack) => this.acked(ack));
    options.stream.onClose((error) => this.streamClosed(error));
  }

  start(): void {
    this.timer ??= setInterval(() => this.pump(), this.options.flushIntervalMs);
  }

  /** Sends as many full or partial batches as the window allows. */
  pump(): void {
    const { buffer, batchSize, window } = this.options;
    while (this.closed === undefined && this.unacked.size < window && buffer.size > 0) {
      const events = buffer.drain(batchSize);
      this.options.onSend?.(events, buffer.dropped - this.droppedSeen);
      this.droppedSeen = buffer.dropped;
      const batchSeq = this.nextBatchSeq++;
      this.unacked.set(batchSeq, events.length);
      this.options.stream.write({
        runId: this.options.runId,
        edgeId: this.options.edgeId,
        batchSeq,
        events: events.map(toWireEvent),
        droppedTotal: BigInt(buffer.dropped),
      });
    }
    this.wake();
  }

  /**
   * Ships everything buffered and waits until the hive acknowledged it all, or `timeoutMs`
   * passed, or the stream broke; returns whether everything was acknowledged.
   */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.pump();
      // Drained also after a broken stream cleared its unacknowledged batches: those were lost.
      if (this.drained()) return this.eventsLost === 0;
      if (this.closed !== undefined) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Stops the timer and ends the stream; events still buffered stay in the ring buffer. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.closed === undefined) {
      this.closed = 'ended';
      this.options.stream.end();
    }
    this.wake();
  }

  get stats(): ShipperStats {
    return { batchesSent: Number(this.nextBatchSeq), batchesAcked: this.batchesAcked, eventsShipped: this.eventsShipped, eventsLost: this.eventsLost };
  }

  /** The error that broke the stream, if one did. */
  get failure(): Error | undefined {
    return this.closed instanceof Error ? this.closed : undefined;
  }

  private drained(): boolean {
    return this.unacked.size === 0 && this.options.buffer.size === 0;
  }

  private acked(ack: TelemetryAck): void {
    const count = this.unacked.get(ack.batchSeq);
    if (count === undefined) return;
    this.unacked.delete(ack.batchSeq);
    this.batchesAcked++;
    this.eventsShipped += count;
    this.options.onAck?.(count);
    this.pump();
  }

  private streamClosed(error: Error | undefined): void {
    if (this.closed === undefined) this.closed = error ?? new Error('the hive ended the telemetry stream');
    for (const count of this.unacked.values()) this.eventsLost += count;
    this.unacked.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
