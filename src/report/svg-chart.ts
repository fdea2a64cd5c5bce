// Charts for the HTML report, drawn ahead of time as inline SVG: lines over time (broken where a
// value is missing), bars over time, and an x-y chart of points (the capacity envelope); charts
// over time can shade stretches of time (fault windows) with their names. Series
// in, SVG text out. Colours come from CSS classes (CHART_CSS) so the page that holds a chart can
// follow light and dark mode; the chart itself holds no script, no link and no font. Every text
// is escaped, and a missing or non-finite value is drawn as a gap, never as zero.

/** What a figure measures; an axis shows it in a readable multiple (Mgas/s, s for long ms). */
export type ChartUnit = 'gas/s' | 'tx/s' | 'ms' | 's' | 'count';

/** Colour slots of the palette (Okabe-Ito, distinguishable with the common colour blindnesses). */
export type Tone = 'blue' | 'orange' | 'green' | 'red' | 'purple' | 'grey';

export type MarkerShape = 'circle' | 'square' | 'triangle';

export interface ChartFrame {
  /** Unique within the page: the SVG's title and description are found by it. */
  readonly id: string;
  readonly title: string;
  /** What the chart shows, in words, for readers who cannot see it. */
  readonly description: string;
  readonly width?: number;
  readonly height?: number;
}

/** A labelled vertical line across the plot (a phase boundary, a capacity mark). */
export interface XMark {
  readonly at: number;
  readonly label: string;
  readonly tone?: Tone;
}

/** A labelled stretch of the x axis, shaded under the data (a fault window): [from, to). */
export interface XBand {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

/** How a long series is thinned to MAX_POINTS: the mean of each bucket, or its peak. */
export type Reduce = 'mean' | 'max';

export interface LineSeries {
  readonly name: string;
  readonly tone: Tone;
  /** One value per entry of the chart's `times`; null is a gap. */
  readonly values: readonly (number | null)[];
  readonly dashed?: boolean;
  /** 'mean' unless given: a p99 line should keep its peaks ('max'). */
  readonly reduce?: Reduce;
}

export interface TimeSeriesChart extends ChartFrame {
  /** Whole seconds since the run began; each value covers [t, t + 1). */
  readonly times: readonly number[];
  readonly series: readonly LineSeries[];
  readonly yUnit: ChartUnit;
  /** The value axis's title, without its unit (the axis adds it). */
  readonly yLabel: string;
  readonly marks?: readonly XMark[];
  readonly bands?: readonly XBand[];
}

export interface BarSeries {
  readonly name: string;
  readonly tone: Tone;
  readonly values: readonly (number | null)[];
}

export interface BarChart extends ChartFrame {
  readonly times: readonly number[];
  readonly bars: BarSeries;
  readonly yUnit: ChartUnit;
  readonly yLabel: string;
  readonly marks?: readonly XMark[];
  readonly bands?: readonly XBand[];
}

export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  /** Shown when the pointer rests on the point. */
  readonly label: string;
}

export interface ScatterGroup {
  readonly name: string;
  readonly tone: Tone;
  readonly shape: MarkerShape;
  readonly points: readonly ScatterPoint[];
}

export interface ScatterChart extends ChartFrame {
  readonly xUnit: ChartUnit;
  readonly yUnit: ChartUnit;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly groups: readonly ScatterGroup[];
  /** Points joined in this order by a thin line (the run's path through the groups). */
  readonly path?: readonly { readonly x: number; readonly y: number }[];
  /** Draws y = x, named in the legend by this text; x and y then share one scale. */
  readonly diagonal?: string;
  readonly marks?: readonly XMark[];
}

/**
 * Most points a series over time draws, about two per pixel of the plot: a long run (a soak
 * of hours) is drawn from buckets of whole seconds, so a chart's size does not grow with it.
 */
export const MAX_POINTS = 1200;

const DEFAULT_WIDTH = 720;
const DEFAULT_HEIGHT = 260;
const MARGIN = { left: 60, right: 16, top: 30, bottom: 38 } as const;

/** Text made safe inside markup, element content and quoted attribute values alike. */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** A coordinate, to a tenth of a pixel: enough for the eye, short in the file. */
function px(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

/**
 * Round tick values (1, 2 or 5 times a power of ten) covering [min, max] with about `target`
 * intervals. The first tick is at or below min, the last at or above max. With `wholeSteps`
 * the step is at least 1.
 */
export function niceTicks(min: number, max: number, target = 5, wholeSteps = false): number[] {
  if (!finite(min) || !finite(max)) return [0, 1];
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (hi === lo) {
    if (hi === 0) hi = 1;
    else if (lo > 0) lo = 0;
    else hi = 0;
  }
  const rough = (hi - lo) / Math.max(1, target);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const residual = rough / magnitude;
  // Rounded to the nearest of 1, 2, 5 and 10 (not up): the tick count stays near the target.
  const nice = (residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10) * magnitude;
  // Counts have no fractions: half an error per second is not a tick anyone needs.
  const step = wholeSteps ? Math.max(1, nice) : nice;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  // Multiplying the index (not adding the step) keeps 0.1 * 3 from drifting to 0.30000000000000004.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

export interface AxisScale {
  /** Divide a value by this before showing it. */
  readonly divisor: number;
  /** The unit the divided values are in, e.g. "Mgas/s". */
  readonly unit: string;
}

/** The multiple an axis shows its unit in, chosen from the largest value it must show. */
export function axisScale(unit: ChartUnit, largest: number): AxisScale {
  const top = finite(largest) ? Math.abs(largest) : 0;
  if (unit === 'gas/s') {
    if (top >= 1e9) return { divisor: 1e9, unit: 'Ggas/s' };
    if (top >= 1e6) return { divisor: 1e6, unit: 'Mgas/s' };
    if (top >= 1e3) return { divisor: 1e3, unit: 'kgas/s' };
    return { divisor: 1, unit: 'gas/s' };
  }
  // Past ten seconds, milliseconds are hard to read at a glance.
  if (unit === 'ms') return top >= 10_000 ? { divisor: 1000, unit: 's' } : { divisor: 1, unit: 'ms' };
  if (unit === 'count') return { divisor: 1, unit: '' };
  return { divisor: 1, unit };
}

/** A tick label: as many decimals as the step between ticks needs, digits grouped. */
function tickLabel(value: number, step: number, divisor: number): string {
  const shown = value / divisor;
  const stepShown = step / divisor;
  const decimals = stepShown > 0 && stepShown < 1 ? Math.min(6, Math.ceil(-Math.log10(stepShown) - 1e-9)) : 0;
  return shown.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

interface Linear {
  readonly domain: readonly [number, number];
  readonly map: (v: number) => number;
}

function linear(domain: readonly [number, number], from: number, to: number): Linear {
  const span = domain[1] - domain[0] || 1;
  return { domain, map: (v) => from + ((v - domain[0]) / span) * (to - from) };
}

interface Plot {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function plotOf(frame: ChartFrame): Plot {
  const width = frame.width ?? DEFAULT_WIDTH;
  const height = frame.height ?? DEFAULT_HEIGHT;
  return { width, height, left: MARGIN.left, right: width - MARGIN.right, top: MARGIN.top, bottom: height - MARGIN.bottom };
}

function open(frame: ChartFrame, plot: Plot): string {
  const id = escapeMarkup(frame.id);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${plot.width} ${plot.height}" role="img" ` +
    `aria-labelledby="${id}-title ${id}-desc" id="${id}">` +
    `<title id="${id}-title">${escapeMarkup(frame.title)}</title>` +
    `<desc id="${id}-desc">${escapeMarkup(frame.description)}</desc>`
  );
}

interface AxisSpec {
  readonly scale: Linear;
  readonly ticks: readonly number[];
  readonly shown: AxisScale;
  readonly title: string;
}

function yAxis(plot: Plot, axis: AxisSpec): string {
  const step = axis.ticks.length > 1 ? axis.ticks[1]! - axis.ticks[0]! : 1;
  const parts: string[] = [];
  for (const t of axis.ticks) {
    const y = px(axis.scale.map(t));
    parts.push(`<line class="grid" x1="${plot.left}" x2="${plot.right}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${plot.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickLabel(t, step, axis.shown.divisor)}</text>`);
  }
  const mid = px((plot.top + plot.bottom) / 2);
  parts.push(`<text class="axis-title" transform="translate(14 ${mid}) rotate(-90)" text-anchor="middle">${escapeMarkup(axis.title)}</text>`);
  return parts.join('');
}

function xAxis(plot: Plot, axis: AxisSpec): string {
  const step = axis.ticks.length > 1 ? axis.ticks[1]! - axis.ticks[0]! : 1;
  const parts: string[] = [`<line class="axis" x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}"/>`];
  for (const t of axis.ticks) {
    const x = axis.scale.map(t);
    if (x < plot.left - 0.5 || x > plot.right + 0.5) continue;
    parts.push(`<line class="axis" x1="${px(x)}" x2="${px(x)}" y1="${plot.bottom}" y2="${plot.bottom + 4}"/>`);
    parts.push(`<text class="tick" x="${px(x)}" y="${plot.bottom + 16}" text-anchor="middle">${tickLabel(t, step, axis.shown.divisor)}</text>`);
  }
  parts.push(`<text class="axis-title" x="${px((plot.left + plot.right) / 2)}" y="${plot.height - 4}" text-anchor="middle">${escapeMarkup(axis.title)}</text>`);
  return parts.join('');
}

/** Vertical marks; a label that would overlap the one before it drops to the next row. */
function marksOf(plot: Plot, x: Linear, marks: readonly XMark[] | undefined): string {
  const parts: string[] = [];
  const rowEnds = [-Infinity, -Infinity, -Infinity];
  for (const mark of marks ?? []) {
    if (!finite(mark.at)) continue;
    const at = x.map(mark.at);
    if (at < plot.left - 0.5 || at > plot.right + 0.5) continue;
    const width = mark.label.length * 6;
    // Near the right edge the label goes to the left of its line, so it is not cut off.
    const leftward = at + 3 + width > plot.right;
    const start = leftward ? at - 3 - width : at + 3;
    const row = Math.max(0, rowEnds.findIndex((end) => start > end + 4));
    rowEnds[row] = start + width;
    const tone = mark.tone ? ` t-${mark.tone}` : '';
    const text = leftward
      ? `<text x="${px(at - 3)}" y="${plot.top + 10 + row * 12}" text-anchor="end">`
      : `<text x="${px(at + 3)}" y="${plot.top + 10 + row * 12}">`;
    parts.push(
      `<g class="xmark${tone}"><line x1="${px(at)}" x2="${px(at)}" y1="${plot.top}" y2="${plot.bottom}"/>` +
        `${text}${escapeMarkup(mark.label)}</text></g>`,
    );
  }
  return parts.join('');
}

/**
 * Shaded bands, clipped to the plot, each named at its foot (a name that would overlap the one
 * before it moves up a row) and, in full, in a tooltip. Drawn before the data, which stays on top.
 */
function bandsOf(plot: Plot, x: Linear, bands: readonly XBand[] | undefined): string {
  const parts: string[] = [];
  const rowEnds = [-Infinity, -Infinity, -Infinity];
  for (const band of bands ?? []) {
    if (!finite(band.from) || !finite(band.to)) continue;
    const start = Math.max(plot.left, x.map(Math.min(band.from, band.to)));
    const stop = Math.min(plot.right, x.map(Math.max(band.from, band.to)));
    if (stop < plot.left || start > plot.right) continue;
    // A band too narrow to see (a fault of a moment on a long run) still gets a visible sliver.
    const width = Math.max(1, stop - start);
    const textWidth = band.label.length * 6;
    const leftward = start + 3 + textWidth > plot.right;
    const textStart = leftward ? start + width - 3 - textWidth : start + 3;
    const row = Math.max(0, rowEnds.findIndex((e) => textStart > e + 4));
    rowEnds[row] = textStart + textWidth;
    const y = plot.bottom - 5 - row * 12;
    const text = leftward ? `<text x="${px(start + width - 3)}" y="${px(y)}" text-anchor="end">` : `<text x="${px(start + 3)}" y="${px(y)}">`;
    const label = escapeMarkup(band.label);
    parts.push(
      `<g class="xband"><rect x="${px(start)}" y="${px(plot.top)}" width="${px(width)}" height="${px(plot.bottom - plot.top)}"><title>${label}</title></rect>` +
        `${text}${label}</text></g>`,
    );
  }
  return parts.join('');
}

interface LegendItem {
  readonly name: string;
  readonly tone: Tone;
  readonly kind: 'line' | 'dashed' | 'bar' | 'diagonal' | MarkerShape;
}

/** The legend, one row above the plot; text width is estimated (no font metrics server-side). */
function legend(plot: Plot, items: readonly LegendItem[]): string {
  let x = plot.left;
  const y = 12;
  const parts: string[] = ['<g class="legend">'];
  for (const item of items) {
    const swatch =
      item.kind === 'line' || item.kind === 'dashed'
        ? `<line class="line t-${item.tone}${item.kind === 'dashed' ? ' dashed' : ''}" x1="${x}" x2="${x + 16}" y1="${y}" y2="${y}"/>`
        : item.kind === 'diagonal'
          ? `<line class="diagonal" x1="${x}" x2="${x + 16}" y1="${y + 5}" y2="${y - 5}"/>`
          : item.kind === 'bar'
            ? `<rect class="swatch t-${item.tone}" x="${x + 3}" y="${y - 5}" width="10" height="10"/>`
            : marker(item.kind, x + 8, y, item.tone, 'swatch');
    parts.push(swatch, `<text x="${x + 20}" y="${y}" dominant-baseline="middle">${escapeMarkup(item.name)}</text>`);
    x += 20 + item.name.length * 6.5 + 16;
  }
  parts.push('</g>');
  return parts.join('');
}

function marker(shape: MarkerShape, x: number, y: number, tone: Tone, cls: string, title?: string): string {
  const attrs =
    shape === 'circle'
      ? `cx="${px(x)}" cy="${px(y)}" r="5"`
      : shape === 'square'
        ? `x="${px(x - 4.5)}" y="${px(y - 4.5)}" width="9" height="9"`
        : `d="M${px(x)} ${px(y - 6)}L${px(x + 5.5)} ${px(y + 4)}L${px(x - 5.5)} ${px(y + 4)}Z"`;
  const element = shape === 'circle' ? 'circle' : shape === 'square' ? 'rect' : 'path';
  const start = `<${element} class="${cls} t-${tone}" ${attrs}`;
  // A <title> child is the tooltip a browser shows on hover.
  return title === undefined ? `${start}/>` : `${start}><title>${escapeMarkup(title)}</title></${element}>`;
}

function noData(plot: Plot): string {
  return `<text class="no-data" x="${px((plot.left + plot.right) / 2)}" y="${px((plot.top + plot.bottom) / 2)}" text-anchor="middle">No data</text>`;
}

/** The x domain of a time chart: the seconds sampled, each a whole second wide. */
function timeDomain(times: readonly number[]): [number, number] {
  let lo = 0;
  let hi = -Infinity;
  for (const t of times) {
    if (!finite(t)) continue;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return hi === -Infinity ? [0, 1] : [lo, hi + 1];
}

interface Buckets {
  readonly times: readonly number[];
  /** Seconds per bucket. */
  readonly width: number;
  readonly values: readonly (readonly (number | null)[])[];
}

/**
 * Consecutive samples grouped so no series has more than MAX_POINTS; a bucket starts at its
 * first sample's time and its value is the mean or peak of its finite values, null if none.
 */
function bucketed(times: readonly number[], series: readonly (readonly (number | null)[])[], reduce: readonly Reduce[]): Buckets {
  const size = Math.ceil(times.length / MAX_POINTS);
  if (size <= 1) return { times, width: 1, values: series };
  const starts: number[] = [];
  for (let i = 0; i < times.length; i += size) starts.push(times[i]!);
  const values = series.map((values, k) => {
    const out: (number | null)[] = [];
    for (let i = 0; i < times.length; i += size) {
      let sum = 0;
      let peak = -Infinity;
      let n = 0;
      for (let j = i; j < Math.min(i + size, times.length); j++) {
        const v = values[j];
        if (!finite(v)) continue;
        sum += v;
        if (v > peak) peak = v;
        n++;
      }
      out.push(n === 0 ? null : reduce[k] === 'max' ? peak : sum / n);
    }
    return out;
  });
  return { times: starts, width: size, values };
}

function valueAxis(plot: Plot, unit: ChartUnit, values: Iterable<number | null>, title: string): AxisSpec {
  let largest = 0;
  for (const v of values) if (finite(v) && v > largest) largest = v;
  const ticks = niceTicks(0, largest, 5, unit === 'count');
  const scale = linear([ticks[0]!, ticks[ticks.length - 1]!], plot.bottom, plot.top);
  const shown = axisScale(unit, ticks[ticks.length - 1]!);
  return { scale, ticks, shown, title: shown.unit === '' ? title : `${title} (${shown.unit})` };
}

function timeAxis(plot: Plot, times: readonly number[]): AxisSpec {
  const domain = timeDomain(times);
  const ticks = niceTicks(domain[0], domain[1], 8).filter((t) => t >= domain[0] && t <= domain[1]);
  return { scale: linear(domain, plot.left, plot.right), ticks, shown: { divisor: 1, unit: 's' }, title: 'time since the first phase began (s)' };
}

/** The path of one series: a new subpath after every gap; a lone point is a dot (round caps). */
function linePath(times: readonly number[], width: number, values: readonly (number | null)[], x: Linear, y: Linear): string {
  let d = '';
  let run = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    const v = values[i];
    if (!finite(t) || !finite(v)) {
      if (run === 1) d += 'h0';
      run = 0;
      continue;
    }
    d += `${run === 0 ? 'M' : 'L'}${px(x.map(t + width / 2))} ${px(y.map(v))}`;
    run++;
  }
  if (run === 1) d += 'h0';
  return d;
}

/** Lines over time, one per series, sharing one value axis that starts at zero. */
export function timeSeriesChart(chart: TimeSeriesChart): string {
  const plot = plotOf(chart);
  const y = valueAxis(plot, chart.yUnit, chart.series.flatMap((s) => s.values), chart.yLabel);
  const x = timeAxis(plot, chart.times);
  const hasData = chart.series.some((s) => s.values.some(finite)) && chart.times.some(finite);
  const parts = [open(chart, plot), bandsOf(plot, x.scale, chart.bands), yAxis(plot, y), xAxis(plot, x), marksOf(plot, x.scale, chart.marks)];
  if (!hasData) parts.push(noData(plot));
  const b = bucketed(
    chart.times,
    chart.series.map((s) => s.values),
    chart.series.map((s) => s.reduce ?? 'mean'),
  );
  for (const [i, s] of chart.series.entries()) {
    const d = linePath(b.times, b.width, b.values[i]!, x.scale, y.scale);
    if (d !== '') parts.push(`<path class="line series t-${s.tone}${s.dashed ? ' dashed' : ''}" data-series="${escapeMarkup(s.name)}" d="${d}"/>`);
  }
  parts.push(legend(plot, chart.series.map((s) => ({ name: s.name, tone: s.tone, kind: s.dashed ? 'dashed' : 'line' }))), '</svg>');
  return parts.join('');
}

/**
 * One bar per second with a value above zero; seconds at zero or missing draw nothing. A long
 * run draws a bar per bucket of seconds, at the bucket's mean (still a value per second).
 */
export function barChart(chart: BarChart): string {
  const plot = plotOf(chart);
  const b = bucketed(chart.times, [chart.bars.values], ['mean']);
  const y = valueAxis(plot, chart.yUnit, b.values[0]!, chart.yLabel);
  const x = timeAxis(plot, chart.times);
  const width = Math.max(0.6, x.scale.map(b.width) - x.scale.map(0) - 0.4);
  const parts = [open(chart, plot), bandsOf(plot, x.scale, chart.bands), yAxis(plot, y), xAxis(plot, x), marksOf(plot, x.scale, chart.marks)];
  let drawn = 0;
  for (let i = 0; i < b.times.length; i++) {
    const t = b.times[i];
    const v = b.values[0]![i];
    if (!finite(t) || !finite(v) || v <= 0) continue;
    const top = y.scale.map(v);
    parts.push(`<rect class="bar t-${chart.bars.tone}" x="${px(x.scale.map(t) + 0.2)}" y="${px(top)}" width="${px(width)}" height="${px(plot.bottom - top)}"/>`);
    drawn++;
  }
  if (drawn === 0) parts.push(noData(plot));
  parts.push(legend(plot, [{ name: chart.bars.name, tone: chart.bars.tone, kind: 'bar' }]), '</svg>');
  return parts.join('');
}

/** Points on two value axes, grouped by marker; with `diagonal`, both axes share one scale. */
export function scatterChart(chart: ScatterChart): string {
  const plot = plotOf(chart);
  const points = chart.groups.flatMap((g) => g.points).filter((p) => finite(p.x) && finite(p.y));
  const markAts = (chart.marks ?? []).map((m) => m.at).filter(finite);
  const largestX = Math.max(0, ...points.map((p) => p.x), ...markAts);
  const largestY = Math.max(0, ...points.map((p) => p.y));
  const shared = chart.diagonal !== undefined;
  const xTicks = niceTicks(0, shared ? Math.max(largestX, largestY) : largestX);
  const yTicks = shared ? xTicks : niceTicks(0, largestY);
  const xShown = axisScale(chart.xUnit, xTicks[xTicks.length - 1]!);
  const yShown = axisScale(chart.yUnit, yTicks[yTicks.length - 1]!);
  const withUnit = (title: string, shown: AxisScale) => (shown.unit === '' ? title : `${title} (${shown.unit})`);
  const x: AxisSpec = { scale: linear([xTicks[0]!, xTicks[xTicks.length - 1]!], plot.left, plot.right), ticks: xTicks, shown: xShown, title: withUnit(chart.xLabel, xShown) };
  const y: AxisSpec = { scale: linear([yTicks[0]!, yTicks[yTicks.length - 1]!], plot.bottom, plot.top), ticks: yTicks, shown: yShown, title: withUnit(chart.yLabel, yShown) };
  const parts = [open(chart, plot), yAxis(plot, y), xAxis(plot, x), marksOf(plot, x.scale, chart.marks)];
  if (points.length === 0) parts.push(noData(plot));
  if (shared) {
    const end = xTicks[xTicks.length - 1]!;
    parts.push(`<line class="diagonal" x1="${px(x.scale.map(0))}" y1="${px(y.scale.map(0))}" x2="${px(x.scale.map(end))}" y2="${px(y.scale.map(end))}"/>`);
  }
  const path = (chart.path ?? []).filter((p) => finite(p.x) && finite(p.y));
  if (path.length > 1) {
    const d = path.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(x.scale.map(p.x))} ${px(y.scale.map(p.y))}`).join('');
    parts.push(`<path class="trail" d="${d}"/>`);
  }
  for (const g of chart.groups) {
    for (const p of g.points) {
      if (!finite(p.x) || !finite(p.y)) continue;
      parts.push(marker(g.shape, x.scale.map(p.x), y.scale.map(p.y), g.tone, 'point', p.label));
    }
  }
  const items: LegendItem[] = chart.groups.map((g) => ({ name: g.name, tone: g.tone, kind: g.shape }));
  if (shared) items.push({ name: chart.diagonal!, tone: 'grey', kind: 'diagonal' });
  parts.push(legend(plot, items), '</svg>');
  return parts.join('');
}

/**
 * The style charts need, for the page that holds them. Colours are custom properties so dark
 * mode only swaps values; text takes the page's colour.
 */
export const CHART_CSS = `
:root{--t-blue:#0072b2;--t-orange:#c26a00;--t-green:#007a5a;--t-red:#c23b00;--t-purple:#a8518a;--t-grey:#6b6b6b;--chart-grid:#d9d9d9;--chart-axis:#8a8a8a}
@media (prefers-color-scheme:dark){:root{--t-blue:#56b4e9;--t-orange:#e69f00;--t-green:#2fc48f;--t-red:#ff7a45;--t-purple:#e08bc4;--t-grey:#a0a0a0;--chart-grid:#3a3a3a;--chart-axis:#7a7a7a}}
svg.chart{width:100%;height:auto;max-width:60rem;display:block;font:11px system-ui,sans-serif;fill:currentColor}
svg.chart .grid{stroke:var(--chart-grid);stroke-width:1}
svg.chart .axis{stroke:var(--chart-axis);stroke-width:1}
svg.chart .tick{fill:currentColor;opacity:.8}
svg.chart .axis-title{fill:currentColor;opacity:.9}
svg.chart .no-data{fill:currentColor;opacity:.6;font-size:14px}
svg.chart .line{fill:none;stroke-width:1.8;stroke-linejoin:round;stroke-linecap:round}
svg.chart .dashed{stroke-dasharray:5 3}
svg.chart .bar,svg.chart .swatch,svg.chart .point{stroke:none}
svg.chart .point{stroke:var(--chart-bg,#fff);stroke-width:1}
svg.chart .trail{fill:none;stroke:var(--chart-axis);stroke-width:1}
svg.chart .diagonal{stroke:var(--chart-axis);stroke-dasharray:2 3}
svg.chart .xmark line{stroke:var(--chart-axis);stroke-dasharray:3 3}
svg.chart .xmark text{fill:currentColor;opacity:.85}
svg.chart .xband rect{fill:var(--t-purple);opacity:.14}
svg.chart .xband text{fill:currentColor;opacity:.85;font-style:italic}
${(['blue', 'orange', 'green', 'red', 'purple', 'grey'] as const)
  .map((t) => `svg.chart .line.t-${t},svg.chart .xmark.t-${t} line{stroke:var(--t-${t})}svg.chart .bar.t-${t},svg.chart .swatch.t-${t},svg.chart .point.t-${t}{fill:var(--t-${t})}`)
  .join('\n')}
`.trim();
