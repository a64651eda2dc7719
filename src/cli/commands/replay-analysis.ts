/**
 * What `kpromo replay` needs only for --analysis, --timeline, --timeline-csv and --report: loaded with import()
 * when one of them is given, so a plain replay does not load (or compile) the collector, the charts and the HTML
 * report (start-up: README "Speed and memory").
 */
export { AnalysisCollector } from '../../analysis/collector.js';
export { buildReportData } from '../../analysis/report-data.js';
export { boundsOfPageCounts } from '../../analysis/bounds.js';
export { renderAnalysis } from '../../report/analysis.js';
export { TimelineCsvWriter } from '../../report/timeline-csv-writer.js';
export { DEFAULT_CHART_WIDTH, renderTerminalChart } from '../../render/chart.js';
export { renderReportHtml } from '../../render/report-html.js';
export { renderTimelineTable } from '../../render/timeline-table.js';
