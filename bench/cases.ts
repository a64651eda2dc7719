/**
 * What the benchmark measures: a data-driven list. A case is either an in-process task (tasks.ts)
 * or a command line of the built CLI; `{trace}` in its arguments stands for the trace file.
 */
import type { BenchTrace } from './trace.js';

/** How one run of a case is made. */
export type BenchRun =
  /** `node dist/bench/run.js --task NAME FILE` in a fresh process. */
  | { readonly kind: 'task'; readonly task: string }
  /** `node bin/kpromo.js ARGS`; with stdin 'pipe', `cat FILE | node bin/kpromo.js ARGS`. */
  | { readonly kind: 'cli'; readonly args: readonly string[]; readonly stdin?: 'pipe' };

/** Output of one run, for a case's check. */
export interface RunOutput {
  /** First 64 KiB of standard output. */
  readonly stdout: string;
  /** Records the run reports (tasks), when known. */
  readonly records: number | null;
}

/** One benchmark case. */
export interface BenchCase {
  readonly name: string;
  readonly description: string;
  readonly run: BenchRun;
  /** Returns why the output is wrong, or null. Guards against timing a run that did no work. */
  readonly check?: (out: RunOutput, trace: BenchTrace) => string | null;
}

/** Checks that `--format vmstat` output counted every record of the trace. */
export function vmstatCountsAll(out: RunOutput, trace: BenchTrace): string | null {
  const m = /^kpromoted_recorded_accesses (\d+)$/m.exec(out.stdout);
  if (m === null) return `no kpromoted_recorded_accesses line in stdout: ${JSON.stringify(out.stdout.slice(0, 200))}`;
  return Number(m[1]) === trace.records ? null : `kpromoted_recorded_accesses ${m[1]}, expected ${trace.records}`;
}

/** Checks that a task saw every record. */
export function taskCountsAll(out: RunOutput, trace: BenchTrace): string | null {
  return out.records === trace.records ? null : `task saw ${String(out.records)} records, expected ${trace.records}`;
}

/** The default cases, in report order. */
export const BENCH_CASES: readonly BenchCase[] = [
  {
    name: 'read baseline',
    description: 'read the file in 1 MiB blocks and count lines, in process (I/O ceiling)',
    run: { kind: 'task', task: 'baseline' },
    check: taskCountsAll,
  },
  {
    name: 'parse',
    description: 'readTraces() into a no-op sink, in process (parser only)',
    run: { kind: 'task', task: 'parse' },
    check: taskCountsAll,
  },
  {
    name: 'replay file',
    description: 'kpromo replay --format vmstat FILE (end to end)',
    run: { kind: 'cli', args: ['replay', '--format', 'vmstat', '{trace}'] },
    check: vmstatCountsAll,
  },
  {
    name: 'replay pipe',
    description: 'cat FILE | kpromo replay --format vmstat - (end to end, from a pipe)',
    run: { kind: 'cli', args: ['replay', '--format', 'vmstat', '-'], stdin: 'pipe' },
    check: vmstatCountsAll,
  },
];
