/**
 * What `kpromo compare` and `kpromo sweep` share around a run: the thread plan, progress on a terminal, and
 * stopping. On SIGINT, SIGTERM or SIGHUP the read stops, the partial counters of every configuration go to
 * stderr (each engine publishes them after every batch, board.ts) and the exit code is 128 + the signal.
 */
import { constants } from 'node:os';
import { availableParallelism } from 'node:os';
import type { Counter } from '../../engine/types.js';
import { RunTracker } from '../../multi/board.js';
import type { MultiConfig } from '../../multi/config.js';
import { memoryTiers } from '../../engine/topology.js';
import { DEFAULT_MEMORY_BUDGET, engineBytes, memorySizer, planThreads, type ExecPlan, type GroupSizer } from '../../multi/plan.js';
import { MAX_PER_PASS } from '../../multi/sweep.js';
import { parseIntOption } from '../options.js';
import type { MultiResult, MultiRunOptions } from '../../multi/run-multi.js';
import type { TraceInput } from '../../trace/read.js';
import type { Io } from '../io.js';
import { makeProgress } from '../progress.js';
import { perfSkipText, skipReport } from './replay.js';
import { inputNotes } from '../../trace/input.js';
import { noRangeWarning } from '../../report/summary.js';
import { traceBytes } from '../../run/replay.js';

/** The thread plan of a run on this machine; prints its warnings on stderr. */
export function machinePlan(io: Io, configs: number, inputs: readonly TraceInput[], jobs: number | null): ExecPlan {
  const plan = planThreads({
    configs,
    stdin: inputs.length === 0 || inputs.some((i) => i.name === '-'),
    traceBytes: traceBytes(inputs),
    jobs,
    cores: availableParallelism(),
  });
  for (const w of plan.warnings) io.stderr.write(`kpromo: warning: ${w}\n`);
  return plan;
}

/** `--memory MiB`: the budget engines are grouped under (default DEFAULT_MEMORY_BUDGET). */
export const MEMORY_OPTION = {
  flags: '--memory <MiB>',
  description: `memory budget: configurations whose engines would not fit run in further reads of the traces (default: ${DEFAULT_MEMORY_BUDGET >> 20})`,
} as const;

/** Pages of the slow tiers of the configurations' topologies (the most pages an engine can track or move). */
function slowPages(configs: readonly MultiConfig[]): number {
  let most = 0;
  for (const c of configs) {
    const topo = c.settings.rfc.topology;
    const tiers = memoryTiers(topo).nodes;
    let pages = 0;
    for (const n of topo.nodes) {
      if (tiers.find((t) => t.id === n.id)?.toptier) continue;
      for (const r of n.pfn_ranges) pages += r.end - r.start;
    }
    most = Math.max(most, pages);
  }
  return most;
}

/** Engines alive at once for this run under the memory budget (`--memory`, MiB). */
export function memoryGroup(configs: readonly MultiConfig[], inputs: readonly TraceInput[], threads: number, memory: string | undefined): GroupSizer {
  const budget = memory === undefined ? DEFAULT_MEMORY_BUDGET : parseIntOption('--memory', memory, 64, 1 << 20) * (1 << 20);
  return memorySizer(budget, threads, engineBytes(traceBytes(inputs), slowPages(configs)), MAX_PER_PASS);
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
  perfTyped: readonly string[] = [],
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
  io.stderr.write(inputNotes(result.read, perfTyped));
  // replay's table and every JSON show the perf samples skipped; compare's and sweep's table and CSV have no place for them.
  const perfSkipped = perfSkipText(result.read);
  if (perfSkipped !== '') io.stderr.write(`kpromo: perf samples skipped by reason: ${perfSkipped}\n`);
  // Every configuration saw the same records: one no-range warning per topology, from its first result; it says
  // plainly that the default preset was used when some configuration of that topology had none chosen.
  const warned = new Set<unknown>();
  result.results.forEach((r, i) => {
    const topology = configs[i]?.settings.rfc.topology;
    if (topology === undefined || warned.has(topology)) return;
    warned.add(topology);
    const defaulted = configs.some((c) => c.settings.rfc.topology === topology && c.topologyDefaulted === true);
    io.stderr.write(noRangeWarning(r.summary, topology, defaulted));
  });
  const groups = result.groups ?? [];
  if (groups.length > 1) {
    io.stderr.write(`# kpromo: ${configs.length} configurations in ${groups.length} reads of the traces (${groupSizes(groups)}: memory budget, see --memory)\n`);
  }
  // A signal after the read had ended still ends the command as a signal does.
  if (!result.interrupted && !stop) return { run: result, exit: null };
  io.stderr.write(renderPartial(track.partial(), result.read.records));
  return { run: result, exit: stopExitCode(sio.signal?.()) };
}

/**
 * Engines per read: each read's (`3 + 6 engines`), or for more than GROUPS_LISTED reads their range (`70 reads of
 * 1-64 engines`, `9 reads of 1 engine`).
 */
export function groupSizes(groups: readonly number[]): string {
  if (groups.length <= GROUPS_LISTED) return `${groups.join(' + ')} engines`;
  const lo = Math.min(...groups);
  const hi = Math.max(...groups);
  return `${groups.length} reads of ${lo === hi ? lo : `${lo}-${hi}`} engine${hi === 1 ? '' : 's'}`;
}
const GROUPS_LISTED = 8;
