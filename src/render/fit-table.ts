/**
 * Terminal tables that fit the terminal's width. Every table of kpromo goes through
 * `fitTable`: without a width (stdout is not a terminal) it is printed at full width, as before; with one, it is
 * made to fit by these steps, in order, stopping at the first that fits:
 *
 *   1. the full table;
 *   2. short headers (`short`) where a column has one;
 *   3. text columns marked `wrap` are wrapped onto several lines at spaces, no word broken;
 *   4. columns with a `drop` rank are left out, lowest rank first, and a note under the table names them;
 *   5. steps 3 and 4 again, now breaking words that are wider than their column;
 *   6. `split`: the columns after the first `split` ones are dealt into several tables, each repeating those;
 *   7. vertical: one block per row, `header  value` lines, values wrapped.
 *
 * Pure: cells are strings (colour already applied); widths are measured without ANSI escapes.
 */
import type { ChalkInstance } from 'chalk';
import { drawTable } from './draw-table.js';

/** One column of a fitted table. */
export interface FitColumn {
  /** Header at full width. */
  readonly head: string;
  /** Header used when the full table is too wide. */
  readonly short?: string;
  readonly align?: 'left' | 'right';
  /** Text that may be wrapped onto several lines (names, paths, ranges); numbers never are. */
  readonly wrap?: boolean;
  /** When set, the column may be left out to fit; lower ranks go first. Unset: always shown. */
  readonly drop?: number;
}

/** How to fit a table. */
export interface FitOptions {
  /** Terminal width in columns; undefined: no limit (stdout is not a terminal). */
  readonly width?: number | undefined;
  readonly color: ChalkInstance;
  /** Border characters by cli-table3's names (e.g. COMPACT_CHARS); default: cli-table3's (draw-table.ts). */
  readonly chars?: Partial<Record<string, string>>;
  /** Leading columns repeated in every part when the table is split into several (step 5). 0: never split. */
  readonly split?: number;
  /** What shows the left-out columns, for the note (default: "a wider terminal or --format json"). */
  readonly seeAll?: string;
}

/** Narrowest terminal the tables are laid out for: below it they are still cut to fit, as well as they can. */
export const MIN_WIDTH = 20;

/** Narrowest a wrapped column gets (content characters). */
const MIN_WRAP = 8;

// CSI sequences (colours) and OSC sequences; what chalk writes.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** The text without ANSI escapes. */
export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** Columns a code point takes: 2 for East Asian wide and fullwidth forms, 0 for combining marks, else 1. */
function codePointWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || cp === 0x200b) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Display width of one line of text (ANSI escapes take none). */
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of stripAnsi(s)) w += codePointWidth(ch.codePointAt(0)!);
  return w;
}

/** Display width of a cell: its widest line. */
function cellWidth(s: string): number {
  let w = 0;
  for (const line of s.split('\n')) w = Math.max(w, textWidth(line));
  return w;
}

/** The widest line of a rendered text. */
export function maxLineWidth(text: string): number {
  return cellWidth(text);
}

/**
 * Wraps text to lines of at most `width` columns: at spaces where a line can break, inside a word only when the
 * word alone is wider. Existing line breaks are kept. ANSI escapes are dropped from a cell that has to wrap.
 */
export function wrapText(text: string, width: number): string {
  const w = Math.max(1, Math.floor(width));
  if (cellWidth(text) <= w) return text;
  const out: string[] = [];
  for (const para of stripAnsi(text).split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (textWidth(candidate) <= w) {
        line = candidate;
        continue;
      }
      if (line !== '') out.push(line);
      line = breakWord(word, w, out);
    }
    out.push(line);
  }
  return out.join('\n');
}

/**
 * Cuts a word (no ANSI escapes) wider than w columns into pieces that fit, each the longest that does (at least
 * one character), pushed on `out`; returns the last piece, which fits. One pass over the word: cutting one piece
 * at a time and measuring the rest again was quadratic (a 4096-CPU list without runs took seconds).
 */
function breakWord(word: string, w: number, out: string[]): string {
  if (textWidth(word) <= w) return word;
  const chars = Array.from(word);
  let start = 0;
  let used = 0;
  for (let i = 0; i < chars.length; i++) {
    const cw = codePointWidth(chars[i]!.codePointAt(0)!);
    if (used + cw > w && i > start) {
      out.push(chars.slice(start, i).join(''));
      start = i;
      used = 0;
    }
    used += cw;
  }
  const last = chars.slice(start).join('');
  if (used <= w) return last;
  // One character wider than the column (a wide one in a 1-column cell): a line of its own.
  out.push(last);
  return '';
}

/** Columns a table takes: cell contents plus one space of padding each side, plus a border between and around. */
function tableWidth(contentWidths: readonly number[]): number {
  return contentWidths.reduce((s, w) => s + w + 2, 0) + contentWidths.length + 1;
}

interface Plan {
  readonly columns: readonly number[]; // indices into the input columns
  readonly heads: readonly string[];
  readonly widths: readonly number[]; // content width per shown column
  readonly wrapped: ReadonlySet<number>; // shown-column positions whose cells are wrapped to widths[i]
}

function naturalWidths(columns: readonly number[], heads: readonly string[], rows: readonly (readonly string[])[]): number[] {
  // Loops, not Math.max(...rows): a table of many rows (a large sweep grid) would pass more arguments than a call takes.
  return columns.map((c, i) => {
    let w = cellWidth(heads[i]!);
    for (const r of rows) w = Math.max(w, cellWidth(r[c] ?? ''));
    return w;
  });
}

/** Widest word (text between spaces and line breaks) of a cell. */
function longestWord(s: string): number {
  let w = 0;
  for (const word of stripAnsi(s).split(/[ \n]+/)) w = Math.max(w, textWidth(word));
  return w;
}

/**
 * Narrows wrap columns (widest first) until the table fits, each down to MIN_WRAP or its header's longest word, and
 * with `keepWords` not below the longest word of any of its cells either; null if it cannot.
 */
function planWrap(
  cols: readonly FitColumn[],
  columns: readonly number[],
  heads: readonly string[],
  rows: readonly (readonly string[])[],
  width: number,
  keepWords = false,
): Plan | null {
  const widths = naturalWidths(columns, heads, rows);
  const wrapped = new Set<number>();
  let excess = tableWidth(widths) - width;
  if (excess <= 0) return { columns, heads, widths, wrapped };
  // A wrapped column keeps room for its header's longest word (and, keeping words, for its cells' longest).
  const floors = columns.map((c, i) => {
    let words = 0;
    if (keepWords) for (const r of rows) words = Math.max(words, longestWord(r[c] ?? ''));
    return Math.min(widths[i]!, Math.max(MIN_WRAP, words, ...heads[i]!.split(/[\s]+/).map(textWidth)));
  });
  const floor = (i: number): number => floors[i]!;
  const wrappable = columns.map((c, i) => (cols[c]!.wrap ? i : -1)).filter((i) => i >= 0);
  while (excess > 0) {
    // Take from the widest wrappable column that can still give.
    let best = -1;
    for (const i of wrappable) if (widths[i]! > floor(i) && (best < 0 || widths[i]! > widths[best]!)) best = i;
    if (best < 0) return null;
    const give = Math.min(excess, widths[best]! - floor(best));
    widths[best] = widths[best]! - give;
    wrapped.add(best);
    excess -= give;
  }
  return { columns, heads, widths, wrapped };
}

function render(plan: Plan, rows: readonly (readonly string[])[], cols: readonly FitColumn[], opts: FitOptions): string {
  const { color } = opts;
  return drawTable(
    plan.heads.map((h, i) => color.bold(plan.wrapped.has(i) ? wrapText(h, plan.widths[i]!) : h)),
    rows.map((r) => plan.columns.map((c, i) => (plan.wrapped.has(i) ? wrapText(r[c] ?? '', plan.widths[i]!) : (r[c] ?? '')))),
    { ...(opts.chars ? { chars: opts.chars } : {}), colAligns: plan.columns.map((c) => cols[c]!.align ?? 'left') },
  );
}

/** Step 6: one block per row, a `header  value` line per column, values wrapped to what is left of the width. */
function renderVertical(cols: readonly FitColumn[], rows: readonly (readonly string[])[], width: number, color: ChalkInstance): string {
  const keyWidth = Math.min(Math.max(...cols.map((c) => textWidth(c.head))), Math.floor(width / 2));
  const valueWidth = Math.max(1, width - keyWidth - 2);
  const blocks = rows.map((r, n) => {
    const lines = [color.dim(`─ ${n + 1} `.padEnd(Math.min(width, 12), '─'))];
    cols.forEach((c, i) => {
      const key = wrapText(c.head, keyWidth).split('\n');
      const value = wrapText(r[i] ?? '', valueWidth).split('\n');
      for (let k = 0; k < Math.max(key.length, value.length); k++) {
        const name = key[k] ?? '';
        lines.push(color.bold(name) + ' '.repeat(keyWidth - textWidth(name) + 2) + (value[k] ?? ''));
      }
    });
    return lines.join('\n');
  });
  return blocks.join('\n');
}

/**
 * Deals the columns after the first `lead` into parts that each fit next to the lead columns, as many per part as
 * fit unwrapped; a column too wide even alone is wrapped. Null if one cannot fit at all.
 */
function planSplit(
  cols: readonly FitColumn[],
  heads: readonly string[],
  rows: readonly (readonly string[])[],
  lead: number,
  width: number,
): Plan[] | null {
  const all = cols.map((_, i) => i);
  const leadCols = all.slice(0, lead);
  const unwrapped = (rest: readonly number[]): Plan | null => {
    const columns = [...leadCols, ...rest];
    const shown = columns.map((c) => heads[c]!);
    const widths = naturalWidths(columns, shown, rows);
    return tableWidth(widths) <= width ? { columns, heads: shown, widths, wrapped: new Set() } : null;
  };
  const parts: Plan[] = [];
  let current: number[] = [];
  for (const c of all.slice(lead)) {
    if (unwrapped([...current, c]) !== null) {
      current.push(c);
      continue;
    }
    if (current.length > 0) parts.push(unwrapped(current)!);
    current = [c];
    if (unwrapped(current) === null) {
      const alone = planWrap(cols, [...leadCols, c], [...leadCols, c].map((i) => heads[i]!), rows, width);
      if (alone === null) return null;
      parts.push(alone);
      current = [];
    }
  }
  if (current.length > 0) parts.push(unwrapped(current)!);
  return parts;
}

/**
 * Renders rows (one string per column, colour applied) under the columns, fitted to opts.width as described at the
 * top of this file. The result has no trailing newline; a note about left-out columns follows on its own line.
 */
export function fitTable(columns: readonly FitColumn[], rows: readonly (readonly string[])[], opts: FitOptions): string {
  const all = columns.map((_, i) => i);
  const full = columns.map((c) => c.head);
  const natural: Plan = { columns: all, heads: full, widths: naturalWidths(all, full, rows), wrapped: new Set() };
  if (opts.width === undefined || !Number.isFinite(opts.width)) return render(natural, rows, columns, opts);
  const width = Math.max(MIN_WIDTH, Math.floor(opts.width));
  if (tableWidth(natural.widths) <= width) return render(natural, rows, columns, opts);

  const short = columns.map((c) => c.short ?? c.head);
  const shortPlain: Plan = { columns: all, heads: short, widths: naturalWidths(all, short, rows), wrapped: new Set() };
  if (tableWidth(shortPlain.widths) <= width) return render(shortPlain, rows, columns, opts);

  const order = all.filter((i) => columns[i]!.drop !== undefined).sort((a, b) => columns[a]!.drop! - columns[b]!.drop!);
  for (const keepWords of [true, false]) {
    const wrapped = planWrap(columns, all, short, rows, width, keepWords);
    if (wrapped !== null) return render(wrapped, rows, columns, opts);
    // Leave out droppable columns, lowest rank first, until the rest fits.
    const left: number[] = [];
    for (const d of order) {
      left.push(d);
      const shown = all.filter((i) => !left.includes(i));
      const plan = planWrap(columns, shown, shown.map((i) => short[i]!), rows, width, keepWords);
      if (plan !== null) {
        const names = left.map((i) => columns[i]!.head).join(', ');
        const note = wrapText(`${left.length === 1 ? 'column' : 'columns'} left out to fit ${width} columns: ${names} (${opts.seeAll ?? 'a wider terminal or --format json shows all'})`, width);
        return render(plan, rows, columns, opts) + '\n' + opts.color.dim(note);
      }
    }
  }

  if (opts.split !== undefined && opts.split > 0) {
    const parts = planSplit(columns, short, rows, opts.split, width);
    if (parts !== null) return parts.map((p) => render(p, rows, columns, opts)).join('\n');
  }
  return renderVertical(columns, rows, width, opts.color);
}

/** The width tables should fit: the terminal's when stdout is one, else none (full width). */
export function tableWidthFor(out: { readonly isTTY: boolean; readonly columns?: number | undefined }): number | undefined {
  if (!out.isTTY) return undefined;
  return out.columns !== undefined && out.columns > 0 ? out.columns : 80;
}
