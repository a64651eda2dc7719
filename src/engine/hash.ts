/** include/linux/hash.h on a 64-bit kernel, computed without BigInt. */

const GOLDEN_RATIO_64_HI = 0x61c88646; // GOLDEN_RATIO_64 = 0x61C8864680B583EB
const GOLDEN_RATIO_64_LO = 0x80b583eb;
const TWO_32 = 4294967296;

/**
 * High 32 bits of the exact 64-bit product of two u32 values, from 16-bit halves. Every term stays below 2^32
 * and uses integer operations only (a double's % or / would call fmod or divide: this is on the hot path).
 */
function mulhi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const lo = a0 * b0; // < 2^32
  const m1 = a1 * b0; // < 2^32
  const m2 = a0 * b1; // < 2^32
  const carry = ((lo >>> 16) + (m1 & 0xffff) + (m2 & 0xffff)) >>> 16; // 0..2
  return (a1 * b1 + (m1 >>> 16) + (m2 >>> 16) + carry) >>> 0; // the sum is the high word itself, < 2^32
}

/**
 * hash_64(val, bits) = (u32)((val * GOLDEN_RATIO_64) >> (64 - bits)), for integers val in [0, 2^53) and bits in 1..32.
 * hash_min(pfn, bits) is hash_64 here because kpromoted's pfn is a u64.
 */
export function hash_64(val: number, bits: number): number {
  const lo = val >>> 0;
  const hi = Math.floor(val / TWO_32);
  // (hi*2^32 + lo) * (CH*2^32 + CL) mod 2^64: only the high word matters for the top `bits` bits.
  const high =
    (mulhi32(lo, GOLDEN_RATIO_64_LO) + Math.imul(lo, GOLDEN_RATIO_64_HI) + Math.imul(hi, GOLDEN_RATIO_64_LO)) >>> 0;
  return bits === 32 ? high : high >>> (32 - bits);
}
