/**
 * How a multi run uses the machine: in this process (the parse thread beside one engine thread) or engine
 * worker threads fed by one read. Pure: the command passes the trace size, the cores and the load average.
 *
 * - Standard input is read once, here: always in process.
 * - `--jobs N` above the number of cores is capped at the cores, with a warning (each worker holds its own
 *   engines: more threads than cores only add memory).
 * - A tiny job (trace bytes x configurations under TINY_WORK_BYTES) runs in process: starting a worker
 *   costs more than the engines' work it could take over.
 * - Otherwise workers, whatever other processes do. The 1-minute load average used to send a run in process
 *   when the cores looked busy, but it counts the last minute's work (kpromo's own replays run just before,
 *   in a benchmark or a script), and measured on 2 cores (compare of 3 engines, 10 M records, 2026-11-30)
 *   workers were faster quiet (3.3-4.2 s against 4.5-5.3 s in process) and beside two CPU-bound processes
 *   (6.8-8.5 s against 8.9-10.1 s), and within the noise beside one (README "Speed and memory").
 */

/** Below this many trace bytes x configurations a multi run does not start worker threads. */
export const TINY_WORK_BYTES = 32 << 20;

/** What the plan is made from. */
export interface PlanInput {
  /** Configurations to run. */
  readonly configs: number;
  /** True when a trace is standard input. */
  readonly stdin: boolean;
  /** Bytes of the trace files (compressed size for .gz files), null when unknown. */
  readonly traceBytes: number | null;
  /** `--jobs` as given, null for the default. */
  readonly jobs: number | null;
  readonly cores: number;
  /** Threads per core the default may use (compare: 2, so engines of unequal cost keep every core busy). */
  readonly perCore?: number;
}

/** The decision, with the lines to print on stderr. */
export interface ExecPlan {
  /** Engine threads: 1 = in process. */
  readonly threads: number;
  /** Why, in a few words (for tests and --debug). */
  readonly reason: 'stdin' | 'one configuration' | 'tiny' | 'jobs' | 'cores';
  readonly warnings: string[];
}

/** Decides threads for a multi run. */
export function planThreads(p: PlanInput): ExecPlan {
  const warnings: string[] = [];
  let jobs = p.jobs;
  if (jobs !== null && jobs > p.cores) {
    warnings.push(`--jobs ${jobs} is more than the ${p.cores} CPU${p.cores === 1 ? '' : 's'} of this machine: using ${p.cores}`);
    jobs = p.cores;
  }
  if (p.stdin) {
    if (jobs !== null && jobs > 1) warnings.push('standard input can be read only once: the engines run in this process (--jobs ignored)');
    return { threads: 1, reason: 'stdin', warnings };
  }
  if (p.configs <= 1) return { threads: 1, reason: 'one configuration', warnings };
  if (jobs !== null) return { threads: Math.min(jobs, p.configs), reason: 'jobs', warnings };
  if (p.traceBytes !== null && p.traceBytes * p.configs < TINY_WORK_BYTES) return { threads: 1, reason: 'tiny', warnings };
  return { threads: Math.min(p.configs, p.cores * (p.perCore ?? 1)), reason: 'cores', warnings };
}

/** Default memory budget of a multi run (peak RSS of the process, workers included). */
export const DEFAULT_MEMORY_BUDGET = 280 << 20;

/**
 * Peak RSS of a Node process with the parse thread, before any engine (measured ~60 MB on Node 20), and
 * what each engine worker thread adds besides its engines (an isolate and its heap, ~13 MB measured).
 */
export const BASE_BYTES = 64 << 20;
export const WORKER_BYTES = 14 << 20;

/**
 * An engine's memory grows with the pages it tracks or moved (~26 bytes a page measured on the 10 M-record
 * bench trace: 20 MB an engine for 763 k pages). The pages a trace touches are at most its records (and the
 * slow-tier pages of the topology); records are estimated from the trace size (~26 bytes a CSV line).
 */
export const BYTES_PER_PAGE = 26;
export const ENGINE_FIXED_BYTES = 3 << 20;
const BYTES_PER_RECORD_TEXT = 26;

/** Estimated peak bytes of one engine over a trace of `traceBytes` (null: unknown, standard input). */
export function engineBytes(traceBytes: number | null, slowPages: number): number {
  const records = traceBytes === null ? Infinity : traceBytes / BYTES_PER_RECORD_TEXT;
  return ENGINE_FIXED_BYTES + BYTES_PER_PAGE * Math.min(records, slowPages);
}

/**
 * Engines alive at once (one read) that fit `budget` with `threads` engine threads (1 = in process): at
 * least one per thread and at most `max`. A grid larger than this is run in several reads of the traces:
 * each read costs one more parse, the engines' work stays the same.
 */
export function engineGroup(budget: number, threads: number, perEngine: number, max: number): number {
  const base = BASE_BYTES + (threads > 1 ? threads * WORKER_BYTES : 0);
  const fit = Math.floor((budget - base) / perEngine);
  return Math.max(threads, Math.min(max, fit));
}

/**
 * The group of the next read, from what the last read used: its `engines` raised the process's RSS from
 * `baseRss` (before the run) to `readPeakRss` (the highest RSS seen during that read), so engines cost at
 * most (peak - base) / engines each, worker isolates and memory the allocator kept from earlier reads
 * included. Keeps the budget, never below `threads` or above `max`. The peak must be the read's own: the
 * process's peak (getrusage maxrss) never goes down, and one read above the budget would shrink every later
 * group to the minimum however little they use.
 */
export function nextGroup(budget: number, threads: number, engines: number, baseRss: number, readPeakRss: number, max: number): number {
  const used = Math.max(readPeakRss - baseRss, 1 << 20);
  const fit = Math.floor((engines * (budget - baseRss)) / used);
  return Math.max(threads, Math.min(max, fit));
}

/** How many engines each read of a multi run holds: a first guess, then learned from the reads made. */
export interface GroupSizer {
  readonly first: number;
  /** A read of the next group starts (the sizer starts measuring its memory). */
  start?(): void;
  /** The next group after a read of `engines` engines (reads the process's memory itself). */
  next(engines: number): number;
}

/** How often a read's RSS is sampled, in ms (the parse thread yields between blocks; a sample costs ~10 µs). */
export const RSS_SAMPLE_MS = 20;

/**
 * A sizer for `budget` bytes: the first group from the estimate, later ones from the RSS sampled during the
 * last read (`rss` returns the process's current RSS, workers included).
 */
export function memorySizer(
  budget: number,
  threads: number,
  perEngineEstimate: number,
  max: number,
  rss: () => number = () => process.memoryUsage.rss(),
): GroupSizer {
  const baseRss = rss();
  let peak = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const sample = (): void => {
    peak = Math.max(peak, rss());
  };
  return {
    first: engineGroup(budget, threads, perEngineEstimate, max),
    start: () => {
      peak = 0;
      sample();
      timer = setInterval(sample, RSS_SAMPLE_MS);
      timer.unref();
    },
    next: (engines) => {
      clearInterval(timer);
      timer = undefined;
      sample();
      return nextGroup(budget, threads, engines, baseRss, peak, max);
    },
  };
}
