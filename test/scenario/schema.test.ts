// Schema rules of the SDL: each rule has a scenario that passes it and one that breaks it, and
// the broken one must be reported with GH-E902, the field path, and its line and column.

import { describe, expect, it } from 'vitest';
import { diagnosticToJson, formatDiagnostic } from '../../src/errors/diagnostic.js';
import { loadScenarioText } from '../../src/scenario/load.js';
import { BASE, errorsOf, loadOk, withBase } from '../support/scenario.js';

function replaceLine(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`test bug: '${from}' not in text`);
  return text.replace(from, to);
}

describe('top-level fields', () => {
  it('accepts the base scenario and applies defaults', () => {
    const s = loadOk(BASE);
    expect(s.target).toEqual({ kind: 'devnet', chainId: 412346, environment: 'devnet' });
    expect(s.workload.seed).toBe(0n);
    expect(s.oracle).toEqual({ invariants: ['balance-conservation', 'nonce-monotonicity', 'gas-accounting'], checkIntervalSecs: 10 });
    expect(s.edges).toEqual({ count: 1, accountsPerEdge: 100, regions: [] });
    expect(s.faultSchedule).toEqual([]);
    expect(s.gate.thresholds).toEqual([]);
  });

  it('reports every missing required field at once', () => {
    const errors = errorsOf('name: x\n');
    expect(errors.map((e) => e.message).sort()).toEqual([
      "missing required field 'description'",
      "missing required field 'phases'",
      "missing required field 'version'",
      "missing required field 'workload'",
    ]);
    expect(errors.every((e) => e.code === 'GH-E902' && e.line === 1)).toBe(true);
  });

  it('rejects an unknown top-level field at its key, with a suggestion', () => {
    const [e] = errorsOf(BASE + 'phasess: []\n');
    expect(e).toMatchObject({ code: 'GH-E902', path: 'phasess', line: 14, column: 1 });
    expect(e!.message).toBe("unknown field 'phasess' (did you mean 'phases'?)");
  });

  it('rejects a name with characters outside letters, digits, - and _', () => {
    const [e] = errorsOf(replaceLine(BASE, 'name: base', 'name: "my scenario"'));
    expect(e).toMatchObject({ code: 'GH-E902', path: 'name', line: 1, column: 7 });
    expect(e!.expected).toContain('letters, digits');
    expect(loadOk(replaceLine(BASE, 'name: base', 'name: My_scenario-2')).name).toBe('My_scenario-2');
  });

  it('asks to quote a version written as a number', () => {
    const [e] = errorsOf(replaceLine(BASE, 'version: "1.0"', 'version: 1.0'));
    expect(e).toMatchObject({ path: 'version', line: 3, column: 10, message: 'expected a string, got a number (1.0)' });
  });
});

describe('numbers', () => {
  it('accepts digits grouped with underscores', () => {
    const s = loadOk(replaceLine(BASE, 'gas_per_sec: 1_000_000', 'gas_per_sec: 12_500_000'));
    expect(s.workload.gasRate).toEqual({ type: 'sustained', gasPerSec: 12_500_000 });
  });

  it('keeps a seed beyond 2^53 exact', () => {
    const s = loadOk(replaceLine(BASE, 'workload:\n', 'workload:\n  seed: 18_446_744_073_709_551_615\n'));
    expect(s.workload.seed).toBe(18446744073709551615n);
  });

  it('keeps wei amounts beyond 2^53 exact, as integers or digit strings', () => {
    const text = replaceLine(BASE, '      weight: 1\n', '      weight: 1\n      params:\n        value_wei: 123_456_789_012_345_678_901\n    - name: erc20-transfer\n      weight: 1\n      params: { amount: "99999999999999999999999" }\n');
    const s = loadOk(text);
    expect(s.workload.templates[0]!.params.value_wei).toBe(123456789012345678901n);
    expect(s.workload.templates[1]!.params.amount).toBe(99999999999999999999999n);
  });

  it('rejects a huge duration with its limit, quoting the number as written', () => {
    const [e] = errorsOf(replaceLine(BASE, 'duration_secs: 60', 'duration_secs: 99_999_999_999_999_999_999'));
    expect(e).toMatchObject({ path: 'phases[0].duration_secs', line: 13, column: 20 });
    expect(e!.message).toBe('must be <= 604800, got 99_999_999_999_999_999_999');
  });

  it('rejects a negative or zero duration', () => {
    expect(errorsOf(replaceLine(BASE, 'duration_secs: 60', 'duration_secs: -5'))[0]!.message).toBe('must be >= 1, got -5');
    expect(errorsOf(replaceLine(BASE, 'duration_secs: 60', 'duration_secs: 0'))[0]!.message).toBe('must be >= 1, got 0');
  });

  it('rejects a fractional duration and a gas rate above the cap', () => {
    expect(errorsOf(replaceLine(BASE, 'duration_secs: 60', 'duration_secs: 1.5'))[0]!.message).toBe('expected a whole number, got a number (1.5)');
    expect(errorsOf(replaceLine(BASE, 'gas_per_sec: 1_000_000', 'gas_per_sec: 20_000_000_000'))[0]!.message).toBe('must be <= 10000000000, got 20_000_000_000');
  });

  it('rejects a seed given as text', () => {
    const [e] = errorsOf(replaceLine(BASE, 'workload:\n', 'workload:\n  seed: "42"\n'));
    expect(e).toMatchObject({ path: 'workload.seed', message: 'expected a whole number, got a string ("42")' });
  });
});

describe('gas rates', () => {
  it('accepts each rate type with its fields', () => {
    const rates = [
      '{type: sustained, gas_per_sec: 5}',
      '{type: ramp, start_gas_per_sec: 1, end_gas_per_sec: 9}',
      '{type: burst, baseline_gas_per_sec: 1, peak_gas_per_sec: 9, burst_duration_secs: 2, interval_secs: 10}',
      '{type: custom, points: [{at_secs: 0, gas_per_sec: 1}, {at_secs: 30, gas_per_sec: 4}]}',
    ];
    for (const rate of rates) {
      const text = BASE.replace(/ {2}gas_rate:\n {4}type: sustained\n {4}gas_per_sec: 1_000_000\n/, `  gas_rate: ${rate}\n`);
      expect(loadOk(text).workload.gasRate?.type).toBe(rate.slice(7, rate.indexOf(',')));
    }
  });

  it('names an unknown rate type once, with a suggestion', () => {
    const errors = errorsOf(replaceLine(BASE, 'type: sustained', 'type: sustaned'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'workload.gas_rate.type', line: 6, column: 11 });
    expect(errors[0]!.message).toBe("sustaned is not allowed here (did you mean 'sustained'?)");
  });

  it('reports a field that belongs to another rate type', () => {
    const errors = errorsOf(replaceLine(BASE, 'gas_per_sec: 1_000_000', 'start_gas_per_sec: 1'));
    expect(errors.map((e) => e.message).sort()).toEqual(["missing required field 'gas_per_sec'", "unknown field 'start_gas_per_sec'"]);
    expect(errors.find((e) => e.path === 'workload.gas_rate.start_gas_per_sec')?.expected).toBe("one of 'type', 'gas_per_sec'");
  });

  it('requires the type field', () => {
    const errors = errorsOf(replaceLine(BASE, '    type: sustained\n', ''));
    expect(errors.map((e) => e.message)).toContain("missing required field 'type'");
  });
});

describe('templates', () => {
  it('validates params per template', () => {
    const ok = replaceLine(BASE, '      weight: 1\n', '      weight: 1\n    - name: calldata-heavy\n      weight: 2\n      params: { size_bytes: 1024 }\n');
    expect(loadOk(ok).workload.templates[1]!.params).toEqual({ size_bytes: 1024 });
    const [e] = errorsOf(ok.replace('size_bytes: 1024', 'size_bytes: 999999'));
    expect(e).toMatchObject({ path: 'workload.templates[1].params.size_bytes', message: 'must be <= 120000, got 999999' });
    const [u] = errorsOf(ok.replace('size_bytes: 1024', 'slots: 4'));
    expect(u).toMatchObject({ path: 'workload.templates[1].params.slots', message: "unknown field 'slots'" });
  });

  it('fills template defaults', () => {
    const text = replaceLine(BASE, 'name: simple-transfer', 'name: storage-write-heavy');
    expect(loadOk(text).workload.templates[0]!.params).toEqual({ slots: 10 });
  });

  it('rejects a negative weight and an empty template list', () => {
    expect(errorsOf(replaceLine(BASE, 'weight: 1', 'weight: -1'))[0]!.message).toBe('must be >= 0, got -1');
    const empty = BASE.replace(/ {2}templates:\n {4}- name: simple-transfer\n {6}weight: 1\n/, '  templates: []\n');
    expect(errorsOf(empty)[0]!.message).toBe('needs at least 1 item(s), has 0');
  });
});

describe('target', () => {
  it('accepts devnet, nitro-devnet and endpoints', () => {
    expect(loadOk(withBase({ target: 'nitro-devnet' })).target.kind).toBe('nitro-devnet');
    const remote = loadOk(withBase({ target: { chain_id: 42161, sequencer_rpc: 'https://rpc.example:8547', feed_relay: 'wss://feed.example' } }));
    expect(remote.target).toEqual({ kind: 'remote', chainId: 42161, sequencerRpc: 'https://rpc.example:8547', feedRelay: 'wss://feed.example', environment: 'staging' });
  });

  it('reports a bad endpoint inside the target, not a vague alternative error', () => {
    const errors = errorsOf(withBase({ target: { chain_id: 1, sequencer_rpc: 'localhost:8547' } }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'target.sequencer_rpc', expected: 'an http:// or https:// URL' });
  });

  it('says what a target may be when it is an unknown word', () => {
    const [e] = errorsOf(withBase({ target: 'mainnet' }));
    expect(e).toMatchObject({ path: 'target', message: 'mainnet is not allowed here', expected: "one of 'devnet', 'nitro-devnet'" });
  });

  it('never prints credentials from a URL', () => {
    const result = loadScenarioText(withBase({ target: { chain_id: 1, sequencer_rpc: 'ftp://alice:hunter2@rpc.example' } }));
    if (result.ok) throw new Error('expected errors');
    expect(result.diagnostics[0]!.path).toBe('target.sequencer_rpc');
    const printed = result.diagnostics.map(formatDiagnostic).join('\n') + JSON.stringify(result.diagnostics.map(diagnosticToJson));
    expect(printed).not.toContain('hunter2');
    expect(printed).toContain('ftp://***@rpc.example');
  });
});

describe('faults, edges, oracle and gate shapes', () => {
  it('requires the parameters of a fault type', () => {
    const text = withBase({ fault_schedule: [{ at_secs: 1, action: 'inject', fault: { type: 'latency', target: 'sequencer-rpc' } }] });
    const [e] = errorsOf(text);
    expect(e).toMatchObject({ path: 'fault_schedule[0].fault', message: "missing required field 'latency_ms'" });
  });

  it('rejects a parameter of another fault type', () => {
    const text = withBase({ fault_schedule: [{ at_secs: 1, action: 'inject', fault: { type: 'latency', target: 'sequencer-rpc', latency_ms: 5, loss_pct: 3 } }] });
    expect(errorsOf(text)[0]).toMatchObject({ path: 'fault_schedule[0].fault.loss_pct', message: "unknown field 'loss_pct'" });
  });

  it('lets a clear name its fault without parameters, but not with nothing', () => {
    const inject = { at_secs: 1, action: 'inject', fault: { name: 'slow', type: 'rpc-slow', target: 'sequencer-rpc', delay_ms: 50 } };
    expect(loadOk(withBase({ fault_schedule: [inject, { at_secs: 5, action: 'clear', fault: { name: 'slow' } }] })).faultSchedule).toHaveLength(2);
    const [e] = errorsOf(withBase({ fault_schedule: [inject, { at_secs: 5, action: 'clear', fault: {} }] }));
    expect(e).toMatchObject({ path: 'fault_schedule[1].fault', message: 'must not be empty' });
  });

  it('checks the edge selector forms', () => {
    const ev = (edges: unknown) => withBase({ edges: { count: 3 }, fault_schedule: [{ at_secs: 1, action: 'inject', fault: { type: 'partition', target: 'gateway-rpc', duration_secs: 2 }, edges }] });
    expect(loadOk(ev('all')).faultSchedule[0]!.edges).toEqual({ kind: 'all' });
    expect(loadOk(ev({ ids: [0, 2] })).faultSchedule[0]!.edges).toEqual({ kind: 'ids', ids: [0, 2] });
    expect(errorsOf(ev({ ids: [] }))[0]).toMatchObject({ path: 'fault_schedule[0].edges.ids', message: 'needs at least 1 item(s), has 0' });
    expect(errorsOf(ev('some'))[0]).toMatchObject({ path: 'fault_schedule[0].edges' });
  });

  it('rejects an unknown invariant and repeated ones', () => {
    expect(errorsOf(withBase({ oracle: { invariants: ['balance-conservaton'] } }))[0]!.message).toBe(
      "balance-conservaton is not allowed here (did you mean 'balance-conservation'?)",
    );
    expect(errorsOf(withBase({ oracle: { invariants: ['gas-accounting', 'gas-accounting'] } }))[0]).toMatchObject({ path: 'oracle.invariants[1]', message: 'duplicates item 0 of the list' });
  });

  it('accepts an empty invariant list to switch the oracle off', () => {
    expect(loadOk(withBase({ oracle: { invariants: [] } })).oracle.invariants).toEqual([]);
  });

  it('checks edge counts and regression rule fields', () => {
    expect(errorsOf(withBase({ edges: { count: 0 } }))[0]).toMatchObject({ path: 'edges.count', message: 'must be >= 1, got 0' });
    const [e] = errorsOf(withBase({ gate: { regression: { metrics: { p99_latency: { fail_pct: 5 } } } } }));
    expect(e).toMatchObject({ path: 'gate.regression.metrics.p99_latency' });
    expect(e!.message).toMatch(/^unknown field 'p99_latency'/);
    expect(e!.expected).toContain("'p99_inclusion_ms'");
  });
});

describe('several problems in one file', () => {
  it('reports all of them, in file order', () => {
    const text = `name: "x y"
description: d
version: 2
workload:
  templates:
    - name: simple-transfr
      weight: 1
phases:
  - name: p
    duration_secs: 0
  - name: p
    duration_secs: 10
    gas_rate_overide: {}
gate:
  thresholds: ["p99_inclusion_ms <"]
`;
    const errors = errorsOf(text);
    expect(errors.map((e) => `${e.code} ${e.line}:${e.column} ${e.path}`)).toEqual([
      'GH-E902 1:7 name',
      'GH-E902 3:10 version',
      'GH-E903 6:13 workload.templates[0].name',
      'GH-E902 10:20 phases[0].duration_secs',
      'GH-E903 11:11 phases[1].name',
      'GH-E902 13:5 phases[1].gas_rate_overide',
      'GH-E904 15:35 gate.thresholds[0]',
    ]);
  });
});
