// `gashammer config <hive|edge>`: the configuration a hive or an edge would run with, after
// every layer (defaults, file, GASHAMMER_* variables, flags) and validation, with secrets
// redacted; with --origin, where each value came from. Answers "what will this edge use, and
// why?" without starting it.

import type { Command } from 'commander';
import { addConfigFlags, configFlags, flagValues, loadConfig, type LoadedConfig } from '../../config/load.js';
import { configFields, type ConfigField, type ConfigKind } from '../../config/schema.js';
import { ErrorCodes } from '../../errors/codes.js';
import { formatDiagnostic } from '../../errors/diagnostic.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { GasHammerError } from '../../errors/gashammer-error.js';
import { redact, redactUrl } from '../../util/redact.js';
import { didYouMean } from '../../util/suggest.js';
import { ExitWith, type CliIO } from '../io.js';

const PROCESSES = ['hive', 'edge'] as const;

interface ShowOptions {
  readonly origin?: boolean;
  readonly json?: boolean;
}

export function registerConfigCommand(program: Command, io: CliIO): void {
  const config = program
    .command('config')
    .description('show the effective configuration of a hive or an edge (defaults < file < env < flags)')
    .usage('<hive|edge> [options]')
    .argument('[process]', 'hive or edge')
    // Reached only when no sub-command matched: say so in our format rather than print help.
    .action((name: string | undefined) => {
      throw new GasHammerError(
        ErrorCodes.Usage,
        name === undefined ? 'gashammer config needs a process: hive or edge' : `unknown process '${name}'${didYouMean(name, PROCESSES)}`,
        { hint: 'run `gashammer config hive --help` or `gashammer config edge --help`' },
      );
    });
  for (const kind of PROCESSES) {
    const sub = config
      .command(kind)
      .description(`show the ${kind} configuration after every layer, validated, with secrets redacted`);
    addConfigFlags(sub, configFlags(kind));
    sub
      .option('--origin', 'show where each value came from: default, file, env or flag')
      .option('--json', 'print JSON instead of TOML')
      .action(async (opts: Record<string, unknown>) => {
        await showConfig(kind, opts, io);
      });
  }
}

async function showConfig(kind: ConfigKind, opts: Record<string, unknown>, io: CliIO): Promise<void> {
  const { configPath, flags } = flagValues(configFlags(kind), opts);
  const result = await loadConfig(kind, { configPath, flags, env: io.env, cwd: io.cwd });
  if (!result.ok) {
    for (const d of result.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    io.stderr('  docs: docs/configuration.md\n');
    throw new ExitWith(ExitCode.InvalidInput);
  }
  for (const w of result.warnings) io.stderr(`${formatDiagnostic(w)}\n`);
  const show: ShowOptions = { origin: opts.origin === true, json: opts.json === true };
  io.stdout(show.json ? renderJson(kind, result, show) : renderToml(kind, result, show));
}

function valueAt(config: object, path: string): unknown {
  let node: unknown = config;
  for (const seg of path.split('.')) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  return node;
}

/** The value as it may be printed: secrets masked unless public defaults, URLs redacted. */
function printable(field: ConfigField, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (field.secret && value !== field.default) return '***';
  // redactUrl() also normalises a URL (adds a trailing "/"): show it as written when nothing is hidden.
  const hidden = redact(field.url ? redactUrl(value) : value);
  return hidden.includes('***') ? hidden : value;
}

function printableTree(kind: ConfigKind, config: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of configFields(kind)) {
    const value = valueAt(config, field.path);
    if (value === undefined) continue;
    const segments = field.path.split('.');
    let node = out;
    for (const seg of segments.slice(0, -1)) node = (node[seg] ??= {}) as Record<string, unknown>;
    node[segments[segments.length - 1]!] = printable(field, value);
  }
  return out;
}

function renderJson(kind: ConfigKind, loaded: LoadedConfig<object>, show: ShowOptions): string {
  const body: Record<string, unknown> = {
    process: kind,
    file: loaded.file ?? null,
    config: printableTree(kind, loaded.config),
  };
  if (show.origin) {
    body.origins = Object.fromEntries(
      configFields(kind).map((f) => [f.path, { origin: loaded.origins[f.path], source: loaded.sources[f.path] }]),
    );
  }
  return `${JSON.stringify(body, null, 2)}\n`;
}

function tomlValue(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function renderToml(kind: ConfigKind, loaded: LoadedConfig<object>, show: ShowOptions): string {
  const rows: { table: string; text: string; origin: string }[] = [];
  for (const field of configFields(kind)) {
    const value = valueAt(loaded.config, field.path);
    const key = field.path.slice(field.path.lastIndexOf('.') + 1);
    rows.push({
      table: field.path.slice(0, field.path.lastIndexOf('.')),
      // An unset optional field stays visible, as a comment, so it can be found.
      text: value === undefined ? `# ${key} is not set` : `${key} = ${tomlValue(printable(field, value))}`,
      origin: loaded.sources[field.path] ?? 'default',
    });
  }
  const width = Math.max(...rows.map((r) => r.text.length));
  const lines = [`# effective ${kind} configuration; ${loaded.file ? `file: ${loaded.file}` : 'no configuration file'}`];
  let table: string | undefined;
  for (const row of rows) {
    if (row.table !== table) {
      lines.push('', `[${row.table}]`);
      table = row.table;
    }
    lines.push(show.origin ? `${row.text.padEnd(width)}  # ${row.origin}` : row.text);
  }
  return `${lines.join('\n')}\n`;
}
