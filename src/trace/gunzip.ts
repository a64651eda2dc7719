/** node:zlib, loaded only when a gzip input is met (a plain replay does not load it: start-up). */
import type { Gunzip, ZlibOptions } from 'node:zlib';

/**
 * How a trace's gzip stream is inflated: output in chunks of 1 MiB, and up to 4 MiB of them kept ahead of the reader.
 * zlib inflates on libuv's thread pool, one output chunk a job, and each job's end is handled by the reading thread's
 * event loop, which is busy parsing and replaying; zlib's default 16 KiB chunks (or the 256 KiB kpromo used before)
 * with the default 16 KiB ahead left the pool waiting on the parse and the parse on the pool. On this 2-core VM
 * (2026-12-04, 14:28-14:37 UTC, alternating runs, paired medians) a replay of the bench's 10 M trace gzipped took
 * 0.87x the time with these against 256 KiB chunks and 16 KiB ahead (7 runs; 512 KiB chunks 2 MiB ahead 0.89x, 1 MiB
 * chunks 8 MiB ahead 0.87x, 2 MiB chunks 8 MiB ahead 0.91x), of the 2 M trace 0.95x (9 runs); peak RSS 4 MiB higher
 * (107 against 103 MiB). The reader is given what is buffered at once: chunks of up to 5 MiB.
 */
export const GUNZIP_OPTIONS: Readonly<ZlibOptions & { readableHighWaterMark: number }> = { chunkSize: 1 << 20, readableHighWaterMark: 4 << 20 };

/** zlib.createGunzip(), loading node:zlib on first use. */
export async function createGunzip(opts: ZlibOptions = GUNZIP_OPTIONS): Promise<Gunzip> {
  const zlib = await import('node:zlib');
  return zlib.createGunzip(opts);
}

/**
 * What followed the last gzip member. Node's zlib stops at a zero byte after a member and drops everything from
 * there unseen (zero padding, as tar and dd leave, but also anything after the zeros). gzip -d accepts the padding
 * with a warning ("decompression OK, trailing zero bytes ignored") and calls anything else trailing garbage: so do we,
 * from the compressed bytes fed (`see`) and the bytes zlib took (`bytesWritten`).
 */
export class GzipTail {
  private fed = 0;
  /** Offset of the last nonzero byte fed; -1: none. */
  private lastNonZero = -1;

  constructor(private readonly gunzip: Gunzip) {}

  /** Counts compressed bytes as they are fed to the gunzip stream (a 'data' listener of its source). */
  readonly see = (chunk: Buffer | string): void => {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let i = b.length - 1;
    while (i >= 0 && b[i] === 0) i--; // a gzip member ends in its size: a zero byte or few at most, on valid input
    if (i >= 0) this.lastNonZero = this.fed + i;
    this.fed += b.length;
  };

  /**
   * Once the gunzip stream has ended: how many zero bytes after the last member zlib ignored (0: none). Throws a gzip
   * error (code Z_DATA_ERROR, for ioError) when a nonzero byte was among the bytes ignored.
   */
  trailingZeros(): number {
    const used = this.gunzip.bytesWritten;
    if (used >= this.fed) return 0;
    if (this.lastNonZero >= used) {
      const err = new Error(`trailing garbage after the compressed data: ${this.fed - used} bytes from byte ${used} on, not all zero`);
      throw Object.assign(err, { code: 'Z_DATA_ERROR' });
    }
    return this.fed - used;
  }
}

/** The stderr note (without `kpromo: `) for `zeros` trailing zero bytes of `file`, gzip -d's warning with the count. */
export function gzipZerosNote(file: string, zeros: number): string {
  return `${file}: gzip: decompression OK, ${zeros} trailing zero byte${zeros === 1 ? '' : 's'} ignored`;
}
