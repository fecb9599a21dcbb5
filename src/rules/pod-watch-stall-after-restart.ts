import { cappedEvidence, evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft, SignatureMatch } from '../engine/types.js';
import type { EventFact } from '../model/facts.js';
import { MICROS_PER_MINUTE } from '../model/time.js';
import { blockedIn, bucketEvidence, describeBucket, dumpsOf, kubeletActedOnPod, kubeletEventsFor, kubeletRestarts, kubeletSilences, ofNode, podEvidence, snapshotTime } from './shared/kubelet.js';
import { formatDuration } from './shared/format.js';
import { podBoundAt, podRef, stuckPendingPods } from './shared/pods.js';

const STUCK_FOR = 5 * MICROS_PER_MINUTE;
/** kine trouble this close to the restart makes kine-watch-corruption the better explanation (002). */
const KINE_NEAR = 5 * MICROS_PER_MINUTE;
const SILENCE = 5 * MICROS_PER_MINUTE;
const WATCH_FRAMES = ['cache.handleAnyWatch', 'cache.handleWatch', '(*Reflector).watchHandler'];

/**
 * Cordon state at the restart: the node object (unschedulable at capture time counts as
 * cordoned through the restart — the simple reading; a later uncordon is not dated) or
 * NodeNotSchedulable / NodeSchedulable events before it.
 */
function cordonedAt(ctx: Parameters<typeof snapshotTime>[0], node: string, ts: number): { cordoned: boolean; evidence?: EvidenceItem } | undefined {
  const fact = ctx.facts.nodes.find((n) => n.name === node);
  if (fact?.unschedulable) return { cordoned: true, evidence: evidenceFromFact(fact.source, `node ${node} spec.unschedulable=true`, node) };
  const when = (e: EventFact) => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp;
  const nodeEvents = ctx.facts.events
    .filter((e) => e.involved.kind === 'Node' && e.involved.name === node && (e.reason === 'NodeNotSchedulable' || e.reason === 'NodeSchedulable'))
    .filter((e) => (when(e) ?? Infinity) <= ts)
    .sort((a, b) => (when(a) ?? 0) - (when(b) ?? 0));
  const last = nodeEvents[nodeEvents.length - 1];
  if (last) return { cordoned: last.reason === 'NodeNotSchedulable', evidence: evidenceFromFact(last.source, `${last.reason}: ${last.message}`, node, when(last)) };
  return fact ? { cordoned: false, evidence: evidenceFromFact(fact.source, `node ${node} spec.unschedulable=false`, node) } : undefined;
}

export default defineRule({
  id: 'pod-watch-stall-after-restart',
  meta: {
    title: 'kubelet pod watch missed pods after an uncordoned kubelite restart',
    severity: 'high',
    kind: 'failure-mode',
    symptoms:
      "After kubelite was restarted on a schedulable node, pods bound to it stay Pending with no kubelet events. kubelite keeps logging, but nothing about those pods; the kubelet's own pod list (/api/v1/nodes/<node>/proxy/pods) does not contain them. The node shows Ready.",
    why:
      "kubelite restarts the API server and the kubelet as one process. Pods bound to the node between the restart and the kubelet's initial LIST land in the past of the pod watch and are never delivered; with resync period 0 the watch never re-lists while it stays open (just empty), so nothing heals without another restart (001 Failure Mode 2). A cordon before the restart prevents it.",
    inputs: ['kubelet-log', 'pods'],
    signals: [
      { name: 'kubelite restart while schedulable', description: 'a kubelite start/PID change while the node was not cordoned', weight: 2, input: 'nodes' },
      { name: 'pods bound after restart stuck Pending', description: 'pods bound to the node after the restart, Pending > 5 min, no container started', weight: 3, input: 'pods' },
      { name: 'no kubelet events for them', description: 'no kubelet events about those pods', weight: 1, input: 'events' },
      { name: 'kubelite kept logging', description: 'no kubelet silence >= 5 min after the restart (unlike the imagefs and PLEG stalls)', weight: 1, input: 'kubelet-log' },
      { name: 'kubelet pod list lacks them', description: "the kubelet's own pod list does not contain the pods the API has bound to the node", weight: 3, input: 'kubelet-pod-list' },
      { name: 'pod watch goroutine waiting', description: 'handleAnyWatch/watchHandler [select, N minutes] created by newSourceApiserverFromLW (supporting only: normal in a quiet cluster)', weight: 0.5, input: 'goroutine-dump' },
      { name: 'no k8s-dqlite watch errors near restart', description: 'no "database is locked" / "Failed to create watcher" within 5 min of the restart (those point at kine-watch-corruption)', weight: 1, input: 'dqlite-log' },
    ],
    runbook: [
      { step: 'Cordon {{node}} so no new pods are bound during the restart', command: 'kubectl cordon {{node}}' },
      { step: 'Restart kubelite on {{node}}', command: 'sudo systemctl restart snap.microk8s.daemon-kubelite' },
      { step: 'Wait for {{node}} to be Ready', command: 'kubectl wait node/{{node}} --for=condition=Ready --timeout=120s' },
      { step: 'Watch the pre-assigned pods ({{pods}}) go Running: they now arrive in the initial LIST', command: 'kubectl get pods -A --field-selector spec.nodeName={{node}} -w' },
      { step: 'Uncordon {{node}} once the pods are healthy', command: 'kubectl uncordon {{node}}' },
      { step: 'From now on, always cordon before any kubelite restart' },
    ],
    references: ['001_5310979ce87a3858.txt#Failure Mode 2 — Pod Watch Goroutine Stall (Post-Restart)', '001_5310979ce87a3858.txt#Why Cordoning Works'],
    supersedes: ['pods-not-progressing'],
    falsePositives: [
      'A reflector goroutine waiting minutes in handleAnyWatch is normal in a quiet cluster; without pods missing from the kubelet pod list it proves nothing and the rule does not fire on it.',
      'k8s-dqlite lock/watch errors around the restart point at kine-watch-corruption; the rule stands down then.',
      'A cordon is read from the node object at capture time and from NodeNotSchedulable/NodeSchedulable events; a cordon made and lifted without events is invisible.',
    ],
  },
  evaluate(ctx) {
    const findings: FindingDraft[] = [];
    const now = snapshotTime(ctx);
    let lastChecked = new SignalSet().check('pods bound after restart stuck Pending', undefined).list();
    if (now === undefined) return { findings, checked: lastChecked };
    const nodes = [...new Set(ctx.facts.pods.map((p) => p.nodeName).filter((n): n is string => Boolean(n)))].sort();
    for (const node of nodes) {
      const restarts = kubeletRestarts(ctx, node);
      const stuck = stuckPendingPods(ctx, node, now, STUCK_FOR).filter((p) => !kubeletActedOnPod(p, ctx));
      const podList = ofNode(ctx, ctx.facts.kubeletPodLists, node)[0];
      const dumps = dumpsOf(ctx, node);
      const watch = blockedIn(dumps, WATCH_FRAMES, (g) => g.createdBy?.func.includes('newSourceApiserverFromLW') === true);
      for (let i = restarts.length - 1; i >= 0; i--) {
        const restart = restarts[i]!;
        const next = restarts[i + 1]?.ts ?? Infinity;
        const victims = stuck.filter((p) => {
          const bound = podBoundAt(p);
          return bound !== undefined && bound >= restart.ts && bound < next;
        });
        if (!victims.length) continue;
        const cordon = cordonedAt(ctx, node, restart.ts);
        const silentAfter = kubeletSilences(ctx, node, SILENCE).some((s) => s.start >= restart.ts && s.start < next);
        const missing = podList ? victims.filter((p) => !podList.pods.some((k) => k.namespace === p.namespace && k.name === p.name)) : undefined;
        const kine: SignatureMatch[] = ['database-locked', 'watcher-compact-revision'].flatMap((sig) =>
          ctx.matches(sig, { node, since: restart.ts - KINE_NEAR, until: restart.ts + KINE_NEAR }));
        const dqliteLog = ctx.hasInput('dqlite-log', node) || kine.length > 0;
        const kubeletEvents = victims.flatMap((p) => kubeletEventsFor(ctx, p));

        const signals = new SignalSet()
          .check('kubelite restart while schedulable', cordon ? !cordon.cordoned : undefined, `${restart.how} at the restart`)
          .set('pods bound after restart stuck Pending', 'present', `${victims.length} pod(s)`)
          .check('no kubelet events for them', ctx.hasInput('events') ? kubeletEvents.length === 0 : undefined)
          .check('kubelite kept logging', !silentAfter)
          .check('kubelet pod list lacks them', missing ? missing.length > 0 : undefined, missing ? `${missing.length} of ${victims.length} missing from the kubelet's list` : undefined)
          .check('pod watch goroutine waiting', dumps.length ? watch.length > 0 : undefined, watch[0] ? describeBucket(watch[0]) : undefined)
          .check('no k8s-dqlite watch errors near restart', dqliteLog ? kine.length === 0 : undefined, kine.length ? `${kine.length} kine error line(s) within 5 min` : undefined);
        lastChecked = signals.list();
        if (cordon?.cordoned || silentAfter || (missing && missing.length === 0) || kine.length > 0) break;

        const shown = missing ?? victims;
        const pods = shown.map(podRef).sort();
        const evidence: EvidenceItem[] = [restart.evidence];
        if (cordon?.evidence) evidence.push(cordon.evidence);
        evidence.push(...shown.slice(0, 5).map((p) => podEvidence(p, node)));
        if (podList) evidence.push(evidenceFromFact(podList.source, `kubelet pod list of ${node}: ${podList.pods.length} pod(s): ${podList.pods.slice(0, 8).map(podRef).join(', ')}`, node));
        for (const b of watch.slice(0, 1)) evidence.push(bucketEvidence(b, node));
        evidence.push(...cappedEvidence(kine, 2));
        const oldest = Math.min(...victims.map((p) => podBoundAt(p)!));
        findings.push({
          nodes: [node],
          window: { start: restart.ts, end: now },
          summary: `kubelite on ${node} restarted (${restart.how}) while the node was ${cordon ? 'not cordoned' : 'apparently schedulable'}; ${victims.length} pod(s) bound to it afterwards are still Pending after up to ${formatDuration(now - oldest)} (${pods.slice(0, 5).join(', ')})${missing ? `, and ${missing.length} of them are missing from the kubelet's own pod list` : ''}. kubelite kept logging, so the kubelet is alive but its pod watch never delivered them.`,
          signals: signals.list(),
          evidence,
          values: { node, pods },
          facts: { stuckPods: victims.length, ...(missing ? { missingFromKubelet: missing.length } : {}) },
        });
        break;
      }
    }
    return { findings, checked: findings[0]?.signals ?? lastChecked };
  },
});
