import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs script without types
import { makeHostileCorpus } from '../../scripts/make-hostile-corpus.mjs';

/**
 * Runs the built CLI (`node dist/cli.js`, build first) on every case of the hostile corpus
 * (scripts/make-hostile-corpus.mjs, generated into a temp dir). Each run must end with exit 0
 * (warnings allowed) or exit 2 with one clear line, no stack trace, within a time and memory
 * bound, writing nothing to disk.
 */
const CLI = resolve('dist/cli.js');
const CASE_TIMEOUT_MS = 120_000;
const MAX_RSS_KB = 512 * 1024;


interface HostileCase {
  name: string;
  inputs: string[];
  text?: boolean;
}

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  peakKb: number;
  ms: number;
}

/** Spawns the CLI; polls the child's VmHWM (peak RSS) until it exits. */
function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    let peakKb = 0;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        /* exited between polls */
      }
    }, 20);
    const killer = setTimeout(() => child.kill('SIGKILL'), CASE_TIMEOUT_MS);
    child.on('close', (status, signal) => {
      clearInterval(poll);
      clearTimeout(killer);
      done({ status, signal, stdout: Buffer.concat(out), stderr, peakKb, ms: Date.now() - started });
    });
  });
}

/** Every path under `dir` with its size and mtime (links not followed): any write shows up as a difference. */
function snapshot(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, entry.name);
    const s = lstatSync(join(dir, rel));
    out.push(`${rel} ${s.size} ${s.mtimeMs}`);
    if (entry.isDirectory()) out.push(...snapshot(dir, rel));
  }
  return out.sort();
}

let dir: string;
let scratch: string;
let cases: HostileCase[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pleg-hostile-'));
  // The CLI runs with its own TMPDIR and cwd so anything it leaves behind is seen.
  scratch = mkdtempSync(join(tmpdir(), 'pleg-hostile-cwd-'));
  cases = await makeHostileCorpus(join(dir, 'corpus'));
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

/** Markdown with fenced blocks and code spans removed: the part a renderer would treat as markup. */
function outsideMarkdownCode(md: string): string {
  const withoutFences = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1\s*$/gm, '');
  return withoutFences.replace(/(`+)[\s\S]*?\1/g, '');
}

describe('hostile inputs through the built CLI', () => {
  it('has the built CLI', () => {
    expect(existsSync(CLI), 'run npm run build first').toBe(true);
  });

  // One test per case, listed from the script so a new case is picked up without edits here.
  const names = [
    'path traversal and absolute member paths',
    'symlink, hardlink and device members',
    'directory with symlinks (to / and /etc/passwd) and a hardlink',
    'gzip bomb (single file, 4 GiB of zeros)',
    'tgz bomb (tar member of 4 GiB of zeros)',
    'LZ4 bomb named like a dqlite snapshot (claims 1.9 GiB, expands to 1 GiB)',
    'LZ4 frame claiming 64 GiB',
    'truncated gzip',
    'truncated tar',
    'truncated LZ4 snapshot',
    'random bytes named like journals, dumps, JSON and snapshots',
    'export header then random bytes',
    '64 MiB line without a newline',
    'invalid UTF-8 and NUL bytes',
    'JSON nested 100,000 deep (array)',
    'JSON nested 100,000 deep (object in an items list)',
    'tar with 100,000 tiny members',
    'HTML/script payloads and terminal escape sequences in log lines',
  ];

  it('lists exactly the cases the script builds', () => {
    expect(cases.map((c) => c.name)).toEqual(names);
  });

  for (const name of names) {
    it(
      name,
      async () => {
        const c = cases.find((x) => x.name === name);
        expect(c, `case ${name} built`).toBeDefined();
        const corpus = join(dir, 'corpus');
        const inputs = c!.inputs.map((p) => join(corpus, p));
        const before = { corpus: snapshot(corpus), scratch: snapshot(scratch) };
        const env = { ...process.env, NO_COLOR: '1', TMPDIR: scratch, FORCE_COLOR: undefined };
        const run = await runCli(['analyze', ...inputs, '--format', 'text', '--tz', 'UTC'], scratch, env);

        expect(run.signal, `killed after ${run.ms} ms (timeout ${CASE_TIMEOUT_MS} ms)`).toBeNull();
        expect(run.stderr).not.toMatch(/\n\s+at /);
        expect([0, 2]).toContain(run.status);
        if (run.status === 2) {
          const lines = run.stderr.trim().split('\n');
          expect(lines).toHaveLength(1);
          expect(lines[0]).toMatch(/^pleg-analyze: /);
        } else {
          expect(run.stdout.length).toBeGreaterThan(0);
        }
        expect(run.peakKb, `peak RSS ${Math.round(run.peakKb / 1024)} MB`).toBeLessThan(MAX_RSS_KB);
        // Nothing written: neither into the inputs nor into cwd/TMPDIR.
        expect(snapshot(corpus)).toEqual(before.corpus);
        expect(snapshot(scratch)).toEqual(before.scratch);
        // Raw log text must never carry control sequences to the terminal.
        expect(run.stdout.includes(0x1b), 'ESC byte in text output').toBe(false);
        expect(run.stdout.toString('utf8').includes('\u009b'), 'C1 CSI in text output').toBe(false);
        if (c!.text) {
          // The payload lines are evidence: they are shown, defanged.
          expect(run.stdout.toString('utf8')).toContain('pleg was last seen active');
          const json = await runCli(['analyze', ...inputs, '--format', 'json'], scratch, env);
          expect(json.status, json.stderr).toBe(0);
          const report = JSON.parse(json.stdout.toString('utf8')) as { findings: unknown[] };
          expect(report.findings.length).toBeGreaterThan(0);
          for (const format of ['md', 'html']) {
            const out = await runCli(['analyze', ...inputs, '--format', format, '--tz', 'UTC'], scratch, env);
            expect(out.status, out.stderr.toString()).toBe(0);
            const page = out.stdout.toString('utf8');
            expect(page, format).toContain('pleg was last seen active');
            expect(out.stdout.includes(0x1b), `ESC byte in ${format} output`).toBe(false);
            expect(page.includes('\u009b'), `C1 CSI in ${format} output`).toBe(false);
            // HTML escapes log text; Markdown keeps it literal only inside code spans and fences.
            const markup = format === 'md' ? outsideMarkdownCode(page) : page;
            expect(markup, format).not.toMatch(/<script|<img/i);
          }
        }
      },
      CASE_TIMEOUT_MS * 2 + 10_000,
    );
  }
});
