import { describe, it, expect } from 'vitest';
import { loadTopology } from '../../src/topology/load.js';
import { PRESETS } from '../../src/topology/presets.js';
import { topologyError } from './helpers.js';

const files = (map: Record<string, string>) => (p: string): string => {
  const text = Object.hasOwn(map, p) ? map[p] : undefined;
  if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
  return text;
};

describe('loadTopology', () => {
  it('returns a preset by name without reading files', () => {
    expect(loadTopology('4n-2cxl', files({}))).toBe(PRESETS['4n-2cxl']);
  });

  it('reads a JSON file', () => {
    const t = loadTopology('my.json', files({ 'my.json': '{"nodes":[{"id":3,"cpus":"1"}]}' }));
    expect(t.name).toBe('my.json');
    expect(t.nodes.map((n) => [n.id, n.cpus])).toEqual([[3, [1]]]);
  });

  it('does not take Object.prototype names for presets', () => {
    const e = topologyError(() => loadTopology('toString', files({})));
    expect(e.source).toBe('toString');
  });

  it('names the file and the parse message for bad JSON', () => {
    const e = topologyError(() => loadTopology('bad.json', files({ 'bad.json': '{"nodes": [' })));
    expect(e.source).toBe('bad.json');
    expect(e.message).toBe('bad.json:1:12: nodes[0]: not valid JSON: unexpected end of text where a value should be');
    expect([e.line, e.column, e.path]).toEqual([1, 12, 'nodes[0]']);
  });

  it('names the file and lists the presets when the file cannot be read', () => {
    const e = topologyError(() => loadTopology('2s-cx', files({})));
    expect(e.source).toBe('2s-cx');
    expect(e.message).toContain('ENOENT');
    expect(e.message).toContain('2s-cxl');
  });

  it('reports validation errors against the file', () => {
    const e = topologyError(() => loadTopology('t.json', files({ 't.json': '{"nodes":[{"id":0}]}' })));
    expect(e.source).toBe('t.json');
    expect(e.path).toBe('nodes');
  });

  it('reads numactl:FILE through the injected reader', () => {
    const t = loadTopology('numactl:h.txt', files({ 'h.txt': 'node 0 cpus: 0 1\nnode 0 size: 1 MB\n' }));
    expect(t.nodes).toEqual([{ id: 0, cpus: [0, 1], adistance: 576, pfn_ranges: [{ start: 0, end: 256, kind: 'lru' }], free_pages: null, high_wmark_pages: 0 }]);
  });

  it('refuses a duplicated key with its line and column, in a node and at the top (the last one used to win)', () => {
    const r4 =
      '{"name":"t","nodes":[{"id":0,"id":5,"cpus":"0-7","pfn_ranges":[{"start":"0x0","end":"0x100000"}]},' +
      '{"id":2,"adistance":2880,"pfn_ranges":[{"start":"0x200000","end":"0x400000"}]}]}';
    const e = topologyError(() => loadTopology('r4.json', files({ 'r4.json': r4 })));
    expect([e.path, e.line, e.column]).toEqual(['nodes[0].id', 1, 30]);
    expect(e.message).toBe('r4.json:1:30: nodes[0].id: duplicate key "id" (first at 1:23); a key may appear once in an object');
    const twice = '{\n  "nodes": [],\n  "nodes": [{"id": 0, "cpus": "0"}]\n}\n';
    expect(topologyError(() => loadTopology('t.json', files({ 't.json': twice }))).message).toMatch(/^t\.json:3:3: nodes: duplicate key "nodes" \(first at 2:3\)/);
  });

  it('reads a file that starts with a UTF-8 byte order mark', () => {
    const t = loadTopology('bom.json', files({ 'bom.json': '\ufeff{"nodes":[{"id":0,"cpus":"0-1"}]}' }));
    expect(t.nodes.map((n) => n.cpus)).toEqual([[0, 1]]);
  });

  it('quotes numbers as written, with line and column, not as JSON.parse rounds them', () => {
    const at = (body: string) => topologyError(() => loadTopology('n.json', files({ 'n.json': `{"nodes": [\n  {"cpus": "0", ${body}}\n]}` })));
    expect(at('"id": 9007199254740993').message).toBe('n.json:2:23: nodes[0].id: expected an integer in [0, 1023], got 9007199254740993');
    expect(at('"id": 1e400').message).toContain('got 1e400');
    const fp = at('"id": 0, "free_pages": 18446744073709551616');
    expect(fp.message).toBe('n.json:2:40: nodes[0].free_pages: node 0: expected an integer in [0, 9007199254740991], got 18446744073709551616');
    expect(at('"id": 0, "pfn_ranges": [{"start": 0, "end": 1e20}]').message).toContain('pfn_ranges[0].end: node 0: expected a pfn (integer >= 0 or "0x" hex string), got 1e20');
    // Not an integer, though JSON.parse reads one: refused rather than rounded.
    const r = at('"id": 0, "pfn_ranges": [{"start": 9007199254740990.5, "end": 9007199254740991}]');
    expect(r.message).toBe(
      'n.json:2:51: nodes[0].pfn_ranges[0].start: expected an integer, got 9007199254740990.5, which is not one (JSON.parse would read it as 9007199254740990)',
    );
    // An unknown key is placed at the key; a missing one at its object.
    expect(at('"id": 0, "cpu": "1"').message).toMatch(/^n\.json:2:26: nodes\[0\]\.cpu: unknown key "cpu"/);
    expect(at('"adistance": 5').message).toBe('n.json:2:3: nodes[0].id: missing node id');
  });
});
