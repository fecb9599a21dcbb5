import { cappedEvidence, evidenceFromFact } from '../engine/evidence.js';
import { anyWithin } from '../engine/correlate.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft, RuleContext, SignatureMatch } from '../engine/types.js';
import type { PodFact } from '../model/facts.js';
import { MICROS_PER_MINUTE, MICROS_PER_SECOND, microsToIso } from '../model/time.js';
import { K8S_DQLITE_UNIT, dqliteStops, nowOf, podEvidence, spanOf, timesOf, uniqueSorted } from './shared/cluster.js';
import { podRef, stuckPendingPods } from './shared/pods.js';

/**
 * A `microk8s stop` makes k8s-dqlite fail its in-flight queries with `context canceled`
 * (real sample kine-locked__inspection-dqlite-shutdown: systemd "Stopping …" at 17:39:47,
 * the errors until 17:40:02). Errors from just before a stop to a few minutes after it are
 * the shutdown, not a write path that cannot commit.
 */
const SHUTDOWN_BEFORE = 60 * MICROS_PER_SECOND;
const SHUTDOWN_AFTER = 5 * MICROS_PER_MINUTE;
/** `sql: database is closed` within this span of an error marks it as shutdown too (stop line not captured). */
const CLOSED_NEAR = 60 * MICROS_PER_SECOND;
/** A single canceled request is a client going away; the failure is a run of them. */
const MIN_ERRORS = 3;

function isWatcherLine(m: SignatureMatch): boolean {
  return m.record.message.includes('Failed to create watcher');
}

interface Split {
  live: SignatureMatch[];
  shutdown: SignatureMatch[];
}

/**
 * Spans whose errors are a stop's: SHUTDOWN_BEFORE before each stop to SHUTDOWN_AFTER after
 * it, cut short by the unit's next start (a restarted k8s-dqlite's errors are its own).
 */
function shutdownSpans(ctx: RuleContext, node: string): Array<{ start: number; end: number }> {
  const restarts = ctx.restarts({ node, units: [K8S_DQLITE_UNIT] });
  const starts = restarts.filter((r) => r.kind === 'start' || r.kind === 'pid-change').map((r) => r.ts);
  return dqliteStops(ctx, node).map((stop) => {
    const nextStart = starts.find((t) => t > stop.ts);
    return { start: stop.ts - SHUTDOWN_BEFORE, end: Math.min(stop.ts + SHUTDOWN_AFTER, nextStart ?? Infinity) };
  });
}

function splitShutdown(ctx: RuleContext, node: string, errors: readonly SignatureMatch[]): Split {
  const spans = shutdownSpans(ctx, node);
  const closed = ctx.matches('dqlite-database-closed', { node, units: [K8S_DQLITE_UNIT] });
  const inShutdown = (ts: number | undefined) => ts !== undefined && (
    spans.some((s) => s.start <= ts && ts < s.end)
    || anyWithin(closed, ts, { before: CLOSED_NEAR, after: CLOSED_NEAR }));
  const split: Split = { live: [], shutdown: [] };
  for (const m of errors) (inShutdown(m.record.ts) ? split.shutdown : split.live).push(m);
  return split;
}

/** Did the kubelet start the pod? Its own pod list, or a crictl sandbox/container for it on the node. */
function kubeletStarted(ctx: RuleContext, node: string, pod: PodFact): boolean | undefined {
  const list = ctx.facts.kubeletPodLists.find((l) => l.node === node);
  const sandboxes = ctx.facts.sandboxes.filter((s) => s.node === node && s.name !== undefined);
  const containers = ctx.facts.crictlContainers.filter((c) => c.node === node && c.pod !== undefined);
  if (!list && sandboxes.length === 0 && containers.length === 0) return undefined;
  return Boolean(
    list?.pods.some((p) => p.namespace === pod.namespace && p.name === pod.name)
    || sandboxes.some((s) => s.name === pod.name && (s.namespace === undefined || s.namespace === pod.namespace))
    || containers.some((c) => c.pod === pod.name && (c.namespace === undefined || c.namespace === pod.namespace)),
  );
}

export default defineRule({
  id: 'dqlite-write-path-failure',
  meta: {
    title: 'Local k8s-dqlite cannot commit writes ("context canceled" on queries)',
    severity: 'high',
    kind: 'failure-mode',
    symptoms:
      'Pods assigned to one node stay Pending although the kubelet has picked them up and started them: their status never moves to ContainerCreating/Running in the API. The node\'s k8s-dqlite logs `context canceled` on ordinary queries (e.g. serviceaccounts) while the service keeps running.',
    why:
      "The kubelet writes pod status through the node's local k8s-dqlite, which forwards writes to the dqlite leader. When that follower's connection state goes stale, its queries end in `context canceled` and no status write commits, so the API keeps showing Pending for pods that are in fact being started. Restarting k8s-dqlite re-establishes a clean follower connection and the queued status updates land within seconds. Monitoring that looks only for `database is locked` misses it.",
    inputs: ['dqlite-log', 'pods'],
    signals: [
      { name: 'query context canceled', description: `k8s-dqlite query/txn errors ending in "context canceled" (at least ${MIN_ERRORS}) outside a shutdown`, weight: 3, input: 'dqlite-log' },
      { name: 'pods stuck Pending on node', description: 'pods bound to the node, Pending for > 5 min with no container started in their API status', weight: 2, input: 'pods' },
      { name: 'kubelet started the pods', description: "the stuck pods are in the kubelet's pod list or have crictl sandboxes/containers on the node", weight: 2, input: 'kubelet-pod-list' },
      { name: 'not a shutdown burst', description: 'the errors are not the burst of a k8s-dqlite stop (systemd stop right after, `sql: database is closed`)', weight: 1, input: 'dqlite-log' },
    ],
    runbook: [
      { step: 'Restart k8s-dqlite on {{node}} to re-establish its follower connection', command: 'ssh {{node}} "sudo systemctl restart snap.microk8s.daemon-k8s-dqlite.service"' },
      { step: 'Verify the stuck pods ({{pods}}) move to ContainerCreating/Running within seconds', command: 'kubectl get pods -A --field-selector spec.nodeName={{node}} -o wide' },
      { step: 'Check the errors stopped', command: "journalctl -u snap.microk8s.daemon-k8s-dqlite --since -5m | grep -c 'context canceled'" },
      { step: 'Follow-up: alert on `context canceled` in the k8s-dqlite logs, not only on `database is locked`' },
    ],
    references: ['003_c1675665415870c2.txt#Chain 4: k8s02 Pod Status Updates Failing — k8s-dqlite context canceled (Secondary)'],
    supersedes: ['pods-not-progressing'],
    falsePositives: [
      "`microk8s stop` / a k8s-dqlite restart cancels in-flight queries: errors from 60 s before to 5 min after a stop (until the unit starts again), or next to `sql: database is closed`, are not counted.",
      '`WATCH Failed to create watcher … context canceled` and `Failed to send cancel response` are watch-side (kine-watch-corruption), not write failures, and are not counted.',
      "When the kubelet's pod list shows it never saw the stuck pods, the pods wait on a watch, not on a write: the rule stays quiet.",
    ],
  },
  evaluate(ctx) {
    const now = nowOf(ctx);
    const findings: FindingDraft[] = [];
    let checked = new SignalSet().check('query context canceled', false).list();

    for (const node of ctx.nodes) {
      const errors = ctx.matches('dqlite-query-canceled', { node, units: [K8S_DQLITE_UNIT] }).filter((m) => !isWatcherLine(m));
      if (errors.length === 0) continue;
      const { live, shutdown } = splitShutdown(ctx, node, errors);
      const stuck = now === undefined ? [] : stuckPendingPods(ctx, node, now);
      const started = stuck.map((p) => kubeletStarted(ctx, node, p));
      const startedPods = stuck.filter((_, i) => started[i] === true);
      const startedKnown = started.some((s) => s !== undefined);

      const signals = new SignalSet()
        .check('query context canceled', live.length >= MIN_ERRORS, `${live.length} outside a shutdown`)
        .check('pods stuck Pending on node', stuck.length > 0, stuck.length ? stuck.map(podRef).join(', ') : undefined)
        .check('kubelet started the pods', startedKnown && stuck.length ? startedPods.length > 0 : undefined,
          startedPods.length ? startedPods.map(podRef).join(', ') : undefined)
        .check('not a shutdown burst', live.length > 0, shutdown.length ? `${shutdown.length} error(s) belong to a k8s-dqlite stop` : undefined);
      checked = signals.list();
      if (live.length < MIN_ERRORS || stuck.length === 0) continue;
      if (signals.state('kubelet started the pods') === 'absent') continue;

      const keys = uniqueSorted(live.map((m) => m.groups.key));
      const span = spanOf(timesOf(live))!;
      const shown = startedPods.length ? startedPods : stuck;
      const evidence: EvidenceItem[] = [...cappedEvidence(live, 4), ...shown.slice(0, 5).map(podEvidence)];
      const list = ctx.facts.kubeletPodLists.find((l) => l.node === node);
      if (list && startedPods.length) {
        evidence.push(evidenceFromFact(list.source, `kubelet pod list of ${node} includes ${startedPods.map(podRef).join(', ')}`, node));
      }
      findings.push({
        nodes: [node],
        window: spanOf([span.start, span.end, now]),
        summary: `k8s-dqlite on ${node} failed ${live.length} quer${live.length === 1 ? 'y' : 'ies'} with "context canceled" between ${microsToIso(span.start)} and ${microsToIso(span.end)}${keys.length ? ` (${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''})` : ''} without being stopped, while ${stuck.length} pod(s) bound to ${node} stay Pending (${stuck.slice(0, 4).map(podRef).join(', ')}${stuck.length > 4 ? ', …' : ''})${startedPods.length ? ' although the kubelet has them' : ''}: their status writes do not commit through the local dqlite follower.`,
        signals: signals.list(),
        evidence,
        values: { node, pods: stuck.map(podRef) },
        facts: { canceledQueries: live.length, shutdownErrors: shutdown.length, stuckPods: stuck.length },
      });
    }
    return { findings, checked: findings[0]?.signals ?? checked };
  },
});
