/** Runs one benchmark case once in a child process and measures wall time and peak RSS. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase, RunOutput } from './cases.js';
import { benchEnv } from './environment.js';
import type { TaskResult } from './tasks.js';
import type { BenchTrace } from './trace.js';

/** One successful run. */
export interface Measurement {
  /** Time of the work: the task's own time, or the child's wall time for a command. */
  readonly ms: number;
  /** Peak resident set size of the child in KiB (the cat of a pipe not included). */
  readonly maxRssKiB: number;
  /** CPU time (user + system, every thread) of the child in ms. */
  readonly cpuMs: number;
  /** Minor page faults of the child (every thread): its first touches of memory. */
  readonly minorFaults: number;
  /** Wall time of the child process, start-up included. */
  readonly wallMs: number;
  /** First 64 KiB of its standard output. */
  readonly stdout: string;
}

/** A run that did not complete or produced wrong output. */
export class RunFailure extends Error {}

const here = fileURLToPath(new URL('.', import.meta.url));
/** dist/bench/probe.cjs (from bench/probe.cts), preloaded into every child with --require. */
const PROBE = join(here, 'probe.cjs');
/** dist/bench/run.js, which runs tasks when given --task. */
const RUNNER = join(here, 'run.js');
/** bin/kpromo.js at the repository root (dist/bench/ is two levels down). */
export const KPROMO_BIN = join(here, '..', '..', 'bin', 'kpromo.js');

const STDOUT_KEEP = 64 * 1024;
const STDERR_KEEP = 4 * 1024;

function collect(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  // Drain both pipes completely; keep only the head of stdout and the tail of stderr.
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    if (out.length < STDOUT_KEEP) out += s.slice(0, STDOUT_KEEP - out.length);
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    err = (err + s).slice(-STDERR_KEEP);
  });
  return { stdout: () => out, stderr: () => err };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
}

/** The most telling line of a child's stderr: an uncaught error's message, else its last line. */
function errorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^Node\.js v\d/.test(l));
  const thrown = lines.find((l) => /^(\w*Error|\w+Exception)\b/.test(l));
  const line = thrown ?? lines[lines.length - 1];
  return line === undefined ? '' : `: ${line}`;
}

/** Runs `c` once over `trace`; throws RunFailure with the reason when it fails. */
export async function runOnce(c: BenchCase, trace: BenchTrace, index: number): Promise<Measurement> {
  const probeFile = join(tmpdir(), `kpromo-bench-probe-${process.pid}-${index}.json`);
  rmSync(probeFile, { force: true });
  const env = benchEnv({ KPROMO_BENCH_PROBE: probeFile, NO_COLOR: '1', FORCE_COLOR: '0' });
  const run = c.run;
  const args =
    run.kind === 'task'
      ? ['--require', PROBE, RUNNER, '--task', run.task, trace.file]
      : ['--require', PROBE, KPROMO_BIN, ...run.args.map((a) => (a === '{trace}' ? trace.file : a))];

  const t0 = performance.now();
  let cat: ChildProcess | null = null;
  let catDone: Promise<unknown> = Promise.resolve();
  if (run.kind === 'cli' && run.stdin === 'pipe') {
    cat = spawn('cat', [trace.file], { stdio: ['ignore', 'pipe', 'ignore'] });
    // 'exit', not 'close': cat's stdout was handed to the child, so it never closes here.
    const c = cat;
    catDone = new Promise((resolve) => {
      c.on('error', resolve);
      c.on('exit', resolve);
    });
  }
  const child = spawn(process.execPath, args, { env, stdio: [cat?.stdout ?? 'ignore', 'pipe', 'pipe'] });
  const io = collect(child);
  let status: { code: number | null; signal: NodeJS.Signals | null };
  try {
    status = await exited(child);
  } catch (e) {
    cat?.kill();
    throw new RunFailure(`cannot start ${process.execPath}: ${(e as Error).message}`);
  }
  const wallMs = performance.now() - t0;
  if (cat !== null && cat.exitCode === null) cat.kill();
  await catDone;

  if (status.code !== 0) {
    const how = status.signal !== null ? `killed by ${status.signal}` : `exit code ${String(status.code)}`;
    throw new RunFailure(`${how}${errorLine(io.stderr())}`);
  }
  let maxRssKiB: number;
  let cpuMs: number;
  let minorFaults: number;
  try {
    ({ maxRssKiB, cpuMs, minorFaults } = JSON.parse(readFileSync(probeFile, 'utf8')) as { maxRssKiB: number; cpuMs: number; minorFaults: number });
  } catch {
    throw new RunFailure('the RSS probe wrote no result');
  } finally {
    rmSync(probeFile, { force: true });
  }

  let ms = wallMs;
  let records: number | null = null;
  if (run.kind === 'task') {
    const line = io.stdout().trim().split('\n').pop() ?? '';
    try {
      const result = JSON.parse(line) as TaskResult;
      ms = result.ms;
      records = result.records;
    } catch {
      throw new RunFailure(`task printed no result: ${JSON.stringify(line.slice(0, 200))}`);
    }
  }
  const out: RunOutput = { stdout: io.stdout(), stderr: io.stderr(), records };
  const wrong = c.check?.(out, trace) ?? null;
  if (wrong !== null) throw new RunFailure(wrong);
  return { ms, maxRssKiB, cpuMs, minorFaults, wallMs, stdout: io.stdout() };
}
