/**
 * Issue 12: the instant and static bounds of the fast-tier share. Hand-derived cases, and the fast path
 * (SlowPageCounter + the histogram selection) against a slow, obvious reference on generated traces.
 */
import { describe, expect, it } from 'vitest';
import { boundsOfPageCounts, computeBounds, promotionCapacity, sumOfLargest, tighterBound, type SlowPageCounts } from '../../src/analysis/bounds.js';
import { AnalysisCollector } from '../../src/analysis/collector.js';
import { SlowPageCounter } from '../../src/analysis/slow-page-counter.js';
import { prng } from '../prng.js';
import { memoryTiers, type Topology } from '../../src/engine/topology.js';
import { generate } from '../../src/gen/generate.js';
import { normalizeGenOptions, type GenPattern } from '../../src/gen/options.js';
import { applyBatch } from '../../src/trace/columns.js';
import type { AccessSink, BatchSink, Engine } from '../../src/engine/types.js';
import { analysisEngine, node, SPEC_2S_CXL } from '../engine/helpers.js';
import { Nodes } from '../../src/engine/nodes.js';

type Rec = readonly [number, number, number, number];

/**
 * The definitions, written for clarity: each access is classified by scanning every node's ranges,
 * counts live in a Map, and the static bound sorts every count.
 */
function reference(topo: Topology, recs: readonly Rec[]) {
  const top = new Map(memoryTiers(topo).nodes.map((t) => [t.id, t.toptier] as const));
  let t0 = 0;
  const a = new Map<number, number>();
  for (const [pfn] of recs) {
    const owner = topo.nodes.find((n) => n.pfn_ranges.some((r) => r.start <= pfn && pfn < r.end));
    if (owner === undefined) continue; // no range: N only
    const range = owner.pfn_ranges.find((r) => r.start <= pfn && pfn < r.end)!;
    if (top.get(owner.id) === true) t0++;
    else if (range.kind === 'lru') a.set(pfn, (a.get(pfn) ?? 0) + 1);
  }
  const n = recs.length;
  const counts = [...a.values()].sort((x, y) => y - x);
  let capacity: number | null = 0;
  for (const nd of topo.nodes) {
    if (top.get(nd.id) !== true || nd.pfn_ranges.length === 0) continue;
    if (nd.free_pages === null) {
      capacity = null;
      break;
    }
    capacity += Math.max(0, nd.free_pages - nd.high_wmark_pages - 1);
  }
  const instant = (t0 + counts.reduce((s, x) => s + (x - 1), 0)) / n;
  const stat = capacity === null ? null : (t0 + counts.slice(0, capacity).reduce((s, x) => s + x, 0)) / n;
  return { t0, pages: counts.length, instant, static: stat, capacity };
}

/**
 * Replays `recs` through `e` with an AnalysisCollector whose bounds come from a SlowPageCounter fed the same records:
 * one at a time, or (`batch`) as record_batch() calls of that many, as a parse thread's ring gives them.
 */
function replayWithBounds(e: ReturnType<typeof analysisEngine>, topo: Topology, recs: readonly Rec[], batch = 0) {
  const counter = new SlowPageCounter(topo, 1, 250); // period 1000 ms at HZ 250
  const col = new AnalysisCollector(e, { bounds: counter });
  e.observer = col;
  const sink = followedBy(e, counter);
  if (batch === 0) for (const [p, n, s, t] of recs) sink.record_access(p, n, s, t);
  else
    for (let i = 0; i < recs.length; i += batch) {
      const part = recs.slice(i, i + batch);
      const col4 = (k: number) => part.map((r) => r[k]!);
      sink.record_batch!(Float64Array.from(col4(0)), Int32Array.from(col4(1)), Int32Array.from(col4(2)), Float64Array.from(col4(3)), part.length);
    }
  e.finish();
  return { col, m: col.metrics(new Map(e.counters().map((c) => [c.name, c.value]))) };
}

/**
 * A sink that gives each record to `first`, then to `then`, so that `then` counts a record after the passes due
 * before it have run (and an observer has closed the accesses since the last pass), and before the passes the next
 * records run: the bounds counter, whose hits a pass's timeline rows take. Batches are cut where `first` runs passes
 * (its next_pass_time()): each piece goes to `first`, then to `then`; without that method, record by record.
 */
function followedBy(first: Engine, then: AccessSink): BatchSink {
  return {
    record_access(pfn: number, nid: number, src: number, time: number): void {
      first.record_access(pfn, nid, src, time);
      then.record_access(pfn, nid, src, time);
    },
    record_batch(pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number): void {
      if (first.next_pass_time === undefined) {
        for (let i = 0; i < n; i++) {
          first.record_access(pfn[i]!, nid[i]!, src[i]!, time[i]!);
          then.record_access(pfn[i]!, nid[i]!, src[i]!, time[i]!);
        }
        return;
      }
      let i = 0;
      while (i < n) {
        // [i, j): passes may run before record i, and none before the others (after a pass, the next one is later).
        const next = first.next_pass_time();
        let j = i + 1;
        while (j < n && time[j]! < next) j++;
        if (i === 0 && j === n) {
          applyBatch(first, pfn, nid, src, time, n);
          applyBatch(then, pfn, nid, src, time, n);
          return;
        }
        const P = pfn.subarray(i, j);
        const N = nid.subarray(i, j);
        const S = src.subarray(i, j);
        const T = time.subarray(i, j);
        applyBatch(first, P, N, S, T, j - i);
        applyBatch(then, P, N, S, T, j - i);
        i = j;
      }
    },
  };
}

function count(topo: Topology, recs: readonly Rec[], defaultNode = 1) {
  const c = new SlowPageCounter(topo, defaultNode);
  for (const [p, n, s, t] of recs) c.record_access(p, n, s, t);
  return c.bounds();
}

function countsOf(list: readonly number[]): SlowPageCounts {
  return { forEachSlowPageCount: (f) => list.forEach((x) => f(x)) };
}

/** Records of a generated trace (kpromo gen's generator), parsed back from its CSV. */
function genRecords(pattern: GenPattern, seed: number, records: number, pages: number): Rec[] {
  let text = '';
  generate(normalizeGenOptions({ pattern, seed, records, pages, duration: 20, fastFraction: 0.3 }), (c) => (text += c));
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [p, n, s, t] = l.split(',');
      return [Number(p), Number(n), s === 'pgtscan' ? 1 : s === 'hwhints' ? 0 : Number(s), Number(t)] as const;
    });
}

/** mixedTopology(40, null) with a slow tier of 2^26 pages (256 GiB): past DENSE_MAX_PAGES, so counts and state are hashed. */
function hugeSlowTier(): Topology {
  const big = mixedTopology(40, null);
  return { ...big, nodes: [big.nodes[0]!, big.nodes[1]!, { ...big.nodes[2]!, pfn_ranges: [{ start: 0x400000, end: 0x400000 + 2 ** 26, kind: 'lru' }] }] };
}

/** 2s-cxl with budgets on both DRAM nodes and a slow node cut into lru, nonlru, device and a hole. */
function mixedTopology(free0: number | null, free1: number | null): Topology {
  return {
    name: 'mixed',
    nodes: [
      node(0, {
        cpus: [0],
        pfn_ranges: [
          { start: 0, end: 0xff000, kind: 'lru' },
          { start: 0xff000, end: 0x100000, kind: 'nonlru' },
        ],
        free_pages: free0,
        high_wmark_pages: 10,
      }),
      node(1, { cpus: [1], pfn_ranges: [{ start: 0x100000, end: 0x200000, kind: 'lru' }], free_pages: free1, high_wmark_pages: 3 }),
      node(2, {
        adistance: 2880,
        pfn_ranges: [
          { start: 0x200000, end: 0x300000, kind: 'lru' },
          { start: 0x300000, end: 0x300800, kind: 'nonlru' },
          { start: 0x300800, end: 0x301000, kind: 'device' },
          { start: 0x301000, end: 0x380000, kind: 'lru' },
        ],
        free_pages: 5, // a slow node's budget is not promotion room
      }),
    ],
  };
}

describe('promotionCapacity', () => {
  it('sums max(0, free - high - 1) over top-tier nodes with memory', () => {
    expect(promotionCapacity(mixedTopology(100, 50))).toBe(100 - 10 - 1 + (50 - 3 - 1));
    // free_pages <= high_wmark_pages + 1: no migration succeeds (SPEC 2.5), room 0, not negative.
    expect(promotionCapacity(mixedTopology(11, 2))).toBe(0);
    expect(promotionCapacity(mixedTopology(12, 2))).toBe(1);
  });
  it('is null (no limit) when a top-tier node with memory has no budget', () => {
    expect(promotionCapacity(mixedTopology(100, null))).toBeNull();
    expect(promotionCapacity(SPEC_2S_CXL)).toBeNull();
  });
  it('ignores a top-tier node without memory (migration to it fails)', () => {
    const t = mixedTopology(20, 10);
    const withEmpty: Topology = { ...t, nodes: [...t.nodes, node(3, { cpus: [3] })] };
    expect(promotionCapacity(withEmpty)).toBe(9 + 6);
  });
});

describe('sumOfLargest', () => {
  it('takes the C largest counts; ties do not change the sum', () => {
    const c = countsOf([1, 5, 2, 4, 4, 1]);
    expect([0, 1, 2, 3, 4, 6, 100].map((k) => sumOfLargest(c, k))).toEqual([0, 5, 9, 13, 15, 17, 17]);
  });
  it('agrees with a full sort, counts above the dense histogram included', () => {
    let x = 7;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let trial = 0; trial < 20; trial++) {
      const list = Array.from({ length: 1 + Math.floor(rnd() * 3000) }, () =>
        rnd() < 0.02 ? 65536 + Math.floor(rnd() * 200000) : 1 + Math.floor(rnd() ** 3 * 70000),
      );
      const sorted = [...list].sort((a, b) => b - a);
      for (const k of [0, 1, 7, Math.floor(list.length / 2), list.length - 1, list.length, list.length + 5]) {
        expect(sumOfLargest(countsOf(list), k)).toBe(sorted.slice(0, k).reduce((s, v) => s + v, 0));
      }
    }
  });
});

describe('bounds, hand-derived', () => {
  it('rfc-v1 reaches the instant bound exactly when each slow page is promoted between its first and second access', () => {
    // 0x1000: node 0 (top tier): T0 = 1. 0x200000: node 2, a = 3. N = 4; instant = (1 + 2) / 4.
    // rfc-v1: the first access makes a record of frequency 2 (hot_node 0); the pass at 1250 promotes it;
    // the accesses at 1300 and 1400 hit node 0: record_toptier = 3, share 3/4 = the instant bound.
    const recs: Rec[] = [[0x1000, 0, 0, 1000], [0x200000, 0, 0, 1000], [0x200000, 0, 0, 1300], [0x200000, 0, 0, 1400]];
    // The same rows when the records come in batches across the pass (a batch goes to the engine, then to the counter:
    // it must be cut at the pass, or the pass's rows miss the hits before it).
    for (const batch of [1, 3, 4]) {
      const { col } = replayWithBounds(analysisEngine(), SPEC_2S_CXL, recs, batch);
      expect(col.timeline().map((r) => [r.time, r.instant_hits]), `batches of ${batch}`).toEqual([[1250, 1], [1500, 2]]);
    }
    const { col, m } = replayWithBounds(analysisEngine(), SPEC_2S_CXL, recs);
    expect(m.fast_tier_share).toBe(3 / 4);
    expect(m.bounds).toMatchObject({ accesses: 4, toptier_at_start: 1, slow_pages: 1, slow_page_accesses: 3, instant_hits: 3, instant: 3 / 4 });
    expect(m.bounds!.share_of_instant).toBe(1);
    expect(m.bounds!.capacity).toBeNull();
    expect(m.bounds!.static).toBeNull(); // no budgets: no capacity limit, left out
    expect(m.bounds!.share_of_static).toBeNull();
    // Rows: pass 1250 saw 0x1000 (T0) and the page's first access; the final pass 1500 saw its two repeats.
    expect(col.timeline().map((r) => [r.time, r.node, r.accesses, r.toptier_accesses, r.instant_hits, r.instant_bound])).toEqual([
      [1250, 0, 2, 1, 1, 1 / 2],
      [1500, 0, 2, 2, 2, 1],
    ]);
  });

  it('the SPEC worked example: instant 4/10, share 2/10 is half of it', () => {
    // T0: 0x1000 only (0x200000 at 1300 was promoted, but its range is node 2's). Slow pages: 0x200000 x2,
    // 0x200001 x2, 0x200002 x2, 0x200003, 0x200004: sum(a - 1) = 3. 0x500000 is in no range: N only.
    const b = count(SPEC_2S_CXL, [
      [0x200000, 0, 0, 1000], [0x200001, 0, 0, 1000], [0x200001, 0, 0, 1001], [0x200002, 1, 1, 1002], [0x200002, 1, 1, 1002],
      [0x200003, -1, 1, 1003], [0x1000, 0, 0, 1004], [0x500000, 0, 0, 1005], [0x200004, 0, 7, 1006], [0x200000, 0, 0, 1300],
    ]);
    expect(b).toMatchObject({ accesses: 10, toptier_at_start: 1, slow_pages: 5, slow_page_accesses: 8, instant: 4 / 10 });
  });

  it('with budgets the static bound takes the C most accessed slow pages', () => {
    // Node 0: free 13, high 10 -> room 2; node 1: free 5, high 3 -> room 1; C = 3.
    // Slow pages: P1 x5, P2 x4, P3 x4, P4 x2, P5 x1; T0: two accesses to node 1.
    // static = (2 + 5 + 4 + 4) / (2 + 16); instant = (2 + 4 + 3 + 3 + 1 + 0) / 18.
    const topo = mixedTopology(13, 5);
    const P = [0x200010, 0x200020, 0x301000, 0x200030, 0x37ffff];
    const recs: Rec[] = [];
    let t = 1000;
    const times = [5, 4, 4, 2, 1];
    // Interleave so that the most accessed page is not the first seen.
    for (let round = 0; round < 5; round++) for (let i = P.length - 1; i >= 0; i--) if (round < times[i]!) recs.push([P[i]!, 0, 0, t++]);
    recs.push([0x100001, 1, 0, t++], [0x100002, 1, 0, t++]);
    const b = count(topo, recs);
    expect(b.capacity).toBe(3);
    expect(b.static_hits).toBe(2 + 5 + 4 + 4);
    expect(b.static).toBe(15 / 18);
    expect(b.instant).toBe((2 + 4 + 3 + 3 + 1) / 18);
    const ref = reference(topo, recs);
    expect([b.toptier_at_start, b.slow_pages, b.capacity, b.instant, b.static]).toEqual([ref.t0, ref.pages, ref.capacity, ref.instant, ref.static]);
  });

  it('a slow tier too large for one dense array (hashed page store): the same as the reference', () => {
    const topo = hugeSlowTier();
    const rnd = prng(77);
    const recs: Rec[] = [];
    for (let i = 0; i < 30_000; i++) {
      const u = rnd();
      const pfn = u < 0.2 ? Math.floor(rnd() * 0x200000) : 0x400000 + Math.floor(rnd() * (u < 0.6 ? 3000 : 2 ** 26));
      recs.push([pfn, 0, 0, 1000 + i]);
    }
    const b = count(topo, recs);
    const ref = reference(topo, recs);
    expect(ref.pages).toBeGreaterThan(5000);
    expect([b.toptier_at_start, b.slow_pages, b.capacity, b.instant, b.static]).toEqual([ref.t0, ref.pages, ref.capacity, ref.instant, ref.static]);
  });

  it('pages accessed 256 times and more (a count past its byte), dense and hashed: the same as the reference', () => {
    // Counts are a byte a page plus carries (page-state.ts): a page whose byte wraps to 0 is not new again.
    const big = mixedTopology(40, null);
    const hashed: Topology = { ...big, nodes: [big.nodes[0]!, big.nodes[1]!, { ...big.nodes[2]!, pfn_ranges: [{ start: 0x400000, end: 0x400000 + 2 ** 26, kind: 'lru' }] }] };
    const rnd = prng(5);
    for (const [topo, base, span] of [[big, 0x200000, 0x100000], [hashed, 0x400000, 2 ** 26]] as const) {
      const recs: Rec[] = [];
      for (let i = 0; i < 20_000; i++) {
        // Every fourth access to one of 6 hot pages (about 830 each), the rest spread (the hashed table grows meanwhile).
        const pfn = i % 4 === 0 ? base + 17 * ((i / 4) % 6) : base + Math.floor(rnd() * span);
        recs.push([pfn, 0, 0, 1000 + i]);
      }
      // And one page accessed exactly 512 times: its byte is 0, its carries 2.
      const round = base + 1001;
      for (let k = recs.filter(([p]) => p === round).length; k < 512; k++) recs.push([round, 0, 1, 30_000 + k]);
      const b = count(topo, recs);
      const ref = reference(topo, recs);
      expect([b.toptier_at_start, b.slow_pages, b.capacity, b.instant, b.static]).toEqual([ref.t0, ref.pages, ref.capacity, ref.instant, ref.static]);
      // The engine's own counts give the same.
      const e = analysisEngine(topo, { page_counts: true });
      for (const [p, n, s, t] of recs) e.record_access(p, n, s, t);
      const counts = new Map<number, number>();
      const pc = e.page_counts()!;
      pc.forEach((pfn, n) => counts.set(pfn, n));
      expect(pc.pages).toBe(counts.size); // counted without the calls, carried pages whose byte is 0 too
      expect(pc.accesses).toBe([...counts.values()].reduce((a, n) => a + n, 0)); // and their carries
      for (let k = 0; k < 6; k++) expect(counts.get(base + 17 * k)).toBe(recs.filter(([p]) => p === base + 17 * k).length);
      expect(counts.get(round)).toBe(512);
      expect(Math.max(...counts.values())).toBeGreaterThan(800);
    }
  });

  it('accesses in no range, and to non-LRU or device ranges of a slow node, count in N only', () => {
    const topo = mixedTopology(13, 5);
    const recs: Rec[] = [
      [0x500000, 0, 0, 1], // no range
      [0x390000, 0, 0, 2], // the hole in node 2's ranges
      [0x300000, 0, 0, 3], [0x300000, 0, 0, 4], // nonlru on node 2
      [0x300800, 0, 0, 5], [0x300800, 0, 0, 6], // device on node 2
      [0xff000, 0, 0, 7], // nonlru on node 0: top tier, so record_toptier and T0 both count it
      [0x200000, 0, 0, 8], [0x200000, 0, 0, 9], // one slow LRU page, twice
    ];
    const b = count(topo, recs);
    expect(b).toMatchObject({ accesses: 9, toptier_at_start: 1, slow_pages: 1, slow_page_accesses: 2, capacity: 3 });
    expect(b.instant).toBe((1 + 1) / 9);
    expect(b.static).toBe((1 + 2) / 9);
  });

  it('no accesses: no bound', () => {
    const b = computeBounds({ accesses: 0, toptier_at_start: 0, slow_pages: 0, slow_page_accesses: 0 }, countsOf([]), 5);
    expect(b.instant).toBeNull();
    expect(b.static).toBeNull();
  });
});

describe("the engine's page state gives the same bounds as the counter", () => {
  for (const [pattern, seed] of [['zipf', 11], ['mix', 12]] as const) {
    it(`${pattern}: RfcV1Engine.page_counts() == SlowPageCounter, with and without demotion`, () => {
      const recs = genRecords(pattern, seed, 20000, 3000);
      for (const topo of [SPEC_2S_CXL, mixedTopology(40, 30), mixedTopology(11, 4)]) {
        for (const demotion of [false, true]) {
          if (demotion && topo === SPEC_2S_CXL) continue; // demotion needs budgets
          const e = analysisEngine(topo, { page_counts: true, demotion });
          const counter = new SlowPageCounter(topo, 1);
          for (const [p, n, s, t] of recs) {
            e.record_access(p, n, s, t);
            counter.record_access(p, n, s, t);
          }
          e.finish();
          const fromEngine = boundsOfPageCounts(e.page_counts()!, e.counters().find((c) => c.name === 'kpromoted_recorded_accesses')!.value, topo);
          expect(fromEngine).toEqual(counter.bounds());
        }
      }
    });
  }
});

describe('bounds on generated traces', () => {
  const cases: [GenPattern, number][] = [['zipf', 1], ['phase', 2], ['scan', 3], ['mix', 4]];
  for (const [pattern, seed] of cases) {
    it(`${pattern}: the counter equals the reference, and rfc-v1's share stays under the instant bound in every row`, () => {
      const recs = genRecords(pattern, seed, 20000, 3000);
      for (const topo of [SPEC_2S_CXL, mixedTopology(40, 30), mixedTopology(2000, 3000), mixedTopology(11, 4)]) {
        const ref = reference(topo, recs);
        const b = count(topo, recs);
        expect({ t0: b.toptier_at_start, pages: b.slow_pages, capacity: b.capacity }).toEqual({ t0: ref.t0, pages: ref.pages, capacity: ref.capacity });
        expect(b.instant).toBeCloseTo(ref.instant, 12);
        if (ref.static === null) expect(b.static).toBeNull();
        else expect(b.static).toBeCloseTo(ref.static, 12);
      }
      for (const demotion of [false, true]) {
        const topo = mixedTopology(200, 150);
        const { col, m } = replayWithBounds(analysisEngine(topo, { demotion }), topo, recs);
        // In batches (as from a parse thread's ring): the same rows.
        const batched = replayWithBounds(analysisEngine(topo, { demotion }), topo, recs, 700).col.timeline();
        expect(batched.map((r) => [r.time, r.node, r.instant_hits])).toEqual(col.timeline().map((r) => [r.time, r.node, r.instant_hits]));
        expect(m.fast_tier_share!).toBeLessThanOrEqual(m.bounds!.instant!);
        // Without demotion at most C pages are ever promoted, each serving at most a_p - 1 accesses: under both bounds.
        if (!demotion) expect(m.fast_tier_share!).toBeLessThanOrEqual(tighterBound(m.bounds!)!);
        const rows = col.timeline();
        let hits = 0;
        for (const r of rows) {
          hits += r.instant_hits!;
          expect(r.toptier_accesses).toBeLessThanOrEqual(r.instant_hits!);
        }
        // The rows split the whole-trace numerator exactly.
        expect(hits).toBe(m.bounds!.instant_hits);
      }
    });
  }
});

describe("the engine's own per-row instant hits (what replay --timeline uses) equal the counter's", () => {
  /** Rows and bounds of a replay with the engine's page counts and instant hits, records one at a time or in batches. */
  function replayWithEngineBounds(e: ReturnType<typeof analysisEngine>, topo: Topology, recs: readonly Rec[], batch = 0) {
    const col = new AnalysisCollector(e, {
      bounds: {
        bounds: () => boundsOfPageCounts(e.page_counts()!, e.counters().find((c) => c.name === 'kpromoted_recorded_accesses')!.value, topo),
        take_interval_instant_hits: () => e.take_interval_instant_hits(),
      },
    });
    e.observer = col;
    if (batch === 0) for (const [p, n, s, t] of recs) e.record_access(p, n, s, t);
    else
      for (let i = 0; i < recs.length; i += batch) {
        const part = recs.slice(i, i + batch);
        const col4 = (k: number) => part.map((r) => r[k]!);
        e.record_batch(Float64Array.from(col4(0)), Int32Array.from(col4(1)), Int32Array.from(col4(2)), Float64Array.from(col4(3)), part.length);
      }
    e.finish();
    return { col, m: col.metrics(new Map(e.counters().map((c) => [c.name, c.value]))) };
  }

  /** Generated records, with accesses in no range and in nonlru and device ranges, NUMA_NO_NODE and unknown nids, and times that go back. */
  function hostile(pattern: GenPattern, seed: number): Rec[] {
    const r = prng(seed);
    return genRecords(pattern, seed, 20000, 3000).map(([p, n, s, t], i): Rec => {
      const u = r();
      const pfn = u < 0.02 ? 0x300000 + Math.floor(r() * 0x1000) : u < 0.03 ? 0x390000 + Math.floor(r() * 100) : u < 0.04 ? 0xff000 + Math.floor(r() * 0x1000) : p;
      const nid = r() < 0.05 ? -1 : r() < 0.02 ? 7 : n;
      return [pfn, nid, s, i % 97 === 0 ? t - 300 : t];
    });
  }

  const rowsOf = (col: AnalysisCollector) => col.timeline().map((row) => JSON.stringify(row));
  for (const [pattern, seed] of [['zipf', 31], ['phase', 32], ['scan', 33], ['mix', 34]] as const) {
    it(`${pattern}: every row and the bounds, with and without demotion, one record at a time and in batches`, () => {
      const recs = hostile(pattern, seed);
      let rows = 0;
      let firsts = 0;
      for (const topo of [SPEC_2S_CXL, mixedTopology(40, 30), mixedTopology(200, 150), mixedTopology(null, null)]) {
        for (const demotion of [false, true]) {
          if (demotion && (topo === SPEC_2S_CXL || topo.nodes[0]!.free_pages === null)) continue; // demotion needs budgets
          for (const variant of ['rfc-v1', 'rfc-v1-fixed'] as const) {
            const want = replayWithBounds(analysisEngine(topo, { demotion }, variant), topo, recs);
            for (const batch of [0, 700]) {
              const got = replayWithEngineBounds(analysisEngine(topo, { demotion, page_counts: true }, variant), topo, recs, batch);
              expect(rowsOf(got.col)).toEqual(rowsOf(want.col));
              expect(got.m.bounds).toEqual(want.m.bounds);
            }
            rows += want.col.timeline().length;
            firsts += want.m.bounds!.slow_pages;
          }
        }
      }
      expect(rows).toBeGreaterThan(100);
      expect(firsts).toBeGreaterThan(1000);
    });
  }

  it('a slow tier too large for one dense array (hashed page state): the same rows', () => {
    const topo = hugeSlowTier();
    const rnd = prng(78);
    const recs: Rec[] = [];
    for (let i = 0; i < 30_000; i++) {
      const u = rnd();
      const pfn = u < 0.2 ? Math.floor(rnd() * 0x200000) : u < 0.22 ? 0x300000 : 0x400000 + Math.floor(rnd() * (u < 0.7 ? 3000 : 2 ** 26));
      recs.push([pfn, rnd() < 0.5 ? 0 : 1, 0, 1000 + 7 * i]);
    }
    for (const demotion of [false, true]) {
      const want = replayWithBounds(analysisEngine(topo, { demotion }), topo, recs);
      const got = replayWithEngineBounds(analysisEngine(topo, { demotion, page_counts: true }), topo, recs, 500);
      expect(rowsOf(got.col)).toEqual(rowsOf(want.col));
      expect(got.m.bounds).toEqual(want.m.bounds);
      expect(want.col.timeline().some((row) => row.instant_hits! > 0)).toBe(true);
    }
  });
});

describe("the counter's instant hits by pass", () => {
  // Reference: each hit goes to the pass that closes it, k = floor((running max - T0) / D) + 1 (SPEC 2.3), and to its
  // hot node's daemon (or the last slot); take_interval_instant_hits(P) returns the hits so far of the passes
  // k <= round((P - T0) / D), and a later hit of a pass already taken waits for the next take.
  for (const [pattern, seed] of [['phase', 21], ['mix', 22]] as const) {
    it(`${pattern}: fed in batches of any size, between takes at pass times (some before the pass's last hit)`, () => {
      const recs = genRecords(pattern, seed, 20000, 3000);
      const D = 250;
      for (const topo of [SPEC_2S_CXL, mixedTopology(40, 30)]) {
        const nodes = new Nodes(topo);
        const tiers = new Map(memoryTiers(topo).nodes.map((t) => [t.id, t.toptier] as const));
        const seen = new Set<number>();
        const t0 = recs[0]![3];
        let max = -1;
        // Per record: its pass and slot when it is a hit, else null.
        const hits = recs.map(([p, n, , t]): [number, number] | null => {
          max = Math.max(max, t);
          const owner = topo.nodes.find((nd) => nd.pfn_ranges.some((r) => r.start <= p && p < r.end));
          const range = owner?.pfn_ranges.find((r) => r.start <= p && p < r.end);
          if (owner === undefined || range === undefined) return null;
          let hit = tiers.get(owner.id) === true;
          if (!hit) {
            if ((range.kind ?? 'lru') !== 'lru') return null;
            hit = seen.has(p);
            seen.add(p);
          }
          const hot = n === -1 ? 1 : n;
          return hit ? [Math.floor((max - t0) / D) + 1, nodes.hasDaemon(hot) ? hot : nodes.size] : null;
        });
        const pending = new Map<number, number[]>();
        const take = (upTo: number): number[] => {
          const out = new Array<number>(nodes.size + 1).fill(0);
          for (const [k, row] of pending) {
            if (k > upTo) continue;
            row.forEach((v, j) => (out[j]! += v));
            pending.delete(k);
          }
          return out;
        };
        const counter = new SlowPageCounter(topo, 1, D);
        const r = prng(seed);
        let takes = 0;
        for (let i = 0; i < recs.length; ) {
          // A batch of 1 to 700 records (now and then 4 000 to 10 000: more than the counter classifies at once), then
          // now and then a take: of the passes its records closed, or also of the pass they are in (a take before that
          // pass's last hit).
          const m = Math.min(recs.length - i, r() < 0.08 ? 4000 + Math.floor(r() * 6000) : 1 + Math.floor(r() * 700));
          const cols = { p: new Float64Array(m), n: new Int32Array(m), s: new Int32Array(m), t: new Float64Array(m) };
          for (let j = 0; j < m; j++) {
            [cols.p[j], cols.n[j], cols.s[j], cols.t[j]] = recs[i + j]!;
            const h = hits[i + j];
            if (h) {
              const row = pending.get(h[0]) ?? new Array<number>(nodes.size + 1).fill(0);
              row[h[1]]!++;
              pending.set(h[0], row);
            }
          }
          counter.record_batch(cols.p, cols.n, cols.s, cols.t, m);
          i += m;
          if (r() < 0.5) {
            const upTo = Math.floor((cols.t.reduce((a, b) => Math.max(a, b)) - t0) / D) + (r() < 0.3 ? 1 : 0);
            expect([...counter.take_interval_instant_hits(t0 + upTo * D)], `take at pass ${upTo}`).toEqual(take(upTo));
            takes++;
          }
        }
        const rest = take(Infinity);
        expect([...counter.take_interval_instant_hits(t0 + 1e9)]).toEqual(rest);
        expect(takes).toBeGreaterThan(10);
      }
    });
  }
});
