import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The terminal report on a real terminal: util-linux `script` gives the CLI a pty of a chosen
 * width. Colour only on a TTY and only without NO_COLOR; the findings table fits the width.
 */
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const FIXTURE = join(__dirname, '..', '..', 'fixtures', '001-imagefs-stall');
const SCRIPT = '/usr/bin/script';
const SGR = /\x1b\[[0-9;]*m/g;

function onTerminal(columns: number, env: Record<string, string | undefined>): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // stderr (the progress bar) is dropped so only the report is inspected.
  const command = `stty cols ${columns} rows 50; ${quote(process.execPath)} ${quote(CLI)} ${quote(FIXTURE)} --tz Australia/Brisbane 2>/dev/null`;
  const result = spawnSync(SCRIPT, ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.replace(/\r/g, '');
}

describe.skipIf(!existsSync(SCRIPT))('terminal report on a TTY', () => {
  it('colours severities and sizes the findings table to the terminal width', () => {
    for (const columns of [80, 132]) {
      const out = onTerminal(columns, { NO_COLOR: undefined, FORCE_COLOR: undefined });
      expect(out).toMatch(/\x1b\[31mhigh\x1b\[0m/);
      const table = out.split('\n').map((l) => l.replace(SGR, '')).filter((l) => /^[┌│├└]/.test(l));
      expect(table.length).toBeGreaterThan(3);
      for (const line of table) expect([...line].length).toBeLessThanOrEqual(columns);
    }
  });

  it('honours NO_COLOR on a TTY', () => {
    const out = onTerminal(100, { NO_COLOR: '1' });
    expect(out).toContain('imagefs-eviction-stall');
    expect(out).not.toMatch(/\x1b\[/);
  });

  it('prints no colour when stdout is not a TTY', () => {
    const result = spawnSync(process.execPath, [CLI, FIXTURE, '--tz', 'Australia/Brisbane'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: undefined } });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('imagefs-eviction-stall');
    expect(result.stdout).not.toMatch(/\x1b\[/);
    expect(result.stderr).not.toMatch(/\x1b\[/);
  });
});
