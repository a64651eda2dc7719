/**
 * Draws a table as cli-table3 0.6 draws the tables kpromo gives it: a header row, cells padded one space each side,
 * columns as wide as their widest line, aligned left or right, cells of several lines, and borders from cli-table3's
 * character names (the row separators vanish when their characters are empty, as with COMPACT_CHARS).
 *
 * Why by hand: a replay's counters and summary tables cost 7-15 ms through cli-table3 on this 2-core VM, a fifth of
 * a small replay's whole run (cold code in cli-table3's layout manager and string-width on every cell), and loading
 * cli-table3 ran at every start of every command. test/render/draw-table.test.ts checks the output against cli-table3
 * itself, character for character, on random tables.
 *
 * What it does not do, as kpromo never asks for it: column or row spans, fixed widths and truncation, word wrap
 * (fit-table.ts wraps first), colours applied by cli-table3 (`style`). Widths are textWidth() (fit-table.ts), as the
 * tables were planned with; cli-table3's string-width differs on a few rare characters (control characters, some
 * emoji ranges). Each line of a cell must close its own ANSI codes, as chalk writes them; cli-table3 would carry
 * an unclosed one to the next line.
 */
import { textWidth } from './fit-table.js';

/** cli-table3's border character names. */
export type BorderName =
  | 'top' | 'top-mid' | 'top-left' | 'top-right'
  | 'bottom' | 'bottom-mid' | 'bottom-left' | 'bottom-right'
  | 'left' | 'left-mid' | 'mid' | 'mid-mid' | 'right' | 'right-mid' | 'middle';

/** cli-table3's default border characters. */
const DEFAULT_CHARS: Readonly<Record<BorderName, string>> = {
  top: '─', 'top-mid': '┬', 'top-left': '┌', 'top-right': '┐',
  bottom: '─', 'bottom-mid': '┴', 'bottom-left': '└', 'bottom-right': '┘',
  left: '│', 'left-mid': '├', mid: '─', 'mid-mid': '┼', right: '│', 'right-mid': '┤', middle: '│',
};

/** How to draw a table. */
export interface DrawOptions {
  /** Border characters that differ from cli-table3's defaults. */
  readonly chars?: Partial<Record<string, string>>;
  /** Alignment of each column (default left). */
  readonly colAligns?: readonly ('left' | 'right')[];
}

/** The table of `head` over `rows` (one string per column), without a trailing newline. */
export function drawTable(head: readonly string[], rows: readonly (readonly string[])[], opts: DrawOptions = {}): string {
  const ch = { ...DEFAULT_CHARS, ...opts.chars } as Record<BorderName, string>;
  const all = [head, ...rows];
  let cols = 0;
  for (const r of all) cols = Math.max(cols, r.length);
  const cells = all.map((r) => Array.from({ length: cols }, (_, c) => (r[c] ?? '').split('\n')));
  // Loops, not Math.max(...list): a table of many rows would pass more arguments than a call takes.
  const widths = new Array<number>(cols).fill(0);
  for (const row of cells) for (let c = 0; c < cols; c++) for (const line of row[c]!) widths[c] = Math.max(widths[c]!, textWidth(line));
  const rule = (left: BorderName, fill: BorderName, mid: BorderName, right: BorderName): string =>
    ch[left] + widths.map((w) => ch[fill].repeat(w + 2)).join(ch[mid]) + ch[right];
  const out: string[] = [];
  const push = (line: string): void => {
    if (line !== '') out.push(line); // a rule of empty characters is no line (cli-table3's COMPACT_CHARS)
  };
  cells.forEach((row, y) => {
    push(y === 0 ? rule('top-left', 'top', 'top-mid', 'top-right') : rule('left-mid', 'mid', 'mid-mid', 'right-mid'));
    let height = 0;
    for (const lines of row) height = Math.max(height, lines.length);
    for (let k = 0; k < height; k++) {
      let line = ch.left;
      for (let c = 0; c < cols; c++) {
        const text = row[c]![k] ?? '';
        const gap = ' '.repeat(widths[c]! - textWidth(text));
        line += ` ${opts.colAligns?.[c] === 'right' ? gap + text : text + gap} ` + (c + 1 < cols ? ch.middle : ch.right);
      }
      push(line);
    }
  });
  push(rule('bottom-left', 'bottom', 'bottom-mid', 'bottom-right'));
  return out.join('\n');
}
