/**
 * A file's chunks with the next read already under way: while the caller parses chunk k, the thread pool reads
 * chunk k + 1 into the other of two reused buffers. (A stream, createReadStream, asks for the next chunk only when
 * the caller takes one, and gives a new buffer each time: a perf-text replay's parse thread waited for each read, and
 * peaked 30 MiB higher.) The CSV and perf readers read regular files and named pipes this way.
 */

/** What readAhead reads from: an FdFile (fd-file.ts), or a FileHandle. */
export interface PositionalReader {
  read(buf: Buffer, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
}

/** Bytes a read. */
export const READ_AHEAD_CHUNK = 1 << 20;

/**
 * Yields the bytes of `fh` from `offset` (a regular file; 0 for a pipe, read from where it is) in chunks of up to
 * `chunk` bytes. A chunk is valid until the caller asks for the next one (two buffers take turns). A read error is
 * thrown as `wrap` makes it (read.ts's ioError, naming the file). Stopping early waits for the read under way; the
 * caller closes `fh`. `size`: a regular file's size when opened; an end before it is an error (the file shrank while
 * it was read: the records past the cut would be missing without a word).
 */
export async function* readAhead(
  fh: PositionalReader,
  wrap: (err: unknown) => Error,
  offset = 0,
  chunk = READ_AHEAD_CHUNK,
  size: number | null = null,
): AsyncGenerator<Buffer, void, undefined> {
  const bufs = [Buffer.allocUnsafe(chunk), Buffer.allocUnsafe(chunk)] as const;
  // One read in flight at a time, each where the last ended: a position counted here from `offset`, or the file's own
  // position (null) from its start.
  let at = offset;
  const read = (buf: Buffer): Promise<number> =>
    fh.read(buf, 0, chunk, offset > 0 ? at : null).then(
      (r) => {
        at += r.bytesRead;
        return r.bytesRead;
      },
      (err: unknown) => {
        throw wrap(err);
      },
    );
  let which = 0;
  let next: Promise<number> | null = read(bufs[0]);
  try {
    for (;;) {
      const n: number = await next;
      next = null;
      if (n === 0) {
        if (size !== null && at < size) throw wrap(new Error(`the file shrank while it was read (${size} bytes when opened, ${at} when the read ended)`));
        return;
      }
      const buf = bufs[which]!;
      which ^= 1;
      next = read(bufs[which]!);
      yield buf.subarray(0, n);
    }
  } finally {
    // Stopped early or failed while a read was under way: let it end before the caller closes the file.
    if (next !== null) await next.catch(() => 0);
  }
}
