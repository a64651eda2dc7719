/** Records parsed on the engine's thread (a block, or a perf file's head), as columns that grow as needed. */
import type { AccessSink } from '../engine/types.js';

export class Columns implements AccessSink {
  pfn: Float64Array;
  nid: Int32Array;
  src: Int32Array;
  time: Float64Array;
  n = 0;
  constructor(cap: number) {
    this.pfn = new Float64Array(cap);
    this.nid = new Int32Array(cap);
    this.src = new Int32Array(cap);
    this.time = new Float64Array(cap);
  }

  record_access(pfn: number, nid: number, src: number, time: number): void {
    const i = this.n;
    if (i === this.pfn.length) this.grow();
    this.pfn[i] = pfn;
    this.nid[i] = nid;
    this.src[i] = src;
    this.time[i] = time;
    this.n = i + 1;
  }

  private grow(): void {
    const cap = this.pfn.length * 2;
    const pfn = new Float64Array(cap);
    const nid = new Int32Array(cap);
    const src = new Int32Array(cap);
    const time = new Float64Array(cap);
    pfn.set(this.pfn);
    nid.set(this.nid);
    src.set(this.src);
    time.set(this.time);
    Object.assign(this, { pfn, nid, src, time });
  }
}
