/**
 * The page counts of a multi-engine run (compare, sweep) handed to a block read's tallies, as runReplay hands its one
 * engine's (page-tally.ts, trace/parallel.ts): the parse thread counts the records of the ring, the reading thread
 * those it parsed itself, and the counting engine (the first rfc-v1 configuration over the read's topology, whose
 * page counts give the bounds of every configuration over it) counts none. The parse thread of a multi run waits for
 * ring slots most of the time, and the engines' thread bounds the run.
 *
 * Between the reader and the engines sits the fan-out, which holds up to a batch of records the tallies have counted
 * and the engine has not yet applied. So the tallies are kept here and added at the end (add()), after the fan-out's
 * last batch reached the engine, and never while it applies records. Records the reader gives after its block read
 * ended (the general reader's, after a line the block parsers leave to it) are counted here, in a tally of this
 * thread.
 */
import { PageTally, type PageCountHandoff, type TallySnapshot } from '../engine/page-tally.js';
import type { RfcV1Engine } from '../engine/rfc-v1.js';
import type { Topology } from '../engine/topology.js';
import type { BatchSink } from '../engine/types.js';
import { applyBatch } from '../trace/columns.js';

/** The sink a multi run reads into (its fan-out) with the counting engine's page counts handed to the read. */
export class CountHandoff implements PageCountHandoff, BatchSink {
  private paused = false;
  private readonly tallies: TallySnapshot[] = [];
  /** Counts the records given after the block read ended; null before. */
  private after: PageTally | null = null;
  private readonly one = new Float64Array(1);

  constructor(
    private readonly engine: RfcV1Engine,
    private readonly sink: BatchSink,
    /** The read's topology: the tallies count by its ranges (the counting engine's). */
    private readonly topology: Topology,
  ) {}

  pauseCounts(): boolean {
    this.paused = this.engine.pauseCounts();
    return this.paused;
  }

  addCounts(t: TallySnapshot): void {
    this.tallies.push(t);
  }

  /** The block read ended: what the reader gives from now on is counted here. */
  resumeCounts(): void {
    this.after = new PageTally(this.topology);
  }

  record_access(pfn: number, nid: number, src: number, time: number): void {
    if (this.after !== null) {
      this.one[0] = pfn;
      this.after.count(this.one, 0, 1);
    }
    this.sink.record_access(pfn, nid, src, time);
  }

  record_batch(pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number): void {
    this.after?.count(pfn, 0, n);
    applyBatch(this.sink, pfn, nid, src, time, n);
  }

  settle(): Promise<void> | null {
    return this.sink.settle?.() ?? null;
  }

  /**
   * Gives the engine its counts and lets it count again: after the last record reached it (the fan-out flushed) and
   * no migrate pass is part way. Nothing to do when the read never paused it (no block read: a pipe, gzip, stdin).
   */
  add(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const t of this.tallies) this.engine.addCounts(t);
    if (this.after !== null) this.engine.addCounts(this.after.snapshot());
    this.engine.resumeCounts();
  }
}
