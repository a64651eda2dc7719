/**
 * The perf reader on real `perf script` output (test/fixtures/perf/real/): detection, --perf-fields,
 * the byte-level fast path and the general parser must all give what a reference reading gives.
 */
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../src/errors.js';
import { PerfReader, readPerf, DETECT_MAX_LINES } from '../../src/trace/perf-read.js';
import type { PerfReadOptions, PerfReadStats } from '../../src/trace/perf-read.js';
import { BOX_2TIER, REAL_FIXTURES, realText, referenceRecords, type Rec } from './perf-real.js';
import { TOPO_2S_CXL } from './perf-topo.js';

async function read(text: string | Buffer[], opts: PerfReadOptions): Promise<{ recs: Rec[]; stats: PerfReadStats }> {
  const recs: Rec[] = [];
  const chunks = typeof text === 'string' ? [Buffer.from(text)] : text;
  const stats = await readPerf(chunks, { record_access: (p, n, s, t) => void recs.push([p, n, s, t]) }, opts);
  return { recs, stats };
}

/** Cuts text into chunks of varied sizes, so lines straddle chunks. */
function chunked(text: string, seed: number): Buffer[] {
  const b = Buffer.from(text);
  const out: Buffer[] = [];
  let x = seed;
  for (let i = 0; i < b.length; ) {
    x = (x * 1103515245 + 12345) >>> 0;
    const n = 1 + (x % 9000);
    out.push(b.subarray(i, i + n));
    i += n;
  }
  return out;
}

// Records per recording, counted with awk on the text (sample lines whose last field, phys_addr, is
// not 0): `zcat readme.txt.gz | awk '$NF != "0"' | wc -l` = 4018 for the system-wide recording
// (a.data: 2000 first-touch pages then 2 x 2000 copy-on-write faults, plus other processes), 5996 for
// the zeros-first one (z.data: 3000 zeros, then 2 x 3000 copy-on-write faults less 4 zeros).
const RECORDS: Record<string, number> = { a: 4018, z: 5996 };
const recordsOf = (name: string): number => RECORDS[name.startsWith('zeros-first') ? 'z' : 'a']!;

describe('real perf output: detected, --perf-fields and a reference reading agree', () => {
  for (const f of REAL_FIXTURES) {
    it(`${f.name} (-F ${f.fields}${f.ns ? ' --ns' : ''})`, async () => {
      const text = realText(f.name);
      const event = f.event ? ['page-faults'] : [];
      const base: PerfReadOptions = { topology: BOX_2TIER, nid: 'cpu', events: event };
      const auto = await read(text, base);
      const exact = await read(text, { ...base, fields: f.fields! });
      const ref = referenceRecords(text, { hz: 250, event: f.event ? 'page-faults' : null, cpuNode: (c) => (c === 0 || c === 1 ? 0 : -1), pageShift: 12 });
      expect(auto.stats.records).toBe(recordsOf(f.name));
      expect(ref.length).toBe(recordsOf(f.name));
      expect(auto.recs).toEqual(ref);
      expect(exact.recs).toEqual(ref);
      // The detected list holds every field perf printed that kpromo names (symoff/dso are read as sym; a pid or tid
      // alone prints as one number, named tid).
      const named = f.fields!.split(',').filter((x) => !['symoff', 'dso'].includes(x));
      expect(auto.stats.shape!.printed).toEqual(expect.arrayContaining(named));
      expect(auto.stats.shape!.printed.filter((x) => !x.endsWith('?'))).toEqual(expect.arrayContaining(named));
      expect(auto.stats.shape!.printed.includes('phys_addr')).toBe(true);
    });
  }

  it('the data address symbol after addr (`7f571028e408 [unknown]`, with dso) is read by both', async () => {
    const text = realText('sym-dso.txt.gz');
    expect(text).toMatch(/page-faults: +[0-9a-f]+ \[unknown\] \(anon_inode:\[perf_event\]\) +[0-9a-f]+ \[unknown\] \(\/usr\/bin\/perf\) +0\n/);
    const auto = await read(text, { topology: BOX_2TIER, events: ['page-faults'] });
    expect(auto.stats.shape!.printed).toEqual(['comm', 'tid', 'cpu', 'time', 'event', 'addr', 'ip', 'sym', 'phys_addr']);
  });

  it('zeros first: detection reads past the 3000 phys_addr 0 lines until a line decides', async () => {
    const text = realText('zeros-first.txt.gz');
    const lines = text.split('\n');
    expect(lines.slice(0, 3000).every((l) => / 0$/.test(l))).toBe(true);
    const { stats } = await read(text, { topology: BOX_2TIER, events: ['page-faults'] });
    expect(stats.shape!.printed).toEqual(['comm', 'pid', 'tid', 'cpu', 'time', 'event', 'addr', 'phys_addr']);
    expect(stats.notes).toEqual([]); // decided by the text, nothing assumed
    expect(stats.skipped.phys_addr_zero).toBe(9000 - 5996);
  });

  it('-F cpu,time,phys_addr: addr or phys_addr settled by the topology, and said', async () => {
    const text = realText('zeros-first-minimal.txt.gz');
    const { stats } = await read(text, { topology: BOX_2TIER });
    expect(stats.shape!.printed).toEqual(['cpu', 'time', 'phys_addr']);
    expect(stats.notes).toHaveLength(1);
    expect(stats.notes[0]).toMatch(/read as phys_addr: all 5996 nonzero values in the first 9000 lines fall inside the pfn ranges of topology box-2tier.*--perf-fields cpu,time,phys_addr/);
    // A topology that covers none of them: read as addr, nothing recorded, and said with the fix.
    const low = { ...BOX_2TIER, nodes: [{ ...BOX_2TIER.nodes[0]!, pfn_ranges: [{ start: 0, end: 0x1000, kind: 'lru' as const }] }] };
    const r = await read(text, { topology: low });
    expect(r.stats.records).toBe(0);
    expect(r.stats.skipped.phys_addr_missing).toBe(9000);
    expect(r.stats.notes[0]).toMatch(/read as addr .*5996 of 5996 .*--perf-fields cpu,time,phys_addr .*kpromo topo --from-sysfs/);
  });

  it('a window that never decides ends at DETECT_MAX_LINES lines and settles with what it has', async () => {
    // Only zeros: weight, ins_lat, addr and phys_addr all fit; the held lines are bounded.
    const zeros = realText('zeros-first-minimal.txt.gz').split('\n').slice(0, 3000);
    const text = Array.from({ length: 25 }, () => zeros.join('\n')).join('\n') + '\n';
    const reader = new PerfReader({ record_access: () => {} }, { topology: BOX_2TIER, nid: 'none' });
    const lines = text.split('\n');
    let held = 0;
    for (let i = 0; i < lines.length; i += 1000) {
      reader.push(lines.slice(i, i + 1000).join('\n') + (i + 1000 < lines.length ? '\n' : ''));
      held = Math.max(held, (reader as unknown as { pending: unknown[] }).pending.length);
    }
    const st = reader.end();
    expect(held).toBeLessThanOrEqual(DETECT_MAX_LINES);
    expect(st.shape).not.toBeNull();
    expect(st.records).toBe(0);
    expect(st.skipped.phys_addr_zero + st.skipped.phys_addr_missing).toBe(75000);
  });
});

describe('fast path vs the general parser', () => {
  const same = async (text: string | Buffer[], opts: PerfReadOptions): Promise<void> => {
    const fast = await read(text, { ...opts, fast: true }).catch((e: unknown) => e);
    const slow = await read(text, { ...opts, fast: false }).catch((e: unknown) => e);
    if (fast instanceof Error || slow instanceof Error) {
      expect(String(fast)).toBe(String(slow));
      return;
    }
    expect(fast).toEqual(slow);
  };

  for (const f of REAL_FIXTURES) {
    it(`${f.name}, in chunks of every size, nid cpu and none`, async () => {
      const text = realText(f.name);
      const events = f.event ? ['page-faults'] : [];
      await same(chunked(text, 7), { topology: BOX_2TIER, events, fields: f.fields! });
      await same(chunked(text, 11), { topology: BOX_2TIER, events, nid: 'none' });
    });
  }

  it('generated lines with every oddity: same records, counts and errors', async () => {
    const real = realText('period.txt.gz').split('\n').slice(0, 400);
    let x = 99;
    const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) % n);
    const mutations: ((l: string) => string)[] = [
      (l) => l,
      (l) => l + '\r',
      (l) => l + '   ',
      (l) => l.replace('page-faults:', 'cycles:'),
      (l) => l.replace('page-faults:', 'page-faults:x:'),
      (l) => l.replace(/[0-9a-f]+$/, 'fffffffffffff'), // 13 digits, < 2^52
      (l) => l.replace(/[0-9a-f]+$/, 'fffffffffffffff'), // 15 digits: past 2^53 -> error
      (l) => l.replace(/[0-9a-f]+$/, 'zz'),
      (l) => l.replace(/ [0-9a-f]+$/, ''),
      (l) => l.replace(/(\d+)\.(\d{6}):/, '$1.$2000:'), // --ns width
      (l) => l.replace(/(\d+)\.(\d{6}):/, '99999999999999.$2:'), // time too large
      (l) => l.replace(/\[00(\d)\]/, '[01$1]'), // a CPU in no node
      (l) => l.replace(/\[00(\d)\]/, '[$1]'),
      (l) => l.replace(/page-faults: +([0-9a-f]+)/, (m, a: string) => m.replace(a, a.toUpperCase() + 'G')),
      () => '# a comment',
      () => '',
      () => '\tffffffff81000000 do_page_fault ([kernel.kallsyms])',
      () => '            perf 15883 [001]   453.484750: PERF_RECORD_COMM: perf:15883/15883',
      (l) => l.replace(/^ +\S+/, '   my: 1.000000: comm'),
      (l) => l.slice(0, rnd(l.length)),
      // Around the four-bytes-a-load reads (src/trace/swar.ts): hex runs of every length, spaces, near-misses.
      (l) => l.replace(/[0-9a-f]+$/, '0123456789abcdef'.slice(0, 1 + rnd(14))),
      (l) => l.replace(/[0-9a-f]+$/, (a) => a.slice(0, -1) + 'g'),
      (l) => l.replace(/ ([0-9a-f]+)$/, ' '.repeat(1 + rnd(9)) + '$1'),
      (l) => l.replace(/ ([0-9a-f]+)$/, '\t$1'),
      (l) => l.replace(/page-faults: +([0-9a-f]+)/, (m, a: string) => m.replace(a, 'fedcba9876543210a'.slice(0, 1 + rnd(17)))),
      (l) => l.replace(/page-faults: +([0-9a-f]+)/, (m, a: string) => m.replace(a, a + ':')),
      (l) => l.replace('page-faults:', 'page-faultz:'),
      (l) => l.replace('page-faults:', 'paGe-faults:'),
      (l) => l.replace(/page-faults: +/, 'page-faults:' + ' '.repeat(rnd(12))),
    ];
    for (let round = 0; round < 6; round++) {
      const lines = real.map((l) => (rnd(4) === 0 ? mutations[rnd(mutations.length)]!(l) : l));
      const text = lines.join('\n') + '\n';
      for (const opts of [
        { topology: BOX_2TIER, events: ['page-faults'], fields: 'comm,tid,cpu,time,period,event,addr,phys_addr', skipBad: true },
        { topology: BOX_2TIER, events: ['page-faults'], fields: 'comm,tid,cpu,time,period,event,addr,phys_addr' },
        { topology: BOX_2TIER, nid: 'none' as const, events: ['page-faults'], fields: 'comm,tid,cpu,time,period,event,addr,phys_addr', skipBad: true },
      ]) {
        await same(chunked(text, round + 1), opts);
      }
    }
  });

  it('a short phys_addr after a letter and one space is read as the general parser reads it', async () => {
    // The fast path read `... 7f571028e408 x 0` as phys_addr 1 (a record at pfn 0, not a phys_addr_zero sample):
    // in its four-bytes-a-load read the `x` carried into the last digit (swar.ts hexValue4).
    const real = realText('period.txt.gz').split('\n').filter((l) => l.includes('page-faults:')).slice(0, 40);
    for (const sep of ['x', ']', 'z', '_', 'G']) {
      for (const phys of ['0', '1', 'fff', 'ffff', '1000', '10fff']) {
        const text = real.map((l) => l.replace(/ +[0-9a-f]+$/, ` ${sep} ${phys}`)).join('\n') + '\n';
        await same([Buffer.from(text)], { topology: BOX_2TIER, nid: 'none', events: ['page-faults'], fields: 'comm,tid,cpu,time,period,event,addr,phys_addr', skipBad: true });
      }
    }
  });

  it('lines that begin like the line before (the same-head way): same records, counts and errors', async () => {
    // The fast path reads a line whose bytes before `[` are those of the line it took before forward from
    // there; anything odd after the head must send the line to the general way, which decides as before.
    const real = realText('period.txt.gz').split('\n').filter((l) => l.includes('page-faults:')).slice(0, 60);
    let x = 7;
    const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) % n);
    // Heads of one length too: a head the line before did not have, with a time token of its own in it.
    // And heads of the length of another whose tid is no number (x, 1588x, 1-5): the shape's tid must be there.
    const heads = [
      '            perf 15883 ', '     my:comm 1 ', ' a 1.000000: b 15 ', '   perf 15883 ', '  1.000000: 9 ', 'x: 2 ', '',
      '            perf 1588x ', '     my:comm x ', '   perf 1-583 ', '            perf -1    ', '            perf 15883x',
    ];
    const tails: ((t: string) => string)[] = [
      (t) => t,
      (t) => t,
      (t) => t.replace(/^\[(\d+)\]/, '[12345678]'),
      (t) => t.replace(/^\[(\d+)\]/, '[]'),
      (t) => t.replace(/^\[(\d+)\] +/, '[$1]\t'),
      (t) => t.replace(/^\[(\d+)\] +/, '[$1]'),
      (t) => t.replace(/(\d+)\.(\d{6}):/, '$1.$20:'),
      (t) => t.replace(/(\d+)\.(\d{6}):/, '$1.$2000:'),
      (t) => t.replace(/(\d+)\.(\d{6}):/, '$1.$20000:'),
      (t) => t.replace(/(\d+)\.(\d{6}):/, '1234567890123456.$2:'),
      (t) => t.replace(/(\d+)\.(\d{6}):/, '.$2:'),
      (t) => t.replace(/(\d+)\.(\d{4})(\d{2}):/, '$1.$2x$3:'),
      (t) => t.replace(/(\d+)\.(\d{6}):/, '$1.12:'),
      (t) => t.replace(/^\[(\d+)\] +/, '[$1]' + ' '.repeat(80)),
      (t) => t.replace(/(\d+\.\d{6}): /, '$1:\t'),
      (t) => t.replace(/ +(\d+\.\d{6}):/, '$1:'),
      (t) => t.replace(/[0-9a-f]+$/, '0123456789abc'),
      (t) => t.replace(/[0-9a-f]+$/, '0123456789abcd'),
      (t) => t.replace(/[0-9a-f]+$/, '20000000000001'), // 14 digits, 2^53 + 1
      (t) => t.replace(/[0-9a-f]+$/, (a) => a + ' \r'),
      (t) => t.replace(/[0-9a-f]+$/, (a) => a + '\t'),
      (t) => t.replace(/[0-9a-f]+$/, (a) => a + 'g'),
      (t) => t.replace(/ +([0-9a-f]+)$/, '\t$1'),
      (t) => t.replace(/ +([0-9a-f]+)$/, ' x $1'),
      (t) => t.replace(/ +([0-9a-f]+)$/, ''),
      (t) => t.slice(0, rnd(t.length)),
    ];
    for (let round = 0; round < 8; round++) {
      const lines: string[] = [];
      for (let i = 0; i < 400; i++) {
        const l = real[rnd(real.length)]!;
        const tail = l.slice(l.indexOf('['));
        // Runs of the same head, so that most lines begin like the line before.
        const head = rnd(4) === 0 ? heads[rnd(heads.length)]! : heads[(i >> 3) % heads.length]!;
        lines.push(head + (rnd(3) === 0 ? tails[rnd(tails.length)]!(tail) : tail));
      }
      const text = lines.join('\n') + '\n';
      for (const opts of [
        { topology: BOX_2TIER, events: ['page-faults'], fields: 'comm,tid,cpu,time,period,event,addr,phys_addr', skipBad: true },
        { topology: BOX_2TIER, nid: 'none' as const, events: ['page-faults'], fields: 'comm,tid,cpu,time,period,event,addr,phys_addr', skipBad: true },
      ]) {
        await same(chunked(text, round + 1), opts);
        await same([Buffer.from(text)], opts);
      }
    }
  });

  it('heads of one length whose pid/tid is no number (the same-head way checks it too): refused as the general parser does', async () => {
    const real = realText('period.txt.gz').split('\n').filter((l) => l.includes('page-faults:')).slice(0, 40);
    for (const [fields, good, bads] of [
      ['comm,tid,cpu,time,period,event,addr,phys_addr', '            perf 15883 ', ['            perf 1588x ', '            perf 1/883 ', '            perf   -   ']],
      ['comm,pid,tid,cpu,time,period,event,addr,phys_addr', '  perf 15883/15883 ', ['  perf 1588x/15883 ', '  perf 15883/1588x ', '  perf 15883 15883 ', '   perf 15883/-1   ']],
    ] as const) {
      const lines = real.map((l, i) => (i % 3 === 1 ? bads[i % bads.length]! : good) + l.slice(l.indexOf('[')));
      const text = lines.join('\n') + '\n';
      const base = { topology: BOX_2TIER, nid: 'none' as const, events: ['page-faults'], fields };
      const fast = await read(text, { ...base, skipBad: true });
      const slow = await read(text, { ...base, skipBad: true, fast: false });
      expect(fast).toEqual(slow);
      expect(fast.stats.skipped.bad_line).toBe(lines.filter((_, i) => i % 3 === 1 && !bads[i % bads.length]!.includes('-1')).length);
      const err = (await read(text, base).catch((e: unknown) => e)) as TraceError;
      expect(err).toBeInstanceOf(TraceError);
      expect([err.line, err.field, err.column]).toEqual([2, fields.includes('pid') ? 'pid' : 'tid', lines[1]!.search(/\S+ *\[/) + 1]);
    }
  });

  it("perf's own columns (addr and phys_addr in 16 each, `%16lx`), every byte of them varied: same records, counts and errors", async () => {
    // The fast path reads such a line by its columns when each field is spaces, then digits up to its end; any other
    // byte there, a field of 14 or more phys_addr digits, a line end elsewhere, must go the other ways, which decide.
    const real = realText('period.txt.gz').split('\n').filter((l) => l.includes('page-faults:')).slice(0, 50);
    let x = 11;
    const rnd = (n: number): number => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const hex = '0123456789abcdef';
    const field = (): string => {
      const digits = rnd(5) === 0 ? 1 + rnd(16) : 8 + rnd(6);
      let f = '';
      for (let i = 0; i < digits; i++) f += hex[rnd(16)]!;
      return f.padStart(16, ' ');
    };
    const odd = [' ', ' ', '\t', 'g', 'A', ':', '0', 'f', '\r', '\n', 'x', '.'];
    for (const fields of ['comm,tid,cpu,time,period,event,addr,phys_addr', 'comm,tid,cpu,time,period,event,phys_addr', 'comm,tid,cpu,time,period,event,addr,data_src,phys_addr']) {
      const leading = fields.split(',').filter((f) => f === 'addr' || f === 'data_src').length;
      for (let round = 0; round < 6; round++) {
        const lines: string[] = [];
        for (let i = 0; i < 500; i++) {
          const l = real[rnd(real.length)]!;
          const head = l.slice(0, l.indexOf('page-faults:') + 'page-faults:'.length);
          let tail = ' ';
          for (let f = 0; f <= leading; f++) tail += field();
          const k = rnd(6);
          // A byte of the columns replaced, one taken out or put in, or something after the last column.
          const at = 1 + rnd(tail.length - 1);
          if (k === 0) tail = tail.slice(0, at) + odd[rnd(odd.length)]! + tail.slice(at + 1);
          else if (k === 1) tail = tail.slice(0, at) + tail.slice(at + 1);
          else if (k === 2) tail = tail.slice(0, at) + odd[rnd(odd.length)]! + tail.slice(at);
          else if (k === 3) tail += odd[rnd(odd.length)]!;
          lines.push(head + tail);
        }
        const text = lines.join('\n') + '\n';
        for (const nid of ['cpu', 'none'] as const) {
          await same(chunked(text, round + 1), { topology: BOX_2TIER, nid, events: ['page-faults'], fields, skipBad: true });
          await same([Buffer.from(text)], { topology: BOX_2TIER, nid, events: ['page-faults'], fields, skipBad: true });
        }
      }
    }
  });

  /**
   * 600 lines made by `line` from real page-fault lines, all with the first one's head (so that the lines after the
   * first take the same-head way), read both ways with the CPU giving the node and with none.
   */
  const sameHeadLines = async (seed: number, line: (real: string, head: string, rnd: (n: number) => number) => string): Promise<void> => {
    const real = realText('period.txt.gz').split('\n').filter((l) => l.includes('page-faults:')).slice(0, 40);
    const head = real[0]!.slice(0, real[0]!.indexOf('['));
    let x = seed;
    const rnd = (n: number): number => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const lines: string[] = [];
    for (let i = 0; i < 600; i++) lines.push(line(real[rnd(real.length)]!, head, rnd));
    const text = lines.join('\n') + '\n';
    for (const nid of ['cpu', 'none'] as const) {
      const opts = { topology: TOPO_2S_CXL, nid, events: ['page-faults'], fields: 'comm,tid,cpu,time,period,event,addr,phys_addr', skipBad: true };
      await same([Buffer.from(text)], opts);
      await same(chunked(text, seed), opts);
    }
  };

  it('cpu fields of every value and width, with the CPU giving the node: same records, counts and errors', async () => {
    // The fast path reads perf's `[%03d]` in one load; any other width or byte goes to its loop or the general parser.
    const odd = ['[0a1]', '[01]', '[0001]', '[1]', '[01 ]', '[001)', '[00:]', '[1000]', '[/01]', '[]', '[0x1]', '[009]'];
    await sameHeadLines(5, (l, head, rnd) => {
      const cpu = rnd(5) === 0 ? odd[rnd(odd.length)]! : `[${String(rnd(20)).padStart(3, '0')}]`;
      return head + cpu + l.slice(l.indexOf(']') + 1);
    });
  });

  it('seconds fields of every width and odd bytes (`%5lu.`), on the same-head way: same records, counts and errors', async () => {
    // The fast path reads perf's five-byte seconds field and its `.` in one load and two bytes; any other field goes
    // to its loops or the general parser.
    const odd = ['  4 3', '  4a3', '     ', '\t 453', '      3', '4    ', ' 45 3', '  4:3', '00000', '  -12', ' 4.53', '123456', '  45\n'];
    await sameHeadLines(9, (l, head, rnd) => {
      const rest = l.slice(l.indexOf(':', l.indexOf(']')));
      const k = rnd(6);
      const sec = k === 0 ? odd[rnd(odd.length)]! : k === 1 ? String(rnd(10_000_000)) : String(rnd(100_000)).padStart(5, ' ');
      const dot = rnd(20) === 0 ? ',' : '.';
      return `${head}[001] ${sec}${dot}${String(rnd(1_000_000)).padStart(6, '0')}${rest}`;
    });
  });

  it('time tokens repeated from the line before, byte for byte or by value, and near-repeats: same records, counts and errors', async () => {
    // The fast path takes the time of a line whose first 16 bytes from the time token on are those of the line before
    // (when the token and its `: ` fit in them), and the jiffies of a time equal in value to the one before (the same
    // seconds, fraction and number of fraction digits). Every ordered pair of these tokens, the second line's rest as
    // it is or made odd after the token: anything odd must still go the other ways, which decide.
    const real = realText('period.txt.gz').split('\n').filter((l) => l.includes('page-faults:')).slice(0, 12);
    const head = real[0]!.slice(0, real[0]!.indexOf('['));
    const tokens = [
      '  453.484750', '  453.484751', ' 453.484750', '  453.484750000', '  453.484750001', '  453.000001', '  453.000000001',
      '1234567.484750', '12345678.484750', '123456789.484750', '    0.000000', '  453.48475',
      // The same seconds and fraction, 6 and 9 digits: 0.5 s and 0.5 ms. Narrower than perf prints, so that a token of
      // 9 digits fits in the 16 bytes too.
      '  453.500000', '  453.000500000', ' 1.000500000', ' 1.500000',
    ];
    const odd: ((t: string) => string)[] = [
      (t) => t,
      (t) => t.replace('page-faults:', 'page-faultz:'),
      (t) => t.replace('page-faults:', 'pa:e-faults:'),
      (t) => t.replace(/^: /, ':\t'),
      (t) => t.replace(/^: /, '::'),
      (t) => t.replace(/^: /, ':x'),
      (t) => t.replace(/^: /, ': :'),
      (t) => t.replace(/ +[0-9a-f]+$/, ''),
      (t) => t.replace(/[0-9a-f]+$/, 'zz'),
      (t) => t.slice(0, 1),
    ];
    const lines: string[] = [];
    let i = 0;
    for (const a of tokens)
      for (const b of tokens)
        for (const m of odd) {
          // A phys_addr that is no 0 (these page faults' are): a record whose time counts.
          const rest = (k: number): string => {
            const l = real[k % real.length]!;
            return l.slice(l.indexOf(':', l.indexOf(']'))).replace(/ 0$/, ' ' + (0x10000000 + k * 0x1040).toString(16));
          };
          // A plain line first: the line with `a` then takes the same-head way even after an odd line (the fast path
          // starts again after a line it leaves to the general parser), so the line with `b` follows one read forward.
          // The line with `a` a record, then a sample with phys_addr 0 (no record: its time is read, not converted).
          for (const zero of [false, true]) {
            const ra = rest(i++);
            lines.push(`${head}[003]   453.484750${rest(i++)}`, `${head}[001] ${a}${zero ? ra.replace(/[0-9a-f]+$/, '0') : ra}`, `${head}[002] ${b}${m(rest(i++))}`);
          }
        }
    const text = lines.join('\n') + '\n';
    for (const nid of ['cpu', 'none'] as const) {
      const opts = { topology: TOPO_2S_CXL, nid, events: ['page-faults'], fields: 'comm,tid,cpu,time,period,event,addr,phys_addr', skipBad: true };
      await same([Buffer.from(text)], opts);
      await same(chunked(text, 17), opts);
    }
  });

  it('times whose frac x HZ / 10^digits is a whole number or next to one, at several HZ and near the largest time: same records', async () => {
    // The fast path divides by 10^6 or 10^9 as a multiply by the reciprocal, then corrects the floor; the general
    // parser divides. A quotient that is a whole number, or one below or above it, is where the two could differ.
    const real = realText('period.txt.gz').split('\n').filter((l) => l.includes('page-faults:')).slice(0, 20);
    let x = 3;
    const rnd = (n: number): number => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % n;
    for (const hz of [100, 250, 300, 1000, 1024, 99_991, 100_000]) {
      for (const digits of [6, 9]) {
        const d = 10 ** digits;
        const lines: string[] = [];
        for (let i = 0; i < 400; i++) {
          const l = real[rnd(real.length)]!;
          const at = l.indexOf('] ') + 2;
          const colon = l.indexOf(': ', at);
          // frac = k * d / hz rounded, then one around it: frac * hz is a multiple of d, or next to one.
          const k = rnd(hz);
          const frac = Math.min(d - 1, Math.max(0, Math.round((k * d) / hz) + rnd(3) - 1));
          const maxSec = Math.floor((Number.MAX_SAFE_INTEGER - (2 ** 32 - 300 * hz) - hz) / hz);
          const sec = rnd(8) === 0 ? maxSec - 1 + rnd(3) : rnd(100_000);
          lines.push(`${l.slice(0, at)}${String(sec).padStart(5, ' ')}.${String(frac).padStart(digits, '0')}${l.slice(colon)}`);
        }
        const text = lines.join('\n') + '\n';
        const opts = { topology: BOX_2TIER, hz, events: ['page-faults'], fields: 'comm,tid,cpu,time,period,event,addr,phys_addr', skipBad: true };
        await same([Buffer.from(text)], opts);
        await same(chunked(text, hz), { ...opts, nid: 'none' as const });
      }
    }
  });

  it('a head equal to the one before in its whole eight-byte words, a time token ending in its last bytes: the general way decides', async () => {
    // The fast path compares a head with the line before's eight bytes a load, then its last eight bytes (which overlap
    // them): a colon in those last bytes must still send the line to the general way.
    const real = realText('period.txt.gz').split('\n').filter((l) => l.includes('page-faults:')).slice(0, 8);
    const tail = (i: number): string => real[i]!.slice(real[i]!.indexOf('[')).replace(/ 0$/, ' 1000' + i);
    const shared = '      perf 1.000'; // 16 bytes, the two words both heads share
    // Heads of 23 or 24 bytes, the shared 16 and a tail; then heads of 39 bytes whose last eight bytes are equal and whose
    // middle words differ (a time token there, a line end): the last eight bytes may stand for the rest only when every
    // word before them was equal.
    for (const [plain, odd] of [
      ['000x 9 ', '000: 9 '],
      ['000x 9 ', '000:\t9 '],
      ['0000 9 ', '00: 99 '],
      ['abcdefg ', 'abc:efg '],
      ['abcdefg ', 'abcd\nfg '],
      ['xxxxxxxxxxxxxxxxdddddd ', ' 1.000000: ccccxdddddd '],
      ['xxxxxxxxxxxxxxxxdddddd ', 'xxx\nxxxxxxxxxxxxdddddd '],
    ] as const) {
      const lines = [shared + plain + tail(0), shared + plain + tail(1), shared + plain + tail(2), shared + odd + tail(3), shared + plain + tail(4), shared + plain + tail(5)];
      const text = lines.join('\n') + '\n';
      for (const nid of ['cpu', 'none'] as const) {
        await same([Buffer.from(text)], { topology: BOX_2TIER, nid, events: ['page-faults'], fields: 'comm,tid,cpu,time,period,event,addr,phys_addr', skipBad: true });
      }
    }
  });

  it('a head of the length of the one before that is no head: a colon at its end, a line end in it, no space before [', async () => {
    // The line before has `[` at column 14; each next line puts something there that the general way reads otherwise.
    const real = realText('period.txt.gz').split('\n').filter((l) => l.includes('page-faults:')).slice(0, 8);
    const tail = (i: number): string => real[i]!.slice(real[i]!.indexOf('['));
    const head14 = '   perf 15883 ';
    const odd = [
      '    1.000000: ' + tail(1), // a time token of its own, its colon in the last bytes (not a whole word)
      '  1.000000:   ' + tail(1), // the same, its colon in the last whole word
      '   perf 15883x' + tail(2), // `[` with no space before it
      'x\n  perf 1588 ' + tail(3), // a short bad line, then a line whose `[` is at column 12
      'ab\n' + head14.slice(3) + tail(4), // a line end in the first word
      'twelve bytes\n ' + tail(4), // a line end in the last bytes, then a line whose `[` is at column 1
    ];
    for (const o of odd) {
      // The first line goes to the general parser (it names the event the fast path takes), the second to the fast
      // path, which keeps its head length for the third; the third's head it checked itself, so the odd line's is
      // compared with it first (a line end in its first eight bytes must still be found).
      const text = [head14 + tail(0), head14 + tail(6), head14 + tail(7), o, head14 + tail(5)].join('\n') + '\n';
      for (const nid of ['cpu', 'none'] as const) {
        await same([Buffer.from(text)], { topology: BOX_2TIER, nid, events: ['page-faults'], fields: 'comm,tid,cpu,time,period,event,addr,phys_addr', skipBad: true });
      }
    }
  });
});

describe('bounded lines', () => {
  it('a perf line over 1 MiB is an error naming the line, its text cut short', async () => {
    const long = 'x'.repeat((1 << 20) + 10);
    const text = realText('readme.txt.gz').split('\n').slice(0, 3).join('\n') + '\n' + long + '\nmore\n';
    for (const chunks of [[Buffer.from(text)], chunked(text, 3)]) {
      const err = await read(chunks, { topology: BOX_2TIER, events: ['page-faults'], fields: 'comm,pid,tid,cpu,time,event,addr,phys_addr' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TraceError);
      expect((err as TraceError).line).toBe(4);
      expect((err as TraceError).reason).toBe('line is longer than 1048576 bytes');
      expect((err as TraceError).text.length).toBeLessThan(260);
    }
  });

  it('a sample line the fast path reads of 1 MiB + 1 byte is an error, whole in one chunk too; one of 1 MiB is read', async () => {
    // perf's own columns, every line with the same head: the fast path's quickest way; the long line's spaces after its
    // time (perf pads nothing there, but the parsers skip any run of spaces).
    const sample = (i: number, pad = 0): string =>
      `          stream    4242/4242    [003] ${(1234 + i / 1e5).toFixed(6).padStart(12)}:${' '.repeat(pad)} ibs_op//:     7f3a5c001040${(0x100000000 + i * 4096).toString(16).padStart(16)}`;
    const text = (n: number): string => [0, 1, 2].map((i) => sample(i)).concat(sample(3, n - sample(3).length), sample(4)).join('\n') + '\n';
    const opts: PerfReadOptions = { nid: 'none', fields: 'comm,pid,tid,cpu,time,event,addr,phys_addr' };
    for (const chunks of [[Buffer.from(text((1 << 20) + 1))], chunked(text((1 << 20) + 1), 5)]) {
      const err = await read(chunks, opts).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TraceError);
      expect(err).toMatchObject({ line: 4, reason: 'line is longer than 1048576 bytes' });
    }
    for (const chunks of [[Buffer.from(text(1 << 20))], chunked(text(1 << 20), 5)]) {
      const { stats } = await read(chunks, opts);
      expect(stats.records).toBe(5);
    }
  });

  it('zero bytes without a line end (/dev/zero): an error after 1 MiB, the carry never above 1 MiB', () => {
    const reader = new PerfReader({ record_access: () => {} }, { topology: BOX_2TIER, fields: 'cpu,time,phys_addr' });
    const chunk = Buffer.alloc(64 << 10);
    let pushed = 0;
    let err: unknown = null;
    try {
      for (;;) {
        reader.push(chunk);
        pushed += chunk.length;
        expect((reader as unknown as { carry: Buffer }).carry.length).toBeLessThanOrEqual(1 << 20);
        if (pushed > 4 << 20) break;
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceError);
    expect(pushed).toBeLessThanOrEqual(1 << 20);
    expect(JSON.stringify((err as TraceError).text)).toMatch(/^"(\\u0000){200}\.\.\."$/);
  });

  it('with skipBad, a line over 1 MiB is skipped as a bad line and the read goes on after its LF, as without it', async () => {
    const sample = (i: number, pad = 0): string =>
      `          stream    4242/4242    [003] ${(1234 + i / 1e5).toFixed(6).padStart(12)}:${' '.repeat(pad)} ibs_op//:     7f3a5c001040${(0x100000000 + i * 4096).toString(16).padStart(16)}`;
    const opts: PerfReadOptions = { nid: 'none', fields: 'comm,pid,tid,cpu,time,event,addr,phys_addr', skipBad: true };
    const lines = Array.from({ length: 3000 }, (_, i) => sample(i));
    const bad = 'stream 4242/4242 [003] 1234.5: ibs_op//: zz';
    // Sample lines the fast path takes, a padded sample line (1 MiB + 1 byte), a line of 3 MiB of x, a bad line after.
    const over = [...lines.slice(0, 1000), sample(1000, (1 << 20) + 1 - sample(1000).length), ...lines.slice(1001, 2000), 'x'.repeat(3 << 20), bad, ...lines.slice(2000)];
    const without = [...lines.slice(0, 1000), ...lines.slice(1001, 2000), bad, ...lines.slice(2000)];
    const want = await read(without.join('\n') + '\n', opts);
    const LONG = 'line is longer than 1048576 bytes';
    for (const [what, text] of [['with a last LF', over.join('\n') + '\n'], ['the long line last, without LF', [...without, 'y'.repeat(2 << 20)].join('\n')]] as const) {
      for (const chunks of [[Buffer.from(text)], chunked(text, 7), chunked(text, 8).flatMap((c) => [c.subarray(0, 1), c.subarray(1)])]) {
        const errs: TraceError[] = [];
        const { recs, stats } = await read(chunks, { ...opts, onBad: (e) => errs.push(e) });
        expect(recs, what).toEqual(want.recs);
        expect(stats.records).toBe(want.stats.records);
        expect(stats.samples).toBe(want.stats.samples);
        if (what === 'with a last LF') {
          expect(errs.map((e) => [e.line, e.reason])).toEqual([[1001, LONG], [2001, LONG], [2002, want.stats.firstBad[0]!.reason]]);
          expect(stats.lines).toBe(3002);
          expect(stats.skipped.bad_line).toBe(3);
          expect(errs[0]!.text).toBe(`${over[1000]!.slice(0, 200)}...`);
        } else {
          expect(errs.map((e) => [e.line, e.reason]).at(-1)).toEqual([3001, LONG]);
          expect(stats.lines).toBe(3001);
        }
        expect(stats.firstBad.map((b) => b.line)).toEqual(errs.map((e) => e.line));
      }
    }
  });

  it('with skipBad, zero bytes without a line end are skipped with the carry never above 1 MiB, and the line after is read', () => {
    const recs: number[] = [];
    const errs: TraceError[] = [];
    const reader = new PerfReader({ record_access: (p) => void recs.push(p) }, { topology: BOX_2TIER, nid: 'none', fields: 'cpu,time,phys_addr', skipBad: true, onBad: (e) => errs.push(e) });
    const chunk = Buffer.alloc(64 << 10);
    for (let pushed = 0; pushed < 16 << 20; pushed += chunk.length) {
      reader.push(chunk);
      expect((reader as unknown as { carry: Buffer }).carry.length).toBeLessThanOrEqual(1 << 20);
    }
    reader.push(Buffer.from('\n[001] 1234.000001: 100000\n'));
    const stats = reader.end();
    expect(errs.map((e) => [e.line, e.reason])).toEqual([[1, 'line is longer than 1048576 bytes']]);
    expect(recs).toEqual([0x100000 / 4096]);
    expect(stats.lines).toBe(2);
  });
});

describe('perf text without a time field', () => {
  it('is refused at its first line with the perf message', async () => {
    const text = realText('no-time.txt.gz');
    const err = await read(text, { topology: BOX_2TIER }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TraceError);
    expect((err as TraceError).line).toBe(1);
    expect((err as TraceError).reason).toMatch(/no time field .*keep time in perf script -F/);
  });
});
