// `gashammer sweep`: sends the ETH of GasHammer's load accounts back to one address after a run,
// so funding left on a shared chain is recovered. The accounts come from the edge
// configuration (mnemonic, count, derivation base) or the flags; the mnemonic may be named by
// an environment variable so it never appears on a command line.

import type { Command } from 'commander';
import { formatEther, getAddress, isAddress, type Address } from 'viem';
import { createRpcClient } from '../../chain/rpc-client.js';
import { loadEdgeConfig } from '../../config/load.js';
import { TEST_MNEMONIC } from '../../config/schema.js';
import { ErrorCodes } from '../../errors/codes.js';
import { formatDiagnostic } from '../../errors/diagnostic.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import { redactUrl, registerSecret } from '../../util/redact.js';
import { deriveAccounts, MAX_ACCOUNT_INDEX } from '../../workload/accounts.js';
import { sweepAccounts, type SweepResult } from '../../workload/sweep.js';
import type { CliIO } from '../io.js';
import { parseWholeNumber } from './plan.js';

interface SweepFlags {
  readonly rpc: string;
  readonly to: string;
  readonly first?: number;
  readonly count?: number;
  readonly mnemonicEnv?: string;
  readonly config?: string;
  readonly json?: boolean;
}

function usage(message: string): GasHammerError {
  return new GasHammerError(ErrorCodes.Usage, message, { hint: 'run `gashammer sweep --help` to see the arguments and options' });
}

function parseRpcUrl(value: string): string {
  let ok = false;
  try {
    const url = new URL(value);
    ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    ok = false;
  }
  if (!ok) throw usage(`--rpc expects an http:// or https:// URL, got '${redactUrl(value)}'`);
  return value;
}

function parseAddress(value: string): Address {
  // Mixed case must be a valid EIP-55 checksum: a typo in one letter is caught, not swept to.
  if (!isAddress(value, { strict: true })) {
    throw usage(`--to expects a 20-byte hex address (0x and 40 hex digits, EIP-55 checksum if mixed case), got '${value}'`);
  }
  return getAddress(value);
}

/** The mnemonic the accounts derive from: --mnemonic-env's variable, else the edge configuration's. */
function mnemonicFrom(flags: SweepFlags, io: CliIO, configured: string): string {
  if (flags.mnemonicEnv === undefined) return configured;
  const value = io.env[flags.mnemonicEnv];
  if (value === undefined || value.trim() === '') throw usage(`--mnemonic-env names ${flags.mnemonicEnv}, which is not set or empty`);
  if (value.trim().split(/\s+/).join(' ') !== TEST_MNEMONIC) registerSecret(value);
  return value;
}

export interface SweepSummary {
  readonly rpc: string;
  readonly chainId: number;
  readonly to: Address;
  readonly first: number;
  readonly count: number;
  readonly swept: number;
  readonly skipped: number;
  readonly totalWei: string;
  readonly feesWei: string;
  readonly txs: readonly string[];
}

export function sweepSummary(args: { rpc: string; chainId: number; to: Address; first: number; count: number }, r: SweepResult): SweepSummary {
  return { ...args, rpc: redactUrl(args.rpc), swept: r.swept, skipped: r.skipped, totalWei: r.totalWei.toString(), feesWei: r.feesWei.toString(), txs: [...r.txs] };
}

function render(s: SweepSummary): string {
  const range = s.count === 1 ? `account ${s.first}` : `accounts ${s.first}-${s.first + s.count - 1}`;
  return [
    `swept ${s.swept} of ${s.count} account(s) to ${s.to} on chain ${s.chainId} (${range})`,
    `  total    ${s.totalWei} wei (${formatEther(BigInt(s.totalWei))} ETH)`,
    `  fees     ${s.feesWei} wei at most`,
    `  skipped  ${s.skipped} (empty, dust, or the destination itself)`,
    '',
  ].join('\n');
}

export function registerSweepCommand(program: Command, io: CliIO): void {
  program
    .command('sweep')
    .description("send the ETH of GasHammer's load accounts back to one address (after a run)")
    .requiredOption('--rpc <url>', 'JSON-RPC URL of the chain')
    .requiredOption('--to <address>', 'address that receives the ETH, usually the funder')
    .option('--first <n>', 'first account index (default 0)', (v: string) => parseWholeNumber('--first', v, 0, MAX_ACCOUNT_INDEX))
    .option('--count <n>', 'number of accounts from --first on (default: accounts.count of the edge configuration)', (v: string) =>
      parseWholeNumber('--count', v, 1, MAX_ACCOUNT_INDEX + 1),
    )
    .option('--mnemonic-env <var>', 'environment variable holding the mnemonic (default: accounts.mnemonic of the edge configuration, else the public test mnemonic)')
    .option('--config <path>', 'edge.toml to read the accounts from (default: ./edge.toml when it exists)')
    .option('--json', 'print the summary as one JSON object')
    .action(async (flags: SweepFlags) => {
      const rpc = parseRpcUrl(flags.rpc);
      const to = parseAddress(flags.to);
      const loaded = await loadEdgeConfig({ configPath: flags.config, cwd: io.cwd, env: io.env });
      for (const w of loaded.warnings) io.stderr(`${formatDiagnostic(w)}\n`);
      const mnemonic = mnemonicFrom(flags, io, loaded.config.accounts.mnemonic);
      const first = flags.first ?? 0;
      const count = flags.count ?? loaded.config.accounts.count;
      if (first + count - 1 > MAX_ACCOUNT_INDEX) throw usage(`--first ${first} with --count ${count} goes past the last account index ${MAX_ACCOUNT_INDEX}`);
      const accounts = deriveAccounts({ mnemonic, derivationBase: loaded.config.accounts.derivation_base, first, count });

      // The chain id comes from the endpoint itself; an unreachable one stops here with GH-E100 (exit 3).
      const client = createRpcClient({ url: rpc, timeoutMs: 10_000, retry: { count: 2, baseDelayMs: 250 } });
      const chainId = await client.chainId();
      const result = await sweepAccounts({ rpcUrl: rpc, chainId, accounts, to, rpc: client });
      const summary = sweepSummary({ rpc, chainId, to, first, count }, result);
      io.stdout(flags.json ? JSON.stringify(summary) + '\n' : render(summary));
    });
}
