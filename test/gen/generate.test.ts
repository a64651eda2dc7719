import { describe, it, expect } from 'vitest';
import { generate, generateChunks, GEN_HEADER, type GenStats } from '../../src/gen/generate.js';
import { UsageError } from '../../src/errors.js';
import { normalizeGenOptions, type GenInput, type GenOptions } from '../../src/gen/options.js';

interface Row {
  pfn: number;
  nid: number;
  src: string;
  time: number;
}

function run(input: GenInput): { text: string; chunks: string[]; stats: GenStats; rows: Row[] } {
  const chunks: string[] = [];
  const stats = generate(normalizeGenOptions(input), (c) => chunks.push(c));
  const text = chunks.join('');
  const lines = text.split('\n');
  expect(lines[0]).toBe('pfn,nid,src,time');
  expect(lines[lines.length - 1]).toBe(''); // ends with a newline
  const rows = lines.slice(1, -1).map((line): Row => {
    const m = /^0x([0-9a-f]+),(-1|[0-9]+),(hwhints|pgtscan),([0-9]+)$/.exec(line);
    if (m === null) throw new Error(`bad line ${JSON.stringify(line)}`);
    return { pfn: parseInt(m[1]!, 16), nid: Number(m[2]), src: m[3]!, time: Number(m[4]) };
  });
  return { text, chunks, stats, rows };
}

/** Access counts per pfn, most frequent first. */
function ranking(rows: Row[]): Array<[number, number]> {
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.pfn, (counts.get(r.pfn) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}

describe('generate', () => {
  it('is deterministic: same seed, same bytes; another seed, other bytes', () => {
    const a = run({ records: 5000, pages: 800, seed: 7 });
    const b = run({ records: 5000, pages: 800, seed: 7 });
    const c = run({ records: 5000, pages: 800, seed: 8 });
    expect(a.text).toBe(b.text);
    expect(a.text).not.toBe(c.text);
  });

  it('writes the header and canonical lines, and reports what it wrote', () => {
    const { text, rows, stats } = run({ records: 3000, pages: 500 });
    expect(text.startsWith(GEN_HEADER)).toBe(true);
    expect(rows.length).toBe(3000);
    expect(stats.records).toBe(3000);
    expect(stats.bytes).toBe(text.length);
    expect(stats.pagesTouched).toBe(new Set(rows.map((r) => r.pfn)).size);
    expect(stats.firstTime).toBe(rows[0]!.time);
    expect(stats.lastTime).toBe(rows[rows.length - 1]!.time);
  });

  it('writes chunks of about 1 MiB', () => {
    const { chunks } = run({ records: 100_000, pages: 1000 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks.slice(0, -1)) {
      expect(c.length).toBeGreaterThanOrEqual(1 << 20);
      expect(c.length).toBeLessThan((1 << 20) + 100);
      expect(c.endsWith('\n')).toBe(true);
    }
  });

  it('writes only the header for 0 records', () => {
    const { text, stats } = run({ records: 0 });
    expect(text).toBe('pfn,nid,src,time\n');
    expect(stats).toEqual({ records: 0, pagesTouched: 0, firstTime: null, lastTime: null, bytes: 17 });
  });

  it('keeps times non-decreasing from start and within the duration', () => {
    // 10 s at HZ 100 = 1000 jiffies over 4000 records: 4 records a jiffy.
    const { rows } = run({ records: 4000, pages: 100, hz: 100, duration: 10, start: 5000 });
    expect(rows[0]!.time).toBe(5000);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.time).toBeGreaterThanOrEqual(rows[i - 1]!.time);
    expect(rows[rows.length - 1]!.time).toBe(5999);
    expect(rows.filter((r) => r.time === 5000).length).toBe(4);
  });

  it('derives the duration from --rate', () => {
    // 1000 records at 100 records/s = 10 s = 2500 jiffies at HZ 250.
    const { rows } = run({ records: 1000, pages: 100, rate: 100, start: 0 });
    expect(rows[999]!.time).toBe(2500 - 3); // floor(999 * 2500 / 1000)
  });

  it('starts at INITIAL_JIFFIES of HZ 250 by default', () => {
    expect(run({ records: 1, pages: 10 }).rows[0]!.time).toBe(2 ** 32 - 300 * 250);
  });

  it('puts pages in the fast range 0x0-0x100000 and the slow range, in the given shares', () => {
    const { rows } = run({ pattern: 'scan', pages: 1000, records: 1000, fastFraction: 0.25, slowBase: 0x300000, slowSpan: 0x1000 });
    const fast = rows.filter((r) => r.pfn < 0x100000);
    const slow = rows.filter((r) => r.pfn >= 0x300000 && r.pfn < 0x301000);
    expect(fast.length).toBe(250);
    expect(slow.length).toBe(750);
    expect(new Set(rows.map((r) => r.pfn)).size).toBe(1000);
  });

  it('scan: touches every page once per sweep, in ascending pfn order, the same order each sweep', () => {
    const pages = 700;
    const { rows, stats } = run({ pattern: 'scan', pages, records: 2 * pages + 50 });
    const sweep1 = rows.slice(0, pages).map((r) => r.pfn);
    const sweep2 = rows.slice(pages, 2 * pages).map((r) => r.pfn);
    expect(new Set(sweep1).size).toBe(pages);
    for (let i = 1; i < pages; i++) expect(sweep1[i]!).toBeGreaterThan(sweep1[i - 1]!);
    expect(sweep2).toEqual(sweep1);
    expect(rows.slice(2 * pages).map((r) => r.pfn)).toEqual(sweep1.slice(0, 50));
    expect(stats.pagesTouched).toBe(pages);
  });

  it('zipf: the hottest page gets 1/H(n) of the accesses and the hot set is not contiguous', () => {
    const pages = 1000;
    const records = 100_000;
    const { rows } = run({ pattern: 'zipf', pages, records, exponent: 1 });
    let h = 0;
    for (let k = pages; k >= 1; k--) h += 1 / k; // H(1000) ~ 7.4855
    const top = ranking(rows);
    const p1 = 1 / h;
    expect(Math.abs(top[0]![1] - records * p1)).toBeLessThan(5 * Math.sqrt(records * p1 * (1 - p1)));
    // Top 10 pages: sum 1/k for k = 1..10 = 2.929, i.e. 39% of the accesses.
    const top10 = top.slice(0, 10).reduce((a, [, c]) => a + c, 0);
    expect(Math.abs(top10 / records - 2.929 / h)).toBeLessThan(0.01);
    const hot = top.slice(0, 10).map(([pfn]) => pfn).sort((a, b) => a - b);
    let adjacent = 0;
    for (let i = 1; i < hot.length; i++) if (hot[i]! - hot[i - 1]! === 1) adjacent++;
    expect(adjacent).toBeLessThan(9);
  });

  it('zipf: a larger exponent concentrates accesses on fewer pages', () => {
    const flat = run({ pages: 2000, records: 20_000, exponent: 0.5 }).stats.pagesTouched;
    const steep = run({ pages: 2000, records: 20_000, exponent: 2 }).stats.pagesTouched;
    expect(steep).toBeLessThan(flat / 2);
  });

  it('phase: the hot set of the second half differs from the first', () => {
    const records = 60_000;
    const { rows } = run({ pattern: 'phase', pages: 5000, records, exponent: 1.2 });
    const hotA = new Set(ranking(rows.slice(0, records / 2)).slice(0, 20).map(([pfn]) => pfn));
    const hotB = ranking(rows.slice(records / 2)).slice(0, 20).map(([pfn]) => pfn);
    expect(hotB.filter((pfn) => hotA.has(pfn)).length).toBeLessThan(3);
    // Without a phase change (pattern zipf, same seed) the two halves share their hot set.
    const still = run({ pattern: 'zipf', pages: 5000, records, exponent: 1.2 }).rows;
    const stillA = new Set(ranking(still.slice(0, records / 2)).slice(0, 20).map(([pfn]) => pfn));
    const stillB = ranking(still.slice(records / 2)).slice(0, 20).map(([pfn]) => pfn);
    expect(stillB.filter((pfn) => stillA.has(pfn)).length).toBeGreaterThan(15);
  });

  it('phase: --phase-records moves the hot set every N records', () => {
    const { rows } = run({ pattern: 'phase', pages: 5000, records: 40_000, phaseRecords: 10_000, exponent: 1.5 });
    const hottest = [0, 1, 2, 3].map((k) => ranking(rows.slice(k * 10_000, (k + 1) * 10_000))[0]![0]);
    expect(new Set(hottest).size).toBe(4);
  });

  it('mix: a background scan sweeps all pages beside a steep hot set', () => {
    const pages = 1000;
    const alone = run({ pattern: 'zipf', pages, records: 30_000, exponent: 3 }).stats.pagesTouched;
    const { rows, stats } = run({ pattern: 'mix', pages, records: 30_000, exponent: 3, scanFraction: 0.2 });
    expect(alone).toBeLessThan(200);
    // 20% of 30000 records = ~6000 scan records = 6 sweeps over 1000 pages.
    expect(stats.pagesTouched).toBe(pages);
    const hot = ranking(rows)[0]![1] / rows.length;
    // Zipf(3) rank 1 has 1/zeta(3) = 0.832 of the zipf records, 80% of the records are zipf.
    expect(Math.abs(hot - 0.8 * 0.832)).toBeLessThan(0.02);
  });

  it('draws nid among 0..nodes-1 with the NUMA_NO_NODE share as -1', () => {
    const { rows } = run({ records: 40_000, pages: 100, nodes: 4, numaNoNodeFraction: 0.3 });
    const n = rows.length;
    const share = (nid: number) => rows.filter((r) => r.nid === nid).length / n;
    expect(Math.abs(share(-1) - 0.3)).toBeLessThan(0.012);
    for (const nid of [0, 1, 2, 3]) expect(Math.abs(share(nid) - 0.7 / 4)).toBeLessThan(0.01);
    expect(rows.every((r) => r.nid >= -1 && r.nid <= 3)).toBe(true);
    expect(run({ records: 1000, pages: 10, nodes: 1, numaNoNodeFraction: 0 }).rows.every((r) => r.nid === 0)).toBe(true);
  });

  it('mixes sources by the pgtscan share', () => {
    const { rows } = run({ records: 40_000, pages: 100, pgtscanFraction: 0.25 });
    const pgt = rows.filter((r) => r.src === 'pgtscan').length / rows.length;
    expect(Math.abs(pgt - 0.25)).toBeLessThan(0.011);
    expect(run({ records: 500, pages: 10, pgtscanFraction: 0 }).rows.every((r) => r.src === 'hwhints')).toBe(true);
  });

  it('keeps the page sequence when only the node or source mix changes', () => {
    const a = run({ records: 2000, pages: 300, nodes: 2 }).rows.map((r) => r.pfn);
    const b = run({ records: 2000, pages: 300, nodes: 8, pgtscanFraction: 0.9 }).rows.map((r) => r.pfn);
    expect(b).toEqual(a);
  });

  it('rejects hand-built options that normalize would reject', () => {
    const opts: GenOptions = { ...normalizeGenOptions(), pages: 0 };
    expect(() => generate(opts, () => undefined)).toThrow(UsageError);
  });

  it('generateChunks yields the same chunks as generate and returns the same stats', () => {
    const { chunks, stats } = run({ records: 80_000, pages: 2000, pattern: 'mix' });
    const it = generateChunks(normalizeGenOptions({ records: 80_000, pages: 2000, pattern: 'mix' }));
    const yielded: string[] = [];
    let r = it.next();
    for (; r.done !== true; r = it.next()) yielded.push(r.value);
    expect(yielded).toEqual(chunks);
    expect(r.value).toEqual(stats);
  });
});
