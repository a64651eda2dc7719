/**
 * Runs a sweep's configurations: in process, or over reads broadcast to engine worker threads (shared.ts),
 * in groups small enough for the memory budget; the threads are started once and serve every read (lane-pool.ts).
 * Results come back in configuration order; stopped (Ctrl-C), the partial counters of every configuration stay on
 * the run's board (board.ts).
 */
import type { ReadProgress } from '../trace/read.js';
import type { MultiConfig } from './config.js';
import { runMulti, trackerSlot, type ConfigResult, type MultiResult, type MultiRunOptions } from './run-multi.js';
import { canRunShared, laneWorkerPath, runShared } from './shared.js';
import { LanePool } from './lane-pool.js';
import { RunTracker } from './board.js';
import type { GroupSizer } from './plan.js';
import { collectTwice } from './collect.js';

export { slices } from './slices.js';

/** Most engines fed by one read: each holds its own tables. */
export const MAX_PER_PASS = 64;

/** True when an input is standard input (a worker cannot read it). */
export function readsStdin(opts: Pick<MultiRunOptions, 'inputs'>): boolean {
  return opts.inputs.length === 0 || opts.inputs.some((i) => i.name === '-');
}

/**
 * Runs `configs` with `jobs` engine threads (1 = in process), at most `group` engines alive at once (a
 * number, or a sizer that learns from each read's memory): a larger grid is run in several reads of the
 * traces, each read broadcast to every thread (shared.ts), the same threads for every read (lane-pool.ts: ended
 * before this returns or throws). Standard input can be read once only: every engine runs in process over its
 * one read.
 */
export async function runSweep(
  configs: readonly MultiConfig[],
  opts: MultiRunOptions,
  jobs: number,
  group: number | GroupSizer = MAX_PER_PASS,
): Promise<MultiResult> {
  if (readsStdin(opts)) return runMulti(configs, opts);
  const sizer: GroupSizer = typeof group === 'number' ? { first: group, next: () => group } : group;
  // One board for the whole grid: each read publishes at its configurations' offset.
  const track = opts.track ?? new RunTracker(configs);
  const results: ConfigResult[] = [];
  let last: MultiResult | null = null;
  let offset = 0;
  let size = Math.max(1, sizer.first);
  const groups: number[] = [];
  const pool = jobs > 1 && canRunShared(opts) ? new LanePool(laneWorkerPath()) : null;
  try {
    for (let reads = 0; offset < configs.length; reads++) {
      // Even groups: the configurations left over `ceil(left / size)` reads.
      const left = configs.length - offset;
      const part = configs.slice(offset, offset + Math.ceil(left / Math.ceil(left / size)));
      const done = offset;
      // Progress over every read: the bytes and records of the reads before this one count too.
      const onProgress = opts.onProgress
        ? (p: ReadProgress) => {
            const reads_ = reads;
            opts.onProgress!({
              bytes: (p.totalBytes ?? 0) * reads_ + p.bytes,
              totalBytes: p.totalBytes === null ? null : p.totalBytes * (reads_ + Math.ceil((configs.length - done) / part.length)),
              records: (last?.read.records ?? 0) * reads_ + p.records,
            });
          }
        : undefined;
      const o: MultiRunOptions = { ...opts, track, ...(onProgress ? { onProgress } : {}) };
      const threads = Math.min(jobs, part.length);
      // In process, the engines of the read before are collected first (collect.ts), as the lane threads collect theirs
      // before each job: their garbage taken for what engines cost shrank every later read (a 4096-configuration grid
      // over 10 records: 3511 reads of 1 engine at the end, 52 s, 375 MB against the budget of 280).
      if (reads > 0 && !(threads > 1 && pool !== null)) collectTwice();
      sizer.start?.();
      last = threads > 1 && pool !== null ? await runShared(part, o, threads, offset, pool) : await runMulti(part, o, trackerSlot(track, offset));
      groups.push(part.length);
      if (last.interrupted) return { ...last, groups };
      results.push(...last.results);
      offset += part.length;
      size = Math.max(1, sizer.next(part.length));
    }
  } finally {
    await pool?.close();
  }
  return { results, read: last!.read, interrupted: false, groups };
}
