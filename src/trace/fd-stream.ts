/**
 * Standard input read by the parse thread itself (threaded.ts), so the engine's thread never forwards chunks.
 * - A pipe or a socket (`perf script ... | kpromo replay -`): a net.Socket over file descriptor 0 on the parse thread's
 *   event loop, read into one reused buffer (PipeChunks). It reads what the pipe holds whenever this thread turns its loop, so the writer refills
 *   the pipe's 64 KiB while this thread parses; a read never blocks, so a stop is seen at once. Reading the pipe with
 *   readSync instead (fdReadable) made the writer wait while a chunk was parsed and the parser wait while the writer
 *   refilled: a perf replay from `cat FILE |` took 4.1-4.5 s against 2.4-3.4 s now, and peaked at 115 against 100 MB.
 * - Anything else (a file redirected to stdin, a terminal): fdReadable, fs.readSync into 1 MiB chunks (several reads
 *   while they come back full). A regular file that ends before the size it had when the read started is an error
 *   (stdin-size.ts). A descriptor left non-blocking (by a process.stdin made on another thread) gets
 *   EAGAIN when empty: the stream retries after a millisecond, so it never blocks its thread (a stop request is seen
 *   between reads) and a read never outlives the thread in the thread pool.
 */
import { fstatSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { regularFileSize, stdinShrank } from './stdin-size.js';

/** Milliseconds between two tries on an empty non-blocking pipe. */
const RETRY_MS = 1;
const CHUNK = 1 << 20;
/** A Linux pipe's default capacity: a read that returns this much found the pipe full. */
const PIPE_BUFFER = 1 << 16;

/** A Readable of file descriptor `fd` (standard input: 0); node:stream is loaded only then (a parse thread reading files never needs it). */
export async function fdReadable(fd: number): Promise<Readable> {
  const { Readable } = await import('node:stream');
  let buf = Buffer.allocUnsafe(CHUNK);
  let have = 0; // bytes of buf read and not yet pushed
  let ended = false;
  // A regular file's size now, before the first read: an end before it is an error (stdin-size.ts).
  const size = regularFileSize(fd);
  const stream = new Readable({
    highWaterMark: CHUNK,
    read(): void {
      const attempt = (): void => {
        // A pipe gives at most its buffer (64 KiB on Linux) a read: while reads come back full, the writer is ahead
        // and more is there, so read on and fill the chunk (a new 1 MiB buffer per 64 KiB read made 16 times the
        // allocations, and the memory). A shorter read, or an empty non-blocking pipe, hands over what there is: a
        // slow writer's records are not held back, and a blocking descriptor is not read again until asked.
        let more = true;
        while (more && have < buf.length && !ended) {
          let n: number;
          try {
            n = readSync(fd, buf, have, buf.length - have, null);
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
              if (have > 0) break; // hand over what there is; read again when asked
              setTimeout(attempt, RETRY_MS);
              return;
            }
            if (code === 'EOF') {
              ended = true;
              break;
            }
            stream.destroy(e as Error);
            return;
          }
          if (n === 0) ended = true;
          have += n;
          more = n >= PIPE_BUFFER;
        }
        if (have > 0) {
          // The stream keeps the chunk: hand it over and read into a new buffer next time.
          const chunk = buf.subarray(0, have);
          buf = Buffer.allocUnsafe(CHUNK);
          have = 0;
          stream.push(chunk);
          return;
        }
        const shrank = stdinShrank(fd, size);
        if (shrank !== null) {
          stream.destroy(shrank);
          return;
        }
        stream.push(null);
      };
      attempt();
    },
  });
  return stream;
}

/** Bytes of read chunks held before the pipe is left unread (the writer waits) until the reader takes most of them. */
const HELD_BYTES = 256 << 10;
/** Bytes of each buffer the reads a reader did not wait for are appended to. */
const QUEUE_CHUNK = 128 << 10;

/**
 * A pipe or socket read by a net.Socket on this thread's event loop into one reused buffer (its `onread` option): no
 * stream buffering between the reads and the reader. A read the reader waits for is handed over as a copy, or lent (see
 * `lend`); one it does not wait for is appended to a queue buffer. Once HELD_BYTES wait to be taken, the socket stops
 * reading until the reader took most of them. Reading the bench's 300 MB alone took 0.20-0.24 s of CPU copied and
 * 0.16-0.18 s lent, against 0.29-0.39 s as the Socket's Readable (its async iteration) and 59 against 87 MiB peak lent.
 * A CSV replay from `cat |` (lent to the block reader): 1.195 -> 1.125 s, 97 -> 87 MiB. A perf-text one copied had
 * peaked 10 MiB higher than through the Readable (110 against 99 MiB, whatever the queue's sizes; the parse thread's
 * array buffers 31 against 21 MiB): it allocates fewer objects on V8's heap, so the young generation was collected less
 * often (52 against 70 scavenges, `node --trace-gc`) and dead chunks waited longer. Lent to the perf reader: 82 MiB.
 */
export class PipeChunks implements AsyncIterable<Buffer>, AsyncIterator<Buffer> {
  private readonly socket: import('node:net').Socket;
  /** Reads no reader waited for, appended to buffers of QUEUE_CHUNK bytes: fewer and larger chunks for a slow reader. */
  private readonly queue: { buf: Buffer; len: number }[] = [];
  private held = 0;
  private paused = false;
  private ended = false;
  private error: Error | null = null;
  private waiter: { resolve: (r: IteratorResult<Buffer>) => void; reject: (e: Error) => void } | null = null;
  /**
   * When true, a read handed straight to a waiting reader is a view of the read buffer, not a copy: valid until the
   * reader next yields to the event loop, so it must be done with it at once (the block reader of stream-blocks.ts
   * places it in shared memory, the perf reader parses it and copies its partial last line, before either awaits
   * anything). The socket reads only while this thread waits, and Node runs the promise reactions of each read before
   * the next. Off for a reader that keeps chunks (gzip and perf sniffing, the general CSV reader's streams): readInputs
   * turns it on (InputOptions.lend) only around the two readers above.
   */
  lend = false;

  constructor(Socket: typeof import('node:net').Socket, fd: number) {
    const buffer = Buffer.allocUnsafe(PIPE_BUFFER);
    // `onread` is a Socket constructor option since Node 12 (net.js reads it there); @types/node lists it for connect() only.
    const options = { fd, readable: true, writable: false, onread: { buffer, callback: (n: number, b: Buffer) => this.onRead(b, n) } };
    this.socket = new Socket(options);
    this.socket.on('end', () => this.finish(null));
    this.socket.on('error', (e: Error) => this.finish(e));
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    const q = this.queue.shift();
    if (q !== undefined) {
      const chunk = q.buf.subarray(0, q.len);
      this.held -= chunk.length;
      // Reading again only once most of it was taken: pausing and resuming at every chunk cost a perf-text replay 10 %.
      if (this.paused && this.held <= HELD_BYTES / 4) {
        this.paused = false;
        this.socket.resume();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.error !== null) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Stops reading (the reader is done with the input). */
  return(): Promise<IteratorResult<Buffer>> {
    this.ended = true;
    this.socket.destroy();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** A read of `n` bytes into `b` (read into again next time): handed to the waiting reader, or queued. */
  private onRead(b: Buffer, n: number): boolean {
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      w.resolve({ value: this.lend ? b.subarray(0, n) : Buffer.from(b.subarray(0, n)), done: false });
      return true;
    }
    const last = this.queue[this.queue.length - 1];
    if (last !== undefined && last.len + n <= last.buf.length) {
      b.copy(last.buf, last.len, 0, n);
      last.len += n;
    } else {
      const buf = Buffer.allocUnsafe(Math.max(QUEUE_CHUNK, n));
      b.copy(buf, 0, 0, n);
      this.queue.push({ buf, len: n });
    }
    this.held += n;
    if (this.held < HELD_BYTES) return true;
    this.paused = true; // returning false pauses the socket
    return false;
  }

  private finish(e: Error | null): void {
    if (e !== null) this.error ??= e;
    this.ended = true;
    const w = this.waiter;
    if (w === null) return;
    this.waiter = null;
    if (e !== null) w.reject(e);
    else w.resolve({ value: undefined, done: true });
  }
}

/**
 * Standard input for the parse thread: a pipe or socket as PipeChunks of a net.Socket on this thread's event loop
 * (non-blocking reads when data is there, so the writer refills the 64 KiB pipe while this thread parses what came,
 * and nothing blocks at a stop), anything else (a file, a terminal) by fdReadable().
 */
export async function stdinReadable(fd = 0): Promise<Readable | PipeChunks> {
  let pipe = false;
  try {
    const st = fstatSync(fd);
    pipe = st.isFIFO() || st.isSocket();
  } catch {
    pipe = false; // fdReadable() reports the error at its first read
  }
  if (!pipe) return await fdReadable(fd);
  // node:net (and what it loads) only for a pipe: the parse thread of a file replay starts without it.
  const { Socket } = await import('node:net');
  return new PipeChunks(Socket, fd);
}
