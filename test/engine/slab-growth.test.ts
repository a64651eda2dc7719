/**
 * The record slab's growth (rfc-v1.ts: a first slab of 4096 slots, then a reserve of 2^18 at once, then eightfold, but
 * to no more slots than the pages with state): a pass that holds more records than the first two slabs (1.1 M, all
 * created before it) keeps every record, and so does one whose slow tier has fewer pages than the eightfold slab (its
 * last growth is to as many slots as pages). With a reserve of 2^21 slots (the engine's constructor takes one) the
 * 1.1 M records fit the second slab, which is capped at the 2^21 pages of the CXL node. Expected counters
 * derived from the patch's code: each CXL page accessed twice at T0 by node 0's CPUs (hwhints) is added, then found
 * (frequency 2 >= KPRMOTED_FREQ_THRESHOLD), and the one pass (finish(): at T0 + KPROMOTE_DELAY) promotes it to node 0.
 */
import { describe, expect, it } from 'vitest';
import { RFC_V1_DEFAULTS } from '../../src/engine/config.js';
import type { Topology } from '../../src/engine/topology.js';
import { RfcV1Engine } from '../../src/engine/rfc-v1.js';
import { node, run, SPEC_2S_CXL } from './helpers.js';

/** An rfc-v1 engine whose second slab has `reserve` slots (undefined: the default). */
const engine = (topology: Topology, reserve?: number): RfcV1Engine => new RfcV1Engine({ ...RFC_V1_DEFAULTS, topology }, 'rfc-v1', reserve);

describe('record slab', () => {
  it.each([
    ['through every growth (the default reserve)', undefined],
    ['in a reserve of 2^21 slots', 1 << 21],
  ])('keeps 1.1 M records alive %s', (_, reserve) => {
    const pages = 1_100_000;
    const t0 = 4294892296;
    const trace: Array<[number, number, number, number]> = [];
    // pfns 0x200000 + k*7 mod 2^21 cover the CXL range in a scattered order, each once per round
    for (let round = 0; round < 2; round++) for (let k = 0; k < pages; k++) trace.push([0x200000 + ((k * 7) % 0x200000), 0, 0, t0]);
    const e = engine(SPEC_2S_CXL, reserve);
    const r = run(e, trace);
    expect(r.counters).toMatchObject({
      recorded_accesses: 2 * pages,
      recorded_hwhints: 2 * pages,
      recorded_pgtscans: 0,
      record_toptier: 0,
      record_added: pages,
      record_exists: pages,
      mig_right_node: 0,
      mig_cold_old: 0,
      mig_cold_not_accessed: 0,
      mig_candidate: pages,
      mig_promoted: pages,
      mig_dropped: 0,
      numa_pages_migrated: pages,
    });
    expect(r.events).toHaveLength(pages);
    expect(e.slabSlots).toBe(2 ** 21); // 2^18 then 2^21 (eightfold), or the 2^21 reserve: the CXL node's pages
    // the final pass is the first period boundary, T0 + KPROMOTE_DELAY (1000 ms = 250 jiffies at HZ 250)
    expect(r.events[0]).toMatch(/^4294892546,0,\d+,2,0,promoted$/);
  }, 60_000);

  it('grows to as many slots as the slow tier has pages, and keeps every record', () => {
    const pages = 300_000; // more than 2^18 slots, fewer than 2^21
    const t0 = 4294892296;
    const topology = {
      name: 'small-cxl',
      nodes: [
        node(0, { cpus: [0, 1], pfn_ranges: [{ start: 0, end: 0x100000, kind: 'lru' as const }] }),
        node(1, { adistance: 2880, pfn_ranges: [{ start: 0x200000, end: 0x200000 + pages, kind: 'lru' as const }] }),
      ],
    };
    const trace: Array<[number, number, number, number]> = [];
    for (let round = 0; round < 2; round++) for (let k = 0; k < pages; k++) trace.push([0x200000 + ((k * 7) % pages), 0, 1, t0]);
    const e = engine(topology);
    const r = run(e, trace);
    expect(e.slabSlots).toBe(pages); // 2^18, then as many as pages (not 2^21)
    expect(r.counters).toMatchObject({
      recorded_accesses: 2 * pages,
      recorded_hwhints: 0,
      recorded_pgtscans: 2 * pages,
      record_added: pages,
      record_exists: pages,
      mig_candidate: pages,
      mig_promoted: pages,
      mig_dropped: 0,
    });
    expect(r.events).toHaveLength(pages);
    expect(new Set(r.events.map((e) => e.split(',')[2])).size).toBe(pages); // each page once
    expect(r.events[0]).toMatch(/^4294892546,0,\d+,1,0,promoted$/);
  }, 60_000);
});
