/**
 * PageTally and RfcV1Engine.pauseCounts()/addCounts()/resumeCounts(): page counts kept on another thread and added at
 * the end equal the engine's own, counted by brute force too.
 */
import { describe, expect, it } from 'vitest';
import { PageTally } from '../../src/engine/page-tally.js';
import type { Topology } from '../../src/engine/topology.js';
import { engine, mixedCxlTrace, node, pageCountsOf, SPEC_2S_CXL, SPEC_2S_CXL_HASHED } from './helpers.js';

/** Ranges that meet inside granules (mixed granules: the range table decides), a slow nonlru and a device range. */
const MIXED: Topology = {
  name: 'mixed',
  nodes: [
    node(0, { cpus: [0], pfn_ranges: [{ start: 0x100, end: 0x1003, kind: 'lru' }, { start: 0x5000, end: 0x5005, kind: 'nonlru' }] }),
    node(1, {
      adistance: 2880,
      pfn_ranges: [
        { start: 0x1003, end: 0x2001, kind: 'lru' },
        { start: 0x2001, end: 0x2100, kind: 'nonlru' },
        { start: 0x2100, end: 0x2107, kind: 'device' },
        { start: 0x3000, end: 0x4000, kind: 'lru' },
      ],
    }),
  ],
};

type Rec = [number, number, number, number];

function columns(recs: readonly Rec[]) {
  const n = recs.length;
  const P = new Float64Array(n);
  const N = new Int32Array(n);
  const S = new Int32Array(n);
  const T = new Float64Array(n);
  recs.forEach(([p, nid, src, t], i) => {
    P[i] = p;
    N[i] = nid;
    S[i] = src;
    T[i] = t;
  });
  return { P, N, S, T, n };
}

function feed(e: ReturnType<typeof engine>, recs: readonly Rec[]): void {
  const c = columns(recs);
  e.record_batch(c.P, c.N, c.S, c.T, c.n);
}


/** A trace over [lo, hi + 50): pfns across ranges and gaps, and 30 % to the 8 pages from `hot` (carries). */
function trace(seed: number, records: number, lo: number, hi: number, hot: number): Rec[] {
  let x = seed;
  const r = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296;
  const out: Rec[] = [];
  for (let i = 0; i < records; i++) {
    const k = r();
    const pfn = k < 0.3 ? hot + Math.floor(r() * 8) : k < 0.95 ? lo + Math.floor(r() * (hi - lo)) : hi + Math.floor(r() * 50);
    out.push([pfn, 0, k < 0.5 ? 0 : 1, 4_294_892_296 + Math.floor(i / 7)]);
  }
  return out;
}

describe('page counts kept apart (page-tally.ts)', () => {
  for (const [name, topo, recs] of [
    ['2s-cxl', SPEC_2S_CXL, mixedCxlTrace(3, 60_000, 40).map(([p, , s, t]): Rec => [p, 0, s, t])],
    ['mixed granules, nonlru and device ranges', MIXED, trace(5, 60_000, 0xf0, 0x4010, 0x1ffd)],
  ] as const) {
    it(`a tally of every record, added to an engine paused before its first, gives its counts: ${name}`, () => {
      const whole = engine(topo, { page_counts: true });
      feed(whole, recs);
      whole.finish();
      const want = pageCountsOf(whole);
      // By brute force: the pages of the slow-tier LRU ranges, T0 the top-tier pfns.
      const top = new Set(topo.nodes.filter((n) => n.cpus.length > 0).map((n) => n.id));
      const m = new Map<number, number>();
      let t0 = 0;
      for (const [p] of recs)
        for (const n of topo.nodes)
          for (const r of n.pfn_ranges)
            if (p >= r.start && p < r.end) {
              if (top.has(n.id)) t0++;
              else if (r.kind === 'lru') m.set(p, (m.get(p) ?? 0) + 1);
            }
      expect(want.home_toptier).toBe(t0);
      expect(want.pages).toEqual([...m].sort((a, b) => a[0] - b[0]));
      expect(Math.max(...m.values())).toBeGreaterThan(600); // carries, twice over

      const split = engine(topo, { page_counts: true });
      expect(split.pauseCounts()).toBe(true);
      const tally = new PageTally(topo);
      feed(split, recs);
      tally.count(columns(recs).P, 0, recs.length);
      split.addCounts(tally.snapshot());
      split.resumeCounts();
      split.finish();
      expect(pageCountsOf(split)).toEqual(want);
      expect(split.counters()).toEqual(whole.counters());
    });

    it(`counts split between the engine and two tallies, in any order of records, add up: ${name}`, () => {
      const whole = engine(topo, { page_counts: true });
      feed(whole, recs);
      whole.finish();
      const e = engine(topo, { page_counts: true });
      feed(e, recs.slice(0, 10_000)); // counted by the engine, before the pause
      expect(e.pauseCounts()).toBe(true);
      const a = new PageTally(topo);
      const b = new PageTally(topo);
      const mid = columns(recs.slice(10_000, 50_000));
      // Every third block of 700 records to the second tally, as blocks parsed on the engine's thread.
      for (let at = 0; at < mid.n; at += 700) (at % 2100 === 1400 ? b : a).count(mid.P, at, Math.min(mid.n, at + 700));
      e.record_batch(mid.P, mid.N, mid.S, mid.T, mid.n);
      e.addCounts(a.snapshot());
      e.addCounts(b.snapshot());
      e.resumeCounts();
      feed(e, recs.slice(50_000)); // counted by the engine again
      e.finish();
      expect(pageCountsOf(e)).toEqual(pageCountsOf(whole));
    });
  }

  it('is not taken where the tallies would not match the engine: no counts, hashed page state, --demotion', () => {
    expect(engine(SPEC_2S_CXL).pauseCounts()).toBe(false);
    expect(engine(SPEC_2S_CXL_HASHED, { page_counts: true }).pauseCounts()).toBe(false);
    expect(engine(SPEC_2S_CXL, { page_counts: true, demotion: true }).pauseCounts()).toBe(false);
  });
});
