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
 *
 * The parse thread of a block read of a CSV file parses in a shared memory that also holds the ring (ringMemory()):
 * the module writes its records straight into the ring's slot (ring.ts DirectSink) instead of into its columns, which
 * were then copied there (TypedArray#set: 25 ms of 10 M records in one thread; more with the engine's thread reading
 * the ring on the other core).
 */
import type { AccessSink } from '../engine/types.js';
import type { PlainScan } from './fast.js';
import { DIRECT_NID, DIRECT_PFN, DIRECT_SRC, DIRECT_TIME, directSink } from './ring.js';
import { BATCH, INITIAL_INPUT, SLACK, WASM, WASM_PAGE, WasmParser, type ParserExports, type WasmMemory } from './wasm-parser.js';
import { PLAIN_CSV_SHARED_WASM, PLAIN_CSV_WASM } from './wasm-bytes.js';

const COLUMNS = 1 << 16;
/** Where scanLayout()'s layout (a byte a column) lies, after the columns, and the most columns it holds. */
const FIELD_OF_AT = COLUMNS + BATCH * 24;
export const MAX_WASM_COLUMNS = 4096;
/** Where the input starts in a memory of the module's own. */
const INPUT_AT = FIELD_OF_AT + MAX_WASM_COLUMNS;

/** A shared memory that holds a ring (from ringAt) and a PlainWasm's areas and input (from inputAt). */
export interface RingMemory {
  readonly memory: WasmMemory;
  readonly ringAt: number;
  readonly inputAt: number;
}

/**
 * A shared memory for a ring of `ringBytes` bytes (ring.ts ring(batch, memory.buffer, ringAt)) and the parser of the
 * thread that fills it (PlainWasm over it: plainWasmOver()); null where WebAssembly does not run or has no shared
 * memory (the ring is a SharedArrayBuffer of its own then, as before). Its pages are backed as they are first written,
 * as a SharedArrayBuffer's are.
 */
export function ringMemory(ringBytes: number): RingMemory | null {
  if (WASM === undefined) return null;
  const ringAt = INPUT_AT;
  const inputAt = ringAt + Math.ceil(ringBytes / 64) * 64;
  const pages = Math.ceil((inputAt + INITIAL_INPUT + SLACK) / WASM_PAGE);
  try {
    return { memory: new WASM.Memory({ initial: pages, maximum: pages, shared: true }), ringAt, inputAt };
  } catch {
    return null;
  }
}

interface Exports extends ParserExports {
  scan(pos: number, end: number, oPfn: number, oNid: number, oSrc: number, oTime: number, max: number): number;
  scanLayout(pos: number, end: number, fieldOf: number, width: number, oPfn: number, oNid: number, oSrc: number, oTime: number, max: number): number;
}

/** Where a scan writes its records, and how many at most. */
type Call = (x: Exports, at: number, stop: number, oPfn: number, oNid: number, oSrc: number, oTime: number, max: number) => number;

/** One instance of the module (one per thread: each thread loads this file once). */
export class PlainWasm extends WasmParser<Exports> {
  /** Over a memory of its own, or over a RingMemory's (the module built for a shared memory). */
  constructor(shared?: RingMemory) {
    if (shared === undefined) super(PLAIN_CSV_WASM, INPUT_AT);
    else super(PLAIN_CSV_SHARED_WASM, shared.inputAt, shared.memory);
  }

  /** The layout in the module's memory (set again only when another one comes). */
  private fieldOf: Int8Array | null = null;

  /** scanPlain(buf, pos, end, sink) (buf[end - 1] is LF). */
  scan(buf: Uint8Array, pos: number, end: number, sink: AccessSink): PlainScan {
    return this.run(buf, pos, end, sink, (x, at, stop, oPfn, oNid, oSrc, oTime, max) => x.scan(at, stop, oPfn, oNid, oSrc, oTime, max));
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
    return this.run(buf, pos, end, sink, (x, at, stop, oPfn, oNid, oSrc, oTime, max) => x.scanLayout(at, stop, FIELD_OF_AT, width, oPfn, oNid, oSrc, oTime, max));
  }

  /**
   * Runs a scan of the module over buf[pos, end) (placed in its memory) until it stops, giving `sink` its records:
   * written straight into the sink's memory when it is this module's (a DirectSink with room), else into the module's
   * columns and then given.
   */
  private run(buf: Uint8Array, pos: number, end: number, sink: AccessSink, call: Call): PlainScan {
    const shift = this.place(buf, pos, end);
    const x = this.x;
    const direct = directSink(sink);
    const b = this.memory.buffer;
    let records = 0;
    let lines = 0;
    let at = pos + shift;
    const stop = end + shift;
    for (;;) {
      const room = direct !== null ? direct.directRoom(b) : 0;
      let n: number;
      if (room > 0) {
        const d = direct!;
        n = call(x, at, stop, d.directAddress(DIRECT_PFN), d.directAddress(DIRECT_NID), d.directAddress(DIRECT_SRC), d.directAddress(DIRECT_TIME), room);
        d.directTook(n); // publishes a full slot (and waits for the next)
      } else {
        n = call(x, at, stop, COLUMNS, COLUMNS + BATCH * 16, COLUMNS + BATCH * 20, COLUMNS + BATCH * 8, BATCH);
        if (n > 0) this.deliver(sink, n);
      }
      lines += x.linesTaken.value;
      at = x.stopAt.value;
      records += n;
      if (n < (room > 0 ? room : BATCH) || at >= stop) break;
    }
    return { stop: at - shift, lines, records };
  }

  /** Nothing to set again: the module's only state is the time of the line before, which a new instance parses again. */
  protected reset(): void {}

  protected views(b: ArrayBuffer | SharedArrayBuffer): void {
    this.pfn = new Float64Array(b, COLUMNS, BATCH);
    this.time = new Float64Array(b, COLUMNS + BATCH * 8, BATCH);
    this.nid = new Int32Array(b, COLUMNS + BATCH * 16, BATCH);
    this.src = new Int32Array(b, COLUMNS + BATCH * 20, BATCH);
  }
}

let instance: PlainWasm | null | undefined;
/** The RingMemory this thread's instance is over, if any. */
let instanceOver: WasmMemory | null = null;

/** This thread's instance, or null where WebAssembly cannot run (the JavaScript loop is used then). */
export function plainWasm(): PlainWasm | null {
  if (instance === undefined) instance = WASM !== undefined ? new PlainWasm() : null; // none under node --jitless
  return instance;
}

/**
 * Makes this thread's instance (plainWasm()) one over `shared` (the parse thread of a block read, whose ring lies in
 * it), unless it is already; returns it.
 */
export function plainWasmOver(shared: RingMemory): PlainWasm {
  if (instance == null || instanceOver !== shared.memory) {
    instance = new PlainWasm(shared);
    instanceOver = shared.memory;
  }
  return instance;
}
