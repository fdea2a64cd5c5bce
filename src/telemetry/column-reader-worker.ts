// The worker side of column-reader-thread.ts: reads and decodes row groups with
// readColumnRowGroups, keys the hex columns asked for (hexKeys), and posts each to the parent as soon as the parent has room for it
// (credits), handing the typed arrays over without a copy. A failure is posted as data
// (code, message, details) so the parent can raise the same GasHammerError.

import { parentPort, workerData } from 'node:worker_threads';
import { isGasHammerError } from '../errors/gashammer-error.js';
import { groupHexKeys, readColumnRowGroups, type ColumnVector, type HexKeys } from './column-reader.js';
import type { TelemetryColumnName } from './parquet-schema.js';

export interface ReaderWorkerData {
  readonly paths: readonly string[];
  readonly columns: readonly TelemetryColumnName[];
  readonly hexKeyColumns: readonly TelemetryColumnName[];
}

export type ReaderWorkerMessage =
  | { readonly type: 'group'; readonly file: string; readonly rowGroup: number; readonly rows: number; readonly columns: [TelemetryColumnName, ColumnVector][]; readonly hexKeys: [TelemetryColumnName, HexKeys][] }
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly code?: string; readonly message: string; readonly details?: string };

type Owned = Float64Array | Int8Array | Int32Array | Uint32Array | Uint8Array;

/** The array itself when it owns its whole buffer (so the buffer can move), else a copy that does. */
function owned<T extends Owned>(array: T, moved: Set<ArrayBuffer>): T {
  const buffer = array.buffer;
  if (buffer instanceof ArrayBuffer && array.byteOffset === 0 && array.byteLength === buffer.byteLength && !moved.has(buffer)) {
    moved.add(buffer);
    return array;
  }
  const copy = array.slice() as T;
  moved.add(copy.buffer as ArrayBuffer);
  return copy;
}

function movable(vector: ColumnVector, moved: Set<ArrayBuffer>): ColumnVector {
  switch (vector.type) {
    case 'number':
      return { type: 'number', values: owned(vector.values, moved) };
    case 'boolean':
      return { type: 'boolean', values: owned(vector.values, moved) };
    case 'text':
      if (vector.encoding === 'dictionary') return { ...vector, indices: owned(vector.indices, moved) };
      // Buffer views often share Node's pool or a page buffer: owned() copies those.
      return { type: 'text', encoding: 'plain', bytes: owned(new Uint8Array(vector.bytes.buffer, vector.bytes.byteOffset, vector.bytes.byteLength), moved), starts: owned(vector.starts, moved), lengths: owned(vector.lengths, moved) };
  }
}

async function main(port: NonNullable<typeof parentPort>, data: ReaderWorkerData): Promise<void> {
  let credits = 0;
  let wake: (() => void) | undefined;
  port.on('message', (n: number) => {
    credits += n;
    wake?.();
  });
  try {
    for await (const group of readColumnRowGroups(data.paths, data.columns)) {
      while (credits === 0) await new Promise<void>((r) => (wake = r));
      credits--;
      const moved = new Set<ArrayBuffer>();
      const columns = [...group.columns].map(([name, vector]): [TelemetryColumnName, ColumnVector] => [name, movable(vector, moved)]);
      const keys = [...groupHexKeys(group, data.hexKeyColumns)].map(([name, { words, present }]): [TelemetryColumnName, HexKeys] => [
        name,
        { words: owned(words, moved), present: owned(present, moved) },
      ]);
      const message: ReaderWorkerMessage = { type: 'group', file: group.file, rowGroup: group.rowGroup, rows: group.rows, columns, hexKeys: keys };
      port.postMessage(message, [...moved]);
    }
    port.postMessage({ type: 'done' } satisfies ReaderWorkerMessage);
  } catch (e) {
    const message: ReaderWorkerMessage = isGasHammerError(e)
      ? { type: 'error', code: e.code, message: e.shortMessage, ...(e.details === undefined ? {} : { details: e.details }) }
      : { type: 'error', message: e instanceof Error ? e.message : String(e) };
    port.postMessage(message);
  }
  port.close();
}

if (parentPort) void main(parentPort, workerData as ReaderWorkerData);
