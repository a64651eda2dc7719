/**
 * Byte-level fast path of the perf reader (the model is fast.ts): for the common shape it reads a
 * whole sample line, maps it and hands the record to the sink with no string, object or call per
 * line. It takes only lines it is sure of: anything else (a comment, a `PERF_RECORD_*` line,
 * another event, a malformed line, a time too large) stops it at that line's start, and the reader
 * parses that one line with the general parser (perf-line.ts), which decides and reports as before;
 * then the fast path goes on. So the two paths cannot disagree on anything but speed;
 * test/trace/perf-fast.test.ts checks it on real and generated lines. It takes lines of any length:
 * the readers never give it one over the cap (tracefile.ts overlongLineAt()).
 */
import type { AccessSink } from '../engine/types.js';
import { ABSENT, PRESENT, pidTidBefore, type LineShape } from './perf-line.js';
import { perfTimeToJiffies } from './perf-map.js';
import { perfWasm } from './perf-wasm.js';
import { digits4, HEX_PAIRS, hexLead4, hexTrail4, hexValue4, isDigits4, PAIR_BAD } from './swar.js';

const NL = 10;
const CR = 13;
const TAB = 9;
const SP = 32;
const HASH = 35;
const DOT = 46;
const COLON = 58;
const LBRACKET = 91;
const RBRACKET = 93;
const UPPER_P = 80;
/** Four spaces as one little-endian 32-bit load. */
const SPACES4 = 0x20202020;
/** Four colons, four line ends. */
const COLONS4 = 0x3a3a3a3a;
const NLS4 = 0x0a0a0a0a;

/** True when a byte of `x` is zero (x = word ^ four copies of a byte: the word holds that byte). */
function hasByte4(x: number): boolean {
  return (((x - 0x01010101) | 0) & ~x & 0x80808080) !== 0;
}
/** Hex digit value of a byte (perf prints lower case only), -1 for any other byte. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 48; c <= 57; c++) HEX[c] = c - 48;
for (let c = 97; c <= 102; c++) HEX[c] = c - 87;
/** Hex digits of a phys_addr the fast path reads (13 digits < 2^52: exact in one backward pass). */
const MAX_PHYS_DIGITS = 13;
/** swar.ts's table, as a constant of this module. */
const PAIRS = HEX_PAIRS;

/** What the fast path needs, fixed once the shape is known. */
export interface FastShape {
  /** cpu, period and event: 0 never printed, 1 always printed (MAYBE shapes do not get a fast path). */
  readonly cpu: number;
  readonly period: number;
  readonly event: number;
  /** Leading bare-hex fields to check (addr, data_src), 0 to 2. */
  readonly leadingHex: number;
  /** 1: phys_addr always printed, 0: never. */
  readonly phys: number;
  /** `--nid cpu`: node by CPU; else the fixed nid (-1 for none). */
  readonly byCpu: boolean;
  readonly fixedNid: number;
  readonly cpuNode: Int32Array;
  readonly hz: number;
  readonly pageSize: number;
  /** The pid/tid token every line has before the cpu (or the time): LineShape.pidTid. */
  readonly pidTid: 0 | 1 | 2;
}

/** The fast path for a compiled shape, or null when the shape has optional or rare parts (misc, page sizes, ipc). */
export function fastShape(ls: LineShape, nid: 'cpu' | 'none' | number, cpuNode: Int32Array, hz: number, pageSize: number): FastShape | null {
  const sure = (p: number): boolean => p === ABSENT || p === PRESENT;
  if (ls.misc || ls.pageSizes > 0 || ls.ipc) return null;
  if (!sure(ls.cpu) || !sure(ls.period) || !sure(ls.event) || !sure(ls.phys)) return null;
  if (nid === 'cpu' && ls.cpu !== PRESENT) return null;
  return {
    cpu: ls.cpu === PRESENT ? 1 : 0,
    period: ls.period === PRESENT ? 1 : 0,
    event: ls.event === PRESENT ? 1 : 0,
    leadingHex: ls.leadingHex.length,
    phys: ls.phys === PRESENT ? 1 : 0,
    byCpu: nid === 'cpu',
    fixedNid: nid === 'cpu' || nid === 'none' ? -1 : nid,
    cpuNode,
    hz,
    pageSize,
    pidTid: ls.pidTid,
  };
}

/** Value of the digits digitsBefore() read. */
let digitsValue = 0;

/** Reads the decimal digits that end at buf[j], backwards and not before `ls`: their value goes to digitsValue; returns the index before the first of them. */
function digitsBefore(buf: Buffer, j: number, ls: number): number {
  let v = 0;
  let m = 1;
  while (j >= ls) {
    const d = buf[j]! - 48;
    if (d >>> 0 >= 10) break;
    v += d * m;
    m *= 10;
    j--;
  }
  digitsValue = v;
  return j;
}

/** Outputs of scanPerf (module variables need no type feedback, as in fast.ts). */
export let fastLines = 0;
export let fastRecords = 0;
/** Samples of the accepted event taken (records and skipped ones). */
export let fastSamples = 0;
export let fastZero = 0;
export let fastMissing = 0;
export let fastNoCpu = 0;

/**
 * What scanPerf() last copied into the WebAssembly module's memory, for a caller that scans one buffer again and again
 * from where it stopped (perf-read.ts: a chunk whose lines of other events stop the fast path): buf[pos, end) is there,
 * at the offset shift. Valid while nothing else is placed and buf is not written: the caller makes a new one per chunk.
 * Without it, every line of another event copied the rest of its chunk (up to 1 MiB) again: a real perf text of two
 * events in turn, one of them kept, read 3.3x slower on one thread (docs/speed-log.md, 2026-12-04 16:35).
 */
export interface Placement {
  buf: Buffer | null;
  pos: number;
  end: number;
  shift: number;
}

/**
 * Reads whole lines of buf[pos, end) (buf[end - 1] is LF) while they are sample lines of the event
 * `ev` (empty when the shape prints no event) that need nothing but this path. Returns the offset
 * of the first line it did not take (end when it took all); the counters above say what it took.
 * Where WebAssembly runs and the shape prints the event and phys_addr, lines in perf's own columns go through
 * perf-wasm.ts first, and each line it does not take through scanPerfJs (alone: that line only, unless the module took
 * no line twice running, which a trace in another layout shows: then the rest). `wasm` false: scanPerfJs alone (a
 * streaming reader's first bytes: see WASM_AFTER_BYTES in fast.ts).
 */
export function scanPerf(buf: Buffer, pos: number, end: number, fs: FastShape, ev: Uint8Array, sink: AccessSink, wasm = true, placed: Placement | null = null): number {
  const w = wasm && fs.event === 1 && fs.phys === 1 ? perfWasm() : null;
  if (w === null || !w.fits(fs, ev)) return scanPerfJs(buf, pos, end, fs, ev, sink);
  let shift: number;
  if (placed !== null && placed.buf === buf && pos >= placed.pos && end <= placed.end) shift = placed.shift;
  else {
    shift = w.place(buf, pos, end);
    if (placed !== null) {
      placed.buf = buf;
      placed.pos = pos;
      placed.end = end;
      placed.shift = shift;
    }
  }
  let lines = 0;
  let records = 0;
  let zero = 0;
  let missing = 0;
  let noCpu = 0;
  let misses = 0;
  let at = pos;
  for (;;) {
    const r = w.scan(at, end, shift, fs, ev, sink);
    lines += r.lines;
    records += r.records;
    zero += r.zero;
    noCpu += r.noCpu;
    at = r.stop;
    if (at >= end) break;
    misses = r.lines === 0 ? misses + 1 : 0;
    const s = scanPerfJs(buf, at, misses >= 2 ? end : buf.indexOf(NL, at) + 1, fs, ev, sink);
    lines += fastLines;
    records += fastRecords;
    zero += fastZero;
    missing += fastMissing;
    noCpu += fastNoCpu;
    if (s === at) break; // neither takes it
    at = s;
    if (at >= end) break;
  }
  fastLines = lines;
  fastRecords = records;
  fastSamples = lines; // every line either takes is a sample of the event
  fastZero = zero;
  fastMissing = missing;
  fastNoCpu = noCpu;
  return at;
}

/** The event name eventWords() gave words of last, a copy of its bytes, and those words. */
let lastEvent: { bytes: Uint8Array; words: Int32Array; doubles: Float64Array } | null = null;

/**
 * The event name `ev` as little-endian 32-bit words (its whole words; the rest is compared byte by byte), and its whole
 * eight-byte words as doubles, compared eight bytes a load. Equal doubles have equal bytes but for +0 and -0, so a name
 * with a word of zero bytes is compared four bytes a load only (no doubles); a word that reads as a NaN equals nothing,
 * and its lines go to the general parser, which decides. Those of the last name asked for are kept: a reader whose
 * lines alternate between events calls scanPerfJs() once a line, and made them anew each time (three arrays and a
 * DataView a line, a third of such a read's time with its garbage collections).
 */
function eventWords(ev: Uint8Array): { words: Int32Array; doubles: Float64Array } {
  const last = lastEvent;
  if (last !== null && last.bytes.length === ev.length) {
    let i = 0;
    while (i < ev.length && last.bytes[i] === ev[i]) i++;
    if (i === ev.length) return last;
  }
  const words = new Int32Array(ev.length >> 2);
  for (let i = 0; i < words.length; i++) words[i] = ev[4 * i]! | (ev[4 * i + 1]! << 8) | (ev[4 * i + 2]! << 16) | (ev[4 * i + 3]! << 24);
  const evView = new DataView(ev.buffer, ev.byteOffset, ev.byteLength);
  let doubles = new Float64Array((words.length * 4) >> 3);
  for (let j = 0; j < doubles.length; j++) doubles[j] = evView.getFloat64(8 * j, true);
  if (doubles.some((d) => d === 0)) doubles = new Float64Array(0);
  lastEvent = { bytes: Uint8Array.from(ev), words, doubles };
  return lastEvent;
}

/** The buffer viewOf() gave a view of last, and that view. */
let lastView: { buf: Buffer; view: DataView } | null = null;

/** A DataView of buf's bytes: the last one made when buf is the same buffer (its bytes may have changed: a view reads them as they are). */
function viewOf(buf: Buffer): DataView {
  const last = lastView;
  if (last !== null && last.buf === buf) return last.view;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  lastView = { buf, view };
  return view;
}

/** scanPerf() in JavaScript alone: every shape the fast path takes. */
export function scanPerfJs(buf: Buffer, pos: number, end: number, fs: FastShape, ev: Uint8Array, sink: AccessSink): number {
  let lines = 0;
  let records = 0;
  let samples = 0;
  let zero = 0;
  let missing = 0;
  let noCpu = 0;
  const evLen = ev.length;
  const { words: evWords, doubles: evDoubles } = eventWords(ev);
  const evWhole = evWords.length * 4;
  const evWords8 = evDoubles.length * 8;
  const view = viewOf(buf);
  const perPage = 1 / fs.pageSize; // a power of two: phys * perPage is exact
  const hz = fs.hz;
  const cpuNode = fs.cpuNode;
  const hasCpu = fs.cpu === 1;
  const hasPeriod = fs.period === 1;
  const hasEvent = fs.event === 1;
  const leadingHex = fs.leadingHex;
  const hasPhys = fs.phys === 1;
  const byCpu = fs.byCpu;
  const hasFixed = hasEvent && hasPhys;
  const pidTid = fs.pidTid;
  const fixedNid = fs.fixedNid;
  let ls = pos;
  // The time of the line taken before: its fields and jiffies.
  let lastSec = -1;
  let lastFrac = -1;
  let lastFd = -1;
  let lastTime = 0;
  // Where the time token of the line taken before starts in buf, when it was read forward and it and its `: ` lie in
  // its first 16 bytes (else -1); its colon's offset in it, and its fields.
  let prevTq = -1;
  let prevTk = 0;
  let prevSec = 0;
  let prevFrac = 0;
  let prevFd = 0;
  // The length of the head before the `[` of the cpu field on the line taken before (-1: none yet).
  let prevHead = -1;
  // Where that line starts in buf, when its head was checked to hold no colon and no line end (else -1).
  let prevLs = -1;
  line: while (ls < end) {
    const c0 = buf[ls]!;
    if (c0 === HASH || c0 === TAB || c0 === NL) break;
    let nl = -1; // the line end, once known
    let k = ls; // the colon after the time
    let sec = 0;
    let frac = 0;
    let fd = 0;
    let cpu = -1;
    let head = -1; // this line's head length, when it has the cpu field
    let checked = -1; // this line's start, when its head was checked here to hold no colon and no line end
    let tq = -1; // where this line's time token starts, when it was read forward
    // Same head length: perf prints the head (comm, pid/tid) in fixed widths, so `[` is where it was on the line
    // taken before. When the bytes before it hold no colon (none can end a time token) and no line end, and `[`
    // starts the line or follows a space, the rest up to the time's colon is read forward (`[CPU]   S.FFFFFF: `),
    // with no search for a colon or the line end. Any other byte sends the line to the general way below, so both
    // ways take a line alike or not at all.
    if (prevHead >= 0 && ls + prevHead + 64 <= end) {
      let o = 0;
      // Eight bytes equal to the line before's (checked: no colon, no line end in them) need no test. Compared as
      // doubles, eight a load: equal doubles have equal bytes but for 0 and -0 (bytes 0 and 0x80 only: no colon, no
      // line end either way), and a NaN is equal to nothing (those bytes are tested below).
      if (prevLs >= 0) {
        for (; o + 8 <= prevHead && view.getFloat64(ls + o, true) === view.getFloat64(prevLs + o, true); o += 8);
        // The last eight bytes before `[` too (they overlap the ones compared), when the loop got that far.
        if (o < prevHead && o + 8 > prevHead && prevHead >= 8 && view.getFloat64(ls + prevHead - 8, true) === view.getFloat64(prevLs + prevHead - 8, true)) o = prevHead;
      }
      // A head equal to the line before's holds its pid/tid token, checked then.
      const same = prevLs >= 0 && o === prevHead;
      for (; o + 4 <= prevHead; o += 4) {
        const w = view.getInt32(ls + o, true);
        if (hasByte4(w ^ COLONS4) || hasByte4(w ^ NLS4)) break;
      }
      if (o + 4 > prevHead) for (; o < prevHead; o++) if (buf[ls + o] === COLON || buf[ls + o] === NL) break;
      let q = ls + prevHead;
      if (o === prevHead && buf[q] === LBRACKET && (prevHead === 0 || buf[q - 1] === SP)) {
        const cs = ++q;
        let v = 0;
        // perf prints the cpu `[%03d]`: three digits and `]` in one load (the loop below takes any other count alike).
        const c4 = view.getInt32(q, true);
        if ((c4 & 0xfff0f0f0) === (0x5d303030 | 0) && ((c4 + 0x060606) & 0xf0f0f0) === 0x303030) {
          v = (c4 & 0xf) * 100 + ((c4 >>> 8) & 0xf) * 10 + ((c4 >>> 16) & 0xf);
          q += 3;
        } else for (let d = buf[q]! - 48; d >>> 0 < 10; d = buf[++q]! - 48) v = v * 10 + d;
        if (q > cs && q - cs <= 7 && buf[q] === RBRACKET && buf[q + 1] === SP) {
          q += 2;
          if (prevTq >= 0 && view.getFloat64(q, true) === view.getFloat64(prevTq, true) && view.getFloat64(q + 8, true) === view.getFloat64(prevTq + 8, true)) {
            // The line before's time token and its `: `, byte for byte (16 bytes from the token's start, which hold
            // them: see prevTq; two doubles, each with a byte that is no 0 in the line before, so neither is +0 or -0
            // and equal doubles mean equal bytes): its time, with no digit read, as the CSV parser takes a repeated
            // time. Dense sampling prints the same microsecond again and again.
            k = q + prevTk;
            sec = prevSec;
            frac = prevFrac;
            fd = prevFd;
            tq = q;
          } else {
            const s0t = q;
            let s0 = q;
            let sv = 0;
            // perf prints the seconds `%5lu.`: spaces, then digits to the fifth byte, then `.`, read in one load and two
            // bytes (a space reads as a 0 digit: its low nibble is clear). Any other field goes by the loops below (a
            // sixth digit too: so the `.` is tested here, not only after). Written out like the columns' test below, and
            // for the same reason: calls to swar.ts here would take this function's V8 inlining budget.
            const s4 = view.getInt32(q, true);
            const s5 = buf[q + 4]! - 48;
            const sx = s4 & 0x7f7f7f7f;
            const sd = (sx + 0x50505050) & ~(sx + 0x46464646) & ~s4 & 0x80808080; // digits
            const sz = s4 ^ SPACES4;
            const ss = ~(((sz & 0x7f7f7f7f) + 0x7f7f7f7f) | sz) & 0x80808080; // spaces
            const sf = Math.imul(sd >>> 7, 0x01020408) >>> 24; // digit bytes as bits 0-3
            if (s5 >>> 0 < 10 && buf[q + 5] === DOT && ((sd | ss) ^ 0x80808080) === 0 && ((sf + (sf & -sf)) & 15) === 0) {
              sv = (((s4 & 0xf) * 10 + ((s4 >>> 8) & 0xf)) * 10 + ((s4 >>> 16) & 0xf)) * 100 + ((s4 >>> 24) & 0xf) * 10 + s5;
              s0 = q + 4;
              q += 5;
            } else {
              while (buf[q] === SP) q++;
              s0 = q;
              for (let d = buf[q]! - 48; d >>> 0 < 10; d = buf[++q]! - 48) sv = sv * 10 + d;
            }
            if (q > s0 && q - s0 <= 15 && buf[q] === DOT) {
              const f0 = ++q;
              let fv = 0;
              const w = q + 4 <= end ? view.getInt32(q, true) : 0;
              if (isDigits4(w)) {
                fv = digits4(w);
                q += 4;
              }
              for (let d = buf[q]! - 48; d >>> 0 < 10; d = buf[++q]! - 48) fv = fv * 10 + d;
              const n = q - f0;
              if ((n === 6 || n === 9) && buf[q] === COLON && buf[q + 1] === SP) {
                k = q;
                sec = sv;
                frac = fv;
                fd = n;
                tq = s0t;
              }
            }
          }
          // A new head: its pid/tid token as the general parser reads it (perf-line.ts pidTidBefore()).
          if (tq >= 0 && !same && pidTid !== 0 && pidTidBefore(buf, ls, ls + prevHead) !== pidTid) break;
          if (tq >= 0) {
            // Read forward up to the time's colon.
            cpu = v;
            head = prevHead;
            checked = ls;
          }
        }
      }
    }
    if (head < 0) {
      // The general way: native indexOf finds the line end and the colons (touching every byte in JS
      // costs more than the rest of the line's work).
      nl = buf.indexOf(NL, ls);
      // The time token: the first `": "` preceded by `<space or line start>S.FFFFFF` (6 or 9 digits).
      let timeStart = 0;
      for (;;) {
        k = buf.indexOf(COLON, k + 1);
        if (k < 0 || k >= nl) break line;
        if (buf[k + 1] !== SP) continue;
        // `.` then exactly 6 or 9 digits before the colon (a longer run of digits is no time).
        let dot = k - 7;
        if (dot <= ls || buf[dot] !== DOT) {
          dot = k - 10;
          if (dot <= ls || buf[dot] !== DOT) continue;
        }
        frac = 0;
        let i = dot + 1;
        for (; i < k; i++) {
          const d = buf[i]! - 48;
          if (d >>> 0 >= 10) break;
          frac = frac * 10 + d;
        }
        if (i !== k) continue;
        fd = k - 1 - dot;
        const j = digitsBefore(buf, dot - 1, ls);
        sec = digitsValue;
        const sd = dot - 1 - j;
        if (sd >= 1 && sd <= 15 && (j < ls || buf[j] === SP)) {
          timeStart = j + 1;
          break;
        }
      }
      if (hasCpu) {
        let j = timeStart - 1;
        while (j >= ls && buf[j] === SP) j--;
        if (j < ls + 2 || buf[j] !== RBRACKET) break;
        const i = digitsBefore(buf, j - 1, ls);
        cpu = digitsValue;
        if (i < ls || i === j - 1 || j - 1 - i > 7 || buf[i] !== LBRACKET || (i > ls && buf[i - 1] !== SP)) break;
        head = i - ls;
      }
      if (pidTid !== 0 && pidTidBefore(buf, ls, head >= 0 ? ls + head : timeStart) !== pidTid) break;
    }
    // Past the time token, reads stay inside the line: each stops at a byte the line end is not.
    const lim = nl >= 0 ? nl : end;
    let p = k + 2;
    while (buf[p] === SP) p++;
    if (buf[p] === UPPER_P) break; // maybe PERF_RECORD_*
    if (hasPeriod) {
      const p0 = p;
      while (buf[p]! - 48 < 10 && buf[p]! >= 48) p++;
      const c = buf[p];
      if (p === p0 || (c !== SP && c !== TAB)) break;
      while (buf[p] === SP) p++;
    }
    if (hasEvent) {
      if (p + evLen >= (nl >= 0 ? nl : end - 2)) break; // no room for the name and its colon: the general parser decides
      let i = 0;
      for (; i + 8 <= evWords8; i += 8) if (view.getFloat64(p + i, true) !== evDoubles[i >> 3]) break line;
      for (; i < evWhole; i += 4) if (view.getInt32(p + i, true) !== evWords[i >> 2]) break line;
      for (let i = evWhole; i < evLen; i++) if (buf[p + i] !== ev[i]) break line;
      p += evLen;
      const c = buf[p + 1];
      if (buf[p] !== COLON || (c !== SP && c !== TAB && c !== NL && (c !== CR || buf[p + 2] !== NL))) break;
      p++;
    }
    let phys = -1;
    // perf's own layout: one space after the event's colon, then addr (and data_src) and phys_addr in 16 columns each
    // (`%16lx`), then the line end. Every byte up to it is checked to be what the way below takes alike (spaces, then
    // digits, in each field; a space after the digits of each but the last; at most 13 digits of phys_addr), so a line
    // this way takes, the way below reads the same; anything else is left to it.
    const fixedEnd = p + 17 + 16 * leadingHex;
    if (hasFixed && fixedEnd < end && buf[fixedEnd] === NL && buf[p] === SP) {
      // Each field's 16 bytes, two a table entry (swar.ts's HEX_PAIRS, eight a field from four loads): every byte a
      // space or a digit, the digits (bit i for byte i) a run up to bit 15. Written out, not as calls: calls here took
      // V8's inlining budget of this function and left other calls not inlined. By table, the reader took 0.85x the time
      // it took by SWAR arithmetic on the words (bench IBS lines, in one process, alternating).
      let q = p + 1;
      let d = 0;
      for (let f = 0; f < leadingHex; f++, q += 16) {
        const w0 = view.getInt32(q, true);
        const w1 = view.getInt32(q + 4, true);
        const w2 = view.getInt32(q + 8, true);
        const w3 = view.getInt32(q + 12, true);
        const e0 = PAIRS[w0 & 0xffff]!;
        const e1 = PAIRS[w0 >>> 16]!;
        const e2 = PAIRS[w1 & 0xffff]!;
        const e3 = PAIRS[w1 >>> 16]!;
        const e4 = PAIRS[w2 & 0xffff]!;
        const e5 = PAIRS[w2 >>> 16]!;
        const e6 = PAIRS[w3 & 0xffff]!;
        const e7 = PAIRS[w3 >>> 16]!;
        d =
          ((e0 >>> 8) & 3) | ((e1 >>> 6) & 0xc) | ((e2 >>> 4) & 0x30) | ((e3 >>> 2) & 0xc0) |
          (e4 & 0x300) | ((e5 << 2) & 0xc00) | ((e6 << 4) & 0x3000) | ((e7 << 6) & 0xc000);
        // Adding the lowest digit's bit carries through a run of digits up to bit 15 into bit 16 (no digit: 0); a field
        // but the last ends at a space.
        if (((e0 | e1 | e2 | e3 | e4 | e5 | e6 | e7) & PAIR_BAD) !== 0 || d + (d & -d) !== 0x10000 || buf[q + 16] !== SP) {
          d = -1;
          break;
        }
      }
      if (d >= 0) {
        // phys_addr, the last field: at most 13 digits (its first three bytes spaces, d & 7 clear), so its value is
        // exact: bytes 2-7's under 2^20 (byte 2 a space), bytes 8-15's under 2^32. The same eight entries as above,
        // written out again: one loop over all the fields, taking the value of each, measured about 10 % slower.
        const w0 = view.getInt32(q, true);
        const w1 = view.getInt32(q + 4, true);
        const w2 = view.getInt32(q + 8, true);
        const w3 = view.getInt32(q + 12, true);
        const e0 = PAIRS[w0 & 0xffff]!;
        const e1 = PAIRS[w0 >>> 16]!;
        const e2 = PAIRS[w1 & 0xffff]!;
        const e3 = PAIRS[w1 >>> 16]!;
        const e4 = PAIRS[w2 & 0xffff]!;
        const e5 = PAIRS[w2 >>> 16]!;
        const e6 = PAIRS[w3 & 0xffff]!;
        const e7 = PAIRS[w3 >>> 16]!;
        d =
          ((e0 >>> 8) & 3) | ((e1 >>> 6) & 0xc) | ((e2 >>> 4) & 0x30) | ((e3 >>> 2) & 0xc0) |
          (e4 & 0x300) | ((e5 << 2) & 0xc00) | ((e6 << 4) & 0x3000) | ((e7 << 6) & 0xc000);
        if (((e0 | e1 | e2 | e3 | e4 | e5 | e6 | e7) & PAIR_BAD) === 0 && d + (d & -d) === 0x10000 && (d & 7) === 0) {
          const hi = ((e1 & 0xff) << 16) | ((e2 & 0xff) << 8) | (e3 & 0xff);
          const lo = ((e4 & 0xff) << 24) | ((e5 & 0xff) << 16) | ((e6 & 0xff) << 8) | (e7 & 0xff);
          phys = hi * 4294967296 + (lo >>> 0);
          nl = fixedEnd;
          p = fixedEnd;
        }
      }
    }
    for (let f = 0; phys < 0 && f < leadingHex; f++) {
      while (p + 4 <= lim && view.getInt32(p, true) === SPACES4) p += 4;
      while (buf[p] === SP) p++;
      const t0 = p;
      // Four digits a load while whole words fit before the line end (or the chunk's), then byte by byte.
      for (;;) {
        if (p + 4 > lim) break;
        const k = hexLead4(view.getInt32(p, true));
        p += k;
        if (k < 4) break;
      }
      while (HEX[buf[p]!]! >= 0) p++;
      const c = buf[p];
      // A space or tab, or the line end (`\n`, or `\r\n`).
      if (p === t0 || p - t0 > 16 || (c !== SP && c !== TAB && c !== NL && (c !== CR || buf[p + 1] !== NL))) break line;
    }
    if (hasPhys && nl < 0) {
      // Forward: spaces, at most 13 hex digits after a space, then spaces, tabs or `\r` to the line end.
      let q = p;
      while (q + 4 <= end && view.getInt32(q, true) === SPACES4) q += 4;
      while (buf[q] === SP) q++;
      const h0 = q;
      let v = 0;
      for (;;) {
        if (q + 4 > end) break;
        const w = view.getInt32(q, true);
        const n = hexLead4(w);
        if (n === 0) break;
        // The bytes past the digits are cleared first: hexValue4 is exact on digits and zero bytes.
        if (n === 4) v = v * 65536 + hexValue4(w);
        else v = v * (1 << (4 * n)) + (hexValue4(w & ((1 << (8 * n)) - 1)) >>> (4 * (4 - n)));
        q += n;
        if (n < 4) break;
      }
      for (let d = HEX[buf[q]!]!; d >= 0; d = HEX[buf[++q]!]!) v = v * 16 + d;
      const digits = q - h0;
      let t = q;
      while (buf[t] === SP || buf[t] === TAB || buf[t] === CR) t++;
      // The byte before the digits is a space, as the backward reading wants: p is at the space or tab after
      // the field before (a tab leaves no digits here), or just past spaces.
      if (buf[t] === NL && digits > 0 && digits <= MAX_PHYS_DIGITS) {
        nl = t;
        phys = v;
      }
    }
    if (nl < 0) {
      nl = buf.indexOf(NL, ls);
      phys = -1;
    }
    if (hasPhys && phys < 0) {
      let e = nl;
      if (e > p && buf[e - 1] === CR) e--;
      let q = e;
      while (q > p) {
        const c = buf[q - 1]!;
        if (c !== SP && c !== CR && c !== TAB) break;
        q--;
      }
      // Read backwards; a longer run of hex digits (or a value of 2^52 or more) is left to the general parser.
      let h = q;
      phys = 0;
      let m = 1;
      const stop = q - MAX_PHYS_DIGITS > p ? q - MAX_PHYS_DIGITS : p;
      // Four digits a load (from the end) while whole words fit in [stop, q), then byte by byte.
      while (h - 4 >= stop) {
        const w = view.getInt32(h - 4, true);
        const k = hexTrail4(w);
        if (k === 0) break;
        const scale = k === 4 ? 65536 : 1 << (4 * k);
        // Only the k digits (the high bytes): another byte could carry into them in hexValue4.
        phys += hexValue4(k === 4 ? w : w & -(1 << (8 * (4 - k)))) * m;
        m *= scale;
        h -= k;
        if (k < 4) break;
      }
      while (h > stop) {
        const d = HEX[buf[h - 1]!]!;
        if (d < 0) break;
        phys += d * m;
        m *= 16;
        h--;
      }
      if (h === q || buf[h - 1] !== SP) break;
    }
    let nid = fixedNid;
    if (phys > 0 && byCpu) nid = cpu < cpuNode.length ? cpuNode[cpu]! : -1;
    let time = 0;
    if (phys > 0 && (nid >= 0 || !byCpu)) {
      // The time of the record before again (samples come many a microsecond): its jiffies.
      if (sec === lastSec && frac === lastFrac && fd === lastFd) time = lastTime;
      else {
        time = perfTimeToJiffies(sec, frac, fd, hz);
        if (time < 0) break; // a time too large: the general parser reports it
        lastSec = sec;
        lastFrac = frac;
        lastFd = fd;
        lastTime = time;
      }
    }
    // Taken: count it.
    lines++;
    samples++;
    prevLs = checked;
    prevHead = head;
    // A time token whose `: ` lies within its first 16 bytes can be recognised on the next line by those bytes.
    prevTq = tq >= 0 && k - tq <= 14 ? tq : -1;
    prevTk = k - tq;
    prevSec = sec;
    prevFrac = frac;
    prevFd = fd;
    ls = nl + 1;
    if (phys < 0) missing++;
    else if (phys === 0) zero++;
    else if (byCpu && nid < 0) noCpu++;
    else {
      records++;
      sink.record_access(Math.floor(phys * perPage), nid, 0, time);
    }
  }
  fastLines = lines;
  fastRecords = records;
  fastSamples = samples;
  fastZero = zero;
  fastMissing = missing;
  fastNoCpu = noCpu;
  return ls;
}
