// `gashammer devnet`: starts the embedded devnet for people and other tools, prints where to
// reach it, and runs until interrupted; then it stops everything it started.

import type { Command } from 'commander';
import { startEmbeddedDevnet, type EmbeddedDevnet } from '../../devnet/embedded-devnet.js';
import type { CliIO } from '../io.js';
import { parseWholeNumber } from './plan.js';

const parsePort = (flag: string) => (value: string) => parseWholeNumber(flag, value, 0, 65_535);

/** Nitro's own default ports, so tools configured for a local Nitro node find the devnet. */
const DEFAULT_RPC_PORT = 8547;
const DEFAULT_FEED_PORT = 9642;

export function devnetSummary(d: EmbeddedDevnet) {
  return {
    chainId: d.chainId,
    rpcUrl: d.rpcUrl,
    wsUrl: d.wsUrl,
    feedUrl: d.feedUrl,
    faucet: d.faucet.address,
    contracts: d.contracts,
    processes: { anvil: d.anvil.pid },
  };
}

function render(d: EmbeddedDevnet): string {
  const s = devnetSummary(d);
  const contracts = Object.entries(s.contracts).map(([name, address]) => `    ${name.padEnd(18)} ${address}`);
  return [
    'GasHammer embedded devnet is running (anvil from npm, Nitro-format sequencer feed)',
    `  chain id   ${s.chainId}`,
    `  rpc        ${s.rpcUrl}`,
    `  ws         ${s.wsUrl}`,
    `  feed       ${s.feedUrl}`,
    `  faucet     ${s.faucet}`,
    '  contracts',
    ...contracts,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

/** Resolves on the first SIGINT or SIGTERM. */
function interrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function registerDevnetCommand(program: Command, io: CliIO): void {
  program
    .command('devnet')
    .description('start the embedded devnet (anvil, test contracts, Nitro-format feed relay) until Ctrl-C')
    .option('--port <port>', `RPC port, HTTP and WebSocket (0 picks a free one)`, parsePort('--port'), DEFAULT_RPC_PORT)
    .option('--feed-port <port>', `sequencer-feed port (0 picks a free one)`, parsePort('--feed-port'), DEFAULT_FEED_PORT)
    .option('--json', 'print the endpoints as one JSON line')
    .action(async (opts: { port: number; feedPort: number; json?: boolean }) => {
      const stopRequested = interrupted();
      const devnet = await startEmbeddedDevnet({
        port: opts.port,
        feedPort: opts.feedPort,
        onFeedError: (e) => io.stderr(`feed relay: ${e.message}\n`),
      });
      io.stdout(opts.json ? JSON.stringify(devnetSummary(devnet)) + '\n' : render(devnet));
      const signal = await stopRequested;
      if (!opts.json) io.stdout(`\n${signal}: stopping the devnet\n`);
      await devnet.stop();
    });
}
