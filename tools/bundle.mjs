/**
 * Bundles the built CLI (dist/src, from tsc) into dist/bundle/ with esbuild, minified:
 *   - the CLI as one CommonJS file, dist/bundle/main.cjs, whose first line names its build
 *     (`//kpromo-build <id>`), the rest a function expression (the CommonJS wrapper, written here once).
 *     bin/kpromo.js compiles it with node:vm and V8's code cache,
 *     dist/bundle/main.<id>.cache, which tools/code-cache.mjs writes after a training replay;
 *   - the two worker scripts as one self-contained CommonJS file each, beside the CLI (the code that starts
 *     a worker finds it there).
 * Start-up is the reason (README "Speed and memory", bench/startup.ts): one file whose compiled code is
 * cached, instead of a hundred modules, each parsed and compiled on every run.
 * The bundled packages' licences are copied into dist/bundle/THIRD-PARTY-LICENSES.txt.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
  // bin/kpromo.js reads main.cjs as latin1 (no UTF-8 decoding): non-ASCII characters are written as escapes.
  charset: 'ascii',
  // commander is CommonJS and require()s node built-ins.
  banner: { js: "import{createRequire as __kpromoRequire}from'node:module';const require=__kpromoRequire(import.meta.url);" },
};
// import('node:zlib') and the like, kept as they are, would need a module loader inside node:vm: they become
// require() calls, still made only when the code that needs them runs.
const builtinImports = {
  name: 'builtin-dynamic-import',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'builtin-import' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'builtin-import' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};
// commander require()s node:child_process (and with it net, dgram and streams) at load time, for
// executable subcommands, which kpromo has none of: it is loaded on first use instead.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) => (args.importer.includes('node_modules/commander/') ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};
// csv-parse's Parser extends node:stream's Transform, so loading it loads node:stream and its dozen modules (about
// 2 ms of every start). kpromo uses it only for a trace the byte parser hands over (quotes, spaces, CRLF...): the
// bundles get a stand-in whose Parser and CsvError load the real module on first use (trace/csvpath.ts uses no more).
const lazyCsvParse = {
  name: 'lazy-csv-parse',
  setup(b) {
    b.onResolve({ filter: /^csv-parse$/ }, (args) => (args.pluginData === 'real' ? undefined : { path: 'csv-parse', namespace: 'lazy-csv-parse', pluginData: args.resolveDir }));
    b.onResolve({ filter: /^csv-parse-real$/, namespace: 'lazy-csv-parse' }, (args) =>
      b.resolve('csv-parse', { kind: 'require-call', resolveDir: args.resolveDir, pluginData: 'real' }),
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-csv-parse' }, (args) => ({
      contents: [
        'let m;',
        "const real = () => (m ??= require('csv-parse-real'));",
        'export function Parser(opts) { return new (real().Parser)(opts); }',
        'export const CsvError = { [Symbol.hasInstance]: (x) => m !== undefined && x instanceof m.CsvError };',
      ].join('\n'),
      loader: 'js',
      resolveDir: args.pluginData,
    }));
  },
};
// node:os in the output code (file-output.js: the temporary directory of a spooled standard output) loads a module and
// a binding at every start: the stand-in loads it when tmpdir() is first called.
const lazyOsForOutput = {
  name: 'lazy-os-for-output',
  setup(b) {
    b.onResolve({ filter: /^node:os$/ }, (args) => (/cli[\\/]file-output\.js$/.test(args.importer) ? { path: 'node:os', namespace: 'lazy-os' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-os' }, () => ({
      contents: "let m; export function tmpdir() { return (m ??= require('node:os')).tmpdir(); }",
      loader: 'js',
    }));
  },
};
// The CLI: one CommonJS file. Commands are still loaded lazily (esbuild keeps each module's code in a
// function run on first import()), and the code cache makes the unused ones cost nothing to parse.
const BUILD_ID = randomBytes(6).toString('hex');
const cli = await build({
  ...common,
  format: 'cjs',
  entryPoints: ['dist/src/cli/main.js'],
  entryNames: undefined,
  outdir: undefined,
  outfile: join(OUT, 'main.cjs'),
  // import.meta.url (where the worker scripts are found) of the CommonJS file, made when first read (the URL
  // costs about 0.5 ms, and most runs start no worker).
  define: { 'import.meta.url': '__kpromo.url' },
  // After the build line, the file is a function expression: the CommonJS wrapper, written here once, so that
  // bin/kpromo.js compiles the file's text as it is read. Wrapped at each start, the 400 KB source was a second string
  // that V8 copied flat before compiling it: 1 ms to compile with the code cache (8.7 against 9.6 ms, medians of 6
  // alternating runs), 2-3 ms of a whole start (bench/startup.ts, 31 interleaved runs; docs/speed-log.md, 2026-12-03).
  banner: {
    js: `//kpromo-build ${BUILD_ID}\n(function (exports, require, module, __filename, __dirname) {const __kpromo={get url(){return require('node:url').pathToFileURL(__filename).href}};`,
  },
  footer: { js: '})' },
  plugins: [builtinImports, lazyChildProcess, lazyCsvParse, lazyOsForOutput],
});
// The workers, each one self-contained CommonJS file beside the CLI (found there by the code that starts
// them): a worker thread starts 10-20 ms sooner without Node's ES module loader.
const workers = await build({
  ...common,
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  entryPoints: ['dist/src/trace/parse-worker.js', 'dist/src/multi/lane-worker.js'],
  define: { 'import.meta.url': '__kpromoUrl' },
  banner: { js: "const __kpromoUrl=require('node:url').pathToFileURL(__filename).href;" },
  plugins: [builtinImports, lazyCsvParse],
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

// bin/kpromo.js reads main.cjs as latin1 and hands it its own require(): both hold only for an ASCII bundle that
// require()s nothing but Node's built-in modules.
const mainText = readFileSync(join(OUT, 'main.cjs'), 'latin1');
const nonAscii = mainText.search(/[^\x00-\x7f]/);
if (nonAscii >= 0) throw new Error(`${OUT}/main.cjs: a non-ASCII character at offset ${nonAscii}`);
const { builtinModules } = await import('node:module');
for (const [, id] of mainText.matchAll(/\brequire\("([^"]+)"\)/g)) {
  if (!id.startsWith('node:') && !builtinModules.includes(id)) throw new Error(`${OUT}/main.cjs: require("${id}") is not one of Node's built-in modules`);
}

// V8's code cache of main.cjs (tools/code-cache.mjs).
const cache = spawnSync(process.execPath, [fileURLToPath(new URL('./code-cache.mjs', import.meta.url))], { stdio: 'inherit' });
if (cache.status !== 0) process.exitCode = cache.status ?? 1;
