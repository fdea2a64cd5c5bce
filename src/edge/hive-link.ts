// The edge's connection to its hive: registration, heartbeats, the control stream and telemetry
// streams, over one gRPC channel. It speaks the protocol and nothing else; what the edge does
// with a command lives in hive-session.ts.

import { cpus } from 'node:os';
import { credentials, Metadata, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { PROTOCOL_REVISION } from '../hive/grpc-server.js';
import { HiveEdgeClient, type ControlMessage, type EdgeReport, type RegisterEdgeResponse } from '../proto/gashammer/v1/hive_edge.js';
import type { TelemetryAck, TelemetryBatch } from '../proto/gashammer/v1/telemetry.js';
import { EdgeStatus } from '../proto/gashammer/v1/types.js';
import { buildInfo } from '../util/build-info.js';
import { signerBackend } from './signer.js';
import type { TelemetryStream } from './telemetry-shipper.js';

export interface HiveLinkOptions {
  /** host:port of the hive's gRPC server. */
  readonly address: string;
  readonly name: string;
  /** How long to keep trying to reach the hive before giving up. */
  readonly connectTimeoutMs: number;
}

export interface HiveSettings {
  readonly heartbeatIntervalMs: number;
  readonly telemetryBatchSize: number;
  readonly telemetryWindow: number;
}

export type EdgeStatusName = 'idle' | 'running' | 'draining';

const STATUS: Record<EdgeStatusName, EdgeStatus> = {
  idle: EdgeStatus.EDGE_STATUS_IDLE,
  running: EdgeStatus.EDGE_STATUS_RUNNING,
  draining: EdgeStatus.EDGE_STATUS_DRAINING,
};

export interface ControlHandlers {
  onCommand(message: ControlMessage): void;
  /** The stream ended or failed: the hive is gone or dropped this edge. */
  onClose(reason: string): void;
}

export interface ControlSender {
  send(report: EdgeReport): void;
  close(): void;
}

function registrationError(address: string, error: ServiceError | Error): GasHammerError {
  const code = 'code' in error && typeof error.code === 'number' ? ` (gRPC ${grpcStatus[error.code] ?? error.code})` : '';
  const details = 'details' in error && typeof error.details === 'string' && error.details !== '' ? error.details : error.message;
  return new GasHammerError(ErrorCodes.EdgeRegistration, `could not register with the hive at ${address}${code}: ${details}`);
}

export class HiveLink {
  private heartbeatTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly client: HiveEdgeClient,
    readonly address: string,
    readonly edgeId: string,
    readonly settings: HiveSettings,
  ) {}

  /** Connects and registers; throws GH-E200 if the hive cannot be reached in time or refuses. */
  static async register(options: HiveLinkOptions): Promise<HiveLink> {
    const client = new HiveEdgeClient(options.address, credentials.createInsecure(), {
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      'grpc.keepalive_time_ms': 10_000,
    });
    const deadline = new Date(Date.now() + options.connectTimeoutMs);
    try {
      await new Promise<void>((resolve, reject) => client.waitForReady(deadline, (error) => (error ? reject(error) : resolve())));
    } catch (error) {
      client.close();
      throw registrationError(options.address, error instanceof Error ? error : new Error(String(error)));
    }
    const info = buildInfo();
    const response = await new Promise<RegisterEdgeResponse>((resolve, reject) =>
      client.registerEdge(
        {
          name: options.name,
          capabilities: { version: info.version, build: info.buildSha, nodeVersion: process.versions.node, cpus: cpus().length, nativeSigner: signerBackend() === 'native', protocol: PROTOCOL_REVISION },
        },
        new Metadata(),
        { deadline },
        (error, r) => (error ? reject(registrationError(options.address, error)) : resolve(r)),
      ),
    ).catch((error: unknown) => {
      client.close();
      throw error;
    });
    const edgeId = response.edgeId?.value;
    if (!edgeId) {
      client.close();
      throw registrationError(options.address, new Error('the hive answered without an edge id'));
    }
    return new HiveLink(client, options.address, edgeId, {
      heartbeatIntervalMs: response.heartbeatIntervalMs || 1_000,
      telemetryBatchSize: response.telemetryBatchSize || 1_000,
      telemetryWindow: response.telemetryWindow || 8,
    });
  }

  /** Heartbeats every interval; calls `onForgotten` if the hive no longer knows this edge. */
  startHeartbeat(current: () => { status: EdgeStatusName; runId: string | undefined }, onForgotten: () => void): void {
    this.stopHeartbeat();
    const beat = () => {
      const { status, runId } = current();
      this.client.heartbeat(
        { edgeId: { value: this.edgeId }, status: STATUS[status], runId: runId ? { value: runId } : undefined },
        new Metadata(),
        { deadline: new Date(Date.now() + this.settings.heartbeatIntervalMs * 3) },
        (error, response) => {
          // A missed beat is not fatal: the hive's timeout spans several of them.
          if (!error && !response.known) onForgotten();
        },
      );
    };
    this.heartbeatTimer = setInterval(beat, this.settings.heartbeatIntervalMs);
    beat();
  }

  stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** Opens the control stream and says hello; commands arrive through `handlers`. */
  openControl(handlers: ControlHandlers): ControlSender {
    const call = this.client.controlStream();
    let closed = false;
    const close = (reason: string) => {
      if (closed) return;
      closed = true;
      handlers.onClose(reason);
    };
    call.on('data', (message: ControlMessage) => handlers.onCommand(message));
    call.on('error', (error: ServiceError) => close(`control stream failed: ${error.details || error.message}`));
    call.on('end', () => close('the hive ended the control stream'));
    call.write({ report: { $case: 'hello', value: { edgeId: { value: this.edgeId } } } });
    return {
      send: (report) => {
        if (!closed) call.write(report);
      },
      close: () => {
        if (!closed) call.end();
      },
    };
  }

  openTelemetry(): TelemetryStream {
    const call = this.client.streamTelemetry();
    const ackListeners: ((ack: TelemetryAck) => void)[] = [];
    const closeListeners: ((error: Error | undefined) => void)[] = [];
    let closed = false;
    const close = (error: Error | undefined) => {
      if (closed) return;
      closed = true;
      for (const l of closeListeners) l(error);
    };
    call.on('data', (ack: TelemetryAck) => {
      for (const l of ackListeners) l(ack);
    });
    call.on('error', (error: Error) => close(error));
    call.on('end', () => close(undefined));
    return {
      write: (batch: TelemetryBatch) => {
        if (!closed) call.write(batch);
      },
      onAck: (l) => ackListeners.push(l),
      onClose: (l) => closeListeners.push(l),
      end: () => call.end(),
    };
  }

  close(): void {
    this.stopHeartbeat();
    this.client.close();
  }
}
