/**
 * Where the generator's pages live. Pages are numbered by slot 0..pages-1 in ascending pfn order:
 * slots below the fast count spread over the fast tier range, the rest over the slow tier range
 * (each slot owns an equal sub-interval of its range and a seeded pfn inside it). A seeded
 * permutation maps hot-set ranks to slots, so the hot set is scattered over both tiers and is not
 * contiguous, while a scan in slot order walks pfns upward like a page-table scanner.
 */
import { FAST_TIER_BASE, FAST_TIER_END, fastPageCount, type GenOptions } from './options.js';
import type { Prng } from './prng.js';

/** 32-bit integer mix (murmur3 fmix32). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A seeded bijection of [0, n): a 4-round Feistel network over 2h bits with cycle walking. */
export interface Permutation {
  readonly n: number;
  /** The image of x in [0, n). */
  apply(x: number): number;
}

/** Creates a seeded permutation of [0, n) for 1 <= n <= 2^26, O(1) memory. */
export function createPermutation(n: number, rng: Prng): Permutation {
  let half = 1;
  while (2 ** (2 * half) < n) half++;
  const mask = (1 << half) - 1;
  const k0 = rng.u32(), k1 = rng.u32(), k2 = rng.u32(), k3 = rng.u32();
  const encrypt = (x: number): number => {
    let l = x >>> half;
    let r = x & mask;
    let t: number;
    t = r; r = l ^ (mix32(r ^ k0) & mask); l = t;
    t = r; r = l ^ (mix32(r ^ k1) & mask); l = t;
    t = r; r = l ^ (mix32(r ^ k2) & mask); l = t;
    t = r; r = l ^ (mix32(r ^ k3) & mask); l = t;
    return ((l << half) | r) >>> 0;
  };
  const apply = (x: number): number => {
    // Cycle walking: the Feistel domain is at most 4n, so this takes < 4 steps on average.
    let y = encrypt(x);
    while (y >= n) y = encrypt(y);
    return y;
  };
  return { n, apply };
}

/** Page placement: slot -> pfn, and hot-set rank -> slot. */
export interface PageLayout {
  readonly pages: number;
  /** Slots [0, fastPages) lie on the fast tier. */
  readonly fastPages: number;
  /** pfn of a slot; strictly increasing in slot. */
  pfnOf(slot: number): number;
  /** Seeded permutation of [0, pages): rank - 1 -> slot. */
  readonly scatter: Permutation;
}

/** Position of item j of `count` spread over `span` pfns: its own sub-interval plus a seeded offset. */
function spread(j: number, count: number, span: number, key: number): number {
  const q = Math.floor(span / count);
  const r = span % count;
  // j * r < count^2 <= 2^52: exact in doubles.
  const lo = j * q + Math.floor((j * r) / count);
  const hi = (j + 1) * q + Math.floor(((j + 1) * r) / count);
  return lo + (mix32((j ^ key) >>> 0) % (hi - lo));
}

/** Builds the layout of validated generator options, drawing keys from `rng`. */
export function createLayout(opts: GenOptions, rng: Prng): PageLayout {
  const pages = opts.pages;
  const fastPages = fastPageCount(pages, opts.fastFraction);
  const slowPages = pages - fastPages;
  const fastSpan = FAST_TIER_END - FAST_TIER_BASE;
  const fastKey = rng.u32();
  const slowKey = rng.u32();
  const { slowBase, slowSpan } = opts;
  const pfnOf = (slot: number): number =>
    slot < fastPages
      ? FAST_TIER_BASE + spread(slot, fastPages, fastSpan, fastKey)
      : slowBase + spread(slot - fastPages, slowPages, slowSpan, slowKey);
  return { pages, fastPages, pfnOf, scatter: createPermutation(pages, rng) };
}
