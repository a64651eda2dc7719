/**
 * Phase 1 of the rfc engines' two-phase hot loop (rfc-v1.ts record_batch()), for a replay that does not count pages:
 * the records of a block up to the next pass, each placed by its granule code and told a top-tier hit (the topHot bit
 * of its page index: counted, nothing else to do) or not (listed for phase 2, in order).
 *
 * A loop that calls only granuleIndex(), which V8 inlines: the loop it replaces, inside record_batch(), had the range table's lookup, the ignored
 * tally and targetIndex() in its rare branch, and timed inside the engine took 127-200 ms over the 8 k-page trace's
 * 10 M records, the same loop alone 47 ms (likely the calls: a call clobbers the registers, so record_batch()'s forty-odd
 * live values went to the stack around the loop). The records no granule code places are now listed with index -1 and
 * given to the range table after the loop. V8 inlines topHits() (and granuleIndex()) into record_batch()
 * (`--trace-turbo-inlining`): the gain is the loop's, not the call boundary's.
 * Measured on 2026-12-04, 21:40-22:00 UTC, against the build before: the engine alone in fresh processes 0.92x (8 k
 * pages) and 0.95x (the bench's 10 M trace of 1.4 M pages), medians of 11 alternating runs; warm, both builds in one
 * process pinned to one core, alternating fresh engines, 0.95-1.00x whichever ran first (8 runs of 12); CLI replays
 * 0.99x and 1.02x (15 alternating runs, the VM at its noisiest): a gain of a few % on the engine's thread.
 */

/** Where topHits() leaves its other results: TH_END and the rest index it. */
export const topHitsOut = new Int32Array(8);
/** The record it stopped at (lim, or the first whose time is the next pass's or later). */
export const TH_END = 0;
/** Top-tier hits among the records it read. */
export const TH_HITS = 1;
/** The sum and the bitwise or of their sources (src). */
export const TH_SRC_SUM = 2;
export const TH_SRC_OR = 3;
/** 1 when a listed record has page index -1 (no granule code placed it: the caller asks the range table), else 0. */
export const TH_UNPLACED = 4;

/**
 * The page index of a pfn by its granule code (rfc-v1.ts RfcV1Engine.gcode): for d = pfn - glo below gspan,
 * (d & -(c & 1)) + (c >> 1) with c = gcode[d >>> gshift]; -1 for any other pfn, and in a granule whose code is -2 (the
 * range table decides). Small enough for V8 to inline in the loops that call it.
 */
export function granuleIndex(pfn: number, glo: number, gspan: number, gshift: number, gcode: Int32Array): number {
  const d = pfn - glo;
  if (d >= 0 && d < gspan) {
    const di = d | 0;
    const code = gcode[di >>> gshift]!;
    return (di & -(code & 1)) + (code >> 1);
  }
  return -1;
}

/**
 * Reads records [i, lim) of the columns, up to the first whose time is `next` or later. A record's page index is its
 * granuleIndex(). A record whose index has its topHot bit set is a hit; every other one is listed: its position in slowAt, its
 * index in slowIdx (-1 included). Returns the records listed; topHitsOut holds the rest.
 */
export function topHits(
  P: Float64Array,
  S: Int32Array,
  T: Float64Array,
  i: number,
  lim: number,
  next: number,
  glo: number,
  gspan: number,
  gshift: number,
  gcode: Int32Array,
  topHot: Uint8Array,
  slowAt: Int32Array,
  slowIdx: Int32Array,
): number {
  let m = 0;
  let hits = 0;
  let srcSum = 0;
  let srcOr = 0;
  let unplaced = 0;
  let e = i;
  for (; e < lim; e++) {
    if (T[e]! >= next) break;
    const pfn = P[e]!;
    const src = S[e]!;
    srcSum += src;
    srcOr |= src;
    const idx = granuleIndex(pfn, glo, gspan, gshift, gcode);
    const hot = idx < 0 ? 0 : (topHot[idx >> 3]! >> (idx & 7)) & 1;
    unplaced |= idx;
    hits += hot;
    slowAt[m] = e;
    slowIdx[m] = idx;
    m += 1 - hot;
  }
  const out = topHitsOut;
  out[TH_END] = e;
  out[TH_HITS] = hits;
  out[TH_SRC_SUM] = srcSum;
  out[TH_SRC_OR] = srcOr;
  out[TH_UNPLACED] = unplaced >>> 31;
  return m;
}
