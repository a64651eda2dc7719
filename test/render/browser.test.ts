import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReportHtml } from '../../src/render/report-html.js';
import { reportData, syntheticRows } from './fixtures.js';

// scripts/render-report.mjs drives headless Chromium; without /usr/bin/chromium these tests are skipped
// (`.ci/run` installs it).
const SCRIPT = join(import.meta.dirname, '../../scripts/render-report.mjs');
const haveChromium = existsSync('/usr/bin/chromium');

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/render-report.mjs', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kpromo-render-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 77 when chromium is missing', () => {
    const html = join(dir, 'any.html');
    writeFileSync(html, '<!DOCTYPE html><p>x</p>');
    const r = run([html], { KPROMO_CHROMIUM: join(dir, 'no-such-chromium') });
    expect(r.status).toBe(77);
    expect(r.stderr).toContain('chromium not installed');
  });

  it.skipIf(!haveChromium)('renders a report, draws every chart and writes the screenshot', () => {
    const html = join(dir, 'report.html');
    const png = join(dir, 'report.png');
    writeFileSync(html, renderReportHtml(reportData(syntheticRows(400, 2))));
    const r = run([html, '--screenshot', png]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const id of ['chart-promotions', 'chart-outcomes', 'chart-share', 'chart-tracked', 'chart-latency']) expect(r.stdout).toContain(`${id}: `);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  }, 240_000);

  it.skipIf(!haveChromium)('fails when a chart is missing or has no data', () => {
    const html = join(dir, 'broken.html');
    const page = renderReportHtml(reportData(syntheticRows(40, 2))).replace('id="chart-share"', 'id="chart-gone"');
    writeFileSync(html, page.replace(/<rect class="data"[^>]*>.*?<\/rect>/g, ''));
    const r = run([html]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('chart-share: no <svg id="chart-share">');
    expect(r.stderr).toContain('chart-latency: no drawn data marks');
  }, 240_000);
});
