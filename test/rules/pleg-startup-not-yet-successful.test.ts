import rule from '../../src/rules/pleg-startup-not-yet-successful.js';
import { ruleTester } from '../support/rule-tester.js';
import { containerdSteady, klog, systemd } from '../support/kubelet-builders.js';

const LOG = 'k8s03/kubelite.log';
const SYS = 'k8s03/systemd.log';
const YET = 'kubelet.go:2525] "Skipping pod synchronization" err="[container runtime status check may not have completed yet, PLEG is not healthy: pleg has yet to be successful]"';
const started = systemd('2026-05-23T00:17:40Z', 'k8s03', 'Started Service for snap application microk8s.daemon-kubelite.', SYS, 1);
const syncLoop = klog('2026-05-23T00:17:50Z', 'k8s03', 'I', 'kubelet.go:2454] "Starting kubelet main sync loop"', LOG, 1);

ruleTester(rule, {
  valid: [
    {
      name: 'healthy startup without the PLEG line',
      records: [started, syncLoop, ...containerdSteady('k8s03', '2026-05-23T00:17:40Z', '2026-05-23T00:20:00Z', 'k8s03/containerd.log', 1)],
    },
    {
      name: 'near miss: still "yet to be successful" 5 minutes after the start is not noise',
      records: [started, syncLoop, klog('2026-05-23T00:22:51Z', 'k8s03', 'E', YET, LOG, 90)],
    },
  ],
  invalid: [
    {
      name: '001: the line within seconds of a kubelite start is startup noise',
      records: [
        started, syncLoop,
        klog('2026-05-23T00:17:51Z', 'k8s03', 'E', YET, LOG, 2),
        klog('2026-05-23T00:18:21Z', 'k8s03', 'E', YET, LOG, 14),
        klog('2026-05-23T00:25:00Z', 'k8s03', 'E', YET, LOG, 120),
      ],
      expect: [{ nodes: ['k8s03'], evidence: [{ path: LOG, line: 2 }, { path: LOG, line: 14 }], facts: { count: 2 } }],
    },
  ],
});
