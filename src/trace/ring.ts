/**
 * A ring of record batches in shared memory, between a parser thread (producer) and the engine's thread
 * (consumer): SLOTS slots of BATCH records each, as typed-array columns, plus control words.
 */

import type { BlockResult } from './blocks.js';
import type { PageTally, TallySnapshot } from '../engine/page-tally.js';

/** Slots in the ring. */
export const SLOTS = 4;
/**
 * Records per slot of a parse ring by default: small (1.5 MB in all), so the ring spares the L3 cache the engine needs.
 * A file read in blocks may ask for larger slots (threaded.ts ringBatch: replay.ts BLOCK_RING_BATCH, run-multi.ts).
 */
export const BATCH = 1 << 14;

/** Control words (Int32) after the slot states. */
export const CTL_DONE = SLOTS; // producer finished (after publishing its last slot)
/** The consumer asks the producer to stop (Ctrl-C). */
export const CTL_STOP = SLOTS + 1;
/** The producer failed; details follow as a message. */
export const CTL_ERROR = SLOTS + 2;
/** Reading in blocks (trace/parallel.ts): the next block to claim (Atomics.add), for both threads. */
export const CTL_NEXT_BLOCK = SLOTS + 3;
/** Reading in blocks with page counts on the parse thread: the consumer applies no more slots, the tally may be posted. */
export const CTL_TALLY = SLOTS + 4;
const CTL_WORDS = SLOTS + 5;

/** Most events of each kind, accepted and not, the perf block parsers take (trace/perf-blocks.ts): the head's first. */
export const MAX_BLOCK_EVENTS = 4;

/** Per-slot words of a block read (trace/parallel.ts): meta[s * META + M_*]. */
export const META = 10 + 2 * MAX_BLOCK_EVENTS;
/** The block the slot's records are from. */
export const M_BLOCK = 0;
/** 1 when the slot ends its block (then the M_LINES.. words hold the block's BlockResult), else 0. */
export const M_LAST = 1;
export const M_LINES = 2;
export const M_HEADER = 3;
export const M_STOP = 4;
/** A perf text block's counts (BlockResult.perf): non-sample lines, samples with phys_addr 0, without, on no node ... */
export const M_NONSAMPLE = 5;
export const M_ZERO = 6;
export const M_MISSING = 7;
export const M_NOCPU = 8;
/** ... samples of events not kept, and samples per event (2 * MAX_BLOCK_EVENTS words). */
export const M_OTHER = 9;
export const M_EVENTS = 10;

/** Typed views of one shared ring. */
export interface Ring {
  readonly buffer: SharedArrayBuffer;
  /** state[s]: 0 free, 1 ready; then the control words. */
  readonly state: Int32Array;
  readonly count: Int32Array;
  readonly pfn: Float64Array;
  readonly time: Float64Array;
  readonly nid: Int32Array;
  readonly src: Int32Array;
  /**
   * progress[0] bytes read, progress[1] total bytes (-1 unknown), progress[2] records; progress[3] records a parser
   * wrote straight into the slots (DirectSink: a diagnostic).
   */
  readonly progress: Float64Array;
  /** Per-slot words of a block read (META per slot). */
  readonly meta: Float64Array;
  /** Records per slot. */
  readonly batch: number;
}

/**
 * Allocates a ring, or maps an existing buffer from byte `at` (a multiple of 8): a block read's ring lies in the shared
 * memory of the parse thread's WebAssembly parser, which writes records straight into its slots (plain-wasm.ts).
 */
export function ring(batch = BATCH, buffer: SharedArrayBuffer = new SharedArrayBuffer(ringBytes(batch)), at = 0): Ring {
  const n = SLOTS * batch;
  let off = at;
  const take = <T>(make: (b: SharedArrayBuffer, o: number, l: number) => T, bytes: number, len: number): T => {
    const v = make(buffer, off, len);
    off += bytes * len;
    return v;
  };
  const pfn = take((b, o, l) => new Float64Array(b, o, l), 8, n);
  const time = take((b, o, l) => new Float64Array(b, o, l), 8, n);
  const progress = take((b, o, l) => new Float64Array(b, o, l), 8, 4);
  const meta = take((b, o, l) => new Float64Array(b, o, l), 8, SLOTS * META);
  const nid = take((b, o, l) => new Int32Array(b, o, l), 4, n);
  const src = take((b, o, l) => new Int32Array(b, o, l), 4, n);
  const state = take((b, o, l) => new Int32Array(b, o, l), 4, CTL_WORDS);
  const count = take((b, o, l) => new Int32Array(b, o, l), 4, SLOTS);
  return { buffer, state, count, pfn, time, nid, src, progress, meta, batch };
}

/** The bytes of a ring of `batch` records a slot. */
export function ringBytes(batch: number): number {
  const n = SLOTS * batch;
  return n * (8 + 8 + 4 + 4) + 4 * 8 + SLOTS * META * 8 + CTL_WORDS * 4 + SLOTS * 4;
}

/**
 * A sink whose records a parser may write straight into its memory: a parser whose memory is `buffer` asks for room,
 * writes up to that many records at the byte addresses given for each column, and says how many it wrote.
 */
export interface DirectSink {
  /** Records that may be written into `buffer` from directAddress() on (0 when `buffer` is not this sink's). */
  directRoom(buffer: ArrayBufferLike): number;
  /** The byte address in that buffer of the next record's field: DIRECT_PFN, DIRECT_NID, DIRECT_SRC or DIRECT_TIME. */
  directAddress(column: number): number;
  /** The next `n` records were written there. */
  directTook(n: number): void;
}

export const DIRECT_PFN = 0;
export const DIRECT_NID = 1;
export const DIRECT_SRC = 2;
export const DIRECT_TIME = 3;

/** `sink` as a DirectSink, or null. */
export function directSink(sink: object): DirectSink | null {
  return 'directRoom' in sink ? (sink as DirectSink) : null;
}

/** A producer of record batches: buffers records into the current slot; subclasses publish full slots. */
export abstract class BatchWriter implements DirectSink {
  /** Slot being filled. */
  protected slot = 0;
  /** Records in it. */
  protected n = 0;
  records = 0;
  constructor(protected readonly r: Ring) {}

  /** Appends one record (an AccessSink). */
  record_access(pfn: number, nid: number, src: number, time: number): void {
    const r = this.r;
    const i = this.slot * r.batch + this.n;
    r.pfn[i] = pfn;
    r.nid[i] = nid;
    r.src[i] = src;
    r.time[i] = time;
    this.records++;
    if (++this.n === r.batch) this.publish();
  }

  /** Appends records [0, n) of columns (a BatchSink): copied slot by slot, in order. */
  record_batch(P: Float64Array, N: Int32Array, S: Int32Array, T: Float64Array, n: number): void {
    const r = this.r;
    let from = 0;
    while (from < n) {
      const k = Math.min(n - from, r.batch - this.n);
      const i = this.slot * r.batch + this.n;
      r.pfn.set(P.subarray(from, from + k), i);
      r.nid.set(N.subarray(from, from + k), i);
      r.src.set(S.subarray(from, from + k), i);
      r.time.set(T.subarray(from, from + k), i);
      from += k;
      this.records += k;
      this.n += k;
      if (this.n === r.batch) this.publish();
    }
  }

  /** DirectSink: room left in the current slot, for a parser whose memory holds this ring. */
  directRoom(buffer: ArrayBufferLike): number {
    return buffer === this.r.buffer ? this.r.batch - this.n : 0;
  }

  directAddress(column: number): number {
    const r = this.r;
    const i = this.slot * r.batch + this.n;
    return column === DIRECT_PFN ? r.pfn.byteOffset + 8 * i : column === DIRECT_NID ? r.nid.byteOffset + 4 * i : column === DIRECT_SRC ? r.src.byteOffset + 4 * i : r.time.byteOffset + 8 * i;
  }

  directTook(n: number): void {
    this.r.progress[3]! += n;
    this.records += n;
    this.n += n;
    if (this.n === this.r.batch) this.publish();
  }

  /** Hands the current slot to the reader(s) and moves to a free one. */
  abstract publish(): void;
}

/** Thrown by a RingWriter with a tally when the consumer asked it to stop while it waited for a free slot. */
export class RingStopped extends Error {}

/**
 * The producer side of a one-reader ring: publishes full slots, waiting for free ones.
 *
 * With a tally (page counts on the parse thread, trace/parallel.ts), the records of a slot are counted once the consumer
 * has applied them: when the slot is free to be written again, or at the end (finishTally()), so that records the
 * consumer never applies (after an irregular block, or a stop) are not counted.
 */
export class RingWriter extends BatchWriter {
  /** Block of the records being written (block reads). */
  private block = -1;
  /** Page counts of the records the consumer applied, or null. */
  private tally: PageTally | null = null;
  /** Records of each slot published and not counted yet (with a tally). */
  private readonly untallied = new Int32Array(SLOTS);

  /** Counts the records the consumer applies in `tally` from now on. */
  countInto(tally: PageTally): void {
    this.tally = tally;
  }

  /** The tally's counts once the consumer applies no more slots (CTL_TALLY): the applied slots' records counted. */
  finishTally(): TallySnapshot {
    const { state } = this.r;
    while (Atomics.load(state, CTL_TALLY) === 0) Atomics.wait(state, CTL_TALLY, 0);
    for (let s = 0; s < SLOTS; s++) if (Atomics.load(state, s) === 0) this.countSlot(s);
    return this.tally!.snapshot();
  }

  private countSlot(s: number): void {
    const n = this.untallied[s]!;
    if (n === 0) return;
    this.untallied[s] = 0;
    const from = s * this.r.batch;
    this.tally!.count(this.r.pfn, from, from + n);
  }

  /** Publishes the current slot (if it holds records) and waits until the next one is free. */
  publish(): void {
    if (this.n === 0) return;
    const m = this.r.meta;
    m[this.slot * META + M_BLOCK] = this.block;
    m[this.slot * META + M_LAST] = 0;
    this.publishAny();
  }

  private publishAny(): void {
    const { state, count } = this.r;
    count[this.slot] = this.n;
    this.untallied[this.slot] = this.n;
    Atomics.store(state, this.slot, 1);
    Atomics.notify(state, this.slot);
    this.slot = (this.slot + 1) % SLOTS;
    this.n = 0;
    if (this.tally === null) {
      while (Atomics.load(state, this.slot) !== 0) Atomics.wait(state, this.slot, 1);
      return;
    }
    // The consumer notifies the slots when it stops (it may never free this one).
    while (Atomics.load(state, this.slot) !== 0) {
      if (Atomics.load(state, CTL_STOP) === 1) throw new RingStopped('stopped');
      Atomics.wait(state, this.slot, 1);
    }
    this.countSlot(this.slot); // applied: free again
  }

  /**
   * Ends block `block` (a block read, trace/parallel.ts): publishes the current slot, even empty, with the block's
   * result in its meta words. Slots published before it within the block (full ones) carry the block and M_LAST 0.
   */
  endBlock(block: number, res: BlockResult): void {
    const m = this.r.meta;
    const b = this.slot * META;
    m[b + M_BLOCK] = block;
    m[b + M_LAST] = 1;
    m[b + M_LINES] = res.lines;
    m[b + M_HEADER] = res.header ? 1 : 0;
    m[b + M_STOP] = res.stop;
    // Always written: a block with no lines has no perf counts, and the slot's words are those of a block before.
    const p = res.perf;
    m[b + M_NONSAMPLE] = p?.nonSample ?? 0;
    m[b + M_ZERO] = p?.zero ?? 0;
    m[b + M_MISSING] = p?.missing ?? 0;
    m[b + M_NOCPU] = p?.noCpu ?? 0;
    m[b + M_OTHER] = p?.other ?? 0;
    for (let e = 0; e < 2 * MAX_BLOCK_EVENTS; e++) m[b + M_EVENTS + e] = p?.samples[e] ?? 0;
    this.publishAny();
  }

  /** Starts block `block`: full slots published from now on are its. */
  beginBlock(block: number): void {
    this.block = block;
  }

  /** Marks the end (after the last publish), with or without an error, and wakes the consumer. */
  close(error: boolean): void {
    const { state } = this.r;
    if (error) Atomics.store(state, CTL_ERROR, 1);
    Atomics.store(state, CTL_DONE, 1);
    for (let s = 0; s < SLOTS; s++) Atomics.notify(state, s);
  }
}
