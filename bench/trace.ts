/** The benchmark's input: a deterministic generated trace, cached in os.tmpdir()/kpromo-bench/. */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, type GenStats } from '../src/gen/generate.js';
import { normalizeGenOptions, type GenOptions } from '../src/gen/options.js';

/** Bump when the generator's output changes, so stale cached traces are not reused. */
export const BENCH_TRACE_VERSION = 'gen-v1';

/** A trace file on disk. */
export interface BenchTrace {
  readonly file: string;
  readonly records: number;
  readonly bytes: number;
  readonly pages: number;
  /** Distinct pages the trace touches (null if the cached stats are missing). */
  readonly pagesTouched: number | null;
  /** True when the file was generated now (not found in the cache). */
  readonly fresh: boolean;
  readonly genMs: number;
}

/**
 * Options of the benchmark trace for `records` records: the 10 M reference has 1 M pages (90%
 * on the CXL node 2 of preset 2s-cxl) over 120 s at HZ 250; smaller runs keep the rate.
 */
export function benchTraceOptions(records: number): GenOptions {
  return normalizeGenOptions({
    pattern: 'zipf',
    records,
    pages: Math.min(1_000_000, Math.max(1000, Math.round(records / 10))),
    duration: Math.max(1, (120 * records) / 10_000_000),
    hz: 250,
    seed: 1,
  });
}

/** Returns the cached trace for `opts`, generating it first if needed. */
export function benchTrace(opts: GenOptions): BenchTrace {
  const dir = join(tmpdir(), 'kpromo-bench');
  mkdirSync(dir, { recursive: true });
  const key = createHash('sha256').update(`${BENCH_TRACE_VERSION} ${JSON.stringify(opts)}`).digest('hex').slice(0, 12);
  const file = join(dir, `trace-${BENCH_TRACE_VERSION}-${opts.records}r-${key}.csv`);
  const statsFile = `${file}.stats.json`;
  if (existsSync(file)) {
    let pagesTouched: number | null = null;
    try {
      pagesTouched = (JSON.parse(readFileSync(statsFile, 'utf8')) as GenStats).pagesTouched;
    } catch {
      // Stats are informative only.
    }
    return { file, records: opts.records, bytes: statSync(file).size, pages: opts.pages, pagesTouched, fresh: false, genMs: 0 };
  }
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  const t0 = performance.now();
  let stats: GenStats;
  try {
    stats = generate(opts, (chunk) => {
      writeSync(fd, chunk);
    });
  } finally {
    closeSync(fd);
  }
  const genMs = performance.now() - t0;
  writeFileSync(statsFile, JSON.stringify(stats));
  renameSync(tmp, file);
  return { file, records: opts.records, bytes: stats.bytes, pages: opts.pages, pagesTouched: stats.pagesTouched, fresh: true, genMs };
}

/**
 * Reads `file` once, so that the runs after it find it in the page cache; returns the bytes read. Before each trace's runs,
 * not only at the bench's start: this VM runs DAMON with a pageout scheme (`/sys/kernel/mm/damon/admin/kdamonds/0`:
 * paddr, `pageout` of memory not accessed for 12 aggregation intervals of 5 s, 128 MiB a second), which evicts a trace file
 * not read for a while, and the first run after paid the disk (the native section's first kpromo run of the 8 k-page
 * trace: 0.57-0.58 s and 0.96-1.00 s of CPU against 0.35-0.39 s and 0.58-0.61 s for the four after it, 2026-12-04).
 */
export function warmTrace(file: string): number {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) bytes += n;
  } finally {
    closeSync(fd);
  }
  return bytes;
}
