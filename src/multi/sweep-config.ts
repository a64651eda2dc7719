/** Turns `kpromo sweep`'s list-valued options into validated configurations, one per grid point. */
import type { RawEngineOptions } from '../run/settings.js';
import { resolvePghotConfig } from '../engine/pghot-config.js';
import type { Topology } from '../engine/topology.js';
import { UsageError } from '../errors.js';
import { engineSettings, type EngineSettings, type MultiConfig } from './config.js';
import { expandGrid, parseList, pointLabel, SWEEP_PARAMS, type GridPoint, type SweepParam } from './grid.js';

/** The raw option each sweep parameter comes from. */
const FIELD: Readonly<Record<SweepParam, 'window' | 'threshold' | 'period' | 'hashOrder' | 'defaultNode'>> = {
  window: 'window',
  threshold: 'threshold',
  period: 'period',
  hash_order: 'hashOrder',
  default_node: 'defaultNode',
};

/** rfc-v1 tunables pghot does not have. */
const RFC_ONLY: readonly SweepParam[] = ['hash_order', 'default_node'];

/** A sweep's configurations and, for each, its grid point and effective parameters. */
export interface SweepPlan {
  readonly configs: MultiConfig[];
  readonly points: GridPoint[];
  readonly params: Record<SweepParam, number | null>[];
  /** Parameters with more than one value, in SWEEP_PARAMS order. */
  readonly swept: SweepParam[];
}

/** Effective value of every sweep parameter of a configuration (null where the engine has no such tunable). */
export function effectiveParams(s: EngineSettings): Record<SweepParam, number | null> {
  if (s.engine === 'pghot') {
    const p = resolvePghotConfig(s.pghot);
    return { window: p.freq_window_ms, threshold: p.freq_threshold, period: p.kmigrated_sleep_ms, hash_order: null, default_node: null };
  }
  const r = s.rfc;
  return { window: r.window_ms, threshold: r.threshold, period: r.period_ms, hash_order: r.hash_order, default_node: r.default_node };
}

/**
 * The single values of `fixed` whose effective value differs from the engine's default (`--window 1`, not
 * `--window 5000` for rfc-v1), as written after parsing: what the label of a one-configuration sweep names.
 */
function changedFromDefaults(raw: RawEngineOptions, fixed: Partial<RawEngineOptions>, loadTopology: (arg: string) => Topology): GridPoint {
  const given = SWEEP_PARAMS.filter(({ key }) => fixed[FIELD[key]] !== undefined);
  if (given.length === 0) return {};
  const bare: RawEngineOptions = { ...raw };
  for (const { key } of SWEEP_PARAMS) delete bare[FIELD[key]];
  const defaults = effectiveParams(engineSettings(bare, loadTopology));
  const mine = effectiveParams(engineSettings({ ...raw, ...fixed }, loadTopology));
  const out: Partial<Record<SweepParam, string>> = {};
  for (const { key } of given) if (mine[key] !== defaults[key]) out[key] = fixed[FIELD[key]]!;
  return out;
}

/** Expands the lists in `raw` (comma lists and ranges) into the grid and validates every configuration. */
export function planSweep(raw: RawEngineOptions, loadTopology: (arg: string) => Topology): SweepPlan {
  const lists: [SweepParam, string[]][] = [];
  const fixed: Partial<RawEngineOptions> = {};
  for (const { flag, key } of SWEEP_PARAMS) {
    const text = raw[FIELD[key]];
    if (text === undefined) continue;
    const values = parseList(flag, text);
    if (values.length > 1) lists.push([key, values]);
    else fixed[FIELD[key]] = values[0]!;
  }
  const swept = lists.map(([k]) => k);
  if (raw.engine === 'pghot') {
    const bad = swept.find((k) => RFC_ONLY.includes(k));
    if (bad !== undefined) throw new UsageError(`sweep: ${bad.replace('_', '-')} is an rfc-v1 tunable; pghot has none to sweep`);
  }
  const points = expandGrid(lists);
  const unswept = swept.length === 0 ? changedFromDefaults(raw, fixed, loadTopology) : {};
  const configs = points.map((point): MultiConfig => {
    const label = pointLabel(point, unswept);
    const over: Partial<RawEngineOptions> = {};
    for (const [key, value] of Object.entries(point) as [SweepParam, string][]) over[FIELD[key]] = value;
    try {
      return { label, settings: engineSettings({ ...raw, ...fixed, ...over }, loadTopology) };
    } catch (e) {
      if (e instanceof UsageError && swept.length > 0) throw new UsageError(`sweep configuration ${JSON.stringify(label)}: ${e.message}`);
      throw e;
    }
  });
  return { configs, points, params: configs.map((c) => effectiveParams(c.settings)), swept };
}
