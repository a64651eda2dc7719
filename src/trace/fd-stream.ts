/**
 * Standard input read by the parse thread itself (threaded.ts), so the engine's thread never forwards chunks.
 * - A pipe or a socket (`perf script ... | kpromo replay -`): a net.Socket over file descriptor 0 on the parse thread's
 *   event loop (stdinReadable). It reads what the pipe holds whenever this thread turns its loop, so the writer refills
 *   the pipe's 64 KiB while this thread parses; a read never blocks, so a stop is seen at once. Reading the pipe with
 *   readSync instead (fdReadable) made the writer wait while a chunk was parsed and the parser wait while the writer
 *   refilled: a perf replay from `cat FILE |` took 4.1-4.5 s against 2.4-3.4 s now, and peaked at 115 against 100 MB.
 * - Anything else (a file redirected to stdin, a terminal): fdReadable, fs.readSync into 1 MiB chunks (several reads
 *   while they come back full). A descriptor left non-blocking (by a process.stdin made on another thread) gets
 *   EAGAIN when empty: the stream retries after a millisecond, so it never blocks its thread (a stop request is seen
 *   between reads) and a read never outlives the thread in the thread pool.
 */
import { fstatSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';

/** Milliseconds between two tries on an empty non-blocking pipe. */
const RETRY_MS = 1;
const CHUNK = 1 << 20;
/** A Linux pipe's default capacity: a read that returns this much found the pipe full. */
const PIPE_BUFFER = 1 << 16;

/** A Readable of file descriptor `fd` (standard input: 0). */
export function fdReadable(fd: number): Readable {
  let buf = Buffer.allocUnsafe(CHUNK);
  let have = 0; // bytes of buf read and not yet pushed
  let ended = false;
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
        stream.push(null);
      };
      attempt();
    },
  });
  return stream;
}

/**
 * Standard input for the parse thread: a pipe or socket as a libuv stream on this thread's event loop (net.Socket:
 * non-blocking reads when data is there, so the writer refills the 64 KiB pipe while this thread parses what came,
 * and nothing blocks at a stop), anything else (a file, a terminal) by fdReadable().
 */
export async function stdinReadable(fd = 0): Promise<Readable> {
  let pipe = false;
  try {
    const st = fstatSync(fd);
    pipe = st.isFIFO() || st.isSocket();
  } catch {
    pipe = false; // fdReadable() reports the error at its first read
  }
  if (!pipe) return fdReadable(fd);
  // node:net (and what it loads) only for a pipe: the parse thread of a file replay starts without it.
  const { Socket } = await import('node:net');
  return new Socket({ fd, readable: true, writable: false });
}
