/**
 * The key metrics `kpromo compare` and `kpromo sweep` put side by side, one flat record per configuration.
 * rfc engines get them from an AnalysisCollector; pghot (no AnalysisSource) from its counters and a probe.
 */
import { fractionOf, tighterBound, type Bounds } from '../analysis/bounds.js';
import type { AnalysisMetrics } from '../analysis/model.js';
import type { PghotEngine } from '../engine/pghot.js';
import { RangeMap } from '../engine/placement.js';
import { memoryTiers, type Topology } from '../engine/topology.js';
import { OutcomeCode, type AccessSink, type Counter, type PassObserver } from '../engine/types.js';

/** Key metrics of one configuration; null = the engine cannot tell (shown as n/a). */
export interface MultiMetrics {
  readonly promoted: number | null;
  readonly candidates: number | null;
  readonly dropped: number | null;
  /** Share of accesses that hit a page on a top-tier node, at the time of the access. */
  readonly fast_tier_share: number | null;
  /** Issue 12 (bounds.ts): the instant bound of the share, and the share as a fraction of it. */
  readonly instant_bound: number | null;
  readonly share_of_instant: number | null;
  /** The static bound with the top tier's promotion room (null without budgets), and the share as a fraction of it. */
  readonly static_bound: number | null;
  readonly share_of_static: number | null;
  /** The share as a fraction of the tighter bound, min(instant, static): "share of bound" (bounds.ts tighterBound). */
  readonly share_of_bound: number | null;
  /** Promotion latency percentiles in ms (first access of the record to its promotion). */
  readonly latency_p50: number | null;
  readonly latency_p90: number | null;
  readonly latency_p99: number | null;
  /** Promoted pages never accessed again in the trace. */
  readonly wasted: number | null;
  /** wasted / promoted. */
  readonly wasted_ratio: number | null;
  /** Kernel memory of the tracking structures at their peak, in bytes. */
  readonly kernel_memory: number | null;
  /** Records (tracked pages) left at the end. */
  readonly tracked: number | null;
}

/** One of MultiMetrics' keys: also the `--sort` name and the CSV column. */
export type MetricKey = keyof MultiMetrics;

/** How a metric's value is shown. */
export type MetricUnit = 'count' | 'share' | 'ms' | 'bytes';

/** A metric's key, label and unit, in display order. */
export interface MetricSpec {
  readonly key: MetricKey;
  readonly label: string;
  readonly unit: MetricUnit;
}

/** Every metric, in the order compare and sweep show them. */
export const METRICS: readonly MetricSpec[] = [
  { key: 'promoted', label: 'promoted', unit: 'count' },
  { key: 'candidates', label: 'candidates', unit: 'count' },
  { key: 'dropped', label: 'dropped', unit: 'count' },
  { key: 'fast_tier_share', label: 'fast-tier share', unit: 'share' },
  { key: 'instant_bound', label: 'instant bound', unit: 'share' },
  { key: 'share_of_instant', label: 'share of instant bound', unit: 'share' },
  { key: 'static_bound', label: 'static bound', unit: 'share' },
  { key: 'share_of_static', label: 'share of static bound', unit: 'share' },
  { key: 'share_of_bound', label: 'share of bound', unit: 'share' },
  { key: 'latency_p50', label: 'latency p50', unit: 'ms' },
  { key: 'latency_p90', label: 'latency p90', unit: 'ms' },
  { key: 'latency_p99', label: 'latency p99', unit: 'ms' },
  { key: 'wasted', label: 'wasted promotions', unit: 'count' },
  { key: 'wasted_ratio', label: 'wasted / promoted', unit: 'share' },
  { key: 'kernel_memory', label: 'kernel memory', unit: 'bytes' },
  { key: 'tracked', label: 'records tracked at end', unit: 'count' },
];

/** Pages per block of PghotProbe's promoted-page map. */
const MOVED_BLOCK = 32768;
/** Blocks kept in PghotProbe's array (2^20 blocks of 2^15 pages: pfns below 2^35); higher ones in its Map. */
const NEAR_BLOCKS = 1 << 20;

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

/** Issue 12: the bounds of the trace over the configuration's topology, and the share as a fraction of each. */
function boundMetrics(share: number | null, b: Bounds | null) {
  return {
    instant_bound: b?.instant ?? null,
    share_of_instant: fractionOf(share, b?.instant ?? null),
    static_bound: b?.static ?? null,
    share_of_static: fractionOf(share, b?.static ?? null),
    share_of_bound: fractionOf(share, b ? tighterBound(b) : null),
  };
}

/** Metrics of an rfc engine from its analysis metrics and counters (and the bounds). */
export function rfcMetrics(a: AnalysisMetrics, counters: readonly Counter[], tracked: number, bounds: Bounds | null = null): MultiMetrics {
  const get = (name: string): number | null => counters.find((c) => c.name === name)?.value ?? null;
  const promoted = get('kpromoted_mig_promoted');
  return {
    promoted,
    candidates: get('kpromoted_mig_candidate'),
    dropped: get('kpromoted_mig_dropped'),
    fast_tier_share: a.fast_tier_share,
    ...boundMetrics(a.fast_tier_share, bounds),
    latency_p50: a.latency.p50_ms,
    latency_p90: a.latency.p90_ms,
    latency_p99: a.latency.p99_ms,
    wasted: a.wasted_promotions,
    wasted_ratio: ratio(a.wasted_promotions, promoted),
    kernel_memory: a.kernel_memory.total_bytes,
    tracked,
  };
}

/**
 * Watches a pghot engine from outside (pghot.ts has no analysis hooks). It keeps its own copy of page
 * placement: the pfn ranges, plus the pages pghot promoted (every migration is reported to the observer),
 * which is what pghot's pfn_to_nid() answers, for a fraction of the cost. After each access it counts
 * whether the page lived on a top-tier node (as rfc-v1's record_toptier test) and which promoted pages
 * were accessed again. Records pass through it to the engine.
 */
export class PghotProbe implements AccessSink, PassObserver {
  private readonly toptier: Uint8Array;
  private readonly ranges: RangeMap;
  private accesses = 0;
  private toptierAccesses = 0;
  /**
   * Promoted pages by 32768-page block: 2 * (node + 1) + (accessed since the promotion ? 1 : 0), 0 = not
   * moved. Typed blocks instead of one Map keyed by pfn: a pghot replay promotes up to millions of pages,
   * and a Map that large costs a cache miss per access.
   */
  private readonly moved = new Map<number, Uint16Array>();
  /** The same blocks for block numbers below NEAR_BLOCKS (pfns below 2^35), in an array: no hashing per access. */
  private readonly near: Array<Uint16Array | undefined> = [];
  private unused = 0;

  constructor(
    private readonly engine: PghotEngine,
    topology: Topology,
  ) {
    const tiers = memoryTiers(topology).nodes;
    this.toptier = new Uint8Array(Math.max(0, ...tiers.map((t) => t.id)) + 1);
    for (const t of tiers) this.toptier[t.id] = t.toptier ? 1 : 0;
    this.ranges = new RangeMap(topology);
  }

  /** record_access() over the first `n` records of typed arrays. */
  record_batch(pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number): void {
    for (let i = 0; i < n; i++) this.record_access(pfn[i]!, nid[i]!, src[i]!, time[i]!);
  }

  /** Feeds the engine (its passes due run first), then checks where the page lived when it was accessed. */
  record_access(pfn: number, nid: number, src: number, time: number): void {
    this.engine.record_access(pfn, nid, src, time);
    this.accesses++;
    let v = 0;
    let block: Uint16Array | undefined;
    // Math.floor, not %: pfn is a double, and a double's % is a call to fmod (most of the probe's cost).
    const key = Math.floor(pfn / MOVED_BLOCK);
    const off = pfn - key * MOVED_BLOCK;
    if (key < NEAR_BLOCKS) block = this.near[key];
    else if (this.moved.size !== 0) block = this.moved.get(key);
    if (block !== undefined) v = block[off]!;
    let node: number;
    if (v === 0) {
      this.ranges.lookup(pfn);
      node = this.ranges.nid;
    } else {
      node = (v >> 1) - 1;
      if ((v & 1) === 0) {
        block![off] = v | 1;
        this.unused--;
      }
    }
    if (node >= 0 && this.toptier[node] === 1) this.toptierAccesses++;
  }

  /** Follows promotions: the page now lives on `to`, not accessed since. */
  examined(_time: number, _node: number, pfn: number, _from: number, to: number, outcome: OutcomeCode): void {
    if (outcome !== OutcomeCode.Promoted) return;
    const key = Math.floor(pfn / MOVED_BLOCK);
    const off = pfn - key * MOVED_BLOCK;
    let block = key < NEAR_BLOCKS ? this.near[key] : this.moved.get(key);
    if (block === undefined) {
      block = new Uint16Array(MOVED_BLOCK);
      if (key < NEAR_BLOCKS) this.near[key] = block;
      else this.moved.set(key, block);
    }
    const old = block[off]!;
    if (old === 0 || (old & 1) === 1) this.unused++;
    block[off] = 2 * (to + 1);
  }

  /** Metrics from the probe and pghot's counters; latency and kernel memory are not known (null). */
  metrics(counters: readonly Counter[], tracked: number, bounds: Bounds | null = null): MultiMetrics {
    const promoted = counters.find((c) => c.name === 'pgpromote_success')?.value ?? null;
    const share = this.accesses > 0 ? this.toptierAccesses / this.accesses : null;
    return {
      promoted,
      candidates: null,
      dropped: null,
      fast_tier_share: share,
      ...boundMetrics(share, bounds),
      latency_p50: null,
      latency_p90: null,
      latency_p99: null,
      wasted: this.unused,
      wasted_ratio: ratio(this.unused, promoted),
      kernel_memory: null,
      tracked,
    };
  }
}
