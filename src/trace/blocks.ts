/**
 * One regular CSV file parsed in blocks by two threads (trace/parallel.ts). Block k holds the lines that start
 * in bytes [at(k), at(k + 1)): it runs from lineStart(at(k)) to lineStart(at(k + 1)), where lineStart(x) is the
 * first line start at or after x. Both threads compute the same boundaries, so each line is in exactly one block,
 * whoever parses it. Blocks are B bytes, but the first ones are B/16, B/8, B/4 and B/2: the first blocks are
 * parsed while V8 has not optimised the parser yet (tens of ms per MiB), and a small one is soon done.
 *
 * A block parser takes what the byte loops of fast.ts take: `pfn,nid,src,time` data lines (LF or CR LF ended),
 * blank and `#` lines, and in block 0 the header `pfn,nid,src,time` (any case) as the first content line; after it,
 * fields padded with spaces and tabs or in quotes (the layout loop). A file whose header gives another layout (other
 * columns, another order, quoted or padded names) has its header read first (readCsvHead()), and its blocks start
 * after it, read by the layout loop (layoutBlockScan()). At the first other line (a second header, a bad line, a quote
 * inside a field, a control byte, a last line without LF) it stops: the block is irregular there, and from that line
 * on the file is read by the general reader (read.ts), with the line count, header state and header of the lines
 * before it. Records before that line stand.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { AccessSink } from '../engine/types.js';
import { lineCells, scanLayoutFast, scanPadded, scanPlainFast } from './fast.js';
import { isHeader } from './fields.js';
import { plainWasm } from './plain-wasm.js';
import { isGzipMagic, SNIFF_BYTES, type InputSettings } from './input.js';
import { looksLikePerf } from './perf-detect.js';
import { MAX_LINE_BYTES, overlongLineAt, TraceFile } from './tracefile.js';
import type { TraceInput } from './read.js';

/** Bytes per block. */
export const BLOCK_BYTES = 1 << 20;
/** Blocks that ramp up to BLOCK_BYTES (see the file comment). */
const RAMP = 4;
/** Bytes read past a block's end to find the end of its last line (more are read for a longer line). */
const TAIL_BYTES = 64 << 10;
const NL = 10;
const CR = 13;
const SP = 32;
const TAB = 9;
const HASH = 35;
/** The one header a block parser takes, as bytes. */
const HEADER = Buffer.from('pfn,nid,src,time\n', 'latin1');
/** The header of a file with CR LF line ends (the CR goes, as csvpath.ts drops it). */
const HEADER_CRLF = Buffer.from('pfn,nid,src,time\r\n', 'latin1');

/** What the perf block parser took besides records (perf-blocks.ts), as PerfReader counts it. */
export interface PerfBlockCounts {
  /** `#` and empty lines. */
  nonSample: number;
  zero: number;
  missing: number;
  noCpu: number;
  /** Samples of events not kept. */
  other: number;
  /** Samples per event, in the order of the events the block parser was given (accepted, then rejected). */
  readonly samples: number[];
}

/** What parsing one block gave. */
export interface BlockResult {
  /** Records given to the sink. */
  readonly records: number;
  /** Lines taken (data, blank, `#` and the header): all the block's lines, or those before `stop`. */
  readonly lines: number;
  /** The block held the header (block 0 only). */
  readonly header: boolean;
  /** Offset of the first line not taken (the block is irregular there), or -1 when every line was. */
  readonly stop: number;
  /** A perf text block's counts. */
  readonly perf?: PerfBlockCounts;
}

/**
 * A block parser: the lines of buf[0, n) into `sink` (`first`: the file's first block); stop relative to buf. Its
 * `input`, if any, gives the buffer to read a block into (the WebAssembly parser's memory: no copy), or null (none).
 */
export type BlockScan = ((buf: Buffer, n: number, first: boolean, sink: AccessSink) => BlockResult) & {
  readonly input?: (n: number) => Buffer | null;
};

/** A file parsed in blocks: open, its size when opened, and the reader its kind goes to (as input.ts decides). */
export interface BlockFile {
  readonly fd: number;
  readonly size: number;
  readonly kind: 'csv' | 'perf';
}

/**
 * The open file of `inputs` when it can be parsed in blocks: one regular file, not named `.gz`, not gzip; CSV with
 * the byte parser, or perf text (forced, or sniffed as input.ts would). Null otherwise.
 */
export function openBlockFile(
  inputs: readonly TraceInput[],
  settings: InputSettings,
  parser: 'auto' | 'fast' | 'csv-parse',
): BlockFile | null {
  if (inputs.length !== 1) return null;
  const input = inputs[0]!;
  if (input.name === '-' || input.name.endsWith('.gz') || input.stream !== undefined || input.start !== undefined) return null;
  let fd: number;
  try {
    fd = openSync(input.name, 'r');
  } catch {
    return null; // the general reader reports it
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    const buf = Buffer.allocUnsafe(SNIFF_BYTES);
    const head = buf.subarray(0, readSync(fd, buf, 0, SNIFF_BYTES, 0));
    if (isGzipMagic(head)) throw new Error('gzip');
    const kind = settings.kind === 'perf' || (settings.kind === 'auto' && looksLikePerf(head)) ? 'perf' : 'csv';
    if (kind === 'csv' && parser === 'csv-parse') throw new Error('csv-parse asked for');
    return { fd, size: st.size, kind };
  } catch {
    closeSync(fd);
    return null;
  }
}

/**
 * The plain lines of buf[0, n) into `sink`, as block parsers take them (`first`: the file's first block, where
 * the header may be); BlockResult.stop is relative to buf. The last line may lack its LF, and a line may be longer
 * than MAX_LINE_BYTES: the general reader takes the one, and refuses the other.
 */
export const scanBlock: BlockScan = Object.assign(
  (buf: Buffer, n: number, first: boolean, sink: AccessSink): BlockResult => scanPlainBlock(buf, n, first, sink),
  { input: (n: number): Buffer | null => plainWasm()?.input(n) ?? null },
);

function scanPlainBlock(buf: Buffer, n: number, first: boolean, sink: AccessSink): BlockResult {
  const whole = wholeLinesEnd(buf, n);
  const long = overlongLineAt(buf, 0, whole);
  const last = long < 0 ? whole : long; // the block is irregular at a line over the cap
  let records = 0;
  let lines = 0;
  let header = false;
  let at = 0;
  while (at < last) {
    const r = scanPlainFast(buf, at, last, sink);
    records += r.records;
    lines += r.lines;
    at = r.stop;
    if (at >= last) break;
    // The header (canonical order, any case: headerAt()) as the first content line of the file: the first block with nothing but blank and `#`
    // lines before it. A block may end before the header's length (a short standard input is a block of its size).
    const opening = first && records === 0 && !header;
    const h = opening ? headerAt(buf, at, last) : 0;
    if (h > 0) {
      header = true;
      lines++;
      at += h;
      continue;
    }
    // Lines padded with spaces and tabs, which the byte loop leaves: the layout loop, as the general reader takes them
    // once the file started (before, such a line may be a header: the general reader decides).
    if (!opening) {
      const p = scanPadded(buf, at, last, sink);
      records += p.records;
      lines += p.lines;
      if (p.stop !== at) {
        at = p.stop;
        continue;
      }
    }
    return { records, lines, header, stop: at };
  }
  return { records, lines, header, stop: last < n ? last : -1 };
}

/**
 * The block parser of a file whose header (read before the blocks: readCsvHead()) gives another layout, or the plain
 * one in a form headerAt() does not take (padded, quoted): the lines the layout loop of fast.ts takes, up to the first
 * it does not (fast.ts scanLayout(): another count of columns, a value it is not sure of, a quote not around a whole
 * field), where the general reader goes on with the header's layout (read.ts ResumeAt.header). The plain layout's
 * lines go to the byte loop first, as in scanPlainBlock().
 */
export function layoutBlockScan(fieldOf: Int8Array, width: number): BlockScan {
  const plain = width === 4 && fieldOf.every((f, c) => f === c);
  if (plain) return Object.assign((buf: Buffer, n: number, _first: boolean, sink: AccessSink): BlockResult => scanPlainBlock(buf, n, false, sink), { input: scanBlock.input! });
  const scan = (buf: Buffer, n: number, _first: boolean, sink: AccessSink): BlockResult => {
    const whole = wholeLinesEnd(buf, n);
    const long = overlongLineAt(buf, 0, whole);
    const last = long < 0 ? whole : long;
    const r = scanLayoutFast(buf, 0, last, fieldOf, width, sink);
    const stop = r.stop < last ? r.stop : last < n ? last : -1;
    return { records: r.records, lines: r.lines, header: false, stop };
  };
  return Object.assign(scan, { input: scanBlock.input! });
}

/** A CSV file's header that the block parsers do not take themselves, read before the blocks (readCsvHead()). */
export interface CsvHead {
  /** Offset after the header line: where the blocks start. */
  readonly end: number;
  /** Physical lines through the header. */
  readonly lines: number;
  /** The header as the general reader takes it: a read that goes on after the blocks takes it again (read.ts). */
  readonly header: CsvHeader;
  /** Each column's field (FIELD_NAMES index, or -1), and their count (TraceFile.layout()). */
  readonly fieldOf: Int8Array;
  readonly width: number;
}

/** A header line: its cells, its line number and its text. */
export interface CsvHeader {
  readonly cells: readonly string[];
  readonly line: number;
  readonly text: string;
}

/**
 * The header of a CSV file when its first content line (after blank and `#` lines, in the first SNIFF_BYTES) is one
 * the general reader takes as a header of a layout the block parsers can read with the layout loop, and not the
 * canonical header that scanPlainBlock() takes itself: another order of columns, more columns (a row names column),
 * names in quotes (R's write.csv) or padded with spaces. Null otherwise (no header, the canonical one, a line csv-parse
 * reads, a header the general reader refuses: the blocks stop at it and the general reader reports it).
 */
export function readCsvHead(fd: number, size: number, name: string): CsvHead | null {
  const buf = Buffer.allocUnsafe(Math.min(size, SNIFF_BYTES));
  return csvHeadIn(buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)), name);
}

/** readCsvHead() of the bytes `buf` (a file's or a stream's first bytes). */
export function csvHeadIn(buf: Uint8Array, name: string): CsvHead | null {
  const n = buf.length;
  let at = 0;
  let line = 0;
  for (;;) {
    const nl = buf.indexOf(NL, at);
    if (nl < 0) return null;
    line++;
    const e = nl > at && buf[nl - 1] === CR ? nl - 1 : nl;
    let i = at;
    while (i < e && (buf[i] === SP || buf[i] === TAB)) i++;
    if (i === e || buf[i] === HASH) {
      at = nl + 1;
      continue;
    }
    if (headerAt(buf, at, n) > 0) return null;
    const split = lineCells(buf, at, e);
    if (split === null || !isHeader(split.cells)) return null;
    const { cells, text } = split;
    const file = new TraceFile(name, { sink: NO_SINK, onBad: undefined, records: 0, skipped: 0 });
    try {
      file.applyCells(cells, line, () => text);
    } catch {
      return null;
    }
    return { end: nl + 1, lines: line, header: { cells, line, text }, ...file.layout() };
  }
}

const NO_SINK: AccessSink = { record_access: () => {} };

/**
 * The length of the header line at buf[at, last) in the canonical order, its names in any case (as the general reader
 * takes them: `PFN,NID,SRC,TIME`), LF or CR LF ended, or 0 when it is not there.
 */
function headerAt(buf: Uint8Array, at: number, last: number): number {
  next: for (const h of [HEADER, HEADER_CRLF]) {
    if (last - at < h.length) continue;
    for (let i = 0; i < h.length; i++) {
      const b = buf[at + i]!;
      const c = h[i]!;
      // A letter in either case (| 0x20 folds exactly the letters onto lower case); any other byte as it is.
      if (b !== c && !(c >= 0x61 && c <= 0x7a && (b | 0x20) === c)) continue next;
    }
    return h.length;
  }
  return 0;
}

/** The end of the whole lines of buf[0, n): after its last LF (0 when it has none). */
export function wholeLinesEnd(buf: Buffer, n: number): number {
  return n > 0 && buf[n - 1] === NL ? n : buf.lastIndexOf(NL, n - 1) + 1;
}

/** Parses blocks of one open file; one per thread (its buffer is reused). */
export class BlockReader {
  private buf: Buffer;
  readonly blocks: number;

  /**
   * Blocks of the file's bytes from `base` (a line start) to `size`, each parsed by `scan` (block 0 is the file's
   * first block only when base is 0).
   */
  constructor(
    private readonly fd: number,
    readonly size: number,
    readonly blockBytes = BLOCK_BYTES,
    readonly base = 0,
    private readonly scan: BlockScan = scanBlock,
  ) {
    // A scan that gives its own input buffer (the WebAssembly parser's memory) needs this one only to find line starts.
    this.buf = Buffer.allocUnsafe(scan.input !== undefined ? TAIL_BYTES : blockBytes + TAIL_BYTES);
    let k = 1;
    while (this.at(k) < size) k++;
    this.blocks = k;
  }

  /** Where block k's bytes start (before lineStart()): the first RAMP blocks grow from B / 2^RAMP to B / 2. */
  at(k: number): number {
    const b = this.blockBytes;
    if (b % 2 ** RAMP !== 0) return this.base + k * b; // odd sizes (tests): all the same size
    const small = b / 2 ** RAMP;
    return this.base + (k <= RAMP ? small * (2 ** k - 1) : b - small + (k - RAMP) * b);
  }

  /**
   * Parses block k into `sink`. A block whose bounds lie in a line longer than the general reader takes (no LF
   * within MAX_LINE_BYTES) stops at its start: the general reader reports that line. (A block that starts inside
   * such a line never comes to be applied: the block before it stops first, and block 0 starts at 0.)
   */
  parse(k: number, sink: AccessSink): BlockResult {
    const start = this.lineStart(this.at(k));
    const end = start < 0 ? -1 : this.lineStart(this.at(k + 1));
    if (end < 0) return { records: 0, lines: 0, header: false, stop: start };
    if (start >= end) return { records: 0, lines: 0, header: false, stop: -1 };
    let buf = this.scan.input?.(end - start) ?? null;
    if (buf === null) {
      if (end - start > this.buf.length) this.buf = Buffer.allocUnsafe(end - start);
      buf = this.buf;
    }
    const n = this.read(buf, end - start, start); // fewer if the file shrank meanwhile: the general reader sees it
    if (n === 0) return { records: 0, lines: 0, header: false, stop: start };
    const res = this.scan(buf, n, k === 0 && this.base === 0, sink);
    return res.stop < 0 ? res : { ...res, stop: start + res.stop };
  }

  /**
   * lineStart(x): 0 for x = 0; else the offset after the first LF at or after x - 1, or the file's size if there
   * is none; -1 when no LF comes within MAX_LINE_BYTES + 1 bytes (a line the general reader refuses).
   */
  private lineStart(x: number): number {
    if (x <= 0) return 0;
    if (x >= this.size) return this.size;
    const buf = this.buf;
    let pos = x - 1;
    let want = 256; // a line is short: read a little first, then more and more
    while (pos < this.size) {
      const n = this.read(buf, Math.min(want, this.size - pos), pos);
      want = Math.min(want * 4, TAIL_BYTES);
      if (n === 0) break;
      const nl = buf.subarray(0, n).indexOf(NL);
      if (nl >= 0) return pos + nl + 1;
      pos += n;
      if (pos - (x - 1) > MAX_LINE_BYTES + 1) return -1;
    }
    return this.size;
  }

  /** Reads `n` bytes at `pos` into buf; returns the bytes read (fewer only at the end of the file). */
  private read(buf: Buffer, n: number, pos: number): number {
    let got = 0;
    while (got < n) {
      const k = readSync(this.fd, buf, got, n - got, pos + got);
      if (k === 0) break;
      got += k;
    }
    return got;
  }
}
