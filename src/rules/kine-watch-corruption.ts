import { episodes, spanOfRun, spansOverlap } from '../engine/correlate.js';
import { cappedEvidence, evidenceFromFact, evidenceFromMatch } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft, RuleContext, SignatureMatch } from '../engine/types.js';
import type { PodFact } from '../model/facts.js';
import { MICROS_PER_MINUTE, microsToIso } from '../model/time.js';
import { K8S_DQLITE_UNIT, containersExited, forceDeleteCommands, kubeliteStarts, nowOf, podEvidence, spanOf, terminatingPods, timesOf, watchLines, type KubeliteStart } from './shared/cluster.js';
import { formatDuration } from './shared/format.js';
import { podRef, stuckPendingPods } from './shared/pods.js';

/**
 * How far from a kubelite start a kine error episode may end (before) or begin (after) and
 * still be "the restart's". 002: `database is locked` / `Failed to create watcher` at
 * 03:40–03:54 UTC, kubelite restart #2 complete at 04:22:40 UTC (14:22:40 AEST) — the PIR
 * calls them coinciding, so an episode ending ~29 min before the restart must count; after
 * the restart the watch is set up within seconds, 15 min is generous.
 */
const BEFORE_RESTART = 30 * MICROS_PER_MINUTE;
const AFTER_RESTART = 15 * MICROS_PER_MINUTE;
/** Errors less than this apart belong to one lock episode (002: a 14-minute window of them). */
const EPISODE_GAP = 10 * MICROS_PER_MINUTE;
/** 002: Terminating 44+ min; anything past the grace period by 5 min is not a slow shutdown. */
const TERMINATING_FOR = 5 * MICROS_PER_MINUTE;

interface Correlation {
  start: KubeliteStart;
  locked: SignatureMatch[];
  watcher: SignatureMatch[];
}

/** The latest kubelite start with a kine lock/watch episode (errors under EPISODE_GAP apart) around it. */
function correlate(starts: readonly KubeliteStart[], locked: readonly SignatureMatch[], watcher: readonly SignatureMatch[]): Correlation | undefined {
  const all = episodes([...locked, ...watcher], EPISODE_GAP);
  for (const start of [...starts].reverse()) {
    const around = { start: start.ts - BEFORE_RESTART, end: start.ts + AFTER_RESTART };
    const near = all.filter((run) => spansOverlap(spanOfRun(run), around));
    if (near.length === 0) continue;
    const inNear = new Set(near.flat());
    return { start, locked: locked.filter((m) => inNear.has(m)), watcher: watcher.filter((m) => inNear.has(m)) };
  }
  return undefined;
}

function dqliteNodes(ctx: RuleContext): string[] {
  return ctx.nodes.filter((n) => ctx.lastActivity(n, [K8S_DQLITE_UNIT]) !== undefined || ctx.matchCount('database-locked', { node: n }) > 0);
}

export default defineRule({
  id: 'kine-watch-corruption',
  meta: {
    title: 'kine watch failed during a kubelite restart; the kubelet watches a dead stream',
    severity: 'high',
    kind: 'failure-mode',
    symptoms:
      'After a kubelite restart the node looks healthy and the kubelet logged "Watching apiserver", yet pods newly bound to the node stay Pending, pods being deleted stay Terminating although their containers exited, and the kubelet\'s own pod list (/api/v1/nodes/<node>/proxy/pods) shows only what it listed at startup.',
    why:
      'When kubelite restarts, the API server re-creates its kine watch. If k8s-dqlite is inside a SQLite lock window at that moment (snapshot, compaction, write burst), the compact-revision read fails ("database is locked", "WATCH Failed to create watcher: failed to get compact revision: context canceled") and that watch never delivers an event. kine does not re-establish it, so the watch cache — and every watcher downstream, including the kubelet — sits on a live connection that carries nothing. Restarting kubelite alone re-attaches to the same broken kine state; k8s-dqlite has to be restarted first.',
    inputs: [['dqlite-log', 'kubelet-log']],
    signals: [
      { name: 'kine watch error near restart', description: 'k8s-dqlite "WATCH Failed to create watcher: failed to get compact revision: … context canceled" in an error episode ending at most 30 min before, or starting at most 15 min after, a kubelite start', weight: 3, input: 'dqlite-log' },
      { name: 'database is locked near restart', description: 'k8s-dqlite "database is locked" in the same episode', weight: 2, input: 'dqlite-log' },
      { name: 'kubelet watching apiserver after restart', description: 'kubelite logged "Watching apiserver" (or "Adding apiserver pod source") after that start', weight: 1, input: 'kubelet-log' },
      { name: 'pods bound after restart stay Pending', description: 'pods bound to the node after the restart, Pending for > 5 min with no container started', weight: 2, input: 'pods' },
      { name: 'pods stuck Terminating', description: 'pods on the node deleted after the restart, deletionTimestamp > 5 min old, containers exited', weight: 1, input: 'pods' },
      { name: 'kubelet pod list lacks bound pods', description: "pods bound to the node are missing from the kubelet's own pod list", weight: 2, input: 'kubelet-pod-list' },
    ],
    runbook: [
      { step: 'Cordon {{node}}', command: 'kubectl cordon {{node}}' },
      { step: 'Restart k8s-dqlite on {{node}} FIRST, to drop kine\'s broken watch state', command: 'ssh {{node}} "sudo systemctl restart snap.microk8s.daemon-k8s-dqlite.service"' },
      { step: 'Wait ~10 s for kine to reconnect', command: 'sleep 10' },
      { step: 'Restart kubelite on {{node}}', command: 'ssh {{node}} "sudo systemctl restart snap.microk8s.daemon-kubelite.service"' },
      { step: "Verify the kubelet sees the new pods within ~30 s ({{pods}} must appear in its pod list)", command: "kubectl get --raw /api/v1/nodes/{{node}}/proxy/pods | jq '.items[].metadata.name'" },
      { step: 'Force-delete pods stuck Terminating whose containers have exited ({{terminating}})', command: '{{forceDelete}}' },
      { step: 'Uncordon {{node}}', command: 'kubectl uncordon {{node}}' },
    ],
    references: [
      '002_d7e147c5693ff705.txt#Chain 1: Kubelet Watch Stream Stall — from kine corruption to calico-node Pending',
      '002_d7e147c5693ff705.txt#Chain 2: Stuck Terminating Pod — argocd-redis-ha-server-2 Terminating 44+ min',
      '002_d7e147c5693ff705.txt#Watch Stall Recovery Procedure',
    ],
    supersedes: ['pods-not-progressing'],
    causes: ['stuck-terminating-pod', 'vxlan-route-stale-vtep'],
    falsePositives: [
      '`database is locked` hours away from any kubelite restart is ordinary lock contention: the rule wants the errors around a restart.',
      'With every pod on the node progressing the watch is evidently fine; the rule then stays quiet even if the errors coincide with a restart.',
      'Without a pods list the post-restart symptoms are unknown and the finding rests on the log correlation alone (lower confidence).',
    ],
  },
  evaluate(ctx) {
    const now = nowOf(ctx);
    const hasPods = ctx.hasInput('pods');
    const findings: FindingDraft[] = [];
    let checked = new SignalSet().check('kine watch error near restart', false).list();

    for (const node of dqliteNodes(ctx)) {
      const locked = ctx.matches('database-locked', { node, units: [K8S_DQLITE_UNIT] });
      const watcher = ctx.matches('watcher-compact-revision', { node, units: [K8S_DQLITE_UNIT] });
      if (!locked.length && !watcher.length) continue;
      const c = correlate(kubeliteStarts(ctx, node), locked, watcher);
      if (!c) continue;

      const restartAt = c.start.ts;
      const watching = watchLines(ctx, node, restartAt);
      const hasKubeletLog = ctx.hasInput('kubelet-log', node);
      const pending: PodFact[] = hasPods && now !== undefined ? stuckPendingPods(ctx, node, now, undefined, restartAt) : [];
      const terminating = hasPods && now !== undefined
        // Deleted before the restart, the pod was in the kubelet's startup LIST: not this watch's doing.
        ? terminatingPods(ctx, now, TERMINATING_FOR, node).filter((p) => p.deletionTimestamp! >= restartAt && containersExited(p) !== 'running')
        : [];
      const podList = ctx.facts.kubeletPodLists.find((l) => l.node === node);
      const listed = new Set(podList?.pods.map(podRef) ?? []);
      const missing = podList ? pending.filter((p) => !listed.has(podRef(p))) : [];

      const signals = new SignalSet()
        .check('kine watch error near restart', c.watcher.length > 0, c.watcher.length ? `${c.watcher.length} line(s)` : undefined)
        .check('database is locked near restart', c.locked.length > 0, c.locked.length ? `${c.locked.length} line(s)` : undefined)
        .check('kubelet watching apiserver after restart', hasKubeletLog || watching.length ? watching.length > 0 : undefined,
          watching[0]?.record.ts !== undefined ? `at ${microsToIso(watching[0].record.ts)}` : undefined)
        .check('pods bound after restart stay Pending', hasPods ? pending.length > 0 : undefined,
          pending.length ? pending.map(podRef).join(', ') : undefined)
        .check('pods stuck Terminating', hasPods ? terminating.length > 0 : undefined,
          terminating.length ? terminating.map(podRef).join(', ') : undefined)
        .check('kubelet pod list lacks bound pods', podList && pending.length ? missing.length > 0 : undefined,
          missing.length ? `missing: ${missing.map(podRef).join(', ')}` : undefined);
      checked = signals.list();
      // Every pod on the node progressing: the watch evidently works.
      if (hasPods && pending.length === 0 && terminating.length === 0) continue;
      // The kubelet's own list has every stuck pod: it saw them, the watch is not what is wrong.
      if (podList && pending.length > 0 && missing.length === 0 && terminating.length === 0) continue;

      const errors = [...c.locked, ...c.watcher];
      const errorSpan = spanOf(timesOf(errors))!;
      const evidence: EvidenceItem[] = [
        ...cappedEvidence(c.watcher, 3),
        ...cappedEvidence(c.locked, 3),
        c.start.evidence,
        ...watching.slice(0, 1).map(evidenceFromMatch),
        ...pending.slice(0, 5).map(podEvidence),
        ...terminating.slice(0, 5).map(podEvidence),
      ];
      if (podList && missing.length) {
        evidence.push(evidenceFromFact(podList.source, `kubelet pod list of ${node}: ${podList.pods.length} pod(s), without ${missing.map(podRef).join(', ')}`, node));
      }
      const startIso = microsToIso(restartAt);
      const longestPending = pending.reduce((max, p) => Math.max(max, now! - (p.creationTimestamp ?? now!)), 0);
      const symptoms = [
        pending.length ? `${pending.length} pod(s) bound to ${node} after it are still Pending (${pending.slice(0, 4).map(podRef).join(', ')}${pending.length > 4 ? ', …' : ''}; up to ${formatDuration(longestPending)})` : '',
        terminating.length ? `${terminating.length} pod(s) stay Terminating with their containers exited (${terminating.slice(0, 4).map(podRef).join(', ')})` : '',
        missing.length ? "the kubelet's own pod list does not contain them" : '',
      ].filter(Boolean);
      findings.push({
        nodes: [node],
        window: spanOf([errorSpan.start, errorSpan.end, restartAt, now]),
        summary: `k8s-dqlite on ${node} logged ${c.watcher.length} watcher/compact-revision error(s) and ${c.locked.length} "database is locked" between ${microsToIso(errorSpan.start)} and ${microsToIso(errorSpan.end)}, around the kubelite start at ${startIso}${watching.length ? ', after which the kubelet logged "Watching apiserver"' : ''}. ${symptoms.length ? `Since then ${symptoms.join('; ')}: ` : 'Pod state was not captured; '}the kubelet is watching a stream kine never feeds.`,
        signals: signals.list(),
        evidence,
        values: {
          node,
          pods: pending.map(podRef),
          terminating: terminating.map(podRef),
          forceDelete: forceDeleteCommands(terminating),
        },
        facts: {
          restartAt: startIso,
          watcherErrors: c.watcher.length,
          lockedErrors: c.locked.length,
          pendingPods: pending.length,
          terminatingPods: terminating.length,
        },
      });
    }
    return { findings, checked: findings[0]?.signals ?? checked };
  },
});
