// The account pool: round-robin leases, the in-flight cap, recovery after a failure (the nonce
// re-read through the injected reader), and, as a property over 10,000 leases with random
// outcomes against a model chain, nonces that stay strictly sequential per account.

import fc from 'fast-check';
import type { Address } from 'viem';
import { describe, expect, it } from 'vitest';
import type { RpcErrorClass } from '../../src/chain/rpc-errors.js';
import { AccountPool, mapBounded, pendingNonceReader, type Lease } from '../../src/workload/account-pool.js';
import { deriveAccounts, type GasHammerAccount } from '../../src/workload/accounts.js';

const MNEMONIC = 'test test test test test test test test test test test junk';
const ACCOUNTS = deriveAccounts({ mnemonic: MNEMONIC, first: 0, count: 8 });

/** A reader over a table of nonces the test controls; counts its reads. */
function nonceTable(initial: (a: GasHammerAccount) => number = () => 0) {
  const nonces = new Map<string, number>(ACCOUNTS.map((a) => [a.address, initial(a)]));
  const reads: Address[] = [];
  return {
    nonces,
    reads,
    read: async (address: Address): Promise<number> => {
      reads.push(address);
      return nonces.get(address) ?? 0;
    },
  };
}

async function readyPool(accounts: readonly GasHammerAccount[], cap?: number, initial?: (a: GasHammerAccount) => number) {
  const table = nonceTable(initial);
  const pool = new AccountPool({ accounts, readNonce: table.read, ...(cap === undefined ? {} : { maxInFlightPerAccount: cap }) });
  await pool.initialize();
  return { pool, table };
}

function lease(pool: AccountPool): Lease {
  const l = pool.lease();
  if (!l) throw new Error('expected a lease');
  return l;
}

describe('AccountPool', () => {
  it('reads every starting nonce and leases nothing before that', async () => {
    const table = nonceTable((a) => a.index * 10);
    const pool = new AccountPool({ accounts: ACCOUNTS.slice(0, 3), readNonce: table.read });
    expect(pool.lease()).toBeUndefined();
    await pool.initialize();
    expect(table.reads).toHaveLength(3);
    expect([0, 1, 2].map(() => lease(pool).nonce)).toEqual([0, 10, 20]);
  });

  it('initialises with bounded concurrency', async () => {
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const read = async (): Promise<number> => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => gates.push(r));
      running--;
      return 0;
    };
    const pool = new AccountPool({ accounts: ACCOUNTS, readNonce: read });
    const done = pool.initialize(read, 3);
    // Release readers one by one as they queue up; each release lets the next one start.
    for (let released = 0; released < ACCOUNTS.length; released++) {
      while (gates.length === 0) await Promise.resolve();
      gates.shift()!();
    }
    await done;
    expect(peak).toBe(3);
    expect(pool.stats().accounts).toBe(8);
  });

  it('leases round-robin in pool order, nonces counting up per account', async () => {
    const { pool } = await readyPool(ACCOUNTS.slice(0, 3));
    const got = Array.from({ length: 7 }, () => lease(pool)).map((l) => [l.account.index, l.nonce]);
    expect(got).toEqual([[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [2, 1], [0, 2]]);
    expect(pool.stats().leases).toBe(7);
  });

  it('skips accounts at the in-flight cap and refuses when all are busy', async () => {
    const { pool } = await readyPool(ACCOUNTS.slice(0, 2), 2);
    const leases = Array.from({ length: 4 }, () => lease(pool));
    expect(leases.map((l) => l.account.index)).toEqual([0, 1, 0, 1]);
    expect(pool.lease()).toBeUndefined();
    expect(pool.stats().refusedBusy).toBe(1);
    // Freeing a slot of account 1 makes exactly account 1 leasable, with its next nonce.
    pool.settle(leases[1]!, 'included');
    const next = lease(pool);
    expect([next.account.index, next.nonce]).toEqual([1, 2]);
    expect(pool.lease()).toBeUndefined();
    expect(pool.inFlightOf(ACCOUNTS[0]!)).toBe(2);
    expect(pool.stats()).toMatchObject({ leases: 5, refusedBusy: 2, included: 1, inFlight: 4 });
  });

  it('defaults to 16 leases in flight per account', async () => {
    const { pool } = await readyPool(ACCOUNTS.slice(0, 1));
    const leases = Array.from({ length: 16 }, () => lease(pool));
    expect(leases.map((l) => l.nonce)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(pool.lease()).toBeUndefined();
  });

  it('takes a failed account out of rotation until recover() re-reads its pending nonce', async () => {
    const { pool, table } = await readyPool(ACCOUNTS.slice(0, 2));
    const a0 = lease(pool); // account 0, nonce 0
    const b0 = lease(pool); // account 1, nonce 0
    const a1 = lease(pool); // account 0, nonce 1
    pool.settle(a0, 'failed', 'underpriced');
    expect(pool.awaitingRecovery().map((a) => a.index)).toEqual([0]);
    // Only account 1 is leased while account 0 waits.
    expect([lease(pool), lease(pool)].map((l) => [l.account.index, l.nonce])).toEqual([[1, 1], [1, 2]]);

    // The recovery waits for nonce 1, still in flight, to settle before it reads the chain.
    table.reads.length = 0;
    const recovered = pool.recover(ACCOUNTS[0]!);
    await Promise.resolve();
    expect(table.reads).toEqual([]);
    pool.settle(a1, 'failed', 'nonce_too_high');
    // The chain never saw nonce 0: it still expects 0.
    expect(await recovered).toBe(0);
    expect(table.reads).toEqual([ACCOUNTS[0]!.address]);
    expect(pool.nonceOf(ACCOUNTS[0]!)).toBe(0);
    expect(pool.awaitingRecovery()).toEqual([]);
    const again = lease(pool);
    expect([again.account.index, again.nonce]).toEqual([0, 0]);
    pool.settle(b0, 'included');
    expect(pool.stats()).toMatchObject({ recoveries: 1, failures: { underpriced: 1, nonce_too_high: 1 }, included: 1 });
  });

  it('retries the re-reads that failed, one recovery per account at a time, up to the limit', async () => {
    const table = nonceTable();
    // A node that stops answering (a fault swallowing the reads) and comes back.
    let answering = true;
    const pool = new AccountPool({
      accounts: ACCOUNTS.slice(0, 3),
      readNonce: (address) => (answering ? table.read(address) : Promise.reject(new Error('no answer within 5000 ms'))),
    });
    await pool.initialize();
    for (const l of [lease(pool), lease(pool), lease(pool)]) pool.settle(l, 'failed', 'timeout');
    answering = false;
    await expect(pool.recover(ACCOUNTS[0]!)).rejects.toThrow('no answer');
    expect(pool.awaitingRecovery()).toHaveLength(3);
    // The node answers again: a retry sweep brings two back now and the third the next time.
    answering = true;
    expect(pool.retryRecoveries(2)).toBe(2);
    expect(pool.retryRecoveries(2)).toBe(1);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(pool.awaitingRecovery()).toEqual([]);
    expect(pool.retryRecoveries(2)).toBe(0);
    expect(pool.stats()).toMatchObject({ recoveries: 3 });
  });

  it('recovers from nonce too low (another sender used the account) at the chain\'s nonce', async () => {
    const { pool, table } = await readyPool(ACCOUNTS.slice(0, 1), 4, () => 5);
    const l = lease(pool);
    expect(l.nonce).toBe(5);
    table.nonces.set(ACCOUNTS[0]!.address, 9);
    pool.settle(l, 'failed', 'nonce_too_low');
    expect(pool.lease()).toBeUndefined();
    expect(await pool.recover(ACCOUNTS[0]!.address)).toBe(9);
    expect(lease(pool).nonce).toBe(9);
    expect(pool.stats().failures).toEqual({ nonce_too_low: 1 });
  });

  it('also re-reads after a timeout, when nobody knows whether the nonce was used', async () => {
    const { pool, table } = await readyPool(ACCOUNTS.slice(0, 1));
    const l = lease(pool);
    pool.settle(l, 'timeout');
    expect(pool.lease()).toBeUndefined();
    table.nonces.set(ACCOUNTS[0]!.address, 1); // it was included after all
    expect(await pool.recoverAll()).toBe(1);
    expect(lease(pool).nonce).toBe(1);
    expect(pool.stats()).toMatchObject({ timeouts: 1, recoveries: 1 });
  });

  it('joins concurrent recoveries of one account into one read, and keeps the account out after a failed read', async () => {
    let fail = true;
    let reads = 0;
    const pool = new AccountPool({
      accounts: ACCOUNTS.slice(0, 1),
      readNonce: async () => {
        reads++;
        if (fail) throw new Error('node down');
        return 3;
      },
    });
    await expect(pool.initialize()).rejects.toThrow('node down');
    expect(pool.lease()).toBeUndefined();
    fail = false;
    const [x, y] = await Promise.all([pool.recover(ACCOUNTS[0]!), pool.recover(ACCOUNTS[0]!)]);
    expect([x, y, reads]).toEqual([3, 3, 2]);
    expect(lease(pool).nonce).toBe(3);
  });

  it('refuses double settlement, foreign leases, foreign accounts and duplicate accounts', async () => {
    const { pool } = await readyPool(ACCOUNTS.slice(0, 2));
    const { pool: other } = await readyPool(ACCOUNTS.slice(0, 2));
    const l = lease(pool);
    pool.settle(l, 'included');
    expect(() => pool.settle(l, 'included')).toThrow(/settled twice/);
    expect(() => other.settle(lease(pool), 'included')).toThrow(/not from this pool/);
    expect(() => pool.nonceOf(ACCOUNTS[5]!)).toThrow(/not in this pool/);
    expect(() => new AccountPool({ accounts: [ACCOUNTS[0]!, ACCOUNTS[0]!], readNonce: async () => 0 })).toThrow(/twice/);
    expect(() => new AccountPool({ accounts: ACCOUNTS, readNonce: async () => 0, maxInFlightPerAccount: 0 })).toThrow(RangeError);
  });

  it('reads the pending nonce through the RPC client', async () => {
    const calls: unknown[][] = [];
    const read = pendingNonceReader({ getTransactionCount: async (...args: unknown[]) => (calls.push(args), 7) } as never);
    expect(await read(ACCOUNTS[0]!.address)).toBe(7);
    expect(calls).toEqual([[ACCOUNTS[0]!.address, 'pending']]);
  });

  it('mapBounded keeps order and stops at the first failure', async () => {
    expect(await mapBounded([3, 1, 2], 2, async (x) => x * 2)).toEqual([6, 2, 4]);
    const started: number[] = [];
    await expect(
      mapBounded([1, 2, 3, 4, 5], 1, async (x) => {
        started.push(x);
        if (x === 2) throw new Error('boom');
        return x;
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: 10,000 leases against a model chain with random outcomes.

/** mulberry32: a small seeded PRNG, so one fast-check seed replays one whole run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A cheap assertion for the hot loop (vitest's expect costs microseconds per call). */
function check(ok: boolean, message: () => string): void {
  if (!ok) throw new Error(message());
}

interface Issued {
  readonly lease: Lease;
  /** The account's recovery count when the lease was issued. */
  readonly epoch: number;
}

const REJECTIONS: readonly RpcErrorClass[] = ['underpriced', 'insufficient_funds', 'rate_limited', 'transport', 'tx_rejected'];

describe('AccountPool nonces (property)', () => {
  it('stay strictly sequential per account, with no gap the pool caused, over 10,000 leases', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer(),
          accounts: fc.integer({ min: 1, max: 8 }),
          cap: fc.integer({ min: 1, max: 16 }),
          failRate: fc.double({ min: 0, max: 0.2, noNaN: true }),
          timeoutRate: fc.double({ min: 0, max: 0.1, noNaN: true }),
          externalRate: fc.double({ min: 0, max: 0.01, noNaN: true }),
        }),
        async (p) => {
          const random = prng(p.seed);
          const accounts = ACCOUNTS.slice(0, p.accounts);
          // The model chain: the next nonce it accepts per account. It sees each account's
          // transactions in nonce order (one connection per account), accounts interleaved.
          const chain = new Map<string, number>(accounts.map((a) => [a.address, Math.floor(random() * 1000)]));
          const pool = new AccountPool({ accounts, readNonce: async (address) => chain.get(address)!, maxInFlightPerAccount: p.cap });
          await pool.initialize();

          const epoch = new Map<string, number>(accounts.map((a) => [a.address, 0]));
          /** Per account: whether this epoch saw a lease not included, or an outside sender. */
          const spoiled = new Map<string, { lost: boolean; external: boolean }>(accounts.map((a) => [a.address, { lost: false, external: false }]));
          const lastLeased = new Map<string, number | undefined>(accounts.map((a) => [a.address, undefined]));
          const recoveredAt = new Map<string, number | undefined>(accounts.map((a) => [a.address, chain.get(a.address)]));
          const inFlight = new Map<string, Issued[]>(accounts.map((a) => [a.address, []]));
          const included = new Map<string, number[]>(accounts.map((a) => [a.address, []]));
          const startNonce = new Map(chain);
          let leases = 0;
          let refused = 0;

          const settleOldest = (address: string): void => {
            const { lease: l, epoch: e } = inFlight.get(address)!.shift()!;
            const expected = chain.get(address)!;
            const state = spoiled.get(address)!;
            const current = e === epoch.get(address);
            if (l.nonce > expected) {
              // A gap: only ever after a lost lease of the same epoch.
              check(current && state.lost, () => `gap at ${l.nonce} of ${address}, the chain expects ${expected}, and no lease of this epoch was lost`);
              pool.settle(l, 'failed', 'nonce_too_high');
              return;
            }
            if (l.nonce < expected) {
              // Too low: only when someone else used the account (or a timed-out one landed).
              check(current && state.external, () => `nonce ${l.nonce} of ${address} is below the chain's ${expected} with no outside sender`);
              pool.settle(l, 'failed', 'nonce_too_low');
              return;
            }
            const roll = random();
            if (roll < p.failRate) {
              state.lost = true;
              pool.settle(l, 'failed', REJECTIONS[Math.floor(random() * REJECTIONS.length)]!);
            } else if (roll < p.failRate + p.timeoutRate) {
              // A timeout: the transaction may or may not have landed.
              if (random() < 0.5) {
                chain.set(address, expected + 1);
                included.get(address)!.push(l.nonce);
              } else state.lost = true;
              pool.settle(l, 'timeout');
            } else {
              chain.set(address, expected + 1);
              included.get(address)!.push(l.nonce);
              pool.settle(l, 'included');
            }
          };

          while (leases < 10_000) {
            const roll = random();
            if (roll < 0.5) {
              const l = pool.lease();
              if (!l) {
                refused++;
                continue;
              }
              const address = l.account.address;
              const previous = lastLeased.get(address);
              const recovered = recoveredAt.get(address);
              // Sequential: the next nonce, or the nonce just re-read after a recovery.
              const want = recovered ?? previous! + 1;
              check(l.nonce === want, () => `leased nonce ${l.nonce} of ${address}, expected ${want}`);
              recoveredAt.set(address, undefined);
              lastLeased.set(address, l.nonce);
              inFlight.get(address)!.push({ lease: l, epoch: epoch.get(address)! });
              check(pool.inFlightOf(address as Address) <= p.cap, () => `${address} has more than ${p.cap} leases in flight`);
              leases++;
            } else if (roll < 0.9) {
              const busy = accounts.filter((a) => inFlight.get(a.address)!.length > 0);
              if (busy.length > 0) settleOldest(busy[Math.floor(random() * busy.length)]!.address);
            } else if (roll < 0.9 + p.externalRate) {
              const a = accounts[Math.floor(random() * accounts.length)]!;
              chain.set(a.address, chain.get(a.address)! + 1);
              spoiled.get(a.address)!.external = true;
            } else {
              // Recover accounts whose leases have all settled (a recovery waits for them).
              for (const a of pool.awaitingRecovery()) {
                if (inFlight.get(a.address)!.length > 0) continue;
                const nonce = await pool.recover(a);
                check(nonce === chain.get(a.address), () => `recovered ${nonce} for ${a.address}, the chain says ${chain.get(a.address)}`);
                epoch.set(a.address, epoch.get(a.address)! + 1);
                spoiled.set(a.address, { lost: false, external: false });
                recoveredAt.set(a.address, nonce);
              }
            }
          }

          // Drain: settle everything, recover, and the pool agrees with the chain everywhere.
          for (const a of accounts) while (inFlight.get(a.address)!.length > 0) settleOldest(a.address);
          await pool.recoverAll();
          for (const a of accounts) {
            expect(pool.nonceOf(a)).toBe(chain.get(a.address));
            // What the chain included is one contiguous run per account, minus outside sends.
            const got = included.get(a.address)!;
            expect(got).toEqual([...got].sort((x, y) => x - y));
            expect(new Set(got).size).toBe(got.length);
            expect(got.every((n) => n >= startNonce.get(a.address)! && n < chain.get(a.address)!)).toBe(true);
          }
          const stats = pool.stats();
          expect(stats.leases).toBe(10_000);
          expect(stats.refusedBusy).toBe(refused);
          expect(stats.inFlight).toBe(0);
        },
      ),
      { numRuns: 25 },
    );
  });
});
