// The scenario hash: a fingerprint of the load a scenario offers, used to find comparable
// baselines. It covers exactly what changes the load: the seed, each phase's duration and gas
// curve (in order), the template mix as shares and parameters, the edge count and accounts per
// edge, and the fault schedule (times, types, targets, parameters, durations, edges hit), all
// after defaults and command-line overrides. Names (scenario, phases, faults, regions),
// description, version, target, environments, oracle and gate do not count.

import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { faultMatches, selectEdges } from './fault-refs.js';
import type { FaultSpec, Scenario } from './types.js';

const canonicalJson = configure({ bigint: true, deterministic: true, circularValue: Error });

/** Bumped whenever the hashed content's meaning changes, so old baselines stop matching. */
const HASH_FORMAT = 'gashammer-load-fingerprint/v2';

function faultFingerprint(spec: FaultSpec) {
  return { type: spec.type, target: spec.target, adapter: spec.adapter, durationSecs: spec.durationSecs ?? null, params: spec.params };
}

/** The fault schedule in time order, each clear resolved to the fault it clears. */
function faultsFingerprint(s: Scenario) {
  const order = s.faultSchedule.map((e, i) => [e, i] as const).sort((a, b) => a[0].atSecs - b[0].atSecs || a[1] - b[1]);
  let active: Array<{ spec: FaultSpec; until: number }> = [];
  return order.map(([event]) => {
    active = active.filter((a) => a.until > event.atSecs);
    const edges = selectEdges(event.edges, s.edges.count, s.edges.regions);
    if (event.action === 'inject') {
      active.push({ spec: event.fault, until: event.fault.durationSecs === undefined ? Infinity : event.atSecs + event.fault.durationSecs });
      return { atSecs: event.atSecs, inject: faultFingerprint(event.fault), edges };
    }
    const hit = active.find((a) => faultMatches(a.spec, event.ref));
    active = active.filter((a) => a !== hit);
    return { atSecs: event.atSecs, clear: hit ? faultFingerprint(hit.spec) : null, edges };
  });
}

export function scenarioHash(s: Scenario): string {
  const totalWeight = s.workload.templates.reduce((sum, t) => sum + t.weight, 0);
  const fingerprint = {
    format: HASH_FORMAT,
    seed: s.workload.seed,
    phases: s.phases.map((p) => ({ durationSecs: p.durationSecs, gasRate: p.gasRateOverride ?? s.workload.gasRate ?? null })),
    templates: s.workload.templates
      .filter((t) => t.weight > 0)
      // Rounded so that weights 1:2 and 0.1:0.2 give the same mix despite binary fractions.
      .map((t) => ({ name: t.name, share: Number((t.weight / totalWeight).toPrecision(12)), params: t.params }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    edges: { count: s.edges.count, accountsPerEdge: s.edges.accountsPerEdge },
    faults: faultsFingerprint(s),
  };
  const text = canonicalJson(fingerprint);
  if (text === undefined) throw new Error('scenario could not be serialised for hashing');
  return createHash('sha256').update(text).digest('hex');
}
