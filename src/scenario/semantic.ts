// Cross-field checks: rules the JSON Schema cannot express, such as rates whose parts must
// agree and a fault schedule that must make sense in time (names are checked in names.ts).
// Each problem is reported where it is, with what to do; warnings do not fail validation.

import { ErrorCodes } from '../errors/codes.js';
import type { Diagnostic, Severity } from '../errors/diagnostic.js';
import { didYouMean } from '../util/suggest.js';
import { totalGas } from '../workload/gas-curve.js';
import { formatPath, locate, type PathSegment } from './positions.js';
import { MAX_DURATION_SECS, REGRESSION_METRICS } from './schema.js';
import { actsOnHost, ADAPTER_FAULT_TYPES, ADAPTER_NAMES } from '../fault/adapter.js';
import { faultMatches, selectEdges } from './fault-refs.js';
import type { FaultEvent, FaultSpec, GasRate, Scenario } from './types.js';
import type { ScenarioSource } from './yaml-source.js';

const MAX_SEED = (1n << 64n) - 1n;
const MAX_UINT256 = (1n << 256n) - 1n;

class Findings {
  readonly list: Diagnostic[] = [];
  constructor(private readonly source: ScenarioSource) {}

  add(severity: Severity, path: PathSegment[], message: string, extra: { expected?: string; hint?: string } = {}): void {
    const pos = locate(this.source, path);
    this.list.push({
      code: ErrorCodes.ScenarioSemantic,
      severity,
      file: this.source.file,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
      path: formatPath(path),
      message,
      ...extra,
    });
  }
  error(path: PathSegment[], message: string, extra?: { expected?: string; hint?: string }): void {
    this.add('error', path, message, extra);
  }
  warning(path: PathSegment[], message: string, extra?: { expected?: string; hint?: string }): void {
    this.add('warning', path, message, extra);
  }
}

export function checkSemantics(source: ScenarioSource, scenario: Scenario): Diagnostic[] {
  const f = new Findings(source);
  checkWorkload(f, scenario);
  checkPhases(f, scenario);
  checkFaultSchedule(f, scenario);
  checkEdges(f, scenario);
  checkOracle(f, scenario);
  checkGate(f, scenario);
  return f.list;
}

export function runDurationSecs(scenario: Scenario): number {
  return scenario.phases.reduce((sum, p) => sum + p.durationSecs, 0);
}

function checkWorkload(f: Findings, s: Scenario): void {
  if (s.workload.seed > MAX_SEED) {
    f.error(['workload', 'seed'], `seed is larger than 2^64-1`, { expected: 'a whole number from 0 to 18446744073709551615' });
  }
  s.workload.templates.forEach((t, i) => {
    const path: PathSegment[] = ['workload', 'templates', i];
    for (const key of ['value_wei', 'amount'] as const) {
      const v = t.params[key];
      if (v !== undefined && v > MAX_UINT256) f.error([...path, 'params', key], `${key} does not fit in 256 bits`);
    }
  });
  const totalWeight = s.workload.templates.reduce((sum, t) => sum + t.weight, 0);
  if (totalWeight <= 0) {
    f.error(['workload', 'templates'], 'template weights add up to zero, so no transaction could be chosen', {
      hint: 'give at least one template a positive weight',
    });
  }
  if (s.workload.gasRate) checkGasRate(f, s.workload.gasRate, ['workload', 'gas_rate']);
}

function checkGasRate(f: Findings, rate: GasRate, path: PathSegment[]): void {
  if (rate.type === 'burst') {
    if (rate.burstDurationSecs >= rate.intervalSecs) {
      f.error([...path, 'burst_duration_secs'], `a burst of ${rate.burstDurationSecs}s does not fit in an interval of ${rate.intervalSecs}s`, {
        expected: 'burst_duration_secs smaller than interval_secs',
      });
    }
    if (rate.peakGasPerSec < rate.baselineGasPerSec) {
      f.error([...path, 'peak_gas_per_sec'], 'the burst peak is below the baseline', { hint: 'swap the two values' });
    }
  }
  if (rate.type === 'custom') {
    const first = rate.points[0];
    if (first && first.atSecs !== 0) {
      f.error([...path, 'points', 0, 'at_secs'], `the first point is at ${first.atSecs}s; the schedule must start at 0`, {
        hint: 'add a point with at_secs: 0',
      });
    }
    rate.points.forEach((p, i) => {
      const prev = rate.points[i - 1];
      if (prev && p.atSecs <= prev.atSecs) {
        f.error([...path, 'points', i, 'at_secs'], `points must be in increasing time order: ${p.atSecs}s follows ${prev.atSecs}s`);
      }
    });
  }
}

function checkPhases(f: Findings, s: Scenario): void {
  s.phases.forEach((phase, i) => {
    const path: PathSegment[] = ['phases', i];
    if (phase.gasRateOverride) checkGasRate(f, phase.gasRateOverride, [...path, 'gas_rate_override']);
    const rate = phase.gasRateOverride ?? s.workload.gasRate;
    if (!rate) {
      f.error(path, `phase '${phase.name}' has no gas rate`, { hint: 'add gas_rate_override to the phase, or a default workload.gas_rate' });
      return;
    }
    if (rate.type === 'custom') {
      const ratePath: PathSegment[] = phase.gasRateOverride ? [...path, 'gas_rate_override'] : ['workload', 'gas_rate'];
      rate.points.forEach((p, j) => {
        if (p.atSecs > phase.durationSecs) {
          f.error([...ratePath, 'points', j, 'at_secs'], `point at ${p.atSecs}s lies past the end of phase '${phase.name}' (${phase.durationSecs}s long)`);
        }
      });
    }
  });
  const total = runDurationSecs(s);
  if (total > MAX_DURATION_SECS) {
    f.error(['phases'], `the phases add up to ${total}s; a run may last at most ${MAX_DURATION_SECS}s (one week)`);
  }
  const offered = s.phases.reduce((sum, p) => {
    const rate = p.gasRateOverride ?? s.workload.gasRate;
    return rate ? sum + totalGas({ rate, durationSecs: p.durationSecs }) : sum;
  }, 0);
  if (offered === 0 && s.phases.every((p) => p.gasRateOverride ?? s.workload.gasRate)) {
    f.warning(['phases'], 'every phase offers 0 gas/s: this scenario sends no transactions');
  }
}

const RPC_TARGETS = new Set(['sequencer-rpc', 'gateway-rpc']);

function faultTargetProblem(spec: FaultSpec): string | undefined {
  if (!ADAPTER_FAULT_TYPES[spec.adapter].includes(spec.type)) {
    const able = ADAPTER_NAMES.filter((a) => ADAPTER_FAULT_TYPES[a].includes(spec.type));
    return `the ${spec.adapter} adapter cannot inject ${spec.type} (use ${able.join(' or ')})`;
  }
  if (spec.type === 'feed-disconnect' && spec.target !== 'feed-relay') return `feed-disconnect applies to the feed-relay target, not ${spec.target}`;
  if ((spec.type === 'rpc-slow' || spec.type === 'rpc-error') && !RPC_TARGETS.has(spec.target)) {
    return `${spec.type} applies to sequencer-rpc or gateway-rpc, not ${spec.target}`;
  }
  return undefined;
}

function checkFaultSchedule(f: Findings, s: Scenario): void {
  const end = runDurationSecs(s);
  const environment = s.target.environment;
  // Walk the schedule in time order; at equal times, in file order.
  const order = s.faultSchedule.map((e, i) => [e, i] as const).sort((a, b) => a[0].atSecs - b[0].atSecs || a[1] - b[1]);
  const active = new Map<string, { spec: FaultSpec; index: number; until: number }>();
  const injectedAt = new Map<string, number>();
  for (const [event, i] of order) {
    const path: PathSegment[] = ['fault_schedule', i];
    for (const [name, a] of active) if (a.until <= event.atSecs) active.delete(name);

    if (event.atSecs >= end) {
      f.error([...path, 'at_secs'], `scheduled at ${event.atSecs}s, but the run ends at ${end}s`, { expected: `at_secs below ${end}` });
    }
    const clash = event.allowedEnvironments.find((e) => event.blockedEnvironments.includes(e));
    if (clash !== undefined) f.error(path, `environment '${clash}' is both allowed and blocked`);
    // Clearing is always safe; only injecting needs the target's environment to allow it.
    if (event.action === 'inject' && (event.blockedEnvironments.includes(environment) || !event.allowedEnvironments.includes(environment))) {
      f.error(path, `this fault may not run against the target's environment '${environment}'`, {
        expected: `allowed_environments containing '${environment}' (now: ${event.allowedEnvironments.join(', ') || 'none'})`,
        hint: 'faults run only against targets explicitly marked for them; set allowed_environments if this target may take faults',
      });
    }
    checkEdgeSelector(f, s, event, [...path, 'edges']);

    if (event.action === 'inject') {
      const spec = event.fault;
      const problem = faultTargetProblem(spec);
      if (problem) f.error([...path, 'fault', problem.startsWith('the ') ? 'adapter' : 'target'], problem);
      if (spec.adapter === 'netem' && spec.params.interface === undefined) {
        f.error([...path, 'fault'], 'a netem fault needs the network interface to shape', { expected: 'interface: <name>, e.g. eth0', hint: 'name the interface the target is reached through' });
      }
      if (actsOnHost(spec.adapter) && event.edges.kind !== 'all') {
        f.error([...path, 'edges'], `a ${spec.adapter} fault acts on the whole host's ${spec.adapter === 'netem' ? 'interface' : 'port'}, not on chosen edges`, {
          expected: 'edges: all (or omit edges)',
          hint: 'use adapter: proxy to fault some edges only',
        });
      }
      if (spec.target === 'feed-relay' && s.target.kind === 'remote' && s.target.feedRelay === undefined) {
        f.error([...path, 'fault', 'target'], 'the target has no feed_relay, so there is no feed connection to fault', { hint: 'add target.feed_relay, or fault another target' });
      }
      const same = active.get(spec.name);
      if (same) {
        f.error([...path, 'fault'], `fault '${spec.name}' is already active (injected by fault_schedule[${same.index}])`, {
          hint: 'clear it first, or give this fault a different name',
        });
      } else {
        const overlapping = [...active.values()].find((a) => a.spec.type === spec.type && a.spec.target === spec.target);
        if (overlapping) {
          f.error([...path, 'fault'], `a ${spec.type} fault on ${spec.target} is already active (fault_schedule[${overlapping.index}])`, {
            hint: 'clear the first before injecting another of the same type on the same target',
          });
        }
      }
      const until = spec.durationSecs === undefined ? Infinity : event.atSecs + spec.durationSecs;
      if (until > end && until !== Infinity && event.atSecs < end) {
        f.warning([...path, 'fault', 'duration_secs'], `the fault would last until ${until}s, past the end of the run at ${end}s; it is cleared when the run ends`);
      }
      active.set(spec.name, { spec, index: i, until });
      injectedAt.set(spec.name, event.atSecs);
      continue;
    }

    const hits = [...active.values()].filter((a) => faultMatches(a.spec, event.ref));
    if (hits.length === 0) {
      const name = event.ref.name ?? [event.ref.type, event.ref.target].filter(Boolean).join(' on ');
      const later = s.faultSchedule.some((e) => e.action === 'inject' && faultMatches(e.fault, event.ref) && e.atSecs > event.atSecs);
      f.error([...path, 'fault'], later ? `clears '${name}' at ${event.atSecs}s, before it is injected` : `clears '${name}', which is not active at ${event.atSecs}s`, {
        hint: 'a clear must follow the inject of the same fault (same name, or same type and target)',
      });
    } else if (hits.length > 1) {
      f.error([...path, 'fault'], `matches ${hits.length} active faults (${hits.map((h) => h.spec.name).join(', ')})`, { hint: 'clear by name' });
    } else {
      active.delete(hits[0]!.spec.name);
    }
  }
}

function checkEdgeSelector(f: Findings, s: Scenario, event: FaultEvent, path: PathSegment[]): void {
  const sel = event.edges;
  if (sel.kind === 'region' && selectEdges(sel, s.edges.count, s.edges.regions).length === 0) {
    const served = [...new Set(s.edges.regions.slice(0, s.edges.count))];
    f.error([...path, 'region'], `no edge is in region '${sel.region}'${didYouMean(sel.region, served)}`, {
      expected: served.length > 0 ? `one of ${served.join(', ')} (edges.regions with an edge)` : 'a region listed in edges.regions',
    });
  }
  if (sel.kind === 'ids') {
    sel.ids.forEach((id, j) => {
      if (id >= s.edges.count) f.error([...path, 'ids', j], `edge ${id} does not exist: the run has ${s.edges.count} edge(s), numbered from 0`);
    });
  }
}

function checkEdges(f: Findings, s: Scenario): void {
  if (s.edges.regions.length > s.edges.count) {
    f.warning(['edges', 'regions'], `${s.edges.regions.length} regions for ${s.edges.count} edge(s): regions beyond the first ${s.edges.count} get no edge`);
  }
}

function checkOracle(f: Findings, s: Scenario): void {
  const end = runDurationSecs(s);
  if (s.oracle.invariants.length > 0 && s.oracle.checkIntervalSecs > end) {
    f.warning(['oracle', 'check_interval_secs'], `live checks every ${s.oracle.checkIntervalSecs}s never run in a ${end}s run; post-run checks still do`);
  }
}

function checkGate(f: Findings, s: Scenario): void {
  const seen = new Map<string, number>();
  s.gate.thresholds.forEach((t, i) => {
    const key = `${t.expression.metric}${t.expression.operator}${t.expression.value}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) f.warning(['gate', 'thresholds', i], `repeats gate.thresholds[${earlier}]`);
    else seen.set(key, i);
  });
  for (const m of REGRESSION_METRICS) {
    const rule = s.gate.regression.metrics[m];
    if (rule.warnPct > rule.failPct) {
      f.error(['gate', 'regression', 'metrics', m], `warn_pct (${rule.warnPct}) is above fail_pct (${rule.failPct})`, {
        hint: 'a regression should warn before it fails: make warn_pct <= fail_pct',
      });
    }
  }
}
