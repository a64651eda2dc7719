import { describe, expect, it } from 'vitest';
import { AnalysisCollector } from '../../src/analysis/collector.js';
import { EventsCsvWriter } from '../../src/report/events.js';
import { combineObservers } from '../../src/run/observers.js';
import { engine, SPEC_2S_CXL, SPEC_2S_CXL_HASHED } from '../engine/helpers.js';

/** 40 k accesses over 16 s of 2s-cxl: DRAM pages, a hot set of CXL pages, cold CXL pages, NUMA_NO_NODE. */
function trace(): Array<[number, number, number, number]> {
  let x = 11;
  const r = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296;
  const out: Array<[number, number, number, number]> = [];
  for (let i = 0; i < 40000; i++) {
    const k = r();
    const pfn = k < 0.4 ? Math.floor(r() * 0x200000) : k < 0.8 ? 0x200000 + Math.floor(r() * 2000) : 0x200000 + Math.floor(r() * 0x200000);
    out.push([pfn, r() < 0.1 ? -1 : r() < 0.5 ? 0 : 1, r() < 0.8 ? 0 : 1, 4294892296 + Math.floor(i / 10)]);
  }
  return out;
}

describe('EventsCsvWriter', () => {
  it('gives the events of the one-phase loop from the two-phase loop, alone or beside a collector with rows', () => {
    // Hashed page state keeps the engine in its one-phase loop: the reference.
    const run = (withRows: boolean, topology = SPEC_2S_CXL) => {
      const e = engine(topology);
      let csv = '';
      const writer = new EventsCsvWriter((chunk) => (csv += chunk));
      e.observer = withRows ? combineObservers([writer, new AnalysisCollector(e)]) : writer;
      for (const [p, n, s, t] of trace()) e.record_access(p, n, s, t);
      e.finish();
      writer.drain();
      return { csv, counters: e.counters(), blocks: e.blocksTwoPhase };
    };
    const onePhase = run(false, SPEC_2S_CXL_HASHED);
    expect(onePhase.blocks).toBe(0);
    expect(onePhase.csv.split('\n').length).toBeGreaterThan(1000);
    expect(onePhase.csv).toContain(',promoted\n');
    for (const two of [run(false), run(true)]) {
      expect(two.blocks).toBeGreaterThan(0);
      expect(two.csv).toBe(onePhase.csv);
      expect(two.counters).toEqual(onePhase.counters);
    }
  });
});
