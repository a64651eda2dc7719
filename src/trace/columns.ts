/** Records parsed on the engine's thread (a block, or a perf file's head), as columns that grow as needed. */
import type { AccessSink, BatchSink } from '../engine/types.js';

/** Gives `sink` the first `n` records of the columns: as columns when it takes them, else one by one. */
export function applyBatch(sink: AccessSink, P: Float64Array, N: Int32Array, S: Int32Array, T: Float64Array, n: number): void {
  if (n === 0) return;
  const bs = sink as BatchSink;
  if (bs.record_batch) bs.record_batch(P, N, S, T, n);
  else for (let i = 0; i < n; i++) sink.record_access(P[i]!, N[i]!, S[i]!, T[i]!);
}

export class Columns implements BatchSink {
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

  /** Appends records [0, n) of columns (a BatchSink). */
  record_batch(P: Float64Array, N: Int32Array, S: Int32Array, T: Float64Array, n: number): void {
    const i = this.n;
    while (i + n > this.pfn.length) this.grow();
    this.pfn.set(P.subarray(0, n), i);
    this.nid.set(N.subarray(0, n), i);
    this.src.set(S.subarray(0, n), i);
    this.time.set(T.subarray(0, n), i);
    this.n = i + n;
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

/** Gives `sink` the records of `c`, in batches of `batch`. */
export function applyColumns(sink: BatchSink, c: Columns, batch: number): void {
  for (let i = 0; i < c.n; i += batch) {
    const k = Math.min(batch, c.n - i);
    applyBatch(sink, c.pfn.subarray(i, i + k), c.nid.subarray(i, i + k), c.src.subarray(i, i + k), c.time.subarray(i, i + k), k);
  }
}
