/** kpromo's command line: builds the commander program, runs one command, maps errors to exit codes. */
import { Command, CommanderError } from 'commander';
import { KpromoError } from '../errors.js';
import { makeColor } from './color.js';
import { checkCommand } from './commands/check.js';
import { compareCommand } from './commands/compare.js';
import { sweepCommand } from './commands/sweep.js';
import { mergeCommand } from './commands/merge.js';
import { convertCommand } from './commands/convert.js';
import { genCommand } from './commands/gen.js';
import { pageCommand } from './commands/page.js';
import { replayCommand, type CommandContext } from './commands/replay.js';
import { topoCommand } from './commands/topo.js';
import { processIo, type Io } from './io.js';

/** Exit code for a bug in kpromo itself (EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/** kpromo's version. */
export const VERSION = '0.1.0';

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
  const ctx: CommandContext = {
    io,
    color: () => makeColor(program.opts<{ color?: boolean }>().color, io.env, io.stdout.isTTY),
    setExit: (code) => {
      exit = code;
    },
  };
  for (const cmd of [replayCommand(ctx), checkCommand(ctx), topoCommand(ctx), genCommand(ctx), pageCommand(ctx), convertCommand(ctx), compareCommand(ctx), sweepCommand(ctx), mergeCommand(ctx)]) {
    cmd.copyInheritedSettings(program);
    program.addCommand(cmd);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exit;
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
