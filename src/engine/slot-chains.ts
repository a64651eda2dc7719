/**
 * A tracked page's record slot by its page index, in chains of a table sized to the records alive: what the engine
 * keeps instead of the page state's slot column (one Int32 a page) when that column would be large and sparse.
 *
 * Why: once lookups walk long page_hotness_hash chains (many pages tracked before one pass and looked up again), the
 * engine keeps each tracked page's slot. Beside a dense page state that is 4 bytes for every page of the slow tier,
 * and a million records scattered over a 64 GiB CXL range (2^24 pages) touch every page of that 64 MiB column: on the
 * bench VM, 16 k page faults at about 10 µs each, a third of a one-pass promotion of those pages. These chains take 8
 * bytes a record at most (heads at load 1/2 to 1, and a next slot per slot), so the same records touch 8-12 MiB.
 *
 * Heads are found by fmix32 of the page index (MurmurHash3's finalizer, a bijection on 32 bits): no insertion order,
 * not even hash_64's bucket order or a sequential range, piles records into a few chains, and a chain is walked,
 * never probed into its neighbours. A chain's records are told apart by the page index each record keeps.
 */

/** MurmurHash3's 32-bit finalizer. */
export function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Heads of a new table: at least 2^MIN_BITS. */
const MIN_BITS = 12;

export class SlotChains {
  /** Chain heads (-1: empty), 2^bits of them. */
  private heads: Int32Array;
  private bits: number;
  /** Each slot's next slot in its chain (-1: the last), valid while the slot holds a record in the chains. */
  private next: Int32Array;
  /** Records in the chains. */
  private n = 0;

  /** A table for `live` records now; `slots` is the slab's length in slots (a slot number is below it). */
  constructor(live: number, slots: number) {
    this.bits = SlotChains.bitsFor(live);
    this.heads = new Int32Array(1 << this.bits).fill(-1);
    this.next = new Int32Array(slots);
  }

  /** Head bits for `n` records: 2^bits >= n (load 1 at most, as add() keeps it), at least 2^MIN_BITS. */
  private static bitsFor(n: number): number {
    let bits = MIN_BITS;
    while (bits < 30 && 2 ** bits < n) bits++;
    return bits;
  }

  /** Records in the chains. */
  get size(): number {
    return this.n;
  }

  /** The slab has `slots` slots now (it grew): the next column grows with it. */
  slabGrew(slots: number): void {
    if (slots <= this.next.length) return;
    const next = new Int32Array(slots);
    next.set(this.next);
    this.next = next;
  }

  /** Adds the record in `slot` of page `idx` (not in the chains); `indexOf(slot)` gives the page index a slot's record keeps. */
  add(idx: number, slot: number, indexOf: (slot: number) => number): void {
    if (this.n >= this.heads.length) this.grow(indexOf);
    const h = fmix32(idx) >>> (32 - this.bits);
    this.next[slot] = this.heads[h]!;
    this.heads[h] = slot;
    this.n++;
  }

  /** The slot of page `idx`'s record (it is in the chains); `slabI` and `at` read the index a record keeps. */
  find(idx: number, slabI: Int32Array, stride: number, at: number): number {
    let slot = this.heads[fmix32(idx) >>> (32 - this.bits)]!;
    let steps = 0;
    while (slot >= 0 && slabI[slot * stride + at] !== idx) {
      slot = this.next[slot]!;
      if (++steps > this.n) throw new Error(`internal: the slot chain of page index ${idx} loops`);
    }
    return slot;
  }

  /** The head of page `idx`'s chain (a slot, or -1): a load the engine makes early, so that find() hits the cache. */
  head(idx: number): number {
    return this.heads[fmix32(idx) >>> (32 - this.bits)]!;
  }

  /** Removes the record in `slot` of page `idx` (it is in the chains). */
  remove(idx: number, slot: number): void {
    const h = fmix32(idx) >>> (32 - this.bits);
    let s = this.heads[h]!;
    if (s === slot) this.heads[h] = this.next[slot]!;
    else {
      let steps = 0;
      while (s >= 0 && this.next[s] !== slot) {
        s = this.next[s]!;
        if (++steps > this.n) s = -1; // a loop: not there either
      }
      if (s < 0) throw new Error(`internal: slot ${slot} of page index ${idx} is not in its chain`);
      this.next[s] = this.next[slot]!;
    }
    this.n--;
  }

  /** Every record went (a pass freed them all). */
  clear(): void {
    if (this.n > 0) this.heads.fill(-1);
    this.n = 0;
  }

  /** The longest chain (a diagnostic: every order of insertion keeps chains short). */
  longest(): number {
    let most = 0;
    for (let h = 0; h < this.heads.length; h++) {
      let n = 0;
      for (let slot = this.heads[h]!; slot >= 0; slot = this.next[slot]!) n++;
      if (n > most) most = n;
    }
    return most;
  }

  /** Twice the heads: every record goes again to its chain (by the page index its slot keeps). */
  private grow(indexOf: (slot: number) => number): void {
    const old = this.heads;
    const next = this.next;
    this.bits++;
    const heads = (this.heads = new Int32Array(1 << this.bits).fill(-1));
    const shift = 32 - this.bits;
    let moved = 0;
    for (let h = 0; h < old.length; h++) {
      let slot = old[h]!;
      while (slot >= 0) {
        if (++moved > this.n) throw new Error('internal: the slot chains hold more slots than records');
        const after = next[slot]!;
        const g = fmix32(indexOf(slot)) >>> shift;
        next[slot] = heads[g]!;
        heads[g] = slot;
        slot = after;
      }
    }
  }
}
