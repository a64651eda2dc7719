/** src/trace/fd-file.ts: regular files opened and (when small) read at once; FIFOs and errors as node:fs/promises has them. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open as openPromise, stat as statPromise } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FdFile, statPath, SYNC_READ_BYTES } from '../../src/trace/fd-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kpromo-fd-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(f: FdFile): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    const buf = Buffer.alloc(1 << 16);
    const { bytesRead } = await f.read(buf, 0, buf.length, null);
    if (bytesRead === 0) return Buffer.concat(parts);
    parts.push(buf.subarray(0, bytesRead));
  }
}

describe('FdFile', () => {
  it('reads a small regular file at once, every byte', async () => {
    const p = path.join(dir, 'small.csv');
    writeFileSync(p, 'pfn,nid,src,time\n0x1,0,hwhints,5\n');
    const f = await FdFile.open(p);
    expect(f.sync).toBe(true);
    expect((await readAll(f)).toString()).toBe('pfn,nid,src,time\n0x1,0,hwhints,5\n');
    await f.close();
  });

  it('reads a regular file over SYNC_READ_BYTES off the main thread (unless asked), at any position', async () => {
    const p = path.join(dir, 'big.bin');
    const data = Buffer.alloc(SYNC_READ_BYTES + 10, 7);
    data.write('tail', SYNC_READ_BYTES + 4);
    writeFileSync(p, data);
    const f = await FdFile.open(p);
    expect(f.sync).toBe(false);
    expect((await readAll(f)).equals(data)).toBe(true);
    const b = Buffer.alloc(4);
    expect((await f.read(b, 0, 4, SYNC_READ_BYTES + 4)).bytesRead).toBe(4);
    expect(b.toString()).toBe('tail');
    await f.close();
    const g = await FdFile.open(p, true);
    expect(g.sync).toBe(true);
    expect((await readAll(g)).equals(data)).toBe(true);
    await g.close();
  });

  /** The error of opening `p` or of reading its first bytes (a directory opens, and its read fails), or null. */
  async function firstError(open: () => Promise<{ read(b: Buffer, o: number, l: number, p: number): Promise<unknown>; close(): Promise<void> }>) {
    try {
      const f = await open();
      try {
        await f.read(Buffer.alloc(4), 0, 4, 0);
        return null;
      } finally {
        await f.close();
      }
    } catch (e) {
      return e as NodeJS.ErrnoException;
    }
  }

  it('a missing file, a directory: the errors node:fs/promises gives', async () => {
    for (const p of [path.join(dir, 'missing.csv'), dir]) {
      const want = await firstError(() => openPromise(p, 'r'));
      const got = await firstError(() => FdFile.open(p));
      expect(want).not.toBeNull();
      expect(got?.code).toBe(want?.code);
      expect(got?.message).toBe(want?.message);
    }
    const missing = path.join(dir, 'missing.csv');
    const st = await statPath(missing).catch((e: Error) => e.message);
    expect(st).toBe(await statPromise(missing).catch((e: Error) => e.message));
    expect((await statPath(dir)).isDirectory()).toBe(true);
  });

  it('a FIFO: opened off the main thread once, so a writer that waits for its reader gets every byte through', async () => {
    const fifo = path.join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The writer blocks in its open until a reader comes; a second open by the reader would be seen as a reader
    // that came and left (the writer's next write would fail with EPIPE).
    const sh = spawn('sh', ['-c', `{ printf 'a,b\\n'; sleep 0.1; printf 'c,d\\n'; } > '${fifo}'`], { stdio: 'ignore' });
    const exited = new Promise((r) => sh.on('close', r));
    await new Promise((r) => setTimeout(r, 100)); // the shell now waits in its open
    const f = await FdFile.open(fifo);
    expect(f.sync).toBe(false);
    expect((await readAll(f)).toString()).toBe('a,b\nc,d\n');
    await f.close();
    expect(await exited).toBe(0);
  });
});
