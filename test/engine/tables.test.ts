/** The rfc-v1 engine's tables against plain Maps and linear searches: RangeTable, PageState. */
import { describe, expect, it } from 'vitest';
import { PageState } from '../../src/engine/page-state.js';
import { RangeTable } from '../../src/engine/placement.js';
import type { PfnRange, Topology } from '../../src/engine/topology.js';
import { node } from './helpers.js';

describe('RangeTable', () => {
  it('answers as a linear search, with aligned, unaligned and far-apart ranges (mixed granules)', () => {
    const ranges: PfnRange[][] = [
      [{ start: 0, end: 0x100000, kind: 'lru' }],
      [{ start: 0x100000, end: 0x100007, kind: 'nonlru' }, { start: 0x100010, end: 0x200000, kind: 'lru' }],
      [{ start: 2 ** 40 + 3, end: 2 ** 40 + 5000, kind: 'device' }],
    ];
    const topo: Topology = { name: 't', nodes: ranges.map((pfn_ranges, id) => node(id, { pfn_ranges })) };
    const t = new RangeTable(topo);
    expect(t.granules.length).toBeLessThanOrEqual(1 << 16);
    const flat = ranges.flat();
    const probe = [0, 5, 0xfffff, 0x100000, 0x100006, 0x100007, 0x10000f, 0x100010, 0x1fffff, 0x200000, 2 ** 40, 2 ** 40 + 3, 2 ** 40 + 4999, 2 ** 40 + 5000, 2 ** 52];
    let x = 1;
    for (let i = 0; i < 2000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      probe.push(x % 0x210000, 2 ** 40 + (x % 6000));
    }
    for (const pfn of probe) {
      const want = flat.findIndex((r) => r.start <= pfn && pfn < r.end);
      const got = t.find(pfn);
      expect(got < 0 ? -1 : t.starts[got], `pfn ${pfn}`).toBe(want < 0 ? -1 : flat[want]!.start);
    }
  });

  it('needs one granule per aligned range of the 2s-cxl layout', () => {
    const topo: Topology = {
      name: 't',
      nodes: [node(0, { pfn_ranges: [{ start: 0, end: 0x100000, kind: 'lru' }] }), node(2, { pfn_ranges: [{ start: 0x200000, end: 0x400000, kind: 'lru' }] })],
    };
    expect(new RangeTable(topo).granules.length).toBe(4);
  });
});

describe('PageState', () => {
  it('hashed: each page\'s state and count follow it when the table doubles, and onRehash says so', () => {
    const ps = new PageState([{ start: 0, end: 2 ** 40, slow: true }], 3, true, 2 ** 12);
    expect(ps.dense).toBe(false);
    let rehashes = 0;
    ps.onRehash = () => rehashes++;
    const want = new Map<number, number>(); // offset -> state
    for (let i = 0; i < 20000; i++) {
      const off = ((i * 2654435761) % 2 ** 32) * 16;
      const k = ps.indexOf(off);
      expect(ps.find(off)).toBe(k); // the index given is the page's index now
      if (!want.has(off)) {
        ps.state[k] = 1 + (i % 255);
        want.set(off, 1 + (i % 255));
      }
      ps.counts![k]!++;
    }
    // 20 000 pages at load <= 3/4: 2048 positions doubled 4 times, to 2^15, the columns with them.
    expect(rehashes).toBe(4);
    expect(ps.state.length).toBe(2 ** 15);
    expect(ps.counts!.length).toBe(2 ** 15);
    for (const [off, v] of want) expect(ps.state[ps.find(off)]).toBe(v);
    expect(ps.size).toBe(want.size);
  });

  it('hashed: a large table keeps its columns in one buffer past 32 MiB (mapped by malloc, returned whole), values intact', () => {
    // 64-bit keys (2^40 pages), two-byte state (node ids above 125), slots and counts: every column kind in one buffer.
    const ps = new PageState([{ start: 0, end: 2 ** 40, slow: true }], 200, true);
    ps.enableSlots();
    const want = new Map<number, [number, number, number]>(); // offset -> state, slot, count
    for (let i = 0; i < 100_000; i++) {
      const off = ((i * 2654435761) % 2 ** 32) * 4099;
      const k = ps.indexOf(off);
      const w = want.get(off) ?? [300 + (i % 1000), i, 0];
      w[2]++;
      want.set(off, w);
      ps.state[k] = w[0];
      ps.slot![k] = w[1];
      ps.counts![k] = w[2];
    }
    expect(ps.state).toBeInstanceOf(Uint16Array);
    for (const [off, [st, slot, count]] of want) {
      const k = ps.find(off);
      expect([ps.state[k], ps.slot![k], ps.counts![k]]).toEqual([st, slot, count]);
    }
    const b = ps.state.buffer;
    expect(ps.slot!.buffer).toBe(b);
    expect(ps.counts!.buffer).toBe(b);
    expect(b.byteLength).toBeGreaterThan(32 * 2 ** 20);
    // A small table's columns are arrays of their own.
    const small = new PageState([{ start: 0, end: 2 ** 40, slow: true }], 3, true);
    for (let i = 0; i < 3000; i++) small.indexOf(i * 977);
    expect(small.state.buffer.byteLength).toBe(small.state.length);
  });

  it('hashed: the slot column follows the pages too, once enabled', () => {
    const ps = new PageState([{ start: 0, end: 2 ** 30, slow: true }], 3, false);
    const slots = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const off = i * 40503;
      const k = ps.indexOf(off);
      if (i === 100) ps.enableSlots();
      if (ps.slot !== null) {
        ps.slot[k] = i;
        slots.set(off, i);
      }
    }
    for (const [off, v] of slots) expect(ps.slot![ps.find(off)]).toBe(v);
  });

  // Regions of 2^40 pages (keys of 64 bits) and of 2^31 pages over two ranges (keys of 32 bits).
  for (const regions of [
    [{ start: 0, end: 2 ** 40, slow: true }],
    [
      { start: 0x200000, end: 0x200000 + 2 ** 30, slow: true },
      { start: 2 ** 36, end: 2 ** 36 + 2 ** 30, slow: true },
    ],
  ]) {
    const pages = regions.reduce((n, r) => n + r.end - r.start, 0);
    it(`hashed (${pages} pages): finds each page again through growth and counts per page`, () => {
      const ps = new PageState(regions, 3, true);
      expect(ps.dense).toBe(false);
      const want = new Map<number, number>(); // pfn -> accesses
      for (let i = 0; i < 5000; i++) {
        const off = ((i * 7919) % 3001) * Math.floor(pages / 3001); // up to the regions' end: 64-bit keys for 2^40
        const r = off < regions[0]!.end - regions[0]!.start ? 0 : 1;
        const pfn = regions[r]!.start + off - (r === 0 ? 0 : regions[0]!.end - regions[0]!.start);
        const k = ps.index(pfn, r, true);
        expect(ps.index(pfn, r, false)).toBe(k);
        want.set(pfn, (want.get(pfn) ?? 0) + 1);
        ps.counts![k]!++;
      }
      let sum = 0;
      const seen = new Map<number, number>();
      ps.forEachCount((pfn, n) => {
        seen.set(pfn, n);
        sum += n;
      });
      expect(seen).toEqual(want); // every page, at its own pfn, with its own count
      expect(sum).toBe(5000);
      expect(ps.find(12345)).toBe(-1);
      expect(ps.index(regions[0]!.start + 1, 0, false)).toBe(-1);
      expect(ps.size).toBe(want.size);
    });
  }

  it('dense: index = base + offset; two bytes of state for node ids above 125', () => {
    // 4 + 2 * 125 + 1 = 255: the largest moved state of a byte (page-state.ts).
    expect(new PageState([{ start: 10, end: 20, slow: true }], 125, false).state).toBeInstanceOf(Uint8Array);
    expect(new PageState([{ start: 10, end: 20, slow: true }], 126, false).state).toBeInstanceOf(Uint16Array);
    const ps = new PageState([{ start: 10, end: 20, slow: true }, { start: 100, end: 110, slow: false }], 200, false);
    expect(ps.dense).toBe(true);
    expect(ps.index(105, 1, false)).toBe(15);
    expect(ps.offset(105, 1)).toBe(15);
    expect(ps.state).toBeInstanceOf(Uint16Array);
    expect(ps.counts).toBeNull();
  });
});
