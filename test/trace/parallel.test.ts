/**
 * A threaded read of one CSV file in blocks, parsed by both threads (trace/parallel.ts, dist/ build for the parse
 * thread), against the in-process read: the same records, stats and errors, whatever the block size, and the
 * general reader from the first line the block parsers do not take.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TraceError } from '../../src/errors.js';
import { BlockReader, openBlockFile } from '../../src/trace/blocks.js';
import { DEFAULT_INPUT_SETTINGS, type InputSettings, type InputStats } from '../../src/trace/input.js';
import { readBlocksThreaded } from '../../src/trace/parallel.js';
import { readInputsThreaded } from '../../src/trace/threaded.js';
import { parseWorkerPath } from '../../src/trace/worker-link.js';
import { SPEC_2S_CXL } from '../engine/helpers.js';
import { bothReads, csv, expectSameRecords, layoutForms, readGrowing, spin } from './block-read.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-parallel-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const opts = (input: InputSettings = DEFAULT_INPUT_SETTINGS) => ({ input, topology: SPEC_2S_CXL, hz: 250 });

/** The in-process read and the block read of `file` (block-read.ts). */
const both = (file: string, blockBytes: number, input: InputSettings = DEFAULT_INPUT_SETTINGS) => bothReads(file, blockBytes, opts(input));

describe.skipIf(!fs.existsSync(parseWorkerPath()))('reading one CSV file in blocks on two threads', () => {
  it('gives the records and stats of the in-process read, for any block size', async () => {
    const small = write('small.csv', csv(4000, 1)); // tiny blocks: many boundaries (and a slow engine: keep it short)
    const big = write('plain.csv', csv(60000, 1));
    for (const bytes of [50, 999, 65536, 1 << 20]) {
      const { want, got } = await both(bytes < 1000 ? small : big, bytes);
      expectSameRecords(got.recs, want.recs);
      expect(got.stats, `blocks of ${bytes}`).toEqual(want.stats);
    }
  });

  it('both threads parse blocks', async () => {
    const file = write('split.csv', csv(40000, 2));
    const f = openBlockFile([{ name: file }], DEFAULT_INPUT_SETTINGS, 'auto')!;
    let n = 0;
    // An engine slower than parsing (1 ms a batch): the parse thread gets blocks; the first are parsed here,
    // while it starts.
    const res = (await readBlocksThreaded([{ name: file }], f, { record_access: () => n++, record_batch: (_p, _n, _s, _t, k) => (spin(1), (n += k)) }, { ...opts(), blockBytes: 4096 }))!;
    expect(res.resume).toBeNull();
    expect(n).toBe(40000);
    expect(res.blocksHere).toBeGreaterThan(0);
    expect(res.blocksThere).toBeGreaterThan(0);
    // The parse thread's parser wrote its records straight into the ring (in its shared memory), none copied there.
    expect(res.recordsThere).toBeGreaterThan(0);
    expect(res.directThere).toBe(res.recordsThere);
    const fd = fs.openSync(file, 'r');
    expect(res.blocksHere + res.blocksThere).toBe(new BlockReader(fd, fs.statSync(file).size, 4096).blocks);
    fs.closeSync(fd);
  });

  it('reports a bad line in a later block as the same TraceError, line number included', async () => {
    const bad = write('bad.csv', csv(30000, 3, (i) => (i === 20000 ? '0x200000,0,hwhints,12x\n' : null)));
    // A second header is a bad line too: only the first content line may be one (with a header before it, or data).
    const header = write('header.csv', csv(30000, 3, (i) => (i === 20000 ? 'pfn,nid,src,time\n' : null)));
    const noHeader = write('noheader.csv', csv(30000, 3, (i) => (i === 20000 ? 'pfn,nid,src,time\n' : null)).slice(17));
    const cases = [[bad, 4, '12x'], [header, 1, 'pfn'], [noHeader, 1, 'pfn']] as const;
    for (const [file, column, text] of cases) for (const bytes of [1000, 65536]) {
      const { want, got } = await both(file, bytes);
      const e = got.error as TraceError;
      expect(e).toBeInstanceOf(TraceError);
      expect(e).toMatchObject({ file, column, text });
      expect(e.line).toBe((want.error as TraceError).line);
      expect(e.message).toBe((want.error as TraceError).message);
      expectSameRecords(got.recs, want.recs); // the records before it were applied, as in-process
    }
  });

  it('refuses a line of 1 MiB + 1 byte as the in-process read does, wherever the blocks cut it; reads one of 1 MiB', async () => {
    const long = (n: number) => csv(30000, 12, (i) => (i === 20000 ? `${'0'.repeat(n - 7)}1,0,0,5\n` : null));
    const over = write('over.csv', long((1 << 20) + 1));
    for (const bytes of [1000, 65536, 1 << 20]) {
      const { want, got } = await both(over, bytes);
      expect((want.error as TraceError).reason).toBe('line is longer than 1048576 bytes');
      expect(got.error, `blocks of ${bytes}`).toBeInstanceOf(TraceError);
      expect((got.error as TraceError).message).toBe((want.error as TraceError).message);
      expectSameRecords(got.recs, want.recs);
    }
    const exact = write('exact.csv', long(1 << 20));
    for (const bytes of [1000, 1 << 20]) {
      const { want, got } = await both(exact, bytes);
      expect(got.error, `blocks of ${bytes}`).toBeUndefined();
      expectSameRecords(got.recs, want.recs);
      expect(got.stats).toEqual(want.stats);
    }
  });

  it('skips a line over 1 MiB with --skip-bad as the in-process read does, wherever the blocks cut it: the records of the file without it', async () => {
    const long = (n: number) => `${'0'.repeat(n - 7)}1,0,0,5\n`;
    const cases: [name: string, over: string, without: string][] = [];
    for (const n of [(1 << 20) + 1, (3 << 20) + 5]) {
      cases.push([`mid${n}`, csv(30000, 14, (i) => (i === 20000 ? long(n) : null)), csv(30000, 14, (i) => (i === 20000 ? '' : null))]);
    }
    // First (before the header), two in a row, and last without its LF.
    cases.push(['first', long((1 << 20) + 9) + csv(5000, 15), csv(5000, 15)]);
    cases.push(['two', csv(9000, 16, (i) => (i === 4000 ? long((1 << 20) + 1) + `#${'x'.repeat(2 << 20)}\n` : null)), csv(9000, 16, (i) => (i === 4000 ? '' : null))]);
    cases.push(['last', csv(9000, 17) + long((2 << 20) + 3).slice(0, -1), csv(9000, 17)]);
    const skip = { ...DEFAULT_INPUT_SETTINGS, skipBad: true };
    for (const [name, over, without] of cases) {
      const file = write(`skip-${name}.csv`, over);
      const plain = await both(write(`without-${name}.csv`, without), 1 << 20, skip);
      for (const bytes of [1000, 65536, 1 << 20]) {
        const { want, got } = await both(file, bytes, skip);
        expect(want.error, name).toBeUndefined();
        expect(got.error, `${name}, blocks of ${bytes}`).toBeUndefined();
        expectSameRecords(want.recs, plain.want.recs);
        expectSameRecords(got.recs, want.recs);
        expect(got.stats, `${name}, blocks of ${bytes}`).toEqual(want.stats);
        const stats = got.stats as InputStats;
        expect(stats.badReasons).toEqual({ 'line is longer than 1048576 bytes': name === 'two' ? 2 : 1 });
        expect(stats.firstBad[0]).toMatchObject({ reason: 'line is longer than 1048576 bytes', longerThan: 1 << 20 });
      }
    }
  });

  it('skips bad lines with --skip-bad exactly like the in-process read', async () => {
    const file = write('skip.csv', csv(20000, 4, (i) => (i % 3001 === 7 ? `bad ${i}\n` : i === 9000 ? '0x1,0,nope,2\n' : null)));
    const { want, got } = await both(file, 2000, { ...DEFAULT_INPUT_SETTINGS, skipBad: true });
    expectSameRecords(got.recs, want.recs);
    expect(got.stats).toEqual(want.stats);
    expect((got.stats as { skipped: number }).skipped).toBe(8);
  });

  it('reads what the block parsers do not take with the general reader: CRLF, quotes, another header, no last LF', async () => {
    const texts = [
      csv(8000, 5, (i) => (i >= 4000 ? `0x${(0x200000 + i).toString(16)},0,hwhints,${4294892296 + i}\r\n` : null)),
      csv(8000, 6, (i) => (i === 5000 ? '"0x200010",1,"pgtscan",4294900000\n' : null)),
      'time,src,nid,pfn\n' + csv(5000, 7).split('\n').slice(1).map((l) => l.split(',').reverse().join(',')).join('\n'),
      csv(5000, 8) + '0x200001,0,hwhints,4294999999',
      '',
      '# only a comment\n\n',
    ];
    for (const [i, text] of texts.entries()) {
      const file = write(`general${i}.csv`, text);
      const { want, got } = await both(file, 1500);
      expect(got.error, `case ${i}`).toBeUndefined();
      expectSameRecords(got.recs, want.recs);
      expect(got.stats, `case ${i}`).toEqual(want.stats);
    }
  });

  it('reads a file whose header gives another layout in blocks after its header, by both threads, as the in-process read', async () => {
    const forms = layoutForms(csv(20000, 21));
    for (const [what, text] of Object.entries(forms)) {
      const file = write(`layout-${what}.csv`, text);
      for (const bytes of [1000, 65536]) {
        const { want, got } = await both(file, bytes);
        expect(got.error, what).toBeUndefined();
        expectSameRecords(got.recs, want.recs);
        expect(got.stats, `${what}, blocks of ${bytes}`).toEqual(want.stats);
      }
      // Every block taken after the header (the general reader never ran): the blocks start after the header's line.
      const f = openBlockFile([{ name: file }], DEFAULT_INPUT_SETTINGS, 'auto')!;
      // An engine slower than parsing: the parse thread gets blocks, and writes their records straight into the ring.
      const slow = { record_access: () => {}, record_batch: () => spin(1) };
      const res = (await readBlocksThreaded([{ name: file }], f, slow, { ...opts(), blockBytes: 4096 }))!;
      expect(res.resume, what).toBeNull();
      expect(res.stats.records).toBe(20000);
      expect(res.recordsThere, what).toBeGreaterThan(0);
      expect(res.directThere, what).toBe(res.recordsThere);
      const fd = fs.openSync(file, 'r');
      const base = text.indexOf('\n') + 1;
      expect(res.blocksHere + res.blocksThere, what).toBe(new BlockReader(fd, fs.statSync(file).size, 4096, base).blocks);
      fs.closeSync(fd);
    }
  });

  it('in a file of another layout, reads on from a line the layout loop leaves with the header\'s layout; reports a bad line as in-process', async () => {
    const odd = (i: number) => (i === 12000 ? '"a,b",0x200010,1,pgtscan,4294900000\n' : i === 15000 ? '\n  # indented\n' : null);
    const bad = (i: number) => (i === 12000 ? '0x200010,7,1,hwhints,42x\n' : null);
    for (const [what, text] of Object.entries({ odd: layoutForms(csv(20000, 22, odd)).rowNames, bad: layoutForms(csv(20000, 23, bad)).rowNames })) {
      const file = write(`layout-${what}.csv`, text);
      const { want, got } = await both(file, 1000);
      expectSameRecords(got.recs, want.recs);
      if (what === 'odd') {
        expect(want.error).toBeUndefined();
        expect(got.stats).toEqual(want.stats);
      }
      else {
        expect(got.error).toBeInstanceOf(TraceError);
        expect((got.error as TraceError).message).toBe((want.error as TraceError).message);
        expect(got.error).toMatchObject({ line: (want.error as TraceError).line, column: 5, text: '42x' });
      }
    }
    // A header the general reader refuses (a column named twice, one missing): the same error, from the general reader.
    for (const head of ['time,pfn,PFN,nid,src', '"","pfn","nid","time"']) {
      const file = write('layout-badhead.csv', `# c\n${head}\n` + layoutForms(csv(3000, 25)).reordered.split('\n').slice(1).join('\n'));
      const { want, got } = await both(file, 1000);
      expect(want.error, head).toBeInstanceOf(TraceError);
      expect((got.error as TraceError).message, head).toBe((want.error as TraceError).message);
      expect(got.recs).toEqual([]);
    }
    // --skip-bad: the same records and skips.
    const skip = write('layout-skip.csv', layoutForms(csv(20000, 24, (i) => (i % 3001 === 7 ? `bad ${i}\n` : null))).reordered);
    const { want, got } = await both(skip, 2000, { ...DEFAULT_INPUT_SETTINGS, skipBad: true });
    expectSameRecords(got.recs, want.recs);
    expect(got.stats).toEqual(want.stats);
    expect((got.stats as { skipped: number }).skipped).toBe(7);
  });

  it('reads lines appended to the file while it reads it (a trace still being written)', async () => {
    const head = csv(20000, 10);
    const tail = csv(3000, 11).slice('pfn,nid,src,time\n'.length);
    const got = await readGrowing(write('growing.csv', head), tail, 4096, opts());
    // The blocks covered the file as opened; the general reader read on from there to the end.
    const whole = await both(write('grown.csv', head + tail), 4096);
    expectSameRecords(got.recs, whole.want.recs);
    expect(got.stats).toEqual(whole.want.stats);
  });

  it('a file cut short while its blocks are read is an error naming it, not a shorter trace (it ended with exit 0 and fewer records)', async () => {
    const text = csv(100000, 12);
    const file = write('shrinking.csv', text);
    const cut = text.indexOf('\n', 4096 * 3) + 1; // at a line end: the cut file is a valid trace
    let n = 0;
    const sink = {
      record_access: () => {
        if (n++ === 0) fs.truncateSync(file, cut);
      },
    };
    const err = await readInputsThreaded([{ name: file }], sink, { ...opts(), blockBytes: 4096 }).catch((e) => e);
    expect(err).toBeInstanceOf(TraceError);
    expect(err.file).toBe(file);
    expect(err.message).toMatch(/the file shrank while it was read \(\d+ bytes when opened, \d+ when the read ended\)/);
  });

  it('stops when asked (Ctrl-C) and says so', async () => {
    const file = write('stop.csv', csv(100000, 9));
    let n = 0;
    const stats = await readInputsThreaded([{ name: file }], { record_access: () => n++ }, { ...opts(), blockBytes: 8192, shouldStop: () => n > 0 });
    expect(stats.stopped).toBe(true);
    expect(stats.records).toBe(n);
    expect(n).toBeLessThan(100000);
  });

  it('stops when asked while the sink is behind (a pass part way), and leaves no rejection unhandled', async () => {
    // Ctrl-C during a migrate pass cut in slices: the sink's settle() promise rejects to abandon the read (run/slices.ts
    // catchUp()), and the read, stopping, does not await it. Once an unhandled rejection ended the process (exit 1).
    const file = write('behind.csv', csv(100000, 5));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const blockBytes of [8192, 0]) {
        // Blocks on two threads (parallel.ts), and the parse thread alone (threaded.ts).
        let n = 0;
        let stop = false;
        const sink = {
          record_access: () => n++,
          record_batch: (_P: Float64Array, _N: Int32Array, _S: Int32Array, _T: Float64Array, k: number) => void (n += k),
          settle: (): Promise<void> | null => {
            if (n === 0 || stop) return null;
            stop = true; // the signal comes while the pass is part way
            return new Promise<void>((_resolve, reject) => setImmediate(() => reject(new Error('abandon the read'))));
          },
        };
        const stats = await readInputsThreaded([{ name: file }], sink, { ...opts(), blockBytes, shouldStop: () => stop });
        expect(stats.stopped, `blockBytes ${blockBytes}`).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 20)); // the settle() promise has rejected by now
      }
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
