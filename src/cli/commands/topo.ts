/** `kpromo topo [FILE|PRESET]`: show a topology's nodes, tiers and budgets, or build one from a real machine. */
import { Command } from 'commander';
import { EXIT_OK, UsageError } from '../../errors.js';
import type { Topology } from '../../engine/topology.js';
import { loadTopology } from '../../topology/load.js';
import { topologyFromNumactl } from '../../topology/numactl.js';
import { DEFAULT_PRESET, PRESET_DESCRIPTIONS, presetNames } from '../../topology/presets.js';
import { renderTopology, topologyToJson } from '../../topology/render.js';
import { topologyFromSysfs } from '../../topology/sysfs.js';
import * as fs from 'node:fs';
import type { CommandContext } from './replay.js';

interface RawTopoOptions {
  json?: boolean;
  list?: boolean;
  fromSysfs?: string;
  fromNumactl?: string;
  pageSize: string;
}

/** Builds the topo subcommand. */
export function topoCommand(ctx: CommandContext): Command {
  return new Command('topo')
    .description('print a topology (file or preset) as a table, or build one from sysfs / numactl -H')
    .argument('[topology]', 'topology JSON file or preset name', DEFAULT_PRESET)
    .option('--json', 'print the topology as JSON (the --topology file format)')
    .option('--list', 'list the built-in presets')
    .option('--from-sysfs <dir>', 'build from a copy of /sys/devices/system/node')
    .option('--from-numactl <file>', 'build from the output of `numactl -H` (- for stdin is not supported)')
    .option('--page-size <bytes>', 'page size for --from-sysfs', '4096')
    .action((arg: string, raw: RawTopoOptions) => {
      const { io } = ctx;
      if (raw.list) {
        for (const name of presetNames()) io.stdout.write(`${name.padEnd(16)} ${PRESET_DESCRIPTIONS[name]}\n`);
        ctx.setExit(EXIT_OK);
        return;
      }
      if (raw.fromSysfs !== undefined && raw.fromNumactl !== undefined) {
        throw new UsageError('give either --from-sysfs or --from-numactl, not both');
      }
      let topo: Topology;
      if (raw.fromSysfs !== undefined) {
        const pageSize = Number(raw.pageSize);
        if (!Number.isInteger(pageSize) || pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
          throw new UsageError(`--page-size must be a power of two >= 512, got ${JSON.stringify(raw.pageSize)}`);
        }
        topo = topologyFromSysfs(raw.fromSysfs, pageSize);
      } else if (raw.fromNumactl !== undefined) {
        let text: string;
        try {
          text = fs.readFileSync(raw.fromNumactl, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read ${raw.fromNumactl}: ${(e as Error).message}`);
        }
        topo = topologyFromNumactl(text, raw.fromNumactl);
      } else {
        topo = loadTopology(arg);
      }
      // Built from a machine: JSON by default, so it can be saved and passed to --topology.
      const asJson = raw.json ?? (raw.fromSysfs !== undefined || raw.fromNumactl !== undefined);
      const text = asJson ? topologyToJson(topo) : renderTopology(topo, ctx.color());
      io.stdout.write(text.endsWith('\n') ? text : text + '\n');
      ctx.setExit(EXIT_OK);
    });
}
