/**
 * Accesses ignored without a counter (SPEC 2.2 step 3; issue 8 section 2), in both engines, derived by hand.
 * Topology: node 0 DRAM with CPUs, lru 0x0-0x100 and a non-LRU range 0x300-0x310 (top tier, so accesses there
 * count as record_toptier first); node 1 CXL (2880, no CPUs): lru 0x100-0x200, nonlru 0x200-0x210,
 * device 0x210-0x220. Everything else is in no range.
 */
import { describe, expect, it } from 'vitest';
import { PghotEngine } from '../../src/engine/pghot.js';
import type { Topology } from '../../src/engine/topology.js';
import { engine, node, run } from './helpers.js';

const TOPO: Topology = {
  name: 'ignored',
  nodes: [
    node(0, {
      cpus: [0],
      pfn_ranges: [
        { start: 0x0, end: 0x100, kind: 'lru' },
        { start: 0x300, end: 0x310, kind: 'nonlru' },
      ],
    }),
    node(1, {
      adistance: 2880,
      pfn_ranges: [
        { start: 0x100, end: 0x200, kind: 'lru' },
        { start: 0x200, end: 0x210, kind: 'nonlru' },
        { start: 0x210, end: 0x220, kind: 'device' },
      ],
    }),
  ],
};

// [pfn, nid, src, time]; comments give the rfc-v1 outcome (SPEC 2.2).
const TRACE: ReadonlyArray<readonly [number, number, number, number]> = [
  [0x50, 0, 0, 100], //   node 0 top tier: record_toptier
  [0x1000, 0, 0, 101], // no range
  [0x205, 0, 0, 102], //  nonlru on node 1
  [0x20f, 0, 0, 103], //  nonlru
  [0x215, 0, 0, 104], //  device
  [0x400, 0, 0, 105], //  no range
  [0x305, 0, 0, 106], //  nonlru range of a top-tier node: record_toptier (step 2 comes first), not ignored
  [0x150, 0, 0, 107], //  lru on node 1: record_added
  [0x220, 0, 0, 108], //  one past the device range's end: no range
];

describe('rfc-v1 ignored accesses', () => {
  it('counts no range, nonlru and device with share and pfn bounds, and leaves the counters alone', () => {
    const { counters, summary } = run(engine(TOPO), TRACE);
    expect(counters.recorded_accesses).toBe(9);
    expect(counters.record_toptier).toBe(2);
    expect(counters.record_added).toBe(1);
    expect(counters.record_exists).toBe(0);
    expect(summary.ignored).toEqual([
      { reason: 'no_range', accesses: 3, share: 3 / 9, lowest_pfn: 0x220, highest_pfn: 0x1000 },
      { reason: 'nonlru', accesses: 2, share: 2 / 9, lowest_pfn: 0x205, highest_pfn: 0x20f },
      { reason: 'device', accesses: 1, share: 1 / 9, lowest_pfn: 0x215, highest_pfn: 0x215 },
    ]);
  });

  it('reports zero for every reason when nothing was ignored', () => {
    const { summary } = run(engine(TOPO), [[0x150, 0, 0, 1]]);
    expect(summary.ignored.map((i) => [i.reason, i.accesses, i.share, i.lowest_pfn, i.highest_pfn])).toEqual([
      ['no_range', 0, 0, null, null],
      ['nonlru', 0, 0, null, null],
      ['device', 0, 0, null, null],
    ]);
  });

  it('a migrated page is no longer in its old range and is not ignored', () => {
    // 0x150 twice in one jiffy: frequency 3; the pass at 100 + 250 promotes it to node 0; the access at 400
    // finds it on node 0 (record_toptier), and nothing is ignored.
    const { counters, summary } = run(engine(TOPO), [
      [0x150, 0, 0, 100],
      [0x150, 0, 0, 100],
      [0x150, 0, 0, 400],
    ]);
    expect(counters.mig_promoted).toBe(1);
    expect(counters.record_toptier).toBe(1);
    expect(summary.ignored.reduce((a, i) => a + i.accesses, 0)).toBe(0);
  });
});

describe('pghot ignored accesses', () => {
  it('counts the early returns for the range (kpromo_pghot_not_lru lumps them) by reason', () => {
    // pghot_record_access(): no range / ZONE_DEVICE return first, then src_nid == nid (local), then top tier,
    // then !folio_test_lru(). With nid 0 the nonlru pages of node 1 are ignored; with nid 1 (last line) the
    // nonlru page 0x206 is local first. 0x50 and 0x305 are on node 0 = nid: local.
    // 0x150 is an LRU page of lower-tier node 1, but its 128 MiB section (pfns 0x0-0x7fff) starts on node 0,
    // which is top tier: pghot_setup_hot_map() gave the section no hot map, so the access is dropped
    // before pghot_recorded_accesses (no_hot_map).
    const e = new PghotEngine({ hz: 250, topology: TOPO, precise: false });
    for (const [pfn, nid, src, time] of [...TRACE, [0x206, 1, 0, 109] as const]) e.record_access(pfn, nid, src, time);
    e.finish();
    const c = Object.fromEntries(e.counters().map((k) => [k.name, k.value]));
    expect(c.kpromo_pghot_not_lru).toBe(6);
    expect(c.kpromo_pghot_local).toBe(3);
    expect(c.pghot_recorded_accesses).toBe(0);
    expect(c.pghot_recorded_hwhints).toBe(10);
    expect(e.summary().ignored).toEqual([
      { reason: 'no_range', accesses: 3, share: 3 / 10, lowest_pfn: 0x220, highest_pfn: 0x1000 },
      { reason: 'nonlru', accesses: 2, share: 2 / 10, lowest_pfn: 0x205, highest_pfn: 0x20f },
      { reason: 'device', accesses: 1, share: 1 / 10, lowest_pfn: 0x215, highest_pfn: 0x215 },
      { reason: 'no_hot_map', accesses: 1, share: 1 / 10, lowest_pfn: 0x150, highest_pfn: 0x150 },
    ]);
  });
});
