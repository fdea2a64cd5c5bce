// The BroadcastMessage envelope: Nitro's own serialisation examples round-trip byte for byte,
// strict parsing names the field path of every problem, and the relay builder's frames decode
// back to the block's transactions.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGasHammerError } from '../../src/errors/gashammer-error.js';
import {
  blockBroadcastMessage,
  feedTransactions,
  parseBroadcastMessage,
  SEQUENCER_SENDER,
  serializeBroadcastMessage,
  type BroadcastMessage,
} from '../../src/feed/broadcast-message.js';
import { decodeL2Message } from '../../src/feed/l2-message.js';
import { base64, batch, concat, signAll, signedTxSegment, transfer, u64, unsignedTx } from './support.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures/nitro-serialization-examples.jsonl');
const LINES = readFileSync(FIXTURES, 'utf8').split('\n').filter((l) => l !== '');
const [WITH_HASH, WITHOUT_HASH, EMPTY, CONFIRMED_ONLY] = LINES as [string, string, string, string];

function parseError(text: string): string {
  try {
    parseBroadcastMessage(text);
  } catch (e) {
    if (isGasHammerError(e) && e.code === 'GH-E111') return e.shortMessage;
    throw new Error(`expected GH-E111, got ${String(e)}`, { cause: e });
  }
  throw new Error(`expected GH-E111 for ${text.slice(0, 100)}`);
}

/** The first fixture with one field of its feed message replaced (JSON text substituted). */
function withField(field: string, json: string): string {
  const msg = JSON.parse(WITH_HASH) as { messages: Record<string, unknown>[] };
  const m = msg.messages[0] as Record<string, unknown>;
  const path = field.split('.');
  let at: Record<string, unknown> = m;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path.at(-1) as string] = '@@VALUE@@';
  return JSON.stringify(msg).replace('"@@VALUE@@"', json);
}

describe("Nitro's serialisation examples", () => {
  it('are the four lines the fixture README describes', () => {
    expect(LINES).toHaveLength(4);
  });

  it.each(LINES.map((l, i) => [i + 1, l]))('line %i parses and re-serialises byte for byte', (_i, line) => {
    expect(serializeBroadcastMessage(parseBroadcastMessage(line as string))).toBe(line);
  });

  it('keep every known field, typed', () => {
    expect(parseBroadcastMessage(WITH_HASH)).toEqual({
      version: 1,
      messages: [
        {
          sequenceNumber: 12345,
          message: {
            message: {
              header: {
                kind: 0,
                sender: '0x0000000000000000000000000000000000000000',
                blockNumber: 0,
                timestamp: 0,
                requestId: `0x${'0'.repeat(64)}`,
                baseFeeL1: 0n,
              },
              l2Msg: '3q2+7w==',
            },
            delayedMessagesRead: 3333,
          },
          blockHash: `0xff${'0'.repeat(62)}`,
          signatureV2: null,
          blockMetadata: 'AAI=',
        },
      ],
    });
    const without = parseBroadcastMessage(WITHOUT_HASH).messages?.[0];
    expect(without).not.toHaveProperty('blockHash');
    expect(without).not.toHaveProperty('blockMetadata');
    expect(parseBroadcastMessage(EMPTY)).toEqual({ version: 1 });
    expect(parseBroadcastMessage(CONFIRMED_ONLY)).toEqual({ version: 1, confirmedSequenceNumberMessage: { sequenceNumber: 1234 } });
  });

  it('carry no transaction (their l2Msg is 0xdeadbeef, not an L2 message of the sequencer)', () => {
    for (const line of LINES) expect(feedTransactions(parseBroadcastMessage(line))).toEqual([]);
    // Even decoded as an L2 message regardless of the header kind, 0xde is an unknown kind.
    const l2Msg = parseBroadcastMessage(WITH_HASH).messages?.[0]?.message.message.l2Msg ?? '';
    expect(decodeL2Message(Buffer.from(l2Msg, 'base64'))).toEqual({ transactions: [], ignored: new Map([[0xde, 1]]) });
  });
});

describe('parseBroadcastMessage accepts what Nitro may send', () => {
  it('the pre-v3.10 `signature` field, and keeps its name', () => {
    const old = WITHOUT_HASH.replace('"signatureV2":null', '"signature":null');
    expect(parseBroadcastMessage(old).messages?.[0]?.signature).toBeNull();
    expect(serializeBroadcastMessage(parseBroadcastMessage(old))).toBe(old);
    const signed = WITHOUT_HASH.replace('"signatureV2":null', '"signature":"q83v"');
    expect(serializeBroadcastMessage(parseBroadcastMessage(signed))).toBe(signed);
  });

  it('unknown fields at every level, ignored', () => {
    const extra = JSON.parse(WITH_HASH) as Record<string, any>;
    extra.future = { nested: [1, 'x', null] };
    extra.messages[0].timeboosted = true;
    extra.messages[0].message.meta = 7;
    extra.messages[0].message.message.header.extra = 'y';
    const text = JSON.stringify(extra).replace('"header":{', '"__proto__":{"polluted":true},"header":{');
    expect(text).toContain('"__proto__"');
    const parsed = parseBroadcastMessage(text);
    expect(serializeBroadcastMessage(parsed)).toBe(WITH_HASH);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((parsed.messages?.[0]?.message.message as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a parent-chain base fee beyond 2^53, exactly', () => {
    const line = WITH_HASH.replace('"baseFeeL1":0', '"baseFeeL1":123456789012345678901234567890');
    const parsed = parseBroadcastMessage(line);
    expect(parsed.messages?.[0]?.message.message.header.baseFeeL1).toBe(123456789012345678901234567890n);
    expect(serializeBroadcastMessage(parsed)).toBe(line);
  });

  it('batch-posting report fields, in Go order', () => {
    const line = WITH_HASH.replace('"l2Msg":"3q2+7w=="', '"l2Msg":"3q2+7w==","batchGasCost":100000,"batchDataTokens":{"length":10,"nonzeros":4}');
    const parsed = parseBroadcastMessage(line);
    expect(parsed.messages?.[0]?.message.message).toMatchObject({ batchGasCost: 100000, batchDataTokens: { length: 10, nonzeros: 4 } });
    expect(serializeBroadcastMessage(parsed)).toBe(line);
  });

  it('null for Go pointers and slices: requestId, baseFeeL1, l2Msg, and omitempty fields as absent', () => {
    const line = WITH_HASH.replace(/"requestId":"0x0+"/, '"requestId":null').replace('"baseFeeL1":0', '"baseFeeL1":null');
    expect(serializeBroadcastMessage(parseBroadcastMessage(line))).toBe(line);
    const header = parseBroadcastMessage(line).messages?.[0]?.message.message.header;
    expect(header).toMatchObject({ requestId: null, baseFeeL1: null });
    expect(parseBroadcastMessage(withField('blockHash', 'null')).messages?.[0]).not.toHaveProperty('blockHash');
    expect(parseBroadcastMessage('{"version":1,"messages":null}')).toEqual({ version: 1 });
    expect(parseBroadcastMessage(withField('message.message.l2Msg', 'null')).messages?.[0]?.message.message.l2Msg).toBeNull();
  });

  it('any valid JSON in an unknown field, and whitespace anywhere', () => {
    fc.assert(
      fc.property(fc.json(), (json) => {
        const parsed = parseBroadcastMessage(` {\n "version" : 1 , "x":${json}}\r\n`);
        expect(parsed).toEqual({ version: 1 });
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseBroadcastMessage rejects with GH-E111 and the field path', () => {
  it.each([
    ['empty input', '', 'not JSON: unexpected end of input at column 1'],
    ['not JSON', 'hello', "not JSON: unexpected character 'h' at column 1"],
    ['cut JSON', '{"version":1', 'not JSON: unexpected end of input at column 13'],
    ['trailing garbage', '{"version":1} x', "not JSON: unexpected character 'x' at column 15"],
    ['a trailing comma', '{"version":1,}', "not JSON: unexpected character '}' at column 14"],
    ['a bad escape', '{"version":1,"x":"\\q"}', 'not JSON: invalid string (bad escape or control character) at column 18'],
    ['an unterminated string', '{"version":1,"x":"abc', 'not JSON: unterminated string at column 22'],
    ['an array', '[]', 'not a BroadcastMessage: expected a JSON object, got an array'],
    ['a number', '42', 'not a BroadcastMessage: expected a JSON object, got a number'],
    ['null', 'null', 'not a BroadcastMessage: expected a JSON object, got null'],
    ['a missing version', '{"messages":[]}', 'version: missing'],
    ['an unknown version', '{"version":2}', 'version: expected 1, got 2'],
    ['a string version', '{"version":"1"}', 'version: expected 1, got a string'],
    ['messages not an array', '{"version":1,"messages":{}}', 'messages: expected an array, got an object'],
    ['a message not an object', '{"version":1,"messages":[1]}', 'messages[0]: expected an object, got a number'],
    ['a negative sequenceNumber', withField('sequenceNumber', '-1'), 'messages[0].sequenceNumber: expected a non-negative integer, got -1'],
    ['a fractional sequenceNumber', withField('sequenceNumber', '1.5'), 'messages[0].sequenceNumber: expected a non-negative integer, got the fraction 1.5'],
    ['a sequenceNumber of 2^53', withField('sequenceNumber', '9007199254740992'), 'messages[0].sequenceNumber: 9007199254740992 is larger than 2^53-1, the largest integer handled exactly'],
    ['a sequenceNumber of 2^64', withField('sequenceNumber', '18446744073709551616'), 'messages[0].sequenceNumber: 18446744073709551616 is larger than 2^53-1, the largest integer handled exactly'],
    ['a sequenceNumber as a string', withField('sequenceNumber', '"1"'), 'messages[0].sequenceNumber: expected a non-negative integer, got a string'],
    ['a missing sequenceNumber', WITH_HASH.replace('"sequenceNumber":12345,', ''), 'messages[0].sequenceNumber: missing'],
    ['l2Msg not base64', withField('message.message.l2Msg', '"3q2+7w=!"'), 'messages[0].message.message.l2Msg: not base64'],
    ['l2Msg of a bad length', withField('message.message.l2Msg', '"3q2+7w="'), 'messages[0].message.message.l2Msg: not base64'],
    ['l2Msg as hex', withField('message.message.l2Msg', '"0xdeadbeef"'), 'messages[0].message.message.l2Msg: not base64'],
    ['l2Msg a number', withField('message.message.l2Msg', '5'), 'messages[0].message.message.l2Msg: expected a base64 string, got a number'],
    ['a missing header', withField('message.message.header', 'null'), 'messages[0].message.message.header: expected an object, got null'],
    ['a bad sender', withField('message.message.header.sender', '"0x12"'), 'messages[0].message.message.header.sender: expected a 20-byte 0x-hex address, got "0x12"'],
    ['a kind above a byte', withField('message.message.header.kind', '256'), 'messages[0].message.message.header.kind: expected a byte (0-255), got 256'],
    ['a negative base fee', withField('message.message.header.baseFeeL1', '-1'), 'messages[0].message.message.header.baseFeeL1: expected a non-negative integer or null, got -1'],
    ['a missing requestId', WITH_HASH.replace(/"requestId":"0x0+",/, ''), 'messages[0].message.message.header.requestId: missing'],
    ['a short blockHash', withField('blockHash', '"0xff"'), 'messages[0].blockHash: expected a 32-byte 0x-hex hash, got "0xff"'],
    ['a negative delayedMessagesRead', withField('message.delayedMessagesRead', '-3'), 'messages[0].message.delayedMessagesRead: expected a non-negative integer, got -3'],
    ['a missing delayedMessagesRead', WITH_HASH.replace(',"delayedMessagesRead":3333', ''), 'messages[0].message.delayedMessagesRead: missing'],
    ['a timestamp of 1e400', withField('message.message.header.timestamp', '1e400'), 'messages[0].message.message.header.timestamp: Infinity is out of range'],
    ['a signature not base64', withField('signatureV2', '"%%%%"'), 'messages[0].signatureV2: not base64'],
    ['blockMetadata not base64', withField('blockMetadata', '7'), 'messages[0].blockMetadata: expected a base64 string, got a number'],
    ['a bad confirmed sequence number', '{"version":1,"confirmedSequenceNumberMessage":{"sequenceNumber":-5}}', 'confirmedSequenceNumberMessage.sequenceNumber: expected a non-negative integer, got -5'],
  ])('%s', (_name, text, message) => {
    expect(parseError(text)).toBe(message);
  });

  it('names the right index in a list of messages', () => {
    const msg = JSON.parse(WITH_HASH) as { messages: unknown[] };
    const bad = JSON.parse(withField('message.message.l2Msg', '"*"')) as { messages: unknown[] };
    msg.messages.push(msg.messages[0], bad.messages[0]);
    expect(parseError(JSON.stringify(msg))).toBe('messages[2].message.message.l2Msg: not base64');
  });

  it('stops hostile nesting with GH-E111, not a stack overflow', () => {
    expect(parseError(`{"version":1,"x":${'['.repeat(100_000)}`)).toMatch(/^not JSON: nested deeper than 64 levels at column \d+$/);
  });

  it('never throws anything but GH-E111 on arbitrary or mangled input', () => {
    const mangled = fc
      .tuple(fc.constantFrom(...LINES), fc.nat(), fc.nat({ max: 5 }), fc.string({ maxLength: 3 }))
      .map(([line, at, del, insert]) => line.slice(0, at % (line.length + 1)) + insert + line.slice((at % (line.length + 1)) + del));
    fc.assert(
      fc.property(fc.oneof(fc.string(), mangled), (text) => {
        try {
          feedTransactions(parseBroadcastMessage(text));
        } catch (e) {
          if (!(isGasHammerError(e) && e.code === 'GH-E111')) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('feedTransactions', () => {
  it('decodes every kind-3 message to its signed transactions, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(unsignedTx, { maxLength: 3 }), { minLength: 1, maxLength: 3 }), async (blocks) => {
        const signedBlocks = await Promise.all(blocks.map(signAll));
        const frames = signedBlocks.map((txs, i) =>
          blockBroadcastMessage({ sequenceNumber: 100 + i, blockHash: `0x${'ab'.repeat(32)}`, txs: txs.map((t) => t.raw), timestamp: 1_700_000_000 }),
        );
        const combined: BroadcastMessage = { version: 1, messages: frames.flatMap((f) => f.messages ?? []) };
        const decoded = feedTransactions(parseBroadcastMessage(serializeBroadcastMessage(combined)));
        const expected = signedBlocks.flatMap((txs, i) => txs.map((t) => ({ sequenceNumber: 100 + i, txHash: t.hash, tx: t.serialized })));
        expect(decoded.map((d) => ({ ...d, tx: Buffer.from(d.tx).toString('hex') }))).toEqual(
          expected.map((e) => ({ ...e, tx: e.tx.slice(2) })),
        );
      }),
      { numRuns: 15 },
    );
  });

  it('leaves other L1 message kinds alone, even when their bytes look like a signed transaction', () => {
    const deposit = withField('message.message.l2Msg', `"${base64(Uint8Array.of(4, 2, 1))}"`).replace('"kind":0', '"kind":12');
    expect(feedTransactions(parseBroadcastMessage(deposit))).toEqual([]);
    const l2 = deposit.replace('"kind":12', '"kind":3');
    expect(feedTransactions(parseBroadcastMessage(l2)).map((t) => t.sequenceNumber)).toEqual([12345]);
  });

  it('reports a malformed L2 message under its l2Msg path', () => {
    const cut = withField('message.message.l2Msg', `"${base64(concat([3], u64(2n ** 63n), [4, 1]))}"`).replace('"kind":0', '"kind":3');
    expect(() => feedTransactions(parseBroadcastMessage(cut))).toThrow(
      'GH-E111 messages[0].message.message.l2Msg: segment length 9223372036854775808 at byte 1 exceeds the 2 bytes that remain',
    );
    const empty = withField('message.message.l2Msg', '""').replace('"kind":0', '"kind":3');
    expect(() => feedTransactions(parseBroadcastMessage(empty))).toThrow('GH-E111 messages[0].message.message.l2Msg: empty L2 message: no kind byte');
    const tooDeep = withField('message.message.l2Msg', `"${base64(batch(batch(signedTxSegment(Uint8Array.of(1)))))}"`).replace('"kind":0', '"kind":3');
    expect(feedTransactions(parseBroadcastMessage(tooDeep))).toHaveLength(1);
  });

  it('rechecks base64 of a message built in code', () => {
    const built = blockBroadcastMessage({ sequenceNumber: 1, blockHash: `0x${'00'.repeat(32)}`, txs: [], timestamp: 0 });
    const m = built.messages?.[0];
    if (m === undefined) throw new Error('no message');
    const broken: BroadcastMessage = { version: 1, messages: [{ ...m, message: { ...m.message, message: { ...m.message.message, l2Msg: 'not base64!' } } }] };
    expect(() => feedTransactions(broken)).toThrow('GH-E111 messages[0].message.message.l2Msg: not base64');
  });
});

describe('blockBroadcastMessage', () => {
  it('builds the frame Nitro’s sequencer would publish for a block', async () => {
    const [tx] = await signAll([transfer(0)]);
    if (tx === undefined) throw new Error('no tx');
    const msg = blockBroadcastMessage({
      sequenceNumber: 42,
      blockHash: `0xAB${'cd'.repeat(31)}`,
      txs: [tx.raw],
      timestamp: 1_700_000_123,
      l1BlockNumber: 9,
      delayedMessagesRead: 1,
      confirmedSequenceNumber: 40,
    });
    const l2Msg = Buffer.from(concat([4], tx.raw)).toString('base64');
    expect(serializeBroadcastMessage(msg)).toBe(
      '{"version":1,"messages":[{"sequenceNumber":42,"message":{"message":{"header":{"kind":3,' +
        `"sender":"0xa4b000000000000000000073657175656e636572","blockNumber":9,"timestamp":1700000123,"requestId":null,"baseFeeL1":null},` +
        `"l2Msg":"${l2Msg}"},"delayedMessagesRead":1},"blockHash":"0xab${'cd'.repeat(31)}","signatureV2":null}],` +
        '"confirmedSequenceNumberMessage":{"sequenceNumber":40}}',
    );
    expect(SEQUENCER_SENDER.toLowerCase()).toBe('0xa4b000000000000000000073657175656e636572');
    expect(feedTransactions(msg)).toEqual([{ sequenceNumber: 42, txHash: tx.hash, tx: expect.any(Uint8Array) }]);
  });

  it('encodes an empty block as an empty batch, and defaults L1 fields to 0', () => {
    const msg = blockBroadcastMessage({ sequenceNumber: 0, blockHash: `0x${'00'.repeat(32)}`, txs: [], timestamp: 5 });
    expect(msg.messages?.[0]?.message).toEqual({
      message: {
        header: { kind: 3, sender: SEQUENCER_SENDER.toLowerCase(), blockNumber: 0, timestamp: 5, requestId: null, baseFeeL1: null },
        l2Msg: 'Aw==',
      },
      delayedMessagesRead: 0,
    });
    expect(msg).not.toHaveProperty('confirmedSequenceNumberMessage');
    expect(feedTransactions(msg)).toEqual([]);
  });

  it('refuses values that cannot be on the wire', () => {
    const base = { sequenceNumber: 0, blockHash: `0x${'00'.repeat(32)}` as const, txs: [], timestamp: 0 };
    expect(() => blockBroadcastMessage({ ...base, sequenceNumber: -1 })).toThrow(RangeError);
    expect(() => blockBroadcastMessage({ ...base, timestamp: 1.5 })).toThrow(RangeError);
    expect(() => blockBroadcastMessage({ ...base, blockHash: '0x00' })).toThrow(RangeError);
  });
});
