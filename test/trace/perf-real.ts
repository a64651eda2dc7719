/**
 * The real perf fixtures (test/fixtures/perf/real/, recorded by record.sh there with Debian's perf
 * 6.1 on Linux 6.18: page-fault samples with phys_addr) and a reference reader written for the
 * tests only: whitespace tokens and BigInt arithmetic, sharing no code with src/trace/perf-*.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Topology } from '../../src/engine/topology.js';

/** Where the real fixtures are. */
export const REAL_DIR = join(__dirname, '../fixtures/perf/real');

/** One real fixture: the file and the `perf script` arguments that printed it (commands.txt). */
export interface RealFixture {
  readonly name: string;
  /** The -F list; null for plain `perf script`. */
  readonly fields: string | null;
  readonly ns: boolean;
  /** Prints the event, so `--event page-faults` applies. */
  readonly event: boolean;
}

/** The fixtures whose lines have a time and replay (no-time.txt.gz is refused, default.txt.gz has no phys_addr). */
export const REAL_FIXTURES: readonly RealFixture[] = [
  { name: 'sym.txt.gz', fields: 'comm,pid,tid,cpu,time,event,addr,ip,sym,phys_addr', ns: false, event: true },
  { name: 'sym-dso.txt.gz', fields: 'comm,tid,cpu,time,event,addr,ip,sym,symoff,dso,phys_addr', ns: false, event: true },
  { name: 'ns.txt.gz', fields: 'comm,pid,tid,cpu,time,event,addr,phys_addr', ns: true, event: true },
  { name: 'minimal.txt.gz', fields: 'cpu,time,phys_addr', ns: false, event: false },
  { name: 'period.txt.gz', fields: 'comm,tid,cpu,time,period,event,addr,phys_addr', ns: false, event: true },
  { name: 'readme.txt.gz', fields: 'comm,pid,tid,cpu,time,event,addr,phys_addr', ns: false, event: true },
  { name: 'readme-tid.txt.gz', fields: 'comm,tid,cpu,time,event,addr,phys_addr', ns: false, event: true },
  { name: 'zeros-first.txt.gz', fields: 'comm,pid,tid,cpu,time,event,addr,phys_addr', ns: false, event: true },
  { name: 'zeros-first-minimal.txt.gz', fields: 'cpu,time,phys_addr', ns: false, event: false },
  { name: 'zeros-first-sym.txt.gz', fields: 'comm,pid,tid,cpu,time,event,addr,ip,sym,phys_addr', ns: true, event: true },
];

/** The fixture's text. */
export function realText(name: string): string {
  return gunzipSync(readFileSync(join(REAL_DIR, name))).toString('utf8');
}

/** The fixture's compressed bytes. */
export function realGz(name: string): Buffer {
  return readFileSync(join(REAL_DIR, name));
}

/**
 * The machine's RAM map (node 0, cpus 0-1: pfn 0-0xc0000 and 0x100000-0x640000, as `kpromo topo
 * --from-sysfs` read it) split at pfn 0x1b0000 into DRAM and a CPU-less slow node (adistance 2880),
 * so the copy-on-write pages (pfn 0x15xxxx-0x1dxxxx) are on both tiers and get promoted. Same as
 * box-2tier.topology.json.
 */
export const BOX_2TIER: Topology = {
  name: 'box-2tier',
  nodes: [
    {
      id: 0, cpus: [0, 1], adistance: 576, free_pages: null, high_wmark_pages: 0,
      pfn_ranges: [{ start: 0, end: 0xc0000, kind: 'lru' }, { start: 0x100000, end: 0x1b0000, kind: 'lru' }],
    },
    { id: 1, cpus: [], adistance: 2880, free_pages: null, high_wmark_pages: 0, pfn_ranges: [{ start: 0x1b0000, end: 0x640000, kind: 'lru' }] },
  ],
};

/** A record as a sink gets it. */
export type Rec = [pfn: number, nid: number, src: number, time: number];

/**
 * Reference reading of a perf line: the time is the first whitespace token `S.F{6|9}:`, the cpu the
 * `[N]` token before it, the event the token after it (or after the period) when it ends in `:`,
 * phys_addr the last token. Jiffies = 2^32 - 300*HZ + floor(time * HZ), in BigInt.
 */
export function referenceRecords(text: string, opts: { hz: number; event: string | null; cpuNode: (cpu: number) => number; pageShift: number }): Rec[] {
  const out: Rec[] = [];
  const hz = BigInt(opts.hz);
  for (const line of text.split('\n')) {
    const tok = line.trim().split(/\s+/);
    const t = tok.findIndex((x) => /^[0-9]+\.([0-9]{6}|[0-9]{9}):$/.test(x));
    if (t < 0) continue;
    if (opts.event !== null) {
      const ev = tok.slice(t + 1, t + 3).find((x) => x.endsWith(':'));
      if (ev !== `${opts.event}:`) continue;
    }
    const phys = BigInt('0x' + tok[tok.length - 1]!);
    if (phys === 0n) continue;
    const cpuTok = tok[t - 1];
    const cpu = cpuTok !== undefined && /^\[[0-9]+\]$/.test(cpuTok) ? Number(cpuTok.slice(1, -1)) : -1;
    const nid = opts.cpuNode(cpu);
    const [sec, frac] = tok[t]!.slice(0, -1).split('.') as [string, string];
    const scale = 10n ** BigInt(frac.length);
    const jiffies = 2n ** 32n - 300n * hz + BigInt(sec) * hz + (BigInt(frac) * hz) / scale;
    out.push([Number(phys >> BigInt(opts.pageShift)), nid, 0, Number(jiffies)]);
  }
  return out;
}
