/**
 * page-state.ts: PageState.addCounts() (which reads the added bytes four at a time past the zero words) and
 * countTotals() against the same sums taken a byte at a time, on random bytes, the carries of a byte past 255, views
 * that start off a word boundary and lengths that are not whole words.
 */
import { describe, expect, it } from 'vitest';
import { PageState } from '../../src/engine/page-state.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/** Random count bytes: mostly 0 (`zero`), some near 255 so that sums carry, the rest small. */
function bytesOf(n: number, next: () => number, zero = 0.6): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = next();
    b[i] = r < zero ? 0 : r < zero + 0.1 ? 200 + Math.floor(next() * 56) : 1 + Math.floor(next() * 60);
  }
  return b;
}

describe('PageState counts', () => {
  const region = (n: number) => [{ start: 0x10000, end: 0x10000 + n, slow: true }];

  /** The counts after adding `b` to `a` byte by byte: low bytes and carries by index. */
  function naiveAdd(a: Uint8Array, b: Uint8Array): { low: number[]; carries: Map<number, number> } {
    const carries = new Map<number, number>();
    const low = Array.from(a, (x, i) => {
      const c = x + (b[i] ?? 0);
      if (c > 255) carries.set(i, 1);
      return c & 255;
    });
    return { low, carries };
  }

  it('addCounts() gives the sums and carries of a byte-at-a-time add, aligned or not, whole words or not', () => {
    const next = rng(11);
    for (let k = 0; k < 60; k++) {
      const n = 200 + Math.floor(next() * 700); // pages; the counts have one more byte (the spare index)
      const ps = new PageState(region(n), 2, true);
      // The spare index (n) counts no page: it stays 0 here, as the engine's tallies leave it (page-tally.ts snapshot()).
      const a = bytesOf(n + 1, next, next());
      a[n] = 0;
      ps.addCounts(a.slice(), [], true); // pristine: taken as they are
      const off = k % 2 === 0 ? 0 : 1 + Math.floor(next() * 3);
      const b = bytesOf(n + 1 + off, next, next()).subarray(off);
      b[n] = 0;
      ps.addCounts(b, []);
      const want = naiveAdd(a, b);
      expect(Array.from(ps.counts!)).toEqual(want.low);
      const pairs = ps.carryPairs();
      const got = new Map<number, number>();
      for (let i = 0; i < pairs.length; i += 2) got.set(pairs[i]!, pairs[i + 1]!);
      expect(got).toEqual(want.carries);
      // countTotals() reads carried pages whose low byte is 0 too.
      const sum = want.low.reduce((s, x) => s + x, 0) + 256 * want.carries.size;
      const pages = want.low.filter((x, i) => x !== 0 || want.carries.has(i)).length;
      expect(ps.countTotals()).toEqual({ pages, accesses: sum });
    }
  });
});
