// The scenario hash identifies comparable runs: it must follow the load and nothing else.

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compileScenario } from '../../src/scenario/compile.js';
import { scenarioHash } from '../../src/scenario/hash.js';
import { loadOk } from '../support/scenario.js';

const base = {
  name: 'h',
  description: 'hash test',
  version: '1',
  workload: { gas_rate: { type: 'sustained', gas_per_sec: 1_000_000 }, seed: 9, templates: [{ name: 'simple-transfer', weight: 3 }, { name: 'noop', weight: 1 }] },
  phases: [{ name: 'warm', duration_secs: 30 }, { name: 'main', duration_secs: 60 }],
  edges: { count: 2, regions: ['eu', 'us'] },
  fault_schedule: [
    { at_secs: 10, action: 'inject', fault: { name: 'lat', type: 'latency', target: 'sequencer-rpc', latency_ms: 100 }, edges: { region: 'eu' } },
    { at_secs: 20, action: 'clear', fault: { name: 'lat' } },
  ],
};

type Doc = typeof base;
const hashOf = (doc: unknown) => scenarioHash(loadOk(stringify(doc)));
const variant = (change: (d: Doc) => void): unknown => {
  const copy = structuredClone(base);
  change(copy);
  return copy;
};

describe('scenario hash', () => {
  const reference = hashOf(base);

  it('is a sha256 hex digest, the same on every load', () => {
    expect(reference).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOf(base)).toBe(reference);
  });

  it.each<[string, (d: Doc) => void]>([
    ['the scenario name', (d) => (d.name = 'renamed')],
    ['the description and version', (d) => ((d.description = 'other'), (d.version = '2'))],
    ['phase names', (d) => (d.phases[0]!.name = 'warmup')],
    ['fault names, when the clear follows', (d) => ((d.fault_schedule[0]!.fault.name = 'x'), (d.fault_schedule[1]!.fault.name = 'x'))],
    ['region names that select the same edges', (d) => ((d.edges.regions = ['west', 'us']), (d.fault_schedule[0]!.edges = { region: 'west' }))],
    ['weights scaled together', (d) => ((d.workload.templates[0]!.weight = 30), (d.workload.templates[1]!.weight = 10))],
    ['weights scaled by a binary fraction', (d) => ((d.workload.templates[0]!.weight = 0.3), (d.workload.templates[1]!.weight = 0.1))],
    ['the order of templates', (d) => d.workload.templates.reverse()],
    ['the gate and the oracle', (d) => Object.assign(d, { gate: { thresholds: ['error_rate < 0.5'] }, oracle: { invariants: [] } })],
  ])('ignores %s', (_what, change) => {
    expect(hashOf(variant(change))).toBe(reference);
  });

  it.each<[string, (d: Doc) => void]>([
    ['the seed', (d) => (d.workload.seed = 10)],
    ['a gas rate', (d) => (d.workload.gas_rate.gas_per_sec = 2_000_000)],
    ['a phase duration', (d) => (d.phases[1]!.duration_secs = 61)],
    ['the order of phases', (d) => d.phases.reverse()],
    ['the template mix', (d) => (d.workload.templates[1]!.weight = 2)],
    ['the edge count', (d) => (d.edges.count = 3)],
    ['a fault time', (d) => (d.fault_schedule[0]!.at_secs = 11)],
    ['a fault parameter', (d) => ((d.fault_schedule[0]!.fault as { latency_ms: number }).latency_ms = 101)],
    ['the edges a fault hits', (d) => (d.fault_schedule[0]!.edges = { region: 'us' })],
  ])('changes with %s', (_what, change) => {
    expect(hashOf(variant(change))).not.toBe(reference);
  });

  it('follows an --edges override', () => {
    const s = loadOk(stringify(base));
    expect(compileScenario(s).scenarioHash).toBe(reference);
    expect(compileScenario(s, { edges: 4 }).scenarioHash).not.toBe(reference);
  });
});
