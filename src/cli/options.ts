/**
 * Replay options, declared once (flags, help, default) and turned into commander options; normalize()
 * turns what the user typed into complete, validated ReplaySettings. Messages quote the bad value.
 */
import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { quoteText } from '../escape.js';
import { RFC_V1_DEFAULTS } from '../engine/config.js';
import { ENGINE_NAMES } from '../engine/registry.js';
import { PGHOT_DEFAULTS } from '../engine/pghot-config.js';

/** One option as declared for commander. */
export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly default?: string;
  readonly choices?: readonly string[];
  /** Custom value parser (commander argParser), e.g. to collect a repeated option. */
  readonly parse?: (value: string, previous: unknown) => unknown;
}

/** Output formats of `kpromo replay`. */
export const FORMATS = ['table', 'vmstat', 'json'] as const;

/** The default topology preset (SPEC 7). */
export const DEFAULT_TOPOLOGY = '2s-cxl';

/** Options shared by every command that replays a trace (replay, check's per-trace args). */
export const ENGINE_OPTIONS: readonly OptionSpec[] = [
  { flags: '--topology <file|preset>', description: 'topology JSON file or preset name', default: DEFAULT_TOPOLOGY },
  { flags: '--engine <name>', description: 'promotion engine', default: 'rfc-v1', choices: ENGINE_NAMES },
  { flags: '--hz <n>', description: 'CONFIG_HZ: jiffies per second, 1..100000', default: String(RFC_V1_DEFAULTS.hz) },
  { flags: '--window <ms>', description: `frequency window in ms (default: rfc-v1 ${RFC_V1_DEFAULTS.window_ms}, pghot ${PGHOT_DEFAULTS.freq_window_ms}, --pghot-precise ${PGHOT_DEFAULTS.freq_window_ms_precise})` },
  { flags: '--threshold <n>', description: `accesses in a window to be a candidate, at least 1 (default: rfc-v1 ${RFC_V1_DEFAULTS.threshold}, pghot ${PGHOT_DEFAULTS.freq_threshold})` },
  { flags: '--period <ms>', description: `daemon period in ms: KPROMOTE_DELAY / kmigrated_sleep_ms (default: rfc-v1 ${RFC_V1_DEFAULTS.period_ms}, pghot ${PGHOT_DEFAULTS.kmigrated_sleep_ms})` },
  { flags: '--default-node <nid>', description: `rfc-v1: hot_node of NUMA_NO_NODE (-1) accesses (default: ${RFC_V1_DEFAULTS.default_node})` },
  { flags: '--hash-order <bits>', description: `rfc-v1: KPROMOTED_HASH_ORDER, log2 of the number of hash buckets, 1..24 (default: ${RFC_V1_DEFAULTS.hash_order})` },
  { flags: '--demotion', description: 'rfc-v1: kswapd-style demotion of budgeted top-tier nodes (kpromo model; off = the patch as posted)' },
  { flags: '--pghot-precise', description: 'pghot: CONFIG_PGHOT_PRECISE (u32 record: nid, 3-bit frequency, 14-bit time)' },
  { flags: '--target-nid <nid>', description: `pghot: vm.pghot_target_nid (default: ${PGHOT_DEFAULTS.target_nid})` },
  { flags: '--batch <n>', description: `pghot: kmigrated_batch_nr (default: ${PGHOT_DEFAULTS.kmigrated_batch_nr})` },
  { flags: '--rate-limit <MBps>', description: `pghot: vm.pghot_promote_rate_limit_MBps (default: ${PGHOT_DEFAULTS.promote_rate_limit_MBps})` },
  { flags: '--sources <mask>', description: 'pghot: vm.pghot_enabled_sources, 0x1 hint faults, 0x2 hwhints (default: 0x3)' },
  { flags: '--parser <kind>', description: 'CSV parser: auto (byte-level fast path, csv-parse for anything unusual), fast, csv-parse', default: 'auto', choices: ['auto', 'fast', 'csv-parse'] },
];

/** ENGINE_OPTIONS of `kpromo page`, which follows kpromoted's record of a page: rfc-v1 engines only, no pghot tunables. */
export const PAGE_ENGINE_OPTIONS: readonly OptionSpec[] = ENGINE_OPTIONS.filter((o) => !o.description.startsWith('pghot:')).map((o) => {
  const rfcOnly: Readonly<Record<string, string>> = {
    '--engine': 'promotion engine',
    '--window': `frequency window in ms (default: ${RFC_V1_DEFAULTS.window_ms})`,
    '--threshold': `accesses in a window to be a candidate, at least 1 (default: ${RFC_V1_DEFAULTS.threshold})`,
    '--period': `daemon period in ms: KPROMOTE_DELAY (default: ${RFC_V1_DEFAULTS.period_ms})`,
  };
  const flag = o.flags.split(' ')[0]!;
  const description = rfcOnly[flag] ?? o.description;
  return flag === '--engine' ? { ...o, description, choices: ENGINE_NAMES.filter((n) => n !== 'pghot') } : { ...o, description };
});

/** Collects the values of a repeatable option. */
function collect(value: string, previous: unknown): string[] {
  return [...((previous as string[] | undefined) ?? []), value];
}

/** Input options of every command that reads traces (replay, convert): kind, perf mapping, --skip-bad. */
export const INPUT_OPTIONS: readonly OptionSpec[] = [
  { flags: '--input <kind>', description: 'input format: auto (sniff each input), csv or perf (perf script text)', default: 'auto', choices: ['auto', 'csv', 'perf'] },
  { flags: '--perf-fields <list>', description: 'perf: the list given to perf script -F (exact parsing; default: detect the shape from the first lines)' },
  { flags: '--nid <mode>', description: "perf: access nid: cpu (the node of the sample's CPU in the topology), none (-1) or a node number", default: 'cpu' },
  { flags: '--page-size <bytes>', description: 'perf: pfn = phys_addr / page size (4096, 4K, 2M, 1G)', default: '4096' },
  { flags: '--event <name>', description: 'perf: keep samples of this event (repeatable or comma list; default: memory events ibs_op, mem-loads, mem-stores)', parse: collect },
  { flags: '--skip-bad', description: 'skip malformed lines (counted by reason, the first few printed on stderr) instead of stopping' },
  { flags: '--parse-thread <mode>', description: 'parse trace files on a second thread: auto (a pipe, files of 4 MiB or more but not gzip; a replay of plain CSV: 32 MiB or more), on, off', default: 'auto', choices: ['auto', 'on', 'off'] },
];

/** Options of `kpromo replay` beyond ENGINE_OPTIONS. */
/** `--no-progress`, the same for every command that shows a progress line. */
export const PROGRESS_OPTION: OptionSpec = { flags: '--no-progress', description: 'no progress line on stderr (it is shown only on a terminal)' };

export const REPLAY_OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { flags: '--format <format>', description: 'output: table, vmstat or json', default: 'table', choices: FORMATS },
  { flags: '--events <file>', description: 'write one CSV line per record examined by a pass' },
  { flags: '--events-pfn <format>', description: '--events pfn column: dec (SPEC 5, what check goldens hold) or hex (0x, as kpromo shows pfns elsewhere)', default: 'dec', choices: ['dec', 'hex'] },
  { flags: '--expect <golden>', description: 'compare counters with a vmstat-format golden file (exit 1 on mismatch)' },
  { flags: '--analysis', description: 'print analysis metrics: fast-tier share, promotion latency, wasted promotions, kernel memory' },
  { flags: '--timeline', description: 'print one row per migrate pass and daemon node (implies --analysis)' },
  { flags: '--bucket <seconds>', description: 'aggregate timeline rows into buckets of this many seconds' },
  { flags: '--timeline-csv <file>', description: 'write the timeline as CSV (implies --analysis)' },
  { flags: '--report <file.html>', description: 'write a self-contained HTML report with charts (implies --analysis)' },
  PROGRESS_OPTION,
];

/** Adds declared options to a command. */
export function addOptions(cmd: Command, specs: readonly OptionSpec[]): Command {
  for (const s of specs) {
    const o = new Option(s.flags, s.description);
    if (s.default !== undefined) o.default(s.default);
    if (s.choices) o.choices(s.choices);
    if (s.parse) o.argParser(s.parse);
    cmd.addOption(o);
  }
  return cmd;
}

/** An option documented (in its help text) as repeatable: every value is kept, so giving it twice is no error. */
const REPEATABLE = /\brepeatable\b/;

/**
 * Refuses a single-value option given twice (`--hz 250 --hz 1000`, `-o a -o b`, `--x=1 --x 2`) on `cmd` and its
 * subcommands, instead of commander's silent last-one-wins. Options whose help says "repeatable" and variadic
 * options keep every value. Works by wrapping each option's value parser (commander calls it for every form:
 * long, short, `--opt=value`); the second value from the command line finds the first one's source already `cli`.
 */
export function refuseRepeatedOptions(cmd: Command): Command {
  for (const o of cmd.options) {
    if (!(o.required || o.optional) || o.variadic || REPEATABLE.test(o.description)) continue;
    const key = o.attributeName();
    const inner = o.parseArg as ((value: string, previous: unknown) => unknown) | undefined;
    const name = o.long ?? o.short ?? o.flags;
    const parse = (value: string, previous: unknown): unknown => {
      if (cmd.getOptionValueSource(key) === 'cli') {
        throw new UsageError(`${name} given twice, ${quoteText(String(previous))} and ${quoteText(value)}: give it once`);
      }
      return inner ? inner(value, previous) : value;
    };
    o.argParser(parse);
  }
  for (const sub of cmd.commands) refuseRepeatedOptions(sub);
  return cmd;
}

/** Whether option `flag` (`--nid`) of `cmd` was typed on the command line, as opposed to left at its default. */
export function typed(cmd: Command, flag: string): boolean {
  const o = cmd.options.find((x) => x.long === flag);
  return o !== undefined && cmd.getOptionValueSource(o.attributeName()) === 'cli';
}

/** `a`, `a and b`, `a, b and c`. */
function andList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

/**
 * Refuses the options of the other input kind, typed: the perf mapping options `perfFlags` with `--input csv` (a CSV
 * trace has no perf sample for them to map), `--parser` with `--input perf` (it picks the CSV parser). Their defaults
 * (`--nid cpu`, `--page-size 4096`, convert's `--topology` and `--hz`, `--parser auto`) are told apart from a typed value
 * by commander's value source; `--perf-fields` and `--event` have no default and are refused by normalizeInputOptions.
 * Returns the perf options typed with `--input auto` (`perfFlags`, `--perf-fields`, `--event`): an input's kind is
 * known only once it is read, so inputNotes() warns after the read when every input turned out CSV.
 */
export function refuseOtherInputOptions(cmd: Command, perfFlags: readonly string[]): string[] {
  const kind = cmd.opts()['input'];
  const given = kind === 'csv' ? perfFlags.filter((f) => typed(cmd, f)) : [];
  if (given.length > 0) throw new UsageError(`${andList(given)} appl${given.length === 1 ? 'ies' : 'y'} to perf samples: not used with --input csv`);
  if (kind === 'perf' && typed(cmd, '--parser')) throw new UsageError('--parser applies to CSV traces: not used with --input perf');
  return kind === 'auto' ? ['--perf-fields', '--event', ...perfFlags].filter((f) => typed(cmd, f)) : [];
}

/** The perf mapping options with a default, refused with `--input csv` when typed (refuseOtherInputOptions). */
export const PERF_DEFAULTED_FLAGS: readonly string[] = ['--nid', '--page-size'];


// The normalize step lives in src/run/settings.ts (pure, shared with multi runs); re-exported for commands.
export {
  normalizeInputOptions,
  normalizeReplayOptions,
  optionEngines,
  parseIntOption,
  refuseIgnoredOptions,
  parsePageSize,
  splitEvents,
  type RawEngineOptions,
  type RawInputOptions,
} from '../run/settings.js';
