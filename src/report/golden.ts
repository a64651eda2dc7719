/** Golden vmstat files: parse, compare (SPEC 5 `--expect`), render the differences. */
import { GoldenError } from '../errors.js';
import { quoteText } from '../escape.js';
import { DEMOTION_COUNTER_NAMES } from '../engine/counters.js';
import type { Counter } from '../engine/types.js';

/** One counter a golden file names. */
export interface GoldenEntry {
  readonly name: string;
  readonly value: number;
  readonly line: number;
}

/** A counter whose value differs from the golden one. */
export interface GoldenDiff {
  readonly name: string;
  readonly expected: number;
  readonly actual: number;
}

/**
 * Parses a vmstat-format golden file (`name value` lines; `#` comments and blank lines allowed). A value must be
 * one a counter can hold exactly (a safe integer: a larger one would be compared rounded), and a golden must name
 * at least one counter (an empty one would pass against any replay) unless `allowEmpty` (check --update fills it).
 */
export function parseGolden(text: string, file: string, known: ReadonlySet<string>, allowEmpty = false): GoldenEntry[] {
  const entries: GoldenEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const lead = raw.length - raw.trimStart().length;
    const m = /^(\S+)(\s+)(\S+)$/.exec(line);
    if (!m) throw new GoldenError(file, i + 1, `expected "name value", got ${quoteText(raw)}`, lead + 1);
    const [, name, gap, text] = m as unknown as [string, string, string, string];
    const column = lead + name.length + gap.length + 1;
    if (!/^\d+$/.test(text)) throw new GoldenError(file, i + 1, `value of ${name} is not a non-negative integer: ${quoteText(text)}`, column);
    const value = Number(text);
    if (!Number.isSafeInteger(value)) {
      throw new GoldenError(file, i + 1, `value of ${name} is more than a counter holds exactly (2^53 - 1 = ${Number.MAX_SAFE_INTEGER}): ${quoteText(text)}`, column);
    }
    if (!known.has(name)) {
      // pgdemote_kswapd and kpromo_pingpong_promotions exist only in a run with --demotion (compared, they read NaN).
      const why = DEMOTION_COUNTER_NAMES.includes(name) ? ': the demotion counters exist only in a run with --demotion' : '';
      throw new GoldenError(file, i + 1, `unknown counter ${quoteText(name)}${why}`, lead + 1);
    }
    if (seen.has(name)) throw new GoldenError(file, i + 1, `counter ${name} named twice`, lead + 1);
    seen.add(name);
    entries.push({ name, value, line: i + 1 });
  }
  if (entries.length === 0 && !allowEmpty) {
    throw new GoldenError(file, 0, 'names no counter, so it would pass against any replay: give at least one `name value` line');
  }
  return entries;
}

/** Every counter the golden names must match; counters it does not name are ignored. */
export function compareGolden(golden: readonly GoldenEntry[], actual: readonly Counter[]): GoldenDiff[] {
  const byName = new Map(actual.map((c) => [c.name, c.value]));
  const diffs: GoldenDiff[] = [];
  for (const g of golden) {
    const a = byName.get(g.name);
    if (a !== g.value) diffs.push({ name: g.name, expected: g.value, actual: a ?? NaN });
  }
  return diffs;
}

/** Human-readable list of differences, one line each. */
export function renderGoldenDiff(diffs: readonly GoldenDiff[], file: string): string {
  const width = Math.max(...diffs.map((d) => d.name.length));
  let out = `kpromo: counters differ from ${file}:\n`;
  for (const d of diffs) {
    const delta = d.actual - d.expected;
    out += `  ${d.name.padEnd(width)}  expected ${d.expected}, got ${d.actual} (${delta > 0 ? '+' : ''}${delta})\n`;
  }
  return out;
}
