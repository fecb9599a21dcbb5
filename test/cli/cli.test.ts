import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSPECT_CORPUS } from '../support/shared.js';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const CORPUS = INSPECT_CORPUS;

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build` before the tests');
  dir = mkdtempSync(join(tmpdir(), 'pleg-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pleg-analyze CLI', () => {
  it('prints grouped help with examples', () => {
    const { code, stdout } = run(['--help']);
    expect(code).toBe(0);
    for (const text of ['Output:', 'Time:', 'Limits:', 'Examples:', 'explain <id>', 'rules']) expect(stdout).toContain(text);
  });

  it('keeps yargs’ translations in the bundled CLI (dist/yargs-locales)', () => {
    const german = { ...process.env, NO_COLOR: '1', LC_ALL: 'de_DE.UTF-8', LANG: 'de_DE.UTF-8' };
    const result = spawnSync(process.execPath, [CLI, 'analyze'], { encoding: 'utf8', env: german });
    expect(result.stderr).toContain('Nicht genügend Argumente');
  });

  it('starts from a code cache this Node accepts (npm run build made it for the bundle)', () => {
    // The same wrapper as scripts/cli-entry.mjs: V8 takes the cache only for the exact source.
    const probe = [
      "const { readFileSync } = require('node:fs');",
      "const { Script } = require('node:vm');",
      `const bundle = ${JSON.stringify(join(__dirname, '..', '..', 'dist', 'cli.cjs'))};`,
      "const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\\n})`;",
      "const script = new Script(wrapped, { filename: bundle, cachedData: readFileSync(bundle + '.cache') });",
      'process.stdout.write(String(script.cachedDataRejected));',
    ].join('\n');
    const result = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('false');
  });

  it('runs the bundle in strict mode, as the ES modules it is made of', () => {
    expect(readFileSync(join(__dirname, '..', '..', 'dist', 'cli.cjs'), 'utf8').startsWith('"use strict";')).toBe(true);
  });

  it('prints the version from package.json', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(run(['--version']).stdout.trim()).toBe(pkg.version);
  });

  it('exits 2 with one line naming a missing input, and no stack trace', () => {
    const { code, stdout, stderr } = run(['/nonexistent/bundle.tgz']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('/nonexistent/bundle.tgz');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('analyzes the readable inputs when another cannot be read (a warning), exits 2 only when none can', () => {
    const some = run(['/nonexistent/bundle.tgz', CORPUS, '--format', 'json']);
    expect(some.code).toBe(0);
    expect(some.stderr).toContain('warning: /nonexistent/bundle.tgz: not read: no such file or directory');
    const report = JSON.parse(some.stdout) as { warnings: Array<{ path: string; message: string }>; inputs: unknown[] };
    expect(report.warnings).toContainEqual({ path: '/nonexistent/bundle.tgz', message: 'not read: no such file or directory' });
    expect(report.inputs.length).toBeGreaterThan(0);
    const none = run(['/nonexistent/a.tgz', '/nonexistent/b.tgz']);
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toContain('/nonexistent/a.tgz');
  });

  it('exits 2 on an unknown option and on an unknown rule id', () => {
    expect(run(['--no-such-flag', CORPUS]).code).toBe(2);
    const explain = run(['explain', 'no-such-rule']);
    expect(explain.code).toBe(2);
    expect(explain.stderr).toContain('no-such-rule');
  });

  it('exits 2 with one line on a limit that is not a positive whole number', () => {
    for (const [flag, value, says] of [['--max-members', 'abc', '--max-members needs a positive whole number'], ['--max-member-bytes', '-5', 'not -5'], ['--max-total-bytes', '1.5', 'not 1.5']] as const) {
      const { code, stderr } = run([CORPUS, flag, value]);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(says);
    }
  });

  it('lists the rule catalog as JSON', () => {
    const { code, stdout } = run(['rules', '--format', 'json']);
    expect(code).toBe(0);
    const catalog = JSON.parse(stdout) as { rules: Array<{ id: string; severity: string; kind: string }> };
    expect(catalog.rules.map((r) => r.id)).toContain('calico-ipam-full-blocks');
    for (const r of catalog.rules) expect(['failure-mode', 'symptom', 'noise']).toContain(r.kind);
  });

  it('explains a rule with its signals and runbook', () => {
    const { code, stdout } = run(['explain', 'containerd-stale-sandbox-reservation']);
    expect(code).toBe(0);
    for (const heading of ['## Symptoms', '## What we look for', '## Why it happens', '## Runbook', '## False positives', '## References']) {
      expect(stdout).toContain(heading);
    }
    expect(stdout).toContain('crictl stopp');
  });

  it('analyzes the real inspect report as JSON matching the contract', () => {
    const { code, stdout, stderr } = run([CORPUS, '--format', 'json', '--tz', 'UTC', '--quiet']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.tool.name).toBe('pleg-analyze');
    for (const key of ['capture', 'inputs', 'skipped', 'warnings', 'findings', 'noise', 'timeline']) expect(report).toHaveProperty(key);
    expect(report.inputs.length).toBeGreaterThan(40);
    expect(report.inputs.some((i: { kind: string }) => i.kind === 'journalctl-text')).toBe(true);
  });

  it('refuses to write the report into an input directory', () => {
    const input = join(dir, 'capture');
    const { mkdirSync } = require('node:fs') as typeof import('node:fs');
    mkdirSync(input);
    writeFileSync(join(input, 'ip-route.txt'), 'default via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.5 metric 100 \n');
    const before = readdirSync(input);
    const { code, stderr } = run([input, '-o', join(input, 'report.json'), '--format', 'json']);
    expect(code).toBe(2);
    expect(stderr).toContain('inside the input');
    expect(readdirSync(input)).toEqual(before);
  });

  it('reads a journal export from stdin', () => {
    const entry = [
      '__CURSOR=s=0;i=1',
      '__REALTIME_TIMESTAMP=1779026102123456',
      '_HOSTNAME=k8s03',
      '_SYSTEMD_UNIT=snap.microk8s.daemon-kubelite.service',
      'SYSLOG_IDENTIFIER=microk8s.daemon-kubelite',
      '_PID=4242',
      'MESSAGE=I0518 00:15:02.123456    4242 kubelet_node_status.go:77] "Successfully registered node" node="k8s03"',
      '',
      '',
    ].join('\n');
    const { code, stdout } = run(['-', '--format', 'json', '--quiet'], entry);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.inputs[0].kind).toBe('journald-export');
    expect(report.inputs[0].records).toBe(1);
    expect(report.capture.start).toBe('2026-05-17T13:55:02.123Z');
  });
});

describe('CI exit codes', () => {
  const FIXTURE = join(__dirname, '..', '..', 'fixtures', '000-pleg-cni-deadlock');

  it('--fail-on exits 1 when a finding reaches the severity, 0 when none does', () => {
    expect(run([FIXTURE, '--fail-on', 'high', '-q', '--format', 'json', '--tz', 'Australia/Brisbane']).code).toBe(1);
    expect(run([FIXTURE, '--fail-on', 'critical', '-q', '--format', 'json', '--tz', 'Australia/Brisbane']).code).toBe(0);
  });

  it('check exits 0 when the golden file holds and 1 with a readable diff when it does not', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ expect: [{ id: 'pleg-cni-deadlock', nodes: ['k8s03'], minConfidence: 0.5 }], absent: ['evented-pleg-grpc-freeze'] }));
    const ok = run(['check', FIXTURE, '--expect', good, '-q', '--tz', 'Australia/Brisbane']);
    expect(ok.code).toBe(0);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ expect: ['kine-watch-corruption'], absent: ['pleg-cni-deadlock'] }));
    const mismatch = run(['check', FIXTURE, '--expect', bad, '-q', '--tz', 'Australia/Brisbane']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toContain('kine-watch-corruption');
    expect(mismatch.stdout).toContain('pleg-cni-deadlock');
  });

  it('check exits 2 on a golden file that is not valid', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"expect": 42}');
    const result = run(['check', FIXTURE, '--expect', broken, '-q']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('writes every report format', () => {
    for (const [format, marker] of [['md', '# '], ['html', '<!DOCTYPE html>'], ['junit', '<testsuite'], ['sarif', '"version": "2.1.0"']] as const) {
      const { code, stdout } = run([FIXTURE, '--format', format, '-q', '--tz', 'Australia/Brisbane']);
      expect(code, format).toBe(0);
      expect(stdout, format).toContain(marker);
    }
  });
});

describe('pleg-analyze query', () => {
  const FIXTURE = join(__dirname, '..', '..', 'fixtures', '000-pleg-cni-deadlock');

  it('runs SQL over the records of the inputs and prints a table, JSON or CSV', () => {
    const sql = "SELECT node, count(*) AS n FROM records WHERE unit = 'snap.microk8s.daemon-kubelite' GROUP BY node";
    const table = run(['query', FIXTURE, sql, '--tz', 'Australia/Brisbane']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ node +│ n +│/);
    expect(table.stdout).toMatch(/│ k8s03 +│ \d+ +│/);
    expect(table.stdout.trimEnd().endsWith('(1 row)')).toBe(true);
    const json = JSON.parse(run(['query', FIXTURE, sql, '-f', 'json']).stdout) as { columns: string[]; rows: unknown[][] };
    expect(json.columns).toEqual(['node', 'n']);
    expect(json.rows).toHaveLength(1);
    expect(json.rows[0]![0]).toBe('k8s03');
    // The count is the kubelite lines of the journal, one record each.
    expect(json.rows[0]![1]).toBeGreaterThan(1000);
    expect(run(['query', FIXTURE, sql, '-f', 'csv']).stdout).toBe(`node,n\r\nk8s03,${json.rows[0]![1]}\r\n`);
  });

  it('exits 2 with one line for a write, a syntax error, or a missing statement', () => {
    for (const args of [['query', FIXTURE, 'DELETE FROM records'], ['query', FIXTURE, 'SELEC 1'], ['query', 'SELECT 1']]) {
      const { code, stdout, stderr } = run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^pleg-analyze: (the query must|SQL error|query needs)/);
    }
  });

  it('lists the tables in --help and warns when --max-rows cut the result', () => {
    const help = run(['query', '--help']).stdout;
    for (const table of ['records', 'findings', 'evidence', 'pods', 'ipam_blocks']) expect(help).toContain(table);
    expect(help).not.toMatch(/--since|"junit"/);
    const cut = run(['query', FIXTURE, 'SELECT path, line, entry FROM records ORDER BY path, line, entry', '--max-rows', '2', '-f', 'csv']);
    expect(cut.code).toBe(0);
    expect(cut.stdout.split('\r\n').filter(Boolean)).toHaveLength(3);
    expect(cut.stderr).toContain('only the first 2 are shown');
  });
});
