/**
 * The plain-form byte parser in WebAssembly (wasm/plain-csv.ts, built by tools/wasm.mjs): the same lines, values and
 * stop as the JavaScript loop of fast.ts, about three times faster (README "Speed and memory"). fast.ts's scanners
 * use it wherever WebAssembly runs (not under `node --jitless`: the JavaScript loop serves there).
 *
 * The module's memory holds, from 64 KiB: the four record columns (BATCH records), then the input (wasm-parser.ts).
 * Records reach the sink as columns (record_batch) when it takes them, one by one otherwise.
 */
import type { AccessSink } from '../engine/types.js';
import type { PlainScan } from './fast.js';
import { BATCH, WASM, WasmParser, type ParserExports } from './wasm-parser.js';
import { PLAIN_CSV_WASM } from './wasm-bytes.js';

const COLUMNS = 1 << 16;

interface Exports extends ParserExports {
  scan(pos: number, end: number, oPfn: number, oNid: number, oSrc: number, oTime: number, max: number): number;
}

/** One instance of the module (one per thread: each thread loads this file once). */
export class PlainWasm extends WasmParser<Exports> {
  constructor() {
    super(PLAIN_CSV_WASM, COLUMNS + BATCH * 24);
  }

  /** scanPlain(buf, pos, end, sink) (buf[end - 1] is LF). */
  scan(buf: Uint8Array, pos: number, end: number, sink: AccessSink): PlainScan {
    const shift = this.place(buf, pos, end);
    const x = this.x;
    let records = 0;
    let lines = 0;
    let at = pos + shift;
    const stop = end + shift;
    for (;;) {
      const n = x.scan(at, stop, COLUMNS, COLUMNS + BATCH * 16, COLUMNS + BATCH * 20, COLUMNS + BATCH * 8, BATCH);
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
