// `gashammer baseline save <report.json> --branch B`: adds a run to its branch's baseline of the
// scenario, in the file store under --dir (docs/baselines.md).

import { availableParallelism, platform, release } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { MAX_BASELINE_RUNS } from '../../baseline/baseline-file.js';
import { checkBranchName } from '../../baseline/branch-path.js';
import { readRunReport } from '../../baseline/report-file.js';
import { FileBaselineStore } from '../../baseline/store.js';
import { ErrorCodes } from '../../errors/codes.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import type { CliIO } from '../io.js';

export const DEFAULT_BASELINE_DIR = 'baselines';

/** A path as the user would write it: relative to the working directory when inside it. */
export function shownPath(io: CliIO, path: string): string {
  const rel = relative(io.cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function parseCommit(value: string): string {
  if (!/^[0-9a-fA-F]{7,64}$/.test(value)) {
    throw new GasHammerError(ErrorCodes.Usage, `--commit expects a git commit id (7 to 64 hex digits), got '${value}'`);
  }
  return value.toLowerCase();
}

const shortHash = (hash: string): string => hash.slice(0, 12);

export function registerBaselineCommand(program: Command, io: CliIO): void {
  const baseline = program.command('baseline').description('manage baselines: the runs a branch compares new runs with');
  baseline
    .command('save')
    .description(`add a run to its branch's baseline of the scenario (<dir>/<branch>/<scenario>.json, newest ${MAX_BASELINE_RUNS} runs kept)`)
    .argument('<report>', 'the run report (report.json)')
    .requiredOption('--branch <name>', 'the branch the run belongs to, e.g. main or feature/x')
    .option('--dir <path>', 'the baselines folder', DEFAULT_BASELINE_DIR)
    .option('--commit <sha>', 'the git commit the run tested', parseCommit)
    .action(async (reportArg: string, opts: { branch: string; dir: string; commit?: string }) => {
      checkBranchName(opts.branch);
      const report = await readRunReport(resolve(io.cwd, reportArg), reportArg);
      const store = new FileBaselineStore(resolve(io.cwd, opts.dir));
      if (report.completion.state === 'aborted' || report.gate.verdict === 'fail' || report.gate.verdict === 'inconclusive') {
        const what = report.completion.state === 'aborted' ? 'was aborted' : `has the gate verdict ${report.gate.verdict.toUpperCase()}`;
        io.stderr(`warning: run ${report.runId} ${what}; as a baseline it makes later runs look better than they are\n`);
      }
      const saved = await store.save(opts.branch, report, {
        savedAt: new Date(),
        ...(opts.commit === undefined ? {} : { commit: opts.commit }),
        testbed: { os: `${platform()} ${release()}`, cpus: availableParallelism(), targetKind: report.target.kind },
      });
      const out: string[] = [];
      out.push(
        `saved run ${report.runId} (scenario ${report.scenario.name}, hash ${shortHash(report.scenario.hash)}) ` +
          `as a baseline of branch ${opts.branch}: ${shownPath(io, saved.source)}, ${saved.runs} run(s)`,
      );
      if (saved.newHistory) {
        out.push(
          `  note: the file held ${saved.newHistory.runsDropped} run(s) of another version of the scenario (hash ${shortHash(saved.newHistory.previousHash)}); ` +
            'a new history starts with this run, so that unlike runs are never compared',
        );
      }
      if (saved.replacedSameRun) out.push(`  note: run ${report.runId} was already in the baseline; it was replaced, not added twice`);
      if (saved.runsTrimmed > 0) out.push(`  note: the oldest ${saved.runsTrimmed} run(s) were dropped: a baseline keeps the newest ${MAX_BASELINE_RUNS}`);
      io.stdout(out.join('\n') + '\n');
    });
}
