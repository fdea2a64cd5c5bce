// The GasHammer Action's inputs: their names, defaults and formats, and the one parser that turns
// the `INPUT_*` environment variables the Actions runner sets into typed ActionOptions. Strict on
// purpose: a boolean that is not true/false, a value outside its list, a number out of range or an
// input the Action does not know is an error, and every problem is reported at once. Also owns
// what `fail-on` means for a verdict and when `save-baseline: auto` saves.

import { DEFAULT_NITRO_IMAGE } from '../devnet/nitro-container.js';
import { ErrorCodes } from '../errors/codes.js';
import type { Diagnostic } from '../errors/diagnostic.js';
import { GasHammerError } from '../errors/gashammer-error.js';
import type { GateVerdict } from '../report/report-types.js';
import { closest } from '../util/suggest.js';

/** Every input, as action.yml names it; keys are the option names used inside. */
export const ACTION_INPUTS = {
  mode: 'mode',
  scenario: 'scenario',
  target: 'target',
  feedUrl: 'feed-url',
  nitroImage: 'nitro-image',
  edges: 'edges',
  repeat: 'repeat',
  baselineStore: 'baseline-store',
  baselinesDir: 'baselines-dir',
  baselineBranch: 'baseline-branch',
  dataBranch: 'data-branch',
  saveBaseline: 'save-baseline',
  failOn: 'fail-on',
  comment: 'comment',
  checkName: 'check-name',
  githubToken: 'github-token',
  workingDirectory: 'working-directory',
  results: 'results',
  out: 'out',
} as const;

export type ActionInputName = (typeof ACTION_INPUTS)[keyof typeof ACTION_INPUTS];

export const ACTION_MODES = ['run', 'publish'] as const;
export type ActionMode = (typeof ACTION_MODES)[number];
export const FAIL_ON_VALUES = ['fail', 'warn', 'never'] as const;
export type FailOn = (typeof FAIL_ON_VALUES)[number];
export const BASELINE_STORES = ['file', 'branch'] as const;
export type BaselineStoreKind = (typeof BASELINE_STORES)[number];
/** `auto`: save on a push to the repository's default branch (see shouldSaveBaseline). */
export type SaveBaseline = 'auto' | boolean;

export const EDGES_RANGE = [1, 16] as const;
export const REPEAT_RANGE = [1, 9] as const;

/** The defaults action.yml declares; the runner passes them as inputs, so they must agree. */
export const ACTION_INPUT_DEFAULTS = {
  mode: 'run',
  target: 'nitro',
  nitroImage: DEFAULT_NITRO_IMAGE,
  repeat: 1,
  baselineStore: 'file',
  baselinesDir: 'baselines',
  dataBranch: 'gashammer-baselines',
  saveBaseline: 'auto',
  failOn: 'fail',
  comment: true,
  checkName: 'GasHammer',
  workingDirectory: '.',
  out: 'gashammer-out',
} as const;

export type ActionTarget =
  /** A Nitro dev node in a container (needs Docker, which GitHub-hosted Linux runners have). */
  | { readonly kind: 'nitro'; readonly image: string }
  /** The embedded devnet (anvil with a Nitro-format feed), no container. */
  | { readonly kind: 'devnet' }
  /** A running chain: its JSON-RPC URL and, optionally, its sequencer feed. */
  | { readonly kind: 'rpc'; readonly rpcUrl: string; readonly feedUrl: string | undefined };

export interface BaselineOptions {
  readonly store: BaselineStoreKind;
  /** Folder of the `file` store, relative to the working directory. */
  readonly dir: string;
  /** The branch to compare with; undefined: the pull request's base branch, known from the event. */
  readonly branch: string | undefined;
  /** The data branch of the `branch` store. */
  readonly dataBranch: string;
  readonly save: SaveBaseline;
}

interface CommonActionOptions {
  /** Secret: never printed, never passed to renderers. */
  readonly githubToken: string;
  readonly workingDirectory: string;
  readonly failOn: FailOn;
  readonly comment: boolean;
  readonly checkName: string;
  /** Folder for the run's files (report, telemetry) and the artifact's contents. */
  readonly out: string;
}

/** `mode: run`: load-test, judge, and post the results. */
export interface RunActionOptions extends CommonActionOptions {
  readonly mode: 'run';
  readonly scenario: string;
  readonly target: ActionTarget;
  /** undefined: as many edges as the scenario says. */
  readonly edges: number | undefined;
  readonly repeat: number;
  readonly baseline: BaselineOptions;
}

/** `mode: publish`: post the results another workflow's run left in an artifact (fork PRs). */
export interface PublishActionOptions extends CommonActionOptions {
  readonly mode: 'publish';
  /** The downloaded artifact's folder. */
  readonly results: string;
  /** The scenario's repository path, when the results do not name it (for annotations). */
  readonly scenario: string | undefined;
}

export type ActionOptions = RunActionOptions | PublishActionOptions;

/** The environment variable the runner sets for an input: upper case, spaces to `_`, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

const KNOWN_INPUTS: readonly string[] = Object.values(ACTION_INPUTS);
const TRUE_WORDS = ['true', 'True', 'TRUE'];
const FALSE_WORDS = ['false', 'False', 'FALSE'];
/** Shown values are cut here: enough to recognise, not enough to flood a log. */
const SHOWN_VALUE_CHARS = 120;

/** Reads inputs from the environment and collects every problem found in them. */
class InputReader {
  readonly problems: Diagnostic[] = [];
  /**
   * The token, and each line or word of a malformed one, taken out of every message in case it
   * was also pasted into another input. Short words are left: they cannot be a token.
   */
  private readonly secrets: readonly string[];

  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {
    const token = this.raw(ACTION_INPUTS.githubToken) ?? '';
    this.secrets = [token, ...token.split(/\s+/)].filter((s) => s.length >= 8).sort((a, b) => b.length - a.length);
  }

  /** The trimmed value, or undefined when the input is absent or empty (the runner's "not set"). */
  raw(name: ActionInputName): string | undefined {
    const value = this.env[inputEnvName(name)]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** A value as given, quoted, without the token, cut short. */
  shown(value: string): string {
    const clean = this.withoutSecrets(value);
    return JSON.stringify(clean.length > SHOWN_VALUE_CHARS ? `${clean.slice(0, SHOWN_VALUE_CHARS)}…` : clean);
  }

  private withoutSecrets(text: string): string {
    return this.secrets.reduce((out, secret) => out.split(secret).join('***'), text);
  }

  problem(name: string, message: string, expected: string, hint: string): void {
    this.problems.push({ code: ErrorCodes.ActionInput, severity: 'error', path: `with.${name}`, message: this.withoutSecrets(message), expected, hint });
  }

  /** A single-line text value; line breaks and control characters are mistakes (a `|` block, a paste). */
  text(name: ActionInputName, what: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (/\p{Cc}/u.test(value)) {
      this.problem(name, `${this.shown(value)} contains a line break or a control character`, what, `give \`${name}\` on one line`);
      return undefined;
    }
    return value;
  }

  required(name: ActionInputName, what: string, when: string): string | undefined {
    const value = this.text(name, what);
    if (value === undefined && this.raw(name) === undefined) this.problem(name, `is required ${when} and is not set`, what, `set \`${name}:\` under the step's \`with:\``);
    return value;
  }

  oneOf<T extends string>(name: ActionInputName, allowed: readonly T[], fallback: T): T {
    const value = this.text(name, `one of ${listWords(allowed)}`);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    const near = closest(value, allowed);
    this.problem(name, `is ${this.shown(value)}`, `one of ${listWords(allowed)}, written exactly so`, near === undefined ? `use one of them` : `did you mean '${near}'?`);
    return fallback;
  }

  /** A boolean the way @actions/core's getBooleanInput reads one (YAML 1.2 core schema). */
  boolean(name: ActionInputName, fallback: boolean): boolean {
    const value = this.text(name, 'true or false');
    if (value === undefined) return fallback;
    const parsed = booleanWord(value);
    if (parsed !== undefined) return parsed;
    this.problem(name, `is ${this.shown(value)}`, 'true or false (also True, TRUE, False, FALSE)', `write \`${name}: true\` or \`${name}: false\``);
    return fallback;
  }

  integer(name: ActionInputName, [min, max]: readonly [number, number]): number | undefined {
    const value = this.text(name, `a whole number from ${min} to ${max}`);
    if (value === undefined) return undefined;
    const n = /^[0-9]{1,6}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n)) {
      this.problem(name, `is ${this.shown(value)}, not a whole number`, `a whole number from ${min} to ${max}`, `write digits only, e.g. \`${name}: ${min}\``);
      return undefined;
    }
    if (n < min || n > max) {
      this.problem(name, `is ${n}, out of range`, `a whole number from ${min} to ${max}`, `pick a value from ${min} to ${max}`);
      return undefined;
    }
    return n;
  }

  /** A branch name: `refs/heads/` is dropped; the rest must be a name git accepts for a branch. */
  branch(name: ActionInputName): string | undefined {
    const value = this.text(name, 'a branch name');
    if (value === undefined) return undefined;
    const branch = value.startsWith('refs/heads/') ? value.slice('refs/heads/'.length) : value;
    if (!isBranchName(branch)) {
      this.problem(
        name,
        `is ${this.shown(value)}, not a valid branch name`,
        'a branch name git accepts (no spaces, `..`, `~`, `^`, `:`, `?`, `*`, `[`, `\\`; not starting with `-` or ending with `/`, `.` or `.lock`)',
        'give the branch name as `git branch` shows it, e.g. `main`',
      );
      return undefined;
    }
    return branch;
  }

  /** INPUT_* variables no input matches: a misspelt `with:` key would otherwise be ignored silently. */
  unknownInputs(): void {
    for (const key of Object.keys(this.env).sort()) {
      if (!key.startsWith('INPUT_')) continue;
      const name = key.slice('INPUT_'.length).toLowerCase();
      if (KNOWN_INPUTS.some((known) => inputEnvName(known) === key)) continue;
      const near = closest(name, KNOWN_INPUTS);
      this.problem(
        name,
        `is not an input of the GasHammer Action (environment variable ${key})`,
        `one of ${KNOWN_INPUTS.join(', ')}`,
        near === undefined ? 'remove it from the step\'s `with:`' : `did you mean '${near}'?`,
      );
    }
  }
}

function booleanWord(value: string): boolean | undefined {
  if (TRUE_WORDS.includes(value)) return true;
  if (FALSE_WORDS.includes(value)) return false;
  return undefined;
}

function listWords(values: readonly string[]): string {
  return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]!}`;
}

/** The rules of `git check-ref-format --branch` that matter for names typed into a workflow. */
function isBranchName(name: string): boolean {
  if (name === '' || name === '@' || name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.') || name.endsWith('.lock')) return false;
  if (/[\s\p{Cc}~^:?*[\\]|\.\.|\/\/|@\{|\/\./u.test(name) || name.startsWith('.')) return false;
  return true;
}

/** name[:tag][@sha256:digest], with an optional registry host (and port) in front. */
const IMAGE_REFERENCE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

function urlWithScheme(value: string, schemes: readonly string[]): URL | undefined {
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol) && url.hostname !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}

function readTarget(input: InputReader): ActionTarget | undefined {
  const value = input.text(ACTION_INPUTS.target, 'nitro, devnet or an http(s) RPC URL') ?? ACTION_INPUT_DEFAULTS.target;
  const image = input.text(ACTION_INPUTS.nitroImage, 'a container image reference') ?? ACTION_INPUT_DEFAULTS.nitroImage;
  if (!IMAGE_REFERENCE.test(image)) {
    input.problem(
      ACTION_INPUTS.nitroImage,
      `is ${input.shown(image)}, not a container image reference`,
      `an image reference such as ${DEFAULT_NITRO_IMAGE} (name, optional :tag, optional @sha256:digest)`,
      'give the image as `docker pull` takes it',
    );
  }
  if (value === 'nitro') return { kind: 'nitro', image };
  if (value === 'devnet') return { kind: 'devnet' };
  if (urlWithScheme(value, ['http:', 'https:']) !== undefined) return { kind: 'rpc', rpcUrl: value, feedUrl: undefined };
  const near = /^[a-z]+$/i.test(value) ? closest(value, ['nitro', 'devnet']) : undefined;
  input.problem(
    ACTION_INPUTS.target,
    `is ${input.shown(value)}`,
    'nitro (a Nitro dev node in a container), devnet (the embedded devnet) or the http:// or https:// URL of a chain\'s JSON-RPC endpoint',
    near === undefined ? 'use one of them' : `did you mean '${near}'?`,
  );
  return undefined;
}

function readFeedUrl(input: InputReader, target: ActionTarget | undefined): string | undefined {
  const value = input.text(ACTION_INPUTS.feedUrl, 'a ws:// or wss:// URL');
  if (value === undefined) return undefined;
  if (urlWithScheme(value, ['ws:', 'wss:']) === undefined) {
    input.problem(ACTION_INPUTS.feedUrl, `is ${input.shown(value)}, not a ws:// or wss:// URL`, "the sequencer feed's ws:// or wss:// URL", 'give the feed URL the node serves (its --feed.output port)');
    return undefined;
  }
  if (target !== undefined && target.kind !== 'rpc') {
    input.problem(
      ACTION_INPUTS.feedUrl,
      `is set, but target is ${target.kind}`,
      'feed-url only together with an RPC URL as target',
      `remove feed-url: the ${target.kind} target serves its own feed`,
    );
    return undefined;
  }
  return value;
}

function readSaveBaseline(input: InputReader): SaveBaseline {
  const value = input.text(ACTION_INPUTS.saveBaseline, 'auto, true or false');
  if (value === undefined || value === 'auto') return 'auto';
  const parsed = booleanWord(value);
  if (parsed !== undefined) return parsed;
  input.problem(
    ACTION_INPUTS.saveBaseline,
    `is ${input.shown(value)}`,
    'auto (save on a push to the default branch), true or false',
    'write `save-baseline: auto`, `true` or `false`',
  );
  return 'auto';
}

function readToken(input: InputReader): string | undefined {
  const value = input.raw(ACTION_INPUTS.githubToken);
  if (value === undefined) {
    input.problem(
      ACTION_INPUTS.githubToken,
      'is required and is empty',
      'a GitHub token',
      'leave `github-token` out to use the default `${{ github.token }}`, or pass a secret that holds a token',
    );
    return undefined;
  }
  // The value itself is never shown, not even cut short: it is a secret.
  if (/[\s\p{Cc}]/u.test(value)) {
    input.problem(
      ACTION_INPUTS.githubToken,
      'contains whitespace or a line break (value not shown: it is a secret)',
      'a GitHub token on one line',
      'check the secret passed as `github-token`: it may hold two lines or a trailing note',
    );
    return undefined;
  }
  return value;
}

/**
 * The Action's options from the runner's `INPUT_*` environment variables. Throws one GH-E950
 * GasHammerError listing every problem (input, value as given, what was expected, what to do);
 * the token's value is never part of it.
 */
export function parseActionInputs(env: Readonly<Record<string, string | undefined>>): ActionOptions {
  const input = new InputReader(env);
  const mode = input.oneOf(ACTION_INPUTS.mode, ACTION_MODES, ACTION_INPUT_DEFAULTS.mode);
  const modeGiven = input.problems.length === 0;
  const githubToken = readToken(input);
  const common = {
    workingDirectory: input.text(ACTION_INPUTS.workingDirectory, 'a folder path') ?? ACTION_INPUT_DEFAULTS.workingDirectory,
    failOn: input.oneOf(ACTION_INPUTS.failOn, FAIL_ON_VALUES, ACTION_INPUT_DEFAULTS.failOn),
    comment: input.boolean(ACTION_INPUTS.comment, ACTION_INPUT_DEFAULTS.comment),
    checkName: input.text(ACTION_INPUTS.checkName, 'a check name on one line') ?? ACTION_INPUT_DEFAULTS.checkName,
    out: input.text(ACTION_INPUTS.out, 'a folder path') ?? ACTION_INPUT_DEFAULTS.out,
  };
  // Inputs of the other mode are still checked: a malformed value is a mistake wherever it sits.
  const target = readTarget(input);
  const feedUrl = readFeedUrl(input, target);
  const edges = input.integer(ACTION_INPUTS.edges, EDGES_RANGE);
  const repeat = input.integer(ACTION_INPUTS.repeat, REPEAT_RANGE) ?? ACTION_INPUT_DEFAULTS.repeat;
  const baseline: BaselineOptions = {
    store: input.oneOf(ACTION_INPUTS.baselineStore, BASELINE_STORES, ACTION_INPUT_DEFAULTS.baselineStore),
    dir: input.text(ACTION_INPUTS.baselinesDir, 'a folder path') ?? ACTION_INPUT_DEFAULTS.baselinesDir,
    branch: input.branch(ACTION_INPUTS.baselineBranch),
    dataBranch: input.branch(ACTION_INPUTS.dataBranch) ?? ACTION_INPUT_DEFAULTS.dataBranch,
    save: readSaveBaseline(input),
  };
  let scenario: string | undefined;
  let results: string | undefined;
  // With a bad mode, which inputs are required is unknown: the mode's problem stands alone for them.
  if (modeGiven && mode === 'run') {
    scenario = input.required(ACTION_INPUTS.scenario, 'the path of a scenario YAML file', 'in run mode');
    results = input.text(ACTION_INPUTS.results, 'a folder path');
    if (results !== undefined) {
      input.problem(ACTION_INPUTS.results, 'is set, but mode is run', 'results only with mode: publish', 'remove `results`, or set `mode: publish` to post results from an artifact');
    }
  } else if (modeGiven) {
    scenario = input.text(ACTION_INPUTS.scenario, 'the path of a scenario YAML file');
    results = input.required(ACTION_INPUTS.results, "the folder the test workflow's artifact was downloaded to", 'in publish mode');
  }
  input.unknownInputs();

  if (input.problems.length > 0 || githubToken === undefined) {
    const names = [...new Set(input.problems.map((p) => p.path!.slice('with.'.length)))];
    const count = input.problems.length === 1 ? '1 problem' : `${input.problems.length} problems`;
    throw new GasHammerError(ErrorCodes.ActionInput, `${count} in the Action's inputs: ${names.join(', ')}`, { diagnostics: input.problems });
  }
  if (mode === 'publish') return { mode, githubToken, ...common, results: results!, scenario };
  const resolvedTarget: ActionTarget = target!.kind === 'rpc' ? { ...target!, feedUrl } : target!;
  return { mode, githubToken, ...common, scenario: scenario!, target: resolvedTarget, edges, repeat, baseline };
}

/**
 * Whether a verdict fails the step (and concludes the check `failure`) under `fail-on`.
 * - fail: FAIL blocks.
 * - warn: FAIL, WARN and INCONCLUSIVE block: anything short of a clean PASS.
 * - never: nothing blocks (the verdict is still reported).
 * INCONCLUSIVE does not block under `fail` because it says the run could not judge (an edge or
 * telemetry lost, too few samples, a required baseline missing), which on shared CI runners is
 * often the machine rather than the change; blocking merges on it would teach teams to turn the
 * gate off. `warn` is the strict setting, and there an unjudged run is not good enough to merge.
 */
export function failOnBlocks(verdict: GateVerdict, failOn: FailOn): boolean {
  switch (failOn) {
    case 'never':
      return false;
    case 'fail':
      return verdict === 'fail';
    case 'warn':
      return verdict !== 'pass';
  }
}

/** What `save-baseline` decides for one event: `auto` saves on a push to the default branch only. */
export function shouldSaveBaseline(save: SaveBaseline, event: { readonly kind: string; readonly isDefaultBranch?: boolean }): boolean {
  if (save !== 'auto') return save;
  return event.kind === 'push' && event.isDefaultBranch === true;
}
