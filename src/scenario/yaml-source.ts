// Reading a scenario file into a YAML document that remembers where every value came from.
// Owns the file-level checks (missing, too large, binary, not UTF-8, empty, not one document,
// YAML syntax) and the integer rules of the SDL: digits may be grouped with underscores
// (5_000_000) and integers beyond 2^53 are kept exact as bigint.

import { readFile, stat } from 'node:fs/promises';
import { isMap, LineCounter, parseDocument, type Document, type Node, type ScalarTag } from 'yaml';
import { ErrorCodes } from '../errors/codes.js';
import type { Diagnostic } from '../errors/diagnostic.js';

export const MAX_SCENARIO_BYTES = 1024 * 1024;

export interface ScenarioSource {
  readonly file: string;
  readonly text: string;
  readonly document: Document.Parsed;
  readonly lineCounter: LineCounter;
}

export type SourceResult =
  | { readonly ok: true; readonly source: ScenarioSource }
  | { readonly ok: false; readonly diagnostics: Diagnostic[] };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** YAML 1.2 integers plus digit grouping; exact beyond 2^53. */
const groupedInteger: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  identify: (v) => typeof v === 'bigint' || Number.isInteger(v),
  test: /^[-+]?(?:0|[1-9](?:_?[0-9])*)$/,
  resolve(text: string): number | bigint {
    const exact = BigInt(text.replace(/_/g, ''));
    return exact > MAX_SAFE || exact < -MAX_SAFE ? exact : Number(exact);
  },
};

function problem(file: string, code: typeof ErrorCodes.ScenarioRead, message: string, line?: number, column?: number): Diagnostic {
  return { code, severity: 'error', file, message, ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column }) };
}

export async function readScenarioFile(file: string): Promise<SourceResult> {
  let bytes: Buffer;
  try {
    const info = await stat(file);
    if (info.isDirectory()) {
      return { ok: false, diagnostics: [problem(file, ErrorCodes.ScenarioRead, 'is a directory, not a scenario file')] };
    }
    if (info.size > MAX_SCENARIO_BYTES) {
      return {
        ok: false,
        diagnostics: [problem(file, ErrorCodes.ScenarioRead, `is ${info.size} bytes; a scenario may be at most ${MAX_SCENARIO_BYTES} bytes`)],
      };
    }
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot be read (${code ?? String(e)})`;
    return { ok: false, diagnostics: [problem(file, ErrorCodes.ScenarioRead, reason)] };
  }
  return parseScenarioText(file, bytes);
}

/** Parses scenario bytes (already read) into a positioned YAML document. */
export function parseScenarioText(file: string, bytes: Uint8Array): SourceResult {
  if (bytes.includes(0)) {
    return { ok: false, diagnostics: [problem(file, ErrorCodes.ScenarioSyntax, 'is a binary file (it contains NUL bytes), not YAML')] };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, diagnostics: [problem(file, ErrorCodes.ScenarioSyntax, 'is not valid UTF-8 text')] };
  }
  if (text.trim() === '') {
    return { ok: false, diagnostics: [problem(file, ErrorCodes.ScenarioSyntax, 'is empty; a scenario needs at least name, description, version, workload and phases')] };
  }

  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: true,
    customTags: (tags) => [groupedInteger, ...tags],
    uniqueKeys: true,
  });
  const syntax = [...document.errors, ...document.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED')];
  if (syntax.length > 0) {
    return {
      ok: false,
      diagnostics: syntax.map((err) => {
        const pos = err.linePos?.[0];
        const firstLine = err.message.split('\n')[0] ?? err.message;
        const message =
          err.code === 'MULTIPLE_DOCS'
            ? 'the file holds several YAML documents (separated by ---); a scenario file holds exactly one'
            : firstLine.replace(/ at line \d+, column \d+:?$/, '');
        return problem(file, ErrorCodes.ScenarioSyntax, `invalid YAML: ${message}`, pos?.line, pos?.col);
      }),
    };
  }
  if (!isMap(document.contents)) {
    const node = document.contents as Node | null;
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
    const what = node === null ? 'nothing' : describeNode(document.toJS());
    return {
      ok: false,
      diagnostics: [problem(file, ErrorCodes.ScenarioSyntax, `must be a YAML mapping of scenario fields, found ${what}`, pos?.line, pos?.col)],
    };
  }
  return { ok: true, source: { file, text, document, lineCounter } };
}

function describeNode(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}
