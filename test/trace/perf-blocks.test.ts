/**
 * A regular perf text file read in blocks on two threads (trace/perf-blocks.ts, trace/parallel.ts; dist/ build for
 * the parse thread), against the in-process read (one PerfReader): the same records, stats, notes and errors, whatever
 * the block size; the general reader from the first line the block parsers do not take.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Topology } from '../../src/engine/topology.js';
import { TraceError } from '../../src/errors.js';
import { openBlockFile } from '../../src/trace/blocks.js';
import { Columns } from '../../src/trace/columns.js';
import { RFC_V1_DEFAULTS } from '../../src/engine/config.js';
import { RfcV1Engine } from '../../src/engine/rfc-v1.js';
import { DEFAULT_INPUT_SETTINGS, readInputs, type InputSettings } from '../../src/trace/input.js';
import { readBlocksThreaded } from '../../src/trace/parallel.js';
import { perfBlockScan, readPerfHead } from '../../src/trace/perf-blocks.js';
import { readInputsThreaded } from '../../src/trace/threaded.js';
import { earlyParseThreadsTaken } from '../../src/trace/early-worker.js';
import { parseWorkerPath } from '../../src/trace/worker-link.js';
import { SPEC_2S_CXL } from '../engine/helpers.js';
import { prng } from '../prng.js';
import { bothReads, csv, expectSameRecords, readGrowing, spin } from './block-read.js';
import { PerfPrinter, type GenOptions, type GenSample } from './perf-gen.js';
import { BOX_2TIER, REAL_FIXTURES, realText } from './perf-real.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-perf-blocks-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const IBS: GenOptions = { fields: ['comm', 'pid', 'tid', 'cpu', 'time', 'event', 'addr', 'phys_addr'], pidWidth: 7, ns: false, eventWidth: 8 };
const LOADS = 'cpu/mem-loads,ldlat=30/P';
const STORES = 'cpu/mem-stores/P';

const sample: GenSample = {
  comm: 'stream', pid: 4242, tid: 4242, cpu: 3, timeNs: 0n, period: 100000, event: 'ibs_op//',
  addr: 0x7f3a5c001040n, dataSrc: 0n, decode: '', weight: 0, insLat: 0, retireLat: 0, ip: 0n, sym: 'triad', dso: 'stream',
  phys: 0n, dataPageSize: '4K',
};

/**
 * `n` perf sample lines over 2s-cxl as perf prints them: events picked from `events`, CPUs 0-17 (16 and 17 in no
 * node), a phys_addr of 0 now and then, comms and pids of several widths, times rising a few jiffies at a time;
 * `line(i)` replaces sample i.
 */
function perfText(n: number, seed: number, o: { events?: readonly string[]; opts?: GenOptions; line?: (i: number) => string | null; zero?: number } = {}): string {
  const r = prng(seed);
  const events = o.events ?? ['ibs_op//'];
  const opts = o.opts ?? { ...IBS, eventWidth: Math.max(...events.map((e) => e.length)) };
  const printer = new PerfPrinter(opts);
  const comms = ['stream', 'Web Content', 'a', 'kworker/u8:2-events_unbound'];
  let ns = 1_234_000_000_000n;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const special = o.line?.(i) ?? null;
    if (special !== null) {
      out.push(special);
      continue;
    }
    ns += BigInt(Math.floor(r() * 3_000_000));
    const pid = r() < 0.1 ? 1558582 : 4242;
    const phys = r() < (o.zero ?? 0.03) ? 0n : BigInt(Math.floor(r() * 0x400000)) * 4096n + BigInt(Math.floor(r() * 4096));
    out.push(printer.line({
      ...sample, comm: comms[Math.floor(r() * comms.length)]!, pid, tid: pid + (r() < 0.2 ? 8 : 0), cpu: Math.floor(r() * 18),
      timeNs: ns, event: events[Math.floor(r() * events.length)]!, phys,
    }));
  }
  return out.join('');
}

/** The in-process read and the threaded read of `file` (block-read.ts). */
const both = (file: string, blockBytes: number, input: Partial<InputSettings> = {}, topology: Topology = SPEC_2S_CXL) =>
  bothReads(file, blockBytes, { input: { ...DEFAULT_INPUT_SETTINGS, ...input }, topology, hz: 250 });

/** The block read itself (null: the head gave the block parsers nothing), with a slow engine. */
async function blockRead(file: string, blockBytes: number, input: Partial<InputSettings> = {}, firstMs = 0.3) {
  const settings = { ...DEFAULT_INPUT_SETTINGS, ...input };
  const f = openBlockFile([{ name: file }], settings, 'auto')!;
  expect(f.kind).toBe('perf');
  let n = 0;
  // An engine of 0.3 ms a batch, its first batch `firstMs`.
  const sink = { record_access: () => n++, record_batch: (_p: unknown, _n: unknown, _s: unknown, _t: unknown, k: number) => (spin(n === 0 ? firstMs : 0.3), (n += k)) };
  const res = await readBlocksThreaded([{ name: file }], f, sink, { input: settings, topology: SPEC_2S_CXL, hz: 250, blockBytes });
  return { res, n };
}

describe('the perf block parser', () => {
  const shapeOf = (text: string, input: Partial<InputSettings> = {}) => {
    const file = write('shape.txt', text);
    const fd = fs.openSync(file, 'r');
    try {
      const settings = { ...DEFAULT_INPUT_SETTINGS, ...input };
      return readPerfHead(fd, fs.statSync(file).size, file, { input: settings, topology: SPEC_2S_CXL, hz: 250 }, settings, new Columns(16));
    } finally {
      fs.closeSync(fd);
    }
  };

  it('reads the head up to where the fast path takes lines, with the events accepted so far', () => {
    const text = perfText(3000, 1, { events: [LOADS, STORES] });
    const head = shapeOf(text)!;
    expect(head).not.toBeNull();
    expect(text[head.end - 1]).toBe('\n');
    expect(head.end).toBeLessThan(text.length);
    expect(head.records.n).toBe(head.stats.records);
    expect(head.shape.events.map((e) => Buffer.from(e).toString()).sort()).toEqual([LOADS, STORES].sort());
    // A file the fast path takes nothing of (no accepted event), or that ends within the head: no block read.
    expect(shapeOf(perfText(3000, 2, { events: ['cycles'] }))).toBeNull();
    expect(shapeOf(perfText(20, 3))).toBeNull();
  });

  it('gives up at once on a shape the fast path does not read (page sizes), so as not to parse 8 MiB twice', () => {
    const opts = { ...IBS, fields: [...IBS.fields, 'data_page_size'] };
    const text = perfText(30000, 22, { opts });
    const file = write('pagesize.txt', text);
    const fd = fs.openSync(file, 'r');
    try {
      const settings = { ...DEFAULT_INPUT_SETTINGS, perfFields: opts.fields.join(',') };
      const records = new Columns(16);
      expect(readPerfHead(fd, fs.statSync(file).size, file, { input: settings, topology: SPEC_2S_CXL, hz: 250 }, settings, records)).toBeNull();
      expect(records.n).toBeGreaterThan(0); // read at most one chunk
      expect(records.n).toBeLessThan(1000);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('takes samples of the head events and `#` and empty lines, and stops at the first other line', () => {
    const lines = perfText(400, 4, { events: [LOADS, STORES] }).split(/(?<=\n)/);
    const head = shapeOf(lines.join('') + lines.join(''))!;
    const scan = perfBlockScan(head.shape);
    const block = [...lines.slice(0, 100), '# a comment\n', '\n', ...lines.slice(100, 200)];
    const other = perfText(1, 5, { events: ['cycles'] });
    const text = block.join('') + other + lines.slice(200).join('');
    const buf = Buffer.from(text);
    const recs = new Columns(16);
    const res = scan(buf, buf.length, false, recs);
    expect(res.stop).toBe(Buffer.byteLength(block.join('')));
    expect(res.lines).toBe(202);
    expect(res.perf!.nonSample).toBe(2);
    expect(res.perf!.samples.reduce((a, b) => a + b, 0) + res.perf!.nonSample).toBe(202);
    expect(res.records + res.perf!.zero + res.perf!.missing + res.perf!.noCpu).toBe(200);
    expect(recs.n).toBe(res.records);
    // Samples of an event the head saw and does not keep, and PERF_RECORD lines, are counted as the general reader counts
    // them (no record); a callchain line, a bad line and an event the head did not see stop the block.
    const mixed = perfText(400, 6, { events: [LOADS, 'cycles'] }).split(/(?<=\n)/);
    const mixedHead = shapeOf(mixed.join('') + mixed.join(''))!;
    expect(mixedHead.shape.rejected.map((e) => Buffer.from(e).toString())).toEqual(['cycles']);
    const record = '            perf 12/12 [001]  1234.500000: PERF_RECORD_COMM: perf:12/12\n';
    const mixedText = Buffer.from(mixed.slice(0, 300).join('') + record + '\r\n' + mixed.slice(300).join(''));
    const got = perfBlockScan(mixedHead.shape)(mixedText, mixedText.length, false, new Columns(16));
    expect(got.stop).toBe(-1);
    expect(got.lines).toBe(402);
    expect(got.perf!.nonSample).toBe(2);
    const cycles = mixed.filter((l) => l.includes('cycles:')).length;
    expect(cycles).toBeGreaterThan(100);
    expect(got.perf!.other).toBe(cycles);
    expect(got.perf!.samples).toEqual([400 - cycles, cycles]);
    for (const stopper of ['\tffffffff81000000 do_page_fault ([kernel.kallsyms])\n', 'bad line\n', perfText(1, 5, { events: ['ibs_fetch//'] })]) {
      const t = Buffer.from(mixed.slice(0, 300).join('') + stopper + mixed.slice(300).join(''));
      expect(perfBlockScan(mixedHead.shape)(t, t.length, false, new Columns(16)).stop).toBe(Buffer.byteLength(mixed.slice(0, 300).join('')));
    }
    // A partial last line is left to the general reader; whole lines only: -1.
    const cut = Buffer.from(lines.slice(0, 50).join('') + lines[50]!.slice(0, 30));
    expect(scan(cut, cut.length, false, new Columns(16)).stop).toBe(Buffer.byteLength(lines.slice(0, 50).join('')));
    const whole = Buffer.from(lines.slice(0, 50).join(''));
    expect(scan(whole, whole.length, false, new Columns(16)).stop).toBe(-1);
  });
});

describe.skipIf(!fs.existsSync(parseWorkerPath()))('reading one perf text file in blocks on two threads', () => {
  it('gives the records and stats of the in-process read, for any block size', async () => {
    const small = write('small.txt', perfText(3000, 1));
    const big = write('big.txt', perfText(40000, 2));
    // Blocks of 50 bytes: most hold no line start (empty blocks, whose ring slot must not carry an earlier block's counts).
    for (const bytes of [50, 300, 1999, 65536, 1 << 20]) {
      const { want, got } = await both(bytes < 2000 ? small : big, bytes);
      expect(got.error, `blocks of ${bytes}`).toBeUndefined();
      expectSameRecords(got.recs, want.recs);
      expect(got.stats, `blocks of ${bytes}`).toEqual(want.stats);
    }
  });

  it('maps samples alike with --nid none, --nid N and another page size', async () => {
    const file = write('nid.txt', perfText(20000, 21));
    for (const input of [{ nid: 'none' as const }, { nid: 2 }, { pageSize: 2 << 20 }]) {
      const { want, got } = await both(file, 4096, input);
      expect(got.error, JSON.stringify(input)).toBeUndefined();
      expectSameRecords(got.recs, want.recs);
      expect(got.stats, JSON.stringify(input)).toEqual(want.stats);
    }
  });

  it('both threads parse blocks, and every block is applied', async () => {
    const file = write('split.txt', perfText(30000, 3));
    // The first batch takes a second: the parse thread has started and claimed blocks by then, however loaded the
    // machine (at 0.3 ms a batch alone, this thread once parsed every block before the other had started).
    const { res, n } = await blockRead(file, 8192, {}, 1000);
    expect(res).not.toBeNull();
    expect(res!.resume).toBeNull();
    expect(res!.blocksHere).toBeGreaterThan(0);
    expect(res!.blocksThere).toBeGreaterThan(0);
    expect(n).toBe(res!.stats.records);
    expect(res!.stats.perf!.samples).toBe(30000);
  });

  it('counts the pages of --analysis on the parse thread as the engine counts them, the head on this thread', async () => {
    // Samples over 2s-cxl's three nodes, and a hot set of 5 CXL pages (hundreds of samples each: carries).
    const hot = (i: number): string | null =>
      i % 4 === 0 ? new PerfPrinter(IBS).line({ ...sample, cpu: i % 16, timeNs: 1_234_000_000_000n + BigInt(i) * 10_000n, phys: BigInt(0x200000 + (i % 5)) * 4096n }) : null;
    const file = write('tally.txt', perfText(20_000, 21, { line: hot }));
    const make = () => new RfcV1Engine({ ...RFC_V1_DEFAULTS, topology: SPEC_2S_CXL, page_counts: true });
    const counts = (e: RfcV1Engine) => {
      const pc = e.page_counts()!;
      const pages: number[] = [];
      pc.forEach((pfn, n) => pages.push(pfn, n));
      return { pages, t0: pc.home_toptier, n: pc.pages, accesses: pc.accesses };
    };
    const settings = { ...DEFAULT_INPUT_SETTINGS, kind: 'perf' as const };
    const want = make();
    await readInputs([{ name: file }], want, { input: settings, topology: SPEC_2S_CXL, hz: 250 });
    want.finish();
    expect(Math.max(...counts(want).pages.filter((_, i) => i % 2 === 1))).toBeGreaterThan(600);
    const got = make();
    const sink = { record_access: () => {}, record_batch: (P: Float64Array, N: Int32Array, S: Int32Array, T: Float64Array, k: number) => (spin(0.3), got.record_batch(P, N, S, T, k)) };
    const f = openBlockFile([{ name: file }], settings, 'auto')!;
    expect(f.kind).toBe('perf');
    const res = (await readBlocksThreaded([{ name: file }], f, sink, { input: settings, topology: SPEC_2S_CXL, hz: 250, blockBytes: 8192, pageCounts: got }))!;
    expect(res.resume).toBeNull();
    got.finish();
    expect(counts(got)).toEqual(counts(want));
    expect(got.counters()).toEqual(want.counters());
  });

  it('reads the real perf fixtures alike, blocks or not', async () => {
    for (const fx of REAL_FIXTURES) {
      const file = write(fx.name.replace(/\.gz$/, ''), realText(fx.name));
      const input = { ...(fx.event ? { events: ['page-faults'] } : {}) };
      for (const bytes of [1000, 65536]) {
        const { want, got } = await both(file, bytes, input, BOX_2TIER);
        expect(got.error, `${fx.name}, blocks of ${bytes}`).toBeUndefined();
        expectSameRecords(got.recs, want.recs);
        expect(got.stats, `${fx.name}, blocks of ${bytes}`).toEqual(want.stats);
      }
    }
  });

  it('reads real perf output whose lines alternate between two events alike, blocks or not, whichever is kept', async () => {
    // Real `perf script` output (fixtures/perf/real/README.md): page-faults and minor-faults samples of every fault, in turn.
    const file = write('two-events.txt', realText('two-events.txt.gz'));
    for (const events of [['minor-faults'], ['page-faults'], ['page-faults', 'minor-faults']]) {
      for (const bytes of [1000, 65536]) {
        const { want, got } = await both(file, bytes, { events }, BOX_2TIER);
        expect(got.error, `${events.join(',')}, blocks of ${bytes}`).toBeUndefined();
        expectSameRecords(got.recs, want.recs);
        expect(got.stats, `${events.join(',')}, blocks of ${bytes}`).toEqual(want.stats);
        const perf = (want.stats as { perf: { events: Record<string, number>; skipped: Record<string, number> } }).perf;
        expect(perf.events).toEqual({ 'page-faults': 4546, 'minor-faults': 4546 });
        expect(perf.skipped.other_event).toBe(events.length === 1 ? 4546 : 0);
        expect(want.recs.length).toBeGreaterThan(0);
      }
    }
  });

  it('switches between the accepted events, and reads a new event or line kind with the general reader', async () => {
    const texts = [
      perfText(20000, 6, { events: [LOADS, STORES] }),
      // An event seen only after the head: not one the blocks take.
      perfText(20000, 7, { events: [LOADS], line: (i) => (i >= 12000 && i % 3 === 0 ? perfText(1, i, { events: [STORES], opts: { ...IBS, eventWidth: LOADS.length } }) : null) }),
      // Samples of an event kpromo does not keep, PERF_RECORD lines, CRLF, comments, no last line end.
      perfText(20000, 8, { line: (i) => (i === 9000 ? perfText(1, 1, { events: ['cycles'], opts: { ...IBS, eventWidth: 8 } }) : null) }),
      perfText(20000, 9, { line: (i) => (i === 7000 ? '            perf 12/12 [001]  1234.500000: PERF_RECORD_COMM: perf:12/12\n' : null) }),
      perfText(20000, 10, { line: (i) => (i >= 15000 ? perfText(1, i).replace('\n', '\r\n') : null) }),
      perfText(20000, 11, { line: (i) => (i % 4000 === 3 ? `# note ${i}\n\n` : null) }),
      perfText(20000, 12).slice(0, -1),
      perfText(20000, 19, { events: [LOADS, STORES, 'cycles', 'ibs_fetch//'] }),
      perfText(20000, 20, { line: (i) => (i % 2000 === 1999 ? '            perf 12/12 [001]  1234.500000: PERF_RECORD_COMM: perf:12/12\n' : null) }),
    ];
    for (const [i, text] of texts.entries()) {
      const file = write(`general${i}.txt`, text);
      const { want, got } = await both(file, 4096);
      expect(got.error, `case ${i}`).toBeUndefined();
      expectSameRecords(got.recs, want.recs);
      expect(got.stats, `case ${i}`).toEqual(want.stats);
    }
    // The interleaved accepted events, an event not kept and seen in the head, and PERF_RECORD lines are read in
    // blocks to the end; a new event sends the rest to the general reader.
    for (const i of [0, 7, 8]) expect((await blockRead(write(`to-end${i}.txt`, texts[i]!), 4096)).res!.resume, `case ${i}`).toBeNull();
    const resumed = (await blockRead(write('new-event.txt', texts[1]!), 4096)).res!.resume!;
    expect(resumed.perf!.prior.samples).toBeGreaterThan(10000);
    expect(resumed.perf!.prior.files).toBe(0);
  });

  it('reports a bad line, in the head or a later block, as the same TraceError after the same records', async () => {
    const bad = (at: number) => perfText(20000, 13, { line: (i) => (i === at ? '          stream    4242/4242    [003]  1234.500000: ibs_op//: zz\n' : null) });
    // A line over the 1 MiB cap: its error quotes its head whatever the reads' chunks.
    const long = perfText(20000, 23, { line: (i) => (i === 16000 ? `${'x'.repeat(2 << 20)}\n` : null) });
    for (const at of [5, 15000, -1]) {
      const file = write(`bad${at}.txt`, at < 0 ? long : bad(at));
      for (const bytes of [4096, 65536]) {
        const { want, got } = await both(file, bytes);
        const e = got.error as TraceError;
        expect(e).toBeInstanceOf(TraceError);
        expect(e.line).toBe((want.error as TraceError).line);
        expect(e.message).toBe((want.error as TraceError).message);
        // A block that lies in the long line stops at its start, and the general reader on the parse thread reads its
        // lines before the error into a ring slot it never hands on: fewer records before the error (exit 2 either way).
        if (at >= 0) expectSameRecords(got.recs, want.recs);
      }
    }
  });

  it('skips bad lines with --skip-bad exactly like the in-process read', async () => {
    const file = write('skip.txt', perfText(20000, 14, { line: (i) => (i % 3001 === 7 ? `bad ${i}\n` : null) }));
    const { want, got } = await both(file, 2048, { skipBad: true });
    expectSameRecords(got.recs, want.recs);
    expect(got.stats).toEqual(want.stats);
    expect((got.stats as { skipped: number }).skipped).toBe(7);
  });

  it('skips a line over 1 MiB with --skip-bad as the in-process read does, in the head or a later block: the records of the file without it', async () => {
    const cases: [name: string, at: number, line: string][] = [
      ['x', 16000, `${'x'.repeat(2 << 20)}\n`],
      ['head', 3, `${'x'.repeat((1 << 20) + 1)}\n`],
      ['two', 9000, `${'x'.repeat((1 << 20) + 1)}\n#${' '.repeat(3 << 20)}\n`],
    ];
    for (const [name, at, line] of cases) {
      const file = write(`skip-long-${name}.txt`, perfText(20000, 24, { line: (i) => (i === at ? line : null) }));
      const plain = await both(write(`skip-without-${name}.txt`, perfText(20000, 24, { line: (i) => (i === at ? '' : null) })), 1 << 20, { skipBad: true });
      for (const bytes of [4096, 65536, 1 << 20]) {
        const { want, got } = await both(file, bytes, { skipBad: true });
        expect(want.error, name).toBeUndefined();
        expect(got.error, `${name}, blocks of ${bytes}`).toBeUndefined();
        expectSameRecords(want.recs, plain.want.recs);
        expectSameRecords(got.recs, want.recs);
        expect(got.stats, `${name}, blocks of ${bytes}`).toEqual(want.stats);
        expect((got.stats as { badReasons: object }).badReasons).toEqual({ 'line is longer than 1048576 bytes': name === 'two' ? 2 : 1 });
      }
    }
  });

  it('keeps what detection said, and warns when (nearly) no sample gave a record', async () => {
    // No phys_addr printed: every sample is skipped as phys_addr_missing, and the stats say why. Detection is in doubt
    // whether the last column is phys_addr, so it reads on (65536 lines) before the head ends and blocks start.
    const noPhys = perfText(70000, 15, { opts: { ...IBS, fields: ['comm', 'pid', 'tid', 'cpu', 'time', 'event', 'addr'] } });
    const file = write('nophys.txt', noPhys);
    for (const fields of [null, 'comm,pid,tid,cpu,time,event,addr']) {
      const { want, got } = await both(file, 1 << 16, { perfFields: fields });
      expect(got.stats).toEqual(want.stats);
      const notes = (got.stats as { perf: { notes: string[] } }).perf.notes.join('\n');
      expect(notes).toMatch(/70000 of 70000 perf samples .* have no phys_addr/);
      if (fields === null) expect(notes).toMatch(/read as addr/);
      expect((await blockRead(file, 1 << 16, { perfFields: fields })).res).not.toBeNull();
    }
  });

  it('reads lines appended to the file while it reads it', async () => {
    const text = perfText(20000, 16);
    const tail = perfText(3000, 17);
    const got = await readGrowing(write('growing.txt', text), tail, 4096, { input: DEFAULT_INPUT_SETTINGS, topology: SPEC_2S_CXL, hz: 250 });
    const whole = await both(write('grown.txt', text + tail), 4096);
    expectSameRecords(got.recs, whole.want.recs);
    expect(got.stats).toEqual(whole.want.stats);
  });

  it('stops when asked (Ctrl-C) and says so', async () => {
    const file = write('stop.txt', perfText(60000, 18));
    let n = 0;
    const stats = await readInputsThreaded([{ name: file }], { record_access: () => n++ }, {
      input: DEFAULT_INPUT_SETTINGS, topology: SPEC_2S_CXL, hz: 250, blockBytes: 8192, shouldStop: () => n > 0,
    });
    expect(stats.stopped).toBe(true);
    expect(stats.records).toBe(n);
    expect(n).toBeLessThan(60000);
  });
});

describe.skipIf(!fs.existsSync(parseWorkerPath()))('reading several perf text files in blocks, one after the other', () => {
  /** The in-process read and the threaded read of the files, in blocks of 16 KiB. */
  const several = (files: string[], input: Partial<InputSettings> = {}) =>
    bothReads(files, 16 << 10, { input: { ...DEFAULT_INPUT_SETTINGS, ...input }, topology: SPEC_2S_CXL, hz: 250 });
  const same = async (label: string, files: string[], input: Partial<InputSettings> = {}) => {
    const { want, got } = await several(files, input);
    expect(want.error, label).toBeUndefined();
    expect(got.error, label).toBeUndefined();
    expectSameRecords(got.recs, want.recs);
    expect(got.stats, label).toEqual(want.stats);
    return want.stats as { perf: { files: number; samples: number; notes: string[] }; files: number };
  };

  it('gives the records and perf counts of one in-process read, with CSV, gzip and a file the blocks cannot take among them', async () => {
    const loads = write('s-loads.txt', perfText(15000, 31, { events: [LOADS, STORES] }));
    const ibs = write('s-ibs.txt', perfText(15000, 32, { line: (i) => (i % 3000 === 7 ? '            perf 12/12 [001]  1234.500000: PERF_RECORD_COMM: perf:12/12\n' : null) }));
    const cycles = write('s-cycles.txt', perfText(3000, 33, { events: ['cycles'] })); // the head gives the blocks nothing
    const gz = path.join(dir, 's-ibs.txt.gz');
    fs.writeFileSync(gz, gzipSync(perfText(5000, 34)));
    const trace = write('s-trace.csv', csv(8000, 35));
    // Every file in blocks, one parse thread from file to file.
    const taken = earlyParseThreadsTaken();
    const st = await same('perf, CSV, perf', [loads, trace, ibs, loads]);
    expect(earlyParseThreadsTaken() - taken, 'parse threads taken again').toBe(3);
    expect(st.perf.files).toBe(3);
    expect(st.perf.samples).toBe(45000 - 5); // five PERF_RECORD lines in place of samples
    // The general reader from a gzip file or a file whose head gives the blocks nothing on, its counts after the blocks'.
    await same('perf, gzip, perf', [loads, gz, ibs]);
    await same('perf, a file of other events, perf', [ibs, cycles, loads]);
    await same('a file of other events first', [cycles, ibs]);
    await same('--nid none', [loads, trace, ibs], { nid: 'none' });
    // Each file's own field list (detected per file, as the in-process read detects it): period and --ns, 5-wide pids.
    const period = write('s-period.txt', perfText(12000, 43, { opts: { ...IBS, fields: [...IBS.fields, 'period'], ns: true, pidWidth: 5 } }));
    const st2 = await same('files of two field lists', [ibs, period, loads]);
    expect(st2.perf.files).toBe(3);
    expect((st2 as unknown as { perf: { shapes: string[] } }).perf.shapes).toHaveLength(2);
  });

  it('warns about samples skipped over all the files, once', async () => {
    const mostlyZero = write('s-zero.txt', perfText(20000, 36, { zero: 0.9975 }));
    const mostlyZero2 = write('s-zero2.txt', perfText(20000, 37, { zero: 0.9975 }));
    const good = write('s-good.txt', perfText(20000, 38));
    // The first file alone would warn (99.75 % skipped); with the second, about half are: no warning.
    const alone = await same('one file', [mostlyZero]);
    expect(alone.perf.notes.join('\n')).toMatch(/perf samples .* gave no access record/);
    const mixed = await same('skipped, then good', [mostlyZero, good]);
    expect(mixed.perf.notes.join('\n')).not.toMatch(/gave no access record/);
    // Two such files: one warning, over both.
    const two = await same('skipped twice', [mostlyZero, mostlyZero2]);
    expect(two.perf.notes.filter((n) => /gave no access record/.test(n))).toHaveLength(1);
    expect(two.perf.notes.join('\n')).toMatch(/of 40000 perf samples/);
  });

  it('a bad line in a later file: the same error, or with --skip-bad the same records and counts', async () => {
    const first = write('s-first.txt', perfText(15000, 39));
    const bad = write('s-bad.txt', perfText(15000, 40, { line: (i) => (i === 9000 ? '          stream    4242/4242    [003]  1234.500000: ibs_op//: zz\n' : null) }));
    const last = write('s-last.txt', perfText(5000, 41));
    const { want, got } = await several([first, bad, last]);
    const e = got.error as TraceError;
    expect(e).toBeInstanceOf(TraceError);
    expect(e.message).toBe((want.error as TraceError).message);
    expectSameRecords(got.recs, want.recs);
    const st = await same('--skip-bad', [first, bad, last], { skipBad: true });
    expect(st.perf.files).toBe(3);
  });

  it('stops in the second file (Ctrl-C) and says so', async () => {
    const file = write('s-stop.txt', perfText(30000, 42));
    let n = 0;
    const stats = await readInputsThreaded([{ name: file }, { name: file }, { name: file }], { record_access: () => n++ }, {
      input: DEFAULT_INPUT_SETTINGS, topology: SPEC_2S_CXL, hz: 250, blockBytes: 8192, shouldStop: () => n > 35000,
    });
    expect(stats).toMatchObject({ stopped: true, records: n, files: 2 });
    expect(stats.perf?.files).toBe(1); // the first file's counts: the second's were not finished
    expect(n).toBeLessThan(60000);
  });
});
