import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cachedLoader, engineSettings } from '../../src/multi/config.js';
import { createEngine } from '../../src/engine/registry.js';
import { readTraces } from '../../src/trace/read.js';
import { loadTopology } from '../../src/topology/load.js';
import type { RawEngineOptions } from '../../src/cli/options.js';
import { fanoutBatch, FANOUT_MAX } from '../../src/multi/fanout.js';
import { runCli } from './run-cli.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-multi-stop-'));
const load = cachedLoader((a) => loadTopology(a));
const BASE: RawEngineOptions = { topology: '2s-cxl', engine: 'rfc-v1', hz: '250', defaultNode: '1', hashOrder: '16', parser: 'auto' };

let trace: string | null = null;
/** 600 k records: more than two fan-out batches of FANOUT_MAX (262144: a fan-out to three engines or fewer). */
async function genTrace(): Promise<string> {
  if (trace) return trace;
  const f = path.join(tmp(), 'g.csv');
  const g = await runCli(['gen', '--records', '600000', '--pages', '5000', '--duration', '60', '--seed', '11', '-o', f]);
  expect(g.code, g.stderr).toBe(0);
  return (trace = f);
}

/** The counters an engine shows after the first `n` records of `file`, without the final pass. */
async function countersAfter(file: string, n: number, raw: Partial<RawEngineOptions>): Promise<string> {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const part = path.join(tmp(), 'head.csv');
  fs.writeFileSync(part, lines.slice(0, n + 1).join('\n') + '\n');
  const s = engineSettings({ ...BASE, ...raw }, load);
  const engine = createEngine(s.engine, s);
  await readTraces([{ name: part }], engine);
  return engine.counters().map((c) => `${c.name} ${c.value}`).join('\n') + '\n';
}

/** Standard input that sends `first` lines, asks to stop, then sends the rest (so the reader sees the request). */
function stoppingStdin(file: string, first: number, fire: () => (() => void) | null): Readable {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const head = lines.slice(0, first + 1).join('\n') + '\n';
  const tail = lines.slice(first + 1).join('\n');
  return Readable.from(
    (async function* () {
      yield Buffer.from(head);
      await new Promise((r) => setTimeout(r, 20));
      fire()?.();
      yield Buffer.from(tail);
    })(),
  );
}

/** The `# label (engine): N records applied` blocks of the stop report. */
function blocks(stderr: string): Map<string, { records: number; text: string }> {
  const out = new Map<string, { records: number; text: string }>();
  const re = /^# (.+?) \((\S+)\): (\d+) records applied\n((?:[a-z_0-9]+ \d+\n)+)/gm;
  for (const m of stderr.matchAll(re)) out.set(m[1]!, { records: Number(m[3]), text: m[4]! });
  return out;
}

describe('compare and sweep stopped (Ctrl-C): partial counters of every configuration, exit 130', () => {
  it('compare: each engine shows the counters of the records it applied, as an engine fed those records shows them', async () => {
    const f = await genTrace();
    let fire: (() => void) | null = null;
    const r = await runCli(['compare', '--engine', 'rfc-v1', '--engine', 'rfc-v1:threshold=3', '--engine', 'pghot', '-'], {
      stdin: stoppingStdin(f, 560000, () => fire),
      interrupt: (h) => (fire = h),
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^# kpromo: interrupted after \d+ records: partial counters of each configuration, no final pass$/m);
    const got = blocks(r.stderr);
    expect([...got.keys()]).toEqual(['rfc-v1', 'rfc-v1:threshold=3', 'pghot']);
    const applied = got.get('rfc-v1')!.records;
    // Stopped between fan-out batches: a whole number of batches, at least the two read before the request.
    expect(fanoutBatch(3)).toBe(FANOUT_MAX);
    expect(applied % FANOUT_MAX).toBe(0);
    expect(applied).toBeGreaterThanOrEqual(2 * FANOUT_MAX);
    expect(got.get('rfc-v1')!.text).toBe(await countersAfter(f, applied, {}));
    expect(got.get('rfc-v1:threshold=3')!.text).toBe(await countersAfter(f, applied, { threshold: '3' }));
    expect(got.get('pghot')!.text).toBe(await countersAfter(f, applied, { engine: 'pghot' }));
    expect(got.get('rfc-v1')!.text).not.toBe(got.get('rfc-v1:threshold=3')!.text);
  });

  it('sweep: the same for each grid point; no --csv file is left', async () => {
    const f = await genTrace();
    const dir = tmp();
    let fire: (() => void) | null = null;
    const r = await runCli(['sweep', '--threshold', '2,4', '--csv', path.join(dir, 'o.csv'), '-'], {
      stdin: stoppingStdin(f, 300000, () => fire),
      interrupt: (h) => (fire = h),
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    const got = blocks(r.stderr);
    expect([...got.keys()]).toEqual(['threshold=2', 'threshold=4']);
    const applied = got.get('threshold=2')!.records;
    expect(applied).toBeGreaterThanOrEqual(FANOUT_MAX); // two configurations (and a bounds counter): batches of FANOUT_MAX
    expect(got.get('threshold=4')!.text).toBe(await countersAfter(f, applied, { threshold: '4' }));
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
