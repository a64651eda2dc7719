/** kpromo's command line: builds the commander program, runs one command, maps errors to exit codes. */
import { Command, CommanderError } from 'commander';
import { EXIT_INTERRUPTED, EXIT_USAGE, KpromoError } from '../errors.js';
import type { ChalkInstance } from 'chalk';
import type { CommandContext } from './commands/replay.js';
import { examplesText, HELP_CONFIG } from './help.js';
import { colorOn, hasColorFlag, PLAIN_COLOR } from './color-choice.js';
import { processIo, type Io } from './io.js';
import { refuseRepeatedOptions } from './options.js';
import { pendingSignalsDelivered, releaseSignalHandling, signalExitCode } from './signals.js';

/** Exit code for a bug in kpromo itself (EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/** kpromo's version. */
export { VERSION } from '../version.js';
import { VERSION } from '../version.js';

/** A subcommand as the top-level help lists it, and how to load its module (only the one that runs is loaded). */
export interface CommandEntry {
  readonly name: string;
  /** Usage after the name, exactly as the loaded command's usage() gives it (a test keeps them equal). */
  readonly usage: string;
  readonly description: string;
  load(): Promise<(ctx: CommandContext) => Command>;
}

/** Every subcommand, in help order. Start-up time: nothing of a command is imported before it runs. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'replay', usage: '[options] [trace...]', description: 'replay access traces (CSV or perf script text; - or none = stdin; .gz ok) through a promotion engine', load: async () => (await import('./commands/replay.js')).replayCommand },
  { name: 'check', usage: '[options] <dir>', description: 'replay every trace in DIR against its golden files (CI entry point); see README for the file convention', load: async () => (await import('./commands/check.js')).checkCommand },
  { name: 'topo', usage: '[options] [topology]', description: 'print a topology (file or preset) as a table, or build one from /sys or numactl -H', load: async () => (await import('./commands/topo.js')).topoCommand },
  { name: 'gen', usage: '[options]', description: 'write a seeded synthetic trace (pfn,nid,src,time CSV)', load: async () => (await import('./commands/gen.js')).genCommand },
  { name: 'page', usage: '[options] <pfn> [trace...]', description: 'show the life of one page in a replay: accesses, its record, and the passes that examined it (rfc-v1 engines)', load: async () => (await import('./commands/page.js')).pageCommand },
  { name: 'convert', usage: '[options] [input...]', description: 'write the canonical CSV (pfn,nid,src,time) of traces of any accepted input (CSV, perf script text; - or none = stdin)', load: async () => (await import('./commands/convert.js')).convertCommand },
  { name: 'compare', usage: '[options] [trace...]', description: 'replay traces once through several engines / tunable sets and print them side by side', load: async () => (await import('./commands/compare.js')).compareCommand },
  { name: 'sweep', usage: '[options] [trace...]', description: 'replay traces once through a grid of tunables and rank the configurations by a metric', load: async () => (await import('./commands/sweep.js')).sweepCommand },
  { name: 'merge', usage: '[options] <part...>', description: 'combine the JSON parts of `kpromo sweep --shard K/N` into the output of the whole sweep', load: async () => (await import('./commands/merge.js')).mergeCommand },
];

/** Global options that take no value: skipped when looking for the command name. */
const GLOBAL_FLAGS = new Set(['--color', '--no-color', '--debug']);

/** The subcommand `argv` runs (`help NAME` counts as NAME), or null (top-level help, version, unknown name). */
export function commandOf(argv: readonly string[]): CommandEntry | null {
  let i = 0;
  while (i < argv.length && GLOBAL_FLAGS.has(argv[i]!)) i++;
  let word = argv[i];
  if (word === 'help') word = argv[i + 1];
  return COMMANDS.find((c) => c.name === word) ?? null;
}

/**
 * `argv` to parse: `help NAME` for a NAME that is no command is parsed as `NAME` alone, so it gets the same
 * `error: unknown command 'NAME'` (and exit 2) as `kpromo NAME`, instead of commander's top-level usage.
 */
export function helpTopicChecked(argv: readonly string[]): string[] {
  let i = 0;
  while (i < argv.length && GLOBAL_FLAGS.has(argv[i]!)) i++;
  const topic = argv[i + 1];
  const unknown = argv[i] === 'help' && topic !== undefined && !topic.startsWith('-') && !COMMANDS.some((c) => c.name === topic);
  return unknown ? [...argv.slice(0, i), ...argv.slice(i + 1)] : [...argv];
}

/** Builds the real subcommand: shared settings, help layout and its examples. */
export async function buildCommand(entry: CommandEntry, ctx: CommandContext, program: Command): Promise<Command> {
  const cmd = refuseRepeatedOptions((await entry.load())(ctx));
  cmd.copyInheritedSettings(program);
  cmd.addHelpText('after', examplesText(entry.name));
  return cmd;
}

/** Runs kpromo with `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exit = 0;
  const program = new Command('kpromo')
    .description('replay memory-access traces through an exact model of the kpromoted hot-page promotion engine')
    .version(VERSION)
    .option('--color', 'colour output even when not a terminal')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('--debug', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)');
  program.configureHelp(HELP_CONFIG);
  const running = commandOf(argv);
  // chalk is loaded only for a command that runs (not for the top-level help or --version), and only when
  // colour may be on: without a colour flag, the environment and the terminal decide it before parsing.
  const plain = running !== null && !hasColorFlag(argv) && !colorOn(undefined, io.env, io.stdout.isTTY);
  const makeColor = running === null || plain ? null : (await import('./color.js')).makeColor;
  let chalk: ChalkInstance | null = null;
  const ctx: CommandContext = {
    io,
    color: (out) => {
      const flag = program.opts<{ color?: boolean }>().color;
      chalk ??= plain ? PLAIN_COLOR : makeColor!(flag, io.env, io.stdout.isTTY);
      // Text for another stream (the summary on stderr when stdout carries a CSV) is coloured only when that
      // stream would be by itself: a terminal, or a colour flag.
      return out === undefined || out === io.stdout || colorOn(flag, io.env, out.isTTY) ? chalk : PLAIN_COLOR;
    },
    setExit: (code) => {
      exit = code;
    },
  };
  const code = await runProgram(async () => {
    // Only the command that runs is loaded; the others are listed in help by name, usage and description.
    for (const entry of COMMANDS) {
      if (entry === running) program.addCommand(await buildCommand(entry, ctx, program));
      else program.addCommand(new Command(entry.name).usage(entry.usage).description(entry.description));
    }
    await program.parseAsync(helpTopicChecked(argv), { from: 'user' });
    return exit;
  }, program, io);
  // A write error on stdout (ENOSPC on `> /dev/full`, EIO) may arrive as an event after the last write, and a signal
  // that came during the command's last synchronous piece is still waiting for its handler: both get a poll phase.
  await pendingSignalsDelivered();
  const outError = io.stdout.error;
  let final = code === EXIT_INTERRUPTED ? signalExitCode(io.signal?.() ?? null) : code;
  if (outError) {
    io.stderr.write(`kpromo: cannot write to standard output: ${errnoText(outError)}\n`);
    if (code !== EXIT_INTERRUPTED) final = Math.max(code, EXIT_USAGE);
  }
  // A signal that came too late for the command to act on still gives its exit code; a later one ends the
  // process with the signal's default action (the real process only; in-process runs install no handlers).
  const late = io.signal?.() ?? null;
  if (late !== null && final === 0) final = signalExitCode(late);
  releaseSignalHandling();
  return final;
}

/** `ENOSPC: no space left on device` from a Node errno error (without the syscall and path). */
export function errnoText(e: NodeJS.ErrnoException): string {
  return e.message.replace(/, \w+(?: '.*')?$/, '');
}

/** Runs the program and maps errors to exit codes (one line on stderr; the stack with --debug). */
async function runProgram(run: () => Promise<number>, program: Command, io: Io): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const debug = program.opts<{ debug?: boolean }>().debug === true;
    if (e instanceof KpromoError) {
      io.stderr.write(`kpromo: ${e.message}\n`);
      if (debug && e.stack) io.stderr.write(e.stack + '\n');
      return e.exitCode;
    }
    const err = e as Error;
    io.stderr.write(`kpromo: internal error: ${err.message}\n${debug ? (err.stack ?? '') + '\n' : '(run with --debug for the stack)\n'}`);
    return EXIT_INTERNAL;
  }
}
