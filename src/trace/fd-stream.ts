/**
 * Standard input read by the parse thread itself (threaded.ts): a Readable over file descriptor 0 with
 * fs.readSync in 1 MiB reads, so the engine's thread never forwards chunks. The main thread's process.stdin
 * (created at start-up) leaves a pipe non-blocking: a read that finds it empty gets EAGAIN, and this stream
 * retries after a millisecond, so it never blocks its thread (a stop request is seen between reads) and a
 * read never outlives the thread in the thread pool.
 */
import { readSync } from 'node:fs';
import { Readable } from 'node:stream';

/** Milliseconds between two tries on an empty non-blocking pipe. */
const RETRY_MS = 1;
const CHUNK = 1 << 20;

/** A Readable of file descriptor `fd` (standard input: 0). */
export function fdReadable(fd: number): Readable {
  let buf = Buffer.allocUnsafe(CHUNK);
  const stream = new Readable({
    highWaterMark: CHUNK,
    read(): void {
      const attempt = (): void => {
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
            setTimeout(attempt, RETRY_MS);
            return;
          }
          if (code === 'EOF') {
            stream.push(null);
            return;
          }
          stream.destroy(e as Error);
          return;
        }
        if (n === 0) {
          stream.push(null);
          return;
        }
        // The stream keeps the chunk: hand it over and read into a new buffer next time.
        const chunk = buf.subarray(0, n);
        buf = Buffer.allocUnsafe(CHUNK);
        stream.push(chunk);
      };
      attempt();
    },
  });
  return stream;
}
