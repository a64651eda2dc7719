/**
 * The common case of src/trace/perf-fast.ts's scanPerf, in AssemblyScript, compiled to WebAssembly by tools/wasm.mjs:
 * sample lines in perf's own columns (`%16lx` addr fields and phys_addr, one space after the event's colon, LF) of one
 * event whose shape prints the event and phys_addr. It takes a line only when scanPerf takes it, with the same record
 * and counts; at any other line it stops, and scanPerf (then the general parser) decides. test/trace/perf-wasm.test.ts
 * runs both on the same lines. src/trace/perf-wasm.ts drives it.
 *
 * Per line: the first colon of the line must be the time's (`S.FFFFFF: ` or nine digits; scanPerf looks further, so
 * a line with an earlier colon, in its command name say, is left to it), the cpu field before it when the shape has
 * one, then the period, the event, and the 16-byte columns, each tested eight bytes a load.
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
 * A `%16lx` column at q, sixteen bytes in one SIMD load: every byte a space or a lower-case hex digit, the digits one
 * run to its last byte. Returns its value (a space reads as a 0 digit), or -1; fieldDigits gets the digit bytes.
 */
@inline function field16(q: usize): i64 {
  const v = v128.load(q);
  const dg = i8x16.lt_u(i8x16.sub(v, i8x16.splat(48)), i8x16.splat(10)); // '0'-'9'
  const al = i8x16.lt_u(i8x16.sub(v, i8x16.splat(97)), i8x16.splat(6)); // 'a'-'f'
  const hex = v128.or(dg, al);
  if (v128.any_true(v128.not(v128.or(hex, i8x16.eq(v, i8x16.splat(32)))))) return -1;
  const d = <u32>i8x16.bitmask(hex);
  if (d == 0 || d + (d & (0 - d)) != 0x10000) return -1;
  fieldDigits = d;
  // Each byte's digit value (a space 0), then each pair as one byte (the first the high nibble) in its 16-bit lane,
  // then the eight pairs' bytes in reverse order (the first the most significant) as one 64-bit lane.
  const nib = v128.or(v128.and(dg, i8x16.sub(v, i8x16.splat(48))), v128.and(al, i8x16.sub(v, i8x16.splat(87))));
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
    const c0 = <u32>load<u8>(ls);
    if (c0 == HASH || c0 == TAB || c0 == NL) break;
    // The first colon or line end, sixteen bytes a load.
    let k = ls;
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
    // or at the line start. The 16 bytes before the colon equal to the line before's, when they held its token and the
    // space before it: the same token (dense sampling prints the same microsecond again and again).
    let sec: u64 = 0;
    let frac: u64 = 0;
    let fd: i32 = 6;
    let j: usize; // the byte before the token
    if (tokBack > 0 && k - 16 >= ls && v128.any_true(v128.xor(v128.load(k - 16), tokBytes)) == false) {
      sec = tokSec;
      frac = tokFrac;
      fd = tokFd;
      j = k - tokBack;
    } else {
      let dot = k - 7;
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
      // Kept for the next line when the token and the space before it lie in the 16 bytes before the colon.
      tokBack = j >= ls && k - j <= 16 && k - 16 >= ls ? k - j : 0;
      if (tokBack > 0) {
        tokBytes = v128.load(k - 16);
        tokSec = sec;
        tokFrac = frac;
        tokFd = fd;
      }
    }
    // The cpu: `[digits]` before the time (spaces between), after a space or at the line start.
    let cpu: i32 = -1;
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
      let lb = r - 4;
      if (v < 0) {
        v = <i32>digitsBefore(r - 1, ls, 7);
        const q = digitsAt;
        if (q < ls || q == r - 1 || r - 1 - q > 7 || <u32>load<u8>(q) != LBRACKET || (q > ls && <u32>load<u8>(q - 1) != SP)) break;
        lb = q;
      }
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
    let p = k + 2;
    while (<u32>load<u8>(p) == SP) p++;
    if (<u32>load<u8>(p) == UPPER_P) break;
    if (hasPeriod) {
      const p0 = p;
      while (<u32>load<u8>(p) - 48 < 10) p++;
      const c = <u32>load<u8>(p);
      if (p == p0 || (c != SP && c != TAB)) break;
      while (<u32>load<u8>(p) == SP) p++;
    }
    let e: usize = 0;
    for (; e + 8 <= evLen; e += 8) if (load<u64>(p + e) != load<u64>(evPtr + e)) break;
    for (; e < evLen; e++) if (load<u8>(p + e) != load<u8>(evPtr + e)) break;
    if (e != evLen) break;
    p += evLen;
    if (<u32>load<u8>(p) != COLON || <u32>load<u8>(p + 1) != SP) break;
    p++;
    // The columns: the leading ones each followed by a space, phys_addr (at most 13 digits) by the line end.
    const fixedEnd = p + 17 + 16 * <usize>leadingHex;
    if (fixedEnd >= end || <u32>load<u8>(fixedEnd) != NL) break;
    let q = p + 1;
    let f: i32 = 0;
    for (; f < leadingHex; f++, q += 16) if (field16(q) < 0 || <u32>load<u8>(q + 16) != SP) break;
    if (f < leadingHex) break;
    const phys = field16(q);
    if (phys < 0 || (fieldDigits & 7) != 0) break;
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
