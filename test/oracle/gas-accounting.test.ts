// gas-accounting on real devnet data: transactions signed and sent to the embedded devnet, and
// observed from their receipts and blocks. Passing: real transfers, a noop and contract calls.
// Failing for real: a call that reverts under a template expecting success, and a transfer with
// calldata labelled simple-transfer. Data the chain cannot produce (a gas limit below gasUsed,
// an L1 part above the total, a price below the base fee) is real data tampered with, and the
// tests say so.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GasBurner, Reverter, StorageWriter } from '../../src/devnet/contract-artifacts.js';
import { GAS_ACCOUNTING, GasAccounting } from '../../src/oracle/gas-accounting.js';
import { createInvariants, observeAll, runOracle } from '../../src/oracle/invariant.js';
import { ARBOS_ADDRESS, type IncludedTx, type OracleContext } from '../../src/oracle/observations.js';
import { call, observe, OUTSIDE, sendAll, startOracleDevnet, type OracleDevnet } from './devnet-run.js';

let run: OracleDevnet;

beforeAll(async () => {
  run = await startOracleDevnet(3);
}, 60_000);

afterAll(async () => {
  await run?.devnet.stop();
});

const ctx = (): OracleContext => ({ accounts: run.addresses, unresolvedByAccount: new Map() });

function checked(observations: readonly IncludedTx[]) {
  const invariant = new GasAccounting();
  for (const o of observations) invariant.observe(o);
  return invariant.check(ctx());
}

describe('gas-accounting on the embedded devnet', () => {
  it('passes real transfers, a noop and successful contract calls, each under its template', async () => {
    const [a, b] = run.accounts;
    const { storageWriter, gasBurner } = run.devnet.contracts;
    const sent = await sendAll(run, [
      { from: a!, to: b!.address, value: 1_000n, gas: 21_000n, template: 'simple-transfer' },
      { from: b!, to: b!.address, value: 0n, gas: 21_000n, template: 'noop' },
      { from: a!, to: storageWriter, data: call(StorageWriter.abi, 'write', [7n, 42n]), template: 'storage-write' },
      { from: b!, to: gasBurner, data: call(GasBurner.abi, 'burn', [50n]), template: 'compute-heavy' },
    ]);
    const observations = await observe(run, sent);
    // anvil reports no L1 gas: compute gas is gasUsed.
    expect(observations.map((o) => o.gasUsedForL1)).toEqual([undefined, undefined, undefined, undefined]);
    expect(observations.slice(0, 2).map((o) => o.gasUsed)).toEqual([21_000, 21_000]);

    const verdict = checked(observations);

    expect(verdict).toMatchObject({ name: GAS_ACCOUNTING, mode: 'both', status: 'pass', checked: 4, violationCount: 0, violations: [] });
  });

  it('fails a call that really reverts while its template (storage-write; stand-in: a Reverter call) expects success', async () => {
    const [a] = run.accounts;
    const sent = await sendAll(run, [
      // Gas given: estimating a certain revert fails.
      { from: a!, to: run.devnet.contracts.reverter, data: call(Reverter.abi, 'succeedOrRevert', [true]), gas: 100_000n, template: 'storage-write' },
    ]);
    const [o] = await observe(run, sent);
    expect(o!.success).toBe(false);

    const verdict = checked([o!]);

    expect(verdict.status).toBe('fail');
    expect(verdict.violationCount).toBe(1);
    expect(verdict.violations[0]).toEqual({
      description: 'the receipt status is not what template storage-write expects',
      expected: 'success (template storage-write)',
      actual: 'reverted (status 0)',
      txHash: o!.hash,
      blockNumber: o!.blockNumber.toString(),
      account: a!.address.toLowerCase(),
    });
  });

  it('fails a transfer labelled simple-transfer whose real compute gas is not 21,000 (it carries 4 bytes of calldata)', async () => {
    const [a, b] = run.accounts;
    const sent = await sendAll(run, [{ from: a!, to: b!.address, value: 1n, data: '0x47484d52', template: 'simple-transfer' }]);
    const [o] = await observe(run, sent);
    // 21,000 plus the calldata's cost (anvil's hardfork prices calldata at EIP-7623's floor).
    expect(o!.gasUsed).toBeGreaterThan(21_000);

    const verdict = checked([o!]);

    expect(verdict.status).toBe('fail');
    expect(verdict.violations).toEqual([
      expect.objectContaining({
        description: 'a plain transfer (template simple-transfer) used compute gas other than 21000',
        expected: 'compute gas 21000 (gasUsed - gasUsedForL1)',
        actual: `compute gas ${o!.gasUsed} (gasUsed ${o!.gasUsed}, gasUsedForL1 not reported)`,
        txHash: o!.hash,
      }),
    ]);
  });

  it('the same calldata transfer under calldata-heavy passes: only plain transfers must be 21,000', async () => {
    const [a, b] = run.accounts;
    const [o] = await observe(run, await sendAll(run, [{ from: a!, to: b!.address, data: '0x47484d52', template: 'calldata-heavy' }]));
    expect(checked([o!]).status).toBe('pass');
  });

  describe('real transfers with tampered fields (the chain cannot produce these)', () => {
    let transfer: IncludedTx;

    beforeAll(async () => {
      const [a, b] = run.accounts;
      [transfer] = (await observe(run, await sendAll(run, [{ from: a!, to: b!.address, value: 5n, gas: 21_000n, template: 'simple-transfer' }]))) as [IncludedTx];
      expect(checked([transfer]).status).toBe('pass');
    });

    it('tampered data: fails a gas limit below gasUsed', () => {
      const verdict = checked([{ ...transfer, gasLimit: 20_999 }]);
      expect(verdict.status).toBe('fail');
      expect(verdict.violations).toEqual([
        expect.objectContaining({ description: 'gasUsed is above the gas limit the transaction was signed with', expected: 'gasUsed <= gasLimit 20999', actual: 'gasUsed 21000' }),
      ]);
    });

    it('tampered data (anvil reports no gasUsedForL1): fails gasUsedForL1 above gasUsed', () => {
      const verdict = checked([{ ...transfer, gasUsedForL1: 21_001, template: 'storage-write' }]);
      expect(verdict.violations).toEqual([expect.objectContaining({ description: 'gasUsedForL1 is above gasUsed (the L1 part cannot exceed the total)', actual: 'gasUsedForL1 21001' })]);
    });

    it('tampered data: fails an effective gas price below the block base fee', () => {
      const verdict = checked([{ ...transfer, effectiveGasPrice: transfer.baseFeePerGas! - 1n }]);
      expect(verdict.violations).toEqual([
        expect.objectContaining({ description: "the effective gas price is below the block's base fee", expected: `effectiveGasPrice >= base fee ${transfer.baseFeePerGas} wei` }),
      ]);
    });

    it('stand-in for a Nitro receipt (L1 gas added to a real transfer): compute gas excludes gasUsedForL1', () => {
      const nitroLike = { ...transfer, gasUsed: transfer.gasUsed + 3_456, gasUsedForL1: 3_456, gasLimit: 30_000 };
      expect(checked([nitroLike]).status).toBe('pass');
      const wrongSplit = { ...nitroLike, gasUsedForL1: 3_000 };
      expect(checked([wrongSplit]).violations).toEqual([expect.objectContaining({ actual: 'compute gas 21456 (gasUsed 24456, gasUsedForL1 3000)' })]);
    });

    it('without a gas limit, base fee or template the checks that need them are not made, and the note says so', () => {
      const verdict = checked([{ ...transfer, gasLimit: undefined, baseFeePerGas: undefined, template: undefined }, { ...transfer, template: 'my-template' }]);
      expect(verdict.status).toBe('pass');
      expect(verdict.note).toContain('1 without a known gas limit');
      expect(verdict.note).toContain('1 without a known base fee');
      expect(verdict.note).toContain('1 without a known template');
      expect(verdict.note).toContain('1 without a template in the catalogue');
    });

    it("tampered data: Nitro's ArbOS internal transaction is never GasHammer's and is left out", () => {
      const invariants = createInvariants(['gas-accounting']);
      const internal = { ...transfer, from: ARBOS_ADDRESS, gasUsed: 0, effectiveGasPrice: 0n, template: 'simple-transfer' };
      expect(observeAll(invariants, internal)).toBe(false);
      expect(observeAll(invariants, transfer)).toBe(true);
      expect(runOracle(invariants, ctx()).invariants[0]).toMatchObject({ status: 'pass', checked: 1 });
    });
  });

  it('keeps the first 100 of 120 real violations with the true count (120 calldata transfers labelled simple-transfer)', async () => {
    const [a, b, c] = run.accounts;
    const senders = [a!, b!, c!];
    const gas = await run.client.estimateGas({ from: a!.address, to: OUTSIDE, data: '0x01' });
    const sent = await sendAll(
      run,
      Array.from({ length: 120 }, (_, i) => ({ from: senders[i % 3]!, to: OUTSIDE, data: '0x01' as const, gas, template: 'simple-transfer' })),
    );
    const observations = await observe(run, sent);
    expect(observations.every((o) => o.success && o.gasUsed > 21_000)).toBe(true);

    const invariants = createInvariants(['gas-accounting']);
    for (const o of observations) observeAll(invariants, o);
    const report = runOracle(invariants, ctx());

    const [verdict] = report.invariants;
    expect(verdict).toMatchObject({ status: 'fail', checked: 120, violationCount: 120 });
    expect(verdict!.violations).toHaveLength(100);
    // The first 100 observed, in order.
    expect(verdict!.violations.map((v) => v.txHash)).toEqual(observations.slice(0, 100).map((o) => o.hash));
    expect(report).toMatchObject({ violationCount: 120, passed: false });
  });

  it('is skipped, not passed, when no transaction was observed', () => {
    const verdict = new GasAccounting().check(ctx());
    expect(verdict).toMatchObject({ status: 'skipped', checked: 0, violationCount: 0 });
    expect(verdict.note).toContain('no included transaction was observed');
    expect(runOracle([new GasAccounting()], ctx()).passed).toBe(false);
  });

  it('copies what it keeps: an observation object reused by the caller does not change a violation', async () => {
    const [a, b] = run.accounts;
    const [o] = await observe(run, await sendAll(run, [{ from: a!, to: b!.address, data: '0x02', template: 'noop' }]));
    const invariant = new GasAccounting();
    const reused = { ...o! };
    invariant.observe(reused);
    Object.assign(reused, { hash: '0xreused', blockNumber: 1, from: '0xother' });
    expect(invariant.check(ctx()).violations[0]).toMatchObject({ txHash: o!.hash, blockNumber: o!.blockNumber.toString(), account: o!.from });
  });
});
