/**
 * What the two WebAssembly line parsers (plain-wasm.ts, perf-wasm.ts) share: the module's instance, and its memory laid
 * out as a parser's parameters and record columns, then the input from `inputAt`. A block read into input() is parsed
 * where it lies; other bytes are copied there first (place()). One instance per parser per thread.
 *
 * The memory is never grown: the modules import it (tools/wasm.mjs, --importMemory), and a parser that needs more
 * makes a larger memory and a new instance over it. WebAssembly's memory.grow() detaches the old ArrayBuffer, and the
 * first detach in a thread invalidates V8's ArrayBufferDetaching protector: every function compiled before that which
 * reads a typed array is thrown away, and every one compiled after checks for a detached buffer at each access. On the
 * engine's thread (which parses blocks too) that cost the engine alone 15-25 % (2026-12-02, README "Speed and memory").
 *
 * A parser may instead be given a shared memory made by another thread (plain-wasm.ts ringMemory(): the parse thread
 * of a block read parses into the ring that lies in it); one that needs more input then makes a shared memory of its
 * own, as a module built for a shared memory takes no other kind.
 */

import type { AccessSink } from '../engine/types.js';
import { applyBatch } from './columns.js';
import { MAX_LINE_BYTES } from './tracefile.js';

/** A WebAssembly memory, as kpromo uses it. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** What kpromo uses of the WebAssembly API (the project's TypeScript library has no DOM types). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: object };
  readonly Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** The WebAssembly API, or undefined where it does not run (`node --jitless`). */
export const WASM = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Records per call into a module (the size of its column area). */
export const BATCH = 1 << 14;
/** Bytes a module may read past the input's end. */
export const SLACK = 64;
/** WebAssembly's page. */
export const WASM_PAGE = 1 << 16;
/**
 * Input bytes a new memory holds: a block of a block read (1 MiB, blocks.ts) with a line of MAX_LINE_BYTES past its end,
 * a chunk of a streaming read (at most 1 MiB, fd-stream.ts) after the longest line carried over; and 64 KiB more.
 */
export const INITIAL_INPUT = 2 * MAX_LINE_BYTES + (64 << 10);

/** Exports every parser module has. */
export interface ParserExports {
  readonly stopAt: { readonly value: number };
  readonly linesTaken: { readonly value: number };
}

export abstract class WasmParser<X extends ParserExports> {
  protected x!: X;
  protected mem!: Uint8Array;
  /** The module's memory (its buffer is `mem`'s). */
  protected memory!: WasmMemory;
  /** The memory is shared (the module is built for one: a new one is shared too). */
  private readonly shared: boolean;
  /** The record columns in the module's memory (BATCH records), set by views(). */
  protected pfn!: Float64Array;
  protected nid!: Int32Array;
  protected src!: Int32Array;
  protected time!: Float64Array;
  /** Input bytes the memory holds (from inputAt). */
  private capacity = 0;
  private readonly module: object;
  /** Memories made (1 but after a larger input than INITIAL_INPUT: a diagnostic for tests). */
  memories = 0;
  /** Bytes place() copied into the memory so far (a diagnostic for tests). */
  placedBytes = 0;

  /** Input bytes the memory holds now. */
  get inputBytes(): number {
    return this.capacity;
  }

  /**
   * Instantiates the module (its bytes in base64); `inputAt`: where the input starts in its memory. Over `memory` when
   * given (a shared memory, for a module built for one), else over a memory of its own.
   */
  constructor(base64: string, private readonly inputAt: number, memory?: WasmMemory) {
    this.module = new WASM!.Module(Buffer.from(base64, 'base64'));
    this.shared = memory !== undefined;
    if (memory !== undefined) this.use(memory);
    else this.grow(INITIAL_INPUT);
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
    this.placedBytes += end - pos;
    return at - pos;
  }

  /** Gives `sink` the first n records of the columns: as columns when it takes them, else one by one. */
  protected deliver(sink: AccessSink, n: number): void {
    applyBatch(sink, this.pfn, this.nid, this.src, this.time, n);
  }

  /** The views of the memory's parameter and column areas, made again after it grew. */
  protected abstract views(b: ArrayBuffer | SharedArrayBuffer): void;

  /** The module's state set from JavaScript is gone (a new instance): set it again before the next scan. */
  protected abstract reset(): void;

  /**
   * Makes the memory hold n input bytes (and SLACK after them): a new memory of at least twice the input bytes
   * before, with the parameter and column areas copied, a new instance over it, and new views. Never memory.grow()
   * (see the file comment).
   */
  private grow(n: number): void {
    const want = Math.max(n, 2 * this.capacity);
    const pages = Math.ceil((this.inputAt + want + SLACK) / WASM_PAGE);
    this.use(new WASM!.Memory(this.shared ? { initial: pages, maximum: pages, shared: true } : { initial: pages }));
  }

  /** Instantiates the module over `memory`, the parameter and column areas of the memory before (if any) copied. */
  private use(memory: WasmMemory): void {
    const abort = (): never => {
      throw new Error('a kpromo WebAssembly parser aborted');
    };
    this.x = new WASM!.Instance(this.module, { env: { memory, abort } }).exports as unknown as X;
    const b = memory.buffer;
    const mem = new Uint8Array(b);
    if (this.memories > 0) {
      mem.set(this.mem.subarray(0, this.inputAt));
      this.reset();
    }
    this.memories++;
    this.capacity = b.byteLength - this.inputAt - SLACK;
    this.mem = mem;
    this.memory = memory;
    this.views(b);
  }
}
