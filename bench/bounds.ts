/**
 * Issue 12: what the bounds of the fast-tier share cost. Two in-process tasks run the same replay with the
 * analysis collector, over the 2s-cxl-budget preset (so the static bound's selection runs too): one without
 * the bounds' counter (a plain --analysis replay as it was), one with it (what --analysis does now). The
 * target is at most 1.2x. Both go through runReplay() exactly as `kpromo replay --analysis` does.
 */
import type { BenchCase } from './cases.js';
import type { BenchTask } from './tasks.js';
import { AnalysisCollector } from '../src/analysis/collector.js';
import { SlowPageCounter } from '../src/analysis/slow-page-counter.js';
import { runReplay } from '../src/run/replay.js';
import { normalizeReplayOptions } from '../src/run/settings.js';
import { loadTopology } from '../src/topology/load.js';

/** The cases' names, and the cost target of the pair. */
export const BOUNDS_PAIR = { plain: 'analysis, no bounds', bounds: 'analysis with bounds' } as const;
export const BOUNDS_COST_TARGET = 1.2;

async function analysisReplay(file: string, bounds: boolean) {
  const raw = { topology: '2s-cxl-budget', engine: 'rfc-v1', hz: '250', defaultNode: '1', hashOrder: '16', parser: 'auto' };
  const settings = normalizeReplayOptions(raw, [file], (arg) => loadTopology(arg));
  const counter = bounds ? new SlowPageCounter(settings.rfc.topology, settings.rfc.default_node) : null;
  let collector: AnalysisCollector | null = null;
  const t0 = performance.now();
  const r = await runReplay(settings, {
    observe: (engine) => (collector = new AnalysisCollector(engine as never, counter ? { bounds: counter } : {})),
    ...(counter ? { after: counter } : {}),
  });
  const c = collector as AnalysisCollector | null;
  const metrics = c!.metrics(new Map(r.counters.map((k) => [k.name, k.value])));
  const ms = performance.now() - t0;
  if (bounds && metrics.bounds?.static == null) throw new Error('no static bound computed');
  return { records: r.read.records, ms };
}

/** The two tasks (added to BENCH_TASKS). */
export const BOUNDS_TASKS: Readonly<Record<string, BenchTask>> = {
  'analysis-plain': (file) => analysisReplay(file, false),
  'analysis-bounds': (file) => analysisReplay(file, true),
};

/** The two cases (added to BENCH_CASES). */
export const BOUNDS_CASES: readonly BenchCase[] = [
  {
    name: BOUNDS_PAIR.plain,
    description: 'runReplay() + AnalysisCollector over 2s-cxl-budget, in process, without the bounds (baseline of issue 12)',
    run: { kind: 'task', task: 'analysis-plain' },
  },
  {
    name: BOUNDS_PAIR.bounds,
    description: `the same with the bounds' counter and both bounds computed (issue 12: <= ${BOUNDS_COST_TARGET}x the baseline)`,
    run: { kind: 'task', task: 'analysis-bounds' },
  },
];
