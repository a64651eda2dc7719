/** `--format json`: the whole result as one JSON document. */
import type { Counter, ReplaySummary } from '../engine/types.js';
import { ignoredTotal, unexaminedTotal } from './summary.js';

/** What goes into the JSON document. */
export interface JsonInput {
  readonly engine: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly counters: readonly Counter[];
  readonly summary: ReplaySummary;
  readonly input: Readonly<Record<string, unknown>>;
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** Renders the result as pretty JSON with counters as an ordered name -> value object. */
export function renderJson(r: JsonInput): string {
  const counters: Record<string, number> = {};
  for (const c of r.counters) counters[c.name] = c.value;
  const doc = {
    engine: r.engine,
    settings: r.settings,
    counters,
    summary: { ...r.summary, unexamined_total: unexaminedTotal(r.summary), ignored_total: ignoredTotal(r.summary) },
    input: r.input,
    ...r.extra,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
