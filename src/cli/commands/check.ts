/**
 * `kpromo check DIR`: the CI entry point. Replays every trace in DIR with its topology, options and golden
 * files, prints a pass/fail table, exits 1 on any mismatch; `--update` rewrites the goldens.
 *
 * Convention, for a trace NAME.csv or NAME.perf (perf script text), optionally .gz, in DIR:
 *   NAME.vmstat         golden counters (vmstat format)        required (created by --update)
 *   NAME.events.csv     golden events (--events output)        optional, compared byte for byte
 *   NAME.topology.json  topology                               optional (else --topology from NAME.args, else 2s-cxl)
 *   NAME.args           replay options, e.g. `--hz 1000`       optional; `#` starts a comment
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import Table from 'cli-table3';
import { EXIT_MISMATCH, EXIT_OK, EXIT_USAGE, KpromoError, UsageError } from '../../errors.js';
import { counterNames } from '../../engine/registry.js';
import { EventsCsvWriter } from '../../report/events.js';
import { compareGolden, parseGolden, type GoldenDiff } from '../../report/golden.js';
import { noRangeWarning } from '../../report/summary.js';
import { renderVmstat } from '../../report/vmstat.js';
import { COMPACT_CHARS } from '../../report/table.js';
import { runReplay } from '../../run/replay.js';
import { loadTopology } from '../../topology/load.js';
import { addOptions, ENGINE_OPTIONS, INPUT_OPTIONS, normalizeReplayOptions, type RawEngineOptions } from '../options.js';
import type { CommandContext } from './replay.js';

/** The files of one check case. */
export interface CheckCase {
  readonly name: string;
  readonly trace: string;
  readonly golden: string;
  readonly events: string;
  readonly topology: string;
  readonly args: string;
}

/** Outcome of one case. */
export interface CheckOutcome {
  readonly name: string;
  readonly status: 'pass' | 'FAIL' | 'ERROR' | 'updated' | 'unchanged';
  readonly records: number;
  readonly detail: string;
  readonly diffs: readonly GoldenDiff[];
  /** stderr warning about accesses in no pfn range ('' when none); never changes the status. */
  readonly warning?: string;
}

/** Finds the cases in a directory, sorted by name. */
export function findCases(dir: string): CheckCase[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new UsageError(`cannot read directory ${dir}: ${(e as Error).message}`);
  }
  return names
    .filter((f) => /\.(csv|perf)(\.gz)?$/.test(f) && !f.endsWith('.events.csv'))
    .sort()
    .map((f) => {
      const name = f.replace(/\.(csv|perf)(\.gz)?$/, '');
      const p = (ext: string) => path.join(dir, name + ext);
      return {
        name,
        trace: path.join(dir, f),
        golden: p('.vmstat'),
        events: p('.events.csv'),
        topology: p('.topology.json'),
        args: p('.args'),
      };
    });
}

/** Splits an args file into words (whitespace separated, `#` comments to end of line). */
export function parseArgsFile(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, ''))
    .join(' ')
    .split(/\s+/)
    .filter((w) => w !== '');
}

/** Parses a case's replay options with the same declarations `kpromo replay` uses. */
function caseOptions(c: CheckCase): { raw: RawEngineOptions; topologyDefaulted: boolean } {
  const words = fs.existsSync(c.args) ? parseArgsFile(fs.readFileSync(c.args, 'utf8')) : [];
  const cmd = addOptions(addOptions(new Command(c.name), ENGINE_OPTIONS), INPUT_OPTIONS)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    cmd.parse(words, { from: 'user' });
  } catch (e) {
    throw new UsageError(`${c.args}: ${(e as Error).message}`);
  }
  const raw = cmd.opts<RawEngineOptions>();
  const fromArgs = cmd.getOptionValueSource('topology') === 'cli';
  const fromFile = !fromArgs && fs.existsSync(c.topology);
  if (fromFile) raw.topology = c.topology;
  return { raw, topologyDefaulted: !fromArgs && !fromFile };
}

/** Runs one case; never throws for a problem of the case itself. */
export async function runCase(c: CheckCase, update: boolean): Promise<CheckOutcome> {
  let records = 0;
  try {
    const { raw, topologyDefaulted } = caseOptions(c);
    const settings = normalizeReplayOptions(raw, [c.trace], (a) => loadTopology(a));
    const hasEvents = fs.existsSync(c.events);
    let events = '';
    const writer = hasEvents ? new EventsCsvWriter((chunk) => (events += chunk)) : null;
    const r = await runReplay(settings, { observe: () => writer });
    writer?.drain();
    const warning = noRangeWarning(r.summary, settings.rfc.topology, topologyDefaulted).replaceAll('kpromo: ', `kpromo: ${c.name}: `);
    records = r.read.records;
    const vmstat = renderVmstat(r.counters);
    const hasGolden = fs.existsSync(c.golden);
    if (update) {
      const oldVmstat = hasGolden ? fs.readFileSync(c.golden, 'utf8') : '';
      const oldEvents = hasEvents ? fs.readFileSync(c.events, 'utf8') : '';
      const diffs = hasGolden ? compareGolden(parseGolden(oldVmstat, c.golden, new Set(counterNames(settings.engine))), r.counters) : [];
      const changed = oldVmstat !== vmstat || (hasEvents && oldEvents !== events);
      if (changed) {
        fs.writeFileSync(c.golden, vmstat);
        if (hasEvents) fs.writeFileSync(c.events, events);
      }
      const detail = !hasGolden ? 'golden created' : changed ? describe(diffs) || 'rewritten (format or events)' : '';
      return { name: c.name, status: changed ? 'updated' : 'unchanged', records, detail, diffs, warning };
    }
    if (!hasGolden) return { name: c.name, status: 'FAIL', records, detail: `no golden ${path.basename(c.golden)} (run with --update)`, diffs: [], warning };
    const golden = parseGolden(fs.readFileSync(c.golden, 'utf8'), c.golden, new Set(counterNames(settings.engine)));
    const diffs = compareGolden(golden, r.counters);
    const eventsDiffer = hasEvents && fs.readFileSync(c.events, 'utf8') !== events;
    if (diffs.length === 0 && !eventsDiffer) return { name: c.name, status: 'pass', records, detail: '', diffs, warning };
    const detail = [describe(diffs), eventsDiffer ? firstEventDifference(fs.readFileSync(c.events, 'utf8'), events) : '']
      .filter((s) => s !== '')
      .join('; ');
    return { name: c.name, status: 'FAIL', records, detail, diffs, warning };
  } catch (e) {
    if (e instanceof KpromoError) return { name: c.name, status: 'ERROR', records, detail: e.message, diffs: [] };
    throw e;
  }
}

function describe(diffs: readonly GoldenDiff[]): string {
  return diffs.map((d) => `${d.name} expected ${d.expected} got ${d.actual}`).join(', ');
}

function firstEventDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `events line ${i + 1}: expected ${JSON.stringify(a[i] ?? '<end>')} got ${JSON.stringify(b[i] ?? '<end>')}`;
  }
  return 'events differ';
}

/** Builds the check subcommand. */
export function checkCommand(ctx: CommandContext): Command {
  return new Command('check')
    .description('replay every trace in DIR against its golden files (CI entry point); see README for the file convention')
    .argument('<dir>', 'directory of NAME.csv traces with NAME.vmstat goldens')
    .option('--update', 'rewrite the golden files from the current engine (review the diff before committing)')
    .action(async (dir: string, raw: { update?: boolean }) => {
      const cases = findCases(dir);
      if (cases.length === 0) throw new UsageError(`no traces (*.csv, *.perf, optionally .gz) in ${dir}`);
      const color = ctx.color();
      const table = new Table({
        head: ['trace', 'records', 'result', 'detail'].map((h) => color.bold(h)),
        style: { head: [], border: [] },
        chars: COMPACT_CHARS,
        colAligns: ['left', 'right', 'left', 'left'],
      });
      let exit = EXIT_OK;
      for (const c of cases) {
        const o = await runCase(c, raw.update === true);
        if (o.warning) ctx.io.stderr.write(o.warning);
        const status =
          o.status === 'pass' || o.status === 'unchanged'
            ? color.green(o.status)
            : o.status === 'updated'
              ? color.yellow(o.status)
              : color.red(o.status);
        table.push([o.name, String(o.records), status, wrap(o.detail, 80)]);
        if (o.status === 'FAIL') exit = Math.max(exit, EXIT_MISMATCH);
        if (o.status === 'ERROR') exit = Math.max(exit, EXIT_USAGE);
      }
      ctx.io.stdout.write(table.toString() + '\n');
      ctx.setExit(exit);
    });
}

/** Breaks long detail text into lines of at most `width` characters at spaces. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
