/** `kpromo sweep` output: one row per configuration, in sort order, as a table, CSV or JSON. */
import type { ChalkInstance } from 'chalk';
import { fitTable, wrapText, type FitColumn } from '../render/fit-table.js';
import { countersJson, jsonDocument, jsonText, type InputJson } from '../report/json.js';
import { COMPACT_CHARS } from '../report/table.js';
import { formatShare } from '../render/format.js';
import { csvLine, formatMetric } from './format.js';
import { SWEEP_PARAMS, type GridPoint, type SweepParam } from './grid.js';
import { METRICS, type MetricKey } from './metrics.js';
import type { ConfigResult } from './run-multi.js';
import type { SortKey } from './sort.js';
import { escapeControl } from '../escape.js';

/** What sweep shows of a configuration's result (a merge rebuilds it from JSON). */
export type SweepResult = Pick<ConfigResult, 'label' | 'engine' | 'counters' | 'metrics'> & {
  /** Accesses the engine ignored (a pfn in no range, a device or non-LRU page): no counter shows them (report/summary.ts ignoredTotal()). */
  readonly ignored_total: number;
};

/** One configuration of a sweep: where it sits in the grid, its effective tunables and its result. */
export interface SweepRow {
  /** Position in the grid (0-based): ties of the sort keep this order. */
  readonly index: number;
  readonly point: GridPoint;
  /** Effective value of every sweep parameter (null when the engine has no such tunable). */
  readonly params: Readonly<Record<SweepParam, number | null>>;
  readonly result: SweepResult;
}

/** The part of a sharded sweep (`--shard K/N`) a view shows. */
export interface ShardInfo {
  readonly index: number;
  readonly count: number;
  /** Identity of the whole sweep (shard.ts), the same in every part. */
  readonly sweep: string;
}

/** What sweep prints: rows already sorted. */
export interface SweepView {
  readonly engine: string;
  readonly rows: readonly SweepRow[];
  /** Parameters that take more than one value: the table's leading columns. */
  readonly swept: readonly SweepParam[];
  readonly sort: readonly SortKey[];
  readonly traces: readonly string[];
  /** Records read; null for a part that ran no configuration (it read nothing). */
  readonly records: number | null;
  /** What the read read and skipped (inputJson, as replay's `input`); null as `records` is. */
  readonly input: InputJson | null;
  /** Configurations in the grid (rows may be fewer with --top, or a shard's part). */
  readonly total: number;
  /** Set for a part of a sharded sweep: the JSON then carries what `kpromo merge` needs. */
  readonly shard?: ShardInfo;
}

/** What a sweep is, besides its rows and their sort. */
export type SweepMeta = Omit<SweepView, 'rows' | 'sort'>;

/** Short column headers of the table. */
const SHORT: Readonly<Record<MetricKey, string>> = {
  promoted: 'promoted',
  candidates: 'cand.',
  dropped: 'dropped',
  fast_tier_share: 'fast-tier',
  instant_bound: 'instant',
  share_of_instant: 'of inst.',
  static_bound: 'static',
  share_of_static: 'of static',
  share_of_bound: 'of bound',
  latency_p50: 'p50',
  latency_p90: 'p90',
  latency_p99: 'p99',
  wasted: 'wasted',
  wasted_ratio: 'wasted %',
  kernel_memory: 'kmem',
  tracked: 'tracked',
};

function sortText(keys: readonly SortKey[]): string {
  return keys.map((k) => `${k.name} ${k.descending ? 'descending' : 'ascending'}`).join(', then ');
}

/**
 * Order in which metric columns are left out on a narrow terminal (lowest first); the sort keys never are. What
 * another column implies or a neighbour approximates goes first (p90 between p50 and p99, the wasted count beside
 * its ratio).
 */
const DROP: Readonly<Record<MetricKey, number>> = {
  latency_p90: 1,
  candidates: 2,
  wasted: 3,
  tracked: 4,
  latency_p99: 5,
  dropped: 6,
  kernel_memory: 7,
  wasted_ratio: 8,
  latency_p50: 9,
  fast_tier_share: 10,
  promoted: 11,
  // Issue 12: "of bound" goes just before the share; the others show only as a sort key (never dropped then).
  share_of_bound: 10,
  share_of_instant: 10,
  share_of_static: 10,
  instant_bound: 0,
  static_bound: 0,
};

/** The ranked terminal table, fitted to `width` columns when given (a terminal). */
export function renderSweepTable(view: SweepView, color: ChalkInstance, width?: number): string {
  const params = view.swept.length > 0 ? view.swept : null;
  const sorted = new Set<string>(view.sort.map((k) => k.name));
  // Issue 12: the bounds are the trace's over the topology, the same for every row: said once, under the table;
  // the share of each bound shows only when sorted by (the share of the tighter one, "of bound", always shows).
  const hidden = ['instant_bound', 'static_bound', 'share_of_instant', 'share_of_static'];
  const shownMetrics = METRICS.filter((m) => !hidden.includes(m.key) || (m.key.startsWith('share_of') && sorted.has(m.key)));
  const columns: FitColumn[] = [
    { head: '#', align: 'right' },
    ...(params ?? ['config']).map((h) => ({ head: h, align: 'right' as const, wrap: params === null })),
    ...shownMetrics.map((m) => ({ head: SHORT[m.key], align: 'right' as const, ...(sorted.has(m.key) ? {} : { drop: DROP[m.key] }) })),
  ];
  const cells: string[][] = [];
  view.rows.forEach((row, i) => {
    const lead = params ? params.map((p) => row.point[p] ?? '') : [row.result.label];
    const metrics = shownMetrics.map((m) => {
      const v = row.result.metrics[m.key];
      return v === null ? color.dim('n/a') : formatMetric(m, v);
    });
    cells.push([String(i + 1), ...lead, ...metrics]);
  });
  const table = fitTable(columns, cells, { width, color, chars: COMPACT_CHARS, seeAll: '--format csv or --csv FILE shows all' });
  const shown = view.shard
    ? `part ${view.shard.index} of ${view.shard.count}: ${view.rows.length} of ${view.total}`
    : view.rows.length < view.total
      ? `top ${view.rows.length} of ${view.total}`
      : `${view.total}`;
  const note =
    `${view.engine}: ${shown} configurations sorted by ${sortText(view.sort)}; ` +
    (view.records === null ? 'no trace read (no configuration in this part)' : `${view.records} records from ${view.traces.map(escapeControl).join(' ')}`);
  const bounds = boundsNote(view);
  return table + '\n' + color.dim(width === undefined ? note : wrapText(note, width)) + '\n' + color.dim(width === undefined ? bounds : wrapText(bounds, width)) + '\n';
}

/** Issue 12: the bounds every row's "of bound" refers to. */
function boundsNote(view: SweepView): string {
  const m = view.rows[0]?.result.metrics;
  if (m === undefined || m.instant_bound === null) return 'bounds: n/a';
  const st = m.static_bound === null ? 'n/a (no budgets: no capacity limit)' : formatShare(m.static_bound);
  return (
    `bounds of the share on this trace and topology: instant ${formatShare(m.instant_bound)}, static ${st}; ` +
    `"of bound" = share / the lower of the two (--csv and --format json also give the share of each)`
  );
}

/** `--csv FILE` / `--format csv`: rank, label, every parameter, every metric (raw), every counter. */
export function renderSweepCsv(view: SweepView): string {
  const counters = view.rows[0]?.result.counters.map((c) => c.name) ?? [];
  let out = csvLine(['rank', 'label', 'engine', ...SWEEP_PARAMS.map((p) => p.key), ...METRICS.map((m) => m.key), ...counters, 'ignored_total']);
  view.rows.forEach((row, i) => {
    const values = new Map(row.result.counters.map((c) => [c.name, c.value]));
    out += csvLine([
      i + 1,
      row.result.label,
      row.result.engine,
      ...SWEEP_PARAMS.map((p) => row.params[p.key]),
      ...METRICS.map((m) => row.result.metrics[m.key]),
      ...counters.map((n) => values.get(n)),
      row.result.ignored_total,
    ]);
  });
  return out;
}

/**
 * `--format json`: the sort, and the ranked rows with parameters, metrics and counters. A shard's part adds
 * `shard` and, per row, its grid `index` and `point` (the swept values as typed): what a merge needs.
 */
export function renderSweepJson(view: SweepView): string {
  // cli: the common head (schema_version, kind, kpromo_version; docs/kpromo-output.schema.json) and engine on every row.
  const doc = jsonDocument('sweep', {
    engine: view.engine,
    traces: view.traces,
    records: view.records,
    input: view.input,
    configurations: view.total,
    sort: view.sort,
    ...(view.shard ? { shard: { ...view.shard, swept: view.swept } } : {}),
    results: view.rows.map((row, i) => ({
      rank: i + 1,
      label: row.result.label,
      ...(view.shard ? { index: row.index, point: row.point } : {}),
      engine: row.result.engine,
      params: row.params,
      metrics: row.result.metrics,
      counters: countersJson(row.result.counters),
      ignored_total: row.result.ignored_total,
    })),
  });
  return jsonText(doc);
}
