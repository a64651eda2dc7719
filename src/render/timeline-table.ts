/** `--timeline` in the table format: one line per migrate pass (or bucket) and node, as a cli-table3 table. */
import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { TimelineRow } from '../analysis/model.js';
import { COMPACT_CHARS } from '../report/table.js';
import { aggregateRows, droppedOf } from './aggregate.js';
import { formatShare } from './format.js';


const HEAD = [
  'seconds',
  'node',
  'examined',
  'candidates',
  'promoted',
  'failed',
  'dropped',
  'accesses',
  'fast tier',
  'tracked',
  'unexamined',
] as const;

/** Node -1 collects accesses to nodes without a daemon; it has no pass work of its own. */
function nodeLabel(node: number): string {
  return node === -1 ? 'none' : String(node);
}

/**
 * Renders rows as a table. With more than maxRows rows, consecutive passes are merged (sums kept exact) so at
 * most maxRows lines show, and a note under the table says so.
 */
export function renderTimelineTable(rows: readonly TimelineRow[], color: ChalkInstance, maxRows = 40): string {
  const shown = rows.length > maxRows ? aggregateRows(rows, maxRows) : rows;
  const table = new Table({
    head: HEAD.map((h) => color.bold(h)),
    style: { head: [], border: [] },
    chars: COMPACT_CHARS,
    colAligns: HEAD.map((h) => (h === 'node' ? 'left' : 'right')),
  });
  const dim = (n: number): string => (n === 0 ? color.dim('0') : String(n));
  for (const r of shown) {
    table.push([
      r.seconds.toFixed(3),
      nodeLabel(r.node),
      dim(r.examined),
      dim(r.candidates),
      r.promoted > 0 ? color.green(String(r.promoted)) : color.dim('0'),
      r.failed > 0 ? color.red(String(r.failed)) : color.dim('0'),
      dim(droppedOf(r)),
      dim(r.accesses),
      r.fast_tier_share === null ? color.dim('n/a') : formatShare(r.fast_tier_share),
      String(r.tracked_after),
      dim(r.unexamined_after),
    ]);
  }
  let out = table.toString() + '\n';
  if (rows.length === 0) out += color.dim('no migrate passes') + '\n';
  if (shown.length < rows.length) {
    const note = `${shown.length} of ${rows.length} rows shown; use --timeline-csv for all (consecutive passes merged)`;
    out += color.dim(note) + '\n';
  }
  return out;
}
