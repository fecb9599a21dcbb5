import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/pleg-unhealthy.js';
import { ruleTester, runCase } from '../support/rule-tester.js';
import { rec } from '../support/rule-tester.js';
import { klog, kubeliteSteady, systemd } from '../support/kubelet-builders.js';

const LOG = 'k8s03/kubelite.log';
const SYS = 'k8s03/systemd.log';
const started = systemd('2026-05-23T00:17:40Z', 'k8s03', 'Started Service for snap application microk8s.daemon-kubelite.', SYS, 1);
const YET = 'kubelet.go:2525] "Skipping pod synchronization" err="[container runtime status check may not have completed yet, PLEG is not healthy: pleg has yet to be successful]"';

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: "pleg has yet to be successful" right after a start',
      records: [started, klog('2026-05-23T00:17:51Z', 'k8s03', 'E', YET, LOG, 2), ...kubeliteSteady('k8s03', '2026-05-23T00:18:00Z', '2026-05-23T00:25:00Z', LOG, 10)],
    },
    {
      name: 'near miss: the PLEG wording quoted by another unit (k8s-dqlite logging a request body) is not the kubelet',
      records: [
        started,
        ...kubeliteSteady('k8s03', '2026-05-23T00:18:00Z', '2026-05-23T02:00:00Z', LOG, 10, 300),
        rec('2026-05-23T02:04:30Z', 'k8s03', 'snap.microk8s.daemon-k8s-dqlite', 'time="2026-05-23T02:04:30Z" level=info msg="event: PLEG is not healthy: pleg was last seen active 5m0s ago; threshold is 3m0s"', 'k8s03/k8s-dqlite.log', 106),
      ],
    },
    {
      name: 'healthy kubelite without PLEG complaints',
      records: kubeliteSteady('k8s03', '2026-05-23T00:00:00Z', '2026-05-23T00:25:00Z', LOG, 1),
    },
  ],
  invalid: [
    {
      name: '001: "pleg was last seen active 4m30s ago" during operation (structured klog)',
      records: [
        started,
        ...kubeliteSteady('k8s03', '2026-05-23T00:18:00Z', '2026-05-23T02:00:00Z', LOG, 10, 300),
        klog('2026-05-23T02:04:30Z', 'k8s03', 'E', 'kubelet.go:2525] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 4m30s ago; threshold is 3m0s"', LOG, 400),
      ],
      expect: [{ nodes: ['k8s03'], evidence: [{ path: LOG, line: 400 }], signals: { 'pleg was last seen active': 'present' }, runbookIncludes: ['sudo kill -SIGQUIT 53319'], facts: { longestSeconds: 270 } }],
    },
    {
      name: 'older unstructured wording on a k3s node, no start in the capture',
      records: [
        rec('2020-10-08T16:23:14Z', 'worker9', 'k3s', 'E1008 16:23:14.139967    1636 kubelet.go:1846] skipping pod synchronization - PLEG is not healthy: pleg was last seen active 4m51.763621609s ago; threshold is 3m0s', 'worker9/k3s.log', 1, { pid: 1636 }),
        rec('2020-10-08T16:23:19Z', 'worker9', 'k3s', 'E1008 16:23:19.140242    1636 kubelet.go:1846] skipping pod synchronization - PLEG is not healthy: pleg was last seen active 4m56.763892694s ago; threshold is 3m0s', 'worker9/k3s.log', 2, { pid: 1636 }),
      ],
      inputs: [['kubelet-log', 'worker9']],
      expect: [{ nodes: ['worker9'], evidence: [{ path: 'worker9/k3s.log', line: 1 }, { path: 'worker9/k3s.log', line: 2 }], runbookIncludes: ['1636'] }],
    },
    {
      name: 'decision: "yet to be successful" still logged 5 minutes after the start',
      records: [started, klog('2026-05-23T00:17:51Z', 'k8s03', 'E', YET, LOG, 2), klog('2026-05-23T00:22:51Z', 'k8s03', 'E', YET, LOG, 90)],
      expect: [{ nodes: ['k8s03'], evidence: [{ path: LOG, line: 90 }], signals: { 'pleg has yet to be successful past startup': 'present', 'pleg was last seen active': 'absent' } }],
    },
  ],
});

describe('pleg-unhealthy differential', () => {
  it('names the three PLEG candidates', () => {
    const result = runCase(rule, { records: [started, klog('2026-05-23T02:04:30Z', 'k8s03', 'E', 'kubelet.go:2525] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 4m30s ago; threshold is 3m0s"', LOG, 400)] });
    expect(result.findings[0]?.differential?.map((d) => d.id)).toEqual(['pleg-cni-deadlock', 'pleg-orphaned-shims', 'evented-pleg-grpc-freeze']);
  });
});
