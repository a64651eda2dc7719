/** `kpromo sweep [options] [trace ...]`: a grid over tunables, one pass over the traces, results ranked by a metric. */
import { Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import { counterNames, type EngineName } from '../../engine/registry.js';
import { EXIT_OK } from '../../errors.js';
import { cachedLoader } from '../../multi/config.js';
import { MAX_GRID, SWEEP_PARAMS, type SweepParam } from '../../multi/grid.js';
import { renderSweepCsv, renderSweepJson, renderSweepTable, type ShardInfo, type SweepMeta, type SweepRow, type SweepView } from '../../multi/render-sweep.js';
import { tableWidthFor } from '../../render/fit-table.js';
import { parseShard, shardRange, sweepFingerprint } from '../../multi/shard.js';
import { DEFAULT_SORT, parseSort, sortResults, type SortKey } from '../../multi/sort.js';
import { runSweep } from '../../multi/sweep.js';
import { planSweep } from '../../multi/sweep-config.js';
import { inputJson, type InputJson } from '../../report/json.js';
import { traceInputs } from '../../run/settings.js';
import { ignoredTotal } from '../../report/summary.js';
import { loadTopology, topologyFile } from '../../topology/load.js';
import { OutputFile, traceInputSpecs, type InputSpec } from '../file-output.js';
import type { Io } from '../io.js';
import { addOptions, ENGINE_OPTIONS, INPUT_OPTIONS, parseIntOption, PERF_DEFAULTED_FLAGS, PROGRESS_OPTION, refuseIgnoredOptions, refuseOtherInputOptions, type RawEngineOptions } from '../options.js';
import { guardedRun, machinePlan, memoryGroup, MEMORY_OPTION } from './multi-run.js';
import type { CommandContext } from './replay.js';

/** Output formats of `kpromo sweep`. */
export const SWEEP_FORMATS = ['table', 'csv', 'json'] as const;

/** One of SWEEP_FORMATS. */
export type SweepFormat = (typeof SWEEP_FORMATS)[number];

interface RawSweepOptions extends RawEngineOptions {
  sort: string;
  desc?: boolean;
  csv?: string;
  top?: string;
  jobs?: string;
  shard?: string;
  memory?: string;
  format: SweepFormat;
  progress: boolean;
}

const LIST_FLAGS = SWEEP_PARAMS.map((p) => p.flag);

/** Options sweep and merge share: how the ranked results are shown. */
export const PRESENT_OPTIONS = [
  { flags: '--sort <metric[,metric...]>', description: 'rank by these metrics or counters; -NAME sorts that one descending', default: DEFAULT_SORT },
  { flags: '--desc', description: 'sort every key without a sign descending' },
  { flags: '--csv <file>', description: 'also write every configuration as CSV to this file' },
  { flags: '--top <n>', description: 'print only the first n configurations (the --csv file gets all)' },
] as const;

/** Builds the sweep subcommand. */
export function sweepCommand(ctx: CommandContext): Command {
  const cmd = new Command('sweep')
    .description('replay traces once through a grid of tunables and rank the configurations by a metric')
    .argument('[trace...]', 'trace files, replayed as one stream in order (- or none = stdin)');
  addOptions(
    cmd,
    ENGINE_OPTIONS.map((o) =>
      LIST_FLAGS.some((f) => o.flags.startsWith(f + ' '))
        ? { ...o, description: `${o.description}; a list A,B,C and/or ranges A..B[:STEP]` }
        : o,
    ),
  );
  addOptions(cmd, INPUT_OPTIONS);
  addOptions(cmd, [
    ...PRESENT_OPTIONS,
    { flags: '--jobs <n>', description: 'engine worker threads, at most one per CPU (a larger N runs with one per CPU, with a warning); default: one per CPU when the trace is large enough, else 1 (in process; always for stdin)' },
    MEMORY_OPTION,
    { flags: '--shard <K/N>', description: 'run only part K of N of the grid (for a cluster; output defaults to JSON for kpromo merge)' },
    { flags: '--format <format>', description: 'output: table, csv or json', default: 'table', choices: SWEEP_FORMATS },
    PROGRESS_OPTION,
  ]);
  cmd.action(async (traces: string[], raw: RawSweepOptions, self: Command) => {
    const perfTyped = refuseOtherInputOptions(self, PERF_DEFAULTED_FLAGS);
    // A part of a sharded sweep is meant for `kpromo merge`: JSON unless a format is asked for.
    const format = raw.shard !== undefined && self.getOptionValueSource('format') === 'default' ? 'json' : raw.format;
    ctx.setExit(await sweep(ctx, traces, { ...raw, format }, perfTyped, self.getOptionValueSource('topology') === 'default'));
  });
  return cmd;
}

/** How ranked sweep results are shown (sweep and merge). */
export interface Presentation {
  readonly sort: readonly SortKey[];
  readonly top: number;
  readonly csv: string | null;
  readonly format: SweepFormat;
}

/** Parses --top (1..MAX_GRID; none = all). */
export function parseTop(text: string | undefined): number {
  return text === undefined ? Infinity : parseIntOption('--top', text, 1, MAX_GRID);
}

/** Opens the --csv file before any work (a bad path fails at once). */
export function openCsv(file: string | null, inputs: readonly InputSpec[]): OutputFile | null {
  return file === null ? null : new OutputFile(file, { option: '--csv', inputs });
}

/** Ranks rows (given in grid order), writes --csv (every row) and prints the chosen format (--top rows). */
export async function presentSweep(io: Io, color: () => ChalkInstance, rows: readonly SweepRow[], meta: SweepMeta, how: Presentation, csv: OutputFile | null): Promise<void> {
  const byResult = new Map(rows.map((r) => [r.result, r]));
  const ranked = sortResults(rows.map((r) => r.result), how.sort).map((r) => byResult.get(r)!);
  const view = (list: SweepRow[]): SweepView => ({ ...meta, rows: list, sort: how.sort });
  if (csv) {
    csv.write(renderSweepCsv(view(ranked)));
    await csv.commitAsync(); // a FIFO's reader that stopped reading does not block a signal
  }
  const shown = view(meta.shard ? ranked : ranked.slice(0, how.top));
  switch (how.format) {
    case 'table':
      io.stdout.write(renderSweepTable(shown, color(), tableWidthFor(io.stdout)));
      break;
    case 'csv':
      io.stdout.write(renderSweepCsv(shown));
      break;
    case 'json':
      io.stdout.write(renderSweepJson(shown));
      break;
  }
}

/** `topologyDefaulted`: no --topology was given (the default preset is used), for the no-range warning. */
async function sweep(ctx: CommandContext, traces: string[], raw: RawSweepOptions, perfTyped: readonly string[] = [], topologyDefaulted = false): Promise<number> {
  const { io } = ctx;
  const plan = planSweep(raw, cachedLoader((arg) => loadTopology(arg)));
  refuseIgnoredOptions(raw); // cli: options the swept engine ignores are refused
  const sort = parseSort(raw.sort, raw.desc === true, new Set(counterNames(raw.engine as EngineName)));
  const top = parseTop(raw.top);
  const jobs = raw.jobs === undefined ? null : parseIntOption('--jobs', raw.jobs, 1, 256);
  const inputs = traceInputs(traces);
  const traceNames = inputs.map((i) => i.name);
  const parser = raw.parser as 'auto' | 'fast' | 'csv-parse';
  const shardSpec = raw.shard === undefined ? null : parseShard(raw.shard);
  const [start, end] = shardSpec ? shardRange(plan.configs.length, shardSpec) : [0, plan.configs.length];
  const configs = plan.configs.slice(start, end).map((c) => ({ ...c, topologyDefaulted }));
  const shard: ShardInfo | undefined = shardSpec
    ? { index: shardSpec.index, count: shardSpec.count, sweep: sweepFingerprint(traceNames, plan.configs) }
    : undefined;

  const csv = openCsv(raw.csv ?? null, traceInputSpecs(inputs, topologyFile(raw.topology)));
  let records: number | null = null;
  let input: InputJson | null = null;
  let rows: SweepRow[] = [];
  try {
    await csv?.open(); // a FIFO waits for its reader here, where a signal still ends the command
    if (configs.length === 0) {
      // More parts than configurations: this part has no work, and says so; its output still completes the merge.
      io.stderr.write(
        `kpromo: part ${shardSpec!.index} of ${shardSpec!.count} has no configuration to run: the grid has ${plan.configs.length} configuration${plan.configs.length === 1 ? '' : 's'} ` +
          `for ${shardSpec!.count} parts; it reads no trace, and its output is still a part for kpromo merge\n`,
      );
    } else {
      const threads = machinePlan(io, configs.length, inputs, jobs).threads;
      const group = memoryGroup(configs, inputs, threads, raw.memory);
      const guarded = await guardedRun(io, configs, raw.progress, (hooks) => runSweep(configs, { inputs, parser, stdin: io.stdin, ...hooks }, threads, group), perfTyped);
      if (guarded.exit !== null) {
        csv?.discard();
        return guarded.exit;
      }
      records = guarded.run.read.records;
      input = inputJson(guarded.run.read);
      rows = guarded.run.results.map((result, i) => ({
        index: start + i,
        point: plan.points[start + i]!,
        params: plan.params[start + i]!,
        result: { ...result, ignored_total: ignoredTotal(result.summary) },
      }));
    }
  } catch (e) {
    csv?.discard();
    throw e;
  }
  const meta: SweepMeta = {
    engine: raw.engine,
    swept: plan.swept as SweepParam[],
    traces: traceNames,
    records,
    input,
    total: plan.configs.length,
    ...(shard ? { shard } : {}),
  };
  await presentSweep(io, ctx.color, rows, meta, { sort, top, csv: raw.csv ?? null, format: raw.format }, csv);
  return EXIT_OK;
}
