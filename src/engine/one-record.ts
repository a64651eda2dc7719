/** What takes records as columns (engines, the bounds counter): record_batch(pfn, nid, src, time, n). */
export interface BatchTaker {
  record_batch(pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number): void;
}

/** One record as columns, for a record_access() that is a record_batch() of one (a single code path for both). */
export class OneRecord {
  private readonly pfn = new Float64Array(1);
  private readonly nid = new Int32Array(1);
  private readonly src = new Int32Array(1);
  private readonly time = new Float64Array(1);

  /** Gives `to` the record (pfn, nid, src, time) as a batch of one. */
  give(to: BatchTaker, pfn: number, nid: number, src: number, time: number): void {
    this.pfn[0] = pfn;
    this.nid[0] = nid;
    this.src[0] = src;
    this.time[0] = time;
    to.record_batch(this.pfn, this.nid, this.src, this.time, 1);
  }
}
