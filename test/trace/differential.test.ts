/**
 * Fast path vs csv-parse path: seeded random traces, valid and with injected faults, must give the
 * same records and the same error (or the same skipped errors with onBad); and any split of the
 * input into two chunks must give what the whole input gives.
 */
import { describe, it, expect, vi } from 'vitest';
import { CsvPath } from '../../src/trace/csvpath.js';
import type { TraceError } from '../../src/errors.js';
import { errorKey, readStdin, type Outcome } from './helpers.js';
import { prng } from '../prng.js';


const NAMES = ['pfn', 'nid', 'src', 'time'] as const;

function traceGen(seed: number, faultRate: number): string {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (n: number) => Math.floor(r() * n);
  const randCase = (s: string) => [...s].map((ch) => (r() < 0.3 ? ch.toUpperCase() : ch)).join('');
  // Values near and (in faulty traces) above 2^53; 2^53 + 1 and up are not doubles, so BigInt prints them.
  const bigs = [() => 2 ** 53 - 1 - int(4), () => int(1e6), () => int(2 ** 32) * 2 ** 20 + int(2 ** 20)];
  if (faultRate > 0) bigs.push(() => 2 ** 53 + 2 * int(4), () => 2 ** 64);
  const big = () => pick(bigs)();
  // The time cell of the line before: often repeated, as in real traces (hundreds of records share a jiffy), where the
  // byte parser reuses the value of the same ten digits.
  let prevTime: string | null = null;
  const value = (f: (typeof NAMES)[number]): string => {
    switch (f) {
      case 'pfn': {
        const u = r();
        const v = u < 0.1 ? big() : u < 0.15 ? int(300) : 0x200000 + int(0x200000);
        // Hex digits in either case, sometimes with leading zeros (the byte parser reads 7 digits as integers, then doubles).
        const zeros = r() < 0.1 ? '0'.repeat(1 + int(9)) : '';
        return r() < 0.5 ? (r() < 0.2 ? '0X' : '0x') + zeros + randCase(v.toString(16)) : zeros + BigInt(v).toString();
      }
      case 'nid':
        return String(int(5) - 1);
      case 'src':
        return r() < 0.6 ? randCase(pick(['hwhints', 'pgtscan'])) : String(pick([0, 1, 7, 2147483647, int(100)]));
      case 'time':
        if (prevTime !== null && r() < 0.4) return prevTime;
        // 9 digits as integers, then doubles: short, exactly 9 and 10 digits, leading zeros, near 2^53.
        return r() < 0.1
          ? BigInt(big()).toString()
          : r() < 0.1
            ? (r() < 0.5 ? '000' : '') + String(pick([int(1000), 999999999 - int(3), 1000000000 + int(3)]))
            : String(2 ** 31 + int(1e6));
    }
  };
  const crlfFile = r() < 0.1;
  const nl = crlfFile ? '\r\n' : '\n';
  const lines: string[] = []; // each with its line end
  const blanks = () => {
    while (r() < 0.15) lines.push(pick(['# comment, with "quotes"', '', '   ', '\t', '  # indented']) + nl);
  };
  blanks();
  // Header: none, plain, or another layout with an extra column.
  let layout: string[] = [...NAMES];
  const h = r();
  if (h < 0.4) lines.push(NAMES.map(randCase).join(',') + nl);
  else if (h < 0.6) {
    layout = [...NAMES].sort(() => r() - 0.5);
    layout.splice(int(5), 0, 'cpu');
    lines.push(layout.map(randCase).join(',') + nl);
  }
  const n = 5 + int(30);
  for (let i = 0; i < n; i++) {
    blanks();
    let cells = layout.map((c) => (c === 'cpu' ? String(int(16)) : value(c as (typeof NAMES)[number])));
    const ti = layout.indexOf('time');
    const sameTime = cells[ti] === prevTime;
    prevTime = cells[ti]!;
    let eol = nl;
    if (r() < faultRate || (sameTime && faultRate > 0 && r() < 0.3)) {
      const k = int(cells.length);
      switch (sameTime ? 12 : int(12)) {
        case 0: // bad digit
          cells[k] = cells[k]!.slice(0, -1) + pick(['g', 'z', '-', '.', 'x', '#']);
          break;
        case 1: // missing field
          cells.splice(k, 1);
          break;
        case 2: // extra field
          cells.push('9');
          break;
        case 3: // spaces around a field
          cells[k] = pick([' ', '\t', '  ']) + cells[k] + pick(['', ' ', '\t']);
          break;
        case 4: // quotes
          cells[k] = `"${cells[k]}"`;
          break;
        case 5: // CRLF on this line
          eol = '\r\n';
          break;
        case 6: // empty field
          cells[k] = '';
          break;
        case 7: // negative
          cells[k] = '-' + cells[k];
          break;
        case 8: // large numbers
          cells[k] = pick(['9007199254740992', '9007199254740991', '0x1fffffffffffff', '0x20000000000000', '99999999999999999999999', '2147483648']);
          break;
        case 9: // a stray or unclosed quote
          cells[k] = pick(['"1', '1"', '"1"x']);
          break;
        case 10: // bytes the fast path does not take
          cells = [cells.join(pick([' ,', ';', ',,']))];
          break;
        case 11: {
          // A source name one byte off at each position, or a byte short or long (the byte parser reads the name's
          // bytes 1-4 and 3-6 as two words).
          const si = layout.indexOf('src');
          if (si >= 0 && si < cells.length) {
            const name = pick(['hwhints', 'pgtscan']);
            const at = int(name.length + 2);
            cells[si] = randCase(
              at < name.length ? name.slice(0, at) + pick(['x', '0', '@', '`', '_', '{']) + name.slice(at + 1) : at === name.length ? name.slice(0, -1) : name + 's',
            );
          }
          break;
        }
        case 12: // the time of the line before, and more: a digit, a letter, a space, a CR
          cells[ti] = cells[ti] + pick(['0', '9', 'x', ' ', '\r']);
          break;
      }
    }
    // The last line sometimes has no line end.
    lines.push(cells.join(',') + (i === n - 1 && r() < 0.2 ? '' : eol));
  }
  return lines.join('');
}

async function both(chunks: string[], onBad: boolean): Promise<[unknown, unknown]> {
  const run = async (parser: 'auto' | 'csv-parse') => {
    const bad: TraceError[] = [];
    const o: Outcome = await readStdin(chunks, onBad ? { parser, onBad: (e) => bad.push(e) } : { parser });
    return { recs: o.recs, error: errorKey(o.error), bad: bad.map(errorKey), skipped: o.stats?.skipped };
  };
  return [await run('auto'), await run('csv-parse')];
}

describe('fast path and csv-parse agree', () => {
  it('on 400 valid traces', async () => {
    let records = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const csv = traceGen(seed, 0);
      const [fast, ref] = await both([csv], false);
      expect(fast, `seed ${seed}:\n${csv}`).toEqual(ref);
      records += (ref as { recs: unknown[] }).recs.length;
      expect((ref as { error?: unknown }).error, `seed ${seed}`).toBeUndefined();
    }
    expect(records).toBeGreaterThan(4000); // the generator really makes records
  });

  it('on 600 traces with faults (first error thrown)', async () => {
    let errors = 0;
    for (let seed = 1000; seed < 1600; seed++) {
      const csv = traceGen(seed, 0.08);
      const [fast, ref] = await both([csv], false);
      expect(fast, `seed ${seed}:\n${csv}`).toEqual(ref);
      if ((ref as { error?: unknown }).error) errors++;
    }
    expect(errors).toBeGreaterThan(200);
  });

  it('on 600 traces with faults (onBad: every bad line skipped)', async () => {
    let skipped = 0;
    for (let seed = 2000; seed < 2600; seed++) {
      const csv = traceGen(seed, 0.08);
      const [fast, ref] = await both([csv], true);
      expect(fast, `seed ${seed}:\n${csv}`).toEqual(ref);
      skipped += (ref as { skipped: number }).skipped;
    }
    expect(skipped).toBeGreaterThan(300);
  });

  it('on source names one byte off, at every position (every bad line skipped)', async () => {
    // The byte parser folds bytes with | 0x20 and compares bytes 1-4 and 3-6 as words: each byte of each name is
    // replaced by its other case, by bytes one bit away, and by bytes no letter folds from.
    const rows: string[] = [];
    for (const name of ['hwhints', 'pgtscan']) {
      for (let i = 0; i < name.length; i++) {
        const b = name.charCodeAt(i);
        // Printable bytes only, no comma or quote: a line with anything else hands the rest of the input to csv-parse.
        const bytes = [b ^ 0x20, b ^ 0x01, b ^ 0x02, b ^ 0x04, b ^ 0x40, b ^ 0x60, 0x40, 0x60, 0x30, 0x5f];
        for (const x of bytes.filter((v) => v > 0x20 && v < 0x7f && v !== 0x2c && v !== 0x22)) {
          rows.push(`0x${(0x200000 + rows.length).toString(16)},0,${name.slice(0, i)}${String.fromCharCode(x)}${name.slice(i + 1)},${1000 + rows.length}`);
        }
      }
      rows.push(`0x300000,0,${name.slice(0, -1)},1`, `0x300001,0,${name}s,1`, `0x300002,0,${name.toUpperCase()},1`);
    }
    const [fast, ref] = await both([rows.join('\n') + '\n'], true);
    expect(fast).toEqual(ref);
    const r = ref as { recs: unknown[]; bad: unknown[] };
    expect(r.recs.length).toBe(16); // the 14 names with one byte in the other case, and the 2 in upper case
    expect(r.bad.length).toBeGreaterThan(100);
  });
});

/** The fast read of `text` gives csv-parse's records, `n` of them, with no line left to csv-parse. */
async function fastAlone(text: string, n: number, label = ''): Promise<void> {
  const [fast, ref] = await both([text], false);
  expect(fast, label).toEqual(ref);
  expect((ref as { recs: unknown[] }).recs.length, label).toBe(n);
  const spy = vi.spyOn(CsvPath.prototype, 'push');
  try {
    expect((await readStdin([text], { parser: 'auto' })).recs.length, label).toBe(n);
    expect(spy, label).not.toHaveBeenCalled();
  } finally {
    spy.mockRestore();
  }
}

describe('a file in another layout (its header names the columns in another order, or more of them)', () => {
  const HEAD = 'time,src,cpu,PFN,nid';
  const row = (time: string, src: string, pfn: string, nid: string) => `${time},${src},3,${pfn},${nid}`;

  it('reads each field as csv-parse does, every odd value and a name one byte off included (every bad line skipped)', async () => {
    const rows = [HEAD];
    const odd: Record<string, string[]> = {
      time: ['0', '4294892296', '0004294892296', '9007199254740991', '9007199254740992', '', '-1', '1e9', '12x', '+1'],
      src: ['hwhints', 'PGTSCAN', 'hwhint', 'hwhintss', 'hwhinta', 'pgtscam', '0', '2147483647', '2147483648', '-1', '', 'Pgtscan'],
      pfn: ['0x200000', '0X1f', '0x', '0xg', '0x1fffffffffffff', '0x20000000000000', '9007199254740991', '9007199254740992', '00012', '-5', '', 'x1'],
      nid: ['0', '-1', '-0', '-2', '-', '2147483647', '2147483648', '01', '+1', ''],
    };
    for (const t of odd.time!) rows.push(row(t, 'hwhints', '0x200001', '0'));
    for (const v of odd.src!) rows.push(row('1000', v, '0x200002', '1'));
    for (const v of odd.pfn!) rows.push(row('1001', 'pgtscan', v, '-1'));
    for (const v of odd.nid!) rows.push(row('1002', '7', '0x200003', v));
    // Lines of another width, blank and `#` lines, CR LF ends, and a last field with CR CR.
    rows.push('1003,hwhints,3,0x200004', '1003,hwhints,3,0x200004,0,9', '', '# note', row('1004', 'hwhints', '0x5', '0') + '\r', row('1005', 'hwhints', '0x6', '0') + '\r\r');
    const [fast, ref] = await both([rows.join('\n') + '\n'], true);
    expect(fast).toEqual(ref);
    const r = ref as { recs: unknown[]; bad: unknown[] };
    // The valid ones (by hand): 4 times, 5 sources, 5 pfns, 5 nids, and the line ending in CR LF.
    expect(r.recs.length).toBe(20);
    expect(r.bad.length).toBe(rows.length - 1 - 2 - 20);
  });

  it('fields padded with spaces and tabs, in either layout: what csv-parse reads, and no line left to it', async () => {
    const pad = (i: number) => [' ', '\t', '  ', ''][i % 4]!;
    for (const head of ['pfn, nid ,src,\ttime', `${HEAD.replace(/,/g, ' , ')}`, '']) {
      const lines = head === '' ? [] : [head];
      for (let i = 0; i < 3000; i++) {
        const cells = { time: String(4294892296 + (i >> 4)), src: i % 2 ? 'hwhints' : '1', pfn: `0x${(0x200000 + i * 7).toString(16)}`, nid: String((i % 3) - 1) };
        const order = head.startsWith('time') ? ['time', 'src', 'cpu', 'pfn', 'nid'] : ['pfn', 'nid', 'src', 'time'];
        lines.push(order.map((c, k) => `${pad(i + k)}${c === 'cpu' ? '3' : cells[c as keyof typeof cells]}${pad(i + 2 * k)}`).join(','));
        if (i % 500 === 7) lines.push(pad(i) + pad(i + 1), `${pad(i)}# indented`);
      }
      await fastAlone(lines.join('\n') + '\n', 3000, JSON.stringify(head));
    }
  });

  it('fields in quotes, as R writes them (a quoted header and row names): what csv-parse reads, no line left to it', async () => {
    const lines = ['"","pfn","nid","src","time"'];
    for (let i = 0; i < 3000; i++) {
      lines.push(`"${i + 1}","0x${(0x200000 + i * 7).toString(16)}",${(i % 3) - 1},"${i % 2 ? 'hwhints' : 'PGTSCAN'}",${4294892296 + (i >> 4)}`);
      // A `#` line that reads as data after its first column (which no field reads): a comment all the same.
      if (i % 500 === 3) lines.push(`#${i},0x1f,0,"hwhints",4294892296`);
    }
    for (const eol of ['\n', '\r\n']) await fastAlone(lines.join(eol) + eol, 3000, JSON.stringify(eol));
    // Quotes the byte loops leave to csv-parse (or to its error): around a space, not first or last, doubled, around a
    // comma in a column no field reads; and empty quotes. Every bad line skipped, one file each (csv-parse reads the rest).
    const odd = ['"1"x', 'x"1"', '" 1"', '"1" ', ' "1"', '""', '"""1"', '"1', '1"', '"0x1f"', '"a,b"'];
    for (const v of odd) {
      for (const at of ['pfn', 'nid', 'row']) {
        const row = (pfn: string, nid: string, name: string) => `${name},${pfn},${nid},"hwhints",4294892296`;
        const odder = at === 'pfn' ? row(v, '0', '"2"') : at === 'nid' ? row('0x200002', v, '"2"') : row('0x200002', '0', v);
        const rows = ['"","pfn","nid","src","time"', row('0x200001', '0', '"1"'), odder, row('0x200003', '1', '"3"')];
        const [fast, ref] = await both([rows.join('\n') + '\n'], true);
        expect(fast, `${at} ${v}`).toEqual(ref);
      }
    }
  });

  it('reads a valid one with no line left to csv-parse', async () => {
    const lines = [HEAD];
    for (let i = 0; i < 5000; i++) lines.push(row(String(4294892296 + (i >> 4)), i % 2 ? 'hwhints' : '1', `0x${(0x200000 + i * 7).toString(16)}`, String((i % 3) - 1)));
    for (const eol of ['\n', '\r\n']) await fastAlone(lines.join(eol) + eol, 5000, JSON.stringify(eol));
  });
});

describe('chunk boundaries', () => {
  const inputs: [string, string][] = [
    ['plain with header, comments, hex', '# c\npfn,nid,src,time\n0x200000,0,hwhints,1000\n\n2097153,-1,PGTSCAN,1001\n#x\n5,3,7,9007199254740991\n'],
    ['switch to csv-parse mid-file', '1,0,0,1\n2,0,0,2\n 3 ,0,0,3\r\n"4",0,0,4\n5,0,0,5'],
    ['header in another layout', 'time,src,pfn,nid\n1,hwhints,0x10,0\n2,pgtscan,0x11,1\n'],
    ['a bad value after good lines', '1,0,0,1\n2,0,0,2\n3,0,0,3\n4,0,bad,4\n5,0,0,5\n'],
    ['BOM and CRLF', '\ufeffpfn,nid,src,time\r\n1,0,0,1\r\n2,0,0,2\r\n'],
  ];
  it.each(inputs)('%s: every 2-chunk split gives the whole-input result', async (_name, csv) => {
    const [fastWhole, want] = await both([csv], true);
    expect(fastWhole).toEqual(want);
    expect((want as { recs: unknown[] }).recs.length).toBeGreaterThan(1);
    const bytes = Buffer.from(csv);
    for (let cut = 0; cut <= bytes.length; cut++) {
      // Byte splits, also inside the UTF-8 BOM.
      const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
      for (const parser of ['auto', 'csv-parse'] as const) {
        const bad: TraceError[] = [];
        const o = await readStdin(chunks, { parser, onBad: (e) => bad.push(e) });
        const got = { recs: o.recs, error: errorKey(o.error), bad: bad.map(errorKey), skipped: o.stats?.skipped };
        expect(got, `cut ${cut} ${parser}`).toEqual(want);
      }
    }
  });
});
