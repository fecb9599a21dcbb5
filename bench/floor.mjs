#!/usr/bin/env node
/**
 * `node bench/floor.mjs <export>`: the least any binary-safe reader of a journald export
 * written in JavaScript does per line: find the line's end, scan its field name to the `=`
 * (a line without one is a binary field) and look the name up in a table. Nothing decoded,
 * nothing kept. The bench times it next to ripgrep to show how much of `analyze`'s time
 * on an export is the unavoidable walk and how much is ours.
 */
import { createReadStream } from 'node:fs';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node bench/floor.mjs <journal.export>\n');
  process.exit(2);
}
const table = new Int32Array(1024);
let lines = 0;
let looked = 0;
for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
  let pos = 0;
  for (;;) {
    const nl = chunk.indexOf(10, pos);
    if (nl < 0) break;
    lines++;
    const near = Math.min(nl, pos + 65);
    let eq = pos;
    while (eq < near && chunk[eq] !== 61) eq++;
    if (eq > pos) looked += table[((eq - pos) * 961 + chunk[pos + 1] * 31 + chunk[eq - 1]) & 1023];
    pos = nl + 1;
  }
}
process.stdout.write(`${lines} lines ${looked}\n`);
