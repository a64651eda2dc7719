/** Timeline rows and metrics against the final counters, and against hand-derived values. */
import { describe, expect, it } from 'vitest';
import { AnalysisCollector } from '../../src/analysis/collector.js';
import type { Topology } from '../../src/engine/topology.js';
import { analysisEngine, mixedCxlTrace, node, SPEC_2S_CXL, SPEC_2S_CXL_HASHED } from '../engine/helpers.js';
import type { RfcV1Engine } from '../../src/engine/rfc-v1.js';

function replay(e: RfcV1Engine, recs: ReadonlyArray<readonly [number, number, number, number]>, bucketSeconds = 0) {
  const col = new AnalysisCollector(e, { bucketSeconds });
  e.observer = col;
  for (const [p, n, s, t] of recs) e.record_access(p, n, s, t);
  e.finish();
  const counters = new Map(e.counters().map((c) => [c.name, c.value]));
  return { rows: col.timeline(), metrics: col.metrics(counters), counters };
}

function rng(seed: number) {
  let x = seed;
  return () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296);
}

/** One CXL page a second for 2000 s on 2s-cxl, collected with at most 50 rows. */
function onePagePerSecond() {
  const e = analysisEngine(SPEC_2S_CXL);
  const col = new AnalysisCollector(e, { maxRows: 50 });
  e.observer = col;
  for (let i = 0; i < 2000; i++) e.record_access(0x200000 + i, 0, 0, i * 250);
  e.finish();
  return { col, rows: col.timeline() };
}

describe('AnalysisCollector', () => {
  it('SPEC worked example: rows, latency and wasted promotions by hand', () => {
    // Pass 1250: node 0 examines 3 (2 promoted, 1 dropped), node 1 examines 2 (both promoted).
    // Accesses before 1250 by target: node 0 gets 0x200000,0x200001 x2,0x1000,0x500000,0x200004 = 6 (1 top tier);
    // node 1 gets 0x200002 x2 and 0x200003 (nid -1 -> default node 1) = 3. Pass 1500: node 0's 0x200000 at 1300 (top tier).
    // Of node 0's six, 0x500000 is in no range: ignored (pfn_to_online_page() NULL), 1; node 1's three are all in ranges.
    // Latencies: 1250-1000 (0x200000), 1250-1006 (0x200004), 1250-1002, 1250-1003 jiffies = 1000, 976, 992, 988 ms at HZ 250.
    // Wasted: 0x200004, 0x200002, 0x200003 are never accessed again; 0x200000 is (at 1300).
    const { rows, metrics } = replay(analysisEngine(), [
      [0x200000, 0, 0, 1000], [0x200001, 0, 0, 1000], [0x200001, 0, 0, 1001], [0x200002, 1, 1, 1002], [0x200002, 1, 1, 1002],
      [0x200003, -1, 1, 1003], [0x1000, 0, 0, 1004], [0x500000, 0, 0, 1005], [0x200004, 0, 7, 1006], [0x200000, 0, 0, 1300],
    ]);
    expect(rows.map((r) => [r.time, r.node, r.examined, r.promoted, r.dropped_not_accessed, r.accesses, r.toptier_accesses, r.ignored_accesses])).toEqual([
      [1250, 0, 3, 2, 1, 6, 1, 1],
      [1250, 1, 2, 2, 0, 3, 0, 0],
      [1500, 0, 0, 0, 0, 1, 1, 0],
    ]);
    // Records: 0x200000..0x200004 are added before 1250 (0x1000 is top tier, 0x500000 in no range); pass 1250
    // promotes four and drops one, so 5 when it began and 0 after. At 1300 0x200000 is on node 0 (top tier): none.
    expect(rows.map((r) => [r.tracked_peak, r.tracked_after])).toEqual([[5, 0], [5, 0], [0, 0]]);
    expect(rows[0]!.seconds).toBe(1); // (1250 - 1000) / 250
    expect(metrics.fast_tier_share).toBeCloseTo(2 / 10);
    expect(metrics.latency.count).toBe(4);
    expect(metrics.latency.p50_ms).toBe(988);
    expect(metrics.latency.max_ms).toBe(1000);
    expect(metrics.wasted_promotions).toBe(3);
    expect(metrics.kernel_memory.peak_records).toBe(5);
    expect(metrics.kernel_memory.record_bytes).toBe(5 * 64);
    expect(metrics.kernel_memory.table_bytes).toBe(65536 * 40);
  });

  it('timeline columns sum to the final counters on seeded random traces, with and without buckets', () => {
    const topo: Topology = {
      name: 't',
      nodes: [
        node(0, { cpus: [0], pfn_ranges: [{ start: 0, end: 1000, kind: 'lru' }], free_pages: 50, high_wmark_pages: 2 }),
        node(1, { cpus: [1], pfn_ranges: [{ start: 1000, end: 2000, kind: 'lru' }] }),
        // pfns 3500..3999 are a non-LRU range of the slow node and 4000..4499 in no range: both ignored.
        node(2, { adistance: 2880, pfn_ranges: [{ start: 2000, end: 3500, kind: 'lru' }, { start: 3500, end: 4000, kind: 'nonlru' }] }),
      ],
    };
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      const recs: [number, number, number, number][] = [];
      let t = 0;
      for (let i = 0; i < 20000; i++) {
        t += Math.floor(r() * 3);
        recs.push([Math.floor(r() * 4500), Math.floor(r() * 5) - 1, Math.floor(r() * 2), t]);
      }
      for (const bucket of [0, 7]) {
        const e = analysisEngine(topo);
        const { rows, counters } = replay(e, recs, bucket);
        const sum = (k: keyof (typeof rows)[number]) => rows.reduce((a, row) => a + (row[k] as number), 0);
        expect(sum('accesses')).toBe(counters.get('kpromoted_recorded_accesses'));
        expect(sum('toptier_accesses')).toBe(counters.get('kpromoted_record_toptier'));
        const ignored = e.summary().ignored;
        expect(sum('ignored_accesses')).toBe(ignored.reduce((a, i) => a + i.accesses, 0));
        expect(ignored.find((i) => i.reason === 'no_range')!.accesses).toBeGreaterThan(0);
        expect(ignored.find((i) => i.reason === 'nonlru')!.accesses).toBeGreaterThan(0);
        expect(rows.every((row) => row.ignored_accesses <= row.accesses)).toBe(true);
        expect(sum('promoted')).toBe(counters.get('kpromoted_mig_promoted'));
        expect(sum('candidates')).toBe(counters.get('kpromoted_mig_candidate'));
        expect(sum('dropped_not_accessed')).toBe(counters.get('kpromoted_mig_cold_not_accessed'));
        expect(sum('dropped_cold_old')).toBe(counters.get('kpromoted_mig_cold_old'));
        expect(sum('examined')).toBe(counters.get('kpromoted_mig_candidate')! + counters.get('kpromoted_mig_dropped')!);
        // Records are added between passes and freed only by them: the peak of the rows is the engine's peak, each
        // pass began with at least what the previous one left, and failed candidates (node 0's budget) stay.
        const { metrics } = replay(analysisEngine(topo), recs, bucket);
        expect(Math.max(...rows.map((row) => row.tracked_peak))).toBe(metrics.kernel_memory.peak_records);
        for (const [i, row] of rows.entries()) {
          expect(row.tracked_peak).toBeGreaterThanOrEqual(row.tracked_after);
          if (bucket === 0 && i > 0) expect(row.tracked_peak).toBeGreaterThanOrEqual(rows[i - 1]!.tracked_after);
        }
        expect(sum('failed')).toBeGreaterThan(0);
      }
    }
  });

  it('keeps memory bounded: rows are coarsened past maxRows with totals intact', () => {
    const { rows } = onePagePerSecond();
    expect(rows.length).toBeLessThanOrEqual(100);
    expect(rows.reduce((a, r) => a + r.promoted, 0)).toBe(2000);
  });

  it('coarsens into equal time buckets (period x 2^k), so a chart of the coarsened rows has no gap', async () => {
    const { renderTerminalChart } = await import('../../src/render/chart.js');
    const { Chalk } = await import('chalk');
    // One CXL page a second for 2000 s: every pass (1 s apart) promotes one page, node 0 does all the work.
    const { col, rows } = onePagePerSecond();
    // Period 1 s doubled until at most 50 rows: 32 s buckets give 63 for 2000 s, 64 s buckets give 32.
    expect(col.rowSeconds).toBe(64);
    const buckets = rows.map((r) => Math.floor(r.seconds / 64 + 1e-9));
    expect(buckets).toEqual(buckets.map((_, i) => i)); // one row per bucket, none missing
    expect(rows.reduce((a, r) => a + r.promoted, 0)).toBe(2000);
    const promoLine = renderTerminalChart(rows, 100, new Chalk({ level: 0 }), col.rowSeconds).split('\n')[1]!;
    expect(promoLine.slice(7).trimEnd()).not.toContain(' ');
  });
});

describe('latency percentiles', () => {
  it('latencies below and above 1024 jiffies, by hand (nearest rank)', () => {
    const e = analysisEngine();
    const col = new AnalysisCollector(e);
    // HZ 250: 4 ms a jiffy. Ten promotions, latencies in jiffies: 0, 1, 1, 250, 1023, 1024, 1025 (kept as 1024),
    // 3001 (as 3000: step 4 above 2048), 5000 (step 8 above 4096: 5000), 100000 (as 99968: step 128 above 65536).
    const lat = [0, 1, 1, 250, 1023, 1024, 1025, 3001, 5000, 100000];
    for (const j of lat) col.examined(200000, 0, 0x200000, 2, 0, 0 /* OutcomeCode.Promoted */, 200000 - j);
    const l = col.latency();
    expect(l.count).toBe(10);
    // ms: 0, 4, 4, 1000, 4092, 4096, 4096, 12000, 20000, 399872.
    expect(l.p50_ms).toBe(4092); // rank 5
    expect(l.p90_ms).toBe(20000); // rank 9
    expect(l.p99_ms).toBe(399872); // rank 10
    expect(l.max_ms).toBe(399872);
    expect(l.histogram.find((h) => h.le_ms === 1)!.count).toBe(1); // 0
    expect(l.histogram.find((h) => h.le_ms === 5)!.count).toBe(2); // 4, 4 (buckets (2, 5] ms)
    expect(l.histogram.find((h) => h.le_ms === 5000)!.count).toBe(3); // 4092, 4096, 4096 in (2000, 5000] ms
  });
});

describe('latencyKey', () => {
  it('is exact below 1024 jiffies and within 0.2% above', async () => {
    const { latencyKey } = await import('../../src/analysis/collector.js');
    expect(latencyKey(0)).toBe(0);
    expect(latencyKey(1023)).toBe(1023);
    expect(latencyKey(1025)).toBe(1024); // step 2 in [1024, 2048)
    expect(latencyKey(3001)).toBe(3000); // step 4
    for (const j of [5000, 123457, 2 ** 40 + 12345]) {
      expect(latencyKey(j)).toBeLessThanOrEqual(j);
      expect((j - latencyKey(j)) / j).toBeLessThan(0.002);
    }
  });
});

describe('AnalysisCollector without rows (compare, sweep)', () => {
  const trace = () => mixedCxlTrace(7, 60000, 3000);

  it('gives the rows, metrics, page counts and counters of the one-phase loop (hashed page state) with dense page state', () => {
    // Hashed page state keeps the engine in its one-phase loop: the reference.
    const run = (rows: boolean, page_counts: boolean, topology = SPEC_2S_CXL) => {
      const e = analysisEngine(topology, { page_counts });
      const col = new AnalysisCollector(e, { rows });
      e.observer = col;
      for (const [p, n, s, t] of trace()) e.record_access(p, n, s, t);
      e.finish();
      const counters = new Map(e.counters().map((c) => [c.name, c.value]));
      const pc = e.page_counts();
      const counts: Array<[number, number]> = [];
      pc?.forEach((pfn, n) => counts.push([pfn, n]));
      counts.sort((x, y) => x[0] - y[0]);
      const pages = pc === null ? null : { home_toptier: pc.home_toptier, pages: pc.pages, counts };
      return { metrics: col.metrics(counters), counters, rows: col.timeline(), pages, blocks: e.blocksTwoPhase };
    };
    const onePhase = run(true, true, SPEC_2S_CXL_HASHED);
    expect(onePhase.counters.get('kpromoted_mig_promoted')).toBeGreaterThan(1000);
    expect(onePhase.metrics.latency.count).toBe(onePhase.counters.get('kpromoted_mig_promoted'));
    expect(onePhase.metrics.wasted_promotions).toBeGreaterThan(0);
    expect(onePhase.rows.length).toBeGreaterThan(20);
    expect(onePhase.rows.some((r) => r.accesses > 0 && r.toptier_accesses > 0 && r.toptier_accesses < r.accesses)).toBe(true);
    expect(onePhase.pages!.home_toptier).toBeGreaterThan(0);
    expect(onePhase.pages!.counts.some(([, n]) => n > 2)).toBe(true);
    expect(onePhase.blocks).toBe(0);
    for (const [rows, counts] of [[true, true], [true, false], [false, true], [false, false]] as const) {
      const two = run(rows, counts);
      // Dense page state takes the two-phase loop, with page counts (--analysis) too (phase 1 lists them).
      expect(two.blocks, `rows ${rows}, counts ${counts}`).toBeGreaterThan(0);
      expect(two.metrics).toEqual(onePhase.metrics);
      expect(two.counters).toEqual(onePhase.counters);
      expect(two.rows).toEqual(rows ? onePhase.rows : []);
      expect(two.pages).toEqual(counts ? onePhase.pages : null);
    }
  });
});
