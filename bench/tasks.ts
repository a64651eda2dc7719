/**
 * In-process benchmark tasks. Each runs in a fresh child (`node dist/bench/run.js --task NAME FILE`)
 * so its peak RSS is its own, and reports the time of the work alone, without Node's start-up.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { AccessSink } from '../src/engine/types.js';

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
};
