import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Readable } from 'node:stream';
import { CaptureOut, type Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { runCli } from './run-cli.js';

const REAL = path.resolve(__dirname, '../fixtures/perf/real');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-page-'));
const SPEC_TRACE = path.resolve(__dirname, '../../traces/spec-worked.csv');

describe('kpromo page', () => {
  it('takes the pfn as written: decimal or 0x hex, no surrounding spaces', async () => {
    for (const text of [' 2097152', '2097152 ', '+2097152']) {
      const r = await runCli(['page', text, SPEC_TRACE]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`kpromo: PFN must be a decimal or 0x hex integer below 2^53, got ${JSON.stringify(text)}\n`);
    }
    expect((await runCli(['page', '0x200000', SPEC_TRACE])).code).toBe(0);
  });

  it('reports on stderr what the read skipped or could not use, as replay does', async () => {
    const f = path.join(tmp(), 'skip.csv');
    fs.writeFileSync(f, 'pfn,nid,src,time\n0x200000,0,hwhints,1000\nbad,0,hwhints,1000\n0x900000,0,hwhints,1000\n');
    const page = await runCli(['page', '0x200000', '--skip-bad', f]);
    const replay = await runCli(['replay', '--format', 'vmstat', '--skip-bad', f]);
    expect(page.code, page.stderr).toBe(0);
    expect(page.stdout).toContain('record added');
    expect(page.stderr).toContain(`kpromo: skipped 1 bad line:\n  ${f}:3: pfn is not a decimal or 0x hex integer: "bad"\n`);
    expect(page.stderr).toContain('kpromo: warning: 1 of 2 accesses (50.00%) fell in no pfn range of topology 2s-cxl');
    expect(page.stderr).toContain('no --topology was given, so the default preset 2s-cxl was used');
    // The same lines replay prints, in the same order.
    expect(page.stderr).toBe(replay.stderr);
  });

  it('says why perf samples gave no record, instead of only "no access to page"', async () => {
    // Real page-fault samples: not an event kpromo keeps by default, so every sample gives no record.
    const f = path.join(REAL, 'default.txt.gz');
    const page = await runCli(['page', '0x200000', '--topology', path.join(REAL, 'box-2tier.topology.json'), f]);
    expect(page.code, page.stderr).toBe(0);
    expect(page.stdout).toContain('no access to page 2097152 in the trace');
    expect(page.stderr).toMatch(/perf samples \(100 %\) gave no access record/);
    expect(page.stderr).toContain('--event page-faults');
  });

  it('says when the input held no access record at all', async () => {
    const f = path.join(tmp(), 'head.csv');
    fs.writeFileSync(f, 'pfn,nid,src,time\n');
    const page = await runCli(['page', '0x200000', f]);
    expect(page.code).toBe(0);
    expect(page.stderr).toContain('kpromo: the input held no access record (17 bytes read): no page has a life to show\n');
    expect(page.stderr).not.toContain('counters'); // page shows no counters
  });

  it("shows the progress line on a terminal's stderr, as replay does, and not with --no-progress", async () => {
    const f = path.join(tmp(), 'long.csv');
    expect((await runCli(['gen', '--records', '6000000', '-o', f])).code).toBe(0);
    const run = async (extra: string[]): Promise<string> => {
      const stderr = new CaptureOut(true);
      const io: Io = { stdout: new CaptureOut(false), stderr, stdin: Readable.from([]), env: {}, onInterrupt: () => () => {} };
      expect(await main(['page', ...extra, '0x200000', f], io)).toBe(0);
      return stderr.text;
    };
    // Throttled to one line every 250 ms: a read of 6 M records takes longer than that (1.5 M took 0.2-0.3 s).
    expect(await run([])).toMatch(/\r\x1b\[Kkpromo: \d+ MiB of \d+ MiB \([\d.]+%\), [\d,]+ records/);
    expect(await run(['--no-progress'])).not.toContain('MiB');
  });
});


describe('kpromo page on a terminal', () => {
  it('clears its progress line before what it writes on stderr after the read (the skip report was appended to the progress line)', async () => {
    const f = path.join(tmp(), 'skip.csv');
    const good = Array.from({ length: 2000 }, (_, i) => `0x${(0x200000 + i).toString(16)},0,hwhints,${1000 + i}`).join('\n');
    fs.writeFileSync(f, `pfn,nid,src,time\n${good}\nbad,0,hwhints,1000\n`);
    // Every clock read is a second later, so the throttled progress line (every 250 ms) is drawn at each update.
    let t = 0;
    const now = vi.spyOn(Date, 'now').mockImplementation(() => (t += 1000));
    const stderr = new CaptureOut(true);
    const io: Io = { stdout: new CaptureOut(), stderr, stdin: Readable.from([]), env: {}, onInterrupt: () => () => {} };
    try {
      expect(await main(['page', '0x200000', '--skip-bad', '--parser', 'csv-parse', f], io)).toBe(0);
    } finally {
      now.mockRestore();
    }
    expect(stderr.text).toContain('records/s');
    // A line ends (\n) or is cleared (\r\x1b[K) before each message: none starts on the progress line.
    expect(stderr.text).toMatch(/kpromo: skipped/);
    expect(stderr.text).not.toMatch(/records\/s[^\n\r]*kpromo: skipped/);
  });
});
