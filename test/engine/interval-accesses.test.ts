/**
 * The accesses per target node since the last pass (take_interval_accesses(): timeline rows), as the two-phase hot
 * loop counts them (nids -1 to 2 in register lanes, the rest at once) against the one-phase loop (each access counted
 * by its target), which runs when the slow tier's page state is hashed. Nids -1 to 5, runs of one nid longer than a
 * block, bursts that fill a block's lane (a count of 256), ignored accesses, promotions and top-tier hits; with and
 * without page counts.
 */
import { describe, expect, it } from 'vitest';
import { RFC_V1_DEFAULTS } from '../../src/engine/config.js';
import { RfcV1Engine } from '../../src/engine/rfc-v1.js';
import type { Topology } from '../../src/engine/topology.js';
import { prng } from '../prng.js';
import { node } from './helpers.js';

type Rec = [number, number, number, number];

/** Three DRAM nodes with daemons, a CXL node (a nonlru range before it), and a gap in no range between them. */
function topology(cxlPages: number): Topology {
  return {
    name: 'lanes',
    nodes: [
      node(0, { cpus: [0], pfn_ranges: [{ start: 0, end: 4096, kind: 'lru' }] }),
      node(1, { cpus: [1], pfn_ranges: [{ start: 4096, end: 8192, kind: 'lru' }] }),
      node(2, { cpus: [2], pfn_ranges: [{ start: 8192, end: 12288, kind: 'lru' }] }),
      node(3, {
        adistance: 2880,
        pfn_ranges: [
          { start: 12288, end: 12388, kind: 'nonlru' },
          { start: 12400, end: 12400 + cxlPages, kind: 'lru' },
        ],
      }),
    ],
  };
}
const DENSE = topology(20000);
/** Past the dense page state's 2^25 pages: hashed, so the engine runs its one-phase loop. */
const HASHED = topology(2 ** 26);

function trace(seed: number, n: number): Rec[] {
  const r = prng(seed);
  const hot = Array.from({ length: 400 }, () => 12400 + Math.floor(r() * 20000));
  const out: Rec[] = [];
  let t = 4294892296;
  let nid = 0;
  let run = 0;
  let burst = false;
  let bursts = 0;
  for (let i = 0; i < n; i++) {
    if (run === 0) {
      // A run of one nid: mostly short, now and then longer than a block of 256 records; and now and then a burst of
      // 600 DRAM accesses by one nid of -1 to 2 in one jiffy (whole blocks whose records all take one lane and hit).
      burst = r() < 0.03;
      nid = burst ? (bursts++ % 4) - 1 : Math.floor(r() * 7) - 1;
      run = burst ? 600 : r() < 0.2 ? 300 + Math.floor(r() * 400) : 1 + Math.floor(r() * 8);
    }
    run--;
    if (burst) {
      out.push([Math.floor(r() * 12288), nid, 0, t]);
      continue;
    }
    if (r() < 0.05) t += 1 + Math.floor(r() * 4);
    const w = r();
    const pfn =
      w < 0.45 ? hot[Math.floor(r() * hot.length)]! // promoted, then top-tier hits
      : w < 0.7 ? Math.floor(r() * 12288) // DRAM
      : w < 0.9 ? 12400 + Math.floor(r() * 20000) // anywhere in the CXL range
      : w < 0.95 ? 12288 + Math.floor(r() * 100) // nonlru
      : 12388 + Math.floor(r() * 12); // in no range
    out.push([pfn, nid, r() < 0.7 ? 0 : 1, t]);
  }
  return out;
}

/** The engine's interval counts at every pass's end and after the last record, and its counters. */
function intervals(topo: Topology, recs: Rec[], pageCounts: boolean, seed: number, defaultNode: number) {
  const e = new RfcV1Engine({ ...RFC_V1_DEFAULTS, topology: topo, default_node: defaultNode, page_counts: pageCounts }, 'rfc-v1');
  const takes: number[][] = [];
  const take = () => {
    const x = e.take_interval_accesses();
    takes.push([...x.accesses, ...x.toptier, ...x.ignored]);
  };
  e.observer = { anyOrder: true, intervals: true, examined() {}, passEnd: take };
  const r = prng(seed);
  for (let i = 0; i < recs.length; ) {
    const k = 1 + Math.floor(r() * 2000);
    const part = recs.slice(i, i + k);
    const col = (j: number) => part.map((x) => x[j]!);
    e.record_batch(Float64Array.from(col(0)), Int32Array.from(col(1)), Int32Array.from(col(2)), Float64Array.from(col(3)), part.length);
    i += k;
  }
  take();
  e.finish();
  take();
  return { takes, counters: e.counters(), blocks: e.blocksTwoPhase };
}

describe('accesses per target node since the last pass', () => {
  // NUMA_NO_NODE's default node shares its target with one lane's nid (or with none: node 3 has no daemon).
  for (const [seed, defaultNode] of [[1, 1], [2, 2], [3, 0], [4, 3]] as const) {
    for (const pageCounts of [false, true]) {
      it(`seed ${seed}, default node ${defaultNode}, page counts ${pageCounts}: the two-phase loop's lanes equal the one-phase loop's counts`, () => {
        const recs = trace(seed, 60000);
        const got = intervals(DENSE, recs, pageCounts, seed, defaultNode);
        const want = intervals(HASHED, recs, pageCounts, seed, defaultNode);
        expect(got.blocks).toBeGreaterThan(100);
        expect(want.blocks).toBe(0);
        expect(got.counters).toEqual(want.counters);
        expect(got.takes).toEqual(want.takes);
        // Every target (the three daemons, and the last slot: nids without one) saw accesses and top-tier hits; some
        // accesses were ignored. Node 3 has no daemon: no access targets it.
        const w = want.takes[0]!.length / 3;
        const sum = (part: number) => want.takes.reduce((a, row) => a.map((v, k) => v + row[part * w + k]!), new Array<number>(w).fill(0));
        for (const part of [0, 1]) expect(sum(part).filter((v, k) => k !== 3 && v > 0)).toHaveLength(4);
        expect(sum(0)[3]).toBe(0);
        expect(sum(2).some((v) => v > 0)).toBe(true);
        expect(want.counters.find((c) => c.name === 'kpromoted_mig_promoted')!.value).toBeGreaterThan(100);
      });
    }
  }
});
