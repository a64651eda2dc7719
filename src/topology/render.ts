/**
 * Human-readable and JSON renderings of a topology. Pure functions returning strings; colour is
 * decided by the caller and passed in as a chalk instance.
 */
import type { ChalkInstance } from 'chalk';
import { MEMTIER_CHUNK_BITS, memoryTiers, type NodeSpec, type Topology } from '../engine/topology.js';
import { fitTable, wrapText } from '../render/fit-table.js';
import { formatCpulist } from './cpulist.js';
import { topologyToObject } from './parse.js';
import { escapeControl } from '../escape.js';
import { pagesPerSection, unalignedRanges } from './sections.js';
import { describeTiers, type TierOrigin } from './tiers.js';

/** What renderTopology() can say beyond the topology itself. */
export interface TopologyFacts {
  /** Where each node's abstract distance came from (a topology built from a machine). */
  readonly tiers?: readonly TierOrigin[];
  /** Page size in bytes for the memory-section lines (4096). */
  readonly pageSize?: number;
  /** Terminal width to fit the table and lines to (render/fit-table.ts); none: full width. */
  readonly width?: number | undefined;
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

function rangesCell(n: NodeSpec): string {
  if (n.pfn_ranges.length === 0) return '-';
  return n.pfn_ranges
    .map((r) => `${hex(r.start)}-${hex(r.end)}${r.kind === 'lru' ? '' : ' ' + r.kind} (${r.end - r.start} pages)`)
    .join('\n');
}

function budgetCell(n: NodeSpec): string {
  return n.free_pages === null ? 'unlimited' : `${n.free_pages} / ${n.high_wmark_pages}`;
}

/**
 * Lines about memory sections: which ranges do not start on one, whose section it is, and what pghot does
 * with those pages (mm/pghot.c keys hot maps and kmigrated walks on the node of a section's first pfn).
 */
export function sectionLines(topo: Topology, pageSize = 4096): string[] {
  const pps = pagesPerSection(pageSize);
  const size = `${(pps * pageSize) / 1048576} MiB = ${hex(pps)} pages`;
  const bad = unalignedRanges(topo, pageSize);
  if (bad.length === 0) return [`memory sections (${size}): no range starts inside a section of another node`];
  return [
    `memory sections (${size}): ${bad.length} range${bad.length === 1 ? '' : 's'} start${bad.length === 1 ? 's' : ''} mid-section:`,
    ...bad.map((u) => {
      const owner = u.owner === null ? 'whose first pfn is in no range' : `which belongs to node ${u.owner}`;
      const effect =
        u.effect === 'not_recorded'
          ? 'pghot never records accesses there (no hot map)'
          : u.effect === 'never_walked'
            ? `pghot never promotes them (kmigrated${u.owner} walks the section and skips node ${u.node}'s pages)`
            : 'no effect (top-tier pages are not tracked)';
      return `  node ${u.node} ${hex(u.start)}-${hex(u.end)}: pages ${hex(u.start)}-${hex(u.affected_end)} lie in section ${u.section} (${hex(u.section_start)}), ${owner}: ${effect}`;
    }),
  ];
}

/**
 * Renders one row per node, a line naming the top-tier boundary (SPEC 3.2), the tiers' origins when
 * known, and the memory-section lines.
 */
export function renderTopology(topo: Topology, color: ChalkInstance, facts: TopologyFacts = {}): string {
  const tiers = memoryTiers(topo);
  const columns = [
    { head: 'node' },
    { head: 'cpus', wrap: true },
    { head: 'adistance', short: 'adist', drop: 1 }, // the tier column shows what it decides
    { head: 'tier' },
    { head: 'top tier', short: 'top' },
    { head: 'daemon', wrap: true },
    { head: 'pfn ranges [start-end)', short: 'pfn ranges', wrap: true },
    { head: 'free / high_wmark', short: 'free / wmark', wrap: true },
  ];
  const rows = topo.nodes.map((n, i) => {
    const t = tiers.nodes[i];
    return [
      String(n.id),
      n.cpus.length > 0 ? formatCpulist(n.cpus) : '-',
      String(n.adistance),
      t.tier === null ? '-' : String(t.tier),
      t.toptier ? color.green('yes') : color.yellow('no'),
      t.has_daemon ? `kpromoted${n.id}` : 'no',
      rangesCell(n),
      budgetCell(n),
    ];
  });
  const table = fitTable(columns, rows, { width: facts.width, color, seeAll: 'a wider terminal or --json shows all' });
  const fitLine = (line: string): string => (facts.width === undefined ? line : wrapText(line, facts.width));

  const top = topo.nodes.filter((_, i) => tiers.nodes[i].toptier).map((n) => n.id);
  const lower = topo.nodes.filter((_, i) => !tiers.nodes[i].toptier).map((n) => n.id);
  const list = (ids: number[]): string => (ids.length > 0 ? ids.join(',') : 'none');
  const boundary =
    tiers.top_tier === null
      ? 'top-tier boundary: no node has both CPUs and memory, so only tier 0 and nodes without memory are top tier'
      : `top-tier boundary: tier ${tiers.top_tier} (adistance < ${(tiers.top_tier + 1) << MEMTIER_CHUNK_BITS})`;
  return [
    color.bold(fitLine(`topology ${escapeControl(topo.name)}`)),
    table,
    ...[
      `${boundary}; top-tier nodes: ${list(top)}; promotion sources: ${list(lower)}`,
      ...(facts.tiers ? describeTiers(facts.tiers) : ['tiers: adistance as given in the topology']),
      ...sectionLines(topo, facts.pageSize),
    ].map(fitLine),
  ].join('\n');
}

/** The topology as a pretty SPEC 3.1 JSON file (hex pfns, defaults omitted) that parseTopology reads back. */
export function topologyToJson(topo: Topology): string {
  const text = JSON.stringify(topologyToObject(topo), null, 2);
  // One pfn range per line, as in SPEC 3.1: `{ "start": "0x0", "end": "0x100000" }`.
  return text.replace(/\{\n\s+("start": [^\n]+)\n\s+("end": [^\n]+?)(?:\n\s+("kind": [^\n]+))?\n\s+\}/g, (_m, a, b, k) =>
    k === undefined ? `{ ${a} ${b} }` : `{ ${a} ${b} ${k} }`,
  ) + '\n';
}
