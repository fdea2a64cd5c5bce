// The metric registries of the hive and the edge: the gashammer_ prefix on every name, labels
// only from fixed lists, and docs/metrics.md listing exactly what each process registers.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createEdgeMetrics } from '../../src/metrics/edge-metrics.js';
import { createHiveMetrics } from '../../src/metrics/hive-metrics.js';
import { FAULT_TYPE_LABELS, INVARIANT_LABELS, invariantLabel, TX_ERROR_CLASS_LABELS, txErrorClassLabel } from '../../src/metrics/labels.js';

const docsText = await readFile(join(import.meta.dirname, '..', '..', 'docs', 'metrics.md'), 'utf8');

interface DocumentedMetric {
  readonly name: string;
  readonly type: string;
  readonly labels: string[];
}

/** The rows of the table under `## <heading>`: metric, type, labels. */
function documented(heading: string): DocumentedMetric[] {
  const section = docsText.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0];
  if (section === undefined) throw new Error(`docs/metrics.md has no section "${heading}"`);
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `gashammer_'))
    .map((line) => {
      const [name, type, labels] = line.split('|').slice(1, 4).map((c) => c.trim());
      return { name: name!.replace(/`/g, ''), type: type!, labels: labels ? labels.split(',').map((l) => l.trim().replace(/`/g, '')) : [] };
    });
}

async function registered(registry: Registry): Promise<DocumentedMetric[]> {
  const metrics = await registry.getMetricsAsJSON();
  return metrics.map((m) => ({
    name: m.name,
    type: String(m.type),
    labels: [...new Set(m.values.flatMap((v) => Object.keys(v.labels)).filter((l) => l !== 'le'))].sort(),
  }));
}

const isProcessMetric = (name: string) => /^gashammer_(process|nodejs)_/.test(name);

const byName = (a: DocumentedMetric, b: DocumentedMetric) => a.name.localeCompare(b.name);

describe.each([
  ['hive', 'Hive metrics', (r: Registry) => createHiveMetrics(r, { processMetrics: true })],
  ['edge', 'Edge metrics', (r: Registry) => createEdgeMetrics(r, { processMetrics: true })],
])('%s metrics', (_process, heading, create) => {
  it('start every name, process metrics included, with gashammer_', async () => {
    const registry = new Registry();
    create(registry);
    const names = (await registered(registry)).map((m) => m.name);
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(name).toMatch(/^gashammer_[a-z0-9_]+$/);
  });

  it(`are exactly those docs/metrics.md lists under "${heading}", with type and labels`, async () => {
    const registry = new Registry();
    create(registry);
    const own = (await registered(registry)).filter((m) => !isProcessMetric(m.name));
    expect(own.sort(byName)).toEqual(documented(heading).sort(byName));
  });

  it('use no label but error_class, invariant and type, and every value from their fixed lists', async () => {
    const registry = new Registry();
    create(registry);
    for (const metric of await registry.getMetricsAsJSON()) {
      if (isProcessMetric(metric.name)) continue;
      for (const value of metric.values) {
        const { le: _le, ...labels } = value.labels as Record<string, string | number>;
        for (const [label, v] of Object.entries(labels)) {
          const allowed: readonly string[] = label === 'error_class' ? TX_ERROR_CLASS_LABELS : label === 'invariant' ? INVARIANT_LABELS : label === 'type' ? FAULT_TYPE_LABELS : [];
          expect(allowed, `${metric.name}{${label}="${v}"}`).toContain(String(v));
        }
      }
    }
  });

  it('can be created twice on separate registries', () => {
    expect(() => {
      create(new Registry());
      create(new Registry());
    }).not.toThrow();
  });
});

describe('metric handles', () => {
  it('count failures by error class, with every class present from the start', async () => {
    const metrics = createHiveMetrics();
    metrics.txFailed.inc({ error_class: 'underpriced' }, 2);
    metrics.txFailed.inc({ error_class: txErrorClassLabel('something a newer edge sends') });
    const text = await metrics.registry.metrics();
    expect(text).toContain('gashammer_tx_failed_total{error_class="underpriced"} 2');
    expect(text).toContain('gashammer_tx_failed_total{error_class="other"} 1');
    expect(text).toContain('gashammer_tx_failed_total{error_class="nonce_too_low"} 0');
  });

  it('bucket latency observations and count oracle checks per invariant', async () => {
    const metrics = createHiveMetrics();
    metrics.txLatency.observe(0.3);
    metrics.oracleChecks.inc({ invariant: 'gas-accounting' });
    metrics.oracleViolations.inc({ invariant: invariantLabel('made-up') });
    const text = await metrics.registry.metrics();
    expect(text).toContain('gashammer_tx_latency_seconds_bucket{le="0.25"} 0');
    expect(text).toContain('gashammer_tx_latency_seconds_bucket{le="0.5"} 1');
    expect(text).toContain('gashammer_tx_latency_seconds_bucket{le="60"} 1');
    expect(text).toContain('gashammer_oracle_checks_total{invariant="gas-accounting"} 1');
    expect(text).toContain('gashammer_oracle_violations_total{invariant="other"} 1');
  });

  it('are the label values docs/metrics.md lists', () => {
    const values = (label: string) =>
      docsText
        .split('\n')
        .find((line) => line.startsWith(`| \`${label}\``))!
        .split('|')[2]!
        .split(',')
        .map((v) => v.trim().replace(/`/g, ''));
    expect(values('error_class')).toEqual([...TX_ERROR_CLASS_LABELS]);
    expect(values('invariant')).toEqual([...INVARIANT_LABELS]);
    expect(values('type')).toEqual([...FAULT_TYPE_LABELS]);
  });

  it('map an unknown label value to other and keep a known one', () => {
    expect(txErrorClassLabel('timeout')).toBe('timeout');
    expect(txErrorClassLabel('https://rpc.example.com/KEY')).toBe('other');
    expect(invariantLabel('nonce-monotonicity')).toBe('nonce-monotonicity');
    expect(invariantLabel('')).toBe('other');
  });

  it('count an edge telemetry pipeline', async () => {
    const metrics = createEdgeMetrics();
    metrics.eventsGenerated.inc(10);
    metrics.eventsShipped.inc(8);
    metrics.eventsDropped.inc(2);
    metrics.batchesShipped.inc();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/gashammer_events_generated_total 10\n/);
    expect(text).toMatch(/gashammer_events_shipped_total 8\n/);
    expect(text).toMatch(/gashammer_events_dropped_total 2\n/);
    expect(text).toMatch(/gashammer_batches_shipped_total 1\n/);
  });
});
