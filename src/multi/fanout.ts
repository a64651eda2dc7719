/** One read of a trace feeding several engines: the AccessSink behind `kpromo compare` and `kpromo sweep`. */
import type { AccessSink, BatchSink } from '../engine/types.js';

/**
 * Records buffered before they are handed on: large enough that each engine runs long with its own data in
 * cache, small enough that a stop request (checked between batches) is seen within a few tens of ms.
 */
export const FANOUT_BATCH = 1 << 14;

/**
 * Forwards every record to every sink, each sink seeing all records in trace order. Records are buffered
 * in typed arrays and handed on one sink at a time per batch: feeding N engines record by record
 * interleaves their tables in the CPU caches, batch by batch keeps one engine's working set hot. Nothing
 * is allocated per record. Call flush() after the last record.
 */
export class Fanout implements BatchSink {
  private readonly sinks: readonly BatchSink[];
  private readonly pfn: Float64Array;
  private readonly nid: Int32Array;
  private readonly src: Int32Array;
  private readonly time: Float64Array;
  private n = 0;

  constructor(
    sinks: readonly AccessSink[],
    batch = FANOUT_BATCH,
    private readonly onFlushed?: (n: number) => void,
    /** The sinks' settle() (BatchSink): a promise while one of them is behind. */
    private readonly onSettle?: () => Promise<void> | null,
  ) {
    this.sinks = [...sinks];
    this.pfn = new Float64Array(batch);
    this.nid = new Int32Array(batch);
    this.src = new Int32Array(batch);
    this.time = new Float64Array(batch);
  }

  /** Records buffered and not yet handed on. */
  get pending(): number {
    return this.n;
  }

  /** Buffers one record (kpromoted_record_access arguments); hands the batch on when it is full. */
  record_access(pfn: number, nid: number, src: number, time: number): void {
    const i = this.n;
    this.pfn[i] = pfn;
    this.nid[i] = nid;
    this.src[i] = src;
    this.time[i] = time;
    this.n = i + 1;
    if (this.n === this.pfn.length) this.flush();
  }

  /** A promise while a sink is behind (a migrate pass part way): readers await it between chunks. */
  settle(): Promise<void> | null {
    return this.onSettle?.() ?? null;
  }

  /**
   * Takes the first `n` records of typed arrays (a parse thread's batch): after any buffered records, hands them
   * to every sink as they are, without copying them (no sink keeps the arrays after its call returns).
   */
  record_batch(pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number): void {
    this.flush();
    for (const sink of this.sinks) {
      if (sink.record_batch) sink.record_batch(pfn, nid, src, time, n);
      else for (let i = 0; i < n; i++) sink.record_access(pfn[i]!, nid[i]!, src[i]!, time[i]!);
    }
    this.onFlushed?.(n);
  }

  /** Hands the buffered records to every sink, in order. */
  flush(): void {
    const n = this.n;
    if (n === 0) return;
    this.n = 0;
    const { pfn, nid, src, time } = this;
    for (const sink of this.sinks) {
      // A sink's own loop stays monomorphic; a shared loop here would see every engine class.
      if (sink.record_batch) sink.record_batch(pfn, nid, src, time, n);
      else for (let i = 0; i < n; i++) sink.record_access(pfn[i]!, nid[i]!, src[i]!, time[i]!);
    }
    this.onFlushed?.(n);
  }
}
