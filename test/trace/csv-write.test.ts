/** The canonical CSV writer (trace/csv-write.ts) against the template strings `kpromo convert` wrote before. */
import { describe, expect, it } from 'vitest';
import { CANONICAL_HEADER, CanonicalCsvSink } from '../../src/trace/csv-write.js';
import { prng } from '../prng.js';

/** The reference: the line as a template string writes it. */
function reference(pfn: number, nid: number, src: number, time: number): string {
  const s = src === 0 ? 'hwhints' : src === 1 ? 'pgtscan' : String(src);
  return `0x${pfn.toString(16)},${nid},${s},${time}\n`;
}

/** What a sink writes of `records`, without the header. */
function written(records: readonly (readonly [number, number, number, number])[]): string {
  const chunks: Buffer[] = [];
  const sink = new CanonicalCsvSink((c) => chunks.push(c));
  for (const [p, n, s, t] of records) sink.record_access(p, n, s, t);
  sink.flush();
  return Buffer.concat(chunks).toString('latin1').slice(CANONICAL_HEADER.length);
}

const one = (pfn: number, nid: number, src: number, time: number) => written([[pfn, nid, src, time]]);

describe('the canonical CSV writer', () => {
  it('writes every field as the template string does, at the edges of each way of writing it', () => {
    const pfns = [0, 1, 9, 10, 15, 16, 255, 256, 0xfffff, 0x100000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1,
      0xfffffffff, 2 ** 52, 2 ** 53 - 1, 2 ** 53, 2 ** 60, -1, 1.5, -0];
    const ints = [0, -0, 1, -1, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 99999999,
      100000000, 100000001, 4294892296, 4294967295, 2 ** 53 - 1, 2 ** 53, 1e21, -1e21, 0.5, NaN,
      // Each decimal length, at both its ends.
      ...Array.from({ length: 10 }, (_, k) => [10 ** k - 1, 10 ** k, -(10 ** k)]).flat()];
    for (const pfn of pfns) expect(one(pfn, 0, 0, 0), `pfn ${pfn}`).toBe(reference(pfn, 0, 0, 0));
    for (const v of ints) {
      expect(one(1, v, 0, 0), `nid ${v}`).toBe(reference(1, v, 0, 0));
      expect(one(1, 0, v, 0), `src ${v}`).toBe(reference(1, 0, v, 0));
      expect(one(1, 0, 0, v), `time ${v}`).toBe(reference(1, 0, 0, v));
    }
    // One sink: a time written again after others (the sink keeps the last time's digits), 0 after -0, NaN twice.
    const times = [5, 5, 4294892296, 4294892296, 5, -0, 0, NaN, NaN, 2 ** 53 - 1, 7];
    expect(written(times.map((t) => [1, 0, 0, t] as const))).toBe(times.map((t) => reference(1, 0, 0, t)).join(''));
  });

  it('writes random records as the template string does', () => {
    const r = prng(7);
    const records: [number, number, number, number][] = [];
    let time = 0;
    for (let i = 0; i < 200000; i++) {
      const pfn = Math.floor(r() * 2 ** (1 + Math.floor(r() * 53)));
      const nid = Math.floor(r() * 2 ** Math.floor(r() * 31)) * (r() < 0.2 ? -1 : 1);
      const src = r() < 0.8 ? Math.floor(r() * 2) : Math.floor(r() * 2 ** Math.floor(r() * 31));
      // Runs of one time, as traces have, and any time.
      if (r() < 0.3) time = Math.floor(r() * 2 ** (1 + Math.floor(r() * 53)));
      records.push([pfn, nid, src, time]);
    }
    const got = written(records).split('\n');
    records.forEach(([p, n, s, t], i) => {
      const want = reference(p, n, s, t).slice(0, -1);
      if (got[i] !== want) expect(got[i], `record ${i}`).toBe(want);
    });
  });

  it('hands on chunks of about 1 MiB that it does not reuse, the header first; record_batch writes what record_access writes', () => {
    const chunks: Buffer[] = [];
    const sink = new CanonicalCsvSink((c) => chunks.push(c));
    for (let i = 0; i < 100000; i++) sink.record_access(0xfffff, 1, 0, 4294892296 + i); // 29 bytes a line
    expect(chunks.length).toBe(2); // 2.9 MB: two full chunks so far
    expect(chunks[0]!.length).toBeGreaterThanOrEqual(1 << 20);
    expect(chunks[0]!.length).toBeLessThan((1 << 20) + 64);
    const P = Float64Array.from({ length: 5000 }, (_, i) => i * 4097);
    const N = Int32Array.from({ length: 5000 }, (_, i) => (i % 3) - 1);
    const S = Int32Array.from({ length: 5000 }, (_, i) => i % 4);
    const T = Float64Array.from({ length: 5000 }, (_, i) => 4294892296 + i);
    sink.record_batch(P, N, S, T, 4000);
    sink.flush();
    let want = CANONICAL_HEADER;
    for (let i = 0; i < 100000; i++) want += reference(0xfffff, 1, 0, 4294892296 + i);
    for (let i = 0; i < 4000; i++) want += reference(P[i]!, N[i]!, S[i]!, T[i]!);
    expect(Buffer.concat(chunks).toString('latin1')).toBe(want);
    sink.flush();
    expect(chunks.length).toBe(3); // the rest in one chunk, and nothing more to hand on
  });
});
