/** `kpromo topo [FILE|PRESET]`: show a topology's nodes, tiers and budgets, or build one from a real machine. */
import { ReadStream, createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Command } from 'commander';
import { EXIT_OK, UsageError } from '../../errors.js';
import { quoteText } from '../../escape.js';
import { pageSizeBytes } from '../../run/settings.js';
import { typed } from '../options.js';
import { withDefaultSignals } from '../signals.js';
import { loadTopology } from '../../topology/load.js';
import { readNumactl } from '../../topology/numactl.js';
import { DEFAULT_PRESET, PRESET_DESCRIPTIONS, presetNames } from '../../topology/presets.js';
import { tableWidthFor } from '../../render/fit-table.js';
import { renderTopology, sectionLines, topologyToJson } from '../../topology/render.js';
import { readSysfs, type BuiltTopology } from '../../topology/sysfs.js';
import { describeTiers, parseTierOverrides } from '../../topology/tiers.js';
import type { CommandContext } from './replay.js';

interface RawTopoOptions {
  json?: boolean;
  table?: boolean;
  list?: boolean;
  fromSysfs?: string;
  fromNumactl?: string;
  pageSize?: string;
  dramNodes?: string;
  slowNodes?: string;
}

/** `numactl -H` output is a few KiB; anything past this is not numactl output. */
const NUMACTL_MAX_BYTES = 4 * 1048576;

/** Reads `file` (or stdin for `-`) as UTF-8, refusing more than `max` bytes. */
async function readBounded(file: string, stdin: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = file === '-' ? stdin : createReadStream(file);
  const name = file === '-' ? 'standard input' : file;
  try {
    for await (const chunk of stream) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += b.length;
      if (size > max) throw new UsageError(`${name}: more than ${max} bytes: this is not \`numactl -H\` output`);
      chunks.push(b);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${name}: ${(e as Error).message}`);
  } finally {
    if (file !== '-') (stream as ReadStream).destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** topo's `--page-size`: a base page size, written as replay's is (4096, 64K), from 512 bytes to 1 MiB. */
function parsePageSize(text: string | undefined): number {
  if (text === undefined) return 4096;
  const v = pageSizeBytes(text);
  if (!(v >= 512 && v <= 1048576) || (v & (v - 1)) !== 0) {
    throw new UsageError(`--page-size must be a power of two from 512 to 1048576 (4096, 64K), got ${JSON.stringify(text)}`);
  }
  return v;
}

/**
 * Refuses what this run would not act on: anything beside `--list`, a topology argument beside `--from-*` (which build
 * their own), `--page-size` with `--json` of a file or preset (it sizes the table's memory sections and the pages read
 * by `--from-*`).
 */
function refuseUnused(self: Command, raw: RawTopoOptions): void {
  const given = self.options.filter((o) => o.long !== undefined && typed(self, o.long)).map((o) => o.long!);
  const arg = self.args[0];
  if (raw.list) {
    const others = [...given.filter((f) => f !== '--list'), ...(arg !== undefined ? [quoteText(arg)] : [])];
    if (others.length > 0) throw new UsageError(`--list prints the preset names: give it alone (${others.join(', ')})`);
    return;
  }
  const from = raw.fromSysfs !== undefined ? '--from-sysfs' : raw.fromNumactl !== undefined ? '--from-numactl' : null;
  if (from !== null && arg !== undefined) throw new UsageError(`the topology ${quoteText(arg)} and ${from} both give the topology: keep one`);
  if (from === null && raw.json === true && given.includes('--page-size')) {
    throw new UsageError('--page-size sizes the memory sections of the table and the pages of --from-sysfs / --from-numactl: not used by --json of a topology file or preset');
  }
}

/** Builds the topo subcommand. */
export function topoCommand(ctx: CommandContext): Command {
  return new Command('topo')
    .description('print a topology (file or preset) as a table, or build one from /sys or numactl -H')
    .argument('[topology]', 'topology JSON file or preset name', DEFAULT_PRESET)
    .option('--json', 'print the topology as JSON (the --topology file format)')
    .option('--table', 'print the table even with --from-sysfs / --from-numactl (whose default is JSON)')
    .option('--list', 'list the built-in presets')
    .option('--from-sysfs <dir>', 'build from /sys (or /sys/devices/system/node, or a copy of either)')
    .option('--from-numactl <file>', 'build from the output of `numactl -H` (- reads stdin)')
    .option('--page-size <bytes>', 'base page size for --from-sysfs / --from-numactl and the memory-section lines (4096, 16K, 64K)', '4096')
    .option('--dram-nodes <list>', 'with --from-*: these nodes are DRAM (adistance 576) whatever sysfs says, e.g. a CPU-less HBM node')
    .option('--slow-nodes <list>', 'with --from-*: these nodes are slow memory (2880, dax/kmem default) whatever sysfs says')
    .action(async (arg: string, raw: RawTopoOptions, self: Command) => {
      const { io } = ctx;
      refuseUnused(self, raw);
      if (raw.list) {
        for (const name of presetNames()) io.stdout.write(`${name.padEnd(16)} ${PRESET_DESCRIPTIONS[name]}\n`);
        ctx.setExit(EXIT_OK);
        return;
      }
      if (raw.fromSysfs !== undefined && raw.fromNumactl !== undefined) {
        throw new UsageError('give either --from-sysfs or --from-numactl, not both');
      }
      const fromMachine = raw.fromSysfs !== undefined || raw.fromNumactl !== undefined;
      if (!fromMachine && (raw.dramNodes !== undefined || raw.slowNodes !== undefined)) {
        throw new UsageError('--dram-nodes and --slow-nodes apply to --from-sysfs or --from-numactl; edit the adistance of a topology file instead');
      }
      const pageSize = parsePageSize(raw.pageSize);
      const overrides = parseTierOverrides(raw.dramNodes, raw.slowNodes);
      let built: BuiltTopology | null = null;
      if (raw.fromSysfs !== undefined) {
        // Thousands of small files read in one synchronous piece: a signal during it ends the process at once.
        const tree = raw.fromSysfs;
        built = await withDefaultSignals(() => readSysfs(tree, { pageSize, overrides }));
      } else if (raw.fromNumactl !== undefined) {
        const text = await readBounded(raw.fromNumactl, io.stdin, NUMACTL_MAX_BYTES);
        built = readNumactl(text, raw.fromNumactl === '-' ? '<stdin>' : raw.fromNumactl, { pageSize, overrides });
      }
      const topo = built?.topology ?? loadTopology(arg);
      // Built from a machine: JSON by default, so it can be saved and passed to --topology.
      if (raw.json && raw.table) throw new UsageError('give either --json or --table, not both');
      const asJson = raw.json ?? (fromMachine && !raw.table);
      if (asJson) {
        io.stdout.write(topologyToJson(topo));
        // What was read and what assumed goes to stderr beside the JSON.
        const lines = built
          ? [...built.notes, ...describeTiers(built.tiers), ...sectionLines(topo, pageSize), ...built.warnings.map((w) => `warning: ${w}`)]
          : [];
        for (const l of lines) io.stderr.write(`kpromo: ${l}\n`);
      } else {
        const text = renderTopology(topo, ctx.color(), { ...(built ? { tiers: built.tiers } : {}), pageSize, width: tableWidthFor(io.stdout) });
        io.stdout.write(text.endsWith('\n') ? text : text + '\n');
        for (const l of [...(built?.notes ?? []), ...(built?.warnings.map((w) => `warning: ${w}`) ?? [])]) io.stderr.write(`kpromo: ${l}\n`);
      }
      ctx.setExit(EXIT_OK);
    });
}
