import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readPerf, PerfReader, looksLikePerf } from '../../src/trace/perf-read.js';
import type { PerfReadOptions } from '../../src/trace/perf-read.js';
import { TraceError, UsageError } from '../../src/errors.js';
import { TOPO_2S_CXL } from './perf-topo.js';
import { fixtures } from './perf-gen.js';

type Rec = [pfn: number, nid: number, src: number, time: number];

function sinkOf(recs: Rec[]) {
  return { record_access: (pfn: number, nid: number, src: number, time: number) => { recs.push([pfn, nid, src, time]); } };
}

async function run(text: string, opts: PerfReadOptions = {}) {
  const recs: Rec[] = [];
  const stats = await readPerf([Buffer.from(text)], sinkOf(recs), { topology: TOPO_2S_CXL, ...opts });
  return { recs, stats };
}

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../fixtures/perf/${name}`, import.meta.url)), 'utf8');
const perfFields = (name: string): string => fixtures().find((f) => f.name === name)!.perfFields!;

// Expected records of the IBS fixtures (samples S1..S6 of perf-gen.ts), derived by hand:
// INITIAL_JIFFIES = 4294892296 (HZ 250), 4294667296 (HZ 1000); 2s-cxl: cpus 0-7 node 0, 8-15 node 1.
// S1 cpu 3,  1234.567890 s, phys 0x8a5398920  -> pfn 0x8a5398 = 9065368, nid 0,
//    HZ 250: floor(308641.9725) = 308641 -> 4295200937; HZ 1000: floor(1234567.89) -> 4295901863
// S2 cpu 12, 1234.999999 s, phys 0x44e96a308  -> pfn 0x44e96a = 4516202, nid 1,
//    HZ 250: floor(308749.99975) = 308749 -> 4295201045; HZ 1000: 1234999 -> 4295902295
// S3 cpu 20: in no node -> cpu_not_in_topology.   S4 phys 0 -> phys_addr_zero.
// S5 cpu 8, 0.000001 s, phys 0x100000000 -> pfn 1048576, nid 1, jiffies = INITIAL (0.00025 / 0.001 floor to 0)
// S6 cpu 15, 9999999.999999 s, phys 0xfffffffff000 -> pfn 0xfffffffff = 68719476735, nid 1,
//    HZ 250: floor(2499999999.99975) -> 4294892296 + 2499999999 = 6794892295;
//    HZ 1000: floor(9999999999.999) -> 4294667296 + 9999999999 = 14294667295
const IBS_250: Rec[] = [
  [9065368, 0, 0, 4295200937],
  [4516202, 1, 0, 4295201045],
  [1048576, 1, 0, 4294892296],
  [68719476735, 1, 0, 6794892295],
];
const IBS_1000: Rec[] = [
  [9065368, 0, 0, 4295901863],
  [4516202, 1, 0, 4295902295],
  [1048576, 1, 0, 4294667296],
  [68719476735, 1, 0, 14294667295],
];
const IBS_FILES = ['ibs-F-basic.txt', 'ibs-F-full.txt', 'ibs-F-ns.txt', 'ibs-F-oldpid.txt', 'ibs-F-oldpid-full.txt', 'ibs-two-events.txt'];

describe('IBS fixtures', () => {
  for (const name of IBS_FILES) {
    for (const mode of ['--perf-fields', 'detected'] as const) {
      it(`${name} (${mode}) gives the hand-computed records`, async () => {
        const fields = mode === 'detected' ? {} : { fields: perfFields(name) };
        const a = await run(fixture(name), { hz: 250, ...fields });
        expect(a.recs).toEqual(IBS_250);
        expect(a.stats.skipped).toEqual({
          phys_addr_zero: 1, phys_addr_missing: 0, cpu_not_in_topology: 1,
          other_event: name === 'ibs-two-events.txt' ? 1 : 0, bad_line: 0,
        });
        expect(a.stats.records).toBe(4);
        const b = await run(fixture(name), { hz: 1000, ...fields });
        expect(b.recs).toEqual(IBS_1000);
      });
    }
  }

  it('ibs-F-minimal.txt reads with --perf-fields and --nid cpu', async () => {
    const { recs } = await run(fixture('ibs-F-minimal.txt'), { hz: 250, fields: 'cpu,time,phys_addr' });
    expect(recs).toEqual(IBS_250);
  });

  it('ibs-F-minimal.txt: -F cpu,time,addr prints the same text; the topology settles it', async () => {
    // Without a topology nothing can: refused, asking for --perf-fields.
    await expect(run(fixture('ibs-F-minimal.txt'), { topology: undefined, nid: 'none' })).rejects.toThrow(/--perf-fields/);
    // 2s-cxl ends at pfn 0x400000 (16 GiB): of the 5 nonzero values, 0x8a5398920 (pfn 0x8a5398),
    // 0x44e96a308 (pfn 0x44e96a) and 0xfffffffff000 fall outside (0x123456000 and 0x100000000 inside),
    // so the column is read as addr: no record, and stderr says so.
    const a = await run(fixture('ibs-F-minimal.txt'));
    expect(a.recs).toEqual([]);
    expect(a.stats.shape!.printed).toEqual(['cpu', 'time', 'addr']);
    expect(a.stats.skipped.phys_addr_missing).toBe(6);
    expect(a.stats.notes.join('\n')).toMatch(/read as addr .*3 of 5 nonzero values .*outside .*--perf-fields cpu,time,phys_addr/);
    // A topology that covers every value: read as phys_addr, the same records as --perf-fields.
    const wide: typeof TOPO_2S_CXL = { ...TOPO_2S_CXL, nodes: [...TOPO_2S_CXL.nodes, { ...TOPO_2S_CXL.nodes[2]!, id: 3, pfn_ranges: [{ start: 0x400000, end: 0x1000000000, kind: 'lru' }] }] };
    const b = await run(fixture('ibs-F-minimal.txt'), { topology: wide });
    const c = await run(fixture('ibs-F-minimal.txt'), { topology: wide, fields: 'cpu,time,phys_addr' });
    expect(b.stats.shape!.printed).toEqual(['cpu', 'time', 'phys_addr']);
    expect(b.recs).toEqual(c.recs);
    expect(b.recs.length).toBe(4);
    expect(b.stats.notes.join('\n')).toMatch(/read as phys_addr: all 5 nonzero values .*inside .*--perf-fields cpu,time,phys_addr/);
  });

  it('two events: the event column padded to the longest name; ibs_fetch// is other_event', async () => {
    const { stats } = await run(fixture('ibs-two-events.txt'), { fields: perfFields('ibs-two-events.txt') });
    expect(stats.events.get('ibs_op//')).toBe(6);
    expect(stats.events.get('ibs_fetch//')).toBe(1);
    // --event picks events by exact name: only the fetch sample remains (cpu 5 -> node 0, phys 0x1000 -> pfn 1,
    // 1234.600000 s * 250 = 308650 -> 4294892296 + 308650 = 4295200946)
    // (given the field list: a lone fetch line's phys_addr 1000 could also be a weight)
    const f = await run(fixture('ibs-two-events.txt'), { events: ['ibs_fetch//'], fields: perfFields('ibs-two-events.txt') });
    expect(f.recs).toEqual([[1, 0, 0, 4295200946]]);
    expect(f.stats.skipped.other_event).toBe(6);
  });
});

describe('Intel PEBS default fields', () => {
  // I1 cpu 1 -> node 0, 544966.882384 s: *250 = 136241720.596 -> 4294892296 + 136241720 = 4431134016,
  //    phys 0x44e96a308 -> pfn 4516202
  // cycles:P -> other_event
  // I2 cpu 9 -> node 1, 544966.882390 s: *250 = 136241720.5975 -> 4431134016, phys 0xcfb52b814 -> pfn 0xcfb52b = 13612331
  // I3 phys 0 -> phys_addr_zero
  it('intel-default.txt (detected)', async () => {
    const { recs, stats } = await run(fixture('intel-default.txt'));
    expect(recs).toEqual([[4516202, 0, 0, 4431134016], [13612331, 1, 0, 4431134016]]);
    expect(stats.skipped).toEqual({ phys_addr_zero: 1, phys_addr_missing: 0, cpu_not_in_topology: 0, other_event: 1, bad_line: 0 });
    expect(stats.shape!.printed).toContain('phys_addr');
    expect(stats.samples).toBe(4);
  });

  it('intel-default.txt with --perf-fields (perf default list) and HZ 1000', async () => {
    // 544966.882384 * 1000 = 544966882.384 -> 4294667296 + 544966882 = 4839634178 (same for .882390)
    const { recs } = await run(fixture('intel-default.txt'), {
      hz: 1000, fields: 'comm,tid,cpu,time,period,event,addr,data_src,weight,ins_lat,retire_lat,ip,sym,symoff,dso,phys_addr',
    });
    expect(recs).toEqual([[4516202, 0, 0, 4839634178], [13612331, 1, 0, 4839634178]]);
  });

  it('recorded without --phys-data: every memory sample is phys_addr_missing', async () => {
    const { recs, stats } = await run(fixture('intel-default-nophys.txt'));
    expect(recs).toEqual([]);
    expect(stats.skipped.phys_addr_missing).toBe(3);
    expect(stats.skipped.other_event).toBe(1);
  });
});

describe('--nid modes', () => {
  it('none gives NUMA_NO_NODE, N gives N, and both ignore CPUs in no node', async () => {
    const none = await run(fixture('ibs-F-basic.txt'), { nid: 'none', topology: undefined });
    // S3 (cpu 20) now counts: phys 0x123456000 -> pfn 0x123456 = 1193046, 1235.000000 s * 250 = 308750 -> 4295201046
    expect(none.recs.map((r) => r[1])).toEqual([-1, -1, -1, -1, -1]);
    expect(none.recs[2]).toEqual([1193046, -1, 0, 4295201046]);
    expect(none.stats.skipped.cpu_not_in_topology).toBe(0);
    const zero = await run(fixture('ibs-F-basic.txt'), { nid: 0 });
    expect(zero.recs.map((r) => r[1])).toEqual([0, 0, 0, 0, 0]);
  });

  it('--nid cpu needs a cpu field and a topology', async () => {
    await expect(run('  1.000000: ibs_op//:        8a5398920\n', { fields: 'time,event,phys_addr' })).rejects.toThrow(UsageError);
    expect(() => new PerfReader(sinkOf([]), { nid: 'cpu' })).toThrow(/topology/);
    const ok = await run('  1.000000: ibs_op//:        8a5398920\n', { fields: 'time,event,phys_addr', nid: 2 });
    // 1.000000 s * 250 = 250 -> 4294892546
    expect(ok.recs).toEqual([[9065368, 2, 0, 4294892546]]);
  });
});

describe('page size', () => {
  it('pfn = phys_addr >> log2(page size)', async () => {
    const { recs } = await run(fixture('ibs-F-basic.txt'), { pageSize: 2 * 1024 * 1024 });
    // >> 20 drops five hex digits, then >> 1: 0x8a53 >> 1 = 0x4529 = 17705; 0x44e9 >> 1 = 0x2274 = 8820;
    // 0x1000 >> 1 = 0x800 = 2048; 0xfffffff >> 1 = 0x7ffffff = 134217727
    expect(recs.map((r) => r[0])).toEqual([17705, 8820, 2048, 134217727]);
  });
});

describe('non-sample lines', () => {
  it('skips blank, # header and PERF_RECORD_ lines; counts every line', async () => {
    const text = '# ========\n# captured on    : Thu Mar 13 10:00:00 2025\n# ========\n#\n\n' +
      '            perf   20134 [001] 544966.882384: PERF_RECORD_COMM exec: stream:4242/4242\n' +
      fixture('ibs-F-basic.txt');
    const { recs, stats } = await run(text);
    expect(recs).toEqual(IBS_250);
    expect(stats.nonSample).toBe(6);
    expect(stats.lines).toBe(12);
  });
});

describe('bad lines', () => {
  const good = fixture('ibs-F-basic.txt').split('\n');
  const withBad = [good[0], 'garbage line', good[1], '\t    ffffffff9c755588 ktime_get+0x18 ([kernel.kallsyms])', good[2], good[3], good[4], good[5], ''].join('\n');
  const F = perfFields('ibs-F-basic.txt');

  it('stop at the first with file, line and text (exit code 2)', async () => {
    const err = await run(withBad, { fields: F, file: 'ibs.txt' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TraceError);
    const te = err as TraceError;
    expect([te.file, te.line, te.text, te.exitCode, te.field]).toEqual(['ibs.txt', 2, 'garbage line', 2, 'time']);
    expect(te.column).toBe(0); // no time token to point at: the line as a whole (columns are characters of the line)
  });

  it('phys_addr missing on a line whose shape requires it is a bad line', async () => {
    const line = '          stream    4242/4242    [003]  1234.567890: ibs_op//:     7f3a5c001040 triad';
    const err = await run(line + '\n', { fields: F })
      .catch((e: unknown) => e) as TraceError;
    // The column is the 1-based character where the bad field starts: the token where phys_addr should be.
    expect([err.line, err.field, err.column]).toEqual([1, 'phys_addr', line.indexOf('triad') + 1]);
  });

  it('--skip-bad counts them by reason and keeps the first few with line numbers', async () => {
    const seen: TraceError[] = [];
    const { recs, stats } = await run(withBad, { fields: F, skipBad: true, onBad: (b) => seen.push(b) });
    expect(recs).toEqual(IBS_250);
    expect(stats.skipped.bad_line).toBe(2);
    expect(stats.firstBad.map((b) => b.line)).toEqual([2, 4]);
    expect(seen.map((b) => b.text)).toEqual(['garbage line', '\t    ffffffff9c755588 ktime_get+0x18 ([kernel.kallsyms])']);
    expect(seen.map((b) => b.line)).toEqual([2, 4]);
    expect(stats.firstBad[1]!.reason).toMatch(/-G/);
  });

  it('a bad line while detecting is reported too', async () => {
    const err = await run(withBad).catch((e: unknown) => e) as TraceError;
    expect(err).toBeInstanceOf(TraceError);
    expect(err.line).toBe(2);
  });

  it('time too large for jiffies is a bad line', async () => {
    const err = await run('[003] 999999999999999.000000: ibs_op//:        8a5398920\n', { fields: 'cpu,time,event,phys_addr' })
      .catch((e: unknown) => e) as TraceError;
    expect([err.line, err.field]).toEqual([1, 'time']);
  });
});

describe('streaming', () => {
  it('any chunking gives the same records (lines cut anywhere, CRLF, no final newline)', async () => {
    const text = fixture('ibs-F-full.txt').replace(/\n/g, '\r\n').replace(/\r\n$/, '');
    const whole = await run(text);
    expect(whole.recs).toEqual(IBS_250);
    for (const size of [1, 7, 64, 333]) {
      const recs: Rec[] = [];
      const buf = Buffer.from(text);
      const chunks: Buffer[] = [];
      for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
      await readPerf(chunks, sinkOf(recs), { topology: TOPO_2S_CXL, detectLines: 2 });
      expect(recs).toEqual(IBS_250);
    }
  });

  it('UTF-8 comm split across chunks', async () => {
    const line = '       straße\u00e9    4242 [003]  1234.567890: ibs_op//:        8a5398920\n';
    const buf = Buffer.from(line);
    const recs: Rec[] = [];
    const cut = buf.indexOf(0xc3) + 1; // inside a two-byte sequence
    await readPerf([buf.subarray(0, cut), buf.subarray(cut)], sinkOf(recs), { topology: TOPO_2S_CXL, fields: 'comm,tid,cpu,time,event,phys_addr' });
    expect(recs).toEqual([[9065368, 0, 0, 4295200937]]);
  });
});

describe('looksLikePerf', () => {
  it('tells perf script output from CSV', () => {
    expect(looksLikePerf(fixture('ibs-F-basic.txt'))).toBe(true);
    expect(looksLikePerf(Buffer.from(fixture('intel-default.txt')))).toBe(true);
    expect(looksLikePerf('# ========\n# captured on    : Thu\n')).toBe(true);
    expect(looksLikePerf('pfn,nid,src,time\n0x200000,0,hwhints,1000\n')).toBe(false);
    expect(looksLikePerf('# my trace\n0x200000,0,hwhints,1000\n')).toBe(false);
    expect(looksLikePerf('1000,0,0,1000\n')).toBe(false);
    expect(looksLikePerf('')).toBe(false);
  });
});
