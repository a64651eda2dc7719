/**
 * What `kpromo compare` and `kpromo sweep` share around a run: the thread plan, progress on a terminal, and
 * stopping. On SIGINT, SIGTERM or SIGHUP the read stops, the partial counters of every configuration go to
 * stderr (each engine publishes them after every batch, board.ts) and the exit code is 128 + the signal.
 */
import { constants, loadavg } from 'node:os';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Counter } from '../../engine/types.js';
import { RunTracker } from '../../multi/board.js';
import type { MultiConfig } from '../../multi/config.js';
import { planThreads, type ExecPlan } from '../../multi/plan.js';
import type { MultiResult, MultiRunOptions } from '../../multi/run-multi.js';
import type { TraceInput } from '../../trace/read.js';
import type { Io } from '../io.js';
import { makeProgress } from '../progress.js';
import { skipReport } from './replay.js';

/** Total bytes of the trace files, null when one cannot be measured (the reader reports it). */
export function traceBytes(inputs: readonly TraceInput[]): number | null {
  let bytes = 0;
  for (const { name } of inputs) {
    if (name === '-') return null;
    try {
      const st = statSync(name);
      if (!st.isFile()) return null;
      // A gzip file holds about four times its size in CSV text.
      bytes += name.endsWith('.gz') ? 4 * st.size : st.size;
    } catch {
      return null;
    }
  }
  return bytes;
}

/** The thread plan of a run on this machine; prints its warnings on stderr. */
export function machinePlan(io: Io, configs: number, inputs: readonly TraceInput[], jobs: number | null, perCore = 1): ExecPlan {
  const plan = planThreads({
    configs,
    stdin: inputs.length === 0 || inputs.some((i) => i.name === '-'),
    traceBytes: traceBytes(inputs),
    jobs,
    cores: availableParallelism(),
    load: loadavg()[0] ?? 0,
    perCore,
  });
  for (const w of plan.warnings) io.stderr.write(`kpromo: warning: ${w}\n`);
  return plan;
}

/** The exit code of a run stopped by `sig` (128 + its number; 130 when unknown, e.g. an in-process test). */
export function stopExitCode(sig: string | null | undefined): number {
  const n = sig ? (constants.signals as Record<string, number>)[sig] : undefined;
  return 128 + (n ?? constants.signals.SIGINT);
}

/** Partial counters of every configuration, vmstat-style under a `# label` line each, for stderr. */
export function renderPartial(parts: ReturnType<RunTracker['partial']>, records: number | null): string {
  let out = `# kpromo: interrupted${records === null ? '' : ` after ${records} records`}: partial counters of each configuration, no final pass\n`;
  for (const p of parts) {
    if (p.counters === null) {
      out += `# ${p.label} (${p.engine}): not started\n`;
      continue;
    }
    const how = p.finished ? 'finished before the stop' : `${p.records} records applied`;
    out += `# ${p.label} (${p.engine}): ${how}\n`;
    out += p.counters.map((c: Counter) => `${c.name} ${c.value}`).join('\n') + '\n';
  }
  return out;
}

/** Optional parts of the Io that the process-wide signal mechanism provides (src/cli/signals.ts). */
interface SignalIo {
  onForcedStop?(words: () => void): () => void;
  signal?(): string | null;
}

/** The outcome of a run under stop handling: results, or the exit code after the partial counters were printed. */
export type Guarded = { readonly run: MultiResult; readonly exit: null } | { readonly run: MultiResult | null; readonly exit: number };

/**
 * Runs `run` with a tracker, progress on a terminal and stop handling. Returns the run, or the exit code of
 * a stopped run once its partial counters are on stderr.
 */
export async function guardedRun(
  io: Io,
  configs: readonly MultiConfig[],
  showProgress: boolean,
  run: (hooks: Pick<MultiRunOptions, 'onProgress' | 'shouldStop' | 'track'>) => Promise<MultiResult>,
): Promise<Guarded> {
  const track = new RunTracker(configs);
  const progress = makeProgress(io.stderr, showProgress);
  const sio = io as Io & SignalIo;
  let stop = false;
  let records = 0;
  const off = io.onInterrupt(() => {
    stop = true;
  });
  // If the process must be ended before the run returns (signals.ts watchdog), the counters still get out.
  const offWords = sio.onForcedStop?.(() => {
    progress.done();
    io.stderr.write(renderPartial(track.partial(), records));
  });
  let result: MultiResult;
  try {
    result = await run({
      track,
      onProgress: (p) => {
        records = p.records;
        progress.update(p);
      },
      shouldStop: () => stop,
    });
  } finally {
    off();
    offWords?.();
    progress.done();
  }
  io.stderr.write(skipReport(result.read));
  if (!result.interrupted) return { run: result, exit: null };
  io.stderr.write(renderPartial(track.partial(), result.read.records));
  return { run: result, exit: stopExitCode(sio.signal?.()) };
}
