/**
 * The replay's per-page state: one small integer per page of the "state regions" (the slow-tier LRU ranges,
 * plus every top-tier range with --demotion, whose pages kswapd can move), replacing a pfn-keyed index of
 * moved pages. Pages outside them need no state: a top-tier page never moves without --demotion, and a
 * page in no range or in a slow-tier nonlru/device range is never tracked nor migrated.
 *
 * State of a page (state[index]):
 *   0            ST_HOME: where the topology's ranges put it, not accessed yet in this replay
 *   1            ST_TRACKED: a record exists (the engine finds it by pfn in its hash table; the record says where
 *                the page lives)
 *   2            ST_SEEN: where the topology's ranges put it, no record, accessed before (its record was dropped):
 *                so an access to a page in state 0 is the page's first in the replay (the per-row instant bound)
 *   4 + 2n + a   moved to node n in this replay, no record; a = 1 once accessed since it moved
 * One byte per page (Uint8Array) while node ids are <= MAX_BYTE_NODE, else two (Uint16Array).
 *
 * Two ways to find a page's index, chosen once from the size of the regions:
 * - dense (regions of at most DENSE_MAX_PAGES pages in all): index = region base + (pfn - region start),
 *   in one zero-filled array. Node allocates large typed arrays with calloc, so the OS backs only the
 *   4 KiB pages of the array that are touched: memory follows the pages the trace touches.
 * - hashed (larger regions, e.g. a 2 TiB CXL range): an open-addressing table of the pages touched (fmix32 homes,
 *   linear probing, load <= 3/4) whose keys are the pages' offsets in the regions (as dense mode's index) plus one,
 *   in a Uint32Array (0 = empty, so a new table is calloc's zeros), or a Float64Array when the regions hold 2^32 - 1
 *   pages or more. A page's index is its position in the table: its state (and slot and count) sit at the same
 *   position of their own columns, one load after the key's. When the table doubles, every index moves: the
 *   columns move with their keys, and onRehash() tells the engine, which finds the indices it keeps in its records
 *   again. Memory: 5 bytes per table entry (6 with counts; 9 and 10 with Float64 keys), 6.7-13 bytes per page
 *   touched at load 3/8 to 3/4 (a table for 1.4 M pages is 10 MiB). (Until 2026-12-01 an entry was the pair
 *   [offset + 1, index] and the state a column by index: 17 MiB for those pages, and two cache misses a lookup.)
 *
 * A tracked page's record: the engine finds it in its page_hotness_hash chain, as the kernel does (kpromoted_lookup()),
 * only for pages in state ST_TRACKED (a few % of slow-tier accesses); the chains hold only the records alive between
 * passes, and a new record goes into its chain anyway. Once its walks get long (many pages tracked before one pass
 * and looked up again), the engine asks for the slot column (enableSlots()): the record's slot beside the state, 4
 * bytes per page, allocated as the state is, and kept from then on. (Always kept, it cost a cache miss per slow-tier
 * access and 8 MiB on the bench's 2 M-page CXL node.)
 *
 * Optional access counts (`counts`, for the fast-tier share bounds): one byte per index, beside the state, allocated
 * the same way (dense: same lazily backed length; hashed: same growing columns), holding a count's low 8 bits; an
 * increment that wraps a byte to 0 carries into a map of the high bits by index (carry()), which holds only the pages
 * accessed 256 times or more (707 of the 10 M-record bench trace's 1.37 M pages). A byte a page instead of a Uint32
 * keeps the counts of a 2 M-page CXL node in 2 MiB instead of 8: the counting loop's increments miss the caches
 * less (README "Speed and memory").
 */
import { mixPfn } from './mix.js';

/** No record, at home, never accessed in this replay. */
export const ST_HOME = 0;
/** A record exists. */
export const ST_TRACKED = 1;
/** No record, at home, accessed before (its record was dropped). */
export const ST_SEEN = 2;
/** First moved state: 4 + 2 * node + accessed (even, so that the accessed bit is bit 0). */
export const ST_MOVED = 4;
/** Largest node id a one-byte state holds. */
export const MAX_BYTE_NODE = 125;
/** Largest total of region pages kept in one dense array (2^25 pages: 128 GiB of 4 KiB pages). */
export const DENSE_MAX_PAGES = 2 ** 25;
/** Entries of a new hashed table (it doubles past 3/4 full). */
export const HASHED_INITIAL = 2048;
/**
 * A hashed table whose columns take TABLE_SHARED_FROM bytes or more gets them in one buffer of at least
 * TABLE_BUFFER_MIN bytes: more than glibc's largest mmap threshold (32 MiB), so that malloc maps it from the OS, which
 * backs only the pages touched, and takes it back whole when the table doubles and V8 frees it. Smaller buffers came
 * from malloc's heap once the dynamic threshold had risen (the prime's slab of 8 MiB, freed, raises it to 8 MiB), and a
 * freed table stayed resident there: after a replay over a 2 TiB CXL range (1.37 M pages touched, a table of 2^21
 * entries) 46 MB of anonymous memory against 36 MB with the table made at its final size, and a peak 3 MB higher
 * (96.7-99.3 against 93.9-95.2 MB, 4 alternating runs, 2026-12-03 19:55). With these buffers, against the build before
 * (4 alternating runs, 20:00): peak 91.7-95.5 against 95.9-96.8 MB, 36-42 against 45 MB at the end. The rest of such a
 * buffer is address space.
 */
const TABLE_SHARED_FROM = 1 << 18;
const TABLE_BUFFER_MIN = (32 << 20) + (1 << 16);

/**
 * State of a page moved to `node`, `accessed` since it moved. RfcV1Engine.examine() writes this formula out twice (V8
 * inlined no call of it there, one call per promoted page): a change here changes those two lines too.
 */
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
  /** Dense: index = bases[r] + (pfn - regions[r].start). Hashed: from indexOf() of that offset (its table position). */
  readonly dense: boolean;
  /** Base offset of each region: a page's offset in the regions is bases[r] + (pfn - regions[r].start). */
  readonly bases: Float64Array;
  /** State by index (see the file comment). Hashed: replaced when the table doubles; re-read after indexOf(). */
  state: Uint8Array | Uint16Array;
  /** Slot of the record of each ST_TRACKED index (meaningless otherwise), once enableSlots() was called; else null. Hashed: grows with state. */
  slot: Int32Array | null = null;
  /**
   * Accesses by index (slow-tier pages only), their low 8 bits, or null when not asked for: a writer that wraps one
   * to 0 calls carry(). Hashed: grows with state.
   */
  counts: Uint8Array | null;
  /** The high bits of the counts (count >>> 8) of the indexes that have some. */
  private carries = new Map<number, number>();
  /**
   * Dense only: an index past every page's, whose state belongs to no page. The engine's hot loop
   * (rfc-v1.ts) reads and writes it in place of a top-tier page's, which has none, so it need not branch.
   */
  readonly spare: number;
  /** The regions' pages in all. */
  private readonly total: number;

  /**
   * Hashed mode: called after the table doubled, when every index has moved (state, slot and counts moved with their
   * keys): the engine finds the indices it keeps again (find()).
   */
  onRehash: (() => void) | null = null;

  // Hashed mode: offset + 1 by position (0 = empty).
  private keys: Uint32Array | Float64Array;
  private mask: number;
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
    // Dense: one entry per page of the regions (and the spare); hashed: the columns beside the table's keys.
    const n = this.dense ? total + 1 : HASHED_INITIAL;
    this.state = this.wide ? new Uint16Array(n) : new Uint8Array(n);
    this.counts = withCounts ? new Uint8Array(n) : null;
    this.keys = this.newKeys(this.dense ? 0 : HASHED_INITIAL);
    this.mask = this.dense ? 0 : HASHED_INITIAL - 1;
  }

  /** A page's offset in the regions: its index in dense mode, its key in hashed mode. */
  offset(pfn: number, r: number): number {
    return this.bases[r]! + (pfn - this.regions[r]!.start);
  }

  /** An increment of counts[index] wrapped its byte to 0: 256 more accesses. */
  carry(index: number): void {
    this.carries.set(index, (this.carries.get(index) ?? 0) + 1);
  }

  /**
   * One access to each of the first `n` indexes of `ix`: a loop of nothing but independent increments, so that their
   * cache misses overlap (the engine's listed accesses, a page tally's records).
   */
  countIndexes(ix: Int32Array, n: number): void {
    const counts = this.counts!;
    for (let k = 0; k < n; k++) {
      const i = ix[k]!;
      const c = counts[i]! + 1;
      counts[i] = c;
      if (c > 255) this.carry(i); // the byte wrapped
    }
  }

  /** Whether counts[index] wrapped (it is 0 only in its low bits then). */
  carried(index: number): boolean {
    return this.carries.has(index);
  }

  /** The carries as pairs: index, count >>> 8 (a TallySnapshot's, page-tally.ts). */
  carryPairs(): number[] {
    const out: number[] = [];
    for (const [i, h] of this.carries) out.push(i, h);
    return out;
  }

  /**
   * Dense mode: adds counts kept apart, index for index (`bytes` their low 8 bits, `carries` pairs of index and high
   * bits, as carryPairs() gives them): a sum past 255 carries. `pristine`: no count was ever made here, and the bytes
   * (an array of the counts' length, given up by the caller) become the counts.
   */
  addCounts(bytes: Uint8Array, carries: readonly number[], pristine = false): void {
    const counts = this.counts!;
    if (pristine && bytes.length === counts.length && this.carries.size === 0) {
      // Every count is 0 here: take the bytes as they are.
      this.counts = bytes;
    } else {
      // Four bytes a load past the zero words: a tally of the engine's thread holds few pages. (A view off a word
      // boundary has no word view, which would throw: its bytes go one at a time below.)
      const words = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : new Uint32Array(0);
      const n = Math.min(bytes.length, counts.length);
      for (let w = 0; w < words.length; w++) {
        if (words[w] === 0) continue;
        for (let i = 4 * w; i < 4 * w + 4 && i < n; i++) this.addCount(i, bytes[i]!);
      }
      for (let i = 4 * words.length; i < n; i++) this.addCount(i, bytes[i]!);
    }
    for (let k = 0; k < carries.length; k += 2) this.carries.set(carries[k]!, (this.carries.get(carries[k]!) ?? 0) + carries[k + 1]!);
  }

  private addCount(i: number, b: number): void {
    const counts = this.counts!;
    const c = counts[i]! + b;
    counts[i] = c;
    if (c > 255) this.carry(i);
  }

  /** Allocates the slot column (once); the caller fills it for the records alive. */
  enableSlots(): Int32Array {
    if (this.slot === null) this.slot = new Int32Array(this.state.length);
    return this.slot;
  }

  /**
   * Hashed mode: index of the page at offset `off`, giving it one (state 0, count 0) at its first call; a new page
   * may make the table double, when every index moves (onRehash).
   */
  indexOf(off: number): number {
    const keys = this.keys;
    const mask = this.mask;
    const key = off + 1;
    let i = mixPfn(off) & mask;
    for (;;) {
      const k = keys[i]!;
      if (k === key) return i;
      if (k === 0) break;
      i = (i + 1) & mask;
    }
    this.used++;
    if (this.used * 4 > (mask + 1) * 3) {
      this.grow();
      return this.place(key);
    }
    keys[i] = key;
    return i;
  }

  /** Hashed mode: index of the page at offset `off`, or -1 when it never had one. */
  find(off: number): number {
    const keys = this.keys;
    const mask = this.mask;
    const key = off + 1;
    for (let i = mixPfn(off) & mask; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === key) return i;
      if (k === 0) return -1;
    }
  }

  /** Index of a pfn of region `r` in either mode (-1 in hashed mode when it has none yet and `add` is false). */
  index(pfn: number, r: number, add: boolean): number {
    const off = this.offset(pfn, r);
    if (this.dense) return off;
    return add ? this.indexOf(off) : this.find(off);
  }

  /** Calls f(pfn, count) for every slow-tier page with a non-zero count (dense: ascending pfn; hashed: table order). */
  forEachCount(f: (pfn: number, count: number) => void): void {
    const counts = this.counts;
    if (counts === null) return;
    // Both loops below go by ascending index: the carries (a few hundred pages, all of slow-tier pages) are merged in,
    // in index order, with one compare a page (a map lookup a page cost 0.2 s over the bench's 1.4 M pages).
    const carries = this.carries;
    const carried = [...carries.keys()].sort((a, b) => a - b);
    let q = 0;
    let next = carried.length > 0 ? carried[0]! : Infinity;
    if (this.dense) {
      for (let i = 0; i < this.regions.length; i++) {
        const r = this.regions[i]!;
        if (!r.slow) continue;
        const base = this.bases[i]!;
        const size = r.end - r.start;
        for (let j = 0; j < size; j++) {
          let c = counts[base + j]!;
          if (base + j === next) {
            c += 256 * carries.get(next)!;
            next = ++q < carried.length ? carried[q]! : Infinity;
          }
          if (c !== 0) f(r.start + j, c);
        }
      }
      return;
    }
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      let c = counts[i]!;
      if (i === next) {
        c += 256 * carries.get(next)!;
        next = ++q < carried.length ? carried[q]! : Infinity;
      }
      if (c !== 0) f(this.pfnAt(keys[i]! - 1), c);
    }
  }

  /** Slow-tier pages with a non-zero count (forEachCount()'s calls) and the sum of their counts, in one walk without them. */
  countTotals(): { pages: number; accesses: number } {
    const counts = this.counts;
    if (counts === null) return { pages: 0, accesses: 0 };
    let n = 0;
    let sum = 0;
    // A carried page whose byte is 0 counts too (the carries map holds only indexes of slow-tier pages with a count).
    for (const [index, high] of this.carries) {
      if (counts[index] === 0) n++;
      sum += 256 * high;
    }
    if (this.dense) {
      for (let i = 0; i < this.regions.length; i++) {
        const r = this.regions[i]!;
        if (!r.slow) continue;
        const base = this.bases[i]!;
        const end = base + (r.end - r.start);
        for (let j = base; j < end; j++) {
          const c = counts[j]!;
          n += c === 0 ? 0 : 1;
          sum += c;
        }
      }
    } else
      for (let i = 0; i < counts.length; i++) {
        const c = counts[i]!;
        n += c === 0 ? 0 : 1;
        sum += c;
      }
    return { pages: n, accesses: sum };
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

  /** Zeroed keys for `entries` positions: 32-bit words while every offset + 1 fits one. */
  private newKeys(entries: number): Uint32Array | Float64Array {
    return this.total < 0xffffffff ? new Uint32Array(entries) : new Float64Array(entries);
  }

  /** Puts `key` (not in the table) at its first free position from its home; returns that position. */
  private place(key: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let i = mixPfn(key - 1) & mask;
    while (keys[i] !== 0) i = (i + 1) & mask;
    keys[i] = key;
    return i;
  }

  /** Doubles the table: every key goes to its place in the new one, its state, slot and count with it. */
  private grow(): void {
    const keys = this.keys;
    const state = this.state;
    const slot = this.slot;
    const counts = this.counts;
    const n = keys.length * 2;
    const wideKeys = !(keys instanceof Uint32Array);
    const bytes = n * ((wideKeys ? 8 : 4) + (slot !== null ? 4 : 0) + (this.wide ? 2 : 1) + (counts !== null ? 1 : 0));
    // One buffer for all columns (see TABLE_SHARED_FROM), each at an offset its element size divides: keys, slots,
    // state, counts.
    const buf = bytes >= TABLE_SHARED_FROM ? new ArrayBuffer(Math.max(bytes, TABLE_BUFFER_MIN)) : null;
    let at = 0;
    const column = <A>(C: { new (n: number): A; new (b: ArrayBuffer, offset: number, n: number): A; readonly BYTES_PER_ELEMENT: number }): A => {
      if (buf === null) return new C(n);
      const a = new C(buf, at, n);
      at += n * C.BYTES_PER_ELEMENT;
      return a;
    };
    this.keys = wideKeys ? column(Float64Array) : column(Uint32Array);
    this.mask = n - 1;
    const slot2 = (this.slot = slot === null ? null : column(Int32Array));
    const state2 = (this.state = this.wide ? column(Uint16Array) : column(Uint8Array));
    const counts2 = (this.counts = counts === null ? null : column(Uint8Array));
    const carries = this.carries;
    const carries2 = carries.size === 0 ? carries : (this.carries = new Map<number, number>());
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j]!;
      if (k === 0) continue;
      const i = this.place(k);
      state2[i] = state[j]!;
      if (slot2 !== null) slot2[i] = slot![j]!;
      if (counts2 !== null) {
        counts2[i] = counts![j]!;
        if (carries2 !== carries) {
          const h = carries.get(j);
          if (h !== undefined) carries2.set(i, h);
        }
      }
    }
    this.onRehash?.();
  }
}
