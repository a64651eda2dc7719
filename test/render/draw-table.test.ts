import { Chalk } from 'chalk';
import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { drawTable } from '../../src/render/draw-table.js';
import { COMPACT_CHARS } from '../../src/report/table.js';
import { prng } from '../prng.js';

const chalk = new Chalk({ level: 1 });
/** Pieces a cell is made of: text on which textWidth and cli-table3's string-width agree, coloured as chalk writes. */
const PIECES = ['a', 'kpromoted_mig', '12345', ' ', 'x y', '漢字', '한', 'Ａ', '─', '…', 'é', 'e\u0301', '-1', '0x1f'];
const COLOURS = [(s: string) => s, chalk.dim, chalk.bold, chalk.red, chalk.yellow, chalk.green];

function cell(rnd: () => number): string {
  const lines = 1 + (rnd() < 0.2 ? Math.floor(rnd() * 3) : 0);
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    let line = '';
    const pieces = Math.floor(rnd() * 4);
    for (let p = 0; p < pieces; p++) line += COLOURS[Math.floor(rnd() * COLOURS.length)]!(PIECES[Math.floor(rnd() * PIECES.length)]!);
    out.push(line);
  }
  return out.join('\n');
}

function library(head: string[], rows: string[][], chars: Record<string, string> | undefined, colAligns: ('left' | 'right')[]): string {
  const t = new Table({ head, style: { head: [], border: [] }, ...(chars ? { chars } : {}), colAligns });
  for (const r of rows) t.push(r);
  return t.toString();
}

describe('drawTable', () => {
  it('draws what cli-table3 draws, character for character, on random tables', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = prng(seed);
      const cols = 1 + Math.floor(rnd() * 4);
      const head = Array.from({ length: cols }, () => chalk.bold(cell(rnd)));
      const rows = Array.from({ length: Math.floor(rnd() * 5) }, () => Array.from({ length: cols }, () => cell(rnd)));
      const chars = rnd() < 0.5 ? COMPACT_CHARS : undefined;
      const colAligns = Array.from({ length: cols }, () => (rnd() < 0.5 ? 'left' : 'right') as 'left' | 'right');
      const ours = drawTable(head, rows, { ...(chars ? { chars } : {}), colAligns });
      expect(ours, `seed ${seed}`).toBe(library(head, rows, chars, colAligns));
    }
  });

  it('draws the counters table a replay prints', () => {
    const rows = [['kpromoted_recorded_accesses', '10'], ['kpromoted_mig_promoted', chalk.dim('0')]];
    expect(drawTable([chalk.bold('counter'), chalk.bold('value')], rows, { chars: COMPACT_CHARS, colAligns: ['left', 'right'] })).toBe(
      [
        '┌─────────────────────────────┬───────┐',
        `│ ${chalk.bold('counter')}                     │ ${chalk.bold('value')} │`,
        '│ kpromoted_recorded_accesses │    10 │',
        `│ kpromoted_mig_promoted      │     ${chalk.dim('0')} │`,
        '└─────────────────────────────┴───────┘',
      ].join('\n'),
    );
  });

  it('draws a table of 200 000 rows', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [String(i), 'x']);
    const lines = drawTable(['n', 'v'], rows, { chars: COMPACT_CHARS }).split('\n');
    expect(lines).toHaveLength(200_003); // top rule, head, rows, bottom rule
    expect(lines[200_001]).toBe('│ 199999 │ x │');
  });

  it('draws row separators with the default characters', () => {
    expect(drawTable(['a', 'b'], [['1', '2\n3']])).toBe(['┌───┬───┐', '│ a │ b │', '├───┼───┤', '│ 1 │ 2 │', '│   │ 3 │', '└───┴───┘'].join('\n'));
  });
});
