import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { FindingDraft } from '../engine/types.js';
import { MICROS_PER_MINUTE } from '../model/time.js';
import { kubeletActedOnPod, kubeletEventsFor, podEvidence, SANDBOX_FAILURE_REASONS, snapshotTime } from './shared/kubelet.js';
import { formatDuration } from './shared/format.js';
import { podBoundAt, podRef, stuckPendingPods } from './shared/pods.js';

/** Catalog: Pending for more than 5 min before the capture end. */
const STUCK_FOR = 5 * MICROS_PER_MINUTE;

/**
 * Pods the kubelet visibly acted on (a waiting reason such as ImagePullBackOff, or kubelet
 * events for the pod) are progressing in the kubelet's eyes, just failing; other rules
 * cover those. What is left are pods the kubelet never touched — and pods whose only kubelet
 * events say it could not create their sandbox (FailedCreatePodSandBox / SandboxChanged):
 * those never get past their first step either (003: five pods on k8s02).
 */
export default defineRule({
  id: 'pods-not-progressing',
  meta: {
    title: 'Pods bound to a node stay Pending',
    severity: 'high',
    kind: 'symptom',
    symptoms:
      'Pods have spec.nodeName set, stay Pending for minutes with no container started and no kubelet events, while the node shows Ready. `kubectl get nodes` looks healthy; nothing on the node processes the pods.',
    why:
      'Binding is the scheduler\'s job; everything after it is the kubelet\'s. A bound pod that never gets a sandbox means the kubelet never saw it (a dead or empty pod watch) or saw it but cannot act (a stalled PLEG or eviction manager), or the API writes behind it fail (kine/dqlite). The symptom alone does not say which.',
    inputs: ['pods'],
    signals: [
      { name: 'bound pods Pending > 5 min', description: 'pods with spec.nodeName set, phase Pending, no container started, bound more than 5 minutes before the capture end', weight: 3, input: 'pods' },
      { name: 'no kubelet events for them', description: 'no events from the kubelet about those pods', weight: 1, input: 'events' },
    ],
    runbook: [
      { step: 'List the Pending pods on {{node}} ({{pods}})', command: 'kubectl get pods -A --field-selector spec.nodeName={{node}} | grep Pending' },
      { step: "Compare with the kubelet's own pod list: pods missing there mean the kubelet never saw them (pod-watch-stall-after-restart, kine-watch-corruption)", command: 'kubectl get --raw /api/v1/nodes/{{node}}/proxy/pods' },
      { step: 'Check whether kubelite is logging at all (silent: imagefs-eviction-stall or a PLEG stall)', command: "journalctl -u snap.microk8s.daemon-kubelite --since '5 minutes ago'" },
      { step: 'Capture a goroutine dump of kubelite to see whether the relist or the pod watch is stuck', command: 'sudo kill -QUIT $(pgrep -f daemon-kubelite)' },
    ],
    references: ['001_5310979ce87a3858.txt#Symptom', '001_5310979ce87a3858.txt#Quick Reference'],
    candidates: [
      'pod-watch-stall-after-restart', 'kine-watch-corruption', 'dqlite-write-path-failure', 'containerd-stale-sandbox-reservation',
      'pleg-cni-deadlock', 'pleg-orphaned-shims', 'imagefs-eviction-stall', 'evented-pleg-grpc-freeze',
    ],
    falsePositives: [
      'Pods waiting on an image pull, a missing ConfigMap/Secret or a crash loop are being processed by the kubelet and are not counted; pods whose only kubelet events are sandbox-creation failures are (they never get past their first step).',
      'Without a capture time (a kubectl-only bundle) the age is measured against the newest timestamp in the state dumps.',
    ],
  },
  evaluate(ctx) {
    const now = snapshotTime(ctx);
    const findings: FindingDraft[] = [];
    const hasEvents = ctx.hasInput('events');
    let lastChecked = new SignalSet().check('bound pods Pending > 5 min', now === undefined ? undefined : false).list();
    if (now === undefined) return { findings, checked: lastChecked };
    const nodes = [...new Set(ctx.facts.pods.map((p) => p.nodeName).filter((n): n is string => Boolean(n)))].sort();
    for (const node of nodes) {
      const stuck = stuckPendingPods(ctx, node, now, STUCK_FOR).filter((p) => !kubeletActedOnPod(p, ctx, SANDBOX_FAILURE_REASONS));
      const sandboxFailures = stuck.flatMap((p) => kubeletEventsFor(ctx, p));
      const failingPods = new Set(sandboxFailures.map((e) => `${e.involved.namespace}/${e.involved.name}`)).size;
      const signals = new SignalSet()
        .check('bound pods Pending > 5 min', stuck.length > 0, stuck.length ? `${stuck.length} pod(s)` : undefined)
        .check('no kubelet events for them', stuck.length && hasEvents ? sandboxFailures.length === 0 : undefined,
          sandboxFailures.length ? `${failingPods} pod(s) with only sandbox failures (${[...new Set(sandboxFailures.map((e) => e.reason))].sort().join(', ')})` : undefined);
      lastChecked = signals.list();
      if (!stuck.length) continue;
      const bound = stuck.map(podBoundAt).filter((t): t is number => t !== undefined);
      const oldest = Math.min(...bound);
      const pods = stuck.map(podRef).sort();
      findings.push({
        nodes: [node],
        window: { start: oldest, end: now },
        summary: `${stuck.length} pod(s) bound to ${node} are still Pending with no container started, the oldest for ${formatDuration(now - oldest)} (${pods.slice(0, 5).join(', ')}${pods.length > 5 ? ', …' : ''}). ${failingPods ? ` The kubelet could not create a sandbox for ${failingPods} of them (${sandboxFailures.reduce((n, e) => n + e.count, 0)} FailedCreatePodSandBox/SandboxChanged event(s)); the others it has not acted on.` : ' The kubelet has not acted on them.'} The differential lists the causes that fit.`,
        signals: signals.list(),
        evidence: stuck.slice(0, 5).map((p) => podEvidence(p, node)),
        values: { node, pods },
        facts: { pendingPods: stuck.length, oldestSeconds: Math.round((now - oldest) / 1_000_000) },
      });
    }
    return { findings, checked: findings[0]?.signals ?? lastChecked };
  },
});
