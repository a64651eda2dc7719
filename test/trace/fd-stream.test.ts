/**
 * src/trace/fd-stream.ts on a real pipe (`cat FILE | node ...`): the bytes come through whole and in order, and a
 * chunk holds more than one pipe buffer (Linux gives at most 64 KiB a read): it reads on while reads come back full
 * instead of handing over (and allocating a 1 MiB buffer for) every 64 KiB read.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILT = pathToFileURL(path.join(ROOT, 'dist/src/trace/fd-stream.js')).href;

/**
 * Runs stdinReadable(0) in a child whose standard input is `cat file |` (pipe) or `< file`; the stream's class and the
 * hash of what it read.
 */
function readStdin(file: string, how: 'pipe' | 'redirect'): Promise<{ kind: string; sha: string }> {
  const script = `
    const { stdinReadable } = await import(${JSON.stringify(BUILT)});
    const { createHash } = await import('node:crypto');
    const h = createHash('sha256'); const s = await stdinReadable(0);
    for await (const c of s) h.update(c);
    process.stdout.write(JSON.stringify({ kind: s.constructor.name, sha: h.digest('hex') }));`;
  const sh = how === 'pipe' ? 'cat "$1" | "$2" --input-type=module -e "$3"' : '"$2" --input-type=module -e "$3" < "$1"';
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', sh, 'sh', file, process.execPath, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (x: string) => (out += x));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { kind: string; sha: string }) : reject(new Error(`exit ${code}`))));
  });
}

/** Runs fdReadable(0) in a child whose standard input is `cat file |`; the chunk sizes and the hash of what it read. */
function readThroughPipe(file: string): Promise<{ sizes: number[]; sha: string }> {
  const script = `
    const { fdReadable } = await import(${JSON.stringify(BUILT)});
    const { createHash } = await import('node:crypto');
    const h = createHash('sha256'); const sizes = [];
    for await (const c of fdReadable(0)) { sizes.push(c.length); h.update(c); }
    process.stdout.write(JSON.stringify({ sizes, sha: h.digest('hex') }));`;
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', 'cat "$1" | "$2" --input-type=module -e "$3"', 'sh', file, process.execPath, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { sizes: number[]; sha: string }) : reject(new Error(`exit ${code}`))));
  });
}

describe('fdReadable', () => {
  it('reads a pipe whole, in chunks that fill their 1 MiB buffer', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-fd-'));
    try {
      const data = Buffer.alloc((5 << 20) + 12345);
      for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
      const file = path.join(dir, 'data');
      fs.writeFileSync(file, data);
      const { sizes, sha } = await readThroughPipe(file);
      expect(sha).toBe(createHash('sha256').update(data).digest('hex'));
      // cat keeps the pipe full, so reads come back full and chunks fill their 1 MiB: 6 chunks here (81 of at
      // most 64 KiB before). A read that finds the pipe part empty hands over early: some slack for a busy machine.
      expect(Math.max(...sizes)).toBe(1 << 20);
      expect(sizes.length).toBeLessThanOrEqual(12);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('stdinReadable', () => {
  it('reads a pipe as a stream of the event loop (net.Socket) and a redirected file by fdReadable, both whole', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-fd-'));
    try {
      const data = Buffer.alloc((3 << 20) + 777);
      for (let i = 0; i < data.length; i++) data[i] = (i * 40503) >>> 8;
      const file = path.join(dir, 'data');
      fs.writeFileSync(file, data);
      const want = createHash('sha256').update(data).digest('hex');
      expect(await readStdin(file, 'pipe')).toEqual({ kind: 'Socket', sha: want });
      expect(await readStdin(file, 'redirect')).toEqual({ kind: 'Readable', sha: want });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
