/**
 * Merging timeline rows: fewer rows for tables, charts and `--bucket SECONDS`, with every count column's sum
 * kept exact. Pure functions over the data model of src/analysis/model.ts.
 */
import { UsageError } from '../errors.js';
import type { TimelineRow } from '../analysis/model.js';

/** `node` of a row summed over all nodes of its pass (a renderer-only marker; the model uses -1 for "no daemon"). */
export const ALL_NODES = -2;

/** The columns that are counts: merged rows sum them. */
export const COUNT_COLUMNS = [
  'examined',
  'candidates',
  'promoted',
  'failed',
  'dropped_cold_old',
  'dropped_not_accessed',
  'dropped_right_node',
  'dropped_non_lru',
  'dropped_offline',
  'accesses',
  'toptier_accesses',
  'ignored_accesses',
] as const;

/** A count column's name. */
export type CountColumn = (typeof COUNT_COLUMNS)[number];

type MutableRow = { -readonly [K in keyof TimelineRow]: TimelineRow[K] };

/** toptier_accesses / accesses, null without accesses (the model's definition of fast_tier_share). */
export function shareOf(toptier: number, accesses: number): number | null {
  return accesses > 0 ? toptier / accesses : null;
}

function emptyRow(first: TimelineRow, node: number): MutableRow {
  return {
    time: first.time,
    seconds: first.seconds,
    node,
    examined: 0,
    candidates: 0,
    promoted: 0,
    failed: 0,
    dropped_cold_old: 0,
    dropped_not_accessed: 0,
    dropped_right_node: 0,
    dropped_non_lru: 0,
    dropped_offline: 0,
    accesses: 0,
    toptier_accesses: 0,
    ignored_accesses: 0,
    fast_tier_share: null,
    tracked_peak: 0,
    ...(first.instant_hits !== undefined ? { instant_hits: 0 } : {}),
    tracked_after: 0,
    unexamined_after: 0,
    free_pages: {},
  };
}

function addCounts(into: MutableRow, row: TimelineRow): void {
  for (const c of COUNT_COLUMNS) into[c] += row[c];
  // Issue 12 (bounds): instant_hits is a count too, absent when the bounds were not collected.
  if (into.instant_hits !== undefined && row.instant_hits !== undefined) into.instant_hits += row.instant_hits;
}

/** The row's ratios recomputed from its sums: fast_tier_share, and the instant bound. */
function setShares(row: MutableRow): void {
  row.fast_tier_share = shareOf(row.toptier_accesses, row.accesses);
  if (row.instant_hits !== undefined) row.instant_bound = shareOf(row.instant_hits, row.accesses);
}

/**
 * Merges consecutive rows of one node into one: counts are summed, time/seconds and the "after the pass"
 * columns (tracked_after, unexamined_after, free_pages) are the last row's, tracked_peak is the largest, the share
 * is recomputed from the sums.
 */
export function mergeRows(rows: readonly TimelineRow[]): TimelineRow {
  const first = rows[0];
  if (first === undefined) throw new RangeError('mergeRows: no rows');
  const out = emptyRow(first, first.node);
  for (const r of rows) {
    addCounts(out, r);
    out.tracked_peak = Math.max(out.tracked_peak, r.tracked_peak);
  }
  const last = rows[rows.length - 1]!;
  out.time = last.time;
  out.seconds = last.seconds;
  out.tracked_after = last.tracked_after;
  out.unexamined_after = last.unexamined_after;
  out.free_pages = last.free_pages;
  setShares(out);
  return out;
}

/** Splits rows into runs of equal `time` (one run per migrate pass), keeping input order. */
function passes(rows: readonly TimelineRow[]): TimelineRow[][] {
  const out: TimelineRow[][] = [];
  let run: TimelineRow[] = [];
  for (const r of rows) {
    if (run.length > 0 && run[0]!.time !== r.time) {
      out.push(run);
      run = [];
    }
    run.push(r);
  }
  if (run.length > 0) out.push(run);
  return out;
}

/** Merges the rows of consecutive groups of passes node by node; nodes keep their first-seen order. */
function mergeGroups(groups: readonly (readonly TimelineRow[])[]): TimelineRow[] {
  const out: TimelineRow[] = [];
  for (const group of groups) {
    const byNode = new Map<number, TimelineRow[]>();
    for (const r of group) {
      const list = byNode.get(r.node);
      if (list === undefined) byNode.set(r.node, [r]);
      else list.push(r);
    }
    for (const list of byNode.values()) out.push(list.length === 1 ? list[0]! : mergeRows(list));
  }
  return out;
}

/**
 * Merges consecutive passes (each node on its own) so at most maxRows rows remain; every node keeps at
 * least one row, so with more nodes than maxRows the result has one row per node. Rows must be in time order.
 */
export function aggregateRows(rows: readonly TimelineRow[], maxRows: number): TimelineRow[] {
  if (rows.length <= maxRows) return rows.slice();
  const runs = passes(rows);
  const nodes = new Set(rows.map((r) => r.node)).size;
  const groupsWanted = Math.max(1, Math.floor(maxRows / nodes));
  const perGroup = Math.ceil(runs.length / groupsWanted);
  const groups: TimelineRow[][] = [];
  for (let i = 0; i < runs.length; i += perGroup) groups.push(runs.slice(i, i + perGroup).flat());
  return mergeGroups(groups);
}

/**
 * `--bucket SECONDS`: merges the passes whose `seconds` fall into the same [k*s, (k+1)*s) bucket, node by node.
 * A merged row carries the time of the last pass in its bucket, as the model documents.
 */
export function bucketRows(rows: readonly TimelineRow[], bucketSeconds: number): TimelineRow[] {
  if (!Number.isFinite(bucketSeconds) || bucketSeconds <= 0) {
    throw new UsageError(`--bucket must be a positive number of seconds, got ${JSON.stringify(bucketSeconds)}`);
  }
  const groups: TimelineRow[][] = [];
  let current = -1;
  for (const r of rows) {
    // The epsilon keeps 0.3 s in bucket 3 of 0.1 s, which plain floating division puts in bucket 2.
    const k = Math.floor(r.seconds / bucketSeconds + 1e-9);
    if (groups.length === 0 || k !== current) {
      groups.push([]);
      current = k;
    }
    groups[groups.length - 1]!.push(r);
  }
  return mergeGroups(groups);
}

/**
 * One row per pass summed over its nodes (node = ALL_NODES), for charts of the whole machine. tracked_peak,
 * tracked_after and unexamined_after are per pass, not per node, so the largest value of the pass is kept instead
 * of a sum.
 */
export function sumByTime(rows: readonly TimelineRow[]): TimelineRow[] {
  const out: TimelineRow[] = [];
  for (const run of passes(rows)) {
    const sum = emptyRow(run[0]!, ALL_NODES);
    const free: Record<string, number> = {};
    for (const r of run) {
      addCounts(sum, r);
      sum.tracked_peak = Math.max(sum.tracked_peak, r.tracked_peak);
      sum.tracked_after = Math.max(sum.tracked_after, r.tracked_after);
      sum.unexamined_after = Math.max(sum.unexamined_after, r.unexamined_after);
      Object.assign(free, r.free_pages);
    }
    sum.free_pages = free;
    setShares(sum);
    out.push(sum);
  }
  return out;
}

/**
 * The same rows as `aggregateRows(sumByTime(rows), maxPoints)`, in one pass over the rows and without an object
 * per pass, so a report over a million rows stays quick: consecutive passes are summed over nodes and time.
 */
export function passTotals(rows: readonly TimelineRow[], maxPoints: number): TimelineRow[] {
  const passCount = countPasses(rows);
  if (passCount <= maxPoints) return sumByTime(rows);
  const perGroup = Math.ceil(passCount / Math.max(1, maxPoints));
  const out: TimelineRow[] = [];
  let sum: MutableRow | undefined;
  let free: Record<string, number> = {};
  let pass = -1;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const newPass = i === 0 || r.time !== rows[i - 1]!.time;
    if (newPass) {
      pass++;
      if (pass % perGroup === 0) {
        if (sum !== undefined) out.push(finishTotal(sum, free));
        sum = emptyRow(r, ALL_NODES);
      }
      // Pass-wide state is the last pass's, as in mergeRows; start it afresh at every pass.
      sum!.time = r.time;
      sum!.seconds = r.seconds;
      sum!.tracked_after = 0;
      sum!.unexamined_after = 0;
      free = {};
    }
    addCounts(sum!, r);
    // The peak is over the whole group; the state after the pass is the last pass's.
    sum!.tracked_peak = Math.max(sum!.tracked_peak, r.tracked_peak);
    sum!.tracked_after = Math.max(sum!.tracked_after, r.tracked_after);
    sum!.unexamined_after = Math.max(sum!.unexamined_after, r.unexamined_after);
    Object.assign(free, r.free_pages);
  }
  if (sum !== undefined) out.push(finishTotal(sum, free));
  return out;
}

function finishTotal(sum: MutableRow, free: Record<string, number>): TimelineRow {
  sum.free_pages = free;
  setShares(sum);
  return sum;
}

/** Number of migrate passes: runs of rows with the same time. */
export function countPasses(rows: readonly TimelineRow[]): number {
  let n = 0;
  for (let i = 0; i < rows.length; i++) if (i === 0 || rows[i]!.time !== rows[i - 1]!.time) n++;
  return n;
}

/** Records dropped for any reason. */
export function droppedOf(row: TimelineRow): number {
  return (
    row.dropped_cold_old + row.dropped_not_accessed + row.dropped_right_node + row.dropped_non_lru + row.dropped_offline
  );
}
