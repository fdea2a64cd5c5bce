// readColumnRowGroups on a second thread: a worker reads and decodes the row groups while the
// caller's thread uses the previous ones, so a report's decode time (a third of it at 10
// million events) overlaps its analysis instead of adding to it. The groups arrive as the same
// ColumnRowGroup values (with the hex keys asked for: hashing is decoding work too), their
// typed arrays moved between threads, not copied; at most
// `prefetch` groups wait decoded ahead of the caller, which bounds the memory it costs.
// Where no worker can start (the worker file is missing), it reads on the caller's thread.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ErrorCodes, type ErrorCodeInfo } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import { packageRoot } from '../util/build-info.js';
import { groupHexKeys, readColumnRowGroups, type ColumnRowGroup, type HexKeys } from './column-reader.js';
import type { ReaderWorkerData, ReaderWorkerMessage } from './column-reader-worker.js';
import type { TelemetryColumnName } from './parquet-schema.js';

const WORKER_FILE = 'column-reader-worker.js';

/** The compiled worker next to this module (build/ or a bundle), else the build's (tests run the sources). */
function workerPath(): string | undefined {
  const beside = fileURLToPath(new URL(`./${WORKER_FILE}`, import.meta.url));
  if (existsSync(beside)) return beside;
  const built = join(packageRoot(), 'build', 'src', 'telemetry', WORKER_FILE);
  return existsSync(built) ? built : undefined;
}

const CODES: ReadonlyMap<string, ErrorCodeInfo> = new Map(Object.values(ErrorCodes).map((info) => [info.code, info]));

export interface ThreadedReadOptions {
  /** Decoded row groups that may wait ahead of the caller (default 2). */
  readonly prefetch?: number;
  /** Text columns (among those read) whose hexKeys the worker computes too. */
  readonly hexKeyColumns?: readonly TelemetryColumnName[];
}

export interface KeyedRowGroup extends ColumnRowGroup {
  readonly hexKeys: ReadonlyMap<TelemetryColumnName, HexKeys>;
}

/** The caller's-thread fallback: the same groups and keys, computed here. */
async function* readHere(paths: readonly string[], columns: readonly TelemetryColumnName[], keyColumns: readonly TelemetryColumnName[]): AsyncGenerator<KeyedRowGroup> {
  for await (const group of readColumnRowGroups(paths, columns)) {
    const keys = groupHexKeys(group, keyColumns);
    yield { ...group, hexKeys: keys };
  }
}

export async function* readColumnRowGroupsThreaded(
  paths: readonly string[],
  columns: readonly TelemetryColumnName[],
  options: ThreadedReadOptions = {},
): AsyncGenerator<KeyedRowGroup> {
  const keyColumns = options.hexKeyColumns ?? [];
  const file = workerPath();
  if (file === undefined || paths.length === 0) {
    yield* readHere(paths, columns, keyColumns);
    return;
  }
  const worker = new Worker(file, { workerData: { paths, columns, hexKeyColumns: keyColumns } satisfies ReaderWorkerData });
  const queue: ReaderWorkerMessage[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const push = (m: ReaderWorkerMessage) => {
    queue.push(m);
    wake?.();
  };
  worker.on('message', push);
  worker.on('error', (e) => {
    failure = e;
    wake?.();
  });
  worker.on('exit', () => push({ type: 'done' }));
  worker.postMessage(Math.max(1, options.prefetch ?? 2));
  try {
    for (;;) {
      while (queue.length === 0 && failure === undefined) await new Promise<void>((r) => (wake = r));
      if (failure !== undefined) throw failure;
      const m = queue.shift()!;
      if (m.type === 'done') return;
      if (m.type === 'error') {
        const info = m.code === undefined ? undefined : CODES.get(m.code);
        if (info === undefined) throw new Error(m.message);
        throw new GasHammerError(info, m.message, m.details === undefined ? {} : { details: m.details });
      }
      // Room for one more while the caller works on this one.
      worker.postMessage(1);
      yield { file: m.file, rowGroup: m.rowGroup, rows: m.rows, columns: new Map(m.columns), hexKeys: new Map(m.hexKeys) };
    }
  } finally {
    await worker.terminate();
  }
}
