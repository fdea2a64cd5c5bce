// The file baseline store: a saved run reads back whole, histories are capped and restart when
// the scenario changes, branch names map to safe folders, and a corrupt file is reported with
// its path and field instead of being used or overwritten.

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_BASELINE_RUNS, parseBaselineFile, serializeBaselineFile } from '../../src/baseline/baseline-file.js';
import { branchFolderName, branchFromFolderName, checkBranchName } from '../../src/baseline/branch-path.js';
import { FileBaselineStore, readBaselineFile } from '../../src/baseline/store.js';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { OTHER_SCENARIO_HASH, reportFixture, SCENARIO_HASH } from './report-fixture.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gh-baselines-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const META = { savedAt: new Date('2026-02-01T10:00:00.000Z') };

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof GasHammerError ? e.code : `not a GasHammerError: ${String(e)}`;
  }
  return undefined;
}

async function rejection(p: Promise<unknown>): Promise<GasHammerError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof GasHammerError)) throw new Error(`expected a GasHammerError, got ${String(e)}`);
  return e;
}

describe('FileBaselineStore save and load', () => {
  it('writes <root>/<branch>/<scenario>.json and reads back the run with its metrics, samples and metadata', async () => {
    const store = new FileBaselineStore(root);
    const report = reportFixture({ runId: 'r1' });
    const saved = await store.save('main', report, {
      savedAt: new Date('2026-02-01T10:00:00.000Z'),
      commit: 'abc1234def',
      testbed: { os: 'linux 6.8', cpus: 2, targetKind: 'devnet' },
    });
    const path = join(root, 'main', 'mixed-workload.json');
    expect(saved).toMatchObject({ branch: 'main', source: path, runs: 1, savedAt: '2026-02-01T10:00:00.000Z', commit: 'abc1234def', runsTrimmed: 0, replacedSameRun: false });
    expect(saved.newHistory).toBeUndefined();

    const loaded = await store.load('main', 'mixed-workload');
    expect(loaded).toEqual({
      schemaVersion: 1,
      scenario: { name: 'mixed-workload', hash: SCENARIO_HASH },
      branch: 'main',
      runs: [
        {
          runId: 'r1',
          savedAt: '2026-02-01T10:00:00.000Z',
          commit: 'abc1234def',
          testbed: { os: 'linux 6.8', cpus: 2, targetKind: 'devnet' },
          metrics: report.metrics,
          samples: report.samples,
        },
      ],
    });
    // The file on disk is the stable serialisation, so that git diffs stay small.
    expect(await readFile(path, 'utf8')).toBe(serializeBaselineFile(loaded!));
  });

  it('keeps only gate metrics and regression samples from the report', async () => {
    const store = new FileBaselineStore(root);
    const report = reportFixture({ metrics: { not_a_metric: 5 }, samples: { p50_inclusion_ms: [1, 2], base_fee: [3] } });
    await store.save('main', report, META);
    const run = (await store.load('main', 'mixed-workload'))!.runs[0]!;
    expect(run.metrics).not.toHaveProperty('not_a_metric');
    expect(run.metrics.p99_inclusion_ms).toBe(900);
    expect(run.samples).toEqual({ p50_inclusion_ms: [1, 2] });
  });

  it('returns undefined for a branch or scenario without a baseline', async () => {
    const store = new FileBaselineStore(root);
    expect(await store.load('main', 'mixed-workload')).toBeUndefined();
    await store.save('main', reportFixture(), META);
    expect(await store.load('develop', 'mixed-workload')).toBeUndefined();
    expect(await store.load('main', 'other-scenario')).toBeUndefined();
  });

  it('appends runs newest last, and replaces a run saved twice instead of counting it twice', async () => {
    const store = new FileBaselineStore(root);
    await store.save('main', reportFixture({ runId: 'r1' }), META);
    await store.save('main', reportFixture({ runId: 'r2' }), META);
    const again = await store.save('main', reportFixture({ runId: 'r1' }), { savedAt: new Date('2026-02-02T00:00:00.000Z') });
    expect(again.replacedSameRun).toBe(true);
    expect(again.runs).toBe(2);
    const file = await store.load('main', 'mixed-workload');
    expect(file!.runs.map((r) => r.runId)).toEqual(['r2', 'r1']);
    expect(file!.runs[1]!.savedAt).toBe('2026-02-02T00:00:00.000Z');
  });

  it(`keeps the newest ${MAX_BASELINE_RUNS} runs`, async () => {
    const store = new FileBaselineStore(root);
    const trimmed: number[] = [];
    for (let i = 1; i <= MAX_BASELINE_RUNS + 2; i++) {
      trimmed.push((await store.save('main', reportFixture({ runId: `r${i}` }), META)).runsTrimmed);
    }
    expect(trimmed.slice(0, MAX_BASELINE_RUNS)).toEqual(Array(MAX_BASELINE_RUNS).fill(0));
    expect(trimmed.slice(MAX_BASELINE_RUNS)).toEqual([1, 1]);
    const file = await store.load('main', 'mixed-workload');
    expect(file!.runs.map((r) => r.runId)).toEqual(Array.from({ length: MAX_BASELINE_RUNS }, (_, i) => `r${i + 3}`));
  });

  it('starts a new history when the scenario hash changes, and says what it replaced', async () => {
    const store = new FileBaselineStore(root);
    await store.save('main', reportFixture({ runId: 'old1' }), META);
    await store.save('main', reportFixture({ runId: 'old2' }), META);
    const saved = await store.save('main', reportFixture({ runId: 'new1', scenarioHash: OTHER_SCENARIO_HASH }), META);
    expect(saved.newHistory).toEqual({ previousHash: SCENARIO_HASH, runsDropped: 2 });
    expect(saved.runs).toBe(1);
    const file = await store.load('main', 'mixed-workload');
    expect(file!.scenario.hash).toBe(OTHER_SCENARIO_HASH);
    expect(file!.runs.map((r) => r.runId)).toEqual(['new1']);
  });

  it('keeps branches apart, feature/x in its own flat folder', async () => {
    const store = new FileBaselineStore(root);
    await store.save('feature', reportFixture({ runId: 'f' }), META);
    await store.save('feature/x', reportFixture({ runId: 'fx' }), META);
    expect((await readdir(root)).sort()).toEqual(['feature', 'feature%2Fx']);
    expect(store.pathOf('feature/x', 'mixed-workload')).toBe(join(root, 'feature%2Fx', 'mixed-workload.json'));
    expect((await store.load('feature', 'mixed-workload'))!.runs[0]!.runId).toBe('f');
    expect((await store.load('feature/x', 'mixed-workload'))!.runs[0]!.runId).toBe('fx');
  });

  it('leaves no temporary file behind', async () => {
    const store = new FileBaselineStore(root);
    await store.save('main', reportFixture({ runId: 'r1' }), META);
    await store.save('main', reportFixture({ runId: 'r2' }), META);
    expect(await readdir(join(root, 'main'))).toEqual(['mixed-workload.json']);
  });

  it('reports a folder it cannot write as GH-E005, leaving nothing behind', async () => {
    // The branch folder's place is taken by a file: mkdir fails.
    await writeFile(join(root, 'main'), 'not a folder');
    const e = await rejection(new FileBaselineStore(root).save('main', reportFixture(), META));
    expect(e.code).toBe('GH-E005');
    expect(e.shortMessage).toContain(join(root, 'main', 'mixed-workload.json'));
    expect(await readdir(root)).toEqual(['main']);
  });

  it('refuses a scenario name that is not a label (GH-E800)', () => {
    expect(codeOf(() => new FileBaselineStore(root).pathOf('main', '../escape'))).toBe('GH-E800');
  });
});

describe('branch folder names', () => {
  it.each([
    ['main', 'main'],
    ['release-1.2_rc', 'release-1.2_rc'],
    ['feature/x', 'feature%2Fx'],
    ['user/alice/fix#12', 'user%2Falice%2Ffix%2312'],
    ['ünï', '%C3%BCn%C3%AF'],
    ['50%', '50%25'],
  ])('maps %s to %s and back', (branch, folder) => {
    expect(branchFolderName(branch)).toBe(folder);
    expect(branchFromFolderName(folder)).toBe(branch);
  });

  it.each([
    ['', 'is empty'],
    ['..', "has a '..' part"],
    ['.', "has a '.' part"],
    ['../x', "has a '..' part"],
    ['a/../b', "has a '..' part"],
    ['a..b', "contains '..'"],
    ['/etc', 'is an absolute path'],
    ['\\\\server\\share', 'is an absolute path'],
    ['C:\\baselines', 'is an absolute path'],
    ['a//b', 'has an empty part'],
    ['a/', 'has an empty part'],
    ['bad\u0000name', 'contains a control character'],
    ['tab\there', 'contains a control character'],
    ['x'.repeat(201), 'is longer than 200 characters'],
  ])('rejects %j: %s', (branch, why) => {
    let error: unknown;
    try {
      checkBranchName(branch);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GasHammerError);
    expect((error as GasHammerError).code).toBe('GH-E802');
    expect((error as GasHammerError).shortMessage).toContain(why);
    expect(codeOf(() => branchFolderName(branch))).toBe('GH-E802');
  });

  it('does not take folder names it would not write as branches', () => {
    for (const folder of ['feature%2fx', 'a%2F..%2Fb', '%2Fetc', 'with space', '%ZZ', '..']) expect(branchFromFolderName(folder), folder).toBeUndefined();
  });

  it('saves nothing for a rejected branch', async () => {
    const e = await rejection(new FileBaselineStore(root).save('../outside', reportFixture(), META));
    expect(e.code).toBe('GH-E802');
    expect(await readdir(root)).toEqual([]);
  });
});

describe('corrupt baseline files', () => {
  async function corrupt(text: string): Promise<{ store: FileBaselineStore; path: string }> {
    const store = new FileBaselineStore(root);
    const path = store.pathOf('main', 'mixed-workload');
    await mkdir(join(root, 'main'), { recursive: true });
    await writeFile(path, text);
    return { store, path };
  }

  async function validText(): Promise<Record<string, unknown>> {
    const store = new FileBaselineStore(root);
    await store.save('main', reportFixture(), META);
    return JSON.parse(await readFile(store.pathOf('main', 'mixed-workload'), 'utf8')) as Record<string, unknown>;
  }

  it('names the file when it is not JSON', async () => {
    const { store, path } = await corrupt('{"schemaVersion": 1, "runs": [');
    const e = await rejection(store.load('main', 'mixed-workload'));
    expect(e.code).toBe('GH-E801');
    expect(e.shortMessage).toContain(`${path} is not valid JSON`);
    expect(e.render()).toContain('hint:');
  });

  it('names the file when it is empty', async () => {
    const { store, path } = await corrupt('  \n');
    const e = await rejection(store.load('main', 'mixed-workload'));
    expect(e.code).toBe('GH-E801');
    expect(e.shortMessage).toBe(`${path} is empty`);
  });

  it('names the file, the field path and what was expected for a wrong field', async () => {
    const json = await validText();
    const runs = json.runs as Array<Record<string, Record<string, unknown>>>;
    runs[0]!.metrics!.p50_inclusion_ms = 'fast';
    delete runs[0]!.savedAt;
    const { store, path } = await corrupt(JSON.stringify(json));
    const e = await rejection(store.load('main', 'mixed-workload'));
    expect(e.code).toBe('GH-E801');
    const text = e.render();
    expect(text).toContain(`GH-E801 ${path} runs[0].metrics.p50_inclusion_ms: is the string "fast"\n  expected: a number or null`);
    expect(text).toContain(`GH-E801 ${path} runs[0].savedAt: is missing`);
    expect(text).toContain('docs: docs/errors.md#gh-e801');
  });

  it('rejects samples that are not numbers and commits that are not hex', async () => {
    const json = await validText();
    const runs = json.runs as Array<Record<string, unknown>>;
    runs[0]!.samples = { p99_inclusion_ms: [1, 'x'] };
    runs[0]!.commit = 'HEAD';
    const e = parseError(JSON.stringify(json));
    expect(e).toContain('runs[0].samples.p99_inclusion_ms[1]: is the string "x"');
    expect(e).toContain('runs[0].commit: is the string "HEAD"\n  expected: a git commit id: 7 to 64 hex digits');
  });

  it('says which format a baseline of another version is', () => {
    const e = parseError(JSON.stringify({ schemaVersion: 2, runs: [] }));
    expect(e).toContain('f.json is a baseline of format 2');
  });

  it('rejects unknown fields and an empty run list', () => {
    const e = parseError(JSON.stringify({ schemaVersion: 1, scenario: { name: 'x', hash: 'y' }, branch: 'main', runs: [], extra: true }));
    expect(e).toContain('extra: is not a field of this format');
    expect(e).toContain('runs: is an empty list');
  });

  it('refuses to save over a corrupt file, leaving it as it was', async () => {
    const { store, path } = await corrupt('garbage');
    const e = await rejection(store.save('main', reportFixture(), META));
    expect(e.code).toBe('GH-E801');
    expect(await readFile(path, 'utf8')).toBe('garbage');
  });

  it('reports a baseline path that cannot be read as GH-E803', async () => {
    await mkdir(join(root, 'a-folder.json'));
    const e = await rejection(readBaselineFile(join(root, 'a-folder.json'), 'a-folder.json'));
    expect(e.code).toBe('GH-E803');
    expect(e.shortMessage).toContain('a-folder.json could not be read: EISDIR');
  });
});

function parseError(text: string): string {
  try {
    parseBaselineFile(text, 'f.json');
  } catch (e) {
    if (e instanceof GasHammerError) return e.render();
    throw e;
  }
  throw new Error('expected parseBaselineFile to throw');
}
