/**
 * SWAR ("SIMD within a register") helpers of the byte parsers (fast.ts, perf-fast.ts): four text bytes at a time
 * from one 32-bit little-endian load (DataView.getInt32(pos, true), which V8 compiles to one load), the first
 * byte in the low bits. perf prints hex in lower case only, so only [0-9a-f] is a hex digit here.
 * test/trace/swar.test.ts checks each against a byte-at-a-time reference on every byte value.
 */

/** Per byte of `w`: bit 7 set when the byte is a lower-case hex digit, [0-9a-f]. */
export function hexMask4(w: number): number {
  const x = w & 0x7f7f7f7f; // no byte carries into the next below
  // ge(lo) sets bit 7 of a byte y (< 0x80) when y >= lo: y + (0x80 - lo) < 0x100.
  const ge30 = x + 0x50505050;
  const ge3a = x + 0x46464646;
  const ge61 = x + 0x1f1f1f1f;
  const ge67 = x + 0x19191919;
  return ((ge30 & ~ge3a) | (ge61 & ~ge67)) & ~w & 0x80808080; // a byte with bit 7 set is no digit
}

/**
 * Leading hex digits of `w` (0 to 4), the first byte first. Math.clz32 runs on every call, also when all four are
 * digits: code V8 compiled after calls of four digits only had no feedback for it and was thrown away at the
 * first shorter run (--trace-deopt: "Insufficient type feedback for generic named access").
 */
export function hexLead4(w: number): number {
  const bad = ~hexMask4(w) & 0x80808080;
  const k = (31 - Math.clz32(bad & -bad)) >> 3;
  return bad === 0 ? 4 : k;
}

/** Trailing hex digits of `w` (0 to 4), the last byte (the high one) first. */
export function hexTrail4(w: number): number {
  return Math.clz32(~hexMask4(w) & 0x80808080) >> 3;
}

/**
 * The value of the 4 hex digits of `w` read as one number, the first byte the most significant digit. Exact when
 * each byte is a hex digit or zero (a zero byte is a 0 digit); another byte (a letter past `f`, `]`) can carry
 * into the next digit, so a caller clears the bytes that are not digits first.
 */
export function hexValue4(w: number): number {
  // Per byte: '0'-'9' -> low nibble; 'a'-'f' (bit 6 set) -> low nibble + 9.
  const n = (w & 0x0f0f0f0f) + Math.imul((w >>> 6) & 0x01010101, 9);
  const t = ((n << 4) | (n >>> 8)) & 0x00ff00ff;
  return ((t & 0xff) << 8) | (t >>> 16);
}

/** True when the 4 bytes of `w` are all ASCII decimal digits. */
export function isDigits4(w: number): boolean {
  return (w & 0xf0f0f0f0) === 0x30303030 && ((w + 0x06060606) & 0xf0f0f0f0) === 0x30303030;
}

/** The value of 4 ASCII decimal digits (isDigits4(w)), the first byte the most significant digit. */
export function digits4(w: number): number {
  let v = (w - 0x30303030) | 0;
  v = (Math.imul(v, 10) + (v >>> 8)) & 0x00ff00ff;
  return (v & 0xff) * 100 + (v >>> 16);
}

/**
 * Two text bytes at a time by table (perf-fast.ts's `%16lx` columns): HEX_PAIRS[b0 | b1 << 8], b0 the first byte (the
 * low half of a little-endian load). When both bytes are a space or a lower-case hex digit: bits 0-7 their value as
 * two hex digits (b0 the high one, a space a 0 digit), bit 8 set when b0 is a digit, bit 9 when b1 is; else PAIR_BAD.
 * 128 KiB, of which the 289 entries of digits and spaces (about 50 cache lines) are read.
 */
export const PAIR_BAD = 0x8000;
export const HEX_PAIRS = pairTable();

function pairTable(): Uint16Array {
  const t = new Uint16Array(65536).fill(PAIR_BAD);
  const bytes = [0x20, ...'0123456789abcdef'.split('').map((c) => c.charCodeAt(0))];
  const value = (b: number): number => (b === 0x20 ? 0 : b <= 0x39 ? b - 0x30 : b - 0x57);
  for (const b0 of bytes)
    for (const b1 of bytes) t[b0 | (b1 << 8)] = (value(b0) << 4) | value(b1) | (b0 !== 0x20 ? 0x100 : 0) | (b1 !== 0x20 ? 0x200 : 0);
  return t;
}
