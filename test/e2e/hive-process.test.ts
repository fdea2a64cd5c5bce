// `gashammer hive` and `gashammer edge --hive` as separate long-lived processes, driven over the
// REST API as a user would with curl: upload a scenario, start a run, read its state, report
// and metrics; then both stop cleanly on SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(resolve(import.meta.dirname, '../..'), 'bin', 'gashammer.js');

const SCENARIO = `name: hive-rest
description: one short phase on one edge
version: "1"
target: devnet
edges: {count: 1, accounts_per_edge: 4}
oracle: {check_interval_secs: 1}
workload:
  templates: [{name: simple-transfer, weight: 1}]
phases:
  - {name: only, duration_secs: 3, gas_rate_override: {type: sustained, gas_per_sec: 210_000}}
`;

interface Proc {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
  /** Resolves with the first match of `pattern` in the output so far or to come. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

const started: Proc[] = [];

function start(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const proc: Proc = {
    child,
    output: '',
    exited,
    waitFor: (pattern) =>
      new Promise((ok, fail) => {
        const m = pattern.exec(proc.output);
        if (m) return ok(m);
        waiters.push({ pattern, resolve: ok });
        void exited.then((code) => fail(new Error(`process exited (${code}) before ${pattern}:\n${proc.output}`)));
      }),
  };
  const onData = (d: Buffer) => {
    proc.output += d.toString();
    for (const w of [...waiters]) {
      const m = w.pattern.exec(proc.output);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  started.push(proc);
  return proc;
}

afterAll(() => {
  for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

describe('gashammer hive with a remote edge, over REST', () => {
  it('registers the edge, runs an uploaded scenario, serves state, report and metrics, and stops on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'gashammer-hive-'));
    const hive = start(['hive', '--rest-port', '0', '--grpc-port', '0', '--data-dir', dataDir, '--log-format', 'json'], { GASHAMMER_TELEMETRY_PROMETHEUS_PORT: '0' });
    const ready = await hive.waitFor(/hive ready: gRPC (\S+), REST (http:\/\/\S+), metrics (http:\/\/\S+\/metrics)/);
    const [, grpc, rest, metricsUrl] = ready;

    const edge = start(['edge', '--hive', grpc!, '--name', 'remote-1', '--log-format', 'json']);
    await hive.waitFor(/edge remote-1 registered as/);
    await edge.waitFor(/registered with the hive/);

    const api = (path: string, init?: RequestInit) => fetch(`${rest}${path}`, init);
    const edges = (await (await api('/edges')).json()) as { name: string; status: string }[];
    expect(edges.map((e) => [e.name, e.status])).toEqual([['remote-1', 'idle']]);

    const upload = await api('/scenarios', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: SCENARIO });
    expect(upload.status).toBe(201);
    const started = await api('/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: 'hive-rest' }) });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    expect(upload.headers.get('x-powered-by')).toMatch(/^GasHammer\//);

    // While it runs the report is not ready (409); the hive logs the run's end.
    const early = await api(`/runs/${id}/report`);
    expect([409, 200]).toContain(early.status);
    await hive.waitFor(new RegExp(`run ${id} ended: done \\(pass\\)`));

    const view = (await (await api(`/runs/${id}`)).json()) as { state: { name: string; verdict: string }; counters: { txIncluded: number; eventsReceived: number } };
    expect(view.state).toEqual({ name: 'done', verdict: 'pass' });
    expect(view.counters.txIncluded).toBeGreaterThan(0);
    const report = (await (await api(`/runs/${id}/report`)).json()) as { telemetry: { eventsReceived: number; files: string[] } };
    expect(report.telemetry.eventsReceived).toBe(view.counters.eventsReceived);
    expect(report.telemetry.files).toHaveLength(1);
    const markdown = await api(`/runs/${id}/report`, { headers: { accept: 'text/markdown' } });
    expect(markdown.headers.get('content-type')).toMatch(/text\/markdown/);
    expect(await markdown.text()).toContain('hive-rest');

    const metrics = await (await fetch(metricsUrl!)).text();
    const received = /^gashammer_events_received_total (\d+)$/m.exec(metrics);
    expect(Number(received?.[1])).toBe(view.counters.eventsReceived);
    expect(Number(/^gashammer_tx_confirmed_total (\d+)$/m.exec(metrics)?.[1])).toBe(view.counters.txIncluded);
    expect(metrics).toMatch(/^gashammer_tx_latency_seconds_count [1-9]/m);

    edge.child.kill('SIGTERM');
    expect(await edge.exited).toBe(0);
    hive.child.kill('SIGTERM');
    expect(await hive.exited).toBe(0);
  }, 90_000);
});
