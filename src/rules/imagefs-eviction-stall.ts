import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft } from '../engine/types.js';
import { sameSource } from '../model/records.js';
import { MICROS_PER_MINUTE } from '../model/time.js';
import { kubeletAlive, kubeletCpu, kubeletNodes, kubeletRestarts, kubeletSilences, lastKubeletLineBefore, lastStartBefore, matchEvidence, podEvidence, snapshotTime } from './shared/kubelet.js';
import { formatDuration } from './shared/format.js';
import { podRef, stuckPendingPods } from './shared/pods.js';

/** 001 FM1: "no output in last 5 minutes is the key sign". */
const SILENCE = 5 * MICROS_PER_MINUTE;
/** The imagefs line is printed during startup; the silence follows within the same startup. */
const FOLLOWS_WITHIN = 10 * MICROS_PER_MINUTE;

export default defineRule({
  id: 'imagefs-eviction-stall',
  meta: {
    title: 'Eviction manager imagefs stall silences the kubelet',
    severity: 'high',
    kind: 'failure-mode',
    symptoms:
      'Right after kubelite starts it logs "eviction manager: failed to check if we have separate container filesystem. Ignoring." with err="no imagefs label for configured runtime", and then nothing at all for minutes. The node stays Ready and heartbeats; pods assigned to it stay Pending with no kubelet events.',
    why:
      'containerd 2.1.x (MicroK8s 1.35) changed the metrics surface the kubelet uses to find the image filesystem label. The eviction manager cannot resolve it, and although the message says "Ignoring", the kubelet silently stops pod lifecycle work while the node heartbeat goes on (001 Failure Mode 1). A kubelite restart clears it.',
    inputs: ['kubelet-log'],
    signals: [
      { name: 'imagefs label error', description: 'eviction manager: failed to check if we have separate container filesystem. Ignoring. err="no imagefs label for configured runtime"', weight: 2, input: 'kubelet-log' },
      { name: 'kubelite silent >= 5 min after it', description: 'no kubelet journal entries for at least 5 minutes, starting within 10 minutes of the imagefs line, while the node kept logging', weight: 3, input: 'kubelet-log' },
      { name: 'kubelite CPU idle', description: 'schedstat run time frozen or kubelite below 3 % CPU', weight: 1, input: 'schedstat' },
      { name: 'pods Pending on the node', description: 'pods bound to the node Pending with no container started', weight: 1, input: 'pods' },
    ],
    runbook: [
      { step: 'If this restart is planned rather than an emergency, cordon {{node}} first so the restart cannot cause the pod watch stall (pod-watch-stall-after-restart)', command: 'kubectl cordon {{node}}' },
      { step: 'Restart kubelite on {{node}}', command: 'sudo systemctl restart snap.microk8s.daemon-kubelite' },
      { step: 'Pods should start scheduling within about 60 seconds: watch the pods bound to {{node}} ({{pods}}) go Running', command: 'kubectl get pods -A --field-selector spec.nodeName={{node}} -w' },
      { step: 'Check kubelite is producing log output again', command: 'journalctl -u snap.microk8s.daemon-kubelite -f' },
      { step: 'Uncordon {{node}} if you cordoned it', command: 'kubectl uncordon {{node}}' },
    ],
    references: ['001_5310979ce87a3858.txt#Failure Mode 1 — Eviction Manager Imagefs Stall', '001_5310979ce87a3858.txt#Quick Reference'],
    supersedes: ['kubelet-silent', 'pods-not-progressing'],
    falsePositives: [
      'The same imagefs line appears in healthy startups; only a silence after it is a stall. A kubelet that keeps logging after the line is not reported.',
      'CRI-O words a related failure differently ("failed to get HasDedicatedImageFs … non-existent label"); that is not this signature.',
    ],
  },
  evaluate(ctx) {
    const findings: FindingDraft[] = [];
    const anyLine = ctx.matches('imagefs-no-label').length > 0;
    let lastChecked = new SignalSet().check('imagefs label error', ctx.hasInput('kubelet-log') ? anyLine : undefined).list();
    const now = snapshotTime(ctx);

    for (const node of kubeletNodes(ctx)) {
      const lines = ctx.matches('imagefs-no-label', { node }).filter((m) => m.record.ts !== undefined);
      if (!lines.length) continue;
      const starts = kubeletRestarts(ctx, node);
      const silences = kubeletSilences(ctx, node, SILENCE);
      // The silence must begin after an imagefs line of the same kubelet run.
      const pairs = silences.flatMap((s) => {
        const line = [...lines].reverse().find((m) => m.record.ts! <= s.start && s.start - m.record.ts! <= FOLLOWS_WITHIN);
        if (!line) return [];
        const runOfLine = lastStartBefore(starts, line.record.ts!)?.ts;
        const runOfSilence = lastStartBefore(starts, s.start)?.ts;
        return runOfLine === runOfSilence ? [{ line, silence: s }] : [];
      });
      const cpu = kubeletCpu(ctx, node);
      const pending = now !== undefined ? stuckPendingPods(ctx, node, now, SILENCE) : [];
      const signals = new SignalSet()
        .set('imagefs label error', 'present', `${lines.length} line(s)`)
        .check('kubelite silent >= 5 min after it', pairs.length > 0,
          pairs[0] ? `silent for ${formatDuration(pairs[0].silence.durationMicros)} from ${formatDuration(pairs[0].silence.start - pairs[0].line.record.ts!)} after the imagefs line` : 'the kubelet kept logging after the imagefs line')
        .check('kubelite CPU idle', cpu?.collapsed, cpu?.detail)
        .check('pods Pending on the node', ctx.hasInput('pods') ? pending.length > 0 : undefined, pending.length ? `${pending.length} pod(s)` : undefined);
      lastChecked = signals.list();
      if (!pairs.length || kubeletAlive(ctx, node) === false) continue;

      const { line, silence } = pairs[pairs.length - 1]!;
      const evidence: EvidenceItem[] = [matchEvidence(line)];
      const before = lastKubeletLineBefore(ctx, node, silence.start);
      if (before && !sameSource(before.source, line.record.source)) evidence.push(before);
      if (cpu) evidence.push(cpu.evidence);
      evidence.push(...pending.slice(0, 5).map((p) => podEvidence(p, node)));
      const pods = pending.map(podRef).sort();
      findings.push({
        nodes: [node],
        window: { start: line.record.ts!, end: silence.end },
        summary: `kubelite on ${node} logged the eviction-manager imagefs error ("no imagefs label for configured runtime") and then went silent for ${formatDuration(silence.durationMicros)}${silence.open ? ' up to the end of the capture' : ''} while the node kept logging${pending.length ? `; ${pending.length} pod(s) bound to ${node} are stuck Pending (${pods.slice(0, 5).join(', ')})` : ''}. Despite the "Ignoring." wording the kubelet stopped processing pods; a kubelite restart clears it.`,
        signals: signals.list(),
        evidence,
        values: { node, pods },
        facts: { silenceSeconds: Math.round(silence.durationMicros / 1_000_000), imagefsLines: lines.length, pendingPods: pending.length },
      });
    }
    return { findings, checked: findings[0]?.signals ?? lastChecked };
  },
});
