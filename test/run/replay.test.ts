/**
 * When a replay parses on a second thread (src/run/replay.ts useParseThread()): under `--parse-thread auto`, trace files
 * of PARSE_THREAD_MIN_BYTES (4 MiB) or more together, none smaller; `on` and `off` whatever the size. And the ring such
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
import { blockRingBatch, PARSE_THREAD_MIN_BYTES, runReplay, useParseThread, type ReplaySettings } from '../../src/run/replay.js';
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

  it('on and off do as told; a missing file is left to the in-process reader to report', () => {
    expect(useParseThread({ inputs: [{ name: fileOf(10) }], parseThread: 'on' }, {})).toBe(true);
    expect(useParseThread({ inputs: [{ name: fileOf(PARSE_THREAD_MIN_BYTES) }], parseThread: 'off' }, {})).toBe(false);
    expect(useParseThread({ inputs: [{ name: path.join(os.tmpdir(), 'kpromo-no-such-file.csv') }] }, {})).toBe(false);
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
