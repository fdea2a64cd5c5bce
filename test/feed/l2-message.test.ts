// The binary L2 message codec: Nitro's sequencer encoding, decoding of random real signed
// transactions, nested batches, and that malformed or hostile input only ever yields GH-E111.

import fc from 'fast-check';
import { bytesToHex, hexToBytes, keccak256, parseTransaction } from 'viem';
import { describe, expect, it } from 'vitest';
import { isGasHammerError } from '../../src/errors/gashammer-error.js';
import { decodeL2Message, encodeBlockL2Message, L2MessageKind, transactionHash } from '../../src/feed/l2-message.js';
import { batch, concat, signAll, signedTxSegment, transfer, u64, unsignedTx, type SignedTx } from './support.js';

/** Runs `fn` and returns the GH-E111 error it must throw. */
function feedError(fn: () => unknown): { code: string; shortMessage: string } {
  try {
    fn();
  } catch (e) {
    if (isGasHammerError(e) && e.code === 'GH-E111') return e;
    throw new Error(`expected a GH-E111 GasHammerError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a GH-E111 GasHammerError, nothing was thrown');
}

function hexes(txs: readonly Uint8Array[]): string[] {
  return txs.map((t) => bytesToHex(t));
}

describe('encodeBlockL2Message', () => {
  it('writes one transaction as 0x04 ‖ tx', () => {
    expect(bytesToHex(encodeBlockL2Message([Uint8Array.of(0x02, 0xaa, 0xbb)]))).toBe('0x0402aabb');
  });

  it('writes several as a batch of u64be(len) ‖ 0x04 ‖ tx, len counting the kind byte', () => {
    const out = encodeBlockL2Message([Uint8Array.of(0xaa), Uint8Array.of(0xbb, 0xcc)]);
    expect(bytesToHex(out)).toBe('0x03' + '0000000000000002' + '04aa' + '0000000000000003' + '04bbcc');
  });

  it('writes an empty block as the single byte 0x03, which decodes to no transaction', () => {
    const out = encodeBlockL2Message([]);
    expect(bytesToHex(out)).toBe('0x03');
    expect(decodeL2Message(out)).toEqual({ transactions: [], ignored: new Map() });
  });

  it('refuses an empty transaction', () => {
    expect(() => encodeBlockL2Message([Uint8Array.of(1), new Uint8Array(0)])).toThrow(RangeError);
  });

  it('matches a batch Nitro itself wrote (arbos/parse_l2_test.go, two Arbitrum Sepolia txs)', () => {
    const message = hexToBytes(
      '0x03000000000000007b0402f87783066eee821cf68459682f00846553f10083011a6894587a22412baf06461b5527c3f299bc9f6afa50b2872386f26fc1000080c001a0f65c119f4fe91593441067401f6a4eb732c142907288d2b2b97647480c8ac334a01282533be53f2fb245a9187fbe6139a64c4f39d495b28b9c79f4bb7fd069c67800000000000000f104f8ee821d788405f5e1008302534794b4e481324f4c581f8f0ae49f46024943b3486cba80b884d318486c000000000000000000000000000000000000000000000000000000000000002a0000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000000b3c994842ae3ea7b5f8bd93000000000000000000000000000000000000000000830cddffa0307083a4c8cbf387a9933327c892f866c063697e4e559fdde4d606086d3deec6a00e9498147d3c6c96edf7d8f0d479e97f4faa846a5868a8ba6c12d111c878e48c',
    );
    const { transactions } = decodeL2Message(message);
    expect(transactions).toHaveLength(2);
    const [first, second] = transactions.map((t) => parseTransaction(bytesToHex(t)));
    expect(first).toMatchObject({ type: 'eip1559', chainId: 421614 });
    expect(second).toMatchObject({ type: 'legacy', chainId: 421614 });
    expect(bytesToHex(encodeBlockL2Message(transactions))).toBe(bytesToHex(message));
  });
});

describe('decodeL2Message round trips real signed transactions', () => {
  it('single-transaction blocks', async () => {
    await fc.assert(
      fc.asyncProperty(unsignedTx, async (u) => {
        const [signed] = (await signAll([u])) as [SignedTx];
        const encoded = encodeBlockL2Message([signed.raw]);
        expect(encoded[0]).toBe(L2MessageKind.SignedTx);
        const { transactions, ignored } = decodeL2Message(encoded);
        expect(hexes(transactions)).toEqual([signed.serialized]);
        expect(ignored.size).toBe(0);
        const [tx] = transactions as [Uint8Array];
        expect(transactionHash(tx)).toBe(signed.hash);
        expect(transactionHash(tx)).toBe(keccak256(signed.serialized));
        // What viem parses back is the transaction that was signed.
        expect(parseTransaction(bytesToHex(tx)).nonce).toBe(u.tx.nonce);
      }),
      { numRuns: 60 },
    );
  });

  it('batch blocks, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(unsignedTx, { minLength: 2, maxLength: 8 }), async (us) => {
        const signed = await signAll(us);
        const encoded = encodeBlockL2Message(signed.map((s) => s.raw));
        expect(encoded[0]).toBe(L2MessageKind.Batch);
        const { transactions } = decodeL2Message(encoded);
        expect(hexes(transactions)).toEqual(signed.map((s) => s.serialized));
        expect(transactions.map(transactionHash)).toEqual(signed.map((s) => s.hash));
      }),
      { numRuns: 25 },
    );
  });

  it('nested batches built by hand, depth first and in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(unsignedTx, { minLength: 5, maxLength: 5 }), async (us) => {
        const [a, b, c, d, e] = (await signAll(us)).map((s) => s.raw) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
        const message = batch(
          signedTxSegment(a),
          batch(signedTxSegment(b), batch(signedTxSegment(c)), Uint8Array.of(L2MessageKind.Heartbeat)),
          batch(),
          signedTxSegment(d),
          batch(batch(batch(signedTxSegment(e)))),
        );
        const { transactions, ignored } = decodeL2Message(message);
        expect(hexes(transactions)).toEqual(hexes([a, b, c, d, e]));
        expect(ignored).toEqual(new Map([[L2MessageKind.Heartbeat, 1]]));
      }),
      { numRuns: 10 },
    );
  });
});

describe('decodeL2Message skips kinds without a signed transaction', () => {
  it('counts them by kind', () => {
    const tx = Uint8Array.of(0x02, 0x01);
    const message = batch(
      Uint8Array.of(0, 1, 2),
      Uint8Array.of(1),
      signedTxSegment(tx),
      Uint8Array.of(2),
      Uint8Array.of(6),
      Uint8Array.of(7, 9, 9),
      Uint8Array.of(0xde, 0xad),
      Uint8Array.of(0),
    );
    const { transactions, ignored } = decodeL2Message(message);
    expect(hexes(transactions)).toEqual(['0x0201']);
    expect(ignored).toEqual(
      new Map([
        [0, 2],
        [1, 1],
        [2, 1],
        [6, 1],
        [7, 1],
        [0xde, 1],
      ]),
    );
  });

  it('finds nothing in the fixtures’ l2Msg (0xdeadbeef, kind 0xde)', () => {
    expect(decodeL2Message(hexToBytes('0xdeadbeef'))).toEqual({ transactions: [], ignored: new Map([[0xde, 1]]) });
  });

  it('returns views into the input, not copies', () => {
    const input = encodeBlockL2Message([Uint8Array.of(9, 9, 9)]);
    const [tx] = decodeL2Message(input).transactions as [Uint8Array];
    expect(tx.buffer).toBe(input.buffer);
  });
});

describe('decodeL2Message rejects malformed input with GH-E111 and where', () => {
  it.each([
    ['an empty message', new Uint8Array(0), 'empty L2 message: no kind byte'],
    ['a truncated length prefix', Uint8Array.of(3, 0, 0, 0), 'truncated segment length at byte 1: 3 of 8 bytes'],
    ['a length past the end', concat([3], u64(5), [4, 1]), 'segment length 5 at byte 1 exceeds the 2 bytes that remain'],
    ['a SignedTx without transaction bytes', Uint8Array.of(4), 'signed-transaction segment at byte 0 has no transaction bytes'],
    ['a SignedTx segment without bytes in a batch', concat(batch(Uint8Array.of(4, 1)), u64(1), [4]), 'signed-transaction segment at byte 19 has no transaction bytes'],
    ['an empty segment', concat([3], u64(0)), 'empty L2 message segment at byte 9: no kind byte'],
    ['a truncated prefix after a good segment', concat(batch(Uint8Array.of(4, 1)), [0, 0]), 'truncated segment length at byte 11: 2 of 8 bytes'],
  ])('%s', (_name, input, message) => {
    expect(feedError(() => decodeL2Message(input)).shortMessage).toBe(message);
  });

  it.each([
    ['2^63', 2n ** 63n],
    ['2^64-1', 2n ** 64n - 1n],
    ['1 GiB', 2n ** 30n],
  ])('an oversized length prefix (%s) fails at once, allocating nothing', (_name, length) => {
    const input = concat([3], u64(length), [4, 1, 2, 3]);
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    const error = feedError(() => decodeL2Message(input));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
    expect(error.shortMessage).toBe(`segment length ${length} at byte 1 exceeds the 4 bytes that remain`);
  });

  /** `depth` batches, each holding only the next, around `inner`; built in one pass. */
  function nested(depth: number, inner: Uint8Array): Uint8Array {
    const out = new Uint8Array(9 * depth + inner.length);
    for (let i = 0; i < depth; i++) {
      out[9 * i] = 3;
      out.set(u64(out.length - 9 * (i + 1)), 9 * i + 1);
    }
    out.set(inner, 9 * depth);
    return out;
  }

  it('accepts 16 nested batches and rejects 17 (Nitro’s limit)', () => {
    const tx = signedTxSegment(Uint8Array.of(0x02, 0x42));
    expect(hexes(decodeL2Message(nested(16, tx)).transactions)).toEqual(['0x0242']);
    expect(feedError(() => decodeL2Message(nested(17, tx))).shortMessage).toBe(
      'batch at byte 144 is nested 17 deep; at most 16 nested batches are allowed',
    );
  });

  it('honours maxDepth', () => {
    const tx = signedTxSegment(Uint8Array.of(1));
    expect(decodeL2Message(nested(2, tx), { maxDepth: 2 }).transactions).toHaveLength(1);
    expect(feedError(() => decodeL2Message(nested(3, tx), { maxDepth: 2 })).shortMessage).toMatch(/nested 3 deep; at most 2/);
    expect(feedError(() => decodeL2Message(nested(1, tx), { maxDepth: 0 })).shortMessage).toMatch(/nested 1 deep; at most 0/);
    // A deep but legal nesting needs no call stack.
    expect(decodeL2Message(nested(20_000, tx), { maxDepth: 20_000 }).transactions).toHaveLength(1);
    expect(() => decodeL2Message(tx, { maxDepth: -1 })).toThrow(RangeError);
  });

  it('every truncation of a valid batch decodes to a prefix at segment ends and is GH-E111 elsewhere', async () => {
    const signed = await signAll([transfer(0), transfer(1, 40), transfer(2, 3)]);
    await fc.assert(
      fc.asyncProperty(fc.array(unsignedTx, { maxLength: 4 }), async (us) => {
        const all = [...signed, ...(await signAll(us))];
        const message = encodeBlockL2Message(all.map((s) => s.raw));
        // Byte offsets where a segment ends, with how many transactions precede them.
        const ends = new Map<number, number>([[1, 0]]);
        let at = 1;
        all.forEach((s, i) => {
          at += 8 + 1 + s.raw.length;
          ends.set(at, i + 1);
        });
        for (let cut = 0; cut < message.length; cut++) {
          const prefix = message.subarray(0, cut);
          const whole = ends.get(cut);
          if (whole === undefined) {
            feedError(() => decodeL2Message(prefix));
          } else {
            expect(hexes(decodeL2Message(prefix).transactions)).toEqual(all.slice(0, whole).map((s) => s.serialized));
          }
        }
      }),
      { numRuns: 10 },
    );
  });

  it('arbitrary bytes either decode or fail with GH-E111, nothing else', () => {
    const segmentish = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(u64),
      fc.constantFrom(Uint8Array.of(3), Uint8Array.of(4), u64(0), u64(1), u64(9)),
    );
    fc.assert(
      fc.property(fc.array(segmentish, { maxLength: 12 }), (parts) => {
        const input = concat(...parts);
        try {
          const { transactions } = decodeL2Message(input);
          for (const tx of transactions) expect(tx.length).toBeGreaterThan(0);
        } catch (e) {
          if (!(isGasHammerError(e) && e.code === 'GH-E111')) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
