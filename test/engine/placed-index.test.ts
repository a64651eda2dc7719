import { describe, expect, it } from 'vitest';
import { MAX_PLACED_NODE, PlacedIndex, placedAccessed, placedCode, placedNode } from '../../src/engine/placed-index.js';

describe('PlacedIndex', () => {
  it('encodes node and accessed flag in 1..4095', () => {
    expect(placedCode(0, false)).toBe(1);
    expect(placedCode(MAX_PLACED_NODE, true)).toBe(4094);
    expect(MAX_PLACED_NODE).toBeGreaterThanOrEqual(1023); // every topology node id
    expect(placedNode(placedCode(1023, true))).toBe(1023);
    expect(placedAccessed(placedCode(7, true))).toBe(true);
    expect(placedAccessed(placedCode(7, false))).toBe(false);
  });

  it('keeps pfns from 0 to 2^53 - 1 apart, including the Map range from 2^52', () => {
    const m = new PlacedIndex(2);
    const keys = [0, 1, 2 ** 32, 2 ** 32 + 1, 2 ** 52 - 1, 2 ** 52, 2 ** 53 - 1, 0xfffff * 2 ** 32];
    keys.forEach((k, i) => m.set(k, i + 1));
    keys.forEach((k, i) => expect(m.get(k)).toBe(i + 1));
    expect(m.get(5)).toBe(0);
    m.delete(2 ** 52);
    m.delete(1);
    expect(m.get(2 ** 52)).toBe(0);
    expect(m.get(1)).toBe(0);
    expect(m.size).toBe(keys.length - 2);
  });

  it('agrees with a Map under random sets and deletes through growth', () => {
    const m = new PlacedIndex(1);
    const ref = new Map<number, number>();
    let x = 99;
    for (let i = 0; i < 80000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const pfn = (x % 6000) * 4097 + (x % 5) * 2 ** 44;
      if ((x >>> 29) < 3 && ref.has(pfn)) {
        ref.delete(pfn);
        m.delete(pfn);
      } else {
        const v = 1 + (i % 4095);
        ref.set(pfn, v);
        m.set(pfn, v);
      }
    }
    expect(m.size).toBe(ref.size);
    for (const [k, v] of ref) expect(m.get(k)).toBe(v);
    const seen = new Map<number, number>();
    m.forEach((k, v) => seen.set(k, v));
    expect(seen).toEqual(ref);
  });
});
