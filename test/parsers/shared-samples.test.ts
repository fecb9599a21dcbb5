import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/ingest.js';
import type { LogRecord } from '../../src/model/records.js';
import { SHARED_SAMPLES } from '../support/shared.js';

/**
 * Every real excerpt in ../shared/samples goes through the bundle reader and its parser.
 * Line-based logs obey a conservation law checked against the raw text: each non-empty
 * line (journalctl `-- …` separators aside) is in exactly one record's message or is
 * reported unparsed with a reason, so nothing is lost and nothing invented. In a shell
 * session a `get pods` row is a pod and its header line belongs to the table. Goroutine
 * dumps hold as many goroutines as the text has `goroutine N [` headers (or pprof `N @` buckets).
 */
const LINE_KINDS = new Set(['journalctl-text', 'klog', 'plain-log', 'shell-session']);
// NAME   READY   STATUS   RESTARTS   AGE   (a `kubectl get pods` header, -A adds NAMESPACE)
const PODS_HEADER = /^(?:NAMESPACE\s+)?NAME\s+READY\s+STATUS\s+RESTARTS\b/;

const samples = readdirSync(SHARED_SAMPLES).filter((n) => n.endsWith('.txt')).sort();

function body(name: string): string[] {
  const text = readFileSync(join(SHARED_SAMPLES, name), 'utf8');
  return text.slice(text.indexOf('# ---\n') + '# ---\n'.length).split('\n');
}

const nonEmpty = (lines: readonly string[]) => lines.filter((l) => l.trim() !== '');

describe('every shared sample', () => {
  it('is there (the suite is not vacuous)', () => {
    expect(samples.length).toBeGreaterThanOrEqual(70);
  });

  it.each(samples)('%s', async (name) => {
    const records: LogRecord[] = [];
    const result = await ingest([join(SHARED_SAMPLES, name)], { inputZone: 'UTC', onRecord: (r) => records.push(r) });
    expect(result.warnings.filter((w) => /could not be parsed/.test(w.message))).toEqual([]);
    const input = result.inputs[0]!;
    expect(result.skipped).toEqual([]);
    for (const u of result.unparsed) expect(u.reason).not.toBe('');
    const lines = body(name);
    // A fragment holding nothing whole (grep'd frames of a pprof dump) is all reported unparsed.
    if (input.records === 0) expect(input.unparsed).toBe(nonEmpty(lines).length);
    if (LINE_KINDS.has(input.kind)) {
      const session = input.kind === 'shell-session';
      const printed = nonEmpty(lines).filter((l) => !l.startsWith('-- ') && !(session && PODS_HEADER.test(l))).length;
      const inMessages = records.reduce((n, r) => n + nonEmpty(r.message.split('\n')).length, 0);
      const pods = result.store.facts.pods.length;
      expect(inMessages + pods + input.unparsed).toBe(printed);
      expect(records.length + pods).toBe(input.records);
    } else if (input.kind === 'goroutine-dump') {
      // `goroutine N [state]:` headers, or `N @ 0x…` buckets of a pprof debug=1 profile
      const goroutines = lines.filter((l) => /^goroutine \d+ (?:gp=\S+ m=\S+ (?:mp=\S+ )?)?\[/.test(l) || /^\d+ @ 0x/.test(l)).length;
      expect(input.records).toBe(goroutines);
    }
  });
});
