/**
 * pfn -> value map for the replay's per-page state: open addressing with linear probing over one
 * Float64Array of [key, value] pairs (one cache line per lookup), backward-shift deletion (no tombstones),
 * growth by doubling at load 3/4 (fresh memory is costly to fault in). Keys are pfns, integers in [0, 2^53); values are any doubles.
 * The kernel walks the bucket chain to find a pfn; this index gives the same answer in O(1) for any chain length.
 */

import { mixPfn } from './mix.js';

const EMPTY = -1;

/**
 * Slot of a pfn in a table of 2^(32 - shift) slots: fmix32 of both halves, unrelated to hash_64's
 * golden-ratio multiplier, so pages arriving in hash_64 bucket order do not pile up (no cliff).
 */
function home(pfn: number, shift: number): number {
  return mixPfn(pfn) >>> shift;
}

/** A map from pfn to a number. */
export class PageIndex {
  private table: Float64Array;
  private mask: number;
  private shift: number;
  private count = 0;

  constructor(initialBits = 12) {
    this.table = new Float64Array(2 << initialBits).fill(EMPTY);
    this.mask = (1 << initialBits) - 1;
    this.shift = 32 - initialBits;
  }

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.table.byteLength;
  }

  /**
   * Position of pfn: >= 0 if present (pass it to valueAt/setAt/deleteAt), else -(free position) - 1
   * (pass it to insertAt before any other mutation).
   */
  find(pfn: number): number {
    const t = this.table;
    const mask = this.mask;
    let i = home(pfn, this.shift);
    for (;;) {
      const k = t[i << 1]!;
      if (k === pfn) return i;
      if (k === EMPTY) return -i - 1;
      i = (i + 1) & mask;
    }
  }

  /** Value at a position returned by find(). */
  valueAt(pos: number): number {
    return this.table[(pos << 1) | 1]!;
  }

  /** Overwrites the value at a present position. */
  setAt(pos: number, value: number): void {
    this.table[(pos << 1) | 1] = value;
  }

  /** Inserts pfn at the free position returned by find() (encoded as -(pos) - 1). */
  insertAt(encoded: number, pfn: number, value: number): void {
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) {
      this.grow();
      this.set(pfn, value);
      return;
    }
    const pos = -encoded - 1;
    this.table[pos << 1] = pfn;
    this.table[(pos << 1) | 1] = value;
    this.count++;
  }

  /** Value of pfn, or `missing`. */
  get(pfn: number, missing: number): number {
    const pos = this.find(pfn);
    return pos >= 0 ? this.valueAt(pos) : missing;
  }

  /** Sets pfn to value. */
  set(pfn: number, value: number): void {
    const pos = this.find(pfn);
    if (pos >= 0) this.setAt(pos, value);
    else this.insertAt(pos, pfn, value);
  }

  /** Removes pfn if present. */
  delete(pfn: number): void {
    const pos = this.find(pfn);
    if (pos >= 0) this.deleteAt(pos);
  }

  /** Removes the key at a present position, shifting later entries of its probe run back. */
  deleteAt(pos: number): void {
    const t = this.table;
    const mask = this.mask;
    const shift = this.shift;
    let i = pos;
    let j = pos;
    for (;;) {
      j = (j + 1) & mask;
      const k = t[j << 1]!;
      if (k === EMPTY) break;
      const h = home(k, shift);
      // Move j back to i unless its home lies cyclically in (i, j].
      if (i <= j ? h <= i || h > j : h <= i && h > j) {
        t[i << 1] = k;
        t[(i << 1) | 1] = t[(j << 1) | 1]!;
        i = j;
      }
    }
    t[i << 1] = EMPTY;
    this.count--;
  }

  /** Calls f for every key and value (in table order). */
  forEach(f: (pfn: number, value: number) => void): void {
    const t = this.table;
    for (let i = 0; i < t.length; i += 2) if (t[i] !== EMPTY) f(t[i]!, t[i + 1]!);
  }

  private grow(): void {
    const old = this.table;
    const bits = 33 - this.shift; // double
    this.table = new Float64Array(2 << bits).fill(EMPTY);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) {
      const k = old[i]!;
      if (k !== EMPTY) {
        const pos = this.find(k);
        this.table[(-pos - 1) << 1] = k;
        this.table[((-pos - 1) << 1) | 1] = old[i + 1]!;
        this.count++;
      }
    }
  }
}
