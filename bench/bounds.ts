/**
 * What the bounds of the fast-tier share cost. In-process tasks run the same replay with the analysis collector,
 * over the 2s-cxl-budget preset (so the static bound's selection runs too), through runReplay() as `kpromo replay`
 * does: without bounds (a plain --analysis replay as it was), with the engine's own per-page counts (what
 * `--analysis` does; target at most 1.2x), and with the per-row instant hits too (what `--timeline`,
 * `--timeline-csv` and `--report` do: the engine counts them since 2026-12-02; until then a counter beside the
 * engine did, SlowPageCounter, which compare and sweep still use for a topology with no rfc-v1 configuration).
 */
import type { BenchCase } from './cases.js';
import type { BenchTask } from './tasks.js';
import { boundsOfPageCounts } from '../src/analysis/bounds.js';
import { AnalysisCollector, type BoundsSource } from '../src/analysis/collector.js';
import { analysisSettings } from '../src/engine/config.js';
import { RfcV1Engine } from '../src/engine/rfc-v1.js';
import { runReplay } from '../src/run/replay.js';
import { normalizeReplayOptions } from '../src/run/settings.js';
import { loadTopology } from '../src/topology/load.js';

/** The cases' names. */
export const BOUNDS_CASE = {
  plain: 'analysis, no bounds',
  engine: 'analysis with bounds',
  rows: 'analysis with bounds by row',
} as const;
/** Ratios the bench prints: [case, baseline, target]. */
export const BOUNDS_RATIOS: ReadonlyArray<readonly [string, string, number]> = [
  [BOUNDS_CASE.engine, BOUNDS_CASE.plain, 1.2],
  [BOUNDS_CASE.rows, BOUNDS_CASE.plain, 1.2],
];

async function analysisReplay(file: string, mode: 'plain' | 'engine' | 'rows') {
  const raw = { topology: '2s-cxl-budget', engine: 'rfc-v1', hz: '250', defaultNode: '1', hashOrder: '16', parser: 'auto' };
  const base = normalizeReplayOptions(raw, [file], (arg) => loadTopology(arg));
  // As replay --analysis makes its engine, with page counts for the bounds but in the plain mode.
  const settings = analysisSettings(base, mode !== 'plain');
  let collector: AnalysisCollector | null = null;
  const t0 = performance.now();
  const r = await runReplay(settings, {
    observe: (engine) => {
      let source: BoundsSource | null = null;
      if (mode !== 'plain' && engine instanceof RfcV1Engine) {
        source = {
          bounds: () => boundsOfPageCounts(engine.page_counts()!, engine.counters()[0]!.value, settings.rfc.topology),
          ...(mode === 'rows' ? { take_interval_instant_hits: () => engine.take_interval_instant_hits() } : {}),
        };
      }
      return (collector = new AnalysisCollector(engine as never, source ? { bounds: source } : {}));
    },
  });
  const c = collector as AnalysisCollector | null;
  const metrics = c!.metrics(new Map(r.counters.map((k) => [k.name, k.value])));
  const ms = performance.now() - t0;
  if (mode !== 'plain' && metrics.bounds?.static == null) throw new Error('no static bound computed');
  if (mode === 'rows' && !c!.timeline().some((row) => row.instant_hits !== undefined)) throw new Error('no instant hits in the rows');
  return { records: r.read.records, ms };
}

/** The tasks (added to BENCH_TASKS). */
export const BOUNDS_TASKS: Readonly<Record<string, BenchTask>> = {
  'analysis-plain': (file) => analysisReplay(file, 'plain'),
  'analysis-bounds': (file) => analysisReplay(file, 'engine'),
  'analysis-bounds-rows': (file) => analysisReplay(file, 'rows'),
};

/** The cases (added to BENCH_CASES). */
export const BOUNDS_CASES: readonly BenchCase[] = [
  {
    name: BOUNDS_CASE.plain,
    description: 'runReplay() + AnalysisCollector over 2s-cxl-budget, in process, without the bounds (the baseline)',
    run: { kind: 'task', task: 'analysis-plain' },
  },
  {
    name: BOUNDS_CASE.engine,
    description: "the same with the engine's per-page counts and both bounds computed (--analysis; target <= 1.2x the baseline)",
    run: { kind: 'task', task: 'analysis-bounds' },
  },
  {
    name: BOUNDS_CASE.rows,
    description: "the same with the engine's per-row instant hits too (--timeline / --report: per-row instant bound)",
    run: { kind: 'task', task: 'analysis-bounds-rows' },
  },
];
