/** One read of a trace feeding several engines: the AccessSink behind `kpromo compare` and `kpromo sweep`. */
import type { AccessSink, BatchSink } from '../engine/types.js';

/** Records applied by all sinks together per batch, at most (unless FANOUT_MIN per sink is more). */
export const FANOUT_WORK = 1 << 20;
/** Records per batch: at least FANOUT_MIN (past 64 sinks, more work than FANOUT_WORK), at most FANOUT_MAX (6 MiB). */
export const FANOUT_MIN = 1 << 14;
export const FANOUT_MAX = 1 << 18;

/**
 * Records buffered before they are handed on, by number of sinks: large, so that each engine runs long with its
 * own tables in cache before the next one evicts them (9 rfc-v1 engines over the bench trace, one after another
 * per batch: 7.0-9.5 s with batches of 16 k records, 5.7-5.9 s with 256 k, 5.0-5.8 s for the 9 engines one whole
 * trace at a time; `kpromo sweep` of 9 configurations in process: 0.93x the time it took with batches of 16 k,
 * paired median of 8 alternating runs); small enough that all sinks' work on one batch, between two looks at a
 * stop request, stays near FANOUT_WORK records (about 0.1-0.2 s: Ctrl-C within half a second).
 */
export function fanoutBatch(sinks: number): number {
  const per = Math.floor(FANOUT_WORK / Math.max(1, sinks) / 1024) * 1024;
  return Math.min(FANOUT_MAX, Math.max(FANOUT_MIN, per));
}

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
    batch = fanoutBatch(sinks.length),
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
   * Takes the first `n` records of typed arrays (a parse thread's batch): a batch smaller than the fan-out's joins
   * the buffered records (a copy: the caller reuses its arrays); a larger one goes to every sink as it is, after
   * the buffered records (no sink keeps the arrays after its call returns).
   */
  record_batch(pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number): void {
    const cap = this.pfn.length;
    if (this.n + n > cap) this.flush();
    if (n < cap) {
      const i = this.n;
      this.pfn.set(pfn.subarray(0, n), i);
      this.nid.set(nid.subarray(0, n), i);
      this.src.set(src.subarray(0, n), i);
      this.time.set(time.subarray(0, n), i);
      this.n = i + n;
      if (this.n === cap) this.flush();
      return;
    }
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
