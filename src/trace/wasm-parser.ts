/**
 * What the two WebAssembly line parsers (plain-wasm.ts, perf-wasm.ts) share: the module's instance, and its memory laid
 * out as a parser's parameters and record columns, then the input from `inputAt`. A block read into input() is parsed
 * where it lies; other bytes are copied there first (place()). One instance per parser per thread.
 */

import type { AccessSink, BatchSink } from '../engine/types.js';

/** What kpromo uses of the WebAssembly API (the project's TypeScript library has no DOM types). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: object };
}

/** The WebAssembly API, or undefined where it does not run (`node --jitless`). */
export const WASM = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Records per call into a module (the size of its column area). */
export const BATCH = 1 << 14;
/** Bytes a module may read past the input's end. */
const SLACK = 64;
const PAGE = 1 << 16;

/** Exports every parser module has. */
export interface ParserExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly stopAt: { readonly value: number };
  readonly linesTaken: { readonly value: number };
}

export abstract class WasmParser<X extends ParserExports> {
  protected readonly x: X;
  protected mem!: Uint8Array;
  /** The record columns in the module's memory (BATCH records), set by views(). */
  protected pfn!: Float64Array;
  protected nid!: Int32Array;
  protected src!: Int32Array;
  protected time!: Float64Array;
  /** Input bytes the memory holds (from inputAt). */
  private capacity = 0;

  /** Instantiates the module (its bytes in base64); `inputAt`: where the input starts in its memory. */
  constructor(base64: string, private readonly inputAt: number) {
    const module = new WASM!.Module(Buffer.from(base64, 'base64'));
    const abort = (): never => {
      throw new Error('a kpromo WebAssembly parser aborted');
    };
    this.x = new WASM!.Instance(module, { env: { abort } }).exports as unknown as X;
    this.grow(1 << 20);
  }

  /** A buffer of at least n bytes in the module's memory, to read input into (valid until the next input() call). */
  input(n: number): Buffer {
    if (n > this.capacity) this.grow(n);
    return Buffer.from(this.mem.buffer, this.inputAt, n);
  }

  /**
   * Puts buf[pos, end) where the module reads it (copied unless it is there already: input()). Returns the offset to
   * add to a position in buf to get its address in the module's memory.
   */
  place(buf: Uint8Array, pos: number, end: number): number {
    const at = this.inputAt;
    if (buf.buffer === this.mem.buffer && buf.byteOffset + pos >= at && buf.byteOffset + end <= at + this.capacity) return buf.byteOffset;
    if (end - pos > this.capacity) this.grow(end - pos);
    this.mem.set(buf.subarray(pos, end), at);
    return at - pos;
  }

  /** Gives `sink` the first n records of the columns: as columns when it takes them, else one by one. */
  protected deliver(sink: AccessSink, n: number): void {
    const bs = sink as BatchSink;
    if (bs.record_batch) bs.record_batch(this.pfn, this.nid, this.src, this.time, n);
    else for (let i = 0; i < n; i++) sink.record_access(this.pfn[i]!, this.nid[i]!, this.src[i]!, this.time[i]!);
  }

  /** The views of the memory's parameter and column areas, made again after it grew. */
  protected abstract views(b: ArrayBuffer): void;

  /** Grows the memory to hold n input bytes (and SLACK after them), and remakes the views. */
  private grow(n: number): void {
    const memory = this.x.memory;
    const want = this.inputAt + n + SLACK;
    if (want > memory.buffer.byteLength) memory.grow(Math.ceil((want - memory.buffer.byteLength) / PAGE));
    const b = memory.buffer;
    this.capacity = b.byteLength - this.inputAt - SLACK;
    this.mem = new Uint8Array(b);
    this.views(b);
  }
}
