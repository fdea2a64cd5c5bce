// balance-conservation on real devnet data: balances read from the chain at the run's first and
// last block, observations from the real receipts. Failing for real: anvil_setBalance creates wei
// in a load account mid-run, an outside account sends wei in, and a load account's transfer out
// is left out of the observations.

import { numberToHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonRpcCall } from '../../src/chain/json-rpc-call.js';
import { Reverter, StorageWriter } from '../../src/devnet/contract-artifacts.js';
import { BALANCE_CONSERVATION, BalanceConservation } from '../../src/oracle/balance-conservation.js';
import { runOracle } from '../../src/oracle/invariant.js';
import type { ChainSnapshot, IncludedTx, OracleContext } from '../../src/oracle/observations.js';
import { call, faucetSender, observe, OUTSIDE, sendAll, snapshot, startOracleDevnet, type OracleDevnet, type Send } from './devnet-run.js';

let run: OracleDevnet;

beforeAll(async () => {
  run = await startOracleDevnet(4);
}, 60_000);

afterAll(async () => {
  await run?.devnet.stop();
});

function check(start: ChainSnapshot | undefined, end: ChainSnapshot | undefined, observations: readonly IncludedTx[], extra: Partial<OracleContext> = {}) {
  const invariant = new BalanceConservation();
  for (const o of observations) invariant.observe(o);
  return invariant.check({ ...(start ? { start } : {}), ...(end ? { end } : {}), accounts: run.addresses, unresolvedByAccount: new Map(), ...extra });
}

function ring(value: bigint): Send[] {
  return run.accounts.map((from, i) => ({ from, to: run.accounts[(i + 1) % run.accounts.length]!.address, value, gas: 21_000n }));
}

describe('balance-conservation on the embedded devnet', () => {
  it('passes a real run: transfers between load accounts, one to an outside account, a contract call, and a revert that still pays its fee', async () => {
    const [a, b, c] = run.accounts;
    const start = await snapshot(run);
    const observations = await observe(
      run,
      await sendAll(run, [
        ...ring(12_345n),
        { from: b!, to: OUTSIDE, value: 777n, gas: 21_000n },
        { from: c!, to: run.devnet.contracts.storageWriter, data: call(StorageWriter.abi, 'write', [1n, 2n]) },
        // Value to a non-payable function: reverted, so the value stays and only the fee goes.
        { from: a!, to: run.devnet.contracts.reverter, value: 5_000n, data: call(Reverter.abi, 'succeedOrRevert', [false]), gas: 100_000n },
      ]),
    );
    const end = await snapshot(run);
    expect(observations.map((o) => o.success)).toEqual([true, true, true, true, true, true, false]);

    const verdict = check(start, end, observations);

    expect(verdict).toMatchObject({ name: BALANCE_CONSERVATION, mode: 'post-run', status: 'pass', checked: 4, violationCount: 0 });
    expect(verdict.note).toMatch(/^7 transactions observed, [0-9]+ wei of fees debited$/);
  });

  it('passes a real run whose values and fees cross 2^53 wei (the exact float sums spill into bigints), and still finds one wei missing', async () => {
    const [a, b] = run.accounts;
    const start = await snapshot(run);
    const near = 2n ** 53n - 5n;
    const observations = await observe(
      run,
      await sendAll(run, [
        { from: a!, to: b!.address, value: near, gas: 21_000n },
        { from: a!, to: b!.address, value: 7n, gas: 21_000n },
        { from: b!, to: a!.address, value: 10n ** 18n, gas: 21_000n },
        { from: a!, to: b!.address, value: 3n, gas: 21_000n },
      ]),
    );
    const end = await snapshot(run);
    expect(check(start, end, observations)).toMatchObject({ status: 'pass', violationCount: 0 });

    const account = a!.address.toLowerCase();
    const endState = end.accounts.get(account)!;
    const oneWeiLess: ChainSnapshot = { ...end, accounts: new Map([...end.accounts, [account, { ...endState, balance: endState.balance - 1n }]]) };
    const verdict = check(start, oneWeiLess, observations);
    expect(verdict.status).toBe('fail');
    expect(verdict.violations[0]).toMatchObject({ account, actual: expect.stringContaining('(-1 wei)') });
  });

  it('fails when anvil_setBalance creates wei in a load account mid-run', async () => {
    const [, b] = run.accounts;
    const account = b!.address.toLowerCase();
    const start = await snapshot(run);
    const first = await observe(run, await sendAll(run, ring(1_000n)));
    const created = 123_456_789n;
    const now = await run.client.getBalance(b!.address, 'latest');
    await jsonRpcCall(run.devnet.rpcUrl, 'anvil_setBalance', [b!.address, numberToHex(now + created)]);
    const second = await observe(run, await sendAll(run, ring(2_000n)));
    const end = await snapshot(run);

    const verdict = check(start, end, [...first, ...second]);

    expect(verdict.status).toBe('fail');
    expect(verdict.violationCount).toBe(2);
    expect(verdict.violations[0]).toMatchObject({
      description: `account ${account}: its balance at block ${end.blockNumber} is ${created} wei more than its observed transactions explain (wei created)`,
      actual: `${end.accounts.get(account)!.balance} wei (+${created} wei)`,
      blockNumber: end.blockNumber.toString(),
      account,
    });
    expect(verdict.violations[0]!.expected).toMatch(new RegExp(`^${end.accounts.get(account)!.balance - created} wei = start ${start.accounts.get(account)!.balance} \\(block ${start.blockNumber}\\) - sent 3000 \\+ received 3000 - fees [0-9]+ \\(2 transactions sent\\)$`));
    // And the set as a whole holds wei from nowhere.
    expect(verdict.violations[1]).toMatchObject({ description: `the closed set of 4 GasHammer accounts holds ${created} wei more than its observed transactions explain`, actual: `+${created} wei over the set` });
  });

  it('fails when an outside account sends wei to a load account (not in the observations)', async () => {
    const [, , c] = run.accounts;
    const start = await snapshot(run);
    const observed = await observe(run, await sendAll(run, ring(10n)));
    await sendAll(run, [{ from: faucetSender(run), to: c!.address, value: 4_242n, gas: 21_000n }]);
    const end = await snapshot(run);

    const verdict = check(start, end, observed);

    expect(verdict.status).toBe('fail');
    expect(verdict.violations.map((v) => [v.account, v.actual.replace(/^[0-9]+ wei /, '')])).toEqual([
      [c!.address.toLowerCase(), '(+4242 wei)'],
      [undefined, '+4242 wei over the set'],
    ]);
  });

  it("fails when a load account's transfer to an outside account is not observed, and names the timeouts that may explain it", async () => {
    const [a] = run.accounts;
    const account = a!.address.toLowerCase();
    const start = await snapshot(run);
    const observed = await observe(run, await sendAll(run, ring(10n)));
    const [unobserved] = await observe(run, await sendAll(run, [{ from: a!, to: OUTSIDE, value: 9_999n, gas: 21_000n }]));
    const end = await snapshot(run);
    const missing = 9_999n + BigInt(unobserved!.gasUsed) * unobserved!.effectiveGasPrice;

    const verdict = check(start, end, observed, { unresolvedByAccount: new Map([[account, 1]]) });

    expect(verdict.status).toBe('fail');
    expect(verdict.violations[0]).toMatchObject({
      description:
        `account ${account}: its balance at block ${end.blockNumber} is ${missing} wei less than its observed transactions explain (wei destroyed); ` +
        '1 transaction of this account was sent but never seen included or failed (timeouts): landing after all would explain this',
      actual: `${end.accounts.get(account)!.balance} wei (-${missing} wei)`,
    });
    // With the transaction observed, everything adds up.
    expect(check(start, end, [...observed, unobserved!]).status).toBe('pass');
  });

  it('is skipped, not passed, without an end snapshot', async () => {
    const start = await snapshot(run);
    const observations = await observe(run, await sendAll(run, ring(1n)));

    const verdict = check(start, undefined, observations);

    expect(verdict).toMatchObject({ status: 'skipped', checked: 0, violationCount: 0 });
    expect(verdict.note).toBe("not checked: no end snapshot (balances at the run's first and last block are needed)");
    expect(runOracle([new BalanceConservation()], { start, accounts: run.addresses, unresolvedByAccount: new Map() }).passed).toBe(false);
  });

  it('is skipped when the snapshots do not bracket the observations (the end snapshot read before the last transaction)', async () => {
    const start = await snapshot(run);
    const first = await observe(run, await sendAll(run, ring(1n)));
    const tooEarly = await snapshot(run);
    const second = await observe(run, await sendAll(run, ring(1n)));

    const verdict = check(start, tooEarly, [...first, ...second]);

    expect(verdict.status).toBe('skipped');
    expect(verdict.note).toContain(`after the end snapshot's block ${tooEarly.blockNumber}`);
  });

  it('is skipped when a run account is missing from the snapshots', async () => {
    const start = await snapshot(run);
    const end = await snapshot(run);
    const verdict = check(start, end, [], { accounts: [...run.addresses, '0x00000000000000000000000000000000000000aa'] });
    expect(verdict).toMatchObject({ status: 'skipped', checked: 4 });
    expect(verdict.note).toContain('1 of 5 accounts are missing from a snapshot');
  });

  it('is skipped with no run account to check', async () => {
    const start = await snapshot(run);
    expect(check(start, start, [], { accounts: [] })).toMatchObject({ status: 'skipped', checked: 0, note: expect.stringMatching(/^no run account to check;/) });
  });
});
