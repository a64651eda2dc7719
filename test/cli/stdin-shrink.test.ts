/**
 * A regular file on standard input (`kpromo replay - < t.csv`) that shrinks while it is read is an error, exit 2,
 * naming standard input and both sizes, with nothing on stdout, as a trace file named on the command line is
 * (test/trace/read.test.ts, parallel.test.ts). It used to end the replay with the records read so far and exit 0.
 * The file is cut at a line end (the cut file is a valid trace) by shrink-stdin.cjs, preloaded into kpromo and its
 * threads, right after the first read of standard input.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const __dirname = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/kpromo.js');
const PRELOAD = path.join(__dirname, 'shrink-stdin.cjs');
const SHRANK = /^kpromo: -: the file on standard input shrank while it was read \((\d+) bytes when the read started, (\d+) when the read ended\)\n$/;

let dir: string;
let csv: Buffer;
let perf: Buffer;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-stdin-shrink-'));
  const rows = Array.from({ length: 300000 }, (_, i) => `0x${(0x200000 + i).toString(16)},0,hwhints,${1000 + i}`);
  csv = Buffer.from(`pfn,nid,src,time\n${rows.join('\n')}\n`);
  // IBS samples as `perf script` prints them (the lines of test/cli/stdin-fd.test.ts).
  let x = 7;
  const lines: string[] = [];
  for (let i = 0; i < 120000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const cpu = String(x % 16).padStart(3, '0');
    const phys = (0x100000 + (x % 0x300000)) * 4096 + 0x40;
    const stamp = (1000 + i / 50000).toFixed(6).padStart(12);
    lines.push(`          stream    4242/4242    [${cpu}] ${stamp}: ibs_op//: ${(0x7f0000000000 + phys).toString(16).padStart(16)}${phys.toString(16).padStart(16)}`);
  }
  perf = Buffer.from(lines.join('\n') + '\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs kpromo with `text` in a file on its standard input, the file cut to `cut` bytes after the first read. */
function shrinking(args: string[], text: Buffer, cut: number | null): { code: number | null; stdout: string; stderr: string } {
  const file = path.join(dir, 'stdin.trace');
  fs.writeFileSync(file, text);
  const fd = fs.openSync(file, 'r');
  try {
    const env = { ...process.env, ...(cut !== null ? { KPROMO_TEST_SHRINK_FILE: file, KPROMO_TEST_SHRINK_AT: String(cut) } : {}) };
    const r = spawnSync(process.execPath, ['-r', PRELOAD, BIN, ...args], { encoding: 'utf8', env, stdio: [fd, 'pipe', 'pipe'] });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.closeSync(fd);
  }
}

/** A line end past the first reads (1 MiB on the parse thread): the cut file is a valid, shorter trace. */
function lineEnd(text: Buffer): number {
  return text.indexOf('\n', 3 << 20) + 1;
}

describe('a file on standard input that shrinks while it is read', () => {
  it('CSV: exit 2 naming standard input and both sizes, nothing on stdout, for every command and thread mode', () => {
    const cut = lineEnd(csv);
    const cases: string[][] = [
      ['replay', '--format', 'vmstat', '-'],
      ['replay', '--format', 'vmstat'],
      ['replay', '--format', 'vmstat', '--parse-thread', 'on', '-'],
      ['replay', '--format', 'vmstat', '--parse-thread', 'off', '-'],
      ['convert', '-'],
      ['page', '0x200000', '-'],
      ['compare', '-'],
      ['sweep', '-'],
    ];
    for (const args of cases) {
      const r = shrinking(args, csv, cut);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      const m = SHRANK.exec(r.stderr);
      expect({ args, stderr: r.stderr, sizes: m?.slice(1).map(Number) }).toEqual({ args, stderr: r.stderr, sizes: [csv.length, cut] });
    }
  });

  it('perf text: exit 2 naming standard input and both sizes, nothing on stdout', () => {
    const cut = lineEnd(perf);
    for (const args of [['replay', '--format', 'vmstat', '-'], ['replay', '--format', 'vmstat', '--parse-thread', 'off', '-'], ['convert', '-']]) {
      const r = shrinking(args, perf, cut);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      const m = SHRANK.exec(r.stderr);
      expect({ args, stderr: r.stderr, sizes: m?.slice(1).map(Number) }).toEqual({ args, stderr: r.stderr, sizes: [perf.length, cut] });
    }
  });

  it('a file left whole reads as before: the counters of the same trace named on the command line', () => {
    const file = path.join(dir, 'whole.csv');
    fs.writeFileSync(file, csv);
    const want = spawnSync(process.execPath, [BIN, 'replay', '--format', 'vmstat', file], { encoding: 'utf8' });
    expect(want.stdout).toMatch(/^kpromoted_recorded_accesses 300000$/m);
    for (const thread of ['on', 'off']) {
      const r = shrinking(['replay', '--format', 'vmstat', '--parse-thread', thread, '-'], csv, null);
      expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ code: 0, stderr: '', stdout: want.stdout });
    }
  });
});
