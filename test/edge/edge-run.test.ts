// An edge playing a real plan against the embedded devnet: accounts funded, templates
// calibrated, every scheduled transaction sent at its instant, included, and recorded.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startEmbeddedDevnet, type EmbeddedDevnet } from '../../src/devnet/embedded-devnet.js';
import { EdgeRun } from '../../src/edge/edge-run.js';
import { compileScenario } from '../../src/scenario/compile.js';
import type { TelemetryEvent } from '../../src/telemetry/events.js';
import { loadOk } from '../support/scenario.js';

let devnet: EmbeddedDevnet;

beforeAll(async () => {
  devnet = await startEmbeddedDevnet();
}, 30_000);

afterAll(async () => {
  await devnet?.stop();
});

function planOf(doc: Record<string, unknown>) {
  return compileScenario(loadOk(stringify({ name: 'edge-run', description: 'edge run test', version: '1', ...doc })));
}

async function play(plan: ReturnType<typeof planOf>, edgeIndex = 0) {
  const run = await EdgeRun.prepare({
    plan,
    edgeIndex,
    runId: 'run-test',
    edgeId: `edge-${edgeIndex}`,
    target: { rpcUrl: devnet.rpcUrl, wsUrl: devnet.wsUrl, feedUrl: devnet.feedUrl, chainId: devnet.chainId, contracts: devnet.contracts },
    funderKey: devnet.faucet.privateKey,
    fundingWei: 10n ** 19n,
  });
  const results = [];
  for (let i = 0; i < plan.phases.length; i++) results.push(await run.runPhase(i));
  await run.finish(20_000);
  const events = run.buffer.drain(run.buffer.size) as TelemetryEvent[];
  return { run, results, events };
}

describe('EdgeRun on the embedded devnet', () => {
  it('sends the scheduled transfers and records submitted, accepted, included and feed-seen for each', async () => {
    const plan = planOf({
      workload: { seed: 9, templates: [{ name: 'simple-transfer', weight: 1 }] },
      phases: [{ name: 'steady', duration_secs: 3, gas_rate_override: { type: 'sustained', gas_per_sec: 420_000 } }],
      edges: { count: 1, accounts_per_edge: 10 },
    });
    const { results, events, run } = await play(plan);
    // 420,000 gas/s for 3 s of 21,000-gas transfers: 60 transactions.
    expect(results[0]!.sent).toBe(60);
    expect(results[0]!.dropped).toBe(0);
    const count = (kind: string) => events.filter((e) => e.kind === kind).length;
    expect(count('TxSubmitted')).toBe(60);
    expect(count('TxAccepted')).toBe(60);
    expect(count('TxIncluded')).toBe(60);
    expect(count('TxFeedSeen')).toBe(60);
    expect(count('TxFailed')).toBe(0);
    const included = events.filter((e): e is Extract<TelemetryEvent, { kind: 'TxIncluded' }> => e.kind === 'TxIncluded');
    expect(included.every((e) => e.success && e.gasUsed === 21_000n)).toBe(true);
    expect(run.stats().telemetryDropped).toBe(0);
    // Open model: intended instants are spread over the phase, ~50 ms apart, not bunched.
    const submitted = events.filter((e): e is Extract<TelemetryEvent, { kind: 'TxSubmitted' }> => e.kind === 'TxSubmitted');
    const gapsMs = submitted.slice(1).map((e, i) => Number(e.intendedNs - submitted[i]!.intendedNs) / 1e6);
    expect(Math.min(...gapsMs)).toBeGreaterThan(45);
    expect(Math.max(...gapsMs)).toBeLessThan(55);
  }, 60_000);

  it('plays a mixed workload: every template is calibrated, sent and succeeds', async () => {
    const plan = planOf({
      workload: {
        seed: 4,
        templates: ['simple-transfer', 'noop', 'erc20-transfer', 'erc20-approve', 'storage-write', 'storage-write-heavy', 'compute-heavy', 'calldata-heavy'].map((name) => ({ name, weight: 1 })),
      },
      phases: [{ name: 'mixed', duration_secs: 3, gas_rate_override: { type: 'sustained', gas_per_sec: 2_000_000 } }],
      edges: { count: 2, accounts_per_edge: 20 },
    });
    const { events } = await play(plan, 1);
    const submitted = events.filter((e): e is Extract<TelemetryEvent, { kind: 'TxSubmitted' }> => e.kind === 'TxSubmitted');
    const included = events.filter((e): e is Extract<TelemetryEvent, { kind: 'TxIncluded' }> => e.kind === 'TxIncluded');
    expect(new Set(submitted.map((e) => e.template)).size).toBe(8);
    expect(included.length).toBe(submitted.length);
    expect(included.filter((e) => !e.success)).toEqual([]);
    // Edge 1 of 2 offers half of 2 Mgas/s for 3 s: about 3 Mgas of compute gas.
    const offered = submitted.reduce((s, e) => s + e.estimatedGas, 0n);
    expect(Number(offered)).toBeGreaterThan(2_500_000);
    expect(Number(offered)).toBeLessThan(3_500_000);
  }, 90_000);
});
