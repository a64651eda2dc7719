/** BlockReader (trace/blocks.ts): every line in exactly one block, the plain form only, and where it stops. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BlockReader, openBlockFile, scanBlock } from '../../src/trace/blocks.js';
import { CsvPath } from '../../src/trace/csvpath.js';
import { DEFAULT_INPUT_SETTINGS, readInputs } from '../../src/trace/input.js';
import { prng } from '../prng.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-blocks-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** Plain lines of every shape the byte loop takes, with blank and `#` lines between. */
function plainCsv(n: number, seed: number, header = true): string {
  const r = prng(seed);
  let out = header ? '# made up\npfn,nid,src,time\n' : '';
  for (let i = 0; i < n; i++) {
    const u = r();
    if (u < 0.02) out += '\n';
    else if (u < 0.04) out += `# comment ${i}\n`;
    const pfn = Math.floor(r() * 2 ** (r() < 0.1 ? 40 : 22));
    const nid = r() < 0.1 ? -1 : Math.floor(r() * 4);
    const src = r() < 0.1 ? String(Math.floor(r() * 3)) : r() < 0.5 ? 'hwhints' : 'pgtscan';
    out += `${r() < 0.7 ? '0x' + pfn.toString(16) : pfn},${nid},${src},${4294892296 + i}\n`;
  }
  return out;
}

const collect = () => {
  const recs: number[] = [];
  return { recs, sink: { record_access: (p: number, n: number, s: number, t: number) => void recs.push(p, n, s, t) } };
};

async function reference(file: string): Promise<number[]> {
  const { recs, sink } = collect();
  await readInputs([{ name: file }], sink, { input: DEFAULT_INPUT_SETTINGS });
  return recs;
}

/** All blocks of `file` parsed in order with blocks of `bytes`: records, lines, header, first stop. */
function allBlocks(file: string, bytes: number) {
  const fd = fs.openSync(file, 'r');
  try {
    const reader = new BlockReader(fd, fs.statSync(file).size, bytes);
    const { recs, sink } = collect();
    let lines = 0;
    let header = false;
    for (let k = 0; k < reader.blocks; k++) {
      const res = reader.parse(k, sink);
      lines += res.lines;
      header ||= res.header;
      if (res.stop >= 0) return { recs, lines, header, stop: res.stop, blocks: reader.blocks };
    }
    return { recs, lines, header, stop: -1, blocks: reader.blocks };
  } finally {
    fs.closeSync(fd);
  }
}

describe('BlockReader', () => {
  it('gives every record once, in order, for any block size', async () => {
    const text = plainCsv(3000, 1);
    const file = write('plain.csv', text);
    const want = await reference(file);
    const lines = text.split('\n').length - 1;
    for (const bytes of [1, 2, 7, 10, 11, 31, 32, 33, 100, 1000, 4096, 1 << 20]) {
      const got = allBlocks(file, bytes);
      const fd = fs.openSync(file, 'r');
      const first = new BlockReader(fd, text.length, bytes).at(1); // block 0's bytes end here
      fs.closeSync(fd);
      if (first <= 10) {
        // The header starts at byte 10, after a comment: in a block after the first, which cannot know that no
        // content line came before it. It stops there; the general reader takes the header.
        expect(got).toMatchObject({ stop: 10, lines: 1, header: false, recs: [] });
        continue;
      }
      expect(got.stop, `blocks of ${bytes}`).toBe(-1);
      expect(got.header).toBe(true);
      expect(got.lines).toBe(lines);
      expect(got.recs).toEqual(want);
    }
  });

  it('takes CR LF line ends as the csv-parse path does: the header, records, blank and `#` lines, a repeated time', async () => {
    // Every line of plainCsv() ending in CR LF, with blank lines of a lone CR LF, and times of 10 digits repeated.
    const text = plainCsv(3000, 5).replace(/\n/g, '\r\n') + '\r\n' + '0x20,1,pgtscan,4294892296\r\n'.repeat(40) + '7,0,hwhints,12\r\n';
    const file = write('crlf.csv', text);
    const { recs: want, sink } = collect();
    await readInputs([{ name: file }], sink, { input: DEFAULT_INPUT_SETTINGS, parser: 'csv-parse' });
    expect(want.length).toBe(4 * 3041);
    for (const bytes of [17, 1000, 1 << 20]) {
      const got = allBlocks(file, bytes);
      expect(got.stop, `blocks of ${bytes}`).toBe(-1);
      expect(got.header).toBe(true);
      expect(got.lines).toBe(text.split('\n').length - 1);
      expect(got.recs).toEqual(want);
    }
    // And the byte parser of the general reader: no line left to csv-parse (it had every line after the header's CR).
    const csvParse = vi.spyOn(CsvPath.prototype, 'push');
    try {
      expect(await reference(file)).toEqual(want);
      expect(csvParse).not.toHaveBeenCalled();
      // (The spy sees it when it is used: a quoted field with a space after its closing quote is csv-parse's.)
      await reference(write('quoted.csv', text + '"0x1" ,0,hwhints,5\r\n'));
      expect(csvParse).toHaveBeenCalled();
    } finally {
      csvParse.mockRestore();
    }
  });

  it('takes the header in the canonical order with its names in any case, as the general reader does', async () => {
    const body = plainCsv(300, 6, false);
    for (const head of ['PFN,NID,SRC,TIME\n', 'Pfn,nId,SRC,time\r\n', 'pfn,nid,src,TIME\n']) {
      const file = write('case.csv', head + body);
      const { recs: want, sink } = collect();
      await readInputs([{ name: file }], sink, { input: DEFAULT_INPUT_SETTINGS, parser: 'csv-parse' });
      const got = allBlocks(file, 1000);
      expect(got, JSON.stringify(head)).toMatchObject({ stop: -1, header: true });
      expect(got.recs).toEqual(want);
    }
    // Not the header: another byte where a letter or a comma is (a form feed folds onto a comma by | 0x20), another order.
    for (const head of ['pfn\fnid,src,time\n', 'pfn,nid,src,tim\u0005\n', 'time,pfn,nid,src\n', 'pfn,nid,src,time \n']) {
      const got = allBlocks(write('notcase.csv', head + body), 1000);
      expect(got, JSON.stringify(head)).toMatchObject({ stop: 0, header: false, recs: [] });
    }
  });

  it('takes a file without a header, and an empty one', async () => {
    const file = write('noheader.csv', plainCsv(500, 2, false));
    const got = allBlocks(file, 64);
    expect(got.header).toBe(false);
    expect(got.recs).toEqual(await reference(file));
    const empty = allBlocks(write('empty.csv', ''), 64);
    expect(empty).toMatchObject({ recs: [], lines: 0, stop: -1, blocks: 1 });
  });

  it('takes lines padded with spaces and tabs, and fields in quotes, once the file started, as the general reader does; a padded first line it leaves', async () => {
    const head = plainCsv(200, 4);
    const padded = ['0x10,0,hwhints,5 \r\n', ' 0x11 , 1,\tpgtscan\t,6\n', '0x12,\t-1,2 ,7\r\n', '  18,0,HWHINTS,8\n', '"0x13",0,"pgtscan",9\n'].join('');
    const file = write('padded.csv', head + padded + plainCsv(50, 5, false) + padded);
    const want = await reference(file);
    expect(want.length).toBe(4 * (200 + 50 + 10));
    for (const bytes of [17, 1000, 1 << 20]) {
      const got = allBlocks(file, bytes);
      expect(got, `blocks of ${bytes}`).toMatchObject({ stop: -1, recs: want });
    }
    // The first content line padded: it may be a header (the general reader decides), so block 0 stops there.
    const first = write('padded-first.csv', '# c\n' + padded + plainCsv(20, 6, false));
    expect(allBlocks(first, 1000)).toMatchObject({ stop: 4, lines: 1, recs: [] });
  });

  it('stops at the first line it does not take, with the lines before it counted', () => {
    const head = plainCsv(200, 3);
    const cases: Array<[string, string]> = [
      ['a bad line', '0x10,0,hwhints,12x\n'],
      ['a CR inside a line', '0x10,0,hw\rhints,5\n'],
      ['two CRs before the LF', '0x10,0,hwhints,5\r\r\n'],
      ['a time of no digits before the CR LF', '0x10,0,hwhints,\r\n'],
      ['a quote not around a whole field', '"0x10"1,0,hwhints,5\n'],
      ['a second header', 'pfn,nid,src,time\n'],
      ['a last line without LF', '0x10,0,hwhints,5'],
    ];
    for (const [what, bad] of cases) {
      const file = write('stop.csv', head + bad + '0x11,0,hwhints,6\n'.repeat(bad.endsWith('\n') ? 50 : 0));
      for (const bytes of [17, 1000, 1 << 20]) {
        const got = allBlocks(file, bytes);
        expect(got.stop, `${what}, blocks of ${bytes}`).toBe(head.length);
        expect(got.lines).toBe(head.split('\n').length - 1);
      }
    }
  });

  it('takes only the header in the canonical order (any case, below), and only as the first content line', () => {
    for (const header of ['pfn, nid, src, time\n', 'time,pfn,nid,src\n', 'pfn,nid,src,time,comm\n']) {
      const got = allBlocks(write('h.csv', `# c\n\n${header}0x1,0,hwhints,5\n`), 1 << 20);
      expect(got).toMatchObject({ stop: 5, lines: 2, header: false, recs: [] });
    }
    const late = allBlocks(write('late.csv', '0x1,0,hwhints,5\npfn,nid,src,time\n'), 1 << 20);
    expect(late).toMatchObject({ stop: 16, lines: 1, header: false });
  });

  it('stops at a block that lies in a line longer than the general reader takes', () => {
    const long = 'x'.repeat((1 << 20) + 10);
    const file = write('long.csv', `0x1,0,hwhints,5\n${long}\n0x2,0,hwhints,6\n`);
    const got = allBlocks(file, 4096);
    expect(got.stop).toBe(16);
    expect(got.recs).toEqual([1, 0, 0, 5]);
  });

  it('stops at a line of 1 MiB + 1 byte that lies whole in a block (the general reader refuses it), takes one of 1 MiB', () => {
    // Leading zeros: a pfn the byte parsers take, however long.
    const text = (n: number) => `0x1,0,hwhints,5\n${'0'.repeat(n - 7)}2,0,0,6\n0x3,0,hwhints,7\n`;
    for (const bytes of [4096, 1 << 20, 4 << 20]) {
      const over = allBlocks(write('over.csv', text((1 << 20) + 1)), bytes);
      expect(over, `blocks of ${bytes}`).toMatchObject({ stop: 16, lines: 1, recs: [1, 0, 0, 5] });
      const exact = allBlocks(write('exact.csv', text(1 << 20)), bytes);
      expect(exact, `blocks of ${bytes}`).toMatchObject({ stop: -1, lines: 3, recs: [1, 0, 0, 5, 2, 0, 0, 6, 3, 0, 0, 7] });
    }
    const { recs, sink } = collect();
    const buf = Buffer.from(`# a\n0x1,0,hwhints,5\n#${'x'.repeat(1 << 20)}\n0x3,0,hwhints,7\n`);
    expect(scanBlock(buf, buf.length, true, sink)).toEqual({ records: 1, lines: 2, header: false, stop: 20 });
    expect(recs).toEqual([1, 0, 0, 5]);
  });

  it('starts with small blocks that double up to the block size, then goes on in whole blocks', () => {
    const fd = fs.openSync(write('at.csv', 'x\n'.repeat(3 << 20)), 'r');
    const r = new BlockReader(fd, 6 << 20, 1 << 20);
    const K = 1024;
    expect([0, 1, 2, 3, 4, 5, 6].map((k) => r.at(k) / K)).toEqual([0, 64, 192, 448, 960, 1984, 3008]);
    expect(r.blocks).toBe(10); // at(9) = 6080 KiB < 6 MiB <= at(10)
    expect(new BlockReader(fd, 100, 7).at(3)).toBe(21); // tiny blocks (tests): no ramp
    fs.closeSync(fd);
  });

  it('scanBlock reports a stop relative to its buffer', () => {
    const { recs, sink } = collect();
    const buf = Buffer.from('pfn,nid,src,time\n0x1,0,hwhints,5\nbad\n');
    expect(scanBlock(buf, buf.length, true, sink)).toEqual({ records: 1, lines: 2, header: true, stop: 33 });
    expect(recs).toEqual([1, 0, 0, 5]);
    expect(scanBlock(buf, buf.length, false, sink).stop).toBe(0); // not the first block: a header is not taken
  });

  it('scanBlock stops at an irregular first line of a block shorter than the header (a short standard input)', () => {
    // The header test compared the header's 17 bytes past the buffer's end: RangeError, exit 70.
    for (const text of ['x\n', '1,0,0,"5"\n', '1,0,0,5\r\r\n', 'pfn,nid\n']) {
      const { recs, sink } = collect();
      const buf = Buffer.from(text);
      expect(scanBlock(buf, buf.length, true, sink), JSON.stringify(text)).toEqual({ records: 0, lines: 0, header: false, stop: 0 });
      expect(recs).toEqual([]);
    }
  });
});

describe('openBlockFile', () => {
  it('opens one regular file, CSV or perf text, as the reader its kind goes to; nothing else', () => {
    const csv = write('o.csv', plainCsv(10, 4));
    const gz = write('o.csv.gz', 'whatever');
    const magic = write('o.bin', Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
    const perf = write('o.txt', '            perf  1234 [000]  1234.567890: ibs_op//: 7f0000001000 1234000\n');
    const s = DEFAULT_INPUT_SETTINGS;
    const opened = (name: string, settings = s, parser: 'auto' | 'csv-parse' = 'auto') => {
      const f = openBlockFile([{ name }], settings, parser);
      if (f !== null) fs.closeSync(f.fd);
      return f === null ? null : { size: f.size, kind: f.kind };
    };
    expect(opened(csv)).toEqual({ size: fs.statSync(csv).size, kind: 'csv' });
    expect(openBlockFile([{ name: csv }, { name: csv }], s, 'auto')).toBeNull();
    expect(opened(csv, s, 'csv-parse')).toBeNull(); // csv-parse asked for: no byte parser
    expect(opened(csv, { ...s, kind: 'perf' })).toEqual({ size: fs.statSync(csv).size, kind: 'perf' }); // --input perf
    expect(opened(perf)).toEqual({ size: fs.statSync(perf).size, kind: 'perf' }); // sniffed as perf text
    expect(opened(perf, s, 'csv-parse')).toEqual({ size: fs.statSync(perf).size, kind: 'perf' }); // the CSV parser's choice
    expect(openBlockFile([{ name: gz }], s, 'auto')).toBeNull();
    expect(openBlockFile([{ name: magic }], s, 'auto')).toBeNull();
    expect(openBlockFile([{ name: '-' }], s, 'auto')).toBeNull();
    expect(openBlockFile([{ name: dir }], s, 'auto')).toBeNull();
    expect(openBlockFile([{ name: path.join(dir, 'missing.csv') }], s, 'auto')).toBeNull();
    expect(opened(perf, { ...s, kind: 'csv' })?.kind).toBe('csv'); // --input csv: read as CSV, whatever it looks like
  });
});
