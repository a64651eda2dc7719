/**
 * The report's four charts as inline SVG strings. Every drawn data mark has class "data" so
 * scripts/render-report.mjs can tell data from axes in the browser's DOM.
 */
import type { LatencyStats, TimelineRow } from '../analysis/model.js';
import { compactNumber, formatShare } from './format.js';
import { PLOT, axes, emptyNote, escapeHtml, legend, linear, maxOf, niceMax, niceTicks, px, svgOpen, type PlotArea } from './svg.js';

/** One stacked series of the outcomes chart: which column, its name in the legend, its colour. */
export const OUTCOME_SERIES = [
  { key: 'promoted', label: 'promoted', color: '#2e9d5b' },
  { key: 'failed', label: 'failed (kept, retried)', color: '#d6433b' },
  { key: 'dropped_cold_old', label: 'dropped: cold_old', color: '#8a9bb0' },
  { key: 'dropped_not_accessed', label: 'dropped: cold_not_accessed', color: '#b9c4d2' },
  { key: 'dropped_right_node', label: 'dropped: right_node', color: '#e3a43a' },
  { key: 'dropped_non_lru', label: 'dropped: non_lru', color: '#8d6cc4' },
  { key: 'dropped_offline', label: 'dropped: no range / device', color: '#5a5a5a' },
] as const satisfies ReadonlyArray<{ key: keyof TimelineRow; label: string; color: string }>;

const X_TITLE = 'seconds since the first record';

/** x scale over the pass times, padded by half a slot on each side so the first and last bars fit. */
function timeScale(rows: readonly TimelineRow[]): { x: (v: number) => number; ticks: number[]; slotPx: number } {
  const t0 = rows[0]!.seconds;
  const t1 = rows[rows.length - 1]!.seconds;
  const slot = rows.length > 1 && t1 > t0 ? (t1 - t0) / (rows.length - 1) : 1;
  const d0 = t0 - slot / 2;
  const d1 = t1 + slot / 2;
  const x = linear(d0, d1, PLOT.x0, PLOT.x1);
  // Times count from the first record, so padding never earns a negative tick; one pass gets its own tick only.
  const ticks = rows.length === 1 ? [t0] : niceTicks(d0, d1, 8).filter((t) => t >= Math.max(d0, 0) && t <= d1);
  return { x, ticks, slotPx: x(d0 + slot) - x(d0) };
}

const secondsLabel = (v: number): string => compactNumber(v);

/** (a) Records examined per pass, stacked by outcome: promoted, failed and each drop reason. */
export function outcomesChart(rows: readonly TimelineRow[]): string {
  const title = 'Records examined per migrate pass, by outcome';
  if (rows.length === 0) return svgOpen('chart-outcomes', 0, title) + emptyNote('no migrate passes') + '</svg>';
  const { x, ticks, slotPx } = timeScale(rows);
  const totals = rows.map((r) => OUTCOME_SERIES.reduce((s, o) => s + r[o.key], 0));
  const top = niceMax(maxOf(totals));
  const y = linear(0, top, PLOT.y0, PLOT.y1);
  // Bars leave a gap only when they are wide enough to show one, and a handful of passes does not fill the chart.
  const barW = slotPx >= 4 ? Math.min(slotPx * 0.8, 48) : Math.max(slotPx, 0.6);
  const base = rows.map(() => 0);
  let paths = '';
  for (const s of OUTCOME_SERIES) {
    let d = '';
    rows.forEach((r, i) => {
      const v = r[s.key];
      if (v <= 0) return;
      const yTop = y(base[i]! + v);
      const h = y(base[i]!) - yTop;
      d += `M${px(x(r.seconds) - barW / 2)} ${px(yTop)}h${px(barW)}v${px(h)}h${px(-barW)}z`;
      base[i]! += v;
    });
    if (d !== '') paths += `<path class="data" fill="${s.color}" d="${d}"><title>${escapeHtml(s.label)}</title></path>`;
  }
  const ax = axes({ xTicks: ticks, x, xLabel: secondsLabel, yTicks: niceTicks(0, top, 5), y, xTitle: X_TITLE });
  return svgOpen('chart-outcomes', rows.length, title) + ax + paths + '</svg>';
}

/** Colours of the promotions chart's two panels (the outcome colours of promoted and failed). */
const PROMOTED_COLOR = OUTCOME_SERIES[0].color;
const FAILED_COLOR = OUTCOME_SERIES[1].color;

/** Bars of one column per pass in a plot area, on its own 0..nice-max scale, with that scale's axes. */
function barPanel(
  rows: readonly TimelineRow[],
  key: 'promoted' | 'failed',
  area: PlotArea,
  color: string,
  yTitle: string,
  xTitle: string,
): string {
  const { x, ticks, slotPx } = timeScale(rows);
  const top = niceMax(maxOf(rows.map((r) => r[key])));
  const y = linear(0, top, area.y0, area.y1);
  const barW = slotPx >= 4 ? Math.min(slotPx * 0.8, 48) : Math.max(slotPx, 0.6);
  let d = '';
  for (const r of rows) {
    if (r[key] <= 0) continue;
    const yTop = y(r[key]);
    // A non-zero pass is at least one unit tall, so a pass with one promotion among thousands still shows.
    const h = Math.max(area.y0 - yTop, 1);
    d += `M${px(x(r.seconds) - barW / 2)} ${px(area.y0 - h)}h${px(barW)}v${px(h)}h${px(-barW)}z`;
  }
  const ax = axes({ xTicks: ticks, x, xLabel: secondsLabel, yTicks: niceTicks(0, top, 4), y, xTitle, plot: area, yTitle, yTitleColor: color });
  const title = key === 'promoted' ? 'promoted' : 'failed (kept, retried)';
  return ax + (d === '' ? '' : `<path class="data" fill="${color}" d="${d}"><title>${escapeHtml(title)}</title></path>`);
}

/**
 * (a) Promotions per pass on their own scale, and, when any migration failed (a budgeted node was short of free
 * pages), the failures in a second panel under it on theirs: with a budget, a pass fails thousands of candidates
 * and promotes a few, and one shared scale would draw the promotions flat on the axis.
 */
export function promotionsChart(rows: readonly TimelineRow[]): string {
  const title = 'Promotions and failed migrations per migrate pass';
  if (rows.length === 0) return svgOpen('chart-promotions', 0, title) + emptyNote('no migrate passes') + '</svg>';
  const failures = rows.some((r) => r.failed > 0);
  if (!failures) {
    const area: PlotArea = { ...PLOT, y1: PLOT.y1 + 16 };
    return svgOpen('chart-promotions', rows.length, title) + barPanel(rows, 'promoted', area, PROMOTED_COLOR, 'promoted per pass', X_TITLE) + '</svg>';
  }
  const upper: PlotArea = { x0: PLOT.x0, x1: PLOT.x1, y1: 30, y0: 170 };
  const lower: PlotArea = { x0: PLOT.x0, x1: PLOT.x1, y1: 222, y0: 362 };
  return (
    svgOpen('chart-promotions', rows.length, title, 402) +
    barPanel(rows, 'promoted', upper, PROMOTED_COLOR, 'promoted per pass', '') +
    barPanel(rows, 'failed', lower, FAILED_COLOR, 'failed per pass (candidates kept and retried)', X_TITLE) +
    '</svg>'
  );
}

/**
 * Polyline path through the points, broken where a value is null. A point alone between gaps becomes a
 * zero-length segment, which the round line cap (see the report's CSS) draws as a dot.
 */
function linePath(points: ReadonlyArray<readonly [number, number | null]>): string {
  let d = '';
  let run = 0;
  for (const [x, y] of points) {
    if (y === null) {
      if (run === 1) d += 'h0';
      run = 0;
      continue;
    }
    d += `${run > 0 ? 'L' : 'M'}${px(x)} ${px(y)}`;
    run++;
  }
  if (run === 1) d += 'h0';
  return d;
}

/** Dots on every point when there are few, so a single pass or a broken line still shows. */
function markers(points: ReadonlyArray<readonly [number, number | null]>, color: string): string {
  if (points.length > 60) return '';
  return points
    .filter((p): p is readonly [number, number] => p[1] !== null)
    .map(([x, y]) => `<circle class="data" cx="${px(x)}" cy="${px(y)}" r="3.5" fill="${color}"/>`)
    .join('');
}

/** Colours of the bounds on the share chart. */
const INSTANT_COLOR = '#8d6cc4';
const STATIC_COLOR = '#e07b24';

/**
 * (b) The share of accesses that hit a top-tier page, per pass, on a 0..100% scale; `overall` as a dashed line.
 * Issue 12: with the bounds, the instant bound per pass as a second line (when the rows carry it) and the
 * whole-trace static bound as a dashed line (a placement chosen with hindsight over the whole trace has no
 * per-pass value).
 */
export function shareChart(rows: readonly TimelineRow[], overall: number | null, staticBound: number | null = null): string {
  const title = 'Fast-tier share of accesses';
  const drawn = rows.filter((r) => r.fast_tier_share !== null).length;
  if (drawn === 0) return svgOpen('chart-share', 0, title) + emptyNote('no accesses') + '</svg>';
  const { x, ticks } = timeScale(rows);
  const y = linear(0, 1, PLOT.y0, PLOT.y1);
  const pts = rows.map((r) => [x(r.seconds), r.fast_tier_share === null ? null : y(r.fast_tier_share)] as const);
  const color = '#2f6fd6';
  let out = svgOpen('chart-share', drawn, title);
  out += axes({
    xTicks: ticks,
    x,
    xLabel: secondsLabel,
    yTicks: [0, 0.25, 0.5, 0.75, 1],
    y,
    yLabel: (v) => `${v * 100}%`,
    xTitle: X_TITLE,
  });
  if (overall !== null) {
    const oy = px(y(overall));
    out += `<line class="ref" x1="${PLOT.x0}" x2="${PLOT.x1}" y1="${oy}" y2="${oy}"/>`;
    out += `<text class="ref-label" x="${PLOT.x1 - 4}" y="${px(y(overall) - 6)}" text-anchor="end">whole trace ${escapeHtml(formatShare(overall))}</text>`;
  }
  if (staticBound !== null) {
    const sy = px(y(staticBound));
    out += `<line class="ref" style="stroke:${STATIC_COLOR}" x1="${PLOT.x0}" x2="${PLOT.x1}" y1="${sy}" y2="${sy}"/>`;
    out += `<text class="ref-label" x="${PLOT.x0 + 4}" y="${px(y(staticBound) - 6)}">static bound ${escapeHtml(formatShare(staticBound))}</text>`;
  }
  if (rows.some((r) => r.instant_bound !== undefined)) {
    const ipts = rows.map((r) => [x(r.seconds), r.instant_bound == null ? null : y(r.instant_bound)] as const);
    out += `<path class="data line" stroke="${INSTANT_COLOR}" d="${linePath(ipts)}"/>` + markers(ipts, INSTANT_COLOR);
  }
  out += `<path class="data line" stroke="${color}" d="${linePath(pts)}"/>` + markers(pts, color);
  return out + '</svg>';
}

/** Series of the tracked-records chart. */
export const TRACKED_SERIES = [
  { key: 'tracked_peak', label: 'records tracked at the peak, when the pass began', color: '#7a4fc4' },
  { key: 'tracked_after', label: 'records tracked after the pass', color: '#2f6fd6' },
  { key: 'unexamined_after', label: 'records whose hot_node has no daemon', color: '#e07b24' },
] as const satisfies ReadonlyArray<{ key: keyof TimelineRow; label: string; color: string }>;

/**
 * (c) Records in the hash table at their peak (just before each pass) and after it, and how many of them no daemon
 * will ever examine. When passes promote or drop every record, the count after the pass is 0 and only the peak
 * shows what the table holds.
 */
export function trackedChart(rows: readonly TimelineRow[]): string {
  const title = 'Records tracked and never examined';
  if (rows.length === 0) return svgOpen('chart-tracked', 0, title) + emptyNote('no migrate passes') + '</svg>';
  const { x, ticks } = timeScale(rows);
  const top = niceMax(maxOf(rows.map((r) => Math.max(r.tracked_peak, r.tracked_after, r.unexamined_after))));
  const y = linear(0, top, PLOT.y0, PLOT.y1);
  let out = svgOpen('chart-tracked', rows.length, title);
  out += axes({ xTicks: ticks, x, xLabel: secondsLabel, yTicks: niceTicks(0, top, 5), y, xTitle: X_TITLE });
  for (const s of TRACKED_SERIES) {
    const pts = rows.map((r) => [x(r.seconds), y(r[s.key])] as const);
    out += `<path class="data line" stroke="${s.color}" d="${linePath(pts)}"/>` + markers(pts, s.color);
  }
  return out + '</svg>';
}

/** "≤ 0.5 ms", "≤ 12 ms", "≤ 1.2 s": the upper bound of a latency bucket. */
function latencyLabel(ms: number): string {
  return ms >= 1000 ? `≤${compactNumber(ms / 1000)} s` : `≤${compactNumber(ms)} ms`;
}

/** (d) Promotion latency histogram: one bar per log-spaced bucket, labelled by its upper bound. */
export function latencyChart(latency: LatencyStats): string {
  const title = 'Promotion latency (first access to promotion)';
  const h = latency.histogram;
  if (h.length === 0) return svgOpen('chart-latency', 0, title) + emptyNote('no promotions') + '</svg>';
  const band = (PLOT.x1 - PLOT.x0) / h.length;
  const barW = band >= 4 ? band * 0.8 : band;
  const top = niceMax(maxOf(h.map((b) => b.count)));
  const y = linear(0, top, PLOT.y0, PLOT.y1);
  const every = Math.ceil(h.length / 12);
  const bandX = (i: number): number => PLOT.x0 + band * (i + 0.5);
  let out = svgOpen('chart-latency', h.length, title);
  out += axes({
    xTicks: h.map((_, i) => i).filter((i) => i % every === 0),
    x: bandX,
    xLabel: (i) => latencyLabel(h[i]!.le_ms),
    yTicks: niceTicks(0, top, 5),
    y,
    xTitle: 'promotion latency (bucket upper bound)',
  });
  h.forEach((b, i) => {
    if (b.count <= 0) return;
    const yTop = y(b.count);
    out +=
      `<rect class="data" x="${px(bandX(i) - barW / 2)}" y="${px(yTop)}" width="${px(barW)}" height="${px(PLOT.y0 - yTop)}" fill="#2f6fd6">` +
      `<title>${escapeHtml(`${latencyLabel(b.le_ms)}: ${b.count}`)}</title></rect>`;
  });
  return out + '</svg>';
}

/** Legends for the charts, shown above each svg. */
export const LEGENDS = {
  promotions: legend(OUTCOME_SERIES.slice(0, 2)),
  promotedOnly: legend(OUTCOME_SERIES.slice(0, 1)),
  outcomes: legend(OUTCOME_SERIES),
  share: legend([{ label: 'fast-tier share per pass', color: '#2f6fd6', line: true }]),
  /** Issue 12: the share chart with its bounds. */
  shareBounds: legend([
    { label: 'fast-tier share per pass', color: '#2f6fd6', line: true },
    { label: 'instant bound per pass', color: INSTANT_COLOR, line: true },
    { label: 'static bound, whole trace', color: STATIC_COLOR, line: true },
  ]),
  tracked: legend(TRACKED_SERIES.map((s) => ({ ...s, line: true }))),
} as const;
