/**
 * The home of a pfn in every kpromo hash table: murmur3's fmix32 finalizer over both halves of the pfn.
 * Unrelated to hash_64's golden-ratio multiplier, so keys inserted in hash_64 bucket order, sequentially or
 * with any stride spread evenly over a power-of-two table (no clustering cliff).
 */

const TWO_32 = 4294967296;

/** murmur3 fmix32 of a pfn's two 32-bit halves. */
export function mixPfn(pfn: number): number {
  let h = (pfn >>> 0) ^ Math.imul((pfn / TWO_32) | 0, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
