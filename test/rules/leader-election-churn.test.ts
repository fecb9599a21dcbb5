import rule from '../../src/rules/leader-election-churn.js';
import { ruleTester } from '../support/rule-tester.js';
import { container, containerLog, kubelite, pod, systemd } from '../support/cluster-builders.js';

// 004: five controllers crash-looping with 400–700+ restarts on lease renewal failures while
// dqlite snapshots stalled the API server (2026-04-01, ~09:00 AEST = 23:00Z the day before).
const CSI_POD = 'csi-nfs-controller-5d7c9b8f4-8k2mx';
const AWX_POD = 'awx-operator-controller-manager-6b8d9c7f5-qz4tw';
const CSI = `cluster-info-dump/kube-system/${CSI_POD}/logs.txt`;
const AWX = `cluster-info-dump/ci/${AWX_POD}/logs.txt`;
const csiRef = { namespace: 'kube-system', pod: CSI_POD, container: 'csi-provisioner' };
const awxRef = { namespace: 'ci', pod: AWX_POD, container: 'awx-manager' };

const csiLines = [
  containerLog('2026-03-31T23:01:12Z', 'k8s03', csiRef, 'E0331 23:01:12.415023       1 leaderelection.go:330] error retrieving resource lock kube-system/csi-nfs: Get "https://127.0.0.1:16443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/csi-nfs": context deadline exceeded', CSI, 10),
  containerLog('2026-03-31T23:01:12Z', 'k8s03', csiRef, 'I0331 23:01:12.415101       1 leaderelection.go:283] failed to renew lease kube-system/csi-nfs: timed out waiting for the condition', CSI, 11),
  containerLog('2026-03-31T23:05:40Z', 'k8s03', csiRef, 'I0331 23:05:40.002311       1 leaderelection.go:283] failed to renew lease kube-system/csi-nfs: timed out waiting for the condition', CSI, 52),
];
const awxLines = [
  containerLog('2026-03-31T23:02:30Z', 'k8s01', awxRef, 'E0331 23:02:30.118842       1 leaderelection.go:330] error retrieving resource lock ci/awx-operator: Get "https://10.152.183.1:443/apis/coordination.k8s.io/v1/namespaces/ci/leases/awx-operator": context deadline exceeded', AWX, 7),
  containerLog('2026-03-31T23:02:30Z', 'k8s01', awxRef, 'I0331 23:02:30.118990       1 leaderelection.go:283] failed to renew lease ci/awx-operator: timed out waiting for the condition', AWX, 8),
  containerLog('2026-03-31T23:02:30Z', 'k8s01', awxRef, '{"level":"error","ts":1774998150.119,"logger":"setup","msg":"problem running manager","error":"leader election lost"}', AWX, 9),
];

const lostLease = { reason: 'Error', exitCode: 1, message: 'leader election lost' };
const csiPod = pod({ namespace: 'kube-system', name: CSI_POD, node: 'k8s03', phase: 'Running', created: '2026-02-05T01:00:00Z', bound: '2026-02-05T01:00:00Z', line: 31,
  containers: [container('csi-provisioner', 'running', { restartCount: 712, lastTerminated: lostLease })] });
const awxPod = pod({ namespace: 'ci', name: AWX_POD, node: 'k8s01', phase: 'Running', created: '2026-02-05T01:00:00Z', bound: '2026-02-05T01:00:00Z', line: 12,
  containers: [container('awx-manager', 'waiting', { stateReason: 'CrashLoopBackOff', restartCount: 698, lastTerminated: lostLease })] });
const ghArc = pod({ namespace: 'ci', name: 'gh-arc-actions-runner-controller-7c9f8d6b5-h2k4p', node: 'k8s02', phase: 'Running', created: '2026-04-01T05:00:00Z', bound: '2026-04-01T05:00:00Z', line: 13,
  containers: [container('manager', 'waiting', { stateReason: 'CrashLoopBackOff', restartCount: 703, lastTerminated: { reason: 'Error', exitCode: 2, message: 'flag provided but not defined: -lease-duration' } })] });

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: one kubelite restart — controller-manager and scheduler each fail one lease read',
      records: [
        kubelite('2026-04-01T02:00:05Z', 'k8s01', 'E', 'leaderelection.go:330] error retrieving resource lock kube-system/kube-controller-manager: Get "https://127.0.0.1:16443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager?timeout=5s": dial tcp 127.0.0.1:16443: connect: connection refused', 'k8s01/kubelite.log', 40),
        kubelite('2026-04-01T02:00:06Z', 'k8s01', 'E', 'leaderelection.go:330] error retrieving resource lock kube-system/kube-scheduler: Get "https://127.0.0.1:16443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler?timeout=5s": dial tcp 127.0.0.1:16443: connect: connection refused', 'k8s01/kubelite.log', 41),
      ],
    },
    {
      name: 'near miss: a controller crash-loops 703 times on a bad flag, no lease failures',
      facts: { pods: [ghArc] },
    },
    {
      name: 'near miss: one controller loses its lease once, low restart count',
      records: csiLines.slice(0, 2),
      facts: { pods: [{ ...csiPod, containers: [container('csi-provisioner', 'running', { restartCount: 1 })] }] },
    },
  ],
  invalid: [
    {
      name: 'microk8s#3859: kubelite exits on "leaderelection lost" of kube-controller-manager, restarted by systemd again and again',
      records: ['2026-04-01T20:46:08Z', '2026-04-01T20:52:41Z', '2026-04-01T20:58:03Z'].flatMap((iso, i) => {
        const base = 40 + i * 10;
        const hms = iso.slice(11, 19);
        return [
          kubelite(iso, 'k8s01', 'I', `leaderelection.go:283] failed to renew lease kube-system/kube-controller-manager: timed out waiting for the condition`, 'k8s01/kubelite.log', base, 53319 + i),
          kubelite(iso, 'k8s01', 'E', 'controllermanager.go:294] "leaderelection lost"', 'k8s01/kubelite.log', base + 1, 53319 + i),
          systemd(iso, 'k8s01', 'snap.microk8s.daemon-kubelite.service: Main process exited, code=exited, status=1/FAILURE', 'k8s01/journal.log', base + 2),
          systemd(iso.replace(hms, hms.slice(0, 6) + String(Number(hms.slice(6)) + 1).padStart(2, '0')), 'k8s01', `snap.microk8s.daemon-kubelite.service: Scheduled restart job, restart counter is at ${8 + i}.`, 'k8s01/journal.log', base + 3),
        ];
      }),
      expect: [{
        nodes: ['k8s01'],
        evidence: [{ path: 'k8s01/kubelite.log', line: 40 }],
        signals: { 'lease lost repeatedly': 'present', 'controller pods crash-looping': 'present', 'API latency': 'present' },
        runbookIncludes: ['kube-system/kube-controller-manager'],
        facts: { controllers: 1, crashLoopingPods: 1, leaseLines: 6 },
      }],
    },
    {
      name: '004: csi-nfs and awx-operator lose their leases repeatedly, 700 restarts each',
      records: [...csiLines, ...awxLines],
      facts: { pods: [csiPod, awxPod, ghArc] },
      expect: [{
        nodes: ['k8s01', 'k8s03'],
        evidence: [{ path: CSI, line: 10 }, { path: AWX, line: 7 }, { path: 'pods.json', line: 31 }, { path: 'pods.json', line: 12 }],
        minConfidence: 0.99,
        signals: { 'lease lost repeatedly': 'present', 'several controllers': 'present', 'controller pods crash-looping': 'present', 'API latency': 'present' },
        runbookIncludes: [`kubectl exec -n kube-system ${CSI_POD} -- <binary> --help | grep <flag>`, 'ci/awx-operator', `kube-system/${CSI_POD}`],
        facts: { controllers: 2, crashLoopingPods: 2, leaseLines: 6 },
      }],
    },
    {
      name: 'pods only: termination message "leader election lost" with hundreds of restarts',
      facts: { pods: [csiPod, ghArc] },
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: 'pods.json', line: 31 }],
        signals: { 'controller pods crash-looping': 'present', 'several controllers': 'absent' },
        runbookIncludes: [CSI_POD],
      }],
    },
  ],
});
