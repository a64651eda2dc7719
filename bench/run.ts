/**
 * kpromo benchmark (`npm run bench`; never run by vitest). Generates a deterministic trace once
 * (cached in os.tmpdir()/kpromo-bench/), runs each case of cases.ts `--runs` times in fresh
 * processes and prints the medians against the targets: >= 5 M records/s and < 300 MB peak RSS.
 *
 *   node dist/bench/run.js [--records N | --quick] [--runs N] [--case NAME]...
 */
import { BENCH_CASES, PERF_COST_PAIR, PERF_COST_TARGET, type BenchCase } from './cases.js';
import { benchGzipTrace } from './gzip-trace.js';
import { benchDialectTrace } from './dialect-trace.js';
import { BOUNDS_RATIOS } from './bounds.js';
import { benchPerfTrace } from './perf-trace.js';
import { runOnce, RunFailure, type Measurement } from './measure.js';
import { BENCH_TASKS } from './tasks.js';
import { cliffSection, nativeSection, rssSection } from './engine-bench.js';
import { coreNote, probeCores } from './cores.js';
import { benchEnv, environmentNote } from './environment.js';
import { MULTI_TASKS, multiRatios } from './multi-cases.js';
import { median, ratioLine, sumRounds, type Rounds } from './ratios.js';
import { benchTrace, benchTraceOptions, warmTrace, type BenchTrace } from './trace.js';

/** Targets every case is held to. */
const TARGET_RECORDS_PER_S = 5_000_000;
const TARGET_RSS_BYTES = 300_000_000;

/** Parts of the bench: the cases of cases.ts, and the engine sections (native C reference, RSS, cliffs). */
const SECTIONS = ['cases', 'native', 'rss', 'cliffs'] as const;
type Section = (typeof SECTIONS)[number];

interface BenchArgs {
  records: number;
  runs: number;
  cases: string[];
  sections: Section[];
  cliffPages: number;
}

const USAGE = `usage: node dist/bench/run.js [--records N | --quick] [--runs N] [--case NAME]...
  --records N   trace length (default 10000000; pages = records / 10, at most 1000000)
  --quick       1000000 records
  --runs N      runs per case, the median is reported (default 3)
  --case NAME   run only this case (repeatable); cases: ${BENCH_CASES.map((c) => c.name).join(', ')}
  --section S   run only this part (repeatable): cases (the table above), native (kpromo vs the C code of
                bench/native/, built with cc -O2), rss (a 2 TiB CXL range), cliffs (one-pass promotion)
  --cliff-pages N  pages of each cliff case (default 1000000)`;

function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { records: 10_000_000, runs: 3, cases: [], sections: [], cliffPages: 1_000_000 };
  const count = (flag: string, text: string | undefined): number => {
    const v = Number((text ?? '').replace(/_/g, ''));
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${flag}: expected an integer >= 1, got ${JSON.stringify(text)}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--records') args.records = count(a, argv[++i]);
    else if (a === '--quick') args.records = 1_000_000;
    else if (a === '--runs') args.runs = count(a, argv[++i]);
    else if (a === '--case') {
      const name = argv[++i] ?? '';
      if (!BENCH_CASES.some((c) => c.name === name)) throw new Error(`--case: no case ${JSON.stringify(name)}\n${USAGE}`);
      args.cases.push(name);
    } else if (a === '--section') {
      const name = argv[++i] ?? '';
      if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--section: no section ${JSON.stringify(name)}\n${USAGE}`);
      args.sections.push(name as Section);
    } else if (a === '--cliff-pages') args.cliffPages = count(a, argv[++i]);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${JSON.stringify(a)}\n${USAGE}`);
  }
  return args;
}

/** Child mode: `--task NAME FILE` runs one in-process task and prints its result as JSON. */
async function runTask(name: string, file: string): Promise<number> {
  const task = BENCH_TASKS[name] ?? MULTI_TASKS[name];
  if (task === undefined) {
    process.stderr.write(`no bench task ${JSON.stringify(name)}\n`);
    return 2;
  }
  try {
    process.stdout.write(JSON.stringify(await task(file)) + '\n');
    return 0;
  } catch (e) {
    process.stderr.write(`task ${name} failed: ${(e as Error).message}\n`);
    return 1;
  }
}

interface CaseResult {
  readonly c: BenchCase;
  /** The input the case ran on (the perf text for perf cases). */
  readonly trace: BenchTrace;
  readonly runs: readonly Measurement[];
  readonly failure: string | null;
}

/**
 * Runs every case `runs` times, in rounds: round i runs each case (that has not failed) once, in order. So the cases a
 * ratio compares (analysis against a plain replay, compare against the three replays, ...) see the same phases of the
 * machine, which drifts by tens of % within minutes; run case by case, they were minutes apart.
 */
async function measureAll(list: readonly { c: BenchCase; trace: BenchTrace }[], runs: number): Promise<CaseResult[]> {
  const done = list.map(() => [] as Measurement[]);
  const failure: (string | null)[] = list.map(() => null);
  for (let i = 0; i < runs; i++) {
    for (const [k, { c, trace }] of list.entries()) {
      if (failure[k] !== null) continue;
      try {
        const m = await runOnce(c, trace, i);
        done[k]!.push(m);
        process.stderr.write(`  ${c.name} run ${i + 1}/${runs}: ${(m.ms / 1000).toFixed(2)} s, ${(m.maxRssKiB / 1024).toFixed(0)} MiB\n`);
      } catch (e) {
        const reason = e instanceof RunFailure ? e.message : String((e as Error).stack ?? e);
        process.stderr.write(`  ${c.name} run ${i + 1}/${runs}: FAILED: ${reason}\n`);
        failure[k] = reason;
      }
    }
  }
  return list.map(({ c, trace }, k) => ({ c, trace, runs: done[k]!, failure: failure[k]! }));
}

/** Aligns the rows of `rows` that have every column; shorter rows (failures) print as they are. */
function table(rows: readonly string[][]): string {
  const full = rows[0]!.length;
  const aligned = rows.filter((r) => r.length === full);
  const widths = rows[0]!.map((_, col) => Math.max(...aligned.map((r) => r[col]!.length)));
  // Text columns (case name, PASS/MISS) align left, numbers right.
  const left = (col: number): boolean => col === 0 || col >= full - 2;
  return rows
    .map((r) =>
      r.length !== full
        ? r.join('  ')
        : r.map((cell, col) => (left(col) ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ').trimEnd(),
    )
    .join('\n');
}

function report(results: readonly CaseResult[], trace: BenchTrace, runs: number): string {
  const rows = [['case', 'records', 'MB', 'seconds', 'records/s', 'MB/s', 'peak RSS MiB', '>= 5 M rec/s', '< 300 MB']];
  for (const r of results) {
    if (r.failure !== null) {
      rows.push([r.c.name, `FAILED: ${r.failure}`]);
      continue;
    }
    const s = median(r.runs.map((m) => m.ms)) / 1000;
    const rss = median(r.runs.map((m) => m.maxRssKiB)) * 1024;
    const rate = r.trace.records / s;
    rows.push([
      r.c.name,
      String(r.trace.records),
      (r.trace.bytes / 1e6).toFixed(1),
      s.toFixed(3),
      `${(rate / 1e6).toFixed(2)} M`,
      (r.trace.bytes / 1e6 / s).toFixed(1),
      (rss / 2 ** 20).toFixed(1),
      rate >= TARGET_RECORDS_PER_S ? 'PASS' : 'MISS',
      rss < TARGET_RSS_BYTES ? 'PASS' : 'MISS',
    ]);
  }
  const touched = trace.pagesTouched === null ? '' : ` (${trace.pagesTouched} touched)`;
  return `median of ${runs} runs, the cases in rounds (each run once a round); ${trace.records} records, ${trace.pages} pages${touched}, ${trace.file}\n${table(rows)}${perfCost(results)}${ratios(results)}`;
}

/** The result of case `name` when it ran and did not fail, else null. */
function resultOf(results: readonly CaseResult[], name: string): CaseResult | null {
  return results.find((x) => x.c.name === name && x.failure === null) ?? null;
}

/** Each round's seconds of a case (null when it did not run, or failed). */
function roundsOf(results: readonly CaseResult[]): (name: string) => Rounds | null {
  return (name) => resultOf(results, name)?.runs.map((m) => m.ms / 1000) ?? null;
}

/** The perf/CSV per-record cost line, when both cases ran. */
function perfCost(results: readonly CaseResult[]): string {
  const perRecord = (name: string): Rounds | null => {
    const r = resultOf(results, name);
    return r === null ? null : r.runs.map((m) => m.ms / r.trace.records);
  };
  return ratioLine(`perf per-record cost vs '${PERF_COST_PAIR.csv}'`, perRecord(PERF_COST_PAIR.perf), perRecord(PERF_COST_PAIR.csv), PERF_COST_TARGET);
}

/** Cost ratios the issues ask for: analysis vs plain replay, compare and sweep vs N separate replays. */
function ratios(results: readonly CaseResult[]): string {
  const rounds = roundsOf(results);
  const plain = rounds('replay file');
  const fixed = rounds('replay rfc-v1-fixed');
  const pghot = rounds('replay pghot');
  const three = plain === null || fixed === null || pghot === null ? null : sumRounds([[plain, 1], [fixed, 1], [pghot, 1]]);
  const nine = plain === null ? null : sumRounds([[plain, 9]]);
  return (
    ratioLine("analysis on / 'replay file'", rounds('replay analysis'), plain, 1.5) +
    ratioLine('compare 3 engines / the 3 separate replays', rounds('compare 3 engines'), three, 1) +
    ratioLine("sweep 9 configs / 9 x 'replay file'", rounds('sweep 9 configs'), nine, 1) +
    ratioLine("sweep 9 configs, every core / 9 x 'replay file'", rounds('sweep 9 configs, every core'), nine, 1) +
    multiRatios(rounds) +
    BOUNDS_RATIOS.map(([c, base, target]) => ratioLine(`'${c}' / '${base}'`, rounds(c), rounds(base), target)).join('')
  );
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === '--task') return runTask(argv[1] ?? '', argv[2] ?? '');
  let args: BenchArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const sections = args.sections.length > 0 ? args.sections : SECTIONS;
  const note = environmentNote();
  if (note !== '') process.stdout.write(`${note}\n\n`);
  process.stdout.write(`${coreNote(probeCores(benchEnv()))}\n\n`);
  let failed = false;
  if (sections.includes('cases')) {
    const opts = benchTraceOptions(args.records);
    process.stderr.write(`trace: ${opts.records} records, ${opts.pages} pages, pattern ${opts.pattern}, seed ${opts.seed}\n`);
    const trace = benchTrace(opts);
    process.stderr.write(trace.fresh ? `  generated in ${(trace.genMs / 1000).toFixed(1)} s: ${trace.file}\n` : `  cached: ${trace.file}\n`);
    warmTrace(trace.file);

    const cases = args.cases.length > 0 ? BENCH_CASES.filter((c) => args.cases.includes(c.name)) : BENCH_CASES;
    // The trace in each other form a case reads (written once, cached beside it): perf text, gzip, other CSV dialects.
    const makers: Record<NonNullable<BenchCase['input']>, [string, () => BenchTrace | Promise<BenchTrace>]> = {
      perf: ['perf text printed', () => benchPerfTrace(trace)],
      gzip: ['gzipped', () => benchGzipTrace(trace)],
      crlf: ['written as crlf', () => benchDialectTrace(trace, 'crlf')],
      'r-csv': ['written as r-csv', () => benchDialectTrace(trace, 'r-csv')],
    };
    const forms = new Map<BenchCase['input'], BenchTrace>();
    for (const [input, [what, make]] of Object.entries(makers) as [NonNullable<BenchCase['input']>, (typeof makers)['perf']][]) {
      if (!cases.some((c) => c.input === input)) continue;
      const t = await make();
      process.stderr.write(t.fresh ? `  ${what} in ${(t.genMs / 1000).toFixed(1)} s: ${t.file}\n` : `  cached: ${t.file}\n`);
      warmTrace(t.file);
      forms.set(input, t);
    }
    for (const c of cases) process.stderr.write(`${c.name}: ${c.description}\n`);
    const traceOf = (c: BenchCase): BenchTrace => forms.get(c.input) ?? trace;
    const results = await measureAll(
      cases.map((c) => ({ c, trace: traceOf(c) })),
      args.runs,
    );
    process.stdout.write(report(results, trace, args.runs) + '\n');
    // Misses are results, not errors; a case that could not run is.
    failed = results.some((r) => r.failure !== null);
  }
  const engineParts: Array<[Section, () => Promise<string>]> = [
    ['native', () => nativeSection(args.runs)],
    ['rss', () => rssSection(args.runs)],
    ['cliffs', () => cliffSection(args.runs, args.cliffPages)],
  ];
  for (const [name, part] of engineParts) {
    if (!sections.includes(name)) continue;
    try {
      process.stdout.write(`\n${await part()}\n`);
    } catch (e) {
      process.stdout.write(`\n${name}: FAILED: ${(e as Error).message}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
