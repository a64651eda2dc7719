/**
 * The plain-form byte parser in WebAssembly (wasm/plain-csv.ts, built by tools/wasm.mjs): the same lines, values and
 * stop as the JavaScript loop of fast.ts, about three times faster (README "Speed and memory"). fast.ts's scanners
 * use it wherever WebAssembly runs (not under `node --jitless`: the JavaScript loop serves there).
 *
 * The module's memory holds, from 64 KiB: the four record columns (BATCH records), then the input. A block read
 * into input() is parsed where it lies; other bytes are copied there first. Records reach the sink as columns
 * (record_batch) when it takes them, one by one otherwise.
 */
import type { AccessSink, BatchSink } from '../engine/types.js';
import type { PlainScan } from './fast.js';
import { PLAIN_CSV_WASM } from './wasm-bytes.js';

/** Records per call into the module (the column area's size). */
const BATCH = 1 << 14;
/** Bytes the module may read past the input's end. */
const SLACK = 64;
const PAGE = 1 << 16;
const COLUMNS = PAGE;
const INPUT = COLUMNS + BATCH * 24;

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
  scan(pos: number, end: number, oPfn: number, oNid: number, oSrc: number, oTime: number, max: number): number;
}

/** One instance of the module (one per thread: each thread loads this file once). */
export class PlainWasm {
  private readonly x: Exports;
  private pfn!: Float64Array;
  private time!: Float64Array;
  private nid!: Int32Array;
  private src!: Int32Array;
  private mem!: Uint8Array;
  /** Input bytes the memory holds (from INPUT). */
  private capacity = 0;

  constructor() {
    const module = new WASM!.Module(Buffer.from(PLAIN_CSV_WASM, 'base64'));
    this.x = new WASM!.Instance(module, { env: { abort: () => { throw new Error('plain-csv.wasm aborted'); } } }).exports as unknown as Exports;
    this.grow(1 << 20);
  }

  /** A buffer of at least n bytes in the module's memory, to read input into (valid until the next input() call). */
  input(n: number): Buffer {
    if (n > this.capacity) this.grow(n);
    return Buffer.from(this.mem.buffer, INPUT, n);
  }

  /** scanPlain(buf, pos, end, sink) (buf[end - 1] is LF). */
  scan(buf: Uint8Array, pos: number, end: number, sink: AccessSink): PlainScan {
    let base = pos;
    if (buf.buffer !== this.mem.buffer || buf.byteOffset + pos < INPUT || buf.byteOffset + end > INPUT + this.capacity) {
      // Not in input(): copied there (the offsets move by `shift`).
      if (end - pos > this.capacity) this.grow(end - pos);
      this.mem.set(buf.subarray(pos, end), INPUT);
      base = INPUT;
    } else {
      base = buf.byteOffset + pos;
    }
    const shift = base - pos;
    const x = this.x;
    const bs = sink as BatchSink;
    let records = 0;
    let lines = 0;
    let at = base;
    const stop = end + shift;
    for (;;) {
      const n = x.scan(at, stop, COLUMNS, COLUMNS + BATCH * 16, COLUMNS + BATCH * 20, COLUMNS + BATCH * 8, BATCH);
      lines += x.linesTaken.value;
      at = x.stopAt.value;
      if (n > 0) {
        records += n;
        if (bs.record_batch) bs.record_batch(this.pfn, this.nid, this.src, this.time, n);
        else for (let i = 0; i < n; i++) sink.record_access(this.pfn[i]!, this.nid[i]!, this.src[i]!, this.time[i]!);
      }
      if (n < BATCH || at >= stop) break;
    }
    return { stop: at - shift, lines, records };
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
    this.src = new Int32Array(b, COLUMNS + BATCH * 20, BATCH);
  }
}

let instance: PlainWasm | null | undefined;

/** This thread's instance, or null where WebAssembly cannot run (the JavaScript loop is used then). */
export function plainWasm(): PlainWasm | null {
  if (instance === undefined) {
    instance = WASM !== undefined ? new PlainWasm() : null; // none under node --jitless
  }
  return instance;
}
