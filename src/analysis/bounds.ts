/**
 * How good the fast-tier share could have been: the instant bound and the static bound with
 * capacity C, over the same accesses and the same denominator N = recorded_accesses. Pure functions.
 *
 * - T0: accesses to pages whose node, by the topology's ranges before any migration, is top tier (whatever
 *   the range's kind: the engine counts those in record_toptier too, SPEC 2.2 step 2 before step 3).
 * - a_p: accesses to LRU page p of a slow-tier node.
 * - instant = (T0 + sum_p (a_p - 1)) / N: every slow-tier page promoted the moment it is first touched.
 * - static(C) = (T0 + sum of the C largest a_p) / N: the best fixed placement chosen with hindsight.
 * - Accesses to pfns in no range, or in non-LRU / device ranges of slow-tier nodes, count in N only.
 */
import type { PageCounts } from '../engine/rfc-v1.js';
import type { Topology } from '../engine/topology.js';
import { memoryTiers } from '../engine/topology.js';

/** One access count per slow-tier LRU page touched (order does not matter). */
export interface SlowPageCounts {
  /** Calls f once for every slow-tier LRU page touched, with its number of accesses (>= 1). */
  forEachSlowPageCount(f: (count: number) => void): void;
}

/** The totals the bounds are made of. */
export interface BoundsTotals {
  /** N: every access record (kpromoted_recorded_accesses). */
  readonly accesses: number;
  /** T0. */
  readonly toptier_at_start: number;
  /** Slow-tier LRU pages touched, and the accesses to them (sum of a_p). */
  readonly slow_pages: number;
  readonly slow_page_accesses: number;
}

/** The bounds of one trace over one topology. */
export interface Bounds extends BoundsTotals {
  /** Promotion room C (pages), or null when some top-tier node with memory has no budget (no limit). */
  readonly capacity: number | null;
  /** (T0 + sum(a_p - 1)) / N; null when N = 0. */
  readonly instant: number | null;
  /** (T0 + sum of the C largest a_p) / N; null when N = 0 or without a capacity limit. */
  readonly static: number | null;
  /** The numerators: T0 + sum(a_p - 1), and T0 + sum of the C largest a_p (null without a limit). */
  readonly instant_hits: number;
  readonly static_hits: number | null;
}

/**
 * Promotion room of the top tier: the sum over top-tier nodes of the pages that can be promoted onto them
 * before migrations fail (SPEC 2.5: a migration needs free_pages > high_wmark_pages + 1, and takes one page),
 * i.e. max(0, free_pages - high_wmark_pages - 1). A top-tier node without memory takes no page (migration to
 * it fails). null when a top-tier node with memory has no budget: it never runs out, so there is no limit.
 */
export function promotionCapacity(topo: Topology): number | null {
  const tiers = new Map(memoryTiers(topo).nodes.map((t) => [t.id, t] as const));
  let room = 0;
  for (const n of topo.nodes) {
    const t = tiers.get(n.id)!;
    if (!t.toptier || !t.has_memory) continue;
    if (n.free_pages === null) return null;
    room += Math.max(0, n.free_pages - n.high_wmark_pages - 1);
  }
  return room;
}

/** Counts below this go to a dense histogram; the few pages at or above it (at most N / DENSE) are sorted. */
const DENSE = 1 << 16;

/**
 * Sum of the `c` largest counts, in O(pages + min(max count, 2^16)) plus a sort of the pages with at least
 * 2^16 accesses (there are at most N / 2^16 of them). Ties do not change the sum.
 */
export function sumOfLargest(counts: SlowPageCounts, c: number): number {
  if (c <= 0) return 0;
  let max = 0;
  counts.forEachSlowPageCount((a) => {
    if (a > max) max = a;
  });
  const hist = new Float64Array(Math.min(max, DENSE - 1) + 1); // hist[a] = pages with a accesses
  const big: number[] = [];
  counts.forEachSlowPageCount((a) => {
    if (a < DENSE) hist[a]!++;
    else big.push(a);
  });
  big.sort((x, y) => y - x);
  let left = c;
  let sum = 0;
  for (const a of big) {
    if (left === 0) return sum;
    sum += a;
    left--;
  }
  for (let a = hist.length - 1; a > 0 && left > 0; a--) {
    const take = Math.min(left, hist[a]!);
    sum += take * a;
    left -= take;
  }
  return sum;
}

/** The bounds from the totals, the per-page counts and the capacity (promotionCapacity()). */
export function computeBounds(totals: BoundsTotals, counts: SlowPageCounts, capacity: number | null): Bounds {
  const n = totals.accesses;
  const instant_hits = totals.toptier_at_start + totals.slow_page_accesses - totals.slow_pages;
  const static_hits = capacity === null ? null : totals.toptier_at_start + sumOfLargest(counts, capacity);
  return {
    ...totals,
    capacity,
    instant: n > 0 ? instant_hits / n : null,
    static: n > 0 && static_hits !== null ? static_hits / n : null,
    instant_hits,
    static_hits,
  };
}

/**
 * The tighter of the two bounds: min(instant, static), or the instant bound without a capacity limit. Without
 * demotion it is a true ceiling of rfc-v1's and pghot's share: at most C pages are ever promoted (a top-tier
 * page is never tracked, so never leaves), each once, and each serves at most a_p - 1 accesses from the fast
 * tier, so the share is at most (T0 + sum over the C largest of (a_p - 1)) / N <= both bounds.
 */
export function tighterBound(b: Pick<Bounds, 'instant' | 'static'>): number | null {
  if (b.instant === null || b.static === null) return b.instant;
  return Math.min(b.instant, b.static);
}

/**
 * The bounds from the engine's own per-page state (RfcV1Engine.page_counts(), RfcV1Config.page_counts): one
 * count per slow-tier LRU page beside its state, no second table. `accesses` is kpromoted_recorded_accesses.
 */
export function boundsOfPageCounts(pc: PageCounts, accesses: number, topology: Topology): Bounds {
  return computeBounds(
    { accesses, toptier_at_start: pc.home_toptier, slow_pages: pc.pages, slow_page_accesses: pc.accesses },
    { forEachSlowPageCount: (f) => pc.forEach((_pfn, a) => f(a)) },
    promotionCapacity(topology),
  );
}

/** A share as a fraction of a bound; null when either is unknown or the bound is 0. */
export function fractionOf(share: number | null, bound: number | null): number | null {
  return share === null || bound === null || bound === 0 ? null : share / bound;
}
