/** src/trace/read-ahead.ts: every byte once, in order; the next read under way while a chunk is parsed; two buffers; stops and errors. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAhead } from '../../src/trace/read-ahead.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kpromo-read-ahead-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const wrap = (err: unknown): Error => new Error(`wrapped: ${(err as Error).message}`);

/** A FileHandle over `data` whose reads resolve when release() is called (in order), logging each read. */
function slowHandle(data: Buffer): { fh: FileHandle; log: string[]; release: () => void; fail: Error | null } {
  const waiting: (() => void)[] = [];
  let pos = 0;
  const h = {
    log: [] as string[],
    fail: null as Error | null,
    release: (): void => void waiting.shift()?.(),
    fh: {
      read: (buf: Buffer, off: number, len: number, at: number | null): Promise<{ bytesRead: number; buffer: Buffer }> => {
        h.log.push(`read ${at ?? pos}`);
        return new Promise((resolve, reject) =>
          waiting.push(() => {
            if (h.fail !== null) return reject(h.fail);
            const from = at ?? pos;
            const n = data.copy(buf, off, from, Math.min(data.length, from + len));
            if (at === null) pos += n;
            h.log.push(`done ${from} +${n}`);
            resolve({ bytesRead: n, buffer: buf });
          }),
        );
      },
    } as unknown as FileHandle,
  };
  return h;
}

describe('readAhead', () => {
  it('gives every byte of a file once, in order, from an offset too, in chunks of at most the chunk size from two buffers', async () => {
    const chunk = 64;
    for (const size of [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 17]) {
      const data = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff));
      const name = path.join(dir, `f${size}`);
      writeFileSync(name, data);
      for (const offset of [0, Math.min(size, 5), size]) {
        const fh = await open(name, 'r');
        try {
          const parts: Buffer[] = [];
          const buffers = new Set<ArrayBufferLike>();
          for await (const c of readAhead(fh, wrap, offset, chunk)) {
            expect(c.length).toBeGreaterThan(0);
            expect(c.length).toBeLessThanOrEqual(chunk);
            parts.push(Buffer.from(c)); // a chunk is valid until the next is asked for
            buffers.add(c.buffer);
          }
          expect(Buffer.concat(parts)).toEqual(data.subarray(offset));
          expect(buffers.size).toBeLessThanOrEqual(2);
        } finally {
          await fh.close();
        }
      }
    }
  });

  it('has the next read under way while the caller holds a chunk, and one read at a time', async () => {
    const data = Buffer.alloc(200, 1);
    const h = slowHandle(data);
    const gen = readAhead(h.fh, wrap, 0, 64);
    const first = gen.next();
    h.release();
    expect((await first).value!.length).toBe(64);
    // Chunk 0 is in the caller's hands: the read of chunk 1 was asked for already, and nothing more.
    expect(h.log).toEqual(['read 0', 'done 0 +64', 'read 64']);
    const second = gen.next();
    h.release();
    expect((await second).value!.length).toBe(64);
    expect(h.log).toEqual(['read 0', 'done 0 +64', 'read 64', 'done 64 +64', 'read 128']);
    // Stopping early waits for the read under way (the caller closes the file after it).
    let returned = false;
    const ret = gen.return(undefined).then(() => (returned = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(returned).toBe(false);
    h.release();
    await ret;
    expect(returned).toBe(true);
  });

  it('a failed read is thrown as the caller wraps it', async () => {
    const h = slowHandle(Buffer.alloc(200, 1));
    const gen = readAhead(h.fh, wrap, 0, 64);
    const first = gen.next();
    h.release();
    await first;
    h.fail = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    const second = gen.next();
    h.release();
    await expect(second).rejects.toThrow('wrapped: EIO: i/o error, read');
  });
});
