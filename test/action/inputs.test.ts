// The Action's inputs: every default, every malformed value reported with its input, its value
// and what was expected, all problems at once, and the token never echoed.

import { describe, expect, it } from 'vitest';
import { ACTION_INPUT_DEFAULTS, failOnBlocks, inputEnvName, parseActionInputs, shouldSaveBaseline, type ActionOptions, type RunActionOptions } from '../../src/action/inputs.js';
import { DEFAULT_NITRO_IMAGE } from '../../src/devnet/nitro-container.js';
import { formatDiagnostic } from '../../src/errors/diagnostic.js';
import { isGasHammerError, type GasHammerError } from '../../src/errors/gashammer-error.js';
import type { GateVerdict } from '../../src/report/report-types.js';

const TOKEN = 'ghs_9Xq2LmN4pR7tV1wZ3yB6cD8fH0jK5sU2eA4g';

/** The environment the runner sets for a step's `with:` (names as the runner spells them). */
function env(inputs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { 'INPUT_GITHUB-TOKEN': TOKEN, PATH: '/usr/bin', GITHUB_ACTIONS: 'true' };
  for (const [name, value] of Object.entries(inputs)) out[inputEnvName(name)] = value;
  return out;
}

function parseRun(inputs: Record<string, string>): RunActionOptions {
  const options = parseActionInputs(env({ scenario: 'scenarios/quick-smoke-test.yaml', ...inputs }));
  if (options.mode !== 'run') throw new Error(`expected run mode, got ${options.mode}`);
  return options;
}

function errorOf(e: Record<string, string | undefined>): GasHammerError {
  try {
    parseActionInputs(e);
  } catch (err) {
    if (isGasHammerError(err)) return err;
    throw err;
  }
  throw new Error('parseActionInputs accepted the inputs');
}

/** The problems reported for one input, as a user reads them; fails when there is none. */
function problemFor(err: GasHammerError, name: string): string {
  const found = err.diagnostics.filter((d) => d.path === `with.${name}`);
  expect(found.length, `a problem for ${name} in ${err.render()}`).toBeGreaterThan(0);
  return found.map(formatDiagnostic).join('\n');
}

describe('inputEnvName', () => {
  it('upper-cases, turns spaces into underscores and keeps hyphens, as the runner does', () => {
    expect(inputEnvName('github-token')).toBe('INPUT_GITHUB-TOKEN');
    expect(inputEnvName('fail-on')).toBe('INPUT_FAIL-ON');
    expect(inputEnvName('my input')).toBe('INPUT_MY_INPUT');
  });
});

describe('parseActionInputs: defaults', () => {
  it('fills every run-mode default when only scenario and token are given', () => {
    const o = parseRun({});
    expect(o).toEqual({
      mode: 'run',
      githubToken: TOKEN,
      scenario: 'scenarios/quick-smoke-test.yaml',
      target: { kind: 'nitro', image: DEFAULT_NITRO_IMAGE },
      edges: undefined,
      repeat: 1,
      baseline: { store: 'file', dir: 'baselines', branch: undefined, dataBranch: 'gashammer-baselines', save: 'auto' },
      failOn: 'fail',
      comment: true,
      checkName: 'GasHammer',
      workingDirectory: '.',
      out: 'gashammer-out',
    } satisfies ActionOptions);
  });

  it('uses the Nitro image the container devnet uses by default', () => {
    expect(ACTION_INPUT_DEFAULTS.nitroImage).toBe(DEFAULT_NITRO_IMAGE);
  });

  it('treats empty and blank inputs as not set (the runner passes "" for an input left out)', () => {
    const o = parseRun({ target: '', edges: '  ', repeat: '', comment: '', 'fail-on': ' ', 'baseline-branch': '' });
    expect(o.target).toEqual({ kind: 'nitro', image: DEFAULT_NITRO_IMAGE });
    expect(o.edges).toBeUndefined();
    expect(o.repeat).toBe(1);
    expect(o.comment).toBe(true);
    expect(o.failOn).toBe('fail');
    expect(o.baseline.branch).toBeUndefined();
  });

  it('trims values', () => {
    const o = parseRun({ scenario: '  scenarios/a.yaml \n', edges: ' 4 ', 'check-name': ' Load gate ' });
    expect(o.scenario).toBe('scenarios/a.yaml');
    expect(o.edges).toBe(4);
    expect(o.checkName).toBe('Load gate');
  });

  it('reads publish mode with its results folder, and the scenario as optional', () => {
    const o = parseActionInputs(env({ mode: 'publish', results: 'gashammer-results' }));
    expect(o).toEqual({
      mode: 'publish',
      githubToken: TOKEN,
      results: 'gashammer-results',
      scenario: undefined,
      failOn: 'fail',
      comment: true,
      checkName: 'GasHammer',
      workingDirectory: '.',
      out: 'gashammer-out',
    } satisfies ActionOptions);
  });
});

describe('parseActionInputs: values given', () => {
  it('reads every input', () => {
    const o = parseRun({
      target: 'https://rpc.staging.example/v1',
      'feed-url': 'wss://feed.staging.example',
      edges: '16',
      repeat: '9',
      'baseline-store': 'branch',
      'baselines-dir': 'perf/baselines',
      'baseline-branch': 'refs/heads/release/v2',
      'data-branch': 'perf-data',
      'save-baseline': 'FALSE',
      'fail-on': 'warn',
      comment: 'False',
      'check-name': 'GasHammer (ramp)',
      'working-directory': 'rollup',
      out: 'out/gh',
    });
    expect(o.target).toEqual({ kind: 'rpc', rpcUrl: 'https://rpc.staging.example/v1', feedUrl: 'wss://feed.staging.example' });
    expect(o.edges).toBe(16);
    expect(o.repeat).toBe(9);
    expect(o.baseline).toEqual({ store: 'branch', dir: 'perf/baselines', branch: 'release/v2', dataBranch: 'perf-data', save: false });
    expect(o.failOn).toBe('warn');
    expect(o.comment).toBe(false);
    expect(o.checkName).toBe('GasHammer (ramp)');
    expect(o.workingDirectory).toBe('rollup');
    expect(o.out).toBe('out/gh');
  });

  it('reads the devnet target and a pinned Nitro image', () => {
    expect(parseRun({ target: 'devnet' }).target).toEqual({ kind: 'devnet' });
    const digest = `offchainlabs/nitro-node:v3.9.6-91bf578@sha256:${'ab'.repeat(32)}`;
    expect(parseRun({ 'nitro-image': digest }).target).toEqual({ kind: 'nitro', image: digest });
    expect(parseRun({ 'nitro-image': 'ghcr.io:443/acme/nitro:dev' }).target).toEqual({ kind: 'nitro', image: 'ghcr.io:443/acme/nitro:dev' });
  });

  it('accepts exactly the six boolean words @actions/core accepts', () => {
    for (const word of ['true', 'True', 'TRUE']) expect(parseRun({ comment: word }).comment).toBe(true);
    for (const word of ['false', 'False', 'FALSE']) expect(parseRun({ comment: word }).comment).toBe(false);
    for (const word of ['tRUE', 'yes', '1', 'on']) expect(errorOf(env({ scenario: 's.yaml', comment: word })).diagnostics).toHaveLength(1);
  });

  it('reads save-baseline as auto, true or false', () => {
    expect(parseRun({ 'save-baseline': 'auto' }).baseline.save).toBe('auto');
    expect(parseRun({ 'save-baseline': 'true' }).baseline.save).toBe(true);
    expect(parseRun({ 'save-baseline': 'False' }).baseline.save).toBe(false);
  });
});

describe('parseActionInputs: problems', () => {
  const bad: [string, Record<string, string>, RegExp][] = [
    ['mode', { mode: 'Run' }, /with\.mode: is "Run"\n {2}expected: one of run or publish, written exactly so\n {2}hint: did you mean 'run'\?/],
    ['target', { target: 'nitor' }, /with\.target: is "nitor"[\s\S]*did you mean 'nitro'\?/],
    ['target', { target: 'ftp://rpc.example' }, /with\.target: is "ftp:\/\/rpc\.example"\n {2}expected: nitro \(a Nitro dev node in a container\), devnet/],
    ['feed-url', { target: 'https://rpc.example', 'feed-url': 'https://feed.example' }, /with\.feed-url: is "https:\/\/feed\.example", not a ws:\/\/ or wss:\/\/ URL/],
    ['feed-url', { 'feed-url': 'wss://feed.example' }, /with\.feed-url: is set, but target is nitro\n {2}expected: feed-url only together with an RPC URL as target/],
    ['nitro-image', { 'nitro-image': 'Offchainlabs/Nitro Node' }, /with\.nitro-image: is "Offchainlabs\/Nitro Node", not a container image reference/],
    ['edges', { edges: '0' }, /with\.edges: is 0, out of range\n {2}expected: a whole number from 1 to 16/],
    ['edges', { edges: '17' }, /with\.edges: is 17, out of range/],
    ['edges', { edges: '2.5' }, /with\.edges: is "2\.5", not a whole number/],
    ['repeat', { repeat: '10' }, /with\.repeat: is 10, out of range\n {2}expected: a whole number from 1 to 9/],
    ['repeat', { repeat: '-1' }, /with\.repeat: is "-1", not a whole number/],
    ['baseline-store', { 'baseline-store': 'service' }, /with\.baseline-store: is "service"\n {2}expected: one of file or branch/],
    ['baseline-branch', { 'baseline-branch': 'feature..x' }, /with\.baseline-branch: is "feature\.\.x", not a valid branch name/],
    ['data-branch', { 'data-branch': 'my data' }, /with\.data-branch: is "my data", not a valid branch name/],
    ['save-baseline', { 'save-baseline': 'always' }, /with\.save-baseline: is "always"\n {2}expected: auto \(save on a push to the default branch\), true or false/],
    ['fail-on', { 'fail-on': 'error' }, /with\.fail-on: is "error"\n {2}expected: one of fail, warn or never/],
    ['comment', { comment: 'yes' }, /with\.comment: is "yes"\n {2}expected: true or false \(also True, TRUE, False, FALSE\)/],
    ['check-name', { 'check-name': 'two\nlines' }, /with\.check-name: "two\\nlines" contains a line break or a control character/],
    ['scenario', { scenario: '' }, /with\.scenario: is required in run mode and is not set\n {2}expected: the path of a scenario YAML file/],
    ['results', { results: 'downloaded' }, /with\.results: is set, but mode is run\n {2}expected: results only with mode: publish/],
  ];
  for (const [name, inputs, pattern] of bad) {
    it(`reports ${name} = ${JSON.stringify(Object.values(inputs).at(-1))} with its value, what was expected and what to do`, () => {
      const err = errorOf(env({ scenario: 's.yaml', ...inputs }));
      expect(err.code).toBe('GH-E950');
      expect(err.diagnostics).toHaveLength(1);
      expect(err.shortMessage).toBe(`1 problem in the Action's inputs: ${name}`);
      expect(err.render()).toMatch(pattern);
      expect(err.diagnostics[0]!.hint).toBeTruthy();
    });
  }

  it('requires results in publish mode', () => {
    const err = errorOf(env({ mode: 'publish' }));
    expect(problemFor(err, 'results')).toContain('is required in publish mode and is not set');
  });

  it('reports every problem at once, in one GH-E950 error', () => {
    const err = errorOf({
      'INPUT_GITHUB-TOKEN': TOKEN,
      INPUT_SCENARIO: 's.yaml',
      INPUT_EDGES: '99',
      INPUT_REPEAT: 'three',
      'INPUT_FAIL-ON': 'FAIL',
      INPUT_COMMENT: 'y',
      INPUT_TARGET: 'mainnet',
    });
    expect(err.code).toBe('GH-E950');
    expect(err.diagnostics.map((d) => d.path).sort()).toEqual(['with.comment', 'with.edges', 'with.fail-on', 'with.repeat', 'with.target']);
    expect(err.shortMessage).toBe("5 problems in the Action's inputs: fail-on, comment, target, edges, repeat");
    expect(problemFor(err, 'fail-on')).toContain("did you mean 'fail'?");
  });

  it('reports an input the Action does not know, naming the one probably meant', () => {
    const err = errorOf({ ...env({ scenario: 's.yaml' }), INPUT_FAIL_ON: 'warn', INPUT_WHATEVER: 'x' });
    expect(err.diagnostics.map((d) => d.path)).toEqual(['with.fail_on', 'with.whatever']);
    expect(problemFor(err, 'fail_on')).toMatch(/is not an input of the GasHammer Action \(environment variable INPUT_FAIL_ON\)[\s\S]*did you mean 'fail-on'\?/);
  });

  it('flags no mode-specific input when the mode itself is wrong', () => {
    const err = errorOf(env({ mode: 'publsh', results: 'r' }));
    expect(err.diagnostics.map((d) => d.path)).toEqual(['with.mode']);
    expect(err.render()).toContain("did you mean 'publish'?");
  });

  it('hides credentials in an RPC URL when showing it', () => {
    const err = errorOf(env({ scenario: 's.yaml', target: 'ftp://alice:s3cretpw@rpc.example/v2/abcDEF1234567890abcdef12' }));
    expect(err.diagnostics.map((d) => d.path)).toEqual(['with.target']);
    expect(err.render()).toContain('rpc.example');
    expect(err.render()).not.toContain('s3cretpw');
    expect(err.render()).not.toContain('abcDEF1234567890abcdef12');
  });
});

describe('parseActionInputs: the token', () => {
  it('is read from INPUT_GITHUB-TOKEN (hyphen kept), not INPUT_GITHUB_TOKEN', () => {
    const { 'INPUT_GITHUB-TOKEN': _token, ...rest } = env({ scenario: 's.yaml' });
    const err = errorOf({ ...rest, INPUT_GITHUB_TOKEN: TOKEN });
    expect(err.diagnostics.map((d) => d.path)).toEqual(['with.github-token', 'with.github_token']);
    expect(problemFor(err, 'github-token')).toContain('is required and is empty');
    expect(problemFor(err, 'github_token')).toContain("did you mean 'github-token'?");
  });

  it('is required', () => {
    const err = errorOf({ INPUT_SCENARIO: 's.yaml', 'INPUT_GITHUB-TOKEN': '' });
    expect(problemFor(err, 'github-token')).toMatch(/is required and is empty[\s\S]*github\.token/);
  });

  it('is never shown, even when pasted into another input', () => {
    const secret = 'ghp_SECRETvalue123456789';
    const inputs = { 'INPUT_GITHUB-TOKEN': `${secret}\nnote to self`, INPUT_SCENARIO: 's.yaml', INPUT_REPEAT: '0', INPUT_COMMENT: secret };
    const err = errorOf(inputs);
    const all = [err.message, err.shortMessage, err.render(), JSON.stringify(err.diagnostics.map((d) => ({ ...d, code: d.code.code })))].join('\n');
    expect(problemFor(err, 'github-token')).toContain('contains whitespace or a line break (value not shown: it is a secret)');
    expect(all).not.toContain('ghp_SECRET');
    expect(all).not.toContain('note to self');
    expect(err.diagnostics.map((d) => d.path)).toContain('with.comment');
  });

  it('is taken out of a long value before the value is cut short for showing', () => {
    const err = errorOf(env({ scenario: 's.yaml', comment: `${'y'.repeat(110)}${TOKEN}` }));
    expect(err.diagnostics.map((d) => d.path)).toEqual(['with.comment']);
    expect(err.render()).toContain(`"${'y'.repeat(110)}***"`);
    expect(err.render()).not.toContain(TOKEN.slice(0, 6));
  });
});

describe('failOnBlocks', () => {
  const verdicts: GateVerdict[] = ['pass', 'warn', 'fail', 'inconclusive'];
  const blocked = (failOn: 'fail' | 'warn' | 'never') => verdicts.filter((v) => failOnBlocks(v, failOn));

  it('fail-on fail blocks FAIL only (an INCONCLUSIVE run does not block)', () => {
    expect(blocked('fail')).toEqual(['fail']);
  });

  it('fail-on warn blocks everything short of PASS', () => {
    expect(blocked('warn')).toEqual(['warn', 'fail', 'inconclusive']);
  });

  it('fail-on never blocks nothing', () => {
    expect(blocked('never')).toEqual([]);
  });
});

describe('shouldSaveBaseline', () => {
  it('auto saves on a push to the default branch only', () => {
    expect(shouldSaveBaseline('auto', { kind: 'push', isDefaultBranch: true })).toBe(true);
    expect(shouldSaveBaseline('auto', { kind: 'push', isDefaultBranch: false })).toBe(false);
    expect(shouldSaveBaseline('auto', { kind: 'pull_request' })).toBe(false);
  });

  it('true and false decide whatever the event', () => {
    expect(shouldSaveBaseline(true, { kind: 'pull_request' })).toBe(true);
    expect(shouldSaveBaseline(false, { kind: 'push', isDefaultBranch: true })).toBe(false);
  });
});
