import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { quoteName } from '../../src/errors.js';
import { main } from '../../src/cli/main.js';
import { CaptureOut, type Io } from '../../src/cli/io.js';
import { useParseThread } from '../../src/run/replay.js';
import { earlyParseThreadsTaken, startParseThreadEarly } from '../../src/trace/early-worker.js';
import { PerfPrinter } from '../trace/perf-gen.js';
import { prng } from '../prng.js';
import { runCli } from './run-cli.js';

const EX = path.resolve(__dirname, '../../traces');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-convert-'));

// Comments, blank lines, a header in another order with an extra column, hex and decimal pfns, src names
// in any case and as numbers.
const CSV = [
  '# recorded by hand',
  'time,src,extra,nid,pfn',
  '',
  '4294892296,hwhints,x,0,0x200000',
  '4294892297,PGTSCAN,y,1,2097153',
  '# a comment in the middle',
  '4294892298,7,z,-1,0X2000FF',
  '',
].join('\n');

describe('kpromo convert', () => {
  it('--parse-thread off and on are acted on (they were ignored: a file of 4 MiB or more always had the thread)', async () => {
    const dir = tmp();
    const big = path.join(dir, 'big.csv');
    expect((await runCli(['gen', '--records', '200000', '-o', big])).code).toBe(0);
    expect(fs.statSync(big).size).toBeGreaterThanOrEqual(4 << 20);
    const small = path.join(dir, 'small.csv');
    fs.writeFileSync(small, CSV);
    // A thread started early is taken by the next read that parses on a second thread (trace/early-worker.ts).
    startParseThreadEarly();
    const taken = earlyParseThreadsTaken();
    expect((await runCli(['convert', '--parse-thread', 'off', '-o', path.join(dir, 'a.csv'), big])).code).toBe(0);
    expect(earlyParseThreadsTaken() - taken, '--parse-thread off, 4 MiB or more').toBe(0);
    expect((await runCli(['convert', '--parse-thread', 'on', '-o', path.join(dir, 'b.csv'), small])).code).toBe(0);
    expect(earlyParseThreadsTaken() - taken, '--parse-thread on, a small file').toBe(1);
  });

  it('writes the canonical CSV: header, 0x pfn, src names, decimal time', async () => {
    const r = await runCli(['convert', '-'], { stdin: CSV });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'pfn,nid,src,time\n' +
        '0x200000,0,hwhints,4294892296\n' +
        '0x200001,1,pgtscan,4294892297\n' + // 2097153 = 0x200001
        '0x2000ff,-1,7,4294892298\n',
    );
    expect(r.stderr).toBe('kpromo convert: 3 records from 1 input (csv) to stdout\n');
  });

  it('an input with no record gives the header only, and says so (not that counters are those of an empty trace: convert has none)', async () => {
    const r = await runCli(['convert', '-'], { stdin: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('pfn,nid,src,time\n');
    expect(r.stderr).toBe(
      'kpromo: the input held no access record (0 bytes read): the CSV written holds the header only\n' +
        'kpromo convert: 0 records from 1 input (csv) to stdout\n',
    );
  });

  it('replaying the converted CSV gives the counters of replaying the original', async () => {
    for (const trace of [path.join(EX, 'spec-worked.csv')]) {
      const direct = await runCli(['replay', '--format', 'vmstat', trace]);
      const conv = await runCli(['convert', trace]);
      const again = await runCli(['replay', '--format', 'vmstat', '-'], { stdin: conv.stdout });
      expect(direct.code + conv.code + again.code).toBe(0);
      expect(again.stdout).toBe(direct.stdout);
      // Converting the canonical CSV again changes nothing.
      const twice = await runCli(['convert', '-'], { stdin: conv.stdout });
      expect(twice.stdout).toBe(conv.stdout);
    }
    const direct = await runCli(['replay', '--format', 'vmstat', '--hz', '1000', '-'], { stdin: CSV });
    const conv = await runCli(['convert', '-'], { stdin: CSV });
    const again = await runCli(['replay', '--format', 'vmstat', '--hz', '1000', '-'], { stdin: conv.stdout });
    expect(again.stdout).toBe(direct.stdout);
    expect(direct.stdout).toContain('kpromoted_recorded_accesses 3\n');
  });

  it('-o FILE appears only on success, without a temporary file left behind', async () => {
    const dir = tmp();
    const out = path.join(dir, 'out.csv');
    const ok = await runCli(['convert', '-o', out, '-'], { stdin: CSV });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('');
    expect(fs.readFileSync(out, 'utf8').split('\n')[1]).toBe('0x200000,0,hwhints,4294892296');
    expect(ok.stderr).toContain(`to ${out}`);
    const bad = path.join(dir, 'bad.csv');
    const failed = await runCli(['convert', '-o', bad, '-'], { stdin: '1,0,0,1\n2,0,0\n' });
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('-:2:');
    expect(fs.readdirSync(dir)).toEqual(['out.csv']);
  });

  it('--skip-bad skips and reports bad lines of a CSV', async () => {
    const r = await runCli(['convert', '--skip-bad', '-'], { stdin: '1,0,0,1\n2,0,0\nx,0,0,3\n4,0,0,4\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('pfn,nid,src,time\n0x1,0,hwhints,1\n0x4,0,hwhints,4\n');
    expect(r.stderr).toContain('kpromo: skipped 2 bad lines');
    expect(r.stderr).toContain('-:2: expected 4 fields, found 3');
    expect(r.stderr).toContain('-:3: pfn is not a decimal or 0x hex integer');
    expect(r.stderr).toContain('2 bad lines skipped');
  });

  // Standard output is spooled (nothing on stdout when the input is bad), so the whole input is converted
  // before the first write; the copy to stdout then stops at the first EPIPE, quietly.
  it('stops quietly (exit 0) when the reader of stdout goes away', async () => {
    let written = 0;
    const stdout = { isTTY: false, columns: 80, closed: false, write(text: string) { written += text.length; this.closed = true; } };
    const many = Readable.from((function* () {
      for (let i = 0; i < 200; i++) yield Buffer.from(`${i},0,0,${i}\n`.repeat(20000));
    })());
    const stderr = new CaptureOut();
    const io: Io = { stdout, stderr, stdin: many, env: {}, onInterrupt: () => () => {} };
    const code = await main(['convert', '-'], io);
    expect(code).toBe(0);
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThanOrEqual(1 << 20); // the copy stopped after its first chunk
    expect(stderr.text).toBe('');
  });

  it('Ctrl-C discards -o FILE and exits 130', async () => {
    const dir = tmp();
    const out = path.join(dir, 'out.csv');
    let fire: () => void = () => {};
    let n = 0;
    const stdin = Readable.from((function* () {
      for (let i = 0; i < 100; i++) {
        if (++n === 3) fire();
        yield Buffer.from('1,0,0,1\n'.repeat(1000));
      }
    })());
    const r = await runCli(['convert', '-o', out, '-'], { stdin, interrupt: (f) => (fire = f) });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a file of 4 MiB or more (parsed on the parse thread, in blocks) converts as the same input on stdin does', async () => {
    const dir = tmp();
    const r = prng(9);
    // CSV in every accepted spelling (decimal and upper-case hex pfns, src names in any case and as numbers, comments),
    // and IBS perf text with samples of phys_addr 0 and CPUs in no node.
    let csv = '# big\npfn,nid,src,time\n';
    const lines: string[] = [];
    for (let i = 0; lines.length < 700_000; i++) {
      const pfn = Math.floor(r() * 2 ** 22);
      const spelled = r() < 0.3 ? String(pfn) : r() < 0.5 ? `0X${pfn.toString(16).toUpperCase()}` : `0x${pfn.toString(16)}`;
      const src = r() < 0.4 ? 'hwhints' : r() < 0.6 ? 'PgtScan' : String(Math.floor(r() * 5));
      lines.push(`${spelled},${Math.floor(r() * 3) - 1},${src},${4294892296 + (i >> 6)}`);
      if (r() < 0.001) lines.push('# note');
    }
    csv += lines.join('\n') + '\n';
    const printer = new PerfPrinter({ fields: ['comm', 'pid', 'tid', 'cpu', 'time', 'event', 'addr', 'phys_addr'], pidWidth: 7, ns: false, eventWidth: 8 });
    const perf: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      perf.push(printer.line({
        comm: 'stream', pid: 4242, tid: 4242, cpu: Math.floor(r() * 18), timeNs: 1_234_000_000_000n + BigInt(i) * 1_000_000n, period: 1,
        event: 'ibs_op//', addr: 0x7f3a5c001040n, dataSrc: 0n, decode: '', weight: 0, insLat: 0, retireLat: 0, ip: 0n, sym: '',
        dso: '', phys: r() < 0.02 ? 0n : BigInt(Math.floor(r() * 2 ** 34)), dataPageSize: '',
      }));
    }
    for (const [name, text] of [['big.csv', csv], ['big.txt', perf.join('')]] as const) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      expect(fs.statSync(file).size).toBeGreaterThanOrEqual(16 << 20);
      expect(useParseThread({ inputs: [{ name: file }] }, {})).toBe(true);
      const out = path.join(dir, `${name}.out.csv`);
      const threaded = await runCli(['convert', '-o', out, file]);
      const inProcess = await runCli(['convert', '-'], { stdin: Readable.from([Buffer.from(text)]) });
      expect(threaded.code, threaded.stderr).toBe(0);
      expect(inProcess.code).toBe(0);
      expect(fs.readFileSync(out, 'utf8') === inProcess.stdout, name).toBe(true);
      expect(threaded.stderr.replace(quoteName(out), 'stdout')).toBe(inProcess.stderr);
    }
  });
});
