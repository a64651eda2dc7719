/** `kpromo compare` output: one column per configuration; rows are settings, key metrics, then every counter. */
import type { ChalkInstance } from 'chalk';
import { fitTable, wrapText, type FitColumn } from '../render/fit-table.js';
import { countersJson, jsonDocument, jsonText, summaryJson, type InputJson } from '../report/json.js';
import { COMPACT_CHARS } from '../report/table.js';
import { csvLine, formatMetric } from './format.js';
import { METRICS } from './metrics.js';
import type { ConfigResult } from './run-multi.js';
import { escapeControl } from '../escape.js';

/** One configuration's result and the settings it ran with (label/value pairs). */
export interface CompareColumn {
  readonly result: ConfigResult;
  readonly settings: ReadonlyArray<readonly [string, string]>;
  /** The same settings typed, for JSON (settingsJson); the display pairs when absent. */
  readonly settingsJson?: Readonly<Record<string, unknown>>;
}

/** Everything compare prints. */
export interface CompareView {
  readonly columns: readonly CompareColumn[];
  readonly traces: readonly string[];
  readonly records: number;
  /** What the read read and skipped (inputJson): `input` of the JSON, as replay's. */
  readonly input: InputJson;
}

/** Names in first-seen order across lists (a key one engine lacks still gets its row). */
export function unionNames(lists: ReadonlyArray<ReadonlyArray<{ readonly name: string }>>): string[] {
  const seen = new Set<string>();
  for (const l of lists) for (const x of l) seen.add(x.name);
  return [...seen];
}

function counterMaps(view: CompareView): Map<string, number>[] {
  return view.columns.map((c) => new Map(c.result.counters.map((k) => [k.name, k.value])));
}

function settingRows(view: CompareView): [string, string[]][] {
  const maps = view.columns.map((c) => new Map(c.settings));
  const names = unionNames(view.columns.map((c) => c.settings.map(([name]) => ({ name }))));
  return names.map((n) => [n, maps.map((m) => m.get(n) ?? '-')]);
}

/**
 * The side-by-side terminal tables, fitted to `width` columns when given (a terminal): long labels and settings
 * wrap, and configurations that still do not fit go to further tables that repeat the name column.
 */
export function renderCompareTable(view: CompareView, color: ChalkInstance, width?: number): string {
  const make = (title: string, align: 'left' | 'right', rows: string[][]): string => {
    const columns: FitColumn[] = [
      { head: title },
      ...view.columns.map((c) => ({ head: c.result.label, align, wrap: true })),
    ];
    return fitTable(columns, rows, { width, color, chars: COMPACT_CHARS, split: 1 });
  };

  const settings: string[][] = [['engine', ...view.columns.map((c) => c.result.engine)]];
  for (const [name, values] of settingRows(view)) settings.push([name, ...values]);

  const metrics: string[][] = [];
  for (const m of METRICS) {
    metrics.push([m.label, ...view.columns.map((c) => {
      const v = c.result.metrics[m.key];
      return v === null ? color.dim('n/a') : formatMetric(m, v);
    })]);
  }

  const counters: string[][] = [];
  const maps = counterMaps(view);
  for (const name of unionNames(view.columns.map((c) => c.result.counters))) {
    counters.push([name, ...maps.map((m) => {
      const v = m.get(name);
      return v === undefined ? color.dim('-') : v === 0 ? color.dim('0') : String(v);
    })]);
  }
  const configs = view.columns.length;
  const note = `${view.records} records from ${view.traces.map(escapeControl).join(' ')}, read once for ${configs} configuration${configs === 1 ? '' : 's'}`;
  const tables = [make('setting', 'left', settings), make('metric', 'right', metrics), make('counter', 'right', counters)];
  return [...tables, color.dim(width === undefined ? note : wrapText(note, width))].join('\n') + '\n';
}

/** `--format json` (docs/kpromo-output.schema.json, kind compare): one result per configuration (metrics null when n/a). */
export function renderCompareJson(view: CompareView): string {
  const doc = jsonDocument('compare', {
    traces: view.traces,
    records: view.records,
    input: view.input,
    results: view.columns.map((c) => ({
      label: c.result.label,
      engine: c.result.engine,
      settings: c.settingsJson ?? Object.fromEntries(c.settings),
      metrics: c.result.metrics,
      counters: countersJson(c.result.counters),
      summary: summaryJson(c.result.summary),
    })),
  });
  return jsonText(doc);
}

/** `--format csv`: header `name,LABEL...`; metric rows (raw values: shares 0..1, ms, bytes) then counters; empty = n/a. */
export function renderCompareCsv(view: CompareView): string {
  let out = csvLine(['name', ...view.columns.map((c) => c.result.label)]);
  out += csvLine(['engine', ...view.columns.map((c) => c.result.engine)]);
  for (const m of METRICS) out += csvLine([m.key, ...view.columns.map((c) => c.result.metrics[m.key])]);
  const maps = counterMaps(view);
  for (const name of unionNames(view.columns.map((c) => c.result.counters))) {
    out += csvLine([name, ...maps.map((m) => m.get(name))]);
  }
  return out;
}
