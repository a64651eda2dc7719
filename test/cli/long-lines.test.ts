/**
 * The 1 MiB line cap (trace/tracefile.ts MAX_LINE_BYTES) through the built binary, on every way a trace arrives: a
 * line of 1 MiB and a few bytes is refused with exit 2 and the error naming file, line and column, whether the reads
 * cut it or it arrives whole in one read (a block of a file read in blocks, a slot of a pipe read in blocks, a gunzipped
 * chunk), and a line of exactly 1 MiB before its line end is read. CSV (both parsers) and perf text.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const __dirname = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.join(__dirname, '../../bin/kpromo.js');
const CAP = 1 << 20;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-long-lines-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes `data` to a file of this run; returns its path. */
function write(name: string, data: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Standard input: none, a file redirected to it, or bytes written to a pipe. */
type Stdin = { file: string } | { pipe: Buffer } | null;

/** Runs the binary (with `nodeArgs` for node itself). */
function run(args: string[], stdin: Stdin = null, nodeArgs: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const fd = stdin !== null && 'file' in stdin ? fs.openSync(stdin.file, 'r') : null;
    const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { stdio: [fd ?? 'pipe', 'pipe', 'pipe'] });
    if (fd !== null) fs.closeSync(fd);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (child.stdin !== null) {
      child.stdin.on('error', () => {}); // kpromo stops reading at the bad line
      child.stdin.end(stdin !== null && 'pipe' in stdin ? stdin.pipe : undefined);
    }
  });
}

/** A CSV line of `n` bytes: the pfn 1 after leading zeros (which the byte parsers take as they come). */
const csvLine = (n: number): string => '0'.repeat(n - 7) + '1,0,0,2';

/** A plain CSV trace with a line of `n` bytes as line 2, between short ones. */
const csvTrace = (n: number): string => `0x10,0,hwhints,1\n${csvLine(n)}\n0x11,0,hwhints,3\n`;

/**
 * A perf sample line in perf's own columns (`-F comm,pid,tid,cpu,time,event,addr,phys_addr`), the one the byte-level
 * paths take fastest; `pad` spaces more after the time.
 */
function perfLine(i: number, pad = 0): string {
  const phys = (0x100000000 + i * 4096).toString(16).padStart(16);
  return `          stream    4242/4242    [003] ${(1234 + i / 1e5).toFixed(6).padStart(12)}:${' '.repeat(pad)} ibs_op//:     7f3a5c001040${phys}`;
}

/**
 * perf text whose line 1001 holds `n` bytes (its spaces after the time padded), among samples of the same head; with
 * n = 0, the same text without that line.
 */
function perfTrace(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) lines.push(perfLine(i));
  if (n > 0) lines[1000] = perfLine(1000, n - perfLine(1000).length);
  else lines.splice(1000, 1);
  return lines.join('\n') + '\n';
}

const PERF = ['--input', 'perf', '--nid', 'none', '--perf-fields', 'comm,pid,tid,cpu,time,event,addr,phys_addr'];

/** A way a trace reaches the reader: what it is, kpromo's arguments, standard input, and node's own arguments. */
type Way = [what: string, args: string[], stdin: Stdin, nodeArgs: string[]];

/** Ways a trace file reaches the reader. */
const ways = (file: string, extra: string[] = []): Way[] => [
  ['a file read on this thread', ['replay', '--format', 'vmstat', '--parse-thread', 'off', ...extra, file], null, []],
  ['a file read in blocks by two threads', ['replay', '--format', 'vmstat', '--parse-thread', 'on', ...extra, file], null, []],
  ['a pipe', ['replay', '--format', 'vmstat', ...extra, '-'], { pipe: fs.readFileSync(file) }, []],
  ['a file redirected to standard input', ['replay', '--format', 'vmstat', ...extra, '-'], { file }, []],
  ['a .gz file', ['replay', '--format', 'vmstat', ...extra, `${file}.gz`], null, []],
  ['gzip on a pipe', ['replay', '--format', 'vmstat', ...extra, '-'], { pipe: gzipSync(fs.readFileSync(file)) }, []],
];

/** `text` as a file and its `.gz`; returns the file's path. */
function withGz(name: string, text: string): string {
  const file = write(name, text);
  write(`${name}.gz`, gzipSync(text));
  return file;
}

describe('a CSV line over 1 MiB is refused on every input path, one of exactly 1 MiB is read', () => {
  const over = withGz('over.csv', csvTrace(CAP + 3));
  const exact = withGz('exact.csv', csvTrace(CAP));
  for (const parser of ['auto', 'csv-parse']) {
    it.each(ways(over, ['--parser', parser]))(`%s (--parser ${parser})`, async (_what, args, stdin) => {
      const name = args.at(-1)!;
      const r = await run(args, stdin);
      expect(r.code).toBe(2);
      // Column 3: the line passes 1 MiB in its third field (byte CAP of `0...01,0,0,2`, CAP + 3 bytes, is the src).
      expect(r.stderr).toBe(`kpromo: ${name}:2:3: line is longer than 1048576 bytes: "${'0'.repeat(200)}"... (more than 1048576 bytes)\n`);
    });
    it.each(ways(exact, ['--parser', parser]))(`%s, exactly 1 MiB (--parser ${parser})`, async (_what, args, stdin) => {
      const r = await run(args, stdin);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });
  }
});

describe('a perf line over 1 MiB is refused on every input path, one of exactly 1 MiB is read', () => {
  const over = withGz('over.txt', perfTrace(CAP + 3));
  const exact = withGz('exact.txt', perfTrace(CAP));
  const all = (file: string): Way[] => [
    ...ways(file, PERF),
    // The JavaScript parsers alone (no WebAssembly under --jitless), on a file read in blocks.
    ['a file read in blocks, node --jitless', ['replay', '--format', 'vmstat', '--parse-thread', 'on', ...PERF, file], null, ['--jitless']],
  ];
  it.each(all(over))('%s', async (_what, args, stdin, nodeArgs) => {
    const name = args.at(-1)!;
    const r = await run(args, stdin, nodeArgs);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`kpromo: ${name}:1001: line is longer than 1048576 bytes: "${perfLine(1000).slice(0, 52)}`);
  });
  it.each(all(exact))('%s, exactly 1 MiB', async (_what, args, stdin, nodeArgs) => {
    const r = await run(args, stdin, nodeArgs);
    expect(r.stderr).not.toContain('kpromo');
    expect(r.code).toBe(0);
  });
});

const LONG = 'line is longer than 1048576 bytes';
/** The by-reason lines of `--skip-bad`'s report for `n` lines over the cap. */
const byReason = (n: number): string => `kpromo: bad lines by reason:\n  ${String(n).padStart(8)}  ${LONG}\n`;

describe('--skip-bad skips a CSV line over 1 MiB on every input path: the output of the trace without it', () => {
  const over = withGz('skip-over.csv', csvTrace(CAP + 3));
  // Two in a row, the second of 5 MiB, and one last without its LF.
  const many = withGz('skip-many.csv', `0x10,0,hwhints,1\n${csvLine(CAP + 1)}\n#${'x'.repeat(5 << 20)}\n0x11,0,hwhints,3\n${csvLine(3 * CAP)}`);
  const without = write('skip-without.csv', '0x10,0,hwhints,1\n0x11,0,hwhints,3\n');
  for (const parser of ['auto', 'csv-parse']) {
    let want: Run | undefined;
    const expected = async (): Promise<Run> => (want ??= await run(['replay', '--format', 'vmstat', '--parser', parser, without]));
    it.each(ways(over, ['--parser', parser, '--skip-bad']))(`%s (--parser ${parser})`, async (_what, args, stdin) => {
      const name = args.at(-1)!;
      const r = await run(args, stdin);
      expect(r.stderr).toContain(`kpromo: skipped 1 bad line:\n  ${name}:2: ${LONG}: "${'0'.repeat(200)}"... (more than 1048576 bytes)\n${byReason(1)}`);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe((await expected()).stdout);
    });
    it.each(ways(many, ['--parser', parser, '--skip-bad']))(`%s, two in a row and one last without LF (--parser ${parser})`, async (_what, args, stdin) => {
      const name = args.at(-1)!;
      const r = await run(args, stdin);
      expect(r.stderr).toContain(`kpromo: skipped 3 bad lines:\n  ${name}:2: ${LONG}: "${'0'.repeat(200)}"... (more than 1048576 bytes)\n  ${name}:3: ${LONG}: "#${'x'.repeat(199)}"... (more than 1048576 bytes)\n  ${name}:5: ${LONG}:`);
      expect(r.stderr).toContain(byReason(3));
      expect(r.code).toBe(0);
      expect(r.stdout).toBe((await expected()).stdout);
    });
  }
  it('counts it in the JSON input.bad_lines_by_reason', async () => {
    const r = await run(['replay', '--format', 'json', '--skip-bad', many]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { input: { skipped: number; bad_lines_by_reason: object } }).input).toMatchObject({ skipped: 3, bad_lines_by_reason: { [LONG]: 3 } });
  });
});

describe('--skip-bad skips a perf line over 1 MiB on every input path: the output of the trace without it', () => {
  const over = withGz('skip-over.txt', perfTrace(CAP + 3));
  const without = write('skip-without.txt', perfTrace(0));
  let want: Run | undefined;
  const expected = async (): Promise<Run> => (want ??= await run(['replay', '--format', 'vmstat', ...PERF, without]));
  const all: Way[] = [
    ...ways(over, [...PERF, '--skip-bad']),
    ['a file read in blocks, node --jitless', ['replay', '--format', 'vmstat', '--parse-thread', 'on', ...PERF, '--skip-bad', over], null, ['--jitless']],
  ];
  it.each(all)('%s', async (_what, args, stdin, nodeArgs) => {
    const name = args.at(-1)!;
    const r = await run(args, stdin, nodeArgs);
    expect(r.stderr).toContain(`kpromo: skipped 1 bad line:\n  ${name}:1001: ${LONG}: "${perfLine(1000).slice(0, 52)}`);
    expect(r.stderr).toContain(byReason(1));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe((await expected()).stdout);
  });
});

describe('--skip-bad skips a line over 1 MiB in compare, sweep, page and convert too', () => {
  const csvOver = write('cmd-over.csv', csvTrace(CAP + 3));
  const csvWithout = write('cmd-without.csv', '0x10,0,hwhints,1\n0x11,0,hwhints,3\n');
  const perfOver = write('cmd-over.txt', perfTrace(CAP + 3));
  const perfWithout = write('cmd-without.txt', perfTrace(0));
  const commands: [name: string, args: string[]][] = [
    ['compare', ['compare', '--format', 'csv', '--engine', 'rfc-v1']],
    ['sweep', ['sweep', '--format', 'csv', '--threshold', '2,3']],
    ['page', ['page', '0x100000']],
    ['convert', ['convert']],
  ];
  const cases = commands.flatMap(([name, args]) => [
    [`${name}, CSV`, args, [], csvOver, csvWithout, 2] as const,
    [`${name}, perf`, args, PERF, perfOver, perfWithout, 1001] as const,
  ]);
  it.each(cases)('%s, a file and a pipe', async (_what, cmd, input, over, without, line) => {
    const want = await run([...cmd, ...input, without]);
    expect(want.code, want.stderr).toBe(0);
    for (const [args, stdin] of [[[...cmd, ...input, '--skip-bad', over], null], [[...cmd, ...input, '--skip-bad', '-'], { pipe: fs.readFileSync(over) }]] as const) {
      const r = await run([...args], stdin);
      expect(r.stderr).toContain(`:${line}: ${LONG}: "`);
      expect(r.stderr).toContain(byReason(1));
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(want.stdout);
    }
  });
});
