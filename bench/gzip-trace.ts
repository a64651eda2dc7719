/**
 * The gzip version of the benchmark trace: its CSV compressed by zlib at gzip's default level (6), cached next to the
 * CSV trace, for the `replay gzip file` case (a `.gz` trace is inflated on libuv's thread pool while the engine runs).
 */
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { BenchTrace } from './trace.js';

/** Bump when the compression changes, so stale cached files are not reused. */
export const BENCH_GZIP_VERSION = 'gzip-v1';

/** Returns the cached gzip of `trace`, compressing it first if needed; same records, its own file and size. */
export async function benchGzipTrace(trace: BenchTrace): Promise<BenchTrace> {
  // The name ends in .gz: kpromo reads it as gzip by its name (and its magic bytes).
  const file = `${trace.file}.${BENCH_GZIP_VERSION}.gz`;
  if (existsSync(file)) return { ...trace, file, bytes: statSync(file).size, fresh: false, genMs: 0 };
  const tmp = `${file}.${process.pid}.tmp`;
  const t0 = performance.now();
  try {
    await pipeline(createReadStream(trace.file, { highWaterMark: 1 << 20 }), createGzip({ level: 6 }), createWriteStream(tmp));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  renameSync(tmp, file);
  return { ...trace, file, bytes: statSync(file).size, fresh: true, genMs: performance.now() - t0 };
}
