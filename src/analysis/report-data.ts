/** Builds the HTML report's data from a finished replay. */
import { memoryTiers, type Topology } from '../engine/topology.js';
import type { Counter } from '../engine/types.js';
import { formatCpulist } from '../topology/cpulist.js';
import type { AnalysisMetrics, ReportData, TimelineRow } from './model.js';

const hex = (n: number) => '0x' + n.toString(16);

/** Assembles ReportData. */
export function buildReportData(input: {
  engine: string;
  settings: ReadonlyArray<readonly [string, string]>;
  counters: readonly Counter[];
  metrics: AnalysisMetrics;
  timeline: readonly TimelineRow[];
  topology: Topology;
  hz: number;
  traces: readonly string[];
  /** Seconds each timeline row stands for (AnalysisCollector.rowSeconds). */
  rowSeconds?: number;
  /** Free pages of each budgeted node at the end (ReplaySummary.free_pages). */
  freePagesEnd?: ReadonlyArray<{ readonly node: number; readonly free_pages: number }>;
  /** Accesses ignored without a counter (summary.ts ignoredRows()). */
  ignored?: ReadonlyArray<readonly [string, string]>;
}): ReportData {
  const end = new Map((input.freePagesEnd ?? []).map((f) => [f.node, f.free_pages]));
  const tiers = memoryTiers(input.topology);
  return {
    title: `kpromo ${input.engine}: ${input.traces.join(' ')}`,
    engine: input.engine,
    settings: input.settings,
    counters: input.counters,
    ...(input.ignored ? { ignored: input.ignored } : {}),
    metrics: input.metrics,
    timeline: input.timeline,
    row_seconds: input.rowSeconds ?? 0,
    hz: input.hz,
    topology: input.topology.nodes.map((n, i) => {
      const t = tiers.nodes[i]!;
      return {
        id: n.id,
        cpus: n.cpus.length > 0 ? formatCpulist(n.cpus) : '-',
        tier: t.tier === null ? '-' : String(t.tier),
        toptier: t.toptier,
        ranges: n.pfn_ranges.map((r) => `${hex(r.start)}-${hex(r.end)}${r.kind === 'lru' ? '' : ' ' + r.kind}`).join(', ') || '-',
        free_pages: n.free_pages,
        high_wmark_pages: n.free_pages === null ? null : n.high_wmark_pages,
        free_pages_end: n.free_pages === null ? null : (end.get(n.id) ?? null),
      };
    }),
  };
}
