import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft } from '../engine/types.js';
import { MICROS_PER_MINUTE } from '../model/time.js';
import { kubeletAlive, kubeletNodes, kubeletPid, kubeletSilences, lastKubeletLineBefore } from './shared/kubelet.js';
import { formatDuration } from './shared/format.js';

/** Catalog "kubelet-silent": >= 5 min; 001 FM1 "no output in last 5 minutes is the key sign". */
const SILENCE = 5 * MICROS_PER_MINUTE;

export default defineRule({
  id: 'kubelet-silent',
  meta: {
    title: 'kubelet/kubelite stopped logging while alive',
    severity: 'high',
    kind: 'symptom',
    symptoms:
      'The kubelite (or kubelet) journal goes quiet for minutes while the rest of the node keeps logging and no stop of the unit was recorded. The node usually stays Ready, and pods bound to it make no progress.',
    why:
      "A live kubelet logs constantly (status updates, probes, syncs). Silence with the process still up means its main loops are blocked: the eviction manager stuck on the imagefs label, the Generic PLEG relist stuck behind containerd (a CNI ADD or orphaned shims). The silence alone does not say which; the differential lists what each candidate needs.",
    inputs: ['kubelet-log'],
    signals: [
      { name: 'kubelite silent >= 5 min', description: 'no entries from the kubelet unit for at least 5 minutes', weight: 3, input: 'kubelet-log' },
      { name: 'node kept logging', description: 'other units on the node logged during the silence (so the journal itself was not cut)', weight: 1, input: 'node-journal' },
      { name: 'no stop logged', description: 'systemd logged no stop/exit of the unit at the start of the silence', weight: 1, input: 'node-journal' },
      { name: 'process alive', description: 'the kubelite process is in the process listing / systemctl shows it active', weight: 1, input: 'processes' },
    ],
    runbook: [
      { step: 'Confirm {{node}} still shows Ready while pods bound to it stay Pending', command: 'kubectl get nodes && kubectl get pods -A --field-selector spec.nodeName={{node}} | grep Pending' },
      { step: 'Confirm the silence: no kubelite output in the last 5 minutes', command: "journalctl -u snap.microk8s.daemon-kubelite --since '5 minutes ago'" },
      { step: 'Look for the imagefs stall signature in the startup logs (imagefs-eviction-stall)', command: "journalctl -u snap.microk8s.daemon-kubelite --since '30 minutes ago' | grep -i \"imagefs\\|eviction manager\"" },
      { step: 'Check whether kubelite (PID {{pid}}) consumes any CPU: identical schedstat lines mean zero CPU', command: 'sudo cat /proc/{{pid}}/schedstat && sleep 3 && sudo cat /proc/{{pid}}/schedstat' },
      { step: 'Compare containerd shims with running tasks (shims >> tasks = orphaned shims, pleg-orphaned-shims)', command: 'pgrep -c containerd-shim && sudo /snap/microk8s/current/bin/ctr --address /var/snap/microk8s/common/run/containerd.sock -n k8s.io tasks list | wc -l' },
      { step: 'Capture a goroutine dump of kubelite to see where the relist is blocked (pleg-cni-deadlock vs pleg-orphaned-shims)', command: 'sudo kill -QUIT $(pgrep -f daemon-kubelite)' },
    ],
    references: [
      '001_5310979ce87a3858.txt#Quick Reference',
      '001_5310979ce87a3858.txt#Failure Mode 1 — Eviction Manager Imagefs Stall',
      '000_1e0daac4a0084df3.txt#Chain 3: Silent Detection — why the deadlock was not caught automatically',
    ],
    candidates: ['imagefs-eviction-stall', 'pleg-cni-deadlock', 'pleg-orphaned-shims'],
    falsePositives: [
      'A journal captured with `journalctl -u snap.microk8s.daemon-kubelite` alone cannot show that the node kept logging; such silences are not reported.',
      'journald rate limiting can drop a unit\'s lines; it logs "Suppressed N messages" for the unit when it does.',
      'A kubelite that was stopped on purpose logs a systemd stop; those gaps are not silences.',
    ],
  },
  evaluate(ctx) {
    const findings: FindingDraft[] = [];
    let lastChecked = new SignalSet().check('kubelite silent >= 5 min', ctx.hasInput('kubelet-log') ? false : undefined).list();
    for (const node of kubeletNodes(ctx)) {
      const alive = kubeletAlive(ctx, node);
      const silences = kubeletSilences(ctx, node, SILENCE);
      const signals = new SignalSet().check('kubelite silent >= 5 min', silences.length > 0,
        silences.length ? `${silences.length} silence(s), longest ${formatDuration(Math.max(...silences.map((s) => s.durationMicros)))}` : undefined);
      if (silences.length) {
        signals.set('node kept logging', 'present').set('no stop logged', 'present');
      }
      signals.check('process alive', alive);
      lastChecked = signals.list();
      if (!silences.length || alive === false) continue;

      const longest = silences.reduce((a, s) => (s.durationMicros > a.durationMicros ? s : a));
      const evidence: EvidenceItem[] = [];
      for (const s of silences.slice(0, 3)) {
        const before = lastKubeletLineBefore(ctx, node, s.start);
        if (before && !evidence.includes(before)) evidence.push(before);
      }
      const pid = kubeletPid(ctx, node);
      findings.push({
        nodes: [node],
        window: { start: longest.start, end: longest.end },
        summary: `The kubelet on ${node} wrote nothing for ${formatDuration(longest.durationMicros)}${longest.open ? ' up to the end of the capture' : ''} while the rest of the node kept logging and no stop was recorded${silences.length > 1 ? ` (${silences.length} such silences)` : ''}${alive ? `; the process${pid ? ` (PID ${pid})` : ''} was still alive` : ''}. Its loops are blocked; the differential says which cause fits.`,
        signals: signals.list(),
        evidence,
        values: { node, pid: pid ?? '<kubelite PID>' },
        facts: { silenceSeconds: Math.round(longest.durationMicros / 1_000_000), silences: silences.length, open: longest.open },
      });
    }
    return { findings, checked: findings[0]?.signals ?? lastChecked };
  },
});
