/** The analysis data model: what `--timeline`, the analysis metrics and `--report` are made of. */
import type { Bounds } from './bounds.js';

/** One timeline row: a migrate pass (or a `--bucket` of passes) as seen by one daemon node. */
export interface TimelineRow {
  /** Pass time in jiffies (for a bucket: the last pass in it). */
  readonly time: number;
  /** Seconds since the first record: (time - first record time) / HZ. */
  readonly seconds: number;
  /**
   * Daemon node whose work the row counts, or -1 for accesses whose target node has no daemon
   * (such rows have only access columns).
   */
  readonly node: number;
  /** Records the daemon examined, and their outcomes. */
  readonly examined: number;
  readonly candidates: number;
  readonly promoted: number;
  readonly failed: number;
  readonly dropped_cold_old: number;
  readonly dropped_not_accessed: number;
  readonly dropped_right_node: number;
  readonly dropped_non_lru: number;
  readonly dropped_offline: number;
  /**
   * Access records since the previous pass whose target node (nid, or the default node for -1) is this
   * row's node, and how many of them hit a top-tier page.
   */
  readonly accesses: number;
  readonly toptier_accesses: number;
  /**
   * Of those accesses, the ones the engine ignored without a counter: pfn in no range of the topology, or in a
   * slow-tier non-LRU or device range (SPEC 2.2 step 3; ReplaySummary.ignored has their totals by reason).
   */
  readonly ignored_accesses: number;
  /** toptier_accesses / accesses (null when no accesses). */
  readonly fast_tier_share: number | null;
  /**
   * Most records in the hash table since the previous row. Records are freed only by migrate passes, so for
   * one pass this is the count when the pass began (a bucket or merged row: the most of its passes); the same
   * for every node of a pass. The table's peak between passes, which tracked_after never shows.
   */
  readonly tracked_peak: number;
  /**
   * Issue 12, per row: accesses of the row that the instant policy serves from the fast tier: those to pages
   * on a top-tier node by the ranges (T0), and those to slow-tier LRU pages that are not the page's first
   * access in the whole trace. Absent when the bounds were not collected (compare/sweep).
   */
  readonly instant_hits?: number;
  /** instant_hits / accesses: the row's instant bound (null without accesses; absent with instant_hits). */
  readonly instant_bound?: number | null;
  /** Records in the hash table after the pass (same for every node of a pass). */
  readonly tracked_after: number;
  /** Records after the pass whose hot_node has no daemon. */
  readonly unexamined_after: number;
  /** Free pages of each budgeted node after the pass. */
  readonly free_pages: Readonly<Record<string, number>>;
}

/** Percentiles of promotion latency in ms. */
export interface LatencyStats {
  readonly count: number;
  readonly p50_ms: number | null;
  readonly p90_ms: number | null;
  readonly p99_ms: number | null;
  readonly max_ms: number | null;
  /** Histogram for charts: bucket upper bounds in ms (log-spaced) and counts. */
  readonly histogram: ReadonlyArray<{ readonly le_ms: number; readonly count: number }>;
}

/** The RFC design's kernel memory for the records it held at its peak. */
export interface KernelMemory {
  /** Most records in the hash table at once. */
  readonly peak_records: number;
  /** peak_records * 64 (kmalloc-64 holds the 56-byte struct page_hotness_info). */
  readonly record_bytes: number;
  /** 2^order hlist_heads (8 bytes) + 2^order struct mutex (32 bytes, no debug options). */
  readonly table_bytes: number;
  readonly total_bytes: number;
  /** Longest bucket chain seen during the replay. */
  readonly longest_chain: number;
}

/** The bounds of the fast-tier share (bounds.ts) and the share as a fraction of each (null when a bound is unknown or 0). */
export interface ShareBounds extends Bounds {
  readonly share_of_instant: number | null;
  readonly share_of_static: number | null;
  /** The share as a fraction of the tighter bound (tighterBound()): compare and sweep's "share of bound". */
  readonly share_of_bound: number | null;
}

/** Analysis metrics of one replay. */
export interface AnalysisMetrics {
  /** record_toptier / recorded_accesses over the whole trace. */
  readonly fast_tier_share: number | null;
  /** Issue 12: the instant and static bounds of the share, and the share as a fraction of each (absent: not collected). */
  readonly bounds?: ShareBounds;
  readonly latency: LatencyStats;
  /** Promoted pages never accessed again in the trace. */
  readonly wasted_promotions: number;
  readonly promoted_pages: number;
  /** Records whose hot_node has no daemon, at the end. */
  readonly never_examined: number;
  readonly kernel_memory: KernelMemory;
}

/** Everything the HTML report shows. */
export interface ReportData {
  readonly title: string;
  readonly engine: string;
  /** Settings as label/value pairs (engine, tunables, topology, traces). */
  readonly settings: ReadonlyArray<readonly [string, string]>;
  readonly counters: ReadonlyArray<{ readonly name: string; readonly value: number }>;
  /**
   * Accesses the engine ignored without a counter (summary.ts ignoredRows(): the total, then one row per reason
   * with its share and pfns); shown above everything when the total is not 0.
   */
  readonly ignored?: ReadonlyArray<readonly [string, string]>;
  readonly metrics: AnalysisMetrics;
  /** Timeline rows (already aggregated to at most a few thousand rows). */
  readonly timeline: readonly TimelineRow[];
  /** Seconds each timeline row stands for (`--bucket`, or the coarsened timeline's bucket); 0 or absent: one pass. */
  readonly row_seconds?: number;
  /** Topology nodes for the settings table. */
  readonly topology: ReadonlyArray<{
    readonly id: number;
    readonly cpus: string;
    readonly tier: string;
    readonly toptier: boolean;
    readonly ranges: string;
    /** Free-page budget at the start (SPEC 3.1 free_pages) and its high watermark; null: unlimited. */
    readonly free_pages: number | null;
    readonly high_wmark_pages: number | null;
    /** Free pages at the end of the replay; null: unlimited. */
    readonly free_pages_end: number | null;
  }>;
  readonly hz: number;
}
