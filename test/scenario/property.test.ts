// Property tests of the SDL pipeline: random valid scenarios are written out as YAML, loaded,
// compiled and hashed, and the results must hold the invariants the run plan promises
// (determinism, key-order and digit-grouping independence, contiguous phases, disjoint
// account ranges, a normalised template mix, and phase totals that match the gas curve).

import { describe, it, expect } from 'vitest';
import fc, { type GeneratorValue } from 'fast-check';
import { stringify, type ScalarTag } from 'yaml';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { compileScenario, edgeStreamSeed, type RunPlan } from '../../src/scenario/compile.js';
import { scenarioHash } from '../../src/scenario/hash.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import { FAULT_TYPES, MAX_EDGES, MAX_GAS_PER_SEC } from '../../src/scenario/schema.js';
import type { Scenario } from '../../src/scenario/types.js';
import { rateAt } from '../../src/workload/gas-curve.js';
import { TEMPLATE_NAMES, type TemplateName } from '../../src/workload/template-catalog.js';

type Raw = Record<string, unknown>;

const MAX_SEED = (1n << 64n) - 1n;
const MAX_UINT256 = (1n << 256n) - 1n;
/**
 * Shrinking scenarios built with fc.gen() is slow and memory-hungry; a failure reports the
 * first counterexample (its YAML is in the assertion message) instead.
 */
const RUN_OPTIONS = { numRuns: 120, endOnFailure: true } as const;

// ---------------------------------------------------------------------------------------------
// Random valid scenarios, as the raw (snake_case) objects a YAML file would hold

const labelArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,11}$/);

const gasArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 10_000_000 }),
  fc.bigInt({ min: 0n, max: BigInt(MAX_GAS_PER_SEC) }).map(Number),
  fc.constantFrom(0, 1, MAX_GAS_PER_SEC),
);

const durationArb: fc.Arbitrary<number> = fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 3_600 }));

/** A gas rate whose custom points (if any) all lie at or before `maxAt` seconds. */
function gasRate(g: GeneratorValue, maxAt: number): Raw {
  const type = g(fc.constantFrom, 'sustained', 'ramp', 'burst', 'custom');
  switch (type) {
    case 'sustained':
      return { type, gas_per_sec: g(() => gasArb) };
    case 'ramp':
      return { type, start_gas_per_sec: g(() => gasArb), end_gas_per_sec: g(() => gasArb) };
    case 'burst': {
      const a = g(() => gasArb);
      const b = g(() => gasArb);
      const interval = g(fc.integer, { min: 2, max: 600 });
      return {
        type,
        baseline_gas_per_sec: Math.min(a, b),
        peak_gas_per_sec: Math.max(a, b),
        burst_duration_secs: g(fc.integer, { min: 1, max: interval - 1 }),
        interval_secs: interval,
      };
    }
    default: {
      const later =
        maxAt >= 1 ? g(() => fc.uniqueArray(fc.integer({ min: 1, max: maxAt }), { maxLength: Math.min(8, maxAt) })) : [];
      const times = [0, ...later.sort((x, y) => x - y)];
      return { type: 'custom', points: times.map((at) => ({ at_secs: at, gas_per_sec: g(() => gasArb) })) };
    }
  }
}

const amountArb: fc.Arbitrary<bigint | string | number> = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX_UINT256 }),
  fc.bigInt({ min: 0n, max: MAX_UINT256 }).map((v) => v.toString()),
  fc.nat(),
  fc.constant(MAX_UINT256),
);

function templateParams(g: GeneratorValue, name: TemplateName): Raw | undefined {
  if (!g(fc.boolean)) return undefined;
  switch (name) {
    case 'simple-transfer':
      return g(fc.boolean) ? { value_wei: g(() => amountArb) } : {};
    case 'erc20-transfer':
    case 'erc20-approve':
      return g(fc.boolean) ? { amount: g(() => amountArb) } : {};
    case 'storage-write-heavy':
      return { slots: g(fc.integer, { min: 1, max: 1_000 }) };
    case 'compute-heavy':
      return { iterations: g(fc.integer, { min: 1, max: 1_000_000 }) };
    case 'calldata-heavy':
      return { size_bytes: g(fc.integer, { min: 4, max: 120_000 }) };
    default:
      return {};
  }
}

const weightArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.double({ min: 0.001, max: 1_000, noNaN: true, noDefaultInfinity: true }),
);

type FaultBody = Raw & { type: string; target: string };

function faultSpec(g: GeneratorValue): FaultBody {
  const rpc = () => g(fc.constantFrom, 'sequencer-rpc', 'gateway-rpc');
  const any = () => g(fc.constantFrom, 'sequencer-rpc', 'gateway-rpc', 'feed-relay');
  const ms = () => g(fc.integer, { min: 0, max: 600_000 });
  const pct = () => g(() => fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true })));
  const type = g(fc.constantFrom, ...FAULT_TYPES);
  switch (type) {
    case 'latency':
      return { type, target: any(), latency_ms: ms(), ...(g(fc.boolean) ? { jitter_ms: ms() } : {}) };
    case 'jitter':
      return { type, target: any(), jitter_ms: ms() };
    case 'packet-loss':
      return { type, target: any(), loss_pct: pct() };
    case 'bandwidth':
      return { type, target: any(), rate_kbps: g(fc.integer, { min: 1, max: 100_000_000 }) };
    case 'connection-reset':
      return { type, target: any(), ...(g(fc.boolean) ? { port: g(fc.integer, { min: 1, max: 65_535 }) } : {}) };
    case 'port-block':
      return { type, target: any(), port: g(fc.integer, { min: 1, max: 65_535 }) };
    case 'partition':
      return { type, target: any() };
    case 'feed-disconnect':
      return { type, target: 'feed-relay' };
    case 'rpc-slow':
      return { type, target: rpc(), delay_ms: ms() };
    default:
      return {
        type,
        target: rpc(),
        error_pct: pct(),
        ...(g(fc.boolean) ? { rpc_code: g(fc.integer, { min: -32_768, max: 32_767 }) } : {}),
        ...(g(fc.boolean) ? { message: g(fc.constantFrom, 'boom', 'rate limited', '1_000', 'null', 'yes') } : {}),
        ...(g(fc.boolean) ? { http_status: g(fc.constantFrom, 429, 500, 502, 503, 504) } : {}),
      };
  }
}

function edgeSelector(g: GeneratorValue, count: number, regions: readonly string[]): unknown {
  // Only regions that some edge is dealt to (round-robin) can be selected.
  const served = regions.slice(0, count);
  const kinds = ['default', 'all', 'ids', ...(served.length > 0 ? ['region'] : [])];
  const kind = g(fc.constantFrom, ...kinds);
  if (kind === 'default') return undefined;
  if (kind === 'all') return 'all';
  if (kind === 'region') return { region: g(fc.constantFrom, ...served) };
  return { ids: g(() => fc.uniqueArray(fc.integer({ min: 0, max: count - 1 }), { minLength: 1, maxLength: Math.min(count, 5) })) };
}

function environments(g: GeneratorValue): Raw {
  const out: Raw = {};
  if (g(fc.boolean)) {
    const extra = g(() => fc.subarray(['staging', 'qa', 'perf-lab']));
    out.allowed_environments = g(() => fc.shuffledSubarray(['devnet', ...extra], { minLength: extra.length + 1 }));
  }
  if (g(fc.boolean)) out.blocked_environments = g(() => fc.subarray(['production', 'mainnet', 'prod-eu']));
  return out;
}

function withOptional(target: Raw, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** Inject/clear windows that never overlap, all inside the run, against devnet. */
function faultSchedule(g: GeneratorValue, runSecs: number, count: number, regions: readonly string[]): Raw[] {
  const windows = g(fc.integer, { min: 1, max: Math.min(3, Math.floor(runSecs / 2)) });
  const times = g(() => fc.uniqueArray(fc.integer({ min: 0, max: runSecs - 1 }), { minLength: 2 * windows, maxLength: 2 * windows }));
  times.sort((a, b) => a - b);
  const events: Raw[] = [];
  for (let w = 0; w < windows; w++) {
    const start = times[2 * w]!;
    const stop = times[2 * w + 1]!;
    const spec = faultSpec(g);
    const named = g(fc.boolean);
    if (named) spec.name = g(() => labelArb);
    const inject: Raw = { at_secs: start, action: 'inject', fault: spec, ...environments(g) };
    // port-block goes to iptables, which acts on the whole host: its edges are all of them.
    withOptional(inject, 'edges', spec.type === 'port-block' ? g(fc.constantFrom, undefined, 'all') : edgeSelector(g, count, regions));
    if (g(fc.boolean)) {
      // Cleared automatically when its duration is over.
      spec.duration_secs = stop - start;
      events.push(inject);
      continue;
    }
    const refs: Raw[] = [{ type: spec.type, target: spec.target }, { type: spec.type }, { target: spec.target }];
    if (named) refs.push({ name: spec.name });
    const clear: Raw = { at_secs: stop, action: 'clear', fault: g(fc.constantFrom, ...refs), ...environments(g) };
    withOptional(clear, 'edges', edgeSelector(g, count, regions));
    events.push(inject, clear);
  }
  // The file need not list events in time order; the planner sorts them.
  return g(() => fc.shuffledSubarray(events, { minLength: events.length }));
}

const THRESHOLDS = [
  'error_rate < 0.01',
  'p99_inclusion_ms < 2_000',
  'achieved_gas_per_sec >= 1e6',
  { check: 'revert_rate == 0', level: 'warn' },
  { check: 'p50_submission_ms <= 250' },
];

interface Generated {
  raw: Raw;
  seed: bigint;
}

function buildScenario(g: GeneratorValue): Generated {
  const phaseCount = g(fc.integer, { min: 1, max: 6 });
  const names = g(() => fc.uniqueArray(labelArb, { minLength: phaseCount, maxLength: phaseCount }));
  const shapes = names.map((name) => ({ name, duration: g(() => durationArb), override: g(fc.boolean) }));
  const inherited = shapes.filter((p) => !p.override);
  const workloadRate =
    inherited.length > 0 || g(fc.boolean)
      ? gasRate(g, Math.min(600, ...inherited.map((p) => p.duration)) - 1)
      : undefined;
  const phases = shapes.map((p) => {
    const phase: Raw = { name: p.name, duration_secs: p.duration };
    if (p.override) phase.gas_rate_override = gasRate(g, p.duration - 1);
    return phase;
  });

  const templateNames = g(() => fc.uniqueArray(fc.constantFrom(...TEMPLATE_NAMES), { minLength: 1, maxLength: 4 }));
  const templates = templateNames.map((name) => {
    const t: Raw = { name, weight: g(() => weightArb) };
    withOptional(t, 'params', templateParams(g, name));
    return t;
  });
  const seed = g(() => fc.oneof(fc.bigInt({ min: 0n, max: MAX_SEED }), fc.constantFrom(0n, MAX_SEED, (1n << 53n) + 1n)));

  const raw: Raw = {
    name: g(() => labelArb),
    description: g(fc.string, { maxLength: 60 }),
    version: g(fc.string, { minLength: 1, maxLength: 16 }),
  };
  withOptional(raw, 'target', g(fc.constantFrom, undefined, 'devnet', 'nitro-devnet'));
  const workload: Raw = { seed, templates };
  withOptional(workload, 'gas_rate', workloadRate);
  raw.workload = workload;
  raw.phases = phases;

  let edgeCount = 1;
  let regions: string[] = [];
  if (g(fc.boolean)) {
    edgeCount = g(fc.integer, { min: 1, max: 16 });
    const edges: Raw = { count: edgeCount };
    if (g(fc.boolean)) edges.accounts_per_edge = g(fc.integer, { min: 1, max: 10_000 });
    if (g(fc.boolean)) {
      regions = g(() => fc.uniqueArray(labelArb, { minLength: 1, maxLength: 4 }));
      edges.regions = regions;
    }
    raw.edges = edges;
  }

  const runSecs = shapes.reduce((s, p) => s + p.duration, 0);
  if (runSecs >= 2 && g(fc.boolean)) raw.fault_schedule = faultSchedule(g, runSecs, edgeCount, regions);

  if (g(fc.boolean)) {
    raw.oracle = {
      invariants: g(() => fc.subarray(['balance-conservation', 'nonce-monotonicity', 'gas-accounting'])),
      check_interval_secs: g(fc.integer, { min: 1, max: 3_600 }),
    };
  }
  if (g(fc.boolean)) {
    const warn = g(fc.integer, { min: 0, max: 50 });
    raw.gate = {
      thresholds: g(() => fc.subarray(THRESHOLDS)),
      regression: { min_samples: g(fc.integer, { min: 1, max: 1_000 }), metrics: { error_rate: { warn_pct: warn, fail_pct: warn + 10 } } },
    };
  }
  return { raw, seed };
}

// ---------------------------------------------------------------------------------------------
// Writing YAML

/** A small deterministic PRNG (mulberry32), so rewrites are reproducible from a fast-check seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Integers written as plain digits (bigints too), optionally regrouped with underscores. */
function intTag(group?: (digits: string) => string): ScalarTag {
  return {
    tag: 'tag:yaml.org,2002:int',
    default: true,
    identify: (v) => typeof v === 'bigint' || Number.isInteger(v),
    // The SDL's integer syntax: strings that look like this must be quoted.
    test: /^[-+]?(?:0|[1-9](?:_?[0-9])*)$/,
    resolve: (text: string) => BigInt(text.replace(/_/g, '')),
    stringify: (item) => {
      const digits = String(item.value);
      return group ? group(digits) : digits;
    },
  };
}

function toYaml(raw: unknown, group?: (digits: string) => string): string {
  return stringify(raw, { customTags: (tags) => [intTag(group), ...tags] });
}

/** Inserts at least one `_` between digits of every integer of two or more digits. */
function grouper(random: () => number): (digits: string) => string {
  return (digits) => {
    if (!/^[1-9][0-9]+$/.test(digits)) return digits;
    const gaps = digits.length - 1;
    const forced = Math.floor(random() * gaps);
    let out = digits[0]!;
    for (let i = 1; i < digits.length; i++) {
      if (i - 1 === forced || random() < 0.4) out += '_';
      out += digits[i]!;
    }
    return out;
  };
}

/** The same value with the keys of every mapping in a random order. */
function shuffleKeys(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, random));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Raw);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, random)]));
  }
  return value;
}

function load(text: string): Scenario {
  const result = loadScenarioText(text, 'generated.yaml');
  if (!result.ok) {
    const problems = result.diagnostics.map((d) => `  ${d.line ?? '?'}:${d.column ?? '?'} ${d.path ?? ''}: ${d.message}`).join('\n');
    expect.fail(`generated scenario did not load:\n${problems}\n--- YAML ---\n${text}`);
  }
  return result.scenario;
}

// ---------------------------------------------------------------------------------------------

describe('random valid scenarios', () => {
  it('load without errors, keep the seed exact, and compile deterministically', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const { raw, seed } = buildScenario(g);
        const text = toYaml(raw);
        expect(text).toContain(`\n  seed: ${seed.toString()}\n`); // a plain integer, not `123n`
        const scenario = load(text);
        expect(scenario.workload.seed).toBe(seed);

        const first = compileScenario(scenario);
        const second = compileScenario(load(text));
        expect(second).toStrictEqual(first);
        expect(first.scenarioHash).toBe(scenarioHash(scenario));
        expect(first.scenarioHash).toMatch(/^[0-9a-f]{64}$/);
        expect(first.seed).toBe(seed);
      }),
      RUN_OPTIONS,
    );
  });

  it('hash the same whatever the key order and digit grouping of the file', () => {
    fc.assert(
      fc.property(fc.gen(), fc.integer(), (g, rewriteSeed) => {
        const { raw } = buildScenario(g);
        const base = scenarioHash(load(toYaml(raw)));

        const random = prng(rewriteSeed);
        const shuffled = toYaml(shuffleKeys(raw, random));
        expect(scenarioHash(load(shuffled)), shuffled).toBe(base);

        const grouped = toYaml(raw, grouper(random));
        // Every integer of two or more digits is regrouped, so the texts really differ.
        if (/(?::|-) [1-9][0-9]+$/m.test(toYaml(raw))) expect(grouped).toMatch(/(?::|-) [1-9][0-9_]*_[0-9]/m);
        expect(scenarioHash(load(grouped)), grouped).toBe(base);

        const both = toYaml(shuffleKeys(raw, random), grouper(random));
        expect(compileScenario(load(both)).scenarioHash, both).toBe(base);
      }),
      RUN_OPTIONS,
    );
  });

  it('change their hash and every edge stream seed when the seed changes', () => {
    fc.assert(
      fc.property(fc.gen(), fc.bigInt({ min: 1n, max: MAX_SEED }), (g, delta) => {
        const { raw, seed } = buildScenario(g);
        const otherSeed = (seed + delta) % (MAX_SEED + 1n);
        const workload = raw.workload as Raw;
        const changed = { ...raw, workload: { ...workload, seed: otherSeed } };

        const a = compileScenario(load(toYaml(raw)));
        const b = compileScenario(load(toYaml(changed)));
        expect(b.seed).toBe(otherSeed);
        expect(b.scenarioHash).not.toBe(a.scenarioHash);
        expect(b.edges.length).toBe(a.edges.length);
        for (const [i, edge] of a.edges.entries()) {
          expect(edge.streamSeed).toBe(edgeStreamSeed(seed, i));
          expect(b.edges[i]!.streamSeed).toBe(edgeStreamSeed(otherSeed, i));
          expect(b.edges[i]!.streamSeed).not.toBe(edge.streamSeed);
        }
      }),
      RUN_OPTIONS,
    );
  });

  it('compile to a consistent plan: contiguous phases, disjoint accounts, a normalised mix, an ordered timeline', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const { raw } = buildScenario(g);
        const scenario = load(toYaml(raw));
        const plan = compileScenario(scenario);
        checkPlan(scenario, plan);
      }),
      RUN_OPTIONS,
    );
  });

  it('honour an --edges override, or refuse it with GH-E905 exactly when a fault would lose its edges', () => {
    fc.assert(
      fc.property(fc.gen(), fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: MAX_EDGES })), (g, edges) => {
        const { raw } = buildScenario(g);
        const scenario = load(toYaml(raw));
        const served = new Set(scenario.edges.regions.slice(0, Math.min(edges, scenario.edges.regions.length)));
        const orphaned = scenario.faultSchedule.some(
          (e) => (e.edges.kind === 'ids' && e.edges.ids.some((id) => id >= edges)) || (e.edges.kind === 'region' && !served.has(e.edges.region)),
        );
        let plan: RunPlan;
        try {
          plan = compileScenario(scenario, { edges });
        } catch (e) {
          expect(e).toBeInstanceOf(GasHammerError);
          expect((e as GasHammerError).code).toBe('GH-E905');
          expect(orphaned, `refused --edges ${edges} although every fault keeps its edges`).toBe(true);
          return;
        }
        expect(orphaned, `accepted --edges ${edges} although a fault names edges that do not exist`).toBe(false);
        expect(plan.edges).toHaveLength(edges);
        checkPlan({ ...scenario, edges: { ...scenario.edges, count: edges } }, plan);
        const unchanged = compileScenario(scenario);
        const shared = Math.min(edges, unchanged.edges.length);
        expect(plan.edges.slice(0, shared)).toEqual(unchanged.edges.slice(0, shared));
      }),
      RUN_OPTIONS,
    );
  });

  it('plan phase totals equal the integral of the gas curve', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const { raw } = buildScenario(g);
        const plan = compileScenario(load(toYaml(raw)));
        for (const phase of plan.phases) {
          const curve = { rate: phase.gasRate, durationSecs: phase.durationSecs };
          // Midpoint rule on quarter-second steps: every break of these curves is at a whole
          // second and the curves are linear between breaks, so the sum is exact up to rounding.
          const steps = phase.durationSecs * 4;
          const dt = phase.durationSecs / steps;
          let integral = 0;
          for (let k = 0; k < steps; k++) integral += rateAt(curve, (k + 0.5) * dt) * dt;
          const tolerance = 1 + 1e-9 * integral;
          expect(Math.abs(phase.totalGas - integral), `phase ${phase.name}: ${JSON.stringify(phase.gasRate)}`).toBeLessThanOrEqual(tolerance);
          expect(Number.isInteger(phase.totalGas)).toBe(true);
          expect(phase.peakGasPerSec * phase.durationSecs).toBeGreaterThanOrEqual(phase.totalGas);
        }
        expect(plan.totalGas).toBe(plan.phases.reduce((s, p) => s + p.totalGas, 0));
      }),
      RUN_OPTIONS,
    );
  });
});

function checkPlan(scenario: Scenario, plan: RunPlan): void {
  // Phases: in order, back to back, adding up to the run.
  const durations = scenario.phases.map((p) => p.durationSecs);
  expect(plan.totalDurationSecs).toBe(durations.reduce((s, d) => s + d, 0));
  expect(plan.phases.map((p) => p.name)).toEqual(scenario.phases.map((p) => p.name));
  let expectedStart = 0;
  for (const [i, phase] of plan.phases.entries()) {
    expect(phase.index).toBe(i);
    expect(phase.startSecs).toBe(expectedStart);
    expect(phase.durationSecs).toBe(durations[i]);
    expectedStart += phase.durationSecs;
  }
  expect(expectedStart).toBe(plan.totalDurationSecs);

  // Edges: [0, count * accountsPerEdge) split into disjoint ranges, one per edge, in order.
  const { count, accountsPerEdge, regions } = scenario.edges;
  expect(plan.edges).toHaveLength(count);
  const ranges = plan.edges.map((e) => [e.firstAccount, e.firstAccount + e.accountCount] as const).sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [from, to] of ranges) {
    expect(from).toBe(covered);
    expect(to).toBeGreaterThan(from);
    covered = to;
  }
  expect(covered).toBe(count * accountsPerEdge);
  for (const edge of plan.edges) {
    expect(edge.accountCount).toBe(accountsPerEdge);
    expect(edge.streamSeed).toMatch(/^[0-9a-f]{32}$/);
    if (regions.length > 0) expect(regions).toContain(edge.region);
    else expect(edge.region).toBeUndefined();
  }
  expect(new Set(plan.edges.map((e) => e.streamSeed)).size).toBe(count);

  // Template mix: probabilities and gas shares each add up to 1.
  const probabilities = plan.templateMix.reduce((s, t) => s + t.probability, 0);
  expect(Math.abs(probabilities - 1)).toBeLessThanOrEqual(1e-9);
  const shares = plan.templateMix.reduce((s, t) => s + t.gasShare, 0);
  expect(Math.abs(shares - 1)).toBeLessThanOrEqual(1e-9);
  for (const t of plan.templateMix) {
    expect(t.probability).toBeGreaterThan(0);
    expect(t.estimatedGas).toBeGreaterThanOrEqual(21_000);
  }

  // Fault timeline: every event, in time order, aimed at edges that exist.
  expect(plan.faultTimeline).toHaveLength(scenario.faultSchedule.length);
  for (let i = 1; i < plan.faultTimeline.length; i++) {
    expect(plan.faultTimeline[i]!.atSecs).toBeGreaterThanOrEqual(plan.faultTimeline[i - 1]!.atSecs);
  }
  for (const entry of plan.faultTimeline) {
    expect(entry.atSecs).toBeLessThan(plan.totalDurationSecs);
    for (const index of entry.edgeIndexes) {
      expect(Number.isInteger(index) && index >= 0 && index < count).toBe(true);
    }
    expect([...entry.edgeIndexes]).toEqual([...entry.edgeIndexes].sort((a, b) => a - b));
  }
}
