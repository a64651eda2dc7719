/** The analysis metrics as a terminal table. */
import type { ChalkInstance } from 'chalk';
import type { AnalysisMetrics } from '../analysis/model.js';
import type { IgnoredAccesses } from '../engine/types.js';
import { fitTable } from '../render/fit-table.js';
import { COMPACT_CHARS } from './table.js';

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
const ms = (x: number | null) => (x === null ? '-' : `${x} ms`);

/** Issue 12: the bounds of the share and the share as a fraction of each (README "Bounds of the share"). */
function boundRows(m: AnalysisMetrics): [string, string][] {
  const b = m.bounds;
  if (b === undefined) return [];
  const of = (x: number | null) => (x === null ? '' : ` (share is ${(100 * x).toFixed(1)}% of it)`);
  return [
    ['instant bound (first-touch promotion)', pct(b.instant) + of(b.share_of_instant)],
    b.capacity === null
      ? ['static bound', '- (no budgets: no capacity limit)']
      : [`static bound (best ${b.capacity} pages, hindsight)`, pct(b.static) + of(b.share_of_static)],
  ];
}

/**
 * Renders fast-tier share, promotion latency, wasted promotions, never-examined records, kernel memory and,
 * when given, the accesses ignored without a counter (recorded_accesses counts them, so they lower the share);
 * fitted to `width` columns when given (a terminal).
 */
export function renderAnalysis(
  m: AnalysisMetrics,
  color: ChalkInstance,
  ignored: readonly IgnoredAccesses[] = [],
  width?: number,
): string {
  const km = m.kernel_memory;
  const rows = [
    ['fast-tier share of accesses', pct(m.fast_tier_share)],
    ...boundRows(m),
    ['promotion latency p50 / p90 / p99 / max', `${ms(m.latency.p50_ms)} / ${ms(m.latency.p90_ms)} / ${ms(m.latency.p99_ms)} / ${ms(m.latency.max_ms)}`],
    ['wasted promotions (never accessed again)', `${m.wasted_promotions} of ${m.promoted_pages}`],
    ['records never examined (at end)', String(m.never_examined)],
    ['peak records / longest bucket chain', `${km.peak_records} / ${km.longest_chain}`],
    ['kernel memory at peak', `${(km.total_bytes / 1048576).toFixed(2)} MiB (records ${km.record_bytes} B + buckets and mutexes ${km.table_bytes} B)`],
  ];
  const n = ignored.reduce((a, i) => a + i.accesses, 0);
  if (ignored.length > 0) {
    const parts = ignored.filter((i) => i.accesses > 0).map((i) => `${i.reason} ${i.accesses} (${pct(i.share)})`);
    rows.push(['accesses ignored (no range / non-LRU / device)', n === 0 ? '0' : parts.join(', ')]);
  }
  const columns = [{ head: 'analysis', wrap: true }, { head: '', wrap: true }];
  return fitTable(columns, rows, { width, color, chars: COMPACT_CHARS }) + '\n';
}
