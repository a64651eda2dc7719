/** `--format table`: counters and a summary as terminal tables (drawn as cli-table3 draws them, render/draw-table.ts), coloured by the caller's Chalk. */
import type { ChalkInstance } from 'chalk';
import type { Topology } from '../engine/topology.js';
import type { Counter, ReplaySummary } from '../engine/types.js';
import { fitTable, wrapText, type FitColumn } from '../render/fit-table.js';
import { ignoredRows, unexaminedTotal, unexaminedWarnings } from './summary.js';

/** What the table shows besides counters. */
export interface TableInput {
  readonly engine: string;
  readonly counters: readonly Counter[];
  readonly summary: ReplaySummary;
  readonly topology: Topology;
  readonly settings: ReadonlyArray<readonly [string, string]>;
}

/** cli-table3 border characters without lines between rows. */
export const COMPACT_CHARS = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** A two-column name/value table fitted to width: long names and values wrap. */
function pairs(head: readonly [string, string], rows: string[][], color: ChalkInstance, align: 'left' | 'right', width: number | undefined): string {
  const columns: FitColumn[] = [
    { head: head[0], wrap: true },
    { head: head[1], align, wrap: align === 'left' },
  ];
  return fitTable(columns, rows, { width, color, chars: COMPACT_CHARS });
}

/** Renders the counters, the summary and any warnings, fitted to `width` columns when given (a terminal). */
export function renderTable(input: TableInput, color: ChalkInstance, width?: number): string {
  const counters = input.counters.map((c) => [c.name, c.value === 0 ? color.dim(String(c.value)) : String(c.value)]);
  const s = input.summary;
  const summary: string[][] = [];
  summary.push(['engine', input.engine]);
  for (const [k, v] of input.settings) summary.push([k, v]);
  summary.push(['records', String(s.records)]);
  summary.push(['passes', String(s.passes)]);
  if (s.first_pass !== null) summary.push(['pass times (jiffies)', `${s.first_pass} .. ${s.last_pass}`]);
  summary.push(['pages tracked at end', String(s.tracked)]);
  summary.push(['records never examined', String(unexaminedTotal(s))]);
  for (const row of ignoredRows(s)) summary.push(row);
  for (const f of s.free_pages) summary.push([`free_pages node ${f.node}`, String(f.free_pages)]);
  let out = pairs(['counter', 'value'], counters, color, 'right', width) + '\n' + pairs(['summary', ''], summary, color, 'left', width) + '\n';
  for (const w of unexaminedWarnings(s, input.topology)) out += color.yellow(width === undefined ? w : wrapText(w, width)) + '\n';
  return out;
}
