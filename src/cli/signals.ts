/**
 * SIGINT, SIGTERM and SIGHUP for every command: one process-wide mechanism.
 *
 * A signal first asks the running command to stop (its onStop handlers set a flag that the read loop checks
 * between chunks); the command then prints its partial counters and returns 128 + the signal number. When the
 * command cannot see the flag in time (a read that waits on an idle pipe, a terminal or a FIFO with no writer,
 * a blocking open), a watchdog ends the process after GRACE_MS: it runs the command's last words (partial
 * counters on stderr), removes every temporary output file, and re-raises the signal with its default action,
 * so the parent sees the process die of that signal (a shell shows 128 + n), as coreutils and git do.
 * A second signal forces the end at once.
 */

import { statSync } from 'node:fs';

/** Signals that end a command, with the exit code a command returns for each (128 + signal number). */
export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** A signal kpromo handles. */
export type StopSignal = keyof typeof STOP_SIGNALS;

/** How long a command has to stop by itself after a signal before the watchdog ends the process. */
export const GRACE_MS = 250;

const stopHandlers = new Set<() => void>();
const lastWords = new Set<() => void>();
const cleanups = new Set<() => void>();
let received: StopSignal | null = null;
let installed = false;
let forcing = false;

/** Installs the handlers (once per process). Only the real process's Io calls this; tests in-process do not. */
export function installSignalHandling(): void {
  if (installed) return;
  installed = true;
  addStopListeners();
  // Whatever way the process ends (an uncaught error included), no temporary output file is left behind.
  process.on('exit', runCleanups);
}

function onSignal(sig: StopSignal): void {
  if (received !== null || stopHandlers.size === 0) {
    forceExit(received ?? sig);
    return;
  }
  received = sig;
  for (const h of [...stopHandlers]) {
    try {
      h();
    } catch {
      // a stop handler only sets a flag; nothing to report
    }
  }
  setTimeout(() => forceExit(sig), GRACE_MS).unref();
}

/** Ends the process now: last words, temp files removed, then the signal's default action. */
function forceExit(sig: StopSignal): never | void {
  if (forcing) return;
  forcing = true;
  for (const w of [...lastWords]) {
    try {
      w();
    } catch {
      // best effort: the process is ending
    }
  }
  runCleanups();
  // Re-raise with the default action: exit() would wait for a thread-pool thread blocked in open() or read().
  process.removeAllListeners(sig);
  process.kill(process.pid, sig);
}

function runCleanups(): void {
  for (const c of [...cleanups]) {
    try {
      c();
    } catch {
      // best effort
    }
  }
  cleanups.clear();
}

/** Registers a handler called on the first SIGINT, SIGTERM or SIGHUP; returns the unregister function. */
export function onStopSignal(handler: () => void): () => void {
  stopHandlers.add(handler);
  return () => stopHandlers.delete(handler);
}

/**
 * Registers what to print (on stderr) if the watchdog has to end the process, e.g. the partial counters;
 * returns the unregister function (call it once the command printed them itself).
 */
export function onForcedStop(words: () => void): () => void {
  lastWords.add(words);
  return () => lastWords.delete(words);
}

/** Registers a synchronous cleanup (removing a temporary file) run on a forced stop or at process exit. */
export function onCleanup(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * Gives SIGINT, SIGTERM and SIGHUP their default actions back once the command has returned: a signal that
 * comes while the process drains its output and exits then ends it as it would any program, instead of reaching
 * a handler whose event loop is over (which would let the process exit 0).
 */
export function releaseSignalHandling(): void {
  if (!installed || forcing) return;
  for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) process.removeAllListeners(sig);
  installed = false;
}

/**
 * Lets a signal already sent reach its handler. Ctrl-C reaches every process of a pipeline at once: the writer of
 * a pipe that dies of it closes the pipe, and the end of input (or its cut last line) can reach the reader's event
 * loop before its own signal does. A command that saw its input end calls this before it acts on what it read.
 */
export async function signalsSettled(): Promise<void> {
  // A signal reaches its JavaScript handler in the event loop's poll phase; a timer fires in the timers phase,
  // before it. So after the timer, one setImmediate: the check phase comes after a poll phase.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Lets a signal that came during synchronous work reach its handler before the caller goes on (main() calls it before
 * it takes the handlers away: a signal still waiting in libuv's pipe then would be dropped, and the process exit 0).
 * The handler runs in a poll phase, and one setImmediate does not always wait for one: queued after a native immediate
 * (a file stream's close, as a read's last step), it runs in that same check phase. The second one, queued from the
 * first's callback, runs in the next loop iteration, after its poll phase.
 */
export async function pendingSignalsDelivered(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs a long synchronous piece of work (a sysfs tree of thousands of memory blocks, a large merge part's parse) under
 * the signals' default actions, when a signal would have nothing left to do: no command waits for a stop (no partial
 * counters to print), no temporary file to remove. JavaScript handlers run only between pieces of work, so a signal
 * waited for the piece to end; under the default action it ends the process at once, as it ends any program. Pending
 * signals get their handler first (pendingSignalsDelivered()). Elsewhere (an in-process test, a command with
 * something to clean up) the work just runs.
 */
export async function withDefaultSignals<T>(work: () => T): Promise<T> {
  if (!installed) return work();
  await pendingSignalsDelivered();
  if (forcing || received !== null || stopHandlers.size > 0 || lastWords.size > 0 || cleanups.size > 0) return work();
  for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) process.removeAllListeners(sig);
  try {
    return work();
  } finally {
    addStopListeners();
  }
}

/** Listens for SIGINT, SIGTERM and SIGHUP (installSignalHandling(), and again after withDefaultSignals()). */
function addStopListeners(): void {
  for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) process.on(sig, () => onSignal(sig));
}

/** True when an input can end because its writer died of a signal: standard input, a FIFO, a device. */
export function endsWithWriter(names: readonly string[]): boolean {
  return names.some((n) => {
    if (n === '-') return true;
    try {
      return !statSync(n).isFile();
    } catch {
      return false;
    }
  });
}

/** What settleRead() gives for a read that failed while a stop came: the command ends as interrupted. */
export const READ_STOPPED = Symbol('read stopped');

/**
 * Awaits a command's read of its inputs, then lets a signal already sent reach its handler before the command acts
 * on how the read ended (signalsSettled()): after a failure always (the writer of a pipe killed by the same Ctrl-C can
 * cut the last line), and after an end when one of the inputs `names` can end with its writer (endsWithWriter()).
 * Gives what the read gave, or READ_STOPPED when it failed and `stopped()` then says a stop came; throws any other
 * failure.
 */
export async function settleRead<T>(read: Promise<T>, stopped: () => boolean, names: readonly string[]): Promise<T | typeof READ_STOPPED> {
  let value: T;
  try {
    value = await read;
  } catch (e) {
    await signalsSettled();
    if (stopped()) return READ_STOPPED;
    throw e;
  }
  if (endsWithWriter(names)) await signalsSettled();
  return value;
}

/** The stop signal received, if any. */
export function receivedSignal(): StopSignal | null {
  return received;
}

/** The exit code of a command stopped by `sig` (130 when none is known, i.e. an in-process test's Ctrl-C). */
export function signalExitCode(sig: StopSignal | null): number {
  return STOP_SIGNALS[sig ?? 'SIGINT'];
}
