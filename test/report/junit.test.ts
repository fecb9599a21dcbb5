import { describe, expect, it } from 'vitest';
import { escapeXml, renderJunit } from '../../src/report/junit.js';
import { sampleReport } from '../data/report/sample-report.js';

/** A strict well-formedness check of the XML we emit: balanced tags, quoted attributes, entities only. */
function assertWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\n/, '');
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let consumed = 0;
  for (const m of body.matchAll(token)) {
    consumed += m[0].length;
    if (m[5] !== undefined) {
      expect(m[5], 'text with a stray & or >').not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
      continue;
    }
    for (const a of (m[3] ?? '').matchAll(/="([^"]*)"/g)) expect(a[1]).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)|</);
    if (m[1]) expect(stack.pop(), `closing </${m[2]}>`).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]!);
  }
  expect(consumed, 'unparsable XML').toBe(body.length);
  expect(stack).toEqual([]);
}

describe('renderJunit', () => {
  const xml = renderJunit(sampleReport());
  const testcase = (name: string) => {
    const m = new RegExp(`<testcase classname="pleg-analyze\\.rules" name="${name}" time="0">([\\s\\S]*?)</testcase>`).exec(xml);
    expect(m, name).not.toBeNull();
    return m![1]!;
  };

  it('is well-formed XML with one testsuite and the counts', () => {
    assertWellFormed(xml);
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml).toContain('<testsuite name="pleg-analyze" tests="7" failures="3" errors="0" skipped="1" time="0" timestamp="2026-05-17T15:10:00">');
  });

  it('has one testcase per rule evaluated or not applicable, sorted by id', () => {
    expect([...xml.matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'calico-ipam-full-blocks', 'calico-kube-controllers-tombstone-panic', 'container-event-discarded',
      'imagefs-eviction-stall', 'kubelet-silent', 'pleg-cni-deadlock', 'vxlan-route-stale-vtep',
    ]);
  });

  it('fails a rule that fired, with its summary as message and the evidence in the body', () => {
    const body = testcase('pleg-cni-deadlock');
    expect(body).toMatch(/<failure message="high: On k8s03 the kubelet&apos;s Generic PLEG \(EventedPLEG=false\) is stuck behind a CNI ADD: [^"]*" type="high">/);
    expect(body).toContain('k8s03/kubelite.export:9120 [first of 14]');
    expect(body).toContain('pod &lt;script&gt;alert(1)&lt;/script&gt; sandbox&quot; \\x1b[31mRED\\x1b[0m');
    expect(body).toContain('$ kubectl cordon k8s03');
  });

  it('passes an explained symptom and a noise rule with a note, skips a rule lacking input, passes the rest empty', () => {
    const silent = testcase('kubelet-silent');
    expect(silent).not.toContain('<failure');
    expect(silent).toContain('<system-out>explained symptom on k8s03, explained by pleg-cni-deadlock: kubelite on k8s03 wrote nothing');
    expect(testcase('container-event-discarded')).toContain('<system-out>known noise ×8302 from 2026-05-17T13:30:05.000Z');
    expect(testcase('vxlan-route-stale-vtep')).toContain('<skipped message="missing: routing table of each node">capture next:\nip route show table main &gt; &lt;node&gt;-ip-route.txt</skipped>');
    expect(xml).toContain('<testcase classname="pleg-analyze.rules" name="imagefs-eviction-stall" time="0"></testcase>');
  });

  it('reports a rule that threw as an error', () => {
    const r = sampleReport();
    r.engineErrors.push({ rule: 'pleg-unhealthy', message: 'Cannot read properties of undefined (reading "ts")' });
    const out = renderJunit(r);
    assertWellFormed(out);
    expect(out).toContain('<testcase classname="pleg-analyze.rules" name="pleg-unhealthy" time="0">\n    <error message="Cannot read properties of undefined (reading &quot;ts&quot;)" type="RuleError"/>');
    expect(out).toContain('errors="1"');
  });

  it('escapes XML specials and characters XML 1.0 cannot carry', () => {
    expect(escapeXml(`a<b>&"'\x00\x1b\uFFFE\uD800`)).toBe('a&lt;b&gt;&amp;&quot;&apos;\\x00\\x1b\\ufffe\\ud800');
  });

  it('is deterministic', () => {
    const r = sampleReport();
    r.findings.reverse();
    expect(renderJunit(r)).toBe(xml);
  });
});
