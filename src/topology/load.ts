/**
 * Resolves a `--topology` argument: a preset name, `sysfs:DIR`, `numactl:FILE`, or a JSON file path.
 */
import * as fs from 'node:fs';
import { TopologyError } from '../errors.js';
import type { Topology } from '../engine/topology.js';
import { readNumactl } from './numactl.js';
import { parseTopology } from './parse.js';
import { PRESETS, presetNames } from './presets.js';
import { readSysfs } from './sysfs.js';

/** Reads a file as text; injectable so tests need no files. */
export type ReadFile = (path: string) => string;

const defaultReadFile: ReadFile = (p) => fs.readFileSync(p, 'utf8');

function read(arg: string, path: string, readFile: ReadFile): string {
  try {
    return readFile(path);
  } catch (e) {
    const msg = (e as Error).message;
    throw new TopologyError(arg, '', `cannot read topology file (${msg}); it is not a preset either (presets: ${presetNames().join(', ')})`);
  }
}

/**
 * Loads a topology. Preset names win over files of the same name (write `./2s-cxl` for the file).
 * `sysfs:DIR` reads /sys (or a copy), `numactl:FILE` the output of `numactl -H`; their warnings (synthetic
 * ranges) go to `warn`.
 */
export function loadTopology(arg: string, readFile: ReadFile = defaultReadFile, warn: (line: string) => void = () => {}): Topology {
  if (Object.hasOwn(PRESETS, arg)) return PRESETS[arg] as Topology;
  if (arg.startsWith('sysfs:')) {
    const b = readSysfs(arg.slice('sysfs:'.length));
    for (const w of b.warnings) warn(`warning: ${arg}: ${w}`);
    return b.topology;
  }
  if (arg.startsWith('numactl:')) {
    const file = arg.slice('numactl:'.length);
    const b = readNumactl(read(file, file, readFile), file);
    for (const w of b.warnings) warn(`warning: ${arg}: ${w}`);
    return b.topology;
  }
  const text = read(arg, arg, readFile);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TopologyError(arg, '', `not valid JSON: ${(e as Error).message}`);
  }
  return parseTopology(json, arg);
}
