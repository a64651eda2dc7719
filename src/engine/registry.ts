/** The engines kpromo can run, by `--engine` name. */
import type { RfcV1Config } from './config.js';
import { RFC_V1_COUNTER_NAMES } from './counters.js';
import { RfcV1Engine } from './rfc-v1.js';
import type { Engine, PassObserver } from './types.js';

/** Names accepted by `--engine`. */
export const ENGINE_NAMES = ['rfc-v1', 'rfc-v1-fixed'] as const;

/** One of ENGINE_NAMES. */
export type EngineName = (typeof ENGINE_NAMES)[number];

/** An engine that can report its passes to an observer. */
export type ObservableEngine = Engine & { observer: PassObserver | null };

/** Builds the named engine. */
export function createEngine(name: EngineName, rfc: RfcV1Config): ObservableEngine {
  switch (name) {
    case 'rfc-v1':
    case 'rfc-v1-fixed':
      return new RfcV1Engine(rfc, name);
  }
}

/** Counter names the engine prints (and a golden file may name). */
export function counterNames(name: EngineName): readonly string[] {
  switch (name) {
    case 'rfc-v1':
    case 'rfc-v1-fixed':
      return RFC_V1_COUNTER_NAMES;
  }
}
