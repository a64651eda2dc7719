/** Hand-made and synthetic timeline rows and report data for the renderer tests. */
import type { LatencyStats, ReportData, TimelineRow } from '../../src/analysis/model.js';
import { prng } from '../prng.js';
export { prng };

/** A row with every count 0, overridden by `over`; the share follows the given accesses unless set. */
export function row(over: Partial<TimelineRow> = {}): TimelineRow {
  const accesses = over.accesses ?? 0;
  const toptier = over.toptier_accesses ?? 0;
  return {
    time: 1000,
    seconds: 0,
    node: 0,
    examined: 0,
    candidates: 0,
    promoted: 0,
    failed: 0,
    dropped_cold_old: 0,
    dropped_not_accessed: 0,
    dropped_right_node: 0,
    dropped_non_lru: 0,
    dropped_offline: 0,
    accesses,
    toptier_accesses: toptier,
    ignored_accesses: 0,
    fast_tier_share: accesses > 0 ? toptier / accesses : null,
    tracked_peak: 0,
    tracked_after: 0,
    unexamined_after: 0,
    free_pages: {},
    ...over,
  };
}


/**
 * `n` rows of passes every `periodJiffies` (HZ 250) on `nodes` daemon nodes, with random but consistent counts:
 * outcomes add up to examined, toptier <= accesses, tracked_peak > tracked_after, both the same for all nodes of a pass.
 */
export function syntheticRows(n: number, nodes = 2, seed = 1, periodJiffies = 250): TimelineRow[] {
  const rnd = prng(seed);
  const int = (max: number): number => Math.floor(rnd() * (max + 1));
  const out: TimelineRow[] = [];
  let tracked = 0;
  for (let i = 0; out.length < n; i++) {
    const time = 1000 + i * periodJiffies;
    tracked = Math.max(0, tracked + int(400) - 180);
    const free = { '0': 1000 - (i % 100), '1': 5000 + (i % 7) };
    for (let node = 0; node < nodes && out.length < n; node++) {
      const promoted = int(50);
      const failed = int(5);
      const cold = int(30);
      const notAcc = int(20);
      const right = int(10);
      const nonLru = int(2);
      const offline = i % 97 === 0 ? 1 : 0;
      const accesses = i % 50 === 7 ? 0 : int(1000);
      const toptier = int(accesses);
      // Some rows with ignored accesses (not drawn from rnd: the other columns stay as they were).
      const ignored = i % 10 === 3 ? Math.floor((accesses - toptier) / 2) : 0;
      // A plain literal, not row(): a million rows must build quickly.
      out.push({
        time,
        seconds: (i * periodJiffies) / 250,
        node,
        examined: promoted + failed + cold + notAcc + right + nonLru + offline,
        candidates: promoted + failed,
        promoted,
        failed,
        dropped_cold_old: cold,
        dropped_not_accessed: notAcc,
        dropped_right_node: right,
        dropped_non_lru: nonLru,
        dropped_offline: offline,
        accesses,
        toptier_accesses: toptier,
        ignored_accesses: ignored,
        fast_tier_share: accesses > 0 ? toptier / accesses : null,
        tracked_peak: tracked + 100 + (i % 13),
        tracked_after: tracked,
        unexamined_after: Math.floor(tracked / 10),
        free_pages: free,
      });
    }
  }
  return out;
}

/** A latency histogram with log-spaced bounds 0.25 ms .. 8 s. */
export function latency(): LatencyStats {
  const bounds = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
  const counts = [0, 3, 10, 42, 130, 220, 180, 90, 40, 12, 5, 2, 0, 1, 0, 0];
  return {
    count: counts.reduce((a, b) => a + b, 0),
    p50_ms: 9.5,
    p90_ms: 40,
    p99_ms: 210,
    max_ms: 2000,
    histogram: bounds.map((le_ms, i) => ({ le_ms, count: counts[i]! })),
  };
}

/** Report data around the given timeline, with overrides. */
export function reportData(timeline: readonly TimelineRow[], over: Partial<ReportData> = {}): ReportData {
  return {
    title: 'kpromo report: zipf-2s.csv',
    engine: 'rfc-v1',
    settings: [
      ['traces', 'zipf-2s.csv'],
      ['kpromoted_period_ms', '1000'],
      ['KPROMOTED_FREQ_THRESHOLD', '2'],
      ['KPROMOTED_FREQ_WINDOW', '5 s'],
      ['topology', '2s-cxl (preset)'],
    ],
    counters: [
      { name: 'pgpromote_success', value: 812 },
      { name: 'pgpromote_candidate', value: 900 },
      { name: 'kpromoted_record_added', value: 12000 },
      { name: 'kpromoted_mig_non_lru', value: 0 },
    ],
    metrics: {
      fast_tier_share: 0.6234,
      latency: latency(),
      wasted_promotions: 37,
      promoted_pages: 812,
      never_examined: 120,
      kernel_memory: {
        peak_records: 12000,
        record_bytes: 12000 * 64,
        table_bytes: 2 ** 12 * 40,
        total_bytes: 12000 * 64 + 2 ** 12 * 40,
        longest_chain: 9,
      },
    },
    timeline,
    topology: [
      { id: 0, cpus: '0-15', tier: 'DRAM', toptier: true, ranges: '0x0-0x3ffff', free_pages: 1000, high_wmark_pages: 32, free_pages_end: 33 },
      { id: 1, cpus: '16-31', tier: 'DRAM', toptier: true, ranges: '0x40000-0x7ffff', free_pages: null, high_wmark_pages: null, free_pages_end: null },
      { id: 2, cpus: '', tier: 'CXL', toptier: false, ranges: '0x80000-0xfffff', free_pages: null, high_wmark_pages: null, free_pages_end: null },
    ],
    hz: 250,
    ...over,
  };
}
