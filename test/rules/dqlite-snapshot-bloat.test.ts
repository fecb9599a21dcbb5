import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/dqlite-snapshot-bloat.js';
import leaderElectionChurn from '../../src/rules/leader-election-churn.js';
import { rec, ruleTester, runCase } from '../support/rule-tester.js';
import { container, containerLog, pod, snapshotFile, snapshotStats } from '../support/cluster-builders.js';

// 004: 215 MB snapshots every ~2 min on the pvek8s nodes, 6,071 IPAM handles, controllers
// timing out on their leases (2026-04-01, AEST 10:28 = 00:28Z).
const CSI = 'cluster-info-dump/kube-system/csi-nfs-controller-5d7c9b8f4-8k2mx/logs.txt';
const leaseTimeout = containerLog('2026-04-01T00:29:12Z', 'k8s02', { namespace: 'kube-system', pod: 'csi-nfs-controller-5d7c9b8f4-8k2mx', container: 'csi-provisioner' },
  'E0401 00:29:12.415023       1 leaderelection.go:330] error retrieving resource lock kube-system/csi-nfs: Get "https://127.0.0.1:16443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/csi-nfs": context deadline exceeded',
  CSI, 41);

const bloated = [
  snapshotFile('k8s02', 4, 7712345, 215.3, '2026-04-01T00:28:02Z', 12),
  snapshotFile('k8s02', 4, 7712345, 0.001, '2026-04-01T00:28:02Z', 13, true),
  snapshotFile('k8s02', 4, 7712873, 215.4, '2026-04-01T00:30:05Z', 14),
  snapshotFile('k8s02', 4, 7712873, 0.001, '2026-04-01T00:30:05Z', 15, true),
];

// 004 capture: each node's `microk8s inspect` tarball; dqlite/list.out has no host of its own,
// the report's journals do (`Apr 01 16:16:00 k8s01 microk8s.daemon-k8s-dqlite[…]`).
const REPORT = (node: string) => `${node}/inspection-report-20260401_162012.tar.gz/inspection-report`;
const inReport = (node: string, index: number, sizeMB: number, mtime: string, line: number) => {
  const f = snapshotFile(node, 1, index, sizeMB, mtime, line);
  return { ...f, node: undefined, source: { path: `${REPORT(node)}/dqlite/list.out`, line } };
};
const reportJournal = (node: string) => rec('2026-04-01T06:18:00Z', node, 'snap.microk8s.daemon-k8s-dqlite',
  'time="2026-04-01T16:18:00+10:00" level=info msg="COMPACT deleted 143 rows from 443 revisions"', `${REPORT(node)}/snap.microk8s.daemon-k8s-dqlite/journal.log`, 7);

ruleTester(rule, {
  valid: [
    {
      name: 'near miss (real corpus): two 1.5 MB snapshots two minutes apart',
      facts: {
        dqliteFiles: [
          snapshotFile('k8s01', 1, 4096, 1.5, '2026-04-01T00:28:02Z', 5),
          snapshotFile('k8s01', 1, 5120, 1.5, '2026-04-01T00:30:02Z', 6),
        ],
      },
    },
    {
      name: 'near miss: 215 MB snapshots, but three hours apart (a big database, not a snapshot storm)',
      facts: {
        dqliteFiles: [
          snapshotFile('k8s02', 4, 7712345, 215.3, '2026-04-01T00:28:02Z', 12),
          snapshotFile('k8s02', 4, 7799001, 215.4, '2026-04-01T03:31:40Z', 14),
        ],
        dqliteSnapshots: [snapshotStats('k8s02', 'snapshot-4-7799001-7799001', 599, 180)],
      },
    },
  ],
  invalid: [
    {
      name: '004 inspect tarballs: list.out without a host takes the node its report\'s journals name',
      records: [reportJournal('k8s01'), reportJournal('k8s03')],
      facts: {
        dqliteFiles: [
          inReport('k8s01', 184391735, 215.0, '2026-04-01T06:16:00Z', 18), inReport('k8s01', 184392247, 215.1, '2026-04-01T06:18:00Z', 20),
          inReport('k8s03', 184391735, 215.0, '2026-04-01T06:16:00Z', 18), inReport('k8s03', 184392247, 215.1, '2026-04-01T06:18:00Z', 20),
        ],
      },
      expect: [{
        nodes: ['k8s01', 'k8s03'],
        evidence: [{ path: `${REPORT('k8s01')}/dqlite/list.out`, line: 18 }, { path: `${REPORT('k8s03')}/dqlite/list.out`, line: 20 }],
        signals: { 'snapshots over 50 MB': 'present', 'snapshots more often than every 5 min': 'present' },
        facts: { snapshotIntervalSeconds: 120 },
      }],
    },
    {
      name: 'inspect tarball without journals: list.out stays unattributed (no node guessed)',
      facts: { dqliteFiles: [inReport('k8s01', 184391735, 215.0, '2026-04-01T06:16:00Z', 18), inReport('k8s01', 184392247, 215.1, '2026-04-01T06:18:00Z', 20)] },
      expect: [{ nodes: [], evidence: [{ path: `${REPORT('k8s01')}/dqlite/list.out`, line: 18 }] }],
    },
    {
      name: '004: 215 MB snapshots every ~2 min, 6,071 IPAM handles, lease timeouts',
      records: [leaseTimeout],
      facts: { dqliteFiles: bloated, dqliteSnapshots: [snapshotStats('k8s02', 'snapshot-4-7712873-14712873', 6071, 215)] },
      expect: [{
        nodes: ['k8s02'],
        evidence: [{ path: 'k8s02/dqlite-ls.txt', line: 12 }, { path: 'k8s02/dqlite-ls.txt', line: 14 }, { path: 'k8s02/snapshot-4-7712873-14712873', line: 1 }, { path: CSI, line: 41 }],
        minConfidence: 0.99,
        signals: {
          'snapshots over 50 MB': 'present', 'snapshots more often than every 5 min': 'present',
          'large kine key population': 'present', 'apiserver unresponsive': 'present',
        },
        runbookIncludes: ['6071', 'ansible-playbook -i inventory/hosts.ini microk8s-monthly-maintenance.yml', 'NEVER vacuum', 'largest 215.4 MB, interval 2m'],
        facts: { snapshotIntervalSeconds: 123, ipamHandles: 6071 },
      }],
    },
    {
      name: 'listing without times: size alone, rate unknown',
      facts: { dqliteFiles: [snapshotFile('k8s03', 4, 7712345, 215.3, undefined, 3), snapshotFile('k8s03', 4, 7712873, 215.4, undefined, 4)] },
      expect: [{
        nodes: ['k8s03'],
        signals: { 'snapshots over 50 MB': 'present', 'snapshots more often than every 5 min': 'unknown', 'large kine key population': 'unknown' },
        evidence: [{ path: 'k8s03/dqlite-ls.txt', line: 3 }, { path: 'k8s03/dqlite-ls.txt', line: 4 }],
        runbookIncludes: ['interval unknown'],
      }],
    },
  ],
});

describe('dqlite-snapshot-bloat causal links', () => {
  it('causes leader-election-churn of a controller on a bloated node (004)', () => {
    const csiPod = pod({ namespace: 'kube-system', name: 'csi-nfs-controller-5d7c9b8f4-8k2mx', node: 'k8s02', phase: 'Running', created: '2026-02-05T01:00:00Z', line: 1,
      containers: [container('csi-provisioner', 'running', { restartCount: 712, lastTerminated: { reason: 'Error', exitCode: 1, message: 'leader election lost' } })] });
    const result = runCase(rule, {
      records: [leaseTimeout],
      facts: { dqliteFiles: bloated, pods: [csiPod] },
      withRules: [leaderElectionChurn],
    });
    const bloat = result.findings.find((f) => f.id === 'dqlite-snapshot-bloat')!;
    const churn = result.findings.find((f) => f.id === 'leader-election-churn')!;
    expect(bloat.causes).toEqual(['leader-election-churn']);
    expect(churn.causedBy).toEqual(['dqlite-snapshot-bloat']);
  });
});
