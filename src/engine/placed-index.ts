/**
 * Where migrated pages live: pfn -> (node, accessed since it moved), for pages no record tracks.
 * This is the replay's largest table (one entry per page that ever moved), so an entry is 8 bytes:
 * [pfn low 32 bits, pfn bits 32..51 << 12 | value], value in 1..4095 (0 marks an empty slot, so a new
 * table needs no fill). Open addressing, linear probing, backward-shift deletion, doubling at load 3/4.
 * pfns at or above 2^52 (beyond any physical address) are kept in a Map.
 */

const TWO_32 = 4294967296;
const TWO_52 = 2 ** 52;
const VALUE_BITS = 12;
const VALUE_MASK = (1 << VALUE_BITS) - 1;

/** Slot of a pfn (given as its two halves) in a table of 2^(32 - shift) slots. */
function home(lo: number, hi: number, shift: number): number {
  return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> shift;
}

/** Value of a page on `node`, `accessed` after it moved. */
export function placedCode(node: number, accessed: boolean): number {
  return 2 * node + (accessed ? 1 : 0) + 1;
}

/** Node of a placed value. */
export function placedNode(code: number): number {
  return (code - 1) >> 1;
}

/** Whether the page was accessed since it moved. */
export function placedAccessed(code: number): boolean {
  return ((code - 1) & 1) === 1;
}

/** Largest node id a placed value can hold. */
export const MAX_PLACED_NODE = (VALUE_MASK - 2) >> 1;

/** The pfn -> placed value map. */
export class PlacedIndex {
  private t: Uint32Array;
  private mask: number;
  private shift: number;
  private count = 0;
  private readonly big = new Map<number, number>();

  constructor(initialBits = 12) {
    this.t = new Uint32Array(2 << initialBits);
    this.mask = (1 << initialBits) - 1;
    this.shift = 32 - initialBits;
  }

  /** Number of pages. */
  get size(): number {
    return this.count + this.big.size;
  }

  /** Placed value of pfn, or 0 when absent. */
  get(pfn: number): number {
    if (pfn >= TWO_52) return this.big.get(pfn) ?? 0;
    const t = this.t;
    const lo = pfn >>> 0;
    const hi = (pfn / TWO_32) | 0;
    const tag = hi << VALUE_BITS;
    let i = home(lo, hi, this.shift);
    for (;;) {
      const h = t[(i << 1) | 1]!;
      if (h === 0) return 0;
      if (t[i << 1] === lo && (h & ~VALUE_MASK) === tag) return h & VALUE_MASK;
      i = (i + 1) & this.mask;
    }
  }

  /** Sets pfn's value (1..4095). */
  set(pfn: number, value: number): void {
    if (pfn >= TWO_52) {
      this.big.set(pfn, value);
      return;
    }
    const lo = pfn >>> 0;
    const hi = (pfn / TWO_32) | 0;
    const tag = hi << VALUE_BITS;
    const t = this.t;
    let i = home(lo, hi, this.shift);
    for (;;) {
      const h = t[(i << 1) | 1]!;
      if (h === 0) break;
      if (t[i << 1] === lo && (h & ~VALUE_MASK) === tag) {
        t[(i << 1) | 1] = (tag | value) >>> 0;
        return;
      }
      i = (i + 1) & this.mask;
    }
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) {
      this.grow();
      this.set(pfn, value);
      return;
    }
    t[i << 1] = lo;
    t[(i << 1) | 1] = (tag | value) >>> 0;
    this.count++;
  }

  /** Removes pfn if present. */
  delete(pfn: number): void {
    if (pfn >= TWO_52) {
      this.big.delete(pfn);
      return;
    }
    const lo = pfn >>> 0;
    const hi = (pfn / TWO_32) | 0;
    const tag = hi << VALUE_BITS;
    const t = this.t;
    const mask = this.mask;
    let i = home(lo, hi, this.shift);
    for (;;) {
      const h = t[(i << 1) | 1]!;
      if (h === 0) return;
      if (t[i << 1] === lo && (h & ~VALUE_MASK) === tag) break;
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: move later entries of the run back unless their home lies in (i, j].
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const h = t[(j << 1) | 1]!;
      if (h === 0) break;
      const k = home(t[j << 1]!, h >>> VALUE_BITS, this.shift);
      if (i <= j ? k <= i || k > j : k <= i && k > j) {
        t[i << 1] = t[j << 1]!;
        t[(i << 1) | 1] = h;
        i = j;
      }
    }
    t[(i << 1) | 1] = 0;
    this.count--;
  }

  /** Calls f for every pfn and value. */
  forEach(f: (pfn: number, value: number) => void): void {
    const t = this.t;
    for (let i = 0; i < t.length; i += 2) {
      const h = t[i + 1]!;
      if (h !== 0) f((h >>> VALUE_BITS) * TWO_32 + t[i]!, h & VALUE_MASK);
    }
    for (const [pfn, v] of this.big) f(pfn, v);
  }

  private grow(): void {
    const old = this.t;
    const bits = 33 - this.shift;
    this.t = new Uint32Array(2 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    const t = this.t;
    for (let i = 0; i < old.length; i += 2) {
      const h = old[i + 1]!;
      if (h === 0) continue;
      const lo = old[i]!;
      let j = home(lo, h >>> VALUE_BITS, this.shift);
      while (t[(j << 1) | 1] !== 0) j = (j + 1) & this.mask;
      t[j << 1] = lo;
      t[(j << 1) | 1] = h;
    }
  }
}
