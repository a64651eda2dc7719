/**
 * Seeded random traces over random topologies: invariants of the rfc-v1 model, and record_batch()
 * against record_access() one at a time.
 */
import { describe, expect, it } from 'vitest';
import { RFC_V1_DEFAULTS } from '../../src/engine/config.js';
import { RfcV1Engine, type RfcVariant } from '../../src/engine/rfc-v1.js';
import type { Topology } from '../../src/engine/topology.js';
import { OUTCOMES } from '../../src/engine/types.js';
import { node } from './helpers.js';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

function randomTopology(r: () => number): Topology {
  const budget = (): { free_pages: number; high_wmark_pages: number } | object =>
    r() < 0.5 ? { free_pages: Math.floor(r() * 40), high_wmark_pages: Math.floor(r() * 5) } : {};
  return {
    name: 'random',
    nodes: [
      node(0, { cpus: [0], pfn_ranges: [{ start: 0, end: 1000, kind: 'lru' }], ...budget() }),
      node(1, { cpus: r() < 0.5 ? [1] : [], adistance: r() < 0.5 ? 576 : 2880, pfn_ranges: [{ start: 1000, end: 2000, kind: 'lru' }], ...budget() }),
      node(2, {
        adistance: 2880,
        pfn_ranges: [
          { start: 2000, end: 2600, kind: 'lru' },
          { start: 2600, end: 2700, kind: 'nonlru' },
          { start: 2700, end: 2800, kind: 'device' },
        ],
        ...budget(),
      }),
    ],
  };
}

type Rec = [number, number, number, number];

function randomTrace(r: () => number, n: number): Rec[] {
  const out: Rec[] = [];
  let t = Math.floor(r() * 1e6);
  for (let i = 0; i < n; i++) {
    const u = r();
    if (u < 0.02) t += Math.floor(r() * 20000); // idle gap over many passes
    else if (u < 0.5) t += Math.floor(r() * 4);
    const time = r() < 0.05 ? Math.max(0, t - Math.floor(r() * 2000)) : t; // some out of order
    const pfn = r() < 0.7 ? 2000 + Math.floor(r() * 300) : Math.floor(r() * 3000);
    const nid = r() < 0.2 ? -1 : Math.floor(r() * 4);
    const src = r() < 0.1 ? 5 : Math.floor(r() * 2);
    out.push([pfn, nid, src, time]);
  }
  return out;
}

function replay(topo: Topology, trace: Rec[], batched: boolean, variant: RfcVariant, hash_order: number) {
  const e = new RfcV1Engine({ ...RFC_V1_DEFAULTS, topology: topo, hash_order, hz: 250, analysis_metrics: true }, variant);
  const events: string[] = [];
  e.observer = { examined: (...a) => events.push(a.join(',')) };
  if (batched) {
    const col = (k: number) => trace.map((r) => r[k]!);
    e.record_batch(Float64Array.from(col(0)), Int32Array.from(col(1)), Int32Array.from(col(2)), Float64Array.from(col(3)), trace.length);
  } else for (const [p, n, s, t] of trace) e.record_access(p, n, s, t);
  e.finish();
  const counters = Object.fromEntries(e.counters().map((c) => [c.name.replace('kpromoted_', ''), c.value]));
  return { counters, events, summary: e.summary(), wasted: e.wasted_promotions(), peak: e.peak };
}

describe('rfc-v1 invariants on seeded random traces', () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`seed ${seed}`, () => {
      const r = rng(seed * 7919);
      const topo = randomTopology(r);
      const trace = randomTrace(r, 3000);
      const variant: RfcVariant = seed % 3 === 0 ? 'rfc-v1-fixed' : 'rfc-v1';
      const order = seed % 2 === 0 ? 2 : 16;
      const a = replay(topo, trace, false, variant, order);
      expect(replay(topo, trace, true, variant, order)).toEqual(a);

      const k = a.counters;
      expect(k.recorded_accesses).toBe(trace.length);
      expect(k.mig_promoted).toBeLessThanOrEqual(k.mig_candidate);
      expect(k.numa_pages_migrated).toBe(k.mig_promoted);
      // Every examined record ends in exactly one outcome.
      const outcomes = a.events.map((e) => OUTCOMES[Number(e.split(',')[5])]);
      const count = (o: string) => outcomes.filter((x) => x === o).length;
      expect(count('promoted')).toBe(k.mig_promoted);
      expect(count('failed')).toBe(k.mig_candidate - k.mig_promoted);
      expect(count('dropped_cold_old')).toBe(k.mig_cold_old);
      expect(count('dropped_not_accessed')).toBe(k.mig_cold_not_accessed);
      expect(outcomes.filter((o) => o.startsWith('dropped_')).length).toBe(k.mig_dropped);
      // Records are created, then dropped, promoted or still tracked.
      expect(k.record_added).toBe(k.mig_dropped + k.mig_promoted + a.summary.tracked);
      // With a static topology a tracked page is never on a CPU node, in a nonlru range or offline.
      expect(k.mig_right_node).toBe(0);
      expect(k.mig_non_lru).toBe(0);
      expect(count('dropped_offline')).toBe(0);
      expect(a.wasted).toBeLessThanOrEqual(k.mig_promoted);
      expect(a.peak.records).toBeGreaterThanOrEqual(a.summary.tracked);
    });
  }
});
