// `gashammer validate <file...>`: checks scenario files and reports every problem in each.

import type { Command } from 'commander';
import { diagnosticToJson, formatDiagnostic, type Diagnostic } from '../../errors/diagnostic.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { loadScenarioFile } from '../../scenario/load.js';
import { runDurationSecs } from '../../scenario/semantic.js';
import { ExitWith, type CliIO } from '../io.js';

interface FileVerdict {
  readonly file: string;
  readonly valid: boolean;
  readonly summary?: string;
  readonly diagnostics: readonly Diagnostic[];
}

async function validateFile(file: string): Promise<FileVerdict> {
  const result = await loadScenarioFile(file);
  if (!result.ok) return { file, valid: false, diagnostics: result.diagnostics };
  const s = result.scenario;
  const summary = `${s.name} v${s.version}: ${s.phases.length} phase(s), ${runDurationSecs(s)}s, ${s.workload.templates.length} template(s), ${s.edges.count} edge(s)`;
  return { file, valid: true, summary, diagnostics: result.warnings };
}

export function registerValidateCommand(program: Command, io: CliIO): void {
  program
    .command('validate')
    .description('check scenario files against the SDL; exit 0 when all are valid, 2 otherwise')
    .argument('<file...>', 'scenario YAML files')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const verdicts: FileVerdict[] = [];
      for (const file of files) verdicts.push(await validateFile(file));
      const invalid = verdicts.filter((v) => !v.valid).length;

      if (opts.json) {
        io.stdout(
          JSON.stringify(
            { valid: invalid === 0, files: verdicts.map((v) => ({ ...v, diagnostics: v.diagnostics.map(diagnosticToJson) })) },
            null,
            2,
          ) + '\n',
        );
      } else {
        for (const v of verdicts) {
          const errors = v.diagnostics.filter((d) => d.severity === 'error').length;
          io.stdout(v.valid ? `ok    ${v.file}  (${v.summary})\n` : `FAIL  ${v.file}  (${errors} problem${errors === 1 ? '' : 's'})\n`);
          for (const d of v.diagnostics) io.stdout(indent(formatDiagnostic(d)) + '\n');
        }
        if (files.length > 1) io.stdout(`${verdicts.length - invalid} valid, ${invalid} invalid\n`);
      }
      if (invalid > 0) throw new ExitWith(ExitCode.InvalidInput);
    });
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
