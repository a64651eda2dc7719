/** The README's sample outputs are what kpromo prints, and its examples name only files and presets a reader has. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetNames } from '../../src/topology/presets.js';
import { runCli } from './run-cli.js';

const ROOT = path.resolve(__dirname, '../..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The fenced code blocks of a markdown text. */
function codeBlocks(md: string): string[] {
  return [...md.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The sample printed after `$ COMMAND` in a code block, up to the block's end. */
function sampleAfter(command: string): string {
  const block = codeBlocks(README).find((b) => b.startsWith(`$ ${command}\n`));
  expect(block, `a README block starting with $ ${command}`).toBeDefined();
  return block!.slice(command.length + 3);
}

describe('README', () => {
  it('shows `kpromo topo 2s-cxl` exactly as kpromo prints it (through a pipe: full width, no colour)', async () => {
    const r = await runCli(['topo', '2s-cxl']);
    expect(r.code).toBe(0);
    expect(sampleAfter('kpromo topo 2s-cxl')).toBe(r.stdout);
  });

  it('shows `kpromo page 0x200000 traces/spec-worked.csv` exactly as kpromo prints it', async () => {
    const at = README.indexOf('`kpromo page 0x200000 traces/spec-worked.csv` shows');
    expect(at).toBeGreaterThan(0);
    const block = codeBlocks(README.slice(at))[0]!;
    const r = await runCli(['page', '0x200000', path.join(ROOT, 'traces/spec-worked.csv')]);
    expect(r.code).toBe(0);
    expect(block).toBe(r.stdout);
  });

  it('names in --topology only presets, files of the repository, or a file the same block creates', () => {
    const presets = new Set(presetNames());
    const used: string[] = [];
    for (const block of codeBlocks(README)) {
      for (const m of block.matchAll(/--topology (\S+)/g)) {
        const arg = m[1]!;
        used.push(arg);
        const created = new RegExp(`>\\s*${arg.replace(/[.]/g, '\\.')}\\b|-o ${arg.replace(/[.]/g, '\\.')}\\b`).test(block);
        expect(presets.has(arg) || fs.existsSync(path.join(ROOT, arg)) || created, `--topology ${arg}`).toBe(true);
      }
    }
    expect(used).toContain('2s-cxl-budget');
  });

  it('makes docs/report.png with the command it prints, and the preset it names exists', () => {
    expect(README).toContain('kpromo replay --topology 2s-cxl-budget --demotion --timeline --report report.html phase.csv\nnode scripts/render-report.mjs report.html --screenshot docs/report.png\n');
    expect(fs.existsSync(path.join(ROOT, 'docs/report.png'))).toBe(true);
  });

  it('and docs/ cite public sources only: no internal notes, every modelled source by repository @ commit or a list post', () => {
    const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
    for (const [name, text] of [['README.md', README], ...docs.map((f) => [`docs/${f}`, fs.readFileSync(path.join(ROOT, 'docs', f), 'utf8')])]) {
      for (const internal of [/kernel-facts/i, /stored (copy|id|files?)\b/i, /the index does not name/i, /\bthe brief\b/i, /\bissue \d/i]) {
        expect(text, `${name}: ${internal}`).not.toMatch(internal);
      }
    }
    const engines = fs.readFileSync(path.join(ROOT, 'docs/engines.md'), 'utf8');
    const table = engines.slice(engines.indexOf('### Sources modelled'), engines.indexOf('### Record path'));
    const rows = table.split('\n').filter((l) => /^\| `/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const r of rows) expect(r, r).toMatch(/[\w-]+\/[\w.-]+ @ `[0-9a-f]{40}`|https:\/\/lore\.kernel\.org\/all\/[^)\s]+@[^)\s]+\//);
  });
});
