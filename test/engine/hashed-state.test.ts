/**
 * Hashed page state against dense page state: the same trace over 2s-cxl and over its 256 GiB-CXL twin (hashed: the
 * table of pages doubles as pages come, and every page's index moves; the engine finds its records' indices again)
 * must give the same counters, events and summary.
 */
import { describe, expect, it } from 'vitest';
import { engine, mixedCxlTrace, run, SPEC_2S_CXL, SPEC_2S_CXL_HASHED } from './helpers.js';

describe('hashed page state', () => {
  const cases: Array<[string, number, { page_counts?: boolean }, 'rfc-v1' | 'rfc-v1-fixed']> = [
    // Thousands of CXL pages tracked at once between passes while the table doubles from 2048 entries to 2^18.
    ['many pages alive through every doubling', 0x200000, {}, 'rfc-v1'],
    ['a hot set promoted, then accessed on its node', 4000, {}, 'rfc-v1'],
    ['the fixed reading of the patch', 0x200000, {}, 'rfc-v1-fixed'],
    ['with page counts', 0x200000, { page_counts: true }, 'rfc-v1'],
  ];
  for (const [name, hot, over, variant] of cases) {
    it(`replays as dense page state does: ${name}`, () => {
      const trace = mixedCxlTrace(11, 150_000, hot);
      const dense = run(engine(SPEC_2S_CXL, over, variant), trace);
      const e = engine(SPEC_2S_CXL_HASHED, over, variant);
      const hashed = run(e, trace);
      expect(hashed.counters).toEqual(dense.counters);
      expect(hashed.events).toEqual(dense.events);
      expect(hashed.summary).toEqual(dense.summary);
      expect(dense.counters['record_added']).toBeGreaterThan(20_000);
    });
  }
});
