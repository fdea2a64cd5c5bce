// File-level input to the SDL: what cannot even be read as a YAML scenario is reported with
// GH-E900/E901 and a position where there is one, never with an exception.

import { mkdtemp, mkdir, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { MAX_SCENARIO_BYTES } from '../../src/scenario/yaml-source.js';
import { BASE } from '../support/scenario.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gashammer-files-'));
});

async function problemsOfFile(name: string, content: string | Uint8Array) {
  const file = join(dir, name);
  await writeFile(file, content);
  const r = await loadScenarioFile(file);
  if (r.ok) throw new Error(`expected ${name} to be rejected`);
  return r.diagnostics.map((d) => ({ code: d.code.code, line: d.line, column: d.column, message: d.message }));
}

describe('scenario files', () => {
  it('loads a valid file', async () => {
    const file = join(dir, 'ok.yaml');
    await writeFile(file, BASE);
    const r = await loadScenarioFile(file);
    expect(r.ok && r.scenario.name).toBe('base');
  });

  it('reports a missing file', async () => {
    const r = await loadScenarioFile(join(dir, 'nope.yaml'));
    expect(!r.ok && r.diagnostics.map((d) => [d.code.code, d.message])).toEqual([['GH-E900', 'no such file']]);
  });

  it('reports a directory', async () => {
    await mkdir(join(dir, 'adir'));
    const r = await loadScenarioFile(join(dir, 'adir'));
    expect(!r.ok && r.diagnostics[0]!.message).toBe('is a directory, not a scenario file');
  });

  it('reports an unreadable file', async (ctx) => {
    if (process.getuid?.() === 0) {
      // root reads any file regardless of its mode, so the permission case cannot be produced here
      console.log('skipped: the unreadable-file case needs a non-root user (running as root)');
      ctx.skip('needs a non-root user');
    }
    const file = join(dir, 'locked.yaml');
    await writeFile(file, BASE);
    await chmod(file, 0o000);
    const r = await loadScenarioFile(file);
    expect(!r.ok && r.diagnostics[0]!.message).toBe('permission denied');
  });

  it('refuses a file over 1 MiB without reading it as YAML', async () => {
    const problems = await problemsOfFile('huge.yaml', BASE + '#'.repeat(MAX_SCENARIO_BYTES));
    expect(problems).toEqual([{ code: 'GH-E900', line: undefined, column: undefined, message: expect.stringMatching(/^is \d+ bytes; a scenario may be at most 1048576 bytes$/) }]);
  });

  it('reports an empty file and a file of blanks', async () => {
    expect((await problemsOfFile('empty.yaml', ''))[0]!.code).toBe('GH-E901');
    expect((await problemsOfFile('blank.yaml', '  \n\n  '))[0]!.message).toMatch(/^is empty/);
  });

  it('reports binary junk', async () => {
    const junk = new Uint8Array(512).map((_, i) => (i * 37) % 256);
    expect(await problemsOfFile('junk.yaml', junk)).toEqual([{ code: 'GH-E901', line: undefined, column: undefined, message: 'is a binary file (it contains NUL bytes), not YAML' }]);
  });

  it('reports text that is not UTF-8', async () => {
    expect((await problemsOfFile('latin1.yaml', new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a])))[0]!.message).toBe('is not valid UTF-8 text');
  });

  it('reports YAML syntax errors with line and column', async () => {
    const problems = await problemsOfFile('syntax.yaml', 'name: x\nphases: [1, 2\n');
    expect(problems[0]).toMatchObject({ code: 'GH-E901', line: 3, column: 1 });
    expect(problems[0]!.message).toMatch(/^invalid YAML: /);
  });

  it('reports duplicate keys at the second one', async () => {
    const problems = await problemsOfFile('dup.yaml', BASE + 'name: again\n');
    expect(problems[0]).toMatchObject({ code: 'GH-E901', line: 14, column: 1 });
    expect(problems[0]!.message).toContain('unique');
  });

  it('reports several YAML documents in one file', async () => {
    const problems = await problemsOfFile('multi.yaml', BASE + '---\n' + BASE);
    expect(problems[0]!.code).toBe('GH-E901');
    expect(problems[0]!.message).toBe('invalid YAML: the file holds several YAML documents (separated by ---); a scenario file holds exactly one');
  });

  it('reports a top level that is not a mapping', async () => {
    expect(await problemsOfFile('list.yaml', '- a\n- b\n')).toEqual([{ code: 'GH-E901', line: 1, column: 1, message: 'must be a YAML mapping of scenario fields, found a list' }]);
    expect((await problemsOfFile('scalar.yaml', 'just text\n'))[0]!.message).toBe('must be a YAML mapping of scenario fields, found a string');
  });

  it('stops an alias bomb instead of expanding it', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);
    const file = join(dir, 'bomb.yaml');
    await writeFile(file, lines.join('\n') + '\n');
    const r = await loadScenarioFile(file);
    expect(!r.ok && r.diagnostics.map((d) => d.code.code)).toEqual(['GH-E901']);
    expect(!r.ok && r.diagnostics[0]!.message).toMatch(/^cannot be expanded: .*alias/i);
  });
});
