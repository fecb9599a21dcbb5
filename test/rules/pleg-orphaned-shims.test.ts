import rule from '../../src/rules/pleg-orphaned-shims.js';
import { ruleTester, type CaseInput } from '../support/rule-tester.js';
import {
  cniAddBlocked, containerdSteady, dump, klog, kubelite, kubeliteSteady, relistOnContainerStatus, schedstat, shimCount, systemd, tasks,
} from '../support/kubelet-builders.js';

// 001 FM3 / 000 follow-up: restart storm on k8s03 on 2026-05-22, registered at 02:34:21 AEST (16:34:21Z), then silence.
const LOG = 'k8s03/kubelite.log';
const SYS = 'k8s03/systemd.log';
const CTRD = 'k8s03/containerd.log';
const KDUMP = 'k8s03/kubelite-goroutines.log';

const start = (iso: string, line: number) => systemd(iso, 'k8s03', 'Started Service for snap application microk8s.daemon-kubelite.', SYS, line);
const retry = (iso: string, attempt: number, line: number, pid = 61234) => kubelite(iso, 'k8s03',
  `{"level":"warn","ts":"${iso.replace('Z', '.101Z')}","logger":"etcd-client","caller":"v3@v3.5.21/retry_interceptor.go:63","msg":"retrying of unary invoker failed","target":"etcd-endpoints://0xc000b2e000/unix:///var/snap/microk8s/current/var/kubernetes/backend/kine.sock:12379","attempt":${attempt},"error":"rpc error: code = DeadlineExceeded desc = context deadline exceeded"}`,
  LOG, line, pid);

function storm(overrides: Partial<CaseInput> = {}): CaseInput {
  return {
    records: [
      start('2026-05-22T15:58:00Z', 1),
      ...kubeliteSteady('k8s03', '2026-05-22T15:58:05Z', '2026-05-22T16:10:00Z', LOG, 1, 60, 58001),
      start('2026-05-22T16:20:00Z', 2),
      ...kubeliteSteady('k8s03', '2026-05-22T16:20:05Z', '2026-05-22T16:30:00Z', LOG, 100, 60, 60002),
      start('2026-05-22T16:34:00Z', 3),
      klog('2026-05-22T16:34:02Z', 'k8s03', 'I', 'server.go:525] "Kubelet version" kubeletVersion="v1.35.0"', LOG, 200, 61234),
      retry('2026-05-22T16:34:10Z', 52, 201),
      klog('2026-05-22T16:34:21Z', 'k8s03', 'I', 'kubelet_node_status.go:78] "Successfully registered node" node="k8s03"', LOG, 202, 61234),
      ...containerdSteady('k8s03', '2026-05-22T15:58:00Z', '2026-05-22T17:10:00Z', CTRD, 1, 60),
    ],
    facts: {
      processCounts: [shimCount('k8s03', 44)],
      tasks: tasks('k8s03', 27),
      schedstats: [schedstat('k8s03', 61234, [[195398181, 57385342, 625], [195398181, 57385342, 625]])],
    },
    dumps: [dump('k8s03', 'kubelite', '2026-05-22T17:05:00Z', KDUMP, [relistOnContainerStatus(233, KDUMP, 51, 30)])],
    ...overrides,
  };
}

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: startup then silence, but shims match tasks, schedstat moves and no dump',
      ...storm({
        facts: { processCounts: [shimCount('k8s03', 25)], tasks: tasks('k8s03', 27), schedstats: [schedstat('k8s03', 61234, [[195398181, 57385342, 625], [199512004, 57390012, 641]])] },
        dumps: [],
      }),
    },
    {
      name: 'near miss: shims >> tasks but kubelite keeps logging after its start',
      ...storm({
        records: [
          start('2026-05-22T16:34:00Z', 3),
          ...kubeliteSteady('k8s03', '2026-05-22T16:34:05Z', '2026-05-22T17:10:00Z', LOG, 300, 30, 61234),
          ...containerdSteady('k8s03', '2026-05-22T16:30:00Z', '2026-05-22T17:10:00Z', CTRD, 1, 60),
        ],
        dumps: [],
      }),
    },
    {
      name: 'near miss: the stalled relist sits behind a CNI ADD (pleg-cni-deadlock)',
      ...storm({ dumps: [dump('k8s03', 'containerd', '2026-05-22T17:05:00Z', 'k8s03/containerd-goroutines.log', [cniAddBlocked(9001, 'k8s03/containerd-goroutines.log', 40)])] }),
    },
  ],
  invalid: [
    {
      name: 'the last kubelite line before the silence is cited verbatim even when no signature matches it',
      ...storm({
        records: [
          ...storm().records!,
          klog('2026-05-22T16:34:23Z', 'k8s03', 'I', 'kubelet.go:2454] "Starting kubelet main sync loop"', LOG, 203, 61234),
          klog('2026-05-22T16:34:24Z', 'k8s03', 'I', 'reflector.go:376] "Caches populated" type="*v1.Node" reflector="k8s.io/client-go/informers/factory.go:160"', LOG, 204, 61234),
        ],
      }),
      expect: [{ nodes: ['k8s03'], evidence: [{ path: SYS, line: 3 }, { path: LOG, line: 204 }], signals: { 'startup lines then silence >= 10 min': 'present' } }],
    },
    {
      name: '001 FM3: restart storm, registered node then 35 minutes of silence, 44 shims vs 27 tasks, frozen schedstat',
      ...storm(),
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: LOG, line: 202 }, { path: 'k8s03/shims.txt', line: 1 }, { path: 'k8s03/schedstat.txt', line: 1 }, { path: KDUMP, line: 51 }, { path: LOG, line: 201 }],
        signals: {
          'startup lines then silence >= 10 min': 'present',
          'shims >> running tasks': 'present',
          'schedstat frozen': 'present',
          'relist waiting in ContainerStatus': 'present',
          'kine retries attempt >= 50': 'present',
          'recent kubelite restarts': 'present',
        },
        minConfidence: 1,
        runbookIncludes: ['kubectl cordon k8s03', '44 shims vs 27 running tasks', 'snap.microk8s.daemon-k8s-dqlite.service', 'pgrep -a buildkitd'],
        facts: { shims: 44, runningTasks: 27, kineRetriesOver50: 1 },
      }],
    },
  ],
});
