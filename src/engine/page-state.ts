/**
 * The replay's per-page state: one small integer per page of the "state regions" (the slow-tier LRU ranges,
 * plus every top-tier range with --demotion, whose pages kswapd can move), replacing a pfn-keyed index of
 * moved pages. Pages outside them need no state: a top-tier page never moves without --demotion, and a
 * page in no range or in a slow-tier nonlru/device range is never tracked nor migrated.
 *
 * State of a page (state[index]):
 *   0            ST_HOME: where the topology's ranges put it, no record
 *   1            ST_TRACKED: a record exists (the engine finds it by pfn in its hash table; the record says where
 *                the page lives)
 *   2 + 2n + a   moved to node n in this replay, no record; a = 1 once accessed since it moved
 * One byte per page (Uint8Array) while node ids are <= MAX_BYTE_NODE, else two (Uint16Array).
 *
 * Two ways to find a page's index, chosen once from the size of the regions:
 * - dense (regions of at most DENSE_MAX_PAGES pages in all): index = region base + (pfn - region start),
 *   in one zero-filled array. Node allocates large typed arrays with calloc, so the OS backs only the
 *   4 KiB pages of the array that are touched: memory follows the pages the trace touches.
 * - hashed (larger regions, e.g. a 2 TiB CXL range): a hash from a page's offset in the regions (as dense
 *   mode's index) to its index (fmix32 homes, linear probing, load <= 3/4), each entry the pair
 *   [offset + 1, index] in one Uint32Array (one cache line a probe; 0 = empty, so a new table is calloc's
 *   zeros), or a Float64Array when the regions hold 2^32 - 1 pages or more. Indices are given in the order of
 *   first access and never move, so the engine may keep one in a record; the columns are reserved at
 *   HASHED_RESERVE entries, of which the OS backs only the prefix in use (as for dense mode), and double
 *   past that. Memory: 1 byte per page touched in the columns (13 with counts: the count and the offset),
 *   and 8 (Float64Array: 16) bytes per table entry, 11-21 bytes per page touched at load 3/8 to 3/4 (a table
 *   for 1.4 M pages is 16 MiB; while it doubles, the old one is garbage until the next GC).
 *
 * A tracked page's record: the engine finds it in its page_hotness_hash chain, as the kernel does (kpromoted_lookup()),
 * only for pages in state ST_TRACKED (a few % of slow-tier accesses); the chains hold only the records alive between
 * passes, and a new record goes into its chain anyway. Once its walks get long (many pages tracked before one pass
 * and looked up again), the engine asks for the slot column (enableSlots()): the record's slot beside the state, 4
 * bytes per page, allocated as the state is, and kept from then on. (Always kept, it cost a cache miss per slow-tier
 * access and 8 MiB on the bench's 2 M-page CXL node.)
 *
 * Optional access counts (`counts`, for the fast-tier share bounds): one Uint32 per index, beside the state,
 * allocated the same way (dense: same lazily backed length; hashed: same growing columns).
 */
import { mixPfn } from './mix.js';

/** No record, at home. */
export const ST_HOME = 0;
/** A record exists. */
export const ST_TRACKED = 1;
/** First moved state: 2 + 2 * node + accessed. */
export const ST_MOVED = 2;
/** Largest node id a one-byte state holds. */
export const MAX_BYTE_NODE = 126;
/** Largest total of region pages kept in one dense array (2^25 pages: 128 GiB of 4 KiB pages). */
export const DENSE_MAX_PAGES = 2 ** 25;
/**
 * Entries of the hashed mode's columns reserved up front (4 M pages touched; 68 MiB of address space with counts, of
 * which only the prefix in use is backed): past that they double.
 */
export const HASHED_RESERVE = 2 ** 22;

/** State of a page moved to `node`, `accessed` since it moved. */
export function movedState(node: number, accessed: boolean): number {
  return ST_MOVED + 2 * node + (accessed ? 1 : 0);
}

/** Node of a moved state (>= ST_MOVED). */
export function movedNode(state: number): number {
  return (state - ST_MOVED) >> 1;
}

/** A pfn range whose pages have state; `slow`: on a slow-tier node (its pages are counted). */
export interface StateRegion {
  readonly start: number;
  readonly end: number;
  readonly slow: boolean;
}

/** The per-page state store. */
export class PageState {
  /** Dense: index = bases[r] + (pfn - regions[r].start). Hashed: from indexOf() of that offset. */
  readonly dense: boolean;
  /** Base offset of each region: a page's offset in the regions is bases[r] + (pfn - regions[r].start). */
  readonly bases: Float64Array;
  /** State by index (see the file comment). Hashed: grows; re-read after indexOf(). */
  state: Uint8Array | Uint16Array;
  /** Slot of the record of each ST_TRACKED index (meaningless otherwise), once enableSlots() was called; else null. Hashed: grows with state. */
  slot: Int32Array | null = null;
  /** Accesses by index (slow-tier pages only), or null when not asked for. Hashed: grows with state. */
  counts: Uint32Array | null;
  /**
   * Dense only: an index past every page's, whose state belongs to no page. The engine's hot loop
   * (rfc-v1.ts) reads and writes it in place of a top-tier page's, which has none, so it need not branch.
   */
  readonly spare: number;
  /** The regions' pages in all. */
  private readonly total: number;

  // Hashed mode: pairs [offset + 1 (0 = empty), index], and the offset of each index (with counts only).
  private table: Uint32Array | Float64Array;
  private mask: number;
  private offOf: Float64Array;
  private used = 0;
  private readonly wide: boolean;

  constructor(
    readonly regions: readonly StateRegion[],
    maxNode: number,
    withCounts: boolean,
    denseMax = DENSE_MAX_PAGES,
  ) {
    this.wide = maxNode > MAX_BYTE_NODE;
    let total = 0;
    this.bases = new Float64Array(regions.length);
    regions.forEach((r, i) => {
      this.bases[i] = total;
      total += r.end - r.start;
    });
    this.dense = total <= denseMax;
    this.total = total;
    this.spare = this.dense ? total : -1;
    // Hashed: the columns' reserve, backed by the OS only where indices were given (they are given in order).
    const n = this.dense ? total + 1 : Math.min(total, denseMax, HASHED_RESERVE);
    this.state = this.wide ? new Uint16Array(n) : new Uint8Array(n);
    this.counts = withCounts ? new Uint32Array(n) : null;
    this.table = this.newTable(this.dense ? 0 : 2048);
    this.mask = this.dense ? 0 : 2047;
    this.offOf = new Float64Array(this.dense || !withCounts ? 0 : n); // only forEachCount() needs it
  }

  /** A page's offset in the regions: its index in dense mode, its key in hashed mode. */
  offset(pfn: number, r: number): number {
    return this.bases[r]! + (pfn - this.regions[r]!.start);
  }

  /** Allocates the slot column (once); the caller fills it for the records alive. */
  enableSlots(): Int32Array {
    if (this.slot === null) this.slot = new Int32Array(this.state.length);
    return this.slot;
  }

  /** Hashed mode: index of the page at offset `off`, giving it one (state 0, count 0) at its first call. */
  indexOf(off: number): number {
    const table = this.table;
    const mask = this.mask;
    const key = off + 1;
    let i = mixPfn(off) & mask;
    for (;;) {
      const k = table[2 * i]!;
      if (k === key) return table[2 * i + 1]!;
      if (k === 0) break;
      i = (i + 1) & mask;
    }
    const id = this.used++;
    if (id >= this.state.length) this.growColumns();
    if (this.counts !== null) this.offOf[id] = off;
    if (this.used * 4 > (mask + 1) * 3) {
      this.growTable();
      this.place(key, id);
    } else {
      table[2 * i] = key;
      table[2 * i + 1] = id;
    }
    return id;
  }

  /** Hashed mode: index of the page at offset `off`, or -1 when it never had one. */
  find(off: number): number {
    const table = this.table;
    const mask = this.mask;
    const key = off + 1;
    for (let i = mixPfn(off) & mask; ; i = (i + 1) & mask) {
      const k = table[2 * i]!;
      if (k === key) return table[2 * i + 1]!;
      if (k === 0) return -1;
    }
  }

  /** Index of a pfn of region `r` in either mode (-1 in hashed mode when it has none yet and `add` is false). */
  index(pfn: number, r: number, add: boolean): number {
    const off = this.offset(pfn, r);
    if (this.dense) return off;
    return add ? this.indexOf(off) : this.find(off);
  }

  /** Calls f(pfn, count) for every slow-tier page with a non-zero count (dense: ascending pfn). */
  forEachCount(f: (pfn: number, count: number) => void): void {
    const counts = this.counts;
    if (counts === null) return;
    if (this.dense) {
      this.regions.forEach((r, i) => {
        if (!r.slow) return;
        const base = this.bases[i]!;
        const size = r.end - r.start;
        for (let j = 0; j < size; j++) {
          const c = counts[base + j]!;
          if (c !== 0) f(r.start + j, c);
        }
      });
      return;
    }
    for (let id = 0; id < this.used; id++) {
      const c = counts[id]!;
      if (c !== 0) f(this.pfnAt(this.offOf[id]!), c);
    }
  }

  /** Pages given an index (hashed mode), or the regions' total (dense). */
  get size(): number {
    return this.dense ? this.total : this.used;
  }

  /** The pfn at offset `off` in the regions. */
  private pfnAt(off: number): number {
    const bases = this.bases;
    let lo = 0;
    let hi = bases.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bases[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return this.regions[lo]!.start + (off - bases[lo]!);
  }

  /** A zeroed table of `entries` pairs: 32-bit words while every offset + 1 fits one. */
  private newTable(entries: number): Uint32Array | Float64Array {
    return this.total < 0xffffffff ? new Uint32Array(2 * entries) : new Float64Array(2 * entries);
  }

  private place(key: number, id: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = mixPfn(key - 1) & mask;
    while (table[2 * i] !== 0) i = (i + 1) & mask;
    table[2 * i] = key;
    table[2 * i + 1] = id;
  }

  private growTable(): void {
    const old = this.table;
    this.table = this.newTable(old.length);
    this.mask = old.length - 1;
    for (let j = 0; j < old.length; j += 2) if (old[j] !== 0) this.place(old[j]!, old[j + 1]!);
  }

  private growColumns(): void {
    const n = this.state.length * 2;
    const state = this.wide ? new Uint16Array(n) : new Uint8Array(n);
    state.set(this.state);
    this.state = state;
    if (this.slot !== null) {
      const slot = new Int32Array(n);
      slot.set(this.slot);
      this.slot = slot;
    }
    if (this.counts !== null) {
      const counts = new Uint32Array(n);
      counts.set(this.counts);
      this.counts = counts;
      const offOf = new Float64Array(n);
      offOf.set(this.offOf);
      this.offOf = offOf;
    }
  }
}
