// The live oracle, fed the telemetry events an edge records (TxSubmitted from what was signed,
// TxIncluded from the real receipts of the embedded devnet), checking on vitest's fake timers:
// when checks run, that each violation is reported once, how the TxSubmitted join, nonce-gap
// grace, timeouts and the 100-violation list behave, and that a failing callback does not stop it.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Reverter } from '../../src/devnet/contract-artifacts.js';
import { isGasHammerError } from '../../src/errors/gashammer-error.js';
import { LiveOracle, type LiveOracleOptions, type LiveViolations } from '../../src/oracle/live-oracle.js';
import type { ChainSnapshot, IncludedTx } from '../../src/oracle/observations.js';
import type { TelemetryEvent } from '../../src/telemetry/events.js';
import { call, includedEvent, observe, OUTSIDE, sendAll, snapshot, startOracleDevnet, submittedEvent, type OracleDevnet, type SentTx } from './devnet-run.js';

interface Observed {
  readonly sent: SentTx;
  readonly included: IncludedTx;
}

let run: OracleDevnet;
let start: ChainSnapshot;
let reverted: Observed;
let calldataTransfer: Observed;
/** Three consecutive transfers of one account. */
let sequence: Observed[];
/** 120 transfers with calldata labelled simple-transfer. */
let many: Observed[];

async function observed(sends: Parameters<typeof sendAll>[1]): Promise<Observed[]> {
  const sent = await sendAll(run, sends);
  const included = await observe(run, sent);
  return sent.map((s, i) => ({ sent: s, included: included[i]! }));
}

beforeAll(async () => {
  run = await startOracleDevnet(3);
  const [a, b, c] = run.accounts;
  start = await snapshot(run);
  [reverted] = (await observed([
    { from: a!, to: run.devnet.contracts.reverter, data: call(Reverter.abi, 'succeedOrRevert', [true]), gas: 100_000n, template: 'storage-write' },
  ])) as [Observed];
  [calldataTransfer] = (await observed([{ from: b!, to: OUTSIDE, value: 1n, data: '0x47484d52', template: 'simple-transfer' }])) as [Observed];
  sequence = await observed([0, 1, 2].map(() => ({ from: c!, to: OUTSIDE, value: 1n, gas: 21_000n, template: 'simple-transfer' })));
  const gas = await run.client.estimateGas({ from: a!.address, to: OUTSIDE, data: '0x01' });
  many = await observed(Array.from({ length: 120 }, (_, i) => ({ from: run.accounts[i % 3]!, to: OUTSIDE, data: '0x01' as const, gas, template: 'simple-transfer' })));
  expect(reverted.included.success).toBe(false);
}, 90_000);

afterAll(async () => {
  await run?.devnet.stop();
});

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function liveOracle(options: Partial<LiveOracleOptions> = {}): { oracle: LiveOracle; found: LiveViolations[] } {
  const found: LiveViolations[] = [];
  const oracle = new LiveOracle({
    invariants: ['balance-conservation', 'nonce-monotonicity', 'gas-accounting'],
    checkIntervalSecs: 1,
    accounts: run.accounts.map((a) => a.address),
    start,
    onViolations: (v) => found.push(v),
    ...options,
  });
  return { oracle, found };
}

function feed(oracle: LiveOracle, events: readonly TelemetryEvent[]): void {
  for (const e of events) oracle.onEvent(e);
}

const both = (o: Observed): TelemetryEvent[] => [submittedEvent(o.sent), includedEvent(o.included)];

describe('LiveOracle', () => {
  it('runs only the live-capable invariants: balance-conservation is post-run', () => {
    const { oracle } = liveOracle();
    expect(oracle.invariants.map((i) => i.name)).toEqual(['nonce-monotonicity', 'gas-accounting']);
  });

  it('reports a real revert under a template expecting success once, at the first check after it', () => {
    const { oracle, found } = liveOracle();
    oracle.begin();
    feed(oracle, both(reverted));

    vi.advanceTimersByTime(999);
    expect(found).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(found).toEqual([
      {
        invariant: 'gas-accounting',
        mode: 'both',
        count: 1,
        violations: [expect.objectContaining({ description: 'the receipt status is not what template storage-write expects', txHash: reverted.included.hash })],
      },
    ]);
    vi.advanceTimersByTime(5_000);
    expect(found).toHaveLength(1);
    expect(oracle.stats).toMatchObject({ observed: 1, unjoined: 0, pending: 0, checks: 6 });
    oracle.stop();
  });

  it("joins TxSubmitted's template and gas limit to TxIncluded by hash (a calldata transfer labelled simple-transfer)", () => {
    const { oracle, found } = liveOracle();
    oracle.begin();
    feed(oracle, [submittedEvent(calldataTransfer.sent)]);
    expect(oracle.stats.pending).toBe(1);
    feed(oracle, [includedEvent(calldataTransfer.included)]);
    expect(oracle.stats.pending).toBe(0);

    vi.advanceTimersByTime(1_000);

    expect(found).toEqual([
      expect.objectContaining({ invariant: 'gas-accounting', count: 1, violations: [expect.objectContaining({ description: 'a plain transfer (template simple-transfer) used compute gas other than 21000' })] }),
    ]);
    oracle.stop();
  });

  it('without its TxSubmitted a TxIncluded is still checked, but not against a template or gas limit', () => {
    const { oracle, found } = liveOracle();
    oracle.begin();
    feed(oracle, [includedEvent(calldataTransfer.included)]);

    vi.advanceTimersByTime(1_000);

    expect(found).toEqual([]);
    expect(oracle.stats).toMatchObject({ observed: 1, unjoined: 1 });
    expect(oracle.checkNow().invariants.find((v) => v.name === 'gas-accounting')!.note).toContain('1 without a known template');
    oracle.stop();
  });

  it('holds a nonce gap for the grace period, then reports it once', () => {
    const { oracle, found } = liveOracle({ nonceGapGraceMs: 10_000 });
    oracle.begin();
    feed(oracle, [...both(sequence[0]!), submittedEvent(sequence[1]!.sent), ...both(sequence[2]!)]);

    vi.advanceTimersByTime(10_000);
    expect(found).toEqual([]);
    vi.advanceTimersByTime(1_000);
    const account = sequence[0]!.included.from;
    expect(found).toEqual([
      {
        invariant: 'nonce-monotonicity',
        mode: 'both',
        count: 1,
        violations: [
          {
            description: `account ${account}: nonce ${sequence[1]!.sent.nonce} was never seen included though later nonces were (open for 10 s or more)`,
            expected: `nonces contiguous from ${start.accounts.get(account)!.nonce} (the start nonce)`,
            actual: `missing ${sequence[1]!.sent.nonce} (1); highest included ${sequence[2]!.sent.nonce}`,
            account,
          },
        ],
      },
    ]);
    vi.advanceTimersByTime(30_000);
    expect(found).toHaveLength(1);
    oracle.stop();
  });

  it('reports nothing when the late TxIncluded closes the gap within the grace period', () => {
    const { oracle, found } = liveOracle({ nonceGapGraceMs: 10_000 });
    oracle.begin();
    feed(oracle, [...both(sequence[0]!), submittedEvent(sequence[1]!.sent), ...both(sequence[2]!)]);
    vi.advanceTimersByTime(9_000);
    feed(oracle, [includedEvent(sequence[1]!.included)]);
    vi.advanceTimersByTime(30_000);
    expect(found).toEqual([]);
    oracle.stop();
  });

  it("counts a TxTimeout against its account and names it in the gap's evidence", () => {
    const { oracle, found } = liveOracle({ nonceGapGraceMs: 2_000 });
    oracle.begin();
    const timeout: TelemetryEvent = { ...submittedEvent(sequence[1]!.sent), kind: 'TxTimeout', txHash: sequence[1]!.sent.hash, waitedNs: 60_000_000_000n };
    feed(oracle, [...both(sequence[0]!), submittedEvent(sequence[1]!.sent), ...both(sequence[2]!), timeout]);
    expect(oracle.stats).toMatchObject({ pending: 0, unresolved: 1 });

    vi.advanceTimersByTime(3_000);

    expect(found).toHaveLength(1);
    expect(found[0]!.violations[0]!.actual).toContain('1 transaction of this account was sent but never seen included or failed (timeouts)');
    oracle.stop();
  });

  it('forgets a failed submission (no nonce used) and counts a failed tracking as unresolved', () => {
    const { oracle } = liveOracle();
    const failed = (stage: 'submit' | 'track', o: Observed): TelemetryEvent => ({
      ...submittedEvent(o.sent),
      kind: 'TxFailed',
      txHash: o.sent.hash,
      errorClass: 'node_error',
      stage,
      message: 'refused',
      account: o.sent.send.from.address,
      nonce: o.sent.nonce,
    });
    feed(oracle, [submittedEvent(many[0]!.sent), submittedEvent(many[1]!.sent)]);
    feed(oracle, [failed('submit', many[0]!)]);
    expect(oracle.stats).toMatchObject({ pending: 1, unresolved: 0 });
    feed(oracle, [failed('track', many[1]!)]);
    expect(oracle.stats).toMatchObject({ pending: 0, unresolved: 1 });
  });

  it('reports a replayed TxIncluded as a duplicate nonce at the next check', () => {
    const { oracle, found } = liveOracle();
    oracle.begin();
    feed(oracle, [...both(sequence[0]!), includedEvent(sequence[0]!.included)]);
    vi.advanceTimersByTime(1_000);
    expect(found).toEqual([
      expect.objectContaining({ invariant: 'nonce-monotonicity', count: 1, violations: [expect.objectContaining({ description: expect.stringContaining('seen included more than once'), txHash: sequence[0]!.sent.hash })] }),
    ]);
    oracle.stop();
  });

  it('past 100 violations lists 100 and counts them all, then counts the new ones with nothing more to list', () => {
    const { oracle, found } = liveOracle({ invariants: ['gas-accounting'] });
    oracle.begin();
    feed(oracle, many.slice(0, 110).flatMap(both));
    vi.advanceTimersByTime(1_000);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ invariant: 'gas-accounting', count: 110 });
    expect(found[0]!.violations).toHaveLength(100);

    feed(oracle, many.slice(110).flatMap(both));
    vi.advanceTimersByTime(1_000);
    expect(found).toHaveLength(2);
    expect(found[1]).toMatchObject({ count: 10, violations: [] });
    oracle.stop();
  });

  it('stops checking on stop(); checkNow() still works', () => {
    const { oracle, found } = liveOracle();
    oracle.begin();
    oracle.stop();
    feed(oracle, both(reverted));
    vi.advanceTimersByTime(10_000);
    expect(found).toEqual([]);
    expect(oracle.stats.checks).toBe(0);
    const report = oracle.checkNow();
    expect(found).toHaveLength(1);
    expect(report).toMatchObject({ passed: false, violationCount: 1 });
  });

  it('hands a failing check to onError and keeps checking', () => {
    const errors: unknown[] = [];
    let calls = 0;
    const boom = new Error('metrics sink down');
    const oracle = new LiveOracle({
      invariants: ['gas-accounting'],
      checkIntervalSecs: 1,
      accounts: [],
      onViolations: () => {
        calls++;
        if (calls === 1) throw boom;
      },
      onError: (e) => errors.push(e),
    });
    oracle.begin();
    feed(oracle, both(reverted));
    vi.advanceTimersByTime(1_000);
    expect(errors).toEqual([boom]);
    feed(oracle, both(calldataTransfer));
    vi.advanceTimersByTime(1_000);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
    oracle.stop();
  });

  it('rejects a check interval that is not a positive number, and an unknown invariant with GH-E600', () => {
    expect(() => liveOracle({ checkIntervalSecs: 0 })).toThrow(RangeError);
    expect(() => liveOracle({ checkIntervalSecs: Number.NaN })).toThrow(RangeError);
    let error: unknown;
    try {
      liveOracle({ invariants: ['fee-sanity'] });
    } catch (e) {
      error = e;
    }
    expect(isGasHammerError(error) && error.code).toBe('GH-E600');
  });
});
