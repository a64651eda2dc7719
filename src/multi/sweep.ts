/**
 * Runs a sweep's configurations: in process over one read of the traces, over one read broadcast to worker
 * threads (shared.ts), or split over worker threads that each read the traces themselves (files only).
 * Results come back in configuration order; stopped (Ctrl-C), the partial counters of every configuration.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { KpromoError } from '../errors.js';
import type { InputStats } from '../trace/input.js';
import type { ReadProgress } from '../trace/read.js';
import type { MultiConfig } from './config.js';
import { RunTracker } from './board.js';
import { runMulti, trackerSlot, type ConfigResult, type MultiResult, type MultiRunOptions } from './run-multi.js';
import { canRunShared, runShared } from './shared.js';
import { slices } from './slices.js';
import { reviveError, type SweepJob, type SweepMessage } from './worker-message.js';

export { slices } from './slices.js';

/** Most engines fed by one read by default: each holds its own tables, so larger grids take several reads. */
export const MAX_PER_PASS = 16;

/** True when an input is standard input (a worker cannot read it). */
export function readsStdin(opts: Pick<MultiRunOptions, 'inputs'>): boolean {
  return opts.inputs.length === 0 || opts.inputs.some((i) => i.name === '-');
}

/**
 * dist/src/multi/sweep-worker.js: beside this module when it runs from dist/, else (TypeScript source,
 * as under vitest) the built copy, two levels up in dist/.
 */
export function sweepWorkerPath(): string {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  return here.endsWith('.js') ? join(dir, 'sweep-worker.js') : join(dir, '..', '..', 'dist', 'src', 'multi', 'sweep-worker.js');
}

/**
 * Runs `configs` with `jobs` threads (1 = in process), at most `perRead` engines alive per thread and
 * read. Standard input always runs in process, every engine over its one read.
 */
export async function runSweep(configs: readonly MultiConfig[], opts: MultiRunOptions, jobs: number, perRead = MAX_PER_PASS): Promise<MultiResult> {
  if (readsStdin(opts)) return runMulti(configs, opts); // stdin can be read once only: every engine in one pass
  const passes = Math.ceil(configs.length / perRead);
  if (jobs <= 1) {
    const results: ConfigResult[] = [];
    let last: MultiResult | null = null;
    let offset = 0;
    for (const part of slices(configs, passes)) {
      last = await runMulti(part, opts, trackerSlot(opts.track, offset));
      if (last.interrupted) return last;
      results.push(...last.results);
      offset += part.length;
    }
    return { results, read: last!.read, interrupted: false };
  }
  // One read broadcast to a worker per core, while every worker holds at most perRead engines.
  if (canRunShared(opts) && Math.ceil(configs.length / jobs) <= perRead) return runShared(configs, opts, jobs);
  return runWorkers(slices(configs, Math.max(jobs, passes)), opts, jobs);
}

/** Runs each slice in a worker thread, at most `jobs` at a time; the first error stops the others. */
async function runWorkers(parts: MultiConfig[][], opts: MultiRunOptions, jobs: number): Promise<MultiResult> {
  const file = sweepWorkerPath();
  if (!existsSync(file)) {
    throw new KpromoError('KPROMO_WORKER', `sweep worker ${file} is missing (run \`npm run build\`), or use --jobs 1`, 70);
  }
  const replies: ({ results: ConfigResult[]; read: InputStats } | undefined)[] = new Array(parts.length);
  const track = opts.track ?? new RunTracker(parts.flat());
  const offsets = parts.map((_, i) => parts.slice(0, i).reduce((n, p) => n + p.length, 0));
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const live = new Set<Worker>();
  // Progress: every slice reads the traces once; the line shows the sum over all reads.
  const progress = new Map<number, ReadProgress>();
  let totalBytes: number | null = null;
  let next = 0;
  let failed = false;
  let interrupted = false;
  const report = (): void => {
    let bytes = 0;
    let records = 0;
    for (const p of progress.values()) {
      bytes += p.bytes;
      records += p.records;
      if (p.totalBytes !== null) totalBytes = p.totalBytes;
    }
    opts.onProgress?.({ bytes, records, totalBytes: totalBytes === null ? null : totalBytes * parts.length });
  };
  const poll = opts.shouldStop
    ? setInterval(() => {
        if (!interrupted && opts.shouldStop!()) {
          // The partial counters are on the board: end the workers at once.
          interrupted = true;
          Atomics.store(stop, 0, 1);
          for (const w of live) void w.terminate();
        }
      }, 20)
    : null;

  const runOne = (index: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const job: SweepJob = {
        configs: parts[index]!,
        inputs: opts.inputs,
        parser: opts.parser,
        stop: stop.buffer as SharedArrayBuffer,
        board: track.board.buffer,
        boardSize: track.board.size,
        offset: offsets[index]!,
      };
      const w = new Worker(file, { workerData: job });
      live.add(w);
      let answered = false;
      w.on('message', (m: SweepMessage) => {
        if (m.ok === 'progress') {
          progress.set(index, m.progress);
          report();
          return;
        }
        if (m.ok === 'names') {
          track.names[m.index] = m.names;
          return;
        }
        answered = true;
        if (m.ok === true) {
          replies[index] = m;
          resolve();
        } else if (m.ok === 'stopped') resolve();
        else reject(reviveError(m.error));
      });
      w.on('error', reject);
      w.on('exit', (code) => {
        live.delete(w);
        if (answered) return;
        if (interrupted || failed) resolve(); // ended on purpose
        else reject(new Error(`sweep worker exited with code ${code} without a result`));
      });
    });

  const lane = async (): Promise<void> => {
    while (!failed && !interrupted && next < parts.length) await runOne(next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, parts.length) }, lane));
  } catch (e) {
    failed = true;
    await Promise.all([...live].map((w) => w.terminate()));
    throw e;
  } finally {
    if (poll) clearInterval(poll);
  }
  const done = replies.find((r) => r !== undefined);
  const read: InputStats = done?.read ?? {
    records: Math.max(0, ...[...progress.values()].map((p) => p.records)),
    bytes: 0,
    files: 0,
    skipped: 0,
    stopped: true,
    kinds: [],
    badReasons: {},
    firstBad: [],
    perf: null,
  };
  if (interrupted) return { results: [], read: { ...read, stopped: true }, interrupted: true };
  return { results: replies.flatMap((r) => r!.results), read, interrupted: false };
}
