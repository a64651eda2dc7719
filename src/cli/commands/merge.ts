/** `kpromo merge PART...`: the parts of a sharded sweep into the table, CSV or JSON the whole sweep prints. */
import { createReadStream } from 'node:fs';
import { Command } from 'commander';
import { counterNames, ENGINE_NAMES, type EngineName } from '../../engine/registry.js';
import { EXIT_OK, UsageError } from '../../errors.js';
import { parseJsonBounded } from '../../json-source.js';
import { mergeParts, type PartDoc } from '../../multi/merge.js';
import { inputSkipNotes } from '../../multi/merge-input.js';
import { DEFAULT_SORT, parseSort } from '../../multi/sort.js';
import type { Io } from '../io.js';
import { addOptions } from '../options.js';
import { pendingSignalsDelivered, withDefaultSignals } from '../signals.js';
import type { CommandContext } from './replay.js';
import { openCsv, parseTop, presentSweep, PRESENT_OPTIONS, SWEEP_FORMATS, type SweepFormat } from './sweep.js';

/** Largest part file read (a part of 4096 configurations is a few MB). */
export const MAX_PART_BYTES = 64 << 20;

interface RawMergeOptions {
  sort?: string;
  desc?: boolean;
  csv?: string;
  top?: string;
  format: SweepFormat;
}

/** Builds the merge subcommand. */
export function mergeCommand(ctx: CommandContext): Command {
  const cmd = new Command('merge')
    .description('combine the JSON parts of `kpromo sweep --shard K/N` into the output of the whole sweep')
    .argument('<part...>', 'part files (JSON of kpromo sweep --shard K/N), all N of them, in any order (- = stdin, once)');
  addOptions(cmd, [
    ...PRESENT_OPTIONS.map((o) =>
      o.flags.startsWith('--sort ') ? { flags: o.flags, description: `${o.description} (default: the sort the parts were made with)` } : o,
    ),
    { flags: '--format <format>', description: 'output: table, csv or json', default: 'table', choices: SWEEP_FORMATS },
  ]);
  cmd.action(async (parts: string[], raw: RawMergeOptions) => {
    ctx.setExit(await merge(ctx, parts, raw));
  });
  return cmd;
}

/** Reads one part, bounded (a part is never near MAX_PART_BYTES); `-` is standard input. */
async function readPart(io: Io, name: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const tooLarge = () => new UsageError(`merge: ${name}: larger than ${MAX_PART_BYTES >> 20} MiB: not a part of kpromo sweep --shard`);
  const source: AsyncIterable<Buffer | string> = name === '-' ? io.stdin : createReadStream(name, { highWaterMark: 1 << 20 });
  try {
    for await (const c of source) {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      size += b.length;
      if (size > MAX_PART_BYTES) throw tooLarge();
      chunks.push(b);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`merge: cannot read ${name}: ${(e as Error).message}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function merge(ctx: CommandContext, names: string[], raw: RawMergeOptions): Promise<number> {
  const { io } = ctx;
  if (names.filter((n) => n === '-').length > 1) throw new UsageError('merge: standard input (-) can be given once');
  const top = parseTop(raw.top);
  const docs: PartDoc[] = [];
  for (const name of names) {
    const text = await readPart(io, name);
    // Checked as topology files are (json-source.ts): a key twice in one object, which JSON.parse would take
    // silently (the last wins), is refused with the rest, and nesting is bounded.
    // One synchronous piece (a part may have 64 MiB: about a second): a signal during it ends the process at once.
    const json = await withDefaultSignals(() => parseJsonBounded(text));
    if ('error' in json) {
      const where = `${name}:${json.position.line}:${json.position.column}${json.path !== '' ? `: ${json.path}` : ''}`;
      throw new UsageError(`merge: ${where}: ${json.syntax ? `not JSON (${json.error}): make parts with kpromo sweep --shard K/N --format json` : json.error}`);
    }
    docs.push({ name, doc: json.value });
  }
  const merged = await withDefaultSignals(() => mergeParts(docs));
  const engine = merged.meta.engine;
  if (!(ENGINE_NAMES as readonly string[]).includes(engine)) throw new UsageError(`merge: unknown engine ${JSON.stringify(engine)} in the parts`);
  let sort = merged.sort;
  if (raw.sort !== undefined || raw.desc === true) {
    sort = parseSort(raw.sort ?? DEFAULT_SORT, raw.desc === true, new Set(counterNames(engine as EngineName)));
  } else if (sort === null) {
    throw new UsageError('merge: the parts were made with different --sort keys: give --sort');
  }
  io.stderr.write(inputSkipNotes(merged.meta.input));
  const csv = openCsv(raw.csv ?? null, names.map((n) => ({ what: 'part', path: n })));
  await csv?.open(); // a FIFO waits for its reader here, where a signal still ends the command
  await pendingSignalsDelivered(); // a signal that came since the merge ends it before anything is printed
  await presentSweep(io, ctx.color, merged.rows, merged.meta, { sort, top, csv: raw.csv ?? null, format: raw.format }, csv);
  return EXIT_OK;
}
