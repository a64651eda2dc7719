/** The engines kpromo can run, by `--engine` name. */
import type { RfcV1Config } from './config.js';
import { DEMOTION_COUNTER_NAMES, RFC_V1_COUNTER_NAMES } from './counters.js';
import { PghotEngine } from './pghot.js';
import { PGHOT_COUNTER_NAMES, type PghotConfig } from './pghot-config.js';
import { RfcV1Engine } from './rfc-v1.js';
import type { Engine, PassObserver } from './types.js';

/** Names accepted by `--engine`. */
export const ENGINE_NAMES = ['rfc-v1', 'rfc-v1-fixed', 'pghot'] as const;

/** One of ENGINE_NAMES. */
export type EngineName = (typeof ENGINE_NAMES)[number];

/** An engine that can report its passes to an observer. */
export type ObservableEngine = Engine & { observer: PassObserver | null };

/** Configuration of every engine; each engine takes its part. */
export interface EngineConfigs {
  readonly rfc: RfcV1Config;
  readonly pghot: PghotConfig;
}

/** Builds the named engine (`slabFirst`: the rfc engines' first slab, in records; run/prime.ts gives a small one). */
export function createEngine(name: EngineName, cfg: EngineConfigs, slabFirst?: number): ObservableEngine {
  switch (name) {
    case 'rfc-v1':
    case 'rfc-v1-fixed':
      return new RfcV1Engine(cfg.rfc, name, undefined, slabFirst);
    case 'pghot':
      return new PghotEngine(cfg.pghot);
  }
}

/** Counter names the engine prints (and a golden file may name). */
/**
 * The counters a run prints: the engine's, and for rfc-v1 the demotion counters only when demotion is on
 * (RfcV1Engine.counters() prints them only then).
 */
export function runCounterNames(name: EngineName, demotion: boolean): readonly string[] {
  return name === 'pghot' || demotion ? counterNames(name) : RFC_V1_COUNTER_NAMES;
}

export function counterNames(name: EngineName): readonly string[] {
  switch (name) {
    case 'rfc-v1':
    case 'rfc-v1-fixed':
      return [...RFC_V1_COUNTER_NAMES, ...DEMOTION_COUNTER_NAMES];
    case 'pghot':
      return PGHOT_COUNTER_NAMES;
  }
}
