/** The CLI's view of the outside world, so commands can run in-process in tests. */
import type { Readable } from 'node:stream';

/** A place to write text (stdout or stderr). */
export interface TextOut {
  write(text: string): void;
  /** True when this is a terminal. */
  readonly isTTY: boolean;
  /** Terminal width in columns, when a terminal. */
  readonly columns?: number;
  /** True once the reader went away (EPIPE): further writes are dropped. */
  readonly closed?: boolean;
}

/** Streams and environment used by commands. */
export interface Io {
  readonly stdout: TextOut;
  readonly stderr: TextOut;
  readonly stdin: Readable;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Registers a Ctrl-C handler for the duration of a command; returns the unregister function. */
  onInterrupt(handler: () => void): () => void;
}

/** The real process's Io. EPIPE on stdout (e.g. `| head`) ends output quietly instead of crashing. */
export function processIo(): Io {
  let closed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      closed = true;
      return;
    }
    throw err;
  });
  return {
    stdout: {
      write(text) {
        if (!closed) process.stdout.write(text);
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
    },
    stderr: {
      write(text) {
        process.stderr.write(text);
      },
      get isTTY() {
        return process.stderr.isTTY === true;
      },
      get columns() {
        return process.stderr.columns;
      },
    },
    stdin: process.stdin,
    env: process.env,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
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
