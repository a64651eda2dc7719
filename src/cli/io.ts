/** The CLI's view of the outside world, so commands can run in-process in tests. */
import { createReadStream, fstatSync, writeSync, type Stats } from 'node:fs';
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
  /**
   * Resolves once what was written has drained to a slow reader (a pipe's stream queues writes in memory): a
   * large output waits here between chunks, so memory stays bounded. Absent or resolved at once when writes are
   * synchronous.
   */
  drained?(): Promise<void>;
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
  // A regular file or /dev/null-like device: written as Node's own stream for them writes (SyncWriteStream: one
  // writeSync per write), without making that stream, which loads node:stream (about 3 ms a start).
  const direct = directWrites(1);
  if (!direct) {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      closed = true;
      if (err.code !== 'EPIPE') error ??= err;
    });
  }
  // stderr the same way; its stream, when needed, is made at the first write (most runs write nothing there).
  const directErr = directWrites(2);
  let stderrStream: NodeJS.WriteStream | null = null;
  const stderr = (): NodeJS.WriteStream => {
    if (stderrStream === null) {
      stderrStream = process.stderr;
      stderrStream.on('error', () => {
        // nowhere left to report it
      });
    }
    return stderrStream;
  };
  return {
    stdout: {
      write(text) {
        if (closed) return;
        try {
          if (direct) writeAll(1, text);
          else process.stdout.write(text);
        } catch (e) {
          // A synchronous stream (file, device) may throw before its 'error' event.
          closed = true;
          if ((e as NodeJS.ErrnoException).code !== 'EPIPE') error ??= e as NodeJS.ErrnoException;
        }
      },
      get isTTY() {
        return direct ? false : process.stdout.isTTY === true;
      },
      get columns() {
        return direct ? undefined : process.stdout.columns;
      },
      get closed() {
        return closed;
      },
      get error() {
        return error;
      },
      drained() {
        const out = process.stdout;
        if (direct || closed || !out.writableNeedDrain) return Promise.resolve();
        return new Promise<void>((resolve) => {
          const done = (): void => {
            out.off('drain', done).off('error', done).off('close', done);
            resolve();
          };
          out.on('drain', done).on('error', done).on('close', done);
        });
      },
    },
    stderr: {
      write(text) {
        try {
          if (directErr) writeAll(2, text);
          else stderr().write(text);
        } catch {
          // nowhere left to report it
        }
      },
      get isTTY() {
        return directErr ? false : stderr().isTTY === true;
      },
      get columns() {
        return directErr ? undefined : stderr().columns;
      },
    },
    // A getter: process.stdin's stream is made (about 3 ms) only for a command that reads it.
    get stdin() {
      // Node makes an empty stream of a directory on fd 0 (`< /`): a stream of fd 0 itself fails as a file's read
      // does (EISDIR), so the input is an error, not an empty trace.
      return stdinIsDirectory() ? createReadStream('', { fd: 0, autoClose: false }) : process.stdin;
    },
    env: process.env,
    onInterrupt: onStopSignal,
    onForcedStop,
    signal: receivedSignal,
  };
}

/** True when standard input is a directory. */
function stdinIsDirectory(): boolean {
  try {
    return fstatSync(0).isDirectory();
  } catch {
    return false;
  }
}

/** Linux's memory character devices (major 1): /dev/null, /dev/zero, /dev/full, /dev/random and the like. */
const MEM_MAJOR = 1;

/**
 * True when `fd` is a regular file, or on Linux a memory device such as /dev/null or /dev/full: what Node writes
 * with one writeSync() per write (its SyncWriteStream), never a terminal, pipe or socket (which keep their stream).
 */
export function directWrites(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isFile() || isMemoryDevice(st);
  } catch {
    return false;
  }
}

/** True for Linux's memory character devices (/dev/null, /dev/zero, /dev/full, a mknod copy of one). */
export function isMemoryDevice(st: Stats): boolean {
  // Linux's dev_t: the major number in bits 8-19 (and 32 up, for numbers no memory device has).
  return process.platform === 'linux' && st.isCharacterDevice() && st.rdev < 2 ** 32 && Math.floor(st.rdev / 256) % 4096 === MEM_MAJOR;
}

/**
 * Writes all of `data` (text as UTF-8) to `fd`: a short write is continued; an error is thrown, as SyncWriteStream
 * throws it. A descriptor left non-blocking by another program (a pipe) may answer EAGAIN: waited out, 1 ms a try.
 */
export function writeAll(fd: number, data: string | Uint8Array): void {
  if (data.length === 0) return;
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause ??= new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

let pause: Int32Array | null = null;

/** Collects everything written, for tests. */
export class CaptureOut implements TextOut {
  text = '';
  constructor(readonly isTTY = false, readonly columns = 100) {}
  write(text: string): void {
    this.text += text;
  }
}
