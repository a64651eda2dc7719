import { describe, it, expect } from 'vitest';
import { CHART_POINTS, renderReportHtml } from '../../src/render/report-html.js';
import { escapeHtml } from '../../src/render/svg.js';
import { row, reportData, syntheticRows } from './fixtures.js';

const CHART_IDS = ['chart-outcomes', 'chart-share', 'chart-tracked', 'chart-latency'];

function svgTag(html: string, id: string): string {
  const m = html.match(new RegExp(`<svg\\b[^>]*\\bid="${id}"[^>]*>`));
  expect(m, id).not.toBeNull();
  return m![0];
}

function dataPoints(html: string, id: string): number {
  return Number(svgTag(html, id).match(/data-points="(\d+)"/)![1]);
}

describe('escapeHtml', () => {
  it('escapes the five HTML special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('renderReportHtml', () => {
  const html = renderReportHtml(reportData(syntheticRows(240, 2)));

  it('is one page with the four charts, each with its data points', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const id of CHART_IDS) expect(dataPoints(html, id), id).toBeGreaterThan(0);
    // 240 rows of 2 nodes are 120 passes; the latency fixture has 16 buckets
    expect(dataPoints(html, 'chart-outcomes')).toBe(120);
    expect(dataPoints(html, 'chart-tracked')).toBe(120);
    expect(dataPoints(html, 'chart-latency')).toBe(16);
  });

  it('references nothing on the network and loads no scripts', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
  });

  it('keeps a trace named <script> as text', () => {
    const evil = '<script>alert("x")</script>';
    const page = renderReportHtml(
      reportData([row()], {
        title: `report for ${evil}`,
        engine: '<b>engine</b>',
        settings: [['traces', evil], ['<i>key</i>', 'a & b']],
        counters: [{ name: '<em>c</em>', value: 1 }],
      }),
    );
    expect(page).not.toContain('<script');
    expect(page).not.toMatch(/<b>|<i>|<em>/);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('a &amp; b');
  });

  it('shows the settings, topology, counters and metrics', () => {
    for (const text of ['KPROMOTED_FREQ_THRESHOLD', 'pgpromote_success', '12,000', '62.3%', '9.5 ms', 'p99 210 ms', 'CXL', '0x80000-0xfffff']) {
      expect(html).toContain(text);
    }
    // kernel memory: 12000 * 64 + 4096 * 40 = 931840 bytes = 910 KiB
    expect(html).toContain('910 KiB');
  });

  it('draws charts without data as empty, marked with 0 points', () => {
    const page = renderReportHtml(
      reportData([], { metrics: { ...reportData([]).metrics, latency: { count: 0, p50_ms: null, p90_ms: null, p99_ms: null, max_ms: null, histogram: [] } } }),
    );
    for (const id of CHART_IDS) expect(dataPoints(page, id), id).toBe(0);
    expect(page).toContain('no migrate passes');
  });

  it('draws a single pass', () => {
    const page = renderReportHtml(reportData([row({ promoted: 3, accesses: 4, toptier_accesses: 1, tracked_after: 5 })]));
    for (const id of ['chart-outcomes', 'chart-share', 'chart-tracked']) expect(dataPoints(page, id), id).toBe(1);
    expect(page).toMatch(/<path class="data" fill="#2e9d5b" d="M[^"]+z"/);
  });

  it(`aggregates 1 M rows to at most ${CHART_POINTS} points per chart and stays under 5 MB`, () => {
    const rows = syntheticRows(1_000_000, 2);
    const page = renderReportHtml(reportData(rows));
    expect(Buffer.byteLength(page)).toBeLessThan(5 * 1024 * 1024);
    for (const id of ['chart-outcomes', 'chart-share', 'chart-tracked']) {
      expect(dataPoints(page, id), id).toBeLessThanOrEqual(CHART_POINTS);
      expect(dataPoints(page, id), id).toBeGreaterThan(CHART_POINTS / 2);
    }
  }, 60_000);
});
