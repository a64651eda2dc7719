/** `--timeline` in the table format: one line per migrate pass (or bucket) and node, as a table (render/draw-table.ts). */
import type { ChalkInstance } from 'chalk';
import type { TimelineRow } from '../analysis/model.js';
import { COMPACT_CHARS } from '../report/table.js';
import { aggregateRows, droppedOf } from './aggregate.js';
import { fitTable, type FitColumn } from './fit-table.js';
import { fractionOf } from '../analysis/bounds.js';
import { formatShare } from './format.js';

/**
 * The columns, with the short headers and the order in which they are left out on a narrow terminal: first what
 * other columns imply (candidates = promoted + failed), then the accesses the engine ignored (the summary and a
 * warning give their total), then the table state after the pass.
 */
const COLUMNS: readonly FitColumn[] = [
  { head: 'seconds', short: 'sec', align: 'right' },
  { head: 'node', align: 'left' },
  { head: 'examined', short: 'exam', align: 'right' },
  { head: 'candidates', short: 'cand', align: 'right', drop: 1 },
  { head: 'promoted', short: 'promo', align: 'right' },
  { head: 'failed', short: 'fail', align: 'right' },
  { head: 'dropped', short: 'drop', align: 'right' },
  { head: 'accesses', short: 'acc', align: 'right' },
  { head: 'ignored', short: 'ign', align: 'right', drop: 2 },
  { head: 'fast tier', short: 'fast', align: 'right' },
  // Issue 12: the row's instant bound and the share as a fraction of it (only when the replay collected the bounds).
  { head: 'instant', short: 'inst', align: 'right', drop: 7 },
  { head: 'of inst.', short: 'of i', align: 'right', drop: 6 },
  { head: 'peak tracked', short: 'peak', align: 'right', drop: 5 },
  { head: 'tracked', short: 'trk', align: 'right', drop: 4 },
  { head: 'unexamined', short: 'unex', align: 'right', drop: 3 },
];

/** Node -1 collects accesses to nodes without a daemon; it has no pass work of its own. */
function nodeLabel(node: number): string {
  return node === -1 ? 'none' : String(node);
}

/**
 * Renders rows as a table, fitted to `width` columns when given (a terminal). With more than maxRows rows,
 * consecutive passes are merged (sums kept exact) so at most maxRows lines show, and a note under the table says so.
 */
export function renderTimelineTable(rows: readonly TimelineRow[], color: ChalkInstance, maxRows = 40, width?: number): string {
  const shown = rows.length > maxRows ? aggregateRows(rows, maxRows) : rows;
  const dim = (n: number): string => (n === 0 ? color.dim('0') : String(n));
  const bounds = rows.length > 0 && rows[0]!.instant_hits !== undefined;
  const columns = bounds ? COLUMNS : COLUMNS.filter((c) => c.head !== 'instant' && c.head !== 'of inst.');
  const na = color.dim('n/a');
  const cells = shown.map((r) => [
    r.seconds.toFixed(3),
    nodeLabel(r.node),
    dim(r.examined),
    dim(r.candidates),
    r.promoted > 0 ? color.green(String(r.promoted)) : color.dim('0'),
    r.failed > 0 ? color.red(String(r.failed)) : color.dim('0'),
    dim(droppedOf(r)),
    dim(r.accesses),
    r.ignored_accesses > 0 ? color.yellow(String(r.ignored_accesses)) : color.dim('0'),
    r.fast_tier_share === null ? na : formatShare(r.fast_tier_share),
    ...(bounds ? [r.instant_bound == null ? na : formatShare(r.instant_bound), formatShare(fractionOf(r.fast_tier_share, r.instant_bound ?? null))] : []),
    String(r.tracked_peak),
    String(r.tracked_after),
    dim(r.unexamined_after),
  ]);
  const seeAll = 'a wider terminal, --timeline-csv or --format json shows all';
  let out = fitTable(columns, cells, { width, color, chars: COMPACT_CHARS, seeAll }) + '\n';
  if (rows.length === 0) out += color.dim('no migrate passes') + '\n';
  if (shown.length < rows.length) {
    const note = `${shown.length} of ${rows.length} rows shown; use --timeline-csv for all (consecutive passes merged)`;
    out += color.dim(note) + '\n';
  }
  return out;
}
