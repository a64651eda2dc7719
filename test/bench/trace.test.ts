/** bench/trace.ts warmTrace(): reads a whole trace file once (the page cache), whatever its size. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { warmTrace } from '../../bench/trace.js';

describe('warmTrace', () => {
  it('reads every byte of the file, over several of its 1 MiB reads, and throws for a missing file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-warm-'));
    try {
      const file = path.join(dir, 't.csv');
      for (const size of [0, 5, (3 << 20) + 5]) {
        fs.writeFileSync(file, Buffer.alloc(size, 0x31));
        expect(warmTrace(file), `${size} bytes`).toBe(size);
      }
      expect(() => warmTrace(path.join(dir, 'missing.csv'))).toThrow(/ENOENT/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
