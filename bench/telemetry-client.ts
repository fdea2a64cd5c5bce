// A stand-in edge for bench/hive-ingest.ts, run as its own process: it builds and encodes its
// telemetry batches first (an edge's encoding cost is paid on the edge's machine), says
// "ready", and on "go" streams them to the hive over gRPC with the protocol's ack window, as
// fast as the hive acknowledges. Prints "done <ms> <acked events>" and exits.
//
//   node build/bench/telemetry-client.js <hive host:port> <run id> <edge id> <events> <batch size> <window>

import { credentials, makeGenericClientConstructor, type ClientDuplexStream } from '@grpc/grpc-js';
import { createInterface } from 'node:readline';
import { HiveEdgeService } from '../src/proto/gashammer/v1/hive_edge.js';
import type { TelemetryAck} from '../src/proto/gashammer/v1/telemetry.js';
import { TelemetryBatch } from '../src/proto/gashammer/v1/telemetry.js';
import type { TelemetryEvent } from '../src/telemetry/events.js';
import { toWireEvent } from '../src/telemetry/wire.js';

const [address, runId, edgeId, eventsText, batchText, windowText] = process.argv.slice(2);
const total = Number(eventsText);
const batchSize = Number(batchText);
const window = Number(windowText);

/** The events of a busy edge: submitted, accepted and included in turn, with real-sized fields. */
function eventAt(seq: number): TelemetryEvent {
  const tx = Math.floor(seq / 3);
  const txHash = `0x${tx.toString(16).padStart(64, 'a')}` as const;
  const header = { runId: runId!, edgeId: edgeId!, seq: BigInt(seq), phaseIndex: 0, monoNs: 5_000_000_000n + BigInt(seq) * 1000n, wallNs: 1_763_000_000_000_000_000n + BigInt(seq) * 1000n };
  const account = `0x${(tx % 500).toString(16).padStart(40, '1')}` as const;
  switch (seq % 3) {
    case 0:
      return { ...header, kind: 'TxSubmitted', txHash, template: 'simple-transfer', estimatedGas: 21_000n, gasLimit: 21_000n, account, nonce: tx, intendedNs: header.monoNs - 1000n, sentNs: header.monoNs, valueWei: 1n };
    case 1:
      return { ...header, kind: 'TxAccepted', txHash, acceptedNs: header.monoNs };
    default:
      return {
        ...header,
        kind: 'TxIncluded',
        txHash,
        blockNumber: BigInt(1000 + Math.floor(tx / 100)),
        seenNs: header.monoNs,
        gasUsed: 21_000n,
        gasUsedForL1: undefined,
        effectiveGasPrice: 100_000_000n,
        baseFeePerGas: 100_000_000n,
        success: true,
        from: account,
        to: account,
        nonce: tx,
        valueWei: 1n,
      };
  }
}

const batches: Buffer[] = [];
for (let start = 0, seq = 0n; start < total; start += batchSize, seq++) {
  const events = [];
  for (let i = start; i < Math.min(total, start + batchSize); i++) events.push(toWireEvent(eventAt(i)));
  batches.push(Buffer.from(TelemetryBatch.encode({ runId: runId!, edgeId: edgeId!, batchSeq: seq, events, droppedTotal: 0n }).finish()));
}

// The generated client encodes messages; this one sends the pre-encoded bytes as they are.
const service = { streamTelemetry: { ...HiveEdgeService.streamTelemetry, requestSerialize: (b: Buffer) => b } };
const Client = makeGenericClientConstructor(service, 'gashammer.v1.HiveEdge');
const client = new Client(address!, credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 }) as unknown as {
  streamTelemetry(): ClientDuplexStream<Buffer, TelemetryAck>;
};

process.stdout.write('ready\n');
createInterface({ input: process.stdin }).once('line', () => {
  const started = performance.now();
  const call = client.streamTelemetry();
  let next = 0;
  let acked = 0;
  let inFlight = 0;
  let ackedEvents = 0n;
  const pump = () => {
    while (inFlight < window && next < batches.length) {
      call.write(batches[next++]!);
      inFlight++;
    }
  };
  call.on('data', (ack: TelemetryAck) => {
    inFlight--;
    acked++;
    ackedEvents = ack.eventsAccepted;
    if (acked === batches.length) {
      process.stdout.write(`done ${(performance.now() - started).toFixed(1)} ${ackedEvents}\n`);
      call.end();
      process.exit(0);
    }
    pump();
  });
  call.on('error', (error: Error) => {
    process.stderr.write(`stream failed: ${error.message}\n`);
    process.exit(1);
  });
  pump();
});
