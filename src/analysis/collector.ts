/**
 * Analysis of a replay (timelines and metrics): a PassObserver that turns each migrate pass into
 * timeline rows and gathers promotion latencies, then computes the metrics. Memory stays bounded: beyond
 * `maxRows` rows are merged into time buckets of the period (or `--bucket`) times a power of two, so the
 * coarsened timeline is still one row per node and equal stretch of time (the full-resolution rows can be
 * streamed out through `onRow`).
 */
import { jiffies_to_msecs } from '../engine/jiffies.js';
import { OutcomeCode, type PassObserver } from '../engine/types.js';
import { bucketRows } from '../render/aggregate.js';
import { fractionOf, tighterBound, type Bounds } from './bounds.js';
import type { AnalysisMetrics, LatencyStats, ShareBounds, TimelineRow } from './model.js';
import type { IntervalBoundsSource } from './slow-page-counter.js';

/** What the collector reads from the engine at each pass (RfcV1Engine provides it). */
export interface AnalysisSource {
  readonly daemon_nodes: readonly number[];
  readonly budgeted_nodes: readonly number[];
  readonly first_record_time: number | null;
  readonly hz: number;
  /** Jiffies between migrate passes (KPROMOTE_DELAY). */
  readonly period_jiffies: number;
  readonly hash_order: number;
  readonly tracked_records: number;
  readonly unexamined_records: number;
  readonly peak: { records: number; longest_chain: number };
  take_interval_accesses(): { accesses: Float64Array; toptier: Float64Array; ignored: Float64Array };
  free_pages_of(id: number): number;
  wasted_promotions(): number;
}

/**
 * Where the bounds come from: the engine's page state (RfcV1Engine with page_counts; its per-row instant hits too,
 * take_interval_instant_hits()), or a SlowPageCounter fed the same records (its per-row instant hits with a first-access
 * test at every access; compare and sweep take its whole-trace bounds for a topology with no rfc-v1 configuration).
 */
export interface BoundsSource extends Partial<IntervalBoundsSource> {
  bounds(): Bounds;
}

/** Collector options. */
export interface CollectorOptions {
  /** Aggregate rows into buckets of this many seconds (0 = one row per pass and node). */
  readonly bucketSeconds?: number;
  /** Rows kept in memory before coarsening (default 4096). */
  readonly maxRows?: number;
  /** Receives every row at the requested resolution (per pass, or per bucket) before any coarsening. */
  readonly onRow?: (row: TimelineRow) => void;
  /**
   * Issue 12: where the bounds come from (above). Without it rows have no instant bound and the metrics no bounds
   * (compare/sweep compute the bounds once per trace instead).
   */
  readonly bounds?: BoundsSource;
  /**
   * False: metrics only (compare, sweep), no timeline rows. The collector then reads no accesses per pass, so the
   * engine does not count them (PassObserver.intervals). Default true.
   */
  readonly rows?: boolean;
}

const OUTCOME_COUNT = 7;

/** A latency in jiffies, exact below 1024, else rounded down to its top 10 significant bits. */
export function latencyKey(j: number): number {
  if (j < 1024) return j;
  const step = 2 ** (Math.floor(Math.log2(j)) - 9);
  return Math.floor(j / step) * step;
}

/** Upper bounds (ms) of the latency histogram: 1-2-5 steps. */
const LATENCY_BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, Infinity];

/** The bounds with the share as a fraction of each. */
export function withShare(b: Bounds, share: number | null): ShareBounds {
  return {
    ...b,
    share_of_instant: fractionOf(share, b.instant),
    share_of_static: fractionOf(share, b.static),
    share_of_bound: fractionOf(share, tighterBound(b)),
  };
}

/** Collects timeline rows and latencies from a replay. */
export class AnalysisCollector implements PassObserver {
  /** examined() only counts by node and outcome and keeps a latency histogram: event order within a pass does not matter. */
  readonly anyOrder = true;
  /** Rows are made (CollectorOptions.rows): only then are the accesses per target node read. */
  readonly intervals: boolean;
  private readonly perNode: Float64Array[] = []; // outcome counts of the current pass, by daemon node
  private rows: TimelineRow[] = [];
  private bucket: TimelineRow[] = [];
  private bucketIndex = -1;
  /**
   * Promotion latencies in jiffies -> count, exact below 1024 jiffies and with 10 significant bits above
   * (under 0.1% error), so the map stays small however long the trace is.
   */
  private readonly latencies = new Map<number, number>();
  /** The latencies below 1024 jiffies (most of them), by jiffies: a Map update per promotion costs more. */
  private readonly shortLatencies = new Float64Array(1024);
  private readonly maxRows: number;
  private readonly bucketSeconds: number;
  /** Seconds per row of the coarsened timeline (0 until coarsened). */
  private coarse = 0;

  constructor(
    private readonly src: AnalysisSource,
    private readonly opts: CollectorOptions = {},
  ) {
    this.maxRows = opts.maxRows ?? 4096;
    this.bucketSeconds = opts.bucketSeconds ?? 0;
    this.intervals = opts.rows !== false;
  }

  /** Counts `count` records of daemon `node` whose migration failed, examined in the current pass. */
  examinedFailed(_time: number, node: number, count: number): void {
    if (this.intervals) {
      let counts = this.perNode[node];
      if (counts === undefined) counts = this.perNode[node] = new Float64Array(OUTCOME_COUNT);
      counts[OutcomeCode.Failed]! += count;
    }
  }

  /** Counts one examined record in the current pass; promotions add a latency sample. */
  examined(time: number, node: number, _pfn: number, _from: number, _to: number, outcome: OutcomeCode, since?: number): void {
    if (this.intervals) {
      let counts = this.perNode[node];
      if (counts === undefined) counts = this.perNode[node] = new Float64Array(OUTCOME_COUNT);
      counts[outcome]!++;
    }
    if (outcome === OutcomeCode.Promoted && since !== undefined) {
      const d = time - since;
      if (d >= 0 && d < 1024) this.shortLatencies[d]!++;
      else {
        const j = latencyKey(d);
        this.latencies.set(j, (this.latencies.get(j) ?? 0) + 1);
      }
    }
  }

  /** Turns the pass into rows: one per daemon node with work or accesses, one (node -1) for other targets. */
  passEnd(time: number): void {
    if (!this.intervals) return; // metrics only: no rows
    const src = this.src;
    const { accesses, toptier, ignored } = src.take_interval_accesses();
    const hits = this.opts.bounds?.take_interval_instant_hits?.(time) ?? null;
    const seconds = (time - (src.first_record_time ?? time)) / src.hz;
    const tracked_after = src.tracked_records;
    // Every outcome but a failed migration frees its record (mm/kpromoted.c: kfree after promote or drop), and
    // nothing else frees one, so the table held the freed ones too when the pass began: the peak since the last.
    let freed = 0;
    for (const node of src.daemon_nodes) {
      const c = this.perNode[node];
      if (c !== undefined) for (let k = 0; k < OUTCOME_COUNT; k++) if (k !== OutcomeCode.Failed) freed += c[k]!;
    }
    const tracked_peak = tracked_after + freed;
    const unexamined_after = src.unexamined_records;
    const free_pages: Record<string, number> = {};
    for (const id of src.budgeted_nodes) free_pages[String(id)] = src.free_pages_of(id);
    const emit = (node: number, c: Float64Array | undefined, acc: number, top: number, ign: number, hit: number | null): void => {
      const o = (k: OutcomeCode) => (c ? c[k]! : 0);
      const examined = c ? c.reduce((a, b) => a + b, 0) : 0;
      if (examined === 0 && acc === 0) return;
      const promoted = o(OutcomeCode.Promoted);
      const failed = o(OutcomeCode.Failed);
      this.push({
        time,
        seconds,
        node,
        examined,
        candidates: promoted + failed,
        promoted,
        failed,
        dropped_cold_old: o(OutcomeCode.DroppedColdOld),
        dropped_not_accessed: o(OutcomeCode.DroppedNotAccessed),
        dropped_right_node: o(OutcomeCode.DroppedRightNode),
        dropped_non_lru: o(OutcomeCode.DroppedNonLru),
        dropped_offline: o(OutcomeCode.DroppedOffline),
        accesses: acc,
        toptier_accesses: top,
        ignored_accesses: ign,
        fast_tier_share: acc > 0 ? top / acc : null,
        tracked_peak,
        ...(hit !== null ? { instant_hits: hit, instant_bound: acc > 0 ? hit / acc : null } : {}),
        tracked_after,
        unexamined_after,
        free_pages,
      });
      c?.fill(0);
    };
    for (const node of src.daemon_nodes) emit(node, this.perNode[node], accesses[node] ?? 0, toptier[node] ?? 0, ignored[node] ?? 0, hits ? hits[node]! : null);
    const other = accesses.length - 1;
    emit(-1, undefined, accesses[other]!, toptier[other]!, ignored[other]!, hits ? hits[other]! : null);
  }

  private push(row: TimelineRow): void {
    if (this.bucketSeconds > 0) {
      const b = Math.floor(row.seconds / this.bucketSeconds);
      if (b !== this.bucketIndex && this.bucket.length > 0) this.flushBucket();
      this.bucketIndex = b;
      this.bucket.push(row);
      return;
    }
    this.keep(row);
  }

  private flushBucket(): void {
    for (const r of bucketRows(this.bucket, this.bucketSeconds)) this.keep(r);
    this.bucket = [];
  }

  private keep(row: TimelineRow): void {
    this.opts.onRow?.(row);
    this.rows.push(row);
    if (this.rows.length > 2 * this.maxRows) this.coarsen();
  }

  /**
   * Merges rows into time buckets, doubling the bucket until at most maxRows rows remain. Buckets start from the
   * period (or `--bucket`) and double, so each is a union of whole earlier buckets: merging again never splits
   * what was merged, and every row stands for one bucket [k*s, (k+1)*s) of its node.
   */
  private coarsen(): void {
    let s = this.coarse > 0 ? this.coarse : this.bucketSeconds > 0 ? this.bucketSeconds : this.src.period_jiffies / this.src.hz;
    // Rows kept since the last coarsening go on its grid first; the bucket doubles only while that is not enough.
    this.rows = bucketRows(this.rows, s);
    // Once one bucket holds every pass, only the nodes are left to merge: stop (more nodes than maxRows).
    const last = this.rows[this.rows.length - 1]!.seconds;
    while (this.rows.length > this.maxRows && s <= last) {
      s *= 2;
      this.rows = bucketRows(this.rows, s);
    }
    this.coarse = s;
  }

  /**
   * Seconds each timeline row stands for, as a grid [k*s, (k+1)*s): `--bucket`, or the bucket the timeline was
   * coarsened to; 0 for one row per pass.
   */
  get rowSeconds(): number {
    return this.coarse > 0 ? this.coarse : this.bucketSeconds;
  }

  /** The timeline rows (coarsened into buckets of rowSeconds when there were more than maxRows). */
  timeline(): TimelineRow[] {
    if (this.bucket.length > 0) this.flushBucket();
    // Rows kept since the last coarsening are still one per pass: put them on the same grid as the others.
    if (this.coarse > 0) this.rows = bucketRows(this.rows, this.coarse);
    return this.rows;
  }

  /** Latency percentiles (nearest rank) and histogram of every promotion, in ms. */
  latency(): LatencyStats {
    const hz = this.src.hz;
    const byMs = new Map<number, number>();
    const short = this.shortLatencies;
    for (let j = 0; j < short.length; j++) {
      const n = short[j]!;
      if (n === 0) continue;
      const ms = jiffies_to_msecs(j, hz);
      byMs.set(ms, (byMs.get(ms) ?? 0) + n);
    }
    for (const [j, n] of this.latencies) {
      const ms = jiffies_to_msecs(j, hz);
      byMs.set(ms, (byMs.get(ms) ?? 0) + n);
    }
    const sorted = [...byMs].sort((a, b) => a[0] - b[0]);
    const count = sorted.reduce((a, [, n]) => a + n, 0);
    const percentile = (p: number): number | null => {
      if (count === 0) return null;
      const rank = Math.max(1, Math.ceil((p / 100) * count));
      let seen = 0;
      for (const [ms, n] of sorted) {
        seen += n;
        if (seen >= rank) return ms;
      }
      return sorted[sorted.length - 1]![0];
    };
    const max = count > 0 ? sorted[sorted.length - 1]![0] : null;
    const counts = new Array<number>(LATENCY_BOUNDS.length).fill(0);
    let b = 0;
    for (const [ms, n] of sorted) {
      while (ms > LATENCY_BOUNDS[b]!) b++;
      counts[b]! += n;
    }
    return {
      count,
      p50_ms: percentile(50),
      p90_ms: percentile(90),
      p99_ms: percentile(99),
      max_ms: max,
      // The open last bucket is labelled with the largest latency.
      histogram: LATENCY_BOUNDS.map((le_ms, i) => ({ le_ms: le_ms === Infinity ? (max ?? 0) : le_ms, count: counts[i]! })).filter(
        (h, i) => i < LATENCY_BOUNDS.length - 1 || h.count > 0,
      ),
    };
  }

  /** All metrics, given the final counters. */
  metrics(counters: ReadonlyMap<string, number>): AnalysisMetrics {
    const src = this.src;
    const accesses = counters.get('kpromoted_recorded_accesses') ?? 0;
    const top = counters.get('kpromoted_record_toptier') ?? 0;
    const peak = src.peak;
    const buckets = 2 ** src.hash_order;
    const record_bytes = peak.records * 64;
    const table_bytes = buckets * (8 + 32);
    const share = accesses > 0 ? top / accesses : null;
    const bounds = this.opts.bounds?.bounds();
    return {
      fast_tier_share: share,
      ...(bounds !== undefined ? { bounds: withShare(bounds, share) } : {}),
      latency: this.latency(),
      wasted_promotions: src.wasted_promotions(),
      promoted_pages: counters.get('kpromoted_mig_promoted') ?? 0,
      never_examined: src.unexamined_records,
      kernel_memory: {
        peak_records: peak.records,
        record_bytes,
        table_bytes,
        total_bytes: record_bytes + table_bytes,
        longest_chain: peak.longest_chain,
      },
    };
  }
}
