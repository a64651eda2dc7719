/**
 * Standard output as a user meets it (issue 10 section 2), through the built binary: a full device gives one
 * line on stderr and a non-zero exit for every command (never a stack trace), and no command puts anything on
 * stdout when its input turns out bad, even near the end of a long input (page and convert spool stdout).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/kpromo.js');
const TRACE = path.join(ROOT, 'traces/spec-worked.csv');
const env = { ...process.env, NO_COLOR: '1' };

let dir: string;
let bad: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-stdout-'));
  // 60 000 good lines (more than convert's 1 MiB flush) and a bad one at the end.
  let text = 'pfn,nid,src,time\n';
  for (let i = 0; i < 60000; i++) text += `0x${(0x200000 + (i % 5000)).toString(16)},0,hwhints,${4294892296 + i}\n`;
  text += '0x200010,0,hwhint,4294999999\n';
  bad = path.join(dir, 'bad-at-end.csv');
  fs.writeFileSync(bad, text);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const COMMANDS: [string, string[]][] = [
  ['replay', ['replay', TRACE]],
  ['replay --format json', ['replay', '--format', 'json', TRACE]],
  ['check', ['check', path.join(ROOT, 'traces')]],
  ['topo', ['topo']],
  ['topo PRESET', ['topo', '2s-cxl']],
  ['gen', ['gen', '--records', '10']],
  ['page', ['page', '0x10', TRACE]],
  ['convert', ['convert', TRACE]],
  ['compare', ['compare', TRACE]],
  ['sweep', ['sweep', '--threshold', '2,3', TRACE]],
  ['--help', ['--help']],
  ['--version', ['--version']],
  ['replay --help', ['replay', '--help']],
];

describe('stdout on a full device (> /dev/full)', () => {
  for (const [name, argv] of COMMANDS) {
    it(`${name}: one line on stderr, exit 2, no stack trace`, () => {
      const full = fs.openSync('/dev/full', 'w');
      try {
        const r = spawnSync(process.execPath, [BIN, ...argv], { env, encoding: 'utf8', stdio: ['ignore', full, 'pipe'] });
        // Warnings about the input (e.g. pfns outside the topology) may come first; the error is one line, last.
        expect(r.stderr.endsWith('kpromo: cannot write to standard output: ENOSPC: no space left on device\n')).toBe(true);
        expect(r.stderr.match(/cannot write/g)?.length).toBe(1);
        expect(r.stderr).not.toMatch(/^\s+at |internal error/m);
        expect(r.status).toBe(2);
      } finally {
        fs.closeSync(full);
      }
    });
  }
});

describe('nothing on stdout when the input is bad, even after a long good start', () => {
  const cases: [string, string[]][] = [
    ['replay', ['replay']],
    ['page', ['page', '0x200010']],
    ['convert', ['convert']],
    ['convert -o -', ['convert', '-o', '-']],
    ['replay --events -', ['replay', '--events', '-']],
    ['compare', ['compare']],
    ['sweep', ['sweep', '--threshold', '2,3']],
  ];
  for (const [name, argv] of cases) {
    it(`${name}`, () => {
      const r = spawnSync(process.execPath, [BIN, ...argv, bad], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(r.stdout).toBe('');
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/bad-at-end\.csv:60002:3 \(src\): unknown source name: "hwhint"/);
    });
  }
});
