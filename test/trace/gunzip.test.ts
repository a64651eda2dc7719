/**
 * src/trace/gunzip.ts createGunzip(): a trace's gzip stream is inflated ahead of its reader, up to GUNZIP_OPTIONS'
 * readableHighWaterMark and at most one chunk further (memory stays bounded however large the input).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createGunzip, GUNZIP_OPTIONS } from '../../src/trace/gunzip.js';

/** `mib` MiB of CSV lines (compressible, so that the whole input is small). */
function csvText(mib: number): Buffer {
  const line = 'pfn,nid,src,time\n0x200000,0,hwhints,4294892296\n';
  return Buffer.from(line.repeat(Math.ceil((mib << 20) / line.length)));
}

/** Resolves once the stream's buffered output stopped growing (two looks 30 ms apart alike). */
async function settled(s: { readableLength: number }): Promise<number> {
  let last = -1;
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 30));
    if (s.readableLength === last) return last;
    last = s.readableLength;
  }
  return last;
}

describe('createGunzip', () => {
  it('inflates up to 4 MiB ahead of a reader that takes nothing, and stops there', async () => {
    expect(GUNZIP_OPTIONS.readableHighWaterMark).toBe(4 << 20);
    const text = csvText(32);
    const g = await createGunzip();
    g.end(gzipSync(text));
    const ahead = await settled(g);
    expect(ahead).toBeGreaterThanOrEqual(GUNZIP_OPTIONS.readableHighWaterMark);
    // Bounded: at most one chunk past the mark, not the 32 MiB the input holds.
    expect(ahead).toBeLessThanOrEqual(GUNZIP_OPTIONS.readableHighWaterMark + GUNZIP_OPTIONS.chunkSize!);
    // Read to the end: every byte, what was buffered given at once (never more than the bound above).
    const chunks: Buffer[] = [];
    for await (const c of g as AsyncIterable<Buffer>) chunks.push(c);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(GUNZIP_OPTIONS.readableHighWaterMark + GUNZIP_OPTIONS.chunkSize!);
    expect(Buffer.concat(chunks).equals(text)).toBe(true);
  });

  it('takes zlib options of its own (the sniff of a .gz file reads its first lines with zlib defaults)', async () => {
    const g = await createGunzip({});
    expect(g.readableHighWaterMark).toBeLessThan(GUNZIP_OPTIONS.readableHighWaterMark);
    g.end(gzipSync(csvText(1)));
    const chunks: Buffer[] = [];
    for await (const c of g as AsyncIterable<Buffer>) chunks.push(c);
    expect(Buffer.concat(chunks).equals(csvText(1))).toBe(true);
  });
});
