import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/kubelet-silent.js';
import { ruleTester, runCase } from '../support/rule-tester.js';
import { containerdSteady, klog, kubeliteSteady, nodeFact, process, systemd } from '../support/kubelet-builders.js';
import { isoToMicros } from '../../src/model/time.js';

const LOG = 'k8s03/kubelite.log';
const CTRD = 'k8s03/containerd.log';
const lastLine = klog('2026-05-18T14:15:02Z', 'k8s03', 'I', 'kubelet_node_status.go:78] "Successfully registered node" node="k8s03"', LOG, 500);

ruleTester(rule, {
  valid: [
    {
      name: 'healthy: kubelite logs throughout',
      records: [...kubeliteSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:30:00Z', LOG, 1), ...containerdSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:30:00Z', CTRD, 1)],
    },
    {
      name: 'near miss: kubelite was stopped (systemd logged it), then the node kept logging',
      records: [
        ...kubeliteSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:15:00Z', LOG, 1),
        systemd('2026-05-18T14:15:05Z', 'k8s03', 'Stopped Service for snap application microk8s.daemon-kubelite.', 'k8s03/systemd.log', 1),
        ...containerdSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:30:00Z', CTRD, 1),
      ],
    },
    {
      name: 'near miss: a kubelite-only journal cannot show the node kept logging',
      records: kubeliteSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:15:00Z', LOG, 1),
    },
    {
      name: 'near miss: silent, but the process listing shows no kubelite (dead, not stalled)',
      records: [...kubeliteSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:15:00Z', LOG, 1), ...containerdSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:30:00Z', CTRD, 1)],
      facts: { processes: [process('k8s03', 1841, '/snap/microk8s/8612/bin/containerd --config /var/snap/microk8s/8612/args/containerd.toml', 'k8s03/ps.txt', 3)] },
    },
  ],
  invalid: [
    {
      name: '000: the line before the silence is an ordinary one (SyncLoop ADD), cited verbatim',
      records: [
        ...kubeliteSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:12:00Z', LOG, 1),
        klog('2026-05-18T14:12:31Z', 'k8s03', 'I', 'kubelet.go:2437] "SyncLoop ADD" source="api" pods=["arc-runners/k8s-runner-7cf5d-runner-q6w3e"]', LOG, 8689),
        ...containerdSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:30:00Z', CTRD, 1),
      ],
      expect: [{ nodes: ['k8s03'], evidence: [{ path: LOG, line: 8689 }], signals: { 'kubelite silent >= 5 min': 'present' } }],
    },
    {
      // The node reports Ready=True with a heartbeat 9 s before the capture: "Ready" proves nothing (the
      // node-status loop is not the pod loop), so it neither suppresses nor weakens the finding.
      name: '001 FM3 shape: startup line then 15 minutes of silence while containerd keeps logging, node still Ready',
      records: [...kubeliteSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:15:00Z', LOG, 1), lastLine, ...containerdSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:30:00Z', CTRD, 1)],
      facts: {
        processes: [process('k8s03', 53319, '/snap/microk8s/8612/kubelite --kubelet-args-file=/var/snap/microk8s/8612/args/kubelet', 'k8s03/ps.txt', 7, { cpuPercent: 0.3 })],
        nodes: [{ ...nodeFact('k8s03', false), ready: { type: 'Ready', status: 'True', reason: 'KubeletReady', lastTransitionTime: isoToMicros('2026-05-18T13:58:00Z'), lastHeartbeatTime: isoToMicros('2026-05-18T14:29:51Z') } }],
      },
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: LOG, line: 500 }],
        signals: { 'kubelite silent >= 5 min': 'present', 'process alive': 'present', 'node kept logging': 'present' },
        runbookIncludes: ['spec.nodeName=k8s03', '/proc/53319/schedstat'],
        facts: { silenceSeconds: 898, open: true },
      }],
    },
  ],
});

describe('kubelet-silent differential', () => {
  it('lists the candidates and what to capture when nothing explains it', () => {
    const result = runCase(rule, {
      records: [...kubeliteSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:15:00Z', LOG, 1), ...containerdSteady('k8s03', '2026-05-18T14:00:00Z', '2026-05-18T14:30:00Z', CTRD, 1)],
    });
    const finding = result.findings.find((f) => f.id === 'kubelet-silent');
    expect(finding?.differential?.map((d) => d.id)).toEqual(['imagefs-eviction-stall', 'pleg-cni-deadlock', 'pleg-orphaned-shims']);
    expect(finding?.signals.find((s) => s.name === 'process alive')?.state).toBe('unknown');
  });
});
