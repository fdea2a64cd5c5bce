// Generates the documentation files that are derived from code, so they cannot drift:
// docs/errors.md (the error-code registry), docs/scenario.schema.json (the SDL schema) and the
// column table of docs/telemetry.md (between its columns:begin and columns:end markers).
// `--check` exits 1 when a committed file differs from what the code would generate.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allErrorCodes, SUBSYSTEM_RANGES } from '../src/errors/codes.js';
import { SCENARIO_SCHEMA } from '../src/scenario/schema.js';
import { telemetryColumnsMarkdown } from '../src/telemetry/parquet-schema.js';
import { packageRoot } from '../src/util/build-info.js';

const EXIT_WORDS: Record<number, string> = { 0: '0 ok', 1: '1 internal error', 2: '2 invalid input', 3: '3 unreachable', 98: '98 inconclusive', 99: '99 gate failed', 130: '130 interrupted' };

export function errorsMarkdown(): string {
  const lines: string[] = [
    '# Error codes',
    '',
    '<!-- Generated from src/errors/codes.ts by `npm run gen:docs`. Do not edit by hand. -->',
    '',
    'Every error GasHammer reports on purpose carries a stable code `GH-Exxx`. A problem in a file',
    'is printed as `GH-Exxx file:line:col field.path: message`, followed by what was expected and',
    'what to do. Codes never change meaning; new ones are added at the end of their range.',
    '',
    '## Ranges',
    '',
    '| range | subsystem |',
    '| --- | --- |',
  ];
  for (const [subsystem, [lo, hi]] of Object.entries(SUBSYSTEM_RANGES)) {
    lines.push(`| E${String(lo).padStart(3, '0')}-E${String(hi).padStart(3, '0')} | ${subsystem} |`);
  }
  lines.push('', '## Codes', '');
  for (const info of allErrorCodes()) {
    lines.push(`### ${info.code}`, '', `**${info.title}**`, '', `- subsystem: ${info.subsystem}`, `- exit code: ${EXIT_WORDS[info.exitCode] ?? info.exitCode}`, `- what to do: ${info.hint}`, '');
  }
  return lines.join('\n');
}

export function schemaJson(): string {
  return JSON.stringify(SCENARIO_SCHEMA, null, 2) + '\n';
}

/** docs/telemetry.md with its generated column table replaced; the prose around it is hand-written. */
export function telemetryDoc(current: string): string {
  const begin = current.indexOf('<!-- columns:begin');
  const end = current.indexOf('<!-- columns:end -->');
  if (begin < 0 || end < begin) throw new Error('docs/telemetry.md has lost its columns:begin/columns:end markers');
  const beginLine = current.indexOf('\n', begin) + 1;
  return current.slice(0, beginLine) + '\n' + telemetryColumnsMarkdown().trimEnd() + '\n\n' + current.slice(end);
}

function main(): void {
  const check = process.argv.includes('--check');
  const root = packageRoot();
  const outputs: Array<[string, string]> = [
    [join(root, 'docs', 'errors.md'), errorsMarkdown()],
    [join(root, 'docs', 'scenario.schema.json'), schemaJson()],
    [join(root, 'docs', 'telemetry.md'), telemetryDoc(readFileSync(join(root, 'docs', 'telemetry.md'), 'utf8'))],
  ];
  let stale = 0;
  for (const [file, content] of outputs) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current === content) continue;
    if (check) {
      console.error(`${file} is out of date: run \`npm run gen:docs\``);
      stale++;
    } else {
      writeFileSync(file, content);
      console.log(`wrote ${file}`);
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}

if (process.argv[1]?.endsWith('gen-docs.js')) main();
