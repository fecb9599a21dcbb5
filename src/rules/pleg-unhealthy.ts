import { cappedEvidence } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { FindingDraft } from '../engine/types.js';
import { parseGoDuration } from '../model/time.js';
import { kubeletPid, matchWindow, plegComplaints } from './shared/kubelet.js';
import { formatDuration } from './shared/format.js';

/**
 * Fires on `pleg was last seen active <d> ago` outside the 90 s startup window, in either
 * klog era. Decision: `pleg has yet to be successful` still logged past the window also
 * fires here — the first relist never finished, which is exactly how an orphaned-shim
 * stall starts (001 FM3); inside the window it is noise (pleg-startup-not-yet-successful).
 */
export default defineRule({
  id: 'pleg-unhealthy',
  meta: {
    title: 'PLEG reported unhealthy, cause undetermined',
    severity: 'high',
    kind: 'symptom',
    symptoms:
      'The kubelet skips pod synchronization with "PLEG is not healthy: pleg was last seen active <d> ago; threshold is 3m0s" (or the older "skipping pod synchronization - [PLEG is not healthy: …]"), or it still says "pleg has yet to be successful" well after its start. The node may flip to NotReady with reason KubeletNotReady.',
    why:
      "The Pod Lifecycle Event Generator relists containers from the runtime; when no relist has completed for 3 minutes the kubelet declares PLEG unhealthy and stops syncing pods. Something below the relist is blocked: containerd serializing it behind a CNI ADD, orphaned shims hanging ContainerStatus, or (with EventedPLEG) a frozen containerd gRPC server.",
    inputs: ['kubelet-log'],
    signals: [
      { name: 'pleg was last seen active', description: 'PLEG is not healthy: pleg was last seen active <d> ago, outside the 90 s startup window', weight: 3, input: 'kubelet-log' },
      { name: 'pleg has yet to be successful past startup', description: 'pleg has yet to be successful more than 90 s after the kubelet started', weight: 2, input: 'kubelet-log' },
    ],
    runbook: [
      { step: 'Check which PLEG mode {{node}} runs (EventedPLEG=true points at evented-pleg-grpc-freeze, false at the Generic PLEG stalls)', command: 'grep feature-gates /var/snap/microk8s/current/args/kubelet' },
      { step: 'Capture a goroutine dump of kubelite (PID {{pid}}) to see where the relist waits: behind a CNI ADD (pleg-cni-deadlock) or in ContainerStatus (pleg-orphaned-shims)', command: 'sudo kill -SIGQUIT {{pid}}' },
      { step: 'Compare containerd shims with running tasks on {{node}}', command: 'pgrep -c containerd-shim && sudo /snap/microk8s/current/bin/ctr --address /var/snap/microk8s/common/run/containerd.sock -n k8s.io tasks list | wc -l' },
      { step: 'Check containerd itself is up', command: 'sudo systemctl is-active snap.microk8s.daemon-containerd' },
      { step: 'Count how often the kubelet lost PLEG in the last day', command: "sudo journalctl -u snap.microk8s.daemon-kubelite --since '24 hours ago' | grep 'pleg was last seen active' | wc -l" },
    ],
    references: ['001_5310979ce87a3858.txt#EventedPLEG Behavior (k8s 1.35+)', '000_1e0daac4a0084df3.txt#Chain 1: PLEG Deadlock — from CNI ADD to kubelet halt'],
    candidates: ['pleg-cni-deadlock', 'pleg-orphaned-shims', 'evented-pleg-grpc-freeze'],
    falsePositives: [
      '"pleg has yet to be successful" within about a minute of a start is normal and reported as noise (pleg-startup-not-yet-successful).',
      'A node under extreme load (thousands of containers) can relist slower than 3 minutes without a deadlock; the differential shows whether any blocking cause was found.',
    ],
  },
  evaluate(ctx) {
    const findings: FindingDraft[] = [];
    let lastChecked = new SignalSet().check('pleg was last seen active', ctx.hasInput('kubelet-log') ? false : undefined).list();
    for (const node of ctx.nodes) {
      const { lastSeenActive, yetToBePastWindow } = plegComplaints(ctx, node);
      const signals = new SignalSet()
        .check('pleg was last seen active', lastSeenActive.length > 0, lastSeenActive.length ? `${lastSeenActive.length} line(s)` : undefined)
        .check('pleg has yet to be successful past startup', yetToBePastWindow.length > 0, yetToBePastWindow.length ? `${yetToBePastWindow.length} line(s)` : undefined);
      lastChecked = signals.list();
      const all = [...lastSeenActive, ...yetToBePastWindow].sort((a, b) => (a.record.ts ?? 0) - (b.record.ts ?? 0));
      if (!all.length) continue;
      const longest = Math.max(0, ...lastSeenActive.map((m) => parseGoDuration(m.groups.duration ?? '') ?? 0));
      const pid = kubeletPid(ctx, node, all);
      const parts = [
        lastSeenActive.length ? `${lastSeenActive.length} "pleg was last seen active" line(s)${longest ? ` (up to ${formatDuration(longest)} without a relist)` : ''}` : undefined,
        yetToBePastWindow.length ? `${yetToBePastWindow.length} "pleg has yet to be successful" line(s) more than 90 s after the kubelet started` : undefined,
      ].filter(Boolean);
      findings.push({
        nodes: [node],
        window: matchWindow(all),
        summary: `The kubelet on ${node} reported PLEG unhealthy outside its startup window: ${parts.join(' and ')}. Pod synchronization is skipped while it lasts; the cause is not determined by this rule — see the differential.`,
        signals: signals.list(),
        evidence: [...cappedEvidence(lastSeenActive, 3), ...cappedEvidence(yetToBePastWindow, 2)],
        values: { node, pid: pid ?? '<kubelite PID>' },
        facts: { lastSeenActiveLines: lastSeenActive.length, yetToBePastStartupLines: yetToBePastWindow.length, longestSeconds: Math.round(longest / 1_000_000) },
      });
    }
    return { findings, checked: findings[0]?.signals ?? lastChecked };
  },
});
