// `gashammer run <scenario>`: the main job. This version validates and compiles the scenario;
// the engine that executes it (devnet, edges, hive) arrives with the next issues, and until
// then the command says so plainly and exits with GH-E006.

import type { Command } from 'commander';
import { ErrorCodes } from '../../errors/codes.js';
import { formatDiagnostic } from '../../errors/diagnostic.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import { compileScenario } from '../../scenario/compile.js';
import { loadScenarioOrThrow } from '../../scenario/load.js';
import type { CliIO } from '../io.js';
import { MAX_EDGES } from '../../scenario/schema.js';
import { parseEdgeCount } from './plan.js';

export function registerRunCommand(program: Command, io: CliIO): void {
  program
    .command('run')
    .description('run a scenario against a target (embedded devnet by default) and judge it')
    .argument('<scenario>', 'scenario YAML file')
    .option('--edges <n>', `number of edges, 1-${MAX_EDGES} (overrides edges.count)`, parseEdgeCount)
    .action(async (file: string, opts: { edges?: number }) => {
      const loaded = await loadScenarioOrThrow(file);
      for (const w of loaded.warnings) io.stderr(formatDiagnostic(w) + '\n');
      const plan = compileScenario(loaded.scenario, opts.edges === undefined ? {} : { edges: opts.edges });
      io.stdout(`scenario ${plan.scenario.name} is valid: ${plan.phases.length} phase(s), ${plan.totalDurationSecs}s, hash ${plan.scenarioHash.slice(0, 12)}\n`);
      throw new GasHammerError(ErrorCodes.NotAvailableYet, 'gashammer run cannot execute scenarios yet: the edge and hive engines are still being built', {
        details: 'The scenario above was parsed, validated and compiled; `gashammer plan` shows what the run would do.',
      });
    });
}
