/**
 * Test helper: prints `perf script` sample lines the way tools/perf/builtin-script.c does, from the
 * DERIVED format strings in shared/reference/formats-and-peers.md section 1.1 (not from kpromo's
 * parser). Used to build byte-exact fixtures.
 */

/** One sample's values (only those of printed fields are used). */
export interface GenSample {
  comm: string;
  pid: number;
  tid: number;
  cpu: number;
  /** Sample time in nanoseconds. */
  timeNs: bigint;
  period: number;
  event: string;
  addr: bigint;
  dataSrc: bigint;
  /** perf_script__meminfo_scnprintf() text. */
  decode: string;
  weight: number;
  insLat: number;
  retireLat: number;
  ip: bigint;
  sym: string;
  dso: string;
  phys: bigint;
  dataPageSize: string;
}

/** How perf was run. */
export interface GenOptions {
  /** `-F` fields (any order; printed in perf's order). */
  fields: readonly string[];
  /** 7 since the 2023 "Increase PID/TID width" patch, 5 before. */
  pidWidth: 5 | 7;
  /** `--ns`. */
  ns: boolean;
  /** evlist__max_name_len(): longest event name in the file. */
  eventWidth: number;
}

const hex = (v: bigint): string => v.toString(16);

/** A perf script printer with data_src__fprintf()'s static running maxlen. */
export class PerfPrinter {
  private maxlen = 0;
  constructor(private readonly o: GenOptions) {}

  private has(f: string): boolean {
    return this.o.fields.includes(f);
  }

  /** One line, `\n` included. */
  line(s: GenSample): string {
    const w = this.o.pidWidth;
    let out = '';
    // perf_sample__fprintf_start()
    if (this.has('comm')) out += s.comm.padStart(16) + ' '; // "%16s "
    if (this.has('pid') && this.has('tid')) out += String(s.pid).padStart(w) + '/' + String(s.tid).padEnd(w) + ' '; // "%7d/%-7d "
    else if (this.has('pid')) out += String(s.pid).padStart(w) + ' ';
    else if (this.has('tid')) out += String(s.tid).padStart(w) + ' ';
    if (this.has('cpu')) out += '[' + String(s.cpu).padStart(3, '0') + '] '; // "[%03d] "
    if (this.has('time')) {
      const sec = s.timeNs / 1_000_000_000n;
      const nsec = s.timeNs % 1_000_000_000n;
      if (this.o.ns) out += String(sec).padStart(5) + '.' + String(nsec).padStart(9, '0') + ': '; // "%5lu.%09llu: "
      else out += (String(sec) + '.' + String(nsec / 1000n).padStart(6, '0')).padStart(12) + ': '; // "%12s: " of "%lu.%06lu"
    }
    // process_event()
    if (this.has('period')) out += String(s.period).padStart(10) + ' '; // "%10" PRIu64 " "
    if (this.has('event')) out += s.event.padStart(this.o.eventWidth) + ': '; // "%*s: "
    if (this.has('addr')) out += hex(s.addr).padStart(16); // "%16" PRIx64
    if (this.has('data_src')) {
      const t = hex(s.dataSrc).padStart(16) + ' ' + s.decode; // "%16" PRIx64 " %s"
      if (this.maxlen < t.length) this.maxlen = t.length;
      out += t.padEnd(this.maxlen); // "%-*s"
    }
    if (this.has('weight')) out += String(s.weight).padStart(16);
    if (this.has('ins_lat')) out += String(s.insLat).padStart(16);
    if (this.has('retire_lat')) out += String(s.retireLat).padStart(16);
    if (this.has('ip')) {
      out += ' ' + hex(s.ip).padStart(16); // fputc(' '), "%16" PRIx64
      if (this.has('sym')) out += ' ' + s.sym;
      if (this.has('dso')) out += ' (' + s.dso + ')';
    }
    if (this.has('phys_addr')) out += hex(s.phys).padStart(16); // "%16" PRIx64, glued
    if (this.has('data_page_size')) out += ' ' + s.dataPageSize; // " %s"
    return out + '\n';
  }
}

const base: GenSample = {
  comm: 'stream', pid: 4242, tid: 4242, cpu: 3, timeNs: 1234_567890123n, period: 100000, event: 'ibs_op//',
  addr: 0x7f3a5c001040n, dataSrc: 0x1a29081042n, decode: '|OP LOAD|LVL RAM hit|SNP N/A|TLB L1 hit|LCK N/A|BLK  N/A',
  weight: 180, insLat: 7, retireLat: 0, ip: 0x55d0c3a01234n, sym: 'triad', dso: '/home/u/stream',
  phys: 0x8a5398920n, dataPageSize: '4K',
};

/**
 * The IBS samples every IBS fixture prints (expected records are derived by hand in the tests).
 * S1 cpu 3, S2 comm with a space and a 7-digit pid on cpu 12, S3 cpu 20 (in no node),
 * S4 phys_addr 0, S5 cpu 8 at 0.000001 s, S6 cpu 15 at 9999999.999999 s with a 48-bit phys_addr.
 */
export const IBS_SAMPLES: readonly GenSample[] = [
  { ...base, decode: '|OP LOAD|LVL L3 hit|SNP N/A|TLB L1 hit|LCK N/A|BLK  N/A', dataSrc: 0x629080842n },
  { ...base, comm: 'Web Content', pid: 1558582, tid: 1558590, cpu: 12, timeNs: 1234_999999999n, phys: 0x44e96a308n, sym: 'memcpy' },
  { ...base, cpu: 20, timeNs: 1235_000000000n, phys: 0x123456000n },
  { ...base, cpu: 4, timeNs: 1235_100000000n, phys: 0n },
  { ...base, cpu: 8, timeNs: 1000n, phys: 0x100000000n, decode: '|OP LOAD|LVL L1 hit|SNP N/A|TLB L1 hit|LCK N/A|BLK  N/A' },
  { ...base, cpu: 15, timeNs: 9999999_999999000n, phys: 0xfffffffff000n },
];

/** Intel PEBS samples: loads and stores of `perf mem record -t load,store`, and one cycles sample. */
export const INTEL_SAMPLES: readonly GenSample[] = [
  { ...base, comm: 'perf', pid: 20134, tid: 20134, cpu: 1, event: 'cpu/mem-loads,ldlat=30/P', timeNs: 544966_882384000n,
    dataSrc: 0x10668100842n, decode: '|OP LOAD|LVL L3 or L3 hit|SNP None|TLB L1 or L2 hit|LCK No|BLK  N/A', weight: 47,
    ip: 0xffffffffb5bd2fd0n, sym: 'perf_ctx_unlock+0x10', dso: '[kernel.kallsyms]', phys: 0x44e96a308n, period: 10000 },
  { ...base, comm: 'perf', pid: 20134, tid: 20134, cpu: 9, event: 'cpu/mem-stores/P', timeNs: 544966_882390000n,
    dataSrc: 0x5080144n, decode: '|OP STORE|LVL L1 hit|SNP N/A|TLB N/A|LCK N/A|BLK  N/A', weight: 0,
    ip: 0x7fad7c47425dn, sym: '[unknown]', dso: '/usr/lib64/libglib-2.0.so.0.8000.3', phys: 0xcfb52b814n, period: 10000 },
  { ...base, comm: 'perf', pid: 20134, tid: 20134, cpu: 9, event: 'cpu/mem-loads,ldlat=30/P', timeNs: 544966_900000000n,
    dataSrc: 0x11868100242n, decode: '|OP LOAD|LVL LFB/MAB or LFB/MAB hit|SNP None|TLB L1 or L2 hit|LCK No|BLK  N/A', weight: 57,
    ip: 0x55b3c122bffcn, sym: 'noploop+0x1c', dso: '/usr/bin/perf', phys: 0x0n, period: 10000 },
];

/** Joins the printed lines of `samples`. */
export function printAll(o: GenOptions, samples: readonly GenSample[]): string {
  const p = new PerfPrinter(o);
  return samples.map((s) => p.line(s)).join('');
}

const IBS_F_BASIC = ['comm', 'pid', 'tid', 'cpu', 'time', 'event', 'addr', 'phys_addr'];
const IBS_F_FULL = ['comm', 'pid', 'tid', 'cpu', 'time', 'event', 'addr', 'data_src', 'weight', 'ip', 'sym', 'phys_addr'];
/** Intel PEBS default fields (PERF_TYPE_RAW defaults that the samples have; symoff is inside `sym`). */
export const INTEL_DEFAULT = ['comm', 'tid', 'cpu', 'time', 'period', 'event', 'addr', 'data_src', 'weight', 'ins_lat', 'retire_lat', 'ip', 'sym', 'dso', 'phys_addr'];
const HW_DEFAULT = ['comm', 'tid', 'cpu', 'time', 'period', 'event', 'ip', 'sym', 'dso'];

const cycles: GenSample = { ...INTEL_SAMPLES[0]!, event: 'cycles:P', cpu: 2, timeNs: 544966_890000000n, sym: 'noploop+0x18', ip: 0x55b3c122bff8n, dso: '/usr/bin/perf' };
const fetch: GenSample = { ...IBS_SAMPLES[0]!, event: 'ibs_fetch//', cpu: 5, timeNs: 1234_600000000n, phys: 0x1000n };

/** A fixture: its file name, the `-F` list perf was given (null: default fields) and its text. */
export interface Fixture {
  readonly name: string;
  readonly perfFields: string | null;
  readonly text: string;
}

/** Every generated fixture of test/fixtures/perf/. */
export function fixtures(): Fixture[] {
  const ibs = (fields: string[], pidWidth: 5 | 7, ns: boolean): string =>
    printAll({ fields, pidWidth, ns, eventWidth: 8 }, IBS_SAMPLES);
  const twoEvents = (): string => {
    const p = new PerfPrinter({ fields: IBS_F_BASIC, pidWidth: 7, ns: false, eventWidth: 11 });
    const s = IBS_SAMPLES;
    return [s[0]!, fetch, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!].map((x) => p.line(x)).join('');
  };
  const intel = (fields: string[]): string => {
    const mem = new PerfPrinter({ fields, pidWidth: 7, ns: false, eventWidth: 24 });
    const hw = new PerfPrinter({ fields: HW_DEFAULT, pidWidth: 7, ns: false, eventWidth: 24 });
    return mem.line(INTEL_SAMPLES[0]!) + hw.line(cycles) + mem.line(INTEL_SAMPLES[1]!) + mem.line(INTEL_SAMPLES[2]!);
  };
  return [
    { name: 'ibs-F-basic.txt', perfFields: IBS_F_BASIC.join(','), text: ibs(IBS_F_BASIC, 7, false) },
    { name: 'ibs-F-full.txt', perfFields: IBS_F_FULL.join(','), text: ibs(IBS_F_FULL, 7, false) },
    { name: 'ibs-F-ns.txt', perfFields: 'comm,tid,cpu,time,event,addr,phys_addr', text: ibs(['comm', 'tid', 'cpu', 'time', 'event', 'addr', 'phys_addr'], 7, true) },
    { name: 'ibs-F-oldpid.txt', perfFields: IBS_F_BASIC.join(','), text: ibs(IBS_F_BASIC, 5, false) },
    { name: 'ibs-F-oldpid-full.txt', perfFields: IBS_F_FULL.join(','), text: ibs(IBS_F_FULL, 5, false) },
    { name: 'ibs-F-minimal.txt', perfFields: 'cpu,time,phys_addr', text: ibs(['cpu', 'time', 'phys_addr'], 7, false) },
    { name: 'ibs-two-events.txt', perfFields: IBS_F_BASIC.join(','), text: twoEvents() },
    { name: 'intel-default.txt', perfFields: null, text: intel(INTEL_DEFAULT) },
    { name: 'intel-default-nophys.txt', perfFields: null, text: intel(INTEL_DEFAULT.filter((f) => f !== 'phys_addr')) },
  ];
}
