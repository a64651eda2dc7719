/**
 * The key metrics `kpromo compare` and `kpromo sweep` put side by side, one flat record per configuration.
 * rfc engines get them from an AnalysisCollector; pghot (no AnalysisSource) from its counters and a probe.
 */
import { fractionOf, tighterBound, type Bounds } from '../analysis/bounds.js';
import type { AnalysisMetrics } from '../analysis/model.js';
import type { PghotEngine } from '../engine/pghot.js';
import type { Counter } from '../engine/types.js';

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

/** `m` with the bounds of its trace and topology (computed by another part of the run). */
export function withBounds(m: MultiMetrics, b: Bounds): MultiMetrics {
  return { ...m, ...boundMetrics(m.fast_tier_share, b) };
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
 * compare and sweep metrics of a pghot engine. pghot has no analysis hooks; the engine keeps the two figures
 * its counters do not give, where each access's node is known anyway (pghot.ts toptier_accesses and
 * unaccessed_promoted): no per-access work outside it. Latency and kernel memory are not known (null).
 */
export function pghotMetrics(engine: PghotEngine, counters: readonly Counter[], tracked: number, bounds: Bounds | null = null): MultiMetrics {
  const promoted = counters.find((c) => c.name === 'pgpromote_success')?.value ?? null;
  const accesses = engine.summary().records;
  const share = accesses > 0 ? engine.toptier_accesses / accesses : null;
  const wasted = engine.unaccessed_promoted;
  return {
    promoted,
    candidates: null,
    dropped: null,
    fast_tier_share: share,
    ...boundMetrics(share, bounds),
    latency_p50: null,
    latency_p90: null,
    latency_p99: null,
    wasted,
    wasted_ratio: ratio(wasted, promoted),
    kernel_memory: null,
    tracked,
  };
}
