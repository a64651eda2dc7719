/**
 * When a replay parses on a second thread (src/run/replay.ts useParseThread()): under `--parse-thread auto`, trace files
 * of PARSE_THREAD_MIN_BYTES (4 MiB) or more together, none smaller, and no gzip file; `on` and `off` whatever the size. And the ring such
 * a read of a file in blocks has (blockRingBatch()): a block a slot with dense page state or page counts, else a
 * replay's default; either way the counters of a replay read on this thread.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RFC_V1_DEFAULTS } from '../../src/engine/config.js';
import { createEngine, type EngineName } from '../../src/engine/registry.js';
import type { Topology } from '../../src/engine/topology.js';
import { blockRingBatch, CSV_PARSE_THREAD_MIN_BYTES, PARSE_THREAD_MIN_BYTES, PRIME_MIN_BYTES, replayPlan, runReplay, traceBytes, useParseThread, type ReplaySettings } from '../../src/run/replay.js';
import { BATCH } from '../../src/trace/ring.js';
import { parseTopology } from '../../src/topology/parse.js';
import { PRESETS } from '../../src/topology/presets.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A sparse file of `bytes` bytes (its size is all useParseThread() reads). */
function fileOf(bytes: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-parse-thread-'));
  dirs.push(dir);
  const file = path.join(dir, `t${bytes}.csv`);
  fs.writeFileSync(file, '');
  fs.truncateSync(file, bytes);
  return file;
}

describe('useParseThread', () => {
  it('auto parses files of 4 MiB or more on the second thread, and smaller ones here', () => {
    expect(PARSE_THREAD_MIN_BYTES).toBe(4 * 1024 * 1024);
    expect(useParseThread({ inputs: [{ name: fileOf(PARSE_THREAD_MIN_BYTES - 1) }] }, {})).toBe(false);
    expect(useParseThread({ inputs: [{ name: fileOf(PARSE_THREAD_MIN_BYTES) }] }, {})).toBe(true);
    // Two files that reach it together.
    const half = PARSE_THREAD_MIN_BYTES / 2;
    expect(useParseThread({ inputs: [{ name: fileOf(half) }, { name: fileOf(half) }] }, {})).toBe(true);
  });

  it('auto reads gzip files here, by name or by magic bytes, whatever their size; on gives them the thread', () => {
    const big = 4 * PARSE_THREAD_MIN_BYTES;
    expect(useParseThread({ inputs: [{ name: fileStarting('x', big, 't.csv.gz') }] }, {})).toBe(false);
    expect(useParseThread({ inputs: [{ name: fileStarting(Buffer.from([0x1f, 0x8b, 8, 0]), big, 't.csv') }] }, {})).toBe(false);
    // One gzip file among plain ones: none on the thread.
    expect(useParseThread({ inputs: [{ name: fileOf(big) }, { name: fileStarting('x', 100, 't.csv.gz') }] }, {})).toBe(false);
    // Only the magic bytes make gzip: 0x1f then anything else is not.
    expect(useParseThread({ inputs: [{ name: fileStarting(Buffer.from([0x1f, 0x8c]), big, 't.csv') }] }, {})).toBe(true);
    expect(useParseThread({ inputs: [{ name: fileStarting('x', 100, 't.csv.gz') }], parseThread: 'on' }, {})).toBe(true);
  });

  it('on and off do as told; a missing file is left to the in-process reader to report', () => {
    expect(useParseThread({ inputs: [{ name: fileOf(10) }], parseThread: 'on' }, {})).toBe(true);
    expect(useParseThread({ inputs: [{ name: fileOf(PARSE_THREAD_MIN_BYTES) }], parseThread: 'off' }, {})).toBe(false);
    expect(useParseThread({ inputs: [{ name: path.join(os.tmpdir(), 'kpromo-no-such-file.csv') }] }, {})).toBe(false);
  });
});

/** A file of `bytes` bytes that starts with `head` (the rest sparse). */
function fileStarting(head: string | Buffer, bytes: number, name = 't.txt'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-plan-'));
  dirs.push(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, head);
  fs.truncateSync(file, bytes);
  return file;
}

describe('traceBytes', () => {
  it('sums regular files, a .gz file as four times its size; null for standard input, a directory or a missing file', () => {
    expect(traceBytes([{ name: fileOf(1000) }, { name: fileStarting('x', 300, 't.csv.gz') }])).toBe(1000 + 1200);
    expect(traceBytes([])).toBe(0);
    expect(traceBytes([{ name: fileOf(10) }, { name: '-' }])).toBeNull();
    expect(traceBytes([{ name: os.tmpdir() }])).toBeNull();
    expect(traceBytes([{ name: path.join(os.tmpdir(), 'kpromo-no-such-file.csv') }])).toBeNull();
  });
});

describe('replayPlan', () => {
  const CSV = 'pfn,nid,src,time\n0x200000,0,hwhints,4294892296\n';
  const PERF = '          stream    4242/4242    [005]     0.000000: ibs_op//:     7f000e59d740         e59d740\n';
  const plan = (files: string[], over: { parseThread?: 'auto' | 'on' | 'off'; kind?: 'auto' | 'csv' | 'perf'; parser?: 'auto' | 'csv-parse' } = {}) =>
    replayPlan(
      {
        inputs: files.map((name) => ({ name })),
        parseThread: over.parseThread ?? 'auto',
        parser: over.parser ?? 'auto',
        input: { kind: over.kind ?? 'auto', perfFields: null, nid: 'cpu', pageSize: 4096, events: [], skipBad: false },
      },
      {},
    );

  it('auto: plain CSV files under 32 MiB together are read on this thread, primed from 2 MiB; from 32 MiB on the parse thread', () => {
    expect(CSV_PARSE_THREAD_MIN_BYTES).toBe(32 * 1024 * 1024);
    expect(PRIME_MIN_BYTES).toBe(2 * 1024 * 1024);
    expect(plan([fileStarting(CSV, PRIME_MIN_BYTES - 1)])).toEqual({ threaded: false, prime: false });
    expect(plan([fileStarting(CSV, PRIME_MIN_BYTES)])).toEqual({ threaded: false, prime: true });
    expect(plan([fileStarting(CSV, PARSE_THREAD_MIN_BYTES)])).toEqual({ threaded: false, prime: true });
    expect(plan([fileStarting(CSV, CSV_PARSE_THREAD_MIN_BYTES - 1)])).toEqual({ threaded: false, prime: true });
    expect(plan([fileStarting(CSV, CSV_PARSE_THREAD_MIN_BYTES)])).toEqual({ threaded: true, prime: true });
    // Two files that reach it together; two that reach the prime's size together.
    const half = CSV_PARSE_THREAD_MIN_BYTES / 2;
    expect(plan([fileStarting(CSV, half), fileStarting(CSV, half)])).toEqual({ threaded: true, prime: true });
    expect(plan([fileStarting(CSV, PRIME_MIN_BYTES / 2), fileStarting(CSV, PRIME_MIN_BYTES / 2)])).toEqual({ threaded: false, prime: true });
  });

  it('auto: perf text (sniffed or --input perf), CSV for csv-parse (a line the byte loops leave, --parser csv-parse) keep the 4 MiB rule; gzip files are read here', () => {
    const at = PARSE_THREAD_MIN_BYTES;
    expect(plan([fileStarting(PERF, at)])).toEqual({ threaded: true, prime: true });
    expect(plan([fileStarting(PERF, at - 1)])).toEqual({ threaded: false, prime: true });
    expect(plan([fileStarting(CSV, at)], { kind: 'perf' })).toEqual({ threaded: true, prime: true });
    expect(plan([fileStarting(CSV, at)], { parser: 'csv-parse' })).toEqual({ threaded: true, prime: true });
    // gzip: no thread, primed from 2 MiB of text (a .gz file counts four times its size).
    expect(plan([fileStarting(CSV, at, 't.csv.gz')])).toEqual({ threaded: false, prime: true });
    expect(plan([fileStarting(CSV, PRIME_MIN_BYTES / 4, 't.csv.gz')])).toEqual({ threaded: false, prime: true });
    expect(plan([fileStarting(CSV, PRIME_MIN_BYTES / 4 - 1, 't.csv.gz')])).toEqual({ threaded: false, prime: false });
    expect(plan([fileStarting(Buffer.from([0x1f, 0x8b, 8, 0]), at, 't.csv')])).toEqual({ threaded: false, prime: true });
    expect(plan([fileStarting(CSV, at, 't.csv.gz')], { parseThread: 'on' })).toEqual({ threaded: true, prime: true });
    // CSV with a line the byte loops leave to csv-parse (a quote inside a field, a control byte, a BOM): the 4 MiB rule.
    expect(plan([fileStarting('pfn,nid,src,time\n"0x200000",0,"hw""hints",4294892296\n', at)])).toEqual({ threaded: true, prime: true });
    expect(plan([fileStarting('pfn,nid,src,time\n"0x20,0000",0,hwhints,4294892296\n', at)])).toEqual({ threaded: true, prime: true });
    expect(plan([fileStarting('pfn,nid,src,time\n0x200000,0,hw\rhints,4294892296\n', at)])).toEqual({ threaded: true, prime: true });
    expect(plan([fileStarting('\ufeff' + CSV, at)])).toEqual({ threaded: true, prime: true });
    // CR LF line ends, fields in quotes, padded fields, which the byte loops read: the CSV rule.
    expect(plan([fileStarting(CSV.replaceAll('\n', '\r\n'), at)])).toEqual({ threaded: false, prime: true });
    expect(plan([fileStarting('"","pfn","nid","src","time"\n"1","0x200000",0,"hwhints",4294892296\n', at)])).toEqual({ threaded: false, prime: true });
    expect(plan([fileStarting('pfn,nid,src,time\n0x200000,0,hwhints,\t4294892296\n', at)])).toEqual({ threaded: false, prime: true });
    // --input csv takes perf-looking text as CSV: the CSV rule.
    expect(plan([fileStarting(PERF, at)], { kind: 'csv' })).toEqual({ threaded: false, prime: true });
    // One perf file among CSV files: the 4 MiB rule for all.
    expect(plan([fileStarting(CSV, at / 2), fileStarting(PERF, at / 2)])).toEqual({ threaded: true, prime: true });
  });

  it('on and off do as told, primed from 2 MiB or with the thread; standard input primes when it has the thread', () => {
    expect(plan([fileStarting(CSV, 100)], { parseThread: 'on' })).toEqual({ threaded: true, prime: true });
    expect(plan([fileStarting(CSV, CSV_PARSE_THREAD_MIN_BYTES)], { parseThread: 'off' })).toEqual({ threaded: false, prime: true });
    expect(plan([fileStarting(CSV, 100)], { parseThread: 'off' })).toEqual({ threaded: false, prime: false });
    expect(plan(['-'], { parseThread: 'off' })).toEqual({ threaded: false, prime: false });
    expect(plan(['-'], { parseThread: 'on' })).toEqual({ threaded: true, prime: true });
    // A missing file: neither (the in-process reader reports it).
    expect(plan([path.join(os.tmpdir(), 'kpromo-no-such-file.csv')])).toEqual({ threaded: false, prime: false });
  });
});

/** 2s-cxl with a 2 TiB CXL node: more slow-tier pages than a dense page state holds (hashed). */
const CXL_2TIB = parseTopology(
  {
    name: '2s-cxl, 2 TiB CXL',
    nodes: [
      { id: 0, cpus: '0-7', adistance: 576, pfn_ranges: [{ start: '0x0', end: '0x100000' }] },
      { id: 1, cpus: '8-15', adistance: 576, pfn_ranges: [{ start: '0x100000', end: '0x200000' }] },
      { id: 2, adistance: 2880, pfn_ranges: [{ start: '0x200000', end: '0x20200000' }] },
    ],
  },
  'test',
);

function settingsOf(engine: EngineName, topology: Topology, page_counts = false, inputs: ReplaySettings['inputs'] = [], parseThread: 'on' | 'off' = 'on'): ReplaySettings {
  return {
    engine,
    rfc: { ...RFC_V1_DEFAULTS, topology, page_counts },
    pghot: { topology, hz: RFC_V1_DEFAULTS.hz, precise: false },
    topologySource: topology.name,
    inputs,
    parser: 'auto',
    input: { kind: 'auto', nid: 'cpu', pageSize: 4096, events: null, perfFields: null, skipBad: false },
    parseThread,
  } as unknown as ReplaySettings;
}

describe('blockRingBatch', () => {
  it('a block a slot (2^16 records) for an rfc engine with dense page state, or one that counts pages; else the default', () => {
    const ring = (engine: EngineName, topology: Topology, counts = false): number | undefined => {
      const s = settingsOf(engine, topology, counts);
      return blockRingBatch(s, createEngine(engine, s));
    };
    expect(BATCH).toBe(1 << 14);
    expect(ring('rfc-v1', PRESETS['2s-cxl']!)).toBe(1 << 16);
    expect(ring('rfc-v1-fixed', PRESETS['2s-cxl']!)).toBe(1 << 16);
    // Hashed page state keeps a replay's ring (its RSS target); counting pages, it takes the large one.
    expect(ring('rfc-v1', CXL_2TIB)).toBeUndefined();
    expect(ring('rfc-v1', CXL_2TIB, true)).toBe(1 << 16);
    expect(ring('pghot', PRESETS['2s-cxl']!)).toBeUndefined();
  });

  it('a threaded replay of a file over several slots of either ring gives the counters and summary of one read on this thread', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-ring-'));
    dirs.push(dir);
    const trace = path.join(dir, 't.csv');
    // 300 k records (7 MiB: 7 blocks, 4-5 slots of 2^16 records), slow-tier pages promoted and accessed again, top-tier ones.
    const lines = ['pfn,nid,src,time'];
    let seed = 11;
    for (let i = 0; i < 300_000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const pfn = (seed >>> 8) % 4 === 0 ? (seed >>> 6) % 0x200000 : 0x200000 + ((seed >>> 8) % 20_000);
      lines.push(`0x${pfn.toString(16)},${(seed >>> 4) & 1},${(seed >>> 3) & 1 ? 'hwhints' : 'pgtscan'},${4294892296 + Math.floor(i / 40)}`);
    }
    fs.writeFileSync(trace, lines.join('\n') + '\n');
    expect(fs.statSync(trace).size).toBeGreaterThan(4 << 20);
    for (const topology of [PRESETS['2s-cxl']!, CXL_2TIB]) {
      const on = await runReplay(settingsOf('rfc-v1', topology, false, [{ name: trace }], 'on'), { shouldStop: () => false });
      const off = await runReplay(settingsOf('rfc-v1', topology, false, [{ name: trace }], 'off'), { shouldStop: () => false });
      expect(on.counters, topology.name).toEqual(off.counters);
      expect(on.summary, topology.name).toEqual(off.summary);
      expect(on.counters.find((c) => c.name === 'kpromoted_mig_promoted')!.value).toBeGreaterThan(1000);
    }
  });
});
