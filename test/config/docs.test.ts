// docs/configuration.md and docs/examples/ must agree with the code: every field documented,
// every documented variable and flag setting the field it names, the examples loading cleanly.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configFlags, loadConfig } from '../../src/config/load.js';
import { configFields, type ConfigKind } from '../../src/config/schema.js';
import { formatDiagnostic } from '../../src/errors/diagnostic.js';
import { clearRegisteredSecrets } from '../../src/util/redact.js';

const root = join(import.meta.dirname, '..', '..');
const docsText = await readFile(join(root, 'docs', 'configuration.md'), 'utf8');
/** A working directory without hive.toml or edge.toml. */
const emptyDir = await mkdtemp(join(tmpdir(), 'gh-config-docs-'));

afterAll(async () => {
  await rm(emptyDir, { recursive: true, force: true });
});

interface DocRow {
  readonly path: string;
  readonly defaultText: string;
  readonly envs: string[];
  readonly flag: string | undefined;
}

/** The rows of the field table under `## <kind>.toml`. */
function documentedRows(kind: ConfigKind): DocRow[] {
  const section = docsText.split(`\n## ${kind}.toml\n`)[1]?.split('\n## ')[0];
  if (section === undefined) throw new Error(`no "## ${kind}.toml" section in docs/configuration.md`);
  return section
    .split('\n')
    .filter((line) => /^\| `[a-z_.]+` \|/.test(line))
    .map((line) => {
      const cells = line.split(' | ').map((c) => c.replace(/^\| /, '').trim());
      return {
        path: cells[0]!.replace(/`/g, ''),
        defaultText: cells[2]!,
        envs: [...cells[3]!.matchAll(/`(GASHAMMER_[A-Z0-9_]+)`/g)].map((m) => m[1]!),
        flag: /`(--[a-z-]+)`/.exec(cells[4] ?? '')?.[1],
      };
    });
}

/** Values for fields without a default; the rest use their default. */
const samples: Record<string, string> = {
  'edge.name': 'edge-a',
  'edge.region': 'us-east',
  'nitro.sequencer_rpc': 'http://seq:8547',
  'nitro.gateway_rpc': 'http://gw:8547',
  'nitro.feed_relay': 'ws://feed:9642',
};

afterEach(() => {
  clearRegisteredSecrets();
});

for (const kind of ['hive', 'edge'] as const) {
  describe(`docs: ${kind}.toml`, () => {
    const rows = documentedRows(kind);

    it('documents every field, once, in file order', () => {
      expect(rows.map((r) => r.path)).toEqual(configFields(kind).map((f) => f.path));
    });

    it('documents each default as the code has it', () => {
      for (const field of configFields(kind)) {
        if (field.default === undefined) continue;
        const row = rows.find((r) => r.path === field.path)!;
        const literal = /^`(.*)`$/.exec(row.defaultText)?.[1];
        if (field.secret) continue; // the mnemonic's default is described in words
        expect(literal === undefined ? undefined : JSON.parse(literal), field.path).toBe(field.default);
      }
    });

    it('documents each field\'s flag as the flag table has it', () => {
      for (const row of rows) {
        expect(row.flag, row.path).toBe(configFlags(kind).find((f) => f.path === row.path)?.flag);
      }
    });

    for (const row of rows) {
      for (const env of row.envs) {
        it(`${env} sets ${row.path}`, async () => {
          const field = configFields(kind).find((f) => f.path === row.path)!;
          const value = samples[row.path] ?? String(field.default);
          const result = await loadConfig(kind, { cwd: emptyDir, env: { [env]: value } });
          if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
          const changed = Object.entries(result.origins).filter(([, o]) => o !== 'default');
          expect(changed).toEqual([[row.path, 'env']]);
        });
      }
    }
  });
}

describe('docs: examples', () => {
  for (const kind of ['hive', 'edge'] as const) {
    it(`docs/examples/${kind}.toml loads without errors or warnings`, async () => {
      const result = await loadConfig(kind, { cwd: root, configPath: `docs/examples/${kind}.toml`, env: {} });
      if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
      expect(result.warnings).toEqual([]);
      expect(result.file).toBe(`docs/examples/${kind}.toml`);
      // The example sets every field it documents: nothing is left to a default by accident.
      const fromFile = Object.entries(result.origins).filter(([, o]) => o === 'file').length;
      expect(fromFile).toBeGreaterThan(configFields(kind).length / 2);
    });

    it(`docs/configuration.md shows docs/examples/${kind}.toml as it is`, async () => {
      const file = await readFile(join(root, 'docs', 'examples', `${kind}.toml`), 'utf8');
      const section = docsText.split(`\n## Example ${kind}.toml\n`)[1];
      const block = /```toml\n([\s\S]*?)```/.exec(section ?? '')?.[1];
      expect(block).toBe(file);
    });
  }
});
