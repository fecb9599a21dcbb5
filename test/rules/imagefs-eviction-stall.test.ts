import rule from '../../src/rules/imagefs-eviction-stall.js';
import { ruleTester } from '../support/rule-tester.js';
import {
  containerdSteady, klog, kubeliteSteady, pendingPod, schedstat, systemd,
} from '../support/kubelet-builders.js';

// 001 Failure Mode 1: the imagefs line at startup, then silence.
const LOG = 'k8s02/kubelite.log';
const CTRD = 'k8s02/containerd.log';
const SYS = 'k8s02/systemd.log';
const IMAGEFS = 'eviction_manager.go:267] "eviction manager: failed to check if we have separate container filesystem. Ignoring." err="no imagefs label for configured runtime"';

const startup = [
  systemd('2026-05-16T03:10:00Z', 'k8s02', 'Started Service for snap application microk8s.daemon-kubelite.', SYS, 1),
  klog('2026-05-16T03:10:02Z', 'k8s02', 'I', 'server.go:525] "Kubelet version" kubeletVersion="v1.35.0"', LOG, 1),
  klog('2026-05-16T03:10:06Z', 'k8s02', 'I', 'kubelet.go:2454] "Starting kubelet main sync loop"', LOG, 2),
  klog('2026-05-16T03:10:07Z', 'k8s02', 'E', IMAGEFS, LOG, 3),
  klog('2026-05-16T03:10:08Z', 'k8s02', 'I', 'kubelet_node_status.go:78] "Successfully registered node" node="k8s02"', LOG, 4),
];

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: the imagefs line in a healthy startup, kubelite keeps logging',
      records: [
        ...startup,
        ...kubeliteSteady('k8s02', '2026-05-16T03:10:20Z', '2026-05-16T03:30:00Z', LOG, 10),
        ...containerdSteady('k8s02', '2026-05-16T03:10:00Z', '2026-05-16T03:30:00Z', CTRD, 1),
      ],
    },
    {
      name: 'silence without the imagefs line (another cause: kubelet-silent / PLEG rules)',
      records: [
        ...startup.filter((r) => !r.message.includes('imagefs')),
        ...containerdSteady('k8s02', '2026-05-16T03:10:00Z', '2026-05-16T03:30:00Z', CTRD, 1),
      ],
    },
    {
      name: 'near miss: imagefs line hours before an unrelated silence in a later run',
      records: [
        ...startup,
        ...kubeliteSteady('k8s02', '2026-05-16T03:10:20Z', '2026-05-16T05:00:00Z', LOG, 10, 60),
        ...containerdSteady('k8s02', '2026-05-16T03:10:00Z', '2026-05-16T05:20:00Z', CTRD, 1, 60),
      ],
    },
  ],
  invalid: [
    {
      name: 'the last kubelite line before the silence (no signature of its own) is cited verbatim',
      records: [
        ...startup,
        klog('2026-05-16T03:10:09Z', 'k8s02', 'I', 'reflector.go:376] "Caches populated" type="*v1.Node" reflector="k8s.io/client-go/informers/factory.go:160"', LOG, 5),
        ...containerdSteady('k8s02', '2026-05-16T03:10:00Z', '2026-05-16T03:30:00Z', CTRD, 1),
      ],
      expect: [{ nodes: ['k8s02'], evidence: [{ path: LOG, line: 3 }, { path: LOG, line: 5 }] }],
    },
    {
      name: '001 FM1: imagefs line at startup, then 20 minutes of silence with pods Pending',
      records: [
        ...startup,
        ...containerdSteady('k8s02', '2026-05-16T03:10:00Z', '2026-05-16T03:30:00Z', CTRD, 1),
      ],
      facts: {
        pods: [pendingPod('arc-systems', 'arc-runner-set-7d9xk-runner-2bq8n', 'k8s02', '2026-05-16T03:12:00Z', 'pods.json', 31)],
        schedstats: [schedstat('k8s02', 53319, [[195398181, 57385342, 625], [195398181, 57385342, 625]])],
      },
      expect: [{
        nodes: ['k8s02'],
        evidence: [{ path: LOG, line: 3 }, { path: 'pods.json', line: 31 }, { path: 'k8s02/schedstat.txt', line: 1 }],
        signals: {
          'imagefs label error': 'present',
          'kubelite silent >= 5 min after it': 'present',
          'kubelite CPU idle': 'present',
          'pods Pending on the node': 'present',
        },
        minConfidence: 1,
        runbookIncludes: ['kubectl cordon k8s02', 'sudo systemctl restart snap.microk8s.daemon-kubelite', 'arc-systems/arc-runner-set-7d9xk-runner-2bq8n'],
        facts: { silenceSeconds: 1192, pendingPods: 1 },
      }],
    },
  ],
});
