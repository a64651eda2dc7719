/**
 * The common case of the perf fast path in WebAssembly (wasm/perf-lines.ts, built by tools/wasm.mjs): sample lines in
 * perf's own columns, as scanPerf() of perf-fast.ts takes them, with the same records and counts. perf-fast.ts runs it
 * first and gives each line it does not take to its JavaScript loop. Not under `node --jitless`.
 *
 * The module's memory holds, from 64 KiB: the event's name and the cpu -> node table, the three record columns
 * (BATCH records; the source is always 0), then the input (wasm-parser.ts).
 */
import type { AccessSink } from '../engine/types.js';
import type { FastShape } from './perf-fast.js';
import { initialJiffies } from './perf-map.js';
import { BATCH, WASM, WasmParser, type ParserExports } from './wasm-parser.js';
import { PERF_LINES_WASM } from './wasm-bytes.js';

/** The event's name (up to EVENT_BYTES), then the cpu table (up to MAX_CPUS entries). */
const PARAMS = 1 << 16;
const EVENT_BYTES = 4096;
const MAX_CPUS = 7168;
const COLUMNS = PARAMS + EVENT_BYTES + MAX_CPUS * 4;

interface Exports extends ParserExports {
  readonly zeroTaken: { readonly value: number };
  readonly noCpuTaken: { readonly value: number };
  setShape(
    cpu: number, period: number, lead: number, ev: number, evBytes: number, byCpu: number, nid: number, cpus: number, ncpus: number,
    hz: number, base: number, shift: number, pidTid: number,
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
export class PerfWasm extends WasmParser<Exports> {
  /** The shape and event set last (setShape is called again only for another). */
  private shapeOf: FastShape | null = null;
  private eventOf: Uint8Array | null = null;
  readonly out: PerfWasmScan = { stop: 0, lines: 0, records: 0, zero: 0, noCpu: 0 };

  constructor() {
    super(PERF_LINES_WASM, COLUMNS + BATCH * 20);
  }

  /** Whether the module takes lines of this shape and event: event and phys_addr printed, a page size 2^k. */
  fits(fs: FastShape, ev: Uint8Array): boolean {
    return fs.event === 1 && fs.phys === 1 && ev.length <= EVENT_BYTES && fs.cpuNode.length <= MAX_CPUS && Number.isInteger(Math.log2(fs.pageSize));
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
        this.deliver(sink, n);
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
      fs.hz, initialJiffies(fs.hz), Math.log2(fs.pageSize), fs.pidTid,
    );
    this.shapeOf = fs;
    this.eventOf = ev;
  }

  protected reset(): void {
    this.shapeOf = null;
    this.eventOf = null;
  }

  protected views(b: ArrayBuffer | SharedArrayBuffer): void {
    this.pfn = new Float64Array(b, COLUMNS, BATCH);
    this.time = new Float64Array(b, COLUMNS + BATCH * 8, BATCH);
    this.nid = new Int32Array(b, COLUMNS + BATCH * 16, BATCH);
    this.src ??= new Int32Array(BATCH); // always 0: perf samples are hardware hints (not in the module's memory)
  }
}

let instance: PerfWasm | null | undefined;

/** This thread's instance, or null where WebAssembly cannot run. */
export function perfWasm(): PerfWasm | null {
  if (instance === undefined) instance = WASM !== undefined ? new PerfWasm() : null; // none under node --jitless
  return instance;
}
