import rule from '../../src/rules/evented-pleg-grpc-freeze.js';
import { ruleTester } from '../support/rule-tester.js';
import { containerdSteady, klog, kubeletArgs, kubeliteSteady, systemd } from '../support/kubelet-builders.js';

const LOG = 'k8s01/kubelite.log';
const CTRD = 'k8s01/containerd.log';
const started = systemd('2026-05-23T00:17:40Z', 'k8s01', 'Started Service for snap application microk8s.daemon-kubelite.', 'k8s01/systemd.log', 1);
const LAST_SEEN = 'kubelet.go:2525] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 4m30s ago; threshold is 3m0s"';
const YET = 'kubelet.go:2525] "Skipping pod synchronization" err="PLEG is not healthy: pleg has yet to be successful"';

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: EventedPLEG=true and "yet to be successful" right after the start',
      records: [started, klog('2026-05-23T00:17:51Z', 'k8s01', 'E', YET, LOG, 2), ...kubeliteSteady('k8s01', '2026-05-23T00:18:00Z', '2026-05-23T00:30:00Z', LOG, 10)],
      facts: { kubeletArgs: [kubeletArgs('k8s01', { EventedPLEG: true })] },
    },
    {
      name: 'near miss: PLEG stale during operation but Generic PLEG (EventedPLEG=false)',
      records: [started, ...kubeliteSteady('k8s01', '2026-05-23T00:18:00Z', '2026-05-23T01:00:00Z', LOG, 10, 120), klog('2026-05-23T01:04:30Z', 'k8s01', 'E', LAST_SEEN, LOG, 300)],
      facts: { kubeletArgs: [kubeletArgs('k8s01', { EventedPLEG: false })] },
    },
  ],
  invalid: [
    {
      name: '001: EventedPLEG=true and "pleg was last seen active 4m30s ago" during operation, containerd quiet',
      records: [
        started,
        ...kubeliteSteady('k8s01', '2026-05-23T00:18:00Z', '2026-05-23T01:00:00Z', LOG, 10, 120),
        klog('2026-05-23T01:04:30Z', 'k8s01', 'E', LAST_SEEN, LOG, 300),
        ...containerdSteady('k8s01', '2026-05-23T00:17:00Z', '2026-05-23T00:59:30Z', CTRD, 1, 30),
      ],
      facts: { kubeletArgs: [kubeletArgs('k8s01', { EventedPLEG: true })] },
      expect: [{
        nodes: ['k8s01'],
        evidence: [{ path: LOG, line: 300 }, { path: 'k8s01/args/kubelet', line: 1 }],
        signals: { 'EventedPLEG=true': 'present', 'pleg was last seen active during operation': 'present', 'containerd silent or down': 'present' },
        runbookIncludes: ['sudo snap restart microk8s.daemon-containerd', 'kubectl cordon k8s01'],
      }],
    },
  ],
});
