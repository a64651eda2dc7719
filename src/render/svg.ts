/** SVG and HTML building blocks for the report: escaping, scales, nice ticks and axes, all as strings. */
import { compactNumber } from './format.js';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A coordinate with one decimal: enough for screen pixels, and it keeps big charts small. */
export function px(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

/** Drawing area of every chart, in viewBox units (the svg scales to the page width). */
export const FRAME = { width: 1000, height: 280, left: 64, right: 20, top: 14, bottom: 40 } as const;

/** Left and right, top and bottom of the plot area. */
export const PLOT = {
  x0: FRAME.left,
  x1: FRAME.width - FRAME.right,
  y0: FRAME.height - FRAME.bottom,
  y1: FRAME.top,
} as const;

/** A linear map from data values to viewBox units; a zero-length domain maps to the middle. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Round tick values (steps of 1, 2 or 5 times a power of ten) covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  const first = Math.ceil(min / step - 1e-9) * step;
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** The smallest nice value >= max, so the top gridline sits at or above the highest point. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const ticks = niceTicks(0, max, 4);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : max;
  const top = ticks[ticks.length - 1]!;
  return top >= max ? top : Number((top + step).toPrecision(12));
}

/** A plot area in viewBox units: left and right, bottom (y0) and top (y1). */
export interface PlotArea {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** Options for `axes`. */
export interface AxesOptions {
  readonly xTicks: readonly number[];
  readonly x: (v: number) => number;
  readonly xLabel: (v: number) => string;
  readonly yTicks: readonly number[];
  readonly y: (v: number) => number;
  readonly yLabel?: (v: number) => string;
  /** Axis title under the x ticks ('' for none). */
  readonly xTitle: string;
  /** Plot area (default PLOT); the x title goes 36 units under its bottom. */
  readonly plot?: PlotArea;
  /** Title of the y axis, written above the top gridline at the left; its colour, when given. */
  readonly yTitle?: string;
  readonly yTitleColor?: string;
}

/** Horizontal gridlines with y tick labels, the x axis line with tick marks and labels, and the x title. */
export function axes(o: AxesOptions): string {
  const yLabel = o.yLabel ?? compactNumber;
  const p = o.plot ?? PLOT;
  let out = '<g class="axes">';
  for (const t of o.yTicks) {
    const y = px(o.y(t));
    out += `<line class="grid" x1="${p.x0}" x2="${p.x1}" y1="${y}" y2="${y}"/>`;
    out += `<text class="tick" x="${p.x0 - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(yLabel(t))}</text>`;
  }
  out += `<line class="axis" x1="${p.x0}" x2="${p.x1}" y1="${p.y0}" y2="${p.y0}"/>`;
  for (const t of o.xTicks) {
    const x = px(o.x(t));
    out += `<line class="axis" x1="${x}" x2="${x}" y1="${p.y0}" y2="${p.y0 + 5}"/>`;
    out += `<text class="tick" x="${x}" y="${p.y0 + 18}" text-anchor="middle">${escapeHtml(o.xLabel(t))}</text>`;
  }
  if (o.xTitle !== '') {
    out += `<text class="axis-title" x="${p.x1}" y="${p.y0 + 36}" text-anchor="end">${escapeHtml(o.xTitle)}</text>`;
  }
  if (o.yTitle !== undefined) {
    const fill = o.yTitleColor === undefined ? '' : ` style="fill:${escapeHtml(o.yTitleColor)}"`;
    out += `<text class="axis-title y-title" x="${p.x0 + 6}" y="${px(p.y1 - 4)}"${fill}>${escapeHtml(o.yTitle)}</text>`;
  }
  return out + '</g>';
}

/** Opens a chart's svg: its id, how many data points it draws, and an accessible title; `height` in viewBox units. */
export function svgOpen(id: string, points: number, title: string, height: number = FRAME.height): string {
  return (
    `<svg id="${escapeHtml(id)}" data-points="${points}" class="chart" viewBox="0 0 ${FRAME.width} ${height}"` +
    ` role="img" aria-label="${escapeHtml(title)}">`
  );
}

/** A centred note in an empty chart. */
export function emptyNote(text: string): string {
  return `<text class="empty" x="${FRAME.width / 2}" y="${FRAME.height / 2}" text-anchor="middle">${escapeHtml(text)}</text>`;
}

/** A legend under a chart title: coloured swatches (filled, or a line) with names. */
export function legend(items: ReadonlyArray<{ readonly label: string; readonly color: string; readonly line?: boolean }>): string {
  const spans = items.map(
    (i) =>
      `<span class="key"><span class="swatch${i.line ? ' line' : ''}" style="--c:${escapeHtml(i.color)}"></span>${escapeHtml(i.label)}</span>`,
  );
  return `<div class="legend">${spans.join('')}</div>`;
}

/** Largest value (0 for none); a loop, since spreading a long array into Math.max overflows the stack. */
export function maxOf(values: Iterable<number>): number {
  let m = 0;
  for (const v of values) if (v > m) m = v;
  return m;
}
