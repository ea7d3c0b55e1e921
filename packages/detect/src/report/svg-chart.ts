/**
 * Small inline-SVG charts for the evidence report: a line chart (with confidence bands and
 * horizontal reference lines) and a horizontal bar chart (with vertical reference lines). They
 * draw only what they are given, clamp values to the axis domain so a point far off the scale
 * stays on the plot's edge, drop non-finite values so no coordinate is ever NaN, and escape
 * every label through `html`.
 */
import { html, type Markup } from './markup.js';

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
}

export interface LineSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
}

/** A shaded interval around a line, from `low` to `high` at each `x`. */
export interface BandSeries {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly low: number; readonly high: number }[];
}

/** A dashed line across the plot at `value` (horizontal in a line chart, vertical in a bar chart). */
export interface ReferenceLine {
  readonly label: string;
  readonly value: number;
}

export interface ChartAxis {
  readonly label: string;
  /** Fixed ends of the axis; when absent the end is fitted to the data and rounded. */
  readonly min?: number;
  readonly max?: number;
  /** Limits a fitted end may not cross (a rate axis stays within [0, 1]). */
  readonly bounds?: readonly [number, number];
  readonly format?: (value: number) => string;
}

interface ChartFrame {
  /** Names the chart's class (`chart chart-<kind>`), so pages and tests can find it. */
  readonly kind: string;
  /** The accessible name: the SVG's `aria-label` and `<title>`. */
  readonly title: string;
  /** Said in the `<desc>` and under the plot, e.g. that values were clamped. */
  readonly note?: string;
}

export interface LineChartSpec extends ChartFrame {
  readonly x: ChartAxis;
  readonly y: ChartAxis;
  readonly lines: readonly LineSeries[];
  readonly bands?: readonly BandSeries[];
  readonly references?: readonly ReferenceLine[];
}

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Printed at the end of the bar. */
  readonly valueLabel: string;
  /** Drawn in the accent colour (for example: significant). */
  readonly highlight?: boolean;
}

export interface BarChartSpec extends ChartFrame {
  readonly x: ChartAxis;
  readonly bars: readonly Bar[];
  readonly references?: readonly ReferenceLine[];
}

const WIDTH = 640;
const PALETTE = ['#1f5fa8', '#c2571a', '#2d8a4e', '#8a3fa0', '#a8861f', '#3f8a8a'];
const CHAR_WIDTH = 6.5;
const LABEL_CHARS = 22;

export function lineChart(spec: LineChartSpec): Markup {
  const lines = spec.lines.map((s) => ({ name: s.name, points: s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)) }));
  const bands = (spec.bands ?? []).map((b) => ({
    name: b.name,
    points: b.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.low) && Number.isFinite(p.high)),
  }));
  const references = (spec.references ?? []).filter((r) => Number.isFinite(r.value));
  const xs = [...lines.flatMap((s) => s.points.map((p) => p.x)), ...bands.flatMap((b) => b.points.map((p) => p.x))];
  const ys = [
    ...lines.flatMap((s) => s.points.map((p) => p.y)),
    ...bands.flatMap((b) => b.points.flatMap((p) => [p.low, p.high])),
    ...references.map((r) => r.value),
  ];
  const legend = legendRows([...lines.map((s) => s.name), ...references.map((r) => r.label)]);
  const top = 16 + legend.rows * 18;
  const height = top + 220 + 48 + (spec.note ? 18 : 0);
  const plot = { left: 64, right: WIDTH - 16, top, bottom: top + 220 };
  const xScale = fitAxis(spec.x, xs);
  const yScale = fitAxis(spec.y, ys);
  const px = (x: number) =>
    plot.left + ((clamp(x, xScale.min, xScale.max) - xScale.min) / (xScale.max - xScale.min)) * (plot.right - plot.left);
  const py = (y: number) =>
    plot.bottom - ((clamp(y, yScale.min, yScale.max) - yScale.min) / (yScale.max - yScale.min)) * (plot.bottom - plot.top);
  const empty = lines.every((s) => s.points.length === 0) && bands.every((b) => b.points.length === 0);

  const bandShapes = bands.map((b, i) => {
    if (b.points.length === 0) return '';
    const sorted = [...b.points].sort((p, q) => p.x - q.x);
    // A single x would give a zero-width band: draw it a few pixels wide.
    const widen = sorted.length === 1 ? 2 : 0;
    const upper = sorted.map((p) => [px(p.x) - widen, py(p.high)] as const);
    const lower = sorted.map((p) => [px(p.x) - widen, py(p.low)] as const).reverse();
    if (widen > 0) {
      const only = sorted[0] as (typeof sorted)[number];
      upper.push([px(only.x) + widen, py(only.high)]);
      lower.unshift([px(only.x) + widen, py(only.low)]);
    }
    const color = PALETTE[i % PALETTE.length] as string;
    return html`<path class="band" d="${pathData([...upper, ...lower])} Z" fill="${color}" fill-opacity="0.18" stroke="none"><title>${b.name}</title></path>`;
  });
  const lineShapes = lines.map((s, i) => {
    if (s.points.length === 0) return '';
    const color = PALETTE[i % PALETTE.length] as string;
    const sorted = [...s.points].sort((p, q) => p.x - q.x);
    const coords = sorted.map((p) => [px(p.x), py(p.y)] as const);
    // Markers on every point of a short series (a single point has no line), else the last one
    // only; a point clamped to the plot's edge gets an arrow pointing to where it really is.
    const markers = sorted.map((p, j) => {
      const [x, y] = coords[j] as readonly [number, number];
      if (p.y < yScale.min) return html`<path class="clamped" d="M${fixed(x - 5)} ${fixed(y - 8)}h10l-5 8z" fill="${color}"/>`;
      if (p.y > yScale.max) return html`<path class="clamped" d="M${fixed(x - 5)} ${fixed(y + 8)}h10l-5 -8z" fill="${color}"/>`;
      return coords.length <= 40 || j === coords.length - 1 ? html`<circle cx="${fixed(x)}" cy="${fixed(y)}" r="3" fill="${color}"/>` : '';
    });
    return html`<g class="series"><title>${s.name}</title><path d="${pathData(coords)}" fill="none" stroke="${color}" stroke-width="2"/>${markers}</g>`;
  });
  const referenceShapes = references.map((r, i) => {
    const y = py(r.value);
    const color = PALETTE[(lines.length + i) % PALETTE.length] as string;
    return html`<path class="reference" d="M${fixed(plot.left)} ${fixed(y)}H${fixed(plot.right)}" stroke="${color}" stroke-width="1.5" stroke-dasharray="6 4"><title>${r.label}</title></path>`;
  });
  const legendItems = [
    ...lines.map((s, i) => ({ name: s.name, color: PALETTE[i % PALETTE.length] as string, dashed: false })),
    ...references.map((r, i) => ({ name: r.label, color: PALETTE[(lines.length + i) % PALETTE.length] as string, dashed: true })),
  ];

  return svgFrame(spec, height, [
    html`<rect class="plot" x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="#fbfbfd" stroke="#c9ccd4"/>`,
    xTicks(xScale, plot, px, spec.x),
    yTicks(yScale, plot, py, spec.y),
    bandShapes,
    lineShapes,
    referenceShapes,
    empty
      ? html`<text x="${(plot.left + plot.right) / 2}" y="${(plot.top + plot.bottom) / 2}" text-anchor="middle" class="empty">No data</text>`
      : '',
    legendMarkup(legendItems, legend.positions),
    html`<text x="${(plot.left + plot.right) / 2}" y="${plot.bottom + 36}" text-anchor="middle" class="axis-label">${spec.x.label}</text>`,
    html`<text transform="translate(14 ${(plot.top + plot.bottom) / 2}) rotate(-90)" text-anchor="middle" class="axis-label">${spec.y.label}</text>`,
    spec.note ? html`<text x="${plot.left}" y="${plot.bottom + 56}" class="note">${spec.note}</text>` : '',
  ]);
}

export function barChart(spec: BarChartSpec): Markup {
  const bars = spec.bars.map((b) => ({ ...b, value: Number.isFinite(b.value) ? b.value : 0 }));
  const references = (spec.references ?? []).filter((r) => Number.isFinite(r.value));
  const rowHeight = 26;
  const top = 24;
  // Value labels get their own column right of the plot, clear of bars and reference lines.
  const valueChars = Math.max(0, ...bars.map((b) => [...b.valueLabel].length));
  const plot = {
    left: 8 + LABEL_CHARS * CHAR_WIDTH,
    right: WIDTH - 12 - valueChars * CHAR_WIDTH,
    top,
    bottom: top + Math.max(1, bars.length) * rowHeight,
  };
  const height = plot.bottom + 44 + (spec.note ? 18 : 0);
  const scale = fitAxis({ ...spec.x, min: spec.x.min ?? 0 }, [...bars.map((b) => b.value), ...references.map((r) => r.value)]);
  const px = (x: number) => plot.left + ((clamp(x, scale.min, scale.max) - scale.min) / (scale.max - scale.min)) * (plot.right - plot.left);

  const rows = bars.map((b, i) => {
    const y = plot.top + i * rowHeight + 4;
    const end = px(b.value);
    // At least a hairline, so a bar of zero is still seen to be there.
    const width = Math.max(1, end - plot.left);
    return html`<g class="bar"><title>${b.label}: ${b.valueLabel}</title><text x="${plot.left - 6}" y="${fixed(y + 13)}" text-anchor="end">${truncate(b.label, LABEL_CHARS)}</text><rect x="${fixed(plot.left)}" y="${fixed(y)}" width="${fixed(width)}" height="${rowHeight - 8}" fill="${b.highlight ? '#c2571a' : '#1f5fa8'}"/><text x="${fixed(plot.right + 6)}" y="${fixed(y + 13)}">${b.valueLabel}</text></g>`;
  });
  const referenceShapes = references.map((r) => {
    const x = px(r.value);
    return html`<path class="reference" d="M${fixed(x)} ${fixed(plot.top - 4)}V${fixed(plot.bottom)}" stroke="#555" stroke-width="1.5" stroke-dasharray="6 4"><title>${r.label}</title></path><text x="${fixed(x)}" y="${plot.top - 8}" text-anchor="middle" class="note">${r.label}</text>`;
  });

  return svgFrame(spec, height, [
    html`<rect class="plot" x="${fixed(plot.left)}" y="${plot.top}" width="${fixed(plot.right - plot.left)}" height="${plot.bottom - plot.top}" fill="#fbfbfd" stroke="#c9ccd4"/>`,
    xTicks(scale, plot, px, spec.x),
    rows,
    bars.length === 0
      ? html`<text x="${(plot.left + plot.right) / 2}" y="${plot.top + 17}" text-anchor="middle" class="empty">No data</text>`
      : '',
    referenceShapes,
    html`<text x="${(plot.left + plot.right) / 2}" y="${plot.bottom + 36}" text-anchor="middle" class="axis-label">${spec.x.label}</text>`,
    spec.note ? html`<text x="${fixed(plot.left)}" y="${plot.bottom + 56}" class="note">${spec.note}</text>` : '',
  ]);
}

function svgFrame(spec: ChartFrame, height: number, body: readonly (Markup | string | readonly (Markup | string)[])[]): Markup {
  return html`<svg class="chart chart-${spec.kind}" role="img" aria-label="${spec.title}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}"><title>${spec.title}</title>${
    spec.note ? html`<desc>${spec.note}</desc>` : ''
  }${body}</svg>`;
}

interface Scale {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
}

/** The axis domain: fixed ends where given, else the data's range widened to round ticks. */
export function fitAxis(axis: ChartAxis, values: readonly number[]): Scale {
  const finite = values.filter(Number.isFinite);
  // Loops, not Math.min(...values): a long trace would overflow the argument list.
  let low = axis.min ?? (finite.length > 0 ? finite.reduce((a, b) => Math.min(a, b)) : 0);
  let high = axis.max ?? (finite.length > 0 ? finite.reduce((a, b) => Math.max(a, b)) : 1);
  if (high < low) [low, high] = [high, low];
  if (high === low) {
    // One value: open a window around it that still contains it.
    const pad = low === 0 ? 1 : Math.abs(low) * 0.5;
    if (axis.min === undefined) low -= pad;
    if (axis.max === undefined || high === low) high += pad;
  }
  // A margin on fitted ends, so data and reference lines do not sit on the frame.
  const margin = finite.length > 0 ? (high - low) * 0.04 : 0;
  const [lowest, highest] = axis.bounds ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  const step = niceStep((high - low + 2 * margin) / 6);
  if (axis.min === undefined) low = Math.max(lowest, Math.floor((low - margin) / step) * step);
  if (axis.max === undefined) high = Math.min(highest, Math.ceil((high + margin) / step) * step);
  const first = Math.ceil(low / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i * step <= high + step * 1e-9; i++) ticks.push(i === 0 ? 0 : i * step);
  return { min: low, max: high, ticks };
}

/** 1, 2 or 5 times a power of ten, at least `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const unit = rough / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

interface Plot {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function xTicks(scale: Scale, plot: Plot, px: (x: number) => number, axis: ChartAxis): Markup {
  const format = axis.format ?? formatTick;
  return html`<g class="axis axis-x">${scale.ticks.map((t) => {
    const x = fixed(px(t));
    return html`<path d="M${x} ${plot.bottom}v5" stroke="#555"/><text x="${x}" y="${plot.bottom + 18}" text-anchor="middle">${format(t)}</text>`;
  })}</g>`;
}

function yTicks(scale: Scale, plot: Plot, py: (y: number) => number, axis: ChartAxis): Markup {
  const format = axis.format ?? formatTick;
  return html`<g class="axis axis-y">${scale.ticks.map((t) => {
    const y = fixed(py(t));
    return html`<path d="M${plot.left - 5} ${y}H${plot.right}" stroke="#e3e5ea"/><text x="${plot.left - 8}" y="${fixed(py(t) + 4)}" text-anchor="end">${format(t)}</text>`;
  })}</g>`;
}

function legendRows(names: readonly string[]): { rows: number; positions: readonly (readonly [number, number])[] } {
  const positions: [number, number][] = [];
  let x = 64;
  let row = 0;
  for (const name of names) {
    const width = 30 + Math.min(name.length, LABEL_CHARS) * CHAR_WIDTH + 16;
    if (x + width > WIDTH && x > 64) {
      row++;
      x = 64;
    }
    positions.push([x, 14 + row * 18]);
    x += width;
  }
  return { rows: names.length === 0 ? 0 : row + 1, positions };
}

function legendMarkup(
  items: readonly { name: string; color: string; dashed: boolean }[],
  positions: readonly (readonly [number, number])[],
): Markup {
  return html`<g class="legend">${items.map((item, i) => {
    const [x, y] = positions[i] as readonly [number, number];
    return html`<path d="M${x} ${y - 4}h24" stroke="${item.color}" stroke-width="2"${item.dashed ? html` stroke-dasharray="6 4"` : ''}/><text x="${x + 30}" y="${y}">${truncate(item.name, LABEL_CHARS)}</text>`;
  })}</g>`;
}

/** Tick labels: short, with k / M for large magnitudes and no float noise. */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  return trim(value);
}

function trim(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function pathData(coords: readonly (readonly [number, number])[]): string {
  return coords.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${fixed(x)} ${fixed(y)}`).join('');
}

function fixed(value: number): string {
  return value.toFixed(1);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Cut on code points, before escaping, so an entity is never split. */
function truncate(text: string, chars: number): string {
  const points = [...text];
  return points.length <= chars ? text : `${points.slice(0, chars - 1).join('')}…`;
}
