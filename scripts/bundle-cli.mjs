// Bundles the compiled CLI (dist/cli.js and the ~140 modules and dependencies it imports)
// into one minified ES module written over dist/cli.js. Node then reads and compiles one
// file instead of resolving and loading each module, which halves start-up
// (`pleg-analyze --version`: 0.23–0.27 s → 0.13–0.17 s on the bench VM). The library
// (dist/index.js and the rest of dist/) stays unbundled.
//
// Left out of the bundle: better-sqlite3 (a native addon; loaded on first use through
// createRequire) and yaml (same), and fast-glob, which goes to its own chunk because the CLI
// imports it only when an input is a directory.
import { rmSync } from 'node:fs';
import { build } from 'rolldown';

const dist = new URL('../dist/', import.meta.url);
rmSync(new URL('chunks/', dist), { recursive: true, force: true });
await build({
  input: new URL('cli.js', dist).pathname,
  platform: 'node',
  logLevel: 'warn',
  output: {
    dir: dist.pathname,
    format: 'esm',
    entryFileNames: 'cli.js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    minify: true,
    sourcemap: true,
    comments: { legal: true },
  },
});
