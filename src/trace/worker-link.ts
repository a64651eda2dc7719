/** What the engine's thread and a parse thread share: the worker script, its messages, its errors. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KpromoError, TraceError } from '../errors.js';
import type { Worker } from 'node:worker_threads';
import type { TallySnapshot } from '../engine/page-tally.js';
import type { InputOptions, InputStats } from './input.js';
import type { ParseWorkerData } from './parse-worker.js';
import type { TraceInput } from './read.js';
import { SLOTS, type Ring } from './ring.js';

/**
 * A built worker script `name` for the module at `moduleUrl` (its import.meta.url): beside the bundle (`.cjs`), beside
 * the built module, or, for tests run from TypeScript sources, in dist/src/`dir`.
 */
export function builtWorkerPath(moduleUrl: string, dir: string, name: string): string {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith('.cjs')) return join(dirname(here), `${name}.cjs`); // the bundle's
  return here.endsWith('.js') ? join(dirname(here), `${name}.js`) : join(dirname(here), '..', '..', 'dist', 'src', dir, `${name}.js`);
}

/** The built parse worker script. */
export function parseWorkerPath(): string {
  return builtWorkerPath(import.meta.url, 'trace', 'parse-worker');
}


/** Atomics.waitAsync (Node 16+; not in the ES2022 lib typings). */
export const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/** The parse thread's last message: its result, or its error. */
export type WorkerMessage =
  | { type: 'done'; stats: InputStats }
  | { type: 'blocks-done' }
  /** A block read's end with page counts on the parse thread (ring.ts RingWriter.finishTally()). */
  | { type: 'tally'; tally: TallySnapshot }
  | { type: 'trace-error'; loc: ConstructorParameters<typeof TraceError>[0]; reason: string; code: string }
  | { type: 'kpromo-error'; name: string; code: string; message: string; exitCode: number }
  | { type: 'error'; message: string; stack?: string };

/** The worker's error as the error readInputs() would have thrown. */
export function rebuild(m: WorkerMessage): Error {
  switch (m.type) {
    case 'trace-error':
      return new TraceError(m.loc, m.reason, m.code);
    case 'kpromo-error': {
      const e = new KpromoError(m.code, m.message, m.exitCode);
      return e;
    }
    case 'error': {
      const e = new Error(m.message);
      if (m.stack) e.stack = m.stack;
      return e;
    }
    case 'done':
    case 'blocks-done':
    case 'tally':
      return new Error('parser thread reported an error without details');
  }
}


/**
 * A parse thread's V8 limits: a small young generation. The parsers allocate nothing per record (chunks and the
 * ring are outside the heap), and V8's default lets the young generation grow to tens of MB that a replay's peak RSS
 * then carries: about 3 MiB more on the bench's 10 M-record trace.
 */
export const PARSE_THREAD_LIMITS = { maxYoungGenerationSizeMb: 2 } as const;

/** What every parse thread is given: the ring, the inputs and how to read them. */
export function baseWorkerData(
  r: Ring,
  inputs: readonly TraceInput[],
  opts: InputOptions & { topology: NonNullable<InputOptions['topology']>; hz: number },
): ParseWorkerData {
  return {
    buffer: r.buffer, batch: r.batch, inputs, input: opts.input!, topology: opts.topology, hz: opts.hz, parser: opts.parser ?? 'auto',
    ...(opts.perfPrior != null ? { perfPrior: opts.perfPrior } : {}),
  };
}

/**
 * The parse thread's last message, as a promise that rejects when the thread fails or exits without one, unless
 * ending() was called first (this side ended it: Ctrl-C, or after the result). Nobody need await it: failure() gives
 * the rejection once it came (a loop that waits on the ring looks at it, so that a thread that died is not waited for).
 */
export function lastMessage(worker: Worker): { message: Promise<WorkerMessage>; ending: () => void; release: () => void; failure: () => Error | null } {
  let got = false;
  let ending = false;
  let failed: Error | null = null;
  let onMessage: (m: WorkerMessage) => void = () => {};
  let onError: (e: Error) => void = () => {};
  let onExit: (code: number) => void = () => {};
  const message = new Promise<WorkerMessage>((resolve, reject) => {
    onMessage = (m) => {
      got = true;
      resolve(m);
    };
    onError = reject;
    onExit = (code) => {
      if (!got && !ending) reject(new Error(`parser thread exited with code ${code} and no result`));
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
  message.catch((e: unknown) => void (failed = e instanceof Error ? e : new Error(String(e)))); // awaited only when needed
  /** Takes the listeners off (the thread goes on to another read, which listens for its own message). */
  const release = (): void => {
    worker.off('message', onMessage);
    worker.off('error', onError);
    worker.off('exit', onExit);
  };
  return { message, ending: () => (ending = true), release, failure: () => failed };
}

/**
 * A sink's settle() promise that nobody will await (the read stopped while the sink was behind): it may reject to
 * abandon the read (BatchSink.settle), which is done; handled here so that the rejection does not end the process.
 */
export function abandon(behind: Promise<void> | null): void {
  behind?.catch(() => {});
}

/** The columns of each ring slot. */
export function slotViews(r: Ring): Array<{ pfn: Float64Array; nid: Int32Array; src: Int32Array; time: Float64Array }> {
  return Array.from({ length: SLOTS }, (_, s) => ({
    pfn: r.pfn.subarray(s * r.batch, (s + 1) * r.batch),
    nid: r.nid.subarray(s * r.batch, (s + 1) * r.batch),
    src: r.src.subarray(s * r.batch, (s + 1) * r.batch),
    time: r.time.subarray(s * r.batch, (s + 1) * r.batch),
  }));
}
