// report.html and its charts: one self-contained file (no script, no request), a chart per
// figure with the right number of points and bars, a table beside each, gaps for missing
// values, every outside string escaped, and a size that stays small for a long run.

import { describe, expect, it } from 'vitest';
import { MAX_TABLE_SECONDS, renderHtml } from '../../src/report/render-html.js';
import type { RunReportV2, SecondSample } from '../../src/report/report-types.js';
import { axisScale, barChart, escapeMarkup, MAX_POINTS, niceTicks, scatterChart, timeSeriesChart } from '../../src/report/svg-chart.js';
import { reportFail, reportLong, reportPass } from './fixtures/reports.js';

const CHART_IDS = ['chart-throughput', 'chart-latency', 'chart-envelope', 'chart-errors'];

/** The SVG element with this id, whole. */
function svg(html: string, id: string): string {
  const at = html.indexOf(`id="${id}"`);
  expect(at, `chart ${id}`).toBeGreaterThanOrEqual(0);
  const open = html.lastIndexOf('<svg ', at);
  return html.slice(open, html.indexOf('</svg>', open) + '</svg>'.length);
}

/** The `d` of the line of one series. */
function seriesPath(chart: string, name: string): string {
  const quoted = escapeMarkup(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`<path class="line series[^"]*" data-series="${quoted}" d="([^"]*)"`).exec(chart);
  return m?.[1] ?? '';
}

/** Points on a path (moves and line-tos) and how many separate runs it has. */
function pathShape(d: string): { points: number; runs: number } {
  return { points: (d.match(/[ML]/g) ?? []).length, runs: (d.match(/M/g) ?? []).length };
}

/** Every tag in a page: escaped text holds no '<', so it yields none. */
function tags(html: string): string[] {
  return html.match(/<[a-zA-Z][^>]*>/g) ?? [];
}

/** The rows of the table with this id. */
function tableRows(html: string, id: string): number {
  const start = html.indexOf(`<table id="${id}"`);
  expect(start, `table ${id}`).toBeGreaterThanOrEqual(0);
  const body = html.slice(html.indexOf('<tbody>', start), html.indexOf('</tbody>', start));
  return (body.match(/<tr>/g) ?? []).length;
}

function withSeries(report: RunReportV2, series: SecondSample[]): RunReportV2 {
  return { ...report, series };
}

function hostile(report: RunReportV2): RunReportV2 {
  const evil = '"><script>alert(1)</script><img src=https://evil.example/x onerror=alert(2)>';
  return {
    ...report,
    scenario: { ...report.scenario, name: `name ${evil}` },
    runId: `run'${evil}`,
    phases: report.phases.map((p) => ({ ...p, name: `${p.name}${evil}` })),
    edges: report.edges.map((e) => ({ ...e, reason: `reason ${evil}` })),
    envelope: { ...report.envelope, steps: report.envelope.steps.map((s) => ({ ...s, label: `step ${evil}`, why: [evil] })) },
    totals: { ...report.totals, errorsByClass: { [`class${evil}`]: 1 } },
    gate: { ...report.gate, reasons: [{ level: 'fail', text: evil }] },
    faults: report.faults?.map((f) => ({ ...f, name: `fault ${evil}`, adapter: evil, notes: [evil] })),
    notes: [`<style>body{background:url(https://evil.example/t.png)}</style>${evil}`],
  };
}

describe('renderHtml', () => {
  it('is one self-contained document: no script, no stylesheet or image to fetch, a policy forbidding both', () => {
    for (const report of [reportPass(), reportFail(), hostile(reportFail())]) {
      const html = renderHtml(report);
      expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<link\b/i);
      for (const tag of tags(html)) expect(tag).not.toMatch(/\b(?:src|href|xlink:href|action|srcset|poster)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|\/\/)/i);
      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
      expect(styles).toHaveLength(1);
      expect(styles[0]).not.toMatch(/@import|url\(|@font-face/i);
      expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;`);
      // Links stay inside the page.
      for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^#[a-z-]+$/);
    }
  });

  it('puts the verdict first, in the title and a badge, with the summary line', () => {
    const html = renderHtml(reportFail());
    expect(html).toContain('<title>GasHammer FAIL: ramp-to-saturation</title>');
    expect(html).toContain('<header class="verdict v-fail"><p class="badge"><span class="sr">Gate verdict: </span>FAIL</p>');
    expect(html).toContain('8 failing checks, 2 reasons it is inconclusive, 3 warnings; the run was aborted: ');
    expect(renderHtml(reportPass())).toContain('<header class="verdict v-pass"><p class="badge"><span class="sr">Gate verdict: </span>PASS</p>');
  });

  it('follows the reader\u2019s light or dark mode', () => {
    const html = renderHtml(reportPass());
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toMatch(/@media \(prefers-color-scheme:dark\)\{:root\{[^}]*--bg:/);
    expect(html).toMatch(/@media \(prefers-color-scheme:dark\)\{:root\{[^}]*--t-blue:/);
  });

  it('draws the four charts, each an accessible image with a title and a description', () => {
    const html = renderHtml(reportPass());
    expect((html.match(/<svg /g) ?? []).length).toBe(4);
    for (const id of CHART_IDS) {
      const chart = svg(html, id);
      expect(chart).toContain(`role="img" aria-labelledby="${id}-title ${id}-desc"`);
      expect(chart).toMatch(new RegExp(`<title id="${id}-title">[^<]+</title><desc id="${id}-desc">[^<]+</desc>`));
    }
  });

  it('plots offered, accepted and included gas/s with a point per second, and marks where each phase began', () => {
    const report = reportPass();
    const chart = svg(renderHtml(report), 'chart-throughput');
    for (const name of ['offered', 'accepted', 'included (achieved)']) {
      expect(pathShape(seriesPath(chart, name))).toEqual({ points: report.series.length, runs: 1 });
    }
    expect(chart).toContain('compute gas (Mgas/s)');
    expect(chart).toContain('time since the first phase began (s)');
    expect(chart).toMatch(/<g class="xmark"><line x1="[\d.]+"[^>]*\/><text[^>]*>ramp<\/text><\/g>/);
  });

  it('plots p50 and p99 inclusion latency with gaps, not zeros, where a second had no inclusion', () => {
    const report = reportPass();
    const series = report.series.map((s, i) => (i >= 40 && i < 45 ? { ...s, p50InclusionMs: null, p99InclusionMs: null } : s));
    const chart = svg(renderHtml(withSeries(report, series)), 'chart-latency');
    expect(pathShape(seriesPath(chart, 'p50'))).toEqual({ points: series.length - 5, runs: 2 });
    expect(pathShape(seriesPath(chart, 'p99'))).toEqual({ points: series.length - 5, runs: 2 });
    expect(chart).toContain('inclusion latency (ms)');
  });

  it('draws the envelope: a point per step shaped by state, the diagonal, and the safe, onset and instability marks', () => {
    const report = reportFail();
    const chart = svg(renderHtml(report), 'chart-envelope');
    const count = (state: string) => report.envelope.steps.filter((s) => s.state === state).length;
    expect((chart.match(/<circle class="point t-green"/g) ?? []).length).toBe(count('healthy'));
    expect((chart.match(/<rect class="point t-orange"/g) ?? []).length).toBe(count('degraded'));
    expect((chart.match(/<path class="point t-red"/g) ?? []).length).toBe(count('unstable'));
    expect(count('healthy') + count('degraded') + count('unstable')).toBe(report.envelope.steps.length);
    expect(chart).toMatch(/<line class="diagonal"/);
    for (const [tone, label] of [['green', 'safe'], ['orange', 'onset'], ['red', 'instability']]) {
      expect(chart).toMatch(new RegExp(`<g class="xmark t-${tone}"><line [^>]*/><text [^>]*>${label}</text></g>`));
    }
    expect(chart).toContain('<title>ramp 90-96 s: offered 29.74 Mgas/s, achieved 26.35 Mgas/s, p99 inclusion 2,162 ms, unstable</title>');
  });

  it('draws a bar for every second with errors, and none for quiet seconds', () => {
    const report = reportFail();
    const chart = svg(renderHtml(report), 'chart-errors');
    expect((chart.match(/<rect class="bar /g) ?? []).length).toBe(report.series.filter((s) => s.errors > 0).length);
    expect(report.series.some((s) => s.errors === 0)).toBe(true);
  });

  it('shades each fault window, named, on the charts over time (not the envelope), with a table of the windows', () => {
    const report = reportFail();
    const html = renderHtml(report);
    for (const id of ['chart-throughput', 'chart-latency', 'chart-errors']) {
      const chart = svg(html, id);
      const bands = [...chart.matchAll(/<g class="xband"><rect [^>]*><title>([^<]*)<\/title><\/rect><text [^>]*>([^<]*)<\/text><\/g>/g)].map((m) => [m[1], m[2]]);
      expect(bands, id).toEqual([
        ['sequencer-latency', 'sequencer-latency'],
        ['sequencer-rpc-errors', 'sequencer-rpc-errors'],
      ]);
      expect(chart, id).toContain('Shaded: fault windows, sequencer-latency 40.0–55.0 s, sequencer-rpc-errors 80.0–96.0 s.');
    }
    expect(svg(html, 'chart-envelope')).not.toContain('xband');
    expect(tableRows(html, 'fault-windows')).toBe(2);
    expect(html).toContain('<li><a href="#faults">Faults</a></li>');
    expect(html).toContain('<li>sequencer-rpc-errors (80.0–96.0 s): did not recover within the data:');
    // Where the band is: 40.012 s to 55.013 s of a 96-second axis over a plot from x=60 to x=704.
    const rect = /<g class="xband"><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg(html, 'chart-latency'))!;
    expect(Number(rect[1])).toBeCloseTo(60 + (40.012 / 96) * 644, 0);
    expect(Number(rect[2])).toBeCloseTo(((55.013 - 40.012) / 96) * 644, 0);
  });

  it('draws a window never cleared to the end of the data, and nothing about faults for a run without any', () => {
    const r = reportFail();
    const open: RunReportV2 = { ...r, faults: [{ ...r.faults![1]!, clearedAtSecs: null, clearReason: null }] };
    const rect = /<g class="xband"><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg(renderHtml(open), 'chart-throughput'))!;
    expect(Number(rect[1]) + Number(rect[2])).toBeCloseTo(704, 0);
    for (const none of [reportPass(), { ...r, faults: [] }, { ...r, faults: undefined }]) {
      const html = renderHtml(none);
      expect(html).not.toContain('class="xband"');
      expect(html).not.toContain('id="faults"');
      expect(html).not.toContain('href="#faults"');
      expect(html).not.toContain('Shaded: fault windows');
    }
  });

  it('gives each chart a table with the same data', () => {
    const report = reportFail();
    const html = renderHtml(report);
    expect(tableRows(html, 'data-series')).toBe(report.series.length);
    expect(tableRows(html, 'envelope-steps')).toBe(report.envelope.steps.length);
    expect(html).toContain('<a href="#data-series">');
    expect(html).toContain('<a href="#envelope-steps">');
  });

  it('shows gate reasons, thresholds, regressions and the baseline used, and every listed violation', () => {
    const html = renderHtml(reportFail());
    expect(html).toContain('<li><span class="tag tag-inconclusive">INCONCLUSIVE</span> telemetry was lost:');
    expect(html).toContain('<td><code>p99_inclusion_ms &#60; 1000</code></td><td>error</td><td class="num">1,092 ms</td><td><span class="tag tag-fail">FAIL</span></td>');
    expect(html).toContain('<td class="num">+85.0%</td>');
    expect(html).toContain('Baseline: branch <code>main</code>, commit <code>4e1f2a9c7b3d5e8f0a6c2b9d1e4f7a3c5b8d0e2f</code>, saved 2025-06-02T09:14:27.000Z, 5 runs');
    expect(html).toContain('<details><summary>nonce-monotonicity: 137 violations (100 listed)</summary>');
    expect(html).toContain('37 more were counted but not kept: a report keeps 100 per invariant.');
    expect(html).toContain('<h3>balance-conservation: 3 violations</h3>');
  });

  it('escapes every outside string, in text and in attributes', () => {
    const html = renderHtml(hostile(reportFail()));
    expect(html).not.toMatch(/<script|<img|<style>body/i);
    expect(html).toContain('<title>GasHammer FAIL: name &#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#60;img src=https://evil.example/x onerror=alert(2)&#62;</title>');
    expect(html).toContain('<h1>GasHammer run report: name &#34;&#62;&#60;script&#62;');
    // The phase name is a chart label too.
    expect(svg(html, 'chart-throughput')).toContain('<text x="');
    expect(svg(html, 'chart-throughput')).toContain('ramp&#34;&#62;&#60;script&#62;');
    expect(svg(html, 'chart-envelope')).toContain('<title>step &#34;&#62;&#60;script&#62;');
    // A fault's name is a band label and tooltip too.
    expect(svg(html, 'chart-latency')).toContain('<title>fault &#34;&#62;&#60;script&#62;');
    expect(svg(html, 'chart-latency')).toContain('>fault &#34;&#62;&#60;script&#62;');
  });

  it('renders a run without samples, steps or errors with "No data", and never NaN or Infinity', () => {
    const r = reportPass();
    const none = { count: 0, p50: null, p90: null, p95: null, p99: null, p999: null, max: null, mean: null };
    const pair = { corrected: none, uncorrected: none };
    const empty: RunReportV2 = {
      ...r,
      series: [],
      phases: [],
      edges: [],
      latency: { submission: pair, acceptance: pair, inclusion: pair, feedInclusion: pair },
      totals: { ...r.totals, errorsByClass: {} },
      envelope: {
        method: 'none',
        steps: [],
        safeSustainedGasPerSec: null,
        degradationOnsetGasPerSec: null,
        instabilityThresholdGasPerSec: null,
        firstBottleneck: null,
        recoveryHalfLifeSecs: null,
        note: 'one load level only',
      },
      metrics: Object.fromEntries(Object.keys(r.metrics).map((k) => [k, null])),
    };
    const html = renderHtml(empty);
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
    for (const id of CHART_IDS) expect(svg(html, id)).toContain('>No data</text>');
    expect(html).toContain('No steps: the run had fewer than two load levels to compare.');
    expect(html).toContain('<p>No error was recorded.</p>');
  });

  it('draws nothing for values that are not finite', () => {
    const report = reportPass();
    const series = report.series.map((s, i) => (i === 10 ? { ...s, includedGasPerSec: Number.NaN, p99InclusionMs: Number.POSITIVE_INFINITY } : s));
    const html = renderHtml(withSeries(report, series));
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(pathShape(seriesPath(svg(html, 'chart-throughput'), 'included (achieved)')).runs).toBe(2);
  });

  it('stays well under 1 MiB for a 10-minute run (600 one-second samples)', () => {
    const report = reportLong(600);
    expect(report.series).toHaveLength(600);
    const bytes = Buffer.byteLength(renderHtml(report));
    expect(bytes).toBeLessThan(512 * 1024);
  });

  it('keeps a soak of many hours to a bounded page: charts thinned to buckets, the table to an hour', () => {
    const base = reportPass().series[60]!;
    const day = 86_400;
    const series = Array.from({ length: day }, (_, t) => ({ ...base, t, p99InclusionMs: t === 50_000 ? 9_000 : base.p99InclusionMs, errors: t % 100 === 0 ? 2 : 0 }));
    const html = renderHtml(withSeries(reportPass(), series));
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 1024 * 1024);
    const buckets = Math.ceil(day / MAX_POINTS);
    expect(pathShape(seriesPath(svg(html, 'chart-throughput'), 'offered')).points).toBe(Math.ceil(day / buckets));
    // The p99 line keeps its peak through the thinning: 9 s on an axis to 10 s, near the top.
    expect(svg(html, 'chart-latency')).toContain('inclusion latency (s)');
    const p99 = seriesPath(svg(html, 'chart-latency'), 'p99');
    const ys = [...p99.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(Math.min(...ys)).toBeLessThan(60);
    expect((svg(html, 'chart-errors').match(/<rect class="bar /g) ?? []).length).toBeLessThanOrEqual(MAX_POINTS);
    expect(tableRows(html, 'data-series')).toBe(MAX_TABLE_SECONDS);
    expect(html).toContain(`The first 3,600 seconds are shown; report.json holds all 86,400.`);
  });
});

describe('svg-chart', () => {
  it('shades a band over its stretch of time, clipped to the plot, under the data', () => {
    const times = Array.from({ length: 100 }, (_, t) => t);
    const chart = timeSeriesChart({
      id: 'c',
      title: 't',
      description: 'd',
      times,
      yUnit: 'ms',
      yLabel: 'l',
      series: [{ name: 's', tone: 'blue', values: times.map(() => 1) }],
      bands: [
        { from: 25, to: 50, label: 'inside' },
        { from: 90, to: 250, label: 'past the end' },
        { from: 300, to: 400, label: 'off the axis' },
        { from: Number.NaN, to: 3, label: 'broken' },
      ],
    });
    const rects = [...chart.matchAll(/<g class="xband"><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*><title>([^<]*)</g)].map((m) => [Number(m[1]), Number(m[2]), m[3]]);
    // The plot runs from x=60 to x=704 over 100 seconds.
    expect(rects).toEqual([
      [60 + 0.25 * 644, 0.25 * 644, 'inside'],
      [60 + 0.9 * 644, 0.1 * 644, 'past the end'],
    ]);
    expect(chart.indexOf('class="xband"')).toBeLessThan(chart.indexOf('class="line series'));
  });

  it('picks round ticks that cover the range', () => {
    expect(niceTicks(0, 27_345_000)).toEqual([0, 5e6, 10e6, 15e6, 20e6, 25e6, 30e6]);
    expect(niceTicks(0, 0.3)).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
    expect(niceTicks(0, 1234)).toEqual([0, 200, 400, 600, 800, 1000, 1200, 1400]);
    expect(niceTicks(0, 0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 3, 5, true)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(Number.NaN, 5)).toEqual([0, 1]);
  });

  it('shows gas rates in the multiple that reads best, and long latencies in seconds', () => {
    expect(axisScale('gas/s', 30e6)).toEqual({ divisor: 1e6, unit: 'Mgas/s' });
    expect(axisScale('gas/s', 800_000)).toEqual({ divisor: 1e3, unit: 'kgas/s' });
    expect(axisScale('gas/s', 2e9)).toEqual({ divisor: 1e9, unit: 'Ggas/s' });
    expect(axisScale('ms', 2_000)).toEqual({ divisor: 1, unit: 'ms' });
    expect(axisScale('ms', 20_000)).toEqual({ divisor: 1000, unit: 's' });
  });

  it('labels a latency axis in seconds when latencies run past ten seconds', () => {
    const chart = timeSeriesChart({ id: 'c', title: 't', description: 'd', times: [0, 1, 2], yUnit: 'ms', yLabel: 'latency', series: [{ name: 'p99', tone: 'orange', values: [500, 12_000, 31_000] }] });
    expect(chart).toContain('latency (s)');
    expect(chart).toMatch(/>35<\/text>/);
  });

  it('draws a lone point between gaps as a dot', () => {
    const chart = timeSeriesChart({ id: 'c', title: 't', description: 'd', times: [0, 1, 2, 3], yUnit: 'ms', yLabel: 'l', series: [{ name: 's', tone: 'blue', values: [1, null, 2, null] }] });
    expect(seriesPath(chart, 's')).toMatch(/^M[\d.]+ [\d.]+h0M[\d.]+ [\d.]+h0$/);
  });

  it('escapes titles, names and labels, and emits no script', () => {
    const evil = '<script>x</script>&"\'';
    const charts = [
      timeSeriesChart({ id: 'a', title: evil, description: evil, times: [0], yUnit: 'count', yLabel: evil, series: [{ name: evil, tone: 'red', values: [1] }], marks: [{ at: 0, label: evil }] }),
      barChart({ id: 'b', title: evil, description: evil, times: [0], yUnit: 'count', yLabel: evil, bars: { name: evil, tone: 'red', values: [1] }, bands: [{ from: 0, to: 1, label: evil }] }),
      scatterChart({ id: 'c', title: evil, description: evil, xUnit: 'gas/s', yUnit: 'gas/s', xLabel: evil, yLabel: evil, diagonal: evil, groups: [{ name: evil, tone: 'green', shape: 'circle', points: [{ x: 1, y: 1, label: evil }] }] }),
    ];
    for (const chart of charts) {
      expect(chart).not.toContain('<script');
      expect(chart).toContain('&#60;script&#62;x&#60;/script&#62;&#38;&#34;&#39;');
    }
  });
});
