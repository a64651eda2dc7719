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

const PIPE = 'cat "$1" | "$2" --input-type=module -e "$3"';
const REDIRECT = '"$2" --input-type=module -e "$3" < "$1"';

/** Runs the ES module `script` in a child whose standard input is `file` as `sh` says (PIPE or REDIRECT); its JSON. */
function runWithStdin<T>(sh: string, file: string, script: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', sh, 'sh', file, process.execPath, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (x: string) => (out += x));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`exit ${code}`))));
  });
}

/** stdinReadable(0) in a child whose standard input is `file` (PIPE or REDIRECT): the stream's class and the hash of what it read. */
function readStdin(file: string, sh: string): Promise<{ kind: string; sha: string }> {
  return runWithStdin(sh, file, `
    const { stdinReadable } = await import(${JSON.stringify(BUILT)});
    const { createHash } = await import('node:crypto');
    const h = createHash('sha256'); const s = await stdinReadable(0);
    for await (const c of s) h.update(c);
    process.stdout.write(JSON.stringify({ kind: s.constructor.name, sha: h.digest('hex') }));`);
}

/**
 * stdinReadable(0) of `cat file |` in a child, read as PipeChunks: lent (each chunk hashed before the next await), or
 * copied by a reader that waits 1 ms after each chunk (reads queue up meanwhile). The hash and the largest chunk.
 */
function readPipeChunks(file: string, mode: 'lend' | 'slow'): Promise<{ kind: string; sha: string; largest: number }> {
  return runWithStdin(PIPE, file, `
    const { stdinReadable } = await import(${JSON.stringify(BUILT)});
    const { createHash } = await import('node:crypto');
    const h = createHash('sha256'); const s = await stdinReadable(0); let largest = 0;
    s.lend = ${mode === 'lend'};
    for await (const c of s) {
      h.update(c);
      largest = Math.max(largest, c.length);
      if (${mode === 'slow'}) await new Promise((r) => setTimeout(r, 1));
    }
    process.stdout.write(JSON.stringify({ kind: s.constructor.name, sha: h.digest('hex'), largest }));`);
}

/** fdReadable(0) in a child whose standard input is `cat file |`: the chunk sizes and the hash of what it read. */
function readThroughPipe(file: string): Promise<{ sizes: number[]; sha: string }> {
  return runWithStdin(PIPE, file, `
    const { fdReadable } = await import(${JSON.stringify(BUILT)});
    const { createHash } = await import('node:crypto');
    const h = createHash('sha256'); const sizes = [];
    for await (const c of await fdReadable(0)) { sizes.push(c.length); h.update(c); }
    process.stdout.write(JSON.stringify({ sizes, sha: h.digest('hex') }));`);
}

/** A file of `size` bytes of a pattern in a new directory, given to `f`; the directory is removed after. */
async function withData(size: number, f: (file: string, data: Buffer) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-fd-'));
  try {
    const data = Buffer.alloc(size);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    const file = path.join(dir, 'data');
    fs.writeFileSync(file, data);
    await f(file, data);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('fdReadable', () => {
  it('reads a pipe whole, in chunks that fill their 1 MiB buffer', async () => {
    await withData((5 << 20) + 12345, async (file, data) => {
      const { sizes, sha } = await readThroughPipe(file);
      expect(sha).toBe(sha256(data));
      // cat keeps the pipe full, so reads come back full and chunks fill their 1 MiB: 6 chunks here (81 of at
      // most 64 KiB before). A read that finds the pipe part empty hands over early: some slack for a busy machine.
      expect(Math.max(...sizes)).toBe(1 << 20);
      expect(sizes.length).toBeLessThanOrEqual(12);
    });
  });
});

describe('stdinReadable', () => {
  it('reads a pipe on the event loop (PipeChunks of a net.Socket) and a redirected file by fdReadable, both whole', async () => {
    await withData((3 << 20) + 777, async (file, data) => {
      expect(await readStdin(file, PIPE)).toEqual({ kind: 'PipeChunks', sha: sha256(data) });
      expect(await readStdin(file, REDIRECT)).toEqual({ kind: 'Readable', sha: sha256(data) });
    });
  });

  it('reads a pipe whole with its reads lent, and whole with reads queued for a slow reader (larger chunks)', async () => {
    await withData((6 << 20) + 4321, async (file, data) => {
      const lent = await readPipeChunks(file, 'lend');
      expect(lent.sha).toBe(sha256(data));
      expect(lent.largest).toBeLessThanOrEqual(1 << 16); // one read a chunk
      const slow = await readPipeChunks(file, 'slow');
      expect(slow.sha).toBe(sha256(data));
      expect(slow.largest).toBeGreaterThan(1 << 16); // reads appended while the reader waited
    });
  });
});
