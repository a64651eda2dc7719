/** Every `--format json` document validates against docs/kpromo-output.schema.json (ajv, JSON Schema 2020-12). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const ROOT = path.resolve(__dirname, '../..');
const TRACES = path.join(ROOT, 'traces');
const SPEC = path.join(TRACES, 'spec-worked.csv');
const SPEC_TOPO = path.join(TRACES, 'spec-worked.topology.json');
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/kpromo-output.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

/**
 * The schema with every object closed (`additionalProperties: false` where it says nothing), so that a field the
 * output has and the schema does not declare fails. The top level's properties go into each kind's, which is
 * where a closed document must find them.
 */
function closedSchema(): object {
  const s = structuredClone(schema) as { properties: object; $defs: Record<string, { properties: object }> };
  for (const kind of ['replay', 'compare', 'sweep', 'check']) s.$defs[kind]!.properties = { ...s.properties, ...s.$defs[kind]!.properties };
  const close = (o: unknown): void => {
    if (Array.isArray(o)) return o.forEach(close);
    if (o === null || typeof o !== 'object') return;
    const rec = o as Record<string, unknown>;
    if (rec['properties'] !== undefined && rec['additionalProperties'] === undefined) rec['additionalProperties'] = false;
    Object.values(rec).forEach(close);
  };
  close(s.$defs);
  return s;
}
const closedAjv = new Ajv2020({ allErrors: true, strict: true }).addSchema(closedSchema(), 'closed');

/** The fields of `doc` that the schema of its kind, closed, does not declare (`/timeline/N +seconds`); [] when none. */
function undeclared(doc: { kind: string }): string[] {
  const validate = closedAjv.compile({ $ref: `closed#/$defs/${doc.kind}` });
  if (validate(doc)) return [];
  const errors = (validate.errors ?? []).map((e) =>
    e.keyword === 'additionalProperties' ? `${e.instancePath.replace(/\/\d+/g, '/N')} +${String(e.params['additionalProperty'])}` : `${e.instancePath} ${e.message ?? ''}`);
  return [...new Set(errors)];
}

/** Parses stdout and asserts it is valid; returns the document. */
function valid(stdout: string): Record<string, unknown> {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  const ok = validate(doc);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
  expect(ok).toBe(true);
  return doc;
}

describe('JSON output schema', () => {
  it('replay (rfc-v1 with timeline and analysis; pghot precise) is typed and valid', async () => {
    const r = await runCli(['replay', '--format', 'json', '--timeline', '--topology', SPEC_TOPO, SPEC]);
    expect(r.code).toBe(0);
    const doc = valid(r.stdout);
    expect(doc).toMatchObject({ schema_version: 1, kind: 'replay', records: 10, traces: [SPEC] });
    // Typed settings: numbers are numbers (the table shows "5000 ms / 2"; JSON has them apart).
    expect(doc['settings']).toMatchObject({ hz: 250, window_ms: 5000, threshold: 2, period_ms: 1000, default_node: 1, hash_order: 16, demotion: false });
    expect((doc['counters'] as Record<string, number>)['kpromoted_mig_promoted']).toBe(4); // SPEC 6
    const p = await runCli(['replay', '--format', 'json', '--engine', 'pghot', '--pghot-precise', '--target-nid', '0', SPEC]);
    expect(p.code).toBe(0);
    expect(valid(p.stdout)['settings']).toMatchObject({ precise: true, freq_window_ms: 5000, target_nid: 0, enabled_sources: 3 });
  });

  it('compare and sweep are valid and share the result shape', async () => {
    const c = await runCli(['compare', '--format', 'json', SPEC]);
    expect(c.code).toBe(0);
    const cd = valid(c.stdout) as { kind: string; results: { settings: Record<string, unknown> }[] };
    expect(cd.kind).toBe('compare');
    expect(cd.results[0]!.settings['window_ms']).toBe(5000);
    expect(cd.results[2]!.settings['freq_window_ms']).toBe(3000);
    const s = await runCli(['sweep', '--format', 'json', '--threshold', '1..3', SPEC]);
    expect(s.code).toBe(0);
    const sd = valid(s.stdout) as { kind: string; results: { params: Record<string, number> }[] };
    expect(sd.kind).toBe('sweep');
    expect(sd.results.map((x) => x.params['threshold']).sort()).toEqual([1, 2, 3]);
  });

  it('compare and sweep carry the read counts replay does (input: bad lines and perf samples skipped)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-json-'));
    const f = path.join(dir, 'skips.txt');
    fs.writeFileSync(f, fs.readFileSync(path.join(ROOT, 'test/fixtures/perf/ibs-two-events.txt'), 'utf8') + 'not a perf line\n');
    const r = await runCli(['replay', '--format', 'json', '--skip-bad', f]);
    expect(r.code, r.stderr).toBe(0);
    const input = valid(r.stdout)['input'] as { skipped: number; perf: { skipped_by_reason: Record<string, number> } };
    expect(input.skipped).toBe(1);
    expect(input.perf.skipped_by_reason['phys_addr_zero']).toBe(1);
    for (const args of [['compare', '--engine', 'rfc-v1', '--engine', 'pghot'], ['sweep', '--threshold', '1,2'], ['sweep', '--threshold', '1,2', '--shard', '2/2']]) {
      const c = await runCli([...args, '--format', 'json', '--skip-bad', f]);
      expect(c.code, c.stderr).toBe(0);
      expect(valid(c.stdout)['input'], args.join(' ')).toEqual(input);
    }
    // The schema requires it: a compare or sweep document without input is not valid.
    for (const args of [['compare', '--engine', 'rfc-v1'], ['sweep', '--threshold', '1,2']]) {
      const doc = JSON.parse((await runCli([...args, '--format', 'json', '--skip-bad', f])).stdout) as Record<string, unknown>;
      delete doc['input'];
      expect(validate(doc), args[0]).toBe(false);
    }
    // A part with no configuration read nothing: input null, as records.
    const empty = await runCli(['sweep', '--format', 'json', '--threshold', '1,2', '--shard', '1/3', '--skip-bad', f]);
    expect(valid(empty.stdout)).toMatchObject({ records: null, input: null });
  });

  it('check is valid for passing, failing and erroring cases', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-json-'));
    for (const f of fs.readdirSync(TRACES)) fs.copyFileSync(path.join(TRACES, f), path.join(dir, f));
    const g = path.join(dir, 'numa-no-node.vmstat');
    fs.writeFileSync(g, 'kpromoted_mig_promoted 0\n');
    fs.writeFileSync(path.join(dir, 'lonely.csv'), 'pfn,nid,src,time\n0x200000,0,0,1\n'); // no golden: cannot run
    const r = await runCli(['check', '--format', 'json', dir]);
    expect(r.code).toBe(2);
    const doc = valid(r.stdout) as { totals: Record<string, number>; results: { name: string; status: string; diffs: unknown[]; counters: unknown }[] };
    const goldens = fs.readdirSync(TRACES).filter((f) => f.endsWith('.vmstat')).length; // every example trace, one made to fail
    expect(doc.totals).toEqual({ cases: goldens + 1, passed: goldens - 1, failed: 1, errors: 1, updated: 0, unchanged: 0 });
    expect(doc.results.find((x) => x.name === 'numa-no-node')).toMatchObject({ status: 'fail', diffs: [{ name: 'kpromoted_mig_promoted', expected: 0, actual: 1 }] });
    expect(doc.results.find((x) => x.name === 'lonely')).toMatchObject({ status: 'error', counters: null });
    expect(r.stderr).toContain(`kpromo check: ${goldens - 1} passed, 1 failed, 1 error\n`);
  });

  it('declares every field kpromo writes (the schema allows more; a closed copy of it must still pass)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-json-'));
    for (const f of fs.readdirSync(TRACES)) fs.copyFileSync(path.join(TRACES, f), path.join(dir, f));
    // An events golden that differs, so that check's result carries its first differing line.
    fs.writeFileSync(path.join(dir, 'spec-worked.events.csv'), 'time,node,pfn,from,to,outcome\n1250,0,1,2,0,promoted\n');
    const BUDGET = path.join(TRACES, 'bounds-cold-first.csv');
    const BUDGET_TOPO = path.join(TRACES, 'bounds-cold-first.topology.json');
    const runs = [
      ['replay', '--timeline', '--topology', BUDGET_TOPO, BUDGET], // bounds with a capacity, rows with free pages
      ['replay', '--timeline', '--bucket', '1', SPEC], // no-range accesses, a node -1 row
      ['replay', '--engine', 'pghot', '--pghot-precise', SPEC],
      ['compare', '--topology', BUDGET_TOPO, BUDGET],
      ['sweep', '--threshold', '1..3', SPEC],
      ['sweep', '--threshold', '1..3', '--shard', '2/2', SPEC],
      ['check', dir],
    ];
    for (const args of runs) {
      const r = await runCli([...args, '--format', 'json']);
      expect(undeclared(JSON.parse(r.stdout) as { kind: string }), args.join(' ')).toEqual([]);
    }
  });

  it('the schema refuses display strings where numbers belong', () => {
    const doc = {
      schema_version: 1, kind: 'replay', kpromo_version: '0.1.0', traces: ['t.csv'], records: 0, engine: 'rfc-v1',
      settings: { topology: { source: '2s-cxl', name: '2s-cxl' }, hz: '250', window_ms: 5000, threshold: 2, period_ms: 1000, default_node: 1, hash_order: 16, demotion: false },
      counters: {}, summary: { records: 0, passes: 0, tracked: 0, unexamined: [], first_pass: null, last_pass: null, free_pages: [], unexamined_total: 0 },
      input: { records: 0, bytes: 0, files: 1, skipped: 0, formats: [], bad_lines_by_reason: {} },
    };
    expect(validate(doc)).toBe(false);
    expect(validate({ ...doc, settings: { ...doc.settings, hz: 250 } })).toBe(true);
  });
});
