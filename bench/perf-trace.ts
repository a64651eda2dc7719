/**
 * The perf version of the benchmark trace: the same records printed as `perf script -F
 * comm,pid,tid,cpu,time,event,addr,phys_addr` prints IBS op samples (tools/perf/builtin-script.c
 * format strings, as in test/trace/perf-gen.ts), cached next to the CSV trace.
 */
import { closeSync, existsSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import type { AccessSink } from '../src/engine/types.js';
import { initialJiffies } from '../src/trace/perf-map.js';
import { readTraces } from '../src/trace/read.js';
import type { BenchTrace } from './trace.js';

/** Bump when the printed lines change, so stale cached files are not reused. */
export const BENCH_PERF_VERSION = 'perf-v1';

/** HZ of the benchmark trace (benchTraceOptions) and of the replay (kpromo's default). */
const HZ = 250;

/**
 * Prints one record as an IBS sample line that maps back to a record with the same pfn, time and
 * (for nid 0 and 1 of preset 2s-cxl: cpus 0-7 and 8-15) nid; nid -1 gets a CPU of either node.
 */
export class PerfLinePrinter implements AccessSink {
  private buf = '';
  private readonly initial = initialJiffies(HZ);
  constructor(private readonly out: (chunk: string) => void) {}

  record_access(pfn: number, nid: number, _src: number, time: number): void {
    const cpu = nid === 0 ? pfn & 7 : nid === 1 ? 8 + (pfn & 7) : pfn & 15;
    const d = time - this.initial;
    // HZ 250: a jiffy is 4000 us, so floor((sec + us / 1e6) * HZ) gives d back exactly.
    const sec = Math.floor(d / HZ);
    const us = (d - sec * HZ) * 4000;
    const stamp = `${sec}.${String(us).padStart(6, '0')}`;
    // Never 0 (phys_addr 0 is skipped): a cache-line offset inside the page.
    const phys = pfn * 4096 + 0x40 + ((pfn * 64) & 0xf80);
    const addr = 0x7f0000000000 + phys;
    this.buf +=
      '          stream    4242/4242    [' + String(cpu).padStart(3, '0') + '] ' + stamp.padStart(12) + ': ibs_op//: ' +
      addr.toString(16).padStart(16) + phys.toString(16).padStart(16) + '\n';
    if (this.buf.length >= 1 << 20) this.flush();
  }

  /** Hands on what is buffered. */
  flush(): void {
    if (this.buf !== '') this.out(this.buf);
    this.buf = '';
  }
}

/** Returns the cached perf text of `trace`, printing it first if needed; same records, its own file and size. */
export async function benchPerfTrace(trace: BenchTrace): Promise<BenchTrace> {
  const file = `${trace.file}.${BENCH_PERF_VERSION}.txt`;
  if (existsSync(file)) return { ...trace, file, bytes: statSync(file).size, fresh: false, genMs: 0 };
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  const t0 = performance.now();
  let bytes = 0;
  try {
    const printer = new PerfLinePrinter((chunk) => {
      bytes += writeSync(fd, chunk);
    });
    await readTraces([{ name: trace.file }], printer);
    printer.flush();
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return { ...trace, file, bytes, fresh: true, genMs: performance.now() - t0 };
}
