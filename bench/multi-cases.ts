/**
 * Benchmark cases of compare and sweep (issue: compare must never lose to the separate replays, also under
 * load from other processes; sweeps stay under 300 MB). Cases of the default list live in cases.ts; these
 * are added to it. The loaded cases are in-process tasks: each starts one CPU-burning process per core, runs
 * kpromo as a child (the compare, or the three replays one after another) and reports the wall time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase, RunOutput } from './cases.js';
import type { BenchTask } from './tasks.js';
import type { BenchTrace } from './trace.js';
import { ratioLine, type Rounds } from './ratios.js';

/** bin/kpromo.js at the repository root (dist/bench/ is two levels down). */
const KPROMO = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'bin', 'kpromo.js');

/** The three engines of the compare cases. */
const ENGINES = ['rfc-v1', 'rfc-v1-fixed', 'pghot'] as const;

/** Starts one busy process per core (other work on the machine); returns the function that ends them. */
function burners(): () => void {
  const kids: ChildProcess[] = [];
  for (let i = 0; i < availableParallelism(); i++) {
    kids.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  }
  return () => {
    for (const k of kids) k.kill('SIGKILL');
  };
}

/** Runs kpromo with `args`; resolves with its stdout, rejects on a non-zero exit. */
function kpromo(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KPROMO, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kpromo ${args[0]} exit ${code}: ${err.trim()}`))));
  });
}

/** Records counted by a vmstat or CSV output (kpromoted_recorded_accesses, or pghot's recorded accesses). */
function recordsIn(text: string): number {
  const m = /^(?:kpromoted_recorded_accesses|pghot_recorded_accesses)[ ,](\d+)/m.exec(text);
  return m === null ? 0 : Number(m[1]);
}

/** Under load: wall time of `run`, burners on every core around it. */
async function loaded(run: () => Promise<number>): Promise<{ records: number; ms: number }> {
  const stop = burners();
  try {
    await new Promise((r) => setTimeout(r, 300)); // let the burners start
    const t0 = performance.now();
    const records = await run();
    return { records, ms: performance.now() - t0 };
  } finally {
    stop();
  }
}

/** In-process tasks of the loaded cases (run.ts looks tasks up here after BENCH_TASKS). */
export const MULTI_TASKS: Readonly<Record<string, BenchTask>> = {
  /** compare of the three engines under load. */
  async 'loaded-compare'(file) {
    return loaded(async () => recordsIn(await kpromo(['compare', '--format', 'csv', ...ENGINES.flatMap((e) => ['--engine', e]), file])));
  },
  /** The three replays one after another under the same load. */
  async 'loaded-replays'(file) {
    return loaded(async () => {
      // Records as rfc-v1 counts them (pghot's recorded accesses leave out the records it ignores).
      let records = 0;
      for (const e of ENGINES) {
        const out = await kpromo(['replay', '--engine', e, '--format', 'vmstat', file]);
        if (e === 'rfc-v1') records = recordsIn(out);
      }
      return records;
    });
  },
};

function counted(out: RunOutput, trace: BenchTrace): string | null {
  return out.records === trace.records ? null : `saw ${String(out.records)} records, expected ${trace.records}`;
}

/** Cases added to the default list. */
export const MULTI_CASES: readonly BenchCase[] = [
  {
    name: 'compare 3 engines, loaded',
    description: 'kpromo compare of rfc-v1, rfc-v1-fixed and pghot while one CPU-burning process per core runs (wall time)',
    run: { kind: 'task', task: 'loaded-compare' },
    check: counted,
  },
  {
    name: '3 replays, loaded',
    description: 'the three replays of those engines one after another, under the same load (baseline of the case above)',
    run: { kind: 'task', task: 'loaded-replays' },
    check: counted,
  },
  {
    name: 'sweep 9 configs, --memory 200',
    description: 'the 9-configuration sweep with every core under a 200 MiB budget: more reads of the trace, peak RSS under the budget',
    run: { kind: 'cli', args: ['sweep', '--format', 'csv', '--memory', '200', '--window', '1000,2000,5000', '--hash-order', '15,16,17', '{trace}'] },
    check: (out, trace) => {
      const rows = out.stdout.trim().split('\n');
      const col = rows[0]?.split(',').indexOf('kpromoted_recorded_accesses') ?? -1;
      const wrong = rows.slice(1).filter((l) => Number(l.split(',')[col]) !== trace.records);
      return rows.length !== 10 || col < 0 || wrong.length > 0 ? `expected 9 rows counting ${trace.records} records` : null;
    },
  },
];

/** The ratio lines of the multi cases, from each case's rounds (null when it did not run). */
export function multiRatios(rounds: (name: string) => Rounds | null): string {
  return ratioLine('compare 3 engines / the 3 replays, both under load', rounds('compare 3 engines, loaded'), rounds('3 replays, loaded'), 1);
}
