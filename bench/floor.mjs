#!/usr/bin/env node
/**
 * `node bench/floor.mjs read|scan <export>`: the part of `pleg-analyze analyze <export>` that
 * no analysis can go below, in a process of its own, so run.mjs can time it like the tools.
 *
 *   read  node starts and reads the file through the CLI's reader (fileChunks, 1 MiB pooled
 *         chunks, reads kept in flight);
 *   scan  the same, and each chunk goes through the WebAssembly export scanner with the
 *         store's prefilter literals, as journald-export.ts hands it over. Nothing is made
 *         of the entries: no records, lanes, rules or report.
 *
 * Prints the bytes read and the entries the scanner finished (a check that it really ran).
 */
import { open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'dist');
const [mode, file] = process.argv.slice(2);
if ((mode !== 'read' && mode !== 'scan') || !file) {
  process.stderr.write('usage: node bench/floor.mjs read|scan <journal export>\n');
  process.exit(2);
}

const { ChunkPool, fileChunks } = await import(join(DIST, 'bundle', 'chunk-pool.js'));
let scanner;
if (mode === 'scan') {
  const { exportScanner } = await import(join(DIST, 'parsers', 'export-scan.js'));
  const { EventStore } = await import(join(DIST, 'engine', 'store.js'));
  scanner = exportScanner();
  if (!scanner) {
    process.stderr.write('bench/floor: the export scanner did not load (npm run build)\n');
    process.exit(2);
  }
  scanner.useLiterals(new EventStore().prefilterLiterals);
}

// ScanStop.TableFull of src/parsers/export-scan.ts, a const enum, so not in dist.
const TABLE_FULL = 2;
const pool = new ChunkPool(1024 * 1024);
const handle = await open(file);
let bytes = 0;
let entries = 0;
try {
  for await (const chunk of fileChunks(handle, pool)) {
    bytes += chunk.length;
    if (scanner) {
      // The reader walks the entry a chunk boundary cut in JavaScript: start at the next one.
      const boundary = chunk.indexOf('\n\n');
      let from = boundary < 0 ? -1 : scanner.place(chunk, boundary + 2);
      // place() refuses what does not fit the scanner's memory; the reader reads that in JavaScript.
      if (from >= 0) {
        const to = chunk.length - (boundary + 2 - from);
        for (;;) {
          const stop = scanner.scan(from, to);
          entries += scanner.entries;
          from += scanner.consumed;
          // A binary field stops it (the reader goes on in JavaScript): the bench exports have none.
          if (stop !== TABLE_FULL) break;
        }
      }
    }
    pool.give(chunk);
  }
} finally {
  await handle.close();
}
process.stdout.write(`${mode}: ${bytes} bytes, ${entries} entries scanned\n`);
