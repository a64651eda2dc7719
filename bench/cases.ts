/**
 * What the benchmark measures: a data-driven list. A case is either an in-process task (tasks.ts)
 * or a command line of the built CLI; `{trace}` in its arguments stands for the trace file.
 */
import type { BenchTrace } from './trace.js';
import { availableParallelism } from 'node:os';
import { MULTI_CASES } from './multi-cases.js';
import { BOUNDS_CASES } from './bounds.js';

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
  /** The tail of stderr. */
  readonly stderr: string;
  /** Records the run reports (tasks), when known. */
  readonly records: number | null;
}

/** One benchmark case. */
export interface BenchCase {
  readonly name: string;
  readonly description: string;
  readonly run: BenchRun;
  /**
   * `perf`: `{trace}` is the perf script text of the trace (perf-trace.ts) instead of its CSV; `gzip`: its CSV gzipped
   * (gzip-trace.ts); `crlf`, `r-csv`: its CSV as other tools write it (dialect-trace.ts).
   */
  readonly input?: 'perf' | 'gzip' | 'crlf' | 'r-csv';
  /** Returns why the output is wrong, or null. Guards against timing a run that did no work. */
  readonly check?: (out: RunOutput, trace: BenchTrace) => string | null;
}

/** Checks that `kpromo convert` wrote every record of the trace (its summary line on stderr). */
export function convertCountsAll(out: RunOutput, trace: BenchTrace): string | null {
  const m = /kpromo convert: (\d+) records/.exec(out.stderr);
  if (m === null) return `no convert summary on stderr: ${JSON.stringify(out.stderr.slice(-200))}`;
  return Number(m[1]) === trace.records ? null : `convert wrote ${m[1]} records, expected ${trace.records}`;
}

/** Checks that `--format vmstat` output counted every record of the trace. */
export function vmstatCountsAll(out: RunOutput, trace: BenchTrace): string | null {
  const m = /^kpromoted_recorded_accesses (\d+)$/m.exec(out.stdout);
  if (m === null) return `no kpromoted_recorded_accesses line in stdout: ${JSON.stringify(out.stdout.slice(0, 200))}`;
  return Number(m[1]) === trace.records ? null : `kpromoted_recorded_accesses ${m[1]}, expected ${trace.records}`;
}

/** Checks that `--format json` output counted every record of the trace (its kpromoted_recorded_accesses counter). */
export function jsonCountsAll(out: RunOutput, trace: BenchTrace): string | null {
  const m = /"kpromoted_recorded_accesses":\s*(\d+)/.exec(out.stdout);
  if (m === null) return `no kpromoted_recorded_accesses in the JSON on stdout: ${JSON.stringify(out.stdout.slice(0, 200))}`;
  return Number(m[1]) === trace.records ? null : `kpromoted_recorded_accesses ${m[1]}, expected ${trace.records}`;
}

/** Checks that a task saw every record. */
export function taskCountsAll(out: RunOutput, trace: BenchTrace): string | null {
  return out.records === trace.records ? null : `task saw ${String(out.records)} records, expected ${trace.records}`;
}

/**
 * Checks `kpromo compare --format csv` / `kpromo sweep --format csv` output: every rfc configuration
 * counted every record (its kpromoted_recorded_accesses cell), and there are `configs` of them.
 */
function csvCountsAll(configs: number, layout: 'compare' | 'sweep') {
  return (out: RunOutput, trace: BenchTrace): string | null => {
    const lines = out.stdout.trim().split('\n');
    const header = lines[0]?.split(',') ?? [];
    let cells: string[];
    if (layout === 'compare') {
      cells = lines.find((l) => l.startsWith('kpromoted_recorded_accesses,'))?.split(',').slice(1) ?? [];
      cells = cells.filter((c) => c !== ''); // pghot has no such counter
      if (header.length - 1 !== configs) return `${header.length - 1} columns, expected ${configs}`;
    } else {
      const col = header.indexOf('kpromoted_recorded_accesses');
      if (col < 0) return `no kpromoted_recorded_accesses column in ${JSON.stringify(lines[0]?.slice(0, 200))}`;
      cells = lines.slice(1).map((l) => l.split(',')[col] ?? '');
      if (cells.length !== configs) return `${cells.length} rows, expected ${configs}`;
    }
    if (cells.length === 0) return `no kpromoted_recorded_accesses values in ${JSON.stringify(out.stdout.slice(0, 200))}`;
    const wrong = cells.find((c) => Number(c) !== trace.records);
    return wrong === undefined ? null : `kpromoted_recorded_accesses ${wrong}, expected ${trace.records}`;
  };
}

/** The case whose per-record cost is compared with the CSV case's (at most PERF_COST_TARGET times). */
export const PERF_COST_PAIR = { perf: 'replay perf file', csv: 'replay file' } as const;

/** Target of the perf/CSV per-record cost ratio. */
export const PERF_COST_TARGET = 3;

/** pghot's exclusive per-record outcomes (pghot_record_access() returns at exactly one of them). */
const PGHOT_OUTCOMES = [
  'pghot_recorded_accesses',
  'kpromo_pghot_src_invalid',
  'kpromo_pghot_src_disabled',
  'kpromo_pghot_nid_invalid',
  'kpromo_pghot_local',
  'kpromo_pghot_toptier',
  'kpromo_pghot_not_lru',
];

/** Checks that pghot's `--format vmstat` output accounts for every record of the trace. */
function pghotCountsAll(out: RunOutput, trace: BenchTrace): string | null {
  let sum = 0;
  for (const name of PGHOT_OUTCOMES) {
    const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(out.stdout);
    if (m === null) return `no ${name} line in stdout: ${JSON.stringify(out.stdout.slice(0, 200))}`;
    sum += Number(m[1]);
  }
  return sum === trace.records ? null : `pghot outcomes sum to ${sum}, expected ${trace.records}`;
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
  {
    name: 'replay analysis',
    description: 'kpromo replay --analysis --format json FILE: timeline rows and metrics collected and printed (target <= 1.5x replay file)',
    run: { kind: 'cli', args: ['replay', '--analysis', '--format', 'json', '{trace}'] },
    check: jsonCountsAll,
  },
  {
    name: 'replay perf file',
    description: 'kpromo replay --format vmstat --input perf FILE: the same records as IBS perf script text (target <= 3x the CSV cost per record)',
    run: { kind: 'cli', args: ['replay', '--format', 'vmstat', '--input', 'perf', '{trace}'] },
    input: 'perf',
    check: vmstatCountsAll,
  },
  {
    name: 'replay gzip file',
    description: 'kpromo replay --format vmstat FILE.gz: the CSV gzipped (level 6), inflated while the engine runs (MB: compressed)',
    run: { kind: 'cli', args: ['replay', '--format', 'vmstat', '{trace}'] },
    input: 'gzip',
    check: vmstatCountsAll,
  },
  {
    name: 'replay CR LF file',
    description: "kpromo replay --format vmstat FILE: the CSV with CR LF line ends (Python's csv module's default)",
    run: { kind: 'cli', args: ['replay', '--format', 'vmstat', '{trace}'] },
    input: 'crlf',
    check: vmstatCountsAll,
  },
  {
    name: 'replay R csv file',
    description: "kpromo replay --format vmstat FILE: the CSV as R's write.csv writes it (quoted header and strings, a row names column)",
    run: { kind: 'cli', args: ['replay', '--format', 'vmstat', '{trace}'] },
    input: 'r-csv',
    check: vmstatCountsAll,
  },
  {
    name: 'convert file',
    description: 'kpromo convert -o /dev/null FILE: the canonical CSV of the trace (parse and format)',
    run: { kind: 'cli', args: ['convert', '-o', '/dev/null', '{trace}'] },
    check: convertCountsAll,
  },
  {
    name: 'convert perf file',
    description: 'kpromo convert --input perf -o /dev/null FILE: the canonical CSV of the IBS perf script text',
    run: { kind: 'cli', args: ['convert', '--input', 'perf', '-o', '/dev/null', '{trace}'] },
    input: 'perf',
    check: convertCountsAll,
  },
  {
    name: 'replay rfc-v1-fixed',
    description: 'kpromo replay --engine rfc-v1-fixed --format vmstat FILE (baseline of compare 3 engines)',
    run: { kind: 'cli', args: ['replay', '--engine', 'rfc-v1-fixed', '--format', 'vmstat', '{trace}'] },
    check: vmstatCountsAll,
  },
  {
    name: 'replay pghot',
    description: 'kpromo replay --engine pghot --format vmstat FILE (baseline of compare 3 engines)',
    run: { kind: 'cli', args: ['replay', '--engine', 'pghot', '--format', 'vmstat', '{trace}'] },
    check: pghotCountsAll,
  },
  {
    name: 'compare 3 engines',
    description:
      "kpromo compare --engine rfc-v1 --engine rfc-v1-fixed --engine pghot FILE, one read; cost ratio = seconds / ('replay file' + 'replay rfc-v1-fixed' + 'replay pghot')",
    run: {
      kind: 'cli',
      args: ['compare', '--format', 'csv', '--engine', 'rfc-v1', '--engine', 'rfc-v1-fixed', '--engine', 'pghot', '{trace}'],
    },
    check: csvCountsAll(3, 'compare'),
  },
  {
    name: 'sweep 9 configs',
    description:
      "kpromo sweep --window 1000,2000,5000 --hash-order 15,16,17 FILE in process (--jobs 1); each configuration costs about one " +
      "default replay (a higher --threshold costs more), so cost ratio = seconds / (9 x 'replay file')",
    run: { kind: 'cli', args: ['sweep', '--format', 'csv', '--jobs', '1', '--window', '1000,2000,5000', '--hash-order', '15,16,17', '{trace}'] },
    check: csvCountsAll(9, 'sweep'),
  },
  {
    name: 'sweep 9 configs, every core',
    description: 'the same sweep with an engine worker thread per CPU (--jobs N), fed by one read, under the default memory budget',
    run: { kind: 'cli', args: ['sweep', '--format', 'csv', '--jobs', String(availableParallelism()), '--window', '1000,2000,5000', '--hash-order', '15,16,17', '{trace}'] },
    check: csvCountsAll(9, 'sweep'),
  },
  ...MULTI_CASES, // compare/sweep under load and memory (multi-cases.ts)
  // Issue 12 (bounds.ts): --analysis with and without the bounds of the share.
  ...BOUNDS_CASES.map((c) => ({ ...c, check: taskCountsAll })),
];
