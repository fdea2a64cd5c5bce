// Semantic rules of the SDL (beyond the schema): each has a passing and a failing scenario, and
// the failing one is reported with GH-E903 at the offending field.

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { errorsOf, loadOk, problemsOf } from '../support/scenario.js';

interface Parts {
  workload?: unknown;
  phases?: unknown;
  edges?: unknown;
  fault_schedule?: unknown;
  oracle?: unknown;
  gate?: unknown;
  target?: unknown;
}

const RATE = { type: 'sustained', gas_per_sec: 1_000_000 };

function scenario(parts: Parts): string {
  return stringify({
    name: 'sem',
    description: 'semantic rule test',
    version: '1',
    ...(parts.target === undefined ? {} : { target: parts.target }),
    workload: parts.workload ?? { gas_rate: RATE, templates: [{ name: 'simple-transfer', weight: 1 }] },
    phases: parts.phases ?? [{ name: 'a', duration_secs: 60 }, { name: 'b', duration_secs: 60 }],
    ...(parts.edges === undefined ? {} : { edges: parts.edges }),
    ...(parts.fault_schedule === undefined ? {} : { fault_schedule: parts.fault_schedule }),
    ...(parts.oracle === undefined ? {} : { oracle: parts.oracle }),
    ...(parts.gate === undefined ? {} : { gate: parts.gate }),
  });
}

function only(parts: Parts) {
  const errors = errorsOf(scenario(parts));
  expect(errors, JSON.stringify(errors, null, 2)).toHaveLength(1);
  expect(errors[0]!.code).toBe('GH-E903');
  return errors[0]!;
}

const latency = (name: string, at: number, extra: Record<string, unknown> = {}) => ({
  at_secs: at,
  action: 'inject',
  fault: { name, type: 'latency', target: 'sequencer-rpc', latency_ms: 100, ...extra },
});
const clear = (name: string, at: number) => ({ at_secs: at, action: 'clear', fault: { name } });

describe('templates', () => {
  it('accepts every built-in template name', () => {
    const names = ['simple-transfer', 'noop', 'erc20-transfer', 'erc20-approve', 'storage-write', 'storage-write-heavy', 'compute-heavy', 'calldata-heavy'];
    const s = loadOk(scenario({ workload: { gas_rate: RATE, templates: names.map((name) => ({ name, weight: 1 })) } }));
    expect(s.workload.templates.map((t) => t.name)).toEqual(names);
  });

  it('rejects an unknown template with a suggestion', () => {
    const e = only({ workload: { gas_rate: RATE, templates: [{ name: 'erc20-transfers', weight: 1 }] } });
    expect(e).toMatchObject({ path: 'workload.templates[0].name', message: "unknown template 'erc20-transfers' (did you mean 'erc20-transfer'?)" });
  });

  it('rejects a template listed twice', () => {
    const e = only({ workload: { gas_rate: RATE, templates: [{ name: 'noop', weight: 1 }, { name: 'noop', weight: 2 }] } });
    expect(e).toMatchObject({ path: 'workload.templates[1].name', message: "template 'noop' is listed twice (also workload.templates[0])" });
  });

  it('rejects weights that add up to zero, but accepts a zero weight beside a positive one', () => {
    expect(loadOk(scenario({ workload: { gas_rate: RATE, templates: [{ name: 'noop', weight: 0 }, { name: 'simple-transfer', weight: 3 }] } })).workload.templates).toHaveLength(2);
    const e = only({ workload: { gas_rate: RATE, templates: [{ name: 'noop', weight: 0 }] } });
    expect(e).toMatchObject({ path: 'workload.templates', message: 'template weights add up to zero, so no transaction could be chosen' });
  });

  it('rejects a wei amount wider than 256 bits', () => {
    const big = (1n << 256n).toString();
    const e = only({ workload: { gas_rate: RATE, templates: [{ name: 'simple-transfer', weight: 1, params: { value_wei: big } }] } });
    expect(e.path).toBe('workload.templates[0].params.value_wei');
  });

  it('rejects a seed above 2^64-1 and keeps the largest allowed one exact', () => {
    const withSeed = (seed: string) => scenario({}).replace('workload:\n', `workload:\n  seed: ${seed}\n`);
    expect(loadOk(withSeed('18446744073709551615')).workload.seed).toBe(18446744073709551615n);
    const errors = errorsOf(withSeed('18446744073709551616'));
    expect(errors).toEqual([expect.objectContaining({ code: 'GH-E903', path: 'workload.seed', message: 'seed is larger than 2^64-1' })]);
  });
});

describe('phases and rates', () => {
  it('rejects a repeated phase name', () => {
    const e = only({ phases: [{ name: 'x', duration_secs: 5 }, { name: 'x', duration_secs: 5 }] });
    expect(e).toMatchObject({ path: 'phases[1].name', message: "phase name 'x' is used twice (also phases[0])" });
  });

  it('needs a gas rate for every phase: from the phase or the workload default', () => {
    const noDefault = { templates: [{ name: 'noop', weight: 1 }] };
    expect(loadOk(scenario({ workload: noDefault, phases: [{ name: 'a', duration_secs: 5, gas_rate_override: RATE }] })).phases).toHaveLength(1);
    const e = only({ workload: noDefault, phases: [{ name: 'a', duration_secs: 5, gas_rate_override: RATE }, { name: 'b', duration_secs: 5 }] });
    expect(e).toMatchObject({ path: 'phases[1]', message: "phase 'b' has no gas rate" });
  });

  it('rejects a burst longer than its interval and a peak below the baseline', () => {
    const burst = (b: number, i: number, base: number, peak: number) => ({ type: 'burst', baseline_gas_per_sec: base, peak_gas_per_sec: peak, burst_duration_secs: b, interval_secs: i });
    expect(loadOk(scenario({ phases: [{ name: 'a', duration_secs: 60, gas_rate_override: burst(5, 10, 1, 9) }] })).phases).toHaveLength(1);
    expect(only({ phases: [{ name: 'a', duration_secs: 60, gas_rate_override: burst(10, 10, 1, 9) }] }).path).toBe('phases[0].gas_rate_override.burst_duration_secs');
    expect(only({ phases: [{ name: 'a', duration_secs: 60, gas_rate_override: burst(5, 10, 9, 1) }] }).path).toBe('phases[0].gas_rate_override.peak_gas_per_sec');
  });

  it('requires custom points to start at 0, rise in time and stay inside the phase', () => {
    const custom = (points: Array<[number, number]>) => ({ type: 'custom', points: points.map(([at_secs, gas_per_sec]) => ({ at_secs, gas_per_sec })) });
    expect(loadOk(scenario({ phases: [{ name: 'a', duration_secs: 60, gas_rate_override: custom([[0, 1], [30, 5], [59, 2]]) }] })).phases).toHaveLength(1);
    expect(only({ phases: [{ name: 'a', duration_secs: 60, gas_rate_override: custom([[5, 1], [30, 5]]) }] }).message).toBe('the first point is at 5s; the schedule must start at 0');
    expect(only({ phases: [{ name: 'a', duration_secs: 60, gas_rate_override: custom([[0, 1], [30, 5], [20, 5]]) }] }).message).toBe('points must be in increasing time order: 20s follows 30s');
    expect(loadOk(scenario({ phases: [{ name: 'a', duration_secs: 60, gas_rate_override: custom([[0, 1], [60, 5]]) }] })).phases).toHaveLength(1);
    expect(only({ phases: [{ name: 'a', duration_secs: 60, gas_rate_override: custom([[0, 1], [61, 5]]) }] }).message).toBe("point at 61s lies past the end of phase 'a' (60s long)");
  });

  it('checks a default custom curve against every phase it applies to', () => {
    const workload = { gas_rate: { type: 'custom', points: [{ at_secs: 0, gas_per_sec: 1 }, { at_secs: 40, gas_per_sec: 2 }] }, templates: [{ name: 'noop', weight: 1 }] };
    const e = only({ workload, phases: [{ name: 'long', duration_secs: 60 }, { name: 'short', duration_secs: 30 }] });
    expect(e).toMatchObject({ path: 'workload.gas_rate.points[1].at_secs', message: "point at 40s lies past the end of phase 'short' (30s long)" });
    expect(loadOk(scenario({ workload, phases: [{ name: 'long', duration_secs: 60 }, { name: 'exact', duration_secs: 40 }] })).phases).toHaveLength(2);
  });

  it('rejects phases adding up to more than a week', () => {
    const e = only({ phases: [{ name: 'a', duration_secs: 604_800 }, { name: 'b', duration_secs: 1 }] });
    expect(e).toMatchObject({ path: 'phases', message: 'the phases add up to 604801s; a run may last at most 604800s (one week)' });
  });

  it('warns, without failing, when no phase offers any gas', () => {
    const problems = problemsOf(scenario({ workload: { gas_rate: { type: 'sustained', gas_per_sec: 0 }, templates: [{ name: 'noop', weight: 1 }] } }));
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', path: 'phases', message: 'every phase offers 0 gas/s: this scenario sends no transactions' })]);
  });
});

describe('fault schedule', () => {
  it('accepts inject then clear, by name or by type and target', () => {
    const s = loadOk(
      scenario({
        fault_schedule: [
          latency('lat', 10),
          clear('lat', 20),
          { at_secs: 30, action: 'inject', fault: { type: 'packet-loss', target: 'sequencer-rpc', loss_pct: 10 } },
          { at_secs: 40, action: 'clear', fault: { type: 'packet-loss', target: 'sequencer-rpc' } },
        ],
      }),
    );
    expect(s.faultSchedule.map((e) => e.action)).toEqual(['inject', 'clear', 'inject', 'clear']);
    expect(s.faultSchedule[2]).toMatchObject({ fault: { name: 'packet-loss-sequencer-rpc', params: { loss_pct: 10 } } });
  });

  it('rejects a clear before its inject', () => {
    const e = only({ fault_schedule: [clear('lat', 5), latency('lat', 10)] });
    expect(e).toMatchObject({ path: 'fault_schedule[0].fault', message: "clears 'lat' at 5s, before it is injected" });
  });

  it('rejects a clear of a fault that was never injected', () => {
    expect(only({ fault_schedule: [clear('ghost', 5)] }).message).toBe("clears 'ghost', which is not active at 5s");
  });

  it('rejects a clear after the fault already cleared itself', () => {
    expect(only({ fault_schedule: [latency('lat', 10, { duration_secs: 5 }), clear('lat', 20)] }).message).toBe("clears 'lat', which is not active at 20s");
  });

  it('rejects a fault scheduled at or after the end of the run', () => {
    const e = only({ fault_schedule: [latency('late', 120)] });
    expect(e).toMatchObject({ path: 'fault_schedule[0].at_secs', message: 'scheduled at 120s, but the run ends at 120s' });
  });

  it('warns when an auto-clear would come after the end of the run', () => {
    const problems = problemsOf(scenario({ fault_schedule: [latency('lat', 100, { duration_secs: 60 })] }));
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', path: 'fault_schedule[0].fault.duration_secs' })]);
  });

  it('rejects injecting a fault that is already active, by name or by type and target', () => {
    expect(only({ fault_schedule: [latency('lat', 10), latency('lat', 20)] }).message).toBe("fault 'lat' is already active (injected by fault_schedule[0])");
    expect(only({ fault_schedule: [latency('one', 10), latency('two', 20)] }).message).toBe('a latency fault on sequencer-rpc is already active (fault_schedule[0])');
  });

  it('rejects a clear that matches several active faults', () => {
    const loss = { at_secs: 12, action: 'inject', fault: { name: 'loss', type: 'packet-loss', target: 'sequencer-rpc', loss_pct: 5 } };
    const e = only({ fault_schedule: [latency('lat', 10), loss, { at_secs: 20, action: 'clear', fault: { target: 'sequencer-rpc' } }] });
    expect(e.message).toBe('matches 2 active faults (lat, loss)');
  });

  it('rejects a fault type on a target it cannot act on', () => {
    expect(only({ fault_schedule: [{ at_secs: 1, action: 'inject', fault: { type: 'feed-disconnect', target: 'sequencer-rpc', duration_secs: 5 } }] }).message).toBe(
      'feed-disconnect applies to the feed-relay target, not sequencer-rpc',
    );
    expect(only({ fault_schedule: [{ at_secs: 1, action: 'inject', fault: { type: 'rpc-error', target: 'feed-relay', error_pct: 5, duration_secs: 5 } }] }).message).toBe(
      'rpc-error applies to sequencer-rpc or gateway-rpc, not feed-relay',
    );
  });

  it('runs faults only against an allowed environment', () => {
    const staging = { chain_id: 1, sequencer_rpc: 'https://staging.example', environment: 'staging' };
    const e = only({ target: staging, fault_schedule: [latency('lat', 1, { duration_secs: 5 })] });
    expect(e).toMatchObject({ path: 'fault_schedule[0]', message: "this fault may not run against the target's environment 'staging'" });
    const allowed = { ...latency('lat', 1, { duration_secs: 5 }), allowed_environments: ['staging'] };
    expect(loadOk(scenario({ target: staging, fault_schedule: [allowed] })).faultSchedule).toHaveLength(1);
  });

  it('lets a clear run against any environment: clearing is always safe', () => {
    const staging = { chain_id: 1, sequencer_rpc: 'https://staging.example', environment: 'staging' };
    const inject = { ...latency('lat', 1), allowed_environments: ['staging'] };
    expect(loadOk(scenario({ target: staging, fault_schedule: [inject, clear('lat', 5)] })).faultSchedule).toHaveLength(2);
  });

  it('rejects a feed fault against a target with no feed', () => {
    const noFeed = { chain_id: 1, sequencer_rpc: 'https://staging.example', environment: 'staging' };
    const feedDown = { at_secs: 1, action: 'inject', fault: { type: 'feed-disconnect', target: 'feed-relay', duration_secs: 5 }, allowed_environments: ['staging'] };
    expect(only({ target: noFeed, fault_schedule: [feedDown] })).toMatchObject({
      path: 'fault_schedule[0].fault.target',
      message: 'the target has no feed_relay, so there is no feed connection to fault',
    });
    expect(loadOk(scenario({ target: { ...noFeed, feed_relay: 'wss://feed.example' }, fault_schedule: [feedDown] })).faultSchedule).toHaveLength(1);
  });

  it('never runs faults against a blocked environment, even when allowed', () => {
    const prod = { chain_id: 1, sequencer_rpc: 'https://rpc.example', environment: 'production' };
    const errors = errorsOf(scenario({ target: prod, fault_schedule: [{ ...latency('lat', 1, { duration_secs: 5 }), allowed_environments: ['production'] }] }));
    expect(errors.map((x) => x.message)).toEqual(["environment 'production' is both allowed and blocked", "this fault may not run against the target's environment 'production'"]);
  });

  it('checks edge selectors against the edges the run has', () => {
    const withEdges = (edges: unknown) => scenario({ edges: { count: 2, regions: ['eu', 'us'] }, fault_schedule: [{ ...latency('lat', 1, { duration_secs: 5 }), edges }] });
    expect(loadOk(withEdges({ region: 'eu' })).faultSchedule).toHaveLength(1);
    expect(loadOk(withEdges({ ids: [1] })).faultSchedule).toHaveLength(1);
    expect(errorsOf(withEdges({ region: 'ap' }))[0]).toMatchObject({ path: 'fault_schedule[0].edges.region', message: "no edge is in region 'ap'" });
    expect(errorsOf(withEdges({ ids: [0, 2] }))[0]).toMatchObject({ path: 'fault_schedule[0].edges.ids[1]', message: 'edge 2 does not exist: the run has 2 edge(s), numbered from 0' });
    const oneEdge = scenario({ edges: { count: 1, regions: ['eu', 'us'] }, fault_schedule: [{ ...latency('lat', 1, { duration_secs: 5 }), edges: { region: 'us' } }] });
    expect(errorsOf(oneEdge)[0]).toMatchObject({ path: 'fault_schedule[0].edges.region', message: "no edge is in region 'us'" });
  });
});

describe('edges, oracle and gate', () => {
  it('warns when there are more regions than edges', () => {
    const problems = problemsOf(scenario({ edges: { count: 1, regions: ['eu', 'us'] } }));
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', path: 'edges.regions' })]);
  });

  it('warns when live checks could never run in so short a run', () => {
    const problems = problemsOf(scenario({ oracle: { check_interval_secs: 600 } }));
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', path: 'oracle.check_interval_secs' })]);
    expect(problemsOf(scenario({ oracle: { check_interval_secs: 600, invariants: [] } }))).toEqual([]);
  });

  it('rejects a regression rule that fails before it warns', () => {
    const e = only({ gate: { regression: { metrics: { p99_inclusion_ms: { warn_pct: 30, fail_pct: 20 } } } } });
    expect(e).toMatchObject({ path: 'gate.regression.metrics.p99_inclusion_ms', message: 'warn_pct (30) is above fail_pct (20)' });
  });

  it('warns about a repeated threshold', () => {
    const problems = problemsOf(scenario({ gate: { thresholds: ['error_rate < 0.01', 'error_rate < 0.01'] } }));
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', path: 'gate.thresholds[1]' })]);
  });

  it('parses thresholds with their level and points at a bad one column by column', () => {
    const s = loadOk(scenario({ gate: { thresholds: ['p99_inclusion_ms < 2_000', { check: 'error_rate <= 0.01', level: 'warn' }] } }));
    expect(s.gate.thresholds).toEqual([
      { expression: { metric: 'p99_inclusion_ms', operator: '<', value: 2000 }, level: 'error', source: 'p99_inclusion_ms < 2_000' },
      { expression: { metric: 'error_rate', operator: '<=', value: 0.01 }, level: 'warn', source: 'error_rate <= 0.01' },
    ]);
    const text = 'name: t\ndescription: d\nversion: "1"\nworkload:\n  gas_rate: {type: sustained, gas_per_sec: 1}\n  templates: [{name: noop, weight: 1}]\nphases: [{name: a, duration_secs: 5}]\ngate:\n  thresholds:\n    - "p99_inclusion_ms > fast"\n    - erorr_rate < 1\n';
    const errors = errorsOf(text);
    expect(errors.map((x) => `${x.code} ${x.line}:${x.column} ${x.message}`)).toEqual([
      "GH-E904 10:27 expected a number after '>', found 'fast'",
      "GH-E904 11:7 unknown metric 'erorr_rate' (did you mean 'error_rate'?)",
    ]);
  });
});
