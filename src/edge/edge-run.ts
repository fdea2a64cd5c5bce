// One edge's part of a run: prepares (accounts, funding, nonces, calibration, trackers), then
// plays each phase's share of the gas curve as an open-model schedule — transactions are built
// and signed one slot ahead and fired at their intended instants whatever the chain does — and
// records what happens to every transaction. Used by `gashammer edge` and by `gashammer run`'s
// edge processes; the hive protocol around it lives elsewhere.

import type { Hash, Hex } from 'viem';
import { TEST_MNEMONIC } from '../config/schema.js';
import { createRpcClient, type RpcClient } from '../chain/rpc-client.js';
import type { TestContracts } from '../devnet/contracts.js';
import { FeedConsumer } from '../feed/consumer.js';
import { usesTokenTemplates, type RunPlan } from '../scenario/compile.js';
import { systemClock, type Clock } from '../telemetry/clock.js';
import { TelemetryRecorder } from '../telemetry/recorder.js';
import { RingBuffer } from '../telemetry/ring-buffer.js';
import { AccountPool, pendingNonceReader, type Lease } from '../workload/account-pool.js';
import { deriveEdgeAccounts, type GasHammerAccount } from '../workload/accounts.js';
import { calibrateTemplates } from '../workload/calibration.js';
import { Dispatcher, systemTimers, type DispatchTimers, type Fire } from '../workload/dispatcher.js';
import { fundLoadAccounts } from '../workload/funding.js';
import { scaleGasRate } from '../workload/gas-curve.js';
import { offsetNs, SendSchedule } from '../workload/schedule.js';
import type { TemplateName } from '../workload/template-catalog.js';
import { feePolicyFor } from './fees.js';
import { FeedCorrelator } from './feed-correlator.js';
import { InclusionTracker, type InclusionOutcome } from './inclusion-tracker.js';
import { Submitter } from './submitter.js';
import { TxGenerator, type GeneratedTx, type PlannedTx } from './tx-generator.js';

/** Eight full JSON-RPC batches in flight: measured on the devnet past saturation (bench:saturation). */
export const DEFAULT_MAX_IN_FLIGHT_SUBMITS = 800;
/** How often a phase retries the nonce re-reads that failed, and how many at most each time. */
const RECOVERY_SWEEP_MS = 1_000;
const RECOVERY_RETRIES_PER_SWEEP = 32;
/** How recently a send must have waited for the in-flight cap for the node to count as behind. */
const NODE_BEHIND_WINDOW_NS = 2_000_000_000n;

export interface EdgeTarget {
  readonly rpcUrl: string;
  readonly wsUrl?: string;
  readonly feedUrl?: string;
  readonly chainId: number;
  readonly contracts: TestContracts;
}

export interface EdgeRunOptions {
  readonly plan: RunPlan;
  readonly edgeIndex: number;
  readonly runId: string;
  readonly edgeId: string;
  readonly target: EdgeTarget;
  readonly mnemonic?: string;
  readonly derivationBase?: string;
  /** The edge's accounts when already derived (from mnemonic and derivation base otherwise). */
  readonly accounts?: readonly GasHammerAccount[];
  /** Funds the edge's accounts (ETH and test tokens) from this key before the run. */
  readonly funderKey?: Hex;
  readonly fundingWei?: bigint;
  readonly clock?: Clock;
  readonly timers?: DispatchTimers;
  /** Telemetry events kept in memory before the oldest are dropped. */
  readonly bufferCapacity?: number;
  readonly receiptTimeoutMs?: number;
  readonly poolConnections?: number;
  /**
   * Sends fired in the same event-loop turn go out as one JSON-RPC batch of at most this many
   * (default 100; 1 sends every transaction in its own request). Batching costs no send time
   * (the batch closes within the turn) and saves the per-request cost that, at thousands of
   * transactions a second, would otherwise make the edge itself the bottleneck.
   */
  readonly submitBatchSize?: number;
  /** How long a send may wait for others to share its batch (default 0: the same turn only). */
  readonly submitBatchWaitMs?: number;
  readonly maxInFlightPerAccount?: number;
  /** Transactions handed to the node and not yet answered, at most (default 800; see Submitter). */
  readonly maxInFlightSubmits?: number;
  readonly latenessToleranceMs?: number;
  readonly log?: (message: string) => void;
}

export interface PhaseResult {
  readonly phaseIndex: number;
  readonly sent: number;
  /** Sends fired later than the lateness tolerance after their intended instant. */
  readonly late: number;
  readonly maxLatenessNs: bigint;
  /** Sends that could not be made: every account was busy or awaiting recovery. */
  readonly dropped: number;
  readonly scheduledGas: number;
}

interface Slot {
  readonly planned: PlannedTx;
  readonly intendedNs: bigint;
  /** Built and signed ahead of its instant; rebuilt at fire time if no account was free then. */
  tx: GeneratedTx | undefined;
}

export class EdgeRun {
  readonly buffer: RingBuffer<ReturnType<TelemetryRecorder['record']>>;
  readonly recorder: TelemetryRecorder;
  private stopped = false;
  private dispatcher: Dispatcher | undefined;

  private constructor(
    private readonly options: EdgeRunOptions,
    private readonly clock: Clock,
    private readonly client: RpcClient,
    private readonly pool: AccountPool,
    private readonly generator: TxGenerator,
    private readonly submitter: Submitter,
    private readonly tracker: InclusionTracker,
    private readonly correlator: FeedCorrelator | undefined,
    private readonly consumer: FeedConsumer | undefined,
    recorder: TelemetryRecorder,
    buffer: RingBuffer<ReturnType<TelemetryRecorder['record']>>,
  ) {
    this.recorder = recorder;
    this.buffer = buffer;
  }

  static async prepare(options: EdgeRunOptions): Promise<EdgeRun> {
    const log = options.log ?? (() => {});
    const { plan, edgeIndex, target } = options;
    const edge = plan.edges[edgeIndex];
    if (!edge) throw new RangeError(`the plan has no edge ${edgeIndex}`);
    const clock = options.clock ?? systemClock();
    const client = createRpcClient({ url: target.rpcUrl, poolConnections: options.poolConnections ?? 64 });
    await client.expectChainId(target.chainId);

    const accounts = options.accounts ?? deriveEdgeAccounts(edge, options.mnemonic ?? TEST_MNEMONIC, options.derivationBase ?? plan.accountDerivationBase);
    if (options.funderKey) {
      const funded = await fundLoadAccounts({
        rpcUrl: target.rpcUrl,
        chainId: target.chainId,
        funderKey: options.funderKey,
        accounts,
        ...(options.fundingWei === undefined ? {} : { targetWei: options.fundingWei }),
        ...(usesTokenTemplates(plan) ? { token: target.contracts.token } : {}),
        rpc: client,
      });
      log(`funded ${funded.funded} account(s), ${funded.alreadyFunded} already funded`);
    }

    const pool = new AccountPool({ accounts, readNonce: pendingNonceReader(client), ...(options.maxInFlightPerAccount ? { maxInFlightPerAccount: options.maxInFlightPerAccount } : {}) });
    await pool.initialize();
    const templates = plan.templateMix.filter((t) => t.probability > 0).map((t) => ({ name: t.name as TemplateName, params: t.params }));
    const calibration = await calibrateTemplates({ client, from: accounts[0]!.address, recipient: (accounts[1] ?? accounts[0]!).address, contracts: target.contracts, templates });
    for (const [name, c] of calibration) log(`calibrated ${name}: compute gas ${c.computeGas}, gas limit ${c.gasLimit}`);
    const latest = await client.getBlock('latest');
    const fees = feePolicyFor(latest.baseFeePerGas ?? 100_000_000n);

    const buffer = new RingBuffer<ReturnType<TelemetryRecorder['record']>>(options.bufferCapacity ?? 1_000_000);
    const recorder = new TelemetryRecorder({ runId: options.runId, edgeId: options.edgeId, clock, buffer });
    const batchSize = options.submitBatchSize ?? 100;
    const submitClient =
      batchSize > 1 ? createRpcClient({ url: target.rpcUrl, poolConnections: options.poolConnections ?? 64, batch: { size: batchSize, waitMs: options.submitBatchWaitMs ?? 0 } }) : client;
    const submitter = new Submitter({ client: submitClient, recorder, clock, maxInFlight: options.maxInFlightSubmits ?? DEFAULT_MAX_IN_FLIGHT_SUBMITS });
    // The run does not exist yet when the tracker is made; the tracker reaches it through this.
    const seen: { handler?: (hash: Hash) => void } = {};
    const tracker = new InclusionTracker({
      rpcUrl: target.rpcUrl,
      ...(target.wsUrl ? { wsUrl: target.wsUrl } : {}),
      client,
      recorder,
      clock,
      receiptTimeoutMs: options.receiptTimeoutMs ?? 60_000,
      pollIntervalMs: 100,
      // A transaction in a block has used its nonce: its account can take the next one at once.
      onSeen: (hash) => seen.handler?.(hash),
      // Sends queued behind the in-flight cap in the last 2 s: the node is saturated, and
      // receipts can wait (a moment's empty queue does not mean it has caught up).
      nodeIsBehind: () => submitter.cappedWithin(NODE_BEHIND_WINDOW_NS),
    });
    await tracker.start();
    let consumer: FeedConsumer | undefined;
    let correlator: FeedCorrelator | undefined;
    if (target.feedUrl) {
      consumer = new FeedConsumer({ url: target.feedUrl, expectedChainId: target.chainId, fromSequenceNumber: Number(latest.number) + 1 });
      correlator = new FeedCorrelator({ consumer, recorder, clock, missTimeoutMs: 10_000 });
      consumer.start();
    }
    const generator = new TxGenerator({ plan, edgeIndex, chainId: target.chainId, contracts: target.contracts, pool, calibration, fees });
    const run = new EdgeRun(options, clock, client, pool, generator, submitter, tracker, correlator, consumer, recorder, buffer);
    seen.handler = (hash) => run.settleSeen(hash);
    return run;
  }

  get accounts(): readonly GasHammerAccount[] {
    return this.pool.accounts;
  }

  /** Plays phase `phaseIndex` from now; resolves when its time is up. */
  async runPhase(phaseIndex: number): Promise<PhaseResult> {
    const phase = this.options.plan.phases[phaseIndex];
    if (!phase) throw new RangeError(`the plan has no phase ${phaseIndex}`);
    const edgeCount = this.options.plan.edges.length;
    const curve = { rate: scaleGasRate(phase.gasRate, 1 / edgeCount), durationSecs: phase.durationSecs };
    const schedule = new SendSchedule(curve);
    this.recorder.setPhase(phaseIndex);
    this.recorder.record({ kind: 'PhaseStarted', phaseName: phase.name, offeredGasPerSec: phase.meanGasPerSec / edgeCount });

    const startNs = this.clock.monoNs();
    const endNs = startNs + offsetNs(phase.durationSecs);
    const queue: Slot[] = [];
    let sent = 0;
    let dropped = 0;
    const source = {
      next: (): bigint | undefined => {
        if (this.stopped) return undefined;
        const planned = this.generator.plan();
        const offset = schedule.next(Number(planned.computeGas));
        if (offset === undefined) return undefined;
        const intendedNs = startNs + offsetNs(offset);
        // Built and signed now, one slot before its instant: signing never delays a send. On the
        // main thread: a worker thread was measured to sign no faster on this 2-core machine
        // (one core either way) and pays off only when the send loop itself needs more than
        // about 40% of the main thread.
        queue.push({ planned, intendedNs, tx: this.generator.build(planned) });
        return intendedNs;
      },
    };
    const dispatcher = new Dispatcher({
      timers: this.options.timers ?? systemTimers(this.clock),
      source,
      ...(this.options.latenessToleranceMs === undefined ? {} : { latenessToleranceMs: this.options.latenessToleranceMs }),
      onFire: (fire: Fire) => {
        const slot = queue.shift();
        if (!slot) return;
        const tx = slot.tx ?? this.generator.build(slot.planned);
        if (!tx) {
          dropped++;
          return;
        }
        sent++;
        this.send(tx, fire, phaseIndex);
      },
    });
    this.dispatcher = dispatcher;
    // An account whose nonce re-read failed (a fault swallowing requests, a node restarting)
    // would stay out of rotation for the rest of the run: try again every second.
    const recoverySweep = setInterval(() => this.pool.retryRecoveries(RECOVERY_RETRIES_PER_SWEEP), RECOVERY_SWEEP_MS);
    dispatcher.start();
    const end = await dispatcher.done.finally(() => clearInterval(recoverySweep));
    this.dispatcher = undefined;
    // Leases built ahead but never fired go back: their nonces were not used.
    for (const slot of queue.splice(0)) if (slot.tx) this.pool.settle(slot.tx.lease, 'failed', 'tx_rejected');
    // The phase lasts its full duration even when the schedule ran out earlier.
    const remainingMs = Number(endNs - this.clock.monoNs()) / 1e6;
    if (remainingMs > 0 && !this.stopped) await new Promise((r) => setTimeout(r, remainingMs));

    const { late, maxLatenessNs } = end.counters;
    if (late > 0) this.recorder.record({ kind: 'SendLate', count: late, maxLatenessNs });
    this.recorder.record({ kind: 'PhaseEnded', phaseName: phase.name, sent, late, dropped });
    return { phaseIndex, sent, late, maxLatenessNs, dropped, scheduledGas: schedule.scheduledGas };
  }

  /** Leases of sent transactions not yet seen in a block, by lower-case hash. */
  private readonly openLeases = new Map<string, Lease>();

  /** Seen in a block: the nonce is used, so the lease ends now; the receipt follows later. */
  settleSeen(hash: Hash): void {
    const key = hash.toLowerCase();
    const lease = this.openLeases.get(key);
    if (!lease) return;
    this.openLeases.delete(key);
    this.pool.settle(lease, 'included');
  }

  private send(tx: GeneratedTx, fire: Fire, phaseIndex: number): void {
    const { lease, intent, signed } = tx;
    const hash = signed.hash as Hash;
    this.openLeases.set(hash.toLowerCase(), lease);
    // Watch before sending: on Nitro the block (and the feed message) can beat the RPC answer.
    this.tracker.watch(hash, { account: lease.account.address, nonce: lease.nonce, valueWei: intent.value, submittedNs: fire.firedNs, phaseIndex }, (outcome) =>
      this.settleInclusion(lease, hash, outcome),
    );
    this.correlator?.expect(hash, phaseIndex);
    void this.submitter
      .submit(signed, {
        template: intent.template,
        computeGas: intent.computeGas,
        gasLimit: intent.gasLimit,
        account: lease.account.address,
        nonce: lease.nonce,
        valueWei: intent.value,
        intendedNs: fire.intendedNs,
      })
      .then((outcome) => {
        if (outcome.status === 'accepted') return;
        // A timed-out send may have reached the node (a slow link, a fault delaying it): keep
        // looking for it in blocks, or a landing would look to the oracle like a lost nonce.
        if (outcome.errorClass === 'timeout') this.tracker.watchQuietly(hash);
        else this.tracker.forget(hash);
        this.correlator?.forget(hash);
        if (!this.openLeases.delete(hash.toLowerCase())) return;
        this.pool.settle(lease, 'failed', outcome.errorClass);
        void this.pool.recover(lease.account).catch(() => {
          // A failed re-read leaves the account out of rotation; the next recoverAll retries it.
        });
      });
  }

  private settleInclusion(lease: Lease, hash: Hash, outcome: InclusionOutcome): void {
    if (outcome.status === 'included') {
      this.settleSeen(hash);
      this.correlator?.included(hash);
    } else if (outcome.status === 'timeout' && this.openLeases.delete(hash.toLowerCase())) {
      this.pool.settle(lease, 'timeout');
      void this.pool.recover(lease.account).catch(() => {});
    }
  }

  /** Stops generating at once (the current phase ends early); pending transactions still drain. */
  stop(): void {
    this.stopped = true;
    this.dispatcher?.stop();
  }

  /** Waits for pending transactions (up to `timeoutMs`), then closes trackers and connections. */
  async finish(timeoutMs = 30_000): Promise<void> {
    this.stopped = true;
    this.dispatcher?.stop();
    await this.tracker.drain(timeoutMs);
    // The feed message of the last block can trail its inclusion (the devnet relay publishes
    // after fetching the block): give the feed a moment to catch up before counting misses.
    const feedDeadline = Date.now() + Math.min(timeoutMs, 3_000);
    while (this.correlator && this.correlator.stats.outstanding > 0 && Date.now() < feedDeadline) await new Promise((r) => setTimeout(r, 20));
    this.correlator?.checkMisses();
    this.correlator?.stop();
    this.consumer?.close();
    this.tracker.stop();
  }

  stats() {
    return { pool: this.pool.stats(), submitter: this.submitter.stats, tracker: this.tracker.stats, feed: this.correlator?.stats, telemetryDropped: this.buffer.dropped };
  }
}
