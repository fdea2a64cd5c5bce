// compileScenario on small scenarios written as YAML: phase totals and transaction estimates,
// the template mix, the --edges override, region assignment, the fault timeline, the per-edge
// PRNG stream seeds (pinned), and what the scenario hash does and does not cover.

import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { GasHammerError } from '../../src/errors/gashammer-error.js';
import { ACCOUNT_DERIVATION_BASE, compileScenario, edgeStreamSeed, type CompileOptions, type RunPlan } from '../../src/scenario/compile.js';
import { scenarioHash } from '../../src/scenario/hash.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';

type Raw = Record<string, any>;

function load(text: string): Scenario {
  const result = loadScenarioText(text, 'compile-test.yaml');
  if (!result.ok) {
    expect.fail(`fixture did not load:\n${result.diagnostics.map((d) => `${d.path ?? ''}: ${d.message}`).join('\n')}\n${text}`);
  }
  return result.scenario;
}

function loadRaw(raw: Raw): Scenario {
  return load(stringify(raw));
}

function compile(raw: Raw, options?: CompileOptions): RunPlan {
  return compileScenario(loadRaw(raw), options);
}

function compileError(run: () => unknown): GasHammerError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(GasHammerError);
    return e as GasHammerError;
  }
  return expect.fail('expected a GasHammerError');
}

const PHASES_TEXT = `name: compile-test
description: "four phases, one of each curve"
version: "1.0"
workload:
  gas_rate:
    type: sustained
    gas_per_sec: 1_000_000
  seed: 7
  templates:
    - name: simple-transfer
      weight: 3
    - name: compute-heavy
      weight: 1
phases:
  - name: warmup
    duration_secs: 30
    gas_rate_override:
      type: ramp
      start_gas_per_sec: 500_000
      end_gas_per_sec: 5_000_000
  - name: steady
    duration_secs: 60
  - name: spikes
    duration_secs: 12
    gas_rate_override:
      type: burst
      baseline_gas_per_sec: 100_000
      peak_gas_per_sec: 1_000_000
      burst_duration_secs: 2
      interval_secs: 5
  - name: shaped
    duration_secs: 30
    gas_rate_override:
      type: custom
      points:
        - { at_secs: 0, gas_per_sec: 100_000 }
        - { at_secs: 10, gas_per_sec: 300_000 }
        - { at_secs: 15, gas_per_sec: 200_000 }
`;

/** A fresh small scenario as a raw object, to vary one field at a time. */
function base(): Raw {
  return {
    name: 'hash-base',
    description: 'the base of the hash tests',
    version: '1.0',
    workload: {
      gas_rate: { type: 'sustained', gas_per_sec: 2_000_000 },
      seed: 11,
      templates: [
        { name: 'simple-transfer', weight: 3 },
        { name: 'compute-heavy', weight: 1, params: { iterations: 2_000 } },
      ],
    },
    phases: [
      { name: 'baseline', duration_secs: 60 },
      { name: 'peak', duration_secs: 120, gas_rate_override: { type: 'ramp', start_gas_per_sec: 2_000_000, end_gas_per_sec: 8_000_000 } },
    ],
    edges: { count: 4, accounts_per_edge: 50, regions: ['us', 'eu'] },
    fault_schedule: [
      { at_secs: 60, action: 'inject', edges: { region: 'eu' }, fault: { name: 'lat', type: 'latency', target: 'sequencer-rpc', latency_ms: 200 } },
      { at_secs: 90, action: 'clear', fault: { name: 'lat' } },
    ],
  };
}

describe('phases', () => {
  const plan = compileScenario(load(PHASES_TEXT));

  it('lays the phases end to end', () => {
    expect(plan.phases.map((p) => [p.index, p.name, p.startSecs, p.durationSecs])).toEqual([
      [0, 'warmup', 0, 30],
      [1, 'steady', 30, 60],
      [2, 'spikes', 90, 12],
      [3, 'shaped', 102, 30],
    ]);
    expect(plan.totalDurationSecs).toBe(132);
  });

  it('uses the override, else the workload rate', () => {
    expect(plan.phases.map((p) => p.gasRate.type)).toEqual(['ramp', 'sustained', 'burst', 'custom']);
    expect(plan.phases[1]!.gasRate).toEqual({ type: 'sustained', gasPerSec: 1_000_000 });
  });

  it('totals the gas of each curve', () => {
    // ramp (0.5M + 5M)/2 * 30; sustained 1M * 60; burst 2 periods of (2*1M + 3*0.1M) + 2 s of 1M;
    // custom (0.1M+0.3M)/2*10 + (0.3M+0.2M)/2*5 + 0.2M*15.
    expect(plan.phases.map((p) => p.totalGas)).toEqual([82_500_000, 60_000_000, 6_600_000, 6_250_000]);
    expect(plan.totalGas).toBe(155_350_000);
    expect(plan.phases.map((p) => p.peakGasPerSec)).toEqual([5_000_000, 1_000_000, 1_000_000, 300_000]);
    expect(plan.phases[0]!.meanGasPerSec).toBe(2_750_000);
    expect(plan.phases[1]!.meanGasPerSec).toBe(1_000_000);
    expect(plan.phases[2]!.meanGasPerSec).toBe(550_000);
    expect(plan.phases[3]!.meanGasPerSec).toBeCloseTo(6_250_000 / 30, 6);
  });

  it('estimates transactions from the mix mean gas', () => {
    // 0.75 * 21,000 + 0.25 * (24,000 + 180 * 1,000) = 66,750 gas per transaction.
    expect(plan.meanEstimatedGasPerTx).toBe(66_750);
    expect(plan.phases.map((p) => p.estimatedTxCount)).toEqual([1_235, 898, 98, 93]);
  });

  it('rounds a fractional phase total down', () => {
    const raw = base();
    raw.phases = [{ name: 'tiny', duration_secs: 3, gas_rate_override: { type: 'ramp', start_gas_per_sec: 0, end_gas_per_sec: 1 } }];
    delete raw.fault_schedule;
    const tiny = compile(raw).phases[0]!;
    expect(tiny.totalGas).toBe(1); // exactly 1.5
    expect(tiny.meanGasPerSec).toBe(0.5);
    expect(tiny.estimatedTxCount).toBe(0);
  });

  it('carries the scenario identity, seed and fixed fields', () => {
    expect(plan.formatVersion).toBe(1);
    expect(plan.scenario).toEqual({ name: 'compile-test', version: '1.0', description: 'four phases, one of each curve' });
    expect(plan.seed).toBe(7n);
    expect(plan.accountDerivationBase).toBe(ACCOUNT_DERIVATION_BASE);
    expect(ACCOUNT_DERIVATION_BASE).toBe("m/44'/60'/0'/0'/18248");
    expect(plan.target).toEqual({ kind: 'devnet', chainId: 412_346, environment: 'devnet' });
  });
});

describe('template mix', () => {
  it('normalises weights and computes gas shares', () => {
    const mix = compileScenario(load(PHASES_TEXT)).templateMix;
    expect(mix.map((t) => t.name)).toEqual(['simple-transfer', 'compute-heavy']);
    expect(mix.map((t) => t.weight)).toEqual([3, 1]);
    expect(mix.map((t) => t.probability)).toEqual([0.75, 0.25]);
    expect(mix.map((t) => t.estimatedGas)).toEqual([21_000, 204_000]);
    expect(mix[0]!.gasShare).toBeCloseTo(15_750 / 66_750, 12);
    expect(mix[1]!.gasShare).toBeCloseTo(51_000 / 66_750, 12);
    expect(mix[0]!.gasShare + mix[1]!.gasShare).toBeCloseTo(1, 12);
  });

  it('applies template defaults and parameters to the estimate', () => {
    const raw = base();
    raw.workload.templates = [
      { name: 'simple-transfer', weight: 1 },
      { name: 'noop', weight: 1 },
      { name: 'erc20-transfer', weight: 1 },
      { name: 'erc20-approve', weight: 1 },
      { name: 'storage-write', weight: 1 },
      { name: 'storage-write-heavy', weight: 1, params: { slots: 5 } },
      { name: 'compute-heavy', weight: 1 },
      { name: 'calldata-heavy', weight: 1, params: { size_bytes: 100 } },
    ];
    const mix = compile(raw).templateMix;
    expect(Object.fromEntries(mix.map((t) => [t.name, t.estimatedGas]))).toEqual({
      'simple-transfer': 21_000,
      noop: 21_000,
      'erc20-transfer': 65_000,
      'erc20-approve': 46_000,
      'storage-write': 44_000,
      'storage-write-heavy': 24_000 + 22_100 * 5,
      'compute-heavy': 24_000 + 180 * 1_000,
      'calldata-heavy': 21_000 + 16 * 100,
    });
    for (const t of mix) expect(t.probability).toBe(1 / 8);
    const byName = Object.fromEntries(mix.map((t) => [t.name, t.params]));
    expect(byName['simple-transfer']).toEqual({ value_wei: 1n });
    expect(byName['compute-heavy']).toEqual({ iterations: 1_000 });
    expect(byName['calldata-heavy']).toEqual({ size_bytes: 100 });
    const shares = mix.reduce((s, t) => s + t.gasShare, 0);
    expect(shares).toBeCloseTo(1, 12);
  });

  it('gives a zero-weight template no share', () => {
    const raw = base();
    raw.workload.templates = [
      { name: 'simple-transfer', weight: 2 },
      { name: 'erc20-transfer', weight: 0 },
    ];
    const mix = compile(raw).templateMix;
    expect(mix.map((t) => [t.probability, t.gasShare])).toEqual([
      [1, 1],
      [0, 0],
    ]);
  });
});

describe('edges', () => {
  it('owns disjoint account ranges', () => {
    const plan = compile(base());
    expect(plan.edges.map((e) => [e.index, e.firstAccount, e.accountCount])).toEqual([
      [0, 0, 50],
      [1, 50, 50],
      [2, 100, 50],
      [3, 150, 50],
    ]);
  });

  it('defaults to one edge with 100 accounts and no region', () => {
    const raw = base();
    delete raw.edges;
    delete raw.fault_schedule;
    const plan = compile(raw);
    expect(plan.edges).toHaveLength(1);
    expect(plan.edges[0]).toMatchObject({ index: 0, firstAccount: 0, accountCount: 100 });
    expect('region' in plan.edges[0]!).toBe(false);
  });

  it('deals regions round-robin', () => {
    const raw = base();
    raw.edges = { count: 5, regions: ['us', 'eu'] };
    delete raw.fault_schedule;
    expect(compile(raw).edges.map((e) => e.region)).toEqual(['us', 'eu', 'us', 'eu', 'us']);

    raw.edges = { count: 7, regions: ['a', 'b', 'c'] };
    expect(compile(raw).edges.map((e) => e.region)).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);

    // More regions than edges: the extra regions get none (a warning, not an error).
    raw.edges = { count: 2, regions: ['a', 'b', 'c'] };
    expect(compile(raw).edges.map((e) => e.region)).toEqual(['a', 'b']);
  });

  describe('--edges override', () => {
    it('replaces edges.count', () => {
      const scenario = loadRaw(base());
      const plan = compileScenario(scenario, { edges: 6 });
      expect(plan.edges.map((e) => e.region)).toEqual(['us', 'eu', 'us', 'eu', 'us', 'eu']);
      expect(plan.edges[5]!.firstAccount).toBe(250);
      // The scenario itself is left alone.
      expect(scenario.edges.count).toBe(4);
      expect(compileScenario(scenario).edges).toHaveLength(4);
    });

    it('accepts the limits 1 and 256', () => {
      const raw = base();
      delete raw.fault_schedule;
      expect(compile(raw, { edges: 1 }).edges).toHaveLength(1);
      expect(compile(raw, { edges: 256 }).edges).toHaveLength(256);
    });

    it.each([0, -1, 257, 1_000, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %s with GH-E905', (edges) => {
      const scenario = loadRaw(base());
      const error = compileError(() => compileScenario(scenario, { edges }));
      expect(error.code).toBe('GH-E905');
      expect(error.message).toContain('--edges');
    });

    it('hashes like a scenario written with that count', () => {
      const raw = base();
      const overridden = compile(raw, { edges: 6 });
      raw.edges.count = 6;
      expect(overridden.scenarioHash).toBe(compile(raw).scenarioHash);
      expect(overridden.scenarioHash).not.toBe(compile(base()).scenarioHash);
    });

    it('extends `all` and region selectors to the new edges', () => {
      const raw = base();
      raw.fault_schedule[1].edges = 'all';
      const plan = compile(raw, { edges: 6 });
      expect(plan.faultTimeline.map((f) => f.edgeIndexes)).toEqual([
        [1, 3, 5],
        [0, 1, 2, 3, 4, 5],
      ]);
    });

    it('refuses (GH-E905) to leave a fault aimed at edges that no longer exist', () => {
      const raw = base();
      raw.fault_schedule[0].edges = { ids: [3, 1] };
      raw.fault_schedule[1].edges = { ids: [3, 1] };
      const scenario = loadRaw(raw);
      expect(compileScenario(scenario).faultTimeline[0]!.edgeIndexes).toEqual([1, 3]);
      const error = compileError(() => compileScenario(scenario, { edges: 2 }));
      expect(error.code).toBe('GH-E905');
    });

    it('refuses (GH-E905) to leave a region selector with no edge', () => {
      // With one edge only region 'us' has an edge; the fault is aimed at 'eu'.
      const scenario = loadRaw(base());
      const error = compileError(() => compileScenario(scenario, { edges: 1 }));
      expect(error.code).toBe('GH-E905');
    });
  });
});

describe('fault timeline', () => {
  function timelineScenario(): Raw {
    const raw = base();
    raw.phases = [{ name: 'only', duration_secs: 200 }];
    raw.edges = { count: 5, regions: ['us', 'eu'] };
    raw.fault_schedule = [
      { at_secs: 90, action: 'clear', fault: { name: 'lat' } },
      { at_secs: 60, action: 'inject', edges: { region: 'eu' }, fault: { name: 'lat', type: 'latency', target: 'sequencer-rpc', latency_ms: 200 } },
      { at_secs: 120, action: 'inject', edges: { ids: [4, 0, 2] }, fault: { type: 'packet-loss', target: 'gateway-rpc', loss_pct: 10 } },
      { at_secs: 120, action: 'inject', edges: { region: 'us' }, fault: { name: 'feed-down', type: 'feed-disconnect', target: 'feed-relay', duration_secs: 30 } },
      { at_secs: 150, action: 'clear', edges: 'all', fault: { type: 'packet-loss' } },
      { at_secs: 10, action: 'inject', edges: { ids: [3] }, fault: { name: 'slow', type: 'rpc-slow', target: 'gateway-rpc', delay_ms: 50 } },
      { at_secs: 20, action: 'clear', edges: { ids: [3] }, fault: { name: 'slow' } },
    ];
    return raw;
  }

  it('orders events by time, keeping file order at equal times', () => {
    const scenario = loadRaw(timelineScenario());
    const plan = compileScenario(scenario);
    expect(plan.faultTimeline.map((f) => [f.atSecs, f.action])).toEqual([
      [10, 'inject'],
      [20, 'clear'],
      [60, 'inject'],
      [90, 'clear'],
      [120, 'inject'],
      [120, 'inject'],
      [150, 'clear'],
    ]);
    // Each entry carries its own event from the schedule.
    const fileOrder = [5, 6, 1, 0, 2, 3, 4];
    plan.faultTimeline.forEach((entry, i) => expect(entry.event).toBe(scenario.faultSchedule[fileOrder[i]!]));
    expect(plan.faultTimeline[4]!.event.action === 'inject' && plan.faultTimeline[4]!.event.fault.type).toBe('packet-loss');
    expect(plan.faultTimeline[5]!.faultName).toBe('feed-down');
  });

  it('resolves all, region and ids selectors to edge indexes', () => {
    const plan = compileScenario(loadRaw(timelineScenario()));
    expect(plan.faultTimeline.map((f) => f.edgeIndexes)).toEqual([
      [3], // ids [3]
      [3],
      [1, 3], // region eu: edges 1 and 3 of us,eu,us,eu,us
      [0, 1, 2, 3, 4], // default: all
      [0, 2, 4], // ids [4, 0, 2], sorted
      [0, 2, 4], // region us
      [0, 1, 2, 3, 4], // all
    ]);
  });

  it('names each event after its fault', () => {
    const plan = compileScenario(loadRaw(timelineScenario()));
    expect(plan.faultTimeline.map((f) => f.faultName).filter((_, i) => i !== 4 && i !== 6)).toEqual(['slow', 'slow', 'lat', 'lat', 'feed-down']);
    const unnamed = plan.faultTimeline[4]!;
    // An unnamed fault gets a default name built from its type and target.
    expect(unnamed.event.action === 'inject' && unnamed.faultName === unnamed.event.fault.name).toBe(true);
    expect(unnamed.faultName).toContain('packet-loss');
    expect(unnamed.faultName).toContain('gateway-rpc');
    expect(plan.faultTimeline[6]!.faultName).toContain('packet-loss');
  });

  it('is empty without a fault schedule', () => {
    const raw = base();
    delete raw.fault_schedule;
    expect(compile(raw).faultTimeline).toEqual([]);
  });
});

describe('edge stream seeds', () => {
  /** The derivation as docs/sdl.md states it, written independently of the source. */
  function documented(seed: bigint, index: number): string {
    const bytes = Buffer.alloc(12);
    bytes.writeBigUInt64BE(seed, 0);
    bytes.writeUInt32BE(index, 8);
    return createHash('sha256').update('gashammer/v1/edge-stream').update(bytes).digest('hex').slice(0, 32);
  }

  const KNOWN: Array<[bigint, number, string]> = [
    [0n, 0, '351ef9aa11f42fb9db0151a08d40ce63'],
    [0n, 1, '126235c144c9fec5094d735a8671320b'],
    [7n, 0, '1b461011a4ff08c27949e837f6048588'],
    [7n, 1, '8c8276f90b95f79b203a76adcdd2a4ad'],
    [12_345_678_901_234_567_890n, 3, 'fba09229adde9b41abad9d7a42ba9033'],
    [18_446_744_073_709_551_615n, 255, 'a075aad6620ec5807f0a37a7733de469'],
  ];

  it.each(KNOWN)('seed %s, edge %s -> %s', (seed, index, hex) => {
    expect(edgeStreamSeed(seed, index)).toBe(hex);
    expect(documented(seed, index)).toBe(hex);
  });

  it('puts the pinned seeds in the plan', () => {
    const plan = compileScenario(load(PHASES_TEXT.concat('edges:\n  count: 2\n')));
    expect(plan.edges.map((e) => e.streamSeed)).toEqual(['1b461011a4ff08c27949e837f6048588', '8c8276f90b95f79b203a76adcdd2a4ad']);
  });

  it('keeps the largest seed exact from the YAML text to the stream seed', () => {
    const plan = compileScenario(load(PHASES_TEXT.replace('  seed: 7\n', '  seed: 18_446_744_073_709_551_615\n').concat('edges:\n  count: 256\n')));
    expect(plan.seed).toBe(18_446_744_073_709_551_615n);
    expect(plan.edges[255]!.streamSeed).toBe('a075aad6620ec5807f0a37a7733de469');
  });

  it('does not depend on the number of edges', () => {
    const scenario = loadRaw(base());
    const two = compileScenario(scenario, { edges: 2 });
    const many = compileScenario(scenario, { edges: 4 });
    expect(many.edges.slice(0, 2).map((e) => e.streamSeed)).toEqual(two.edges.map((e) => e.streamSeed));
  });
});

describe('scenario hash', () => {
  const baseHash = compile(base()).scenarioHash;

  it('is the hash of the compiled scenario, and stable', () => {
    const scenario = loadRaw(base());
    expect(baseHash).toMatch(/^[0-9a-f]{64}$/);
    expect(scenarioHash(scenario)).toBe(baseHash);
    expect(compileScenario(scenario).scenarioHash).toBe(baseHash);
  });

  const ignored: Array<[string, (raw: Raw) => void]> = [
    ['name', (r) => (r.name = 'another-name')],
    ['description', (r) => (r.description = 'something else entirely')],
    ['version', (r) => (r.version = '2.7-rc1')],
    ['target kind', (r) => (r.target = 'nitro-devnet')],
    ['remote target', (r) => (r.target = { chain_id: 412_346, sequencer_rpc: 'http://127.0.0.1:8547', environment: 'devnet' })],
    ['gate thresholds', (r) => (r.gate = { thresholds: ['error_rate < 0.01', { check: 'p99_inclusion_ms < 2000', level: 'warn' }] })],
    ['gate regression', (r) => (r.gate = { regression: { min_samples: 5, significance: 0.01, metrics: { error_rate: { warn_pct: 1, fail_pct: 2 } } } })],
    ['oracle', (r) => (r.oracle = { invariants: ['gas-accounting'], check_interval_secs: 5 })],
    ['a template default written out', (r) => (r.workload.templates[0].params = { value_wei: 1 })],
    ['an amount written as a string', (r) => (r.workload.templates[0].params = { value_wei: '1' })],
  ];

  it.each(ignored)('ignores %s', (_what, change) => {
    const raw = base();
    change(raw);
    expect(compile(raw).scenarioHash).toBe(baseHash);
  });

  it('ignores whether the seed default is written out', () => {
    const implicit = base();
    delete implicit.workload.seed;
    const explicit = base();
    explicit.workload.seed = 0;
    expect(compile(implicit).scenarioHash).toBe(compile(explicit).scenarioHash);
  });

  it('ignores the --target override', () => {
    const scenario = loadRaw(base());
    const plan = compileScenario(scenario, { target: { kind: 'nitro-devnet', chainId: 412_346, environment: 'devnet' } });
    expect(plan.target.kind).toBe('nitro-devnet');
    expect(plan.scenarioHash).toBe(baseHash);
  });

  it('ignores how the edges default is spelt', () => {
    const implicit = base();
    delete implicit.edges;
    delete implicit.fault_schedule;
    const explicit = base();
    explicit.edges = { count: 1, accounts_per_edge: 100 };
    delete explicit.fault_schedule;
    expect(compile(explicit).scenarioHash).toBe(compile(implicit).scenarioHash);
  });

  const changing: Array<[string, (raw: Raw) => void]> = [
    ['the seed', (r) => (r.workload.seed = 12)],
    ['the default gas rate', (r) => (r.workload.gas_rate.gas_per_sec = 2_000_001)],
    ['the default gas rate type', (r) => (r.workload.gas_rate = { type: 'ramp', start_gas_per_sec: 2_000_000, end_gas_per_sec: 2_000_001 })],
    ['a template weight ratio', (r) => (r.workload.templates[1].weight = 2)],
    ['a template parameter', (r) => (r.workload.templates[1].params.iterations = 2_001)],
    ['an added template', (r) => r.workload.templates.push({ name: 'noop', weight: 1 })],
    ['a phase duration', (r) => (r.phases[0].duration_secs = 61)],
    ['a phase override', (r) => (r.phases[0].gas_rate_override = { type: 'sustained', gas_per_sec: 3_000_000 })],
    ['an override value', (r) => (r.phases[1].gas_rate_override.end_gas_per_sec = 8_000_001)],
    ['an added phase', (r) => r.phases.push({ name: 'tail', duration_secs: 1 })],
    ['the edge count', (r) => (r.edges.count = 5)],
    ['the accounts per edge', (r) => (r.edges.accounts_per_edge = 51)],
    ['a fault time', (r) => (r.fault_schedule[0].at_secs = 61)],
    ['a fault parameter', (r) => (r.fault_schedule[0].fault.latency_ms = 201)],
    ['a fault type', (r) => (r.fault_schedule[0].fault = { name: 'lat', type: 'jitter', target: 'sequencer-rpc', jitter_ms: 200 })],
    ['a fault target', (r) => (r.fault_schedule[0].fault.target = 'gateway-rpc')],
    ['the edges a fault hits', (r) => (r.fault_schedule[0].edges = { region: 'us' })],
    ['a clear replaced by a duration', (r) => {
      r.fault_schedule[0].fault.duration_secs = 30;
      r.fault_schedule.pop();
    }],
    ['a removed fault schedule', (r) => delete r.fault_schedule],
  ];

  it.each(changing)('changes with %s', (_what, change) => {
    const raw = base();
    change(raw);
    expect(compile(raw).scenarioHash).not.toBe(baseHash);
  });

  it('gives different hashes to all those changes', () => {
    const hashes = changing.map(([, change]) => {
      const raw = base();
      change(raw);
      return compile(raw).scenarioHash;
    });
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});
