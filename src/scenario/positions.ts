// Maps a field path in a parsed scenario back to a line and column in its YAML source.

import { isMap, isNode, isScalar, isSeq, type Node } from 'yaml';
import type { ScenarioSource } from './yaml-source.js';

export type PathSegment = string | number;

export interface Position {
  readonly line: number;
  readonly column: number;
  /** The source text of a scalar, as the user wrote it (e.g. `5_000_000`, `1.0`). */
  readonly sourceText?: string;
}

/** `phases[1].duration_secs` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** JSON-pointer (`/phases/1/duration_secs`) to segments; numeric segments become indexes. */
export function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

function child(node: Node, seg: PathSegment): { value: Node | undefined; key: Node | undefined } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (k === seg || (typeof seg === 'number' && k === String(seg))) {
        return { value: isNode(pair.value) ? pair.value : undefined, key: isNode(pair.key) ? pair.key : undefined };
      }
    }
    return undefined;
  }
  if (isSeq(node) && typeof seg === 'number') {
    const item = node.items[seg];
    return isNode(item) ? { value: item, key: undefined } : undefined;
  }
  return undefined;
}

/**
 * Position of the value at `path`, or of its key when `atKey` (for unknown fields), or of the
 * deepest existing ancestor when the path does not exist (for missing fields).
 */
export function locate(source: ScenarioSource, path: readonly PathSegment[], atKey = false): Position | undefined {
  let node: Node | undefined = source.document.contents as Node | undefined;
  let keyNode: Node | undefined;
  for (const seg of path) {
    if (!node) break;
    const next = child(node, seg);
    if (!next) break;
    keyNode = next.key;
    if (!next.value) {
      node = next.key;
      break;
    }
    node = next.value;
  }
  const target = atKey && keyNode ? keyNode : node;
  if (!target?.range) return undefined;
  const pos = source.lineCounter.linePos(target.range[0]);
  const sourceText = isScalar(target) ? source.text.slice(target.range[0], target.range[1]) : undefined;
  return { line: pos.line, column: pos.col, ...(sourceText === undefined ? {} : { sourceText }) };
}
