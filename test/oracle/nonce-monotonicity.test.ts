// nonce-monotonicity on real devnet data: load accounts send signed transactions, the run's
// start and end nonces are read from the chain, and the observations come from the receipts.
// Failing for real: a transaction sent outside the observed set puts the on-chain nonce ahead.
// Observed sets with a gap or a duplicate are real observations with one dropped or replayed
// (what lost or repeated telemetry looks like); the chain itself cannot include a nonce twice.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvariants, runOracle } from '../../src/oracle/invariant.js';
import { NONCE_MONOTONICITY, NonceMonotonicity } from '../../src/oracle/nonce-monotonicity.js';
import type { ChainSnapshot, IncludedTx, OracleContext } from '../../src/oracle/observations.js';
import { observe, OUTSIDE, sendAll, snapshot, startOracleDevnet, type OracleDevnet, type Send } from './devnet-run.js';

let run: OracleDevnet;

beforeAll(async () => {
  run = await startOracleDevnet(3);
}, 60_000);

afterAll(async () => {
  await run?.devnet.stop();
});

interface MiniRun {
  readonly start: ChainSnapshot;
  readonly end: ChainSnapshot;
  readonly observations: IncludedTx[];
}

/** Start snapshot, the sends (all observed), end snapshot. */
async function miniRun(sends: readonly Send[]): Promise<MiniRun> {
  const start = await snapshot(run);
  const observations = await observe(run, await sendAll(run, sends));
  const end = await snapshot(run);
  return { start, end, observations };
}

function transfers(perAccount: number): Send[] {
  return run.accounts.flatMap((from, i) => Array.from({ length: perAccount }, () => ({ from, to: run.accounts[(i + 1) % run.accounts.length]!.address, value: 1n, gas: 21_000n })));
}

function check(r: Pick<MiniRun, 'start' | 'end'>, observations: readonly IncludedTx[], extra: Partial<OracleContext> = {}) {
  const invariant = new NonceMonotonicity();
  for (const o of observations) invariant.observe(o);
  return invariant.check({ start: r.start, end: r.end, accounts: run.addresses, unresolvedByAccount: new Map(), ...extra });
}

describe('nonce-monotonicity on the embedded devnet', () => {
  it('passes a real run: every account\'s nonces contiguous from its start nonce, the end nonce as expected', async () => {
    const r = await miniRun(transfers(4));
    expect(r.observations).toHaveLength(12);
    expect(r.observations.every((o) => o.success)).toBe(true);

    const verdict = check(r, r.observations);

    expect(verdict).toMatchObject({ name: NONCE_MONOTONICITY, mode: 'both', status: 'pass', checked: 3, violationCount: 0 });
  });

  it('passes the same observations in any order (receipts arrive out of order)', async () => {
    const r = await miniRun(transfers(5));
    const shuffled = [...r.observations].reverse();
    [shuffled[0], shuffled[7]] = [shuffled[7]!, shuffled[0]!];
    expect(check(r, shuffled).status).toBe('pass');
  });

  it('fails when a transaction was sent outside the observed set: the on-chain nonce is ahead', async () => {
    const [a] = run.accounts;
    const start = await snapshot(run);
    const observed = await observe(run, await sendAll(run, transfers(2)));
    // A real transaction from a load account that GasHammer never observed.
    await sendAll(run, [{ from: a!, to: OUTSIDE, value: 1n, gas: 21_000n }]);
    const end = await snapshot(run);
    const account = a!.address.toLowerCase();

    const verdict = check({ start, end }, observed);

    expect(verdict.status).toBe('fail');
    expect(verdict.violations).toEqual([
      {
        description: `account ${account}: its on-chain nonce at block ${end.blockNumber} is 1 ahead of the nonces seen included (1 transaction included that GasHammer did not observe)`,
        expected: `nonce ${start.accounts.get(account)!.nonce + 2} = start nonce ${start.accounts.get(account)!.nonce} + 2 included`,
        actual: `nonce ${start.accounts.get(account)!.nonce + 3}`,
        blockNumber: end.blockNumber.toString(),
        account,
      },
    ]);
  });

  it('says when timeouts may explain the difference', async () => {
    const [a] = run.accounts;
    const start = await snapshot(run);
    await sendAll(run, [{ from: a!, to: OUTSIDE, value: 1n, gas: 21_000n }]);
    const end = await snapshot(run);
    const account = a!.address.toLowerCase();

    const verdict = check({ start, end }, [], { unresolvedByAccount: new Map([[account, 1]]) });

    expect(verdict.violations[0]!.description).toContain('1 transaction of this account was sent but never seen included or failed (timeouts)');
  });

  it('fails an observed set with a gap (one real observation dropped)', async () => {
    const r = await miniRun(transfers(4));
    const [a] = run.accounts;
    const account = a!.address.toLowerCase();
    const startNonce = r.start.accounts.get(account)!.nonce;
    const dropped = r.observations.find((o) => o.from === account && o.nonce === startNonce + 1)!;

    const verdict = check(
      r,
      r.observations.filter((o) => o !== dropped),
    );

    expect(verdict.status).toBe('fail');
    expect(verdict.violations).toEqual([
      {
        description: `account ${account}: nonce ${startNonce + 1} was never seen included though later nonces were`,
        expected: `nonces contiguous from ${startNonce} (the start nonce)`,
        actual: `missing ${startNonce + 1} (1); highest included ${startNonce + 3}`,
        account,
      },
      // Three of four seen, yet the chain used all four.
      expect.objectContaining({ description: expect.stringContaining('is 1 ahead of the nonces seen included'), account }),
    ]);
  });

  it('fails a gap at the start: the first nonce of the run never seen', async () => {
    const r = await miniRun(transfers(3));
    const [, b] = run.accounts;
    const account = b!.address.toLowerCase();
    const startNonce = r.start.accounts.get(account)!.nonce;

    const verdict = check(
      r,
      r.observations.filter((o) => !(o.from === account && o.nonce === startNonce)),
    );

    expect(verdict.violations[0]).toMatchObject({ description: `account ${account}: nonce ${startNonce} was never seen included though later nonces were`, actual: `missing ${startNonce} (1); highest included ${startNonce + 2}` });
  });

  it('fails an observed set with a duplicate (one real observation replayed)', async () => {
    const r = await miniRun(transfers(3));
    const replayed = r.observations[1]!;

    const verdict = check(r, [...r.observations, replayed]);

    expect(verdict.status).toBe('fail');
    // The end nonce still matches: the replay is counted once as a nonce, once as a duplicate.
    expect(verdict.violations).toEqual([
      {
        description: `account ${replayed.from}: nonce ${replayed.nonce} seen included more than once`,
        expected: 'each nonce included once',
        actual: `nonce ${replayed.nonce} again in transaction ${replayed.hash} (block ${replayed.blockNumber})`,
        txHash: replayed.hash,
        blockNumber: replayed.blockNumber.toString(),
        account: replayed.from,
      },
    ]);
  });

  it('fails nonces below the start nonce (observations from before the run; stand-in: a start snapshot read too late)', async () => {
    const early = await miniRun(transfers(1));
    const late = await snapshot(run);

    const verdict = check({ start: late, end: late }, early.observations);

    expect(verdict.status).toBe('fail');
    expect(verdict.violations.filter((v) => v.description.includes('below its start nonce'))).toHaveLength(3);
  });

  it('is skipped, not passed, after the run without snapshots, but still reports what it can see', async () => {
    const r = await miniRun(transfers(2));
    const invariants = createInvariants(['nonce-monotonicity']);
    for (const o of r.observations) invariants[0]!.observe(o);

    const report = runOracle(invariants, { accounts: run.addresses, unresolvedByAccount: new Map() });

    expect(report.passed).toBe(false);
    expect(report.invariants[0]).toMatchObject({ status: 'skipped', violationCount: 0 });
    expect(report.invariants[0]!.note).toContain('no start and end snapshot');
    invariants[0]!.observe(r.observations[0]!);
    expect(runOracle(invariants, { accounts: run.addresses, unresolvedByAccount: new Map() }).invariants[0]!.status).toBe('fail');
  });

  it('is skipped when a run account is missing from the snapshots', async () => {
    const r = await miniRun(transfers(1));
    const verdict = check(r, r.observations, { accounts: [...run.addresses, '0x00000000000000000000000000000000000000aa'] });
    expect(verdict.status).toBe('skipped');
    expect(verdict.note).toContain('2 snapshot entries missing');
  });

  it('live: times each gap from when it became the lowest one', async () => {
    const r = await miniRun(transfers(5));
    const [a] = run.accounts;
    const account = a!.address.toLowerCase();
    const n = r.start.accounts.get(account)!.nonce;
    const ofA = (nonce: number) => r.observations.find((o) => o.from === account && o.nonce === nonce)!;
    const invariant = new NonceMonotonicity({ gapGraceMs: 10_000 });
    for (const o of r.observations) if (o.from !== account) invariant.observe(o);
    for (const nonce of [n, n + 2, n + 4]) invariant.observe(ofA(nonce));
    const live = (atMs: number) => invariant.check({ start: r.start, accounts: run.addresses, unresolvedByAccount: new Map(), liveAtMs: atMs });
    const gapsAt = (atMs: number) => live(atMs).violations.map((v) => v.description.replace(/ though.*/, ''));

    expect(gapsAt(0)).toEqual([]);
    expect(gapsAt(10_000)).toEqual([`account ${account}: nonce ${n + 1} was never seen included`]);
    invariant.observe(ofA(n + 1));
    expect(gapsAt(15_000)).toEqual([]);
    expect(gapsAt(24_999)).toEqual([]);
    expect(gapsAt(25_000)).toEqual([`account ${account}: nonce ${n + 3} was never seen included`]);
  });

  it('live: holds a gap for the grace period, then reports it; a gap that closes is not reported', async () => {
    const r = await miniRun(transfers(3));
    const [a] = run.accounts;
    const account = a!.address.toLowerCase();
    const startNonce = r.start.accounts.get(account)!.nonce;
    const late = r.observations.find((o) => o.from === account && o.nonce === startNonce + 1)!;
    const invariant = new NonceMonotonicity({ gapGraceMs: 10_000 });
    for (const o of r.observations) if (o !== late) invariant.observe(o);
    const live = (atMs: number) => invariant.check({ start: r.start, accounts: run.addresses, unresolvedByAccount: new Map(), liveAtMs: atMs });

    expect(live(0)).toMatchObject({ status: 'pass', violationCount: 0 });
    expect(live(9_999)).toMatchObject({ status: 'pass', violationCount: 0 });
    const overdue = live(10_000);
    expect(overdue.status).toBe('fail');
    expect(overdue.violations).toEqual([expect.objectContaining({ description: `account ${account}: nonce ${startNonce + 1} was never seen included though later nonces were (open for 10 s or more)` })]);
    expect(overdue.note).toContain('the end nonce is checked after the run');

    invariant.observe(late);
    expect(live(10_001)).toMatchObject({ status: 'pass', violationCount: 0 });
  });
});
