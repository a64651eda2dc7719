/** Golden vmstat files: parse, compare (SPEC 5 `--expect`), render the differences. */
import { GoldenError } from '../errors.js';
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

/** Parses a vmstat-format golden file (`name value` lines; `#` comments and blank lines allowed). */
export function parseGolden(text: string, file: string, known: ReadonlySet<string>): GoldenEntry[] {
  const entries: GoldenEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    if (!m) throw new GoldenError(file, i + 1, `expected "name value", got ${JSON.stringify(raw)}`);
    const [, name, text] = m as unknown as [string, string, string];
    if (!/^\d+$/.test(text)) throw new GoldenError(file, i + 1, `value of ${name} is not a non-negative integer: ${JSON.stringify(text)}`);
    if (!known.has(name)) throw new GoldenError(file, i + 1, `unknown counter ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new GoldenError(file, i + 1, `counter ${name} named twice`);
    seen.add(name);
    entries.push({ name, value: Number(text), line: i + 1 });
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
