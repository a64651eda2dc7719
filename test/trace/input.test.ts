import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { inputNotes, readInputs, DEFAULT_INPUT_SETTINGS, type InputOptions, type InputSettings } from '../../src/trace/input.js';
import { TraceError, UsageError } from '../../src/errors.js';
import { TOPO_2S_CXL } from './perf-topo.js';

type Rec = [pfn: number, nid: number, src: number, time: number];

const FIX = fileURLToPath(new URL('../fixtures/perf/', import.meta.url));
const fixture = (name: string): string => fs.readFileSync(path.join(FIX, name), 'utf8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-input-'));
const write = (name: string, data: string | Buffer): string => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, data);
  return f;
};

// Records of ibs-F-basic.txt at HZ 250 on 2s-cxl, derived by hand in test/trace/perf-read.test.ts:
// S1 cpu 3 phys 0x8a5398920 -> pfn 0x8a5398, node 0, 1234.567890 s -> 4294892296 + 308641;
// S2 cpu 12 -> node 1, pfn 0x44e96a, 1234.999999 s -> + 308749; S3 cpu 20 in no node; S4 phys 0;
// S5 cpu 8 -> node 1, pfn 0x100000, 0.000001 s -> + 0; S6 cpu 15 -> node 1, pfn 0xfffffffff, + 2499999999.
const IBS_250: Rec[] = [
  [9065368, 0, 0, 4295200937],
  [4516202, 1, 0, 4295201045],
  [1048576, 1, 0, 4294892296],
  [68719476735, 1, 0, 6794892295],
];
const CSV = '# a comment\npfn,nid,src,time\n0x10,0,hwhints,100\n17,-1,pgtscan,101\n';
const CSV_RECS: Rec[] = [[16, 0, 0, 100], [17, -1, 1, 101]];

async function run(names: string[], settings: Partial<InputSettings> = {}, opts: InputOptions = {}) {
  const recs: Rec[] = [];
  const stats = await readInputs(names.map((name) => ({ name })), { record_access: (p, n, s, t) => recs.push([p, n, s, t]) }, {
    topology: TOPO_2S_CXL,
    hz: 250,
    input: { ...DEFAULT_INPUT_SETTINGS, ...settings },
    ...opts,
  });
  return { recs, stats };
}

/** A stdin that delivers `text` in pieces of `size` bytes. */
function pieces(text: string, size: number): Readable {
  const b = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) parts.push(b.subarray(i, i + size));
  return Readable.from(parts);
}

describe('readInputs: kind per input', () => {
  it('sniffs each file: CSV then perf then CSV replay as one stream in order', async () => {
    const csv = write('a.csv', CSV);
    const perf = write('ibs.txt', fixture('ibs-F-basic.txt'));
    const { recs, stats } = await run([csv, perf, csv]);
    expect(recs).toEqual([...CSV_RECS, ...IBS_250, ...CSV_RECS]);
    expect(stats.kinds).toEqual(['csv', 'perf', 'csv']);
    expect(stats.records).toBe(8);
    expect(stats.files).toBe(3);
    expect(stats.bytes).toBe(2 * Buffer.byteLength(CSV) + Buffer.byteLength(fixture('ibs-F-basic.txt')));
    expect(stats.perf!.skipped).toMatchObject({ phys_addr_zero: 1, cpu_not_in_topology: 1, other_event: 0 });
    // detectShape() names the head fields comm, pid/tid, cpu, period, event plus the middle ones.
    expect(stats.perf!.shapes).toEqual(['comm,pid,tid,cpu,time,event,addr,phys_addr']);
  });

  it('reads .gz files of both kinds', async () => {
    const csv = write('a.csv.gz', gzipSync(CSV));
    const perf = write('ibs.txt.gz', gzipSync(fixture('ibs-F-full.txt')));
    const { recs, stats } = await run([perf, csv]);
    expect(recs).toEqual([...IBS_250, ...CSV_RECS]);
    expect(stats.kinds).toEqual(['perf', 'csv']);
  });

  it('zero bytes after the gzip data are noted as gzip -d does; other bytes after zeros are an error', async () => {
    const zeros = Buffer.alloc(100);
    const garbage = Buffer.concat([Buffer.alloc(3), Buffer.from('garbage\n')]);
    for (const [name, data] of [['z.csv.gz', gzipSync(CSV)], ['z.txt.gz', gzipSync(fixture('ibs-F-basic.txt'))]] as const) {
      const want = name.endsWith('csv.gz') ? CSV_RECS : IBS_250;
      const padded = Buffer.concat([data, zeros]);
      // a .gz file (each reader's own gunzip), a gzip file under another name (streamed), standard input
      const file = write(name, padded);
      const other = write(name + '.bin', padded);
      for (const [input, opts] of [[file, {}], [other, {}], ['-', { stdin: Readable.from([padded.subarray(0, 30), padded.subarray(30)]) }]] as const) {
        const { recs, stats } = await run([input], {}, opts);
        expect(recs).toEqual(want);
        expect(stats.notes).toEqual([`${input}: gzip: decompression OK, 100 trailing zero bytes ignored`]);
        expect(inputNotes(stats)).toContain(`kpromo: ${input}: gzip: decompression OK, 100 trailing zero bytes ignored\n`);
      }
      const bad = Buffer.concat([data, garbage]);
      for (const [input, opts] of [[write('g' + name, bad), {}], [write('g' + name + '.bin', bad), {}], ['-', { stdin: Readable.from([bad]) }]] as const) {
        const e = (await run([input], {}, opts).catch((x: unknown) => x)) as TraceError;
        expect(e).toBeInstanceOf(TraceError);
        expect(e).toMatchObject({ file: input, code: 'KPROMO_TRACE_IO', reason: `gzip: trailing garbage after the compressed data: 11 bytes from byte ${data.length} on, not all zero` });
      }
    }
    const plain = await run([write('ok.csv.gz', gzipSync(CSV))]);
    expect(plain.stats.notes ?? []).toEqual([]);
  });

  it('sniffs standard input from small pieces and replays them into the chosen reader', async () => {
    for (const size of [1, 7, 64, 1 << 16]) {
      const p = await run(['-'], {}, { stdin: pieces(fixture('ibs-F-basic.txt'), size) });
      expect(p.recs).toEqual(IBS_250);
      expect(p.stats.kinds).toEqual(['perf']);
      const c = await run(['-'], {}, { stdin: pieces(CSV, size) });
      expect(c.recs).toEqual(CSV_RECS);
      expect(c.stats.kinds).toEqual(['csv']);
    }
  });

  it('a perf --header block before the samples is perf', async () => {
    const text = '# ========\n# captured on    : Thu Mar 13 10:00:00 2025\n# ========\n#\n' + fixture('ibs-F-basic.txt');
    const { recs, stats } = await run(['-'], {}, { stdin: pieces(text, 5) });
    expect(recs).toEqual(IBS_250);
    expect(stats.kinds).toEqual(['perf']);
  });

  it('--input forces the reader: perf text as CSV is a CSV error, CSV as perf a perf error', async () => {
    const perf = write('ibs2.txt', fixture('ibs-F-basic.txt'));
    const e1 = (await run([perf], { kind: 'csv' }).catch((e: unknown) => e)) as TraceError;
    expect(e1).toBeInstanceOf(TraceError);
    expect([e1.file, e1.line]).toEqual([perf, 1]);
    const csv = write('b.csv', '1,0,0,1\n');
    const e2 = (await run([csv], { kind: 'perf' }).catch((e: unknown) => e)) as TraceError;
    expect(e2).toBeInstanceOf(TraceError);
    expect([e2.file, e2.line]).toEqual([csv, 1]);
    const ok = await run(['-'], { kind: 'perf', perfFields: 'comm,pid,tid,cpu,time,event,addr,phys_addr' }, { stdin: pieces(fixture('ibs-F-basic.txt'), 3) });
    expect(ok.recs).toEqual(IBS_250);
  });

  it('a missing file is a TraceError naming it, whatever the kind', async () => {
    for (const kind of ['auto', 'csv', 'perf'] as const) {
      const e = (await run([path.join(tmp, 'nope.txt')], { kind }).catch((x: unknown) => x)) as TraceError;
      expect(e).toBeInstanceOf(TraceError);
      expect(e.file).toBe(path.join(tmp, 'nope.txt'));
      expect(e.code).toBe('KPROMO_TRACE_IO');
    }
  });
});

describe('readInputs: bad lines', () => {
  const good = fixture('ibs-F-basic.txt').split('\n');
  const badPerf = [good[0], 'garbage line', ...good.slice(1)].join('\n');
  const badCsv = '1,0,0,1\n2,0,nope,2\n3,0,0\n4,0,0,4\n';

  it('without skipBad the first bad line throws with file and line', async () => {
    const f = write('bad.txt', badPerf);
    const e = (await run([f]).catch((x: unknown) => x)) as TraceError;
    expect(e).toBeInstanceOf(TraceError);
    expect([e.file, e.line, e.text]).toEqual([f, 2, 'garbage line']);
  });

  it('skipBad counts bad lines of CSV and perf inputs by reason and keeps the first few', async () => {
    const p = write('bad2.txt', badPerf);
    const c = write('bad.csv', badCsv);
    const { recs, stats } = await run([c, p], { skipBad: true });
    expect(recs).toEqual([[1, 0, 0, 1], [4, 0, 0, 4], ...IBS_250]);
    expect(stats.skipped).toBe(3);
    expect(stats.firstBad.map((b) => [b.file, b.line])).toEqual([[c, 2], [c, 3], [p, 2]]);
    expect(stats.badReasons['unknown source name']).toBe(1);
    expect(stats.badReasons['expected 4 fields, found 3']).toBe(1);
    expect(stats.perf!.skipped.bad_line).toBe(1);
  });

  it('keeps only the first 5 bad lines but counts all', async () => {
    const text = '1,0,0,1\n' + 'x\n'.repeat(7);
    const { stats } = await run(['-'], { skipBad: true }, { stdin: pieces(text, 100) });
    expect(stats.skipped).toBe(7);
    expect(stats.firstBad.map((b) => b.line)).toEqual([2, 3, 4, 5, 6]);
  });
});

describe('readInputs: mapping options, stop and progress', () => {
  it('passes --nid, --page-size and --event to the perf reader', async () => {
    const f = write('ibs3.txt', fixture('ibs-F-basic.txt'));
    const none = await run([f], { nid: 'none' });
    // S3 (cpu 20) now gives a record: phys 0x123456000 -> pfn 0x123456, 1235.000000 s -> + 308750
    expect(none.recs.map((r) => r[1])).toEqual([-1, -1, -1, -1, -1]);
    expect(none.recs[2]).toEqual([0x123456, -1, 0, 4295201046]);
    const two = await run([f], { nid: 2, pageSize: 1 << 21 });
    // pfn = phys >> 21: 0x8a5398920 >> 20 = 0x8a53, >> 1 = 0x4529 = 17705
    expect(two.recs[0]).toEqual([17705, 2, 0, 4295200937]);
    const fetch = await run([write('two.txt', fixture('ibs-two-events.txt'))], { events: ['ibs_fetch//'], perfFields: 'comm,pid,tid,cpu,time,event,addr,phys_addr' });
    // ibs_fetch// sample: cpu 5 -> node 0, phys 0x1000 -> pfn 1, 1234.600000 s -> + 308650
    expect(fetch.recs).toEqual([[1, 0, 0, 4295200946]]);
    expect(fetch.stats.perf!.skipped.other_event).toBe(6);
  });

  it('--nid cpu with a topology without cpus is a usage error', async () => {
    const topo = { ...TOPO_2S_CXL, nodes: TOPO_2S_CXL.nodes.map((n) => ({ ...n, cpus: [] })) };
    const f = write('ibs4.txt', fixture('ibs-F-basic.txt'));
    await expect(run([f], {}, { topology: topo })).rejects.toThrow(UsageError);
  });

  it('stops between chunks of perf input when shouldStop says so', async () => {
    const text = fixture('ibs-F-basic.txt');
    let chunks = 0;
    const stdin = Readable.from((function* () {
      for (let i = 0; i < 100; i++) {
        chunks++;
        yield Buffer.from(text);
      }
    })());
    const { stats } = await run(['-'], { kind: 'perf' }, { stdin, shouldStop: () => chunks >= 3 });
    expect(stats.stopped).toBe(true);
    expect(chunks).toBeLessThan(100);
  });

  it('reports progress with records over all inputs', async () => {
    const csv = write('p.csv', CSV);
    const perf = write('p.txt', fixture('ibs-F-basic.txt'));
    const seen: { bytes: number; records: number; totalBytes: number | null }[] = [];
    await run([csv, perf], {}, { onProgress: (p) => seen.push(p) });
    const total = Buffer.byteLength(CSV) + Buffer.byteLength(fixture('ibs-F-basic.txt'));
    expect(seen[seen.length - 1]).toEqual({ bytes: total, totalBytes: total, records: 6 });
  });
});

describe('inputNotes: an input that gave no access record is said so', () => {
  const notesOf = async (inputs: { name: string }[], opts: InputOptions = {}): Promise<string> => {
    const read = await readInputs(inputs, { record_access: () => {} }, { topology: TOPO_2S_CXL, ...opts });
    return inputNotes(read);
  };
  it('a header only, a comment only, two empty files: one line each; records: none', async () => {
    expect(await notesOf([{ name: write('h.csv', 'pfn,nid,src,time\n') }])).toBe('kpromo: the input held no access record (17 bytes read): the counters are those of an empty trace\n');
    expect(await notesOf([{ name: write('c.csv', '# nothing\n') }, { name: write('e.csv', '') }])).toMatch(/^kpromo: the 2 inputs held no access record \(10 bytes read\)/);
    expect(await notesOf([{ name: write('r.csv', '0x200000,0,hwhints,4294892296\n') }])).toBe('');
  });
  it('bad lines skipped are counted in it', async () => {
    const f = write('b.csv', 'pfn,nid,src,time\n1,2\nx,0,0,1\n');
    expect(await notesOf([{ name: f }], { input: { ...DEFAULT_INPUT_SETTINGS, skipBad: true } })).toMatch(/held no access record \(\d+ bytes read, 2 bad lines skipped\)/);
  });
  it('perf samples that all gave no record: the perf lines say why, not this one', async () => {
    const f = write('z.txt', fixture('ibs-F-basic.txt').split('\n').filter((l) => / 0$/.test(l) || l.startsWith('#')).join('\n') + '\n');
    const notes = await notesOf([{ name: f }], { input: { ...DEFAULT_INPUT_SETTINGS, kind: 'perf', nid: 'none' } });
    expect(notes).toMatch(/phys_addr 0/);
    expect(notes).not.toMatch(/held no access record/);
  });
  it('a read stopped before its end says nothing of it', async () => {
    expect(await notesOf([{ name: write('s.csv', 'pfn,nid,src,time\n') }], { shouldStop: () => true })).toBe('');
  });
});
