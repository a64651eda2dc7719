/**
 * The canonical CSV of access records (`pfn,nid,src,time`, SPEC 4: pfn in lower-case hex with `0x`, src by name when it
 * has one, time in decimal), written as bytes: no string per record. `kpromo convert` formats every record of a trace
 * here, so a conversion costs about what parsing its input costs (with template strings, formatting took 5 of the 6.6 s
 * of converting the bench's 10 M-record CSV). test/trace/csv-write.test.ts holds it to the template-string reference.
 */
import type { BatchSink } from '../engine/types.js';
import { SRC_HWHINTS, SRC_PGTSCAN } from './fields.js';

/** The header of the canonical CSV: the positional column order of SPEC 4. */
export const CANONICAL_HEADER = 'pfn,nid,src,time\n';

/** Chunks are handed on once they hold this many bytes ... */
const FLUSH_BYTES = 1 << 20;
/** ... and a line takes at most this many (`0x`, four fields of at most 24 bytes each, three commas, a line end). */
const LINE_MAX = 128;

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const HWHINTS = Buffer.from(',hwhints', 'latin1');
const PGTSCAN = Buffer.from(',pgtscan', 'latin1');
/** "00" to "99", two bytes each. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + ((i / 10) | 0);
  PAIRS[2 * i + 1] = 48 + (i % 10);
}
const COMMA = 44;
const NL = 10;
const TWO_32 = 4294967296;

/**
 * Formats access records as canonical CSV lines, handing on chunks of about 1 MiB (each a Buffer of its own, which the
 * receiver may keep); flush() hands on the rest.
 */
export class CanonicalCsvSink implements BatchSink {
  private buf = Buffer.allocUnsafe(FLUSH_BYTES + LINE_MAX);
  private n = 0;
  /** Hundreds of records in a row share a jiffy. */
  private readonly time = new DecimalCache();
  constructor(private readonly out: (chunk: Buffer) => void) {
    this.n = this.buf.write(CANONICAL_HEADER, 0, 'latin1');
  }

  record_access(pfn: number, nid: number, src: number, time: number): void {
    this.line(pfn, nid, src, time);
    if (this.n >= FLUSH_BYTES) this.flush();
  }

  record_batch(P: Float64Array, N: Int32Array, S: Int32Array, T: Float64Array, n: number): void {
    for (let i = 0; i < n; i++) {
      this.line(P[i]!, N[i]!, S[i]!, T[i]!);
      if (this.n >= FLUSH_BYTES) this.flush();
    }
  }

  /** Hands on what is buffered. */
  flush(): void {
    if (this.n === 0) return;
    const chunk = this.buf.subarray(0, this.n);
    this.buf = Buffer.allocUnsafe(FLUSH_BYTES + LINE_MAX);
    this.n = 0;
    this.out(chunk);
  }

  /** Writes `0xPFN,NID,SRC,TIME\n`. */
  private line(pfn: number, nid: number, src: number, time: number): void {
    const buf = this.buf;
    let p = this.n;
    buf[p++] = 48; // 0
    buf[p++] = 120; // x
    p = writeHex(buf, p, pfn);
    buf[p++] = COMMA;
    p = writeDecimal(buf, p, nid);
    if (src === SRC_HWHINTS || src === SRC_PGTSCAN) {
      // Byte by byte: Buffer#copy costs a native call of about 100 ns.
      const name = src === SRC_HWHINTS ? HWHINTS : PGTSCAN;
      for (let i = 0; i < 8; i++) buf[p + i] = name[i]!;
      p += 8;
    } else {
      buf[p++] = COMMA;
      p = writeDecimal(buf, p, src);
    }
    buf[p++] = COMMA;
    p = this.time.write(buf, p, time);
    buf[p++] = NL;
    this.n = p;
  }
}

/** writeDecimal() of a value that often repeats: the last value's digits are copied, which beats dividing. */
export class DecimalCache {
  private last = NaN;
  private readonly text = Buffer.alloc(32);
  private len = 0;

  /** Writes `v` in decimal at buf[p]; returns the offset after it. */
  write(buf: Buffer, p: number, v: number): number {
    const t = this.text;
    if (v !== this.last) {
      this.len = writeDecimal(t, 0, v);
      this.last = v;
    }
    const len = this.len;
    for (let i = 0; i < len; i++) buf[p + i] = t[i]!;
    return p + len;
  }
}

/** A non-negative integer below 2^53 in lower-case hex, no leading zeros; anything else as toString(16) writes it. */
export function writeHex(buf: Buffer, p: number, v: number): number {
  if (!(v >= 0 && v < 2 ** 53 && Math.floor(v) === v)) return p + buf.write(v.toString(16), p, 'latin1');
  const hi = Math.floor(v / TWO_32);
  const lo = v >>> 0;
  if (hi === 0) return writeHex32(buf, p, lo, (35 - Math.clz32(lo)) >> 2 || 1);
  p = writeHex32(buf, p, hi, (35 - Math.clz32(hi)) >> 2);
  return writeHex32(buf, p, lo, 8);
}

/** The low `digits` hex digits of a 32-bit value. */
function writeHex32(buf: Buffer, p: number, v: number, digits: number): number {
  for (let d = digits - 1; d >= 0; d--) buf[p++] = HEX_DIGITS[(v >>> (4 * d)) & 15]!;
  return p;
}

/** An integer in decimal as `${v}` writes it (below 2^53 in magnitude by digits; anything else by String()). */
export function writeDecimal(buf: Buffer, p: number, v: number): number {
  if (v < 0 && v > -TWO_32 && (v | 0) === v) {
    buf[p++] = 45; // -
    v = -v;
  }
  if (v >= 0 && v < 2 ** 31 && (v | 0) === v) return writeUint31(buf, p, v);
  if (v >= 0 && v < 2 ** 53 && Math.floor(v) === v) {
    // Eight digits at a time below 10^8, exactly: v < 2^53, so hi < 2^31.
    const hi = Math.floor(v / 1e8);
    const lo = (v - hi * 1e8) | 0;
    p = writeUint31(buf, p, hi);
    // Two independent halves of four digits, two digits a table entry: short chains of divisions.
    const a = (lo / 10000) | 0;
    const b = lo - a * 10000;
    const a1 = (a / 100) | 0;
    const b1 = (b / 100) | 0;
    putPair(buf, p, a1);
    putPair(buf, p + 2, a - a1 * 100);
    putPair(buf, p + 4, b1);
    putPair(buf, p + 6, b - b1 * 100);
    return p + 8;
  }
  return p + buf.write(String(v), p, 'latin1');
}

/** The two digits of `v` (0-99). */
function putPair(buf: Buffer, p: number, v: number): void {
  buf[p] = PAIRS[2 * v]!;
  buf[p + 1] = PAIRS[2 * v + 1]!;
}

/** An integer in [0, 2^31) in decimal: its length by comparisons, then two digits a division from the end. */
function writeUint31(buf: Buffer, p: number, v: number): number {
  if (v < 10) {
    buf[p] = 48 + v;
    return p + 1;
  }
  const digits = v < 100 ? 2 : v < 1e3 ? 3 : v < 1e4 ? 4 : v < 1e5 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
  let e = p + digits;
  while (v >= 100) {
    const q = (v / 100) | 0;
    e -= 2;
    putPair(buf, e, v - q * 100);
    v = q;
  }
  if (v >= 10) putPair(buf, e - 2, v);
  else buf[e - 1] = 48 + v;
  return p + digits;
}
