// `gashammer feed`: tools for an Arbitrum Nitro sequencer feed. `feed decode` reads feed frames
// (BroadcastMessage JSON, one per line, as a feed WebSocket delivers them) and prints each
// signed transaction as `<sequenceNumber> <txHash>`. A bad line is reported and skipped, so one
// corrupt frame in a capture does not hide the rest. `feed tail` follows a live feed with the
// FeedConsumer and prints one line per message until interrupted.

import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { ErrorCodes } from '../../errors/codes.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { GasHammerError, isGasHammerError } from '../../errors/gashammer-error.js';
import { feedTransactions, parseBroadcastMessage } from '../../feed/broadcast-message.js';
import { FeedConsumer, feedUrlProblem, type FeedMessageEvent } from '../../feed/consumer.js';
import { redact } from '../../util/redact.js';
import { ExitWith, type CliIO } from '../io.js';
import { parseWholeNumber } from './plan.js';

/**
 * Adds `gashammer feed` and its subcommands. `input` replaces stdin (for tests).
 */
export function registerFeedCommand(program: Command, io: CliIO, input?: NodeJS.ReadableStream): void {
  const feed = program
    .command('feed')
    .description('work with an Arbitrum Nitro sequencer feed (BroadcastMessage JSON frames)');

  registerFeedDecodeSubcommand(feed, io, input);
  registerFeedTailSubcommand(feed, io);
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

// ---------------------------------------------------------------------------------------------
// feed tail

interface TailOptions {
  url: string;
  from?: number;
  chainId?: number;
  json?: boolean;
}

function parseFeedUrl(value: string): string {
  const problem = feedUrlProblem(value);
  if (problem !== undefined) throw new GasHammerError(ErrorCodes.Usage, `--url: ${problem}`);
  return value;
}

const parseFrom = (value: string): number => parseWholeNumber('--from', value, 0, Number.MAX_SAFE_INTEGER);
const parseChainId = (value: string): number => parseWholeNumber('--chain-id', value, 1, Number.MAX_SAFE_INTEGER);

/** `<sequenceNumber> <txCount> tx [hashes…]`, one line per feed message. */
export function tailLine(m: FeedMessageEvent): string {
  return [String(m.sequenceNumber), String(m.txs.length), 'tx', ...m.txs.map((t) => t.txHash)].join(' ') + '\n';
}

/** The --json form of a feed message: one JSON object per line. */
export function tailJson(m: FeedMessageEvent): string {
  return (
    JSON.stringify({
      sequenceNumber: m.sequenceNumber,
      blockHash: m.blockHash,
      txCount: m.txs.length,
      txHashes: m.txs.map((t) => t.txHash),
      receivedAtMs: m.receivedAtMs,
    }) + '\n'
  );
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Resolves on the first SIGINT or SIGTERM; dispose() removes the handlers. */
function untilSignal(): { readonly signal: Promise<NodeJS.Signals>; dispose(): void } {
  let on: (signal: NodeJS.Signals) => void = () => {};
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    on = (s) => resolve(s);
  });
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    signal,
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

function registerFeedTailSubcommand(feed: Command, io: CliIO): void {
  feed
    .command('tail')
    .description(
      'follow a live sequencer feed and print `<sequenceNumber> <txCount> tx [hashes…]` per message (or JSON lines with --json); ' +
        'connection events go to stderr; reconnects with backoff until Ctrl-C',
    )
    .requiredOption('--url <url>', 'feed WebSocket URL (ws:// or wss://), e.g. ws://127.0.0.1:9642', parseFeedUrl)
    .option('--from <n>', 'first sequence number to ask for (default: whatever the server replays, its whole backlog on Nitro)', parseFrom)
    .option('--chain-id <id>', 'refuse a feed that announces another chain id (exit 2, GH-E110)', parseChainId)
    .option('--json', 'print one JSON object per message')
    .action(async (opts: TailOptions) => {
      const consumer = new FeedConsumer({
        url: opts.url,
        ...(opts.from === undefined ? {} : { fromSequenceNumber: opts.from }),
        ...(opts.chainId === undefined ? {} : { expectedChainId: opts.chainId }),
      });
      const format = opts.json ? tailJson : tailLine;
      const note = (text: string) => io.stderr(redact(text) + '\n');

      consumer.on('message', (m) => io.stdout(format(m)));
      consumer.on('connected', (e) => {
        const chain = e.chainId === null ? 'chain id not announced' : `chain ${e.chainId}`;
        const version = e.serverVersion === null ? 'no server version' : `feed server version ${e.serverVersion}`;
        const from = e.requestedSequenceNumber === null ? '' : `, from sequence number ${e.requestedSequenceNumber}`;
        note(`connected to ${e.url} (${chain}, ${version}${from})`);
      });
      consumer.on('disconnected', (e) => {
        if (e.reconnectInMs === null) return;
        const retry = seconds(e.reconnectInMs);
        note(e.wasConnected ? `disconnected: ${e.reason}; reconnecting in ${retry}` : `feed unreachable at ${consumer.redactedUrl}: ${e.reason}; retrying in ${retry}`);
      });
      consumer.on('gap', (e) => note(`gap: expected sequence number ${e.expected}, got ${e.actual} (${e.missing} missing)`));
      consumer.on('stall', (e) => note(`stall: nothing received for ${seconds(e.silentForMs)}; reconnecting`));
      // A fatal error ends the command below and is rendered by main(); only the others print here.
      consumer.on('error', (e) => {
        if (!e.fatal) note(`${e.error.code} ${e.error.shortMessage}`);
      });

      const stop = untilSignal();
      const fatal = new Promise<GasHammerError>((resolve) => {
        consumer.on('closed', (e) => {
          if (e.error !== null) resolve(e.error);
        });
      });
      try {
        consumer.start();
        const outcome = await Promise.race([stop.signal.then((signal) => ({ signal })), fatal.then((error) => ({ error }))]);
        if ('error' in outcome) throw outcome.error;
        const s = consumer.stats;
        note(
          `${outcome.signal}: stopped after ${s.messagesReceived} messages (${s.transactionsReceived} txs), ` +
            `${s.duplicatesDropped} duplicates dropped, ${s.gaps} gaps, ${s.reconnects} reconnects, ${s.stalls} stalls, ` +
            `${s.malformedFrames + s.malformedMessages} malformed`,
        );
      } finally {
        stop.dispose();
        consumer.close();
      }
    });
}
