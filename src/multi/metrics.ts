/**
 * The key metrics `kpromo compare` and `kpromo sweep` put side by side, one flat record per configuration.
 * rfc engines get them from an AnalysisCollector; pghot (no AnalysisSource) from its counters and a probe.
 */
import type { AnalysisMetrics } from '../analysis/model.js';
import type { PghotEngine } from '../engine/pghot.js';
import { memoryTiers, type Topology } from '../engine/topology.js';
import { OutcomeCode, type AccessSink, type Counter, type PassObserver } from '../engine/types.js';

/** Key metrics of one configuration; null = the engine cannot tell (shown as n/a). */
export interface MultiMetrics {
  readonly promoted: number | null;
  readonly candidates: number | null;
  readonly dropped: number | null;
  /** Share of accesses that hit a page on a top-tier node, at the time of the access. */
  readonly fast_tier_share: number | null;
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
  { key: 'latency_p50', label: 'latency p50', unit: 'ms' },
  { key: 'latency_p90', label: 'latency p90', unit: 'ms' },
  { key: 'latency_p99', label: 'latency p99', unit: 'ms' },
  { key: 'wasted', label: 'wasted promotions', unit: 'count' },
  { key: 'wasted_ratio', label: 'wasted / promoted', unit: 'share' },
  { key: 'kernel_memory', label: 'kernel memory', unit: 'bytes' },
  { key: 'tracked', label: 'records tracked at end', unit: 'count' },
];

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

/** Metrics of an rfc engine from its analysis metrics and counters. */
export function rfcMetrics(a: AnalysisMetrics, counters: readonly Counter[], tracked: number): MultiMetrics {
  const get = (name: string): number | null => counters.find((c) => c.name === name)?.value ?? null;
  const promoted = get('kpromoted_mig_promoted');
  return {
    promoted,
    candidates: get('kpromoted_mig_candidate'),
    dropped: get('kpromoted_mig_dropped'),
    fast_tier_share: a.fast_tier_share,
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
 * Watches a pghot engine from outside (pghot.ts has no analysis hooks): after each access, whether the page
 * lives on a top-tier node (pfn_to_nid, as rfc-v1's record_toptier test), and which promoted pages are
 * accessed again. Records pass through it to the engine.
 */
export class PghotProbe implements AccessSink, PassObserver {
  private readonly toptier: Uint8Array;
  private accesses = 0;
  private toptierAccesses = 0;
  /** Pages promoted and not accessed since. */
  private readonly unused = new Set<number>();

  constructor(
    private readonly engine: PghotEngine,
    topology: Topology,
  ) {
    const tiers = memoryTiers(topology).nodes;
    this.toptier = new Uint8Array(Math.max(0, ...tiers.map((t) => t.id)) + 1);
    for (const t of tiers) this.toptier[t.id] = t.toptier ? 1 : 0;
  }

  /** Feeds the engine, then checks where the page lived when it was accessed (passes run before the access). */
  record_access(pfn: number, nid: number, src: number, time: number): void {
    this.engine.record_access(pfn, nid, src, time);
    this.accesses++;
    const node = this.engine.pfn_to_nid(pfn);
    if (node >= 0 && this.toptier[node] === 1) {
      this.toptierAccesses++;
      if (this.unused.size > 0) this.unused.delete(pfn);
    }
  }

  /** Remembers promoted pages until they are accessed again. */
  examined(_time: number, _node: number, pfn: number, _from: number, _to: number, outcome: OutcomeCode): void {
    if (outcome === OutcomeCode.Promoted) this.unused.add(pfn);
  }

  /** Metrics from the probe and pghot's counters; latency and kernel memory are not known (null). */
  metrics(counters: readonly Counter[], tracked: number): MultiMetrics {
    const promoted = counters.find((c) => c.name === 'pgpromote_success')?.value ?? null;
    const wasted = this.unused.size;
    return {
      promoted,
      candidates: null,
      dropped: null,
      fast_tier_share: this.accesses > 0 ? this.toptierAccesses / this.accesses : null,
      latency_p50: null,
      latency_p90: null,
      latency_p99: null,
      wasted,
      wasted_ratio: ratio(wasted, promoted),
      kernel_memory: null,
      tracked,
    };
  }
}
