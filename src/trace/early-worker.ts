/**
 * A parse thread started before its work is known. A worker takes 50-60 ms to start on this 2-core VM (Node 20
 * gives worker isolates no start-up snapshot: Node's own modules are compiled again), and 115-190 ms when it starts
 * while the engine's thread primes V8 (run/prime.ts) and V8 compiles on the other core. The replay command starts
 * one as soon as its options say a parse thread will read (run/replay.ts startParseThreadFor()): the thread then
 * starts while this one loads the topology, opens the outputs and builds the engine, and the read gives it its
 * ParseWorkerData in a message (parse-worker.ts) instead of at its start.
 *
 * Until a read takes it, it is unref()'d: a command that fails before its read (a bad option, a bad golden file)
 * ends as before, and the thread with it. Like every worker, it is started with V8's concurrent recompilation off
 * (start-worker.ts), so ending the process while it waits is safe.
 */
import type { Worker } from 'node:worker_threads';
import type { ParseWorkerData } from './parse-worker.js';
import { workerStarter, workerStarterNow, type StartWorker } from './start-worker.js';
import { PARSE_THREAD_LIMITS, parseWorkerPath } from './worker-link.js';

/** The message that gives a parse thread started early its work. */
export interface WorkOrder {
  readonly type: 'work';
  readonly data: ParseWorkerData;
}

/** Threads started early that reads took. */
let taken = 0;
/** The thread started early and whether it has exited, until a read takes it. */
let early: Promise<Waiting | null> | null = null;

/** A thread started early, and whether it has exited. */
interface Waiting {
  readonly worker: Worker;
  readonly exited: () => boolean;
  /** Takes off the listeners it was kept with (a parked thread: it is taken again and again). */
  readonly release?: () => void;
}

/** A thread bin/early-thread.js started before the CLI loaded, and whether it has exited. */
interface PreStarted {
  readonly worker: Worker;
  readonly exited: () => boolean;
}

/** The thread bin/early-thread.js started, taken off the global (once). */
function takePreStarted(): PreStarted | null {
  const g = globalThis as { __kpromoEarlyThread?: PreStarted };
  const pre = g.__kpromoEarlyThread ?? null;
  g.__kpromoEarlyThread = undefined;
  return pre;
}

/**
 * Starts a parse thread now, for the next read to take (takeEarlyParseThread()); no second one while one waits. The
 * thread bin/early-thread.js started before the CLI loaded, if any, is that thread.
 */
export function startParseThreadEarly(): void {
  if (early !== null) return;
  const pre = takePreStarted();
  if (pre !== null && !pre.exited()) {
    early = Promise.resolve(pre);
    return;
  }
  // At once where Node allows (the worker starts booting before this returns), else after an await.
  const now = workerStarterNow();
  early = now !== null ? Promise.resolve(launch(now)) : workerStarter().then(launch, () => null);
}

/** Starts the thread that waits for its work; null if it cannot be started (the read starts one, and reports why not). */
function launch(start: StartWorker): Waiting | null {
  try {
    const worker = start(parseWorkerPath(), { workerData: null, resourceLimits: PARSE_THREAD_LIMITS });
    let gone = false;
    worker.once('exit', () => (gone = true));
    // A failure before a read takes it: the read starts another thread (its exit is seen above).
    worker.on('error', () => {});
    worker.unref();
    return { worker, exited: () => gone };
  } catch {
    return null;
  }
}

/**
 * Keeps `worker`, a parse thread whose block read went to its end (it waits for another order, parse-worker.ts), for
 * the next read to take, as a thread started early is: several files read in turn (threaded.ts) start one thread,
 * not one a file. Ends it instead when a thread already waits.
 */
export async function parkParseThread(worker: Worker): Promise<void> {
  if (early !== null) {
    await worker.terminate();
    return;
  }
  let gone = false;
  const onExit = (): void => void (gone = true);
  const onError = (): void => {}; // a failure while it waits: the next read starts another thread
  worker.once('exit', onExit);
  worker.on('error', onError);
  worker.unref();
  const release = (): void => {
    worker.off('exit', onExit);
    worker.off('error', onError);
  };
  early = Promise.resolve({ worker, exited: () => gone, release });
}

/** The parse thread started early, given `data`; null when none waits (or it has ended): the caller starts one. */
async function takeEarlyParseThread(data: ParseWorkerData): Promise<Worker | null> {
  const waiting = early;
  early = null;
  const got = waiting !== null ? await waiting : null;
  if (got === null || got.exited()) return null;
  got.release?.();
  got.worker.ref();
  got.worker.postMessage({ type: 'work', data } satisfies WorkOrder);
  taken++;
  return got.worker;
}

/**
 * The parse thread of a read given `data`: the one started early, if one waits, else a new one. A read that forwards
 * a stream to the thread's stdin (`stdin`) always gets a new one: a thread started early has no stdin stream.
 */
export async function parseThread(data: ParseWorkerData, stdin = false): Promise<Worker> {
  const early = stdin ? null : await takeEarlyParseThread(data);
  return early ?? (await workerStarter())(parseWorkerPath(), { workerData: data, stdin, resourceLimits: PARSE_THREAD_LIMITS });
}

/**
 * Ends the thread bin/early-thread.js started, if no read will take it (a replay whose plan has no parse thread): its
 * start costs CPU on the core the engine's thread shares.
 */
export function dropPreStartedThread(): void {
  const pre = takePreStarted();
  if (pre !== null) void pre.worker.terminate();
}

/** Threads started early that reads took, in this process (tests). */
export function earlyParseThreadsTaken(): number {
  return taken;
}
