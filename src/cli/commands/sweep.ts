/** `kpromo sweep [options] [trace ...]`: a grid over tunables, one pass over the traces, results ranked by a metric. */
import { Command } from 'commander';
import { EXIT_INTERRUPTED, EXIT_OK } from '../../errors.js';
import { cachedLoader } from '../../multi/config.js';
import { MAX_GRID, SWEEP_PARAMS, type SweepParam } from '../../multi/grid.js';
import { renderSweepCsv, renderSweepJson, renderSweepTable, type SweepRow, type SweepView } from '../../multi/render-sweep.js';
import { tableWidthFor } from '../../render/fit-table.js';
import { DEFAULT_SORT, parseSort, sortResults } from '../../multi/sort.js';
import { defaultJobs, readsStdin, runSweep } from '../../multi/sweep.js';
import { planSweep } from '../../multi/sweep-config.js';
import { counterNames, type EngineName } from '../../engine/registry.js';
import { loadTopology } from '../../topology/load.js';
import { AtomicFile } from '../file-output.js';
import { addOptions, ENGINE_OPTIONS, parseIntOption, type RawEngineOptions } from '../options.js';
import { makeProgress } from '../progress.js';
import type { CommandContext } from './replay.js';

/** Output formats of `kpromo sweep`. */
export const SWEEP_FORMATS = ['table', 'csv', 'json'] as const;

interface RawSweepOptions extends RawEngineOptions {
  sort: string;
  desc?: boolean;
  csv?: string;
  top?: string;
  jobs?: string;
  format: (typeof SWEEP_FORMATS)[number];
  progress: boolean;
}

const LIST_FLAGS = SWEEP_PARAMS.map((p) => p.flag);

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
  addOptions(cmd, [
    { flags: '--sort <metric[,metric...]>', description: 'rank by these metrics or counters; -NAME sorts that one descending', default: DEFAULT_SORT },
    { flags: '--desc', description: 'sort every key without a sign descending' },
    { flags: '--csv <file>', description: 'also write every configuration as CSV to this file' },
    { flags: '--top <n>', description: 'print only the first n configurations (the --csv file gets all)' },
    { flags: '--jobs <n>', description: `worker threads; default: every CPU for grids of more than 4 configurations, 1 = in process (always for stdin)` },
    { flags: '--format <format>', description: 'output: table, csv or json', default: 'table', choices: SWEEP_FORMATS },
    { flags: '--no-progress', description: 'no progress line on stderr (in-process runs on a terminal only)' },
  ]);
  cmd.action(async (traces: string[], raw: RawSweepOptions) => {
    ctx.setExit(await sweep(ctx, traces, raw));
  });
  return cmd;
}

async function sweep(ctx: CommandContext, traces: string[], raw: RawSweepOptions): Promise<number> {
  const { io } = ctx;
  const plan = planSweep(raw, cachedLoader((arg) => loadTopology(arg)));
  const sort = parseSort(raw.sort, raw.desc === true, new Set(counterNames(raw.engine as EngineName)));
  const top = raw.top === undefined ? Infinity : parseIntOption('--top', raw.top, 1, MAX_GRID);
  const jobs = raw.jobs === undefined ? defaultJobs(plan.configs.length) : parseIntOption('--jobs', raw.jobs, 1, 256);
  const inputs = (traces.length === 0 ? ['-'] : traces).map((name) => ({ name }));
  const parser = raw.parser as 'auto' | 'fast' | 'csv-parse';
  const threads = Math.min(jobs, plan.configs.length);
  if (threads > 1 && readsStdin({ inputs })) {
    io.stderr.write('# kpromo: standard input can be read only once: the sweep runs in this thread (--jobs ignored)\n');
  }
  const csv = raw.csv !== undefined ? new AtomicFile(raw.csv) : null;
  const inProcess = threads <= 1 || readsStdin({ inputs });
  const progress = makeProgress(io.stderr, raw.progress && inProcess);
  let stop = false;
  const off = io.onInterrupt(() => {
    stop = true;
  });
  let run;
  try {
    run = await runSweep(
      plan.configs,
      { inputs, parser, stdin: io.stdin, onProgress: (p) => progress.update(p), shouldStop: () => stop },
      threads,
    );
  } catch (e) {
    csv?.discard();
    throw e;
  } finally {
    off();
    progress.done();
  }
  if (run.interrupted) {
    csv?.discard();
    io.stderr.write(`# kpromo: interrupted after ${run.read.records} records: no results\n`);
    return EXIT_INTERRUPTED;
  }
  const rows: SweepRow[] = run.results.map((result, i) => ({ point: plan.points[i]!, params: plan.params[i]!, result }));
  const byResult = new Map(rows.map((r) => [r.result, r]));
  const ranked = sortResults(run.results, sort).map((r) => byResult.get(r)!);
  const view = (list: SweepRow[]): SweepView => ({
    engine: raw.engine,
    rows: list,
    swept: plan.swept as SweepParam[],
    sort,
    traces: inputs.map((i) => i.name),
    records: run.read.records,
    total: ranked.length,
  });
  if (csv) {
    csv.write(renderSweepCsv(view(ranked)));
    csv.commit();
  }
  const shown = view(ranked.slice(0, top));
  switch (raw.format) {
    case 'table':
      io.stdout.write(renderSweepTable(shown, ctx.color(), tableWidthFor(io.stdout)));
      break;
    case 'csv':
      io.stdout.write(renderSweepCsv(shown));
      break;
    case 'json':
      io.stdout.write(renderSweepJson(shown));
      break;
  }
  return EXIT_OK;
}
