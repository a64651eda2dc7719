/**
 * pfn -> slot for the records alive between passes (the kernel finds them by walking a bucket chain; this
 * answers in O(1) for any chain length). Small: it holds only tracked records, never every page touched.
 *
 * Layout: keys Float64Array (pfn, -1 = empty), vals Int32Array (slot), 2^bits entries, load <= 1/2.
 * Open addressing, linear probing, backward-shift deletion (no tombstones). The home of a key is
 * murmur3's fmix32 finalizer over both halves of the pfn: unrelated to hash_64's golden-ratio multiplier,
 * so keys inserted in hash_64 bucket order, sequentially or with any stride spread evenly (no cliff).
 */

const EMPTY = -1;
const TWO_32 = 4294967296;

/** murmur3 fmix32 of a pfn's two 32-bit halves: the home of a pfn in every kpromo hash table. */
export function mixPfn(pfn: number): number {
  let h = (pfn >>> 0) ^ Math.imul((pfn / TWO_32) | 0, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The pfn -> slot map. */
export class SlotTable {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialBits = 10) {
    this.keys = new Float64Array(1 << initialBits).fill(EMPTY);
    this.vals = new Int32Array(1 << initialBits);
    this.mask = (1 << initialBits) - 1;
  }

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Slot of pfn, or -1. */
  get(pfn: number): number {
    const keys = this.keys;
    const mask = this.mask;
    let i = mixPfn(pfn) & mask;
    for (;;) {
      const k = keys[i]!;
      if (k === pfn) return this.vals[i]!;
      if (k === EMPTY) return -1;
      i = (i + 1) & mask;
    }
  }

  /** Inserts pfn (absent) with `slot`. */
  insert(pfn: number, slot: number): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const keys = this.keys;
    const mask = this.mask;
    let i = mixPfn(pfn) & mask;
    while (keys[i] !== EMPTY) i = (i + 1) & mask;
    keys[i] = pfn;
    this.vals[i] = slot;
    this.count++;
  }

  /** Removes pfn if present. */
  delete(pfn: number): void {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = mixPfn(pfn) & mask;
    for (;;) {
      const k = keys[i]!;
      if (k === pfn) break;
      if (k === EMPTY) return;
      i = (i + 1) & mask;
    }
    // Backward shift: move later entries of the run back unless their home lies cyclically in (i, j].
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j]!;
      if (k === EMPTY) break;
      const h = mixPfn(k) & mask;
      if (i <= j ? h <= i || h > j : h <= i && h > j) {
        keys[i] = k;
        vals[i] = vals[j]!;
        i = j;
      }
    }
    keys[i] = EMPTY;
    this.count--;
  }

  private grow(): void {
    const oldK = this.keys;
    const oldV = this.vals;
    const n = oldK.length * 2;
    const keys = (this.keys = new Float64Array(n).fill(EMPTY));
    const vals = (this.vals = new Int32Array(n));
    const mask = (this.mask = n - 1);
    for (let j = 0; j < oldK.length; j++) {
      const k = oldK[j]!;
      if (k === EMPTY) continue;
      let i = mixPfn(k) & mask;
      while (keys[i] !== EMPTY) i = (i + 1) & mask;
      keys[i] = k;
      vals[i] = oldV[j]!;
    }
  }
}
