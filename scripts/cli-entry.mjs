#!/usr/bin/env node
/*! pleg-analyze: bundled CLI */
// dist/cli.js, written by scripts/bundle-cli.mjs: runs the bundled CLI (dist/cli.cjs) from
// V8's code cache (dist/cli.cjs.cache, made by `npm run build` with this Node) when V8
// accepts it, and compiles it as usual when not (another Node version, other V8 flags).
// Compiling the 0.8 MB bundle took 40–60 ms of every start.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const bundle = fileURLToPath(new URL('./cli.cjs', import.meta.url));
const cacheFile = `${bundle}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`, {
  filename: bundle,
  cachedData,
});
// Only the build asks for this (naming the file), after the run compiled what a run needs.
if (process.env.PLEG_ANALYZE_WRITE_CODE_CACHE === cacheFile) {
  process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
}
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
