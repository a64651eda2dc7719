/** `kpromo gen [options]`: write a seeded synthetic trace (canonical CSV) to stdout or --out. */
import { Command, Option } from 'commander';
import { EXIT_INTERRUPTED, EXIT_OK, quoteName, UsageError } from '../../errors.js';
import { generateChunks } from '../../gen/generate.js';
import { GEN_OPTIONS, parseGenArgs, type GenPattern } from '../../gen/options.js';
import { OutputFile } from '../file-output.js';
import { makeProgress } from '../progress.js';
import type { CommandContext } from './replay.js';

/** Characters written between two turns of the event loop. */
const SLICE = 64 << 10;

/** Builds the gen subcommand from the generator's option table. */
export function genCommand(ctx: CommandContext): Command {
  const cmd = new Command('gen').description('write a seeded synthetic trace (pfn,nid,src,time CSV)');
  for (const spec of GEN_OPTIONS) {
    const o = new Option(spec.flag, spec.description);
    // Defaults are applied by parseGenArgs; show them in help only.
    if (spec.default !== undefined) o.description = `${spec.description} (default: ${spec.default})`;
    cmd.addOption(o);
  }
  cmd.option('-o, --output <file>', 'write to a file instead of stdout (- = stdout)');
  cmd.addOption(new Option('--out <file>').hideHelp()); // cli: the old name, kept as a hidden alias of --output
  cmd.option('--no-progress', 'no progress line on stderr (it is shown only on a terminal, and not when the trace goes to it)');
  cmd.action(async (given: Record<string, string | boolean | undefined>) => {
    const { out: alias, progress, ...raw } = given as Record<string, string | undefined> & { progress?: boolean };
    if (alias !== undefined && raw.output !== undefined) throw new UsageError('give -o/--output once (--out is its old name)');
    raw.out = raw.output ?? alias;
    delete raw.output;
    ctx.setExit(await gen(ctx, raw, progress !== false));
  });
  return cmd;
}

/**
 * Refuses a pattern's option given with another pattern, which would write the same trace without it: `--phase-records`
 * (phase), `--scan-fraction` (mix), `--exponent` with scan (sequential sweeps draw no Zipf rank).
 */
function refuseOtherPatternOptions(raw: Readonly<Record<string, string | undefined>>, pattern: GenPattern): void {
  const only = (flag: string, key: string, owner: GenPattern): void => {
    if (raw[key] !== undefined && pattern !== owner) throw new UsageError(`${flag} applies to --pattern ${owner}, not ${pattern}`, 'KPROMO_GEN_OPTION');
  };
  only('--phase-records', 'phaseRecords', 'phase');
  only('--scan-fraction', 'scanFraction', 'mix');
  if (raw['exponent'] !== undefined && pattern === 'scan') {
    throw new UsageError('--exponent shapes the hot set of zipf, phase and mix: not used by --pattern scan', 'KPROMO_GEN_OPTION');
  }
}

async function gen(ctx: CommandContext, raw: Record<string, string | undefined>, showProgress: boolean): Promise<number> {
  const { io } = ctx;
  const opts = parseGenArgs(raw);
  refuseOtherPatternOptions(raw, opts.pattern);
  // gen cannot meet bad input once its options are valid: standard output is streamed, not spooled.
  const out = new OutputFile(raw.out ?? '-', { option: '-o', stdout: io.stdout, spool: false });
  let stop = false;
  const off = io.onInterrupt(() => {
    stop = true;
  });
  let records: number | null = null;
  // Not when the trace itself goes to the terminal: the line would land in the middle of it.
  const shown = showProgress && io.stderr.isTTY && !(out.isStdout && io.stdout.isTTY);
  const progress = makeProgress(io.stderr, shown);
  // Waiting for a FIFO's reader (its open) or on a write that does not return, gen cannot see the stop: the process is
  // ended (signals.ts) with this.
  const offForced =
    io.onForcedStop?.(() => {
      progress.done();
      io.stderr.write(`${out.isStdout && io.stdout.isTTY ? '\n' : ''}kpromo gen: interrupted${out.checked.kind === 'atomic' ? `; ${quoteName(out.file)} not written` : ''}\n`);
    }) ?? ((): void => {});
  let written = 0;
  let lines = 0;
  try {
    await out.open();
    const chunks = generateChunks(opts);
    let r = chunks.next();
    while (!r.done) {
      // Written in slices, with a turn of the event loop after each, so a signal or an EPIPE (the reader went
      // away, e.g. `| head`) is seen soon even when every write waits for a slow reader (a terminal, a pipe).
      for (let at = 0; at < r.value.length && !stop && io.stdout.closed !== true; at += SLICE) {
        const slice = r.value.slice(at, at + SLICE);
        await out.writeStreamed(slice);
        if (shown) {
          written += slice.length; // ASCII: characters are bytes
          for (let i = slice.indexOf('\n'); i >= 0; i = slice.indexOf('\n', i + 1)) lines++;
          progress.update({ bytes: written, totalBytes: null, records: Math.max(0, lines - 1) }); // less the header
        }
        await new Promise((resolve) => setImmediate(resolve));
        // A pipe's stream queues what its reader has not taken yet: wait for it (a signal still ends the wait).
        if (out.isStdout) await io.stdout.drained?.();
      }
      if (stop || io.stdout.closed === true) break;
      r = chunks.next();
    }
    if (stop) {
      out.discard();
      // On a terminal, stdout was cut mid-line: the message starts on a line of its own.
      io.stderr.write(`${out.isStdout && io.stdout.isTTY ? '\n' : ''}kpromo gen: interrupted${out.isStdout ? '' : `; ${quoteName(out.file)} not written`}\n`);
      return EXIT_INTERRUPTED;
    }
    out.commit();
    if (r.done) records = r.value.records;
  } catch (e) {
    out.discard();
    throw e;
  } finally {
    offForced();
    off();
    progress.done();
  }
  if (!out.isStdout && records !== null) io.stderr.write(`kpromo: wrote ${records} records to ${quoteName(out.file)}\n`);
  return EXIT_OK;
}
