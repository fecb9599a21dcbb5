import { computeConfidence } from '../engine/confidence.js';
import { evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, RuleMeta } from '../engine/types.js';
import type { EventFact, LeaseFact } from '../model/facts.js';
import { MICROS_PER_MINUTE, MICROS_PER_SECOND, microsToIso } from '../model/time.js';
import { holderNode, leaseSnapshotTime, leaseText, nowOf, podEvidence, unscheduledPods } from './shared/cluster.js';
import { formatDuration } from './shared/format.js';
import { podRef } from './shared/pods.js';

/** 003: "zero scheduler events in last 30m despite 46 Pending pods". */
const EVENT_LOOKBACK = 30 * MICROS_PER_MINUTE;
/** A lease counts as renewed when its renewTime is within two lease durations (at least 60 s) of the snapshot. */
const MIN_RENEW_SLACK = 60 * MICROS_PER_SECOND;
/**
 * Without the events input "zero FailedScheduling events" cannot be checked. The pods'
 * missing PodScheduled condition still shows the scheduler never looked at them, so the rule
 * fires, but no higher than this (the pattern without events also fits a scheduler that is
 * merely slow).
 */
const CONFIDENCE_WITHOUT_EVENTS = 0.5;

function renewed(lease: LeaseFact, all: readonly LeaseFact[], now: number | undefined): boolean | undefined {
  if (lease.renewTime === undefined) return undefined;
  const others = all.filter((l) => l !== lease && l.renewTime !== undefined);
  const reference = others.length ? leaseSnapshotTime(all) : now;
  if (reference === undefined) return undefined;
  const slack = Math.max(2 * (lease.leaseDurationSeconds ?? 15) * MICROS_PER_SECOND, MIN_RENEW_SLACK);
  return reference - lease.renewTime <= slack;
}

const eventTime = (e: EventFact) => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp;

const meta: RuleMeta = {
  title: 'Scheduler holds its lease but schedules nothing (informer watch stall)',
  severity: 'critical',
  kind: 'failure-mode',
  symptoms:
    'Many pods stay Pending without spec.nodeName for minutes to hours while every node is Ready, and there is not a single FailedScheduling event: the scheduler is not failing to place pods, it is not trying. The kube-system/kube-scheduler Lease is held by one node and renewed on time.',
  why:
    "Only the lease holder's scheduler schedules. Its lease renewal runs in its own goroutine and keeps working, but its pod/node informers sit on a watch stream that stopped delivering events (after the simultaneous reboot in 003, the local kine watch reconnected in an inconsistent state). The work queue stays empty, no scheduling attempt is made — so no FailedScheduling events either — and the standby schedulers never take over because the lease never expires.",
  inputs: ['pods', 'leases'],
  signals: [
    { name: 'pods Pending without a node', description: 'pods Pending with no spec.nodeName for > 5 min before the capture end', weight: 2, input: 'pods' },
    { name: 'zero FailedScheduling events', description: 'no FailedScheduling event for those pods nor in the last 30 min', weight: 3, input: 'events' },
    { name: 'scheduler never evaluated them', description: 'the pending pods carry no PodScheduled condition (the scheduler writes one when it fails)', weight: 1, input: 'pods' },
    { name: 'scheduler lease held and renewed', description: 'kube-system/kube-scheduler is held (holderIdentity <node>_<uuid>) and its renewTime is current', weight: 2, input: 'leases' },
  ],
  runbook: [
    { step: 'Cordon the lease holder {{node}}', command: 'kubectl cordon {{node}}' },
    { step: 'Restart kubelite on {{node}}: its scheduler releases the lease', command: 'ssh {{node}} "sudo systemctl restart snap.microk8s.daemon-kubelite.service"' },
    { step: 'Verify another scheduler acquired the lease (was {{holder}})', command: "kubectl -n kube-system get lease kube-scheduler -o jsonpath='{.spec.holderIdentity}'" },
    { step: 'Verify the pending count drops (was {{pendingCount}})', command: 'kubectl get pods -A --field-selector=status.phase=Pending --no-headers | wc -l' },
    { step: 'Uncordon {{node}}', command: 'kubectl uncordon {{node}}' },
    { step: 'Follow-up: shorten the scheduler lease (leaseDurationSeconds, 60s → 20s in /var/snap/microk8s/current/args/kube-scheduler) and alert on "Pending > 5 min with zero FailedScheduling events"' },
  ],
  references: [
    '003_c1675665415870c2.txt#Chain 1: 46 Pods Stuck Pending for 4h20m — Scheduler Informer Watch Stall (RC-1)',
    '003_c1675665415870c2.txt#Zero FailedScheduling events with Pending pods is the scheduler stall signature',
  ],
  falsePositives: [
    'Ordinary scheduling pressure (no node fits) produces FailedScheduling events and a PodScheduled=False condition: the rule stays quiet.',
    'A scheduler that is down lets its lease expire; a stale renewTime keeps the rule quiet (another scheduler should take over).',
    `Without the events input the rule relies on the missing PodScheduled condition and caps its confidence at ${CONFIDENCE_WITHOUT_EVENTS}.`,
  ],
};

export default defineRule({
  id: 'scheduler-informer-stall',
  meta,
  evaluate(ctx) {
    const now = nowOf(ctx);
    const noFinding = new SignalSet().check('pods Pending without a node', false).list();
    if (now === undefined) return { findings: [], checked: noFinding };
    const unscheduled = unscheduledPods(ctx, now);
    if (unscheduled.pods.length === 0) return { findings: [], checked: noFinding };

    const failed = unscheduled.failedScheduling;
    const pendingKeys = new Set(unscheduled.pods.map(podRef));
    const relevantFailed = failed?.filter((e) => {
      const t = eventTime(e);
      return pendingKeys.has(`${e.involved.namespace}/${e.involved.name}`) || t === undefined || t >= now - EVENT_LOOKBACK;
    });
    const lease = ctx.facts.leases.find((l) => l.namespace === 'kube-system' && l.name === 'kube-scheduler');
    const holder = holderNode(lease?.holderIdentity);
    const isRenewed = lease && holder ? renewed(lease, ctx.facts.leases, now) : false;

    const oldest = unscheduled.pods.reduce((a, b) => ((b.creationTimestamp ?? now) < (a.creationTimestamp ?? now) ? b : a));
    const signals = new SignalSet()
      .check('pods Pending without a node', true, `${unscheduled.pods.length} pod(s), oldest ${formatDuration(now - (oldest.creationTimestamp ?? now))}`)
      .check('zero FailedScheduling events', relevantFailed ? relevantFailed.length === 0 : undefined,
        relevantFailed?.length ? `${relevantFailed.reduce((n, e) => n + e.count, 0)} FailedScheduling event(s)` : undefined)
      .check('scheduler never evaluated them', unscheduled.silent.length > 0, `${unscheduled.silent.length} of ${unscheduled.pods.length} without a scheduler verdict`)
      .check('scheduler lease held and renewed', isRenewed,
        lease ? `${lease.holderIdentity ?? 'no holder'}${lease.renewTime !== undefined ? ` renewed ${microsToIso(lease.renewTime)}` : ''}` : 'no kube-system/kube-scheduler lease');
    if (unscheduled.silent.length === 0 || signals.state('zero FailedScheduling events') === 'absent'
      || signals.state('scheduler lease held and renewed') !== 'present' || !lease || !holder) {
      return { findings: [], checked: signals.list() };
    }

    const evidence: EvidenceItem[] = [
      evidenceFromFact(lease.source, leaseText(lease), holder, lease.renewTime),
      ...unscheduled.silent.slice(0, 5).map(podEvidence),
    ];
    const list = signals.list();
    const computed = computeConfidence(list, meta.signals);
    const pods = unscheduled.silent.map(podRef);
    return {
      findings: [{
        nodes: [holder],
        window: { start: oldest.creationTimestamp ?? now, end: now },
        summary: `${unscheduled.pods.length} pod(s) have been Pending without a node for up to ${formatDuration(now - (oldest.creationTimestamp ?? now))} (${pods.slice(0, 4).join(', ')}${pods.length > 4 ? ', …' : ''}) with ${relevantFailed ? 'zero' : 'unknown (no events captured)'} FailedScheduling events, while ${holder} holds the kube-system/kube-scheduler lease (${lease.holderIdentity}) and keeps renewing it. The scheduler on ${holder} is alive but its informers receive nothing; the standby schedulers cannot take over until it lets go of the lease.`,
        signals: list,
        evidence,
        values: { node: holder, holder: lease.holderIdentity ?? holder, pendingCount: unscheduled.pods.length, pods },
        ...(relevantFailed ? {} : { confidence: Math.min(computed, CONFIDENCE_WITHOUT_EVENTS) }),
        facts: { pendingPods: unscheduled.pods.length, leaseHolder: holder, ...(relevantFailed ? { failedSchedulingEvents: relevantFailed.length } : {}) },
      }],
      checked: list,
    };
  },
});
