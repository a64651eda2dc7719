/**
 * src/trace/stdin-size.ts and the fdReadable of fd-stream.ts on a regular file that shrinks while it is read (the
 * parse thread reads a file on standard input so): the end before the size the file had when the read started is an
 * error naming both sizes, where it was the end of the trace. A file left whole, or one that grew, reads to its end.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { fdReadable } from '../../src/trace/fd-stream.js';
import { checkedStdin, regularFileSize, stdinShrank } from '../../src/trace/stdin-size.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-stdin-size-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Reads `fd` through fdReadable; `afterFirst` runs once the first chunk came. The bytes read, or the error. */
async function readAll(fd: number, afterFirst: () => void): Promise<{ bytes: number; err: unknown }> {
  let bytes = 0;
  try {
    for await (const chunk of await fdReadable(fd)) {
      if (bytes === 0) afterFirst();
      bytes += (chunk as Buffer).length;
    }
  } catch (err) {
    return { bytes, err };
  }
  return { bytes, err: null };
}

describe('fdReadable of a regular file', () => {
  const size = (3 << 20) + 777;
  const cut = (2 << 20) + 5;

  it('that shrinks while it is read ends with an error naming both sizes (it ended at the cut, as at the end of the file)', async () => {
    const file = path.join(dir, 'shrinks');
    fs.writeFileSync(file, Buffer.alloc(size, 0x61));
    const fd = fs.openSync(file, 'r');
    try {
      const r = await readAll(fd, () => fs.truncateSync(file, cut));
      expect(r.bytes).toBe(cut);
      expect(String(r.err)).toBe(`Error: the file on standard input shrank while it was read (${size} bytes when the read started, ${cut} when the read ended)`);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('left whole, or grown, is read to its end', async () => {
    const file = path.join(dir, 'grows');
    fs.writeFileSync(file, Buffer.alloc(size, 0x61));
    const fd = fs.openSync(file, 'r');
    try {
      expect(await readAll(fd, () => fs.appendFileSync(file, 'more'))).toEqual({ bytes: size + 4, err: null });
    } finally {
      fs.closeSync(fd);
    }
  });
});

describe('stdin-size', () => {
  it('a file has a size, a pipe has none', () => {
    const file = path.join(dir, 'sized');
    fs.writeFileSync(file, 'abc');
    const fd = fs.openSync(file, 'r');
    try {
      expect(regularFileSize(fd)).toBe(3);
      expect(stdinShrank(fd, 3)).toBeNull();
      expect(stdinShrank(fd, 2)).toBeNull();
      expect(stdinShrank(fd, null)).toBeNull();
      expect(stdinShrank(fd, 4)?.message).toBe('the file on standard input shrank while it was read (4 bytes when the read started, 3 when the read ended)');
    } finally {
      fs.closeSync(fd);
    }
    const [r, w] = pipeFds();
    try {
      expect(regularFileSize(r)).toBeNull();
    } finally {
      fs.closeSync(r);
      fs.closeSync(w);
    }
  });

  it('checkedStdin leaves a stream that is not of file descriptor 0 as it is', () => {
    const s = Readable.from([Buffer.from('x')]);
    expect(checkedStdin(s)).toBe(s);
  });
});

/** A pipe's two ends, by a FIFO (node:fs has no pipe()). */
function pipeFds(): [number, number] {
  const fifo = path.join(dir, 'fifo');
  if (!fs.existsSync(fifo)) execFileSync('mkfifo', [fifo]);
  const r = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const w = fs.openSync(fifo, 'w');
  return [r, w];
}
