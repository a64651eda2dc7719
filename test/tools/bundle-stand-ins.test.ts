/**
 * tools/bundle.mjs's stand-ins (csv-parse and node:os loaded on first use, the file URL made when first read): the
 * built CLI gives what the source gives on the paths that load them: a CSV the byte parser hands to csv-parse (quotes,
 * spaces, CRLF), csv-parse's own errors (its CsvError, recognised through the stand-in, gives kpromo's reason), a
 * spooled standard output (node:os's tmpdir()), and a replay on the parse thread (the worker script found by URL).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/kpromo.js');
const dir = mkdtempSync(path.join(tmpdir(), 'kpromo-stand-ins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, NO_COLOR: '1' };

function built(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the bundle', () => {
  it('replays a CSV only csv-parse reads (quotes, spaces, CRLF) as the source does', async () => {
    const p = path.join(dir, 'quoted.csv');
    let text = 'pfn,nid,src,time\r\n';
    for (let i = 0; i < 200; i++) text += `"0x${(0x200000 + (i % 7)).toString(16)}", ${i % 2} ,"hwhints",${4294892296 + 40 * i}\r\n`;
    writeFileSync(p, text);
    const b = built(['replay', p, '--format', 'vmstat']);
    const s = await runCli(['replay', p, '--format', 'vmstat']);
    expect(b.status).toBe(0);
    expect(b.stdout).toBe(s.stdout);
    expect(b.stdout).toMatch(/^kpromoted_recorded_accesses 200$/m);
  });

  it("reports csv-parse's errors with kpromo's reason, as the source does", async () => {
    const p = path.join(dir, 'bad-quote.csv');
    writeFileSync(p, 'pfn,nid,src,time\n"0x200001",0,hwhints,4294892346\n0x200003,0,"hw"x,4294892400\n');
    const b = built(['replay', p]);
    const s = await runCli(['replay', p]);
    expect(b.status).toBe(2);
    expect(s.code).toBe(2);
    expect(b.stdout).toBe('');
    expect(b.stderr).toContain('a closing quote is followed by something other than a comma or the line end');
    expect(b.stderr).toBe(s.stderr);
  });

  it('spools standard output (node:os on first use) and reads on the parse thread (the worker found by URL)', async () => {
    const p = path.join(dir, 'big.csv');
    let text = 'pfn,nid,src,time\n';
    for (let i = 0; i < 120_000; i++) text += `0x${(0x200000 + ((i * 7919) % 50_000)).toString(16)},${i % 2},hwhints,${4294892296 + (i >> 6)}\n`;
    writeFileSync(p, text);
    const conv = built(['convert', path.join(ROOT, 'traces/spec-worked.csv')]);
    expect(conv.status).toBe(0);
    expect(conv.stdout).toBe((await runCli(['convert', path.join(ROOT, 'traces/spec-worked.csv')])).stdout);
    const threaded = built(['replay', p, '--parse-thread', 'on', '--format', 'vmstat']);
    const inProcess = built(['replay', p, '--parse-thread', 'off', '--format', 'vmstat']);
    expect(threaded.status).toBe(0);
    expect(threaded.stdout).toBe(inProcess.stdout);
    expect(threaded.stdout).toMatch(/^kpromoted_recorded_accesses 120000$/m);
  });
});
