/**
 * The parser thread of a threaded read (threaded.ts): reads the inputs with readInputs() into a shared
 * ring, so the engine's thread only applies records. Posts the final InputStats, or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { KpromoError, TraceError } from '../errors.js';
import type { Topology } from '../engine/topology.js';
import { readInputs, type InputSettings } from './input.js';
import type { TraceInput } from './read.js';
import { fdReadable } from './fd-stream.js';
import { CTL_STOP, ring, RingWriter } from './ring.js';

/** What the worker is given. */
export interface ParseWorkerData {
  readonly buffer: SharedArrayBuffer;
  /** Records per ring slot. */
  readonly batch: number;
  readonly inputs: readonly TraceInput[];
  readonly input: InputSettings;
  readonly topology: Topology;
  readonly hz: number;
  readonly parser: 'auto' | 'fast' | 'csv-parse';
  /** Read standard input from file descriptor 0 here (fd-stream.ts), not from the stream the main thread forwards. */
  readonly stdinFd?: boolean;
}

async function run(): Promise<void> {
  const data = workerData as ParseWorkerData;
  const r = ring(data.batch, data.buffer);
  const writer = new RingWriter(r);
  try {
    const stats = await readInputs(data.inputs, writer, {
      ...(data.stdinFd === true ? { stdin: fdReadable(0) } : {}),
      input: data.input,
      topology: data.topology,
      hz: data.hz,
      parser: data.parser,
      shouldStop: () => Atomics.load(r.state, CTL_STOP) === 1,
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
    if (e instanceof TraceError) {
      parentPort!.postMessage({
        type: 'trace-error',
        loc: { file: e.file, line: e.line, column: e.column, ...(e.field !== undefined ? { field: e.field } : {}), text: e.text },
        reason: e.reason,
        code: e.code,
      });
    } else if (e instanceof KpromoError) {
      parentPort!.postMessage({ type: 'kpromo-error', name: e.name, code: e.code, message: e.message, exitCode: e.exitCode });
    } else {
      parentPort!.postMessage({ type: 'error', message: (e as Error).message, stack: (e as Error).stack });
    }
  }
}

void run();
