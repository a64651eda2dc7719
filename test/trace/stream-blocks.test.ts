/**
 * Standard input read in blocks by both threads (trace/stream-blocks.ts, trace/stream-apply.ts; dist/ build for the
 * parse thread) against the in-process read of the same bytes: the same records, stats and errors, for any block size
 * and any way the stream is cut into chunks, and the general reader from the first line the blocks do not take.
 */
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../src/errors.js';
import { DEFAULT_INPUT_SETTINGS, readInputs, type InputSettings, type InputStats } from '../../src/trace/input.js';
import { blockTarget } from '../../src/trace/stream-blocks.js';
import { readInputsThreaded } from '../../src/trace/threaded.js';
import { parseWorkerPath } from '../../src/trace/worker-link.js';
import { SPEC_2S_CXL } from '../engine/helpers.js';
import { csv, expectSameRecords, layoutForms, spin } from './block-read.js';

/** `bytes` cut into chunks of `size` (the last shorter). */
function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

const opts = (input: InputSettings = DEFAULT_INPUT_SETTINGS) => ({ input, topology: SPEC_2S_CXL, hz: 250 });

type Result = { recs: number[]; stats?: unknown; error?: unknown; here: number; there: number };

/**
 * The in-process read of `bytes` as standard input, and the threaded read in blocks of `blockBytes` with the stream
 * cut into chunks of `chunk` bytes. The threaded read's engine is slow (`batchMs` a batch), so both threads parse.
 */
async function both(bytes: Buffer, blockBytes: number, chunk: number, input: InputSettings = DEFAULT_INPUT_SETTINGS, batchMs = 0.2) {
  const run = async (threaded: boolean): Promise<Result> => {
    const recs: number[] = [];
    const one = (p: number, n: number, s: number, t: number) => void recs.push(p, n, s, t);
    const res: Result = { recs, here: 0, there: 0 };
    const stdin = Readable.from(chunks(bytes, chunk));
    try {
      res.stats = threaded
        ? await readInputsThreaded(
            [{ name: '-' }],
            {
              record_access: one,
              record_batch: (P, N, S, T, k) => {
                spin(batchMs);
                for (let i = 0; i < k; i++) one(P[i]!, N[i]!, S[i]!, T[i]!);
              },
            },
            { ...opts(input), stdin, blockBytes, onBlockCounts: (h, t) => ((res.here = h), (res.there = t)) },
          )
        : await readInputs([{ name: '-' }], { record_access: one }, { ...opts(input), stdin });
    } catch (e) {
      res.error = e;
    }
    return res;
  };
  return { want: await run(false), got: await run(true) };
}

describe.skipIf(!fs.existsSync(parseWorkerPath()))('standard input read in blocks on two threads', () => {
  it('gives the records and stats of the in-process read, for any block size and chunking', async () => {
    const small = Buffer.from(csv(3000, 1));
    const big = Buffer.from(csv(50000, 2));
    for (const [bytes, blockBytes, chunk] of [
      [small, 50, 7],
      [small, 999, 1],
      [small, 4096, 4096],
      [big, 65536, 65536],
      [big, 1 << 20, 100000],
      [big, 1 << 16, 1 << 22], // one chunk larger than every slot
    ] as const) {
      const { want, got } = await both(bytes, blockBytes, chunk);
      expect(got.error, `blocks of ${blockBytes}, chunks of ${chunk}`).toBeUndefined();
      expectSameRecords(got.recs, want.recs);
      expect(got.stats, `blocks of ${blockBytes}, chunks of ${chunk}`).toEqual(want.stats);
      // The whole stream went through the blocks (no general reader).
      expect(got.here + got.there, `blocks of ${blockBytes}`).toBeGreaterThan(0);
    }
  });

  it('both threads parse blocks', async () => {
    // The stream in one chunk (the parse thread seals blocks faster than this thread takes them: it parses the spare
    // ones). With an engine slower than parsing (2 ms a batch) the parse thread parses blocks; with one that takes no
    // time, this thread finds the ring empty and parses sealed blocks itself. (One run with 2 ms a batch showed both
    // until the parse thread parsed in WebAssembly: it then kept the ring full, and this thread parsed none under load.)
    const text = Buffer.from(csv(40000, 3));
    const slow = await both(text, 4096, text.length, DEFAULT_INPUT_SETTINGS, 2);
    expectSameRecords(slow.got.recs, slow.want.recs);
    expect(slow.got.there).toBeGreaterThan(0);
    // Which thread parses a block is the scheduler's doing: under the whole suite's load the parse thread once kept the
    // ring full through a run, and this thread parsed none. A few tries: one must show this thread parsing.
    let fast = await both(text, 4096, text.length, DEFAULT_INPUT_SETTINGS, 0);
    for (let k = 0; k < 4 && fast.got.here === 0; k++) {
      expectSameRecords(fast.got.recs, fast.want.recs);
      fast = await both(text, 4096, text.length, DEFAULT_INPUT_SETTINGS, 0);
    }
    expectSameRecords(fast.got.recs, fast.want.recs);
    expect(fast.got.here).toBeGreaterThan(0);
    expect(fast.got.here + fast.got.there).toBe(slow.got.here + slow.got.there); // every block, once
  });

  it('reports a bad line in a later block as the same TraceError, line number included, after the records before it', async () => {
    const bad = csv(20000, 4, (i) => (i === 15000 ? '0x200000,0,hwhints,12x\n' : null));
    const header = csv(20000, 4, (i) => (i === 15000 ? 'pfn,nid,src,time\n' : null));
    for (const [text, column, cell] of [[bad, 4, '12x'], [header, 1, 'pfn']] as const) {
      for (const blockBytes of [1000, 65536]) {
        const { want, got } = await both(Buffer.from(text), blockBytes, 8192);
        const e = got.error as TraceError;
        expect(e).toBeInstanceOf(TraceError);
        expect(e).toMatchObject({ file: '-', column, text: cell });
        expect(e.line).toBe((want.error as TraceError).line);
        expect(e.message).toBe((want.error as TraceError).message);
        expectSameRecords(got.recs, want.recs);
      }
    }
  });

  it('refuses a line of 1 MiB + 1 byte as the in-process read does, whole in a slot or not; reads one of 1 MiB', async () => {
    const long = (n: number) => Buffer.from(csv(30000, 13, (i) => (i === 20000 ? `${'0'.repeat(n - 7)}1,0,0,5\n` : null)));
    const over = long((1 << 20) + 1);
    for (const [blockBytes, chunk] of [[1 << 20, 65536], [1 << 20, 4 << 20], [4096, 8192]] as const) {
      const { want, got } = await both(over, blockBytes, chunk);
      expect((want.error as TraceError).reason).toBe('line is longer than 1048576 bytes');
      expect(got.error, `blocks of ${blockBytes}, chunks of ${chunk}`).toBeInstanceOf(TraceError);
      expect((got.error as TraceError).message).toBe((want.error as TraceError).message);
      expectSameRecords(got.recs, want.recs);
    }
    const { want, got } = await both(long(1 << 20), 1 << 20, 65536);
    expect(got.error).toBeUndefined();
    expectSameRecords(got.recs, want.recs);
    expect(got.stats).toEqual(want.stats);
  });

  it('skips a line over 1 MiB with --skip-bad as the in-process read does, whole in a slot or not: the records of the input without it', async () => {
    const long = (n: number) => `${'0'.repeat(n - 7)}1,0,0,5\n`;
    const cases: [name: string, over: string, without: string][] = [
      ['mid', csv(30000, 18, (i) => (i === 20000 ? long((1 << 20) + 1) : null)), csv(30000, 18, (i) => (i === 20000 ? '' : null))],
      ['two', csv(9000, 19, (i) => (i === 4000 ? long((3 << 20) + 1) + `#${'x'.repeat(2 << 20)}\n` : null)), csv(9000, 19, (i) => (i === 4000 ? '' : null))],
      ['last', csv(9000, 20) + long((2 << 20) + 3).slice(0, -1), csv(9000, 20)],
    ];
    const skip = { ...DEFAULT_INPUT_SETTINGS, skipBad: true };
    for (const [name, over, without] of cases) {
      const plain = await both(Buffer.from(without), 1 << 20, 65536, skip);
      for (const [blockBytes, chunk] of [[1 << 20, 65536], [1 << 20, 4 << 20], [4096, 8192]] as const) {
        const { want, got } = await both(Buffer.from(over), blockBytes, chunk, skip);
        const what = `${name}, blocks of ${blockBytes}, chunks of ${chunk}`;
        expect(want.error, what).toBeUndefined();
        expect(got.error, what).toBeUndefined();
        expectSameRecords(want.recs, plain.want.recs);
        expectSameRecords(got.recs, want.recs);
        expect(got.stats, what).toEqual(want.stats);
        expect((got.stats as InputStats).badReasons).toEqual({ 'line is longer than 1048576 bytes': name === 'two' ? 2 : 1 });
      }
    }
  });

  it('skips bad lines with --skip-bad exactly like the in-process read', async () => {
    const text = csv(20000, 5, (i) => (i % 3001 === 7 ? `bad ${i}\n` : i === 9000 ? '0x1,0,nope,2\n' : null));
    const { want, got } = await both(Buffer.from(text), 2000, 3000, { ...DEFAULT_INPUT_SETTINGS, skipBad: true });
    expectSameRecords(got.recs, want.recs);
    expect(got.stats).toEqual(want.stats);
    expect((got.stats as { skipped: number }).skipped).toBe(8);
  });

  it('reads what the blocks do not take with the general reader: CRLF, quotes, another layout, no last LF, long lines', async () => {
    const texts = [
      csv(8000, 6, (i) => (i >= 4000 ? `0x${(0x200000 + i).toString(16)},0,hwhints,${4294892296 + i}\r\n` : null)),
      csv(8000, 7, (i) => (i === 5000 ? '"0x200010",1,"pgtscan",4294900000\n' : null)),
      'time,src,nid,pfn\n' + csv(5000, 8).split('\n').slice(1).map((l) => l.split(',').reverse().join(',')).join('\n'),
      csv(5000, 9) + '0x200001,0,hwhints,4294999999',
      // A comment longer than a slot (blocks of 1500 bytes): the block is irregular at its start.
      csv(5000, 10, (i) => (i === 2500 ? `#${'x'.repeat(9000)}\n` : null)),
      '',
      '# only a comment\n\n',
      'pfn,nid,src,time\n',
    ];
    for (const [i, text] of texts.entries()) {
      for (const chunk of [333, 65536]) {
        const { want, got } = await both(Buffer.from(text), 1500, chunk);
        expect(got.error, `case ${i}`).toBeUndefined();
        expectSameRecords(got.recs, want.recs);
        expect(got.stats, `case ${i}, chunks of ${chunk}`).toEqual(want.stats);
      }
    }
  });

  it('reads a stream whose header gives another layout in blocks after its header, by both threads, as the in-process read', async () => {
    for (const [what, text] of Object.entries(layoutForms(csv(20000, 31)))) {
      for (const chunk of [333, 65536]) {
        const { want, got } = await both(Buffer.from(text), 1500, chunk);
        expect(got.error, what).toBeUndefined();
        expectSameRecords(got.recs, want.recs);
        expect(got.stats, `${what}, chunks of ${chunk}`).toEqual(want.stats);
        // Blocks over the whole stream (10-51 here: a slot takes what a chunk brings, up to 64 KiB past the block size);
        // before, block 0 was irregular at the header, and the general reader read the rest: one block.
        expect(got.here + got.there, what).toBeGreaterThan(5);
      }
    }
    // A line the layout loop leaves (a quoted comma): the general reader reads on with the header's layout.
    const odd = layoutForms(csv(20000, 32, (i) => (i === 12000 ? '"a,b",0x200010,1,pgtscan,4294900000\n' : null))).rowNames;
    const { want, got } = await both(Buffer.from(odd), 1500, 4096);
    expect(want.error).toBeUndefined();
    expectSameRecords(got.recs, want.recs);
    expect(got.stats).toEqual(want.stats);
  });

  it('reads gzip on standard input in blocks of its decompressed bytes', async () => {
    const text = csv(30000, 11);
    const { want, got } = await both(gzipSync(text), 8192, 5000);
    expectSameRecords(got.recs, want.recs);
    expect(got.stats).toEqual(want.stats);
    expect(got.here + got.there).toBeGreaterThan(0);
  });

  it('applies the lines of a slow writer as they come, not at the end of the stream', async () => {
    const text = Buffer.from(csv(2000, 12));
    let applied = 0;
    let early = -1;
    const stdin = Readable.from(
      (async function* () {
        yield text.subarray(0, 1000); // far less than a block
        // The writer pauses: what it wrote is sealed into a block and applied meanwhile.
        for (let t = 0; t < 200 && applied === 0; t++) await sleep(10);
        early = applied;
        yield text.subarray(1000);
      })(),
    );
    const recs: number[] = [];
    const stats = await readInputsThreaded(
      [{ name: '-' }],
      { record_access: (p, n, s, t) => (applied++, void recs.push(p, n, s, t)) },
      { ...opts(), stdin, blockBytes: 1 << 20 },
    );
    expect(early).toBeGreaterThan(0);
    expect(stats.records).toBe(2000);
    const want: number[] = [];
    await readInputs([{ name: '-' }], { record_access: (p, n, s, t) => void want.push(p, n, s, t) }, { ...opts(), stdin: Readable.from([text]) });
    expectSameRecords(recs, want);
  });

  it('reports a bad line while the writer still holds the stream open', async () => {
    let release = (): void => {};
    const open = new Promise<void>((res) => (release = res));
    const text = csv(100, 15) + '0x200000,0,hwhints,12x\n';
    const stdin = Readable.from(
      (async function* () {
        yield Buffer.from(text);
        await open; // the writer goes quiet, the pipe stays open
      })(),
    );
    const read = readInputsThreaded([{ name: '-' }], { record_access: () => {} }, { ...opts(), stdin, blockBytes: 1 << 20 });
    const got = await Promise.race([read.then(() => 'no error', (e: unknown) => e), sleep(5000).then(() => 'still waiting after 5 s')]);
    release();
    expect(got).toBeInstanceOf(TraceError);
    expect(got).toMatchObject({ line: text.split('\n').length - 1, column: 4, text: '12x' }); // the last line
  });

  it('stops when asked (Ctrl-C) and says so', async () => {
    let n = 0;
    const stdin = Readable.from(chunks(Buffer.from(csv(100000, 13)), 4096));
    const stats = await readInputsThreaded([{ name: '-' }], { record_access: () => n++ }, { ...opts(), stdin, blockBytes: 8192, shouldStop: () => n > 0 });
    expect(stats.stopped).toBe(true);
    expect(stats.records).toBe(n);
    expect(n).toBeLessThan(100000);
  });

  it('ramps the first blocks up to the block size, as the blocks of a file', () => {
    expect([0, 1, 2, 3, 4, 5].map((k) => blockTarget(k, 1 << 20))).toEqual([65536, 131072, 262144, 524288, 1 << 20, 1 << 20]);
    expect(blockTarget(0, 1500)).toBe(1500); // not a multiple of 16: all the same
  });
});
