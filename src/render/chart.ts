/**
 * The terminal chart under `--timeline` (table format): promotions per time slot and the fast-tier share as two
 * block-character sparklines, fitted to the terminal width. Colour only decorates; at level 0 the text is the same.
 */
import type { ChalkInstance } from 'chalk';
import type { TimelineRow } from '../analysis/model.js';
import { shareOf, sumByTime } from './aggregate.js';
import { compactNumber, formatSeconds } from './format.js';

/** Width used when the caller does not know the terminal's (not a TTY, no COLUMNS). */
export const DEFAULT_CHART_WIDTH = 80;

/** Eighths of a cell, lowest to full. */
const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** A piece of a line: plain text and how to colour it. */
type Part = readonly [text: string, style?: (s: string) => string];

/** Joins parts, cutting the plain text at width columns before colouring, so escapes never count or get cut. */
function fit(parts: readonly Part[], width: number): string {
  let left = width;
  let out = '';
  for (const [text, style] of parts) {
    if (left <= 0) break;
    const chars = Array.from(text);
    const cut = chars.length > left ? chars.slice(0, left).join('') : text;
    left -= Math.min(chars.length, left);
    out += style ? style(cut) : cut;
  }
  return out.trimEnd();
}

/** Per-slot sums: promotions, and accesses for the share. */
interface Slot {
  passes: number;
  promoted: number;
  accesses: number;
  toptier: number;
  /** Issue 12: instant-bound hits (null when the replay did not collect the bounds). */
  instant: number | null;
}

/** Cell for a promotion count: blank for none, else one to eight eighths (a non-zero slot never looks empty). */
function barCell(v: number, max: number): string {
  if (v <= 0 || max <= 0) return ' ';
  return BLOCKS[Math.min(7, Math.ceil((v / max) * 8) - 1)]!;
}

/** Cell for a share: blank when the slot had no accesses, ▁ for 0 .. █ for 1. */
function shareCell(share: number | null): string {
  if (share === null) return ' ';
  return BLOCKS[Math.min(7, Math.floor(share * 8))]!;
}

/** The smallest positive gap between consecutive pass times (0 for one pass): the migrate period, or a multiple. */
function shortestGap(passes: readonly TimelineRow[]): number {
  let gap = Infinity;
  for (let i = 1; i < passes.length; i++) {
    const d = passes[i]!.seconds - passes[i - 1]!.seconds;
    if (d > 0 && d < gap) gap = d;
  }
  return Number.isFinite(gap) ? gap : 0;
}

/**
 * Renders the chart in at most `width` columns (DEFAULT_CHART_WIDTH when width is not a positive number).
 * Rows of several nodes are summed per pass. The time axis is a grid: with `bucketSeconds` (`--bucket`) the
 * buckets themselves ([k*s, (k+1)*s), as bucketRows merges them), else steps of the shortest gap between passes
 * (the migrate period). Consecutive grid steps are grouped into slots so the slots fit; a slot is blank only when
 * no pass in it had an access (or a promotion), never because passes and slots are out of step.
 */
export function renderTerminalChart(rows: readonly TimelineRow[], width: number, color: ChalkInstance, bucketSeconds = 0): string {
  const w = Number.isFinite(width) && width >= 1 ? Math.floor(width) : DEFAULT_CHART_WIDTH;
  const passes = sumByTime(rows);
  if (passes.length === 0) return fit([['timeline chart: no migrate passes', color.dim]], w) + '\n';

  const t0 = passes[0]!.seconds;
  const span = passes[passes.length - 1]!.seconds - t0;
  const bucketed = Number.isFinite(bucketSeconds) && bucketSeconds > 0;
  const step = bucketed ? bucketSeconds : shortestGap(passes);
  // The epsilon keeps 0.3 s in bucket 3 of 0.1 s, as in bucketRows.
  const k0 = bucketed ? Math.floor(t0 / step + 1e-9) : 0;
  const gridIndex = (s: number): number =>
    step <= 0 ? 0 : bucketed ? Math.floor(s / step + 1e-9) - k0 : Math.round((s - t0) / step);
  const gridCount = gridIndex(t0 + span) + 1;
  const maxLabelLen = 6; // "999.5k" / "100%": compactNumber never needs more
  const gutter = w >= maxLabelLen + 1 + 8 ? maxLabelLen + 1 : 0;
  const plot = w - gutter;
  const perSlot = Math.ceil(gridCount / plot);
  const slotCount = Math.ceil(gridCount / perSlot);
  const slots: Slot[] = Array.from({ length: slotCount }, () => ({ passes: 0, promoted: 0, accesses: 0, toptier: 0, instant: null as number | null }));
  for (const p of passes) {
    const s = slots[Math.min(slotCount - 1, Math.floor(gridIndex(p.seconds) / perSlot))]!;
    s.passes++;
    s.promoted += p.promoted;
    s.accesses += p.accesses;
    s.toptier += p.toptier_accesses;
    if (p.instant_hits !== undefined) s.instant = (s.instant ?? 0) + p.instant_hits;
  }
  // Few slots are widened to fill the plot, so 3 passes still read as a chart.
  const cellWidth = Math.max(1, Math.floor(plot / slotCount));
  const max = Math.max(0, ...slots.map((s) => s.promoted));
  const promoLine = slots.map((s) => barCell(s.promoted, max).repeat(cellWidth)).join('');
  const shareLine = slots.map((s) => shareCell(shareOf(s.toptier, s.accesses)).repeat(cellWidth)).join('');
  const pad = (label: string): string => (gutter === 0 ? '' : label.padStart(gutter - 1) + ' ');

  const slotText =
    step <= 0 ? '' : ` per ${formatSeconds(perSlot * step)} ${bucketed && perSlot === 1 ? 'bucket' : 'slot'}`;
  const lines: string[] = [];
  lines.push(fit([[`promotions${slotText} (max ${compactNumber(max)})`, color.bold]], w));
  lines.push(fit([[pad(compactNumber(max)), color.dim], [promoLine, color.green]], w));
  lines.push(fit([['fast-tier share (▁ 0% .. █ 100%, blank: no accesses)', color.bold]], w));
  lines.push(fit([[pad('100%'), color.dim], [shareLine, color.cyan]], w));
  if (slots.some((s) => s.instant !== null)) {
    // Issue 12: the same slots' instant bound (promote every slow page on first touch), on the same scale.
    const boundLine = slots.map((s) => shareCell(s.instant === null ? null : shareOf(s.instant, s.accesses)).repeat(cellWidth)).join('');
    lines.push(fit([['instant bound (▁ 0% .. █ 100%)', color.bold]], w));
    lines.push(fit([[pad('100%'), color.dim], [boundLine, color.magenta]], w));
  }

  // Time axis under the plot: the first pass's time at the left, the last's at the right end of the bars.
  const start = formatSeconds(t0);
  const end = formatSeconds(t0 + span);
  const used = Math.min(plot, cellWidth * slotCount);
  const gap = used - start.length - end.length;
  const axis = span > 0 && gap >= 1 ? start + ' '.repeat(gap) + end : start;
  lines.push(fit([[pad(''), undefined], [axis, color.dim]], w));
  return lines.join('\n') + '\n';
}
