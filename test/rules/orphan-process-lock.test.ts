import rule from '../../src/rules/orphan-process-lock.js';
import { ruleTester } from '../support/rule-tester.js';
import { event, klog, process, systemd, t } from '../support/kubelet-builders.js';

// 000 follow-up: buildkitd from 02:08 AEST (16:08Z) survived the nuclear restart (16:33Z) and held the lock.
const PS = 'k8s03/ps.txt';
const nuclear = [
  systemd('2026-05-22T16:33:40Z', 'k8s03', 'Stopped Service for snap application microk8s.daemon-kubelite.', 'k8s03/systemd.log', 20),
  systemd('2026-05-22T16:34:00Z', 'k8s03', 'Started Service for snap application microk8s.daemon-kubelite.', 'k8s03/systemd.log', 24),
  klog('2026-05-22T16:34:21Z', 'k8s03', 'I', 'kubelet_node_status.go:78] "Successfully registered node" node="k8s03"', 'k8s03/kubelite.log', 1),
];
const old = process('k8s03', 2211843, 'buildkitd --addr unix:///run/buildkit/buildkitd.sock', PS, 41, { ppid: 1, startTime: '02:08', startedAt: t('2026-05-22T16:08:12Z') });
const fresh = process('k8s03', 2298710, 'buildkitd --addr unix:///run/buildkit/buildkitd.sock', PS, 57, { ppid: 2298650, startTime: '02:41', startedAt: t('2026-05-22T16:41:03Z') });

// 001 capture: `pgrep -a buildkitd` (no times) plus `stat /proc/<pid>` of each PID (Modify = start).
const BK = 'buildkitd --addr unix:///run/user/1000/buildkit/buildkitd.sock --addr tcp://0.0.0.0:1234 --oci-worker-no-process-sandbox';
const pgrepA = [process('k8s03', 1167402, BK, 'k8s03/pgrep-a-buildkitd.txt', 2), process('k8s03', 2402118, BK, 'k8s03/pgrep-a-buildkitd.txt', 3)];
const statProc = (pid: number, iso: string) => process('k8s03', pid, '', `k8s03/stat-proc-${pid}.txt`, 2, { startedAt: t(iso) });
const storm001 = [systemd('2026-05-21T16:33:58Z', 'k8s03', 'Started Service for snap application microk8s.daemon-kubelite.', 'k8s03/kubelite.log', 451)];

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: stat /proc dates both buildkitd PIDs after the last restart (two legitimate instances)',
      records: storm001,
      facts: { processes: [...pgrepA, statProc(1167402, '2026-05-21T16:34:40Z'), statProc(2402118, '2026-05-21T16:35:02Z')] },
    },
    {
      name: 'one buildkitd instance after the restart',
      records: nuclear,
      facts: { processes: [fresh] },
    },
    {
      name: 'near miss: two independent buildkitd instances, both started after the restart',
      records: nuclear,
      facts: { processes: [fresh, process('k8s03', 2301004, 'buildkitd --addr unix:///run/buildkit/buildkitd.sock', PS, 60, { ppid: 2300990, startTime: '02:45', startedAt: t('2026-05-22T16:45:30Z') })] },
    },
  ],
  invalid: [
    {
      name: '000 follow-up: orphaned buildkitd from before the nuclear restart next to the new one',
      records: nuclear,
      facts: {
        processes: [old, fresh],
        events: [event('Unhealthy', 'Readiness probe failed: timeout: failed to connect service "unix:///run/buildkit/buildkitd.sock" within 1s', { kind: 'Pod', namespace: 'arc-systems', name: 'buildkit-7c5d8b9f6-qx2lp' }, '2026-05-22T16:50:00Z', { sourceComponent: 'kubelet', sourceHost: 'k8s03', type: 'Warning', count: 14 })],
      },
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: PS, line: 41 }, { path: PS, line: 57 }, { path: 'k8s03/systemd.log', line: 20 }],
        signals: { 'duplicate lock-using service processes': 'present', 'older instance predates the restart': 'present', 'probe timeouts on the node': 'present' },
        minConfidence: 1,
        runbookIncludes: ['sudo stat /proc/2211843', 'sudo kill 2211843', '/var/lib/buildkit/buildkitd.lock', '/proc/2298710/root/run/buildkit/'],
      }],
    },
    {
      name: '001: pgrep -a without times, dated by stat /proc/<pid> (Modify 02:08:14 before the 02:33:58 start, 02:35:02 after)',
      records: storm001,
      facts: { processes: [...pgrepA, statProc(1167402, '2026-05-21T16:08:14.117203Z'), statProc(2402118, '2026-05-21T16:35:02.902114Z')] },
      expect: [{
        nodes: ['k8s03'],
        evidence: [
          { path: 'k8s03/pgrep-a-buildkitd.txt', line: 2 }, { path: 'k8s03/pgrep-a-buildkitd.txt', line: 3 },
          { path: 'k8s03/stat-proc-1167402.txt', line: 2 }, { path: 'k8s03/stat-proc-2402118.txt', line: 2 },
          { path: 'k8s03/kubelite.log', line: 451 },
        ],
        signals: { 'duplicate lock-using service processes': 'present', 'older instance predates the restart': 'present' },
        runbookIncludes: ['sudo stat /proc/1167402', 'sudo kill 1167402', '/proc/2402118/root/run/buildkit/'],
      }],
    },
    {
      name: 'plain pgrep -a output (no start times): two PIDs, restart test unknown',
      facts: {
        processes: [
          process('k8s03', 2211843, 'buildkitd --addr unix:///run/buildkit/buildkitd.sock', 'k8s03/pgrep-buildkitd.txt', 1),
          process('k8s03', 2298710, 'buildkitd --addr unix:///run/buildkit/buildkitd.sock', 'k8s03/pgrep-buildkitd.txt', 2),
        ],
      },
      expect: [{ nodes: ['k8s03'], signals: { 'older instance predates the restart': 'unknown' }, evidence: [{ path: 'k8s03/pgrep-buildkitd.txt', line: 1 }, { path: 'k8s03/pgrep-buildkitd.txt', line: 2 }], runbookIncludes: ['sudo kill 2211843'] }],
    },
  ],
});
