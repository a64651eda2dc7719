/**
 * How every `--help` looks: defaults and choices shown one way (unquoted, one default per option), usage
 * terms taken from each command's usage (so commands that are not loaded still list the same way), and two
 * or three real examples at the end of every subcommand's help. Pure: no I/O.
 */
import type { Argument, Command, HelpConfiguration, Option } from 'commander';

/** `(one of: a, b, c; default: x)`: unquoted, and no default appended when the text already gives one. */
export function optionDescription(option: Option): string {
  const extra: string[] = [];
  if (option.argChoices) extra.push(`one of: ${option.argChoices.join(', ')}`);
  const hasDefaultText = /\bdefault\b/.test(option.description);
  const shows = option.required || option.optional;
  if (option.defaultValue !== undefined && shows && !hasDefaultText) {
    extra.push(`default: ${option.defaultValueDescription ?? String(option.defaultValue)}`);
  }
  return extra.length === 0 ? option.description : `${option.description} (${extra.join('; ')})`;
}

/** An argument's help, in the same style: `(one of: ...; default: x)`, unquoted. */
export function argumentDescription(arg: Argument): string {
  const extra: string[] = [];
  if (arg.argChoices) extra.push(`one of: ${arg.argChoices.join(', ')}`);
  if (arg.defaultValue !== undefined && !/\bdefault\b/.test(arg.description)) {
    extra.push(`default: ${arg.defaultValueDescription ?? String(arg.defaultValue)}`);
  }
  return extra.length === 0 ? arg.description : `${arg.description} (${extra.join('; ')})`;
}

/** commander help settings shared by the program and every subcommand. */
export const HELP_CONFIG: HelpConfiguration = {
  optionDescription,
  argumentDescription,
  subcommandTerm: (cmd: Command) => `${cmd.name()} ${cmd.usage()}`.trimEnd(),
};

/**
 * Examples printed at the end of each subcommand's `--help`. They run as printed from a clone of the
 * repository (test/cli/help.test.ts runs every one of them).
 */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  replay: [
    'kpromo replay --topology traces/spec-worked.topology.json traces/spec-worked.csv',
    'kpromo replay --format json --analysis traces/spec-worked.csv',
    'kpromo gen --records 100000 | kpromo replay --timeline --bucket 10',
  ],
  check: [
    'kpromo check traces',
    'kpromo check traces --junit check.xml --format json',
    'kpromo check traces --update        # then review the diff: git diff traces/',
  ],
  topo: ['kpromo topo --list', 'kpromo topo 2s-cxl-budget', 'kpromo topo --from-sysfs /sys/devices/system/node > machine.json'],
  gen: [
    'kpromo gen --pattern zipf --records 100000 -o zipf.csv',
    'kpromo gen --pattern mix --records 200000 --seed 7 | kpromo replay --analysis',
  ],
  page: [
    'kpromo page 0x200000 --topology traces/spec-worked.topology.json traces/spec-worked.csv',
    'kpromo page 0x200001 --engine rfc-v1-fixed --topology traces/spec-worked.topology.json traces/spec-worked.csv',
  ],
  convert: [
    'kpromo convert traces/spec-worked.csv -o canonical.csv',
    'perf script -F cpu,time,event,phys_addr -i perf.data | kpromo convert --input perf -o trace.csv.gz',
  ],
  compare: [
    'kpromo compare traces/spec-worked.csv',
    'kpromo compare --engine rfc-v1 --engine rfc-v1:window=1000,threshold=3 --engine pghot:precise traces/spec-worked.csv',
    'kpromo compare --format json traces/budget-bucket-order.csv --topology traces/budget-bucket-order.topology.json',
  ],
  merge: [
    'for k in 1 2 3; do kpromo sweep --shard $k/3 --threshold 1..6 --format json traces/spec-worked.csv > part-$k.json; done; kpromo merge part-*.json',
    'kpromo merge --format csv --top 2 part-*.json',
  ],
  sweep: [
    'kpromo sweep --window 1000,5000 --threshold 2..4 traces/spec-worked.csv',
    'kpromo sweep --engine pghot --threshold 1,2 --sort -pgpromote_success --format json traces/spec-worked.csv',
    'kpromo sweep --threshold 1..8 --csv sweep.csv --top 3 traces/spec-worked.csv',
  ],
};

/** The `Examples:` block appended to a subcommand's help. */
export function examplesText(name: string): string {
  const list = EXAMPLES[name];
  if (list === undefined || list.length === 0) return '';
  return `\nExamples:\n${list.map((e) => `  $ ${e}`).join('\n')}\n`;
}
