/**
 * pghot on pfn ranges that do not start on a 128 MiB memory section (issue 8 section 4), derived by hand
 * from mm/pghot.c (the modelled 2026 variant): pghot_setup_hot_map() gives a section a hot map only when
 * its first pfn is online and on a lower-tier node; kmigrated_do_work() of node N walks only the sections
 * whose first pfn is on N; kmigrated_walk_zone() skips folios of other nodes.
 *
 * Sections are 0x8000 pages (4 KiB pages). Topology:
 *   node 0 DRAM, cpus, [0x0, 0xc000)        owns sections 0 and 1
 *   node 4 CXL,        [0xc000, 0x10000)    inside section 1, owned by top-tier node 0: no hot map
 *   node 2 CXL,        [0x10000, 0x14000)   owns section 2
 *   node 3 CXL,        [0x14000, 0x20000)   second half of section 2 (owner 2), owns section 3
 *   node 5 CXL,        [0x28100, 0x30000)   section 5's first pfn 0x28000 is in no range: no hot map
 * HZ 250, default mode, threshold 2, target node 0, kmigrated every 25 jiffies from T0 = 0.
 */
import { describe, expect, it } from 'vitest';
import { PghotEngine } from '../../src/engine/pghot.js';
import type { NodeSpec, Topology } from '../../src/engine/topology.js';

function node(id: number, start: number, end: number, over: Partial<NodeSpec> = {}): NodeSpec {
  return { id, cpus: [], adistance: 2880, pfn_ranges: [{ start, end, kind: 'lru' }], free_pages: null, high_wmark_pages: 0, ...over };
}

const TOPO: Topology = {
  name: 'unaligned',
  nodes: [
    node(0, 0x0, 0xc000, { cpus: [0, 1], adistance: 576 }),
    node(2, 0x10000, 0x14000),
    node(3, 0x14000, 0x20000),
    node(4, 0xc000, 0x10000),
    node(5, 0x28100, 0x30000),
  ].sort((a, b) => a.id - b.id),
};

const A = 0x10005; // node 2, section 2 (owner 2)
const B = 0x15000; // node 3, section 2 (owner 2)
const C = 0x18010; // node 3, section 3 (owner 3)
const D = 0xc100; //  node 4, section 1 (owner 0, top tier)
const E = 0x28200; // node 5, section 5 (first pfn offline)

function counters(e: PghotEngine): Record<string, number> {
  return Object.fromEntries(e.counters().map((c) => [c.name, c.value]));
}

describe('pghot: sections belong to the node of their first pfn', () => {
  it('a ready page of node 3 in a section that starts on node 2 is never migrated', () => {
    const e = new PghotEngine({ hz: 250, topology: TOPO, precise: false });
    for (const pfn of [A, B, C, D, E]) {
      e.record_access(pfn, 0, 0, 0);
      e.record_access(pfn, 0, 0, 1); // second access: frequency 2 >= 2, READY (A, B, C)
    }
    // Pass at 25: kmigrated2 (activated by A) walks section 2: takes A, skips B (folio_nid 3 != 2).
    // kmigrated3 (activated by B and C) walks only section 3 (its first pfn is on node 3): takes C.
    // Then B's READY record is left where no walk will ever take it.
    e.record_access(B, 0, 0, 100); // B again: still READY (sticky), activates node 3 again
    e.record_access(B, 0, 0, 101);
    e.finish(); // passes 25, 50, 75, 100 before t 100, and the final one at 125: kmigrated3 runs, walks nothing
    const c = counters(e);
    expect(c.pghot_recorded_hwhints).toBe(12);
    expect(c.pghot_recorded_accesses).toBe(8); // A, C twice, B four times; D and E never reach a record
    expect(c.kpromo_pghot_ready).toBe(5); // A, B, C at t 1; B at 100 and 101
    expect(c.kpromo_kmigrated_runs).toBe(3); // nodes 2 and 3 at 25, node 3 at 125
    expect(c.kpromo_kmigrated_examined).toBe(2);
    expect(c.numa_pages_migrated).toBe(2);
    expect([A, B, C, D, E].map((p) => e.pfn_to_nid(p))).toEqual([0, 3, 0, 4, 5]);
    expect(e.summary().tracked).toBe(1); // B's record
    expect(e.summary().unexamined).toEqual([{ hot_node: 0, records: 1, reason: expect.stringContaining('begin on another node') }]);
    expect(e.record_of(B) & 0x80).toBe(0x80); // still READY
    expect(e.summary().ignored.find((i) => i.reason === 'no_hot_map')).toEqual({
      reason: 'no_hot_map',
      accesses: 4,
      share: 4 / 12,
      lowest_pfn: D,
      highest_pfn: E,
    });
  });

  it('the owner walks a section whose HOT bit another node set, and still skips that node`s pages', () => {
    const e = new PghotEngine({ hz: 250, topology: TOPO, precise: false });
    // Only B turns READY: section 2's HOT bit is set, node 3 is activated. kmigrated3 does not walk
    // section 2; kmigrated2 is not activated, so nobody walks it at 25.
    e.record_access(B, 0, 0, 0);
    e.record_access(B, 0, 0, 1);
    // At 30 A turns READY: node 2 activated; at the pass at 50 kmigrated2 finds the HOT bit still set
    // (set by B at t 1), walks section 2, takes A and skips B.
    e.record_access(A, 0, 0, 30);
    e.record_access(A, 0, 0, 31);
    e.finish(); // final pass at 50
    const c = counters(e);
    expect(c.kpromo_kmigrated_runs).toBe(2); // node 3 at 25, node 2 at 50
    expect(c.kpromo_kmigrated_examined).toBe(1);
    expect(c.numa_pages_migrated).toBe(1);
    expect([e.pfn_to_nid(A), e.pfn_to_nid(B)]).toEqual([0, 3]);
    expect(e.summary().unexamined.map((u) => [u.hot_node, u.records])).toEqual([[0, 1]]); // B, stranded
  });

  it('section-aligned ranges behave as before: each node walks its own sections', () => {
    const aligned: Topology = {
      name: 'aligned',
      nodes: [node(0, 0x0, 0x10000, { cpus: [0], adistance: 576 }), node(2, 0x10000, 0x18000), node(3, 0x18000, 0x20000)],
    };
    const e = new PghotEngine({ hz: 250, topology: aligned, precise: false });
    for (const pfn of [0x10005, 0x18005]) {
      e.record_access(pfn, 0, 0, 0);
      e.record_access(pfn, 0, 0, 1);
    }
    e.finish();
    expect(counters(e).numa_pages_migrated).toBe(2);
    expect(e.summary().ignored.every((i) => i.accesses === 0)).toBe(true);
    expect(e.summary().unexamined).toEqual([]);
  });
});
