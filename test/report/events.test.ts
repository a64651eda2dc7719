import { describe, expect, it } from 'vitest';
import { AnalysisCollector } from '../../src/analysis/collector.js';
import { EVENTS_HEADER, EventsCsvWriter } from '../../src/report/events.js';
import { OUTCOMES, type OutcomeCode } from '../../src/engine/types.js';
import { prng } from '../prng.js';
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

  it('writes each line as a template string does, in every pfn format, whatever the values and chunk size', () => {
    // The reference: the template string the writer used before it wrote bytes.
    const reference = (t: number, node: number, pfn: number, from: number, to: number, o: number, hex: boolean) =>
      `${t},${node},${hex ? `0x${pfn.toString(16)}` : pfn},${from},${to},${OUTCOMES[o]}\n`;
    const r = prng(3);
    const edges = [0, 1, 9, 10, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 4294892296, 2 ** 53 - 1, -1];
    const events: [number, number, number, number, number, number][] = [];
    let t = 4294892296;
    for (let i = 0; i < 50000; i++) {
      if (r() < 0.01) t = edges[Math.floor(r() * edges.length)]!;
      const pick = () => (r() < 0.1 ? edges[Math.floor(r() * edges.length)]! : Math.floor(r() * 2 ** Math.floor(r() * 40)));
      events.push([t, Math.floor(r() * 4) - 1, pick(), pick(), pick(), Math.floor(r() * OUTCOMES.length)]);
    }
    for (const hex of [false, true]) {
      for (const chunkBytes of [1, 4096, 1 << 20]) {
        const chunks: Buffer[] = [];
        const writer = new EventsCsvWriter((c) => chunks.push(c), chunkBytes, hex ? 'hex' : 'dec');
        for (const [a, b, c, d, e, o] of events) writer.examined(a, b, c, d, e, o as OutcomeCode);
        writer.drain();
        const want = EVENTS_HEADER + events.map(([a, b, c, d, e, o]) => reference(a, b, c, d, e, o, hex)).join('');
        expect(Buffer.concat(chunks).toString('latin1') === want, `hex ${hex}, chunks of ${chunkBytes}`).toBe(true);
        expect(writer.lines).toBe(events.length);
        if (chunkBytes === 1) expect(chunks.length).toBe(events.length); // the header with the first line
      }
    }
  });
});
