/**
 * A multi run's page counts handed to a block read (src/multi/count-handoff.ts; dist/ build for the parse thread): the
 * counting engine, behind a fan-out that holds records the tallies have counted, ends with the page counts and
 * counters of an engine that counted every record itself; also when the general reader takes over after an irregular
 * line (its records are counted beside the fan-out), and when the engine cannot hand its counts over.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RFC_V1_DEFAULTS } from '../../src/engine/config.js';
import { RfcV1Engine } from '../../src/engine/rfc-v1.js';
import type { Topology } from '../../src/engine/topology.js';
import { CountHandoff } from '../../src/multi/count-handoff.js';
import { Fanout } from '../../src/multi/fanout.js';
import { DEFAULT_INPUT_SETTINGS, readInputs } from '../../src/trace/input.js';
import { readInputsThreaded } from '../../src/trace/threaded.js';
import { parseWorkerPath } from '../../src/trace/worker-link.js';
import { pageCountsOf, SPEC_2S_CXL, SPEC_2S_CXL_HASHED } from '../engine/helpers.js';
import { csv, hotLine, spin } from '../trace/block-read.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-handoff-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const newEngine = (topology: Topology) => new RfcV1Engine({ ...RFC_V1_DEFAULTS, topology, page_counts: true });


/** The counting engine and another behind a fan-out of `batch` records, read through a CountHandoff. */
async function viaHandoff(file: string, topology: Topology, blockBytes: number, batch: number, ringBatch?: number) {
  const counting = newEngine(topology);
  const other = new RfcV1Engine({ ...RFC_V1_DEFAULTS, topology, window_ms: 2000 });
  // A slow second sink (0.3 ms a batch), so that both threads parse blocks.
  const slow = {
    record_access: (p: number, n: number, s: number, t: number) => other.record_access(p, n, s, t),
    record_batch: (P: Float64Array, N: Int32Array, S: Int32Array, T: Float64Array, k: number) => {
      spin(0.3);
      other.record_batch(P, N, S, T, k);
    },
  };
  const fanout = new Fanout([counting, slow], batch);
  const handoff = new CountHandoff(counting, fanout, topology);
  let paused = false;
  const probe = {
    pauseCounts: () => (paused = handoff.pauseCounts()),
    addCounts: handoff.addCounts.bind(handoff),
    resumeCounts: handoff.resumeCounts.bind(handoff),
  };
  await readInputsThreaded([{ name: file }], handoff, { input: DEFAULT_INPUT_SETTINGS, topology, hz: 250, blockBytes, ...(ringBatch ? { ringBatch } : {}), pageCounts: probe });
  fanout.flush();
  handoff.add();
  counting.finish();
  return { counting, paused };
}

describe.skipIf(!fs.existsSync(parseWorkerPath()))('page counts of a multi run handed to a block read', () => {
  const texts: Array<[string, string]> = [
    ['regular', csv(30_000, 21, hotLine)],
    // The block parsers stop at the CRLF line and the general reader reads on, its records counted by the handoff.
    ['one irregular line in the middle', csv(30_000, 22, (i) => (i === 17_000 ? `0x200003,0,hwhints,${4294892296 + (i >> 5)}\r\n` : hotLine(i)))],
  ];
  for (const [name, text] of texts) {
    it(`equal those of an engine that counted every record: ${name}`, async () => {
      const file = path.join(dir, `${name.replace(/ /g, '-')}.csv`);
      fs.writeFileSync(file, text);
      const want = newEngine(SPEC_2S_CXL);
      await readInputs([{ name: file }], want, { input: DEFAULT_INPUT_SETTINGS, topology: SPEC_2S_CXL, hz: 250 });
      want.finish();
      expect(pageCountsOf(want).pages.length).toBeGreaterThan(1000);
      // Fan-out batches larger than the trace (every record held until the end) and smaller than a block; ring slots
      // of a few records (a block over many slots) and of a multi run's (run-multi.ts).
      for (const [blockBytes, batch, ringBatch] of [
        [4096, 1 << 16, 100],
        [65536, 1000, 1 << 17],
      ] as const) {
        const got = await viaHandoff(file, SPEC_2S_CXL, blockBytes, batch, ringBatch);
        expect(got.paused).toBe(true);
        expect(pageCountsOf(got.counting), `blocks of ${blockBytes}, batches of ${batch}`).toEqual(pageCountsOf(want));
        expect(got.counting.counters()).toEqual(want.counters());
      }
    });
  }

  it('leave the engine counting when it cannot hand its counts over (hashed page state)', async () => {
    const file = path.join(dir, 'hashed.csv');
    fs.writeFileSync(file, csv(8000, 23, hotLine));
    const want = newEngine(SPEC_2S_CXL_HASHED);
    await readInputs([{ name: file }], want, { input: DEFAULT_INPUT_SETTINGS, topology: SPEC_2S_CXL_HASHED, hz: 250 });
    want.finish();
    const got = await viaHandoff(file, SPEC_2S_CXL_HASHED, 4096, 1 << 16);
    expect(got.paused).toBe(false);
    expect(pageCountsOf(got.counting)).toEqual(pageCountsOf(want));
  });
});
