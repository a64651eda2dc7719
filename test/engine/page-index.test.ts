import { describe, expect, it } from 'vitest';
import { PageIndex } from '../../src/engine/page-index.js';

describe('PageIndex', () => {
  it('stores, overwrites and deletes pfns up to 2^53', () => {
    const m = new PageIndex(2);
    m.set(0, 1);
    m.set(2 ** 53 - 1, -7);
    m.set(2 ** 32, 3);
    m.set(2 ** 32, 4);
    expect(m.get(0, NaN)).toBe(1);
    expect(m.get(2 ** 53 - 1, NaN)).toBe(-7);
    expect(m.get(2 ** 32, NaN)).toBe(4);
    expect(m.get(5, -99)).toBe(-99);
    m.delete(0);
    expect(m.get(0, -99)).toBe(-99);
    expect(m.size).toBe(2);
  });

  it('agrees with a Map under random inserts and deletes, through growth', () => {
    const m = new PageIndex(1);
    const ref = new Map<number, number>();
    let x = 777;
    for (let i = 0; i < 60000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const pfn = (x % 5000) * 4096 + (x % 3) * 2 ** 40; // clustered keys make long probe runs
      if ((x >>> 28) < 5 && ref.has(pfn)) {
        ref.delete(pfn);
        m.delete(pfn);
      } else {
        ref.set(pfn, i);
        m.set(pfn, i);
      }
    }
    expect(m.size).toBe(ref.size);
    for (const [k, v] of ref) expect(m.get(k, -1)).toBe(v);
    const seen = new Map<number, number>();
    m.forEach((k, v) => seen.set(k, v));
    expect(seen).toEqual(ref);
  });
});
