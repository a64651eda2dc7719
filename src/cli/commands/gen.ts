/** `kpromo gen [options]`: write a seeded synthetic trace (canonical CSV) to stdout or --out. */
import { Command, Option } from 'commander';
import { EXIT_OK } from '../../errors.js';
import { generate } from '../../gen/generate.js';
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
  cmd.option('-o, --out <file>', 'write to a file instead of stdout');
  cmd.action((raw: Record<string, string | undefined>) => {
    const opts = parseGenArgs(raw);
    const out = raw.out !== undefined ? new AtomicFile(raw.out) : null;
    try {
      const stats = generate(opts, (chunk) => (out ? out.write(chunk) : ctx.io.stdout.write(chunk)));
      out?.commit();
      if (out) ctx.io.stderr.write(`kpromo: wrote ${stats.records} records to ${raw.out}\n`);
    } catch (e) {
      out?.discard();
      throw e;
    }
    ctx.setExit(EXIT_OK);
  });
  return cmd;
}
