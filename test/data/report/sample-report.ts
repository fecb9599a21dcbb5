import type { Report } from '../../../src/report/types.js';

/**
 * A hand-built report shaped like the 000 incident (k8s03 PLEG deadlock behind a CNI ADD,
 * full IPAM blocks, calico-kube-controllers tombstone panic), with the parts every renderer
 * must handle: a causal chain, an explained symptom, noise, a rule not applicable, and
 * hostile strings from the bundle (HTML, ANSI escapes, code fences).
 */
export const HOSTILE_SCRIPT = '<script>alert(1)</script>';
export const HOSTILE_IMG = '<img src=x onerror=alert(1)>';
export const ANSI = '\x1b[31mRED\x1b[0m';

export function sampleReport(): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'pleg-analyze', version: '0.1.0' },
    generatedAt: '2026-05-17T15:10:00.000Z',
    timezone: 'Australia/Brisbane',
    capture: { start: '2026-05-17T13:30:00.000Z', end: '2026-05-17T15:10:00.000Z' },
    inputs: [
      { path: 'k8s03/kubelite.export', kind: 'journald-export', node: 'k8s03', records: 12345, unparsed: 2, skipped: false },
      { path: 'k8s03/containerd.log', kind: 'journalctl-short', node: 'k8s03', records: 4021, unparsed: 0, skipped: false },
      { path: 'cluster/ipamblocks.json', kind: 'kubectl-json', records: 5, unparsed: 0, skipped: false },
      { path: 'cluster/calico-kube-controllers.log', kind: 'container-log', records: 88, unparsed: 0, skipped: false },
    ],
    skipped: [{ path: 'k8s03/core.1234', reason: 'unrecognized content' }],
    warnings: [{ path: 'k8s03/containerd.log', message: `truncated member ${HOSTILE_IMG}` }],
    assumptions: ['zone-less timestamps (journalctl short, klog) were read as Australia/Brisbane; use --input-tz to change'],
    findings: [
      {
        id: 'pleg-cni-deadlock',
        title: 'Generic PLEG relist serialized behind a blocked CNI ADD',
        severity: 'high',
        kind: 'failure-mode',
        confidence: 0.91,
        nodes: ['k8s03'],
        window: { start: '2026-05-17T14:15:02.000Z', end: '2026-05-17T14:47:10.000Z' },
        summary: "On k8s03 the kubelet's Generic PLEG (EventedPLEG=false) is stuck behind a CNI ADD: kubelite wrote nothing for 32m 8s while alive; 3 full IPAM block(s) (10.1.237.64/26 64/64, 10.1.108.128/26 64/64, 10.1.108.192/26 64/64).",
        signals: [
          { name: 'CNI ADD blocked in an API call', state: 'present', detail: '1 goroutine in (*IPAMBlock).Get [select, 31 minutes]' },
          { name: 'EventedPLEG=false', state: 'present', detail: 'EventedPLEG=false in kubelet args' },
          { name: 'kubelite silent while alive', state: 'present', detail: 'silent for 32m 8s' },
          { name: 'kubelite CPU collapse', state: 'unknown' },
          { name: 'IPAM skipping full blocks', state: 'absent' },
        ],
        evidence: [
          { path: 'k8s03/kubelite.export', line: 9120, ts: '2026-05-17T14:15:02.000Z', node: 'k8s03', text: 'E0518 00:15:02.000000 1234 kubelet.go:2425] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m0.5s ago; threshold is 3m0s"', count: 14, role: 'first' },
          { path: 'k8s03/kubelite.export', line: 9988, ts: '2026-05-17T14:47:10.000Z', node: 'k8s03', text: 'E0518 00:47:10.000000 1234 kubelet.go:2425] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 35m8s ago; threshold is 3m0s"', count: 14, role: 'last' },
          { path: 'k8s03/containerd.log', line: 77, ts: '2026-05-17T14:14:00.000Z', node: 'k8s03', text: `level=info msg="pod ${HOSTILE_SCRIPT} sandbox" ${ANSI}\n\`\`\`\nnot a fence end` },
        ],
        runbook: [
          { step: 'Cordon k8s03 so nothing new is scheduled there during the recovery', command: 'kubectl cordon k8s03' },
          { step: 'If no goroutine dump was taken yet, capture one from kubelite (PID <kubelite PID>)', command: 'sudo kill -SIGQUIT <kubelite PID>' },
          { step: 'Stop kubelite on k8s03', command: 'sudo systemctl stop snap.microk8s.daemon-kubelite' },
          { step: 'Follow-up: free the stale allocations in the full IPAM blocks of k8s03 (10.1.237.64/26 10.1.108.128/26 10.1.108.192/26) — see calico-ipam-full-blocks' },
        ],
        causes: [],
        causedBy: ['calico-ipam-full-blocks'],
        references: ['000_1e0daac4a0084df3.txt#Chain 1: PLEG Deadlock — from CNI ADD to kubelet halt'],
        facts: { silenceSeconds: 1928, fullBlocks: 3, plegUnhealthyLines: 14 },
      },
      {
        id: 'calico-ipam-full-blocks',
        title: 'Node-affine Calico IPAM blocks full of stale allocations',
        severity: 'medium',
        kind: 'failure-mode',
        confidence: 0.8,
        nodes: ['k8s03'],
        summary: 'k8s03 holds 3 full IPAM block(s) of 5; 237 allocation(s) belong to pods that no longer exist.',
        signals: [
          { name: 'full blocks', state: 'present', detail: '3 of 5 blocks >= 95 % used' },
          { name: 'stale allocations', state: 'present', detail: '237' },
        ],
        evidence: [
          { path: 'cluster/ipamblocks.json', line: 12, text: '"cidr": "10.1.237.64/26", 64/64 allocated' },
        ],
        runbook: [
          { step: 'List the allocations of k8s03 blocks that belong to no running pod', command: 'kubectl get ipamblocks.crd.projectcalico.org -o json | jq \'.items[] | select(.spec.affinity=="host:k8s03")\'' },
          { step: 'Follow-up: restore Calico IPAM garbage collection (calico-kube-controllers)' },
        ],
        causes: ['pleg-cni-deadlock'],
        causedBy: ['calico-kube-controllers-tombstone-panic'],
        references: ['000_1e0daac4a0084df3.txt#Phase 3: IPAM Block Root Cause Investigation'],
        facts: { fullBlocks: 3, staleAllocations: 237 },
      },
      {
        id: 'calico-kube-controllers-tombstone-panic',
        title: 'calico-kube-controllers crash-loops on a DeletedFinalStateUnknown tombstone',
        severity: 'medium',
        kind: 'failure-mode',
        confidence: 0.95,
        nodes: [],
        window: { start: '2026-05-17T13:40:00.000Z', end: '2026-05-17T15:05:00.000Z' },
        summary: 'calico-kube-controllers v3.13.2 panicked 42 time(s) on a cache.DeletedFinalStateUnknown tombstone; its IPAM GC never runs.',
        signals: [{ name: 'TypeAssertionError panic', state: 'present', detail: '42 panics' }],
        evidence: [
          { path: 'cluster/calico-kube-controllers.log', line: 3, ts: '2026-05-17T13:40:00.000Z', text: 'panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod' },
        ],
        runbook: [
          { step: 'Confirm the crash loop', command: 'kubectl logs -n kube-system -l k8s-app=calico-kube-controllers --previous' },
          { step: 'Follow-up: upgrade calico-kube-controllers to a release that handles tombstones' },
        ],
        causes: ['calico-ipam-full-blocks'],
        causedBy: [],
        references: ['000_1e0daac4a0084df3.txt#Chain 1'],
      },
      {
        id: 'kubelet-silent',
        title: 'kubelite alive but silent',
        severity: 'medium',
        kind: 'symptom',
        confidence: 0.7,
        nodes: ['k8s03'],
        window: { start: '2026-05-17T14:15:02.000Z', end: '2026-05-17T14:47:10.000Z' },
        summary: 'kubelite on k8s03 wrote nothing for 32m 8s while the node kept logging.',
        signals: [{ name: 'silence', state: 'present', detail: '32m 8s' }],
        evidence: [{ path: 'k8s03/kubelite.export', line: 9119, ts: '2026-05-17T14:15:01.000Z', node: 'k8s03', text: 'I0518 00:15:01 last line before the silence' }],
        runbook: [],
        causes: [],
        causedBy: [],
        references: ['001_5310979ce87a3858.txt#Kubelet silent stall'],
        explainedBy: ['pleg-cni-deadlock'],
        differential: [
          { id: 'imagefs-eviction-stall', signals: [{ name: 'eviction manager line', state: 'absent' }], capture: [] },
          { id: 'pleg-orphaned-shims', signals: [{ name: 'shims outnumber tasks', state: 'unknown' }], capture: ['pgrep -a containerd-shim > <node>-shims.txt'] },
        ],
      },
    ],
    noise: [
      {
        id: 'container-event-discarded',
        count: 8302,
        first: '2026-05-17T13:30:05.000Z',
        last: '2026-05-17T15:09:58.000Z',
        nodes: ['k8s03'],
        explanation: 'With Generic PLEG the kubelet subscribes to no containerd events, so containerd discards them: expected, not a deadlock indicator.',
        evidence: [{ path: 'k8s03/containerd.log', line: 5, text: 'level=warning msg="container event discarded"', count: 8302, role: 'first' }],
      },
    ],
    notApplicable: [
      { id: 'vxlan-route-stale-vtep', missing: ['routing table of each node'], capture: ['ip route show table main > <node>-ip-route.txt'] },
    ],
    rulesEvaluated: ['calico-ipam-full-blocks', 'calico-kube-controllers-tombstone-panic', 'container-event-discarded', 'imagefs-eviction-stall', 'kubelet-silent', 'pleg-cni-deadlock'],
    ruledOut: [{
      id: 'imagefs-eviction-stall',
      title: 'Kubelet stalls after the eviction manager finds no imagefs label',
      signals: [
        { name: 'imagefs label error', state: 'absent' },
        { name: 'kubelite silent after it', state: 'unknown', detail: 'no kubelet log after the start' },
      ],
    }],
    engineErrors: [],
    unparsed: [{ path: 'k8s03/kubelite.export', line: 17, reason: 'no __REALTIME_TIMESTAMP' }],
    timeline: [
      { ts: '2026-05-17T13:30:00.000Z', source: 'capture', kind: 'state', text: 'capture starts (earliest timestamp seen)' },
      { ts: '2026-05-17T13:35:00.000Z', node: 'k8s03', source: 'snap.microk8s.daemon-kubelite', kind: 'restart', text: 'snap.microk8s.daemon-kubelite: Started Service for snap application microk8s.daemon-kubelite.' },
      { ts: '2026-05-17T13:36:00.000Z', node: 'k8s01', source: 'k8s01/node.export', kind: 'boot', text: 'boot 4f1c: Linux version 6.8.0' },
      { ts: '2026-05-17T13:40:00.000Z', node: 'k8s02', source: 'kubernetes-event', kind: 'event', text: `BackOff kube-system/calico-kube-controllers: ${HOSTILE_SCRIPT}` },
      { ts: '2026-05-17T14:15:02.000Z', node: 'k8s03', source: 'pleg-analyze', kind: 'finding', text: 'pleg-cni-deadlock begins: Generic PLEG relist serialized behind a blocked CNI ADD', findings: ['pleg-cni-deadlock'] },
      { ts: '2026-05-17T14:20:00.000Z', node: 'k8s03', source: 'snap.microk8s.daemon-kubelite', kind: 'signal', text: 'first of 14×: PLEG is not healthy | pipe', count: 14 },
      { ts: '2026-05-17T15:10:00.000Z', source: 'capture', kind: 'state', text: 'capture ends (latest timestamp seen)' },
    ],
  };
}
