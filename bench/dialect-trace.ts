/**
 * The benchmark trace's CSV as other tools write it, cached next to it, for the `replay CR LF file` and `replay R csv
 * file` cases: the same records, read by the byte parsers' other paths (src/trace/fast.ts), which csv-parse read until
 * 2026-12-04 (11.6x and 14.3x the time of the canonical file).
 * - `crlf`: every line ending in CR LF (Python's csv module writes them by default).
 * - `r-csv`: as R's write.csv writes a data frame: a quoted header with an unnamed row names column first, each row's
 *   number quoted, strings (the hex pfn, the source) quoted, numbers not.
 */
import { closeSync, existsSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import type { BenchTrace } from './trace.js';

/** Bump when a dialect's printing changes, so stale cached files are not reused. */
export const BENCH_DIALECT_VERSION = 'v1';

/** The dialects the bench writes. */
export type BenchDialect = 'crlf' | 'r-csv';

/** One canonical line (no LF) as `dialect` writes it; `row`: its data row's number (from 1), 0 for the header. */
export function dialectLine(dialect: BenchDialect, line: string, row: number): string {
  if (dialect === 'crlf') return `${line}\r\n`;
  if (row === 0) return `"",${line.split(',').map((c) => `"${c}"`).join(',')}\n`;
  const [pfn, nid, src, time] = line.split(',');
  const q = (s: string | undefined) => (/^[0-9]+$/.test(s ?? '') ? s! : `"${s}"`);
  return `"${row}",${q(pfn)},${nid},${q(src)},${time}\n`;
}

/** Returns the cached `dialect` copy of `trace` (a canonical CSV with its header), writing it first if needed. */
export function benchDialectTrace(trace: BenchTrace, dialect: BenchDialect): BenchTrace {
  const file = `${trace.file}.${dialect}-${BENCH_DIALECT_VERSION}.csv`;
  if (existsSync(file)) return { ...trace, file, bytes: statSync(file).size, fresh: false, genMs: 0 };
  const tmp = `${file}.${process.pid}.tmp`;
  const t0 = performance.now();
  const from = openSync(trace.file, 'r');
  const to = openSync(tmp, 'w');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let carry = '';
    let row = 0;
    let out: string[] = [];
    const flush = (): void => {
      if (out.length > 0) writeSync(to, out.join(''));
      out = [];
    };
    for (let n = readSync(from, buf, 0, buf.length, null); n > 0; n = readSync(from, buf, 0, buf.length, null)) {
      const lines = (carry + buf.toString('latin1', 0, n)).split('\n');
      carry = lines.pop()!;
      for (const l of lines) out.push(dialectLine(dialect, l, row++));
      flush();
    }
    if (carry !== '') out.push(dialectLine(dialect, carry, row));
    flush();
  } catch (e) {
    closeSync(to);
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    closeSync(from);
  }
  closeSync(to);
  renameSync(tmp, file);
  return { ...trace, file, bytes: statSync(file).size, fresh: true, genMs: performance.now() - t0 };
}
