/**
 * Page access counts kept apart from the engine: what RfcV1Engine counts with page_counts (one count per slow-tier
 * LRU page by the topology's ranges, and the accesses to home top-tier pages, T0), counted by the thread that parsed
 * the records once the engine applied them, and added to the engine's counts at the end (RfcV1Engine.addCounts()). A
 * block read counts the ring's records on its parse thread (trace/parallel.ts), which waits for ring slots about half
 * its time, instead of on the engine's thread, which bounds a replay: page counting was about 0.35 s of a 1.1 s
 * `replay --analysis`.
 *
 * Dense page state only, laid out as the engine's without --demotion (the slow-tier LRU ranges in range order, one
 * count byte a page plus the carries of page-state.ts), so that the engine adds the counts index for index.
 */
import { PageState, type StateRegion } from './page-state.js';
import { GC_INDEX, GC_NONE, GC_SPARE, granuleCodes, KIND_LRU, RangeTable } from './placement.js';
import { Nodes } from './nodes.js';
import type { Topology } from './topology.js';

/** A tally's counts, as one thread posts them to another (`counts` is transferable). */
export interface TallySnapshot {
  /** Low 8 bits of each page's count, by the engine's dense page index (its spare index last). */
  readonly counts: Uint8Array;
  /** The carries: index and count >>> 8, in pairs. */
  readonly carries: readonly number[];
  /** Accesses to pfns whose home node is top tier (T0). */
  readonly homeTop: number;
}

/**
 * An engine that can hand its page counting to a reader (RfcV1Engine): pauseCounts() true means it counts no access
 * from then on; the reader counts every record it gives it, adds the tallies, and resumes it before its counts are read.
 */
export interface PageCountHandoff {
  pauseCounts(): boolean;
  addCounts(t: TallySnapshot): void;
  resumeCounts(): void;
}

/**
 * The slow-tier LRU ranges of a topology in range order: the engine's page-state regions without --demotion (the page
 * tallies and the bounds counter count in them).
 */
export function slowRegions(topology: Topology): { ranges: RangeTable; regions: StateRegion[]; regionOf: Int32Array } {
  const ranges = new RangeTable(topology);
  const nodes = new Nodes(topology);
  const regions: StateRegion[] = [];
  // Per range: its region, -1 for a top-tier range, -2 for one not counted (a slow-tier nonlru or device range).
  const regionOf = new Int32Array(ranges.count);
  for (let r = 0; r < ranges.count; r++) {
    if (nodes.toptier[ranges.nids[r]!] === 1) regionOf[r] = -1;
    else if (ranges.kinds[r] !== KIND_LRU) regionOf[r] = -2;
    else {
      regionOf[r] = regions.length;
      regions.push({ start: ranges.starts[r]!, end: ranges.ends[r]!, slow: true });
    }
  }
  return { ranges, regions, regionOf };
}

/**
 * How the page tallies and the bounds counter find a slow-tier LRU page's count: the ranges of slowRegions(), a page
 * store with counts over its regions, per range the offset `add` (pfn + add[r] is the page's index), and the granule
 * codes (placement.ts granuleCodes()) as the engine's first phase reads them: a slow-tier LRU page's index, or the spare
 * index for a top-tier pfn; the range table decides the rest (and all of it with hashed counts: gspan 0).
 */
export interface SlowPageIndexing {
  readonly ranges: RangeTable;
  /** Per range: its region, -1 for a top-tier range, -2 for one not counted (a slow-tier nonlru or device range). */
  readonly regionOf: Int32Array;
  readonly pages: PageState;
  readonly add: Float64Array;
  readonly gcode: Int32Array;
  readonly glo: number;
  readonly gspan: number;
  readonly gshift: number;
}

/** The SlowPageIndexing of `topology`. */
export function slowPageIndexing(topology: Topology): SlowPageIndexing {
  const { ranges, regions, regionOf } = slowRegions(topology);
  const pages = new PageState(regions, 0, true);
  const add = new Float64Array(ranges.count);
  for (let r = 0; r < ranges.count; r++) if (regionOf[r]! >= 0) add[r] = pages.bases[regionOf[r]!]! - ranges.starts[r]!;
  const codes = granuleCodes(ranges, Int32Array.from(regionOf, (k) => (k >= 0 ? GC_INDEX : k === -1 ? GC_SPARE : GC_NONE)), add, pages.spare);
  return { ranges, regionOf, pages, add, gcode: codes.gcode, glo: codes.lo, gspan: pages.dense ? codes.span : 0, gshift: codes.shift };
}

/** Records count() takes at a time. */
const GATHER = 4096;

/** Counts page accesses as RfcV1Engine's page_counts does; see the file comment. */
export class PageTally {
  private readonly ranges: RangeTable;
  private readonly pages: PageState;
  /** Per range: pfn + add[r] is the page's index (slow-tier LRU ranges); its kind: a region, -1 top tier, -2 not counted. */
  private readonly add: Float64Array;
  private readonly kind: Int32Array;
  /**
   * The granule codes (placement.ts granuleCodes()), as the engine's first phase reads them: a slow-tier LRU page's
   * index, or the spare index for a top-tier pfn (T0 is its count); the range table decides the rest.
   */
  private readonly gcode: Int32Array;
  private readonly glo: number;
  private readonly gspan: number;
  private readonly gshift: number;
  private readonly ix = new Int32Array(GATHER);

  /** A tally over `topology`'s ranges. */
  constructor(topology: Topology) {
    const x = slowPageIndexing(topology);
    this.ranges = x.ranges;
    this.pages = x.pages;
    this.kind = x.regionOf;
    this.add = x.add;
    this.gcode = x.gcode;
    this.glo = x.glo;
    this.gspan = x.gspan;
    this.gshift = x.gshift;
  }

  /** Whether the counts are dense (a tally is only made for such a topology: RfcV1Engine.pauseCounts()). */
  get dense(): boolean {
    return this.pages.dense;
  }

  /** Counts the accesses of records [from, to) of a pfn column. */
  count(pfn: Float64Array, from: number, to: number): void {
    const rt = this.ranges;
    const kind = this.kind;
    const add = this.add;
    const gcode = this.gcode;
    const glo = this.glo;
    const gspan = this.gspan;
    const gshift = this.gshift;
    const spare = this.pages.spare;
    const ix = this.ix;
    const pages = this.pages;
    for (let at = from; at < to; at += GATHER) {
      const end = Math.min(to, at + GATHER);
      // The records' page indexes first, then the increments alone: their cache misses overlap (as flushCounts()).
      let m = 0;
      for (let i = at; i < end; i++) {
        const p = pfn[i]!;
        const d = p - glo;
        if (d >= 0 && d < gspan) {
          const di = d | 0;
          const code = gcode[di >>> gshift]!;
          if (code !== -2) {
            ix[m++] = (di & -(code & 1)) + (code >> 1);
            continue;
          }
        }
        const r = rt.find(p);
        const k = r < 0 ? -2 : kind[r]!;
        if (k >= 0) ix[m++] = (p + add[r]!) | 0;
        else if (k === -1) ix[m++] = spare;
      }
      pages.countIndexes(ix, m);
    }
  }

  /** The counts so far, to post to the engine's thread (the tally is not used after). */
  snapshot(): TallySnapshot {
    const pages = this.pages;
    const counts = pages.counts!;
    const spare = pages.spare;
    // The spare index counted T0: its count is homeTop, and no page's.
    const carries: number[] = [];
    const pairs = pages.carryPairs();
    let top = counts[spare]!;
    for (let k = 0; k < pairs.length; k += 2) {
      if (pairs[k] === spare) top += 256 * pairs[k + 1]!;
      else carries.push(pairs[k]!, pairs[k + 1]!);
    }
    counts[spare] = 0;
    return { counts, carries, homeTop: top };
  }
}
