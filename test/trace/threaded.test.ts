/** The threaded read (parser on a worker thread, dist/ build) against the in-process read. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../src/errors.js';
import { DEFAULT_INPUT_SETTINGS, readInputs } from '../../src/trace/input.js';
import { canReadThreaded, readInputsThreaded } from '../../src/trace/threaded.js';
import { earlyParseThreadsTaken } from '../../src/trace/early-worker.js';
import type { ReadProgress } from '../../src/trace/read.js';
import { parseWorkerPath } from '../../src/trace/worker-link.js';
import { SPEC_2S_CXL } from '../engine/helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-threaded-'));

function write(name: string, text: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

function bigCsv(n: number, seed: number): string {
  let x = seed;
  let out = 'pfn,nid,src,time\n';
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += `0x${(0x200000 + (x % 500000)).toString(16)},${(x >>> 8) % 3 - 1},${(x >>> 12) & 1 ? 'pgtscan' : 'hwhints'},${4294892296 + (i >> 5)}\n`;
  }
  return out;
}

/**
 * The same flat (pfn, nid, src, time) lists. Compared here, not with one toEqual(): vitest's diff of two arrays of
 * hundreds of thousands of numbers runs for minutes, so a wrong record hung the suite instead of failing it.
 */
function expectSameRecords(got: readonly number[], want: readonly number[]): void {
  expect(got.length, 'numbers read (4 per record)').toBe(want.length);
  let i = 0;
  while (i < want.length && Object.is(got[i], want[i])) i++;
  const at = i - (i % 4);
  expect(got.slice(at, at + 8), `records from record ${at / 4} on`).toEqual(want.slice(at, at + 8));
}

async function both(names: string[], input = DEFAULT_INPUT_SETTINGS, fileBlockBytes?: number) {
  const opts = { input, topology: SPEC_2S_CXL, hz: 250, ...(fileBlockBytes !== undefined ? { fileBlockBytes } : {}) };
  const a: number[] = [];
  const b: number[] = [];
  const run = async (f: () => Promise<unknown>) => {
    try {
      return { stats: await f() };
    } catch (e) {
      return { error: e };
    }
  };
  const inProcess = await run(() => readInputs(names.map((name) => ({ name })), { record_access: (...r) => a.push(...r) }, opts));
  const threaded = await run(() => readInputsThreaded(names.map((name) => ({ name })), { record_access: (...r) => b.push(...r) }, opts));
  return { a, b, inProcess, threaded };
}

describe.skipIf(!fs.existsSync(parseWorkerPath()))('readInputsThreaded', () => {
  it('gives the same records and stats as readInputs over several files, gz and batches', async () => {
    const f1 = write('a.csv', bigCsv(150000, 1));
    const f2 = write('b.csv.gz', gzipSync(bigCsv(70000, 2)));
    const f3 = write('c.csv', '# tail\n0x200001,0,hwhints,4294999999\n');
    expect(canReadThreaded([{ name: f1 }])).toBe(true);
    expect(canReadThreaded([{ name: '-' }])).toBe(true); // forwarded to the worker's stdin
    const r = await both([f1, f2, f3]);
    expect(r.b.length).toBe(4 * 220001);
    expectSameRecords(r.b, r.a);
    expect(r.threaded).toEqual(r.inProcess);
  });

  it('reads several CSV files in blocks, one after the other, with one parse thread: the records and stats of readInputs', async () => {
    const files = [
      write('m1.csv', bigCsv(40000, 11)),
      write('m2.csv', bigCsv(30000, 12).slice('pfn,nid,src,time\n'.length)), // no header
      write('m3.csv', '# a comment\n\n' + bigCsv(25000, 13)), // the header after comments and a blank line
      write('m4.csv', '0x200001,0,hwhints,4294999999\n'), // one line, no header
      write('m5.csv', ''), // empty
      write('m6.csv', bigCsv(20000, 14)),
    ];
    const taken = earlyParseThreadsTaken();
    const r = await both(files, DEFAULT_INPUT_SETTINGS, 64 << 10);
    // Each file after the first took the thread the one before it kept (none was started early here).
    expect(earlyParseThreadsTaken() - taken, 'parse threads taken again').toBe(files.length - 1);
    expect(r.b.length).toBe(4 * (40000 + 30000 + 25000 + 1 + 20000));
    expectSameRecords(r.b, r.a);
    expect(r.threaded).toEqual(r.inProcess);
  });

  it('several files: a bad line in a later file, a file the blocks leave to the general reader, a stop', async () => {
    const good = write('g1.csv', bigCsv(30000, 21));
    const bad = write('g2.csv', bigCsv(30000, 22) + '0x200000,0,hwhints,12x\n');
    const r = await both([good, bad, good], DEFAULT_INPUT_SETTINGS, 64 << 10);
    const e = (r.threaded as { error: TraceError }).error;
    expect(e).toBeInstanceOf(TraceError);
    expect(e).toMatchObject({ file: bad, line: 30002, field: 'time', text: '12x' });
    expect(e.message).toBe((r.inProcess as { error: TraceError }).error.message);
    // Quotes from the middle of a file on: its blocks stop there, and the general reader reads on, then the next file.
    const quoted = write('g3.csv', bigCsv(20000, 23) + '"0x200000",0,hwhints,4294999999\n' + bigCsv(5000, 24).slice('pfn,nid,src,time\n'.length));
    const q = await both([good, quoted, good], DEFAULT_INPUT_SETTINGS, 64 << 10);
    expect(q.b.length).toBe(4 * (30000 + 25001 + 30000));
    expectSameRecords(q.b, q.a);
    expect(q.threaded).toEqual(q.inProcess);
    /** `good` three times in blocks of 64 KiB, `more` options added; the records counted in `seen.n`. */
    const thrice = (seen: { n: number }, more: { onProgress?: (p: ReadProgress) => void; shouldStop?: () => boolean }) =>
      readInputsThreaded([{ name: good }, { name: good }, { name: good }], { record_access: () => seen.n++ }, {
        input: DEFAULT_INPUT_SETTINGS,
        topology: SPEC_2S_CXL,
        hz: 250,
        fileBlockBytes: 64 << 10,
        ...more,
      });
    // Progress: bytes of all the files together, never going back, to their sum.
    const seen: ReadProgress[] = [];
    const stats = await thrice({ n: 0 }, { onProgress: (p) => seen.push(p) });
    const size = fs.statSync(good).size;
    expect(stats).toMatchObject({ records: 90000, files: 3, bytes: 3 * size, stopped: false });
    expect(seen.every((p) => p.totalBytes === 3 * size)).toBe(true);
    expect(seen.every((p, i) => i === 0 || (p.bytes >= seen[i - 1]!.bytes && p.records >= seen[i - 1]!.records))).toBe(true);
    expect(seen.at(-1)).toMatchObject({ bytes: 3 * size, records: 90000 });
    // Stopped in the second file: the records applied, and no more files read.
    const applied = { n: 0 };
    const stop = await thrice(applied, { shouldStop: () => applied.n > 40000 });
    expect(stop).toMatchObject({ stopped: true, records: applied.n, files: 2 });
    expect(applied.n).toBeLessThan(60000);
  });

  it('reports a bad line as the same TraceError', async () => {
    const f = write('bad.csv', bigCsv(100000, 3) + '0x200000,0,hwhints,12x\n');
    const r = await both([f]);
    const e = (r.threaded as { error: TraceError }).error;
    expect(e).toBeInstanceOf(TraceError);
    expect(e).toMatchObject({ code: 'KPROMO_TRACE', file: f, line: 100002, column: 4, field: 'time', text: '12x' });
    expect(e.message).toBe((r.inProcess as { error: TraceError }).error.message);
  });

  it('skips bad lines with --skip-bad exactly like the in-process read', async () => {
    const f = write('skip.csv', 'pfn,nid,src,time\n0x200000,0,hwhints,1\nbad\n0x200001,0,hwhints,2\n0x200001,0,nope,2\n');
    const r = await both([f], { ...DEFAULT_INPUT_SETTINGS, skipBad: true });
    expectSameRecords(r.b, r.a);
    expect(r.threaded).toEqual(r.inProcess);
    expect((r.threaded as { stats: { skipped: number } }).stats.skipped).toBe(2);
  });

  it('stops when asked (Ctrl-C) and says so', async () => {
    const f = write('stop.csv', bigCsv(300000, 4));
    let n = 0;
    const stats = await readInputsThreaded([{ name: f }], { record_access: () => n++ }, {
      input: DEFAULT_INPUT_SETTINGS,
      topology: SPEC_2S_CXL,
      hz: 250,
      shouldStop: () => n > 0,
    });
    expect(stats.stopped).toBe(true);
    expect(stats.records).toBe(n);
    expect(n).toBeLessThan(300000);
  });

  it('forwards standard input to the parser thread', async () => {
    const { Readable } = await import('node:stream');
    const text = bigCsv(90000, 5);
    const a: number[] = [];
    const b: number[] = [];
    const opts = { input: DEFAULT_INPUT_SETTINGS, topology: SPEC_2S_CXL, hz: 250 };
    const sa = await readInputs([{ name: '-' }], { record_access: (...r) => a.push(...r) }, { ...opts, stdin: Readable.from([Buffer.from(text)]) });
    const chunks = [];
    for (let i = 0; i < text.length; i += 70001) chunks.push(Buffer.from(text.slice(i, i + 70001)));
    const sb = await readInputsThreaded([{ name: '-' }], { record_access: (...r) => b.push(...r) }, { ...opts, stdin: Readable.from(chunks) });
    expectSameRecords(b, a);
    expect(sb.records).toBe(sa.records);
  });
});
