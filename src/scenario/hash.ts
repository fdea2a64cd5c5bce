// The scenario hash: a fingerprint of the load a scenario offers, used to find comparable
// baselines. It covers the workload (rates, seed, templates and their params), the phases, the
// edges and the fault schedule, after defaults and command-line overrides. It leaves out what
// does not change the load: name, description, version, target, oracle and gate.

import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import type { Scenario } from './types.js';

const canonicalJson = configure({ bigint: true, deterministic: true, circularValue: Error });

/** Bumped whenever the hashed content's meaning changes, so old baselines stop matching. */
const HASH_FORMAT = 'gashammer-scenario-hash/v1';

export function scenarioHash(scenario: Scenario): string {
  const content = {
    format: HASH_FORMAT,
    workload: scenario.workload,
    phases: scenario.phases,
    edges: scenario.edges,
    faultSchedule: scenario.faultSchedule,
  };
  const text = canonicalJson(content);
  if (text === undefined) throw new Error('scenario could not be serialised for hashing');
  return createHash('sha256').update(text).digest('hex');
}
