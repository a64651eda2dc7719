/**
 * The WebAssembly plain-form parser (src/trace/plain-wasm.ts, wasm/plain-csv.ts) against the JavaScript byte loop it
 * replaces in block reads (scanPlain, fast.ts): the same records, lines and stop on every input, read where it lies in
 * the module's memory or copied there, given to a sink one record at a time or as columns. (The byte loop itself is
 * tested against csv-parse in differential.test.ts; block reads, which now use the module, in blocks.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AccessSink } from '../../src/engine/types.js';
import { scanLayout, scanLayoutFast, scanPlain, type PlainScan } from '../../src/trace/fast.js';
import { PlainWasm, plainWasm, ringMemory } from '../../src/trace/plain-wasm.js';
import { BatchWriter, ring, ringBytes, SLOTS, type Ring } from '../../src/trace/ring.js';
import { BLOCK_BYTES } from '../../src/trace/blocks.js';
import { MAX_LINE_BYTES } from '../../src/trace/tracefile.js';
import { prng } from '../prng.js';

/** The built CLI (npm run build). */
const BIN = fileURLToPath(new URL('../../bin/kpromo.js', import.meta.url));

type Scan = (buf: Uint8Array, pos: number, end: number, sink: AccessSink) => PlainScan;

/** Every record and every stop of a scan over the whole buffer, skipping each line it stops at. */
function scanAll(scan: Scan, buf: Uint8Array, batch: boolean): { recs: number[]; stops: number[][] } {
  const recs: number[] = [];
  const one = { record_access: (p: number, n: number, s: number, t: number) => void recs.push(p, n, s, t) };
  const cols = {
    ...one,
    record_batch(P: Float64Array, N: Int32Array, S: Int32Array, T: Float64Array, n: number) {
      for (let i = 0; i < n; i++) recs.push(P[i]!, N[i]!, S[i]!, T[i]!);
    },
  };
  const stops: number[][] = [];
  let pos = 0;
  while (pos < buf.length) {
    const r = scan(buf, pos, buf.length, batch ? cols : one);
    stops.push([r.stop, r.lines, r.records]);
    if (r.stop >= buf.length) break;
    pos = buf.indexOf(10, r.stop) + 1;
  }
  return { recs, stops };
}

/** Where two scans first differ (records or stops), with a few values around it; null if they do not. */
function firstDiff(got: { recs: number[]; stops: number[][] }, want: { recs: number[]; stops: number[][] }): string | null {
  for (const k of ['recs', 'stops'] as const) {
    const a = got[k].map((x) => JSON.stringify(x));
    const b = want[k].map((x) => JSON.stringify(x));
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++)
      if (a[i] !== b[i]) return `${k}[${i}]: got ${a.slice(i, i + 8).join(' ')} want ${b.slice(i, i + 8).join(' ')}`;
  }
  return null;
}

/** Checks the module against the byte loop on `buf` (whose last byte is LF), copied in and read in place. */
function same(buf: Buffer): void {
  const want = scanAll(scanPlain, buf, false);
  const w = plainWasm()!;
  const scan: Scan = (b, p, e, s) => w.scan(b, p, e, s);
  expect(firstDiff(scanAll(scan, buf, false), want)).toBeNull();
  expect(firstDiff(scanAll(scan, buf, true), want)).toBeNull();
  const inPlace = w.input(buf.length);
  buf.copy(inPlace);
  expect(firstDiff(scanAll(scan, inPlace, true), want)).toBeNull();
}

/** Fields of every shape, taken or not by the byte loop. */
function field(r: () => number, which: 'pfn' | 'nid' | 'src' | 'time', prevTime: string): string {
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const hex = (v: number | bigint) => (r() < 0.2 ? '0X' : '0x') + (r() < 0.1 ? '0'.repeat(1 + int(12)) : '') + (r() < 0.3 ? v.toString(16).toUpperCase() : v.toString(16));
  switch (which) {
    case 'pfn': {
      const u = r();
      if (u < 0.5) return hex(int(2 ** (4 * (1 + int(7))))); // 1 to 7 digits: the module's one-load path
      if (u < 0.6) return hex(pick([2 ** 28 + int(1000), 2 ** 32 + int(1000), 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, int(2 ** 52)]));
      if (u < 0.62) return hex(2n ** 64n + BigInt(int(100)));
      if (u < 0.8) return (r() < 0.1 ? '000' : '') + String(pick([int(1e6), 2 ** 53 - 1, 2 ** 53, int(2 ** 52), 0]));
      if (u < 0.82) return '9'.repeat(17 + int(10));
      return pick(['', '0x', '0xg', '0x-1', '-1', '+1', ' 1', '0x1 ', 'x1', '0', '00x1', '0x\u00e91', '0x1g']);
    }
    case 'nid':
      return r() < 0.7 ? String(int(10)) : pick(['-1', '-0', '-2', '-', '', '12', '2147483647', '2147483648', '99999999999', '-01', '+1', '1a', '01']);
    case 'src':
      if (r() < 0.6) return [...pick(['hwhints', 'pgtscan'])].map((c) => (r() < 0.2 ? c.toUpperCase() : c)).join('');
      return pick(['0', '1', '7', '2147483647', '2147483648', '', 'hwhint', 'hwhintsx', 'pgtsca', 'pgtscans', 'hwhints ', '-1', 'hw\u0000ints', 'Hwhints']);
    case 'time': {
      const u = r();
      if (u < 0.4) return prevTime;
      if (u < 0.7) return String(4294892296 + int(1000));
      if (u < 0.8) return String(int(10 ** (1 + int(16))));
      if (u < 0.85) return String(pick([2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2])) + (r() < 0.5 ? '' : '0');
      return pick(['', '00004294892296', '4294892296 ', '429489229a', '-1', '1e9', '4294892296\r', '42949 2296']);
    }
  }
}

/** `lines` lines: mostly records (some not taken), blank and `#` lines, and a byte changed here and there. */
function text(seed: number, lines: number): Buffer {
  const r = prng(seed);
  let prevTime = '4294892296';
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const u = r();
    if (u < 0.03) out.push('');
    else if (u < 0.06) out.push(`# comment ${i}, "quoted"`);
    else if (u < 0.07) out.push('pfn,nid,src,time');
    else {
      const time = field(r, 'time', prevTime);
      out.push([field(r, 'pfn', prevTime), field(r, 'nid', prevTime), field(r, 'src', prevTime), time].join(','));
      if (/^\d+$/.test(time)) prevTime = time;
    }
  }
  // Some lines end in CR LF (taken, the CR dropped as csv-parse's path drops it), blank ones too.
  const buf = Buffer.from(out.map((l) => (r() < 0.15 ? l + '\r' : l)).join('\n') + '\n', 'latin1');
  const odd = [0x00, 0x0c, 0x0d, 0x20, 0x2c, 0x2d, 0x30, 0x39, 0x3a, 0x40, 0x41, 0x46, 0x47, 0x58, 0x60, 0x61, 0x66, 0x67, 0x78, 0x7f, 0x80, 0xb0, 0xff];
  const changes = Math.floor(r() * 4);
  for (let k = 0; k < changes; k++) buf[Math.floor(r() * (buf.length - 1))] = odd[Math.floor(r() * odd.length)]!;
  return buf;
}

describe('the WebAssembly plain-form parser', () => {
  it('runs here', () => {
    expect(plainWasm()).toBeInstanceOf(PlainWasm);
  });

  it('takes the same lines as the byte loop, with the same values and stops, on 600 random texts', () => {
    for (let seed = 1; seed <= 600; seed++) {
      const buf = text(seed, 1 + (seed % 97));
      try {
        same(buf);
      } catch (e) {
        throw new Error(`seed ${seed}: ${JSON.stringify(buf.toString('latin1').slice(0, 600))}\n${String(e)}`);
      }
    }
  });

  it('on each field of a line replaced by each of its odd forms', () => {
    const base = ['0x3bdcbb', '1', 'hwhints', '4294892296'];
    const forms: Record<number, string[]> = {
      0: ['0x1', '0x1234567', '0x12345678', '0xfffffffffffff', '0x20000000000000', '0x1fffffffffffff', '0XaBcDeF', '0x0000000000000000001', '9007199254740991', '9007199254740992', '1', '', '0x', 'x', '0x1\u0080'],
      1: ['0', '9', '-1', '-0', '-2', '10', '2147483647', '2147483648', '', '-', '1-', '\u00001'],
      2: ['pgtscan', 'PGTSCAN', 'hwhint', 'hwhintss', '0', '2147483647', '2147483648', '', 'hwhints\u000c', 'hwhin\u0000s', 'hwhints\u00a0', '\u000b1'],
      3: ['4294892296\r', '4294892297\r', '12\r', '\r', '4294892296\r\r', '42948922960\r', '4294892296', '4294892297', '1', '123456789', '12345678901', '9007199254740991', '9007199254740992', '', '42948922960', '429489229', '4294892296x', '4294892296\u000c', '4294892296\u00a0', '4294892296\u2003', '4294892296\u000b'],
    };
    for (const [f, vals] of Object.entries(forms)) {
      for (const v of vals) {
        const cells = [...base];
        cells[Number(f)] = v;
        const line = cells.join(',');
        // After a line with the same time (its 10 digits reused) and after one with another time.
        same(Buffer.from(`${base.join(',')}\n${line}\n${base.join(',')}\n`, 'latin1'));
        same(Buffer.from(`0x1,0,pgtscan,1234567890\n${line}\n0x2,0,pgtscan,4294892296\n`, 'latin1'));
      }
    }
  });

  it('a time of ten NUL bytes and a LF is not the time of no line before', () => {
    // The module starts with no time to repeat: NUL bytes must not match its initial state.
    const w = new PlainWasm();
    const buf = Buffer.from('0x1,0,hwhints,\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\n', 'latin1');
    const recs: number[] = [];
    const r = w.scan(buf, 0, buf.length, { record_access: (...a: number[]) => void recs.push(...a) });
    expect(r).toEqual({ stop: 0, lines: 0, records: 0 });
    expect(recs).toEqual([]);
  });

  it('fills its columns many times over in one scan, and stops after the records before an odd line', () => {
    const r = prng(7);
    const lines: string[] = [];
    for (let i = 0; i < 50000; i++) {
      if (i % 5000 === 4999) lines.push(`# ${i}`);
      if (i === 16384 || i === 32768 + 1) lines.push(i % 2 ? '' : '# the first line after the columns filled');
      lines.push(`0x${Math.floor(r() * 2 ** 24).toString(16)},${i % 3},${i % 2 ? 'hwhints' : 'pgtscan'},${4294892296 + (i >> 8)}`);
    }
    const good = lines.join('\n') + '\n';
    same(Buffer.from(good + 'bad line\n' + good, 'latin1'));
    const w = plainWasm()!;
    const buf = Buffer.from(good + 'bad line\n', 'latin1');
    let n = 0;
    const res = w.scan(buf, 0, buf.length, { record_access: () => void n++ });
    expect(res).toEqual({ stop: good.length, lines: lines.length, records: 50000 });
    expect(n).toBe(50000);
  });

  it('takes a block larger than its memory holds in a new, larger memory', () => {
    const line = '0x123456,1,pgtscan,4294892296\n';
    const before = plainWasm()!.memories;
    same(Buffer.from(line.repeat(((plainWasm()!.inputBytes + (1 << 20)) / line.length) | 0), 'latin1'));
    expect(plainWasm()!.memories).toBe(before + 1);
    same(Buffer.from(line.repeat(1000) + '0x1,0,hwhints,4294892297\n', 'latin1')); // and goes on in it
  });
});

/** A ring writer whose slots are taken as they fill (as the engine's thread takes them), collecting their records. */
class SlotTaker extends BatchWriter {
  readonly recs: number[] = [];
  constructor(readonly ringOf: Ring) {
    super(ringOf);
  }

  publish(): void {
    const r = this.r;
    const from = this.slot * r.batch;
    for (let i = from; i < from + this.n; i++) this.recs.push(r.pfn[i]!, r.nid[i]!, r.src[i]!, r.time[i]!);
    this.slot = (this.slot + 1) % SLOTS;
    this.n = 0;
  }
}

/** Every record (via the ring) and stop of `scan` over the whole buffer placed in w's memory, skipping each line it stops at. */
function scanIntoRing(w: PlainWasm, buf: Buffer, sink: SlotTaker, scan: (b: Uint8Array, p: number, e: number) => PlainScan): { recs: number[]; stops: number[][] } {
  const inPlace = w.input(buf.length);
  buf.copy(inPlace);
  const stops: number[][] = [];
  let pos = 0;
  while (pos < buf.length) {
    const r = scan(inPlace, pos, buf.length);
    stops.push([r.stop, r.lines, r.records]);
    if (r.stop >= buf.length) break;
    pos = buf.indexOf(10, r.stop) + 1;
  }
  sink.publish();
  return { recs: sink.recs, stops };
}

describe('the parse thread\'s parser writing straight into the ring (plain-wasm.ts ringMemory(), ring.ts DirectSink)', () => {
  it('puts the records of every scan in the ring\'s slots, as the copy did, across slot ends', () => {
    for (const batch of [1, 7, 1000, 1 << 16]) {
      const shared = ringMemory(ringBytes(batch))!;
      const w = new PlainWasm(shared);
      const r = ring(batch, shared.memory.buffer as SharedArrayBuffer, shared.ringAt);
      let records = 0;
      for (let seed = 1; seed <= (batch === 1 ? 20 : 120); seed++) {
        const buf = text(seed, 1 + ((seed * 37) % 400));
        const want = scanAll(scanPlain, buf, false);
        const sink = new SlotTaker(r);
        const got = scanIntoRing(w, buf, sink, (b, p, e) => w.scan(b, p, e, sink));
        expect(firstDiff(got, want), `slots of ${batch}, seed ${seed}`).toBeNull();
        records += want.recs.length / 4;
      }
      expect(records).toBeGreaterThan(1000);
      expect(r.progress[3]).toBe(records); // every one written straight into the ring (DirectSink.directTook)
    }
  });

  it('in another layout too', () => {
    const batch = 1000;
    const shared = ringMemory(ringBytes(batch))!;
    const w = new PlainWasm(shared);
    const r = ring(batch, shared.memory.buffer as SharedArrayBuffer, shared.ringAt);
    const line = (i: number) => `"${i + 1}","0x${(0x200000 + i * 7).toString(16)}",${(i % 3) - 1},"${i % 2 ? 'hwhints' : 'PGTSCAN'}",${4294892296 + (i >> 4)}`;
    const buf = Buffer.from(Array.from({ length: 5000 }, (_, i) => line(i)).join('\n') + '\n', 'latin1');
    const fieldOf = Int8Array.from([-1, 0, 1, 2, 3]);
    const want = scanAll((b, p, e, s) => scanLayout(b, p, e, fieldOf, 5, s), buf, false);
    const sink = new SlotTaker(r);
    const got = scanIntoRing(w, buf, sink, (b, p, e) => w.scanLayout(b, p, e, fieldOf, 5, sink));
    expect(firstDiff(got, want)).toBeNull();
    expect(r.progress[3]).toBe(5000);
  });

  it('gives its records to a ring in another buffer as before (copied from its columns)', () => {
    const batch = 7;
    const shared = ringMemory(ringBytes(batch))!;
    const r = ring(batch); // not in the module's memory
    for (const w of [plainWasm()!, new PlainWasm(shared)]) {
      const buf = text(5, 300);
      const sink = new SlotTaker(r);
      expect(firstDiff(scanIntoRing(w, buf, sink, (b, p, e) => w.scan(b, p, e, sink)), scanAll(scanPlain, buf, false))).toBeNull();
      expect(r.progress[3]).toBe(0);
    }
  });
});

/**
 * `lines` lines in a random layout: the four fields in some order among unread columns (row names, a column of text
 * with spaces, quotes doubled or not), each field in quotes or padded now and then, and the odd forms of field().
 */
function layoutText(seed: number, lines: number): { buf: Buffer; fieldOf: Int8Array } {
  const r = prng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const width = 4 + int(4);
  const cols = Array.from({ length: width }, (_, i) => i).sort(() => r() - 0.5);
  const fieldOf = new Int8Array(width).fill(-1);
  for (let f = 0; f < 4; f++) fieldOf[cols[f]!] = f;
  const names = ['pfn', 'nid', 'src', 'time'] as const;
  const unread = ['', '1', '"12"', 'a b', '"x y"', '" "', '"a,b"', '""', 'x"y', '"a""b"', ' 3 ', '	', '#'];
  let prevTime = '4294892296';
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const u = r();
    if (u < 0.03) out.push(['', ' ', '	'][int(3)]!);
    else if (u < 0.06) out.push(`${['', ' ', '  '][int(3)]}# comment ${i}, "quoted"`);
    else {
      const cells: string[] = [];
      for (let c = 0; c < width + (r() < 0.02 ? 1 : 0) - (r() < 0.02 ? 1 : 0); c++) {
        const f = fieldOf[c] ?? -1;
        if (f < 0) cells.push(unread[int(unread.length)]!);
        else {
          let v = field(r, names[f]!, prevTime).replace(/\r$/, '');
          if (f === 3 && /^\d+$/.test(v)) prevTime = v;
          const w = r();
          if (w < 0.3) v = `"${v}"`;
          else if (w < 0.4) v = `${[' ', '\t'][int(2)]}${v}${['', ' ', '\t '][int(3)]}`;
          cells.push(v);
        }
      }
      out.push(cells.join(','));
    }
  }
  const buf = Buffer.from(out.map((l) => (r() < 0.15 ? l + '\r' : l)).join('\n') + '\n', 'latin1');
  return { buf, fieldOf };
}

describe('the WebAssembly layout scanner (scanLayoutFast: the module, and the JavaScript loop for a line it leaves)', () => {
  it('takes the same lines as the JavaScript layout loop, with the same values and stops, on 600 random texts', () => {
    for (let seed = 1; seed <= 600; seed++) {
      const { buf, fieldOf } = layoutText(seed, 1 + (seed % 97));
      const js: Scan = (b, p, e, s) => scanLayout(b, p, e, fieldOf, fieldOf.length, s);
      const fast: Scan = (b, p, e, s) => scanLayoutFast(b, p, e, fieldOf, fieldOf.length, s);
      const want = scanAll(js, buf, false);
      const diff = firstDiff(scanAll(fast, buf, true), want);
      if (diff !== null) throw new Error(`seed ${seed} (${fieldOf.join(' ')}): ${diff}\n${JSON.stringify(buf.toString('latin1').slice(0, 600))}`);
      const inPlace = plainWasm()!.input(buf.length);
      buf.copy(inPlace);
      expect(firstDiff(scanAll(fast, inPlace, false), want), `seed ${seed}, in place`).toBeNull();
    }
  });

  it('takes a valid file in the module alone: R\'s form and a reordered one, quoted, padded, CR LF', () => {
    const w = plainWasm()!;
    const lines = (n: number, f: (i: number) => string, eol: string) => Array.from({ length: n }, (_, i) => f(i)).join(eol) + eol;
    const r = (i: number) => `"${i + 1}","0x${(0x200000 + i * 7).toString(16)}",${(i % 3) - 1},"${i % 2 ? 'hwhints' : 'PGTSCAN'}",${4294892296 + (i >> 4)}`;
    const o = (i: number) => `${4294892296 + i}, ${i % 2 ? 'pgtscan' : 1} ,\t0x${(i * 977).toString(16)},${i % 4}`;
    for (const [text, fieldOf] of [
      [lines(40000, r, '\n'), [-1, 0, 1, 2, 3]],
      [lines(40000, r, '\r\n'), [-1, 0, 1, 2, 3]],
      [lines(40000, o, '\n') + '# note\n\n', [3, 2, 0, 1]],
    ] as const) {
      const buf = Buffer.from(text, 'latin1');
      let n = 0;
      const res = w.scanLayout(buf, 0, buf.length, Int8Array.from(fieldOf), fieldOf.length, { record_access: () => void n++ });
      expect(res).toMatchObject({ stop: buf.length, records: 40000 });
      expect(n).toBe(40000);
    }
  });
});

/**
 * Calls f with a file of 150 000 random records (about 4 MiB: several blocks, parsed in WebAssembly past the first 2
 * MiB) in a temporary directory, and its text.
 */
function withBlockTrace(seed: number, f: (file: string, text: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-blocks-'));
  try {
    const file = path.join(dir, 't.csv');
    const r = prng(seed);
    let text = 'pfn,nid,src,time\n';
    for (let i = 0; i < 150000; i++) text += `0x${(0x1000 + Math.floor(r() * 0x3fe000)).toString(16)},${i % 2},${i % 3 ? 'hwhints' : 'pgtscan'},${4294892296 + (i >> 6)}\n`;
    fs.writeFileSync(file, text);
    f(file, text);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('where WebAssembly does not run (node --jitless)', () => {
  it('a replay read in blocks by both threads gives the same output with the JavaScript parsers', () => {
    withBlockTrace(11, (file) => {
      const run = (flags: string[]) =>
        spawnSync(process.execPath, [...flags, BIN, 'replay', '--parse-thread', 'on', '--format', 'json', file], { encoding: 'utf8' });
      const wasm = run([]);
      const js = run(['--jitless']);
      expect(wasm.status).toBe(0);
      expect(js.status).toBe(0);
      expect(js.stdout).toBe(wasm.stdout);
      expect(JSON.parse(wasm.stdout).records).toBe(150000);
    });
  });
});

describe('the parsers never detach an ArrayBuffer (V8 protector: src/trace/wasm-parser.ts)', () => {
  it('a new memory holds a block with the longest line past its end', () => {
    expect(new PlainWasm().inputBytes).toBeGreaterThanOrEqual(BLOCK_BYTES + MAX_LINE_BYTES);
  });

  it('a replay read in blocks by both threads, from a file and from a pipe, leaves the protector valid', () => {
    withBlockTrace(12, (file, text) => {
      for (const input of [file, '-']) {
        const res = spawnSync(process.execPath, ['--trace-protector-invalidation', BIN, 'replay', '--parse-thread', 'on', '--format', 'json', input], {
          encoding: 'utf8',
          input: input === '-' ? text : undefined,
        });
        expect(res.status).toBe(0);
        expect(JSON.parse(res.stdout.slice(res.stdout.indexOf('{'))).records).toBe(150000);
        expect(res.stdout + res.stderr).not.toMatch(/ArrayBufferDetaching/);
      }
    });
  });
});
