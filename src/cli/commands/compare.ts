/** `kpromo compare [options] [trace ...]`: several engines and tunable sets over one read of the traces. */
import { Command, Option } from 'commander';
import { ENGINE_NAMES } from '../../engine/registry.js';
import type { Topology } from '../../engine/topology.js';
import { EXIT_OK, UsageError } from '../../errors.js';
import { cachedLoader, engineSettings, parseEngineSpec, specSettings, uniqueLabels, type EngineSpec, type MultiConfig } from '../../multi/config.js';
import { renderCompareCsv, renderCompareJson, renderCompareTable, type CompareView } from '../../multi/render-compare.js';
import { tableWidthFor } from '../../render/fit-table.js';
import { runSweep } from '../../multi/sweep.js';
import { inputJson } from '../../report/json.js';
import { loadTopology } from '../../topology/load.js';
import { addOptions, ENGINE_OPTIONS, INPUT_OPTIONS, optionEngines, parseIntOption, PERF_DEFAULTED_FLAGS, PROGRESS_OPTION, refuseOtherInputOptions, type RawEngineOptions } from '../options.js';
import { guardedRun, machinePlan, memoryGroup, MEMORY_OPTION } from './multi-run.js';
import { settingsJson, settingsList, traceInputs } from '../../run/settings.js';
import type { CommandContext } from './replay.js';

/** Output formats of `kpromo compare`. */
export const COMPARE_FORMATS = ['table', 'json', 'csv'] as const;

interface RawCompareOptions extends Omit<RawEngineOptions, 'engine'> {
  engine?: string[];
  format: (typeof COMPARE_FORMATS)[number];
  progress: boolean;
  jobs?: string;
  memory?: string;
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
  // Every tunable can be set per --engine (NAME:key=value) too; an engine's own tunables (`rfc-v1: ...`, `pghot: ...`)
  // apply to the configurations of that engine.
  addOptions(
    cmd,
    COMMON_OPTIONS.map((o) => {
      if (o.flags.startsWith('--parser ')) return o;
      const owners = optionEngines(flagAndKey(o.flags)[1]);
      return { ...o, description: `${o.description}; for every ${owners === null ? '' : `${owners.join(' or ')} `}--engine that does not set its own` };
    }),
  );
  addOptions(cmd, INPUT_OPTIONS);
  addOptions(cmd, [
    { flags: '--format <format>', description: 'output: table, json or csv', default: 'table', choices: COMPARE_FORMATS },
    { flags: '--jobs <n>', description: 'engine worker threads, at most one per CPU (a larger N runs with one per CPU, with a warning); default: one per CPU when the trace is large enough, else 1 (in process; always for stdin)' },
    MEMORY_OPTION,
    PROGRESS_OPTION,
  ]);
  cmd.action(async (traces: string[], raw: RawCompareOptions, self: Command) => {
    const perfTyped = refuseOtherInputOptions(self, PERF_DEFAULTED_FLAGS);
    ctx.setExit(await compare(ctx, traces, raw, (key) => self.getOptionValueSource(key) === 'cli', perfTyped));
  });
  return cmd;
}

/** ENGINE_OPTIONS but --engine: the options compare applies to every configuration that uses them. */
const COMMON_OPTIONS = ENGINE_OPTIONS.filter((o) => !o.flags.startsWith('--engine '));

/** `--hash-order <bits>` -> ['--hash-order', 'hashOrder'] (commander's long flag and attribute name). */
function flagAndKey(flags: string): [string, keyof RawEngineOptions] {
  const o = new Option(flags);
  return [o.long!, o.attributeName() as keyof RawEngineOptions];
}

/** The specs' texts, quoted, each once; `many`: more than one. */
function specList(specs: readonly EngineSpec[]): { text: string; many: boolean } {
  const texts = [...new Set(specs.map((s) => s.text))];
  return { text: texts.map((t) => JSON.stringify(t)).join(', '), many: texts.length > 1 };
}

/**
 * Refuses a common option given on the command line (`given`) that no configuration uses, so that it is not silently
 * dropped: every configuration either runs an engine that has no use for it (`--hash-order` with pghot engines only,
 * `--batch` with rfc-v1 ones) or sets its own (`--window 1000 --engine rfc-v1:window=2000`). An option that some
 * configurations use applies to those.
 */
export function refuseUnusedCommon(specs: readonly EngineSpec[], given: (key: keyof RawEngineOptions) => boolean): void {
  for (const o of COMMON_OPTIONS) {
    const [flag, key] = flagAndKey(o.flags);
    if (!given(key)) continue;
    const owners = optionEngines(key);
    const notOwners = specs.filter((s) => owners !== null && !owners.includes(s.engine));
    const setOwn = specs.filter((s) => !notOwners.includes(s) && Object.hasOwn(s.overrides, key));
    if (notOwners.length + setOwn.length < specs.length) continue; // some configuration uses it
    const why: string[] = [];
    if (notOwners.length > 0) {
      const { text, many } = specList(notOwners);
      why.push(`${text} ${many ? 'do' : 'does'} not use it (only ${owners!.join(' and ')} ${owners!.length > 1 ? 'do' : 'does'})`);
    }
    if (setOwn.length > 0) {
      const { text, many } = specList(setOwn);
      why.push(`${text} ${many ? 'set their' : 'sets its'} own`);
    }
    throw new UsageError(`${flag} is used by no --engine of this run: ${why.join(', ')}: leave it out${setOwn.length === 0 ? ' or add an --engine that uses it' : ''}`);
  }
}

/**
 * The configurations `--engine` names on top of the common options; the common options are checked first, and one
 * given (`given`: typed on the command line, not a default) that no configuration uses is refused.
 */
export function compareConfigs(raw: RawCompareOptions, load: (arg: string) => Topology, given: (key: keyof RawEngineOptions) => boolean): MultiConfig[] {
  const { engine, format: _format, progress: _progress, jobs: _jobs, memory: _memory, ...common } = raw;
  const base: RawEngineOptions = { ...common, engine: 'rfc-v1' };
  engineSettings({ ...base, window: undefined, threshold: undefined, period: undefined }, load); // bad common options: no --engine prefix
  const specs = (engine && engine.length > 0 ? engine : [...ENGINE_NAMES]).map(parseEngineSpec);
  refuseUnusedCommon(specs, given);
  const labels = uniqueLabels(specs.map((s) => s.text));
  const topologyDefaulted = (s: EngineSpec): boolean => !given('topology') && !Object.hasOwn(s.overrides, 'topology');
  return specs.map((s, i) => ({ label: labels[i]!, settings: specSettings(s, base, load), topologyDefaulted: topologyDefaulted(s) }));
}

async function compare(ctx: CommandContext, traces: string[], raw: RawCompareOptions, given: (key: keyof RawEngineOptions) => boolean, perfTyped: readonly string[] = []): Promise<number> {
  const { io } = ctx;
  const configs = compareConfigs(raw, cachedLoader((arg) => loadTopology(arg)), given);
  const inputs = traceInputs(traces);
  const parser = raw.parser as 'auto' | 'fast' | 'csv-parse';
  // One read. With several configurations and a file large enough, the engines run in worker threads, one
  // per core (two per core, tried before, measured slower on 2 cores: 5.4-6.0 s against 4.4-4.7 s for 3
  // engines over 10 M records, 2026-11-30); else in process.
  const jobs = raw.jobs === undefined ? null : parseIntOption('--jobs', raw.jobs, 1, 256);
  const plan = machinePlan(io, configs.length, inputs, jobs);
  const group = memoryGroup(configs, inputs, plan.threads, raw.memory);
  const guarded = await guardedRun(io, configs, raw.progress, (hooks) => runSweep(configs, { inputs, parser, stdin: io.stdin, ...hooks }, plan.threads, group), perfTyped);
  if (guarded.exit !== null) return guarded.exit;
  const run = guarded.run;
  const view: CompareView = {
    columns: run.results.map((result, i) => ({
      result,
      settings: settingsList({ ...configs[i]!.settings, inputs, parser }).filter(([k]) => k !== 'traces'),
      settingsJson: settingsJson({ ...configs[i]!.settings, inputs, parser }), // cli: typed settings for JSON
    })),
    traces: inputs.map((i) => i.name),
    records: run.read.records,
    input: inputJson(run.read),
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
