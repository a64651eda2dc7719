/**
 * Configurations of a multi-engine run: an engine name plus tunables, validated into the same settings a
 * replay uses. `NAME:key=value,...` is how `kpromo compare --engine` names one.
 */
import { validateRfcV1Config } from '../engine/config.js';
import { ENGINE_NAMES } from '../engine/registry.js';
import type { Topology } from '../engine/topology.js';
import { UsageError } from '../errors.js';
import { normalizeReplayOptions, optionEngines, parseIntOption, parseThreshold, type RawEngineOptions } from '../run/settings.js';
import type { ReplaySettings } from '../run/replay.js';

/** A replay's settings without its inputs: what differs between the configurations of one run. */
export type EngineSettings = Omit<ReplaySettings, 'inputs' | 'parser'>;

/** One configuration of a multi-engine run. */
export interface MultiConfig {
  /** How the user named it (`rfc-v1:window=1000`), unique within a run. */
  readonly label: string;
  readonly settings: EngineSettings;
  /** No topology was chosen for it (neither --topology nor `topology=`): the default preset; for the no-range warning. */
  readonly topologyDefaulted?: boolean;
}

/** Keys of `NAME:key=value` and the option each stands for (`demotion` and `precise` are flags). */
const SPEC_KEYS: Readonly<Record<string, keyof RawEngineOptions>> = {
  topology: 'topology',
  hz: 'hz',
  window: 'window',
  threshold: 'threshold',
  period: 'period',
  'default-node': 'defaultNode',
  'hash-order': 'hashOrder',
  demotion: 'demotion',
  precise: 'pghotPrecise',
  'pghot-precise': 'pghotPrecise',
  'target-nid': 'targetNid',
  batch: 'batch',
  'rate-limit': 'rateLimit',
  sources: 'sources',
};

/** The keys `NAME:key=value` accepts (underscores may stand for dashes). */
export const SPEC_KEY_NAMES: readonly string[] = Object.keys(SPEC_KEYS);

/** A parsed `NAME[:key=value,...]`. */
export interface EngineSpec {
  readonly text: string;
  readonly engine: string;
  /** Raw option values the spec overrides. */
  readonly overrides: Partial<RawEngineOptions>;
}

/**
 * Parses `NAME[:key=value,...]`; a bare key is a flag (`pghot:precise`). Quotes the bad part. Spaces may stand around
 * an item of the key list (`rfc-v1: window=1000, threshold=3`), as around the items of every list; the name, each
 * key and each value are taken as written (`window= 1000` is refused as `--window ' 1000'` is, and `topology= t.json`
 * names no file `t.json`).
 */
export function parseEngineSpec(text: string): EngineSpec {
  const colon = text.indexOf(':');
  const engine = colon < 0 ? text : text.slice(0, colon);
  if (!(ENGINE_NAMES as readonly string[]).includes(engine)) {
    throw new UsageError(`--engine ${JSON.stringify(text)}: engine must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(engine)}`);
  }
  const overrides: Record<string, string | boolean> = {};
  if (colon >= 0) {
    for (const raw of text.slice(colon + 1).split(',')) {
      const part = raw.trim();
      const eq = part.indexOf('=');
      const typedKey = eq < 0 ? part : part.slice(0, eq);
      const key = typedKey.replace(/_/g, '-');
      const value = eq < 0 ? null : part.slice(eq + 1);
      if (eq >= 0 && (/\s$/.test(typedKey) || /^\s/.test(value!))) {
        throw new UsageError(`--engine ${JSON.stringify(text)}: no spaces around = in ${JSON.stringify(part)} (a value is taken as written)`);
      }
      const field = Object.hasOwn(SPEC_KEYS, key) ? SPEC_KEYS[key]! : undefined;
      if (field === undefined) {
        throw new UsageError(`--engine ${JSON.stringify(text)}: unknown key ${JSON.stringify(typedKey)} (keys: ${SPEC_KEY_NAMES.join(', ')})`);
      }
      // Refused rather than dropped, as `replay --engine pghot --demotion` is: a key the engine has no use for,
      // and a key given twice (`window=1,window=2`; `precise` and `pghot-precise` are one key).
      const owners = optionEngines(field);
      if (owners !== null && !owners.includes(engine)) {
        throw new UsageError(`--engine ${JSON.stringify(text)}: ${key} is not used by ${engine} (only by ${owners.join(' and ')}): leave it out or choose that engine`);
      }
      if (Object.hasOwn(overrides, field)) {
        throw new UsageError(`--engine ${JSON.stringify(text)}: ${key} given twice (${field === 'pghotPrecise' ? 'precise and pghot-precise are one key' : 'give it once'})`);
      }
      if (field === 'pghotPrecise' || field === 'demotion') {
        if (value !== null && !['0', '1', 'true', 'false'].includes(value)) {
          throw new UsageError(`--engine ${JSON.stringify(text)}: ${key} takes no value or 0/1/true/false, got ${JSON.stringify(value)}`);
        }
        overrides[field] = value === null || value === '1' || value === 'true';
      } else {
        if (value === null || value === '') {
          throw new UsageError(`--engine ${JSON.stringify(text)}: ${key} needs a value (${key}=...)`);
        }
        overrides[field] = value;
      }
    }
  }
  return { text, engine, overrides: overrides as Partial<RawEngineOptions> };
}

/** Wraps a topology loader so each argument is read once per run (a sweep builds many configurations). */
export function cachedLoader(load: (arg: string) => Topology): (arg: string) => Topology {
  const seen = new Map<string, Topology>();
  return (arg) => {
    let t = seen.get(arg);
    if (t === undefined) seen.set(arg, (t = load(arg)));
    return t;
  };
}

/**
 * Validates one configuration. The rfc engines check their tunables against the rfc ranges only:
 * `--window 5000` is the rfc-v1 default but outside pghot's window range, which does not concern them.
 */
export function engineSettings(raw: RawEngineOptions, loadTopology: (arg: string) => Topology): EngineSettings {
  let settings: ReplaySettings;
  if (raw.engine === 'rfc-v1' || raw.engine === 'rfc-v1-fixed') {
    const base = normalizeReplayOptions({ ...raw, window: undefined, threshold: undefined, period: undefined }, [], loadTopology);
    const rfc = validateRfcV1Config({
      ...base.rfc,
      ...(raw.window === undefined ? {} : { window_ms: parseIntOption('--window', raw.window, 0, 0x7fffffff) }),
      ...(raw.threshold === undefined ? {} : { threshold: parseThreshold(raw.threshold) }),
      ...(raw.period === undefined ? {} : { period_ms: parseIntOption('--period', raw.period, 1, 0x7fffffff) }),
    });
    settings = { ...base, rfc };
  } else {
    settings = normalizeReplayOptions(raw, [], loadTopology);
  }
  const { inputs: _inputs, parser: _parser, ...rest } = settings;
  return rest;
}

/** The settings of `spec` on top of the common options `base`; errors name the spec. */
export function specSettings(spec: EngineSpec, base: RawEngineOptions, loadTopology: (arg: string) => Topology): EngineSettings {
  try {
    return engineSettings({ ...base, ...spec.overrides, engine: spec.engine }, loadTopology);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`--engine ${JSON.stringify(spec.text)}: ${e.message}`);
    throw e;
  }
}

/** Makes labels unique by suffixing repeats with `#2`, `#3`, ... */
export function uniqueLabels(labels: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    return n === 1 ? l : `${l}#${n}`;
  });
}
