import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePerfFields } from '../../src/trace/perf-fields.js';
import {
  compileShape, newPerfSample, parsePerfLine, PERF_BAD, PERF_NON_SAMPLE, PERF_SAMPLE,
} from '../../src/trace/perf-line.js';

const verbatim = readFileSync(fileURLToPath(new URL('../fixtures/perf/verbatim-reference.txt', import.meta.url)), 'utf8')
  .split('\n');
/** Lines of one section of verbatim-reference.txt (after its `# <tag>` line). */
function section(tag: string): string[] {
  const i = verbatim.indexOf(`# ${tag}`);
  const out: string[] = [];
  for (let j = i + 1; j < verbatim.length && !verbatim[j]!.startsWith('#') && verbatim[j] !== ''; j++) out.push(verbatim[j]!);
  return out;
}

function parse(line: string, fields: string) {
  const out = newPerfSample();
  const st = parsePerfLine(line, compileShape(parsePerfFields(fields)), out);
  return { st, ...out };
}

describe('parsePerfLine on reference lines (token level)', () => {
  it('1.5 constructed IBS lines, new and old pid widths', () => {
    const [n7, n5, plain] = section('1.5');
    for (const l of [n7!, n5!]) {
      const r = parse(l, 'comm,pid,tid,cpu,time,event,ip,sym,addr,phys_addr,data_src');
      expect(r.st).toBe(PERF_SAMPLE);
      expect(r.cpu).toBe(3);
      expect([r.sec, r.frac, r.fracDigits]).toEqual([1234, 567890, 6]);
      expect(r.event).toBe('ibs_op//');
      expect(r.physAddr).toBe(0x8a5398920);
    }
    // plain `perf script` on ibs_op//: OTHER defaults, no phys_addr printed
    const r = parse(plain!, 'comm,tid,cpu,time,period,event,ip,sym,symoff,dso');
    expect(r.st).toBe(PERF_SAMPLE);
    expect(r.event).toBe('ibs_op//');
    expect(r.physAddr).toBe(-1);
  });

  it('1.4(a) cycles lines before/after the pid width change (7-digit pid overflowing %5d)', () => {
    const expected = [[6, 1540823, 803935], [4, 1540823, 804164], [0, 1540823, 804209], [7, 1540823, 804384], [5, 1540823, 805301]];
    section('1.4(a) before').forEach((l, i) => {
      const r = parse(l, 'comm,tid,cpu,time,period,event,ip,sym,symoff,dso');
      expect(r.st).toBe(PERF_SAMPLE);
      expect([r.cpu, r.sec, r.frac]).toEqual(expected[i]);
      expect(r.event).toBe('cycles:P');
    });
    const after = section('1.4(a) after').map((l) => parse(l, 'comm,tid,cpu,time,period,event,ip,sym,symoff,dso'));
    expect(after.map((r) => r.cpu)).toEqual([6, 4, 0, 3, 5]);
    expect(after.every((r) => r.st === PERF_SAMPLE && r.event === 'cycles:P')).toBe(true);
  });

  it('1.4(e) Arm SPE lines: padded event column, data_src decode with spaces', () => {
    const rs = section('1.4(e)').map((l) => parse(l, 'comm,tid,cpu,time,period,event,data_src,ip,sym,dso'));
    expect(rs.map((r) => r.event)).toEqual(['l1d-miss', 'l1d-access', 'l1d-miss']);
    expect(rs.map((r) => [r.cpu, r.sec, r.frac])).toEqual([[11, 3678, 72400], [11, 3678, 72400], [20, 122, 463754]]);
    expect(rs.every((r) => r.st === PERF_SAMPLE)).toBe(true);
  });

  it('1.4(g) tracepoint lines: event name with a colon', () => {
    const rs = section('1.4(g)').map((l) => parse(l, 'comm,tid,cpu,time,event,trace'));
    expect(rs.map((r) => [r.st, r.cpu, r.event])).toEqual([
      [PERF_SAMPLE, 27, 'damon:damon_aggregated'], [PERF_SAMPLE, 31, 'damon:damon_aggregated'], [PERF_SAMPLE, 31, 'damon:damon_aggregated'],
    ]);
  });
});

describe('parsePerfLine anchors', () => {
  const F = 'comm,pid,tid,cpu,time,event,addr,phys_addr';
  it('comm with spaces, a colon-space and brackets', () => {
    const r = parse('  a: [1] 2.000000 4242/4242    [003]  1234.567890: ibs_op//:     7f3a5c001040       8a5398920', F);
    expect([r.st, r.cpu, r.sec, r.frac, r.physAddr]).toEqual([PERF_SAMPLE, 3, 1234, 567890, 0x8a5398920]);
  });

  it('events of the form pmu/terms/mods and name:mods, padded', () => {
    const l = (ev: string) => `          stream    4242/4242    [003]  1234.567890: ${ev.padStart(26)}:     7f3a5c001040       8a5398920`;
    expect(parse(l('ibs_op/l3missonly=1/p'), F).event).toBe('ibs_op/l3missonly=1/p');
    expect(parse(l('cpu_core/mem-loads,ldlat=3/P'), F).event).toBe('cpu_core/mem-loads,ldlat=3/P');
    expect(parse(l('mem-loads:pp'), F).event).toBe('mem-loads:pp');
  });

  it('--ns time and a trailing CR', () => {
    const r = parse('          stream    4242 [003]  1234.567890123: ibs_op//:     7f3a5c001040       8a5398920\r', 'comm,tid,cpu,time,event,addr,phys_addr');
    expect([r.st, r.sec, r.frac, r.fracDigits, r.physAddr]).toEqual([PERF_SAMPLE, 1234, 567890123, 9, 0x8a5398920]);
  });

  it('phys_addr followed by data_page_size', () => {
    const r = parse('[003]  1234.567890: ibs_op//:        8a5398920 4K', 'cpu,time,event,phys_addr,data_page_size');
    expect(r.physAddr).toBe(0x8a5398920);
    const n = parse('[003]  1234.567890: ibs_op//:        8a5398920 N/A', 'cpu,time,event,phys_addr,data_page_size');
    expect(n.physAddr).toBe(0x8a5398920);
  });

  it('phys_addr up to 2^53 - 1; larger or glued values are refused', () => {
    // "%16" PRIx64 has no leading separator; 2^53 - 1 = 1fffffffffffff (14 digits) is the largest accepted
    const r = parse('[003]  1.000000: ibs_op//:     7f3a5c001040  1fffffffffffff', 'cpu,time,event,addr,phys_addr');
    expect(r.physAddr).toBe(Number.MAX_SAFE_INTEGER);
    const big = parse('[003]  1.000000: ibs_op//:     7f3a5c001040  20000000000000', 'cpu,time,event,addr,phys_addr');
    expect(big.st).toBe(PERF_BAD);
    expect(big.field).toBe('phys_addr');
    // a 16-digit value (>= 2^60) glues onto addr: the line is refused too
    expect(parse('[003]  1.000000: ibs_op//:     7f3a5c0010408000000000000000', 'cpu,time,event,addr,phys_addr').st).toBe(PERF_BAD);
  });

  it('PERF_RECORD_ lines are non-samples', () => {
    const r = parse('            perf   20134 [001] 544966.882384: PERF_RECORD_MMAP2 20134/20134: [0x55b3c1200000(0x1000) @ 0 fd:01 1234 0]: r-xp /usr/bin/perf', 'comm,tid,cpu,time,event,phys_addr');
    expect(r.st).toBe(PERF_NON_SAMPLE);
  });

  it('malformed lines name the field', () => {
    expect(parse('stream 4242 [003] 1234.56789: ibs_op//:        8a5398920', 'comm,tid,cpu,time,event,phys_addr').field).toBe('time');
    expect(parse('stream 4242  1234.567890: ibs_op//:        8a5398920', 'comm,tid,cpu,time,event,phys_addr').field).toBe('cpu');
    expect(parse('stream 4242 [003] 1234.567890: ibs_op//        8a5398920', 'comm,tid,cpu,time,event,phys_addr').field).toBe('event');
    expect(parse('stream 4242 [003] 1234.567890: ibs_op//: triad', 'comm,tid,cpu,time,event,phys_addr').field).toBe('phys_addr');
    expect(parse('stream 4242 [003] 1234.567890: ibs_op//: 7F3A5C001040        8a5398920', 'comm,tid,cpu,time,event,addr,phys_addr').field).toBe('addr');
    expect(parse('stream 4242 [003] 1234.567890: ibs_op//: 7f3a5c001040        8A5398920', 'comm,tid,cpu,time,event,addr,phys_addr').field).toBe('phys_addr');
    expect(parse('stream 4242 [003] 1234.567890: x ibs_op//:        8a5398920', 'comm,tid,cpu,time,period,event,phys_addr').field).toBe('period');
  });
});
