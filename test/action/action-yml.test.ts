// action.yml against the code: the runner passes action.yml's defaults as inputs and the Action
// sets the outputs the code names, so the two must agree on every name and default; and every
// input and output must say what it is, in action.yml and in docs/action.md's tables.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_INPUT_DEFAULTS, ACTION_INPUTS } from '../../src/action/inputs.js';
import { ACTION_OUTPUTS } from '../../src/action/run-action.js';
import { packageRoot } from '../../src/util/build-info.js';

const TOKEN_DEFAULT = '${{ github.token }}';

interface ActionYml {
  name: unknown;
  description: unknown;
  inputs: Record<string, { description?: unknown; default?: unknown; required?: unknown }>;
  outputs: Record<string, { description?: unknown }>;
  runs: { using?: unknown; main?: unknown };
}

const actionYml = parse(readFileSync(join(packageRoot(), 'action.yml'), 'utf8')) as ActionYml;
const guide = readFileSync(join(packageRoot(), 'docs', 'action.md'), 'utf8');

/** The rows of the table under `## heading` in docs/action.md, keyed by the first cell's name. */
function guideTable(heading: string): Map<string, string[]> {
  const start = guide.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/action.md has no "## ${heading}" section`);
  const end = guide.indexOf('\n## ', start + 1);
  const section = guide.slice(start, end < 0 ? undefined : end);
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const cells = line.split(' | ');
    const name = /^\| `([a-z0-9-]+)`$/.exec(cells[0] ?? '')?.[1];
    if (name !== undefined) rows.set(name, cells.slice(1));
  }
  return rows;
}

/** A description worth the name: a sentence, not a placeholder. */
function isDescribed(entry: { description?: unknown } | null | undefined): boolean {
  return typeof entry?.description === 'string' && entry.description.trim().length >= 20;
}

describe('action.yml', () => {
  it('declares exactly the inputs the Action parses', () => {
    expect(Object.keys(actionYml.inputs).sort()).toEqual(Object.values(ACTION_INPUTS).sort());
  });

  it("gives each input with a default in the code that same default, as the runner's string", () => {
    for (const [key, value] of Object.entries(ACTION_INPUT_DEFAULTS)) {
      const name = ACTION_INPUTS[key as keyof typeof ACTION_INPUTS];
      expect(actionYml.inputs[name]?.default, `default of ${name}`).toBe(String(value));
    }
  });

  it('gives no default to an input the code has none for, except the token', () => {
    const withDefaults = new Set<string>(Object.keys(ACTION_INPUT_DEFAULTS).map((key) => ACTION_INPUTS[key as keyof typeof ACTION_INPUTS]));
    for (const [name, input] of Object.entries(actionYml.inputs)) {
      if (withDefaults.has(name) || name === ACTION_INPUTS.githubToken) continue;
      expect(input.default, `default of ${name}`).toBeUndefined();
    }
  });

  it("defaults github-token to the workflow's own token", () => {
    expect(actionYml.inputs[ACTION_INPUTS.githubToken]?.default).toBe(TOKEN_DEFAULT);
  });

  it('describes every input, and states each default in its description', () => {
    for (const [name, input] of Object.entries(actionYml.inputs)) {
      expect(isDescribed(input), `description of input ${name}`).toBe(true);
      const description = String(input.description);
      expect(description, `input ${name} says its default`).toMatch(/Default|No default/);
    }
    for (const [key, value] of Object.entries(ACTION_INPUT_DEFAULTS)) {
      const name = ACTION_INPUTS[key as keyof typeof ACTION_INPUTS];
      expect(String(actionYml.inputs[name]?.description), `description of ${name}`).toContain(`Default \`${String(value)}\``);
    }
  });

  it('declares exactly the outputs the Action sets, each described', () => {
    expect(Object.keys(actionYml.outputs).sort()).toEqual([...ACTION_OUTPUTS].sort());
    for (const [name, output] of Object.entries(actionYml.outputs)) expect(isDescribed(output), `description of output ${name}`).toBe(true);
  });

  it('runs the bundle on Node 24', () => {
    expect(actionYml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('keeps the name and description the Marketplace shows', () => {
    expect(actionYml.name).toBe('GasHammer');
    expect(typeof actionYml.description).toBe('string');
  });
});

describe('docs/action.md', () => {
  it('lists exactly the inputs of action.yml, each with its default', () => {
    const rows = guideTable('Inputs');
    expect([...rows.keys()].sort()).toEqual(Object.keys(actionYml.inputs).sort());
    for (const [name, input] of Object.entries(actionYml.inputs)) {
      const defaultCell = rows.get(name)?.at(-1) ?? '';
      if (input.default !== undefined) expect(defaultCell, `default of ${name} in docs/action.md`).toContain(`\`${String(input.default)}\``);
    }
  });

  it('lists exactly the outputs of action.yml', () => {
    expect([...guideTable('Outputs').keys()].sort()).toEqual(Object.keys(actionYml.outputs).sort());
  });
});
