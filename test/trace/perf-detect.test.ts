import { describe, it, expect } from 'vitest';
import { middleCandidates, detectShape } from '../../src/trace/perf-detect.js';
import type { ProbeLine } from '../../src/trace/perf-detect.js';
import { PerfPrinter, IBS_SAMPLES, INTEL_SAMPLES, INTEL_DEFAULT } from './perf-gen.js';

/** The text after "event: " of a generated line. */
function middle(fields: string[], i = 0, samples = IBS_SAMPLES): string {
  const p = new PerfPrinter({ fields: ['time', 'event', ...fields], pidWidth: 7, ns: false, eventWidth: 8 });
  let line = '';
  for (let k = 0; k <= i; k++) line = p.line(samples[k]!);
  return line.slice(line.indexOf(': ', line.indexOf(': ') + 1) + 2, -1);
}

describe('middleCandidates', () => {
  it('addr,phys_addr: one reading', () => {
    expect([...middleCandidates(middle(['addr', 'phys_addr']))]).toEqual(['addr,phys_addr']);
  });

  it('addr,data_src,weight,ip,sym,phys_addr with decode text and padding', () => {
    // S5 has a shorter decode than the line before: padded by data_src__fprintf()'s running maxlen
    const m = middle(['addr', 'data_src', 'weight', 'ip', 'sym', 'phys_addr'], 4);
    expect(m).toContain('BLK  N/A              180');
    const c = [...middleCandidates(m)];
    expect(c).toContain('addr,data_src,weight,ip,sym,phys_addr');
    // `%16u` weight/ins_lat/retire_lat look alike, and a weight could pass for an ip; every reading
    // still ends in phys_addr, which is all detection needs
    expect(c.every((x) => x.startsWith('addr,data_src,') && x.endsWith(',sym,phys_addr'))).toBe(true);
  });

  it('ip without sym is told from phys_addr by the space perf prints before ip', () => {
    expect([...middleCandidates(middle(['addr', 'ip']))]).toEqual(['addr,ip']);
  });

  it('phys_addr followed by a page size', () => {
    expect([...middleCandidates(middle(['addr', 'phys_addr', 'data_page_size']))]).toEqual(['addr,phys_addr,data_page_size']);
  });

  it('a lone hex field is addr or phys_addr: both readings are kept', () => {
    expect(new Set(middleCandidates(middle(['phys_addr'])))).toEqual(new Set(['addr', 'phys_addr']));
  });

  it('Intel default middle, with and without phys_addr', () => {
    const p = new PerfPrinter({ fields: INTEL_DEFAULT, pidWidth: 7, ns: false, eventWidth: 24 });
    const line = p.line(INTEL_SAMPLES[0]!);
    const m = line.slice(line.indexOf('P: ') + 3, -1);
    expect([...middleCandidates(m)]).toContain('addr,data_src,weight,ins_lat,retire_lat,ip,sym,phys_addr');
    expect([...middleCandidates(m)].every((x) => x.endsWith(',ip,sym,phys_addr'))).toBe(true);
    const noPhys = m.slice(0, m.lastIndexOf(')') + 1);
    expect([...middleCandidates(noPhys)]).toContain('addr,data_src,weight,ins_lat,retire_lat,ip,sym');
    expect([...middleCandidates(noPhys)].every((x) => x.endsWith(',ip,sym'))).toBe(true);
  });

  it('text no field list prints gives no candidate', () => {
    expect(middleCandidates('hello world').size).toBe(0);
  });
});

const probe = (line: number, mid: string, over: Partial<ProbeLine> = {}): ProbeLine => ({
  line, text: `line ${line}`, comm: true, pidTid: 0, misc: false, cpu: true, period: false, event: true, candidates: middleCandidates(mid), ...over,
});

describe('detectShape', () => {
  it('intersects the readings of all lines', () => {
    const d = detectShape([probe(1, middle(['addr', 'phys_addr'], 0)), probe(2, middle(['addr', 'phys_addr'], 1))]);
    expect(d.ok && d.shape.printed).toEqual(['comm', 'cpu', 'time', 'event', 'addr', 'phys_addr']);
    expect(d.ok && d.shape.origin).toBe('detected');
  });

  it('refuses readings that disagree on phys_addr, naming them', () => {
    const d = detectShape([probe(1, middle(['phys_addr']))]);
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.reason).toMatch(/addr \| phys_addr/);
      expect(d.reason).toMatch(/--perf-fields/);
    }
  });

  it('refuses a line that fits no shape, or other fields than the lines before', () => {
    const a = detectShape([probe(1, middle(['addr', 'phys_addr'])), probe(2, 'what is this')]);
    expect(!a.ok && a.line).toBe(2);
    const b = detectShape([probe(1, middle(['addr', 'phys_addr'])), probe(2, middle(['addr', 'ip']))]);
    expect(!b.ok && b.line).toBe(2);
  });

  it('a head field on only some lines is optional', () => {
    const d = detectShape([probe(1, middle(['addr', 'phys_addr'])), probe(2, middle(['addr', 'phys_addr']), { cpu: false })]);
    expect(d.ok && d.shape.optional.has('cpu')).toBe(true);
  });
});
