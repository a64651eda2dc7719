/**
 * Synchronous work that Ctrl-C can cut short. A signal handler (process.on('SIGINT')) runs only when the event
 * loop turns, and one migrate pass over a million records can run for seconds without a turn. Node's
 * vm `breakOnSigint` watches SIGINT from native code and ends the running JavaScript at once; the interrupted
 * SIGINT is then handed to the process's own listeners (cli/signals.ts), so the caller's shouldStop() sees it
 * and the partial counters are printed as for any Ctrl-C.
 *
 * SIGTERM and SIGHUP have no such watchdog in Node: they are handled when the work returns to the event loop.
 *
 * Use it for rare long calls only (a migrate pass over many records, the final pass): Node removes the
 * process's SIGINT listeners around each call and restores them after, and a SIGINT that arrives in those
 * moments can be lost. Wrapping every chunk of a read lost about one Ctrl-C in twenty.
 */
import { isMainThread } from 'node:worker_threads';
import vm from 'node:vm';

let job: (() => void) | null = null;
const script = new vm.Script('__kpromoInterruptibleJob()', { filename: 'kpromo-interruptible' });
(globalThis as Record<string, unknown>).__kpromoInterruptibleJob = (): void => job!();

/**
 * Runs `fn`; on Ctrl-C during it, stops it and emits SIGINT to the process's listeners. Returns true when it ran
 * to its end, false when Ctrl-C cut it short (its effects are then partial). Only where someone listens to
 * SIGINT, on the main thread; elsewhere it simply calls `fn`.
 */
export function runInterruptible(fn: () => void): boolean {
  if (!isMainThread || job !== null || process.listenerCount('SIGINT') === 0) {
    fn();
    return true;
  }
  job = fn;
  try {
    script.runInThisContext({ breakOnSigint: true });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code !== 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw e;
    process.emit('SIGINT', 'SIGINT');
    return false;
  } finally {
    job = null;
  }
}
