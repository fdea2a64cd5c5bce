// The files of one run's folder (`<data_dir>/runs/<run_id>/`) besides its Parquet telemetry:
//   run.json              the run record: what the hive knew when the run ended (RunReport v1)
//   scenario.yaml         the scenario text the run played, so the report can be recomputed
//   chain-snapshots.json  the load accounts' balances and nonces at the run's first and last block
//   report.json/.md/.html the report (report-engine.ts)
// This module reads and writes them; a missing or malformed file is GH-E820 naming it.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes } from '../errors/codes.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { ChainSnapshot } from '../oracle/observations.js';
import type { RunReport as RunRecord } from './run-report.js';

export const RUN_RECORD_FILE = 'run.json';
export const SCENARIO_FILE = 'scenario.yaml';
export const SNAPSHOTS_FILE = 'chain-snapshots.json';
export const REPORT_FILES = { json: 'report.json', markdown: 'report.md', html: 'report.html' } as const;

export interface ChainSnapshots {
  /** The run's load accounts, lowercase. */
  readonly accounts: readonly string[];
  readonly start?: ChainSnapshot;
  readonly end?: ChainSnapshot;
  /** Why a snapshot is missing (e.g. the node could not be read). */
  readonly problems: readonly string[];
}

interface SnapshotJson {
  readonly blockNumber: string;
  readonly accounts: Readonly<Record<string, { readonly balance: string; readonly nonce: number }>>;
}

interface SnapshotsJson {
  readonly schemaVersion: 1;
  readonly accounts: readonly string[];
  readonly start?: SnapshotJson;
  readonly end?: SnapshotJson;
  readonly problems: readonly string[];
}

function snapshotToJson(s: ChainSnapshot): SnapshotJson {
  const accounts: Record<string, { balance: string; nonce: number }> = {};
  for (const [address, state] of s.accounts) accounts[address] = { balance: state.balance.toString(), nonce: state.nonce };
  return { blockNumber: s.blockNumber.toString(), accounts };
}

function snapshotFromJson(j: SnapshotJson): ChainSnapshot {
  const accounts = new Map<string, { balance: bigint; nonce: number }>();
  for (const [address, state] of Object.entries(j.accounts)) accounts.set(address.toLowerCase(), { balance: BigInt(state.balance), nonce: state.nonce });
  return { blockNumber: BigInt(j.blockNumber), accounts };
}

/** Writes a file whole or not at all: a crash mid-write leaves the previous version. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.partial`;
  await writeFile(temp, text);
  await rename(temp, path);
}

export async function writeSnapshots(runDir: string, snapshots: ChainSnapshots): Promise<void> {
  const body: SnapshotsJson = {
    schemaVersion: 1,
    accounts: snapshots.accounts,
    ...(snapshots.start ? { start: snapshotToJson(snapshots.start) } : {}),
    ...(snapshots.end ? { end: snapshotToJson(snapshots.end) } : {}),
    problems: snapshots.problems,
  };
  await writeAtomically(join(runDir, SNAPSHOTS_FILE), JSON.stringify(body) + '\n');
}

/** A run-folder JSON file; undefined when `optional` and the file does not exist. */
async function readJson(runDir: string, name: string, optional = false): Promise<unknown> {
  const path = join(runDir, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if (optional && (cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new GasHammerError(ErrorCodes.RunFolder, `${path} cannot be read: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new GasHammerError(ErrorCodes.RunFolder, `${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

/** The snapshots, or none (a run written before snapshots existed, or one aborted in preflight). */
export async function readSnapshots(runDir: string): Promise<ChainSnapshots | undefined> {
  const raw = await readJson(runDir, SNAPSHOTS_FILE, true);
  if (raw === undefined) return undefined;
  const j = raw as Partial<SnapshotsJson>;
  if (j.schemaVersion !== 1 || !Array.isArray(j.accounts)) {
    throw new GasHammerError(ErrorCodes.RunFolder, `${join(runDir, SNAPSHOTS_FILE)}: expected schemaVersion 1 with an accounts list`);
  }
  return {
    accounts: j.accounts.map((a) => String(a).toLowerCase()),
    ...(j.start ? { start: snapshotFromJson(j.start) } : {}),
    ...(j.end ? { end: snapshotFromJson(j.end) } : {}),
    problems: Array.isArray(j.problems) ? j.problems.map(String) : [],
  };
}

export async function readRunRecord(runDir: string): Promise<RunRecord> {
  const raw = (await readJson(runDir, RUN_RECORD_FILE)) as Partial<RunRecord>;
  if (raw.schemaVersion !== 1 || typeof raw.runId !== 'string' || !Array.isArray(raw.edges) || !Array.isArray(raw.phases)) {
    throw new GasHammerError(ErrorCodes.RunFolder, `${join(runDir, RUN_RECORD_FILE)} is not a GasHammer run record (schemaVersion 1 with runId, phases and edges)`);
  }
  return raw as RunRecord;
}

export async function readScenarioSource(runDir: string): Promise<string> {
  const path = join(runDir, SCENARIO_FILE);
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new GasHammerError(ErrorCodes.RunFolder, `${path} cannot be read: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
}
