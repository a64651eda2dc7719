/** RfcV1Engine.page_counts(): per slow-tier LRU page access counts for bounds (issue 12), derived by hand. */
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../src/engine/topology.js';
import { engine, mixedCxlTrace, node, SPEC_2S_CXL, SPEC_2S_CXL_HASHED } from './helpers.js';

const TB2 = 2 ** 29; // 2 TiB of 4 KiB pages: hashed page state
const HUGE: Topology = {
  name: 'dram + 2 TiB cxl',
  nodes: [
    node(0, { cpus: [0], pfn_ranges: [{ start: 0, end: 0x100000, kind: 'lru' }] }),
    node(1, {
      adistance: 2880,
      pfn_ranges: [
        { start: 0x100000, end: 0x100000 + TB2, kind: 'lru' },
        { start: 0x100000 + TB2, end: 0x100000 + TB2 + 16, kind: 'nonlru' },
      ],
    }),
  ],
};

function counts(e: ReturnType<typeof engine>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  e.page_counts()!.forEach((pfn, n) => out.push([pfn, n]));
  return out.sort((a, b) => a[0] - b[0]);
}

describe('page_counts', () => {
  it('is null unless asked for', () => {
    expect(engine().page_counts()).toBeNull();
  });

  for (const [name, topo, slow] of [
    ['dense (2s-cxl)', SPEC_2S_CXL, 0x200000],
    ['hashed (2 TiB CXL)', HUGE, 0x100000 + 2 ** 28],
  ] as const) {
    it(`counts every access to a slow-tier LRU page, before and after it moved: ${name}`, () => {
      const e = engine(topo, { page_counts: true });
      // slow: accessed at 0 and 0 (frequency 3), promoted to node 0 by the pass at 250, then accessed at 300
      // on node 0 (record_toptier now, still counted): 3. slow+5: once. pfn 7 (node 0): T0.
      // The nonlru pfn after the 2 TiB range, and pfn 2^50 (no range), count in neither.
      for (const [p, t] of [[slow, 0], [slow, 0], [7, 1], [slow + 5, 1], [2 ** 50, 1]]) e.record_access(p!, 0, 0, t!);
      e.record_access(slow, 0, 0, 300);
      expect(e.counters().find((c) => c.name === 'kpromoted_record_toptier')!.value).toBe(2);
      if (topo === HUGE) e.record_access(0x100000 + TB2 + 3, 0, 0, 301);
      e.finish();
      expect(e.pfn_to_nid(slow)).toBe(0);
      expect(counts(e)).toEqual([
        [slow, 3],
        [slow + 5, 1],
      ]);
      const pc = e.page_counts()!;
      expect(pc.home_toptier).toBe(1);
      expect(pc.pages).toBe(2);
      expect(pc.accesses).toBe(4);
    });
  }

  it('counts alike in the two-phase loop (dense) and the one-phase loop (hashed) and by brute force, read mid-stream too', () => {
    // 200 000 records: more page indexes than the two-phase loop lists before it counts them (65 536), so the
    // counts are read after several flushes and with some listed and not yet counted. Pfns in no range count in
    // neither; T0 is every access to a DRAM (top-tier) pfn.
    const trace = mixedCxlTrace(7, 200_000, 3000);
    for (let i = 0; i < trace.length; i += 97) trace[i] = [0x200000 + 2 ** 26 + (i % 5), 0, 0, trace[i]![3]]; // past both topologies
    const brute = (upTo: number): { slow: Array<[number, number]>; top: number } => {
      const m = new Map<number, number>();
      let top = 0;
      for (const [pfn] of trace.slice(0, upTo)) {
        if (pfn < 0x200000) top++;
        else if (pfn < 0x400000) m.set(pfn, (m.get(pfn) ?? 0) + 1);
      }
      return { slow: [...m].sort((a, b) => a[0] - b[0]), top };
    };
    const dense = engine(SPEC_2S_CXL, { page_counts: true });
    const hashed = engine(SPEC_2S_CXL_HASHED, { page_counts: true });
    const feed = (e: ReturnType<typeof engine>, from: number, to: number): void => {
      const n = to - from;
      const P = new Float64Array(n);
      const N = new Int32Array(n);
      const S = new Int32Array(n);
      const T = new Float64Array(n);
      trace.slice(from, to).forEach(([p, nid, src, t], i) => {
        P[i] = p;
        N[i] = nid;
        S[i] = src;
        T[i] = t;
      });
      for (let i = 0; i < n; i += 5000) {
        const k = Math.min(5000, n - i);
        e.record_batch(P.subarray(i, i + k), N.subarray(i, i + k), S.subarray(i, i + k), T.subarray(i, i + k), k);
      }
    };
    for (const [from, to] of [
      [0, 123_457],
      [123_457, trace.length],
    ] as const) {
      feed(dense, from, to);
      feed(hashed, from, to);
      if (to === trace.length) {
        dense.finish();
        hashed.finish();
      }
      const want = brute(to);
      for (const e of [dense, hashed]) {
        expect(counts(e)).toEqual(want.slow);
        expect(e.page_counts()!.home_toptier).toBe(want.top);
        expect(e.page_counts()!.pages).toBe(want.slow.length);
        expect(e.page_counts()!.accesses).toBe(want.slow.reduce((a, [, n]) => a + n, 0));
      }
    }
    expect(dense.blocksTwoPhase).toBeGreaterThan(0);
    expect(hashed.blocksTwoPhase).toBe(0);
    expect(dense.counters()).toEqual(hashed.counters());
  });
});

