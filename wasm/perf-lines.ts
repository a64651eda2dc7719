/**
 * The common case of src/trace/perf-fast.ts's scanPerf, in AssemblyScript, compiled to WebAssembly by tools/wasm.mjs:
 * sample lines in perf's own columns (`%16lx` addr fields and phys_addr, one space after the event's colon, LF) of one
 * event whose shape prints the event and phys_addr. It takes a line only when scanPerf takes it, with the same record
 * and counts; at any other line it stops, and scanPerf (then the general parser) decides. test/trace/perf-wasm.test.ts
 * runs both on the same lines. src/trace/perf-wasm.ts drives it.
 *
 * Per line: the first colon of the line must be the time's (`S.FFFFFF: ` or nine digits; scanPerf looks further, so
 * a line with an earlier colon, in its command name say, is left to it), the cpu field before it when the shape has
 * one, then the period, the event, and the 16-byte columns, each one SIMD load. A line in the layout of the last line
 * read that way (the template, tplLen: the same bytes up to the first column but for the digits of the pid/tid, cpu,
 * time and period) is read with no search and no check before its columns.
 *
 * Input: bytes [pos, end) of linear memory, whose last byte is LF, with at least 16 readable bytes after `end`. Lines of
 * any length: the readers give none over the cap (src/trace/tracefile.ts overlongLineAt()).
 */

/** Where scan() stopped: the start of the first line not taken, or `end`. */
export let stopAt: usize = 0;
/** What the last scan() took: lines (all samples), samples with phys_addr 0, and samples of a cpu in no node. */
export let linesTaken: i32 = 0;
export let zeroTaken: i32 = 0;
export let noCpuTaken: i32 = 0;

const NL: u32 = 10;
const TAB: u32 = 9;
const SP: u32 = 32;
const HASH: u32 = 35;
const DOT: u32 = 46;
const COLON: u32 = 58;
const LBRACKET: u32 = 91;
const RBRACKET: u32 = 93;
const UPPER_P: u32 = 80;

// The shape (setShape): see FastShape in perf-fast.ts.
let hasCpu = false;
let hasPeriod = false;
let leadingHex: i32 = 0;
let evPtr: usize = 0;
let evLen: usize = 0;
let byCpu = false;
let fixedNid: i32 = -1;
let cpuPtr: usize = 0;
let cpuLen: i32 = 0;
let hz: f64 = 0;
let base: f64 = 0;
let maxSec: f64 = 0;
let pageShift: u64 = 12;
/** The pid/tid token before the cpu (or the time): 2 `pid/tid`, 1 one number, 0 not checked (LineShape.pidTid). */
let pidForm: i32 = 0;
/**
 * The last line whose pid/tid token was checked here: the offset of its `[` (or time) from its start (NO_PID: none kept),
 * and the 16 bytes before the space before it, which held the token and the space before the token.
 */
const NO_PID: usize = <usize>-1;
let pidOff: usize = NO_PID;
let pidBytes: v128 = i64x2.splat(0);

/**
 * The time token of the line taken before, when it and the space before it lie in the 16 bytes before its colon: those
 * bytes, its distance from the colon to that space (NO_PID: none kept), and its fields.
 */
let tokBytes: v128 = i64x2.splat(0);
let tokBack: usize = 0;
let tokSec: u64 = 0;
let tokFrac: u64 = 0;
let tokFd: i32 = 0;

/**
 * The template: the line the general way below took last, from its start to its first column (16 to 80 bytes), as five
 * loads of 16 bytes (tplV, from the offsets tplOff) with the bytes of each that are wildcards (tplD): the digits before
 * the time's colon (pid/tid, cpu, time; a digit in the command name too) and those of the period. A line whose bytes up
 * to its first column are the template's, but for a digit in place of each wildcard, is read as the general way reads
 * it, so it is taken with no search or check before its columns: its colon, cpu and time digits, and the line before's
 * pid/tid token and event, are where they were. Every test the general way makes of those bytes is one of a byte's
 * class (a digit or not) or of a byte that is not a digit (the event name's digits are no wildcards), and the values
 * are read from this line. tplLen 0: none.
 */
let tplLen: usize = 0;
/** Offsets in it: the time's colon, its `.`, the first digit of the cpu (the cpu has tplCpuN digits, 0 without one). */
let tplColon: usize = 0;
let tplDot: usize = 0;
let tplCpu: usize = 0;
let tplCpuN: usize = 0;
/** The time's digits after the `.` (6 or 9) and before it (1 to 15). */
let tplFd: i32 = 0;
let tplSd: usize = 0;
let tplOff1: usize = 0;
let tplOff2: usize = 0;
let tplOff3: usize = 0;
let tplOff4: usize = 0;
let tplV0: v128 = i64x2.splat(0);
let tplV1: v128 = i64x2.splat(0);
let tplV2: v128 = i64x2.splat(0);
let tplV3: v128 = i64x2.splat(0);
let tplV4: v128 = i64x2.splat(0);
let tplD0: v128 = i64x2.splat(0);
let tplD1: v128 = i64x2.splat(0);
let tplD2: v128 = i64x2.splat(0);
let tplD3: v128 = i64x2.splat(0);
let tplD4: v128 = i64x2.splat(0);

/** The bytes of x that differ from the template's t where d is clear, or are no digit where it is set. */
@inline function tplBad(x: v128, t: v128, d: v128): v128 {
  return v128.or(v128.andnot(v128.xor(x, t), d), v128.andnot(d, digitBytes(x)));
}

/** The wildcards of the template's 16 bytes t from offset o: its digits before `colon`, or in [pa, pb) (the period). */
@inline function tplWild(t: v128, o: usize, colon: usize, pa: usize, pb: usize): v128 {
  const at = i8x16.add(i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), i8x16.splat(<i8>o));
  const inside = v128.or(i8x16.lt_u(at, i8x16.splat(<i8>colon)), v128.and(i8x16.ge_u(at, i8x16.splat(<i8>pa)), i8x16.lt_u(at, i8x16.splat(<i8>pb))));
  return v128.and(digitBytes(t), inside);
}

/**
 * Keeps the time token of the line starting at ls (its colon at k, the byte before it at j) for the next line, when the
 * token and the space before it lie in the 16 bytes before the colon.
 */
@inline function keepToken(ls: usize, k: usize, j: usize, sec: u64, frac: u64, fd: i32): void {
  tokBack = j >= ls && k - j <= 16 && k - 16 >= ls ? k - j : 0;
  if (tokBack > 0) {
    tokBytes = v128.load(k - 16);
    tokSec = sec;
    tokFrac = frac;
    tokFd = fd;
  }
}

/** The time of the record before: seconds, fraction, its digits, and its jiffies. */
let lastSec: f64 = -1;
let lastFrac: f64 = -1;
let lastFd: i32 = -1;
let lastTime: f64 = 0;

/** Sets the shape for the next scans (and forgets the last time, whose jiffies depend on hz). */
export function setShape(
  cpu: bool, period: bool, lead: i32, ev: usize, evBytes: usize, nidByCpu: bool, nid: i32, cpus: usize, ncpus: i32,
  hz_: f64, base_: f64, shift: i32, pidTid: i32,
): void {
  hasCpu = cpu;
  hasPeriod = period;
  leadingHex = lead;
  evPtr = ev;
  evLen = evBytes;
  byCpu = nidByCpu;
  fixedNid = nid;
  cpuPtr = cpus;
  cpuLen = ncpus;
  hz = hz_;
  base = base_;
  // perfTimeToJiffies: sec*HZ must stay exact and the sum below 2^53 (the same double operations, in the same order).
  maxSec = (9007199254740991.0 - base - hz) / hz;
  pageShift = <u64>shift;
  pidForm = pidTid;
  pidOff = NO_PID;
  tplLen = 0;
  lastSec = -1;
  lastFrac = -1;
  lastFd = -1;
  tokBack = 0;
}

/** The byte before the digits the last digitsBefore() read (the first that is not one, or ls - 1). */
let digitsAt: usize = 0;

/**
 * The decimal digits that end at `last`, read backwards while they are digits, at most max + 1 of them and none before
 * `ls`: their value; digitsAt gets the byte before them. (Addresses are never 0: the input lies past the columns.)
 */
@inline function digitsBefore(last: usize, ls: usize, max: usize): u64 {
  let v: u64 = 0;
  let m: u64 = 1;
  let j = last;
  while (j >= ls && last - j <= max) {
    const d = <u32>load<u8>(j) - 48;
    if (d >= 10) break;
    v += <u64>d * m;
    m *= 10;
    j--;
  }
  digitsAt = j;
  return v;
}

/**
 * perf's pid/tid token ending before `end` (the cpu's `[`, or the time), after a space: a number (with an optional
 * `-`), with pidForm 2 two of them joined by `/`, then a space or the line start (perf-line.ts pidTidBefore()).
 */
/** Where the token pidTidOk() read starts, less one (its space, or ls - 1). */
let pidSpan: usize = 0;

function pidTidOk(ls: usize, end: usize): bool {
  let j = end - 1;
  if (j < ls || <u32>load<u8>(j) != SP) return false;
  while (j >= ls && <u32>load<u8>(j) == SP) j--;
  for (let n = 0; n < pidForm; n++) {
    if (n == 1) {
      if (j < ls || <u32>load<u8>(j) != 47) return false; // '/'
      j--;
    }
    const last = j;
    while (j >= ls && <u32>load<u8>(j) - 48 < 10) j--;
    if (j == last) return false;
    if (j >= ls && <u32>load<u8>(j) == 45) j--; // '-'
  }
  pidSpan = j;
  return j < ls || <u32>load<u8>(j) == SP;
}

/** The digit bytes of the last column field16() took, as bits 0-15. */
let fieldDigits: u32 = 0;

/**
 * The bytes of v that are '0'-'9', and those that are 'a'-'f': each as x - c below -128 + n, signed (one subtraction and
 * one compare each, where an unsigned compare takes three).
 */
@inline function digitBytes(v: v128): v128 {
  return i8x16.lt_s(i8x16.sub(v, i8x16.splat(<i8>0xb0)), i8x16.splat(-118));
}
@inline function letterBytes(v: v128): v128 {
  return i8x16.lt_s(i8x16.sub(v, i8x16.splat(<i8>0xe1)), i8x16.splat(-122));
}

/**
 * Whether the 16 bytes at q are a `%16lx` column: every byte a space or a lower-case hex digit, the digits one run to
 * its last byte (at least one). fieldDigits gets the digit bytes (bits 0-15).
 */
@inline function isField16(q: usize): bool {
  const v = v128.load(q);
  const hex = v128.or(digitBytes(v), letterBytes(v));
  const d = <u32>i8x16.bitmask(hex);
  fieldDigits = d;
  // (No digit: d + 0 is no 0x10000.)
  return <u32>i8x16.bitmask(v128.or(hex, i8x16.eq(v, i8x16.splat(32)))) == 0xffff && d + (d & (0 - d)) == 0x10000;
}

/** The value of a column isField16() took at q (a space reads as a 0 digit): 16 digits may read as negative. */
@inline function field16Value(q: usize): i64 {
  const v = v128.load(q);
  // Each byte's digit value (its low nibble, and 9 more for a letter; a space 0), then each pair as one byte (the first
  // the high nibble) in its 16-bit lane, then the eight pairs' bytes in reverse order (the first the most significant)
  // as one 64-bit lane.
  const nib = i8x16.add(v128.and(v, i8x16.splat(15)), v128.and(letterBytes(v), i8x16.splat(9)));
  const pairs = v128.or(v128.and(i16x8.shl(nib, 4), i16x8.splat(0xf0)), i16x8.shr_u(nib, 8));
  return i64x2.extract_lane(i8x16.shuffle(pairs, pairs, 14, 12, 10, 8, 6, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0);
}


/**
 * Takes the lines of [pos, end) while they are such samples, or until `max` records are written (pfn, nid and time
 * columns at the addresses given). Returns the records written; stopAt and the counts above say the rest.
 */
export function scan(pos: usize, end: usize, oPfn: usize, oNid: usize, oTime: usize, max: i32): i32 {
  let n: i32 = 0;
  let lines: i32 = 0;
  let zero: i32 = 0;
  let noCpu: i32 = 0;
  let ls: usize = pos;
  while (pos < end) {
    ls = pos;
    if (n == max) break;
    let k: usize; // the time's colon
    let p: usize; // the space before the first column
    let sec: u64 = 0;
    let frac: u64 = 0;
    let fd: i32 = 6;
    let cpu: i32 = -1;
    // The template (see tplLen), when the line holds its bytes.
    const tl = tplLen;
    let tpl = false;
    if (tl != 0 && ls + tl <= end) {
      const bad = v128.or(
        v128.or(tplBad(v128.load(ls), tplV0, tplD0), tplBad(v128.load(ls + tplOff1), tplV1, tplD1)),
        v128.or(v128.or(tplBad(v128.load(ls + tplOff2), tplV2, tplD2), tplBad(v128.load(ls + tplOff3), tplV3, tplD3)), tplBad(v128.load(ls + tplOff4), tplV4, tplD4)),
      );
      tpl = !v128.any_true(bad);
    }
    // Where the general way found the cpu's `[` and `]`, the time's `.` and the byte before its token, and the period.
    let lb: usize = 0;
    let rb: usize = 0;
    let dot: usize = 0;
    let j: usize = 0;
    let pa: usize = 0;
    let pb: usize = 0;
    if (tpl) {
      k = ls + tplColon;
      p = ls + tl - 1;
      // The digits are digits (the template's wildcards): their values only.
      const cn = tplCpuN;
      if (cn != 0) {
        const c = ls + tplCpu;
        if (cn == 3) cpu = <i32>((<u32>load<u8>(c) - 48) * 100 + (<u32>load<u8>(c + 1) - 48) * 10 + <u32>load<u8>(c + 2) - 48);
        else {
          cpu = 0;
          for (let i: usize = 0; i < cn; i++) cpu = cpu * 10 + <i32>load<u8>(c + i) - 48;
        }
      }
      if (tokBack > 0 && k - 16 >= ls && v128.any_true(v128.xor(v128.load(k - 16), tokBytes)) == false) {
        sec = tokSec;
        frac = tokFrac;
        fd = tokFd;
      } else {
        dot = ls + tplDot;
        fd = tplFd;
        if (fd == 6) {
          const t = ((load<u64>(dot + 1) << 16) | 0x3030) - 0x3030303030303030;
          let y = ((t & 0x0f0f0f0f0f0f0f0f) * 2561) >> 8;
          y = ((y & 0x00ff00ff00ff00ff) * 6553601) >> 16;
          frac = ((y & 0x0000ffff0000ffff) * 42949672960001) >> 32;
        } else for (let i = dot + 1; i < k; i++) frac = frac * 10 + <u64>(<u32>load<u8>(i) - 48);
        j = dot - 1 - tplSd;
        for (let i = j + 1; i < dot; i++) sec = sec * 10 + <u64>(<u32>load<u8>(i) - 48);
        keepToken(ls, k, j, sec, frac, fd);
      }
    } else {
      const c0 = <u32>load<u8>(ls);
      if (c0 == HASH || c0 == TAB || c0 == NL) break;
      // The first colon or line end, sixteen bytes a load.
      k = ls;
      for (;;) {
        const v = v128.load(k);
        const m = i8x16.bitmask(v128.or(i8x16.eq(v, i8x16.splat(58)), i8x16.eq(v, i8x16.splat(10))));
        if (m != 0) {
          k += <usize>ctz(m);
          break;
        }
        k += 16;
      }
      if (<u32>load<u8>(k) != COLON || <u32>load<u8>(k + 1) != SP) break;
      // The time token: `.` and 6 or 9 digits before the colon, 1 to 15 digits of seconds before the `.`, after a space
      // or at the line start. The 16 bytes before the colon equal to the line before's, when they held its token and
      // the space before it: the same token (dense sampling prints the same microsecond again and again).
      if (tokBack > 0 && k - 16 >= ls && v128.any_true(v128.xor(v128.load(k - 16), tokBytes)) == false) {
        sec = tokSec;
        frac = tokFrac;
        fd = tokFd;
        j = k - tokBack;
        dot = k - 1 - <usize>fd;
      } else {
        dot = k - 7;
        if (dot <= ls || <u32>load<u8>(dot) != DOT) {
          dot = k - 10;
          fd = 9;
          if (dot <= ls || <u32>load<u8>(dot) != DOT) break;
        }
        if (fd == 6) {
          // Six digits in one 64-bit load: shifted up two bytes, with two '0' bytes below them, as eight digits.
          const x = (load<u64>(dot + 1) << 16) | 0x3030;
          const t = x - 0x3030303030303030;
          if ((((t + 0x7676767676767676) | t) & 0x8080808080808080) != 0) break;
          let y = ((t & 0x0f0f0f0f0f0f0f0f) * 2561) >> 8;
          y = ((y & 0x00ff00ff00ff00ff) * 6553601) >> 16;
          frac = ((y & 0x0000ffff0000ffff) * 42949672960001) >> 32;
        } else {
          let i = dot + 1;
          for (; i < k; i++) {
            const d = <u32>load<u8>(i) - 48;
            if (d >= 10) break;
            frac = frac * 10 + <u64>d;
          }
          if (i != k) break;
        }
        sec = digitsBefore(dot - 1, ls, 15);
        j = digitsAt;
        const sd = dot - 1 - j;
        if (sd < 1 || sd > 15 || (j >= ls && <u32>load<u8>(j) != SP)) break;
        keepToken(ls, k, j, sec, frac, fd);
      }
      // The cpu: `[digits]` before the time (spaces between), after a space or at the line start.
      let headEnd: usize = j + 1; // where the head before the cpu (or the time) ends: the cpu's `[`, or the time
      if (hasCpu) {
        let r = j; // the byte before the time token
        // Back over the spaces: the last byte that is not one among the 16 up to r, when they lie in the line.
        if (r >= ls + 15) {
          const ns = <u32>i8x16.bitmask(v128.not(i8x16.eq(v128.load(r - 15), i8x16.splat(32))));
          r = ns != 0 ? r - 15 + <usize>(31 - clz(ns)) : r - 16;
        }
        while (r >= ls && <u32>load<u8>(r) == SP) r--;
        if (r < ls + 2 || <u32>load<u8>(r) != RBRACKET) break;
        // perf's own `[%03d]` at once; any other form by the loop below, which takes that one the same way.
        let v: i32 = -1;
        if (r >= ls + 4 && <u32>load<u8>(r - 4) == LBRACKET && (r - 4 == ls || <u32>load<u8>(r - 5) == SP)) {
          const a = <u32>load<u8>(r - 3) - 48;
          const b = <u32>load<u8>(r - 2) - 48;
          const c = <u32>load<u8>(r - 1) - 48;
          if (a < 10 && b < 10 && c < 10) v = <i32>(a * 100 + b * 10 + c);
        }
        lb = r - 4;
        if (v < 0) {
          v = <i32>digitsBefore(r - 1, ls, 7);
          const q = digitsAt;
          if (q < ls || q == r - 1 || r - 1 - q > 7 || <u32>load<u8>(q) != LBRACKET || (q > ls && <u32>load<u8>(q - 1) != SP)) break;
          lb = q;
        }
        rb = r;
        cpu = v;
        headEnd = lb;
      }
      // The pid/tid token before the `[` (or the time; the byte before either is a space, tested above): when the 16
      // bytes before that space are those of a line checked here, at the same offset, and they held its whole token
      // and the space before it, the token is that one; any other is checked here.
      if (pidForm != 0) {
        const off = headEnd - ls;
        if (off != pidOff || v128.any_true(v128.xor(v128.load(headEnd - 17), pidBytes))) {
          if (!pidTidOk(ls, headEnd)) break;
          pidOff = off >= 17 && pidSpan >= headEnd - 17 ? off : NO_PID;
          if (pidOff != NO_PID) pidBytes = v128.load(headEnd - 17);
        }
      }
      // After the time: spaces, no `PERF_RECORD_*`, the period, the event and its colon, one space.
      p = k + 2;
      while (<u32>load<u8>(p) == SP) p++;
      if (<u32>load<u8>(p) == UPPER_P) break;
      if (hasPeriod) {
        pa = p;
        while (<u32>load<u8>(p) - 48 < 10) p++;
        pb = p;
        const c = <u32>load<u8>(p);
        if (p == pa || (c != SP && c != TAB)) break;
        while (<u32>load<u8>(p) == SP) p++;
      }
      let e: usize = 0;
      for (; e + 8 <= evLen; e += 8) if (load<u64>(p + e) != load<u64>(evPtr + e)) break;
      for (; e < evLen; e++) if (load<u8>(p + e) != load<u8>(evPtr + e)) break;
      if (e != evLen) break;
      p += evLen;
      if (<u32>load<u8>(p) != COLON || <u32>load<u8>(p + 1) != SP) break;
      p++;
    }
    // The columns: the leading ones each followed by a space, phys_addr (at most 13 digits) by the line end.
    const fixedEnd = p + 17 + 16 * <usize>leadingHex;
    if (fixedEnd >= end || <u32>load<u8>(fixedEnd) != NL) break;
    let q = p + 1;
    let f: i32 = 0;
    for (; f < leadingHex; f++, q += 16) if (!isField16(q) || <u32>load<u8>(q + 16) != SP) break;
    if (f < leadingHex) break;
    // phys_addr: at most 13 digits (its first three bytes spaces), so its value is under 2^52.
    if (!isField16(q) || (fieldDigits & 7) != 0) break;
    const phys = field16Value(q);
    // Taken.
    let nid = fixedNid;
    if (phys > 0 && byCpu) nid = cpu < cpuLen ? load<i32>(cpuPtr + (<usize>cpu << 2)) : -1;
    let time: f64 = 0;
    if (phys > 0 && (nid >= 0 || !byCpu)) {
      const s = <f64>sec;
      const fr = <f64>frac;
      if (s == lastSec && fr == lastFrac && fd == lastFd) time = lastTime;
      else {
        // perfTimeToJiffies (perf-map.ts), operation for operation.
        if (s > maxSec) break; // a time too large: the general parser reports it
        const dv: f64 = fd == 6 ? 1e6 : 1e9;
        const a = fr * hz;
        let qt = Math.floor(a / dv);
        if (qt * dv > a) qt--;
        else if ((qt + 1) * dv <= a) qt++;
        time = base + s * hz + qt;
        lastSec = s;
        lastFrac = fr;
        lastFd = fd;
        lastTime = time;
      }
    }
    if (!tpl) {
      // This line as the template for the lines after it (see tplLen), from its start to its first column.
      const len = p + 1 - ls;
      if (len >= 16 && len <= 80) {
        tplLen = len;
        tplColon = k - ls;
        tplDot = dot - ls;
        tplFd = fd;
        tplSd = dot - 1 - j;
        tplCpu = lb + 1 - ls;
        tplCpuN = hasCpu ? rb - lb - 1 : 0;
        tplOff1 = len >= 32 ? 16 : len - 16;
        tplOff2 = len >= 48 ? 32 : len - 16;
        tplOff3 = len >= 64 ? 48 : len - 16;
        tplOff4 = len - 16;
        const colon = tplColon;
        const a = hasPeriod ? pa - ls : 0;
        const b = hasPeriod ? pb - ls : 0;
        tplV0 = v128.load(ls);
        tplV1 = v128.load(ls + tplOff1);
        tplV2 = v128.load(ls + tplOff2);
        tplV3 = v128.load(ls + tplOff3);
        tplV4 = v128.load(ls + tplOff4);
        tplD0 = tplWild(tplV0, 0, colon, a, b);
        tplD1 = tplWild(tplV1, tplOff1, colon, a, b);
        tplD2 = tplWild(tplV2, tplOff2, colon, a, b);
        tplD3 = tplWild(tplV3, tplOff3, colon, a, b);
        tplD4 = tplWild(tplV4, tplOff4, colon, a, b);
      } else tplLen = 0;
    }
    lines++;
    pos = fixedEnd + 1;
    if (phys == 0) zero++;
    else if (byCpu && nid < 0) noCpu++;
    else {
      store<f64>(oPfn + (<usize>n << 3), <f64>(<u64>phys >> pageShift));
      store<i32>(oNid + (<usize>n << 2), nid);
      store<f64>(oTime + (<usize>n << 3), time);
      n++;
    }
  }
  stopAt = pos < end ? ls : end;
  linesTaken = lines;
  zeroTaken = zero;
  noCpuTaken = noCpu;
  return n;
}
