/**
 * The plain-form byte parser in WebAssembly (wasm/plain-csv.ts, built by tools/wasm.mjs): the same lines, values and
 * stop as the JavaScript loop of fast.ts, about three times faster (README "Speed and memory"). fast.ts's scanners
 * use it wherever WebAssembly runs (not under `node --jitless`: the JavaScript loop serves there).
 *
 * Its scanLayout() reads the lines of a file in another layout that fast.ts's layout loop takes in one pass (the others
 * are left to that loop: fast.ts scanLayoutFast()).
 *
 * The module's memory holds, from 64 KiB: the four record columns (BATCH records), a layout's columns (a byte each),
 * then the input (wasm-parser.ts).
 * Records reach the sink as columns (record_batch) when it takes them, one by one otherwise.
 */
import type { AccessSink } from '../engine/types.js';
import type { PlainScan } from './fast.js';
import { BATCH, WASM, WasmParser, type ParserExports } from './wasm-parser.js';
import { PLAIN_CSV_WASM } from './wasm-bytes.js';

const COLUMNS = 1 << 16;
/** Where scanLayout()'s layout (a byte a column) lies, after the columns, and the most columns it holds. */
const FIELD_OF_AT = COLUMNS + BATCH * 24;
export const MAX_WASM_COLUMNS = 4096;

interface Exports extends ParserExports {
  scan(pos: number, end: number, oPfn: number, oNid: number, oSrc: number, oTime: number, max: number): number;
  scanLayout(pos: number, end: number, fieldOf: number, width: number, oPfn: number, oNid: number, oSrc: number, oTime: number, max: number): number;
}

/** One instance of the module (one per thread: each thread loads this file once). */
export class PlainWasm extends WasmParser<Exports> {
  constructor() {
    super(PLAIN_CSV_WASM, FIELD_OF_AT + MAX_WASM_COLUMNS);
  }

  /** The layout in the module's memory (set again only when another one comes). */
  private fieldOf: Int8Array | null = null;

  /** scanPlain(buf, pos, end, sink) (buf[end - 1] is LF). */
  scan(buf: Uint8Array, pos: number, end: number, sink: AccessSink): PlainScan {
    return this.run(buf, pos, end, sink, (x, at, stop) => x.scan(at, stop, COLUMNS, COLUMNS + BATCH * 16, COLUMNS + BATCH * 20, COLUMNS + BATCH * 8, BATCH));
  }

  /**
   * The lines of buf[pos, end) (buf[end - 1] is LF) that the one-pass path of fast.ts scanLayoutLines() takes, and blank
   * and `#` lines, in the layout `fieldOf`/`width` (at most MAX_WASM_COLUMNS columns): stop is the first other line.
   */
  scanLayout(buf: Uint8Array, pos: number, end: number, fieldOf: Int8Array, width: number, sink: AccessSink): PlainScan {
    if (this.fieldOf !== fieldOf) {
      this.mem.set(fieldOf.subarray(0, width), FIELD_OF_AT);
      this.fieldOf = fieldOf;
    }
    return this.run(buf, pos, end, sink, (x, at, stop) =>
      x.scanLayout(at, stop, FIELD_OF_AT, width, COLUMNS, COLUMNS + BATCH * 16, COLUMNS + BATCH * 20, COLUMNS + BATCH * 8, BATCH),
    );
  }

  /** Runs a scan of the module over buf[pos, end) (placed in its memory) until it stops, giving `sink` its records. */
  private run(buf: Uint8Array, pos: number, end: number, sink: AccessSink, call: (x: Exports, at: number, stop: number) => number): PlainScan {
    const shift = this.place(buf, pos, end);
    const x = this.x;
    let records = 0;
    let lines = 0;
    let at = pos + shift;
    const stop = end + shift;
    for (;;) {
      const n = call(x, at, stop);
      lines += x.linesTaken.value;
      at = x.stopAt.value;
      if (n > 0) {
        records += n;
        this.deliver(sink, n);
      }
      if (n < BATCH || at >= stop) break;
    }
    return { stop: at - shift, lines, records };
  }

  /** Nothing to set again: the module's only state is the time of the line before, which a new instance parses again. */
  protected reset(): void {}

  protected views(b: ArrayBuffer): void {
    this.pfn = new Float64Array(b, COLUMNS, BATCH);
    this.time = new Float64Array(b, COLUMNS + BATCH * 8, BATCH);
    this.nid = new Int32Array(b, COLUMNS + BATCH * 16, BATCH);
    this.src = new Int32Array(b, COLUMNS + BATCH * 20, BATCH);
  }
}

let instance: PlainWasm | null | undefined;

/** This thread's instance, or null where WebAssembly cannot run (the JavaScript loop is used then). */
export function plainWasm(): PlainWasm | null {
  if (instance === undefined) instance = WASM !== undefined ? new PlainWasm() : null; // none under node --jitless
  return instance;
}
