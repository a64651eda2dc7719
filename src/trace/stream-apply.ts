/**
 * The engine's thread's side of standard input read in blocks (stream-blocks.ts): applies blocks in stream order,
 * from the ring (parsed by the parse thread) or from columns of its own (parsed here while nothing else was due), and
 * tells the parse thread when it may reuse a slot, when every block was applied, or from which line the general
 * reader must read on.
 */
import type { BatchSink } from '../engine/types.js';
import type { BlockResult } from './blocks.js';
import { applyBatch, applyColumns, Columns } from './columns.js';
import {
  blockBytesOf, claimBlock, RESUME_FROM, RESUME_NONE, SB_APPLIED, SB_END, SB_NEXT, SB_RESUME, SB_RESUME_BLOCK, SB_RESUME_STARTED,
  SB_RESUME_STOP, SB_SEALED, streamBlockScan, type StreamBlocks,
} from './stream-blocks.js';

/** Most blocks this thread holds parsed ahead of the block it applies (as parallel.ts). */
const MAX_OWN = 2;

/** A block's end as its last ring slot gives it. */
export type BlockEnd = Pick<BlockResult, 'lines' | 'header' | 'stop'>;

export class BlockApplier {
  /** The block applied next. */
  private expect = 0;
  /** Lines of the blocks applied, and whether a content line came. */
  private lines = 0;
  private started = false;
  /** Records of block `expect` applied so far. */
  private blockRecords = 0;
  /** An irregular block was applied: the general reader reads on (its records come as plain slots). */
  private resumed = false;
  /** Blocks applied that this thread parsed, and that the parse thread did (a diagnostic). */
  here = 0;
  there = 0;
  private readonly own = new Map<number, { cols: Columns; res: BlockResult }>();
  private readonly spare: Columns[] = [];
  private readonly scan: ReturnType<typeof streamBlockScan>;

  constructor(
    private readonly sb: StreamBlocks,
    private readonly sink: BatchSink,
    private readonly batch: number,
  ) {
    this.scan = streamBlockScan(sb);
  }

  /** Applies the block due next if this thread parsed it: its records, or -1 when it did not. */
  applyOwn(): number {
    if (this.resumed) return -1;
    const mine = this.own.get(this.expect);
    if (mine === undefined) return -1;
    const c = mine.cols;
    applyColumns(this.sink, c, this.batch);
    const n = c.n;
    this.blockRecords += n;
    this.own.delete(this.expect);
    c.n = 0;
    this.spare.push(c);
    this.here++;
    this.endBlock(mine.res);
    return n;
  }

  /**
   * A ring slot of block `block` (the parse thread's): applied when the blocks are still read (it is the block due),
   * dropped once the general reader reads on (a later block parsed before it knew). Returns the records applied.
   */
  applySlot(block: number, v: { pfn: Float64Array; nid: Int32Array; src: Int32Array; time: Float64Array }, n: number, end: BlockEnd | null): number {
    if (this.resumed) return 0;
    if (block !== this.expect) throw new Error(`parser thread gave block ${block} where block ${this.expect} was due`);
    applyBatch(this.sink, v.pfn, v.nid, v.src, v.time, n);
    this.blockRecords += n;
    if (end !== null) {
      this.there++;
      this.endBlock(end);
    }
    return n;
  }

  /** Parses the next sealed block here (at most MAX_OWN held, unless it is the block due); false when none. */
  parseNext(): boolean {
    const { words } = this.sb;
    if (this.resumed || (this.own.size >= MAX_OWN && Atomics.load(words, SB_NEXT) !== this.expect)) return false;
    const k = claimBlock(words);
    if (k < 0) return false;
    // Sized for lines of 24 bytes or more (a bench line has 30); shorter ones make it grow.
    const cols = this.spare.pop() ?? new Columns(Math.ceil(this.sb.blockBytes / 24) + 1);
    const view = blockBytesOf(this.sb, k);
    this.own.set(k, { cols, res: this.scan(view, k, cols) });
    return true;
  }

  /** Tells the parse thread it may finish once the stream ended and every block was applied. */
  endIfDone(): void {
    const { words } = this.sb;
    if (this.resumed || Atomics.load(words, SB_END) !== 1 || Atomics.load(words, SB_SEALED) !== this.expect) return;
    if (Atomics.load(words, SB_RESUME) !== 0) return;
    Atomics.store(words, SB_RESUME, RESUME_NONE);
    Atomics.notify(words, SB_RESUME);
  }

  /** Block `expect` is applied: its slot may be reused, or, irregular, the general reader reads on from its stop. */
  private endBlock(res: BlockEnd): void {
    const { words } = this.sb;
    this.lines += res.lines;
    if (res.header || this.blockRecords > 0) this.started = true;
    this.blockRecords = 0;
    if (res.stop >= 0) {
      this.resumed = true;
      this.own.clear();
      this.sb.line[0] = this.lines;
      words[SB_RESUME_BLOCK] = this.expect;
      words[SB_RESUME_STOP] = res.stop;
      words[SB_RESUME_STARTED] = this.started ? 1 : 0;
      Atomics.store(words, SB_RESUME, RESUME_FROM);
      Atomics.notify(words, SB_RESUME);
      Atomics.notify(words, SB_APPLIED);
      return;
    }
    this.expect++;
    Atomics.store(words, SB_APPLIED, this.expect);
    Atomics.notify(words, SB_APPLIED);
  }
}
