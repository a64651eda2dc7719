import { describe, it, expect } from 'vitest';
import { parsePerfFields, shapeToString, PERF_PRINT_ORDER, DEFAULT_FIELDS_RAW } from '../../src/trace/perf-fields.js';
import { UsageError } from '../../src/errors.js';

describe('parsePerfFields', () => {
  it('puts fields in perf print order whatever order -F had', () => {
    // builtin-script.c: fprintf_start prints comm, pid/tid, cpu, time; process_event: event, addr,
    // data_src, weight, ip/sym, then phys_addr last.
    const s = parsePerfFields('phys_addr,ip,sym,addr,data_src,comm,pid,tid,cpu,time,event,weight');
    expect(s.printed).toEqual(['comm', 'pid', 'tid', 'cpu', 'time', 'event', 'addr', 'data_src', 'weight', 'ip', 'sym', 'phys_addr']);
    expect(s.optional.size).toBe(0);
    expect(s.origin).toBe('fields');
  });

  it('period prints before event, and phys_addr after dso', () => {
    const order = PERF_PRINT_ORDER as readonly string[];
    expect(order.indexOf('period')).toBeLessThan(order.indexOf('event'));
    expect(order.indexOf('dso')).toBeLessThan(order.indexOf('phys_addr'));
    expect(order.indexOf('phys_addr')).toBeLessThan(order.indexOf('data_page_size'));
  });

  it('accepts and ignores a type prefix on a plain list', () => {
    expect(parsePerfFields('raw:time,cpu,phys_addr').printed).toEqual(['cpu', 'time', 'phys_addr']);
  });

  it('+/- forms start from the defaults, which become optional', () => {
    const s = parsePerfFields('+phys_addr,-ip');
    // un-prefixed: RAW defaults (a superset of the other types' defaults)
    expect(s.printed).toContain('phys_addr');
    expect(s.printed).not.toContain('ip');
    // named explicitly: required (perf errors when a user-set field is missing from the samples)
    expect(s.optional.has('phys_addr')).toBe(false);
    expect(s.optional.has('cpu')).toBe(true);
    const h = parsePerfFields('hw:+phys_addr');
    expect(h.printed).toEqual(['comm', 'tid', 'cpu', 'time', 'period', 'event', 'ip', 'sym', 'symoff', 'dso', 'phys_addr']);
    expect(h.optional.has('phys_addr')).toBe(false);
    expect(h.optional.has('period')).toBe(true);
    expect(DEFAULT_FIELDS_RAW).toContain('phys_addr');
  });

  it('dsoff implies dso', () => {
    expect(parsePerfFields('time,ip,dsoff').printed).toEqual(['time', 'ip', 'dso', 'dsoff']);
  });

  it('refuses bad lists with the bad value quoted', () => {
    expect(() => parsePerfFields('time,bogus')).toThrow(/"bogus"/);
    expect(() => parsePerfFields('time,+cpu')).toThrow(UsageError);
    expect(() => parsePerfFields('xx:time')).toThrow(/"xx:"/);
    expect(() => parsePerfFields('cpu,phys_addr')).toThrow(/time/);
    expect(() => parsePerfFields('time,ip,srcline')).toThrow(/srcline/);
    expect(() => parsePerfFields(' ')).toThrow(UsageError);
  });

  it('shapeToString marks optional fields', () => {
    expect(shapeToString(parsePerfFields('cpu,time'))).toBe('cpu,time');
    expect(shapeToString(parsePerfFields('trace:-trace'))).toBe('comm?,tid?,cpu?,time?,period?,event?,ip?,sym?,symoff?,dso?');
  });
});
