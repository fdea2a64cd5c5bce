// An edge's accounts as a pool of senders with local nonces. The submitter leases an account
// and the next nonce of it for each transaction and settles the lease when the transaction's
// fate is known. Nitro holds a nonce gap about a second and then rejects the transaction, so
// nonces must stay strictly sequential per account: after any lease that did not end included,
// the account is taken out of rotation until its in-flight leases have settled and its nonce
// has been re-read from the chain (eth_getTransactionCount(address, 'pending')).

import type { Address } from 'viem';
import type { RpcClient } from '../chain/rpc-client.js';
import type { RpcErrorClass } from '../chain/rpc-errors.js';
import type { GasHammerAccount } from './accounts.js';

/** Leases of one account that may be unsettled at once. */
export const DEFAULT_MAX_IN_FLIGHT_PER_ACCOUNT = 16;
/** Nonce reads at once when the pool is initialised. */
export const DEFAULT_NONCE_READ_CONCURRENCY = 32;

/** Reads an account's next nonce as the chain sees it, pending transactions included. */
export type NonceReader = (address: Address) => Promise<number>;

/** The nonce reader the pool uses against a real chain. */
export function pendingNonceReader(client: Pick<RpcClient, 'getTransactionCount'>): NonceReader {
  return (address) => client.getTransactionCount(address, 'pending');
}

/** How a leased transaction ended. */
export type LeaseOutcome = 'included' | 'timeout' | 'failed';

/** One transaction's claim on an account and nonce. Settle every lease exactly once. */
export interface Lease {
  readonly account: GasHammerAccount;
  readonly nonce: number;
}

export interface AccountPoolOptions {
  /** The edge's accounts, in the order leases go round them. */
  readonly accounts: readonly GasHammerAccount[];
  /** Used by recover(), and by initialize() unless it is given another. */
  readonly readNonce: NonceReader;
  readonly maxInFlightPerAccount?: number;
}

export interface AccountPoolStats {
  readonly accounts: number;
  /** Leases handed out. */
  readonly leases: number;
  /** lease() calls that got nothing: every account was at its in-flight cap or awaiting recovery. */
  readonly refusedBusy: number;
  /** Nonces re-read after a lease that did not end included (initialisation not counted). */
  readonly recoveries: number;
  readonly included: number;
  readonly timeouts: number;
  /** Failed leases by the node's error class. */
  readonly failures: Readonly<Partial<Record<RpcErrorClass, number>>>;
  /** Leases not settled yet. */
  readonly inFlight: number;
  /** Accounts out of rotation until recover() re-reads their nonce. */
  readonly awaitingRecovery: number;
}

interface Slot {
  readonly account: GasHammerAccount;
  /** Next nonce to lease; undefined until initialize() or recover() has read it. */
  nonce: number | undefined;
  inFlight: number;
  needsRecovery: boolean;
  recovering: Promise<number> | undefined;
  /** Resolved when inFlight drops to 0, for a recovery waiting on it. */
  drained: (() => void)[];
}

/**
 * Runs `task` over `items` with at most `concurrency` at once; results in the order of items.
 * Stops starting new tasks after the first failure and rejects with it.
 */
export async function mapBounded<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await task(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, worker);
  const settled = await Promise.allSettled(workers);
  const rejection = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejection) throw rejection.reason;
  return results;
}

function checkNonce(value: unknown, address: Address): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`the nonce read for ${address} is not a whole number >= 0: ${String(value)}`);
  }
  return value;
}

export class AccountPool {
  private readonly slots: Slot[];
  private readonly byAddress = new Map<string, Slot>();
  private readonly open = new WeakMap<Lease, Slot>();
  private readonly readNonce: NonceReader;
  readonly maxInFlightPerAccount: number;
  /** Position the next round-robin search starts at. */
  private cursor = 0;
  /** Slots that can take a lease right now: known nonce, below the cap, not awaiting recovery. */
  private available = 0;
  private counters = { leases: 0, refusedBusy: 0, recoveries: 0, included: 0, timeouts: 0, inFlight: 0 };
  private readonly failures: Partial<Record<RpcErrorClass, number>> = {};

  constructor(options: AccountPoolOptions) {
    const cap = options.maxInFlightPerAccount ?? DEFAULT_MAX_IN_FLIGHT_PER_ACCOUNT;
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`maxInFlightPerAccount must be an integer >= 1, got ${cap}`);
    this.maxInFlightPerAccount = cap;
    this.readNonce = options.readNonce;
    this.slots = options.accounts.map((account) => ({ account, nonce: undefined, inFlight: 0, needsRecovery: false, recovering: undefined, drained: [] }));
    for (const slot of this.slots) {
      const key = slot.account.address.toLowerCase();
      // Two leases of one nonce from two slots would be a double spend of the nonce.
      if (this.byAddress.has(key)) throw new RangeError(`account ${slot.account.address} is in the pool twice`);
      this.byAddress.set(key, slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  get accounts(): GasHammerAccount[] {
    return this.slots.map((s) => s.account);
  }

  private eligible(slot: Slot): boolean {
    return slot.nonce !== undefined && !slot.needsRecovery && slot.inFlight < this.maxInFlightPerAccount;
  }

  /** Applies a state change to a slot, keeping the count of available slots right. */
  private change(slot: Slot, mutate: () => void): void {
    const before = this.eligible(slot);
    mutate();
    const after = this.eligible(slot);
    if (before !== after) this.available += after ? 1 : -1;
  }

  private slotOf(account: GasHammerAccount | Address): Slot {
    const address = typeof account === 'string' ? account : account.address;
    const slot = this.byAddress.get(address.toLowerCase());
    if (!slot) throw new RangeError(`account ${address} is not in this pool`);
    return slot;
  }

  /**
   * Reads every account's starting nonce, `concurrency` reads at once. Accounts become
   * leasable as their nonce arrives; on a failed read the pool rejects with that error and the
   * accounts not read stay out of rotation (recover() reads them later).
   */
  async initialize(readNonce: NonceReader = this.readNonce, concurrency: number = DEFAULT_NONCE_READ_CONCURRENCY): Promise<void> {
    await mapBounded(this.slots, concurrency, async (slot) => {
      const nonce = checkNonce(await readNonce(slot.account.address), slot.account.address);
      this.change(slot, () => {
        slot.nonce = nonce;
      });
    });
  }

  /**
   * The next account, round-robin in pool order, skipping accounts at the in-flight cap or
   * awaiting recovery, with its next nonce; undefined when no account can take one now.
   */
  lease(): Lease | undefined {
    if (this.available === 0) {
      this.counters.refusedBusy++;
      return undefined;
    }
    const n = this.slots.length;
    for (let k = 0; k < n; k++) {
      const position = (this.cursor + k) % n;
      const slot = this.slots[position]!;
      if (!this.eligible(slot)) continue;
      const nonce = slot.nonce!;
      this.change(slot, () => {
        slot.nonce = nonce + 1;
        slot.inFlight++;
      });
      this.cursor = (position + 1) % n;
      this.counters.leases++;
      this.counters.inFlight++;
      const lease: Lease = Object.freeze({ account: slot.account, nonce });
      this.open.set(lease, slot);
      return lease;
    }
    // `available` said one was free: the count is wrong, which is a bug here.
    throw new Error('AccountPool: no eligible account although one was counted available');
  }

  /**
   * Ends a lease. Anything but 'included' takes the account out of rotation until recover():
   * a rejected transaction did not use its nonce, so every later one of the account would sit
   * in a gap; after a timeout nobody knows whether the nonce was used.
   */
  settle(lease: Lease, outcome: 'included' | 'timeout'): void;
  settle(lease: Lease, outcome: 'failed', errorClass: RpcErrorClass): void;
  settle(lease: Lease, outcome: LeaseOutcome, errorClass?: RpcErrorClass): void {
    const slot = this.open.get(lease);
    if (!slot) throw new Error(`lease of nonce ${lease.nonce} of ${lease.account.address} is settled twice or is not from this pool`);
    this.open.delete(lease);
    this.counters.inFlight--;
    if (outcome === 'included') this.counters.included++;
    else if (outcome === 'timeout') this.counters.timeouts++;
    else {
      const cls = errorClass ?? 'tx_rejected';
      this.failures[cls] = (this.failures[cls] ?? 0) + 1;
    }
    this.change(slot, () => {
      slot.inFlight--;
      if (outcome !== 'included') slot.needsRecovery = true;
    });
    if (slot.inFlight === 0 && slot.drained.length > 0) {
      const waiters = slot.drained;
      slot.drained = [];
      for (const resolve of waiters) resolve();
    }
  }

  /**
   * Re-reads the account's nonce and puts it back into rotation; resolves to the nonce read.
   * Waits for the account's in-flight leases to settle first, so the read sees every one of
   * them (no lease of the old count can land after the new count). One recovery at a time per
   * account: a second call joins the first. If the read fails the account stays out of rotation.
   */
  recover(account: GasHammerAccount | Address): Promise<number> {
    const slot = this.slotOf(account);
    if (slot.recovering) return slot.recovering;
    this.change(slot, () => {
      slot.needsRecovery = true;
    });
    const run = async (): Promise<number> => {
      if (slot.inFlight > 0) await new Promise<void>((resolve) => slot.drained.push(resolve));
      const nonce = checkNonce(await this.readNonce(slot.account.address), slot.account.address);
      this.change(slot, () => {
        slot.nonce = nonce;
        slot.needsRecovery = false;
      });
      this.counters.recoveries++;
      return nonce;
    };
    const recovering = run().finally(() => {
      slot.recovering = undefined;
    });
    slot.recovering = recovering;
    return recovering;
  }

  /** Recovers every account awaiting it (`concurrency` reads at once); resolves to how many. */
  async recoverAll(concurrency: number = DEFAULT_NONCE_READ_CONCURRENCY): Promise<number> {
    const waiting = this.slots.filter((s) => s.needsRecovery || s.nonce === undefined);
    await mapBounded(waiting, concurrency, (slot) => this.recover(slot.account));
    return waiting.length;
  }

  /**
   * Starts recover() for up to `limit` accounts out of rotation with no recovery under way (a
   * re-read that failed, e.g. while a fault swallowed requests); returns how many it started.
   * Their failures are swallowed: the account stays out and the next call tries again.
   */
  retryRecoveries(limit: number): number {
    let started = 0;
    for (const slot of this.slots) {
      if (started >= limit) break;
      if (!slot.needsRecovery || slot.recovering !== undefined) continue;
      started++;
      this.recover(slot.account).catch(() => undefined);
    }
    return started;
  }

  /** Accounts out of rotation until recover(). */
  awaitingRecovery(): GasHammerAccount[] {
    return this.slots.filter((s) => s.needsRecovery).map((s) => s.account);
  }

  /** The next nonce the pool would lease for the account; undefined before it was read. */
  nonceOf(account: GasHammerAccount | Address): number | undefined {
    return this.slotOf(account).nonce;
  }

  inFlightOf(account: GasHammerAccount | Address): number {
    return this.slotOf(account).inFlight;
  }

  stats(): AccountPoolStats {
    return {
      accounts: this.slots.length,
      ...this.counters,
      failures: { ...this.failures },
      awaitingRecovery: this.slots.reduce((n, s) => n + (s.needsRecovery ? 1 : 0), 0),
    };
  }
}
