import { latestBefore } from '../engine/correlate.js';
import { cappedEvidence, evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft } from '../engine/types.js';
import type { EventFact } from '../model/facts.js';
import { MICROS_PER_MINUTE } from '../model/time.js';

const RESERVED = /is reserved for/;
/** An unclean reboot leaves the stale names behind; look for a boot within this span before. */
const BOOT_LOOKBACK = 6 * 60 * MICROS_PER_MINUTE;

function eventNode(event: EventFact, podNodes: Map<string, string>): string | undefined {
  return event.sourceHost ?? podNodes.get(`${event.involved.namespace}/${event.involved.name}`);
}

export default defineRule({
  id: 'containerd-stale-sandbox-reservation',
  meta: {
    title: 'Stale containerd state blocks sandbox creation ("name is reserved")',
    severity: 'high',
    kind: 'failure-mode',
    symptoms:
      'Pods on one node never get a sandbox: FailedCreatePodSandBox events repeat with "failed to reserve sandbox name … is reserved for <id>", often with SandboxChanged storms, typically right after an unclean reboot.',
    why:
      "containerd keeps sandbox names reserved in its state database. After a reboot without draining sandboxes the reservations survive while the sandboxes they point at are gone, so every new attempt with the same name (pod_namespace_uid_attempt) is refused until containerd's state is flushed.",
    inputs: [['kubelet-log', 'containerd-log', 'events']],
    signals: [
      { name: 'sandbox name reserved', description: 'kubelet/containerd error or event: failed to reserve sandbox name … is reserved for <id>', weight: 3 },
      { name: 'SandboxChanged events', description: 'SandboxChanged event storm on the node', input: 'events' },
      { name: 'recent boot', description: 'the node booted within a few hours before the errors (unclean reboot)', input: 'node-journal' },
    ],
    runbook: [
      { step: 'Cordon {{node}} so no new pods land there', command: 'kubectl cordon {{node}}' },
      { step: 'Restart containerd and kubelite on {{node}} to flush the stale reservations', command: 'sudo snap restart microk8s.daemon-containerd && sudo systemctl restart snap.microk8s.daemon-kubelite' },
      { step: 'Check the affected pods get sandboxes ({{pods}})', command: 'kubectl get pods -A --field-selector spec.nodeName={{node}} -o wide' },
      { step: 'Uncordon {{node}}', command: 'kubectl uncordon {{node}}' },
      { step: 'Before the next reboot, drain the sandboxes first', command: 'sudo crictl stopp $(sudo crictl pods -q) && sudo crictl rmp $(sudo crictl pods -q)' },
    ],
    references: ['003_c1675665415870c2.txt#Chain 3: Pod Sandbox Creation Failing — containerd BoltDB Stale State (RC-3)'],
    // Pods that never get a sandbox stay Pending on that node: this explains the symptom there.
    supersedes: ['pods-not-progressing'],
    falsePositives: [
      'A single "is reserved for" right after a slow RunPodSandbox is a retry race that clears on its own; the rule wants repeated errors.',
      'CRI-O words it differently ("error reserving pod name"), which is not this containerd state problem.',
    ],
  },
  evaluate(ctx) {
    const podNodes = new Map(ctx.facts.pods.filter((p) => p.nodeName).map((p) => [`${p.namespace}/${p.name}`, p.nodeName!]));
    const events = ctx.facts.events.filter((e) => e.reason === 'FailedCreatePodSandBox' && RESERVED.test(e.message));
    const changed = ctx.facts.events.filter((e) => e.reason === 'SandboxChanged');
    const matches = ctx.matches('sandbox-name-reserved');

    const nodes = new Set<string>();
    for (const m of matches) if (m.record.node) nodes.add(m.record.node);
    for (const e of events) {
      const node = eventNode(e, podNodes);
      if (node) nodes.add(node);
    }
    const checkedNoFinding = new SignalSet().check('sandbox name reserved', false).list();
    if (matches.length === 0 && events.length === 0) return { findings: [], checked: checkedNoFinding };

    const findings: FindingDraft[] = [];
    for (const node of nodes.size ? [...nodes].sort() : ['']) {
      const onNode = node ? matches.filter((m) => m.record.node === node) : matches;
      const nodeEvents = node ? events.filter((e) => eventNode(e, podNodes) === node) : events;
      const occurrences = onNode.reduce((n) => n + 1, 0) + nodeEvents.reduce((n, e) => n + e.count, 0);
      if (occurrences < 2) continue;

      const times = onNode.map((m) => m.record.ts).filter((t): t is number => t !== undefined);
      const first = times.length ? Math.min(...times) : undefined;
      const boots = node ? ctx.boots(node) : [];
      const recentBoot = first === undefined
        ? undefined
        : latestBefore(boots, first, BOOT_LOOKBACK) !== undefined;
      const nodeChanged = changed.filter((e) => !node || eventNode(e, podNodes) === node);

      const signals = new SignalSet()
        .set('sandbox name reserved', 'present', `${occurrences} occurrence(s)`)
        .check('SandboxChanged events', ctx.hasInput('events') ? nodeChanged.length > 0 : undefined,
          nodeChanged.length ? `${nodeChanged.reduce((n, e) => n + e.count, 0)} SandboxChanged event(s)` : undefined)
        .check('recent boot', ctx.hasInput('node-journal', node || undefined) && boots.length ? recentBoot : undefined);

      const pods = [...new Set([
        ...onNode.map((m) => m.groups.name?.split('_').slice(0, 2).reverse().join('/')),
        ...nodeEvents.map((e) => `${e.involved.namespace}/${e.involved.name}`),
      ].filter((p): p is string => Boolean(p)))].sort();
      const evidence: EvidenceItem[] = [
        ...cappedEvidence(onNode, 3),
        ...nodeEvents.slice(0, 3).map((e) => evidenceFromFact(e.source, `${e.reason}: ${e.message}`, node || undefined, e.lastTimestamp)),
      ];
      const eventTimes = nodeEvents.flatMap((e) => [e.firstTimestamp, e.lastTimestamp]).filter((t): t is number => t !== undefined);
      const all = [...times, ...eventTimes];
      findings.push({
        nodes: node ? [node] : [],
        window: all.length ? { start: Math.min(...all), end: Math.max(...all) } : undefined,
        summary: `containerd on ${node || 'the node'} refused ${occurrences} sandbox creation(s) because the sandbox names are still reserved for sandboxes that no longer exist (${pods.slice(0, 5).join(', ') || 'pods unknown'})${recentBoot ? ', right after a reboot' : ''}. The stale reservations stay until containerd's state is flushed.`,
        signals: signals.list(),
        evidence,
        values: { node: node || '<node>', pods },
        facts: { occurrences },
      });
    }
    return { findings, checked: findings.length ? findings[0]!.signals : checkedNoFinding };
  },
});
