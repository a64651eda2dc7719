/**
 * A regular file on standard input (`kpromo replay - < t.csv`) that shrinks while it is read (truncated, or rewritten
 * in place): the read ends at the cut as it would at the file's end, and the records past it would be missing without
 * a word. Its size when the read started is compared with its size when the read ended, as a trace file named on the
 * command line is (read-ahead.ts, parallel.ts). A pipe or a terminal has no size: nothing is checked. A file that grew
 * was read to its end.
 */
import { fstatSync } from 'node:fs';

/** The size of `fd` when it is a regular file; null for anything else (a pipe, a socket, a terminal) or when fstat fails. */
export function regularFileSize(fd: number): number | null {
  try {
    const st = fstatSync(fd);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

/** The error of a read of `fd` (standard input) that ended with the file smaller than `size`, its size when the read started; else null. */
export function stdinShrank(fd: number, size: number | null): Error | null {
  if (size === null) return null;
  const now = regularFileSize(fd);
  if (now === null || now >= size) return null;
  return new Error(`the file on standard input shrank while it was read (${size} bytes when the read started, ${now} when the read ended)`);
}

/**
 * `source` with the check above at its end when it is a stream of file descriptor 0 that is a regular file
 * (process.stdin of this thread, a fs.ReadStream: `--parse-thread off`, or a command that reads on one thread);
 * anything else as it is (a pipe, a terminal, a stream of tests, the stream a parse thread is forwarded).
 */
export function checkedStdin<T extends AsyncIterable<Buffer | string>>(source: T): T | AsyncIterable<Buffer | string> {
  if ((source as { fd?: unknown }).fd !== 0) return source;
  const size = regularFileSize(0);
  if (size === null) return source;
  return (async function* (): AsyncGenerator<Buffer | string> {
    yield* source;
    const err = stdinShrank(0, size);
    if (err !== null) throw err;
  })();
}
