/**
 * The replay's per-page state: one small integer per page of the "state regions" (the slow-tier LRU ranges,
 * plus every top-tier range with --demotion, whose pages kswapd can move), replacing a pfn-keyed index of
 * moved pages. Pages outside them need no state: a top-tier page never moves without --demotion, and a
 * page in no range or in a slow-tier nonlru/device range is never tracked nor migrated.
 *
 * State of a page (state[index]):
 *   0            ST_HOME: where the topology's ranges put it, no record
 *   1            ST_TRACKED: a record exists; slot[index] is its slot (the record says where the page lives)
 *   2 + 2n + a   moved to node n in this replay, no record; a = 1 once accessed since it moved
 * One byte per page (Uint8Array) while node ids are <= MAX_BYTE_NODE, else two (Uint16Array).
 *
 * Two ways to find a page's index, chosen once from the size of the regions:
 * - dense (regions of at most DENSE_MAX_PAGES pages in all): index = region base + (pfn - region start),
 *   in one zero-filled array. Node allocates large typed arrays with calloc, so the OS backs only the
 *   4 KiB pages of the array that are touched: memory follows the pages the trace touches.
 * - hashed (larger regions, e.g. a 2 TiB CXL range): a pfn -> index hash (fmix32 homes, linear probing,
 *   load <= 3/4) over columns that grow by doubling; an index is given to a page at its first access and
 *   never moves, so the engine may keep it in a record. Memory: 13 to 26 bytes per page touched (plus 12
 *   with counts: the count and the pfn of each index).
 *
 * The slot column (Int32, beside the state, allocated the same way) holds the record of a tracked page: the
 * engine finds a page's record with the index it already has, with no pfn-keyed table (a hash of every live
 * record would be a random access into tens of MB per access; this is one into 4 bytes per page).
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
  /** Dense: index = bases[r] + (pfn - regions[r].start). Hashed: index from indexOf(). */
  readonly dense: boolean;
  /** Dense only: base index of each region. */
  readonly bases: Float64Array;
  /** State by index (see the file comment). Hashed: grows; re-read after indexOf(). */
  state: Uint8Array | Uint16Array;
  /** Slot of the record of each ST_TRACKED index (meaningless otherwise). Hashed: grows with state. */
  slot: Int32Array;
  /** Accesses by index (slow-tier pages only), or null when not asked for. Hashed: grows with state. */
  counts: Uint32Array | null;
  /**
   * Dense only: an index past every page's, whose state and slot belong to no page. The engine's hot loop
   * (rfc-v1.ts) reads and writes it in place of a top-tier page's, which has none, so it need not branch.
   */
  readonly spare: number;
  /** Dense only: the regions' pages in all. */
  private readonly total: number;

  // Hashed mode: keys (pfn or -1) -> ids, and the pfn of each index.
  private keys: Float64Array;
  private ids: Int32Array;
  private mask: number;
  private pfnOf: Float64Array;
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
    const n = this.dense ? total + 1 : 1024;
    this.state = this.wide ? new Uint16Array(n) : new Uint8Array(n);
    this.slot = new Int32Array(n);
    this.counts = withCounts ? new Uint32Array(n) : null;
    const slots = this.dense ? 1 : 2048;
    this.keys = new Float64Array(slots).fill(-1);
    this.ids = new Int32Array(slots);
    this.mask = slots - 1;
    this.pfnOf = new Float64Array(this.dense || !withCounts ? 0 : n); // only forEachCount() needs it
  }

  /** Hashed mode: index of pfn, giving it one (state 0, count 0) at its first call. */
  indexOf(pfn: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let i = mixPfn(pfn) & mask;
    for (;;) {
      const k = keys[i]!;
      if (k === pfn) return this.ids[i]!;
      if (k === -1) break;
      i = (i + 1) & mask;
    }
    const id = this.used++;
    if (id >= this.state.length) this.growColumns();
    if (this.counts !== null) this.pfnOf[id] = pfn;
    if (this.used * 4 > (mask + 1) * 3) {
      this.growKeys();
      this.place(pfn, id);
    } else {
      keys[i] = pfn;
      this.ids[i] = id;
    }
    return id;
  }

  /** Hashed mode: index of pfn, or -1 when it never had one. */
  find(pfn: number): number {
    const keys = this.keys;
    const mask = this.mask;
    for (let i = mixPfn(pfn) & mask; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === pfn) return this.ids[i]!;
      if (k === -1) return -1;
    }
  }

  /** Index of a pfn of region `r` in either mode (-1 in hashed mode when it has none yet and `add` is false). */
  index(pfn: number, r: number, add: boolean): number {
    if (this.dense) return this.bases[r]! + (pfn - this.regions[r]!.start);
    return add ? this.indexOf(pfn) : this.find(pfn);
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
      if (c !== 0) f(this.pfnOf[id]!, c);
    }
  }

  /** Pages given an index (hashed mode), or the regions' total (dense). */
  get size(): number {
    return this.dense ? this.total : this.used;
  }

  private place(pfn: number, id: number): void {
    const keys = this.keys;
    const mask = this.mask;
    let i = mixPfn(pfn) & mask;
    while (keys[i] !== -1) i = (i + 1) & mask;
    keys[i] = pfn;
    this.ids[i] = id;
  }

  private growKeys(): void {
    const old = this.keys;
    const oldIds = this.ids;
    this.keys = new Float64Array(old.length * 2).fill(-1);
    this.ids = new Int32Array(old.length * 2);
    this.mask = old.length * 2 - 1;
    for (let j = 0; j < old.length; j++) if (old[j] !== -1) this.place(old[j]!, oldIds[j]!);
  }

  private growColumns(): void {
    const n = this.state.length * 2;
    const state = this.wide ? new Uint16Array(n) : new Uint8Array(n);
    state.set(this.state);
    this.state = state;
    const slot = new Int32Array(n);
    slot.set(this.slot);
    this.slot = slot;
    if (this.counts !== null) {
      const counts = new Uint32Array(n);
      counts.set(this.counts);
      this.counts = counts;
      const pfnOf = new Float64Array(n);
      pfnOf.set(this.pfnOf);
      this.pfnOf = pfnOf;
    }
  }
}
