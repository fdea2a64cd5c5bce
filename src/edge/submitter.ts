// Hands signed transactions to the node and records what happened: TxSubmitted when the request
// leaves, then TxAccepted or TxFailed. One eth_sendRawTransaction per transaction, never retried
// (a retry could send it twice and would hide the node's behaviour under load), and nothing else
// awaited on the way, so the submit path's latency is the node's. The outcome tells the account
// pool what became of the nonce.

import type { Address, Hash, Hex } from 'viem';
import type { RpcClient } from '../chain/rpc-client.js';
import { toRpcError, type RpcError, type RpcErrorClass } from '../chain/rpc-errors.js';
import type { Clock } from '../telemetry/clock.js';
import type { TelemetryRecorder } from '../telemetry/recorder.js';
import { redact } from '../util/redact.js';

/** A transaction ready to send. */
export interface SignedTransaction {
  /** The EIP-2718 serialised transaction. */
  readonly rawHex: Hex;
  /** keccak256(rawHex): the transaction hash. */
  readonly hash: Hash;
}

/** What the workload engine knows about the transaction, for the TxSubmitted event. */
export interface SubmitMeta {
  readonly template: string;
  /** Compute gas the workload engine counted for it (the calibrated estimate). */
  readonly computeGas: bigint;
  readonly gasLimit: bigint;
  readonly account: Address;
  readonly nonce: number;
  readonly valueWei: bigint;
  /** When the schedule wanted it sent (monotonic ns of the edge clock). */
  readonly intendedNs: bigint;
}

/**
 * What a failure means for the account's nonce:
 * - `free`: the node refused the transaction; the nonce is still unused and can be reused.
 * - `stale`: the node says the nonce is already used; resync the account from the chain.
 * - `unknown`: no usable answer (timeout, broken connection); the node may or may not hold it.
 */
export type NonceFate = 'free' | 'stale' | 'unknown';

export type SubmitOutcome =
  | {
      readonly status: 'accepted';
      readonly hash: Hash;
      /** Monotonic ns when the request left and when the answer arrived. */
      readonly sentNs: bigint;
      readonly acceptedNs: bigint;
    }
  | {
      readonly status: 'failed';
      readonly hash: Hash;
      readonly sentNs: bigint;
      readonly failedNs: bigint;
      readonly errorClass: RpcErrorClass;
      readonly nonceFate: NonceFate;
      readonly error: RpcError;
    };

export interface SubmitterOptions {
  readonly client: RpcClient;
  readonly recorder: TelemetryRecorder;
  readonly clock: Clock;
  /**
   * Most transactions handed to the node and not yet answered (default: no limit). Beyond it a
   * send waits for an answer to free a slot, and the sends released together leave in one
   * JSON-RPC batch. A node past saturation then gets a few large requests, as from a batch
   * sender, instead of a flood of small ones that time out (measured: a third of the sends
   * failed with timeouts at 125% of the devnet's capacity without it, none with it). The wait
   * counts in latency, which is timed from the intended send instant, and shows as the gap
   * between a TxSubmitted's intendedNs and sentNs.
   */
  readonly maxInFlight?: number;
}

export interface SubmitterStats {
  readonly submitted: number;
  readonly accepted: number;
  readonly failed: number;
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Sends waiting for a free slot now. */
  readonly queued: number;
  /** Answers naming another hash than the one signed: a node bug worth knowing about. */
  readonly hashMismatches: number;
  readonly failuresByClass: Readonly<Partial<Record<RpcErrorClass, number>>>;
}

/** Longest error message stored in a TxFailed event: telemetry rows stay small. */
const MAX_MESSAGE_CHARS = 300;

export function nonceFateOf(errorClass: RpcErrorClass): NonceFate {
  switch (errorClass) {
    case 'nonce_too_low':
      return 'stale';
    case 'timeout':
    case 'transport':
      return 'unknown';
    default:
      return 'free';
  }
}

export class Submitter {
  private readonly client: RpcClient;
  private readonly recorder: TelemetryRecorder;
  private readonly clock: Clock;
  private submittedCount = 0;
  private acceptedCount = 0;
  private failedCount = 0;
  private inFlightCount = 0;
  private maxInFlightCount = 0;
  private hashMismatchCount = 0;
  private readonly failures: Partial<Record<RpcErrorClass, number>> = {};
  private readonly maxInFlight: number;
  /** Sends waiting for a free slot, oldest first. */
  private readonly waiting: (() => void)[] = [];
  /** When a send last had to wait for a free slot (monotonic ns); undefined: never. */
  private lastCappedNs: bigint | undefined;

  constructor(options: SubmitterOptions) {
    this.client = options.client;
    this.recorder = options.recorder;
    this.clock = options.clock;
    this.maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
    if (!(this.maxInFlight >= 1)) throw new RangeError(`Submitter: maxInFlight must be at least 1, got ${options.maxInFlight}`);
  }

  /** An answer frees a slot: the oldest waiting send takes it over, else it is free. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlightCount--;
  }

  /** Sends once and records the result. Never rejects: every failure is an outcome. */
  async submit(signed: SignedTransaction, meta: SubmitMeta): Promise<SubmitOutcome> {
    const phase = this.recorder.phase;
    // A freed slot passes straight to the oldest waiting send, so none overtakes another.
    const mustWait = this.inFlightCount >= this.maxInFlight || this.waiting.length > 0;
    if (mustWait) {
      this.lastCappedNs = this.clock.monoNs();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const sentNs = this.clock.monoNs();
    this.recorder.record({
      kind: 'TxSubmitted',
      txHash: signed.hash,
      template: meta.template,
      estimatedGas: meta.computeGas,
      gasLimit: meta.gasLimit,
      account: meta.account,
      nonce: meta.nonce,
      intendedNs: meta.intendedNs,
      sentNs,
      valueWei: meta.valueWei,
    });
    this.submittedCount++;
    if (!mustWait) this.inFlightCount++;
    if (this.inFlightCount > this.maxInFlightCount) this.maxInFlightCount = this.inFlightCount;
    try {
      const sent = await this.client.sendRawTransaction(signed.rawHex);
      const acceptedNs = this.clock.monoNs();
      this.release();
      if (sent.hash.toLowerCase() !== signed.hash.toLowerCase()) this.hashMismatchCount++;
      this.acceptedCount++;
      // Events carry the phase the transaction was sent in, even if the phase changed meanwhile.
      this.recorder.record({ kind: 'TxAccepted', txHash: signed.hash, acceptedNs }, phase);
      return { status: 'accepted', hash: signed.hash, sentNs, acceptedNs };
    } catch (e) {
      const failedNs = this.clock.monoNs();
      this.release();
      const error = toRpcError(e, { method: 'eth_sendRawTransaction', url: this.client.url });
      this.failedCount++;
      this.failures[error.errorClass] = (this.failures[error.errorClass] ?? 0) + 1;
      this.recorder.record(
        {
          kind: 'TxFailed',
          txHash: signed.hash,
          errorClass: error.errorClass,
          stage: 'submit',
          message: redact(error.shortMessage).slice(0, MAX_MESSAGE_CHARS),
          account: meta.account,
          nonce: meta.nonce,
        },
        phase,
      );
      return { status: 'failed', hash: signed.hash, sentNs, failedNs, errorClass: error.errorClass, nonceFate: nonceFateOf(error.errorClass), error };
    }
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Whether a send had to wait for a free slot within the last `windowNs`: the node is behind. */
  cappedWithin(windowNs: bigint): boolean {
    return this.lastCappedNs !== undefined && this.clock.monoNs() - this.lastCappedNs <= windowNs;
  }

  /** Sends waiting for a free slot. */
  get queued(): number {
    return this.waiting.length;
  }

  get stats(): SubmitterStats {
    return {
      submitted: this.submittedCount,
      accepted: this.acceptedCount,
      failed: this.failedCount,
      inFlight: this.inFlightCount,
      maxInFlight: this.maxInFlightCount,
      queued: this.waiting.length,
      hashMismatches: this.hashMismatchCount,
      failuresByClass: { ...this.failures },
    };
  }
}
