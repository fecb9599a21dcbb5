// Bundles the compiled CLI (dist/cli.js and the ~140 modules and dependencies it imports)
// into one minified ES module written over dist/cli.js. Node then reads and compiles one
// file instead of resolving and loading each module, which halves start-up
// (`pleg-analyze --version`: 0.23–0.27 s → 0.13–0.17 s on the bench VM). The library
// (dist/index.js and the rest of dist/) stays unbundled.
//
// Left out of the bundle: better-sqlite3 (a native addon; loaded on first use through
// createRequire) and yaml (same), and fast-glob, which goes to its own chunk because the CLI
// imports it only when an input is a directory.
//
// Runs after tsc (npm run build), whose dist/cli.js is the input; run again on its own it
// leaves the bundle as it is.
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, RolldownMagicString } from 'rolldown';

// A legal comment (/*! */): the minifier keeps it.
const MARK = '/*! pleg-analyze: bundled CLI */';
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const entry = join(dist, 'cli.js');

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

rmSync(join(dist, 'chunks'), { recursive: true, force: true });
await build({
  input: entry,
  platform: 'node',
  logLevel: 'warn',
  plugins: [yargsLocalesNextToBundle],
  output: {
    dir: dist,
    format: 'esm',
    entryFileNames: 'cli.js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    banner: MARK,
    minify: true,
    sourcemap: true,
    comments: { legal: true },
  },
});
