/**
 * The plain-form CSV line parser of src/trace/fast.ts (scanLines), in AssemblyScript, compiled to WebAssembly by
 * tools/wasm.mjs. It takes exactly the lines scanLines takes, with the same values, and stops at the same line:
 * test/trace/plain-wasm.test.ts runs both (and csv-parse) on the same inputs. src/trace/plain-wasm.ts drives it.
 *
 * Why: in WebAssembly, eight bytes are one load and one 64-bit word, so the usual fields go without a loop per
 * digit: a hex pfn of up to 7 digits, a one-digit nid, a source name and a 10-digit jiffies value are each a few
 * word operations and no branch that depends on the data (a JavaScript number cannot hold 64 bits, and its loops
 * per byte mispredict at every field's end). Every other plain line (decimal pfns, long fields, numeric sources,
 * blank and `#` lines) takes the byte loops below, which mirror scanLines.
 *
 * scanLayout() below reads files in another layout (src/trace/fast.ts scanLayoutLines()'s one-pass path): on the bench's
 * 2 M trace reordered 33 ns a line against 53 ns in JavaScript, in R's write.csv form 42 against 60-69 ns (2026-12-04).
 *
 * A line may end in CR LF (the CR dropped, as the csv-parse path drops it: src/trace/csvpath.ts).
 * Input: bytes [pos, end) of linear memory, whose last byte is LF, with at least 16 readable bytes after `end`
 * (loads of 8 bytes look past a line's end; nothing they read past its LF decides anything).
 * Output: records in four columns at the addresses given, at most `max`.
 */

/** Where scan() stopped: the start of the first line not taken, or `end`. */
export let stopAt: usize = 0;
/** Lines taken (data, blank and `#`) by the last scan(). */
export let linesTaken: i32 = 0;

const NL: u32 = 10;
const CR: u32 = 13;
const COMMA: u32 = 44;
const LIMIT_53: u64 = <u64>1 << 53;
const INT_MAX: u64 = 0x7fffffff;
const HIGH: u64 = 0x8080808080808080;
const LOW4: u64 = 0x0f0f0f0f0f0f0f0f;
const FOLD7: u64 = 0x0020202020202020;
const MASK7: u64 = 0x00ffffffffffffff;
/** `hwhints` and `pgtscan` as 7 little-endian bytes (lower case). */
const HWHINTS: u64 = 0x0073746e69687768;
const PGTSCAN: u64 = 0x006e616373746770;

/** The last 10-digit time field and its LF as bytes (its first 8, then 3), and its value. */
let sameLo: u64 = 0;
let sameHi: u32 = 0xffffffff; // never a loaded value (those are 24 bits)
let sameTime: f64 = -1;

@inline function hexDigit(c: u32): i32 {
  if (c - 48 < 10) return <i32>(c - 48);
  const l = (c | 0x20) - 97;
  return l < 6 ? <i32>(l + 10) : -1;
}

/**
 * Hex digits in the 8 bytes of `w` (little-endian), as a count of leading digits (8: all of them) in the low
 * byte and their value in the rest: value << 8 | count. A byte of 0x80 or more is not a digit; the additions may
 * carry out of it, but only into the bytes after it, which are past the first non-digit and count for nothing.
 */
@inline function hex8(w: u64): u64 {
  const digit = ((w + 0x5050505050505050) & ~(w + 0x4646464646464646)) & HIGH; // 0x30 <= b <= 0x39
  const l = w | 0x2020202020202020;
  const alpha = ((l + 0x1f1f1f1f1f1f1f1f) & ~(l + 0x1919191919191919)) & HIGH; // 'a' <= b | 0x20 <= 'f'
  const non = ~(digit | alpha) & HIGH;
  const count = non == 0 ? 8 : ctz(non) >> 3;
  if (count == 0) return 0;
  // Nibbles, the first digit in the lowest byte; shifted so the digits fill the top `count` bytes.
  let x = ((w & LOW4) + (alpha >> 7) * 9) << ((8 - count) << 3);
  x = ((x & 0x000f000f000f000f) << 4) | ((x >> 8) & 0x000f000f000f000f);
  x = ((x & 0x000000ff000000ff) << 8) | ((x >> 16) & 0x000000ff000000ff);
  x = ((x & 0xffff) << 16) | (x >> 32);
  return (x << 8) | count;
}

/** The value of 8 decimal digits in `w` (first digit in the lowest byte), or -1 if a byte is not a digit. */
@inline function dec8(w: u64): i64 {
  if (((w & 0xf0f0f0f0f0f0f0f0) | (((w + 0x0606060606060606) & 0xf0f0f0f0f0f0f0f0) >> 4)) != 0x3333333333333333) return -1;
  let v = w - 0x3030303030303030;
  v = v * 10 + (v >> 8);
  v = ((v & 0x000000ff000000ff) * (100 + (<u64>1000000 << 32)) + ((v >> 16) & 0x000000ff000000ff) * (1 + (<u64>10000 << 32))) >> 32;
  return <i64>v;
}

/** Where decimalAt() stopped: its first byte that is no digit, or the digit that took the value past INT_MAX. */
let decimalEnd: usize = 0;

/** The decimal digits from pos (a nid or a numeric source), read until the value passes INT_MAX (then it is refused). */
@inline function decimalAt(pos: usize): u64 {
  let v: u64 = 0;
  let c = <u32>load<u8>(pos);
  while (c - 48 < 10) {
    v = v * 10 + <u64>(c - 48);
    if (v > INT_MAX) break;
    c = <u32>load<u8>(++pos);
  }
  decimalEnd = pos;
  return v;
}

/**
 * The offset after the line at pos (its first byte c) when it is a blank line (LF, or CR LF) or a `#` line (to its LF:
 * the last byte is LF), else 0.
 */
@inline function blankOrComment(pos: usize, c: u32): usize {
  if (c == NL) return pos + 1;
  if (c == CR && <u32>load<u8>(pos + 1) == NL) return pos + 2;
  if (c != 35) return 0;
  while (<u32>load<u8>(++pos) != NL) {}
  return pos + 1;
}

/**
 * Parses the lines of [pos, end) up to the first one scanLines would not take, or until `max` records are
 * written. Returns the records written; stopAt and linesTaken tell where it stopped and how many lines it took.
 */
export function scan(pos: usize, end: usize, oPfn: usize, oNid: usize, oSrc: usize, oTime: usize, max: i32): i32 {
  let n: i32 = 0;
  let lines: i32 = 0;
  let ls: usize = pos;
  while (pos < end) {
    ls = pos;
    if (n == max) break;
    let c = <u32>load<u8>(pos);
    // pfn
    let pfn: u64 = 0;
    if (c == 48 && (<u32>load<u8>(pos + 1) | 0x20) == 120) {
      pos += 2;
      const w = load<u64>(pos);
      const h = hex8(w);
      const k = <usize>(h & 0xff);
      if (k > 0 && k < 8) {
        pfn = h >> 8;
        pos += k;
        c = <u32>load<u8>(pos);
      } else {
        const s = pos;
        c = <u32>load<u8>(pos);
        let d = hexDigit(c);
        while (d >= 0) {
          pfn = (pfn << 4) | <u64>d;
          if (pfn >= LIMIT_53) break;
          c = <u32>load<u8>(++pos);
          d = hexDigit(c);
        }
        if (pos == s || pfn >= LIMIT_53) break;
      }
    } else {
      const s = pos;
      while (c - 48 < 10) {
        pfn = pfn * 10 + <u64>(c - 48);
        if (pfn >= LIMIT_53) break;
        c = <u32>load<u8>(++pos);
      }
      if (pfn >= LIMIT_53) break;
      if (pos == s) {
        const after = blankOrComment(pos, c);
        if (after == 0) break;
        lines++;
        pos = after;
        continue;
      }
    }
    if (c != COMMA) break;
    // nid: one digit (or -0, -1) in one load, else digit by digit
    let nid: i32;
    const q = load<u32>(pos + 1);
    const d0 = (q & 0xff) - 48;
    if (d0 < 10 && ((q >> 8) & 0xff) == COMMA) {
      nid = <i32>d0;
      pos += 3;
    } else {
      pos++;
      c = <u32>load<u8>(pos);
      const neg = c == 45;
      if (neg) pos++;
      const s = pos;
      const v = decimalAt(pos);
      pos = decimalEnd;
      if (pos == s || <u32>load<u8>(pos) != COMMA) break;
      if (neg) {
        if (v > 1) break;
        nid = -<i32>v; // NUMA_NO_NODE; "-0" is 0
      } else {
        if (v > INT_MAX) break;
        nid = <i32>v;
      }
      pos++;
    }
    // src: a name in one load (each byte | 0x20: the letters folded to lower case, and no other byte onto a letter;
    // a name cut short by the LF at end - 1 does not match), or a number
    let src: i32;
    const sw = (load<u64>(pos) & MASK7) | FOLD7;
    c = <u32>load<u8>(pos);
    if (sw == HWHINTS || sw == PGTSCAN) {
      src = <i32>(sw == PGTSCAN);
      pos += 7;
      c = <u32>load<u8>(pos);
    } else {
      const s = pos;
      const v = decimalAt(pos);
      pos = decimalEnd;
      if (pos == s || v > INT_MAX) break;
      src = <i32>v;
      c = <u32>load<u8>(pos);
    }
    if (c != COMMA) break;
    pos++;
    // time: the line before's 10 digits, or 10 digits in two loads, else digit by digit; the line ends in LF or CR LF
    const lo = load<u64>(pos);
    const hi = <u32>load<u16>(pos + 8) | (<u32>load<u8>(pos + 10) << 16);
    const term = hi >> 16;
    // The bytes from the time field to the next line, after 10 digits: 11 (LF), 12 (CR LF), or 0 (neither).
    const step: usize = term == NL ? 11 : term == CR && <u32>load<u8>(pos + 11) == NL ? 12 : 0;
    let time: f64;
    if (step != 0 && lo == sameLo && hi == sameHi) {
      time = sameTime;
      pos += step;
    } else {
      const v8 = dec8(lo);
      const a = (hi & 0xff) - 48;
      const b = ((hi >> 8) & 0xff) - 48;
      if (v8 >= 0 && a < 10 && b < 10 && step != 0) {
        time = <f64>(<u64>v8 * 100 + a * 10 + b);
        sameLo = lo;
        sameHi = hi;
        sameTime = time;
        pos += step;
      } else {
        const s = pos;
        c = <u32>load<u8>(pos);
        let v: u64 = 0;
        while (c - 48 < 10) {
          v = v * 10 + <u64>(c - 48);
          if (v >= LIMIT_53) break;
          c = <u32>load<u8>(++pos);
        }
        if (pos == s || v >= LIMIT_53) break;
        if (c == CR && <u32>load<u8>(pos + 1) == NL) c = <u32>load<u8>(++pos); // CR LF: the CR goes, as csvpath.ts drops it
        if (c != NL) break;
        time = <f64>v;
        pos++;
      }
    }
    store<f64>(oPfn + (<usize>n << 3), <f64>pfn);
    store<i32>(oNid + (<usize>n << 2), nid);
    store<i32>(oSrc + (<usize>n << 2), src);
    store<f64>(oTime + (<usize>n << 3), time);
    n++;
    lines++;
  }
  stopAt = pos < end ? ls : end;
  linesTaken = lines;
  return n;
}

const SP: u32 = 32;
const TAB: u32 = 9;
const QUOTE: u32 = 34;
const HASH: u32 = 35;

/** The values of the line layoutLine() read. */
let lPfn: u64 = 0;
let lNid: i32 = 0;
let lSrc: i32 = 0;
let lTime: u64 = 0;

/**
 * The data line at pos in the layout `fieldOf`/`width` (see scanLayout()), read in one pass into lPfn, lNid, lSrc and
 * lTime: the offset after its line end, or 0 when the one-pass path of scanLayoutLines() would not take it.
 */
@inline function layoutLine(pos: usize, fieldOf: usize, width: i32): usize {
  for (let col: i32 = 0; col < width; col++) {
    const f = <i32>load<i8>(fieldOf + <usize>col);
    let c = <u32>load<u8>(pos);
    // Spaces and tabs before a field (csv-parse's trim); a field in quotes has none outside them.
    const p0 = pos;
    while (c == SP || c == TAB) c = <u32>load<u8>(++pos);
    const quoted = c == QUOTE;
    if (quoted) {
      if (pos != p0) return 0;
      c = <u32>load<u8>(++pos);
    }
    if (f < 0) {
      // A column no field reads: printable ASCII, spaces and tabs, up to its end (no quote and no comma in it).
      while (c != COMMA && c != QUOTE && (c - SP <= 0x7e - SP || c == TAB)) c = <u32>load<u8>(++pos);
    } else {
      const s0 = pos;
      let v: u64 = 0;
      if (f == 2 && c - 48 >= 10) {
        // A source name: 7 bytes, each | 0x20 (the letters folded to lower case, no other byte onto a letter).
        const sw = (load<u64>(pos) & MASK7) | FOLD7;
        if (sw != HWHINTS && sw != PGTSCAN) return 0;
        v = <u64>(sw == PGTSCAN);
        pos += 7;
      } else if (f == 0 && c == 48 && (<u32>load<u8>(pos + 1) | 0x20) == 120) {
        pos += 2;
        // Up to 7 hex digits in one load (hex8()), else digit by digit.
        const h = hex8(load<u64>(pos));
        const k = <usize>(h & 0xff);
        if (k > 0 && k < 8) {
          v = h >> 8;
          pos += k;
        } else {
          let d = hexDigit(<u32>load<u8>(pos));
          if (d < 0) return 0;
          while (d >= 0) {
            v = (v << 4) | <u64>d;
            if (v >= LIMIT_53) return 0;
            d = hexDigit(<u32>load<u8>(++pos));
          }
        }
      } else if (f == 3 && dec8(load<u64>(pos)) >= 0 && <u32>load<u8>(pos + 8) - 48 < 10 && <u32>load<u8>(pos + 9) - 48 < 10 && <u32>load<u8>(pos + 10) - 48 >= 10) {
        // A time of 10 digits (jiffies near 2^32) in one load and two bytes.
        v = <u64>dec8(load<u64>(pos)) * 100 + <u64>(<u32>load<u8>(pos + 8) - 48) * 10 + <u64>(<u32>load<u8>(pos + 9) - 48);
        pos += 10;
      } else {
        const neg = f == 1 && c == 45;
        if (neg) pos++;
        let d = <u32>load<u8>(pos) - 48;
        if (d >= 10) return 0;
        const limit: u64 = f == 0 || f == 3 ? LIMIT_53 - 1 : INT_MAX;
        while (d < 10) {
          v = v * 10 + <u64>d;
          if (v > limit) return 0;
          d = <u32>load<u8>(++pos) - 48;
        }
        if (neg) {
          if (v > 1) return 0;
          lNid = -<i32>v; // NUMA_NO_NODE; "-0" is 0
        } else if (f == 1) lNid = <i32>v;
      }
      if (pos == s0) return 0;
      if (f == 0) lPfn = v;
      else if (f == 2) lSrc = <i32>v;
      else if (f == 3) lTime = v;
      c = <u32>load<u8>(pos);
    }
    if (quoted) {
      if (c != QUOTE) return 0;
      c = <u32>load<u8>(++pos);
    } else {
      while (c == SP || c == TAB) c = <u32>load<u8>(++pos); // and after it
    }
    if (col + 1 < width) {
      if (c != COMMA) return 0;
      pos++;
    } else if (c == NL) pos++;
    else if (c == CR && <u32>load<u8>(pos + 1) == NL) pos += 2;
    else return 0;
  }
  return pos;
}

/**
 * The lines of [pos, end) of a file in another layout (src/trace/fast.ts scanLayoutLines()): `width` columns, column
 * k read by field load<i8>(fieldOf + k) (0 pfn, 1 nid, 2 src, 3 time, -1 none). It takes exactly the lines the one-pass
 * path of scanLayoutLines() takes, with the same values (each field unpadded or padded with spaces and tabs, or in
 * quotes from its first byte to its last), and blank and `#` lines (the `#` first on its line); it stops at any other
 * line (the JavaScript loop then reads that one: padded blank or `#` lines, and what its general loop decides), or
 * when `max` records are written. Returns the records written; stopAt and linesTaken as scan()'s.
 */
export function scanLayout(pos: usize, end: usize, fieldOf: usize, width: i32, oPfn: usize, oNid: usize, oSrc: usize, oTime: usize, max: i32): i32 {
  let n: i32 = 0;
  let lines: i32 = 0;
  let ls: usize = pos;
  while (pos < end) {
    ls = pos;
    if (n == max) break;
    const c = <u32>load<u8>(pos);
    const after = blankOrComment(pos, c);
    if (after != 0) {
      lines++;
      pos = after;
      continue;
    }
    if (c == SP || c == TAB) break; // a padded first field, or a blank or `#` line after blanks: JavaScript's
    const next = layoutLine(pos, fieldOf, width);
    if (next == 0) break;
    pos = next;
    store<f64>(oPfn + (<usize>n << 3), <f64>lPfn);
    store<i32>(oNid + (<usize>n << 2), lNid);
    store<i32>(oSrc + (<usize>n << 2), lSrc);
    store<f64>(oTime + (<usize>n << 3), <f64>lTime);
    n++;
    lines++;
  }
  stopAt = pos < end ? ls : end;
  linesTaken = lines;
  return n;
}
