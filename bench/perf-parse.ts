/**
 * Parse-only cost of perf text against CSV, per record (the perf reader must
 * cost at most PERF_PARSE_TARGET times the CSV byte parser per record). Both texts hold the same
 * generated records (CSV `0xPFN,NID,0,TIME` lines, and the IBS lines of perf-trace.ts's
 * PerfLinePrinter), built in memory and fed in 1 MiB chunks to a sink that only counts, so the
 * figure is the parsers' alone: no file system, no engine. Run: `npm run build && node
 * --expose-gc dist/bench/perf-parse.js [records] [runs]`. Owned by the perf helper; bench/run.ts is not touched.
 */
import type { AccessSink } from '../src/engine/types.js';
import { initialJiffies } from '../src/trace/perf-map.js';
import { PerfReader } from '../src/trace/perf-read.js';
import { readTraces } from '../src/trace/read.js';
import { scanPlain, scanPlainFast } from '../src/trace/fast.js';
import { scanPerf, scanPerfJs, type FastShape } from '../src/trace/perf-fast.js';
import { perfWasm } from '../src/trace/perf-wasm.js';
import { plainWasm } from '../src/trace/plain-wasm.js';
import { Readable } from 'node:stream';
import { PerfLinePrinter } from './perf-trace.js';

/** Target of the perf/CSV parse cost ratio per record. */
export const PERF_PARSE_TARGET = 2;

class CountSink implements AccessSink {
  n = 0;
  sum = 0;
  record_access(pfn: number, nid: number, _src: number, time: number): void {
    this.n++;
    this.sum += pfn + nid + time;
  }
}

/** A sink that takes the records as columns and only counts them: the scanners' cost without one call per record. */
class BatchCountSink extends CountSink {
  record_batch(_pfn: Float64Array, _nid: Int32Array, _src: Int32Array, _time: Float64Array, n: number): void {
    this.n += n;
  }
}

/** The same records as CSV and perf text chunks of about 1 MiB. */
function texts(records: number): { csv: Buffer[]; perf: Buffer[] } {
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const csv: Buffer[] = [];
  const perf: Buffer[] = [];
  const printer = new PerfLinePrinter((chunk) => perf.push(Buffer.from(chunk, 'latin1')));
  let time = initialJiffies(250);
  let buf = '';
  for (let i = 0; i < records; i++) {
    const pfn = 1 + Math.floor(rnd() * 0x3fffff);
    const nid = pfn < 0x100000 ? 0 : pfn < 0x200000 ? 1 : -1;
    if (rnd() < 0.3) time++;
    buf += '0x' + pfn.toString(16) + ',' + nid + ',0,' + time + '\n';
    if (buf.length >= 1 << 20) { csv.push(Buffer.from(buf, 'latin1')); buf = ''; }
    printer.record_access(pfn, nid, 0, time);
  }
  if (buf !== '') csv.push(Buffer.from(buf, 'latin1'));
  printer.flush();
  return { csv, perf };
}

/** CPU milliseconds (user + system) since `t0`: steadier than wall time on a loaded machine. */
function cpuMs(t0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

/**
 * Every run's sink and reader, referenced to the end. The forced GC between runs collected them otherwise, and with
 * them the hidden classes V8's compiled parser code depends on: V8 threw that code away (--trace-deopt: "weak
 * objects") and every run paid the parser's warm-up again, which one long read pays once.
 */
const KEPT: unknown[] = [];

async function timeCsv(chunks: Buffer[]): Promise<[number, number]> {
  const sink = new CountSink();
  KEPT.push(sink);
  const t0 = process.cpuUsage();
  await readTraces([{ name: '-' }], sink, { stdin: Readable.from(chunks), parser: 'fast' });
  return [cpuMs(t0), sink.n];
}

function timePerf(chunks: Buffer[], fast: boolean): [number, number] {
  const sink = new CountSink();
  const t0 = process.cpuUsage();
  const r = new PerfReader(sink, { nid: 'none', fields: 'comm,pid,tid,cpu,time,event,addr,phys_addr', fast });
  KEPT.push(sink, r);
  for (const c of chunks) r.push(c);
  r.end();
  return [cpuMs(t0), sink.n];
}

/** The fast path's shape of the bench's perf lines (PerfLinePrinter: comm, pid/tid, cpu, time, event, addr, phys_addr). */
const SHAPE: FastShape = { cpu: 1, period: 0, event: 1, leadingHex: 1, phys: 1, byCpu: false, fixedNid: -1, cpuNode: new Int32Array(0), hz: 250, pageSize: 4096, pidTid: 2 };
const EVENT = Buffer.from('ibs_op//', 'latin1');

/** A line scanner alone over the chunks (each ends at a line end), no reader around it: CPU ms and records. */
function timeScanner(chunks: Buffer[], scan: (b: Buffer, sink: CountSink) => void, batch = false): [number, number] {
  const sink = batch ? new BatchCountSink() : new CountSink();
  KEPT.push(sink);
  const t0 = process.cpuUsage();
  for (const c of chunks) scan(c, sink);
  return [cpuMs(t0), sink.n];
}

/**
 * The line scanners: the CSV and perf fast paths, each in WebAssembly (with JavaScript for what it leaves) and in
 * JavaScript alone; then the parts of a WebAssembly scan: the copy of each chunk into the module's memory alone
 * (place(); the records counted as the chunk's lines), and the scan with the records taken as columns (no call per
 * record: against the row above it, the cost of handing them to a sink one by one).
 */
const SCANNERS: [string, boolean, (b: Buffer, sink: CountSink) => void, boolean?][] = [
  ['CSV lines, WebAssembly', false, (b, sink) => void scanPlainFast(b, 0, b.length, sink)],
  ['CSV lines, JavaScript alone', false, (b, sink) => void scanPlain(b, 0, b.length, sink)],
  ['perf lines, WebAssembly', true, (b, sink) => void scanPerf(b, 0, b.length, SHAPE, EVENT, sink)],
  ['perf lines, JavaScript alone', true, (b, sink) => void scanPerfJs(b, 0, b.length, SHAPE, EVENT, sink)],
  ['CSV lines, copy into the module', false, (b, sink) => void ((sink.n += lineCount(b)), plainWasm()!.place(b, 0, b.length))],
  ['CSV lines, WebAssembly, as columns', false, (b, sink) => void scanPlainFast(b, 0, b.length, sink), true],
  ['perf lines, copy into the module', true, (b, sink) => void ((sink.n += lineCount(b)), perfWasm()!.place(b, 0, b.length))],
  ['perf lines, WebAssembly, as columns', true, (b, sink) => void scanPerf(b, 0, b.length, SHAPE, EVENT, sink), true],
];

/** Lines of each chunk, counted once (the copy rows count them as their records). */
const LINES = new Map<Buffer, number>();
function lineCount(b: Buffer): number {
  let n = LINES.get(b);
  if (n === undefined) {
    n = 0;
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
    LINES.set(b, n);
  }
  return n;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const records = Number(process.argv[2] ?? 2_000_000);
const runs = Number(process.argv[3] ?? 5);
const { csv, perf } = texts(records);
for (const b of [...csv, ...perf]) lineCount(b); // counted before any run is timed
const csvMs: number[] = [];
const perfMs: number[] = [];
const slowMs: number[] = [];
const scannerMs: number[][] = [];
const gc = (globalThis as { gc?: () => void }).gc;
for (let r = 0; r < runs; r++) {
  gc?.();
  const [c, cn] = await timeCsv(csv);
  gc?.();
  const [p, pn] = timePerf(perf, true);
  gc?.();
  const [q, qn] = timePerf(perf, false);
  if (cn !== records || pn !== records || qn !== records) throw new Error(`records: csv ${cn}, perf ${pn} / ${qn}, expected ${records}`);
  csvMs.push(c);
  perfMs.push(p);
  slowMs.push(q);
  for (const [i, [name, perfText, scan, batch]] of SCANNERS.entries()) {
    gc?.();
    const [ms, n] = timeScanner(perfText ? perf : csv, scan, batch);
    if (n !== records) throw new Error(`records: ${name} ${n}, expected ${records}`);
    (scannerMs[i] ??= []).push(ms);
  }
}
const c = median(csvMs);
const p = median(perfMs);
const q = median(slowMs);
const ratio = p / c;
const ratios = perfMs.map((ms, i) => ms / csvMs[i]!);
const paired = median(ratios);
const lowest = Math.min(...ratios);
const highest = Math.max(...ratios);
const row = (name: string, ms: number): string => `  ${name.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms CPU  ${((ms * 1e6) / records).toFixed(0).padStart(5)} ns/record  ${(ms / c).toFixed(2)}x\n`;
process.stdout.write(
  `perf parse: ${records} records, median CPU time of ${runs} interleaved runs (noisy on a shared machine)\n` +
    row('CSV byte parser (readTraces)', c) +
    row('perf reader', p) +
    row('perf reader, general parser only', q) +
    `  ratio ${ratio.toFixed(2)}x (target <= ${PERF_PARSE_TARGET}x): ${ratio <= PERF_PARSE_TARGET ? 'PASS' : 'MISS'}\n` +
    `  paired: ${paired.toFixed(2)}x, the median of each run's perf/CSV ratio (${lowest.toFixed(2)}-${highest.toFixed(2)}x; the two reads of a run are adjacent, so the VM's drift moves them together)\n` +
    `the line scanners alone (no reader, a sink that only counts), against the CSV reader above:\n` +
    SCANNERS.map(([name], i) => row(name, median(scannerMs[i]!))).join(''),
);
