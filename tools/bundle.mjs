/**
 * Bundles the built CLI (dist/src, from tsc) into dist/bundle/ with esbuild: one self-contained, minified
 * ES module per entry (the CLI and the three worker scripts, side by side so each worker is found beside
 * the code that starts it). Start-up is the reason (README "Speed and memory"): one file instead of a
 * hundred modules and their resolution; measured against code splitting, one file per entry was as fast
 * or faster (bench/startup.ts).
 * The bundled packages' licences are copied into dist/bundle/THIRD-PARTY-LICENSES.txt.
 */
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUT = 'dist/bundle';
rmSync(OUT, { recursive: true, force: true });
const result = await build({
  entryPoints: ['dist/src/cli/main.js', 'dist/src/trace/parse-worker.js', 'dist/src/multi/lane-worker.js', 'dist/src/multi/sweep-worker.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: OUT,
  entryNames: '[name]',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // commander and cli-table3 are CommonJS and require() node built-ins.
  banner: { js: "import{createRequire as __kpromoRequire}from'node:module';const require=__kpromoRequire(import.meta.url);" },
});

const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (m) packages.set(m[2], m[1]);
}
let text = 'kpromo bundles these packages (dist/bundle/); their licences follow.\n';
for (const [name, dir] of [...packages].sort()) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = ['LICENSE', 'LICENSE.md', 'license', 'LICENSE.txt', 'license.md'].map((f) => join(dir, f)).find((f) => existsSync(f));
  text += `\n==== ${name} ${pkg.version} (${pkg.license ?? 'see below'}) ====\n`;
  text += file ? readFileSync(file, 'utf8') : `licence: ${pkg.license}\n`;
}
writeFileSync(join(OUT, 'THIRD-PARTY-LICENSES.txt'), text);
