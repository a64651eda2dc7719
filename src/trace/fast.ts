/**
 * Byte-level fast path for the plain trace form: `pfn,nid,src,time` lines ending in LF or CR LF, no quotes,
 * no spaces. It makes no string or object per record: numbers are accumulated straight from the
 * bytes and handed to the sink. Lines in another column layout (a header's), fields padded with
 * spaces and tabs, and fields in quotes from their first byte to their last go through a byte loop of
 * their own (scanLayoutLines()); a line neither takes goes through the shared string rules (same error
 * as the csv-parse path); a line with anything unusual (a quote elsewhere, a CR or a blank byte inside
 * a field, a byte outside printable ASCII) hands the rest of the file to csv-parse.
 */
import type { AccessSink } from '../engine/types.js';
import { INT_MAX, LIMIT_53 } from './fields.js';
import { MAX_WASM_COLUMNS, plainWasm } from './plain-wasm.js';
import { digits4, hexLead4, hexValue4, isDigits4 } from './swar.js';
import { MAX_LINE_BYTES, overlongLineAt, type TraceFile } from './tracefile.js';

const NL = 10;
const CR = 13;
const COMMA = 44;
const HASH = 35;
const MINUS = 45;
const ZERO = 48;
const LOWER_X = 120;
const LOWER_H = 104;
const LOWER_P = 112;

/** Value of each byte as a hex digit, or -1. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[ZERO + i] = i;
for (let i = 0; i < 6; i++) HEX[0x41 + i] = HEX[0x61 + i] = 10 + i;

/** Bytes 1-4 and 3-6 of `hwhints` and `pgtscan` as little-endian 32-bit words. */
const word = (t: string): number => t.charCodeAt(0) | (t.charCodeAt(1) << 8) | (t.charCodeAt(2) << 16) | (t.charCodeAt(3) << 24);
const HWHINTS_1 = word('whin');
const HWHINTS_3 = word('ints');
const PGTSCAN_1 = word('gtsc');
const PGTSCAN_3 = word('scan');

/** Outputs of scanLines. */
let scanLine = 0;
let scanRecords = 0;

/**
 * The hot loop: parses whole lines in buf[pos, end) (buf[end - 1] is LF, so LF is a sentinel for
 * every inner loop) and calls sink.record_access per record. Returns
 * -1 when every line was taken, else the offset of the first line that is not in the plain form;
 * scanLine / scanRecords then hold the lines and records taken. Kept free of cold calls and of
 * stores that need type feedback (module variables need none), so V8's on-stack-replaced code of
 * the loop is not thrown away at every return.
 */
function scanLines(buf: Uint8Array, pos: number, end: number, sink: AccessSink): number {
  let line = 0;
  let records = 0;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // The time field of the last line of 10 digits: its first 8 bytes as two words, its last two bytes, and its value.
  let sameW0 = -1;
  let sameW1 = -1;
  let sameB8 = -1;
  let sameB9 = -1;
  let sameTime = 0;
  outer: while (pos < end) {
    const ls = pos;
    fast: {
      let c = buf[pos]!;
      let pfn = 0;
      let s: number;
      if (c === ZERO && (buf[pos + 1]! | 0x20) === LOWER_X) {
        pos += 2;
        s = pos;
        let lo = 0;
        // Four lower-case digits in one load when the next four bytes are all digits (src/trace/swar.ts); the
        // rest (and upper case) byte by byte.
        if (pos + 4 <= end) {
          const w = view.getInt32(pos, true);
          if (hexLead4(w) === 4) {
            lo = hexValue4(w);
            pos += 4;
          }
        }
        c = buf[pos]!;
        let d = HEX[c]!;
        // Up to 7 digits in 32-bit integer arithmetic (28 bits), the rest in doubles.
        const e = s + 7;
        while (d >= 0 && pos < e) {
          lo = (lo << 4) | d;
          c = buf[++pos]!;
          d = HEX[c]!;
        }
        pfn = lo;
        while (d >= 0) {
          pfn = pfn * 16 + d;
          c = buf[++pos]!;
          d = HEX[c]!;
        }
        if (pos === s) break fast;
      } else {
        s = pos;
        while ((c - ZERO) >>> 0 < 10) {
          pfn = pfn * 10 + (c - ZERO);
          c = buf[++pos]!;
        }
        if (pos === s) {
          if (c === NL) {
            line++; // blank line
            pos++;
            continue outer;
          }
          if (c === CR && buf[pos + 1] === NL) {
            line++; // blank line ending in CR LF
            pos += 2;
            continue outer;
          }
          if (c === HASH) {
            line++; // comment line
            pos = buf.indexOf(NL, pos) + 1;
            continue outer;
          }
          break fast;
        }
      }
      // Doubles are exact below 2^53 and round monotonically above, so this test is exact.
      if (c !== COMMA || pfn >= LIMIT_53) break fast;

      c = buf[++pos]!;
      let neg = false;
      if (c === MINUS) {
        neg = true;
        c = buf[++pos]!;
      }
      s = pos;
      let nid = 0;
      while ((c - ZERO) >>> 0 < 10) {
        nid = nid * 10 + (c - ZERO);
        c = buf[++pos]!;
      }
      if (pos === s || c !== COMMA) break fast;
      if (neg) {
        if (nid > 1) break fast;
        nid = 0 - nid; // NUMA_NO_NODE; "-0" is +0
      } else if (nid > INT_MAX) break fast;

      c = buf[++pos]!;
      let src = 0;
      if ((c - ZERO) >>> 0 < 10) {
        while ((c - ZERO) >>> 0 < 10) {
          src = src * 10 + (c - ZERO);
          c = buf[++pos]!;
        }
        if (src > INT_MAX) break fast;
      } else {
        // Bytes 1-4 and 3-6 of the name as two loads, each byte folded to lower case (| 0x20 folds exactly the
        // letters onto lower case, and no other byte onto a letter).
        if (pos + 7 > end) break fast;
        const l = c | 0x20;
        const a = view.getInt32(pos + 1, true) | 0x20202020;
        const b = view.getInt32(pos + 3, true) | 0x20202020;
        if (l === LOWER_H && a === HWHINTS_1 && b === HWHINTS_3) src = 0;
        else if (l === LOWER_P && a === PGTSCAN_1 && b === PGTSCAN_3) src = 1;
        else break fast;
        pos += 7;
        c = buf[pos]!;
      }
      if (c !== COMMA) break fast;

      c = buf[++pos]!;
      s = pos;
      let time: number;
      // Eight digits at once when the next 8 bytes are digits (a jiffies value has 10): two 32-bit loads.
      const w0 = pos + 8 <= end ? view.getUint32(pos, true) : 0;
      const w1 = pos + 8 <= end ? view.getUint32(pos + 4, true) : 0;
      // The same 10 digits as the line before (hundreds of records share a jiffy), then LF or CR LF: its value.
      if (w0 === sameW0 && w1 === sameW1 && buf[pos + 8] === sameB8 && buf[pos + 9] === sameB9) {
        const step = buf[pos + 10] === NL ? 11 : buf[pos + 10] === CR && buf[pos + 11] === NL ? 12 : 0;
        if (step !== 0) {
          sink.record_access(pfn, nid, src, sameTime);
          records++;
          line++;
          pos += step;
          continue outer;
        }
      }
      if (isDigits4(w0) && isDigits4(w1)) {
        time = digits4(w0) * 10000 + digits4(w1);
        pos += 8;
        c = buf[pos]!;
      } else {
        // Up to 9 digits in 32-bit integer arithmetic, the rest in doubles.
        const e9 = pos + 9;
        let t9 = 0;
        while ((c - ZERO) >>> 0 < 10 && pos < e9) {
          t9 = t9 * 10 + (c - ZERO);
          c = buf[++pos]!;
        }
        time = t9;
      }
      while ((c - ZERO) >>> 0 < 10) {
        time = time * 10 + (c - ZERO);
        c = buf[++pos]!;
      }
      if (pos === s || time >= LIMIT_53) break fast;
      const digits = pos - s;
      if (c === CR && buf[pos + 1] === NL) c = buf[++pos]!; // CR LF: the CR goes, as csvpath.ts drops it
      if (c !== NL) break fast;
      if (digits === 10) {
        // Ten digits (8 of them in w0, w1): the next line may repeat them.
        sameW0 = w0;
        sameW1 = w1;
        sameB8 = buf[s + 8]!;
        sameB9 = buf[s + 9]!;
        sameTime = time;
      }
      sink.record_access(pfn, nid, src, time);
      records++;
      line++;
      pos++;
      continue outer;
    }
    scanLine = line;
    scanRecords = records;
    return ls;
  }
  scanLine = line;
  scanRecords = records;
  return -1;
}

const SP = 32;
const TAB = 9;
const QUOTE = 34;
/** A field in quotes that csv-parse reads as what is between them: no other quote, nothing outside them. */
const SIMPLE_QUOTED = /^"[^"]*"$/;
/** A field without the spaces and tabs around it (what csv-parse's trim takes off a line that has no other blank byte). */
function trimBlanks(cell: string): string {
  return cell.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** The source names' bytes (layoutField()). */
const HWHINTS_BYTES = Buffer.from('hwhints', 'latin1');
const PGTSCAN_BYTES = Buffer.from('pgtscan', 'latin1');

/** The source named by the 7 bytes at buf[a]: `hwhints` 0 or `pgtscan` 1, in any case (| 0x20 folds exactly the letters onto lower case), else -1. */
function sourceAt(buf: Uint8Array, a: number): number {
  let h = true;
  let p = true;
  for (let k = 0; k < 7; k++) {
    const c = buf[a + k]! | 0x20;
    h &&= c === HWHINTS_BYTES[k];
    p &&= c === PGTSCAN_BYTES[k];
  }
  return h ? 0 : p ? 1 : -1;
}

/** The plain layout's columns: pfn, nid, src, time. */
const PLAIN_LAYOUT = Int8Array.from([0, 1, 2, 3]);

/** Values of the line scanLayoutLines() reads, in FIELD_NAMES order. */
const layoutVals = new Float64Array(4);

/**
 * The value of field `f` (FIELD_NAMES index) written as buf[a, b), as fields.ts's parser gives it, or NaN when it is
 * not one this loop is sure of (empty, a sign or a digit out of place, out of range, another source name): the shared
 * string rules then decide, and report.
 */
function layoutField(f: number, buf: Uint8Array, a: number, b: number): number {
  if (a === b) return NaN;
  let i = a;
  let v = 0;
  if (f === 2 && (buf[a]! - ZERO) >>> 0 >= 10) {
    if (b - a !== 7) return NaN;
    const s = sourceAt(buf, a);
    return s >= 0 ? s : NaN;
  }
  if (f === 0 && b - a > 2 && buf[a] === ZERO && (buf[a + 1]! | 0x20) === LOWER_X) {
    for (i = a + 2; i < b; i++) {
      const d = HEX[buf[i]!]!;
      if (d < 0) return NaN;
      v = v * 16 + d;
    }
    return v < LIMIT_53 ? v : NaN;
  }
  const neg = f === 1 && buf[a] === MINUS;
  if (neg) i++;
  if (i === b) return NaN;
  for (; i < b; i++) {
    const d = buf[i]! - ZERO;
    if (d >>> 0 >= 10) return NaN;
    v = v * 10 + d;
  }
  if (f === 0 || f === 3) return v < LIMIT_53 ? v : NaN;
  if (neg) return v <= 1 ? 0 - v : NaN; // NUMA_NO_NODE; "-0" is +0
  return v <= INT_MAX ? v : NaN;
}

/**
 * The lines of buf[pos, end) (buf[end - 1] is LF) of a file in another layout (`fieldOf`: each column's field, or -1; a
 * line has `width` columns), up to the first line this loop does not take: one with a byte outside printable ASCII or
 * a quote not around a whole field (csv-parse would read it otherwise), another count of columns, or a field
 * layoutField() is not sure of.
 * Blank and `#` lines are taken (after spaces and tabs too), fields may be padded with spaces and tabs (csv-parse's trim
 * takes them off a line with no other blank byte), a line may end in CR LF. The plain layout's lines the byte loop above
 * leaves (padded ones) come here too (PLAIN_LAYOUT). Returns -1 when all were taken, else that line's offset; scanLine
 * and scanRecords say what it took.
 */
function scanLayoutLines(buf: Uint8Array, pos: number, end: number, fieldOf: Int8Array, width: number, sink: AccessSink): number {
  let line = 0;
  let records = 0;
  let stop = -1;
  const vals = layoutVals;
  outer: while (pos < end) {
    const ls = pos;
    // The usual line, in one pass: each field read as it is scanned, unpadded, in quotes or not. Anything else (a blank
    // or `#` line, padding, a value out of place) goes to the general loop below, which stops where it is not sure.
    fast: {
      const c0 = buf[pos]!;
      if (c0 === HASH || c0 === SP || c0 === TAB) break fast; // a `#` line, maybe after blanks, or a padded field
      let p = pos;
      let vp = 0;
      let vn = 0;
      let vs = 0;
      let vt = 0;
      for (let col = 0; col < width; col++) {
        const f = fieldOf[col]!;
        let c = buf[p]!;
        // Spaces and tabs before a field (csv-parse's trim); a field in quotes has none outside them.
        const p0 = p;
        while (c === SP || c === TAB) c = buf[++p]!;
        const quoted = c === QUOTE;
        if (quoted) {
          if (p !== p0) break fast;
          c = buf[++p]!;
        }
        if (f < 0) {
          // A column no field reads: printable ASCII, spaces and tabs, up to its end (no quote and no comma in it).
          while (c !== COMMA && c !== QUOTE && ((c >= SP && c <= 0x7e) || c === TAB)) c = buf[++p]!;
        } else {
          const s0 = p;
          let v = 0;
          if (f === 2 && (c - ZERO) >>> 0 >= 10) {
            v = sourceAt(buf, p);
            if (v < 0) break fast;
            p += 7;
          } else if (f === 0 && c === ZERO && (buf[p + 1]! | 0x20) === LOWER_X) {
            p += 2;
            let d = HEX[buf[p]!]!;
            if (d < 0) break fast;
            do {
              v = v * 16 + d;
              d = HEX[buf[++p]!]!;
            } while (d >= 0);
            if (v >= LIMIT_53) break fast;
          } else {
            const neg = f === 1 && c === MINUS;
            if (neg) p++;
            let d = buf[p]! - ZERO;
            if (d >>> 0 >= 10) break fast;
            do {
              v = v * 10 + d;
              d = buf[++p]! - ZERO;
            } while (d >>> 0 < 10);
            if (f === 0 || f === 3) {
              if (v >= LIMIT_53) break fast;
            } else if (neg) {
              if (v > 1) break fast;
              v = 0 - v; // NUMA_NO_NODE; "-0" is +0
            } else if (v > INT_MAX) break fast;
          }
          if (p === s0) break fast;
          if (f === 0) vp = v;
          else if (f === 1) vn = v;
          else if (f === 2) vs = v;
          else vt = v;
          c = buf[p]!;
        }
        if (quoted) {
          if (c !== QUOTE) break fast;
          c = buf[++p]!;
        } else while (c === SP || c === TAB) c = buf[++p]!; // and after it
        if (col + 1 < width) {
          if (c !== COMMA) break fast;
          p++;
        } else if (c === NL) p++;
        else if (c === CR && buf[p + 1] === NL) p += 2;
        else break fast;
      }
      sink.record_access(vp, vn, vs, vt);
      records++;
      line++;
      pos = p;
      continue outer;
    }
    let q = pos;
    while (buf[q] === SP || buf[q] === TAB) q++;
    const c0 = buf[q]!;
    if (c0 === NL || c0 === HASH || (c0 === CR && buf[q + 1] === NL)) {
      line++; // blank (spaces and tabs at most) or comment line
      pos = buf.indexOf(NL, q) + 1;
      continue;
    }
    let col = 0;
    let fs = pos;
    let quotes = 0; // in the field so far
    for (;;) {
      const c = buf[pos]!;
      const eol = c === NL || (c === CR && buf[pos + 1] === NL);
      if (c === COMMA || eol) {
        // A field with a quote is taken only as "..." from its first byte to its last, with no other quote: csv-parse
        // reads it as what is between them (a quote elsewhere may hide a comma, or be an error).
        if (quotes !== 0 && (quotes !== 2 || buf[fs] !== QUOTE || buf[pos - 1] !== QUOTE || pos - fs < 2)) break;
        const f = col < width ? fieldOf[col]! : -1;
        if (f >= 0) {
          // The field without the spaces and tabs around it, as csv-parse (trim) takes it, or inside its quotes.
          let a = fs;
          let b = pos;
          if (quotes !== 0) {
            a++;
            b--;
          } else {
            while (a < b && (buf[a] === SP || buf[a] === TAB)) a++;
            while (b > a && (buf[b - 1] === SP || buf[b - 1] === TAB)) b--;
          }
          const v = layoutField(f, buf, a, b);
          if (v !== v) break; // NaN
          vals[f] = v;
        }
        quotes = 0;
        col++;
        if (eol) {
          if (col !== width) break;
          sink.record_access(vals[0]!, vals[1]!, vals[2]!, vals[3]!);
          records++;
          line++;
          pos += c === NL ? 1 : 2;
          continue outer;
        }
        fs = pos + 1;
      } else if (c === QUOTE) quotes++;
      else if ((c < 0x21 && c !== SP && c !== TAB) || c > 0x7e) break;
      pos++;
    }
    stop = ls; // not taken
    break;
  }
  scanLine = line;
  scanRecords = records;
  return stop;
}

/**
 * The lines of buf[pos, end) (buf[end - 1] is LF) of a file in the layout `fieldOf`/`width` (TraceFile.layout()), up to
 * the first line the layout loop above does not take (trace/blocks.ts: a file whose header gives another layout).
 */
export function scanLayout(buf: Uint8Array, pos: number, end: number, fieldOf: Int8Array, width: number, sink: AccessSink): PlainScan {
  const stop = scanLayoutLines(buf, pos, end, fieldOf, width, sink);
  return { stop: stop < 0 ? end : stop, lines: scanLine, records: scanRecords };
}

/**
 * scanLayout() through the WebAssembly parser (plain-wasm.ts) where it runs: the lines it takes there, each line it
 * leaves by the loop above (which takes it, or stops there).
 */
export function scanLayoutFast(buf: Uint8Array, pos: number, end: number, fieldOf: Int8Array, width: number, sink: AccessSink): PlainScan {
  const w = plainWasm();
  if (w === null || width > MAX_WASM_COLUMNS) return scanLayout(buf, pos, end, fieldOf, width, sink);
  let records = 0;
  let lines = 0;
  for (;;) {
    const r = w.scanLayout(buf, pos, end, fieldOf, width, sink);
    records += r.records;
    lines += r.lines;
    if (r.stop >= end) return { stop: end, lines, records };
    const nl = buf.indexOf(NL, r.stop) + 1;
    const stop = scanLayoutLines(buf, r.stop, nl, fieldOf, width, sink);
    records += scanRecords;
    lines += scanLine;
    if (stop >= 0) return { stop, lines, records };
    pos = nl;
  }
}

/** scanLayoutFast() in the plain layout: lines of it padded with spaces and tabs, or in quotes, which the byte loop leaves. */
export function scanPadded(buf: Uint8Array, pos: number, end: number, sink: AccessSink): PlainScan {
  return scanLayoutFast(buf, pos, end, PLAIN_LAYOUT, 4, sink);
}

/**
 * The cells of the content line buf[ls, e) (no LF, a CR before it already off) as csv-parse reads them when that is a
 * plain split on commas: fields padded with spaces and tabs lose them (csv-parse's trim: the line has no other blank
 * byte), a field in quotes ("..." from its first byte to its last, no other quote) is what is between them. Null when
 * csv-parse would read the line otherwise (a quote elsewhere, a byte outside printable ASCII), with `text` the line.
 */
export function lineCells(buf: Uint8Array, ls: number, e: number): { readonly text: string; readonly cells: string[] } | null {
  let quoted = false;
  for (let i = ls; i < e; i++) {
    const b = buf[i]!;
    if (b === QUOTE) quoted = true;
    else if ((b < 0x21 && b !== SP && b !== TAB) || b > 0x7e) return null;
  }
  const text = Buffer.from(buf.buffer, buf.byteOffset + ls, e - ls).toString('latin1');
  const cells = text.split(',');
  for (let k = 0; k < cells.length; k++) {
    const cell = cells[k]!;
    if (!quoted || !cell.includes('"')) cells[k] = trimBlanks(cell);
    else if (SIMPLE_QUOTED.test(cell)) cells[k] = cell.slice(1, -1);
    else return null; // a quote elsewhere: csv-parse decides
  }
  return { text, cells };
}

/**
 * True when a whole line of `head` (a file's first bytes) is one the byte loops leave to csv-parse: a byte outside
 * printable ASCII, spaces and tabs (a CR before its LF aside), or a quote not around a whole field (lineCells()).
 */
export function leftToCsvParse(head: Uint8Array): boolean {
  let at = 0;
  for (;;) {
    const nl = head.indexOf(NL, at);
    if (nl < 0) return false;
    const e = nl > at && head[nl - 1] === CR ? nl - 1 : nl;
    if (lineCells(head, at, e) === null) return true;
    at = nl + 1;
  }
}

/** What scanPlain() took. */
export interface PlainScan {
  /** Offset of the first line not taken, or `end` when all were. */
  readonly stop: number;
  /** Lines taken (data, blank and `#` lines). */
  readonly lines: number;
  /** Records given to the sink. */
  readonly records: number;
}

/**
 * The plain lines of buf[pos, end) (buf[end - 1] is LF) into `sink`, up to the first line the byte loop does not
 * take: a header, a bad line, anything csv-parse would read differently (trace/blocks.ts). Lines of any length: the
 * readers end the range before a line over the cap (tracefile.ts overlongLineAt()).
 */
export function scanPlain(buf: Uint8Array, pos: number, end: number, sink: AccessSink): PlainScan {
  const stop = scanLines(buf, pos, end, sink);
  return { stop: stop < 0 ? end : stop, lines: scanLine, records: scanRecords };
}

/**
 * Bytes a streaming reader parses with the loop above before it starts the WebAssembly parser: starting it (compiling
 * the module, making its memory, V8's first WebAssembly use) costs a few ms, which a small trace would pay for
 * nothing (a 10-line replay took 71 ms against 65 ms; start-up bench, 2026-12-01 23:41).
 */
export const WASM_AFTER_BYTES = 2 << 20;

/** scanPlain() through the WebAssembly parser (plain-wasm.ts) where it runs, else the loop above. */
export function scanPlainFast(buf: Uint8Array, pos: number, end: number, sink: AccessSink): PlainScan {
  const w = plainWasm();
  return w !== null ? w.scan(buf, pos, end, sink) : scanPlain(buf, pos, end, sink);
}

/** Streams one file through the byte parser; push() returns the bytes to hand to csv-parse, if any. */
export class FastParser {
  private readonly file: TraceFile;
  private readonly sink: AccessSink;
  /** The partial last line of the previous chunk. */
  private carry = Buffer.allocUnsafe(4096);
  private carryLen = 0;
  /** Bytes parsed so far (see WASM_AFTER_BYTES). */
  private parsed = 0;
  /** True while the rest of a line over the cap is discarded up to its LF (skipped with onBad, `--skip-bad`). */
  private discarding = false;

  constructor(file: TraceFile) {
    this.file = file;
    this.sink = file.ctx.sink;
  }

  /**
   * Parses every complete line of `chunk` (the chunk may be reused by the caller afterwards).
   * Returns null when all of it was taken, else the rest of the input from the start of the first
   * line it could not take (to be given to the csv-parse path, which must copy what it keeps).
   */
  push(chunk: Uint8Array): Uint8Array[] | null {
    let start = 0;
    if (this.discarding) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) return null;
      this.discarding = false;
      start = nl + 1;
    } else if (this.carryLen > 0) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.discarding = !this.append(chunk, 0, chunk.length);
        return null;
      }
      start = nl + 1;
      if (this.append(chunk, 0, nl + 1)) {
        const len = this.carryLen;
        this.carryLen = 0;
        const stop = this.scan(this.carry, 0, len);
        if (stop >= 0) return [Buffer.from(this.carry.subarray(stop, len)), chunk.subarray(start)];
      }
    }
    const last = chunk.lastIndexOf(NL);
    if (last >= start) {
      const stop = this.scan(chunk, start, last + 1);
      if (stop >= 0) return [chunk.subarray(stop)];
      start = last + 1;
    }
    if (start < chunk.length) this.discarding = !this.append(chunk, start, chunk.length);
    return null;
  }

  /** Parses a last line without a line end; returns what to hand to csv-parse, if anything. */
  end(): Uint8Array[] | null {
    // A skipped line over the cap that runs to the end of the file was counted when it passed the cap.
    this.discarding = false;
    if (this.carryLen === 0) return null;
    const len = this.carryLen;
    if (!this.append(Buffer.of(NL), 0, 1)) return null;
    this.carryLen = 0;
    const stop = this.scan(this.carry, 0, len + 1);
    return stop >= 0 ? [Buffer.from(this.carry.subarray(stop, len))] : null;
  }

  /**
   * Adds src[from, to) to the carried partial line; true when it did. A line that passes the cap is refused (thrown),
   * or skipped with onBad: then false, nothing is held, and the caller discards the rest of it up to its LF.
   */
  private append(src: Uint8Array, from: number, to: number): boolean {
    const need = this.carryLen + (to - from);
    if (need > this.carry.length) {
      if (need > MAX_LINE_BYTES + 1) {
        // The line as held, then what of this chunk takes it past the cap. (The held buffer is larger than what it
        // holds, and the rest of it is memory never written: only carry[0, carryLen) is the line.)
        const head = Buffer.concat([this.carry.subarray(0, this.carryLen), src.subarray(from, Math.min(to, from + MAX_LINE_BYTES + 1 - this.carryLen))]);
        this.carryLen = 0;
        this.file.longLine(head);
        return false;
      }
      // Never room for more than a line of MAX_LINE_BYTES and its LF: a line that passes the cap must grow the carry.
      const grown = Buffer.allocUnsafe(Math.min(MAX_LINE_BYTES + 1, Math.max(need, this.carry.length * 2)));
      this.carry.copy(grown, 0, 0, this.carryLen);
      this.carry = grown;
    }
    this.carry.set(src.subarray(from, to), this.carryLen);
    this.carryLen = need;
    return true;
  }

  /**
   * Parses whole lines in buf[pos, end) (buf[end - 1] is LF). Returns -1 when all were taken, else
   * the offset of the line to hand to csv-parse.
   */
  private scan(buf: Uint8Array, pos: number, end: number): number {
    const file = this.file;
    // The byte loops take lines of any length: they stop before a line over the cap, which slowLine() refuses (or
    // skips: the lines after it are measured again).
    if (!file.plain) return this.scanLayout(buf, pos, end);
    let long = overlongLineAt(buf, pos, end);
    for (;;) {
      const to = long < 0 ? end : long;
      const r = this.parsed >= WASM_AFTER_BYTES ? scanPlainFast(buf, pos, to, this.sink) : scanPlain(buf, pos, to, this.sink);
      this.parsed += r.stop - pos;
      this.flush(file.line + r.lines, r.records);
      if (r.stop >= end) return -1;
      let ls = r.stop;
      if (file.started && ls < to) {
        // Lines of the plain layout the byte loop does not take (fields padded with spaces or tabs): the layout loop.
        const p = this.layoutLines(buf, ls, to, PLAIN_LAYOUT, 4);
        if (p >= end) return -1;
        if (p !== ls) {
          pos = p;
          if (p < to) continue; // back to the byte loop
          ls = p;
        }
      }
      // Not the plain form: the shared string rules decide (a header, a bad value), or csv-parse does.
      const next = this.slowLine(buf, ls, file.line + 1);
      if (next < 0) return ls;
      if (next > to) long = overlongLineAt(buf, next, end);
      pos = next;
      if (!file.plain) return pos >= end ? -1 : this.scanLayout(buf, pos, end); // a header in another layout
      if (pos >= end) return -1;
    }
  }

  /**
   * Whole lines in buf[pos, end) of a file whose header gives another layout (other columns, another order), which the
   * byte loop does not read: each line split at its commas and read by the shared string rules (slowLine()), blank and
   * `#` lines skipped; returns -1 when all were taken, else the offset of the first line to hand to csv-parse (a quote,
   * a space, a byte outside printable ASCII: csv-parse would read it otherwise). Until 2026-12-04 csv-parse read every
   * line of such a file: 16.6x the time of the same trace in the canonical layout.
   */
  private scanLayout(buf: Uint8Array, pos: number, end: number): number {
    const file = this.file;
    const { fieldOf, width } = file.layout();
    let long = overlongLineAt(buf, pos, end);
    for (;;) {
      const to = long < 0 ? end : long;
      const ls = this.layoutLines(buf, pos, to, fieldOf, width);
      if (ls >= end) return -1;
      const next = this.slowLine(buf, ls, file.line + 1);
      if (next < 0) return ls;
      if (next > to) long = overlongLineAt(buf, next, end);
      pos = next;
      if (pos >= end) return -1;
    }
  }

  /**
   * The lines of buf[pos, to) in the layout `fieldOf`/`width` that the layout loop takes (in WebAssembly once the file
   * parsed WASM_AFTER_BYTES, as scan()), counted; returns the first line not taken, or `to`.
   */
  private layoutLines(buf: Uint8Array, pos: number, to: number, fieldOf: Int8Array, width: number): number {
    const r = this.parsed >= WASM_AFTER_BYTES ? scanLayoutFast(buf, pos, to, fieldOf, width, this.sink) : scanLayout(buf, pos, to, fieldOf, width, this.sink);
    this.parsed += r.stop - pos;
    this.flush(this.file.line + r.lines, r.records);
    return r.stop;
  }

  private flush(line: number, records: number): void {
    const file = this.file;
    file.line = line;
    file.ctx.records += records;
    if (records > 0) file.started = true;
  }

  /**
   * A line the byte loop did not take. If it holds nothing csv-parse would read differently from
   * a plain split on commas, apply it through the shared rules and return the offset after it;
   * otherwise return -1. A line over the cap is an error (the lines before it were taken), or skipped.
   */
  private slowLine(buf: Uint8Array, ls: number, line: number): number {
    const nl = buf.indexOf(NL, ls);
    if (nl - ls > MAX_LINE_BYTES) {
      this.file.longLine(buf.subarray(ls, nl));
      return nl + 1;
    }
    // A CR before the LF goes, as csvpath.ts drops it (a header, or a bad line, of a file with CR LF line ends).
    const e = nl > ls && buf[nl - 1] === CR ? nl - 1 : nl;
    let i = ls;
    while (i < e && (buf[i] === SP || buf[i] === TAB)) i++;
    if (i === e || buf[i] === HASH) {
      // A blank line (spaces and tabs at most) or a `#` line, as csvpath.ts skips them.
      this.file.line = line;
      return nl + 1;
    }
    const split = lineCells(buf, ls, e);
    if (split === null) return -1;
    const { text, cells } = split;
    this.file.line = line;
    this.file.applyCells(cells, line, () => text);
    return nl + 1;
  }
}
