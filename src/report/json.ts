/**
 * `--format json` of replay, compare, sweep and check: one shape, described by docs/kpromo-output.schema.json.
 * Every document starts with `schema_version`, `kind` and `kpromo_version`; values are typed (numbers are
 * numbers, lists are lists, null where a value does not apply). A change that removes or retypes a field
 * raises SCHEMA_VERSION; adding a field does not.
 */
import type { Counter, ReplaySummary } from '../engine/types.js';
import type { InputStats } from '../trace/input.js';
import { VERSION } from '../version.js';
import { ignoredTotal, unexaminedTotal } from './summary.js';

/** Version of the JSON shape (docs/kpromo-output.schema.json). */
export const SCHEMA_VERSION = 1;

/** Which command wrote a document. */
export type JsonKind = 'replay' | 'compare' | 'sweep' | 'check';

/** The fields every document starts with, then `body`. */
export function jsonDocument(kind: JsonKind, body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { schema_version: SCHEMA_VERSION, kind, kpromo_version: VERSION, ...body };
}

/** Pretty JSON text of a document, newline-terminated. */
export function jsonText(doc: unknown): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

/** Counters as an ordered name -> value object. */
export function countersJson(counters: readonly Counter[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of counters) out[c.name] = c.value;
  return out;
}

/** The summary with its totals. */
export function summaryJson(summary: ReplaySummary): Record<string, unknown> {
  return { ...summary, unexamined_total: unexaminedTotal(summary), ignored_total: ignoredTotal(summary) };
}

/** The `input` object: what a read of the traces read and skipped (replay, compare and sweep carry the same). */
export type InputJson = Readonly<Record<string, unknown>> & { readonly records: number };

/**
 * The `input` object of a document: records, bytes, files, bad lines skipped (`--skip-bad`) in all and by reason,
 * input formats, and for perf input the samples, records and samples skipped by reason.
 */
export function inputJson(read: InputStats): InputJson {
  const p = read.perf;
  return {
    records: read.records,
    bytes: read.bytes,
    files: read.files,
    skipped: read.skipped,
    formats: read.kinds,
    bad_lines_by_reason: read.badReasons,
    ...(p !== null
      ? { perf: { samples: p.samples, records: p.records, non_sample_lines: p.nonSample, skipped_by_reason: p.skipped, events: p.events, fields: p.shapes } }
      : {}),
  };
}

/** What goes into a replay document. */
export interface JsonInput {
  readonly engine: string;
  /** Typed settings (settingsJson in src/run/settings.ts). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly traces: readonly string[];
  readonly counters: readonly Counter[];
  readonly summary: ReplaySummary;
  readonly input: InputJson;
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** A replay document: one result (engine, settings, counters, summary) at the top level. */
export function renderJson(r: JsonInput): string {
  return jsonText(
    jsonDocument('replay', {
      traces: r.traces,
      records: r.input.records,
      engine: r.engine,
      settings: r.settings,
      counters: countersJson(r.counters),
      summary: summaryJson(r.summary),
      input: r.input,
      ...r.extra,
    }),
  );
}
