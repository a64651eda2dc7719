/**
 * A small deterministic pseudo-random generator for seeded traces: sfc32 (Chris Doty-Humphrey's
 * "small fast counting" generator, PractRand) seeded through splitmix32. Only 32-bit integer
 * arithmetic (Math.imul, >>>), so the same seed gives the same sequence on every platform.
 */

/** A seeded stream of pseudo-random numbers. */
export interface Prng {
  /** A uniform number in [0, 1) with 32 random bits. */
  next(): number;
  /** A uniform integer in [0, n), for an integer 1 <= n <= 2^32 (unbiased, by rejection). */
  int(n: number): number;
  /** A uniform unsigned 32-bit integer. */
  u32(): number;
}

const TWO_32 = 4294967296;

/** splitmix32 step: returns the next state and an output well mixed from it. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) >>> 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z = (z ^ (z >>> 16)) >>> 0;
  return [s, z];
}

/**
 * Creates an sfc32 generator from an integer seed in [0, 2^53). The high and low halves of the
 * seed both go into the splitmix32 state, so seeds above 2^32 still give distinct streams.
 */
export function createPrng(seed: number): Prng {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be an integer in [0, 2^53), got ${String(seed)}`);
  }
  let sm = (seed >>> 0) ^ Math.imul(Math.floor(seed / TWO_32), 0x632be5ab);
  let a: number, b: number, c: number;
  [sm, a] = splitmix32(sm);
  [sm, b] = splitmix32(sm);
  [sm, c] = splitmix32(sm);
  let d = 1; // sfc32 counter
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32 recommends 12 rounds to mix the seed in.
  for (let i = 0; i < 12; i++) u32();
  const next = (): number => u32() / TWO_32;
  const int = (n: number): number => {
    if (!(n >= 1 && n <= TWO_32 && Number.isInteger(n))) {
      throw new RangeError(`int(n) needs an integer 1 <= n <= 2^32, got ${String(n)}`);
    }
    // Reject the top partial block so every residue is equally likely.
    const limit = TWO_32 - (TWO_32 % n);
    for (;;) {
      const x = u32();
      if (x < limit) return x % n;
    }
  };
  return { next, int, u32 };
}
