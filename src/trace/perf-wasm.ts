/**
 * The common case of the perf fast path in WebAssembly (wasm/perf-lines.ts, built by tools/wasm.mjs): sample lines in
 * perf's own columns, as scanPerf() of perf-fast.ts takes them, with the same records and counts. perf-fast.ts runs it
 * first and gives each line it does not take to its JavaScript loop. Not under `node --jitless`.
 *
 * The module's memory holds, from 64 KiB: the event's name and the cpu -> node table, the three record columns
 * (BATCH records; the source is always 0), then the input. A block read into input() is parsed where it lies; other
 * bytes are copied there first.
 */
import type { AccessSink, BatchSink } from '../engine/types.js';
import type { FastShape } from './perf-fast.js';
import { initialJiffies } from './perf-map.js';
import { MAX_LINE_BYTES } from './tracefile.js';
import { PERF_LINES_WASM } from './wasm-bytes.js';

const BATCH = 1 << 14;
const SLACK = 64;
const PAGE = 1 << 16;
/** The event's name (up to EVENT_BYTES), then the cpu table (up to MAX_CPUS entries). */
const PARAMS = PAGE;
const EVENT_BYTES = 4096;
const MAX_CPUS = 7168;
const COLUMNS = PARAMS + EVENT_BYTES + MAX_CPUS * 4;
const INPUT = COLUMNS + BATCH * 20;

/** What kpromo uses of the WebAssembly API (the project's TypeScript library has no DOM types). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: object };
}
const WASM = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface Exports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly stopAt: { readonly value: number };
  readonly linesTaken: { readonly value: number };
  readonly zeroTaken: { readonly value: number };
  readonly noCpuTaken: { readonly value: number };
  setShape(
    cpu: number, period: number, lead: number, ev: number, evBytes: number, byCpu: number, nid: number, cpus: number, ncpus: number,
    hz: number, base: number, shift: number, maxLine: number,
  ): void;
  scan(pos: number, end: number, oPfn: number, oNid: number, oTime: number, max: number): number;
}

/** What one call of scan() took. */
export interface PerfWasmScan {
  /** Where it stopped (in the caller's buffer): the first line not taken, or `end`. */
  stop: number;
  lines: number;
  records: number;
  zero: number;
  noCpu: number;
}

/** One instance of the module (one per thread). */
export class PerfWasm {
  private readonly x: Exports;
  private pfn!: Float64Array;
  private time!: Float64Array;
  private nid!: Int32Array;
  /** The source column: always 0 (perf samples are hardware hints). */
  private readonly src = new Int32Array(BATCH);
  private mem!: Uint8Array;
  private capacity = 0;
  /** The shape and event set last (setShape is called again only for another). */
  private shapeOf: FastShape | null = null;
  private eventOf: Uint8Array | null = null;
  readonly out: PerfWasmScan = { stop: 0, lines: 0, records: 0, zero: 0, noCpu: 0 };

  constructor() {
    const module = new WASM!.Module(Buffer.from(PERF_LINES_WASM, 'base64'));
    this.x = new WASM!.Instance(module, { env: { abort: () => { throw new Error('perf-lines.wasm aborted'); } } }).exports as unknown as Exports;
    this.grow(1 << 20);
  }

  /** Whether the module takes lines of this shape and event: event and phys_addr printed, a page size 2^k. */
  fits(fs: FastShape, ev: Uint8Array): boolean {
    return fs.event === 1 && fs.phys === 1 && ev.length <= EVENT_BYTES && fs.cpuNode.length <= MAX_CPUS && Number.isInteger(Math.log2(fs.pageSize));
  }

  /** A buffer of at least n bytes in the module's memory, to read input into (valid until the next input() call). */
  input(n: number): Buffer {
    if (n > this.capacity) this.grow(n);
    return Buffer.from(this.mem.buffer, INPUT, n);
  }

  /**
   * Puts buf[pos, end) where the module reads it (copied unless it is there already: input()). Returns the offset to
   * add to a position in buf to get its address in the module's memory.
   */
  place(buf: Uint8Array, pos: number, end: number): number {
    if (buf.buffer === this.mem.buffer && buf.byteOffset + pos >= INPUT && buf.byteOffset + end <= INPUT + this.capacity) return buf.byteOffset;
    if (end - pos > this.capacity) this.grow(end - pos);
    this.mem.set(buf.subarray(pos, end), INPUT);
    return INPUT - pos;
  }

  /**
   * The lines from `pos` (a position in buf, placed with offset `shift`) while the module takes them, into `sink`;
   * `out` says what it took. fits(fs, ev) must hold.
   */
  scan(pos: number, end: number, shift: number, fs: FastShape, ev: Uint8Array, sink: AccessSink): PerfWasmScan {
    const x = this.x;
    if (fs !== this.shapeOf || ev !== this.eventOf) this.setShape(fs, ev);
    const out = this.out;
    out.lines = out.records = out.zero = out.noCpu = 0;
    const bs = sink as BatchSink;
    let at = pos + shift;
    const stop = end + shift;
    for (;;) {
      const n = x.scan(at, stop, COLUMNS, COLUMNS + BATCH * 16, COLUMNS + BATCH * 8, BATCH);
      out.lines += x.linesTaken.value;
      out.zero += x.zeroTaken.value;
      out.noCpu += x.noCpuTaken.value;
      at = x.stopAt.value;
      if (n > 0) {
        out.records += n;
        if (bs.record_batch) bs.record_batch(this.pfn, this.nid, this.src, this.time, n);
        else for (let i = 0; i < n; i++) sink.record_access(this.pfn[i]!, this.nid[i]!, 0, this.time[i]!);
      }
      if (n < BATCH || at >= stop) break;
    }
    out.stop = at - shift;
    return out;
  }

  private setShape(fs: FastShape, ev: Uint8Array): void {
    this.mem.set(ev, PARAMS);
    new Int32Array(this.mem.buffer, PARAMS + EVENT_BYTES, fs.cpuNode.length).set(fs.cpuNode);
    this.x.setShape(
      fs.cpu, fs.period, fs.leadingHex, PARAMS, ev.length, fs.byCpu ? 1 : 0, fs.fixedNid, PARAMS + EVENT_BYTES, fs.cpuNode.length,
      fs.hz, initialJiffies(fs.hz), Math.log2(fs.pageSize), MAX_LINE_BYTES,
    );
    this.shapeOf = fs;
    this.eventOf = ev;
  }

  /** Grows the memory to hold n input bytes (and SLACK after them), and remakes the views. */
  private grow(n: number): void {
    const memory = this.x.memory;
    const want = INPUT + n + SLACK;
    if (want > memory.buffer.byteLength) memory.grow(Math.ceil((want - memory.buffer.byteLength) / PAGE));
    const b = memory.buffer;
    this.capacity = b.byteLength - INPUT - SLACK;
    this.mem = new Uint8Array(b);
    this.pfn = new Float64Array(b, COLUMNS, BATCH);
    this.time = new Float64Array(b, COLUMNS + BATCH * 8, BATCH);
    this.nid = new Int32Array(b, COLUMNS + BATCH * 16, BATCH);
  }
}

let instance: PerfWasm | null | undefined;

/** This thread's instance, or null where WebAssembly cannot run. */
export function perfWasm(): PerfWasm | null {
  if (instance === undefined) instance = WASM !== undefined ? new PerfWasm() : null; // none under node --jitless
  return instance;
}
