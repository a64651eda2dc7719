/**
 * rfc-v1 against counters derived by hand from mm/kpromoted.c as posted (SPEC section 2).
 * Each case says how its numbers follow from the patch before the engine is asked.
 */
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../src/engine/topology.js';
import { engine, node, run, SPEC_2S_CXL } from './helpers.js';

const HW = 0;
const PGT = 1;
type Rec = readonly [number, number, number, number];

/** SPEC section 6, as data. */
const WORKED: Rec[] = [
  [0x200000, 0, HW, 1000],
  [0x200001, 0, HW, 1000],
  [0x200001, 0, HW, 1001],
  [0x200002, 1, PGT, 1002],
  [0x200002, 1, PGT, 1002],
  [0x200003, -1, PGT, 1003],
  [0x1000, 0, HW, 1004],
  [0x500000, 0, HW, 1005],
  [0x200004, 0, 7, 1006],
  [0x200000, 0, HW, 1300],
];

/** One DRAM node with CPUs (0) and one CXL node without (1); node 0 may have a budget. */
function dramCxl(budget?: { free_pages: number; high_wmark_pages: number }): Topology {
  return {
    name: 'dram+cxl',
    nodes: [
      node(0, { cpus: [0, 1], pfn_ranges: [{ start: 0, end: 0x100000, kind: 'lru' }], ...budget }),
      node(1, { adistance: 2880, pfn_ranges: [{ start: 0x100000, end: 0x200000, kind: 'lru' }] }),
    ],
  };
}

describe('rfc-v1: SPEC worked example', () => {
  it('gives the SPEC counters and events', () => {
    const r = run(engine(), WORKED);
    expect(r.counters).toEqual({
      recorded_accesses: 10,
      recorded_hwhints: 6,
      recorded_pgtscans: 3,
      record_toptier: 2,
      record_added: 5,
      record_exists: 2,
      mig_right_node: 0,
      mig_non_lru: 0,
      mig_cold_old: 0,
      mig_cold_not_accessed: 1,
      mig_candidate: 4,
      mig_promoted: 4,
      mig_dropped: 1,
      numa_pages_migrated: 4,
    });
    expect(r.events).toEqual([
      '1250,0,2097153,2,0,dropped_not_accessed',
      '1250,0,2097156,2,0,promoted',
      '1250,0,2097152,2,0,promoted',
      '1250,1,2097154,2,1,promoted',
      '1250,1,2097155,2,1,promoted',
    ]);
    expect(r.summary.passes).toBe(2); // 1250, and the final pass at 1500
    expect(r.summary.last_pass).toBe(1500);
    expect(r.summary.tracked).toBe(0);
  });
});

describe('rfc-v1: kpromoted_record_access()', () => {
  it('counts sources: 0 hwhints, 1 pgtscans, anything else only as an access', () => {
    const r = run(engine(), [
      [0x10, 0, 0, 5],
      [0x10, 0, 1, 5],
      [0x10, 0, 2, 5],
      [0x10, 0, 99, 5],
    ]);
    expect(r.counters.recorded_accesses).toBe(4);
    expect(r.counters.recorded_hwhints).toBe(1);
    expect(r.counters.recorded_pgtscans).toBe(1);
    expect(r.counters.record_toptier).toBe(4); // 0x10 is node 0 DRAM
  });

  it('records nothing for pfns in no range, nonlru or device ranges, with no counter', () => {
    const topo: Topology = {
      name: 'kinds',
      nodes: [
        node(0, { cpus: [0], pfn_ranges: [{ start: 0, end: 0x100, kind: 'lru' }] }),
        node(1, {
          adistance: 2880,
          pfn_ranges: [
            { start: 0x100, end: 0x200, kind: 'nonlru' },
            { start: 0x200, end: 0x300, kind: 'device' },
            { start: 0x300, end: 0x400, kind: 'lru' },
          ],
        }),
      ],
    };
    const r = run(engine(topo), [
      [0x150, 0, HW, 1],
      [0x250, 0, HW, 1],
      [0x999, 0, HW, 1],
      [0x350, 0, HW, 1],
    ]);
    expect(r.counters.recorded_accesses).toBe(4);
    expect(r.counters.record_toptier).toBe(0);
    expect(r.counters.record_added).toBe(1); // only 0x350
    expect(r.counters.mig_promoted).toBe(1);
    expect(r.counters.mig_non_lru).toBe(0);
    expect(r.events).toEqual(['251,0,848,1,0,promoted']); // T0 = 1, D = 250
  });

  it('window test as posted: new record -> 2, same jiffy -> ++, later jiffy -> 1', () => {
    // 0x100000 at 10 (new: 1, then (10-10)=0 <= 1250 -> 2), at 10 again (-> 3), at 11 ((10-11) wraps -> 1, last_update 11),
    // at 11 again ((11-11)=0 -> 2). Pass at 260: frequency 2 >= 2 -> promoted.
    const r = run(engine(dramCxl()), [
      [0x100000, 0, HW, 10],
      [0x100000, 0, HW, 10],
      [0x100000, 0, HW, 11],
      [0x100000, 0, HW, 11],
    ]);
    expect(r.counters.record_added).toBe(1);
    expect(r.counters.record_exists).toBe(3);
    expect(r.counters.mig_promoted).toBe(1);

    // Same page, ending on a later jiffy: frequency 1 at the pass -> cold_not_accessed, dropped.
    const r2 = run(engine(dramCxl()), [
      [0x100000, 0, HW, 10],
      [0x100000, 0, HW, 10],
      [0x100000, 0, HW, 12],
    ]);
    expect(r2.counters.mig_cold_not_accessed).toBe(1);
    expect(r2.counters.mig_dropped).toBe(1);
    expect(r2.events).toEqual(['260,0,1048576,1,0,dropped_not_accessed']);
  });

  it('window test with out-of-order times: earlier by <= window increments, by more resets', () => {
    // 0x100001 at 2000 (freq 2, last_update 2000), then at 800: (2000-800)=1200 <= 1250 -> freq 3.
    // 0x100002 at 2000 (freq 2), then at 700: 1300 > 1250 -> freq 1, last_update 700.
    // Pass at 2250: 0x100001 promoted; 0x100002: (2250-700)=1550 <= 2500, freq 1 -> not accessed.
    const r = run(engine(dramCxl()), [
      [0x100001, 0, HW, 2000],
      [0x100002, 0, HW, 2000],
      [0x100001, 0, HW, 800],
      [0x100002, 0, HW, 700],
    ]);
    expect(r.counters.mig_promoted).toBe(1);
    expect(r.counters.mig_cold_not_accessed).toBe(1);
    expect(r.summary.first_pass).toBe(2250);
  });

  it('sends NUMA_NO_NODE to --default-node, and never examines records whose hot_node has no CPUs', () => {
    // 2s-cxl: hot_node 1 (default) has CPUs -> promoted; with the CXL node as default (2, no CPUs) the record stays.
    const a = run(engine(), [[0x200010, -1, PGT, 0]]);
    expect(a.events).toEqual(['250,1,2097168,2,1,promoted']);
    const b = run(engine(SPEC_2S_CXL, { default_node: 2 }), [[0x200010, -1, PGT, 0]]);
    expect(b.events).toEqual([]);
    expect(b.summary.tracked).toBe(1);
    expect(b.summary.unexamined).toEqual([{ hot_node: 2, records: 1 }]);
    // dramCxl: node 1 is the CXL node, so the patch's hard-coded node 1 never gets a daemon.
    const c = run(engine(dramCxl()), [
      [0x100010, -1, PGT, 0],
      [0x100011, 5, PGT, 0],
    ]);
    expect(c.summary.unexamined).toEqual([
      { hot_node: 1, records: 1 },
      { hot_node: 5, records: 1 },
    ]);
  });

  it('hot_node follows the last access, so a record can move between daemons', () => {
    // Accessed from node 0 then from node 1 in the same jiffy: hot_node 1, frequency 3 -> node 1's daemon promotes.
    const r = run(engine(), [
      [0x200020, 0, HW, 0],
      [0x200020, 1, HW, 0],
    ]);
    expect(r.events).toEqual(['250,1,2097184,2,1,promoted']);
  });
});

describe('rfc-v1: kpromoted_migrate() passes', () => {
  it('runs passes on the running-maximum clock; a record at a pass time sees the pass first', () => {
    // T0 = 100; passes at 350, 600, ... A record at 350 runs the 350 pass first, then is recorded; final pass at 600.
    const r = run(engine(), [
      [0x200000, 0, HW, 100],
      [0x200001, 0, HW, 350],
    ]);
    expect(r.events).toEqual(['350,0,2097152,2,0,promoted', '600,0,2097153,2,0,promoted']);
    expect(r.summary.passes).toBe(2);
  });

  it('counts idle passes over a long gap without running them one by one', () => {
    // T0 = 0, D = 250: passes at 250 .. 1,000,000 (4000 of them) run before the last record, then the final one.
    const r = run(engine(), [
      [0x200000, 0, HW, 0],
      [0x200001, 0, HW, 1_000_000],
    ]);
    expect(r.summary.passes).toBe(4001);
    expect(r.summary.last_pass).toBe(1_000_250);
    expect(r.events).toEqual(['250,0,2097152,2,0,promoted', '1000250,0,2097153,2,0,promoted']);
  });

  it('budget exhaustion: bucket order picks the winners, losers are retried until cold_old', () => {
    // Node 0: free 4, high_wmark 1, so a migration needs free > 2: two succeed (4 -> 3 -> 2), then none.
    // pfns 0x100000..7 hash (16 bits) to 25704 50736 10233 35265 60298 19794 44827 4323 (kernel-facts.md 3):
    // bucket order 0x100007, 0x100002, 0x100005, 0x100000, 0x100003, 0x100006, 0x100001, 0x100004.
    // All accessed at 0 (frequency 2). Passes 250 .. 2500 (10): 8 + 9*6 = 62 candidates, 2 promoted.
    // At 2750 the six are older than 2 * 1250 jiffies: cold_old, dropped. The record at 2750 (node 0 DRAM) is top tier.
    const recs: Rec[] = [];
    for (let i = 0; i < 8; i++) recs.push([0x100000 + i, 0, HW, 0]);
    recs.push([0x10, 0, HW, 2750]);
    const r = run(engine(dramCxl({ free_pages: 4, high_wmark_pages: 1 })), recs);
    expect(r.counters).toMatchObject({
      recorded_accesses: 9,
      record_toptier: 1,
      record_added: 8,
      mig_candidate: 62,
      mig_promoted: 2,
      mig_cold_old: 6,
      mig_dropped: 6,
      numa_pages_migrated: 2,
    });
    expect(r.events.slice(0, 8)).toEqual([
      '250,0,1048583,1,0,promoted',
      '250,0,1048578,1,0,promoted',
      '250,0,1048581,1,0,failed',
      '250,0,1048576,1,0,failed',
      '250,0,1048579,1,0,failed',
      '250,0,1048582,1,0,failed',
      '250,0,1048577,1,0,failed',
      '250,0,1048580,1,0,failed',
    ]);
    expect(r.events.filter((e) => e.startsWith('2500,'))).toHaveLength(6);
    expect(r.events.filter((e) => e.startsWith('2750,')).every((e) => e.endsWith('dropped_cold_old'))).toBe(true);
    expect(r.summary.free_pages).toEqual([{ node: 0, free_pages: 2 }]);
  });

  it('gives the source node its page back when it has a budget', () => {
    const topo: Topology = {
      name: 'both budgets',
      nodes: [
        node(0, { cpus: [0], pfn_ranges: [{ start: 0, end: 0x100000, kind: 'lru' }], free_pages: 10, high_wmark_pages: 0 }),
        node(1, { adistance: 2880, pfn_ranges: [{ start: 0x100000, end: 0x200000, kind: 'lru' }], free_pages: 5, high_wmark_pages: 0 }),
      ],
    };
    const r = run(engine(topo), [
      [0x100000, 0, HW, 0],
      [0x100001, 0, HW, 0],
    ]);
    expect(r.summary.free_pages).toEqual([
      { node: 0, free_pages: 8 },
      { node: 1, free_pages: 7 },
    ]);
  });

  it('fails migration to a node with CPUs but no memory, keeping the record until cold_old', () => {
    // Node 0 has CPUs and no memory: -EAGAIN every pass. Passes 250..2500 fail (10 candidates), 2750 cold_old.
    const topo: Topology = {
      name: 'cpu-only node 0',
      nodes: [
        node(0, { cpus: [0] }),
        node(1, { cpus: [1], pfn_ranges: [{ start: 0, end: 0x100000, kind: 'lru' }] }),
        node(2, { adistance: 2880, pfn_ranges: [{ start: 0x100000, end: 0x200000, kind: 'lru' }] }),
      ],
    };
    const r = run(engine(topo), [
      [0x100000, 0, HW, 0],
      [0x10, 1, HW, 2800],
    ]);
    expect(r.counters.mig_candidate).toBe(10);
    expect(r.counters.mig_promoted).toBe(0);
    expect(r.counters.mig_cold_old).toBe(1);
    expect(r.counters.numa_pages_migrated).toBe(0);
  });

  it('places a promoted page on its new node: later accesses are top tier', () => {
    const r = run(engine(), [
      [0x200000, 0, HW, 0],
      [0x200000, 0, HW, 300],
      [0x200000, 1, HW, 301],
    ]);
    expect(r.counters.record_toptier).toBe(2);
    expect(r.counters.record_added).toBe(1);
  });

  it('walks a bucket from its head: with one hash bit, newest record first within each bucket', () => {
    // hash_64(v, 1) is the top bit of v * 0x61C8864680B583EB mod 2^64, computed here with BigInt.
    const bit = (v: number) => Number(((BigInt(v) * 0x61c8864680b583ebn) & 0xffffffffffffffffn) >> 63n);
    const pfns = [0x200000, 0x200001, 0x200002, 0x200003, 0x200004, 0x200005];
    const r = run(
      engine(SPEC_2S_CXL, { hash_order: 1 }),
      pfns.map((p) => [p, 0, HW, 0] as const),
    );
    const expected = [0, 1].flatMap((b) =>
      pfns
        .filter((p) => bit(p) === b)
        .reverse()
        .map((p) => `250,0,${p},2,0,promoted`),
    );
    expect(r.events).toEqual(expected);
  });

  it('honours --threshold, --window and --period', () => {
    // threshold 3: a single access (frequency 2) is not enough, two in one jiffy (3) is.
    const r = run(engine(SPEC_2S_CXL, { threshold: 3 }), [
      [0x200000, 0, HW, 0],
      [0x200001, 0, HW, 0],
      [0x200001, 0, HW, 0],
    ]);
    expect(r.counters.mig_cold_not_accessed).toBe(1);
    expect(r.counters.mig_promoted).toBe(1);
    // period 100 ms at HZ 1000 -> passes every 100 jiffies; window 50 ms -> cold after 100 jiffies.
    const p = run(engine(SPEC_2S_CXL, { hz: 1000, period_ms: 100, window_ms: 50 }), [[0x200000, 0, HW, 7]]);
    expect(p.events).toEqual(['107,0,2097152,2,0,promoted']);
  });
});

describe('rfc-v1-fixed', () => {
  it('differs from rfc-v1 on the SPEC worked example exactly where the fixed window test says', () => {
    // New records start at frequency 1; 0x200001 (1000, 1001) reaches 2; 0x200002 (1002 twice) reaches 2.
    // Pass 1250: node 0: 0x200001 promoted, 0x200004 and 0x200000 not accessed; node 1: 0x200002 promoted,
    // 0x200003 not accessed. 0x200000 at 1300 is still on node 2: a new record (frequency 1), dropped at 1500.
    const r = run(engine(SPEC_2S_CXL, {}, 'rfc-v1-fixed'), WORKED);
    expect(r.counters).toEqual({
      recorded_accesses: 10,
      recorded_hwhints: 6,
      recorded_pgtscans: 3,
      record_toptier: 1,
      record_added: 6,
      record_exists: 2,
      mig_right_node: 0,
      mig_non_lru: 0,
      mig_cold_old: 0,
      mig_cold_not_accessed: 4,
      mig_candidate: 2,
      mig_promoted: 2,
      mig_dropped: 4,
      numa_pages_migrated: 2,
    });
    expect(r.events).toEqual([
      '1250,0,2097153,2,0,promoted',
      '1250,0,2097156,2,0,dropped_not_accessed',
      '1250,0,2097152,2,0,dropped_not_accessed',
      '1250,1,2097154,2,1,promoted',
      '1250,1,2097155,2,1,dropped_not_accessed',
      '1500,0,2097152,2,0,dropped_not_accessed',
    ]);
  });

  it('keeps counting across jiffies inside the window and restarts after it', () => {
    // 0 (1), 100 (2), 1300 (1300 > 1250: new window, 1) -> at the 1500 pass frequency 1.
    const r = run(engine(dramCxl(), {}, 'rfc-v1-fixed'), [
      [0x100000, 0, HW, 0],
      [0x100000, 0, HW, 100],
    ]);
    expect(r.counters.mig_promoted).toBe(1);
    const r2 = run(engine(dramCxl(), { period_ms: 10000 }, 'rfc-v1-fixed'), [
      [0x100000, 0, HW, 0],
      [0x100000, 0, HW, 100],
      [0x100000, 0, HW, 1300],
    ]);
    expect(r2.counters.mig_cold_not_accessed).toBe(1);
  });
});
