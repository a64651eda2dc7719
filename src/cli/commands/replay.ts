/** `kpromo replay [options] [trace ...]`: stream traces through an engine and print counters. */
import { readSideFile } from '../../side-input.js';
import { Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import type { AnalysisMetrics, TimelineRow } from '../../analysis/model.js';
import type { AnalysisCollector, AnalysisSource, BoundsSource } from '../../analysis/collector.js';
import type { TimelineCsvWriter } from '../../report/timeline-csv-writer.js';
import type { Topology } from '../../engine/topology.js';
import { analysisSettings } from '../../engine/config.js';
import { RfcV1Engine } from '../../engine/rfc-v1.js';
import { runCounterNames, type ObservableEngine } from '../../engine/registry.js';
import { EXIT_INTERRUPTED, EXIT_MISMATCH, EXIT_OK, UsageError } from '../../errors.js';
import { EventsCsvWriter, type PfnFormat } from '../../report/events.js';
import { compareGolden, parseGolden, renderGoldenDiff, type GoldenEntry } from '../../report/golden.js';
import { inputJson, renderJson } from '../../report/json.js';
import { ignoredRows, noRangeWarning } from '../../report/summary.js';
import { renderTable } from '../../report/table.js';
import { renderVmstat } from '../../report/vmstat.js';
import { tableWidthFor } from '../../render/fit-table.js';
import { combineObservers } from '../../run/observers.js';
import { runReplay, startParseThreadFor, type ReplayResult, type ReplaySettings } from '../../run/replay.js';
import { settingsJson, settingsList } from '../../run/settings.js';
import { loadTopology, topologyFile } from '../../topology/load.js';
import { PERF_SKIP_REASONS } from '../../trace/perf-map.js';
import { inputNotes, type InputStats } from '../../trace/input.js';
import { checkOutputs, OutputFile, traceInputSpecs } from '../file-output.js';
import { quoteBadText, quoteName } from '../../errors.js';
import { READ_STOPPED, settleRead } from '../signals.js';
import type { Io, TextOut } from '../io.js';
import {
  addOptions,
  ENGINE_OPTIONS,
  INPUT_OPTIONS,
  normalizeReplayOptions,
  PERF_DEFAULTED_FLAGS,
  refuseIgnoredOptions,
  refuseOtherInputOptions,
  REPLAY_OUTPUT_OPTIONS,
  typed,
  type RawEngineOptions,
} from '../options.js';
import { makeProgress } from '../progress.js';

/** What a command needs from main(). */
export interface CommandContext {
  readonly io: Io;
  /** The colours of text for `out` (default stdout): plain where colour is off for that stream. */
  color(out?: TextOut): ChalkInstance;
  /** Stores the command's exit code. */
  setExit(code: number): void;
}

interface RawReplayOptions extends RawEngineOptions {
  format: 'table' | 'vmstat' | 'json';
  events?: string;
  eventsPfn: PfnFormat;
  expect?: string;
  progress: boolean;
  analysis?: boolean;
  timeline?: boolean;
  bucket?: string;
  timelineCsv?: string;
  report?: string;
}

/** Analysis results added to the output when analysis is on. */
/** The analysis/report part of replay, loaded only when asked for (replay-analysis.ts). */
type AnalysisLib = typeof import('./replay-analysis.js');

interface AnalysisOutput {
  readonly lib: AnalysisLib;
  readonly metrics: AnalysisMetrics;
  readonly timeline: TimelineRow[] | null;
  /** Seconds per timeline row (`--bucket`, or the coarsened timeline's bucket; 0: one row per pass), for the chart's slots. */
  readonly bucketSeconds: number;
}

// settingsList (display pairs) lives in src/run/settings.ts with settingsJson (typed); re-exported for callers.
export { settingsList } from '../../run/settings.js';

/** Renders a finished replay in the chosen format. */
export function renderResult(
  format: RawReplayOptions['format'],
  s: ReplaySettings,
  r: ReplayResult,
  color: ChalkInstance,
  analysis: AnalysisOutput | null = null,
  width?: number,
): string {
  switch (format) {
    case 'vmstat':
      return renderVmstat(r.counters);
    case 'json':
      return renderJson({
        engine: r.engine.name,
        settings: settingsJson(s),
        traces: s.inputs.map((i) => i.name),
        counters: r.counters,
        summary: r.summary,
        input: inputJson(r.read),
        ...(analysis ? { extra: { analysis: analysis.metrics, ...(analysis.timeline ? { timeline: analysis.timeline } : {}) } } : {}),
      });
    case 'table': {
      let out = renderTable(
        { engine: r.engine.name, counters: r.counters, summary: r.summary, topology: s.rfc.topology, settings: [...settingsList(s), ...inputRows(r.read)] },
        color,
        width,
      );
      if (analysis) {
        const lib = analysis.lib;
        out += lib.renderAnalysis(analysis.metrics, color, r.summary.ignored, width);
        if (analysis.timeline) {
          out += lib.renderTimelineTable(analysis.timeline, color, undefined, width) + '\n';
          out += lib.renderTerminalChart(analysis.timeline, width ?? lib.DEFAULT_CHART_WIDTH, color, analysis.bucketSeconds) + '\n';
        }
      }
      return out;
    }
  }
}

/** Perf samples that gave no record, by reason (bad lines apart): `phys_addr_zero 1, other_event 2`, or ''. */
export function perfSkipText(read: InputStats): string {
  const p = read.perf;
  if (p === null) return '';
  return PERF_SKIP_REASONS.filter((k) => k !== 'bad_line' && p.skipped[k] > 0).map((k) => `${k} ${p.skipped[k]}`).join(', ');
}

/** Summary-table rows about the input: perf shape and samples skipped by reason, bad lines skipped. */
export function inputRows(read: InputStats): [string, string][] {
  const rows: [string, string][] = [];
  const p = read.perf;
  if (p !== null) {
    rows.push(['perf fields', p.shapes.join(' | ') || '(no samples)']);
    rows.push(['perf samples / records', `${p.samples} / ${p.records}`]);
    rows.push(['samples skipped by reason', perfSkipText(read) || 'none']);
  }
  if (read.skipped > 0) rows.push(['bad lines skipped', String(read.skipped)]);
  return rows;
}

/** stderr lines after a read that skipped bad lines (`--skip-bad`): count, the first few, counts by reason. */
export function skipReport(read: InputStats): string {
  if (read.skipped === 0) return '';
  let out = `kpromo: skipped ${read.skipped} bad line${read.skipped === 1 ? '' : 's'}${read.skipped > read.firstBad.length ? `, the first ${read.firstBad.length}` : ''}:\n`;
  for (const b of read.firstBad) out += `  ${quoteName(b.file)}:${b.line}: ${b.reason}: ${quoteBadText(b.text, b.longerThan)}\n`;
  out += 'kpromo: bad lines by reason:\n';
  for (const [reason, n] of Object.entries(read.badReasons).sort((a, b) => b[1] - a[1])) out += `  ${String(n).padStart(8)}  ${reason}\n`;
  return out;
}

/** Builds the replay subcommand. */
export function replayCommand(ctx: CommandContext): Command {
  const cmd = new Command('replay')
    .description('replay access traces (CSV or perf script text; - or none = stdin; .gz ok) through a promotion engine')
    .argument('[trace...]', 'trace files, replayed as one stream in order');
  addOptions(cmd, ENGINE_OPTIONS);
  addOptions(cmd, INPUT_OPTIONS);
  addOptions(cmd, REPLAY_OUTPUT_OPTIONS);
  cmd.action(async (traces: string[], raw: RawReplayOptions, self: Command) => {
    const perfTyped = refuseOtherInputOptions(self, PERF_DEFAULTED_FLAGS);
    // Typed, even as its default dec, it needs --events; only the default left alone is no error.
    if (typed(self, '--events-pfn') && raw.events === undefined) throw new UsageError('--events-pfn sets the pfn column of --events: give it with --events FILE');
    ctx.setExit(await replay(ctx, traces, raw, self.getOptionValueSource('topology') === 'default', perfTyped));
  });
  return cmd;
}

/** Reads and parses a golden vmstat file against the counters the engine knows. */
export function readGolden(file: string, settings: ReplaySettings): GoldenEntry[] {
  return parseGolden(readSideFile(file, 'golden file'), file, new Set(runCounterNames(settings.engine, settings.rfc.demotion === true)));
}

/**
 * Issue 12: the bounds from an engine made with page_counts (null for an engine without them); with `rows`, also the
 * per-row instant hits the engine counts (RfcV1Engine.take_interval_instant_hits()).
 */
function engineBounds(lib: AnalysisLib, engine: ObservableEngine, topology: Topology, rows: boolean): BoundsSource | null {
  if (!(engine instanceof RfcV1Engine) || engine.page_counts() === null) return null;
  const e = engine;
  return {
    bounds: () =>
      lib.boundsOfPageCounts(e.page_counts()!, e.counters().find((c) => c.name === 'kpromoted_recorded_accesses')!.value, topology),
    ...(rows ? { take_interval_instant_hits: () => e.take_interval_instant_hits() } : {}),
  };
}

function isAnalysisSource(e: ObservableEngine): e is ObservableEngine & AnalysisSource {
  return 'take_interval_accesses' in e;
}

function parseBucket(text: string | undefined): number {
  if (text === undefined) return 0;
  const v = Number(text);
  // Finite too: 400 digits are Infinity to Number(), which the aggregation would report as `got null`.
  if (!/^\d+(\.\d+)?$/.test(text) || !(v > 0) || !Number.isFinite(v)) throw new UsageError(`--bucket must be a positive number of seconds, got ${JSON.stringify(text)}`);
  return v;
}

/** `topologyDefaulted`: no --topology was given (the default preset is used), for the no-range warning. */
async function replay(ctx: CommandContext, traces: string[], raw: RawReplayOptions, topologyDefaulted = false, perfTyped: readonly string[] = []): Promise<number> {
  const { io } = ctx;
  refuseIgnoredOptions(raw);
  const settings = normalizeReplayOptions(raw, traces, (arg) => loadTopology(arg, undefined, (w) => io.stderr.write(`kpromo: ${w}\n`)));
  // The parse thread, if the read will have one, starts now (it takes 50-190 ms to start), not when the read begins.
  const stdinHook = settings.inputs.some((i) => i.name === '-') ? { stdin: io.stdin } : {};
  const plan = startParseThreadFor(settings, stdinHook);
  const bucketSeconds = parseBucket(raw.bucket);
  if (raw.bucket !== undefined && raw.timeline !== true && raw.timelineCsv === undefined && raw.report === undefined) {
    throw new UsageError('--bucket groups timeline rows: give it with --timeline, --timeline-csv or --report');
  }
  // vmstat is the counters alone: the metrics and rows these ask for would be computed and never shown.
  if (raw.format === 'vmstat' && (raw.analysis === true || raw.timeline === true)) {
    throw new UsageError(`${raw.analysis === true ? '--analysis' : '--timeline'} prints in the table and json formats, not in --format vmstat (the counters alone): drop it, or write the rows with --timeline-csv FILE or --report FILE.html`);
  }
  const analysisOn = raw.analysis === true || raw.timeline === true || raw.timelineCsv !== undefined || raw.report !== undefined;
  // Read the golden first: a bad golden is a usage error before any work is done.
  const golden = raw.expect !== undefined ? readGolden(raw.expect, settings) : undefined;

  // Every output path is checked before the replay starts (file-output.ts); `-` is standard output, and then
  // the summary goes to stderr so that stdout carries that one CSV.
  checkOutputs([
    raw.events !== undefined ? { option: '--events', path: raw.events } : null,
    raw.timelineCsv !== undefined ? { option: '--timeline-csv', path: raw.timelineCsv } : null,
    raw.report !== undefined ? { option: '--report', path: raw.report } : null,
  ], traceInputSpecs(settings.inputs, topologyFile(raw.topology), raw.expect !== undefined ? { what: '--expect golden', path: raw.expect } : null));
  const output = (option: string, file: string | undefined): OutputFile | null =>
    file !== undefined ? new OutputFile(file, { option, stdout: io.stdout }) : null;
  const events = output('--events', raw.events);
  const timelineCsv = output('--timeline-csv', raw.timelineCsv);
  const reportFile = output('--report', raw.report);
  const files = [events, timelineCsv, reportFile].filter((f): f is OutputFile => f !== null);
  const summaryOut = files.some((f) => f.isStdout) ? io.stderr : io.stdout;
  try {
    for (const f of files) await f.open();
  } catch (e) {
    for (const f of files) f.discard();
    throw e;
  }
  const writer = events ? new EventsCsvWriter((chunk) => events.write(chunk), undefined, raw.eventsPfn) : null;
  let collector: AnalysisCollector | null = null;
  // Issue 12: the bounds of the fast-tier share, from the engine's own page state (one count per slow-tier page
  // beside its state byte); with timeline rows, the engine also counts each row's instant hits (a page's first
  // access is one in state ST_HOME). Until 2026-12-02 the rows took them from a counter fed the same records beside
  // the engine (SlowPageCounter): a third of a --timeline replay's time.
  const rowsOn = raw.timeline === true || raw.timelineCsv !== undefined || raw.report !== undefined;
  const lib: AnalysisLib | null = analysisOn ? await import('./replay-analysis.js') : null;
  const runSettings = analysisOn ? analysisSettings(settings, true) : settings;
  let csv: TimelineCsvWriter | null = null;
  const progress = makeProgress(io.stderr, raw.progress);
  let stop = false;
  const off = io.onInterrupt(() => {
    stop = true;
  });
  let offForced = (): void => {};
  let result: ReplayResult;
  try {
    // A pipe's writer killed by the same Ctrl-C ends (or cuts) the input before this process sees its signal: a cut
    // line would read as a parse error, an end at a line end as the whole trace (exit 0 with final counters).
    const r = await settleRead(runReplay(runSettings, {
      ...stdinHook,
      plan,
      observe: (engine) => {
        // If the read cannot see the stop request in time (an idle pipe or terminal), the partial counters are
        // printed as the process ends (signals.ts).
        offForced = io.onForcedStop?.(() => {
          progress.done();
          io.stderr.write(`# kpromo: interrupted: partial counters, no final pass\n${renderVmstat(engine.counters())}`);
        }) ?? offForced;
        if (analysisOn) {
          if (!isAnalysisSource(engine)) throw new UsageError(`engine ${engine.name} does not support --analysis, --timeline or --report`);
          const file = timelineCsv;
          const source = engineBounds(lib!, engine, settings.rfc.topology, rowsOn);
          csv = file ? new lib!.TimelineCsvWriter((chunk) => file.write(chunk), engine.budgeted_nodes, source?.take_interval_instant_hits !== undefined) : null;
          const rowsTo = csv;
          // Timeline rows only for an output that shows them: without rows the engine counts no accesses per pass.
          collector = new lib!.AnalysisCollector(engine, {
            bucketSeconds,
            rows: rowsOn,
            ...(source ? { bounds: source } : {}),
            ...(rowsTo ? { onRow: (row) => rowsTo.row(row) } : {}),
          });
        }
        return combineObservers([...(writer ? [writer] : []), ...(collector ? [collector] : [])]);
      },
      onProgress: (p) => progress.update(p),
      onPass: (p) => progress.pass(p),
      shouldStop: () => stop,
    }), () => stop, settings.inputs.map((i) => i.name));
    if (r === READ_STOPPED) {
      for (const f of files) f.discard();
      progress.done();
      io.stderr.write('# kpromo: interrupted; outputs discarded\n');
      return EXIT_INTERRUPTED;
    }
    result = r;
  } catch (e) {
    for (const f of files) f.discard();
    throw e;
  } finally {
    offForced();
    off();
    progress.done();
  }

  io.stderr.write(skipReport(result.read));
  io.stderr.write(inputNotes(result.read, perfTyped));
  io.stderr.write(noRangeWarning(result.summary, settings.rfc.topology, topologyDefaulted));
  // A signal that came after the read had ended (during the last batches or the final pass) still ends the
  // command as a signal does: outputs discarded, the counters as they stand on stderr.
  if (result.interrupted || stop) {
    for (const f of files) f.discard();
    io.stderr.write(
      result.interrupted
        ? `# kpromo: interrupted after ${result.read.records} records${result.partialPass ? ', part way through a migrate pass' : ''}: partial counters, no final pass\n`
        : `# kpromo: interrupted after the last of ${result.read.records} records: counters as they stand, outputs discarded\n`,
    );
    io.stderr.write(renderVmstat(result.counters));
    return EXIT_INTERRUPTED;
  }
  let analysis: AnalysisOutput | null = null;
  const c = collector as AnalysisCollector | null;
  if (c) {
    const timeline = c.timeline();
    (csv as TimelineCsvWriter | null)?.drain();
    const metrics = c.metrics(new Map(result.counters.map((k) => [k.name, k.value])));
    analysis = { lib: lib!, metrics, timeline: raw.timeline ? timeline : null, bucketSeconds: c.rowSeconds };
    if (raw.report !== undefined) {
      const html = lib!.renderReportHtml(
        lib!.buildReportData({
          engine: result.engine.name,
          settings: settingsList(settings).filter(([k]) => k !== 'hz'), // the report shows engine and HZ itself
          counters: result.counters,
          metrics,
          timeline,
          topology: settings.rfc.topology,
          hz: settings.rfc.hz,
          traces: settings.inputs.map((i) => i.name),
          freePagesEnd: result.summary.free_pages,
          ignored: ignoredRows(result.summary),
          rowSeconds: c.rowSeconds,
        }),
      );
      reportFile!.write(html);
    }
  }
  if (writer) writer.drain();
  try {
    for (const f of files) await f.commitAsync();
  } catch (e) {
    for (const f of files) f.discard();
    throw e;
  }
  summaryOut.write(renderResult(raw.format, settings, result, ctx.color(summaryOut), analysis, tableWidthFor(summaryOut)));
  if (golden) {
    const diffs = compareGolden(golden, result.counters);
    if (diffs.length > 0) {
      io.stderr.write(renderGoldenDiff(diffs, raw.expect!));
      return EXIT_MISMATCH;
    }
  }
  return EXIT_OK;
}
