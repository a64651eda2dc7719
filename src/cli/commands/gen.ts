/** `kpromo gen [options]`: write a seeded synthetic trace (canonical CSV) to stdout or --out. */
import { Command, Option } from 'commander';
import { EXIT_OK, UsageError } from '../../errors.js';
import { generateChunks } from '../../gen/generate.js';
import { GEN_OPTIONS, parseGenArgs } from '../../gen/options.js';
import { AtomicFile } from '../file-output.js';
import type { CommandContext } from './replay.js';

/** Builds the gen subcommand from the generator's option table. */
export function genCommand(ctx: CommandContext): Command {
  const cmd = new Command('gen').description('write a seeded synthetic trace (pfn,nid,src,time CSV)');
  for (const spec of GEN_OPTIONS) {
    const o = new Option(spec.flag, spec.description);
    // Defaults are applied by parseGenArgs; show them in help only.
    if (spec.default !== undefined) o.description = `${spec.description} (default: ${spec.default})`;
    cmd.addOption(o);
  }
  cmd.option('-o, --output <file>', 'write to a file instead of stdout');
  cmd.addOption(new Option('--out <file>').hideHelp()); // cli: the old name, kept as a hidden alias of --output
  cmd.action(async (given: Record<string, string | undefined>) => {
    const { out: alias, ...raw } = given;
    if (alias !== undefined && raw.output !== undefined) throw new UsageError('give -o/--output once (--out is its old name)');
    raw.out = raw.output ?? alias;
    delete raw.output;
    const opts = parseGenArgs(raw);
    const out = raw.out !== undefined ? new AtomicFile(raw.out) : null;
    const stdout = ctx.io.stdout;
    try {
      const chunks = generateChunks(opts);
      let r = chunks.next();
      while (!r.done) {
        if (out) out.write(r.value);
        else {
          stdout.write(r.value);
          // Let an EPIPE (the reader went away, e.g. `| head`) arrive, then stop quietly.
          await new Promise((resolve) => setImmediate(resolve));
          if (stdout.closed === true) break;
        }
        r = chunks.next();
      }
      out?.commit();
      if (out && r.done) ctx.io.stderr.write(`kpromo: wrote ${r.value.records} records to ${raw.out}\n`);
    } catch (e) {
      out?.discard();
      throw e;
    }
    ctx.setExit(EXIT_OK);
  });
  return cmd;
}
