// `gashammer faults`: the kernel faults of GasHammer's in force on this host (netem qdiscs with
// the handle 4748:, iptables rules tagged gashammer:), and with --clear their removal. Proxy
// faults die with their process; kernel ones outlive a killed hive, and this is the way to see
// and remove them without reading tc and iptables output by hand.

import type { Command } from 'commander';
import { ErrorCodes } from '../../errors/codes.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import type { FaultAdapter } from '../../fault/adapter.js';
import { IptablesAdapter } from '../../fault/iptables-adapter.js';
import { NetemAdapter } from '../../fault/netem-adapter.js';
import type { CliIO } from '../io.js';

interface Options {
  readonly clear?: boolean;
  readonly netns?: string;
}

const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function registerFaultsCommand(program: Command, io: CliIO): void {
  program
    .command('faults')
    .description('list the netem qdiscs and iptables rules GasHammer has in force on this host; --clear removes them')
    .option('--clear', 'remove every one of them (also those a crashed run left)')
    .option('--netns <name>', 'look inside this network namespace instead of the host')
    .action(async (opts: Options) => {
      if (opts.netns !== undefined && !NETNS_NAME.test(opts.netns)) {
        throw new GasHammerError(ErrorCodes.Usage, `--netns must be a namespace name (letters, digits, '.', '-', '_'), got "${opts.netns}"`);
      }
      const where = opts.netns ? { netns: opts.netns } : {};
      const adapters: FaultAdapter[] = [new NetemAdapter(where), new IptablesAdapter(where)];
      const problems: string[] = [];
      for (const adapter of adapters) {
        let found: readonly string[];
        try {
          found = await adapter.active();
        } catch (error) {
          problems.push(`${adapter.name}: ${error instanceof GasHammerError ? error.shortMessage : String(error)}`);
          continue;
        }
        io.stdout(`${adapter.name}: ${found.length === 0 ? 'none' : `${found.length} in force`}\n`);
        for (const f of found) io.stdout(`  ${f}\n`);
        if (opts.clear && found.length > 0) {
          try {
            io.stdout(`  cleared ${await adapter.clearAll()}\n`);
          } catch (error) {
            problems.push(`${adapter.name}: ${error instanceof GasHammerError ? error.shortMessage : String(error)}`);
          }
        }
      }
      if (problems.length > 0) {
        throw new GasHammerError(opts.clear ? ErrorCodes.FaultClear : ErrorCodes.FaultPreflight, `the kernel faults could not all be ${opts.clear ? 'cleared' : 'listed'}`, {
          details: problems.join('\n  '),
          hint: 'run as root (CAP_NET_ADMIN) on the host the hive ran on; tc comes with iproute2, iptables with the iptables package',
        });
      }
    });
}
