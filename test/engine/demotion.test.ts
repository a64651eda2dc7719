/** --demotion (kpromo's kswapd model, see src/engine/demotion.ts), derived by hand. */
import { describe, expect, it } from 'vitest';
import { demotionTargets } from '../../src/engine/demotion.js';
import { memoryTiers, type Topology } from '../../src/engine/topology.js';
import { engine, node, run, SPEC_2S_CXL } from './helpers.js';

const TOPO: Topology = {
  name: 'dram(3 free, wmark 1) + cxl',
  nodes: [
    node(0, { cpus: [0], pfn_ranges: [{ start: 0, end: 0x100000, kind: 'lru' }], free_pages: 3, high_wmark_pages: 1 }),
    node(1, { adistance: 2880, pfn_ranges: [{ start: 0x100000, end: 0x200000, kind: 'lru' }] }),
  ],
};

const TRACE = [
  [0x10, 0, 0, 0], // node 0 page: LRU of node 0 = [0x10]
  [0x100000, 0, 0, 0], // CXL page, frequency 2
  [0x11, 0, 0, 1], // LRU [0x11, 0x10]
  [0x10, 0, 0, 300],
] as const;

describe('demotion', () => {
  it('picks the next slower tier as the demotion target', () => {
    expect([...demotionTargets(memoryTiers(SPEC_2S_CXL))]).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect([...demotionTargets(memoryTiers(TOPO))]).toEqual([[0, 1]]);
  });

  it('is off by default: rfc-v1 as posted', () => {
    // Pass 250 promotes 0x100000 (free 3 -> 2); 0x10 at 300 is still on node 0 (top tier).
    const r = run(engine(TOPO), TRACE);
    expect(r.counters).toMatchObject({ record_toptier: 3, record_added: 1, mig_promoted: 1 });
    expect(r.counters).not.toHaveProperty('pgdemote_kswapd');
  });

  it('demotes least recently accessed pages when free pages reach the watermark, and counts ping-pong', () => {
    // Pass 250: 0x100000 promoted (free 2 = high_wmark + 1): kswapd demotes until free >= 2*1+2 = 4:
    // LRU order 0x10 then 0x11 -> node 1, free 4. 0x10 at 300 is on node 1: a new record (frequency 2).
    // Final pass 500: 0x10 promoted again (free 4 > 2 -> 3): a ping-pong promotion; free 3 > 2, no kswapd.
    const r = run(engine(TOPO, { demotion: true }), TRACE);
    expect(r.counters).toMatchObject({
      recorded_accesses: 4,
      record_toptier: 2,
      record_added: 2,
      mig_candidate: 2,
      mig_promoted: 2,
      numa_pages_migrated: 2,
      pgdemote_kswapd: 2,
      kpromo_pingpong_promotions: 1,
    });
    expect(r.events).toEqual(['250,0,1048576,1,0,promoted', '500,0,16,1,0,promoted']);
    expect(r.summary.free_pages).toEqual([{ node: 0, free_pages: 3 }]);
  });
});
