/**
 * On a terminal every table fits its width, down to 80 columns; through a pipe the tables keep
 * their full width. Run on a real pty (python3's pty module) with the built binary, as a user sees it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textWidth } from '../../src/render/fit-table.js';
import { BIN, ptyAvailable, runOnPty } from './pty.js';

const ROOT = path.resolve(__dirname, '../..');
let dir = '';
let trace = '';

/** Lines wider than `width` columns (colour escapes take none). */
function overWide(text: string, width: number): string[] {
  return stripVTControlCharacters(text)
    .split('\n')
    .filter((l) => textWidth(l) > width);
}

function widest(text: string): number {
  return Math.max(0, ...stripVTControlCharacters(text).split('\n').map(textWidth));
}

/** The commands whose tables were wider than 80 columns (timeline ~112, analysis ~110, topo ~115, sweep ~148). */
const COMMANDS: Record<string, () => string[]> = {
  'replay --analysis --timeline': () => ['replay', '--analysis', '--timeline', '--topology', '2s-cxl-budget', trace],
  'replay --timeline --bucket': () => ['replay', '--timeline', '--bucket', '2', trace],
  topo: () => ['topo', '2s-cxl-budget'],
  sweep: () => ['sweep', '--window', '1000,5000', '--threshold', '2,3', '--period', '100,1000', trace],
  compare: () => ['compare', '--engine', 'rfc-v1', '--engine', 'rfc-v1:window=1000,threshold=3', '--engine', 'pghot:precise', '--engine', 'rfc-v1-fixed', trace],
};

describe.skipIf(!ptyAvailable())('tables on a terminal', () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-width-'));
    trace = path.join(dir, 'zipf.csv');
    const r = spawnSync(process.execPath, [BIN, 'gen', '--pattern', 'zipf', '--pages', '20000', '--records', '20000', '--duration', '20', '--seed', '5', '-o', trace], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const [name, args] of Object.entries(COMMANDS)) {
    it(`${name}: no line wider than the terminal at 80 and 100 columns, full width through a pipe`, () => {
      const piped = spawnSync(process.execPath, [BIN, ...args()], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(piped.status, piped.stderr).toBe(0);
      // Through a pipe nothing is fitted: the widest table is wider than 80 columns, as before.
      expect(widest(piped.stdout), name).toBeGreaterThan(80);
      for (const columns of [80, 100]) {
        const err = path.join(dir, `stderr-${columns}`);
        const { text, status } = runOnPty(columns, args(), { stderrFile: err });
        expect(status, fs.readFileSync(err, 'utf8')).toBe(0);
        expect(text).toContain('\u001b['); // a terminal gets colour
        expect(overWide(text, columns), `${name} at ${columns} columns`).toEqual([]);
      }
    });
  }

  it('keeps every timeline number at 80 columns (only whole columns are left out, and named)', () => {
    const { text } = runOnPty(80, COMMANDS['replay --timeline --bucket']!(), { stderrFile: path.join(dir, 'e') });
    const piped = spawnSync(process.execPath, [BIN, ...COMMANDS['replay --timeline --bucket']!()], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const plain = stripVTControlCharacters(text);
    // The promoted column of the full table, in order, appears in the fitted one.
    const rowsOf = (t: string) => t.split('\n').filter((l) => /^│ +\d+\.\d{3} │/.test(l)).map((l) => l.split('│').slice(1, -1).map((c) => c.trim()));
    const full = rowsOf(piped.stdout);
    const fitted = rowsOf(plain);
    expect(fitted.length).toBe(full.length);
    expect(full.length).toBeGreaterThan(3);
    const head = (t: string) => t.split('\n').find((l) => /│ +(seconds|sec) │/.test(l))!.split('│').slice(1, -1).map((c) => c.trim());
    const fullHead = head(piped.stdout);
    const fittedHead = head(plain);
    expect(fittedHead).toContain('promo');
    const col = (rows: string[][], h: string[], name: string) => rows.map((r) => r[h.indexOf(name)]);
    expect(col(fitted, fittedHead, 'promo')).toEqual(col(full, fullHead, 'promoted'));
    expect(col(fitted, fittedHead, 'acc')).toEqual(col(full, fullHead, 'accesses'));
  });
});
