/** The CLI's view of the outside world, so commands can run in-process in tests. */
import type { Readable } from 'node:stream';
import { installSignalHandling, onForcedStop, onStopSignal, receivedSignal, type StopSignal } from './signals.js';

/** A place to write text (stdout or stderr). */
export interface TextOut {
  write(text: string): void;
  /** True when this is a terminal. */
  readonly isTTY: boolean;
  /** Terminal width in columns, when a terminal. */
  readonly columns?: number;
  /** True once the reader went away (EPIPE) or a write failed: further writes are dropped. */
  readonly closed?: boolean;
  /** The write error other than EPIPE (ENOSPC on `> /dev/full`, EIO), once one happened. */
  readonly error?: NodeJS.ErrnoException | null;
}

/** Streams and environment used by commands. */
export interface Io {
  readonly stdout: TextOut;
  readonly stderr: TextOut;
  readonly stdin: Readable;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Registers a stop handler (SIGINT, SIGTERM, SIGHUP) for the duration of a command; returns the unregister function. */
  onInterrupt(handler: () => void): () => void;
  /** Registers what to print if the process must be ended before the command stops by itself (signals.ts). */
  onForcedStop?(words: () => void): () => void;
  /** The stop signal received, if any (the exit code is 128 + its number). */
  signal?(): StopSignal | null;
}

/**
 * The real process's Io. EPIPE on stdout (e.g. `| head`) ends output quietly; any other write error
 * (ENOSPC on `> /dev/full`, EIO) is kept for main() to report in one line, never a stack trace.
 */
export function processIo(): Io {
  installSignalHandling();
  let closed = false;
  let error: NodeJS.ErrnoException | null = null;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    closed = true;
    if (err.code !== 'EPIPE') error ??= err;
  });
  process.stderr.on('error', () => {
    // nowhere left to report it
  });
  return {
    stdout: {
      write(text) {
        if (closed) return;
        try {
          process.stdout.write(text);
        } catch (e) {
          // A synchronous stream (file, device) may throw before its 'error' event.
          closed = true;
          if ((e as NodeJS.ErrnoException).code !== 'EPIPE') error ??= e as NodeJS.ErrnoException;
        }
      },
      get isTTY() {
        return process.stdout.isTTY === true;
      },
      get columns() {
        return process.stdout.columns;
      },
      get closed() {
        return closed;
      },
      get error() {
        return error;
      },
    },
    stderr: {
      write(text) {
        try {
          process.stderr.write(text);
        } catch {
          // nowhere left to report it
        }
      },
      get isTTY() {
        return process.stderr.isTTY === true;
      },
      get columns() {
        return process.stderr.columns;
      },
    },
    // A getter: process.stdin's stream is made (about 3 ms) only for a command that reads it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    onInterrupt: onStopSignal,
    onForcedStop,
    signal: receivedSignal,
  };
}

/** Collects everything written, for tests. */
export class CaptureOut implements TextOut {
  text = '';
  constructor(readonly isTTY = false, readonly columns = 100) {}
  write(text: string): void {
    this.text += text;
  }
}
