#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [-- --only journal|dump|ipam] [-- --runs N]`
 *
 * Generates the bench inputs once into bench/.data/ (git-ignored; regenerated when
 * generate.mjs's GENERATOR_VERSION changes), then measures, on this machine and in one run,
 * wall time, MB/s and peak RSS of the built CLI next to the tools a responder would use
 * instead: ripgrep over the signature literals, journalctl re-exporting the journal the
 * export was made from, panicparse on the goroutine dump. Prints a table and the ratios
 * against the targets. For the 512 MB export it also times what no analysis can go below
 * (bench/floor.mjs: node reading the file, and reading it through the export scanner).
 * Needs `npm run build` first.
 *
 * Peak RSS: `/usr/bin/time -f %M` when present, else the child's VmHWM polled from /proc.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATOR_VERSION, generateDump, generateIpam, generateJournal } from './generate.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench', '.data');
const CLI = join(ROOT, 'dist', 'cli.js');
const FLOOR = join(ROOT, 'bench', 'floor.mjs');
const MB = 1024 * 1024;

const TARGETS = {
  rgRatio: 2, // analyze ≤ 2× the ripgrep signature scan of the same export
  journalctlRatio: 1, // analyze faster than journalctl writing the export
  rssMB: 256, // peak RSS for the 512 MB and the 2 GB export
  panicparseRatio: 1.5, // goroutines ≤ 1.5× panicparse
};

function parseArgs(argv) {
  const args = { quick: false, only: undefined, runs: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--only') args.only = argv[++i];
    else if (a.startsWith('--only=')) args.only = a.slice(7);
    else if (a === '--runs') args.runs = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node bench/run.mjs [--quick] [--only journal|dump|ipam] [--runs N]\n');
      process.exit(0);
    } else {
      process.stderr.write(`bench: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  if (args.only && !['journal', 'dump', 'ipam'].includes(args.only)) {
    process.stderr.write(`bench: --only must be journal, dump or ipam\n`);
    process.exit(2);
  }
  return args;
}

/** Reuse a generated input when its manifest names the same generator version and size. */
function cached(name, params, make) {
  const manifest = join(DATA, `${name}.manifest.json`);
  const key = JSON.stringify({ version: GENERATOR_VERSION, ...params });
  if (existsSync(manifest)) {
    const saved = JSON.parse(readFileSync(manifest, 'utf8'));
    if (saved.key === key && saved.files.every((f) => existsSync(f))) return saved.info;
  }
  const started = Date.now();
  process.stderr.write(`bench: generating ${name} …`);
  const { files, info } = make();
  process.stderr.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  writeFileSync(manifest, JSON.stringify({ key, files, info }, null, 2));
  return info;
}

function which(cmd) {
  if (cmd.startsWith('/')) return existsSync(cmd) ? cmd : undefined;
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Runs `cmd args` with stdin from `stdinFile` (or /dev/null) and stdout/stderr to /dev/null
 * (stderr to a file when it fails); resolves { seconds, rssMB, status }.
 */
function measureOnce(cmd, args, { stdinFile, env } = {}) {
  return new Promise((resolvePromise) => {
    const stdin = openSync(stdinFile ?? '/dev/null', 'r');
    const out = openSync('/dev/null', 'w');
    const errPath = join(DATA, '.stderr');
    const err = openSync(errPath, 'w');
    const timeFile = join(DATA, '.time');
    const [file, argv] = TIME ? [TIME, ['-f', '%M', '-o', timeFile, cmd, ...args]] : [cmd, args];
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { stdio: [stdin, out, err], env: { ...process.env, ...env } });
    let hwm = 0;
    const poll = TIME
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) hwm = Math.max(hwm, Number(m[1]));
          } catch {
            /* exited */
          }
        }, 10);
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (poll) clearInterval(poll);
      for (const fd of [stdin, out, err]) closeSync(fd);
      if (TIME) {
        const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
        hwm = Number(lines[lines.length - 1]) || 0;
      }
      const stderr = code === 0 ? '' : readFileSync(errPath, 'utf8').split('\n').filter((l) => !/^Command exited/.test(l)).slice(0, 3).join(' | ');
      resolvePromise({ seconds, rssMB: hwm / 1024, status: code, stderr });
    });
  });
}

async function measure(cmd, args, options, runs) {
  let best;
  for (let i = 0; i < runs; i++) {
    const r = await measureOnce(cmd, args, options);
    if (!best || r.seconds < best.seconds) best = r;
  }
  return best;
}

/** Page-cache warm-up so the first tool measured does not pay the disk read. */
function warm(path) {
  spawnSync('sh', ['-c', `cat "${path}" > /dev/null`]);
}

const rows = [];
const ratios = [];

function row(input, tool, bytes, result, note = '') {
  rows.push({ input, tool, bytes, result, note });
}

function fmtRow(r) {
  if (!r.result) return [r.input, r.tool, '—', '—', '—', r.note];
  const { seconds, rssMB, status, stderr } = r.result;
  const rate = r.bytes ? (r.bytes / MB / seconds).toFixed(0) : '—';
  const note = status === 0 ? r.note : `exit ${status}${stderr ? `: ${stderr.slice(0, 80)}` : ''}`;
  return [r.input, r.tool, seconds.toFixed(2), rate, rssMB.toFixed(0), note];
}

function printTable() {
  const header = ['input', 'tool', 'wall s', 'MB/s', 'peak RSS MB', 'note'];
  const body = rows.map(fmtRow);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => (i >= 2 && i <= 4 ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ').trimEnd();
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const b of body) process.stdout.write(`${line(b)}\n`);
  if (ratios.length) {
    process.stdout.write('\ntargets\n');
    for (const r of ratios) process.stdout.write(`  ${r.info ? 'info' : r.ok === undefined ? '  ?' : r.ok ? ' ok' : 'MISS'}  ${r.text}\n`);
  }
}

const notInstalled = (pkg) => `not installed (apt-get install ${pkg})`;

/**
 * Makes `journalPath` from the export with systemd-journal-remote; resolves its exit status
 * and its first and last stderr lines. systemd < 254 warns about every `__SEQNUM` line
 * ("Unknown dunder line": two per entry, 220 MB for the 2 GB export), so those are dropped
 * as they arrive rather than kept.
 */
function journalRemote(command, exportPath, journalPath) {
  return new Promise((resolvePromise) => {
    const stdin = openSync(exportPath, 'r');
    const child = spawn(command, ['-o', journalPath, '-'], { stdio: [stdin, 'ignore', 'pipe'] });
    closeSync(stdin);
    const messages = [];
    let partial = '';
    const keep = (line) => {
      if (!line || line.startsWith('Unknown dunder line')) return;
      if (messages.length >= 6) messages.splice(3, 1);
      messages.push(line);
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) keep(line);
    });
    child.on('error', (err) => resolvePromise({ status: -1, messages: [err.message] }));
    child.on('close', (status) => {
      keep(partial);
      resolvePromise({ status: status ?? -1, messages });
    });
  });
}

async function benchJournal(sizes, runs, tools) {
  const signatureList = join(DATA, 'signatures.txt');
  const { SIGNATURES } = await import(join(ROOT, 'dist', 'engine', 'signatures.js'));
  writeFileSync(signatureList, `${[...new Set(SIGNATURES.flatMap((s) => s.literals))].join('\n')}\n`);

  for (const size of sizes) {
    const label = size >= 1024 * MB ? `${size / 1024 / MB}GB` : `${size / MB}MB`;
    const exportPath = join(DATA, `journal-${label}.export`);
    const textPath = join(DATA, `journal-${label}.short-iso.txt`);
    const info = cached(`journal-${label}`, { size }, () => ({
      files: [exportPath, textPath],
      info: generateJournal(exportPath, textPath, size),
    }));
    process.stderr.write(`bench: journal ${label}: ${info.entries} entries, ${info.discarded} "container event discarded", ${info.pleg} "pleg was last seen active", imagefs stall on ${info.stallNode}\n`);

    // systemd-journal-remote rotates at its file size limit: journalctl reads them all by glob.
    const journalPath = join(DATA, `journal-${label}.journal`);
    const journalGlob = join(DATA, `journal-${label}*.journal`);
    const journalStamp = join(DATA, `journal-${label}.journal.key`);
    const journalKey = `${GENERATOR_VERSION}:${statSync(exportPath).size}`;
    const journalFresh = existsSync(journalPath) && existsSync(journalStamp) && readFileSync(journalStamp, 'utf8') === journalKey;
    if (tools.journalRemote && !journalFresh) {
      process.stderr.write(`bench: making ${journalPath} with systemd-journal-remote …\n`);
      for (const f of readdirSync(DATA)) if (f.startsWith(`journal-${label}`) && f.endsWith('.journal')) rmSync(join(DATA, f), { force: true });
      rmSync(join(DATA, '.journal-remote.err'), { force: true }); // where earlier versions kept its stderr
      const r = await journalRemote(tools.journalRemote, exportPath, journalPath);
      if (r.status !== 0) {
        process.stderr.write(`bench: systemd-journal-remote failed (${r.status}): ${r.messages.slice(0, 3).join(' | ')}\n`);
        rmSync(journalPath, { force: true });
      } else {
        writeFileSync(journalStamp, journalKey);
        if (r.messages.length) process.stderr.write(`bench: systemd-journal-remote: ${r.messages.slice(-1)[0]}\n`);
      }
    }

    for (const [kind, file] of [
      ['export', exportPath],
      ['short-iso', textPath],
    ]) {
      const bytes = statSync(file).size;
      const name = `${label} ${kind}`;
      warm(file);
      const rg = tools.rg ? await measure(tools.rg, ['-c', '-F', '-f', signatureList, file], {}, runs) : undefined;
      row(name, 'rg -c -F -f signatures', bytes, rg, tools.rg ? '' : notInstalled('ripgrep'));
      const ours = await measure(process.execPath, [CLI, 'analyze', file, '--format', 'json', '-q'], {}, runs);
      row(name, 'pleg-analyze analyze --format json', bytes, ours);
      if (kind === 'export') {
        if (rg && (size === 512 * MB || sizes.length === 1)) {
          // The part of every run no reader can shorten: node starting and loading the CLI.
          const startup = await measure(process.execPath, [CLI, '--version'], {}, runs);
          row(name, 'pleg-analyze --version (start-up only)', 0, startup);
          ratios.push({ info: true, text: `${name}: start-up alone = ${(startup.seconds / rg.seconds).toFixed(2)} × rg; analyze without it = ${((ours.seconds - startup.seconds) / rg.seconds).toFixed(2)} × rg` });
          // What no analysis can go below: reading the file, and scanning it without making anything of it.
          const readFloor = await measure(process.execPath, [FLOOR, 'read', file], {}, runs);
          row(name, 'floor: node reads it (bench/floor.mjs read)', bytes, readFloor);
          const scanFloor = await measure(process.execPath, [FLOOR, 'scan', file], {}, runs);
          row(name, 'floor: reads + export scanner, no analysis', bytes, scanFloor);
          ratios.push({ info: true, text: `${name}: floors: reading = ${(readFloor.seconds / rg.seconds).toFixed(2)} × rg; reading + scanner = ${(scanFloor.seconds / rg.seconds).toFixed(2)} × rg, before any analysis (target for analyze ≤ ${TARGETS.rgRatio})` });
        }
        let jc;
        if (tools.journalctl && existsSync(journalPath)) {
          jc = await measure(tools.journalctl, ['--file', journalGlob, '-o', 'export'], {}, runs);
        }
        row(name, 'journalctl --file x*.journal -o export', bytes, jc, !tools.journalctl ? notInstalled('systemd') : !tools.journalRemote ? notInstalled('systemd-journal-remote') : '');
        if (size === 512 * MB || sizes.length === 1) {
          if (rg) ratios.push({ ok: ours.seconds <= TARGETS.rgRatio * rg.seconds, text: `${name}: analyze / rg = ${(ours.seconds / rg.seconds).toFixed(2)} (target ≤ ${TARGETS.rgRatio})` });
          if (jc) ratios.push({ ok: ours.seconds < jc.seconds, text: `${name}: analyze / journalctl export = ${(ours.seconds / jc.seconds).toFixed(2)} (target < ${TARGETS.journalctlRatio})` });
        }
        ratios.push({ ok: ours.rssMB <= TARGETS.rssMB, text: `${name}: analyze peak RSS ${ours.rssMB.toFixed(0)} MB (target ≤ ${TARGETS.rssMB} MB)` });
      } else {
        // No issue target for text, but memory must not grow with the input here either.
        ratios.push({ ok: ours.rssMB <= TARGETS.rssMB, text: `${name}: analyze peak RSS ${ours.rssMB.toFixed(0)} MB (flat memory, as for exports: ≤ ${TARGETS.rssMB} MB)` });
      }
    }
  }
}

async function benchDump(quick, runs, tools) {
  const count = quick ? 20_000 : 100_000;
  const path = join(DATA, `goroutines-${count}.txt`);
  cached(`goroutines-${count}`, { count }, () => ({ files: [path], info: generateDump(path, count) }));
  const bytes = statSync(path).size;
  const name = `dump ${count} goroutines`;
  warm(path);
  const ours = await measure(process.execPath, [CLI, 'goroutines', path, '--format', 'json'], {}, runs);
  row(name, 'pleg-analyze goroutines --format json', bytes, ours);
  const ours2 = await measure(process.execPath, [CLI, 'goroutines', path], { env: { NO_COLOR: '1' } }, runs);
  row(name, 'pleg-analyze goroutines (text)', bytes, ours2);
  let pp;
  if (tools.panicparse) {
    pp = await measure(tools.panicparse, ['-parse=false', '-no-color'], { stdinFile: path }, runs);
    row(name, 'panicparse -parse=false < dump', bytes, pp);
  } else {
    row(name, 'panicparse', bytes, undefined, notInstalled('panicparse'));
  }
  if (pp) ratios.push({ ok: ours2.seconds <= TARGETS.panicparseRatio * pp.seconds, text: `${name}: goroutines / panicparse = ${(ours2.seconds / pp.seconds).toFixed(2)} (target ≤ ${TARGETS.panicparseRatio})` });
}

async function benchIpam(quick, runs) {
  const count = quick ? 1000 : 5000;
  const blocks = join(DATA, `ipamblocks-${count}.json`);
  const pods = join(DATA, `pods-${count}.json`);
  const info = cached(`ipam-${count}`, { count }, () => ({ files: [blocks, pods], info: generateIpam(blocks, pods, count) }));
  const bytes = statSync(blocks).size + statSync(pods).size;
  warm(blocks);
  warm(pods);
  const ours = await measure(process.execPath, [CLI, 'analyze', blocks, pods, '--format', 'json', '-q'], {}, runs);
  row(`ipam ${count} blocks + ${info.pods} pods`, 'pleg-analyze analyze --format json', bytes, ours);
  ratios.push({ ok: ours.rssMB <= TARGETS.rssMB * 2, text: `ipam: analyze peak RSS ${ours.rssMB.toFixed(0)} MB (no target; informational, ≤ ${TARGETS.rssMB * 2} MB expected)` });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(CLI)) {
    process.stderr.write('bench: dist/cli.js not found; run npm run build first\n');
    process.exit(2);
  }
  mkdirSync(DATA, { recursive: true });
  const tools = {
    rg: which('rg'),
    journalctl: which('journalctl'),
    journalRemote: which('/lib/systemd/systemd-journal-remote') ?? which('/usr/lib/systemd/systemd-journal-remote'),
    panicparse: which('panicparse'),
  };
  const sizes = args.quick ? [64 * MB] : [512 * MB, 2048 * MB];
  process.stdout.write(`pleg-analyze bench (${args.quick ? 'quick' : 'full'}; node ${process.version}; ${readdirSync('/sys/devices/system/cpu').filter((d) => /^cpu\d+$/.test(d)).length} CPUs; best of ${args.runs})\n`);
  if (!args.only || args.only === 'journal') await benchJournal(sizes, args.runs, tools);
  if (!args.only || args.only === 'dump') await benchDump(args.quick, args.runs, tools);
  if (!args.only || args.only === 'ipam') await benchIpam(args.quick, args.runs);
  printTable();
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
