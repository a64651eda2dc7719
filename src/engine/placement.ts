/** pfn -> (node, kind) from the topology's pfn ranges: the replay's pfn_to_nid() before any migration. */
import type { RangeKind, Topology } from './topology.js';

/** Range kinds as small integers; KIND_NONE means the pfn is in no range (pfn_to_online_page() is NULL). */
export const KIND_LRU = 0;
/** folio_test_lru() false. */
export const KIND_NONLRU = 1;
/** is_zone_device_page() true. */
export const KIND_DEVICE = 2;
/** In no node's range. */
export const KIND_NONE = 3;

const KIND_CODE: Record<RangeKind, number> = { lru: KIND_LRU, nonlru: KIND_NONLRU, device: KIND_DEVICE };

/** Granule table entry: the granule holds no range pfn. */
const G_NONE = -1;
/** Granule table entry: the granule holds more than one range (or a range and a gap): binary search. */
const G_MIXED = -2;
/** Most granules in the table (Int32, 256 KiB). */
const GRANULE_ENTRIES = 1 << 16;

/**
 * The topology's ranges, sorted, with a small granule table in front of the binary search: the pfn span of
 * the ranges is cut into at most 2^16 power-of-two granules, and a granule lying inside one range (or in no
 * range) answers with one array read. Only granules where ranges meet fall back to the binary search.
 */
export class RangeTable {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  readonly nids: Int32Array;
  readonly kinds: Uint8Array;
  readonly count: number;
  /** First pfn of the granule table and its span (pfns at or past lo + span are in no range). */
  readonly lo: number;
  readonly span: number;
  /** Pages per granule: a power of two; and 1 / granule (exact), to multiply instead of divide. */
  readonly granule: number;
  readonly inverse: number;
  /** Range index of each granule, G_NONE or G_MIXED. */
  readonly granules: Int32Array;

  constructor(topo: Topology) {
    const all = topo.nodes
      .flatMap((n) => n.pfn_ranges.map((r) => ({ start: r.start, end: r.end, nid: n.id, kind: KIND_CODE[r.kind] })))
      .sort((a, b) => a.start - b.start);
    this.count = all.length;
    this.starts = Float64Array.from(all, (r) => r.start);
    this.ends = Float64Array.from(all, (r) => r.end);
    this.nids = Int32Array.from(all, (r) => r.nid);
    this.kinds = Uint8Array.from(all, (r) => r.kind);
    this.lo = all.length > 0 ? all[0]!.start : 0;
    const hi = all.reduce((m, r) => Math.max(m, r.end), this.lo);
    // The largest power of two dividing every range boundary (relative to lo), so no granule is mixed,
    // unless that needs more than GRANULE_ENTRIES granules (then some are, and fall back to the search).
    let granule = 2 ** 52;
    for (const r of all) {
      while ((r.start - this.lo) % granule !== 0 || (r.end - this.lo) % granule !== 0) granule /= 2;
    }
    while ((hi - this.lo) / granule > GRANULE_ENTRIES) granule *= 2;
    this.granule = granule;
    this.inverse = 1 / granule;
    const n = Math.ceil((hi - this.lo) / granule);
    this.span = n * granule;
    this.granules = new Int32Array(n).fill(G_NONE);
    for (let g = 0; g < n; g++) {
      const a = this.lo + g * granule;
      const b = a + granule;
      const j = lastStartAtOrBefore(this.starts, a);
      const holds = j >= 0 && this.ends[j]! > a;
      if (holds && this.ends[j]! >= b) this.granules[g] = j; // inside one range
      else if (holds || (j + 1 < this.count && this.starts[j + 1]! < b)) this.granules[g] = G_MIXED;
    }
  }

  /** Index of the range holding pfn, or -1. */
  find(pfn: number): number {
    const d = pfn - this.lo;
    if (!(d >= 0 && d < this.span)) return -1;
    const g = this.granules[Math.floor(d * this.inverse)]!;
    return g === G_MIXED ? this.search(pfn) : g;
  }

  /** Binary search: the range holding pfn, or -1. */
  search(pfn: number): number {
    const i = lastStartAtOrBefore(this.starts, pfn);
    return i >= 0 && pfn < this.ends[i]! ? i : -1;
  }
}

/** What a range is to granuleCodes(): its pages have indexes (pfn + add[r]), all count as the spare index, or neither. */
export const GC_INDEX = 0;
export const GC_SPARE = 1;
export const GC_NONE = 2;

/**
 * A page index in a few integer operations, per granule of a range table (the engine's first phase, the page
 * tallies): with d = pfn - lo, for 0 <= d < span, and c = gcode[d >>> shift], c = -2 leaves the pfn to
 * find(); else its index is (d & -(c & 1)) + (c >> 1): c = 2 * (lo + add[r]) + 1 in a granule of a range whose pages
 * have indexes (GC_INDEX: pfn + add[r]), 2 * spare in one of a GC_SPARE range. span is 0 (no code is used) when the
 * granule is no power of two, the span passes 2^30 or an offset does not fit in 31 bits.
 */
export interface GranuleCodes {
  readonly gcode: Int32Array;
  readonly lo: number;
  readonly span: number;
  readonly shift: number;
}

/** The granule codes of `ranges` (see GranuleCodes), `kind` and `add` by range. */
export function granuleCodes(ranges: RangeTable, kind: ArrayLike<number>, add: ArrayLike<number>, spare: number): GranuleCodes {
  const shift = Math.log2(ranges.granule);
  const none: GranuleCodes = { gcode: new Int32Array(1).fill(-2), lo: ranges.lo, span: 0, shift: 0 };
  if (ranges.span > 2 ** 30 || !Number.isInteger(shift)) return none;
  const granules = ranges.granules;
  const gcode = new Int32Array(granules.length).fill(-2);
  for (let g = 0; g < granules.length; g++) {
    const r = granules[g]!;
    if (r < 0) continue;
    if (kind[r] === GC_INDEX) {
      const a = ranges.lo + add[r]!;
      if (a < -(2 ** 30) || a >= 2 ** 30) return none;
      gcode[g] = 2 * a + 1;
    } else if (kind[r] === GC_SPARE) gcode[g] = 2 * spare;
  }
  return { gcode, lo: ranges.lo, span: ranges.span, shift };
}

/** Index of the last of the sorted `starts` at or before pfn, or -1 (binary search). */
function lastStartAtOrBefore(starts: Float64Array, pfn: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let i = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= pfn) {
      i = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return i;
}
