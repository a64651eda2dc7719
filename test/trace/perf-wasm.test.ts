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
