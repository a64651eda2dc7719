/**
 * The parser thread of a threaded read (threaded.ts): reads the inputs with readInputs() into a shared
 * ring, so the engine's thread only applies records. Posts the final InputStats, or the error. Its data is its
 * workerData, or for a thread started before its work was known (early-worker.ts) the first message.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { KpromoError, TraceError } from '../errors.js';
import type { Topology } from '../engine/topology.js';
import { BlockReader, layoutBlockScan, scanBlock, type BlockResult } from './blocks.js';
import { perfBlockScan, type PerfBlockShape } from './perf-blocks.js';
import { readInputs, type InputSettings, type PerfInputStats } from './input.js';
import { ioError, type TraceInput } from './read.js';
import { PipeChunks, stdinReadable } from './fd-stream.js';
import { CTL_NEXT_BLOCK, CTL_STOP, ring, RingStopped, RingWriter, SLOTS } from './ring.js';
import { PageTally } from '../engine/page-tally.js';
import type { WorkOrder } from './early-worker.js';
import { readStreamBlocks, streamBlocks as mapStreamBlocks, type StreamBlocksResult } from './stream-blocks.js';
import { plainWasmOver, type RingMemory } from './plain-wasm.js';

/** What the worker is given. */
export interface ParseWorkerData {
  readonly buffer: SharedArrayBuffer;
  /**
   * The shared WebAssembly memory the ring lies in (a block read of a CSV file: parallel.ts), which this thread's
   * WebAssembly parser parses in, writing records straight into the ring (plain-wasm.ts). `buffer` is its buffer.
   */
  readonly ringMemory?: RingMemory;
  /** Records per ring slot. */
  readonly batch: number;
  readonly inputs: readonly TraceInput[];
  readonly input: InputSettings;
  readonly topology: Topology;
  readonly hz: number;
  readonly parser: 'auto' | 'fast' | 'csv-parse';
  /** Read standard input from file descriptor 0 here (fd-stream.ts), not from the stream the main thread forwards. */
  readonly stdinFd?: boolean;
  /**
   * Parse the one input in blocks with the engine's thread (trace/parallel.ts): its size, block bytes, where the
   * blocks start, and for perf text what the block parsers take (perf-blocks.ts).
   */
  readonly blocks?: {
    readonly size: number;
    readonly blockBytes: number;
    readonly base: number;
    readonly perf: PerfBlockShape | null;
    /** A CSV file whose header gives a layout the layout loop reads (blocks.ts readCsvHead()). */
    readonly layout?: { readonly fieldOf: Int8Array; readonly width: number } | null;
  };
  /** Count the pages of the records the engine's thread applies from the ring (a block read: page-tally.ts). */
  readonly countPages?: boolean;
  /** Standard input, read in blocks with the engine's thread (stream-blocks.ts): the slots' buffer and block size. */
  readonly streamBlocks?: { readonly buffer: SharedArrayBuffer; readonly blockBytes: number };
  /** The perf counts of the perf files read before these inputs (input.ts InputOptions.perfPrior). */
  readonly perfPrior?: PerfInputStats;
}

/**
 * A block read: claims blocks in turn with the engine's thread and parses each into the ring, until none is left,
 * one is irregular (the engine's thread reads on from there with the general reader), or it is told to stop.
 */
function readBlocks(data: ParseWorkerData, writer: RingWriter, state: Int32Array, stopped: () => boolean): void {
  const name = data.inputs[0]!.name;
  let fd: number;
  try {
    fd = openSync(name, 'r');
  } catch (e) {
    throw ioError(name, e);
  }
  try {
    const b = data.blocks!;
    const scan = b.perf !== null ? perfBlockScan(b.perf) : b.layout != null ? layoutBlockScan(b.layout.fieldOf, b.layout.width) : scanBlock;
    const reader = new BlockReader(fd, b.size, b.blockBytes, b.base, scan);
    while (!stopped()) {
      const k = Atomics.add(state, CTL_NEXT_BLOCK, 1);
      if (k >= reader.blocks) break;
      writer.beginBlock(k);
      let res: BlockResult;
      try {
        res = reader.parse(k, writer);
      } catch (e) {
        if (e instanceof RingStopped) throw e;
        throw ioError(name, e);
      }
      writer.endBlock(k, res);
      if (res.stop >= 0) break;
    }
  } finally {
    closeSync(fd);
  }
}

/** Posts the error of a read as the message threaded.ts rebuilds it from. */
function postError(e: unknown): void {
  if (e instanceof TraceError) {
    parentPort!.postMessage({
      type: 'trace-error',
      loc: { file: e.file, line: e.line, column: e.column, ...(e.field !== undefined ? { field: e.field } : {}), text: e.text, ...(e.longerThan !== undefined ? { longerThan: e.longerThan } : {}) },
      reason: e.reason,
      code: e.code,
    });
  } else if (e instanceof KpromoError) {
    parentPort!.postMessage({ type: 'kpromo-error', name: e.name, code: e.code, message: e.message, exitCode: e.exitCode });
  } else {
    parentPort!.postMessage({ type: 'error', message: (e as Error).message, stack: (e as Error).stack });
  }
}

/** A thread started early (early-worker.ts) is given its data in the first message. */
function workOrder(): Promise<ParseWorkerData> {
  return new Promise((resolve) => parentPort!.once('message', (m: WorkOrder) => resolve(m.data)));
}

/**
 * Does the orders given: the first (its workerData, or the first message), then, after a block read that went to its
 * end, the next one if the engine's thread gives one (several files read in blocks in turn, threaded.ts): the thread
 * waits for it, and ends when the engine's thread ends it.
 */
async function main(): Promise<void> {
  let data = (workerData as ParseWorkerData | null) ?? (await workOrder());
  while (await run(data)) data = await workOrder();
}

/** Does one order; true after a block read that ended without an error (another order may follow). */
async function run(data: ParseWorkerData): Promise<boolean> {
  const shared = data.ringMemory;
  // In a shared memory, the ring is mapped from the memory's own buffer: the parser writes into the ring when its
  // memory's buffer is the ring's object (ring.ts directRoom()). (`buffer`, posted beside the memory, arrives as the
  // same object in Node 20; the memory's own does not depend on that.)
  const r = shared !== undefined ? ring(data.batch, shared.memory.buffer as SharedArrayBuffer, shared.ringAt) : ring(data.batch, data.buffer);
  if (shared !== undefined) plainWasmOver(shared);
  const writer = new RingWriter(r);
  const stopped = (): boolean => Atomics.load(r.state, CTL_STOP) === 1;
  if (data.blocks !== undefined) {
    const tally = data.countPages === true ? new PageTally(data.topology) : null;
    if (tally !== null) writer.countInto(tally);
    try {
      readBlocks(data, writer, r.state, stopped);
      writer.close(false);
    } catch (e) {
      if (!(e instanceof RingStopped)) {
        writer.close(true);
        postError(e);
        return false;
      }
      writer.close(false);
    }
    if (tally === null) parentPort!.postMessage({ type: 'blocks-done' });
    else {
      const t = writer.finishTally();
      parentPort!.postMessage({ type: 'tally', tally: t }, [t.counts.buffer as ArrayBuffer]);
    }
    return true;
  }
  const sb = data.streamBlocks !== undefined ? mapStreamBlocks(data.streamBlocks.blockBytes, data.streamBlocks.buffer) : null;
  // The engine's thread sleeps on the ring slot it applies next: a sealed block wakes it (it may parse it).
  const wake = (): void => {
    for (let s = 0; s < SLOTS; s++) Atomics.notify(r.state, s);
  };
  try {
    const stdin = data.stdinFd === true ? await stdinReadable(0) : null;
    const pipe = stdin instanceof PipeChunks ? stdin : null;
    const streamBlocks = (source: AsyncIterable<Buffer>): Promise<StreamBlocksResult> =>
      readStreamBlocks(source, sb!, writer, stopped, wake, (b) => {
        r.progress[0] = b;
        r.progress[1] = -1;
      });
    const stats = await readInputs(data.inputs, writer, {
      ...(stdin !== null ? { stdin } : {}),
      ...(sb !== null ? { streamBlocks } : {}),
      // A pipe's reads are lent, not copied, to the readers that take them as read (fd-stream.ts).
      ...(pipe !== null ? { lend: (on: boolean) => void (pipe.lend = on) } : {}),
      input: data.input,
      topology: data.topology,
      hz: data.hz,
      parser: data.parser,
      ...(data.perfPrior !== undefined ? { perfPrior: data.perfPrior } : {}),
      shouldStop: stopped,
      onProgress: (p) => {
        r.progress[0] = p.bytes;
        r.progress[1] = p.totalBytes ?? -1;
        r.progress[2] = p.records;
      },
    });
    writer.publish();
    writer.close(false);
    parentPort!.postMessage({ type: 'done', stats });
  } catch (e) {
    writer.close(true);
    postError(e);
  }
  return false;
}

void main();
