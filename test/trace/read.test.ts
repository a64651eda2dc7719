import * as fs from 'node:fs';
import { TraceError } from '../../src/errors.js';
import { readTraces } from '../../src/trace/read.js';
import { Readable } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { gzipSync } from 'node:zlib';
import { readStdin, readFiles, records, tempFile, type Rec } from './helpers.js';

const PARSERS = ['auto', 'csv-parse'] as const;

describe.each(PARSERS)('readTraces CSV forms (parser %s)', (parser) => {
  const opts = { parser } as const;

  it('reads a header in the plain order', async () => {
    expect(await records('pfn,nid,src,time\n0x200000,0,hwhints,1000\n5,1,pgtscan,1002\n', opts)).toEqual([
      [0x200000, 0, 0, 1000],
      [5, 1, 1, 1002],
    ]);
  });

  it('reads positional columns without a header', async () => {
    expect(await records('16,-1,7,3\n0X1f,2,0,4', opts)).toEqual([
      [16, -1, 7, 3],
      [31, 2, 0, 4],
    ]);
  });

  it('finds columns by name in another order, any case, extra columns ignored', async () => {
    const csv = 'Time,cpu,SRC,pfn,NID\n1000,3,pgtscan,0x10,1\n1001,4,HWHINTS,17,-1\n';
    expect(await records(csv, opts)).toEqual([
      [16, 1, 1, 1000],
      [17, -1, 0, 1001],
    ]);
  });

  it('takes decimal and hex pfns up to 2^53 - 1', async () => {
    expect(await records('0,0,0,0\n9007199254740991,0,0,9007199254740991\n0x1FFFFFFFFFFFFF,0,0,1\n0x00ff,0,0,2\n', opts)).toEqual([
      [0, 0, 0, 0],
      [2 ** 53 - 1, 0, 0, 2 ** 53 - 1],
      [2 ** 53 - 1, 0, 0, 1],
      [255, 0, 0, 2],
    ]);
  });

  it('takes source names in any case and numbers up to INT_MAX', async () => {
    expect(await records('1,0,HwHints,1\n1,0,PGTSCAN,1\n1,0,2147483647,1\n1,2147483647,0,1\n1,-0,0,1\n', opts)).toEqual([
      [1, 0, 0, 1],
      [1, 0, 1, 1],
      [1, 0, 2147483647, 1],
      [1, 2147483647, 0, 1],
      [1, 0, 0, 1],
    ]);
  });

  it('skips comments and blank lines before and after the header', async () => {
    const csv = '# made by hand\n\n   \t\n  # indented comment\npfn,nid,src,time\n#x\n\n1,0,0,5\n \n2,0,0,6\n';
    expect(await records(csv, opts)).toEqual([
      [1, 0, 0, 5],
      [2, 0, 0, 6],
    ]);
  });

  it('reads CRLF line ends, quotes and spaces', async () => {
    const csv = 'pfn, nid ,src,time\r\n"0x10",0,"hwhints",1\r\n  17 ,\t-1\t, pgtscan , 2 \r\n';
    expect(await records(csv, opts)).toEqual([
      [16, 0, 0, 1],
      [17, -1, 1, 2],
    ]);
  });

  it('reads an empty input as no records', async () => {
    expect(await records('', opts)).toEqual([]);
    expect(await records('pfn,nid,src,time\n', opts)).toEqual([]);
  });

  it('switches to csv-parse mid-file and keeps line numbers', async () => {
    // Line 4 has a space: the fast path hands lines 4.. to csv-parse; line 6 is bad.
    const e = await readStdin(['1,0,0,1\n2,0,0,2\n#c\n 3,0,0,3\n\n4,x,0,4\n'], opts);
    expect(e.recs).toEqual([
      [1, 0, 0, 1],
      [2, 0, 0, 2],
      [3, 0, 0, 3],
    ]);
    expect(e.error).toMatchObject({ line: 6, column: 2, field: 'nid', text: 'x' });
  });
});

describe('readTraces inputs', () => {
  it('replays several files as one stream, each with its own header', async () => {
    const a = tempFile('a.csv', 'pfn,nid,src,time\n1,0,0,10\n');
    const b = tempFile('b.csv', 'time,pfn,nid,src\n11,2,1,pgtscan\n');
    const c = tempFile('c.csv', '3,0,0,12\n');
    const o = await readFiles([a, b, c]);
    expect(o.recs).toEqual([
      [1, 0, 0, 10],
      [2, 1, 1, 11],
      [3, 0, 0, 12],
    ]);
    expect(o.stats).toMatchObject({ records: 3, files: 3, skipped: 0, stopped: false });
  });

  it('gunzips .gz files on the fly', async () => {
    const gz = tempFile('t.csv.gz', gzipSync('pfn,nid,src,time\n0x200000,0,hwhints,1000\n0x200001,1,pgtscan,1001\n'));
    const o = await readFiles([gz]);
    expect(o.recs).toEqual([
      [0x200000, 0, 0, 1000],
      [0x200001, 1, 1, 1001],
    ]);
  });

  it('reports a bad gzip stream as a TraceError', async () => {
    const bad = tempFile('bad.csv.gz', 'pfn,nid,src,time\n1,0,0,0\n');
    const o = await readFiles([bad]);
    expect(o.error).toMatchObject({ code: 'KPROMO_TRACE_IO', file: bad, line: 0, column: 0 });
    expect(o.error!.reason).toMatch(/^gzip: /);
  });

  it('reads `-` as standard input', async () => {
    const recs: Rec[] = [];
    const { Readable } = await import('node:stream');
    const { readTraces } = await import('../../src/trace/read.js');
    const f = tempFile('first.csv', '1,0,0,1\n');
    const stats = await readTraces([{ name: f }, { name: '-' }], { record_access: (p, n, s, t) => recs.push([p, n, s, t]) }, {
      stdin: Readable.from([Buffer.from('2,0,0,2\n3,0,'), Buffer.from('0,3\n')]),
    });
    expect(recs).toEqual([
      [1, 0, 0, 1],
      [2, 0, 0, 2],
      [3, 0, 0, 3],
    ]);
    expect(stats.files).toBe(2);
  });

  it('reads a file larger than one read buffer, lines split across reads', async () => {
    const lines: string[] = [];
    const want: Rec[] = [];
    for (let i = 0; i < 120000; i++) {
      lines.push(`0x${(i * 7919).toString(16)},${i % 3},${i % 2 ? 'pgtscan' : 'hwhints'},${1000 + i}`);
      want.push([i * 7919, i % 3, i % 2, 1000 + i]);
    }
    const f = tempFile('big.csv', lines.join('\n') + '\n');
    let calls = 0;
    const o = await readFiles([f], { onProgress: () => calls++ });
    expect(o.recs.length).toBe(want.length);
    // Comparing 120k small arrays with toEqual is slow; a mismatch shows up in this order-sensitive sum.
    const digest = (rs: Rec[]) => rs.reduce((h, r, i) => (h * 31 + r[0] + r[1] * 7 + r[2] * 13 + r[3] * (i + 1)) % 1_000_000_007, 0);
    expect(digest(o.recs)).toBe(digest(want));
    expect(o.recs[119999]).toEqual(want[119999]);
    expect(o.stats!.bytes).toBe(lines.join('\n').length + 1);
    expect(calls).toBeGreaterThan(0);
  });
});

describe('readTraces skip and stop', () => {
  it('passes bad lines to onBad and goes on', async () => {
    const bad: number[] = [];
    const o = await readStdin(['1,0,0,1\n2,0,nope,2\n3,0,0\n"4,0,0,4\n5,0,0,5\n'], { onBad: (e) => bad.push(e.line) });
    expect(o.recs).toEqual([
      [1, 0, 0, 1],
      [5, 0, 0, 5],
    ]);
    expect(bad).toEqual([2, 3, 4]);
    expect(o.stats).toMatchObject({ records: 2, skipped: 3 });
  });

  it('stops between chunks when shouldStop says so', async () => {
    // Ctrl-C arrives once two records were applied: the third chunk is not applied.
    const recs: number[][] = [];
    const stdin = Readable.from(['1,0,0,1\n', '2,0,0,2\n', '3,0,0,3\n'].map((c) => Buffer.from(c)));
    const stats = await readTraces([], { record_access: (p, n, s, t) => recs.push([p, n, s, t]) }, {
      stdin,
      shouldStop: () => recs.length >= 2,
    });
    expect(recs).toEqual([
      [1, 0, 0, 1],
      [2, 0, 0, 2],
    ]);
    expect(stats).toMatchObject({ stopped: true, records: 2 });
  });
});

describe('a file cut short while it is read', () => {
  it('is an error naming it, not a shorter trace (the general reader ended with fewer records and no word)', async () => {
    const lines = Array.from({ length: 200000 }, (_, i) => `0x${(0x200000 + i).toString(16)},0,hwhints,${1000 + i}`);
    const text = `pfn,nid,src,time\n${lines.join('\n')}\n`;
    const file = tempFile('shrinking.csv', text);
    const cut = text.indexOf('\n', 3 << 20) + 1; // at a line end, past the first chunks read: the cut file is a valid trace
    let n = 0;
    const sink = {
      record_access: () => {
        if (n++ === 0) fs.truncateSync(file, cut);
      },
    };
    const err = await readTraces([{ name: file }], sink).catch((e) => e);
    expect(err).toBeInstanceOf(TraceError);
    expect(err.file).toBe(file);
    expect(err.message).toMatch(/the file shrank while it was read \(\d+ bytes when opened, \d+ when the read ended\)/);
  });
});
