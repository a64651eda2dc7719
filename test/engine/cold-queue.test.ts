/**
 * ColdQueue (rfc-v1's lazy passes): take(now, cold) gives exactly the entries with now - key > cold, each once,
 * against a plain list, with keys pushed out of order, times far above 2^53 (where the bucket bound rounds), and
 * entries left in a bucket whose time has not run out.
 */
import { describe, expect, it } from 'vitest';
import { ColdQueue } from '../../src/engine/cold-queue.js';
import { prng } from '../prng.js';

describe('ColdQueue', () => {
  for (const [label, base, width, cold] of [
    ['jiffies near 2^32', 4294892296, 250, 2500],
    ['times above 2^53', 2 ** 60, 2048, 2 ** 15],
    ['a width of 1', 1000, 1, 3],
  ] as const) {
    it(`${label}: every entry is taken once, at the first take with now - key > cold`, () => {
      const r = prng(7);
      const q = new ColdQueue(width);
      let list: Array<[number, number]> = [];
      let now = base;
      let slot = 0;
      let taken = 0;
      for (let pass = 0; pass < 200; pass++) {
        // Entries with keys up to a few periods back (and some far back), in no order.
        const n = Math.floor(r() * 50);
        for (let i = 0; i < n; i++) {
          const key = r() < 0.1 ? now - Math.floor(r() * 20 * width) : now - Math.floor(r() * 3 * width);
          q.push(key, slot);
          list.push([key, slot++]);
        }
        now += width * (r() < 0.2 ? 1 + Math.floor(r() * 30) : 1);
        const got = q.take(now, cold);
        const want = list.filter(([key]) => now - key > cold);
        list = list.filter(([key]) => !(now - key > cold));
        const pairs: Array<[number, number]> = [];
        for (let k = 0; k < got; k++) pairs.push([q.taken.keys[k]!, q.taken.slots[k]!]);
        expect(pairs.sort((a, b) => a[1] - b[1])).toEqual(want.sort((a, b) => a[1] - b[1]));
        expect(q.size).toBe(list.length);
        taken += got;
      }
      expect(taken).toBeGreaterThan(1000);
      expect(list.length).toBeGreaterThan(0);
      q.clear();
      expect([q.size, q.take(now + 1e30, cold)]).toEqual([0, 0]);
    });
  }
});
