// `gashammer feed`: tools for an Arbitrum Nitro sequencer feed. `feed decode` reads feed frames
// (BroadcastMessage JSON, one per line, as a feed WebSocket delivers them) and prints each
// signed transaction as `<sequenceNumber> <txHash>`. A bad line is reported and skipped, so one
// corrupt frame in a capture does not hide the rest.

import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { ErrorCodes } from '../../errors/codes.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { isGasHammerError } from '../../errors/gashammer-error.js';
import { feedTransactions, parseBroadcastMessage } from '../../feed/broadcast-message.js';
import { ExitWith, type CliIO } from '../io.js';

/**
 * Adds `gashammer feed` and its subcommands. `input` replaces stdin (for tests).
 */
export function registerFeedCommand(program: Command, io: CliIO, input?: NodeJS.ReadableStream): void {
  const feed = program
    .command('feed')
    .description('work with an Arbitrum Nitro sequencer feed (BroadcastMessage JSON frames)');

  registerFeedDecodeSubcommand(feed, io, input);

  // `feed tail` (follow a live feed over WebSocket and print what `feed decode` prints) is
  // registered here, from its own module: registerFeedTailSubcommand(feed, io).
}

function registerFeedDecodeSubcommand(feed: Command, io: CliIO, input: NodeJS.ReadableStream | undefined): void {
  feed
    .command('decode')
    .description(
      'read feed messages (one BroadcastMessage JSON per line) from stdin and print `<sequenceNumber> <txHash>` per signed transaction; ' +
        'malformed lines are reported on stderr and skipped; exit 2 if there were any',
    )
    .action(async () => {
      const { lines, malformed } = await decodeLines(input ?? process.stdin, io);
      if (malformed > 0) {
        io.stderr(`${malformed} of ${lines} line${lines === 1 ? '' : 's'} malformed and skipped\n`);
        throw new ExitWith(ExitCode.InvalidInput);
      }
    });
}

/**
 * Decodes the stream line by line: memory is bounded by the longest line, never the whole input.
 * Returns how many non-blank lines were read and how many of them were malformed.
 */
async function decodeLines(input: NodeJS.ReadableStream, io: CliIO): Promise<{ lines: number; malformed: number }> {
  const reader = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  let lines = 0;
  let malformed = 0;
  for await (const raw of reader) {
    lineNumber++;
    // A capture saved by an editor may start with a byte-order mark.
    const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    lines++;
    let output = '';
    try {
      for (const t of feedTransactions(parseBroadcastMessage(line))) output += `${t.sequenceNumber} ${t.txHash}\n`;
    } catch (e) {
      // Only a bad frame is skipped; anything else is a bug and stops the command.
      if (!isGasHammerError(e) || e.info !== ErrorCodes.FeedMessageInvalid) throw e;
      malformed++;
      io.stderr(`${e.code} stdin:${lineNumber}: ${e.shortMessage}\n`);
      continue;
    }
    // One write per frame: a frame's transactions are printed all or not at all.
    if (output !== '') io.stdout(output);
  }
  return { lines, malformed };
}
