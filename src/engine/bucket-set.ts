/**
 * The set of non-empty hash buckets as a hierarchical bitmap, so that a migrate pass walks the occupied
 * buckets in ascending order at O(levels) per bucket instead of visiting all 2^order buckets.
 */

/** Index of the lowest set bit of a non-zero 32-bit word. */
function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** A set of bucket numbers in [0, size) with ascending iteration. */
export class BucketSet {
  /** levels[0] has one bit per bucket; levels[k+1] one bit per non-zero word of levels[k]; the last has one word. */
  private readonly levels: Uint32Array[];

  constructor(size: number) {
    this.levels = [];
    let n = size;
    do {
      const words = Math.max(1, Math.ceil(n / 32));
      this.levels.push(new Uint32Array(words));
      n = words;
    } while (n > 1);
  }

  /** Marks bucket b occupied. */
  add(b: number): void {
    const levels = this.levels;
    for (let k = 0; k < levels.length; k++) {
      const w = b >>> 5;
      const bit = 1 << (b & 31);
      const level = levels[k]!;
      const old = level[w]!;
      level[w] = old | bit;
      if (old !== 0) return; // upper levels already mark this word
      b = w;
    }
  }

  /** Marks bucket b empty. */
  delete(b: number): void {
    const levels = this.levels;
    for (let k = 0; k < levels.length; k++) {
      const w = b >>> 5;
      const level = levels[k]!;
      const now = level[w]! & ~(1 << (b & 31));
      level[w] = now;
      if (now !== 0) return;
      b = w;
    }
  }

  /** The smallest occupied bucket >= from, or -1. */
  next(from: number): number {
    const levels = this.levels;
    const top = levels.length;
    let k = 0;
    let pos = from;
    // Climb until a level has a set bit at or after pos.
    for (;;) {
      const level = levels[k]!;
      const w = pos >>> 5;
      if (w >= level.length) return -1;
      const bits = (pos & 31) === 0 ? level[w]! : level[w]! & (~0 << (pos & 31));
      if (bits !== 0) {
        pos = (w << 5) | ctz(bits);
        break;
      }
      k++;
      if (k === top) return -1;
      pos = w + 1;
    }
    // Descend taking the lowest set bit of each word.
    while (k > 0) {
      k--;
      pos = (pos << 5) | ctz(levels[k]![pos]!);
    }
    return pos;
  }
}
