/** `--format table`: counters and a summary as terminal tables (cli-table3), coloured by the caller's Chalk. */
import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { Topology } from '../engine/topology.js';
import type { Counter, ReplaySummary } from '../engine/types.js';
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

function table(head: string[], color: ChalkInstance, align: 'left' | 'right'): Table.Table {
  return new Table({
    head: head.map((h) => color.bold(h)),
    style: { head: [], border: [] },
    chars: COMPACT_CHARS,
    colAligns: ['left', align],
  });
}

/** Renders the counters, the summary and any warnings. */
export function renderTable(input: TableInput, color: ChalkInstance): string {
  const counters = table(['counter', 'value'], color, 'right');
  for (const c of input.counters) {
    const value = c.value === 0 ? color.dim(String(c.value)) : String(c.value);
    counters.push([c.name, value]);
  }
  const s = input.summary;
  const summary = table(['summary', ''], color, 'left');
  summary.push(['engine', input.engine]);
  for (const [k, v] of input.settings) summary.push([k, v]);
  summary.push(['records', String(s.records)]);
  summary.push(['passes', String(s.passes)]);
  if (s.first_pass !== null) summary.push(['pass times (jiffies)', `${s.first_pass} .. ${s.last_pass}`]);
  summary.push(['pages tracked at end', String(s.tracked)]);
  summary.push(['records never examined', String(unexaminedTotal(s))]);
  for (const row of ignoredRows(s)) summary.push(row);
  for (const f of s.free_pages) summary.push([`free_pages node ${f.node}`, String(f.free_pages)]);
  let out = counters.toString() + '\n' + summary.toString() + '\n';
  for (const w of unexaminedWarnings(s, input.topology)) out += color.yellow(w) + '\n';
  return out;
}
