/**
 * Standard input parsed in blocks by both threads (a pipe: `zcat t.csv.gz | kpromo replay -`). A stream cannot be
 * read twice, so the parse thread reads it (it owns the descriptor) into a few block slots of shared memory, each
 * cut at a line end, the partial last line carried to the next slot; then both threads claim sealed blocks in turn
 * and parse them as they parse the blocks of a regular file (blocks.ts, parallel.ts): the parse thread into the
 * ring, the engine's thread into columns of its own whenever it has nothing to apply. A slot is written again only
 * once the engine's thread has applied its block, so the bytes of every block not yet applied are still there.
 *
 * A header of another layout in block 0 is found by the parse thread as it seals block 0 (blocks.ts csvHeadIn()), and
 * both threads read the blocks after it with the layout loop (streamBlockScan()). At the first irregular block (a line
 * the block parser does not take: a second header, a bad line, a quote inside a field, a last line without LF) the
 * engine's thread applies the records before that line and asks the parse thread to read
 * on from it with the general reader (read.ts): the parse thread hands it the bytes from that line on (those of the
 * blocks still held, then the rest of the stream), with the line count and header state of the lines before. The
 * records of later blocks already parsed are dropped. So records, errors, line numbers and stats are those of the
 * general reader.
 */
import type { AccessSink } from '../engine/types.js';
import { csvHeadIn, layoutBlockScan, scanBlock, type BlockResult, type BlockScan, type CsvHead, type CsvHeader } from './blocks.js';
import type { RingWriter } from './ring.js';

/** Block slots: the engine's thread may hold two parsed blocks ahead, the parse thread one, one fills. */
export const STREAM_SLOTS = 6;
/** A slot's room past its block's size: the rest of the chunk that filled it (a pipe gives 64 KiB at most). */
const SLOT_TAIL = 64 << 10;
/** Blocks that ramp up to the block size (as blocks.ts: the first blocks are parsed before V8 optimised the parser). */
const RAMP = 4;
/** A stream idle this long seals the lines it gave so far into a block (a slow writer's records are not held back). */
const IDLE_MS = 5;
const NL = 10;

/** Int32 words of the control area. */
/** Blocks sealed so far (block k is in slot k % STREAM_SLOTS). */
export const SB_SEALED = 0;
/** The next block to claim (compare-and-swap, both threads). */
export const SB_NEXT = 1;
/** Blocks applied by the engine's thread: their slots may be written again. */
export const SB_APPLIED = 2;
/** 1 once the stream ended and its last block is sealed. */
export const SB_END = 3;
/** The engine's thread's word to the parse thread: 0 none yet, RESUME_FROM (read on from a line), RESUME_NONE (all applied). */
export const SB_RESUME = 4;
export const RESUME_FROM = 1;
export const RESUME_NONE = 2;
/** With RESUME_FROM: the irregular block, the offset of its first line not taken, and whether a content line came before. */
export const SB_RESUME_BLOCK = 5;
export const SB_RESUME_STOP = 6;
export const SB_RESUME_STARTED = 7;
/** Bytes of each slot's block. */
export const SB_LEN = 8;
/**
 * A header of another layout in block 0 (blocks.ts csvHeadIn()), written before block 0 is sealed: its count of columns
 * (0: none, the block parsers read the canonical layout), the offset after it, the lines through it, and each column's
 * field.
 */
const SB_LAYOUT_WIDTH = SB_LEN + STREAM_SLOTS;
const SB_LAYOUT_END = SB_LAYOUT_WIDTH + 1;
const SB_LAYOUT_LINES = SB_LAYOUT_WIDTH + 2;
const SB_FIELD_OF = SB_LAYOUT_WIDTH + 3;
/** Columns a header of another layout may have for the blocks to read it (a wider one goes to the general reader). */
const MAX_LAYOUT_COLUMNS = 64;
const WORDS = SB_FIELD_OF + MAX_LAYOUT_COLUMNS;

/** The shared slots and words (both threads map the same buffer). */
export interface StreamBlocks {
  readonly buffer: SharedArrayBuffer;
  readonly words: Int32Array;
  /** [0]: with RESUME_FROM, the lines before the resume point. */
  readonly line: Float64Array;
  readonly bytes: Uint8Array;
  /** Block size (the first RAMP blocks are smaller). */
  readonly blockBytes: number;
  /** Bytes per slot. */
  readonly cap: number;
}

/** Allocates the slots for blocks of `blockBytes`, or maps an existing buffer. */
export function streamBlocks(blockBytes: number, buffer?: SharedArrayBuffer): StreamBlocks {
  const cap = blockBytes + SLOT_TAIL;
  const head = 8 + WORDS * 4;
  const buf = buffer ?? new SharedArrayBuffer(head + STREAM_SLOTS * cap);
  return {
    buffer: buf,
    line: new Float64Array(buf, 0, 1),
    words: new Int32Array(buf, 8, WORDS),
    bytes: new Uint8Array(buf, head, STREAM_SLOTS * cap),
    blockBytes,
    cap,
  };
}

/** Size of block k: blockBytes / 2^RAMP doubling up to blockBytes (tests' odd sizes: all the same). */
export function blockTarget(k: number, blockBytes: number): number {
  if (blockBytes % 2 ** RAMP !== 0 || k >= RAMP) return blockBytes;
  return (blockBytes / 2 ** RAMP) * 2 ** k;
}

/** Claims the next sealed block, or -1 when every sealed block is claimed. */
export function claimBlock(words: Int32Array): number {
  for (;;) {
    const k = Atomics.load(words, SB_NEXT);
    if (k >= Atomics.load(words, SB_SEALED)) return -1;
    if (Atomics.compareExchange(words, SB_NEXT, k, k + 1) === k) return k;
  }
}

/** Block k's bytes (a view of its slot; valid until the block is applied). */
export function blockBytesOf(sb: StreamBlocks, k: number): Buffer {
  const s = k % STREAM_SLOTS;
  return Buffer.from(sb.buffer, sb.bytes.byteOffset + s * sb.cap, sb.words[SB_LEN + s]!);
}

/**
 * The block parser of stream blocks, for either thread: scanBlock(), or, when block 0 held a header of another layout
 * (the parse thread found it as it sealed block 0: readStreamBlocks()), the layout loop after it. Block `k` is sealed,
 * so block 0 was, and the layout words are written.
 */
export function streamBlockScan(sb: StreamBlocks): (view: Buffer, k: number, sink: AccessSink) => BlockResult {
  let scan: BlockScan | null = null;
  return (view, k, sink) => {
    const w = sb.words;
    const width = w[SB_LAYOUT_WIDTH]!;
    if (width === 0) return scanBlock(view, view.length, k === 0, sink);
    scan ??= layoutBlockScan(Int8Array.from(w.subarray(SB_FIELD_OF, SB_FIELD_OF + width)), width);
    if (k !== 0) return scan(view, view.length, false, sink);
    const at = w[SB_LAYOUT_END]!;
    const r = scan(view.subarray(at), view.length - at, false, sink);
    return { records: r.records, lines: w[SB_LAYOUT_LINES]! + r.lines, header: true, stop: r.stop < 0 ? -1 : at + r.stop };
  };
}

/** Writes the layout of block 0's header for streamBlockScan() (before block 0 is sealed), if it has one. */
function writeLayout(sb: StreamBlocks, head: CsvHead | null): void {
  if (head === null || head.width > MAX_LAYOUT_COLUMNS) return;
  const w = sb.words;
  w.set(head.fieldOf, SB_FIELD_OF);
  w[SB_LAYOUT_END] = head.end;
  w[SB_LAYOUT_LINES] = head.lines;
  w[SB_LAYOUT_WIDTH] = head.width;
}

/** What reading a stream in blocks gave the parse thread. */
export interface StreamBlocksResult {
  readonly stopped: boolean;
  /** Bytes before the resume point (all the bytes read when there is none). */
  readonly bytes: number;
  /** Where the general reader reads on: the lines before, whether a content line came, and the bytes from there. */
  readonly resume: { readonly line: number; readonly started: boolean; readonly header?: CsvHeader; readonly rest: AsyncIterable<Buffer> } | null;
}

/**
 * The parse thread's side: reads `source` into the slots and parses blocks into `writer` (tagging its slots with the
 * block), leaving a sealed block for the engine's thread whenever it can, until the engine's thread has applied
 * them all or asks for the general reader. `wake` wakes the engine's thread (a block was sealed); `onBytes` gets the
 * bytes read so far.
 */
export async function readStreamBlocks(
  source: AsyncIterable<Buffer>,
  sb: StreamBlocks,
  writer: RingWriter,
  stopped: () => boolean,
  wake: () => void,
  onBytes: (bytes: number) => void,
): Promise<StreamBlocksResult> {
  const { words, bytes, cap, blockBytes } = sb;
  const shared = Buffer.from(sb.buffer, bytes.byteOffset, bytes.byteLength);
  /**
   * Copies `b` (not empty) to shared[at, at + b.length). A typed array's set() (and Node 20's Buffer#copy, built on it)
   * copies into shared memory with relaxed atomics, byte by byte when source and target are not equally aligned: 190 ms
   * for 300 MB against 12 ms for Buffer#fill with the chunk as its pattern, which is one memcpy when it fits once.
   */
  const place = (b: Buffer, at: number): void => void shared.fill(b, at, at + b.length);
  const it = source[Symbol.asyncIterator]();
  /** Block being filled, its bytes so far, and the bytes of the blocks before it. */
  let k = 0;
  let fill = 0;
  let total = 0;
  /** Where each held block starts in the stream (by slot). */
  const startOf = new Float64Array(STREAM_SLOTS);
  const slotBase = (j: number): number => (j % STREAM_SLOTS) * cap;
  const decided = (): number => Atomics.load(words, SB_RESUME);
  /** Bytes read that are in no slot (a stop or a decision came while they were being placed), in stream order. */
  const held: Buffer[] = [];
  /** Block 0's header of another layout, if it has one (the general reader, reading on, takes it again). */
  let head: CsvHead | null = null;
  const scan = streamBlockScan(sb);

  /** Parses a claimed block into the ring; false when none was left to claim. */
  const parseOne = (): boolean => {
    const j = claimBlock(words);
    if (j < 0) return false;
    writer.beginBlock(j);
    const view = blockBytesOf(sb, j);
    writer.endBlock(j, scan(view, j, writer));
    return true;
  };
  /** Waits until block k's slot may be written (parsing blocks meanwhile); false at a stop or a decision. */
  const slotFree = (): boolean => {
    for (;;) {
      const applied = Atomics.load(words, SB_APPLIED);
      if (k < applied + STREAM_SLOTS) return true;
      if (stopped() || decided() !== 0) return false;
      if (!parseOne()) Atomics.wait(words, SB_APPLIED, applied, 20);
    }
  };
  /**
   * Seals block k at its last line end (`all`: the stream ended, every byte), carrying the partial last line to the
   * next slot. Without a line end a slot is sealed only when full (a line longer than a slot: the block is irregular
   * at its start). False at a stop or a decision.
   */
  const seal = (all: boolean): boolean => {
    const base = slotBase(k);
    let cut = fill;
    if (!all) {
      const nl = bytes.lastIndexOf(NL, base + fill - 1);
      cut = nl >= base ? nl - base + 1 : 0;
      if (cut === 0) {
        if (fill < cap) return true;
        cut = fill;
      }
    }
    words[SB_LEN + (k % STREAM_SLOTS)] = cut;
    if (k === 0) {
      head = csvHeadIn(bytes.subarray(base, base + cut), '-');
      writeLayout(sb, head);
    }
    startOf[k % STREAM_SLOTS] = total;
    total += cut;
    const tail = fill - cut;
    const carry = tail > 0 ? Buffer.from(bytes.subarray(base + cut, base + fill)) : null;
    k++;
    Atomics.store(words, SB_SEALED, k);
    wake();
    fill = 0;
    if (all) return true;
    if (!slotFree()) {
      if (carry !== null) held.push(carry);
      return false;
    }
    if (carry !== null) place(carry, slotBase(k));
    fill = tail;
    // Parse while the engine's thread has another sealed block to take.
    while (Atomics.load(words, SB_SEALED) - Atomics.load(words, SB_NEXT) >= 2 && parseOne());
    return true;
  };
  /** Appends a chunk, sealing blocks as they fill; false at a stop or a decision. */
  const append = (chunk: Buffer): boolean => {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, cap - fill);
      place(chunk.subarray(off, off + n), slotBase(k) + fill);
      fill += n;
      off += n;
      if (fill >= blockTarget(k, blockBytes) && !seal(false)) {
        if (off < chunk.length) held.push(Buffer.from(chunk.subarray(off)));
        return false;
      }
    }
    return true;
  };

  let pending: Promise<IteratorResult<Buffer>> | null = null;
  let ended = false;
  try {
    for (;;) {
      if (stopped()) return { stopped: true, bytes: total + fill, resume: null };
      if (decided() !== 0) break;
      pending ??= it.next();
      const r = await idle(pending);
      if (r === null) {
        // The writer is slow: seal what came and parse every sealed block, then wait on (every IDLE_MS looking for a
        // stop, and for the engine's thread asking for the general reader: a bad line is reported while the writer
        // still holds the pipe open).
        if (fill > 0) seal(false);
        while (parseOne());
        continue;
      }
      pending = null;
      if (r.done === true) {
        ended = true;
        break;
      }
      const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      if (!append(chunk)) continue;
      onBytes(total + fill);
    }
    if (ended) {
      if (fill > 0) seal(true);
      Atomics.store(words, SB_END, 1);
      wake();
      while (decided() === 0) {
        if (stopped()) return { stopped: true, bytes: total, resume: null };
        if (!parseOne()) Atomics.wait(words, SB_RESUME, 0, 20);
      }
    }
    if (decided() === RESUME_NONE) return { stopped: false, bytes: total, resume: null };
  } catch (e) {
    await it.return?.(undefined);
    throw e;
  }
  // The general reader reads on from the resume point: the held blocks' bytes from there, the block being filled,
  // then the rest of the stream.
  const from = words[SB_RESUME_BLOCK]!;
  const stop = words[SB_RESUME_STOP]!;
  const parts: Buffer[] = [];
  for (let j = from; j < k; j++) {
    const b = blockBytesOf(sb, j);
    parts.push(Buffer.from(b.subarray(j === from ? stop : 0)));
  }
  if (fill > 0) parts.push(Buffer.from(bytes.subarray(slotBase(k), slotBase(k) + fill)));
  parts.push(...held);
  writer.beginBlock(-1);
  return {
    stopped: false,
    bytes: startOf[from % STREAM_SLOTS]! + stop,
    resume: {
      line: sb.line[0]!,
      started: words[SB_RESUME_STARTED] === 1,
      ...(words[SB_LAYOUT_WIDTH] !== 0 ? { header: head!.header } : {}),
      rest: rest(parts, ended ? null : pending, it),
    },
  };
}

/** The next chunk, or null when none came within IDLE_MS. */
function idle(p: Promise<IteratorResult<Buffer>>): Promise<IteratorResult<Buffer> | null> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<null>((res) => (timer = setTimeout(() => res(null), IDLE_MS)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** `parts`, then the chunk `pending` gives (if any), then the rest of `it`. */
async function* rest(parts: Buffer[], pending: Promise<IteratorResult<Buffer>> | null, it: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* parts;
  try {
    if (pending !== null) {
      const r = await pending;
      if (r.done === true) return;
      yield r.value;
    }
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    }
  } finally {
    await it.return?.(undefined);
  }
}
