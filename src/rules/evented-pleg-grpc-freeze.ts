import { cappedEvidence } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { FindingDraft } from '../engine/types.js';
import { MICROS_PER_MINUTE } from '../model/time.js';
import {
  CONTAINERD_UNIT, eventedPleg, featureGateEvidence, kubeletPid, matchWindow, ofNode, plegComplaints,
} from './shared/kubelet.js';

const CONTAINERD_SILENCE = 3 * MICROS_PER_MINUTE;

export default defineRule({
  id: 'evented-pleg-grpc-freeze',
  meta: {
    title: 'EventedPLEG active but PLEG stale during operation (containerd gRPC freeze)',
    severity: 'high',
    kind: 'failure-mode',
    symptoms:
      'On a node running with EventedPLEG=true, the kubelet logs "PLEG is not healthy: pleg was last seen active <d> ago" long after its start, and pod sync stops.',
    why:
      "With EventedPLEG the kubelet gets container events pushed from containerd and only resyncs ListPodSandboxes every 300 s; orphaned shims or a slow CNI ADD delay single pods but cannot stall PLEG as a whole. A stale PLEG therefore means containerd's whole runtime gRPC service stopped answering (001 EventedPLEG Behavior).",
    inputs: ['kubelet-log', 'kubelet-args'],
    signals: [
      { name: 'EventedPLEG=true', description: 'kubelet args: --feature-gates=...EventedPLEG=true...', weight: 3, input: 'kubelet-args' },
      { name: 'pleg was last seen active during operation', description: 'PLEG is not healthy: pleg was last seen active <d> ago, outside the 90 s startup window', weight: 3, input: 'kubelet-log' },
      { name: 'containerd silent or down', description: 'containerd stopped logging for >= 3 min, or is not active in systemctl', weight: 1, input: 'containerd-log' },
    ],
    runbook: [
      { step: 'Check containerd on {{node}} is running', command: 'sudo systemctl is-active snap.microk8s.daemon-containerd' },
      { step: 'Look for orphaned processes holding containerd locks (see orphan-process-lock)', command: 'sudo pgrep -a buildkitd' },
      { step: 'If the containerd gRPC service is frozen, restart containerd', command: 'sudo snap restart microk8s.daemon-containerd' },
      { step: 'Once containerd is back, restart kubelite (cordon {{node}} first)', command: 'kubectl cordon {{node}} && sudo systemctl restart snap.microk8s.daemon-kubelite' },
      { step: 'Verify no new "pleg was last seen active" lines and uncordon', command: "sudo journalctl -u snap.microk8s.daemon-kubelite --since '10 minutes ago' | grep 'pleg was last seen active' | wc -l && kubectl uncordon {{node}}" },
    ],
    references: ['001_5310979ce87a3858.txt#EventedPLEG Behavior (k8s 1.35+)'],
    supersedes: ['pleg-unhealthy', 'pods-not-progressing'],
    falsePositives: [
      '"pleg has yet to be successful" right after a start is normal with EventedPLEG too and is not counted.',
      'With EventedPLEG=false the same line points at the Generic PLEG stalls (pleg-cni-deadlock, pleg-orphaned-shims), not at this rule.',
    ],
  },
  evaluate(ctx) {
    const findings: FindingDraft[] = [];
    let lastChecked = new SignalSet().check('pleg was last seen active during operation', false).list();
    for (const node of ctx.nodes) {
      const evented = eventedPleg(ctx, node);
      const pleg = plegComplaints(ctx, node).lastSeenActive;
      const containerdUnit = ofNode(ctx, ctx.facts.systemctl, node).find((u) => u.unit.replace(/\.service$/, '') === CONTAINERD_UNIT);
      const window = matchWindow(pleg);
      const ctrdSilent = window
        ? ctx.silences(node, [CONTAINERD_UNIT], CONTAINERD_SILENCE).some((s) => s.start <= window.end && s.end >= window.start - CONTAINERD_SILENCE)
        : false;
      const containerdDown = containerdUnit ? containerdUnit.activeState !== 'active' : undefined;
      const signals = new SignalSet()
        .check('EventedPLEG=true', evented?.value, evented ? `EventedPLEG=${evented.value}${evented.explicit ? '' : ' (default)'}` : undefined)
        .check('pleg was last seen active during operation', pleg.length > 0, pleg.length ? `${pleg.length} line(s)` : undefined)
        .check('containerd silent or down', ctx.hasInput('containerd-log', node) || containerdUnit ? ctrdSilent || containerdDown === true : undefined);
      lastChecked = signals.list();
      if (evented?.value !== true || !pleg.length) continue;
      const pid = kubeletPid(ctx, node, pleg);
      findings.push({
        nodes: [node],
        window,
        summary: `${node} runs EventedPLEG, yet the kubelet reported "pleg was last seen active" ${pleg.length} time(s) during operation (last: ${pleg[pleg.length - 1]!.groups.duration ?? '?'} ago). With EventedPLEG that means containerd's runtime gRPC service stopped answering${ctrdSilent ? ' — containerd also went quiet' : ''}; restart containerd, then kubelite.`,
        signals: signals.list(),
        evidence: [featureGateEvidence(evented, 'EventedPLEG', node), ...cappedEvidence(pleg, 3)],
        values: { node, pid: pid ?? '<kubelite PID>' },
        facts: { plegLines: pleg.length },
      });
    }
    return { findings, checked: findings[0]?.signals ?? lastChecked };
  },
});
