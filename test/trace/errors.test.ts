import { describe, it, expect } from 'vitest';
import { EXIT_USAGE, TraceError } from '../../src/errors.js';
import { CsvPath } from '../../src/trace/csvpath.js';
import { FastParser } from '../../src/trace/fast.js';
import { MAX_LINE_BYTES, TraceFile, type ReadContext } from '../../src/trace/tracefile.js';
import { errorOf, readFiles, readStdin, tempFile } from './helpers.js';

const PARSERS = ['auto', 'fast', 'csv-parse'] as const;

/** Expected error context; `field` absent means the whole line is at fault. */
interface Want {
  line: number;
  column: number;
  field?: string;
  text: string;
  reason: string;
}

const CASES: [name: string, csv: string, want: Want][] = [
  ['pfn = 2^53 (decimal)', '9007199254740992,0,0,1\n', { line: 1, column: 1, field: 'pfn', text: '9007199254740992', reason: 'pfn is out of range [0, 2^53)' }],
  ['pfn = 2^53 (hex)', '1,0,0,1\n0x20000000000000,0,0,1\n', { line: 2, column: 1, field: 'pfn', text: '0x20000000000000', reason: 'pfn is out of range [0, 2^53)' }],
  ['pfn far above 2^64', '123456789012345678901234567890,0,0,1\n', { line: 1, column: 1, field: 'pfn', text: '123456789012345678901234567890', reason: 'pfn is out of range [0, 2^53)' }],
  ['pfn negative', '-1,0,0,1\n', { line: 1, column: 1, field: 'pfn', text: '-1', reason: 'pfn is out of range [0, 2^53)' }],
  ['pfn bad hex digit', '0x1g,0,0,1\n', { line: 1, column: 1, field: 'pfn', text: '0x1g', reason: 'pfn is not a decimal or 0x hex integer' }],
  ['pfn bare 0x', '0x,0,0,1\n', { line: 1, column: 1, field: 'pfn', text: '0x', reason: 'pfn is not a decimal or 0x hex integer' }],
  ['time negative', '1,0,0,-5\n', { line: 1, column: 4, field: 'time', text: '-5', reason: 'time is out of range [0, 2^53)' }],
  ['time = 2^53', '1,0,0,9007199254740992\n', { line: 1, column: 4, field: 'time', text: '9007199254740992', reason: 'time is out of range [0, 2^53)' }],
  ['time not a number', '1,0,0,12a\n', { line: 1, column: 4, field: 'time', text: '12a', reason: 'time is not a decimal integer' }],
  ['time in hex', '1,0,0,0x10\n', { line: 1, column: 4, field: 'time', text: '0x10', reason: 'time is not a decimal integer' }],
  ['nid -2', '1,-2,0,1\n', { line: 1, column: 2, field: 'nid', text: '-2', reason: 'nid must be an integer >= -1' }],
  ['nid above INT_MAX', '1,2147483648,0,1\n', { line: 1, column: 2, field: 'nid', text: '2147483648', reason: 'nid is out of range [-1, 2^31)' }],
  ['nid in hex', '1,0x1,0,1\n', { line: 1, column: 2, field: 'nid', text: '0x1', reason: 'nid is not a decimal integer' }],
  ['bad src name', '1,0,hwhint,1\n', { line: 1, column: 3, field: 'src', text: 'hwhint', reason: 'unknown source name' }],
  ['src longer than a name', '1,0,hwhintsx,1\n', { line: 1, column: 3, field: 'src', text: 'hwhintsx', reason: 'unknown source name' }],
  ['src negative', '1,0,-1,1\n', { line: 1, column: 3, field: 'src', text: '-1', reason: 'src must be an integer >= 0' }],
  ['src above INT_MAX', '1,0,2147483648,1\n', { line: 1, column: 3, field: 'src', text: '2147483648', reason: 'src is out of range [0, 2^31)' }],
  ['empty field', '1,,0,1\n', { line: 1, column: 2, field: 'nid', text: '', reason: 'nid is empty' }],
  ['empty last field', '1,0,0,\n', { line: 1, column: 4, field: 'time', text: '', reason: 'time is empty' }],
  ['too few fields', '1,0,0,1\n1,0,0\n', { line: 2, column: 4, text: '1,0,0', reason: 'expected 4 fields, found 3' }],
  ['too many fields', '1,0,0,1,9\n', { line: 1, column: 5, text: '1,0,0,1,9', reason: 'expected 4 fields, found 5' }],
  ['header lacks a column', 'pfn,nid,time\n1,0,1\n', { line: 1, column: 0, text: 'pfn,nid,time', reason: 'header lacks column "src"' }],
  ['header names a column twice', 'pfn,nid,src,time,PFN\n', { line: 1, column: 5, field: 'pfn', text: 'PFN', reason: 'header names column "pfn" twice' }],
  ['header width is the line width', 'pfn,nid,src,time,cpu\n1,0,0,1\n', { line: 2, column: 5, text: '1,0,0,1', reason: 'expected 5 fields, found 4' }],
  ['column of a named layout', '# c\n\ntime,pfn,nid,src\n5,1,0,bad\n', { line: 4, column: 4, field: 'src', text: 'bad', reason: 'unknown source name' }],
  ['leftmost bad field in a named layout', 'src,time,pfn,nid\nx,y,1,0\n', { line: 2, column: 1, field: 'src', text: 'x', reason: 'unknown source name' }],
  ['a second header is data', 'pfn,nid,src,time\n1,0,0,1\npfn,nid,src,time\n', { line: 3, column: 1, field: 'pfn', text: 'pfn', reason: 'pfn is not a decimal or 0x hex integer' }],
  ['comment mark inside a line', '1,0,0,1#x\n', { line: 1, column: 4, field: 'time', text: '1#x', reason: 'time is not a decimal integer' }],
  ['line numbers count comments and blank lines', '# a\n\n  \npfn,nid,src,time\n#b\n1,0,0,1\n\n1,0,0,x\n', { line: 8, column: 4, field: 'time', text: 'x', reason: 'time is not a decimal integer' }],
  ['a bad value after spaces (csv-parse path)', ' 1 , 0 , 0 , 1\n 2 ,0, nope ,1\n', { line: 2, column: 3, field: 'src', text: 'nope', reason: 'unknown source name' }],
  ['CRLF line numbers', '1,0,0,1\r\n\r\n1,0,0,z\r\n', { line: 3, column: 4, field: 'time', text: 'z', reason: 'time is not a decimal integer' }],
  ['a stray quote', '1,0,0,1\n"0x1"x,0,0,1\n', { line: 2, column: 1, field: 'pfn', text: '"0x1"x,0,0,1', reason: 'a closing quote is followed by something other than a comma or the line end' }],
  ['an unclosed quote', '1,0,0,1\n"0x1,0,0,1\n2,0,0,2\n', { line: 2, column: 1, field: 'pfn', text: '"0x1,0,0,1', reason: 'quoted field is not closed on its line' }],
  ['an unclosed quote in a later field', '1,0,0,1\n1,0,"0,1\n', { line: 2, column: 3, field: 'src', text: '1,0,"0,1', reason: 'quoted field is not closed on its line' }],
  ['an unclosed quote after closed ones', '1,"0","0","1\n', { line: 1, column: 4, field: 'time', text: '1,"0","0","1', reason: 'quoted field is not closed on its line' }],
  ['a field padded with NBSP', 'pfn,nid,src,time\n0x200000,0,hwhints,5\u00a0\n', { line: 2, column: 4, field: 'time', text: '5\u00a0', reason: 'time is padded with U+00A0: only spaces and tabs may pad a field' }],
  ['a field padded with EM SPACE', '1\u2003,0,0,5\n', { line: 1, column: 1, field: 'pfn', text: '1\u2003', reason: 'pfn is padded with U+2003: only spaces and tabs may pad a field' }],
  // csv-parse trims only spaces, tabs and form feeds on the left: EM SPACE stays in the field, which is then no number.
  ['a field led by EM SPACE', '\u2003 1,0,0,5\n', { line: 1, column: 1, field: 'pfn', text: '\u2003 1', reason: 'pfn is not a decimal or 0x hex integer' }],
  ['a field padded with VT', '1,0\u000b,0,5\n', { line: 1, column: 2, field: 'nid', text: '0\u000b', reason: 'nid is padded with U+000B: only spaces and tabs may pad a field' }],
  ['a field padded with FF', '1,0,\f0,5\n', { line: 1, column: 3, field: 'src', text: '\f0', reason: 'src is padded with U+000C: only spaces and tabs may pad a field' }],
  ['a quoted field padded with FF', '1,0,0, "5"\f\n', { line: 1, column: 4, field: 'time', text: ' "5"\f', reason: 'time is padded with U+000C: only spaces and tabs may pad a field' }],
  ['a CR inside a line', '1,0,0\r,5\r\n', { line: 1, column: 3, field: 'src', text: '0\r', reason: 'src is padded with U+000D: only spaces and tabs may pad a field' }],
  ['a header cell padded with NBSP', 'pfn,nid\u00a0,src,time\n1,0,0,5\n', { line: 1, column: 2, field: 'nid', text: 'nid\u00a0', reason: 'nid is padded with U+00A0: only spaces and tabs may pad a field' }],
];

describe.each(PARSERS)('trace errors (parser %s)', (parser) => {
  it.each(CASES)('%s', async (_name, csv, want) => {
    const e = await errorOf(csv, { parser });
    expect(e).toBeInstanceOf(TraceError);
    expect(e.code).toBe('KPROMO_TRACE');
    expect(e.exitCode).toBe(EXIT_USAGE);
    expect({ file: e.file, line: e.line, column: e.column, field: e.field, text: e.text, reason: e.reason }).toEqual({
      file: '-',
      field: undefined,
      ...want,
    });
  });
});

describe.each(PARSERS)('overlong lines (parser %s)', (parser) => {
  it('rejects a line longer than 1 MiB instead of buffering it, at the field where it passed the cap', async () => {
    const long = '1'.repeat(1100 * 1024);
    const chunks = ['1,0,0,1\n', long.slice(0, 600 * 1024), long.slice(600 * 1024), ',0,0,1\n'];
    const { readStdin } = await import('./helpers.js');
    const o = await readStdin(chunks, { parser });
    expect(o.recs).toEqual([[1, 0, 0, 1]]);
    expect(o.error).toMatchObject({ code: 'KPROMO_TRACE', line: 2, column: 1, reason: 'line is longer than 1048576 bytes', longerThan: 1048576 });
    const late = await readStdin(['1,0,', long, ',1\n'], { parser });
    expect(late.error).toMatchObject({ line: 1, column: 3 });
  });

  it('refuses a line of 1 MiB + 1 byte however the reads cut it, whole in one read too, and reads one of 1 MiB', async () => {
    const CAP = 1 << 20;
    const { readStdin } = await import('./helpers.js');
    /** The text cut into reads of `size` bytes. */
    const cut = (text: string, size: number): string[] => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
    /** Ways the reads cut a text: whole (a block, a large pipe read), as gunzip (256 KiB), a pipe (64 KiB), read-ahead (1 MiB), a held part then the rest. */
    const reads = (text: string): string[][] => [[text], cut(text, 256 << 10), cut(text, 64 << 10), cut(text, 1 << 20), [text.slice(0, 600 << 10), text.slice(600 << 10)]];
    // Lines of `n` bytes before the LF, and the field byte CAP lies in: data (leading zeros), a comment, a CRLF line
    // (its CR is a byte of the line).
    const data = (n: number): string => '0'.repeat(n - 7) + '1,0,0,2';
    const lines: [line: (n: number) => string, column: number, recs: number[][]][] = [
      [data, 4, [[16, 0, 0, 1], [1, 0, 0, 2], [17, 0, 0, 3]]],
      [(n) => '#' + 'x'.repeat(n - 1), 1, [[16, 0, 0, 1], [17, 0, 0, 3]]],
      [(n) => data(n - 1) + '\r', 4, [[16, 0, 0, 1], [1, 0, 0, 2], [17, 0, 0, 3]]],
    ];
    for (const [line, column, recs] of lines) {
      const over = `0x10,0,hwhints,1\n${line(CAP + 1)}\n0x11,0,hwhints,3\n`;
      const exact = `0x10,0,hwhints,1\n${line(CAP)}\n0x11,0,hwhints,3\n`;
      for (const chunks of reads(over)) {
        const o = await readStdin(chunks, { parser });
        expect(o.error, `${JSON.stringify(line(CAP + 1).slice(-3))}, reads of ${chunks[0]!.length} bytes`).toMatchObject({ line: 2, column, reason: 'line is longer than 1048576 bytes' });
        expect(o.error!.text).toBe(line(CAP + 1).slice(0, 200));
        expect(o.recs).toEqual([[16, 0, 0, 1]]);
      }
      for (const chunks of reads(exact)) {
        const o = await readStdin(chunks, { parser });
        expect(o.error, `reads of ${chunks[0]!.length} bytes`).toBeUndefined();
        expect(o.recs).toEqual(recs);
      }
    }
  });

  it('quotes the first 200 characters of the line, wherever the chunks cut it, and says it is longer than the cap', async () => {
    // A chunk that ends 2 bytes into the line, then one that takes it past the cap: the quote once held 62 bytes of
    // memory never written after the 2 held.
    // (Its line end comes in a later chunk: held whole, the line is over the cap before it ends, with either parser.)
    const long = '0x' + 'a'.repeat(1100 * 1024);
    const { readStdin } = await import('./helpers.js');
    for (const first of [1, 2, 63, 64, 65, 199, 200, 201, 4096]) {
      const o = await readStdin(['1,0,0,1\n' + long.slice(0, first), long.slice(first), ',0,0,1\n2,0,0,2\n'], { parser });
      expect(o.error, `first chunk ${first} bytes into the line`).toMatchObject({ line: 2, column: 1, text: long.slice(0, 200) });
      expect(o.error!.message).toBe(`-:2:1: line is longer than 1048576 bytes: "${long.slice(0, 200)}"... (more than 1048576 bytes)`);
    }
  });
});

describe.each(PARSERS)('overlong lines with onBad (--skip-bad) (parser %s)', (parser) => {
  const CAP = 1 << 20;
  /** The text cut into reads of `size` bytes. */
  const cut = (text: string, size: number): string[] => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
  /** Ways the reads cut a text: whole, as gunzip (256 KiB), a pipe (64 KiB), read-ahead (1 MiB), a held part then the rest. */
  const reads = (text: string): string[][] => [[text], cut(text, 256 << 10), cut(text, 64 << 10), cut(text, 1 << 20), [text.slice(0, 600 << 10), text.slice(600 << 10)]];
  const data = (n: number): string => '0'.repeat(n - 7) + '1,0,0,2';
  const LONG = 'line is longer than 1048576 bytes';
  /** The skipped lines' errors as onBad got them. */
  const key = (e: TraceError) => ({ line: e.line, column: e.column, reason: e.reason, text: e.text, longerThan: e.longerThan });

  it('skips a line of 1 MiB + 1 byte or of several MiB however the reads cut it, and reads on after its LF', async () => {
    // Lines of `n` bytes, and the field byte CAP lies in: data (leading zeros), a comment, a CRLF line.
    const kinds: [line: (n: number) => string, column: (n: number) => number][] = [
      [data, (n) => (n === CAP + 1 ? 4 : 1)],
      [(n) => '#' + 'x'.repeat(n - 1), () => 1],
      [(n) => data(n - 1) + '\r', (n) => (n === CAP + 1 ? 4 : 1)],
    ];
    for (const [line, column] of kinds) {
      for (const n of [CAP + 1, 3 * CAP + 5]) {
        // A bad line after it: its line number counts the long line as one.
        const over = `0x10,0,hwhints,1\n${line(n)}\n0x11,0,hwhints,3\n1,0,0,x\n0x12,0,hwhints,5\n`;
        for (const chunks of reads(over)) {
          const bad: TraceError[] = [];
          const o = await readStdin(chunks, { parser, onBad: (e) => bad.push(e) });
          const what = `${JSON.stringify(line(n).slice(-3))} of ${n} bytes, reads of ${chunks[0]!.length} bytes`;
          expect(o.error, what).toBeUndefined();
          expect(o.recs, what).toEqual([[16, 0, 0, 1], [17, 0, 0, 3], [18, 0, 0, 5]]);
          expect(bad.map(key), what).toEqual([
            { line: 2, column: column(n), reason: LONG, text: line(n).slice(0, 200), longerThan: CAP },
            { line: 4, column: 4, reason: 'time is not a decimal integer', text: 'x', longerThan: undefined },
          ]);
          expect(o.stats!.skipped).toBe(2);
        }
      }
    }
  });

  it('gives the records of the trace without the long line: first, last with and without LF, two in a row', async () => {
    const long = data(CAP + 100);
    const cases: [over: string, without: string, lines: number[]][] = [
      [`${long}\npfn,nid,src,time\n1,0,0,1\n`, 'pfn,nid,src,time\n1,0,0,1\n', [1]],
      [`1,0,0,1\n2,0,0,2\n${long}`, '1,0,0,1\n2,0,0,2\n', [3]],
      // Last without LF, 1 MiB + 1 byte: held whole until the end says it has no more.
      [`1,0,0,1\n2,0,0,2\n${data(CAP + 1)}`, '1,0,0,1\n2,0,0,2\n', [3]],
      [`1,0,0,1\n2,0,0,2\n${long}\n`, '1,0,0,1\n2,0,0,2\n', [3]],
      [`1,0,0,1\n${long}\n${long}\n2,0,0,2\n${'#'.repeat(CAP + 1)}\n3,0,0,3\n`, '1,0,0,1\n2,0,0,2\n3,0,0,3\n', [2, 3, 5]],
      // A quoted line before it (the general reader's csv-parse holds it back) and after it.
      [`"1",0,0,1\n${long}\n"2",0,0,2\n`, '"1",0,0,1\n"2",0,0,2\n', [2]],
    ];
    for (const [over, without, lines] of cases) {
      const want = await readStdin([without], { parser });
      for (const chunks of reads(over)) {
        const bad: TraceError[] = [];
        const o = await readStdin(chunks, { parser, onBad: (e) => bad.push(e) });
        expect(o.error).toBeUndefined();
        expect(o.recs).toEqual(want.recs);
        expect(bad.map((e) => e.line)).toEqual(lines);
        expect(bad.every((e) => e.reason === LONG)).toBe(true);
      }
    }
  });
});

describe('an overlong line skipped with onBad is never held', () => {
  it('discards 16 MiB without a line end holding at most 1 MiB of it (both parsers), and reads the line after its LF', () => {
    for (const Parser of [FastParser, CsvPath]) {
      const recs: number[][] = [];
      const errs: TraceError[] = [];
      const ctx: ReadContext = { sink: { record_access: (p, n, s, t) => void recs.push([p, n, s, t]) }, onBad: (e) => void errs.push(e), records: 0, skipped: 0 };
      const file = new TraceFile('-', ctx);
      const parser = new Parser(file);
      const held = (): number => {
        const carry = (parser as unknown as { carry: Buffer | null }).carry;
        return carry === null ? 0 : carry.length;
      };
      const zeros = Buffer.alloc(64 << 10, '0');
      for (let pushed = 0; pushed < 16 << 20; pushed += zeros.length) {
        expect(parser.push(zeros)).toBeFalsy();
        expect(held(), Parser.name).toBeLessThanOrEqual(MAX_LINE_BYTES + 1);
      }
      parser.push(Buffer.from('1,0,0,1\n2,0,0,2\n'));
      parser.end();
      expect(recs, Parser.name).toEqual([[2, 0, 0, 2]]);
      expect(errs.map((e) => [e.line, e.reason, e.text])).toEqual([[1, 'line is longer than 1048576 bytes', '0'.repeat(200)]]);
      expect(file.line).toBe(2);
      expect(ctx.skipped).toBe(1);
    }
  });
});

describe('trace file errors', () => {
  it('names the file of a bad line in a multi-file replay', async () => {
    const a = tempFile('ok.csv', '1,0,0,1\n');
    const b = tempFile('bad.csv', 'pfn,nid,src,time\n2,0,0,2\n3,-7,0,3\n');
    const o = await readFiles([a, b]);
    expect(o.recs).toEqual([
      [1, 0, 0, 1],
      [2, 0, 0, 2],
    ]);
    expect(o.error).toMatchObject({ code: 'KPROMO_TRACE', file: b, line: 3, column: 2, field: 'nid', text: '-7' });
    expect(o.error!.message).toBe(`${b}:3:2 (nid): nid must be an integer >= -1: "-7"`);
  });

  it('reports an unknown file with the OS reason at line 0', async () => {
    const o = await readFiles(['/nonexistent/kpromo/trace.csv']);
    expect(o.error).toMatchObject({
      code: 'KPROMO_TRACE_IO',
      file: '/nonexistent/kpromo/trace.csv',
      line: 0,
      column: 0,
      reason: 'ENOENT: no such file or directory',
    });
  });

  it('reports a directory as unreadable', async () => {
    const o = await readFiles(['/tmp']);
    expect(o.error).toMatchObject({ code: 'KPROMO_TRACE_IO', file: '/tmp', line: 0 });
    expect(o.error!.reason).toMatch(/^EISDIR/);
  });
});
