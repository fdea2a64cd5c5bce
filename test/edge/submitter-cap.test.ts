// The submitter's cap on transactions in flight: beyond it sends wait in order, a freed slot
// goes to the oldest waiting send, and every send still ends as one outcome. The node is a
// stand-in whose answers the test releases by hand (the cap is about ordering, not the wire).

import { describe, expect, it } from 'vitest';
import type { Hash, Hex } from 'viem';
import type { RpcClient } from '../../src/chain/rpc-client.js';
import { Submitter } from '../../src/edge/submitter.js';
import { manualClock } from '../../src/telemetry/clock.js';
import type { TelemetryEvent } from '../../src/telemetry/events.js';
import { TelemetryRecorder } from '../../src/telemetry/recorder.js';
import { RingBuffer } from '../../src/telemetry/ring-buffer.js';

function standIn() {
  const pending: { raw: Hex; answer: () => void; refuse: () => void }[] = [];
  const client = {
    url: 'http://stand-in',
    sendRawTransaction: (raw: Hex) =>
      new Promise<{ hash: Hash }>((resolve, reject) => {
        pending.push({ raw, answer: () => resolve({ hash: raw as unknown as Hash }), refuse: () => reject(new Error('nonce too low')) });
      }),
  } as unknown as RpcClient;
  return { client, pending };
}

const tick = () => new Promise((r) => setImmediate(r));

function setup(maxInFlight?: number) {
  const { client, pending } = standIn();
  const clock = manualClock();
  const buffer = new RingBuffer<TelemetryEvent>(1000);
  const recorder = new TelemetryRecorder({ runId: 'r', edgeId: 'e', clock, buffer });
  const submitter = new Submitter({ client, recorder, clock, ...(maxInFlight === undefined ? {} : { maxInFlight }) });
  const send = (n: number) => {
    const hex = `0x${n.toString(16).padStart(64, '0')}` as Hash;
    return submitter.submit({ rawHex: hex, hash: hex }, { template: 't', computeGas: 21_000n, gasLimit: 21_000n, account: '0x0000000000000000000000000000000000000001', nonce: n, valueWei: 0n, intendedNs: 0n });
  };
  return { submitter, pending, send, buffer, clock };
}

describe('Submitter in-flight cap', () => {
  it('holds sends beyond the cap and releases them oldest first as answers arrive', async () => {
    const { submitter, pending, send } = setup(2);
    const outcomes = [0, 1, 2, 3, 4].map(send);
    await tick();
    expect(pending.map((p) => p.raw.slice(-1))).toEqual(['0', '1']);
    expect(submitter.inFlight).toBe(2);
    expect(submitter.queued).toBe(3);

    pending.shift()!.answer();
    await tick();
    expect(pending.map((p) => p.raw.slice(-1))).toEqual(['1', '2']);
    expect(submitter.inFlight).toBe(2);

    // A refusal frees its slot the same way.
    pending.shift()!.refuse();
    await tick();
    expect(pending.map((p) => p.raw.slice(-1))).toEqual(['2', '3']);
    while (pending.length > 0) {
      pending.shift()!.answer();
      await tick();
    }
    const results = await Promise.all(outcomes);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'failed', 'accepted', 'accepted', 'accepted']);
    expect(submitter.stats).toMatchObject({ submitted: 5, accepted: 4, failed: 1, inFlight: 0, queued: 0, maxInFlight: 2 });
  });

  it('records TxSubmitted when a send leaves, not while it waits', async () => {
    const { pending, send, buffer } = setup(1);
    void send(0);
    void send(1);
    await tick();
    expect(buffer.drain().filter((e) => e.kind === 'TxSubmitted')).toHaveLength(1);
    pending.shift()!.answer();
    await tick();
    expect(buffer.drain().map((e) => e.kind)).toEqual(['TxAccepted', 'TxSubmitted']);
  });

  it('says the node is behind while sends have waited for the cap within the window', async () => {
    const { submitter, pending, send, clock } = setup(1);
    const window = 2_000_000_000n;
    void send(0);
    await tick();
    expect(submitter.cappedWithin(window)).toBe(false);
    void send(1);
    await tick();
    expect(submitter.cappedWithin(window)).toBe(true);
    pending.shift()!.answer();
    await tick();
    clock.advanceMs(1_999);
    expect(submitter.cappedWithin(window)).toBe(true);
    clock.advanceMs(2);
    expect(submitter.cappedWithin(window)).toBe(false);
  });

  it('without a cap sends everything at once', async () => {
    const { pending, send, submitter } = setup();
    [0, 1, 2, 3].forEach((n) => void send(n));
    await tick();
    expect(pending).toHaveLength(4);
    expect(submitter.queued).toBe(0);
  });

  it('refuses a cap below one', () => {
    expect(() => setup(0)).toThrow(/maxInFlight must be at least 1/);
  });
});
