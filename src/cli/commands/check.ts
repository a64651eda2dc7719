/**
 * `kpromo check DIR`: the CI entry point. Replays every trace in DIR with its topology, options and golden
 * files, prints a pass/fail table and a summary line, optionally a JUnit report (--junit) or JSON
 * (--format json); exits 0 when every case passes, 1 when a case fails, 2 when a case cannot run (bad
 * trace, bad options, no golden): 2 wins over 1, the check is then incomplete. `--update` rewrites goldens.
 *
 * Convention, for a trace NAME.csv or NAME.perf (perf script text), optionally .gz, in DIR:
 *   NAME.vmstat         golden counters (vmstat format)        required (created by --update)
 *   NAME.events.csv     golden events (--events output)        optional, compared byte for byte, as a stream
 *   NAME.topology.json  topology                               optional (else --topology from NAME.args, not both; else 2s-cxl)
 *   NAME.args           replay options, e.g. `--hz 1000`       optional; `#` starts a comment
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { EXIT_INTERRUPTED, EXIT_MISMATCH, EXIT_OK, EXIT_USAGE, KpromoError, UsageError } from '../../errors.js';
import { runCounterNames } from '../../engine/registry.js';
import type { Counter } from '../../engine/types.js';
import { EventsCsvWriter } from '../../report/events.js';
import { describeEventsDifference, EventsComparer, type EventsDifference } from '../../report/events-compare.js';
import { compareGolden, parseGolden, type GoldenDiff } from '../../report/golden.js';
import { countersJson, jsonDocument, jsonText } from '../../report/json.js';
import { renderJunit } from '../../report/junit.js';
import { noRangeWarning } from '../../report/summary.js';
import { renderVmstat } from '../../report/vmstat.js';
import { COMPACT_CHARS } from '../../report/table.js';
import { drawTable } from '../../render/draw-table.js';
import { runReplay } from '../../run/replay.js';
import { settingsJson } from '../../run/settings.js';
import { loadTopology } from '../../topology/load.js';
import { checkOutputPath, OutputFile, type InputSpec } from '../file-output.js';
import { addOptions, ENGINE_OPTIONS, INPUT_OPTIONS, normalizeReplayOptions, PERF_DEFAULTED_FLAGS, PROGRESS_OPTION, refuseIgnoredOptions, refuseOtherInputOptions, refuseRepeatedOptions, type RawEngineOptions } from '../options.js';
import type { CommandContext } from './replay.js';
import { readSideFile } from '../../side-input.js';
import { makeProgress } from '../progress.js';
import { escapeControl, quoteText } from '../../escape.js';

/** The files of one check case. */
export interface CheckCase {
  readonly name: string;
  readonly trace: string;
  readonly golden: string;
  readonly events: string;
  readonly topology: string;
  readonly args: string;
}

/** How a case ended: pass / fail (a golden differs) / error (cannot run) / updated / unchanged (--update). */
export type CheckStatus = 'pass' | 'fail' | 'error' | 'updated' | 'unchanged';

/** Outcome of one case. */
export interface CheckOutcome {
  readonly name: string;
  readonly status: CheckStatus;
  readonly records: number;
  readonly detail: string;
  readonly diffs: readonly GoldenDiff[];
  /** The first line where the events differ from NAME.events.csv, when they do. */
  readonly events?: EventsDifference;
  /** What the replay ran with and produced (absent when the case could not run). */
  readonly engine?: string;
  readonly settings?: Record<string, unknown>;
  readonly counters?: readonly Counter[];
  /** Wall time of the case in seconds. */
  readonly seconds?: number;
  /** stderr warning about accesses in no pfn range ('' when none); never changes the status. */
  readonly warning?: string;
}

/** Finds the cases in a directory, sorted by name. */
export function findCases(dir: string): CheckCase[] {
  let names: string[];
  try {
    names = readdirSync(dir);
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

/** One word of an args file and where it starts (1-based line and column). */
export interface ArgWord {
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

/** Splits an args file into words (whitespace separated, `#` comments to end of line), each with its position. */
export function parseArgsFile(text: string): ArgWord[] {
  const words: ArgWord[] = [];
  text.split('\n').forEach((l, i) => {
    for (const m of l.replace(/#.*/, '').matchAll(/\S+/g)) words.push({ text: m[0], line: i + 1, column: m.index + 1 });
  });
  return words;
}

/**
 * The word of an args file an error is about, from the option the message starts with or else the text it quotes first:
 * the last occurrence of that option (`--hz` or `--hz=...`; the last, so a repeat points at its second use), or of
 * that operand. Null when the message names no word of the file.
 */
export function wordOfError(words: readonly ArgWord[], message: string): ArgWord | null {
  const named = /^(--?[\w-]+)/.exec(message)?.[1] ?? /'([^' ]+)[^']*'/.exec(message)?.[1];
  if (named === undefined) return null;
  for (let i = words.length - 1; i >= 0; i--) {
    const w = words[i]!.text;
    if (w === named || (named.startsWith('-') && w.startsWith(named + '='))) return words[i]!;
  }
  return null;
}

/** An error of a case's args file: `FILE:LINE:COLUMN: message`, or `FILE: message` when no word is named. */
function argsError(file: string, words: readonly ArgWord[], e: Error): UsageError {
  const message = e.message.replace(/^error: /, '');
  const w = wordOfError(words, message);
  return new UsageError(`${file}${w ? `:${w.line}:${w.column}` : ''}: ${message}`);
}

/**
 * Parses a case's replay options with the same declarations `kpromo replay` uses. The topology is NAME.topology.json
 * or `--topology` in NAME.args, never both (which one should win is not guessed); else the default.
 */
function caseOptions(c: CheckCase): { raw: RawEngineOptions; topologyDefaulted: boolean; words: readonly ArgWord[] } {
  const words = existsSync(c.args) ? parseArgsFile(readSideFile(c.args, 'args file')) : [];
  const cmd = refuseRepeatedOptions(addOptions(addOptions(new Command(c.name), ENGINE_OPTIONS), INPUT_OPTIONS))
    .allowExcessArguments()
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    cmd.parse(words.map((w) => w.text), { from: 'user' });
    refuseOtherInputOptions(cmd, PERF_DEFAULTED_FLAGS);
  } catch (e) {
    throw argsError(c.args, words, e as Error);
  }
  if (cmd.args.length > 0) throw argsError(c.args, words, new Error(`'${cmd.args[0]}' is not an option (the args file holds replay options only)`));
  const raw = cmd.opts<RawEngineOptions>();
  const fromArgs = cmd.getOptionValueSource('topology') === 'cli';
  const fromFile = existsSync(c.topology);
  if (fromArgs && fromFile) {
    throw argsError(c.args, words, new Error(`--topology ${quoteText(raw.topology)} and ${c.topology} both give the topology: keep one`));
  }
  if (fromFile) raw.topology = c.topology;
  return { raw, topologyDefaulted: !fromArgs && !fromFile, words };
}

/** The files of every case (trace, goldens, topology, args): --junit may name none of them. */
function caseInputs(cases: readonly CheckCase[]): InputSpec[] {
  return cases.flatMap((c) => [
    { what: 'trace', path: c.trace },
    { what: 'golden', path: c.golden },
    { what: 'golden', path: c.events },
    { what: 'topology', path: c.topology },
    { what: 'args file', path: c.args },
  ]);
}

/** True unless `file` exists and is not a regular file (a missing one is left to the reader, which names it). */
function isRegularFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return true;
  }
}

/**
 * Runs one case; never throws for a problem of the case itself. Events are compared (or rewritten) as a stream.
 * `onProgress` sees the read of its trace (the progress line on a terminal).
 */
export async function runCase(
  c: CheckCase,
  update: boolean,
  onProgress?: (p: { bytes: number; totalBytes: number | null; records: number }) => void,
  shouldStop?: () => boolean,
): Promise<CheckOutcome> {
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  let records = 0;
  let comparer: EventsComparer | null = null;
  let rewrite: OutputFile | null = null;
  try {
    // A FIFO would wait for a writer (and a device may never end) in a run meant for CI: check replays files.
    if (!isRegularFile(c.trace)) throw new UsageError(`trace ${c.trace}: not a regular file (check replays files; a FIFO would wait for a writer)`);
    const { raw, topologyDefaulted, words } = caseOptions(c);
    let settings: ReturnType<typeof normalizeReplayOptions>;
    try {
      refuseIgnoredOptions(raw);
      settings = normalizeReplayOptions(raw, [c.trace], (a) => loadTopology(a));
    } catch (e) {
      // A bad value of NAME.args (`--window 99x`) is reported at its place in the file; other errors as they are.
      if (e instanceof UsageError && wordOfError(words, e.message) !== null) throw argsError(c.args, words, e);
      throw e;
    }
    const known = new Set(runCounterNames(settings.engine, settings.rfc.demotion === true));
    // A golden that does not parse is an error before any work; a missing one is an error too (nothing to check),
    // and so is one that names no counter (it would pass against anything), except that --update fills it.
    const read = existsSync(c.golden) ? parseGolden(readSideFile(c.golden, 'golden file'), c.golden, known, update) : null;
    const hasGolden = read !== null && read.length > 0;
    const golden = hasGolden ? read : null;
    if (golden === null && !update) {
      return { name: c.name, status: 'error', records, detail: `no golden ${path.basename(c.golden)}: create it with --update`, diffs: [], seconds: seconds() };
    }
    const hasEvents = existsSync(c.events);
    if (hasEvents) comparer = new EventsComparer(c.events);
    if (hasEvents && update) {
      rewrite = new OutputFile(c.events, { option: 'check --update' });
      await rewrite.open();
    }
    const cmp = comparer;
    const out = rewrite;
    const writer = hasEvents
      ? new EventsCsvWriter((chunk) => {
          cmp?.feed(chunk.toString('latin1'));
          out?.write(chunk);
        })
      : null;
    const r = await runReplay(settings, { observe: () => writer, ...(onProgress ? { onProgress } : {}), ...(shouldStop ? { shouldStop } : {}) });
    // Stopped by a signal: no outcome, and nothing written (the finally below discards a rewritten events golden).
    if (r.interrupted || shouldStop?.() === true) throw new CaseStopped(c.name, r.read.records);
    writer?.drain();
    const events = comparer?.finish() ?? null;
    const warning = noRangeWarning(r.summary, settings.rfc.topology, topologyDefaulted).replaceAll('kpromo: ', `kpromo: ${c.name}: `);
    records = r.read.records;
    const ran = { engine: r.engine.name, settings: settingsJson(settings), counters: r.counters, warning, ...(events ? { events } : {}) };
    const diffs = golden ? compareGolden(golden, r.counters) : [];
    if (update) {
      const vmstat = renderVmstat(r.counters);
      // A golden that still matches is left alone: its comments (how it was derived) are kept.
      const vmstatChanged = !hasGolden || diffs.length > 0;
      if (vmstatChanged) {
        // Written as every output is (file-output.ts): renamed into place whole, so a full disk leaves the old golden
        // (or none), never an empty one that a later check would pass against.
        const file = new OutputFile(c.golden, { option: 'check --update' });
        await file.open();
        file.write(vmstat);
        file.commit();
      }
      if (rewrite) {
        if (events) rewrite.commit();
        else rewrite.discard();
        rewrite = null;
      }
      const changed = vmstatChanged || events !== null;
      const detail = !hasGolden ? 'golden created' : changed ? [describe(diffs), events ? `events rewritten (${describeEventsDifference(events)})` : ''].filter((t) => t !== '').join('; ') : '';
      return { name: c.name, status: changed ? 'updated' : 'unchanged', records, detail, diffs, ...ran, seconds: seconds() };
    }
    if (diffs.length === 0 && events === null) return { name: c.name, status: 'pass', records, detail: '', diffs, ...ran, seconds: seconds() };
    const detail = [describe(diffs), events ? describeEventsDifference(events) : ''].filter((t) => t !== '').join('; ');
    return { name: c.name, status: 'fail', records, detail, diffs, ...ran, seconds: seconds() };
  } catch (e) {
    if (e instanceof KpromoError) return { name: c.name, status: 'error', records, detail: e.message, diffs: [], seconds: seconds() };
    throw e;
  } finally {
    comparer?.close();
    rewrite?.discard();
  }
}

/** runCase() of a case whose replay a signal stopped: the case has no outcome, and none of its goldens was written. */
export class CaseStopped extends Error {
  constructor(
    readonly caseName: string,
    readonly records: number,
  ) {
    super(`case ${caseName} stopped after ${records} records`);
  }
}

function describe(diffs: readonly GoldenDiff[]): string {
  return diffs.map((d) => `${d.name} expected ${d.expected} got ${d.actual}`).join(', ');
}

/** Counts of a check run by status. */
export interface CheckTotals {
  readonly passed: number;
  readonly failed: number;
  readonly errors: number;
  readonly updated: number;
  readonly unchanged: number;
}

/** Counts outcomes by status. */
export function checkTotals(outcomes: readonly CheckOutcome[]): CheckTotals {
  const n = (s: CheckStatus) => outcomes.filter((o) => o.status === s).length;
  return { passed: n('pass'), failed: n('fail'), errors: n('error'), updated: n('updated'), unchanged: n('unchanged') };
}

/** The closing line: `N passed, M failed, K errors` (with --update: `N updated, M unchanged, K errors`). */
export function summaryLine(t: CheckTotals, update: boolean): string {
  const errors = `${t.errors} error${t.errors === 1 ? '' : 's'}`;
  return update ? `${t.updated} updated, ${t.unchanged} unchanged, ${errors}` : `${t.passed} passed, ${t.failed} failed, ${errors}`;
}

/** Exit code: 2 when a case could not run, else 1 when one failed, else 0. */
export function checkExit(t: CheckTotals): number {
  return t.errors > 0 ? EXIT_USAGE : t.failed > 0 ? EXIT_MISMATCH : EXIT_OK;
}

/** Full failure text for JUnit: one line per differing counter with its delta, then the events line. */
function failureDetails(o: CheckOutcome): string {
  const lines = o.diffs.map((d) => {
    const delta = d.actual - d.expected;
    return `${d.name}: expected ${d.expected}, got ${d.actual} (${delta > 0 ? '+' : ''}${delta})`;
  });
  if (o.events) lines.push(describeEventsDifference(o.events));
  return lines.length > 0 ? lines.join('\n') + '\n' : o.detail;
}

/** The `--format json` document (docs/kpromo-output.schema.json, kind check). */
export function renderCheckJson(dir: string, update: boolean, cases: readonly CheckCase[], outcomes: readonly CheckOutcome[]): string {
  const t = checkTotals(outcomes);
  return jsonText(
    jsonDocument('check', {
      directory: dir,
      update,
      totals: { cases: outcomes.length, ...t },
      results: outcomes.map((o, i) => ({
        name: o.name,
        trace: cases[i]!.trace,
        status: o.status,
        records: o.records,
        seconds: Number((o.seconds ?? 0).toFixed(3)),
        detail: o.detail,
        diffs: o.diffs.map((d) => ({ name: d.name, expected: d.expected, actual: Number.isNaN(d.actual) ? null : d.actual })),
        events: o.events ? { line: o.events.line, expected: o.events.expected, actual: o.events.actual } : null,
        engine: o.engine ?? null,
        settings: o.settings ?? null,
        counters: o.counters ? countersJson(o.counters) : null,
      })),
    }),
  );
}

interface RawCheckOptions {
  update?: boolean;
  progress?: boolean;
  junit?: string;
  format: 'table' | 'json';
}

/** Builds the check subcommand. */
export function checkCommand(ctx: CommandContext): Command {
  return new Command('check')
    .description('replay every trace in DIR against its golden files (CI entry point); see README for the file convention')
    .argument('<dir>', 'directory of NAME.csv traces with NAME.vmstat goldens')
    .option('--update', 'rewrite the golden files from the current engine (review the diff before committing)')
    .option('--junit <file>', 'also write a JUnit XML report (one testcase per trace; the counter diff in each failure)')
    .addOption(new Option('--format <format>', 'output: table (and a summary line) or json (the summary line then goes to stderr)').choices(['table', 'json']).default('table'))
    .option(PROGRESS_OPTION.flags, PROGRESS_OPTION.description)
    .action(async (dir: string, raw: RawCheckOptions) => {
      const cases = findCases(dir);
      if (cases.length === 0) throw new UsageError(`no traces (*.csv, *.perf, optionally .gz) in ${dir}`);
      const update = raw.update === true;
      // Checked before any case runs: an unwritable report path is a usage error at once.
      const junit = raw.junit !== undefined ? new OutputFile(raw.junit, { option: '--junit', inputs: caseInputs(cases) }) : null;
      // With --update, every golden that may be written is checked before any case runs (a read-only directory).
      if (update) for (const c of cases) for (const g of [c.golden, ...(existsSync(c.events) ? [c.events] : [])]) checkOutputPath({ option: 'check --update', path: g });
      const outcomes: CheckOutcome[] = [];
      // The read of each case's trace, on a terminal; cleared before the case's warning.
      const progress = makeProgress(ctx.io.stderr, raw.progress !== false);
      // A signal stops the replay of the case under way (between chunks); the cases run so far go to stderr.
      let stop = false;
      let current: CheckCase | null = null;
      const stopped = (records: number | null): string =>
        `${outcomes.length > 0 ? renderCheckTable(outcomes, ctx.color(ctx.io.stderr)) : ''}kpromo check: interrupted${current ? ` during ${escapeControl(current.name)}` : ''}` +
        `${records !== null ? ` after ${records} records` : ''}: ${summaryLine(checkTotals(outcomes), update)} before it` +
        `${update && current ? `; no golden of ${escapeControl(current.name)} written` : ''}${junit ? '; no JUnit report written' : ''}\n`;
      const off = ctx.io.onInterrupt(() => {
        stop = true;
      });
      // If the process must end before the case sees the stop, the same words (the replay's record count unknown).
      const offForced =
        ctx.io.onForcedStop?.(() => {
          progress.done();
          ctx.io.stderr.write(stopped(null));
        }) ?? ((): void => {});
      let records: number | null = null;
      try {
        await junit?.open(); // a FIFO waits for its reader here, where a signal still ends the command
        for (const c of cases) {
          if (stop) break;
          current = c;
          const o = await runCase(c, update, (p) => progress.update(p), () => stop);
          current = null;
          progress.done();
          if (o.warning) ctx.io.stderr.write(o.warning);
          outcomes.push(o);
        }
      } catch (e) {
        junit?.discard();
        if (!(e instanceof CaseStopped)) throw e;
        records = e.records;
      } finally {
        offForced();
        off();
        progress.done();
      }
      if (stop && outcomes.length < cases.length) {
        junit?.discard();
        ctx.io.stderr.write(stopped(records));
        ctx.setExit(EXIT_INTERRUPTED);
        return;
      }
      const totals = checkTotals(outcomes);
      if (junit) {
        junit.write(
          renderJunit(
            dir,
            outcomes.map((o, i) => ({
              name: o.name,
              file: cases[i]!.trace,
              status: o.status,
              seconds: o.seconds ?? 0,
              message: o.detail,
              details: o.status === 'fail' ? failureDetails(o) : o.detail,
              warning: o.warning ?? '',
            })),
            new Date().toISOString().replace(/\.\d+Z$/, ''),
          ),
        );
        await junit.commitAsync();
      }
      const line = `kpromo check: ${summaryLine(totals, update)}\n`;
      if (raw.format === 'json') {
        ctx.io.stdout.write(renderCheckJson(dir, update, cases, outcomes));
        ctx.io.stderr.write(line);
      } else {
        ctx.io.stdout.write(renderCheckTable(outcomes, ctx.color()) + line);
      }
      ctx.setExit(update ? (totals.errors > 0 ? EXIT_USAGE : EXIT_OK) : checkExit(totals));
    });
}

/** Status as the table shows it. */
const STATUS_TEXT: Readonly<Record<CheckStatus, string>> = { pass: 'pass', fail: 'FAIL', error: 'ERROR', updated: 'updated', unchanged: 'unchanged' };

/** The pass/fail table. */
function renderCheckTable(outcomes: readonly CheckOutcome[], color: ReturnType<CommandContext['color']>): string {
  const rows = outcomes.map((o) => {
    const text = STATUS_TEXT[o.status];
    const status = o.status === 'pass' || o.status === 'unchanged' ? color.green(text) : o.status === 'updated' ? color.yellow(text) : color.red(text);
    return [escapeControl(o.name), String(o.records), status, wrap(escapeControl(o.detail), 80)];
  });
  const head = ['trace', 'records', 'result', 'detail'].map((h) => color.bold(h));
  return drawTable(head, rows, { chars: COMPACT_CHARS, colAligns: ['left', 'right', 'left', 'left'] }) + '\n';
}

/** Breaks long detail text into lines of at most `width` characters at spaces; a longer word (quoted bad text) is cut. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  const words = text.split(' ').flatMap((w) => (w.length <= width ? [w] : (w.match(new RegExp(`[^]{1,${width}}`, 'g')) ?? [])));
  for (const word of words) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
