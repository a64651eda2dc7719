/**
 * Several configurations over one read of the traces: the trace is parsed once and every record is fed
 * to every engine (Fanout). Like runReplay, plus the key metrics of each configuration.
 */
import { AnalysisCollector, type AnalysisSource } from '../analysis/collector.js';
import { PghotEngine } from '../engine/pghot.js';
import { createEngine, type ObservableEngine } from '../engine/registry.js';
import type { AccessSink, Counter, ReplaySummary } from '../engine/types.js';
import type { TraceError } from '../errors.js';
import { useParseThread } from '../run/replay.js';
import { DEFAULT_INPUT_SETTINGS, readInputs, type InputSettings } from '../trace/input.js';
import { readInputsThreaded } from '../trace/threaded.js';
import type { ReadStats, TraceInput } from '../trace/read.js';
import type { MultiConfig } from './config.js';
import { Fanout } from './fanout.js';
import { PghotProbe, rfcMetrics, type MultiMetrics } from './metrics.js';

/** What one configuration produced (plain data: it crosses worker threads). */
export interface ConfigResult {
  readonly label: string;
  /** Engine name as given to `--engine`. */
  readonly engine: string;
  readonly counters: Counter[];
  readonly summary: ReplaySummary;
  readonly metrics: MultiMetrics;
}

/** What a multi run read and produced, in configuration order. */
export interface MultiResult {
  readonly results: ConfigResult[];
  readonly read: ReadStats;
  /** True when stopped early (Ctrl-C): no final pass ran, nothing is complete. */
  readonly interrupted: boolean;
}

/** How to read the traces; hooks as in runReplay. */
export interface MultiRunOptions {
  readonly inputs: readonly TraceInput[];
  readonly parser: 'auto' | 'fast' | 'csv-parse';
  /** Input format options (CSV or perf script text, detected by default). */
  readonly input?: InputSettings;
  readonly stdin?: NodeJS.ReadableStream;
  readonly onProgress?: (p: { bytes: number; totalBytes: number | null; records: number }) => void;
  readonly shouldStop?: () => boolean;
  readonly onBad?: (err: TraceError) => void;
}

function isAnalysisSource(e: ObservableEngine): e is ObservableEngine & AnalysisSource {
  return 'take_interval_accesses' in e;
}

/** An engine set up for a multi run: the sink records go to, and how to get its metrics at the end. */
export interface Lane {
  readonly config: MultiConfig;
  readonly engine: ObservableEngine;
  readonly sink: AccessSink;
  metrics(counters: readonly Counter[], summary: ReplaySummary): MultiMetrics;
}

/** Sets up one configuration's engine with what its metrics need. */
export function lane(config: MultiConfig): Lane {
  const engine = createEngine(config.settings.engine, config.settings);
  if (isAnalysisSource(engine)) {
    const collector = new AnalysisCollector(engine, { maxRows: 256 });
    engine.observer = collector;
    return {
      config,
      engine,
      sink: engine,
      metrics: (counters, summary) => {
        collector.timeline(); // flushes the last bucket; rows are not used here
        return rfcMetrics(collector.metrics(new Map(counters.map((c) => [c.name, c.value]))), counters, summary.tracked);
      },
    };
  }
  if (engine instanceof PghotEngine) {
    const probe = new PghotProbe(engine, config.settings.pghot.topology);
    engine.observer = probe;
    return { config, engine, sink: probe, metrics: (counters, summary) => probe.metrics(counters, summary.tracked) };
  }
  throw new Error(`engine ${engine.name}: no metrics for a multi run`);
}

/** Streams the traces once through a fresh engine per configuration and runs each final pass. */
export async function runMulti(configs: readonly MultiConfig[], opts: MultiRunOptions): Promise<MultiResult> {
  const lanes = configs.map(lane);
  const fanout = lanes.length === 1 ? null : new Fanout(lanes.map((l) => l.sink));
  // perf input maps times and CPUs with the first configuration's HZ and topology.
  const first = configs[0]!.settings;
  const threaded = useParseThread({ inputs: opts.inputs }, opts);
  const read: ReadStats = await (threaded ? readInputsThreaded : readInputs)([...opts.inputs], fanout ?? lanes[0]!.sink, {
    input: opts.input ?? DEFAULT_INPUT_SETTINGS,
    topology: first.rfc.topology,
    hz: first.rfc.hz,
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
    ...(opts.onBad ? { onBad: opts.onBad } : {}),
    parser: opts.parser,
  });
  if (read.stopped) return { results: [], read, interrupted: true };
  fanout?.flush();
  return { results: finishLanes(lanes), read, interrupted: false };
}

/** Runs each lane's final pass and collects its results. */
export function finishLanes(lanes: readonly Lane[]): ConfigResult[] {
  return lanes.map((l): ConfigResult => {
    l.engine.finish();
    const counters = l.engine.counters();
    const summary = l.engine.summary();
    return { label: l.config.label, engine: l.engine.name, counters, summary, metrics: l.metrics(counters, summary) };
  });
}
