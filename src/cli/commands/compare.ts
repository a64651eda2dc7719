/** `kpromo compare [options] [trace ...]`: several engines and tunable sets over one read of the traces. */
import { Command, Option } from 'commander';
import { ENGINE_NAMES } from '../../engine/registry.js';
import type { Topology } from '../../engine/topology.js';
import { EXIT_INTERRUPTED, EXIT_OK } from '../../errors.js';
import { cachedLoader, engineSettings, parseEngineSpec, specSettings, uniqueLabels, type MultiConfig } from '../../multi/config.js';
import { renderCompareCsv, renderCompareJson, renderCompareTable, type CompareView } from '../../multi/render-compare.js';
import { tableWidthFor } from '../../render/fit-table.js';
import { runMulti } from '../../multi/run-multi.js';
import { canRunShared, runShared } from '../../multi/shared.js';
import type { ReadProgress } from '../../trace/read.js';
import { availableParallelism } from 'node:os';
import { loadTopology } from '../../topology/load.js';
import { addOptions, ENGINE_OPTIONS, type RawEngineOptions } from '../options.js';
import { makeProgress } from '../progress.js';
import { settingsList, type CommandContext } from './replay.js';

/** Output formats of `kpromo compare`. */
export const COMPARE_FORMATS = ['table', 'json', 'csv'] as const;

interface RawCompareOptions extends Omit<RawEngineOptions, 'engine'> {
  engine?: string[];
  format: (typeof COMPARE_FORMATS)[number];
  progress: boolean;
}

/** Builds the compare subcommand. */
export function compareCommand(ctx: CommandContext): Command {
  const cmd = new Command('compare')
    .description('replay traces once through several engines / tunable sets and print them side by side')
    .argument('[trace...]', 'trace files, replayed as one stream in order (- or none = stdin)')
    .addOption(
      new Option(
        '--engine <name[:key=value,...]>',
        `a configuration to compare (repeatable), e.g. rfc-v1:window=1000,threshold=3 or pghot:precise (default: ${ENGINE_NAMES.join(', ')})`,
      ).argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]),
    );
  addOptions(
    cmd,
    ENGINE_OPTIONS.filter((o) => !o.flags.startsWith('--engine ')).map((o) =>
      ['--window', '--threshold', '--period', '--default-node', '--hash-order', '--hz', '--topology'].some((f) => o.flags.startsWith(f + ' '))
        ? { ...o, description: `${o.description}; default of every --engine` }
        : o,
    ),
  );
  addOptions(cmd, [
    { flags: '--format <format>', description: 'output: table, json or csv', default: 'table', choices: COMPARE_FORMATS },
    { flags: '--no-progress', description: 'no progress line on stderr (it is shown only on a terminal)' },
  ]);
  cmd.action(async (traces: string[], raw: RawCompareOptions) => {
    ctx.setExit(await compare(ctx, traces, raw));
  });
  return cmd;
}

/** The configurations `--engine` names on top of the common options; the common options are checked first. */
export function compareConfigs(raw: RawCompareOptions, load: (arg: string) => Topology): MultiConfig[] {
  const { engine, format: _format, progress: _progress, ...common } = raw;
  const base: RawEngineOptions = { ...common, engine: 'rfc-v1' };
  engineSettings({ ...base, window: undefined, threshold: undefined, period: undefined }, load); // bad common options: no --engine prefix
  const specs = (engine && engine.length > 0 ? engine : [...ENGINE_NAMES]).map(parseEngineSpec);
  const labels = uniqueLabels(specs.map((s) => s.text));
  return specs.map((s, i) => ({ label: labels[i]!, settings: specSettings(s, base, load) }));
}

async function compare(ctx: CommandContext, traces: string[], raw: RawCompareOptions): Promise<number> {
  const { io } = ctx;
  const configs = compareConfigs(raw, cachedLoader((arg) => loadTopology(arg)));
  const inputs = (traces.length === 0 ? ['-'] : traces).map((name) => ({ name }));
  const parser = raw.parser as 'auto' | 'fast' | 'csv-parse';
  const progress = makeProgress(io.stderr, raw.progress);
  let stop = false;
  const off = io.onInterrupt(() => {
    stop = true;
  });
  let run;
  try {
    const opts = { inputs, parser, stdin: io.stdin, onProgress: (p: ReadProgress) => progress.update(p), shouldStop: () => stop };
    // One read; with several configurations and a file, the engines run in worker threads (up to two per core,
    // so engines of unequal cost still keep both cores busy).
    const threads = Math.min(2 * availableParallelism(), configs.length);
    run = threads > 1 && canRunShared(opts) ? await runShared(configs, opts, threads) : await runMulti(configs, opts);
  } finally {
    off();
    progress.done();
  }
  if (run.interrupted) {
    io.stderr.write(`# kpromo: interrupted after ${run.read.records} records: no results\n`);
    return EXIT_INTERRUPTED;
  }
  const view: CompareView = {
    columns: run.results.map((result, i) => ({
      result,
      settings: settingsList({ ...configs[i]!.settings, inputs, parser }).filter(([k]) => k !== 'traces'),
    })),
    traces: inputs.map((i) => i.name),
    records: run.read.records,
  };
  switch (raw.format) {
    case 'table':
      io.stdout.write(renderCompareTable(view, ctx.color(), tableWidthFor(io.stdout)));
      break;
    case 'json':
      io.stdout.write(renderCompareJson(view));
      break;
    case 'csv':
      io.stdout.write(renderCompareCsv(view));
      break;
  }
  return EXIT_OK;
}
