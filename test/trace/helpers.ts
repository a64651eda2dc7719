/** Helpers for the trace reader tests: collect records, read inline CSV through stdin or temp files; a perf line shape. */
import { Readable } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceError } from '../../src/errors.js';
import type { FastShape } from '../../src/trace/perf-fast.js';
import { readTraces, type ReadOptions, type ReadStats } from '../../src/trace/read.js';

/** One access record as the sink received it. */
export type Rec = [pfn: number, nid: number, src: number, time: number];

/** What a read gave: the records, the stats, or the error. */
export interface Outcome {
  recs: Rec[];
  stats?: ReadStats;
  error?: TraceError;
}

/** Reads `chunks` as standard input. */
export async function readStdin(chunks: (string | Buffer)[], opts: ReadOptions = {}): Promise<Outcome> {
  const recs: Rec[] = [];
  const stdin = Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  try {
    const stats = await readTraces([], { record_access: (p, n, s, t) => recs.push([p, n, s, t]) }, { ...opts, stdin });
    return { recs, stats };
  } catch (err) {
    if (err instanceof TraceError) return { recs, error: err };
    throw err;
  }
}

/** Reads named files. */
export async function readFiles(names: string[], opts: ReadOptions = {}): Promise<Outcome> {
  const recs: Rec[] = [];
  try {
    const stats = await readTraces(
      names.map((name) => ({ name })),
      { record_access: (p, n, s, t) => recs.push([p, n, s, t]) },
      opts,
    );
    return { recs, stats };
  } catch (err) {
    if (err instanceof TraceError) return { recs, error: err };
    throw err;
  }
}

/** Records of a CSV text, or throws its TraceError. */
export async function records(csv: string, opts: ReadOptions = {}): Promise<Rec[]> {
  const o = await readStdin([csv], opts);
  if (o.error) throw o.error;
  return o.recs;
}

/** The TraceError a CSV text gives (fails when there is none). */
export async function errorOf(csv: string, opts: ReadOptions = {}): Promise<TraceError> {
  const o = await readStdin([csv], opts);
  if (!o.error) throw new Error(`expected a TraceError, got ${o.recs.length} records`);
  return o.error;
}

/** The parts of an error that must match between the two parsers. */
export function errorKey(e: TraceError | undefined): unknown {
  return e && { code: e.code, file: e.file, line: e.line, column: e.column, field: e.field, text: e.text, reason: e.reason };
}

let dir: string | undefined;
/** Writes a file in a per-run temp folder and returns its path. */
export function tempFile(name: string, data: string | Buffer): string {
  dir ??= mkdtempSync(join(tmpdir(), 'kpromo-trace-'));
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

/** The perf fast path's shape of `-F comm,tid,cpu,time,event,addr,phys_addr` lines, node NUMA_NO_NODE, HZ 250, 4 KiB pages. */
export const IBS_SHAPE: FastShape = {
  cpu: 1,
  period: 0,
  event: 1,
  leadingHex: 1,
  phys: 1,
  byCpu: false,
  fixedNid: -1,
  cpuNode: new Int32Array(0),
  hz: 250,
  pageSize: 4096,
  pidTid: 0,
};
