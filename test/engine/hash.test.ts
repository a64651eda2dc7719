import { describe, expect, it } from 'vitest';
import { hash_64 } from '../../src/engine/hash.js';

/** The formula of include/linux/hash.h written with BigInt, as kernel-facts.md section 3 gives it. */
function reference(v: number, bits: number): number {
  return Number(((BigInt(v) * 0x61c8864680b583ebn) & 0xffffffffffffffffn) >> BigInt(64 - bits));
}

describe('hash_64', () => {
  it('matches the SPEC 2.4 check values for 16 bits', () => {
    expect(hash_64(1, 16)).toBe(25032);
    expect(hash_64(2, 16)).toBe(50065);
    expect(hash_64(3, 16)).toBe(9561);
    expect(hash_64(0x100000, 16)).toBe(25704);
  });

  it('matches the further vectors of kernel-facts.md section 3', () => {
    expect(hash_64(0, 16)).toBe(0);
    expect(hash_64(0x1000000, 16)).toBe(18048);
    expect(hash_64(0x2080000, 16)).toBe(48949);
    expect(hash_64(0x4000000, 16)).toBe(6658);
    expect(hash_64(0x87fffff, 16)).toBe(62845);
    const run = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => hash_64(0x100000 + i, 16));
    expect(run).toEqual([25704, 50736, 10233, 35265, 60298, 19794, 44827, 4323]);
  });

  it('agrees with the BigInt formula for every order and pfns up to 2^53', () => {
    let x = 0x9e3779b9;
    const values = [2 ** 53 - 1, 2 ** 32, 2 ** 32 - 1, 2 ** 52 + 12345];
    for (let i = 0; i < 2000; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      const hi = x % 2 ** 21;
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      values.push(hi * 2 ** 32 + x);
    }
    for (const v of values) {
      for (const bits of [1, 7, 16, 20, 24, 31, 32]) expect(hash_64(v, bits)).toBe(reference(v, bits));
    }
  });
});
