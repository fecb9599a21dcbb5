import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { checkGolden, loadGolden, parseGolden, renderCheck } from '../../src/report/check.js';
import { sampleReport } from '../data/report/sample-report.js';

const report = sampleReport();
const check = (golden: unknown) => checkGolden(report, parseGolden(golden));

describe('checkGolden', () => {
  it('holds when every expectation holds', () => {
    const result = check({
      expect: ['pleg-cni-deadlock', { id: 'calico-ipam-full-blocks', nodes: ['k8s03'], minConfidence: 0.5 }, { id: 'kubelet-silent', explained: true }],
      absent: ['vxlan-route-stale-vtep', 'imagefs-eviction-stall'],
    });
    expect(result).toEqual({ ok: true, diff: [] });
  });

  it('reports a missing finding on a node and one found elsewhere', () => {
    expect(check({ expect: [{ id: 'pleg-cni-deadlock', nodes: ['k8s01', 'k8s03'] }, 'kine-watch-corruption'] }).diff).toEqual([
      'missing: pleg-cni-deadlock on k8s01 (found on k8s03)',
      'missing: kine-watch-corruption',
    ]);
  });

  it('an expect entry matches only a standing finding unless it says "explained": true', () => {
    expect(check({ expect: [{ id: 'kubelet-silent', nodes: ['k8s03'] }] }).diff).toEqual([
      'missing: kubelet-silent on k8s03 (found only as an explained symptom, explained by pleg-cni-deadlock; add "explained": true to expect that)',
    ]);
    expect(check({ expect: [{ id: 'pleg-cni-deadlock', explained: true }] }).diff).toEqual([
      'missing: pleg-cni-deadlock (explained) (found, but standing: not explained by any finding)',
    ]);
  });

  it('reports confidence below the minimum', () => {
    expect(check({ expect: [{ id: 'calico-ipam-full-blocks', nodes: ['k8s03'], minConfidence: 0.85 }] }).diff).toEqual([
      'confidence 0.80 < 0.85 for calico-ipam-full-blocks on k8s03',
    ]);
  });

  it('reports absent ids that were found, explained or as noise', () => {
    expect(check({ absent: ['pleg-cni-deadlock', 'kubelet-silent', 'container-event-discarded'] }).diff).toEqual([
      'unexpected: pleg-cni-deadlock (k8s03), listed as absent',
      'unexpected: kubelet-silent (k8s03) (explained by pleg-cni-deadlock), listed as absent',
      'unexpected: container-event-discarded noise ×8302, listed as absent',
    ]);
  });

  it('reads the fixtures\' expected.json extensions: explained with by, noise, evidence prefixes, exact', () => {
    expect(check({
      expect: [{ id: 'pleg-cni-deadlock', nodes: ['k8s03'], evidence: ['k8s03/kubelite.export', 'k8s03/args/kubelet'] }],
      explained: [{ id: 'kubelet-silent', by: 'pleg-cni-deadlock', nodes: ['k8s03'] }, { id: 'kubelet-silent', by: 'pleg-unhealthy' }],
      noise: ['container-event-discarded', 'ipamblock-cas-conflict'],
      absent: [],
      exact: true,
      case: 'ignored', inputs: ['.'], description: 'ignored',
    }).diff).toEqual([
      'missing evidence: pleg-cni-deadlock on k8s03 cites nothing under k8s03/args/kubelet',
      'missing: kubelet-silent (explained) (found, explained by pleg-cni-deadlock instead of pleg-unhealthy)',
      'missing noise: ipamblock-cas-conflict',
      'unexpected: calico-ipam-full-blocks (k8s03)',
      'unexpected: calico-kube-controllers-tombstone-panic (cluster)',
    ]);
  });

  it('prints the differences, or a one-line ok', () => {
    const golden = parseGolden({ expect: ['kine-watch-corruption'], absent: [] });
    expect(renderCheck(checkGolden(report, golden), golden)).toBe('missing: kine-watch-corruption\ncheck: 1 difference(s)\n');
    const ok = parseGolden({ expect: ['pleg-cni-deadlock'], absent: ['kine-watch-corruption'] });
    expect(renderCheck(checkGolden(report, ok), ok)).toBe('check: ok — 1 expected finding(s) present, 1 absent id(s) not found\n');
  });
});

describe('golden file shape', () => {
  const error = (text: string) => {
    try {
      loadGolden(text, 'golden.json');
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('names the file and the bad key', () => {
    expect(error('{"expect": [ "pleg-cni-deadlock", ')).toMatch(/^golden\.json: not valid JSON/);
    expect(error('[]')).toBe('golden.json: top level: expected an object with "expect" and/or "absent"');
    expect(error('{}')).toBe('golden.json: top level: neither "expect" nor "absent" is present');
    expect(error('{"expect": "pleg-cni-deadlock"}')).toBe('golden.json: expect: expected an array');
    expect(error('{"expect": [{"id": "x", "minConfidnce": 0.5}]}')).toBe('golden.json: expect[0].minConfidnce: unknown key (allowed: id, nodes, minConfidence, explained, by, evidence)');
    expect(error('{"expect": [{"id": "x", "minConfidence": 5}]}')).toBe('golden.json: expect[0].minConfidence: expected a number from 0 to 1');
    expect(error('{"expect": [{"id": "X Y"}]}')).toBe('golden.json: expect[0].id: expected a rule id (lower-case words joined by -), got "X Y"');
    expect(error('{"expect": [{"id": "x", "nodes": "k8s03"}]}')).toBe('golden.json: expect[0].nodes: expected an array of node names');
    expect(error('{"absent": [3]}')).toBe('golden.json: absent[0]: expected a rule id (lower-case words joined by -), got 3');
    expect(error('{"expect": ["a"], "absent": ["a"]}')).toBe('golden.json: absent: a is both expected and absent');
    expect(error('{"expect": [{"id": "a", "by": "b"}]}')).toBe('golden.json: expect[0].by: "by" needs "explained": true');
  });

  it('parses the contract example', () => {
    expect(loadGolden(`{
      "expect": [ "kine-watch-corruption", { "id": "vxlan-route-stale-vtep", "nodes": ["k8s01"], "minConfidence": 0.5 } ],
      "absent": [ "pleg-cni-deadlock" ]
    }`)).toEqual({
      expect: [{ id: 'kine-watch-corruption' }, { id: 'vxlan-route-stale-vtep', nodes: ['k8s01'], minConfidence: 0.5 }],
      absent: ['pleg-cni-deadlock'],
    });
  });
});
