/**
 * Resolves a `--topology` argument: a preset name, `sysfs:DIR`, `numactl:FILE`, or a JSON file path.
 */
import { TopologyError } from '../errors.js';
import { formatJsonPath, parseJsonBounded, positionAt } from '../json-source.js';
import { readSideFile, SideInputError } from '../side-input.js';
import type { Topology } from '../engine/topology.js';
import { readNumactl } from './numactl.js';
import { parseTopology } from './parse.js';
import { PRESETS, presetNames } from './presets.js';
import { readSysfs } from './sysfs.js';

/** Reads a file as text; injectable so tests need no files. */
export type ReadFile = (path: string) => string;

/** Bounded (side-input.ts): a regular file of at most 16 MiB. */
const defaultReadFile: ReadFile = (p) => readSideFile(p, 'topology file');

function read(arg: string, path: string, readFile: ReadFile): string {
  try {
    return readFile(path);
  } catch (e) {
    const msg = e instanceof SideInputError ? e.reason : (e as Error).message;
    throw new TopologyError(arg, '', `cannot read topology file (${msg}); it is not a preset either (presets: ${presetNames().join(', ')})`);
  }
}

/** The file a --topology argument reads (a JSON file, or a `numactl:` file), or null (a preset, a `sysfs:` directory). */
export function topologyFile(arg: string): string | null {
  if (Object.hasOwn(PRESETS, arg) || arg.startsWith('sysfs:')) return null;
  return arg.startsWith('numactl:') ? arg.slice('numactl:'.length) : arg;
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
  const json = parseJsonBounded(read(arg, arg, readFile));
  if ('error' in json) throw new TopologyError(arg, json.path, `${json.syntax ? 'not valid JSON: ' : ''}${json.error}`, json.position);
  const topo = parseTopology(json.value, arg, json.text);
  // Every number of a topology is an integer: one that is not, as written, but that JSON.parse rounds to one
  // (4503599627370495.5, 1e-400) would be taken silently.
  const r = json.scan.firstRounded;
  if (r !== null) {
    throw new TopologyError(arg, formatJsonPath(r.path), `expected an integer, got ${r.text}, which is not one (JSON.parse would read it as ${r.value})`, positionAt(json.text, r.offset));
  }
  return topo;
}
