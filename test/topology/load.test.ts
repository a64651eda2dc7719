import { describe, it, expect } from 'vitest';
import { loadTopology } from '../../src/topology/load.js';
import { PRESETS } from '../../src/topology/presets.js';
import { topologyError } from './helpers.js';

const files = (map: Record<string, string>) => (p: string): string => {
  const text = map[p];
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
    expect(e.message).toMatch(/^bad\.json: not valid JSON: /);
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
});
