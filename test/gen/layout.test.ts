import { describe, it, expect } from 'vitest';
import { createLayout, createPermutation } from '../../src/gen/layout.js';
import { normalizeGenOptions } from '../../src/gen/options.js';
import { createPrng } from '../../src/gen/prng.js';

describe('createPermutation', () => {
  for (const n of [1, 2, 3, 17, 1000, 65_537]) {
    it(`is a bijection of [0, ${n})`, () => {
      const p = createPermutation(n, createPrng(n));
      const seen = new Uint8Array(n);
      for (let x = 0; x < n; x++) seen[p.apply(x)]!++;
      expect(seen.every((c) => c === 1)).toBe(true);
    });
  }

  it('depends on the seed and is not the identity', () => {
    const a = createPermutation(1000, createPrng(1));
    const b = createPermutation(1000, createPrng(2));
    const imagesA = Array.from({ length: 1000 }, (_, x) => a.apply(x));
    const imagesB = Array.from({ length: 1000 }, (_, x) => b.apply(x));
    expect(imagesA).not.toEqual(imagesB);
    expect(imagesA.filter((y, x) => y === x).length).toBeLessThan(10);
  });
});

describe('createLayout', () => {
  it('gives strictly increasing pfns inside each tier range', () => {
    const opts = normalizeGenOptions({ pages: 5000, fastFraction: 0.3, slowBase: 0x500000, slowSpan: 9000 });
    const layout = createLayout(opts, createPrng(4));
    expect(layout.fastPages).toBe(1500);
    let prev = -1;
    for (let slot = 0; slot < 5000; slot++) {
      const pfn = layout.pfnOf(slot);
      expect(pfn).toBeGreaterThan(prev);
      if (slot < 1500) expect(pfn).toBeLessThan(0x100000);
      else expect(pfn >= 0x500000 && pfn < 0x500000 + 9000).toBe(true);
      prev = pfn;
    }
  });

  it('fills a range exactly when pages equal its span', () => {
    const layout = createLayout(normalizeGenOptions({ pages: 64, fastFraction: 0, slowBase: 0x200000, slowSpan: 64 }), createPrng(1));
    expect(Array.from({ length: 64 }, (_, s) => layout.pfnOf(s))).toEqual(Array.from({ length: 64 }, (_, s) => 0x200000 + s));
  });
});
