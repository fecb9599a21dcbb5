// Bundles the compiled CLI (dist/cli.js and the ~140 modules and dependencies it imports)
// into one minified CommonJS file, dist/cli.cjs, and puts a small loader in dist/cli.js
// (scripts/cli-entry.mjs) that runs it from V8's code cache. Node then reads one file
// instead of resolving and loading each module (`pleg-analyze --version`: 0.23–0.27 s →
// 0.13–0.17 s on the bench VM), and with the cache does not compile it either (another
// 40–60 ms). The bundle is CommonJS because Node 20 can only take a code cache for a script
// (vm.Script), not for an ES module. The library (dist/index.js and the rest of dist/)
// stays unbundled.
//
// Left out of the bundle: better-sqlite3 (a native addon; loaded on first use through
// createRequire) and yaml (same).
//
// The code cache is made by running the CLI once on a shipped fixture, so that it holds the
// functions a run compiles, not only the top level. V8 refuses a cache made by another
// version or with other flags: the loader then compiles as usual.
//
// Runs after tsc (npm run build), whose dist/cli.js is the input; run again on its own it
// leaves the bundle as it is.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, RolldownMagicString } from 'rolldown';

// The loader's first comment (scripts/cli-entry.mjs).
const MARK = '/*! pleg-analyze: bundled CLI */';
const root = fileURLToPath(new URL('../', import.meta.url));
const dist = join(root, 'dist');
const entry = join(dist, 'cli.js');
const bundle = join(dist, 'cli.cjs');

if (readFileSync(entry, 'utf8').slice(0, 200).includes(MARK)) {
  process.stdout.write('bundle-cli: dist/cli.js is already the bundle (npm run build makes a new one)\n');
  process.exit(0);
}

// yargs finds its translations at ../../../locales from its own module; inside the bundle
// that module is dist/cli.js, so the bundle gets its own copy next to it.
const yargsLocales = join(dirname(createRequire(import.meta.url).resolve('yargs/package.json')), 'locales');
cpSync(yargsLocales, join(dist, 'yargs-locales'), { recursive: true });
const yargsLocalesNextToBundle = {
  name: 'yargs-locales-next-to-bundle',
  transform(code, id) {
    if (!id.replaceAll('\\', '/').endsWith('yargs/lib/platform-shims/esm.mjs')) return null;
    const from = "resolve(__dirname, '../../../locales')";
    const at = code.indexOf(from);
    if (at < 0) this.error(`yargs ${id}: locale directory expression not found (yargs changed?)`);
    const edited = new RolldownMagicString(code);
    edited.overwrite(at, at + from.length, "resolve(__dirname, '../yargs-locales')");
    return { code: edited };
  },
};

// Left over from the ES-module bundle (chunks/) and from tsc (the map of the cli.js replaced below).
rmSync(join(dist, 'chunks'), { recursive: true, force: true });
rmSync(join(dist, 'cli.js.map'), { force: true });
rmSync(`${bundle}.cache`, { force: true });
await build({
  input: entry,
  platform: 'node',
  logLevel: 'warn',
  plugins: [yargsLocalesNextToBundle],
  onLog(level, log, handler) {
    // yargs' `extends` (import.meta.resolve), which this CLI never uses, has no CommonJS form.
    if (log.code === 'EMPTY_IMPORT_META' && log.id?.includes('yargs')) return;
    handler(level, log);
  },
  output: {
    file: bundle,
    format: 'cjs',
    codeSplitting: false,
    minify: true,
    sourcemap: true,
    comments: { legal: true },
  },
});
// The loader wraps the bundle in a function, where a `#!` line is a syntax error. Its place
// (line 1, which maps to nothing) takes "use strict": the modules were ES modules, strict
// by definition, and CommonJS output is not.
const code = readFileSync(bundle, 'utf8');
writeFileSync(bundle, `"use strict";${code.startsWith('#!') ? code.slice(code.indexOf('\n')) : `\n${code}`}`);
copyFileSync(join(root, 'scripts', 'cli-entry.mjs'), entry);

const fixture = join(root, 'fixtures', '002-kine-watch-vxlan');
if (existsSync(fixture)) {
  const run = spawnSync(process.execPath, [entry, 'analyze', fixture, '--format', 'json'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PLEG_ANALYZE_WRITE_CODE_CACHE: `${bundle}.cache` },
    encoding: 'utf8',
    // The run takes about a second; a build never waits long on it.
    timeout: 60_000,
  });
  if (!existsSync(`${bundle}.cache`)) process.stderr.write(`bundle-cli: no code cache (the CLI compiles at each start): ${run.stderr || `exit ${run.status}`}\n`);
}
