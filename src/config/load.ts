// Loading hive.toml and edge.toml: defaults, then the TOML file, then GASHAMMER_* environment
// variables, then command-line flags, each layer overriding the one before, and one schema
// check of the result. Every problem is reported at once, located at the file line, variable
// or flag its value came from. Secret values (the mnemonic, URL credentials) never appear in
// a diagnostic: values are shown only through redact(), and secret fields not at all.

import { readFile, stat } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Option, type Command } from 'commander';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ErrorCodes, type ErrorCodeInfo } from '../errors/codes.js';
import { formatLocation, hasErrors, sortDiagnostics, type Diagnostic } from '../errors/diagnostic.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { redact, redactUrl, registerSecret } from '../util/redact.js';
import { closest, didYouMean } from '../util/suggest.js';
import {
  configDefaults,
  configFields,
  configSchema,
  ENV_ALIASES,
  MAX_BIP32_INDEX,
  PATTERN_WORDS,
  SECRET_PATHS,
  TEST_MNEMONIC,
  URL_PATHS,
  type ConfigField,
  type ConfigKind,
  type ConfigOf,
  type EdgeConfig,
  type HiveConfig,
} from './schema.js';

export type { ConfigKind, EdgeConfig, HiveConfig, LogFormat, LogLevel, LoggingConfig } from './schema.js';

/** A configuration file is a few hundred bytes; anything near this is a wrong path. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * GASHAMMER_* variables that are not configuration fields, so their presence draws no
 * "unknown variable" warning. Add a name here when a command starts reading one.
 */
export const NON_CONFIG_ENV_VARS: readonly string[] = ['GASHAMMER_FUNDER_KEY', 'GASHAMMER_ANVIL'];

export type ConfigOrigin = 'default' | 'file' | 'env' | 'flag';

export interface ConfigLoadOptions {
  /** --config, relative to cwd. Absent: `<kind>.toml` in cwd is read if it exists. */
  readonly configPath?: string | undefined;
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Flag values by field path (`server.rest_port`), as given on the command line. */
  readonly flags?: Readonly<Record<string, string | number | undefined>>;
  /** The host name edge.name's default derives from; os.hostname() when absent. */
  readonly hostname?: string;
}

export interface LoadedConfig<T> {
  readonly config: T;
  /** For each field path: which layer its value came from. */
  readonly origins: Readonly<Record<string, ConfigOrigin>>;
  /** For each field path, in words: `default`, `hive.toml:3`, `env GASHAMMER_X`, `flag --x`. */
  readonly sources: Readonly<Record<string, string>>;
  /** The configuration file read, as the user named it; undefined when none was. */
  readonly file: string | undefined;
  readonly warnings: readonly Diagnostic[];
}

export type ConfigLoadResult<T> =
  | ({ readonly ok: true } & LoadedConfig<T>)
  | { readonly ok: false; readonly diagnostics: Diagnostic[] };

// ---------------------------------------------------------------------------------------------
// Flags

export interface ConfigFlag {
  /** Commander's spec, e.g. `--rest-port <port>`. */
  readonly spec: string;
  /** The long flag alone, e.g. `--rest-port`. */
  readonly flag: string;
  /** The field the flag sets; undefined for --config. */
  readonly path?: string;
  readonly description: string;
}

function configFlag(kind: ConfigKind): ConfigFlag {
  return {
    spec: '--config <path>',
    flag: '--config',
    description: `TOML configuration file (default: ./${kind}.toml when it exists)`,
  };
}

function fieldFlag(kind: ConfigKind, spec: string, path: string): ConfigFlag {
  const field = configFields(kind).find((f) => f.path === path);
  if (!field) throw new Error(`no field ${path} in ${kind}.toml`);
  const def = field.default === undefined ? '' : `default ${String(field.default)}; `;
  return {
    spec,
    flag: spec.split(' ')[0]!,
    path,
    description: `${field.description.replace(/\.$/, '')} (${def}env ${field.env})`,
  };
}

export const HIVE_FLAGS: readonly ConfigFlag[] = [
  configFlag('hive'),
  fieldFlag('hive', '--bind <address>', 'server.bind_address'),
  fieldFlag('hive', '--rest-port <port>', 'server.rest_port'),
  fieldFlag('hive', '--grpc-port <port>', 'server.grpc_port'),
  fieldFlag('hive', '--data-dir <path>', 'storage.data_dir'),
  fieldFlag('hive', '--log-level <level>', 'logging.level'),
  fieldFlag('hive', '--log-format <format>', 'logging.format'),
];

export const EDGE_FLAGS: readonly ConfigFlag[] = [
  configFlag('edge'),
  fieldFlag('edge', '--name <name>', 'edge.name'),
  fieldFlag('edge', '--hive <address>', 'hive.address'),
  fieldFlag('edge', '--sequencer-rpc <url>', 'nitro.sequencer_rpc'),
  fieldFlag('edge', '--gateway-rpc <url>', 'nitro.gateway_rpc'),
  fieldFlag('edge', '--feed-relay <url>', 'nitro.feed_relay'),
  fieldFlag('edge', '--accounts <count>', 'accounts.count'),
  fieldFlag('edge', '--log-level <level>', 'logging.level'),
  fieldFlag('edge', '--log-format <format>', 'logging.format'),
];

export function configFlags(kind: ConfigKind): readonly ConfigFlag[] {
  return kind === 'hive' ? HIVE_FLAGS : EDGE_FLAGS;
}

/** Declares a flag table on a command. Values stay strings; the loader checks them. */
export function addConfigFlags(command: Command, flags: readonly ConfigFlag[]): Command {
  for (const f of flags) command.addOption(new Option(f.spec, f.description));
  return command;
}

/** Commander's parsed options -> the loader's configPath and flags-by-field-path. */
export function flagValues(
  flags: readonly ConfigFlag[],
  opts: Readonly<Record<string, unknown>>,
): { configPath: string | undefined; flags: Record<string, string> } {
  let configPath: string | undefined;
  const values: Record<string, string> = {};
  for (const f of flags) {
    const raw = opts[new Option(f.spec).attributeName()];
    if (raw === undefined) continue;
    if (f.path === undefined) configPath = String(raw);
    else values[f.path] = String(raw);
  }
  return { configPath, flags: values };
}

// ---------------------------------------------------------------------------------------------
// Where a value came from

interface Where {
  readonly origin: ConfigOrigin;
  /** File name, `env GASHAMMER_X` or `flag --x`; absent for defaults. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

function describeWhere(w: Where): string {
  return w.origin === 'default' ? 'default' : formatLocation(w);
}

type Tree = Record<string, unknown>;

function isTable(v: unknown): v is Tree {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

/** A TOML value as plain objects (smol-toml's tables have no prototype). */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (isTable(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

// ---------------------------------------------------------------------------------------------
// The file layer

interface ConfigFileText {
  readonly file: string;
  readonly text: string;
  readonly table: Tree;
}

function fileProblem(file: string, message: string, line?: number, column?: number): Diagnostic {
  return {
    code: ErrorCodes.ConfigFile,
    severity: 'error',
    file,
    message,
    ...(line === undefined ? {} : { line }),
    ...(column === undefined ? {} : { column }),
  };
}

type FileResult = { ok: true; source: ConfigFileText | undefined } | { ok: false; diagnostic: Diagnostic };

async function readConfigFile(kind: ConfigKind, options: ConfigLoadOptions): Promise<FileResult> {
  const explicit = options.configPath !== undefined;
  const file = options.configPath ?? `${kind}.toml`;
  const full = resolve(options.cwd, file);
  let bytes: Buffer;
  try {
    const info = await stat(full);
    if (info.isDirectory()) return { ok: false, diagnostic: fileProblem(file, 'is a directory, not a configuration file') };
    if (info.size > MAX_CONFIG_BYTES) {
      return { ok: false, diagnostic: fileProblem(file, `is ${info.size} bytes; a configuration file may be at most ${MAX_CONFIG_BYTES}`) };
    }
    bytes = await readFile(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Without --config the file in the working directory is optional.
    if (code === 'ENOENT' && !explicit) return { ok: true, source: undefined };
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot be read (${code ?? String(e)})`;
    return { ok: false, diagnostic: fileProblem(file, reason) };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, diagnostic: fileProblem(file, 'is not UTF-8 text') };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    const table = plain(parseToml(text, { unsafeKeyBehaviour: 'throw' })) as Tree;
    return { ok: true, source: { file, text, table } };
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    // Only the first line: the rest quotes the file, which may hold the mnemonic.
    const reason = (e.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    return { ok: false, diagnostic: fileProblem(file, `invalid TOML: ${redact(reason)}`, e.line, e.column) };
  }
}

/**
 * Line and column of every key and table header in a TOML text, by dotted path. A line
 * scanner, not a parser: it runs only on text smol-toml has accepted, and skips the inside of
 * multi-line strings. Keys inside inline tables resolve to the line of the inline table.
 */
function keyPositions(text: string): Map<string, { line: number; column: number }> {
  const out = new Map<string, { line: number; column: number }>();
  const keyPart = String.raw`(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')`;
  const dotted = String.raw`${keyPart}(?:\s*\.\s*${keyPart})*`;
  const header = new RegExp(String.raw`^(\s*)\[\[?\s*(${dotted})\s*\]\]?`);
  const assignment = new RegExp(String.raw`^(\s*)(${dotted})\s*=`);
  const split = (key: string) =>
    (key.match(new RegExp(keyPart, 'g')) ?? []).map((k) => (/^["']/.test(k) ? k.slice(1, -1) : k));
  const record = (segments: readonly string[], line: number, column: number) => {
    for (let i = 1; i <= segments.length; i++) {
      const path = segments.slice(0, i).join('.');
      if (!out.has(path)) out.set(path, { line, column });
    }
  };
  let table: string[] = [];
  let inMultiline: string | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (inMultiline !== undefined) {
      if (raw.split(inMultiline).length % 2 === 0) inMultiline = undefined;
      return;
    }
    const h = header.exec(raw);
    if (h) {
      table = split(h[2]!);
      record(table, line, h[1]!.length + 1);
      return;
    }
    const a = assignment.exec(raw);
    if (!a) return;
    record([...table, ...split(a[2]!)], line, a[1]!.length + 1);
    for (const quote of ['"""', "'''"]) if (raw.split(quote).length % 2 === 0) inMultiline = quote;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Layering

class Layers {
  readonly tree: Tree;
  readonly where = new Map<string, Where>();
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly kind: ConfigKind,
    readonly fields: readonly ConfigField[],
    defaults: object,
  ) {
    this.tree = structuredClone(defaults) as Tree;
  }

  /** Where the value at a path, or the nearest enclosing one set by a layer, came from. */
  whereOf(path: string): Where {
    for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
      const w = this.where.get(p);
      if (w) return w;
    }
    return { origin: 'default' };
  }

  applyFile(source: ConfigFileText): void {
    const positions = keyPositions(source.text);
    const at = (path: string): Where => {
      // A key inside an inline table is found at the line of the table's key.
      let pos: { line: number; column: number } | undefined;
      for (let p = path; pos === undefined && p !== ''; p = p.slice(0, Math.max(0, p.lastIndexOf('.')))) pos = positions.get(p);
      return { origin: 'file', file: source.file, ...(pos ?? {}) };
    };
    const overlay = (target: Tree, table: Tree, prefix: string) => {
      for (const [key, value] of Object.entries(table)) {
        const path = prefix ? `${prefix}.${key}` : key;
        const current = target[key];
        if (isTable(value) && isTable(current)) {
          overlay(current, value, path);
          continue;
        }
        target[key] = value;
        this.where.set(path, at(path));
        if (isTable(value)) this.markAll(value, path, at);
      }
    };
    overlay(this.tree, source.table, '');
  }

  private markAll(table: Tree, prefix: string, at: (path: string) => Where): void {
    for (const [key, value] of Object.entries(table)) {
      const path = `${prefix}.${key}`;
      this.where.set(path, at(path));
      if (isTable(value)) this.markAll(value, path, at);
    }
  }

  applyEnv(env: Readonly<Record<string, string | undefined>>): void {
    for (const field of this.fields) {
      const alias = Object.keys(ENV_ALIASES).find((name) => ENV_ALIASES[name] === field.path);
      const canonical = nonEmpty(env[field.env]);
      const short = alias === undefined ? undefined : nonEmpty(env[alias]);
      if (canonical !== undefined && short !== undefined && canonical !== short) {
        this.diagnostics.push(
          problem(ErrorCodes.ConfigValue, 'warning', { origin: 'env', file: `env ${alias}` }, field.path, `ignored: ${field.env} is also set and wins`),
        );
      }
      const name = canonical !== undefined ? field.env : alias;
      const raw = canonical ?? short;
      if (raw === undefined || name === undefined) continue;
      this.set(field, raw, { origin: 'env', file: `env ${name}` });
    }
  }

  applyFlags(flags: Readonly<Record<string, string | number | undefined>>): void {
    const table = configFlags(this.kind);
    for (const [path, raw] of Object.entries(flags)) {
      if (raw === undefined) continue;
      const field = this.fields.find((f) => f.path === path);
      if (!field) throw new Error(`flag value for unknown field ${path} in ${this.kind}.toml`);
      const flag = table.find((f) => f.path === path)?.flag ?? `--${path}`;
      this.set(field, String(raw), { origin: 'flag', file: `flag ${flag}` });
    }
  }

  /** Sets a field from text (env or flag), converted by the field's type. */
  private set(field: ConfigField, raw: string, where: Where): void {
    const value = coerce(field, raw);
    if (typeof value === 'object') {
      this.diagnostics.push(problem(ErrorCodes.ConfigValue, 'error', where, field.path, value.problem));
      return;
    }
    const segments = field.path.split('.');
    let node: unknown = this.tree;
    for (const seg of segments.slice(0, -1)) {
      if (!isTable(node)) return;
      node = node[seg];
    }
    // A file that made a table into a scalar has its own error; nothing to set into.
    if (!isTable(node)) return;
    node[segments[segments.length - 1]!] = value;
    this.where.set(field.path, where);
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  // An empty variable counts as unset, as a shell's `VAR=` usually means "no value".
  return v === undefined || v === '' ? undefined : v;
}

/** Text to the field's type. Integers strictly: all digits, nothing else. */
function coerce(field: ConfigField, raw: string): string | number | { problem: string } {
  if (field.type === 'string') return raw;
  const text = raw.trim();
  if (!/^-?[0-9]+$/.test(text)) {
    return { problem: `expected a whole number, got ${field.secret ? 'text (not shown: secret)' : `"${shorten(redact(raw))}"`}` };
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n)) return { problem: `${text} is too large` };
  return n;
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

function problem(
  code: ErrorCodeInfo,
  severity: Diagnostic['severity'],
  where: Where | undefined,
  path: string | undefined,
  message: string,
  extra: { expected?: string | undefined; hint?: string | undefined } = {},
): Diagnostic {
  return {
    code,
    severity,
    ...(where?.file === undefined ? {} : { file: where.file }),
    ...(where?.line === undefined ? {} : { line: where.line }),
    ...(where?.column === undefined ? {} : { column: where.column }),
    ...(path === undefined ? {} : { path }),
    // Last line of defence: the wording below already hides secrets and redacts URLs.
    message: redact(message),
    ...(extra.expected ? { expected: redact(extra.expected) } : {}),
    ...(extra.hint ? { hint: redact(extra.hint) } : {}),
  };
}

function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A URL-ish text with credentials removed, even when it does not parse as a URL. */
function safeUrlText(s: string): string {
  return redactUrl(s).replace(/(^|\/\/)[^/\s]*@/g, '$1***@');
}

/** A value as a person reads it in a message, or undefined for secrets. */
function shown(path: string, v: unknown): string | undefined {
  if (SECRET_PATHS.has(path)) return undefined;
  if (typeof v === 'string') return `"${shorten(redact(URL_PATHS.has(path) || v.includes('@') ? safeUrlText(v) : v))}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return String(v);
  return undefined;
}

function typeWords(t: unknown): string {
  const words: Record<string, string> = {
    integer: 'a whole number',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a table',
    array: 'a list',
  };
  return words[String(t)] ?? String(t);
}

function actualType(v: unknown): string {
  if (v instanceof Date) return 'a date';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'a whole number' : 'a number';
  if (isTable(v)) return 'a table';
  return typeWords(typeof v);
}

function listWords(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
}

function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

const validators = new Map<ConfigKind, ValidateFunction>();

function validator(kind: ConfigKind): ValidateFunction {
  let v = validators.get(kind);
  if (!v) {
    v = new Ajv({ allErrors: true, verbose: true, strict: true }).compile(configSchema(kind));
    validators.set(kind, v);
  }
  return v;
}

function schemaProblems(layers: Layers): Diagnostic[] {
  const validate = validator(layers.kind);
  if (validate(layers.tree)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    const d = fromAjv(layers, e);
    const key = `${d.path}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function fromAjv(layers: Layers, e: ErrorObject): Diagnostic {
  const path = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const where = layers.whereOf(path);
  const value = shown(path, e.data);
  const valueText = value === undefined ? '' : ` (${value})`;
  const fail = (message: string, extra: { expected?: string; hint?: string } = {}, at: string = path, w: Where = where) =>
    problem(ErrorCodes.ConfigValue, 'error', w, at || '(top level)', message, extra);

  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const at = path ? `${path}.${name}` : name;
      const known = Object.keys((parent.properties as object | undefined) ?? {});
      const elsewhere = layers.fields.find((f) => f.path.endsWith(`.${name}`) && f.path !== at);
      const hint = elsewhere ? `'${name}' belongs in [${elsewhere.path.slice(0, -name.length - 1)}]` : undefined;
      return fail(
        `unknown ${path ? 'field' : 'section'} '${name}'${didYouMean(name, known)}`,
        { expected: `one of ${listWords(known)}`, ...(hint ? { hint } : {}) },
        at,
        layers.whereOf(at),
      );
    }
    case 'type': {
      const expected = typeWords(params.type);
      let hint: string | undefined;
      if (where.origin === 'file' && params.type === 'integer' && typeof e.data === 'string' && /^-?[0-9]+$/.test(e.data)) {
        hint = `remove the quotes: ${path.split('.').pop()} = ${e.data}`;
      } else if (where.origin === 'file' && params.type === 'string' && typeof e.data === 'number' && value !== undefined) {
        hint = `quote it: "${e.data}"`;
      }
      return fail(`expected ${expected}, got ${actualType(e.data)}${valueText}`, hint ? { hint } : {});
    }
    case 'minimum':
    case 'maximum': {
      const op = e.keyword === 'minimum' ? '>=' : '<=';
      return fail(`must be ${op} ${String(params.limit)}, got ${value ?? 'a value out of range'}`);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const suggestion = typeof e.data === 'string' ? didYouMean(e.data, allowed.map(String)) : '';
      return fail(`${value ?? 'the value'} is not allowed here${suggestion}`, { expected: `one of ${listWords(allowed)}` });
    }
    case 'pattern': {
      const words = PATTERN_WORDS[String(params.pattern)] ?? `text matching ${String(params.pattern)}`;
      const hint =
        path === 'hive.address' && typeof e.data === 'string' && e.data.includes('://')
          ? 'give host:port without a scheme, e.g. hive.internal:9090'
          : undefined;
      return fail(`${value ?? 'the value'} is not valid here`, { expected: words, ...(hint ? { hint } : {}) });
    }
    case 'minLength':
      return fail('must not be empty');
    default:
      return fail(e.message ?? `fails the '${e.keyword}' rule`);
  }
}

// ---------------------------------------------------------------------------------------------
// Checks a schema cannot express

const MNEMONIC_WORD_COUNTS = [12, 15, 18, 21, 24];

function at(tree: Tree, path: string): unknown {
  let node: unknown = tree;
  for (const seg of path.split('.')) node = isTable(node) ? node[seg] : undefined;
  return node;
}

/** Index of each segment of a BIP-32 path, hex converted to decimal, with its hardened mark. */
function derivationSegments(path: string): { index: number; hardened: boolean }[] {
  return path
    .split('/')
    .slice(1)
    .map((seg) => {
      const hardened = seg.endsWith("'");
      const digits = hardened ? seg.slice(0, -1) : seg;
      return { index: Number(digits), hardened };
    });
}

function valueProblems(layers: Layers, alreadyWrong: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const get = (path: string) => (alreadyWrong.has(path) ? undefined : at(layers.tree, path));
  const fail = (path: string, message: string, extra: { expected?: string; hint?: string } = {}) =>
    out.push(problem(ErrorCodes.ConfigValue, 'error', layers.whereOf(path), path, message, extra));

  for (const path of URL_PATHS) {
    const v = get(path);
    if (typeof v !== 'string') continue;
    let ok: boolean;
    try {
      ok = new URL(v).hostname !== '';
    } catch {
      ok = false;
    }
    if (!ok) fail(path, `"${shorten(safeUrlText(v))}" is not a valid URL`, { expected: 'scheme://host[:port][/path]' });
  }

  const address = get('hive.address');
  if (typeof address === 'string') {
    const portText = address.slice(address.lastIndexOf(':') + 1);
    const p = Number(portText);
    if (!(p >= 1 && p <= 65535)) fail('hive.address', `port ${portText} is out of range`, { expected: 'a port from 1 to 65535' });
  }

  const derivation = get('accounts.derivation_base');
  if (typeof derivation === 'string') {
    const tooBig = derivationSegments(derivation).find((s) => !(s.index <= MAX_BIP32_INDEX));
    if (tooBig) {
      fail('accounts.derivation_base', `"${derivation}" has an index above ${MAX_BIP32_INDEX}`, {
        expected: `each segment at most ${MAX_BIP32_INDEX} (0x7fffffff); mark hardened segments with '`,
      });
    }
  }

  const mnemonic = get('accounts.mnemonic');
  if (typeof mnemonic === 'string' && mnemonic.trim() !== '') {
    const words = mnemonic.trim().split(/\s+/);
    if (!MNEMONIC_WORD_COUNTS.includes(words.length) || !words.every((w) => /^[a-z]+$/.test(w))) {
      fail('accounts.mnemonic', `is not a BIP-39 mnemonic (${words.length} word(s); the value is secret and not shown)`, {
        expected: '12, 15, 18, 21 or 24 lowercase English words separated by spaces',
      });
    }
  }

  if (layers.kind === 'hive') {
    // Each listener needs a port of its own; the later one in the file reports the clash.
    const ports = ['server.rest_port', 'server.grpc_port', 'telemetry.prometheus_port'];
    ports.forEach((path, i) => {
      const p = get(path);
      const clash = ports.slice(0, i).find((other) => get(other) === p);
      // 0 is "any free port": several listeners may ask for it.
      if (typeof p === 'number' && p !== 0 && clash) fail(path, `port ${p} is also ${clash}`, { hint: 'give each listener its own port' });
    });
  } else {
    const batch = get('telemetry.batch_size');
    const buffer = get('telemetry.buffer_size');
    if (typeof batch === 'number' && typeof buffer === 'number' && batch > buffer) {
      fail('telemetry.batch_size', `${batch} is larger than telemetry.buffer_size (${buffer})`, {
        expected: 'a batch no larger than the buffer it is taken from',
      });
    }
  }
  return out;
}

function unknownEnvWarnings(env: Readonly<Record<string, string | undefined>>): Diagnostic[] {
  const known = new Set<string>([
    ...configFields('hive').map((f) => f.env),
    ...configFields('edge').map((f) => f.env),
    ...Object.keys(ENV_ALIASES),
  ]);
  const out: Diagnostic[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('GASHAMMER_') || known.has(name) || NON_CONFIG_ENV_VARS.includes(name)) continue;
    const suggestion = closest(name, known);
    out.push(
      problem(ErrorCodes.ConfigValue, 'warning', undefined, name, `is not a GasHammer setting and is ignored${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`, {
        hint: 'docs/configuration.md lists every GASHAMMER_* variable',
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Normalising and secrets

function normalise(tree: Tree): void {
  const accounts = tree.accounts;
  if (!isTable(accounts)) return;
  if (typeof accounts.derivation_base === 'string') {
    accounts.derivation_base =
      'm' + derivationSegments(accounts.derivation_base).map((s) => `/${s.index}${s.hardened ? "'" : ''}`).join('');
  }
  if (typeof accounts.mnemonic === 'string') accounts.mnemonic = accounts.mnemonic.trim().split(/\s+/).join(' ');
}

/** A copy with keys in the order the schema lists them, so output reads like the docs. */
function inSchemaOrder(value: unknown, schema: { readonly properties?: object }): unknown {
  if (!isTable(value) || schema.properties === undefined) return value;
  const out: Tree = {};
  for (const [key, child] of Object.entries(schema.properties as Record<string, { readonly properties?: object }>)) {
    if (value[key] !== undefined) out[key] = inSchemaOrder(value[key], child);
  }
  return out;
}

/** Registered before anything is reported, so even a stray message cannot carry them. */
function registerSecrets(tree: Tree): void {
  const mnemonic = at(tree, 'accounts.mnemonic');
  if (typeof mnemonic === 'string' && mnemonic.trim().split(/\s+/).join(' ') !== TEST_MNEMONIC) {
    registerSecret(mnemonic);
    registerSecret(mnemonic.trim().split(/\s+/).join(' '));
  }
  for (const path of URL_PATHS) {
    const v = at(tree, path);
    if (typeof v !== 'string') continue;
    try {
      const url = new URL(v);
      registerSecret(url.password);
      registerSecret(decodeURIComponent(url.password));
    } catch {
      // Not a URL: reported as such, and redactUrl() still masks anything before an "@".
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points

export async function loadConfig<K extends ConfigKind>(kind: K, options: ConfigLoadOptions): Promise<ConfigLoadResult<ConfigOf<K>>> {
  const env = options.env ?? {};
  const fields = configFields(kind);
  const layers = new Layers(kind, fields, configDefaults(kind, options.hostname ?? osHostname()));

  const read = await readConfigFile(kind, options);
  if (!read.ok) layers.diagnostics.push(read.diagnostic);
  const source = read.ok ? read.source : undefined;
  if (source) layers.applyFile(source);
  layers.applyEnv(env);
  layers.applyFlags(options.flags ?? {});
  registerSecrets(layers.tree);

  const schema = schemaProblems(layers);
  const wrong = new Set(schema.map((d) => d.path ?? ''));
  const all = sortDiagnostics([...layers.diagnostics, ...schema, ...valueProblems(layers, wrong), ...unknownEnvWarnings(env)]);
  if (hasErrors(all)) return { ok: false, diagnostics: all };

  normalise(layers.tree);
  const config = inSchemaOrder(layers.tree, configSchema(kind)) as unknown as ConfigOf<K>;
  const origins: Record<string, ConfigOrigin> = {};
  const sources: Record<string, string> = {};
  for (const f of fields) {
    const w = layers.whereOf(f.path);
    origins[f.path] = w.origin;
    sources[f.path] = describeWhere(w);
  }
  return { ok: true, config, origins, sources, file: source?.file, warnings: all };
}

async function loadOrThrow<K extends ConfigKind>(kind: K, options: ConfigLoadOptions): Promise<LoadedConfig<ConfigOf<K>>> {
  const result = await loadConfig(kind, options);
  if (result.ok) {
    const { ok: _ok, ...loaded } = result;
    return loaded;
  }
  throw configError(kind, result.diagnostics);
}

/** One error standing for every problem found in a process's configuration. */
export function configError(kind: ConfigKind, diagnostics: readonly Diagnostic[]): GasHammerError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0] ?? diagnostics[0];
  return new GasHammerError(first?.code ?? ErrorCodes.ConfigValue, `${errors.length} problem(s) in the ${kind} configuration`, {
    diagnostics,
  });
}

/** Loads hive.toml with its layers, or throws one GasHammerError carrying every problem. */
export function loadHiveConfig(options: ConfigLoadOptions): Promise<LoadedConfig<HiveConfig>> {
  return loadOrThrow('hive', options);
}

/** Loads edge.toml with its layers, or throws one GasHammerError carrying every problem. */
export function loadEdgeConfig(options: ConfigLoadOptions): Promise<LoadedConfig<EdgeConfig>> {
  return loadOrThrow('edge', options);
}
