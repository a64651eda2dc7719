import { describe, it, expect } from 'vitest';
import { createPrng } from '../../src/gen/prng.js';
import { createZipf } from '../../src/gen/zipf.js';

/** Generalized harmonic number H(n, s) = sum k^-s, summed small terms first. */
function harmonic(n: number, s: number): number {
  let h = 0;
  for (let k = n; k >= 1; k--) h += Math.pow(k, -s);
  return h;
}

function histogram(n: number, s: number, draws: number, seed: number): number[] {
  const z = createZipf(n, s, createPrng(seed));
  const counts = new Array<number>(n + 1).fill(0);
  for (let i = 0; i < draws; i++) {
    const k = z.sample();
    if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new Error(`rank out of range: ${k}`);
    counts[k]!++;
  }
  return counts;
}

describe('createZipf', () => {
  for (const s of [1.0, 0.8, 1.5]) {
    it(`follows P(k) = k^-${s} / H(n, ${s}) for n = 50`, () => {
      const n = 50;
      const draws = 200_000;
      const counts = histogram(n, s, draws, 11);
      const h = harmonic(n, s);
      let chi2 = 0;
      for (let k = 1; k <= n; k++) {
        const e = (draws * Math.pow(k, -s)) / h;
        chi2 += ((counts[k]! - e) * (counts[k]! - e)) / e;
      }
      // Chi-square with 49 degrees of freedom: the 0.999 quantile is 85.35.
      expect(chi2).toBeLessThan(85.35);
    });
  }

  it('rank 1 has probability 1/H(n) for n = 10 M (s = 1)', () => {
    const n = 10_000_000;
    const draws = 400_000;
    const z = createZipf(n, 1, createPrng(5));
    let ones = 0;
    let twos = 0;
    for (let i = 0; i < draws; i++) {
      const k = z.sample();
      if (k === 1) ones++;
      else if (k === 2) twos++;
      else if (k < 1 || k > n) throw new Error(`rank out of range: ${k}`);
    }
    // H(10^7) = ln(10^7) + 0.5772 + 1/(2*10^7) ~ 16.695: P(1) ~ 0.0599, P(2) ~ 0.0299.
    const p1 = 1 / harmonic(n, 1);
    expect(Math.abs(p1 - 1 / 16.695)).toBeLessThan(1e-4);
    const sd1 = Math.sqrt(draws * p1 * (1 - p1));
    expect(Math.abs(ones - draws * p1)).toBeLessThan(5 * sd1);
    const sd2 = Math.sqrt(draws * (p1 / 2) * (1 - p1 / 2));
    expect(Math.abs(twos - (draws * p1) / 2)).toBeLessThan(5 * sd2);
  });

  it('exponent 0 is uniform and n = 1 always gives 1', () => {
    const counts = histogram(4, 0, 40_000, 2);
    for (let k = 1; k <= 4; k++) expect(Math.abs(counts[k]! - 10_000)).toBeLessThan(5 * Math.sqrt(40_000 * 0.25 * 0.75));
    expect(histogram(1, 1, 100, 1)[1]).toBe(100);
  });

  it('is deterministic for a seed and rejects bad parameters', () => {
    expect(histogram(1000, 1.2, 5000, 9)).toEqual(histogram(1000, 1.2, 5000, 9));
    expect(histogram(1000, 1.2, 5000, 9)).not.toEqual(histogram(1000, 1.2, 5000, 10));
    expect(() => createZipf(0, 1, createPrng(1))).toThrow(RangeError);
    expect(() => createZipf(10, -1, createPrng(1))).toThrow(RangeError);
    expect(() => createZipf(10, NaN, createPrng(1))).toThrow(RangeError);
  });
});
