// `gashammer feed decode`, run in-process with an injected stdin: good lines are all decoded,
// malformed ones are reported with their line number and skipped, and the exit code says which.

import { Readable } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerFeedCommand } from '../../src/cli/commands/feed.js';
import { ExitWith, type CliIO } from '../../src/cli/io.js';
import { blockBroadcastMessage, serializeBroadcastMessage } from '../../src/feed/broadcast-message.js';
import { base64, concat, signAll, transfer, u64, type SignedTx } from './support.js';

interface Result {
  stdout: string;
  stderr: string;
  exit: number;
  /** How many times stdout was written to. */
  writes: number;
}

async function decode(input: Readable): Promise<Result> {
  let stdout = '';
  let stderr = '';
  let writes = 0;
  const io: CliIO = {
    stdout: (t) => {
      writes++;
      stdout += t;
    },
    stderr: (t) => (stderr += t),
    env: {},
    cwd: process.cwd(),
    isTTY: false,
  };
  const program = new Command('gashammer').exitOverride();
  registerFeedCommand(program, io, input);
  try {
    await program.parseAsync(['feed', 'decode'], { from: 'user' });
    return { stdout, stderr, exit: 0, writes };
  } catch (e) {
    if (e instanceof ExitWith) return { stdout, stderr, exit: e.exitCode, writes };
    throw e;
  }
}

/** The text as a stream of chunks of `size` characters, so lines straddle chunk boundaries. */
function chunked(text: string, size = 7): Readable {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return Readable.from(chunks);
}

function frame(sequenceNumber: number, txs: readonly SignedTx[]): string {
  return serializeBroadcastMessage(
    blockBroadcastMessage({ sequenceNumber, blockHash: `0x${'11'.repeat(32)}`, txs: txs.map((t) => t.raw), timestamp: 1_700_000_000 }),
  );
}

function lines(...ls: string[]): string {
  return ls.map((l) => `${l}\n`).join('');
}

describe('gashammer feed decode', () => {
  it('prints one line per transaction and exits 0 when every line is good', async () => {
    const [a, b, c] = await signAll([transfer(0), transfer(1), transfer(2)]);
    if (a === undefined || b === undefined || c === undefined) throw new Error('no txs');
    const input = lines(frame(7, [a, b]), frame(8, []), '{"version":1,"confirmedSequenceNumberMessage":{"sequenceNumber":7}}', frame(9, [c]));
    const r = await decode(chunked(input));
    expect(r).toMatchObject({ exit: 0, stderr: '' });
    expect(r.stdout).toBe(`7 ${a.hash}\n7 ${b.hash}\n9 ${c.hash}\n`);
    // One write per frame with transactions.
    expect(r.writes).toBe(2);
  });

  it('reports malformed lines with their line number, decodes all the others, and exits 2', async () => {
    const [a, b, c] = await signAll([transfer(0), transfer(1), transfer(2)]);
    if (a === undefined || b === undefined || c === undefined) throw new Error('no txs');
    const good = frame(10, [a]);
    const cutL2 = good.replace(/"l2Msg":"[^"]*"/, `"l2Msg":"${base64(concat([3], u64(2n ** 64n - 1n), [4]))}"`);
    const input =
      lines(
        good, // 1
        '{"version":1,"messages":[', // 2: cut JSON
        '', // 3: blank
        frame(11, [b, c]).replace('"sequenceNumber":11', '"sequenceNumber":-11'), // 4: bad shape
        cutL2, // 5: bad l2Msg
        '   ', // 6: blank
        'not json at all', // 7
      ) +
      `${frame(12, [b, c])}\r\n` + // 8, CRLF
      '[1,2]\n' + // 9: not an object
      frame(13, [c]); // 10, no final newline
    const r = await decode(chunked(input, 64));
    expect(r.exit).toBe(2);
    expect(r.stdout).toBe(`10 ${a.hash}\n12 ${b.hash}\n12 ${c.hash}\n13 ${c.hash}\n`);
    expect(r.stderr.split('\n')).toEqual([
      'GH-E111 stdin:2: not JSON: unexpected end of input at column 26',
      'GH-E111 stdin:4: messages[0].sequenceNumber: expected a non-negative integer, got -11',
      'GH-E111 stdin:5: messages[0].message.message.l2Msg: segment length 18446744073709551615 at byte 1 exceeds the 1 bytes that remain',
      "GH-E111 stdin:7: not JSON: unexpected character 'n' at column 1",
      'GH-E111 stdin:9: not a BroadcastMessage: expected a JSON object, got an array',
      '5 of 8 lines malformed and skipped',
      '',
    ]);
  });

  it('prints nothing and exits 0 on empty input', async () => {
    expect(await decode(Readable.from([]))).toEqual({ stdout: '', stderr: '', exit: 0, writes: 0 });
    expect(await decode(Readable.from(['\n', '  \n\r\n']))).toEqual({ stdout: '', stderr: '', exit: 0, writes: 0 });
  });

  it('reads a line starting with a byte-order mark', async () => {
    const [a] = await signAll([transfer(0)]);
    if (a === undefined) throw new Error('no tx');
    const r = await decode(Readable.from([`\uFEFF${frame(1, [a])}\n`]));
    expect(r).toMatchObject({ exit: 0, stdout: `1 ${a.hash}\n`, stderr: '' });
  });

  it('decodes a 5 MB line streamed in 64 KiB chunks', async () => {
    // 40 copies of a 100 kB transaction in one block: about 5.4 MB of JSON on one line.
    const [big, small] = await signAll([transfer(0, 100_000), transfer(1)]);
    if (big === undefined || small === undefined) throw new Error('no txs');
    const huge = frame(500, Array.from({ length: 40 }, () => big));
    expect(huge.length).toBeGreaterThan(5_000_000);
    const r = await decode(chunked(lines('oops', huge, frame(501, [small])), 64 * 1024));
    expect(r.exit).toBe(2);
    expect(r.stdout).toBe(`500 ${big.hash}\n`.repeat(40) + `501 ${small.hash}\n`);
    expect(r.stderr).toBe("GH-E111 stdin:1: not JSON: unexpected character 'o' at column 1\n1 of 3 lines malformed and skipped\n");
  });

  it('lets a bug through instead of counting it as a bad line', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('disk on fire'));
      },
    });
    await expect(decode(failing)).rejects.toThrow('disk on fire');
  });

  it('has a help text naming what it prints', async () => {
    let out = '';
    const program = new Command('gashammer').exitOverride().configureOutput({ writeOut: (s) => (out += s) });
    registerFeedCommand(program, { stdout: () => {}, stderr: () => {}, env: {}, cwd: '.', isTTY: false }, Readable.from([]));
    await expect(program.parseAsync(['feed', 'decode', '--help'], { from: 'user' })).rejects.toMatchObject({ code: 'commander.helpDisplayed' });
    expect(out).toContain('Usage: gashammer feed decode');
    expect(out).toContain('<sequenceNumber> <txHash>');
  });
});
