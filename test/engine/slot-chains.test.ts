/**
 * SlotChains (src/engine/slot-chains.ts): record slots by page index, against a Map, through adds, removes (head,
 * middle and last of a chain), growth of the heads and of the slab, and clear(); chains stay short for sequential,
 * strided and hash_64-bucket-ordered page indexes.
 */
import { describe, expect, it } from 'vitest';
import { hash_64 } from '../../src/engine/hash.js';
import { fmix32, SlotChains } from '../../src/engine/slot-chains.js';
import { prng } from '../prng.js';

const ISTRIDE = 8;
const AT = 7;

/** A slab's int view with the page index of each slot at AT (as the engine keeps it), and its slot chains. */
function harness(slots: number, live = 0) {
  let slabI = new Int32Array(slots * ISTRIDE).fill(-1);
  const chains = new SlotChains(live, slots);
  const indexOf = (slot: number) => slabI[slot * ISTRIDE + AT]!;
  return {
    chains,
    add(idx: number, slot: number) {
      slabI[slot * ISTRIDE + AT] = idx;
      chains.add(idx, slot, indexOf);
    },
    remove(idx: number, slot: number) {
      chains.remove(idx, slot);
      slabI[slot * ISTRIDE + AT] = -1;
    },
    find: (idx: number) => chains.find(idx, slabI, ISTRIDE, AT),
    grow(to: number) {
      const bigger = new Int32Array(to * ISTRIDE).fill(-1);
      bigger.set(slabI);
      slabI = bigger;
      chains.slabGrew(to);
    },
  };
}

describe('fmix32', () => {
  it('is MurmurHash3 fmix32 (known values) and a bijection on a sample', () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(fmix32(i * 4099));
    expect(seen.size).toBe(100_000);
  });
});

describe('SlotChains', () => {
  it('finds every record a Map holds, through random adds, removes, growth and clear', () => {
    const r = prng(7);
    let slots = 64;
    const h = harness(slots);
    const want = new Map<number, number>(); // idx -> slot
    const free: number[] = [];
    let top = 0;
    for (let step = 0; step < 60_000; step++) {
      const u = r();
      if (step === 30_000) {
        h.chains.clear();
        want.clear();
        free.length = 0;
        top = 0;
      }
      if (u < 0.6 || want.size === 0) {
        const idx = Math.floor(r() * 5000) * 3;
        if (want.has(idx)) continue;
        let slot = free.pop();
        if (slot === undefined) {
          slot = top++;
          if (slot >= slots) h.grow((slots *= 2));
        }
        h.add(idx, slot);
        want.set(idx, slot);
      } else {
        const keys = [...want.keys()];
        const idx = keys[Math.floor(r() * keys.length)]!;
        h.remove(idx, want.get(idx)!);
        free.push(want.get(idx)!);
        want.delete(idx);
      }
      if (step % 997 === 0) {
        expect(h.chains.size).toBe(want.size);
        for (const [idx, slot] of want) expect(h.find(idx)).toBe(slot);
        expect(h.find(1)).toBe(-1); // never added (not a multiple of 3)
      }
    }
    expect(top).toBeGreaterThan(1000); // the slab grew, and so did the heads
  });

  it('finds nothing of what it held before clear()', () => {
    const h = harness(100);
    for (let i = 0; i < 100; i++) h.add(i * 17, i);
    h.chains.clear();
    expect(h.chains.size).toBe(0);
    for (let i = 0; i < 100; i++) expect(h.find(i * 17)).toBe(-1);
  });

  it('throws on removing a record it does not hold', () => {
    const h = harness(10);
    h.add(5, 0);
    expect(() => h.chains.remove(6, 1)).toThrow(/not in its chain/);
  });

  for (const [name, key] of [
    ['sequential', (i: number) => i],
    ['strided by 4096', (i: number) => i * 4096],
    ['in hash_64 bucket order', null],
  ] as const) {
    it(`keeps chains short for ${name} page indexes`, () => {
      const n = 1 << 17;
      let keys = Array.from({ length: n }, (_, i) => (key === null ? i * 7 : key(i)));
      if (key === null) keys = keys.map((k) => [hash_64(k, 16), k] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, k]) => k);
      const h = harness(n);
      keys.forEach((k, slot) => h.add(k, slot));
      expect(h.chains.size).toBe(n);
      expect(h.chains.longest()).toBeLessThanOrEqual(12); // load <= 1: a random table's longest chain is about 8
      keys.forEach((k, slot) => expect(h.find(k)).toBe(slot));
    });
  }
});
