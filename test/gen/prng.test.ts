import { describe, it, expect } from 'vitest';
import { createPrng } from '../../src/gen/prng.js';

describe('createPrng', () => {
  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    const take = (seed: number) => {
      const r = createPrng(seed);
      return Array.from({ length: 64 }, () => r.u32());
    };
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
    // Seeds that differ only above bit 32 must not collide.
    expect(take(2 ** 32 + 5)).not.toEqual(take(5));
  });

  it('next() lies in [0, 1) and has mean 1/2 and variance 1/12', () => {
    const r = createPrng(7);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      sq += x * x;
    }
    expect(outside).toBe(0);
    const mean = sum / n;
    // Standard error of the mean is sqrt(1/12/n) ~ 0.00065; allow 5 sigma.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.0033);
    expect(Math.abs(sq / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it('int(n) is uniform over [0, n)', () => {
    const r = createPrng(3);
    const n = 10;
    const draws = 100_000;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < draws; i++) {
      counts[r.int(n)]!++;
    }
    expect(counts.reduce((a, c) => a + c, 0)).toBe(draws);
    // Chi-square with 9 degrees of freedom: the 0.999 quantile is 27.88.
    const e = draws / n;
    const chi2 = counts.reduce((acc, c) => acc + ((c - e) * (c - e)) / e, 0);
    expect(chi2).toBeLessThan(27.88);
  });

  it('int(1) is always 0 and bad arguments throw', () => {
    const r = createPrng(0);
    expect(r.int(1)).toBe(0);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(2.5)).toThrow(RangeError);
    expect(() => createPrng(-1)).toThrow(RangeError);
    expect(() => createPrng(1.5)).toThrow(RangeError);
  });
});
