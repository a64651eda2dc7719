/**
 * In-process benchmark tasks. Each runs in a fresh child (`node dist/bench/run.js --task NAME FILE`)
 * so its peak RSS is its own, and reports the time of the work alone, without Node's start-up.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { AccessSink } from '../src/engine/types.js';
import { BOUNDS_TASKS } from './bounds.js';
import { ENGINE_ALONE_TASKS } from './engine-alone.js';

/** What a task reports back to the parent (one JSON line on stdout). */
export interface TaskResult {
  readonly records: number;
  readonly ms: number;
}

/** An in-process task over a trace file. */
export type BenchTask = (file: string) => Promise<TaskResult>;

/** src/trace/read.ts, loaded at run time so the bench builds and reports even while it is missing. */
interface ReadModule {
  readTraces(
    inputs: Array<{ name: string }>,
    sink: AccessSink,
    opts?: object,
  ): Promise<{ records: number }>;
}

async function loadRead(): Promise<ReadModule> {
  const url = new URL('../src/trace/read.js', import.meta.url).href;
  const mod = (await import(url)) as Partial<ReadModule>;
  if (typeof mod.readTraces !== 'function') throw new Error(`${url} exports no readTraces()`);
  return mod as ReadModule;
}

/** Tasks by name; add one here and a case in cases.ts to measure something new in-process. */
export const BENCH_TASKS: Readonly<Record<string, BenchTask>> = {
  /** Reads the file in 1 MiB blocks and counts lines: the I/O ceiling any parser works under. */
  async baseline(file) {
    const t0 = performance.now();
    const fd = openSync(file, 'r');
    const buf = Buffer.allocUnsafe(1 << 20);
    let lines = 0;
    try {
      for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) {
        for (let i = buf.indexOf(10); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) lines++;
      }
    } finally {
      closeSync(fd);
    }
    // Every line but the header is a record.
    return { records: lines - 1, ms: performance.now() - t0 };
  },
  /** readTraces() into a sink that only counts: the parser's own speed. */
  async parse(file) {
    const { readTraces } = await loadRead();
    let seen = 0;
    const sink: AccessSink = {
      record_access() {
        seen++;
      },
    };
    const t0 = performance.now();
    const result = await readTraces([{ name: file }], sink);
    const ms = performance.now() - t0;
    if (result.records !== seen) throw new Error(`readTraces reported ${result.records} records, sink saw ${seen}`);
    return { records: seen, ms };
  },
  // Issue 12: --analysis with and without the bounds (bounds.ts).
  ...BOUNDS_TASKS,
  ...ENGINE_ALONE_TASKS,
};

/** hash_64(pfn, 16) of the patch, for the bucket-ordered cliff case. */
async function cliffTrace(spec: string): Promise<{ pfn: Float64Array; time: Float64Array; n: number }> {
  const { hash_64 } = await import('../src/engine/hash.js');
  const [order, mode, pagesText] = spec.split('/');
  const pages = Number(pagesText);
  const base = 0x1000000; // the CXL range of CLIFF_TOPOLOGY: 2^24 pages
  const pfns = new Float64Array(pages);
  for (let i = 0; i < pages; i++) pfns[i] = base + i;
  if (order === 'strided') for (let i = 0; i < pages; i++) pfns[i] = base + ((i * 8) % 2 ** 24);
  if (order === 'random' || order === 'bucket-ordered' || order === 'two-scans') {
    // A full-period LCG mod 2^24: distinct pseudo-random pfns of the range.
    let x = 12345;
    for (let i = 0; i < pages; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) & 0xffffff;
      pfns[i] = base + x;
    }
  }
  if (order === 'bucket-ordered') {
    const keyed = Array.from(pfns, (p) => [hash_64(p, 16), p] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    keyed.forEach(([, p], i) => (pfns[i] = p));
  }
  // Each page twice at one time (frequency reaches the threshold): all before one pass ('one'), or in
  // 1000 groups each at its own pass period ('many').
  const n = 2 * pages;
  const pfn = new Float64Array(n);
  const time = new Float64Array(n);
  const per = Math.ceil(pages / 1000);
  if (order === 'two-scans') {
    // Every page once, then every page again in the same order (a pass's pages, or a group's, scanned twice): a
    // page's second access finds a record that many later ones were added after (kpromoted_lookup() walks its chain).
    const group = mode === 'many' ? per : pages;
    let k = 0;
    for (let g = 0; g < pages; g += group) {
      const end = Math.min(pages, g + group);
      for (let scan = 0; scan < 2; scan++) {
        for (let i = g; i < end; i++, k++) {
          pfn[k] = pfns[i]!;
          time[k] = mode === 'many' ? 250 * Math.floor(i / per) : 0;
        }
      }
    }
    return { pfn, time, n };
  }
  for (let i = 0; i < pages; i++) {
    pfn[2 * i] = pfn[2 * i + 1] = pfns[i]!;
    time[2 * i] = time[2 * i + 1] = mode === 'many' ? 250 * Math.floor(i / per) : 0;
  }
  return { pfn, time, n };
}

(BENCH_TASKS as Record<string, BenchTask>)['cliff'] = async (spec) => {
  const { RfcV1Engine } = await import('../src/engine/rfc-v1.js');
  const { RFC_V1_DEFAULTS } = await import('../src/engine/config.js');
  const topology = {
    name: 'cliff',
    nodes: [
      { id: 0, cpus: [0], adistance: 576, pfn_ranges: [{ start: 0, end: 0x1000000, kind: 'lru' as const }], free_pages: null, high_wmark_pages: 0 },
      { id: 1, cpus: [], adistance: 2880, pfn_ranges: [{ start: 0x1000000, end: 0x2000000, kind: 'lru' as const }], free_pages: null, high_wmark_pages: 0 },
    ],
  };
  const { pfn, time, n } = await cliffTrace(spec);
  const nid = new Int32Array(n);
  const src = new Int32Array(n);
  const e = new RfcV1Engine({ ...RFC_V1_DEFAULTS, topology }, 'rfc-v1');
  const t0 = performance.now();
  const B = 16384;
  for (let i = 0; i < n; i += B) {
    const m = Math.min(B, n - i);
    e.record_batch(pfn.subarray(i, i + m), nid.subarray(i, i + m), src.subarray(i, i + m), time.subarray(i, i + m), m);
  }
  e.finish();
  const ms = performance.now() - t0;
  const promoted = e.counters().find((c) => c.name === 'kpromoted_mig_promoted')!.value;
  if (promoted !== n / 2) throw new Error(`cliff ${spec}: ${promoted} pages promoted, expected ${n / 2}`);
  return { records: n, ms };
};
