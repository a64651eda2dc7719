#!/usr/bin/env node
// Renders a kpromo HTML report (--report FILE.html) in headless Chromium and checks that its charts are drawn.
//
//   node scripts/render-report.mjs REPORT.html [--screenshot OUT.png] [--window-size 1200,2400]
//
// Two Chromium runs, each with a fresh profile and the network cut off (a self-contained report needs none):
// one takes a screenshot of the report as it is; one dumps the DOM of a copy with a small probe script
// appended, which measures every chart in the laid-out page. Checks, per chart (chart-promotions, chart-outcomes,
// chart-share, chart-tracked, chart-latency): the <svg> exists, data-points > 0, it holds drawn data marks
// (rect/path/polyline/circle with class "data"), and in the browser it has a real size and its marks cover area.
// Exit 0: all checks pass; 1: a check failed (message on stderr); 77: chromium not installed (a "skip" for CI).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHROMIUM = process.env.KPROMO_CHROMIUM || '/usr/bin/chromium';
const CHART_IDS = ['chart-promotions', 'chart-outcomes', 'chart-share', 'chart-tracked', 'chart-latency'];
const PROBE_ID = 'kpromo-render-probe';

function fail(message) {
  process.stderr.write(`render-report: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { html: undefined, screenshot: undefined, windowSize: '1200,2400', keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--screenshot') opts.screenshot = argv[++i];
    else if (a === '--window-size') opts.windowSize = argv[++i];
    else if (a === '--keep') opts.keep = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node scripts/render-report.mjs REPORT.html [--screenshot OUT.png] [--window-size W,H] [--keep]\n');
      process.exit(0);
    } else if (a.startsWith('-')) fail(`unknown option ${JSON.stringify(a)}`);
    else if (opts.html === undefined) opts.html = a;
    else fail(`unexpected argument ${JSON.stringify(a)}`);
  }
  if (opts.html === undefined) fail('usage: node scripts/render-report.mjs REPORT.html [--screenshot OUT.png]');
  if (!/^\d+,\d+$/.test(opts.windowSize ?? '')) fail(`--window-size wants W,H, got ${JSON.stringify(opts.windowSize)}`);
  if (opts.screenshot === '') fail('--screenshot wants a file name');
  return opts;
}

// Appended before </body> of the probe copy only: measures what the browser actually laid out and drew.
const PROBE = `<script>(function(){
  var out = {};
  ${JSON.stringify(CHART_IDS)}.forEach(function(id){
    var svg = document.getElementById(id);
    if (!svg) { out[id] = null; return; }
    var box = svg.getBoundingClientRect();
    var marks = svg.querySelectorAll('rect.data, path.data, polyline.data, circle.data');
    var area = 0;
    for (var i = 0; i < marks.length; i++) { var b = marks[i].getBBox(); area += Math.max(b.width, 1) * Math.max(b.height, 1); }
    out[id] = { width: Math.round(box.width), height: Math.round(box.height), marks: marks.length, area: Math.round(area) };
  });
  var pre = document.createElement('pre');
  pre.id = '${PROBE_ID}';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();</script>`;

function chromium(args, dir) {
  const profile = mkdtempSync(join(dir, 'profile-'));
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    // Any host lookup fails: a report that needs the network renders broken instead of quietly fetching.
    '--host-resolver-rules=MAP * ~NOTFOUND',
    `--user-data-dir=${profile}`,
  ];
  const r = spawnSync(CHROMIUM, [...flags, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 << 20 });
  if (r.error) fail(`could not run ${CHROMIUM}: ${r.error.message}`);
  if (r.status !== 0) fail(`${CHROMIUM} exited with ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
  return r.stdout;
}

/** Width and height from a PNG's IHDR chunk, or null when the bytes are no PNG. */
function pngSize(bytes) {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || sig.some((b, i) => bytes[i] !== b)) return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function checkStatic(html, problems) {
  // No network: no absolute URLs at all, no external scripts or stylesheets.
  for (const m of html.matchAll(/\b(?:https?:)?\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s"'<>)]*/gi)) {
    problems.push(`report references ${m[0]}`);
  }
  if (/<script[^>]*\bsrc=/i.test(html)) problems.push('report loads an external script');
  if (/<link\b/i.test(html)) problems.push('report links an external resource');
}

function checkDom(dom, problems) {
  const report = [];
  for (const id of CHART_IDS) {
    const m = dom.match(new RegExp(`<svg\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</svg>`));
    if (!m) {
      problems.push(`${id}: no <svg id="${id}"> in the rendered DOM`);
      continue;
    }
    const tag = m[0].slice(0, m[0].indexOf('>') + 1);
    const points = Number((tag.match(/\bdata-points="(\d+)"/) ?? [])[1] ?? 0);
    const marks = (m[1].match(/<(rect|path|polyline|circle)\b[^>]*\bclass="[^"]*\bdata\b/g) ?? []).length;
    if (!(points > 0)) problems.push(`${id}: data-points is ${points}, wanted > 0`);
    if (marks === 0) problems.push(`${id}: no drawn data marks (rect/path/polyline with class "data")`);
    report.push({ id, points, marks });
  }
  const probe = dom.match(new RegExp(`<pre id="${PROBE_ID}">([^<]*)</pre>`));
  if (!probe) {
    problems.push('the layout probe did not run (no measurements in the dumped DOM)');
    return report;
  }
  const measured = JSON.parse(probe[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
  for (const r of report) {
    const g = measured[r.id];
    if (!g) continue;
    Object.assign(r, g);
    if (g.width < 200 || g.height < 60) problems.push(`${r.id}: laid out at ${g.width}x${g.height} px, too small to read`);
    if (g.marks === 0 || g.area <= 0) problems.push(`${r.id}: its data marks cover no area in the browser`);
  }
  return report;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(CHROMIUM)) {
    process.stderr.write('chromium not installed\n');
    process.exit(77);
  }
  const htmlPath = resolve(opts.html);
  if (!existsSync(htmlPath)) fail(`no such file: ${opts.html}`);
  const html = readFileSync(htmlPath, 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'kpromo-render-'));
  const problems = [];
  try {
    checkStatic(html, problems);
    const shot = resolve(opts.screenshot ?? join(dir, 'report.png'));
    chromium([`--screenshot=${shot}`, `--window-size=${opts.windowSize}`, pathToFileURL(htmlPath).href], dir);
    if (!existsSync(shot)) problems.push(`no screenshot was written to ${shot}`);
    else {
      const size = pngSize(readFileSync(shot));
      const [w, h] = opts.windowSize.split(',').map(Number);
      if (!size) problems.push(`${shot} is not a PNG`);
      else if (size.width !== w || size.height !== h) problems.push(`screenshot is ${size.width}x${size.height}, wanted ${w}x${h}`);
    }

    const probePath = join(dir, 'probe.html');
    const at = html.lastIndexOf('</body>');
    writeFileSync(probePath, at >= 0 ? html.slice(0, at) + PROBE + html.slice(at) : html + PROBE);
    const dom = chromium(['--dump-dom', `--window-size=${opts.windowSize}`, pathToFileURL(probePath).href], dir);
    const charts = checkDom(dom, problems);

    for (const c of charts) {
      const size = c.width === undefined ? '' : `, ${c.width}x${c.height} px`;
      process.stdout.write(`${c.id}: ${c.points} points, ${c.marks} data marks${size}\n`);
    }
    if (opts.screenshot) process.stdout.write(`screenshot: ${shot}\n`);
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    else process.stdout.write(`kept ${dir}\n`);
  }
  if (problems.length > 0) fail(problems.join('\n  '));
  process.stdout.write('render-report: all charts drawn\n');
}

main();
