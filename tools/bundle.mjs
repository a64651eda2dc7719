/**
 * Bundles the built CLI (dist/src, from tsc) into dist/bundle/ with esbuild, minified ES modules: the CLI
 * split into chunks so that only the command that runs is loaded, and the two worker scripts as one
 * self-contained file each, beside the CLI (the code that starts a worker finds it there). Start-up is the
 * reason (README "Speed and memory", bench/startup.ts): a few files instead of a hundred modules.
 * The bundled packages' licences are copied into dist/bundle/THIRD-PARTY-LICENSES.txt.
 */
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = 'dist/bundle';
rmSync(OUT, { recursive: true, force: true });
const common = {
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
};
// string-width's emoji-regex through a shim that skips ASCII-only strings (tools/emoji-regex-lazy.cjs).
const lazyEmoji = {
  name: 'emoji-regex-lazy',
  setup(b) {
    b.onResolve({ filter: /^emoji-regex$/ }, (args) =>
      args.importer.endsWith('emoji-regex-lazy.cjs') ? undefined : { path: fileURLToPath(new URL('./emoji-regex-lazy.cjs', import.meta.url)) },
    );
  },
};
// The CLI with code splitting: each command is loaded (import()) only when it runs, so `kpromo --help`
// loads commander and the help, not every command's code.
const cli = await build({ ...common, entryPoints: ['dist/src/cli/main.js'], splitting: true, chunkNames: 'chunk-[hash]', plugins: [lazyEmoji] });
// The workers, each one self-contained file beside the CLI (found there by the code that starts them).
const workers = await build({
  ...common,
  entryPoints: ['dist/src/trace/parse-worker.js', 'dist/src/multi/lane-worker.js'],
});
const result = { metafile: { inputs: { ...cli.metafile.inputs, ...workers.metafile.inputs } } };

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
