/**
 * Accesses queued between two migrate passes. Between passes, accesses to different pfns interact only
 * through the order in which new records enter their buckets, so the engine applies a queue grouped by
 * memory region of its largest table (cache friendly) while each pfn's accesses keep their trace order.
 */

/** A fixed-capacity queue of (pfn, nid, time) with a stable grouping by region. */
export class AccessQueue {
  readonly pfn: Float64Array;
  readonly nid: Int32Array;
  readonly time: Float64Array;
  /** Indices into the queue in application order, valid after group(). */
  readonly order: Int32Array;
  private readonly key: Uint32Array;
  private readonly counts: Uint32Array;
  length = 0;

  constructor(capacity: number, regionBits: number) {
    this.pfn = new Float64Array(capacity);
    this.nid = new Int32Array(capacity);
    this.time = new Float64Array(capacity);
    this.order = new Int32Array(capacity);
    this.key = new Uint32Array(capacity);
    this.counts = new Uint32Array(1 << regionBits);
  }

  /** Appends an access; true when the queue is now full. */
  push(pfn: number, nid: number, time: number): boolean {
    const n = this.length;
    this.pfn[n] = pfn;
    this.nid[n] = nid;
    this.time[n] = time;
    this.length = n + 1;
    return n + 1 === this.pfn.length;
  }

  /** Fills `order` with the queue's indices, stably grouped by region(pfn) (a counting sort); small queues keep trace order. */
  group(region: (pfn: number) => number): void {
    const n = this.length;
    const order = this.order;
    if (n < 64) {
      for (let i = 0; i < n; i++) order[i] = i;
      return;
    }
    const counts = this.counts;
    const key = this.key;
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const k = region(this.pfn[i]!);
      key[i] = k;
      counts[k]!++;
    }
    let sum = 0;
    for (let r = 0; r < counts.length; r++) {
      const c = counts[r]!;
      counts[r] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) order[counts[key[i]!]!++] = i;
  }
}
