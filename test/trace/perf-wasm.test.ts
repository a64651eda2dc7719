/**
 * The WebAssembly perf line parser (src/trace/perf-wasm.ts, wasm/perf-lines.ts) against the JavaScript fast path it
 * runs ahead of (scanPerfJs, perf-fast.ts): scanPerf, which runs the module first and gives each line it does not take
 * to scanPerfJs, must take the same lines with the same records and counts as scanPerfJs alone, on lines in perf's own
 * columns and on every odd form of each of their parts. (scanPerfJs itself is tested against the general parser in
 * perf-real.test.ts; a streaming reader starts the module only after its first 2 MiB, WASM_AFTER_BYTES.)
 */
import { describe, expect, it } from 'vitest';
import {
  fastLines,
  fastMissing,
  fastNoCpu,
  fastRecords,
  fastSamples,
  fastZero,
  scanPerf,
  scanPerfJs,
  type FastShape,
} from '../../src/trace/perf-fast.js';
import { PerfReader } from '../../src/trace/perf-read.js';
import { WASM_AFTER_BYTES } from '../../src/trace/fast.js';
import { PerfWasm, perfWasm } from '../../src/trace/perf-wasm.js';
import { prng } from '../prng.js';
import { IBS_SHAPE } from './helpers.js';

type Scan = typeof scanPerf;

const BASE = IBS_SHAPE;

/** Every record, and every stop with the counts before it, of a scan over the whole buffer, skipping each line it stops at. */
function scanAll(scan: Scan, buf: Buffer, fs: FastShape, ev: Buffer): string[] {
  const out: string[] = [];
  const sink = { record_access: (p: number, n: number, s: number, t: number) => void out.push(`${p} ${n} ${s} ${t}`) };
  let pos = 0;
  while (pos < buf.length) {
    const stop = scan(buf, pos, buf.length, fs, ev, sink);
    if (out.length > 10 * buf.length || stop < pos) throw new Error(`no progress: ${pos} -> ${stop}, ${out.length} entries`);
    out.push(`stop ${stop} lines ${fastLines} records ${fastRecords} samples ${fastSamples} zero ${fastZero} missing ${fastMissing} nocpu ${fastNoCpu}`);
    if (stop >= buf.length) break;
    pos = buf.indexOf(10, stop) + 1;
  }
  return out;
}

function same(buf: Buffer, fs: FastShape, ev: Buffer): void {
  const want = scanAll(scanPerfJs, buf, fs, ev);
  const got = scanAll(scanPerf, buf, fs, ev);
  for (let i = 0; i < Math.max(want.length, got.length); i++)
    if (got[i] !== want[i]) throw new Error(`entry ${i}: got ${got.slice(i, i + 3).join(' | ')}, want ${want.slice(i, i + 3).join(' | ')}`);
  // Read in place in the module's memory too.
  const w = perfWasm()!;
  const inPlace = w.input(buf.length);
  buf.copy(inPlace);
  expect(scanAll(scanPerf, inPlace, fs, ev)).toEqual(want);
}

const hex16 = (v: number | bigint): string => v.toString(16).padStart(16, ' ');

/** A sample line in perf's own columns, with each part sometimes in another form. */
function perfLine(r: () => number, fs: FastShape, ev: string, prev: { time: string }): string {
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const odd = r() < 0.25;
  const o = (p: number) => odd && r() < p;
  const comm = o(0.2) ? pick(['kworker/0:1', 'a b:c', '[x]', 'x]', ':', 'perf [001]', '']) : pick(['stream', 'perf', 'mcf_r']);
  // pid/tid as perf prints it (`%7d/%-7d `, or one `%7d ` number), sometimes malformed (the shapes that check it refuse).
  const pid = fs.pidTid === 1 ? String(1000 + int(9000)) : `${String(1000 + int(9000))}/${String(1000 + int(9000))}`;
  const odd_pid = ['1x33/2', '12/', '/12', '-1/-1', '-1', '12', '1/2/3', '12 / 34', '1234567/1234567 ', 'x/1', '12/34x'];
  let head = `${comm.padStart(16, ' ')} ${o(0.2) ? pick(odd_pid) : pid}`;
  if (fs.cpu === 1) {
    const cpu = int(16);
    head += o(0.2) ? pick([` [${cpu}]`, ` [${String(cpu).padStart(8, '0')}]`, ' []', `[${cpu}]`, ` [${cpu}]x`, ` [0${cpu}a]`]) : ` [${String(cpu).padStart(3, '0')}]`;
  }
  let time: string;
  if (r() < 0.5) time = prev.time;
  else {
    const sec = o(0.3) ? pick(['', '1'.repeat(16), '123456789012345', '0']) : String(int(100000));
    const frac = o(0.3) ? pick(['12345', '1234567', '123456789', '12a456', '']) : String(int(1e6)).padStart(6, '0');
    time = `${sec.padStart(5, ' ')}.${frac}`;
    if (o(0.1)) time = pick([time.trimStart(), time + ' ', 'x' + time.trimStart()]);
    prev.time = time;
  }
  let rest = `${head} ${time}:`;
  rest += o(0.1) ? pick(['', '  ', '\t', ' PERF_RECORD_X']) : ' ';
  if (fs.period === 1) rest += o(0.2) ? pick(['', 'x ', '12\t', '1 ']) : `${1 + int(100000)} `;
  rest += o(0.2) ? pick([ev + 'x', ev.slice(0, -1), 'other', ev + ' ', ev.toUpperCase()]) : ev;
  rest += o(0.1) ? pick([':', ':\t', '::', ': \r']) : ': ';
  const field = () =>
    o(0.15) ? pick([hex16(int(2 ** 48)).toUpperCase(), ' '.repeat(16), hex16(2n ** 64n - 1n) + '0', ' '.repeat(15), 'g'.padStart(16, ' '), '1 2'.padStart(16, ' ')]) : hex16(int(2 ** 48));
  // perf prints each column as `%16lx` right after the one before (`: ` before the first): the padding separates them.
  for (let f = 0; f < fs.leadingHex; f++) rest += field() + (o(0.1) ? pick([' ', '  ', '\t']) : '');
  const phys = o(0.3) ? pick([0, 2 ** 52 - 1, 2 ** 52, 2 ** 60, 4095, 4096]) : int(2 ** 40);
  rest += o(0.15) ? pick([field(), hex16(BigInt(phys)).trimStart(), hex16(phys) + ' ', hex16(phys) + '\r']) : hex16(BigInt(phys));
  return rest;
}

/** `lines` lines: samples (some odd), and `#`, blank and PERF_RECORD lines; a byte changed here and there. */
function perfText(seed: number, lines: number, fs: FastShape, ev: string): Buffer {
  const r = prng(seed);
  const prev = { time: '    0.000000' };
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const u = r();
    if (u < 0.02) out.push('# comment: x');
    else if (u < 0.03) out.push('');
    else if (u < 0.04) out.push('  perf 1/1 [000] 1.000000: PERF_RECORD_MMAP 1/1: x');
    else out.push(perfLine(r, fs, ev, prev));
  }
  const buf = Buffer.from(out.join('\n') + '\n', 'latin1');
  const bytes = [0x00, 0x09, 0x0d, 0x20, 0x2e, 0x30, 0x39, 0x3a, 0x41, 0x5b, 0x5d, 0x61, 0x66, 0x67, 0x80, 0xff];
  for (let k = buf.length > 1 ? Math.floor(r() * 3) : 0; k > 0; k--) buf[Math.floor(r() * (buf.length - 1))] = bytes[Math.floor(r() * bytes.length)]!;
  return buf;
}

const SHAPES: [string, FastShape, string][] = [
  ['cpu, addr, phys_addr', BASE, 'ibs_op//'],
  ['no cpu, period, no addr', { ...BASE, cpu: 0, period: 1, leadingHex: 0, fixedNid: 2 }, 'cpu/mem-loads,ldlat=30/P'],
  ['addr and data_src, node by cpu', { ...BASE, leadingHex: 2, byCpu: true, cpuNode: Int32Array.from([0, 0, 1, 1, -1, 1, 0, 0, 1, 1]) }, 'ibs_op/l3missonly=1/'],
  ['another HZ and page size', { ...BASE, hz: 1000, pageSize: 65536 }, 'mem_load'],
  ['pid/tid checked', { ...BASE, pidTid: 2 }, 'ibs_op//'],
  ['one pid checked, no cpu', { ...BASE, cpu: 0, pidTid: 1, fixedNid: 0 }, 'ibs_op//'],
];

describe('the WebAssembly perf line parser', () => {
  it('runs here, and takes the lines in perf own columns', () => {
    const w = perfWasm()!;
    expect(w).toBeInstanceOf(PerfWasm);
    const text = Buffer.from(
      '          stream    4242/4242    [005]     0.000000: ibs_op//:     7f00d86b5d40        d86b5d40\n' +
        '          stream    4242/4242    [003]     0.000004: ibs_op//:     7f001302bac0               0\n' +
        '          stream    4242/4242    [003]     0.000004: ibs_op//:     7f001302bac0        1302b000\n',
      'latin1',
    );
    const recs: number[] = [];
    const ev = Buffer.from('ibs_op//');
    const r = w.scan(0, text.length, w.place(text, 0, text.length), BASE, ev, { record_access: (...a: number[]) => void recs.push(...a) });
    expect({ ...r }).toEqual({ stop: text.length, lines: 3, records: 2, zero: 1, noCpu: 0 });
    // INITIAL_JIFFIES at HZ 250 is 2^32 - 75000; 4 us is no jiffy yet.
    expect(recs).toEqual([0xd86b5, -1, 0, 2 ** 32 - 75000, 0x1302b, -1, 0, 2 ** 32 - 75000]);
  });

  for (const [name, fs, ev] of SHAPES) {
    it(`takes what the JavaScript fast path takes, the same way, on 300 random texts: ${name}`, () => {
      const evb = Buffer.from(ev, 'latin1');
      let taken = 0;
      for (let seed = 1; seed <= 300; seed++) {
        const buf = perfText(seed, 1 + (seed % 61), fs, ev);
        try {
          same(buf, fs, evb);
        } catch (e) {
          throw new Error(`seed ${seed}: ${JSON.stringify(buf.toString('latin1').slice(0, 800))}\n${String(e)}`);
        }
        const w = perfWasm()!;
        taken += w.scan(0, buf.length, w.place(buf, 0, buf.length), fs, evb, { record_access: () => {} }).lines;
      }
      // The module took lines itself (else the comparison above would show nothing of it).
      expect(taken).toBeGreaterThan(300);
    });
  }

  it('on time tokens at the edges: one that fills the 16 bytes before its colon, and one just too large', () => {
    const ev = Buffer.from('ibs_op//');
    const cols = ':     7f00d86b5d40        d86b5d40\n';
    // A token of 16 bytes (no room for the space before it in the 16 bytes the next line compares), then the same 16
    // bytes after another byte than a space: not a time token there.
    same(Buffer.from(`  stream 1/1 [001] 123456789.123456: ibs_op//${cols}  stream 1/1 [001]x123456789.123456: ibs_op//${cols}`, 'latin1'), BASE, ev);
    same(Buffer.from(`  stream 1/1 123456789.123456: ibs_op//${cols}  stream 1/1x123456789.123456: ibs_op//${cols}`, 'latin1'), { ...BASE, cpu: 0 }, ev);
    same(Buffer.from(`  stream 1/1 [001] 12345678.123456: ibs_op//${cols}  stream 1/1 [001]x12345678.123456: ibs_op//${cols}`, 'latin1'), BASE, ev);
    // Seconds over (2^53 - INITIAL_JIFFIES - HZ) / HZ, about 3.6e13 at HZ 250, but under twice that.
    for (const sec of ['36028797018962', '36028797018963', '50000000000000', '72057594037927'])
      same(Buffer.from(`  stream 1/1 [001] 1.000000: ibs_op//${cols}  stream 1/1 [001] ${sec}.000000: ibs_op//${cols}`, 'latin1'), BASE, ev);
  });

  it('a text larger than its memory holds: a new, larger memory, where the shape is set again', () => {
    const w = perfWasm()!;
    same(perfText(5, 200, BASE, 'ibs_op//'), BASE, Buffer.from('ibs_op//')); // the shape is set in the memory before
    const r = prng(4);
    const prev = { time: '    1.000000' };
    const lines: string[] = [];
    for (let bytes = 0; bytes < w.inputBytes + (1 << 19); bytes += lines[lines.length - 1]!.length + 1) lines.push(perfLine(r, BASE, 'ibs_op//', prev));
    const before = w.memories;
    same(Buffer.from(lines.join('\n') + '\n', 'latin1'), BASE, Buffer.from('ibs_op//'));
    expect(w.memories).toBe(before + 1);
  });

  it('many thousand lines, over its columns many times, after a time too large for the shape', () => {
    const r = prng(3);
    const prev = { time: '    1.000000' };
    const lines: string[] = [];
    for (let i = 0; i < 40000; i++) lines.push(perfLine(r, BASE, 'ibs_op//', prev));
    lines.splice(20000, 0, '  perf 1/1 [000] 999999999999999.000000: ibs_op//:     7f00d86b5d40        d86b5d40');
    same(Buffer.from(lines.join('\n') + '\n', 'latin1'), BASE, Buffer.from('ibs_op//'));
  });
});

/**
 * Lines that mostly keep the layout of the line before them, as perf prints a run of samples (the module's template,
 * wasm/perf-lines.ts tplLen): the same bytes but for the digits of the pid/tid, cpu, time and period, which change in
 * place. Now and then one part changes otherwise: a command name with digits, ':' or spaces, a pid/tid or cpu of
 * another width or form, a time token of another width (6 or 9 digits, and wrong ones), another period or event (a
 * digit of the event's name too), or one byte of the line, mostly a digit, becomes one next to the digits in ASCII.
 */
function layoutText(seed: number, lines: number, fs: FastShape, ev: string): Buffer {
  const r = prng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const digits = (n: number): string => Array.from({ length: n }, () => String(int(10))).join('');
  const redigit = (s: string): string => s.replace(/[0-9]/g, () => String(int(10)));
  const p = {
    comm: '          stream',
    pid: fs.pidTid === 1 ? '4242' : '4242/4242',
    cpu: '[003]',
    sp: '     ',
    sec: '1',
    frac: '000000',
    sep: ' ',
    period: '10007',
    ev,
    evColon: ': ',
  };
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    // The digits that change in place, on every line.
    p.pid = redigit(p.pid);
    p.cpu = redigit(p.cpu);
    p.frac = redigit(p.frac);
    if (r() < 0.3) p.sec = redigit(p.sec);
    if (r() < 0.5) p.period = redigit(p.period);
    // A change for this line alone, mostly (else for the lines after it too).
    const kept = { ...p };
    const once = r() < 0.9;
    if (r() < 0.3) {
      const part = int(11);
      if (part === 0) p.comm = pick(['stream', 'mcf_r1', 'mcf_r2', 'a b:c', 'x:1', 'perf 2', 'kworker/0:1', ':', '']).padStart(pick([0, 16, 16, 20]), ' ');
      else if (part === 1)
        p.pid = pick([digits(1 + int(7)), `${digits(1 + int(7))}/${digits(1 + int(7))}`, '1x33/2', '12/', '/12', '-1/-1', '-1', '1/2/3', '12 / 34', 'x/1', '12/34x']);
      else if (part === 2) p.cpu = pick([`[${digits(1 + int(8))}]`, '[003]', '[]', '[0a]', '[003]x', '003]', '[00:]']);
      else if (part === 3) p.sp = pick(['', ' ', '  ', '     ', '\t', ' :']);
      else if (part === 4) p.sec = pick([digits(1 + int(16)), '', 'x1', '1']);
      else if (part === 5) p.frac = pick([digits(6), digits(9), digits(5), digits(7), digits(10), '12a456', '']);
      else if (part === 6) p.sep = pick([' ', '  ', '\t', ' PERF_RECORD_X ', '']);
      else if (part === 7) p.period = pick([digits(1 + int(7)), 'x', '', '12\t', '1 2']);
      else if (part === 8) {
        // Another event: a digit of its name changed (the template's digits after the colon are no wildcards), or more.
        const d = ev.search(/[0-9]/);
        p.ev = d >= 0 && r() < 0.6 ? ev.slice(0, d) + String((Number(ev[d]) + 1) % 10) + ev.slice(d + 1) : pick([ev, ev + 'x', 'other', ev.slice(0, -1)]);
      } else if (part === 9) p.evColon = pick([': ', ':  ', '::', ':\t']);
      else p.ev = ev;
    }
    const head = `${p.comm} ${p.pid}` + (fs.cpu === 1 ? ` ${p.cpu}` : '');
    let line = `${head}${p.sp}${p.sec.padStart(5, ' ')}.${p.frac}:${p.sep}` + (fs.period === 1 ? `${p.period} ` : '') + `${p.ev}${p.evColon}`;
    for (let f = 0; f < fs.leadingHex; f++) line += hex16(int(2 ** 48));
    line += hex16(r() < 0.05 ? 0 : int(2 ** 40));
    if (r() < 0.1) {
      // One byte, mostly a digit, as a byte next to the digits (or a space, a letter, a line end, a byte over 0x7f).
      const at = [...line].map((c, j) => (/[0-9]/.test(c) || r() < 0.1 ? j : -1)).filter((j) => j >= 0);
      const j = pick(at);
      line = line.slice(0, j) + pick(['/', ':', ';', '.', ' ', 'a', 'g', '\n', '\x80', '\xb0', '\xb9', '\x2f', '\x3a']) + line.slice(j + 1);
    }
    out.push(line);
    if (once) Object.assign(p, kept);
  }
  return Buffer.from(out.join('\n') + '\n', 'latin1');
}

/** The lines the module itself takes of buf, skipping each line it stops at. */
function moduleLines(buf: Buffer, fs: FastShape, ev: Buffer): number {
  const w = perfWasm()!;
  const shift = w.place(buf, 0, buf.length);
  let lines = 0;
  for (let pos = 0; pos < buf.length; ) {
    const r = w.scan(pos, buf.length, shift, fs, ev, { record_access: () => {} });
    lines += r.lines;
    if (r.stop >= buf.length) break;
    pos = buf.indexOf(10, r.stop) + 1;
  }
  return lines;
}

describe('lines in the layout of the line before (the module reads them by its template)', () => {
  for (const [name, fs, ev] of SHAPES) {
    it(`takes what the JavaScript fast path takes, the same way, on 200 texts of runs: ${name}`, () => {
      const evb = Buffer.from(ev, 'latin1');
      let taken = 0;
      for (let seed = 1; seed <= 200; seed++) {
        const buf = layoutText(seed, 1 + (seed % 97), fs, ev);
        try {
          same(buf, fs, evb);
        } catch (e) {
          throw new Error(`seed ${seed}: ${JSON.stringify(buf.toString('latin1').slice(0, 1600))}\n${String(e)}`);
        }
        taken += moduleLines(buf, fs, evb);
      }
      // The module took about half the 9600 lines (else the comparison above would show little of the template).
      expect(taken).toBeGreaterThan(4000);
    });
  }

  it('a template of every length from 16 to 80 bytes, and past it: each byte of it compared', () => {
    // The command name's length moves every part: 31 to 131 bytes up to the first column. After a few lines of one
    // layout, lines that differ from it in one byte: a colon or a line end in the command name, a pid/tid that is no
    // number (each one the general way refuses, or reads otherwise).
    const ev = Buffer.from('ibs_op//');
    for (let pad = 0; pad <= 100; pad++) {
      const lines: string[] = [];
      const line = (comm: string, pid: string, i: number): string => {
        const cpu = String((i * 7) % 16).padStart(3, '0');
        const t = `${i % 3}.${String(i * 4).padStart(6, '0')}`;
        return `${comm} ${pid} [${cpu}] ${t}: ibs_op//: ${hex16(0x7f00d86b5d40 + i)}${hex16(0xd86b5d40 + i * 4096)}`;
      };
      const comm = 's'.repeat(pad);
      for (let i = 0; i < 4; i++) lines.push(line(comm, '1/1', i));
      for (let at = 0; at < pad; at += 3) {
        lines.push(line(comm.slice(0, at) + ':' + comm.slice(at + 1), '1/1', at), line(comm, '1/1', at + 1));
        lines.push(line(comm.slice(0, at) + '\n' + comm.slice(at + 1), '1/1', at), line(comm, '1/1', at + 1));
      }
      lines.push(line(comm, 'x/1', 1), line(comm, '1/1', 2), line(comm, '1/x', 3), line(comm, '1/1', 4), line(comm, '1 1', 5));
      same(Buffer.from(lines.join('\n') + '\n', 'latin1'), { ...BASE, pidTid: 2 }, ev);
      same(Buffer.from(lines.map((l) => l.replace(' [', '[')).join('\n') + '\n', 'latin1'), { ...BASE, pidTid: 2 }, ev);
    }
  });

  it('a cpu of 1 to 8 digits, its node by cpu: the cpu read from the line in the template', () => {
    const ev = Buffer.from('ibs_op//');
    const fs: FastShape = { ...BASE, byCpu: true, cpuNode: Int32Array.from([0, 0, 1, 1, -1, 1, 0, 0, 1, 1]) };
    for (let width = 1; width <= 8; width++) {
      const lines: string[] = [];
      for (let i = 0; i < 40; i++)
        lines.push(`  stream 1/1 [${String((i * 7) % 11).padStart(width, '0')}]     1.${String(i).padStart(6, '0')}: ibs_op//: ${hex16(0x7f00d86b5d40)}${hex16(0xd86b5d40 + i * 4096)}`);
      same(Buffer.from(lines.join('\n') + '\n', 'latin1'), fs, ev);
    }
  });

  it("a text that fills the module's memory to its last byte, its last line short: no read past the memory", () => {
    const ev = Buffer.from('ibs_op//');
    const w = perfWasm()!;
    // 80 bytes up to the first column: the longest template.
    const line = `${'stream'.padStart(33, ' ')}    4242/4242    [003]     1.000000: ibs_op//:     7f00d86b5d40        d86b5d40\n`;
    expect(line.indexOf('ibs_op//: ') + 10).toBe(80);
    for (const last of ['x\n', '\n', 's:\n', line.slice(0, 60) + '\n']) {
      const n = w.inputBytes;
      const buf = w.input(n);
      const fill = line.repeat(Math.floor((n - last.length) / line.length));
      buf.fill(' ');
      buf.write(fill, 0, 'latin1');
      // Spaces make the gap a line of its own: the lines, a line of spaces, the short last line.
      buf.write('\n', fill.length + (n - last.length - fill.length > 0 ? n - last.length - fill.length - 1 : 0), 'latin1');
      buf.write(last, n - last.length, 'latin1');
      const r = w.scan(0, n, w.place(buf, 0, n), { ...BASE, pidTid: 2 }, ev, { record_access: () => {} });
      expect(r.lines).toBe(fill.length / line.length);
    }
  });

  it('the same records, counts and skipped lines as the general parser, read after 2 MiB (the module at work)', () => {
    const ev = 'ibs_op//';
    const fs: FastShape = { ...BASE, pidTid: 2 };
    const read = (text: Buffer, fast: boolean): unknown => {
      const recs: number[] = [];
      const r = new PerfReader({ record_access: (...a: number[]) => void recs.push(...a) }, { nid: 'none', fields: 'comm,pid,tid,cpu,time,event,addr,phys_addr', fast, skipBad: true });
      for (let at = 0; at < text.length; at += 1 << 20) r.push(text.subarray(at, at + (1 << 20)));
      const stats = r.end();
      return { recs, stats };
    };
    // 2 MiB and more of lines the fast path takes (a streaming reader starts the module after 2 MiB), then runs.
    const head = layoutText(1, 0, fs, ev);
    const line = '          stream    4242/4242    [003]     1.000000: ibs_op//:     7f00d86b5d40        d86b5d40\n';
    const texts = [Buffer.from(line.repeat(Math.ceil((WASM_AFTER_BYTES + 4096) / line.length)), 'latin1'), head];
    for (let seed = 1; seed <= 40; seed++) texts.push(layoutText(seed, 500, fs, ev));
    const text = Buffer.concat(texts);
    expect(read(text, true)).toEqual(read(text, false));
  });

  it('copies a chunk into its memory once, however many lines of another event stop the fast path in it', () => {
    const take = '          stream    4242/4242    [003]     1.000000: ibs_op//:     7f00d86b5d40        d86b5d40\n';
    const other = '          stream    4242/4242    [003]     1.000000:   cycles:     7f00d86b5d40        d86b5d40\n';
    const read = (fast: boolean, placed: { bytes: number } | null): unknown => {
      const recs: number[] = [];
      const r = new PerfReader({ record_access: (...a: number[]) => void recs.push(...a) }, { nid: 'none', fields: 'comm,pid,tid,cpu,time,event,addr,phys_addr', fast });
      // 2 MiB and more of lines the fast path takes (the module starts after 2 MiB), then 1 MiB of the two events in turn.
      r.push(Buffer.from(take.repeat(Math.ceil((WASM_AFTER_BYTES + 4096) / take.length)), 'latin1'));
      const mixed = Buffer.from((take + other).repeat(Math.floor((1 << 20) / (2 * take.length))), 'latin1');
      const before = perfWasm()!.placedBytes;
      r.push(mixed);
      if (placed !== null) placed.bytes = perfWasm()!.placedBytes - before;
      return { recs, stats: r.end() };
    };
    const placed = { bytes: 0 };
    const got = read(true, placed);
    // Once: the chunk's bytes (it copied the rest of the chunk at each `cycles` line before: 2.9 GB here).
    expect(placed.bytes).toBeGreaterThan(0);
    expect(placed.bytes).toBeLessThanOrEqual(1 << 20);
    expect(got).toEqual(read(false, null));
  });

  it('takes a leading column of 16 digits of any value (a kernel address), as the JavaScript fast path does', () => {
    const ev = Buffer.from('ibs_op//');
    const text = Buffer.from(`  stream 1/1 [001] 1.000000: ibs_op//: ffffffff81000040        d86b5d40\n`, 'latin1');
    same(text, BASE, ev);
    const w = perfWasm()!;
    expect(w.scan(0, text.length, w.place(text, 0, text.length), BASE, ev, { record_access: () => {} }).lines).toBe(1);
  });
});
