import { describe, it, expect } from 'vitest';
import { CHART_POINTS, renderReportHtml } from '../../src/render/report-html.js';
import { escapeHtml } from '../../src/render/svg.js';
import { row, reportData, syntheticRows } from './fixtures.js';

const CHART_IDS = ['chart-promotions', 'chart-outcomes', 'chart-share', 'chart-tracked', 'chart-latency'];

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
    for (const id of ['chart-promotions', 'chart-outcomes', 'chart-share', 'chart-tracked']) expect(dataPoints(page, id), id).toBe(1);
    expect(page).toMatch(/<path class="data" fill="#2e9d5b" d="M[^"]+z"/);
  });

  it(`aggregates 1 M rows to at most ${CHART_POINTS} points per chart and stays under 5 MB`, () => {
    const rows = syntheticRows(1_000_000, 2);
    const page = renderReportHtml(reportData(rows));
    expect(Buffer.byteLength(page)).toBeLessThan(5 * 1024 * 1024);
    for (const id of ['chart-promotions', 'chart-outcomes', 'chart-share', 'chart-tracked']) {
      expect(dataPoints(page, id), id).toBeLessThanOrEqual(CHART_POINTS);
      expect(dataPoints(page, id), id).toBeGreaterThan(CHART_POINTS / 2);
    }
  }, 60_000);

  /** The svg element of a chart, whole. */
  function svgOf(page: string, id: string): string {
    const m = page.match(new RegExp(`<svg\\b[^>]*\\bid="${id}"[^>]*>[\\s\\S]*?</svg>`));
    expect(m, id).not.toBeNull();
    return m![0];
  }

  it('draws promotions on their own scale, visible beside thousands of failures (a budgeted node)', () => {
    // Three passes of a budgeted node: 1, 2 and 1 promotions against 5000 failures each.
    const rows = [1, 2, 1].map((promoted, i) => row({ time: 1000 + 250 * i, seconds: i, promoted, failed: 5000, examined: promoted + 5000 }));
    const svg = svgOf(renderReportHtml(reportData(rows)), 'chart-promotions');
    // Two panels, each 140 units tall (y 30..170 and 222..362): promoted (green) on a 0..2 scale, failed (red) on
    // 0..6000 (ticks of 2000: the first nice top at or above 5000), so 5000 is 140 * 5/6 = 116.7 units.
    const bars = (fill: string) => [...svg.matchAll(new RegExp(`<path class="data" fill="${fill}" d="([^"]+)"`, 'g'))].map((m) => m[1]!);
    const heights = (d: string) => [...d.matchAll(/v([\d.]+)h/g)].map((m) => Number(m[1]));
    expect(heights(bars('#2e9d5b')[0]!)).toEqual([70, 140, 70]);
    expect(heights(bars('#d6433b')[0]!)).toEqual([116.7, 116.7, 116.7]);
    expect(svg).toContain('promoted per pass');
    expect(svg).toContain('failed per pass');
    // On one shared scale (the outcomes chart, 0..6000 over 226 units) a promotion would be under 0.1 units tall.
    expect(svgOf(renderReportHtml(reportData(rows)), 'chart-outcomes')).toContain('>6k<');
  });

  it('draws promotions alone, in one panel, when nothing failed', () => {
    const svg = svgOf(renderReportHtml(reportData([row({ promoted: 3 })])), 'chart-promotions');
    expect(svg).toContain('promoted per pass');
    expect(svg).not.toContain('failed per pass');
  });

  it('shows the records tracked at their peak when every pass empties the table', () => {
    // Each pass begins with 400..600 records and frees all of them: after the pass the table is empty.
    const rows = [400, 600, 500].map((peak, i) => row({ time: 1000 + 250 * i, seconds: i, promoted: peak, examined: peak, tracked_peak: peak, tracked_after: 0 }));
    const svg = svgOf(renderReportHtml(reportData(rows)), 'chart-tracked');
    // Scale 0..600 over y 240..14: the peaks at 400, 600, 500 are y = 240 - 226 * v / 600.
    const peak = svg.match(/<path class="data line" stroke="#7a4fc4" d="([^"]+)"/)![1]!;
    expect([...peak.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]))).toEqual([89.3, 14, 51.7]);
    const after = svg.match(/<path class="data line" stroke="#2f6fd6" d="([^"]+)"/)![1]!;
    expect([...after.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]))).toEqual([240, 240, 240]);
  });

  it('lists free pages at start and end and the high watermark of each budgeted node in the topology table', () => {
    const page = renderReportHtml(reportData([row()]));
    const table = page.match(/<table id="topology">[\s\S]*?<\/table>/)![0];
    expect(table).toContain('<th>free pages at start</th><th>high watermark</th><th>free pages at end</th>');
    // Node 0 of the fixture: budget 1000, high watermark 32, 33 left; nodes 1 and 2 have no budget.
    expect(table).toContain('<td class="num">1,000</td><td class="num">32</td><td class="num">33</td>');
    expect(table.match(/unlimited/g)?.length).toBe(2);
  });
});

describe('accesses the engine ignored', () => {
  it('are shown above the metrics when there were any, by reason, escaped; nothing when none', () => {
    const base = reportData(syntheticRows(10, 1));
    const none = renderReportHtml({ ...base, ignored: [['accesses ignored (no counter)', '0']] });
    expect(none).not.toContain('id="ignored"');
    const some = renderReportHtml({
      ...base,
      ignored: [
        ['accesses ignored (no counter)', '3'],
        ['  in no pfn range', '3 (100.00%), pfn 0x900000 .. 0x900001 <x>'],
      ],
    });
    const note = some.match(/<section id="ignored"[^]*?<\/section>/)?.[0] ?? '';
    expect(note).toContain('<strong>3 accesses were ignored</strong>');
    expect(note).toContain('<li>in no pfn range: 3 (100.00%), pfn 0x900000 .. 0x900001 &lt;x&gt;</li>');
    expect(some.indexOf('id="ignored"')).toBeLessThan(some.indexOf('class="cards"'));
  });
});
