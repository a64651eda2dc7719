/**
 * Standard input read by the parse thread from file descriptor 0 (src/trace/fd-stream.ts): a pipe fed in pieces
 * with pauses (the reads find it empty and retry), a file redirected to stdin, gzip on a pipe and a bad line give
 * what the same trace gives from a file.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const __dirname = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/kpromo.js');

let dir: string;
let trace: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-stdin-'));
  trace = path.join(dir, 't.csv');
  const g = spawnSync(process.execPath, [BIN, 'gen', '--records', '200000', '-o', trace], { encoding: 'utf8' });
  if (g.status !== 0) throw new Error(g.stderr);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs kpromo with `pieces` written to its stdin pipe one by one, `pauseMs` apart. */
function withPipe(args: string[], pieces: Buffer[], pauseMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // kpromo may stop reading after a bad line
    let i = 0;
    const next = (): void => {
      if (i === pieces.length) {
        child.stdin.end();
        return;
      }
      child.stdin.write(pieces[i++]!, () => setTimeout(next, pauseMs));
    };
    next();
  });
}

function split(b: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  const size = Math.ceil(b.length / n);
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

describe('standard input read from file descriptor 0 by the parse thread', () => {
  it('a pipe fed in pieces with pauses, and a file redirected to stdin, give the counters of the file', async () => {
    const want = spawnSync(process.execPath, [BIN, 'replay', '--format', 'vmstat', trace], { encoding: 'utf8' });
    expect(want.status).toBe(0);
    expect(want.stdout).toMatch(/^kpromoted_recorded_accesses 200000$/m);
    const piped = await withPipe(['replay', '--format', 'vmstat', '--parse-thread', 'on', '-'], split(fs.readFileSync(trace), 40), 5);
    expect(piped.stderr).toBe('');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(want.stdout);
    const redirected = spawnSync(process.execPath, [BIN, 'replay', '--format', 'vmstat', '--parse-thread', 'on', '-'], {
      encoding: 'utf8',
      stdio: [fs.openSync(trace, 'r'), 'pipe', 'pipe'],
    });
    expect(redirected.status).toBe(0);
    expect(redirected.stdout).toBe(want.stdout);
  });

  it('gzip on a pipe is recognised by its magic bytes', async () => {
    const want = spawnSync(process.execPath, [BIN, 'replay', '--format', 'vmstat', trace], { encoding: 'utf8' }).stdout;
    const r = await withPipe(['replay', '--format', 'vmstat', '-'], split(gzipSync(fs.readFileSync(trace)), 7), 3);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(want);
  });

  it('truncated gzip on a pipe: exit 2 and the gzip error naming -, for every command and thread mode', async () => {
    const small = gzipSync('pfn,nid,src,time\n0x200000,0,hwhints,1000\n0x200001,0,hwhints,1001\n').subarray(0, 40);
    const big = gzipSync(fs.readFileSync(trace));
    const cut = big.subarray(0, big.length >> 1);
    const cases: [string[], Buffer][] = [
      [['replay', '-'], small],
      [['replay', '--parse-thread', 'on', '-'], small],
      [['replay', '--parse-thread', 'off', '-'], small],
      [['convert', '-'], small],
      [['compare', '-'], small],
      [['sweep', '-'], small],
      [['replay', '--format', 'vmstat', '-'], cut],
      [['convert', '-o', path.join(dir, 'cut.csv'), '-'], cut],
    ];
    for (const [args, bytes] of cases) {
      const r = await withPipe(args, split(bytes, 3), 0);
      expect({ args, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ args, code: 2, stdout: '', stderr: 'kpromo: -: gzip: unexpected end of file\n' });
    }
  });

  it('zero bytes after the gzip data on a pipe: the counters of the trace and gzip -d\'s note on stderr', async () => {
    const want = spawnSync(process.execPath, [BIN, 'replay', '--format', 'vmstat', trace], { encoding: 'utf8' }).stdout;
    const padded = Buffer.concat([gzipSync(fs.readFileSync(trace)), Buffer.alloc(4096)]);
    for (const thread of ['on', 'off']) {
      const r = await withPipe(['replay', '--format', 'vmstat', '--parse-thread', thread, '-'], split(padded, 5), 0);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(want);
      expect(r.stderr).toBe('kpromo: -: gzip: decompression OK, 4096 trailing zero bytes ignored\n');
    }
  });

  it('a bad line on stdin: exit 2, the line named, nothing on stdout', async () => {
    const good = fs.readFileSync(trace, 'utf8').split('\n').slice(0, 5001).join('\n');
    const r = await withPipe(['replay', '--format', 'vmstat', '-'], [Buffer.from(good + '\n0x200000,0,hwhints,oops\n')], 0);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^kpromo: -:5002:4 \(time\): .*oops/);
  });

  it('perf text on a pipe (its reads lent to the perf reader) gives the counters of the same text from a file', async () => {
    // 100 000 IBS samples over both sockets' CPUs, spread over DRAM and CXL pages, as `perf script` prints them
    // (the lines of bench/perf-trace.ts).
    let x = 7;
    const lines: string[] = [];
    for (let i = 0; i < 100000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const cpu = String(x % 16).padStart(3, '0');
      const phys = (0x100000 + (x % 0x300000)) * 4096 + 0x40;
      const stamp = (1000 + i / 50000).toFixed(6).padStart(12);
      lines.push(`          stream    4242/4242    [${cpu}] ${stamp}: ibs_op//: ${(0x7f0000000000 + phys).toString(16).padStart(16)}${phys.toString(16).padStart(16)}`);
    }
    const text = Buffer.from(lines.join('\n') + '\n');
    const file = path.join(dir, 'p.txt');
    fs.writeFileSync(file, text);
    const want = spawnSync(process.execPath, [BIN, 'replay', '--format', 'vmstat', file], { encoding: 'utf8' });
    expect(want.status).toBe(0);
    expect(want.stdout).toMatch(/^kpromoted_recorded_accesses 100000$/m);
    const piped = await withPipe(['replay', '--format', 'vmstat', '-'], split(text, 30), 3);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(want.stdout);
  });

  it('CSV on a pipe is parsed in blocks by both threads: a bad line megabytes in, and CRLF from some line on', async () => {
    // Line 150 001 of 200 001 lies several 1 MiB blocks in: the blocks before it are applied, the general reader names it.
    const lines = fs.readFileSync(trace, 'utf8').split('\n');
    const bad = [...lines.slice(0, 150001), '0x200000,0,hwhints,oops', ...lines.slice(150001)].join('\n');
    const r = await withPipe(['replay', '--format', 'vmstat', '-'], split(Buffer.from(bad), 13), 0);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^kpromo: -:150002:4 \(time\): .*oops/);
    // CRLF from line 100 001 on: the general reader reads on from there; the counters are those of the file.
    const crlf = [...lines.slice(0, 100001), ...lines.slice(100001).map((l) => (l === '' ? l : `${l}\r`))].join('\n');
    const want = spawnSync(process.execPath, [BIN, 'replay', '--format', 'vmstat', trace], { encoding: 'utf8' }).stdout;
    const c = await withPipe(['replay', '--format', 'vmstat', '-'], split(Buffer.from(crlf), 9), 0);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toBe(want);
  });
});
