/**
 * rfc-v1's lazy passes (rfc-v1.ts passSliceLazy()): the parked records (their migration failed, not accessed since),
 * by last_update, so that a pass finds the ones that got cold (now - last_update > cold) without walking the others.
 * Buckets of `width` jiffies (the pass period) of last_update, kept in ascending order: a pass takes the entries of
 * the oldest buckets whose time ran out, and leaves the others where they are. An entry is a (last_update, slot) pair;
 * entries of records accessed or freed since they were parked stay until taken (the caller skips them), so the queue
 * holds at most the parks of the last cold / width passes or so.
 */

/** (key, slot) pairs, the first `n`: a bucket's entries, or the ones take() found. */
export class Pairs {
  keys = new Float64Array(16);
  slots = new Int32Array(16);
  n = 0;

  push(key: number, slot: number): void {
    if (this.n === this.keys.length) {
      const keys = new Float64Array(this.n * 2);
      keys.set(this.keys);
      this.keys = keys;
      const slots = new Int32Array(this.n * 2);
      slots.set(this.slots);
      this.slots = slots;
    }
    this.keys[this.n] = key;
    this.slots[this.n++] = slot;
  }
}

/** Parked records by last_update; see the file comment. */
export class ColdQueue {
  /** Bucket numbers (floor(key / width)) in ascending order, from `first`. */
  private qs: number[] = [];
  private first = 0;
  private readonly buckets = new Map<number, Pairs>();
  /**
   * Buckets taken whole, kept for the next ones: a pass takes a bucket of up to tens of thousands of entries, and
   * making new ones made that much garbage a pass (35 MiB more peak RSS over a 10 M-record replay, 2026-12-02).
   */
  private readonly spare: Pairs[] = [];
  private entries = 0;
  /** What take() found: the entries that got cold. */
  readonly taken = new Pairs();

  constructor(private readonly width: number) {}

  /** Entries held (stale ones included). */
  get size(): number {
    return this.entries;
  }

  push(key: number, slot: number): void {
    const q = Math.floor(key / this.width);
    let b = this.buckets.get(q);
    if (b === undefined) {
      b = this.spare.pop() ?? new Pairs();
      this.buckets.set(q, b);
      // Mostly the newest bucket: appended; else put in its place.
      const qs = this.qs;
      let i = qs.length;
      while (i > this.first && qs[i - 1]! > q) i--;
      qs.splice(i, 0, q);
    }
    b.push(key, slot);
    this.entries++;
  }

  /**
   * Takes every entry with now - key > cold into `taken` (and returns how many), oldest buckets first; the
   * entries of a bucket that are not cold yet stay. A bucket whose every key is at least (q - 1) * width can hold none
   * when now - (q - 1) * width <= cold (a bucket before it is taken first; one bucket more than the exact bound, so
   * that rounding of large times never hides a cold entry: the keys decide, one by one).
   */
  take(now: number, cold: number): number {
    const taken = this.taken;
    taken.n = 0;
    const qs = this.qs;
    for (let i = this.first; i < qs.length; i++) {
      const q = qs[i]!;
      if (!(now - (q - 1) * this.width > cold)) break;
      const b = this.buckets.get(q)!;
      let kept = 0;
      for (let k = 0; k < b.n; k++) {
        const key = b.keys[k]!;
        const slot = b.slots[k]!;
        if (now - key > cold) taken.push(key, slot);
        else {
          b.keys[kept] = key;
          b.slots[kept++] = slot;
        }
      }
      this.entries -= b.n - kept;
      b.n = kept;
      if (kept === 0 && i === this.first) {
        this.buckets.delete(q);
        this.spare.push(b);
        this.first++;
      }
    }
    if (this.first > 64 && this.first * 2 > qs.length) {
      this.qs = qs.slice(this.first);
      this.first = 0;
    }
    return taken.n;
  }

  /** Empties the queue. */
  clear(): void {
    this.qs = [];
    this.first = 0;
    this.buckets.clear();
    this.entries = 0;
    this.taken.n = 0;
  }
}
