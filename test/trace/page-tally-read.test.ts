/**
 * Page counts of a block read counted on the parse thread (trace/parallel.ts, engine/page-tally.ts; dist/ build for the
 * parse thread): the engine's page counts and counters equal those of an engine that counted every record itself, read
 * in process, whichever thread parsed each block, and also when the general reader takes over after an irregular block.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RfcV1Engine } from '../../src/engine/rfc-v1.js';
import { RFC_V1_DEFAULTS } from '../../src/engine/config.js';
import { DEFAULT_INPUT_SETTINGS, readInputs } from '../../src/trace/input.js';
import { readInputsThreaded } from '../../src/trace/threaded.js';
import { parseWorkerPath } from '../../src/trace/worker-link.js';
import { pageCountsOf, SPEC_2S_CXL } from '../engine/helpers.js';
import { csv, hotLine, spin } from './block-read.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-tally-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const opts = { input: DEFAULT_INPUT_SETTINGS, topology: SPEC_2S_CXL, hz: 250 };
const newEngine = () => new RfcV1Engine({ ...RFC_V1_DEFAULTS, topology: SPEC_2S_CXL, page_counts: true });


describe.skipIf(!fs.existsSync(parseWorkerPath()))('page counts of a block read, counted on the parse thread', () => {
  const texts: Array<[string, string]> = [
    ['regular', csv(30_000, 11, hotLine)],
    // The block parsers stop at the CRLF line: the general reader, on a new parse thread, reads on from there, and the
    // blocks after it that the parse thread had parsed into the ring are never applied, nor counted.
    ['one irregular line in the middle', csv(30_000, 12, (i) => (i === 17_000 ? `0x200003,0,hwhints,${4294892296 + (i >> 5)}\r\n` : hotLine(i)))],
  ];
  for (const [name, text] of texts) {
    it(`equal those of an engine that counted every record: ${name}`, async () => {
      const file = path.join(dir, `${name.replace(/ /g, '-')}.csv`);
      fs.writeFileSync(file, text);
      const want = newEngine();
      await readInputs([{ name: file }], want, opts);
      want.finish();
      expect(pageCountsOf(want).pages.length).toBeGreaterThan(1000);
      expect(Math.max(...pageCountsOf(want).pages.map(([, n]) => n))).toBeGreaterThan(1000);
      for (const blockBytes of [4096, 65536]) {
        const got = newEngine();
        let parsedHere = 0;
        // An engine slower than parsing (0.3 ms a batch), so that both threads parse blocks.
        const sink = {
          record_access: (p: number, n: number, s: number, t: number) => got.record_access(p, n, s, t),
          record_batch: (P: Float64Array, N: Int32Array, S: Int32Array, T: Float64Array, k: number) => {
            spin(0.3);
            got.record_batch(P, N, S, T, k);
          },
        };
        await readInputsThreaded([{ name: file }], sink, { ...opts, blockBytes, pageCounts: got, onBlockCounts: (here) => (parsedHere = here) });
        got.finish();
        expect(pageCountsOf(got), `blocks of ${blockBytes}`).toEqual(pageCountsOf(want));
        expect(got.counters()).toEqual(want.counters());
        expect(parsedHere).toBeGreaterThanOrEqual(0);
      }
    });
  }

  it("are the engine's own when it cannot hand them over (--demotion)", async () => {
    const file = path.join(dir, 'demotion.csv');
    fs.writeFileSync(file, csv(8000, 13, hotLine));
    const make = () => new RfcV1Engine({ ...RFC_V1_DEFAULTS, topology: SPEC_2S_CXL, page_counts: true, demotion: true });
    const want = make();
    await readInputs([{ name: file }], want, opts);
    want.finish();
    const got = make();
    await readInputsThreaded([{ name: file }], got, { ...opts, blockBytes: 4096, pageCounts: got });
    got.finish();
    expect(pageCountsOf(got)).toEqual(pageCountsOf(want));
  });
});
