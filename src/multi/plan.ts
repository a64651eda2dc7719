/**
 * How a multi run uses the machine: in this process (the parse thread beside one engine thread) or engine
 * worker threads fed by one read. Pure: the command passes the trace size, the cores and the load average.
 *
 * - Standard input is read once, here: always in process.
 * - `--jobs N` above the number of cores is capped at the cores, with a warning (each worker holds its own
 *   engines: more threads than cores only add memory).
 * - A tiny job (trace bytes x configurations under TINY_WORK_BYTES) runs in process: starting a worker
 *   costs more than the engines' work it could take over.
 * - By default, workers are used only when at least two cores are idle (load average): on a busy machine
 *   extra threads fight the other processes for the same cores, while in process the run costs at most the
 *   engines' own work plus one parse, which separate replays pay too (and parse once each).
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
  /** 1-minute load average (os.loadavg()[0]). */
  readonly load: number;
  /** Threads per core the default may use (compare: 2, so engines of unequal cost keep every core busy). */
  readonly perCore?: number;
}

/** The decision, with the lines to print on stderr. */
export interface ExecPlan {
  /** Engine threads: 1 = in process. */
  readonly threads: number;
  /** Why, in a few words (for tests and --debug). */
  readonly reason: 'stdin' | 'one configuration' | 'tiny' | 'busy' | 'jobs' | 'cores';
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
  const idle = p.cores - p.load;
  if (idle < 2 - 0.25) return { threads: 1, reason: 'busy', warnings };
  return { threads: Math.min(p.configs, p.cores * (p.perCore ?? 1)), reason: 'cores', warnings };
}
