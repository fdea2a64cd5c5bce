// The hive's gRPC endpoint for edges: maps the four HiveEdge calls onto the hive's handlers and
// nothing more. A control stream is bound to an edge by its first message (a hello); when the
// stream ends or breaks, the hive hears about it at once, which is how a killed edge is noticed
// well before its heartbeats run out.

import { Server, ServerCredentials, status, type ServerDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { HiveEdgeService, type ControlMessage, type EdgeReport, type HiveEdgeServer, type RegisterEdgeRequest, type RegisterEdgeResponse } from '../proto/gashammer/v1/hive_edge.js';
import type { TelemetryAck, TelemetryBatch } from '../proto/gashammer/v1/telemetry.js';
import type { EdgeStatus } from '../proto/gashammer/v1/types.js';

/** The revision of proto/gashammer/v1 this build speaks; bump when a message changes meaning. */
export const PROTOCOL_REVISION = 1;

/** One edge's control stream, as the hive uses it. */
export interface ControlChannel {
  send(message: ControlMessage): void;
  /** Ends the stream from the hive's side. */
  close(): void;
}

export interface HiveEdgeHandlers {
  /** Throws a RegistrationRefused to refuse. */
  register(request: RegisterEdgeRequest): RegisterEdgeResponse;
  /** Records a heartbeat and the status the edge reports; false if the edge must register again. */
  heartbeat(edgeId: string, status: EdgeStatus): boolean;
  /** An edge opened its control stream; returns false if the edge is unknown. */
  controlOpened(edgeId: string, channel: ControlChannel): boolean;
  report(edgeId: string, report: EdgeReport): void;
  controlClosed(edgeId: string, reason: string): void;
  /** Takes a batch; resolves with the ack once the hive holds the events (the backpressure point). */
  telemetry(batch: TelemetryBatch): Promise<TelemetryAck>;
}

export class RegistrationRefused extends Error {
  override readonly name = 'RegistrationRefused';
}

export interface HiveGrpcServer {
  /** host:port the server listens on (the port resolved when 0 was asked). */
  readonly address: string;
  readonly port: number;
  stop(): Promise<void>;
}

function serviceError(code: status, message: string): Partial<ServiceError> {
  return { code, details: message, message };
}

function implementation(handlers: HiveEdgeHandlers): HiveEdgeServer {
  return {
    registerEdge(call, callback) {
      try {
        callback(null, handlers.register(call.request));
      } catch (error) {
        const refused = error instanceof RegistrationRefused;
        callback(serviceError(refused ? status.FAILED_PRECONDITION : status.INTERNAL, refused ? error.message : 'registration failed inside the hive'), null);
      }
    },
    heartbeat(call, callback) {
      callback(null, { known: handlers.heartbeat(call.request.edgeId?.value ?? '', call.request.status) });
    },
    controlStream(call: ServerDuplexStream<EdgeReport, ControlMessage>) {
      let edgeId: string | undefined;
      let ended = false;
      const finish = (reason: string) => {
        if (ended) return;
        ended = true;
        if (edgeId !== undefined) handlers.controlClosed(edgeId, reason);
      };
      call.on('data', (report: EdgeReport) => {
        if (edgeId === undefined) {
          if (report.report?.$case !== 'hello' || !report.report.value.edgeId) {
            call.destroy(new Error('the first message on a control stream must be a hello'));
            return;
          }
          const id = report.report.value.edgeId.value;
          const channel: ControlChannel = {
            send: (message) => {
              if (!ended) call.write(message);
            },
            close: () => {
              if (!ended) call.end();
            },
          };
          if (!handlers.controlOpened(id, channel)) {
            call.emit('error', serviceError(status.NOT_FOUND, `edge ${id} is not registered`));
            call.end();
            return;
          }
          edgeId = id;
          return;
        }
        handlers.report(edgeId, report);
      });
      call.on('end', () => {
        finish('the edge closed its control stream');
        call.end();
      });
      call.on('error', (error: Error) => finish(`control stream failed: ${error.message}`));
      call.on('close', () => finish('control stream closed'));
    },
    streamTelemetry(call: ServerDuplexStream<TelemetryBatch, TelemetryAck>) {
      // Acks go out in the order batches arrive, even if the sink resolves them out of order.
      let chain = Promise.resolve();
      call.on('data', (batch: TelemetryBatch) => {
        const pending = handlers.telemetry(batch);
        chain = chain
          .then(() => pending)
          .then(
            (ack) => {
              call.write(ack);
            },
            (error: unknown) => {
              call.destroy(error instanceof Error ? error : new Error(String(error)));
            },
          );
      });
      call.on('end', () => {
        void chain.then(() => call.end());
      });
      call.on('error', () => {
        // The edge went away; what it sent before is kept, what it did not send it counts.
      });
    },
  };
}

/** Starts the gRPC server on bind:port (0: any free port). */
export async function startHiveGrpcServer(handlers: HiveEdgeHandlers, bind: string, port: number): Promise<HiveGrpcServer> {
  const server = new Server({
    // Telemetry batches of a few thousand events are a few hundred KiB; leave room.
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.keepalive_permit_without_calls': 1,
  });
  server.addService(HiveEdgeService, implementation(handlers));
  const host = bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind;
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p)));
  });
  return {
    address: `${host}:${bound}`,
    port: bound,
    stop: () =>
      new Promise<void>((resolve) => {
        // Give open streams a moment to finish, then cut them.
        const force = setTimeout(() => server.forceShutdown(), 2_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
