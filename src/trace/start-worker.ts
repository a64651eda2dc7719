/**
 * Every worker thread kpromo starts (parse threads, compare/sweep lanes) is started here, with V8's concurrent
 * recompilation off for its isolate.
 *
 * Why: Node 20 ends a worker (terminate(), or the end of its script) by unregistering the worker's isolate from
 * its platform and only then disposing of it, which is when V8 waits for the isolate's optimizing compile jobs on
 * the background threads. A job still running in that window that allocates a new block and finds the heap due for
 * incremental marking asks the platform for the isolate's foreground task runner, and Node aborts the process:
 *
 *   node::NodePlatform::ForIsolate(v8::Isolate*) at ../src/node_platform.cc:518
 *   Assertion failed: (data.first) != nullptr
 *   ... IncrementalMarkingJob::ScheduleTask() <- ConcurrentAllocator::AllocateInLabSlow() <- ...
 *   ... OptimizingCompileDispatcher::CompileTask::RunInternal()
 *
 * exit status 134, no partial counters. It happened to a compare stopped by Ctrl-C while its lanes were still
 * compiling (once in a CI run of 20 tries; 9 of 60 tries with `node --concurrent-recompilation-delay=30`, which
 * keeps each job running 30 ms longer). Newer Node disposes of the isolate before unregistering it; Node 20 does not.
 *
 * V8 reads --concurrent-recompilation when it creates an isolate (its OptimizingCompileDispatcher exists or not),
 * so the flag set off here, before the first worker, changes nothing for this thread's isolate, and gives every
 * worker isolate created after it no background compile jobs: a worker compiles a hot function on its own thread
 * when it needs it, and has nothing running elsewhere when it ends. Measured against the build before (alternating
 * CLI runs, paired medians): replays of the bench's 2 M, 10 M and perf-text traces 0.89x, 0.93-1.08x and 0.94x, compare
 * of three engines 0.99x, sweep of nine 0.93-1.06x; with the flag off for the whole process (this thread too) 0.99-1.03x,
 * CPU 0.91-0.97x (on two cores, background compiles competed with the engines for the same cores anyway).
 */
import type * as V8 from 'node:v8';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker, WorkerOptions } from 'node:worker_threads';

let flagSet: Promise<void> | null = null;

/** Turns V8's concurrent recompilation off for isolates created from now on (once per process). */
function noConcurrentRecompilationForWorkers(): Promise<void> {
  // node:v8 is loaded only when a worker is started (about 2 ms of start-up).
  flagSet ??= import('node:v8').then((v8) => v8.setFlagsFromString('--no-concurrent-recompilation'));
  return flagSet;
}

/** Starts worker script `file`, its isolate without background compile jobs (see above). */
export type StartWorker = (file: string, options: WorkerOptions) => Worker;

/**
 * The function that starts workers, once the flag is set: it starts each at once, so that a caller starting several
 * attaches their listeners before the event loop turns (a message that comes with no listener is lost).
 */
export async function workerStarter(): Promise<StartWorker> {
  const [{ Worker: W }] = await Promise.all([import('node:worker_threads'), noConcurrentRecompilationForWorkers()]);
  return (file, options) => new W(file, options);
}

/**
 * workerStarter() without waiting, where Node has process.getBuiltinModule() (20.16 and later); null elsewhere. For a
 * worker that should start before the caller's next await (early-worker.ts): a dynamic import() resolves only after
 * the synchronous work that follows it, 10-20 ms of a replay's set-up.
 */
export function workerStarterNow(): StartWorker | null {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (get === undefined) return null;
  if (flagSet === null) {
    (get('node:v8') as typeof V8).setFlagsFromString('--no-concurrent-recompilation');
    flagSet = Promise.resolve();
  }
  const { Worker: W } = get('node:worker_threads') as typeof WorkerThreads;
  return (file, options) => new W(file, options);
}
