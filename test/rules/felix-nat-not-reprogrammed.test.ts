import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/felix-nat-not-reprogrammed.js';
import { rec, ruleTester, runCase } from '../support/rule-tester.js';
import { calicoNodePod, healthyNat, iptablesSave } from '../support/calico-builders.js';

// 003 Chain 2: after the simultaneous reboot k8s02's nat table only has the built-in chains.
const emptyNat = { PREROUTING: [], INPUT: [], OUTPUT: [], POSTROUTING: [] };
const FELIX_LOG = 'cluster-info/kube-system/calico-node-7hx2d/logs.txt';
const felix = (iso: string, message: string, line: number) =>
  rec(iso, 'k8s02', 'calico-node', message, FELIX_LOG, line, {
    node: undefined,
    container: { namespace: 'kube-system', pod: 'calico-node-7hx2d', container: 'calico-node' },
  });
const resyncLines = [
  felix('2026-06-04T20:44:58Z', '2026-06-04 20:44:58.312 [INFO][68] felix/summarizer.go 100: Summarising 12 dataplane reconciliation loops over 1m2.9s: avg=4ms longest=12ms (resync-nat-v4)', 201),
  felix('2026-06-04T20:45:59Z', '2026-06-04 20:45:59.318 [INFO][68] felix/summarizer.go 100: Summarising 11 dataplane reconciliation loops over 1m1.0s: avg=5ms longest=13ms (resync-nat-v4)', 233),
];
const k8s02Boot = rec('2026-06-04T20:00:41Z', 'k8s02', 'kernel', 'Linux version 5.4.0-231-generic (buildd@lcy02-amd64-043) (gcc version 9.4.0 (Ubuntu 9.4.0-1ubuntu1~20.04.2)) #251-Ubuntu SMP Fri May 16 10:23:45 UTC 2025 (Ubuntu 5.4.0-231.251-generic 5.4.302)', 'k8s02/journal.txt', 1);

const pods = [
  calicoNodePod('v3.13.2', 'k8s01', 'calico-node-qvnwt', '2026-06-04T20:03:10Z'),
  calicoNodePod('v3.13.2', 'k8s02', 'calico-node-7hx2d', '2026-05-21T03:12:44Z'),
  calicoNodePod('v3.13.2', 'k8s03', 'calico-node-vk7tr', '2026-06-04T20:02:55Z'),
];

ruleTester(rule, {
  valid: [
    {
      name: 'all three nodes have KUBE-SERVICES and the cali-* nat chains',
      facts: { iptables: [iptablesSave('k8s01', healthyNat()), iptablesSave('k8s02', healthyNat()), iptablesSave('k8s03', healthyNat())], pods },
      records: [resyncLines[0]!],
    },
    {
      name: 'near miss: k8s02 captured with `iptables -L` (filter only) — nat unknown, not missing',
      facts: {
        iptables: [
          iptablesSave('k8s01', healthyNat()),
          { ...iptablesSave('k8s02', undefined, { INPUT: ['-j cali-INPUT'], FORWARD: ['-j cali-FORWARD'] }), format: 'list' as const },
        ],
        pods,
      },
    },
    {
      name: 'near miss: no peer has KUBE-SERVICES either (not kube-proxy iptables mode everywhere)',
      facts: {
        iptables: [
          iptablesSave('k8s01', { ...emptyNat, POSTROUTING: ['-m comment --comment "cali:0i8pjzKKPyA34aQD" -j cali-POSTROUTING'], 'cali-POSTROUTING': [] }),
          iptablesSave('k8s02', { ...emptyNat, POSTROUTING: ['-m comment --comment "cali:0i8pjzKKPyA34aQD" -j cali-POSTROUTING'], 'cali-POSTROUTING': [] }),
        ],
      },
    },
  ],
  invalid: [
    {
      name: '003: k8s02 nat lacks KUBE-SERVICES and cali-* after reboot; calico-node predates the boot; resync-nat-v4 looping',
      facts: {
        iptables: [iptablesSave('k8s01', healthyNat()), iptablesSave('k8s02', emptyNat), iptablesSave('k8s03', healthyNat())],
        pods,
      },
      records: [k8s02Boot, ...resyncLines],
      expect: [{
        nodes: ['k8s02'],
        evidence: [
          { path: 'k8s02/iptables-save.txt', line: 1 },
          { path: FELIX_LOG, line: 201 },
          { path: FELIX_LOG, line: 233 },
          { path: 'k8s02/journal.txt', line: 1 },
        ],
        minConfidence: 0.99,
        signals: {
          'NAT chains missing while peers have them': 'present',
          'resync-nat-v4 logged': 'present',
          'calico-node started before the last boot': 'present',
        },
        runbookIncludes: ['kubectl -n kube-system delete pod calico-node-7hx2d', 'iptables -t nat -L | grep KUBE', 'spec.nodeName=k8s02'],
        facts: { missing: 'KUBE-SERVICES, cali-* NAT chains', resyncLines: 2 },
      }],
    },
    {
      name: 'iptables-save without any *nat table on k8s03, no pods or logs captured',
      facts: { iptables: [iptablesSave('k8s01', healthyNat()), iptablesSave('k8s03', undefined)] },
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: 'k8s03/iptables-save.txt', line: 1 }],
        signals: { 'resync-nat-v4 logged': 'unknown', 'calico-node started before the last boot': 'unknown' },
        runbookIncludes: ['delete pod -l k8s-app=calico-node --field-selector spec.nodeName=k8s03'],
      }],
    },
  ],
});

describe('felix-nat-not-reprogrammed details', () => {
  it('a calico-node restarted after the boot lowers confidence', () => {
    const base = {
      iptables: [iptablesSave('k8s01', healthyNat()), iptablesSave('k8s02', emptyNat)],
    };
    const stale = runCase(rule, { facts: { ...base, pods }, records: [k8s02Boot] }).findings[0]!;
    const fresh = runCase(rule, {
      facts: { ...base, pods: [calicoNodePod('v3.13.2', 'k8s02', 'calico-node-7hx2d', '2026-06-04T20:03:30Z')] },
      records: [k8s02Boot],
    }).findings[0]!;
    expect(fresh.signals.find((s) => s.name === 'calico-node started before the last boot')?.state).toBe('absent');
    expect(fresh.confidence).toBeLessThan(stale.confidence);
    expect(stale.summary).toContain('before the node\'s last boot');
  });
});
