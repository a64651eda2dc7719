/**
 * `--report FILE.html`: one self-contained page (inline CSS and SVG, no scripts, no network) with the run's
 * metrics, timeline charts, counters and settings. Every piece of text from the run is escaped.
 */
import type { AnalysisMetrics, ReportData } from '../analysis/model.js';
import { countPasses, passTotals } from './aggregate.js';
import { LEGENDS, latencyChart, outcomesChart, promotionsChart, shareChart, trackedChart } from './charts-svg.js';
import { formatBytes, formatMs, formatSeconds, formatShare, groupDigits } from './format.js';
import { escapeHtml } from './svg.js';

/**
 * Most points one timeline chart draws. About one per horizontal pixel of the plot: more would not show, and it
 * keeps a 10 M-record replay's report far under 5 MB (the issue allows up to 2000).
 */
export const CHART_POINTS = 1000;

const CSS = `
:root{--fg:#1f2328;--muted:#5b6571;--line:#d8dee4;--bg:#f6f8fa;--card:#fff;--accent:#2f6fd6}
*{box-sizing:border-box}
.warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px;margin:12px 0}
.warn ul{margin:4px 0 0;padding-left:20px}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
main{max-width:1160px;margin:0 auto;padding:24px 20px 40px}
h1{font-size:26px;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:19px;margin:28px 0 12px}
h3{font-size:16px;margin:0 0 4px}
.sub{color:var(--muted);margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px;margin-top:20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card .label{color:var(--muted);font-size:13px}
.card .value{font-size:24px;font-weight:600;margin:2px 0;font-variant-numeric:tabular-nums}
.card .detail{color:var(--muted);font-size:13px}
figure{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:0 0 16px;padding:14px 16px 8px}
figcaption{color:var(--muted);font-size:13px;margin-bottom:6px}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:13px;margin:6px 0 4px}
.key{display:inline-flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;background:var(--c)}
.swatch.line{height:3px;width:18px}
svg.chart{display:block;width:100%;height:auto}
svg .grid{stroke:#e8ebef;stroke-width:1}
svg .axis{stroke:#8c959f;stroke-width:1}
svg .tick{font-size:13px;fill:var(--muted)}
svg .axis-title{font-size:13px;fill:var(--muted)}
svg .empty{font-size:16px;fill:var(--muted)}
svg .line{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
svg .ref{stroke:#8c959f;stroke-dasharray:5 4}
svg .ref-label{font-size:12px;fill:var(--muted);paint-order:stroke;stroke:#fff;stroke-width:4px}
.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:0 24px}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);border-radius:8px;font-size:14px}
th,td{text-align:left;padding:5px 10px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{background:#eef1f4;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.zero{color:#a0a8b0}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
footer{color:var(--muted);font-size:12px;margin-top:28px}
`;

function card(label: string, value: string, detail: string): string {
  return (
    `<div class="card"><div class="label">${escapeHtml(label)}</div>` +
    `<div class="value">${escapeHtml(value)}</div><div class="detail">${escapeHtml(detail)}</div></div>`
  );
}

/** Issue 12: the bounds of the share, and the share as a fraction of each. */
function boundCards(m: AnalysisMetrics): string {
  const b = m.bounds;
  if (b === undefined) return '';
  const of = (x: number | null) => (x === null ? 'n/a' : formatShare(x));
  return (
    card('instant bound', formatShare(b.instant), `every slow-tier page promoted on its first access; the share is ${of(b.share_of_instant)} of it`) +
    (b.capacity === null
      ? card('static bound', 'n/a', 'no budgets on the top tier: no capacity limit')
      : card('static bound', formatShare(b.static), `best ${groupDigits(b.capacity)} pages chosen with hindsight; the share is ${of(b.share_of_static)} of it`))
  );
}

function metricCards(m: AnalysisMetrics): string {
  const l = m.latency;
  const wastedPct = m.promoted_pages > 0 ? ` (${formatShare(m.wasted_promotions / m.promoted_pages)})` : '';
  const k = m.kernel_memory;
  return (
    '<section class="cards">' +
    card('fast-tier share', formatShare(m.fast_tier_share), 'of recorded accesses hit a top-tier page') +
    boundCards(m) +
    card(
      'promotion latency p50',
      formatMs(l.p50_ms),
      `p90 ${formatMs(l.p90_ms)} · p99 ${formatMs(l.p99_ms)} · max ${formatMs(l.max_ms)} · ${groupDigits(l.count)} promotions`,
    ) +
    card(
      'wasted promotions',
      groupDigits(m.wasted_promotions),
      `of ${groupDigits(m.promoted_pages)} promoted pages${wastedPct} never accessed again`,
    ) +
    card(
      'kernel memory at peak',
      formatBytes(k.total_bytes),
      `${groupDigits(k.peak_records)} records: ${formatBytes(k.record_bytes)} + table ${formatBytes(k.table_bytes)}; longest chain ${k.longest_chain}`,
    ) +
    card('never examined', groupDigits(m.never_examined), 'records whose hot_node has no daemon, at the end') +
    '</section>'
  );
}

function figure(title: string, caption: string, legendHtml: string, svg: string): string {
  return (
    `<figure><h3>${escapeHtml(title)}</h3><figcaption>${escapeHtml(caption)}</figcaption>` +
    legendHtml +
    svg +
    '</figure>'
  );
}

function charts(data: ReportData): string {
  const points = passTotals(data.timeline, CHART_POINTS);
  const passes = countPasses(data.timeline);
  const rowSeconds = data.row_seconds ?? 0;
  const unit = rowSeconds > 0 ? `${formatSeconds(rowSeconds)} bucket` : 'pass';
  const scope =
    `All nodes summed per ${unit}; ${points.length} ${points.length === 1 ? 'point' : 'points'}` +
    (points.length < passes ? ` from ${passes} ${unit}s (consecutive ones merged, sums kept)` : '');
  return (
    '<h2>Timeline</h2>' +
    figure(
      'Promotions per pass',
      `Pages promoted by each migrate pass and, when a budgeted node ran short of free pages, the candidates whose migration failed, each on its own scale. ${scope}.`,
      points.some((p) => p.failed > 0) ? LEGENDS.promotions : LEGENDS.promotedOnly,
      promotionsChart(points),
    ) +
    figure('Records examined per pass, by outcome', `Records examined by the migrate pass and what became of them, on one scale. ${scope}.`, LEGENDS.outcomes, outcomesChart(points)) +
    (data.metrics.bounds === undefined
      ? figure('Fast-tier share', 'Share of the accesses since the previous pass that hit a top-tier page.', LEGENDS.share, shareChart(points, data.metrics.fast_tier_share))
      : figure(
          'Fast-tier share and its bounds',
          'Share of the accesses since the previous pass that hit a top-tier page; the instant bound of the same accesses ' +
            '(top-tier pages, and every access to a slow-tier page but its first in the trace); the static bound of the whole trace.',
          LEGENDS.shareBounds,
          shareChart(points, data.metrics.fast_tier_share, data.metrics.bounds.static),
        )) +
    figure('Records tracked', 'Records in the hash table when each pass began (the most since the previous pass) and after it, and those no daemon examines.', LEGENDS.tracked, trackedChart(points)) +
    figure(
      'Promotion latency',
      `Time from a page's first recorded access to its promotion; ${groupDigits(data.metrics.latency.count)} promotions, log-spaced buckets.`,
      '',
      latencyChart(data.metrics.latency),
    )
  );
}

function countersTable(data: ReportData): string {
  const rows = data.counters
    .map(
      (c) =>
        `<tr><td><code>${escapeHtml(c.name)}</code></td><td class="num${c.value === 0 ? ' zero' : ''}">${escapeHtml(groupDigits(c.value))}</td></tr>`,
    )
    .join('');
  return `<table id="counters"><thead><tr><th>counter</th><th>value</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function settingsTable(data: ReportData): string {
  const pairs: Array<readonly [string, string]> = [['engine', data.engine], ...data.settings, ['HZ', String(data.hz)]];
  const rows = pairs.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<table id="settings"><tbody>${rows}</tbody></table>`;
}

/** A page count for the topology table: grouped digits, or "unlimited" for a node without a budget. */
function pagesCell(n: number | null): string {
  return n === null ? '<td class="zero">unlimited</td>' : `<td class="num">${escapeHtml(groupDigits(n))}</td>`;
}

function topologyTable(data: ReportData): string {
  if (data.topology.length === 0) return '';
  const rows = data.topology
    .map(
      (n) =>
        `<tr><td class="num">${n.id}</td><td>${escapeHtml(n.cpus || '-')}</td><td>${escapeHtml(n.tier)}</td>` +
        `<td>${n.toptier ? 'yes' : 'no'}</td><td><code>${escapeHtml(n.ranges)}</code></td>` +
        pagesCell(n.free_pages) +
        (n.free_pages === null ? '<td class="zero">-</td><td class="zero">-</td>' : pagesCell(n.high_wmark_pages) + pagesCell(n.free_pages_end)) +
        '</tr>',
    )
    .join('');
  return (
    '<h2>Topology</h2><table id="topology"><thead><tr><th>node</th><th>cpus</th><th>tier</th><th>top tier</th>' +
    '<th>pfn ranges</th><th>free pages at start</th><th>high watermark</th><th>free pages at end</th></tr></thead>' +
    `<tbody>${rows}</tbody></table>`
  );
}

/**
 * Accesses the engine ignored without a counter, when there were any: above the metrics, so that a trace outside
 * the topology's ranges does not read as a plain fast-tier share of 0.
 */
function ignoredNote(data: ReportData): string {
  const rows = data.ignored ?? [];
  if (rows.length === 0 || rows[0]![1] === '0') return '';
  const items = rows
    .slice(1)
    .map(([k, v]) => `<li>${escapeHtml(k.trim())}: ${escapeHtml(v)}</li>`)
    .join('');
  return `<section id="ignored" class="warn"><strong>${escapeHtml(rows[0]![1])} accesses were ignored</strong> (the engine ignores them, and no counter shows them):<ul>${items}</ul></section>`;
}

/** Renders the whole report page. */
export function renderReportHtml(data: ReportData): string {
  const title = escapeHtml(data.title);
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${title}</title><style>${CSS}</style></head><body><main>` +
    `<header><h1>${title}</h1><p class="sub">kpromo replay · engine <code>${escapeHtml(data.engine)}</code></p></header>` +
    ignoredNote(data) +
    metricCards(data.metrics) +
    charts(data) +
    '<div class="columns"><section><h2>Counters</h2>' +
    countersTable(data) +
    '</section><section><h2>Settings</h2>' +
    settingsTable(data) +
    '</section></div>' +
    topologyTable(data) +
    '<footer>Generated by kpromo. Self-contained: no scripts, no network.</footer>' +
    '</main></body></html>\n'
  );
}
