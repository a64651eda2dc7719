import { describe, expect, it } from 'vitest';
import { AnalysisCollector } from '../../src/analysis/collector.js';
import { EventsCsvWriter } from '../../src/report/events.js';
import { combineObservers } from '../../src/run/observers.js';
import { engine, mixedCxlTrace, SPEC_2S_CXL, SPEC_2S_CXL_HASHED } from '../engine/helpers.js';

const trace = () => mixedCxlTrace(11, 40000, 2000);

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
