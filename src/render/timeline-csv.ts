/** `--timeline-csv FILE`: the timeline as CSV, one line per row, every column of the data model. */
import type { TimelineRow } from '../analysis/model.js';
import { COUNT_COLUMNS } from './aggregate.js';

/** Columns before the per-node free_pages columns, in file order: time, node, the counts, then the states. */
export const TIMELINE_CSV_COLUMNS = [
  'time',
  'seconds',
  'node',
  ...COUNT_COLUMNS,
  'fast_tier_share',
  'tracked_peak',
  'tracked_after',
  'unexamined_after',
] as const;

/** Issue 12: the per-row instant bound's columns, after the fixed ones when the replay collected the bounds. */
export const TIMELINE_CSV_BOUND_COLUMNS = ['instant_hits', 'instant_bound'] as const;

/**
 * The header line (with its newline): the fixed columns, the bound columns when `bounds`, then
 * free_pages_node<N> for each budgeted node.
 */
export function timelineCsvHeader(budgetNodes: readonly number[], bounds = false): string {
  const cols: string[] = [...TIMELINE_CSV_COLUMNS, ...(bounds ? TIMELINE_CSV_BOUND_COLUMNS : [])];
  return [...cols, ...budgetNodes.map((n) => `free_pages_node${n}`)].join(',') + '\n';
}

function csvLine(r: TimelineRow, budgetNodes: readonly number[], bounds: boolean): string {
  const fields: string[] = [
    String(r.time),
    r.seconds.toFixed(3),
    String(r.node),
    String(r.examined),
    String(r.candidates),
    String(r.promoted),
    String(r.failed),
    String(r.dropped_cold_old),
    String(r.dropped_not_accessed),
    String(r.dropped_right_node),
    String(r.dropped_non_lru),
    String(r.dropped_offline),
    String(r.accesses),
    String(r.toptier_accesses),
    String(r.ignored_accesses),
    r.fast_tier_share === null ? '' : r.fast_tier_share.toFixed(6),
    String(r.tracked_peak),
    String(r.tracked_after),
    String(r.unexamined_after),
  ];
  if (bounds) {
    fields.push(r.instant_hits === undefined ? '' : String(r.instant_hits));
    fields.push(r.instant_bound === undefined || r.instant_bound === null ? '' : r.instant_bound.toFixed(6));
  }
  // A node without a value in this row (e.g. the node -1 access-only row) leaves its cell empty.
  for (const n of budgetNodes) {
    const v = r.free_pages[String(n)];
    fields.push(v === undefined ? '' : String(v));
  }
  return fields.join(',') + '\n';
}

/** The data lines (each ending in a newline) for rows; no quoting is needed, every field is a number. */
export function timelineCsvRows(rows: readonly TimelineRow[], budgetNodes: readonly number[], bounds = false): string {
  let out = '';
  for (const r of rows) out += csvLine(r, budgetNodes, bounds);
  return out;
}
