/**
 * Passes that walk the buckets' chains interleaved (RfcV1Engine.passSliceInterleaved()), and lazy passes that walk only
 * the records accessed since the last pass (passSliceLazy()): only when the order of a pass cannot show (a budget that
 * ran out, no kswapd, no observer that needs the kernel's order); lazy ones with no observer, or one that takes failed
 * records in bulk, and once no failed migration can succeed later. Held to the same engine walking in the kernel's
 * order (an ordered observer forces it) page by page: where each page lives, its record, and the counters, over long
 * chains (hash order 2) with records that fail, are dropped cold and are accessed again.
 */
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../src/engine/topology.js';
import { RfcV1Engine } from '../../src/engine/rfc-v1.js';
import { RFC_V1_DEFAULTS } from '../../src/engine/config.js';
import { node } from './helpers.js';
import { prng } from '../prng.js';

const SLOW = 0x200000;
const PAGES = 3000;
const TOPO: Topology = {
  name: 'dram budget 40 + cxl',
  nodes: [
    node(0, { cpus: [0], pfn_ranges: [{ start: 0, end: 0x100000, kind: 'lru' }], free_pages: 40, high_wmark_pages: 2 }),
    node(1, { cpus: [1], pfn_ranges: [{ start: 0x100000, end: SLOW, kind: 'lru' }] }),
    node(2, { adistance: 2880, pfn_ranges: [{ start: SLOW, end: SLOW + PAGES, kind: 'lru' }] }),
  ],
};

/** Every slow page accessed in bursts (twice within a jiffy: a candidate) at random times over 60 s, hot on node 0 or 1. */
function trace(seed: number): Array<[number, number, number, number]> {
  const r = prng(seed);
  const out: Array<[number, number, number, number]> = [];
  let t = 4294892296;
  for (let i = 0; i < 40000; i++) {
    if (r() < 0.02) t += 1 + Math.floor(r() * 40);
    const pfn = SLOW + Math.floor(r() * PAGES);
    const nid = r() < 0.8 ? 0 : 1;
    out.push([pfn, nid, 0, t], [pfn, nid, 1, t]);
  }
  return out;
}

/** How the replay is observed: in the kernel's order, not at all, or by an observer of counts without bulk failures. */
type Mode = 'ordered' | 'free' | 'any-order';

function replay(records: Array<[number, number, number, number]>, mode: Mode, slice = Infinity) {
  const e = new RfcV1Engine({ ...RFC_V1_DEFAULTS, topology: TOPO, hash_order: 2, analysis_metrics: true }, 'rfc-v1');
  e.sliceRecords = slice;
  const events: string[] = [];
  if (mode === 'ordered') e.observer = { examined: (time, n, pfn, from, to, o) => events.push(`${time},${n},${pfn},${from},${to},${o}`) };
  if (mode === 'any-order') e.observer = { anyOrder: true, examined: () => {} };
  for (const [p, n, s, t] of records) {
    e.record_access(p, n, s, t);
    while (e.suspended) e.resume();
  }
  e.finish();
  while (e.suspended) e.resume();
  const pages: string[] = [];
  for (let p = SLOW; p < SLOW + PAGES; p++) pages.push(`${p} ${e.pfn_to_nid(p)} ${JSON.stringify(e.record_of(p))}`);
  return { counters: e.counters(), summary: e.summary(), peak: e.peak, wasted: e.wasted_promotions(), pages, interleaved: e.passesInterleaved, lazy: e.passesLazy, events };
}

describe('interleaved passes (a budget that ran out)', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: the same pages, records and counters as passes in the kernel's order, whole or in slices`, () => {
      const records = trace(seed);
      const kernel = replay(records, 'ordered');
      const free = replay(records, 'free');
      const sliced = replay(records, 'free', 7);
      const anyOrder = replay(records, 'any-order');
      const anySliced = replay(records, 'any-order', 7);
      // The case reaches what it is for: promotions until the budget ran out, then failures kept and retried, and drops.
      const c = new Map(kernel.counters.map((x) => [x.name, x.value]));
      // Node 0 takes pages while free > high + 1 (40 down to 3); node 1 has no budget and takes every page.
      expect(kernel.summary.free_pages).toEqual([{ node: 0, free_pages: 3 }]);
      expect(c.get('kpromoted_mig_promoted')).toBeGreaterThan(1000);
      expect(c.get('kpromoted_mig_candidate')! - c.get('kpromoted_mig_promoted')!).toBeGreaterThan(10000); // failed, retried
      expect(c.get('kpromoted_mig_dropped')).toBeGreaterThan(1000);
      expect([kernel.interleaved, kernel.lazy]).toEqual([0, 0]);
      // Without an observer, lazy passes once node 0's budget ran out; before, none is interleaved (a budget can take pages).
      expect(free.lazy).toBeGreaterThan(50);
      expect([sliced.interleaved, sliced.lazy]).toEqual([free.interleaved, free.lazy]);
      // An observer that takes events in any order but not failed ones in bulk: interleaved passes instead.
      expect([anyOrder.interleaved, anyOrder.lazy]).toEqual([free.lazy, 0]);
      expect([anySliced.interleaved, anySliced.lazy]).toEqual([free.lazy, 0]);
      for (const got of [free, sliced, anyOrder, anySliced]) {
        expect(got.counters).toEqual(kernel.counters);
        expect(got.summary).toEqual(kernel.summary);
        expect(got.peak).toEqual(kernel.peak);
        expect(got.wasted).toBe(kernel.wasted);
        expect(got.pages).toEqual(kernel.pages);
      }
    });
  }
});
