/**
 * The two-phase hot loop of RfcV1Engine.record_batch (dense page state, no observer, no --demotion, no access
 * counts): phase 1 counts accesses to top-tier pages alone (home, or promoted and accessed since: the topHot
 * bit), phase 2 applies the rest in order. Against the reference model on traces built to promote pages and
 * then hammer them, across pass boundaries inside blocks, with top-tier, nonlru, device and no-range pfns.
 */
import { describe, expect, it } from 'vitest';
import { RFC_V1_DEFAULTS, type RfcV1Config } from '../../src/engine/config.js';
import { RfcV1Engine, type RfcVariant } from '../../src/engine/rfc-v1.js';
import type { Topology } from '../../src/engine/topology.js';
import { prng } from '../prng.js';
import { node } from './helpers.js';
import { RfcV1Reference } from './rfc-v1-reference.js';

type Rec = [number, number, number, number];

/** Two DRAM nodes, a CXL node with an LRU, a nonlru and a device range, gaps, and a range met mid-granule. */
const TOPO: Topology = {
  name: 'two-phase',
  nodes: [
    node(0, { cpus: [0], pfn_ranges: [{ start: 0, end: 4096, kind: 'lru' }] }),
    node(1, { cpus: [1], pfn_ranges: [{ start: 4096, end: 6000, kind: 'lru' }] }),
    node(2, {
      adistance: 2880,
      pfn_ranges: [
        { start: 6000, end: 9000, kind: 'lru' },
        { start: 9000, end: 9100, kind: 'nonlru' },
        { start: 9300, end: 9400, kind: 'device' },
        { start: 10000, end: 14000, kind: 'lru' },
      ],
    }),
  ],
};

/** A hot set of CXL pages accessed again and again (promoted, then top-tier hits), and everything else. */
function trace(seed: number, n: number): Rec[] {
  const r = prng(seed * 40503 + 7);
  const hot = Array.from({ length: 300 }, () => (r() < 0.5 ? 6000 + Math.floor(r() * 3000) : 10000 + Math.floor(r() * 4000)));
  const out: Rec[] = [];
  let t = 4294892296;
  for (let i = 0; i < n; i++) {
    const u = r();
    if (u < 0.002) t += Math.floor(r() * 3000); // idle: several passes at once
    else if (u < 0.3) t += Math.floor(r() * 3);
    const time = r() < 0.03 ? t - Math.floor(r() * 500) : t; // out of order
    const w = r();
    const pfn =
      w < 0.5 ? hot[Math.floor(r() * hot.length)]! // the hot set
      : w < 0.7 ? Math.floor(r() * 6000) // top tier
      : w < 0.9 ? 6000 + Math.floor(r() * 8100) // anywhere in the CXL node, gaps and nonlru included
      : w < 0.95 ? 9300 + Math.floor(r() * 100) // device
      : 14000 + Math.floor(r() * 5000); // in no range
    const nid = r() < 0.1 ? -1 : r() < 0.9 ? Math.floor(r() * 2) : 2 + Math.floor(r() * 3); // NUMA_NO_NODE, daemons, others
    const src = r() < 0.05 ? 7 : r() < 0.8 ? 0 : 1;
    out.push([pfn, nid, src, time]);
  }
  return out;
}

function runEngine(cfg: RfcV1Config, variant: RfcVariant, recs: Rec[], seed: number) {
  const e = new RfcV1Engine(cfg, variant);
  const r = prng(seed);
  for (let i = 0; i < recs.length; ) {
    const k = 1 + Math.floor(r() * 3000); // batches of any size: blocks end at batch ends and at passes
    const part = recs.slice(i, i + k);
    const col = (j: number) => part.map((x) => x[j]!);
    e.record_batch(Float64Array.from(col(0)), Int32Array.from(col(1)), Int32Array.from(col(2)), Float64Array.from(col(3)), part.length);
    i += k;
  }
  e.finish();
  const counters = Object.fromEntries(e.counters().map((c) => [c.name.replace(/^kpromoted_|^kpromo_/, ''), c.value]));
  return { counters, summary: e.summary(), wasted: cfg.analysis_metrics === true ? e.wasted_promotions() : null, blocks: e.blocksTwoPhase, hits: e.hitsTwoPhase };
}

function runReference(cfg: RfcV1Config, variant: RfcVariant, recs: Rec[]) {
  const m = new RfcV1Reference(cfg, variant);
  for (const [p, n, s, t] of recs) m.record_access(p, n, s, t);
  m.finish();
  return { counters: Object.fromEntries(m.counters), summary: m.summary(), wasted: m.wasted() };
}

describe('the two-phase hot loop = reference model', () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`seed ${seed}`, () => {
      const variant: RfcVariant = seed % 2 === 0 ? 'rfc-v1-fixed' : 'rfc-v1';
      const cfg: RfcV1Config = { ...RFC_V1_DEFAULTS, topology: TOPO, hash_order: 1 + (seed % 8), threshold: 1 + (seed % 3), default_node: seed % 2 };
      const recs = trace(seed, 20000);
      const want = runReference(cfg, variant, recs);
      const got = runEngine({ ...cfg, analysis_metrics: true }, variant, recs, seed);
      expect(got.counters).toEqual(want.counters);
      expect(got.summary).toEqual(want.summary);
      expect(got.wasted).toBe(want.wasted);
      // Without wasted promotions kept (a plain replay), the same counters and summary; and phase 1 takes the first
      // access to a promoted page too (its topHot bit is set as it moves), where phase 2 took it before.
      const plain = runEngine(cfg, variant, recs, seed);
      expect(plain.counters).toEqual(want.counters);
      expect(plain.summary).toEqual(want.summary);
      expect(plain.hits).toBeGreaterThan(got.hits);
      expect(plain.hits).toBeLessThanOrEqual(plain.counters.record_toptier!);
      // The case went through the two-phase loop, and phase 1 alone took accesses to promoted pages.
      expect(got.blocks).toBeGreaterThan(20);
      expect(got.counters.mig_promoted).toBeGreaterThan(50);
      const home = recs.filter(([pfn]) => pfn < 6000).length; // accesses to top-tier pages at home
      expect(got.hits).toBeGreaterThan(home + 200);
      expect(got.hits).toBeLessThanOrEqual(got.counters.record_toptier!);
    });
  }
});
