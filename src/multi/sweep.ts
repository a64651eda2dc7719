/**
 * Runs a sweep's configurations: in process over one read of the traces, or split over worker threads
 * that each read the traces themselves (files only). Results come back in configuration order.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { KpromoError } from '../errors.js';
import type { MultiConfig } from './config.js';
import { runMulti, type ConfigResult, type MultiResult, type MultiRunOptions } from './run-multi.js';
import { canRunShared, runShared } from './shared.js';
import { reviveError, type SweepJob, type SweepReply } from './worker-message.js';

/** Grids up to this size run in process unless `--jobs` says otherwise: a thread costs more than it saves. */
export const IN_PROCESS_MAX = 4;

/** Most engines fed by one read: each holds its own tables, so larger grids take several reads. */
export const MAX_PER_PASS = 16;

/** Default `--jobs`: every core for grids larger than IN_PROCESS_MAX, else 1 (in process). */
export function defaultJobs(configs: number): number {
  return configs > IN_PROCESS_MAX ? availableParallelism() : 1;
}

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

/** Splits `items` into `parts` contiguous slices whose sizes differ by at most one. */
export function slices<T>(items: readonly T[], parts: number): T[][] {
  const n = Math.max(1, Math.min(parts, items.length));
  const out: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const size = Math.floor(items.length / n) + (i < items.length % n ? 1 : 0);
    out.push(items.slice(start, start + size));
    start += size;
  }
  return out;
}

/** Runs `configs` with `jobs` threads (1 = in process). Standard input always runs in process. */
export async function runSweep(configs: readonly MultiConfig[], opts: MultiRunOptions, jobs: number): Promise<MultiResult> {
  if (readsStdin(opts)) return runMulti(configs, opts); // stdin can be read once only: every engine in one pass
  const passes = Math.ceil(configs.length / MAX_PER_PASS);
  if (jobs <= 1) {
    const results: ConfigResult[] = [];
    let last: MultiResult | null = null;
    for (const part of slices(configs, passes)) {
      last = await runMulti(part, opts);
      if (last.interrupted) return last;
      results.push(...last.results);
    }
    return { results, read: last!.read, interrupted: false };
  }
  // One read broadcast to a worker per core, while every worker holds at most MAX_PER_PASS engines.
  if (canRunShared(opts) && Math.ceil(configs.length / jobs) <= MAX_PER_PASS) return runShared(configs, opts, jobs);
  return runWorkers(slices(configs, Math.max(jobs, passes)), opts, jobs);
}

/** Runs each slice in a worker thread, at most `jobs` at a time; the first error stops the others. */
async function runWorkers(parts: MultiConfig[][], opts: MultiRunOptions, jobs: number): Promise<MultiResult> {
  const file = sweepWorkerPath();
  if (!existsSync(file)) {
    throw new KpromoError('KPROMO_WORKER', `sweep worker ${file} is missing (run \`npm run build\`), or use --jobs 1`, 70);
  }
  const replies: (SweepReply & { ok: true })[] = new Array(parts.length);
  const live = new Set<Worker>();
  let next = 0;
  let failed = false;
  let interrupted = false;
  const poll = opts.shouldStop
    ? setInterval(() => {
        if (opts.shouldStop!()) {
          interrupted = true;
          for (const w of live) void w.terminate();
        }
      }, 100)
    : null;

  const runOne = (index: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const job: SweepJob = { configs: parts[index]!, inputs: opts.inputs, parser: opts.parser };
      const w = new Worker(file, { workerData: job });
      live.add(w);
      let answered = false;
      w.on('message', (m: SweepReply) => {
        answered = true;
        if (m.ok) {
          replies[index] = m;
          resolve();
        } else reject(reviveError(m.error));
      });
      w.on('error', reject);
      w.on('exit', (code) => {
        live.delete(w);
        if (answered) return;
        if (interrupted || failed) resolve(); // terminated on purpose
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
  const first = replies[0];
  const read = { records: first?.records ?? 0, bytes: first?.bytes ?? 0, files: first?.files ?? 0, skipped: 0, stopped: interrupted };
  if (interrupted) return { results: [], read, interrupted: true };
  return { results: replies.flatMap((r) => r.results), read, interrupted: false };
}
