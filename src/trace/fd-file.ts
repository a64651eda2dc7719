/**
 * The few FileHandle calls the trace readers make (open, read at a position, close; stat), on node:fs: node:fs/promises
 * loads a dozen more of Node's modules (streams, readline, watchers), about 2 ms of every start. The errors are
 * node:fs's own ("ENOENT: no such file or directory, open 'x.csv'", with code and path).
 *
 * A regular file is opened at once (its open never waits), and a small one (at most SYNC_READ_BYTES) is read at once
 * too: a 10-line trace then costs no round trips through libuv's thread pool (which its first use also starts). A
 * FIFO's open waits for a writer, and so is made off the main thread, as are the reads of anything else.
 */
import { close, closeSync, constants, fstatSync, open, openSync, read, readSync, statSync, type Stats } from 'node:fs';
import { regularFileSize } from './stdin-size.js';

/** Regular files up to this size are read with blocking reads (one or two of them, at start-up). */
export const SYNC_READ_BYTES = 1 << 20;

/** An open file: a file descriptor with promise-returning read and close, as FileHandle has. */
export class FdFile {
  private constructor(
    readonly fd: number,
    /** Reads and close run at once (a small regular file). */
    readonly sync: boolean,
  ) {}

  /**
   * Opens `name` for reading. A regular file (by stat) is opened at once, with O_NONBLOCK, so that a FIFO put in its
   * place between the stat and the open cannot block the thread (fstat then sees it, and it is opened again the other
   * way); anything else by stat is opened off the main thread, once (a second open of a FIFO would let a writer that
   * waits for its reader through, to find no reader at its first write). `syncReads`: read a regular file at once
   * whatever its size.
   */
  static open(name: string, syncReads = false): Promise<FdFile> {
    let fd = -1;
    try {
      if (statSync(name).isFile()) {
        fd = openSync(name, constants.O_RDONLY | constants.O_NONBLOCK);
        const st = fstatSync(fd);
        if (st.isFile()) return Promise.resolve(new FdFile(fd, syncReads || st.size <= SYNC_READ_BYTES));
      }
    } catch {
      // reported by the open below, as node:fs words it
    }
    if (fd >= 0) closeSync(fd);
    return new Promise((resolve, reject) => open(name, 'r', (err, fd) => (err ? reject(err) : resolve(new FdFile(fd, false)))));
  }

  /** The size of a regular file now (fstat), or null for anything else (a FIFO). */
  regularSize(): number | null {
    return regularFileSize(this.fd);
  }

  /** Reads up to `length` bytes into `buf` at `offset`, from `position` (null: the file's own position). */
  read(buf: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }> {
    if (this.sync) {
      try {
        return Promise.resolve({ bytesRead: readSync(this.fd, buf, offset, length, position) });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise((resolve, reject) => read(this.fd, buf, offset, length, position, (err, bytesRead) => (err ? reject(err) : resolve({ bytesRead }))));
  }

  close(): Promise<void> {
    if (this.sync) {
      try {
        closeSync(this.fd);
        return Promise.resolve();
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise((resolve, reject) => close(this.fd, (err) => (err ? reject(err) : resolve())));
  }
}

/** stat(2) of a path, as node:fs/promises' stat (at once: a stat never waits as an open of a FIFO does). */
export function statPath(name: string): Promise<Stats> {
  try {
    return Promise.resolve(statSync(name));
  } catch (err) {
    return Promise.reject(err);
  }
}
